/*
 * A WooCommerce shop as a source (a connection whose source.type is "woocommerce"): the download phase of its
 * runs pages through GET /wp-json/wc/v3/products, 100 products a page, oldest id first (so a product created
 * during the pull lands on a later page instead of pushing the others along), and writes each page out as it
 * arrives. The result is one JSON document, {"products": [{...}, ...]}, that the JSON source reads with
 * item_path WOO_PULL_ITEM_PATH: local import, filters, mappings and the catalog work on it as on any feed.
 *
 * Each product becomes a flat object of canonical columns: sku, name, price (regular_price), sale_price,
 * quantity (stock_quantity), category (the names of its categories joined by the connection's category
 * delimiter, mapping.categories.delimiter, default " > "), description, short_description, image (the image
 * URLs joined by "|", as the push reads them), weight, and id, type, status for filters. A product without a
 * SKU is skipped, counted and logged: the SKU is a product's identity in the catalog. Variations are not
 * pulled: a variable product comes as its parent alone.
 *
 * Requests go through the destination's HTTP client (dest/http.h): its authentication, timeouts, retries of
 * transient failures with backoff, rate limit and circuit breaker. The page URL is built here, never taken
 * from the Link header, which echoes the query (and with it any credentials in it).
 */
#ifndef FEEDSYNC_DEST_WOO_PULL_H
#define FEEDSYNC_DEST_WOO_PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "engine/run.h"
#include "feed/conn.h"
#include "feed/fetch.h"

/*
 * Pulls the products of the connection's source shop into a temp file (res->path, is_temp). Progress goes to
 * RC_BYTES_DONE / RC_BYTES_TOTAL (the total estimated from the pages read so far); a cancel is honoured
 * between pages. 0, or -1 with res->error naming the page, the HTTP status and the cause, and *code a short
 * machine code (the shop's error code, "bad_response", "timeout", ...); res->cancelled when it was stopped.
 */
int woo_pull(struct run_ctx *ctx, const struct conn_config *conn, struct fetch_result *res, const char **code);

/* "/wp-json/wc/v3/products?per_page=100&page=N&status=S&orderby=id&order=asc&_fields=...". Caller frees. */
char *woo_pull_target(const char *status, int64_t page);
/* Whether a page follows page `page`, which held n products: by X-WP-TotalPages when the shop sent it (pages
 * >= 0), else as long as pages come back full. An empty page always ends the pull. */
bool woo_pull_more(int64_t page, size_t n, int64_t pages);
/* Appends one product of a list answer to out as a flat JSON object of canonical columns (see above); false,
 * leaving out as it was, when the product has no SKU. */
bool woo_pull_product(const cJSON *product, const char *category_join, struct strbuf *out);

#endif
