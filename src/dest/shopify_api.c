/* Shopify GraphQL requests and answers, without I/O (see dest/shopify_api.h). */
#include "dest/shopify_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/jsoncheck.h"

#define SITE "options.site"

const char shopify_primary_location_document[] = "query FeedsyncPrimaryLocation { location { id name isActive } }";
const char shopify_locations_document[] =
	"query FeedsyncLocations { locations(first: 250, includeInactive: true) { nodes { id name isActive } } }";

static const char *const site_keys[] = {"api_version", "location", "allow_http", "bulk_above", NULL};

/* "2025-10": the form Shopify names its quarterly versions with (https://shopify.dev/docs/api/usage/versioning). */
static bool is_version(const char *s)
{
	return strlen(s) == 7 && strspn(s, "0123456789") == 4 && s[4] == '-' && strspn(s + 5, "0123456789") == 2;
}

void shopify_site_read(const cJSON *site, struct shopify_site *out, struct problems *pr)
{
	memset(out, 0, sizeof(*out));
	if (site)
		json_check_keys(site, site_keys, SITE, pr);
	const cJSON *version = json_member(site, "api_version", cJSON_String, SITE, pr);
	if (version && !is_version(version->valuestring))
		problems_add(pr, SITE ".api_version", "'%s' is not an API version like \"%s\"", version->valuestring,
		             SHOPIFY_DEFAULT_API_VERSION);
	str_copy(out->api_version, version && is_version(version->valuestring) ? version->valuestring
	                                                                        : SHOPIFY_DEFAULT_API_VERSION,
	         sizeof(out->api_version));
	const cJSON *location = json_member(site, "location", cJSON_String, SITE, pr);
	if (location && !*location->valuestring)
		problems_add(pr, SITE ".location", "must name a location (its name or gid://shopify/Location/ID)");
	out->location = location && *location->valuestring ? xstrdup(location->valuestring) : NULL;
	out->allow_http = cJSON_IsTrue(json_member(site, "allow_http", JSON_BOOL, SITE, pr));
	const cJSON *bulk = json_member(site, "bulk_above", cJSON_Number, SITE, pr);
	if (bulk && (bulk->valuedouble < 0 || bulk->valuedouble != (double)(int64_t)bulk->valuedouble))
		problems_add(pr, SITE ".bulk_above", "must be a whole number of products, like %d (0: never bulk)",
		             SHOPIFY_DEFAULT_BULK_ABOVE);
	out->bulk_above = bulk && bulk->valuedouble >= 0 ? (int64_t)bulk->valuedouble : SHOPIFY_DEFAULT_BULK_ABOVE;
}

void shopify_site_free(struct shopify_site *site)
{
	free(site->location);
	memset(site, 0, sizeof(*site));
}

int shopify_site_of(const char *options, const char *dest_name, struct shopify_site *out, char *err,
                    size_t errsize)
{
	cJSON *o = cJSON_Parse(options ? options : "{}");
	struct problems pr = {0};
	shopify_site_read(cJSON_GetObjectItemCaseSensitive(o, "site"), out, &pr);
	cJSON_Delete(o);
	if (!pr.n)
		return 0;
	char *list = problems_join(&pr, "  ");
	snprintf(err, errsize, "destination '%s' has bad shop options:\n%s", dest_name, list);
	free(list);
	problems_free(&pr);
	shopify_site_free(out);
	return -1;
}

char *shopify_graphql_path(const struct shopify_site *site)
{
	return xasprintf("/admin/api/%s/graphql.json", site->api_version);
}

char *shopify_request_text(const char *document, const char *name, cJSON *variables)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "query", document);
	cJSON_AddStringToObject(o, "operationName", name);
	cJSON_AddItemToObject(o, "variables", variables ? variables : cJSON_CreateObject());
	char *text = cJSON_PrintUnformatted(o);
	char *out = xstrdup(text);
	cJSON_free(text);
	cJSON_Delete(o);
	return out;
}

bool shopify_answer_error(const cJSON *answer, char *code, size_t code_size, char *message, size_t message_size)
{
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(answer, "errors");
	const cJSON *first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : errors;
	const char *text = cJSON_IsString(first) ? first->valuestring
	                                         : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "message"));
	const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(first, "extensions"), "code"));
	if (!first)
		return false;
	str_copy(code, c ? c : "", code_size);
	str_copy(message, text ? text : "(no message)", message_size);
	return true;
}

const cJSON *shopify_find_location(const cJSON *nodes, const char *wanted)
{
	const cJSON *node;
	cJSON_ArrayForEach(node, nodes)
		if (str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "id")), wanted) ||
		    str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "name")), wanted))
			return node;
	return NULL;
}
