/*
 * The rows a WooCommerce pull writes (dest/woo_pull.h): the page targets it asks for, and each product or
 * variation of a list answer as a flat JSON object of canonical columns.
 *
 * A product: sku, name, price (regular_price), sale_price, quantity (stock_quantity), category (the names of
 * its categories joined by the connection's category delimiter), description, short_description, image (the
 * image URLs joined by "|", as the push reads them), weight, and id, type, status for filters.
 *
 * A variation: the same columns from the variation itself (its image; no short_description, which variations
 * lack), with type "variation", name "<parent name> - <option>, <option>", category the parent's,
 * attributes "Size: M, Colour: Red", and parent_sku and parent_id, the variable product it belongs to, so the
 * rows of one product can be grouped again. WooCommerce answers a variation without a SKU of its own with its
 * parent's: such a variation has no SKU here.
 *
 * Descriptions are read in the edit context, as stored: the default view context renders them through
 * wpautop, and pushing that back would change the shop. A variation's description comes rendered whatever the
 * context (WooCommerce's variations controller formats it always) and is taken as it comes.
 */
#ifndef FEEDSYNC_DEST_WOO_PULL_ROWS_H
#define FEEDSYNC_DEST_WOO_PULL_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/util.h"

/* A variable product, as each of its variation rows carries it. */
struct woo_parent {
	int64_t id;
	char *sku;       /* "" when it has none */
	char *name;
	char *category;  /* its categories joined; "" when none */
};

/* "/wp-json/wc/v3/products?per_page=100&page=N&status=S&orderby=id&order=asc&context=edit&_fields=...".
 * Caller frees. */
char *woo_pull_target(const char *status, int64_t page);
/* "/wp-json/wc/v3/products/ID/variations?per_page=100&page=N&orderby=id&order=asc&context=edit&_fields=...".
 * Caller frees. */
char *woo_pull_variations_target(int64_t parent_id, int64_t page);
/* Whether a page follows page `page`, which held n items: by X-WP-TotalPages when the shop sent it (pages
 * >= 0), else as long as pages come back full. An empty page always ends the list. */
bool woo_pull_more(int64_t page, size_t n, int64_t pages);

/* The product's SKU, NULL when it has none (blank counts as none). */
const char *woo_pull_sku(const cJSON *product);
/* Appends the product's row to out; false, leaving out as it was, when it has no SKU. */
bool woo_pull_product(const cJSON *product, const char *category_join, struct strbuf *out);

/* Fills *parent from a product of type "variable" with an id; false (nothing to free) for any other. */
bool woo_pull_parent(const cJSON *product, const char *category_join, struct woo_parent *parent);
void woo_parent_free(struct woo_parent *parent);
/* The variation's own SKU: NULL when it has none, or shows its parent's. */
const char *woo_pull_variation_sku(const cJSON *variation, const struct woo_parent *parent);
/* The columns of a variation's options: "attribute:Size" holds its size. */
#define WOO_PULL_OPTION_PREFIX "attribute:"
/* Appends the variation's row to out; false, leaving out as it was, when it has no SKU of its own. */
bool woo_pull_variation(const cJSON *variation, const struct woo_parent *parent, struct strbuf *out);

/* One "column": "text" member of a row being written, for every shop's pull; *first says whether a comma goes
 * before it, and is false after. */
void pull_row_member(struct strbuf *out, bool *first, const char *column, const char *text);

#endif
