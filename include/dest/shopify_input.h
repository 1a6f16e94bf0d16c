/*
 * What the Shopify push sends for one product, without any I/O: the productSet input
 * (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/productSet), the stock it sets with
 * inventorySetQuantities, and the productVariants search that finds SKUs
 * (https://shopify.dev/docs/api/admin-graphql/2025-10/queries/productVariants).
 *
 * feedsync's product is one variant of a product with the single option Shopify gives products without options
 * ("Title" / "Default Title"), unless its rows are grouped: then it is one variant of its group's product, with
 * the group's options. A field comes from the first of its names the product has: title from title or name,
 * product type from product_type or category, price from price or regular_price, stock from quantity or
 * stock_quantity. An update sends only the fields update.fields names (core's update_sends); a create sends
 * every one.
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_INPUT_H
#define FEEDSYNC_DEST_SHOPIFY_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * productSet's input: a create when product_gid is NULL (then update_fields is ignored), else an update of that
 * product sending only what update_fields names (NULL: every field); variant_gid (may be NULL) keeps the
 * variant Shopify has. NULL when the update sends nothing productSet writes (update.fields names only the stock).
 */
cJSON *shopify_set_input(const char *product_gid, const char *variant_gid, const char *sku, const cJSON *fields,
                         char *const *update_fields);

/* One variant of a group's productSet: its SKU, its stored fields (option:NAME among them), the GID of the variant
 * the shop has (NULL: a new one), and whether its fields changed since the shop took them. */
struct shopify_variant_in {
	const char *sku;
	const cJSON *fields;
	const char *variant_gid;
	bool changed;
};

/*
 * productSet's input for a group (core/store_groups.h): one product (product_gid, NULL to create it) with the
 * title and type of `parent` (the group's fields: derived from its variants, or its own row) and one variant per
 * v[i], in that order, with its option values (optionValues, by option name); productOptions lists each option
 * with the values the variants use, in first-seen order. The list is the group's whole: productSet deletes the
 * variants it does not name. An update sends the product's and the changed variants' fields update_fields names
 * (a new variant every field); a variant that did not change is named with its options alone. The same input
 * serves a productSet request and a line of a bulk productSet.
 */
cJSON *shopify_group_input(const char *product_gid, const cJSON *parent, const struct shopify_variant_in *v,
                           size_t n, char *const *update_fields);

/* The stock to set: 1 with *out, 0 when none is sent (absent, or not in update_fields), -1 when the value is not
 * a whole number (err says which). */
int shopify_stock(const cJSON *fields, char *const *update_fields, long *out, char *err, size_t errsize);

/* The productVariants search for these SKUs: sku:"A" OR sku:"B" ..., quotes and backslashes escaped. */
char *shopify_sku_query(char *const *skus, size_t n);

/* A connection's requested cost as Shopify calculates it: 2, plus `first` times the objects each node selects
 * (an object costs 1, a scalar 0; https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits). */
double shopify_connection_cost(int first, int objects_per_node);

#endif
