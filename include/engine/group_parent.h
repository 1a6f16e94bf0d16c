/*
 * The parent product of a group, derived from its variants as they stream by (store_group_variants_each):
 * its name (the words every variant's name begins with, else the first variant's name), the fields every
 * variant shares with the same value (a variant's own sku, name, prices, stock and options excepted), its
 * price range (of regular prices), and each option's values in first-seen order. Any destination builds its parent from this: WooCommerce a variable product with attributes, Shopify options.
 */
#ifndef FEEDSYNC_ENGINE_GROUP_PARENT_H
#define FEEDSYNC_ENGINE_GROUP_PARENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/store_groups.h"

struct group_parent {
	char *name;            /* NULL when no variant has one */
	cJSON *shared;         /* object: the fields equal in every variant */
	cJSON *options;        /* object: option name -> array of its distinct values */
	double price_min, price_max;
	bool has_price;        /* false when no variant has a numeric price */
	size_t variants;
};

void group_parent_init(struct group_parent *p);
void group_parent_free(struct group_parent *p);
/* Adds one variant; -1 with err naming the SKU when its data is not a JSON object. */
int group_parent_add(struct group_parent *p, const struct group_variant *v, char *err, size_t errsize);

#endif
