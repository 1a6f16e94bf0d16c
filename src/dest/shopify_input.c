/* What the Shopify push sends for one product (see dest/shopify_input.h). */
#include "dest/shopify_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "feed/conn.h"

static const char *const title_names[] = {"title", "name", NULL};
static const char *const type_names[] = {"product_type", "category", NULL};
static const char *const price_names[] = {"price", "regular_price", NULL};
static const char *const stock_names[] = {"quantity", "stock_quantity", NULL};

/* The value of the first name the fields have, when update_fields sends that name; else NULL. */
static const char *pick(const cJSON *fields, const char *const *names, char *const *update_fields)
{
	for (; *names; names++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, *names));
		if (v && *v)
			return update_sends(update_fields, *names) ? v : NULL;
	}
	return NULL;
}

static cJSON *default_option_value(const char *key)
{
	cJSON *v = cJSON_CreateObject();
	if (key)
		cJSON_AddStringToObject(v, "optionName", "Title");
	cJSON_AddStringToObject(v, "name", "Default Title");
	return v;
}

cJSON *shopify_set_input(const char *product_gid, const char *variant_gid, const char *sku, const cJSON *fields,
                         char *const *update_fields)
{
	char *const *uf = product_gid ? update_fields : NULL;
	const char *title = pick(fields, title_names, uf);
	const char *type = pick(fields, type_names, uf);
	const char *price = pick(fields, price_names, uf);
	if (product_gid && !title && !type && !price)
		return NULL;
	cJSON *in = cJSON_CreateObject();
	if (product_gid)
		cJSON_AddStringToObject(in, "id", product_gid);
	if (title)
		cJSON_AddStringToObject(in, "title", title);
	if (type)
		cJSON_AddStringToObject(in, "productType", type);
	/* productSet replaces the variant list it is given: it goes only with a create or a price. */
	if (product_gid && !price)
		return in;
	cJSON *option = cJSON_CreateObject();
	cJSON_AddStringToObject(option, "name", "Title");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(option, "values"), default_option_value(NULL));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "productOptions"), option);
	cJSON *variant = cJSON_CreateObject();
	if (variant_gid)
		cJSON_AddStringToObject(variant, "id", variant_gid);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(variant, "optionValues"), default_option_value("Title"));
	cJSON_AddStringToObject(variant, "sku", sku);
	if (price)
		cJSON_AddStringToObject(variant, "price", price);
	if (!product_gid) /* a quantity is set only on an item that tracks inventory */
		cJSON_AddBoolToObject(cJSON_AddObjectToObject(variant, "inventoryItem"), "tracked", true);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "variants"), variant);
	return in;
}

int shopify_stock(const cJSON *fields, char *const *update_fields, long *out, char *err, size_t errsize)
{
	const char *v = pick(fields, stock_names, update_fields);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end) {
		snprintf(err, errsize, "stock '%s' is not a whole number", v);
		return -1;
	}
	*out = n;
	return 1;
}

char *shopify_sku_query(char *const *skus, size_t n)
{
	struct strbuf q = {0};
	for (size_t i = 0; i < n; i++) {
		sb_adds(&q, i ? " OR sku:\"" : "sku:\"");
		for (const char *c = skus[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				sb_addc(&q, '\\');
			sb_addc(&q, *c);
		}
		sb_addc(&q, '"');
	}
	return sb_detach(&q);
}

double shopify_connection_cost(int first, int objects_per_node)
{
	return 2.0 + (double)first * objects_per_node;
}
