/*
 * What the Shopify pull (dest/shopify_pull.h) asks and what it makes of the answers, without any I/O: the
 * productVariants page query (https://shopify.dev/docs/api/admin-graphql/2025-10/queries/productVariants, paged
 * with first/after and pageInfo as https://shopify.dev/docs/api/usage/pagination-graphql describes), its
 * requested cost, and each variant node as a flat JSON row of canonical columns:
 *
 *   sku, name (the product's title, then " - " and the variant's title unless it is Shopify's "Default Title"),
 *   price (compareAtPrice when it is above price, the variant then on sale at sale_price; else price),
 *   quantity (available at the location the pull reads, else the variant's inventoryQuantity, all locations),
 *   category and product_type (productType), vendor, tags (joined by ", "), description (descriptionHtml),
 *   image (the variant's image, else the product's featured media), status (active, draft, archived),
 *   id (the variant's GID), product_id (the product's GID), handle,
 *   and for a product with options: parent_sku (its handle: the group key the rows of one product share),
 *   attributes ("Size: M, Colour: Red") and one column per option, WOO_PULL_OPTION_PREFIX "Size", as the
 *   WooCommerce pull writes them, so `"group": {"by": "parent_sku", ...}` regroups either.
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_PULL_ROWS_H
#define FEEDSYNC_DEST_SHOPIFY_PULL_ROWS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/util.h"

/* The most nodes a connection returns (https://shopify.dev/docs/api/usage/pagination-graphql). */
#define SHOPIFY_PULL_MAX_FIRST 250
/* The page size while the process has not yet seen the shop's bucket: fits the smallest plan's. */
#define SHOPIFY_PULL_UNKNOWN_FIRST 25

/* The operation (document, name) of a page: reading the stock at a location (by GID) or the variants' totals. */
const char *shopify_pull_document(bool at_location);
const char *shopify_pull_operation(bool at_location);
/* The objects each node of that document selects. */
int shopify_pull_node_objects(bool at_location);
/* The requested cost of a page of `first` nodes: the connection's, plus its pageInfo object. */
double shopify_pull_cost(int first, bool at_location);
/* The search the pull filters the variants with for a source.status: "product_status:active", or NULL (any). */
const char *shopify_pull_search(const char *status);
/* The variables of a page: first, after (NULL: the first page), query (NULL: none), location (NULL: none). */
cJSON *shopify_pull_variables(int first, const char *after, const char *query, const char *location);

/* The variant's SKU, NULL when it has none (blank counts as none). */
const char *shopify_pull_sku(const cJSON *variant);
/* Appends the variant's row to out; false, leaving out as it was, when it has no SKU. */
bool shopify_pull_row(const cJSON *variant, struct strbuf *out);

#endif
