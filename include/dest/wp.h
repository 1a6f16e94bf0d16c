/*
 * The WordPress destination (its struct dest_ops is registered in dest.c) and the checks behind `feedsync dest
 * test` for it. A product is a post of the destination's type (dest/wp_api.h), found again by the meta key
 * holding its SKU: the remote_products cache first, else, once a run, a listing of the type's posts (every
 * status, the trash included) that fills the cache. Where the type's schema does not show that key (not
 * registered for REST), each post is found by the site's exact slug query for the slug made of its SKU
 * (wp_sku_slug), which every post written then gets. Writes go through batch/v1 in batches of the size the site
 * announces (OPTIONS /wp-json/batch/v1), one request each for a type whose routes refuse batching. Each slot of
 * the 207 answer is its item's result; 401/403 stop the phase naming the user.
 *
 * A create may go on in the site after feedsync stopped waiting (core/store_fence.h): its SKUs are fenced before
 * it is sent and a create batch that got no answer is not sent again; a run that finds fences of other runs
 * waits until they end before it lists the site's posts, so what they made is found, not made twice.
 */
#ifndef FEEDSYNC_DEST_WP_H
#define FEEDSYNC_DEST_WP_H

#include <stdbool.h>

#include "core/config.h"
#include "dest/probe.h"
#include "dest/shop.h"
#include "dest/wp_api.h"

enum wp_check_id { WP_CHECK_API, WP_CHECK_AUTH, WP_CHECK_TYPE, WP_CHECK_CAPS, WP_CHECK_TAXONOMIES, WP_CHECK_META,
                   WP_CHECK_COUNT };

/* Runs the checks in order; a failed one skips the rest. True when every check passed. */
bool wp_test(const struct shop *shop, const struct wp_site *site, const struct config *cfg,
             struct woo_check checks[WP_CHECK_COUNT]);

#endif
