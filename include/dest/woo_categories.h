/*
 * A WooCommerce shop's product categories (GET /wp-json/wc/v3/products/categories, 100 a page), for mapping
 * a feed's category paths to categories the shop has.
 */
#ifndef FEEDSYNC_DEST_WOO_CATEGORIES_H
#define FEEDSYNC_DEST_WOO_CATEGORIES_H

#include <stddef.h>

#include "core/config.h"
#include "dest/shop.h"

/* Each category as its path from the top ("Office > Pens"), sorted. 0, or -1 with err naming the cause. */
int woo_categories(const struct shop *shop, const struct config *cfg, char ***paths, size_t *n, char *err,
                   size_t errsize);
void woo_categories_free(char **paths, size_t n);

#endif
