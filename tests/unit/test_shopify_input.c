/* What the Shopify push sends for one product (dest/shopify_input.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dest/shopify_input.h"

static const char fields_json[] =
	"{\"sku\": \"MUG-1\", \"name\": \"Mug\", \"regular_price\": \"9.50\", \"stock_quantity\": \"4\"}";

static char *input_text(const char *product, const char *variant, char *const *update_fields)
{
	cJSON *fields = cJSON_Parse(fields_json);
	cJSON *in = shopify_set_input(product, variant, "MUG-1", fields, update_fields);
	cJSON_Delete(fields);
	char *text = in ? cJSON_PrintUnformatted(in) : NULL;
	cJSON_Delete(in);
	return text;
}

Test(shopify_input, a_create_sends_every_field_and_tracks_inventory)
{
	char *uf[] = {"stock_quantity", NULL};
	char *text = input_text(NULL, NULL, uf);
	cr_assert_str_eq(text, "{\"title\":\"Mug\",\"productOptions\":[{\"name\":\"Title\",\"values\":[{\"name\":"
	                       "\"Default Title\"}]}],\"variants\":[{\"optionValues\":[{\"optionName\":\"Title\",\"name\":"
	                       "\"Default Title\"}],\"sku\":\"MUG-1\",\"price\":\"9.50\",\"inventoryItem\":{\"tracked\":true}}]}");
	free(text);
}

Test(shopify_input, an_update_sends_only_the_fields_named)
{
	char *price[] = {"regular_price", NULL};
	char *text = input_text("gid://shopify/Product/1", "gid://shopify/ProductVariant/2", price);
	cr_assert(strstr(text, "\"id\":\"gid://shopify/Product/1\""), "%s", text);
	cr_assert(strstr(text, "\"id\":\"gid://shopify/ProductVariant/2\""), "%s", text);
	cr_assert(strstr(text, "\"price\":\"9.50\""), "%s", text);
	cr_assert_null(strstr(text, "title"), "%s", text);
	free(text);
	char *name[] = {"name", NULL};
	text = input_text("gid://shopify/Product/1", NULL, name);
	cr_assert_str_eq(text, "{\"id\":\"gid://shopify/Product/1\",\"title\":\"Mug\"}");
	free(text);
	char *stock[] = {"stock_quantity", NULL};
	cr_assert_null(input_text("gid://shopify/Product/1", NULL, stock));
}

Test(shopify_input, stock_is_a_whole_number_sent_when_named)
{
	cJSON *fields = cJSON_Parse("{\"stock_quantity\": \"4\", \"quantity\": \"x\"}");
	char err[100];
	long n = 0;
	cr_assert_eq(shopify_stock(fields, NULL, &n, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "stock 'x' is not a whole number");
	cJSON_DeleteItemFromObject(fields, "quantity");
	cr_assert_eq(shopify_stock(fields, NULL, &n, err, sizeof(err)), 1);
	cr_assert_eq(n, 4);
	char *price[] = {"regular_price", NULL};
	cr_assert_eq(shopify_stock(fields, price, &n, err, sizeof(err)), 0);
	cJSON_Delete(fields);
}

Test(shopify_input, the_search_quotes_each_sku_and_costs_as_shopify_does)
{
	char *skus[] = {"A-1", "B \"2\"", "C\\3"};
	char *q = shopify_sku_query(skus, 3);
	cr_assert_str_eq(q, "sku:\"A-1\" OR sku:\"B \\\"2\\\"\" OR sku:\"C\\\\3\"");
	free(q);
	cr_assert_float_eq(shopify_connection_cost(50, 3), 152.0, 1e-9);
}

static char *group_text(const char *product, char *const *update_fields)
{
	cJSON *parent = cJSON_Parse("{\"name\": \"Tee\"}");
	cJSON *s = cJSON_Parse("{\"sku\": \"TEE-S\", \"price\": \"10\", \"option:size\": \"S\", \"option:colour\": \"Red\"}");
	cJSON *m = cJSON_Parse("{\"sku\": \"TEE-M\", \"price\": \"11\", \"option:size\": \"M\", \"option:colour\": \"Red\"}");
	struct shopify_variant_in v[] = {
		{.sku = "TEE-S", .fields = s, .variant_gid = product ? "gid://shopify/ProductVariant/5" : NULL},
		{.sku = "TEE-M", .fields = m, .changed = true},
	};
	cJSON *in = shopify_group_input(product, parent, v, 2, update_fields);
	char *text = cJSON_PrintUnformatted(in);
	cJSON_Delete(in);
	cJSON_Delete(parent);
	cJSON_Delete(s);
	cJSON_Delete(m);
	return text;
}

Test(shopify_input, a_group_is_one_product_with_its_options_and_a_variant_per_row)
{
	char *text = group_text(NULL, NULL);
	cr_assert_str_eq(text, "{\"title\":\"Tee\",\"productOptions\":[{\"name\":\"size\",\"values\":[{\"name\":\"S\"},"
	                       "{\"name\":\"M\"}]},{\"name\":\"colour\",\"values\":[{\"name\":\"Red\"}]}],\"variants\":["
	                       "{\"optionValues\":[{\"optionName\":\"size\",\"name\":\"S\"},{\"optionName\":\"colour\","
	                       "\"name\":\"Red\"}],\"sku\":\"TEE-S\",\"inventoryItem\":{\"tracked\":true}},"
	                       "{\"optionValues\":[{\"optionName\":\"size\",\"name\":\"M\"},{\"optionName\":\"colour\","
	                       "\"name\":\"Red\"}],\"sku\":\"TEE-M\",\"price\":\"11\",\"inventoryItem\":{\"tracked\":true}}]}");
	free(text);
}

Test(shopify_input, a_group_update_names_every_variant_and_sends_only_the_changed_fields_named)
{
	char *stock[] = {"stock_quantity", NULL};
	char *text = group_text("gid://shopify/Product/1", stock);
	cr_assert(strstr(text, "\"id\":\"gid://shopify/Product/1\""), "%s", text);
	cr_assert(strstr(text, "{\"id\":\"gid://shopify/ProductVariant/5\",\"optionValues\""), "%s", text);
	cr_assert_null(strstr(text, "title"), "%s", text);
	cr_assert_null(strstr(text, "\"price\":\"10\""), "an unchanged variant sends no price: %s", text);
	cr_assert(strstr(text, "\"price\":\"11\""), "a new variant sends every field: %s", text);
	free(text);
}
