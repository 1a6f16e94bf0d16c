/* WooCommerce pulls (dest/woo_pull_rows.h): page targets, when to stop, products and variations as canonical
 * rows; and the woocommerce source in connection documents (feed/conn.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "dest/woo_pull_rows.h"
#include "feed/conn.h"

#define FIXTURES "tests/fixtures/woo_pull/"

static cJSON *parse(const char *text)
{
	cJSON *json = cJSON_Parse(text);
	cr_assert_not_null(json, "bad test JSON: %s", text);
	return json;
}

static cJSON *load(const char *path)
{
	char err[256];
	char *text = cli_read_file(path, err, sizeof(err));
	cr_assert_not_null(text, "%s", err);
	cJSON *json = parse(text);
	free(text);
	return json;
}

/* The row a product becomes, or NULL when it is skipped. */
static char *row(const char *product, const char *join)
{
	cJSON *p = parse(product);
	struct strbuf sb = {0};
	bool kept = woo_pull_product(p, join, &sb);
	cJSON_Delete(p);
	cr_assert_eq(kept, sb.len > 0, "a skipped product writes nothing");
	return kept ? sb_detach(&sb) : NULL;
}

Test(woo_pull, targets_ask_for_full_pages_oldest_first_as_stored_and_only_the_columns_read)
{
	char *t = woo_pull_target("any", 3);
	cr_expect_str_eq(t, "/wp-json/wc/v3/products?per_page=100&page=3&status=any&orderby=id&order=asc"
	                    "&context=edit&_fields=id,sku,name,type,status,regular_price,sale_price,stock_quantity,categories,images,"
	                    "description,short_description,weight");
	free(t);
	t = woo_pull_target(NULL, 1);
	cr_expect(strstr(t, "&page=1&status=any&") != NULL, "%s", t);
	cr_expect(strstr(t, "rest_route") == NULL);
	free(t);
	t = woo_pull_target("a&b=c", 1);
	cr_expect(strstr(t, "status=a%26b%3Dc&") != NULL, "the status is encoded: %s", t);
	free(t);
}

Test(woo_pull, variations_target_pages_the_parent_s_variations_in_the_edit_context)
{
	char *t = woo_pull_variations_target(25, 2);
	cr_expect_str_eq(t, "/wp-json/wc/v3/products/25/variations?per_page=100&page=2&orderby=id&order=asc"
	                    "&context=edit&_fields=id,sku,status,regular_price,sale_price,stock_quantity,image,attributes,"
	                    "description,weight");
	free(t);
}

Test(woo_pull, more_pages_by_the_total_pages_header)
{
	cr_expect(woo_pull_more(1, 100, 3));
	cr_expect(woo_pull_more(2, 100, 3));
	cr_expect_not(woo_pull_more(3, 50, 3));
	/* The shop grew meanwhile: the latest header is believed. */
	cr_expect(woo_pull_more(3, 100, 4));
	cr_expect_not(woo_pull_more(1, 0, 0), "an empty shop is one empty page");
	cr_expect_not(woo_pull_more(2, 0, 3), "an empty page ends the pull even when more were announced");
}

Test(woo_pull, more_pages_without_the_header_while_pages_are_full)
{
	cr_expect(woo_pull_more(1, 100, -1));
	cr_expect(woo_pull_more(7, 100, -1));
	cr_expect_not(woo_pull_more(8, 99, -1));
	cr_expect_not(woo_pull_more(8, 0, -1));
}

Test(woo_pull, recorded_products_become_canonical_rows)
{
	cJSON *page = load(FIXTURES "page.json");
	struct strbuf sb = {0};
	const cJSON *p;
	cJSON_ArrayForEach(p, page) {
		cr_assert(woo_pull_product(p, " > ", &sb));
		sb_addc(&sb, '\n');
	}
	cr_expect_str_eq(sb_str(&sb),
		"{\"sku\":\"FS-A\",\"name\":\"Feedsync Item A\",\"price\":\"19.99\",\"sale_price\":\"\",\"quantity\":\"5\","
		"\"description\":\"\",\"short_description\":\"\",\"weight\":\"\",\"id\":\"19\",\"type\":\"simple\","
		"\"status\":\"publish\",\"category\":\"Uncategorized\"}\n"
		"{\"sku\":\"FS-B\",\"name\":\"Feedsync Item B\",\"price\":\"5.00\",\"sale_price\":\"\",\"quantity\":\"0\","
		"\"description\":\"\",\"short_description\":\"\",\"weight\":\"\",\"id\":\"20\",\"type\":\"simple\","
		"\"status\":\"publish\",\"category\":\"Uncategorized\"}\n"
		"{\"sku\":\"FS-VAR\",\"name\":\"Feedsync Variable Tee\",\"price\":\"\",\"sale_price\":\"\","
		"\"description\":\"\",\"short_description\":\"\",\"weight\":\"\",\"id\":\"25\",\"type\":\"variable\","
		"\"status\":\"publish\",\"category\":\"Uncategorized\"}\n");
	sb_free(&sb);
	cJSON_Delete(page);
}

