/*
 * A WooCommerce shop as a source (a connection whose source.type is "woocommerce"): the download phase of its
 * runs pages through GET /wp-json/wc/v3/products, 100 products a page, oldest id first (so a product created
 * during the pull lands on a later page instead of pushing the others along), and writes each page out as it
 * arrives. The result is one JSON document, {"products": [{...}, ...]}, that the JSON source reads with
 * item_path WOO_PULL_ITEM_PATH: local import, filters, mappings and the catalog work on it as on any feed.
 *
 * Each product becomes a flat object of canonical columns (dest/woo_pull_rows.h), the category delimiter the
 * connection's (mapping.categories.delimiter, default " > "). A product without a SKU is skipped, counted and
 * logged: the SKU is a product's identity in the catalog. A variable product is followed by its variations,
 * read once its page is written from GET products/ID/variations, 100 a page, one page in memory at a time:
 * each a row of its own (type "variation", parent_sku, parent_id, attributes); the parent keeps its own row.
 * Every list is read in the edit context, so descriptions come as stored, not rendered.
 *
 * Requests go through the destination's HTTP client (dest/http.h): its authentication, timeouts, retries of
 * transient failures with backoff, rate limit and circuit breaker. The page URL is built here, never taken
 * from the Link header, which echoes the query (and with it any credentials in it).
 */
#ifndef FEEDSYNC_DEST_WOO_PULL_H
#define FEEDSYNC_DEST_WOO_PULL_H

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

#endif
