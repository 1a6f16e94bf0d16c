/* Shopify pulls (dest/shopify_pull_rows.h): the page query, its cost and variables, and variant nodes as canonical
 * rows; and the shopify source in connection documents (feed/conn.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dest/shopify_pull_rows.h"
#include "feed/conn.h"

/* The row a variant node becomes, or NULL when it is skipped. */
static char *row(const char *node)
{
	cJSON *v = cJSON_Parse(node);
	cr_assert_not_null(v, "bad test JSON: %s", node);
	struct strbuf sb = {0};
	bool kept = shopify_pull_row(v, &sb);
	cJSON_Delete(v);
	cr_assert_eq(kept, sb.len > 0, "a skipped variant writes nothing");
	return kept ? sb_detach(&sb) : NULL;
}

#define TEE "\"product\": {\"id\": \"gid://shopify/Product/1\", \"handle\": \"tee\", \"title\": \"Tee\", " \
	"\"status\": \"ACTIVE\", \"productType\": \"Shirts\", \"vendor\": \"Acme\", \"tags\": [\"cotton\", \"summer\"], " \
	"\"descriptionHtml\": \"<p>Soft</p>\", \"featuredMedia\": {\"preview\": {\"image\": {\"url\": \"http://i/t.jpg\"}}}}"

Test(shopify_pull, a_variant_with_options_is_grouped_by_its_handle)
{
	char *r = row("{\"id\": \"gid://shopify/ProductVariant/7\", \"sku\": \"TEE-M\", \"title\": \"M / Red\", "
	              "\"price\": \"15.00\", \"compareAtPrice\": \"20.00\", \"inventoryQuantity\": 6, "
	              "\"selectedOptions\": [{\"name\": \"Size\", \"value\": \"M\"}, {\"name\": \"Colour\", \"value\": \"Red\"}], "
	              "\"image\": null, " TEE "}");
	cr_assert_str_eq(r, "{\"sku\":\"TEE-M\",\"name\":\"Tee - M / Red\",\"price\":\"20.00\",\"sale_price\":\"15.00\","
	                    "\"quantity\":\"6\",\"category\":\"Shirts\",\"product_type\":\"Shirts\",\"vendor\":\"Acme\","
	                    "\"tags\":\"cotton, summer\",\"description\":\"<p>Soft</p>\",\"image\":\"http://i/t.jpg\","
	                    "\"status\":\"active\",\"id\":\"gid://shopify/ProductVariant/7\","
	                    "\"product_id\":\"gid://shopify/Product/1\",\"handle\":\"tee\",\"parent_sku\":\"tee\","
	                    "\"attribute:Size\":\"M\",\"attribute:Colour\":\"Red\",\"attributes\":\"Size: M, Colour: Red\"}");
	free(r);
}

Test(shopify_pull, a_default_variant_is_a_simple_product_with_its_own_image_and_stock_at_a_location)
{
	char *r = row("{\"id\": \"gid://shopify/ProductVariant/8\", \"sku\": \"MUG\", \"title\": \"Default Title\", "
	              "\"price\": \"8.50\", \"compareAtPrice\": \"8.50\", \"image\": {\"url\": \"http://i/v.jpg\"}, "
	              "\"inventoryItem\": {\"inventoryLevel\": {\"quantities\": [{\"name\": \"available\", \"quantity\": 3}]}}, "
	              "\"selectedOptions\": [{\"name\": \"Title\", \"value\": \"Default Title\"}], "
	              "\"product\": {\"id\": \"gid://shopify/Product/2\", \"handle\": \"mug\", \"title\": \"Mug\", "
	              "\"status\": \"DRAFT\", \"tags\": []}}");
	cr_assert_str_eq(r, "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":\"8.50\",\"quantity\":\"3\","
	                    "\"image\":\"http://i/v.jpg\",\"status\":\"draft\",\"id\":\"gid://shopify/ProductVariant/8\","
	                    "\"product_id\":\"gid://shopify/Product/2\",\"handle\":\"mug\"}");
	free(r);
	r = row("{\"sku\": \"NOWHERE\", \"inventoryItem\": {\"inventoryLevel\": null}, \"product\": {}}");
	cr_assert_str_eq(r, "{\"sku\":\"NOWHERE\",\"quantity\":\"0\"}", "not stocked at the location: 0");
	free(r);
}

Test(shopify_pull, a_variant_without_a_sku_is_skipped)
{
	cr_assert_null(row("{\"sku\": \"  \", \"product\": {\"title\": \"Gift card\"}}"));
	cr_assert_null(row("{\"sku\": null}"));
}

Test(shopify_pull, page_query_cost_and_variables)
{
	cr_assert_str_eq(shopify_pull_operation(false), "FeedsyncPullVariants");
	cr_assert_str_eq(shopify_pull_operation(true), "FeedsyncPullVariantsAt");
	cr_assert(strstr(shopify_pull_document(false), "query FeedsyncPullVariants(") != NULL);
	cr_assert(strstr(shopify_pull_document(true), "inventoryLevel(locationId: $location)") != NULL);
	cr_assert(strstr(shopify_pull_document(false), "pageInfo { hasNextPage endCursor }") != NULL);
	/* 2 for the connection, first times the objects of a node, 1 for pageInfo. */
	cr_assert_float_eq(shopify_pull_cost(142, false), 3 + 142 * 7, 1e-9);
	cr_assert_float_eq(shopify_pull_cost(99, true), 3 + 99 * 10, 1e-9);
	cr_assert_str_eq(shopify_pull_search("active"), "product_status:active");
	cr_assert_null(shopify_pull_search("any"));
	cJSON *v = shopify_pull_variables(25, "abc", NULL, "gid://shopify/Location/1");
	char *text = cJSON_PrintUnformatted(v);
	cr_assert_str_eq(text, "{\"first\":25,\"after\":\"abc\",\"location\":\"gid://shopify/Location/1\"}");
	cJSON_free(text);
	cJSON_Delete(v);
}

static void expect_problem(const char *doc, const char *problem)
{
	struct problems pr = {0};
	struct conn_config *c = conn_parse(doc, &pr);
	cr_assert_null(c);
	char *all = problems_join(&pr, "\n");
	cr_assert(strstr(all, problem) != NULL, "'%s' lacks '%s'", all, problem);
	free(all);
	problems_free(&pr);
}

Test(shopify_pull, the_shopify_source_in_a_document)
{
	struct problems pr = {0};
	struct conn_config *c = conn_parse("{\"name\": \"S\", \"source\": {\"type\": \"shopify\", "
	                                   "\"destination\": {\"name\": \"Shop\"}, \"status\": \"active\"}}", &pr);
	cr_assert_not_null(c, "%s", pr.n ? pr.items[0] : "");
	cr_assert_str_eq(c->source_type, "shopify");
	cr_assert_str_eq(c->source.format, "json");
	cr_assert_str_eq(c->source.item_path, WOO_PULL_ITEM_PATH);
	cr_assert_str_eq(c->source_status, "active");
	cr_assert_str_eq(c->url, "destination 'Shop'");
	conn_free(c);
	expect_problem("{\"name\": \"S\", \"source\": {\"type\": \"shopify\", \"destination\": {\"id\": 1}, "
	               "\"status\": \"publish\"}}",
	               "source.status: must be one of any, active, draft, archived, not 'publish'");
	expect_problem("{\"name\": \"S\", \"source\": {\"type\": \"shopify\", \"url\": \"http://x\", \"destination\": {\"id\": 1}}}",
	               "source.url: a shopify source has none");
	expect_problem("{\"name\": \"S\", \"source\": {\"type\": \"shopify\"}}", "source.destination: required");
}
