/*
 * A shop's product categories and tags as feedsync last saw them (dest/woo_terms.h keeps them current), per
 * destination and taxonomy ("categories", "tags"). Names are kept as the shop answers them (HTML entities and
 * all); parent is 0 at the top and for tags.
 */
#ifndef FEEDSYNC_CORE_STORE_TERMS_H
#define FEEDSYNC_CORE_STORE_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct shop_term {
	int64_t id, parent;
	char *name;
};

/* Every cached term of the taxonomy. 0 or -1. */
int store_terms_load(struct store *s, int64_t dest_id, const char *taxonomy, struct shop_term **out, size_t *n);
/* The taxonomy's cache becomes exactly these terms, in one transaction. 0 or -1. */
int store_terms_replace(struct store *s, int64_t dest_id, const char *taxonomy, const struct shop_term *terms,
                        size_t n);
/* Adds or renames one term. 0 or -1. */
int store_term_put(struct store *s, int64_t dest_id, const char *taxonomy, const struct shop_term *t);
void shop_terms_free(struct shop_term *terms, size_t n);

#endif
