/* What the Shopify push sends for one product (see dest/shopify_input.h). */
#include "dest/shopify_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_groups.h"
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

/* A variant of productSet's variants list: its option values, SKU, and (when `changed`) the price update_fields
 * sends; a new one (no variant_gid) tracks its inventory, as a quantity is set only on an item that does. */
static cJSON *variant_input(const char *variant_gid, cJSON *option_values, const char *sku, const char *price,
                            bool changed)
{
	cJSON *variant = cJSON_CreateObject();
	if (variant_gid)
		cJSON_AddStringToObject(variant, "id", variant_gid);
	cJSON_AddItemToObject(variant, "optionValues", option_values);
	cJSON_AddStringToObject(variant, "sku", sku);
	if (price && changed)
		cJSON_AddStringToObject(variant, "price", price);
	if (!variant_gid)
		cJSON_AddBoolToObject(cJSON_AddObjectToObject(variant, "inventoryItem"), "tracked", true);
	return variant;
}

/* The product's own fields (title, product type) that update_fields sends; false when it sends none. */
static bool product_fields(cJSON *in, const char *product_gid, const cJSON *fields, char *const *uf)
{
	const char *title = pick(fields, title_names, uf);
	const char *type = pick(fields, type_names, uf);
	if (product_gid)
		cJSON_AddStringToObject(in, "id", product_gid);
	if (title)
		cJSON_AddStringToObject(in, "title", title);
	if (type)
		cJSON_AddStringToObject(in, "productType", type);
	return title || type;
}

cJSON *shopify_set_input(const char *product_gid, const char *variant_gid, const char *sku, const cJSON *fields,
                         char *const *update_fields)
{
	char *const *uf = product_gid ? update_fields : NULL;
	const char *price = pick(fields, price_names, uf);
	cJSON *in = cJSON_CreateObject();
	if (!product_fields(in, product_gid, fields, uf) && product_gid && !price) {
		cJSON_Delete(in);
		return NULL;
	}
	/* productSet replaces the variant list it is given: it goes only with a create or a price. */
	if (product_gid && !price)
		return in;
	cJSON *option = cJSON_CreateObject();
	cJSON_AddStringToObject(option, "name", "Title");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(option, "values"), default_option_value(NULL));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "productOptions"), option);
	cJSON *values = cJSON_CreateArray();
	cJSON_AddItemToArray(values, default_option_value("Title"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "variants"),
	                     variant_input(product_gid ? variant_gid : NULL, values, sku, price, true));
	return in;
}

/* Adds value to the list of option `name` in options ({name: [values]}, first-seen order). */
static void option_add(cJSON *options, const char *name, const char *value)
{
	cJSON *values = cJSON_GetObjectItemCaseSensitive(options, name);
	if (!values)
		values = cJSON_AddArrayToObject(options, name);
	const cJSON *seen;
	cJSON_ArrayForEach(seen, values)
		if (str_eq(seen->valuestring, value))
			return;
	cJSON_AddItemToArray(values, cJSON_CreateString(value));
}

cJSON *shopify_group_input(const char *product_gid, const cJSON *parent, const struct shopify_variant_in *v,
                           size_t n, char *const *update_fields)
{
	char *const *uf = product_gid ? update_fields : NULL;
	cJSON *in = cJSON_CreateObject();
	product_fields(in, product_gid, parent, uf);
	cJSON *options = cJSON_CreateObject();
	cJSON *variants = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *values = cJSON_CreateArray();
		const cJSON *f;
		cJSON_ArrayForEach(f, v[i].fields) {
			if (!str_starts_with(f->string, GROUP_OPTION_PREFIX) || !cJSON_IsString(f) || !*f->valuestring)
				continue;
			const char *name = f->string + strlen(GROUP_OPTION_PREFIX);
			option_add(options, name, f->valuestring);
			cJSON *value = cJSON_CreateObject();
			cJSON_AddStringToObject(value, "optionName", name);
			cJSON_AddStringToObject(value, "name", f->valuestring);
			cJSON_AddItemToArray(values, value);
		}
		char *const *vuf = v[i].variant_gid ? uf : NULL;
		cJSON_AddItemToArray(variants, variant_input(v[i].variant_gid, values, v[i].sku,
		                                             pick(v[i].fields, price_names, vuf), v[i].changed));
	}
	/* Every option with the values its variants use, in first-seen order: productSet replaces the options too. */
	cJSON *list = cJSON_AddArrayToObject(in, "productOptions");
	const cJSON *o;
	cJSON_ArrayForEach(o, options) {
		cJSON *option = cJSON_CreateObject();
		cJSON_AddStringToObject(option, "name", o->string);
		cJSON *values = cJSON_AddArrayToObject(option, "values");
		const cJSON *value;
		cJSON_ArrayForEach(value, o) {
			cJSON *named = cJSON_CreateObject();
			cJSON_AddStringToObject(named, "name", value->valuestring);
			cJSON_AddItemToArray(values, named);
		}
		cJSON_AddItemToArray(list, option);
	}
	cJSON_Delete(options);
	cJSON_AddItemToObject(in, "variants", variants);
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