Test(woo_pull, categories_join_with_the_delimiter_and_images_with_a_bar)
{
	char *r = row("{\"sku\":\"A\",\"categories\":[{\"id\":1,\"name\":\"Birou\"},{\"id\":2,\"name\":\"\"},"
	              "{\"id\":3,\"name\":\"Pixuri\"}],\"images\":[{\"id\":9,\"src\":\"http://x/a.jpg\"},{\"src\":null},"
	              "{\"src\":\"http://x/b.jpg\"}]}", "/");
	cr_expect_str_eq(r, "{\"sku\":\"A\",\"category\":\"Birou/Pixuri\",\"image\":\"http://x/a.jpg|http://x/b.jpg\"}");
	free(r);
	r = row("{\"sku\":\"A\",\"categories\":[],\"images\":\"not a list\"}", NULL);
	cr_expect_str_eq(r, "{\"sku\":\"A\"}", "nothing for empty or odd lists");
	free(r);
	r = row("{\"sku\":\"A\",\"categories\":[{\"name\":\"X\"},{\"name\":\"Y\"}]}", NULL);
	cr_expect_str_eq(r, "{\"sku\":\"A\",\"category\":\"X > Y\"}", "the default delimiter");
	free(r);
}

Test(woo_pull, values_keep_their_text_and_escapes)
{
	char *r = row("{\"id\":1234567890123,\"sku\":\"Q\\\"1\",\"name\":\"Tee \\u0103\\n\",\"stock_quantity\":null,"
	              "\"weight\":0.25,\"manage_stock\":true,\"regular_price\":\"7\"}", NULL);
	cr_expect_str_eq(r, "{\"sku\":\"Q\\\"1\",\"name\":\"Tee \xc4\x83\\n\",\"price\":\"7\",\"weight\":\"0.25\","
	                    "\"id\":\"1234567890123\"}");
	free(r);
}

Test(woo_pull, products_without_a_sku_are_skipped)
{
	cr_expect_null(row("{\"id\":5,\"name\":\"No SKU\",\"sku\":\"\"}", NULL));
	cr_expect_null(row("{\"id\":5,\"sku\":\"  \"}", NULL));
	cr_expect_null(row("{\"id\":5}", NULL));
	cr_expect_null(row("{\"id\":5,\"sku\":12}", NULL));
	cr_expect_null(row("[1, 2]", NULL), "an item that is not a product");
}

/* The recorded variable product FS-VAR (id 25) of page.json, as its variations carry it. */
static struct woo_parent recorded_parent(const char *join)
{
	cJSON *page = load(FIXTURES "page.json");
	struct woo_parent parent;
	size_t variable = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, page)
		variable += woo_pull_parent(p, join, &parent);
	cJSON_Delete(page);
	cr_assert_eq(variable, 1, "page.json holds one variable product");
	return parent;
}

Test(woo_pull, only_variable_products_are_parents)
{
	struct woo_parent parent = recorded_parent("/");
	cr_expect_eq(parent.id, 25);
	cr_expect_str_eq(parent.sku, "FS-VAR");
	cr_expect_str_eq(parent.name, "Feedsync Variable Tee");
	cr_expect_str_eq(parent.category, "Uncategorized");
	woo_parent_free(&parent);
	cJSON *odd = parse("[{\"type\":\"variable\"},{\"type\":\"variable\",\"id\":0},{\"type\":\"simple\",\"id\":3},"
	                   "{\"type\":\"variable\",\"id\":4}]");
	size_t n = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, odd) {
		if (woo_pull_parent(p, NULL, &parent)) {
			n++;
			cr_expect_eq(parent.id, 4);
			cr_expect_str_eq(parent.sku, "", "a parent without a SKU still has variations to read");
			cr_expect_str_eq(parent.category, "");
			woo_parent_free(&parent);
		}
	}
	cr_expect_eq(n, 1);
	cJSON_Delete(odd);
}

