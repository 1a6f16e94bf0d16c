/* Shopify GraphQL settings, requests and answers (dest/shopify_api.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "dest/shopify_api.h"

static int read_site(const char *json, struct shopify_site *out, char **problems)
{
	cJSON *o = cJSON_Parse(json);
	struct problems pr = {0};
	shopify_site_read(o, out, &pr);
	cJSON_Delete(o);
	int n = (int)pr.n;
	*problems = n ? problems_join(&pr, "; ") : NULL;
	problems_free(&pr);
	return n;
}

Test(shopify_api, site_defaults_to_the_pinned_version_and_the_primary_location)
{
	struct shopify_site site;
	char *problems;
	cr_assert_eq(read_site("null", &site, &problems), 0);
	cr_assert_str_eq(site.api_version, SHOPIFY_DEFAULT_API_VERSION);
	cr_assert_null(site.location);
	cr_assert(!site.allow_http);
	char *path = shopify_graphql_path(&site);
	cr_assert_str_eq(path, "/admin/api/2025-10/graphql.json");
	free(path);
	shopify_site_free(&site);
}

Test(shopify_api, site_names_each_bad_member)
{
	struct shopify_site site;
	char *problems;
	cr_assert_eq(read_site("{\"api_version\": \"latest\", \"location\": \"\", \"colour\": 1}", &site, &problems), 3);
	cr_assert(strstr(problems, "options.site.api_version: 'latest' is not an API version like \"2025-10\""), "%s",
	          problems);
	cr_assert(strstr(problems, "options.site.location: must name a location"), "%s", problems);
	cr_assert(strstr(problems, "colour"), "%s", problems);
	cr_assert_str_eq(site.api_version, SHOPIFY_DEFAULT_API_VERSION);
	free(problems);
	shopify_site_free(&site);
}

Test(shopify_api, request_names_its_operation)
{
	char *text = shopify_request_text("query FeedsyncShop { shop { name } }", "FeedsyncShop", NULL);
	cr_assert_str_eq(text, "{\"query\":\"query FeedsyncShop { shop { name } }\",\"operationName\":\"FeedsyncShop\","
	                       "\"variables\":{}}");
	free(text);
}

static bool first_error(const char *json, char *code, char *message)
{
	cJSON *o = cJSON_Parse(json);
	bool found = shopify_answer_error(o, code, 64, message, 256);
	cJSON_Delete(o);
	return found;
}

/* The shapes of https://shopify.dev/docs/api/usage/response-codes and .../usage/limits. */
Test(shopify_api, answer_errors_in_both_shapes)
{
	char code[64], message[256];
	cr_assert(first_error("{\"errors\": \"[API] Invalid API key or access token\"}", code, message));
	cr_assert_str_eq(code, "");
	cr_assert_str_eq(message, "[API] Invalid API key or access token");
	cr_assert(first_error("{\"errors\": [{\"message\": \"Throttled\", \"extensions\": {\"code\": \"THROTTLED\"}}]}",
	                      code, message));
	cr_assert_str_eq(code, "THROTTLED");
	cr_assert_str_eq(message, "Throttled");
	cr_assert(!first_error("{\"data\": {\"shop\": {}}}", code, message));
}
