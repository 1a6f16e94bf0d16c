/*
 * WooCommerce variable products from grouped rows (core/store_groups.h): what the push sends for a group's parent
 * and for each of its variants, without I/O. The parent is a product of type "variable" whose attributes list
 * each option with its values (variation: true); a variant is a variation of it, in the parent's
 * variations/batch, whose attributes name its own option values. The grouping fields themselves (parent_sku,
 * option:NAME) never reach the shop as meta data.
 */
#ifndef FEEDSYNC_DEST_WOO_VARIATIONS_H
#define FEEDSYNC_DEST_WOO_VARIATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/util.h"

/*
 * When the stored product *data is a variant: returns its group (the parent SKU; caller frees), replaces *data by
 * its fields without the grouping ones, and sets *attributes to the JSON member `"attributes":[{"name",
 * "option"}...]` (caller frees). NULL, leaving both alone, for a product that is not in a group.
 */
char *woo_variant_split(char **data, char **attributes);

/*
 * The parent of group parent_sku in connection conn_id, from its live variants (engine/group_parent.h): its
 * stored-form fields (sku, name, the fields every variant shares, type "variable") in *data and the member
 * `"attributes":[{"name","options","variation":true,"visible":true}...]` in *attributes; caller frees both.
 * `own`, when not NULL, is a feed row of the parent's own (a pulled variable product, a feed listing parents):
 * its fields win over the derived ones, but for the grouping fields and the type. 0; 1 when the group has no
 * live variant; -1 with err set.
 */
int woo_parent_build(struct store *s, int64_t conn_id, const char *parent_sku, const char *own, char **data,
                     char **attributes, char *err, size_t errsize);

/* Adds the raw JSON member(s) `members` to the JSON object held in payload. */
void woo_payload_splice(struct strbuf *payload, const char *members);

#endif
