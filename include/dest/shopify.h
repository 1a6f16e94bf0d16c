/*
 * The Shopify destination's checks behind `feedsync dest test` (its push is src/dest/shopify.c, registered as
 * dest_shopify_ops). Every request is a named GraphQL operation (dest/shopify_api.h).
 *
 * reachability  the shop answers the Admin API's GraphQL endpoint of the pinned version
 * tls           the certificate (or why it is not checked)
 * token         the access token is accepted: the shop's name and myshopify domain
 * scopes        the app holds write_products, write_inventory and read_locations (currentAppInstallation)
 * location      the location inventory goes to exists and is active: the one the options name, or the primary
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_H
#define FEEDSYNC_DEST_SHOPIFY_H

#include <stdbool.h>

#include "core/config.h"
#include "core/store_limits.h"
#include "dest/probe.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"

enum shopify_check_id { SHOPIFY_CHECK_REACH, SHOPIFY_CHECK_TLS, SHOPIFY_CHECK_TOKEN, SHOPIFY_CHECK_SCOPES,
                        SHOPIFY_CHECK_LOCATION, SHOPIFY_CHECK_COUNT };

/* Runs the checks in order; a failed one skips the rest. True when every check passed. The cost bucket the last
 * answer reported goes to *seen (seen->known false when none did). */
bool shopify_test(const struct shop *shop, const struct shopify_site *site, const struct config *cfg,
                  struct woo_check checks[SHOPIFY_CHECK_COUNT], struct cost_seen *seen);

#endif