Test(woo_pull, recorded_variations_become_rows_grouped_by_their_parent)
{
	struct woo_parent parent = recorded_parent(" > ");
	cJSON *page = load(FIXTURES "variations.json");
	struct strbuf sb = {0};
	const cJSON *v;
	cJSON_ArrayForEach(v, page) {
		cr_assert(woo_pull_variation(v, &parent, &sb));
		sb_addc(&sb, '\n');
	}
	cr_expect_str_eq(sb_str(&sb),
		"{\"sku\":\"FS-VAR-M\",\"price\":\"11.00\",\"sale_price\":\"\",\"quantity\":\"4\",\"description\":\"\","
		"\"weight\":\"\",\"id\":\"27\",\"status\":\"publish\",\"type\":\"variation\","
		"\"name\":\"Feedsync Variable Tee - M\",\"category\":\"Uncategorized\",\"attributes\":\"Size: M\","
		"\"attribute:Size\":\"M\",\"parent_sku\":\"FS-VAR\",\"parent_id\":\"25\"}\n"
		"{\"sku\":\"FS-VAR-S\",\"price\":\"10.00\",\"sale_price\":\"\",\"quantity\":\"3\",\"description\":\"\","
		"\"weight\":\"\",\"id\":\"26\",\"status\":\"publish\",\"type\":\"variation\","
		"\"name\":\"Feedsync Variable Tee - S\",\"category\":\"Uncategorized\",\"attributes\":\"Size: S\","
		"\"attribute:Size\":\"S\",\"parent_sku\":\"FS-VAR\",\"parent_id\":\"25\"}\n");
	sb_free(&sb);
	cJSON_Delete(page);
	woo_parent_free(&parent);
}

Test(woo_pull, variation_image_attributes_and_a_name_without_options)
{
	struct woo_parent parent = {.id = 7, .sku = "T", .name = "Tee", .category = ""};
	cJSON *v = parse("{\"sku\":\"T-1\",\"image\":{\"id\":3,\"src\":\"http://x/v.jpg\"},\"attributes\":["
	                 "{\"name\":\"Size\",\"option\":\"M\"},{\"name\":\"Colour\",\"option\":\"Red\"}]}");
	struct strbuf sb = {0};
	cr_assert(woo_pull_variation(v, &parent, &sb));
	cr_expect_str_eq(sb_str(&sb), "{\"sku\":\"T-1\",\"type\":\"variation\",\"name\":\"Tee - M, Red\","
	                              "\"image\":\"http://x/v.jpg\",\"attributes\":\"Size: M, Colour: Red\","
	                              "\"attribute:Size\":\"M\",\"attribute:Colour\":\"Red\",\"parent_sku\":\"T\",\"parent_id\":\"7\"}");
	cJSON_Delete(v);
	sb_reset(&sb);
	v = parse("{\"sku\":\"T-2\",\"image\":null,\"attributes\":[]}");
	cr_assert(woo_pull_variation(v, &parent, &sb));
	cr_expect_str_eq(sb_str(&sb), "{\"sku\":\"T-2\",\"type\":\"variation\",\"name\":\"Tee\",\"parent_sku\":\"T\","
	                              "\"parent_id\":\"7\"}");
	cJSON_Delete(v);
	sb_free(&sb);
}

Test(woo_pull, variations_showing_their_parent_s_sku_have_none_of_their_own)
{
	struct woo_parent parent = {.id = 7, .sku = "T", .name = "Tee", .category = ""};
	const char *skipped[] = {"{\"sku\":\"T\"}", "{\"sku\":\"t\"}", "{\"sku\":\"\"}", "{\"id\":9}"};
	for (size_t i = 0; i < ARRAY_LEN(skipped); i++) {
		cJSON *v = parse(skipped[i]);
		struct strbuf sb = {0};
		cr_expect_not(woo_pull_variation(v, &parent, &sb), "%s", skipped[i]);
		cr_expect_eq(sb.len, 0, "a skipped variation writes nothing");
		cJSON_Delete(v);
		sb_free(&sb);
	}
	cJSON *v = parse("{\"sku\":\"T-1\"}");
	cr_expect_str_eq(woo_pull_variation_sku(v, &parent), "T-1");
	cJSON_Delete(v);
}

