/*
 * Product categories and tags by id, as WooCommerce takes them: a push turns each product's category paths
 * ("Office > Pens": the category Pens under Office) and tag names into the shop's term ids, making the terms
 * the shop lacks, parents first. The shop's terms are cached per destination (core/store_terms.h) and listed
 * again, once a run, when a path is not in the cache. Names compare as WooCommerce compares them: ignoring
 * ASCII case, with the shop's HTML entities ("&amp;") read as text. A value holds several paths or names only
 * when the mapping names a separator for the field (feed/mapping.h); a path that is a number is an id.
 * Creating is idempotent across runs: a term another run made meanwhile (term_exists) is used as it is.
 */
#ifndef FEEDSYNC_DEST_WOO_TERMS_H
#define FEEDSYNC_DEST_WOO_TERMS_H

#include <stdbool.h>

#include "dest/http.h"
#include "dest/shop.h"
#include "dest/woo_batch.h"
#include "dest/woo_term_io.h"
#include "engine/run.h"
#include "feed/conn.h"

struct woo_terms;

#define TERMS_MAX_TAXONOMIES 8

/* A taxonomy to resolve: the product field holding its paths or names, which is also its endpoint's name. */
struct term_taxonomy {
	const char *name;           /* "categories", "tags", a WordPress taxonomy's rest_base */
	const char *singular;       /* for messages */
	bool hierarchical;          /* values are paths ("A > B"), made parents first */
};

/* Any site's taxonomies, at the endpoints of api (dest/woo_term_io.h); the names must outlive the resolver. */
struct woo_terms *woo_terms_open_for(struct run_ctx *ctx, const struct shop *shop, struct http_client *http,
                                     const struct conn_config *conn, const struct term_api *api,
                                     const struct term_taxonomy *list, size_t n);
/* A WooCommerce shop's product categories and tags. Requests go through http (the push's client), which must
 * outlive the resolver. */
struct woo_terms *woo_terms_open(struct run_ctx *ctx, const struct shop *shop, struct http_client *http,
                                 const struct conn_config *conn);
/*
 * Rewrites the product's values of the taxonomies (for a shop: "categories" and "tags") (stored as {"field": "text", ...}) into the ids the shop
 * knows them by, joined by ",", for the fields a create or this connection's updates send (every field: all of
 * them). An empty value stays empty. 0, or -1 when the shop refused a term, with err naming the path.
 */
int woo_terms_resolve(struct woo_terms *t, char **product_json, bool every_field, struct woo_error *err);
/* The answer to a term request that stops the push (woo_term_create's stop), or NULL: the caller stops its
 * phase with it (its verdict: woo_verdict(answer, 1)). */
const struct http_request *woo_terms_stop_answer(const struct woo_terms *t);
void woo_terms_free(struct woo_terms *t);

#endif
