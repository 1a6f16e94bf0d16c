/* A product as the catalog and destinations see it: destination fields (WooCommerce names) and values. */
#ifndef FEEDSYNC_FEED_PRODUCT_H
#define FEEDSYNC_FEED_PRODUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define PRODUCT_MAX_FIELDS 48

/* Destination fields with a meaning beyond "text to send". */
#define PF_SKU "sku"
#define PF_NAME "name"
#define PF_REGULAR_PRICE "regular_price"
#define PF_SALE_PRICE "sale_price"
#define PF_STOCK "stock_quantity"
#define PF_STOCK_STATUS "stock_status"
#define PF_IMAGES "images"
#define PF_CATEGORIES "categories"

struct product_field {
	const char *name;  /* static or owned by the mapping: outlives the product */
	size_t off;        /* value at arena.buf + off, NUL-terminated */
};

/* Reused across rows: product_reset keeps the arena's memory, so the hot loop does not allocate. */
struct product {
	size_t n;
	struct product_field fields[PRODUCT_MAX_FIELDS]; /* sorted by name */
	struct strbuf arena;
	long line;         /* feed line the product came from */
	long item;         /* and its item in a JSON array or XML feed (record.item), else 0 */
	char currency[4];  /* ISO code written with its prices ("12.00 RON"), "" when none was */
};

void product_reset(struct product *p);
void product_free(struct product *p);
/* Adds or replaces a field, keeping fields sorted by name. */
void product_set(struct product *p, const char *name, const char *value);
/* The same with the value's first len bytes (no NUL needed), so callers can store a trimmed slice. */
void product_setn(struct product *p, const char *name, const char *value, size_t len);
/* The same for a caller that sets one field product after product (price rules): *hint, where the field was
 * the last time (any number at first), is tried before the search and then says where it is. */
void product_setn_at(struct product *p, const char *name, const char *value, size_t len, size_t *hint);
const char *product_get(const struct product *p, const char *name); /* NULL when absent */
const char *product_value(const struct product *p, size_t i);
/* Hash of every field name and value: equal products hash equal whatever the feed's column order. */
uint64_t product_hash(const struct product *p);
/* {"name":"value",...} in field order; caller frees. */
char *product_to_json(const struct product *p);
/* The same JSON appended to out, for callers that keep many products in one buffer. */
void product_json_add(const struct product *p, struct strbuf *out);
/* A stored product's JSON with field `name` set to value (left as it is when keep and it has one); caller
 * frees. JSON that is not an object comes back unchanged. */
char *product_json_with(const char *json, const char *name, const char *value, bool keep);

#endif
