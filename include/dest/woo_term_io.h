/*
 * The requests for a shop's product terms: listing a taxonomy ("categories", "tags") page by page, and creating
 * one term. Both wait for their answer on the client given, which goes on with its other transfers meanwhile.
 * Facts of WooCommerce 7.9: names come back HTML-escaped ("Pens &amp; Co"); creating a name the taxonomy already
 * has (under the same parent) is 400 term_exists whose data.resource_id is the term that has it.
 */
#ifndef FEEDSYNC_DEST_WOO_TERM_IO_H
#define FEEDSYNC_DEST_WOO_TERM_IO_H

#include <stddef.h>
#include <stdint.h>

#include "core/store_terms.h"
#include "dest/http.h"
#include "dest/woo_batch.h"
#include "engine/run.h"

/*
 * Where a site keeps a taxonomy's terms, and how it names the term that exists already: WooCommerce's
 * /wc/v3/products/categories (term_exists with data.resource_id), or WordPress's /wp/v2/categories (term_exists
 * with data.term_id, class-wp-rest-terms-controller.php).
 */
struct term_api {
	const char *collection;     /* printf format of the taxonomy's collection path, "%s" the taxonomy */
	const char *exists_key;     /* the member of a term_exists error's data holding the term's id */
};
extern const struct term_api woo_term_api, wp_term_api;

/* Lets a run beat its heartbeat while it waits; NULL outside runs. */
struct term_wait {
	struct run_ctx *ctx;
};

/* Every term of the taxonomy, up to max_pages of 100. 0, or -1 with err naming the shop and the cause. */
int woo_term_list(struct http_client *c, const struct shop *shop, const struct term_api *api, const char *taxonomy,
                  int max_pages,
                  const struct term_wait *wait, struct shop_term **out, size_t *n, char *err, size_t errsize);
/*
 * Creates the term (parent 0: at the top) and fills out with it as the shop answered; a term that exists
 * already (term_exists) is that term. 0, or -1 with the shop's refusal in *refusal; when the refusal is one
 * that stops a push (refused credentials, TLS, an open circuit: woo_verdict) and stop is not NULL, the answer
 * is moved into *stop, which the caller then clears.
 */
int woo_term_create(struct http_client *c, const struct term_api *api, const char *taxonomy, const char *name,
                    int64_t parent,
                    const struct term_wait *wait, struct shop_term *out, struct woo_error *refusal,
                    struct http_request *stop);

#endif
