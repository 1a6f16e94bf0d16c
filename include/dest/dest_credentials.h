/*
 * Where a destination's credentials come from, in words for `dest show` and the console's Destinations screen:
 * a shop's consumer key (masked) or the environment variables; a WordPress site's user and where its
 * Application Password is; a Shopify shop's access token (masked) or its variable. Never the secret itself.
 */
#ifndef FEEDSYNC_DEST_DEST_CREDENTIALS_H
#define FEEDSYNC_DEST_DEST_CREDENTIALS_H

#include <stddef.h>

#include "core/store_dest.h"

void dest_credentials_text(const struct dest_row *r, char *buf, size_t size);

#endif
