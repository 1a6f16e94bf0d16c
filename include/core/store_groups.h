/*
 * Grouped rows (issue 13): feed rows that share a group key (item_group_id, a parent SKU column) are the
 * variants of one product. Each variant is an ordinary catalog product whose mapped field `parent_sku` names
 * its group, and whose `option:NAME` fields hold its options (size, colour). The catalog indexes parent_sku
 * (migration 15, products_by_parent), so a destination (WooCommerce variations, Shopify variants) streams one
 * group's variants, or the groups of a connection, without reading the whole catalog.
 */
#ifndef FEEDSYNC_CORE_STORE_GROUPS_H
#define FEEDSYNC_CORE_STORE_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* The field that names a variant's group, and the prefix of its option fields ("option:size"). */
#define GROUP_PARENT_FIELD "parent_sku"
#define GROUP_OPTION_PREFIX "option:"

struct group_variant {
	const char *sku;
	const char *name;    /* NULL when the feed gave none */
	const char *price;   /* NULL when the feed gave none */
	const char *data;    /* every field as JSON */
	const char *retired; /* the action it was retired with; NULL when live */
};
/* Valid only during the call (fn must not write to the store). */
typedef void (*group_variant_fn)(void *ud, const struct group_variant *v);
/* The variants of group parent_sku in connection conn_id, in SKU order, retired ones left out. 0 or -1. */
int store_group_variants_each(struct store *s, int64_t conn_id, const char *parent_sku, group_variant_fn fn,
                              void *ud);

/* The same with the retired variants too (a destination may still hold them: retired with draft, stock_zero). */
int store_group_members_each(struct store *s, int64_t conn_id, const char *parent_sku, group_variant_fn fn,
                             void *ud);

/* The groups of a connection in parent SKU order, each with its count of live variants. */
typedef void (*group_fn)(void *ud, const char *parent_sku, int64_t variants);
int store_groups_each(struct store *s, int64_t conn_id, group_fn fn, void *ud);
/* The parent SKUs of a connection's groups, in order: every one, or (empty_only) those left without a live
 * variant. The caller frees each and the array. 0 or -1. */
int store_group_skus(struct store *s, int64_t conn_id, bool empty_only, char ***skus, size_t *n);

#endif
