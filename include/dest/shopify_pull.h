/*
 * A Shopify shop as a source (a connection whose source.type is "shopify", its source.destination a Shopify
 * destination added with `feedsync dest add --type shopify`): the download phase of its runs pages through the
 * shop's variants with productVariants (cursor pagination: first, after, pageInfo; sorted by ID) through the
 * GraphQL Admin API version the destination pins, and writes each page's rows out as it arrives
 * (dest/pull_file.h), one row per variant (dest/shopify_pull_rows.h). The JSON source then reads the document
 * as it reads a WooCommerce pull's: local import, filters, mappings and the catalog work on it as on any feed.
 *
 * Each page is sized to fit the shop's cost bucket (dest/shopify_meter.h, shared with pushes to the same shop)
 * and waits until it fits instead of being throttled; a THROTTLED answer is waited out. Stock is what is
 * available at the destination's location when it names one (--location), else each variant's total.
 * Requests go through the destination's HTTP client: its token, timeouts, retries of transient failures with
 * backoff and circuit breaker. A page that fails after its retries fails the run and nothing is imported, so
 * the next run starts again from the first page.
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_PULL_H
#define FEEDSYNC_DEST_SHOPIFY_PULL_H

#include "engine/run.h"
#include "feed/conn.h"
#include "feed/fetch.h"

/* As woo_pull (dest/woo_pull.h): 0, or -1 with res->error naming the page and the cause and *code a short
 * machine code ("credentials_refused", "ACCESS_DENIED", "THROTTLED", "timeout", "http_error", ...). */
int shopify_pull(struct run_ctx *ctx, const struct conn_config *conn, struct fetch_result *res, const char **code);

#endif