/* ---- the woocommerce source in connection documents ---- */

/* A connection document with this source; *list (to free) says what was refused. */
static struct conn_config *with_source(const char *source, char **list)
{
	char *text = xasprintf("{\"name\": \"Shop pull\", \"source\": %s}", source);
	struct problems pr = {0};
	struct conn_config *c = conn_parse(text, &pr);
	*list = problems_join(&pr, "; ");
	problems_free(&pr);
	free(text);
	return c;
}

static struct conn_config *conn_ok(const char *source)
{
	char *list;
	struct conn_config *c = with_source(source, &list);
	cr_assert_not_null(c, "refused: %s", list);
	free(list);
	return c;
}

static void expect_refused(const char *source, const char *problem)
{
	char *list;
	struct conn_config *c = with_source(source, &list);
	cr_expect_null(c, "accepted: %s", source);
	cr_expect(strstr(list, problem) != NULL, "'%s' not in: %s", problem, list);
	conn_free(c);
	free(list);
}

Test(woo_pull, conn_reads_a_shop_by_id_or_name_as_json_items)
{
	struct conn_config *c = conn_ok("{\"type\": \"woocommerce\", \"destination\": {\"id\": 3}}");
	cr_expect_str_eq(c->source_type, "woocommerce");
	cr_expect_eq(c->source_dest_id, 3);
	cr_expect_null(c->source_dest_name);
	cr_expect_str_eq(c->source_status, "any");
	cr_expect_str_eq(c->source.format, "json");
	cr_expect_str_eq(c->source.item_path, WOO_PULL_ITEM_PATH);
	cr_expect_str_eq(c->url, "destination 3");
	char *doc = conn_to_json(c);
	cr_expect(strstr(doc, "\"status\":\t\"any\"") != NULL, "the default is written down: %s", doc);
	free(doc);
	conn_free(c);
	c = conn_ok("{\"type\": \"woocommerce\", \"destination\": {\"name\": \"Main shop\"}, \"status\": \"publish\", "
	            "\"aliases\": {\"Cod\": \"sku\"}, \"required\": [\"price\"]}");
	cr_expect_eq(c->source_dest_id, 0);
	cr_expect_str_eq(c->source_dest_name, "Main shop");
	cr_expect_str_eq(c->source_status, "publish");
	cr_expect_str_eq(c->url, "destination 'Main shop'");
	conn_free(c);
}

Test(woo_pull, conn_refuses_what_a_shop_source_does_not_have)
{
	expect_refused("{\"type\": \"woocommerce\"}", "source.destination: required");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {}}",
	               "source.destination: a woocommerce source needs \"id\" or \"name\"");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 0}}", "source.destination.id: must be");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1, \"name\": \"x\"}}",
	               "source.destination: give the destination's id or its name, not both");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1, \"url\": \"x\"}}",
	               "source.destination: unknown key 'url'");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1}, \"status\": \"sold\"}",
	               "source.status: must be one of any, publish, draft, pending, private, future, trash, not 'sold'");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1}, \"url\": \"https://shop\"}",
	               "source.url: a woocommerce source has none");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1}, \"auth\": {\"token_env\": \"T\"}}",
	               "source.auth: a woocommerce source has none");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1}, \"item_path\": \"data\"}",
	               "source.item_path: only json and xml sources have one");
	expect_refused("{\"type\": \"woocommerce\", \"destination\": {\"id\": 1}, \"delimiter\": \";\"}",
	               "source.delimiter: only csv and winmentor sources have one");
	expect_refused("{\"type\": \"csv\", \"url\": \"a.csv\", \"destination\": {\"id\": 1}}",
	               "source.destination: only woocommerce and shopify sources have one");
	expect_refused("{\"type\": \"json\", \"url\": \"a.json\", \"status\": \"any\"}",
	               "source.status: only woocommerce and shopify sources have one");
}
