/*
 * Field and category mapping: a canonical row becomes a product with destination fields.
 * JSON:
 *   "mapping": {
 *     "auto": true,                       default mappings for fields not named below (see mapping.c)
 *     "fields": {
 *       "regular_price": {"column": "price"},
 *       "status": {"constant": "publish"},
 *       "stock_quantity": {"column": "quantity", "default": "0"}
 *     },
 *     "categories": {"field": "category", "delimiter": " > ", "separator": "|",
 *                    "map": {"Electronice > Telefoane": "Phones"}, "default": "Uncategorized"}
 *   }
 * A field's "separator" (fields.X.separator, categories.separator) says that one value holds several, parted by
 * it ("Pens|Paper"); without one a value is one value, whatever characters it holds.
 * Default mappings (when auto is not false, for fields the feed has): sku<-sku, name<-name,
 * regular_price<-price, sale_price<-sale_price, stock_quantity<-quantity, stock_status<-stock_status,
 * description<-description, short_description<-short_description, categories<-category, images<-image,
 * ean<-ean, brand<-brand, weight<-weight.
 * Prices (regular_price, sale_price) are normalized with normalize_price (a currency beside the number goes
 * to product.currency), stock_quantity with normalize_integer, stock_status with normalize_stock_status; a
 * value that does not parse fails the row with a message naming the column and value. images joins every
 * column of its name with '|' (image_link and additional_image_link both alias to image).
 * A category path not in "map" keeps its own text (segments joined by " > "), or "default" when set. With a
 * separator each path is mapped on its own and the results are joined by the separator.
 */
#ifndef FEEDSYNC_FEED_MAPPING_H
#define FEEDSYNC_FEED_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "feed/normalize.h"
#include "feed/product.h"
#include "feed/record.h"

/* How a stored category path joins its levels. */
#define CATEGORY_PATH_JOIN " > "

struct problems;
struct mapping;

struct mapping *mapping_compile(const cJSON *json, const struct alias_table *aliases, const char *path,
                                struct problems *problems);
void mapping_free(struct mapping *m);

/* A failed row: which column, which code, and a plain message. */
struct row_error {
	char column[64];
	char code[32];       /* "missing_sku", "bad_price", "bad_quantity", "value_too_long", ... */
	char message[512];
};

/*
 * rec carries canonical names. Fills p (reset first). Returns 0, or -1 with err set when the row fails:
 * no SKU, a price or quantity that does not parse, a value longer than max_value_bytes (0 = 1 MiB).
 */
int mapping_apply(const struct mapping *m, const struct record *rec, size_t max_value_bytes,
                  struct product *p, struct row_error *err);

/* The i-th destination field "auto" fills (NULL past the last) and, in *column, the canonical column it reads. */
const char *mapping_auto_field(size_t i, const char **column);
/*
 * Which of a feed's columns `auto` would read for destination field dest (its canonical name matches, through
 * the aliases: "Pret" for regular_price): the index in names, or -1.
 */
int mapping_suggest(const struct alias_table *aliases, const char *dest, const char *const *names, size_t n);
/* A category value as the map's keys are compared: split on the delimiter, segments trimmed, empty ones
 * dropped, joined with " > ". Caller frees. */
char *mapping_category_path(const char *delimiter, const char *value);

/* How prices and quantities are read: '.' or ',' as the decimal separator, 0 (the default) for either (source.decimal_separator). */
void mapping_set_decimal_separator(struct mapping *m, char decimal);

/* The separator of several values in destination field dest's value (trimmed: "|"), or NULL for one value. */
const char *mapping_separator(const struct mapping *m, const char *dest);

/* Where one destination field comes from. */
struct mapping_source {
	const char *dest;     /* "regular_price" */
	const char *column;   /* canonical source column; NULL for a constant */
	const char *fallback; /* "default", or NULL */
	bool automatic;       /* added by "auto" for a feed that has the column, not named in the document */
};
/* The i-th field's source (fields in name order) into *out; false past the last field. */
bool mapping_source_of(const struct mapping *m, size_t i, struct mapping_source *out);

/* Canonical source columns the mapping reads (for "missing column" checks and previews). NULL-terminated. */
const char *const *mapping_columns(const struct mapping *m);

#endif
