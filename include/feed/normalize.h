/*
 * Column names as the pipeline sees them: trimmed, lower-case, diacritics folded (ă â î ș ț é ö ...),
 * runs of spaces, dashes and dots turned into one '_', then aliases applied: the built-in table
 * (cod -> sku, pret -> price, cantitate and its typo cantiate -> quantity, denumire -> name, ...) and the
 * connection's own table, whose keys are folded the same way. A namespaced name (XML "g:price") is looked
 * up as it is ("g:id" -> sku), then without its prefixes, so "g:price" and "price" are one column.
 */
#ifndef FEEDSYNC_FEED_NORMALIZE_H
#define FEEDSYNC_FEED_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "feed/record.h"

/* Canonical columns the pipeline knows by name. */
#define COL_SKU "sku"
#define COL_NAME "name"
#define COL_PRICE "price"
#define COL_SALE_PRICE "sale_price"
#define COL_QUANTITY "quantity"
#define COL_CATEGORY "category"
#define COL_DESCRIPTION "description"
#define COL_STOCK_STATUS "stock_status"

/* Folds one name into out (always terminated). Returns out. */
char *normalize_fold(const char *in, char *out, size_t size);

struct alias_table;
/* aliases: pairs {from, to, from, to, ..., NULL}; may be NULL. Built-in aliases always apply after them. */
struct alias_table *alias_table_new(const char *const *pairs);
void alias_table_free(struct alias_table *t);
/* Folds `in` and applies aliases: the canonical column name. */
char *normalize_column(const struct alias_table *t, const char *in, char *out, size_t size);

/*
 * Maps a record's names to canonical names. CSV rows share one names array, so the result is cached by
 * the array's address and length; JSON and XML rows are normalized each time.
 */
struct column_map;
struct column_map *column_map_new(const struct alias_table *t);
void column_map_free(struct column_map *m);
/* Returns canonical names parallel to rec->names, valid until the next call. */
const char **column_map_apply(struct column_map *m, const struct record *rec);

/*
 * Decimal text with either separator ("12,50", "1.234,56", "1,234.56", " 7 ") to a canonical string
 * ("12.50", "1234.56", "1234.56", "7"). False when it is not a number.
 */
bool normalize_decimal(const char *in, char *out, size_t size);
/* The same with the decimal separator fixed: decimal '.' or ',' (the other one then only groups thousands,
 * so with ',' "1.234" is 1234 and "12.50" is no number), or 0 for either as above. */
bool normalize_number(const char *in, char decimal, char *out, size_t size);
enum price_read {
	PRICE_OK,
	PRICE_NOT_NUMBER,
	PRICE_TWO_CURRENCIES,  /* "$12 EUR" */
	PRICE_OTHER_SEPARATOR, /* reads only with the other decimal separator than the one configured */
};
/*
 * A price: normalize_decimal's number with an optional currency before or after it ("12.00 RON", "€12.50",
 * "1.234,50 lei", "$12", "12 EUR": a sign of currency_signs in normalize.c or an ISO code in capitals), whose
 * ISO code goes to currency ("" when none). decimal is the decimal separator, '.' or ',', or 0 to take
 * either (normalize_decimal's rules).
 */
enum price_read normalize_price(const char *in, char decimal, char *out, size_t size, char currency[4]);
/* Why a price did not read, for a message about its value: "is not a number", "has a currency on both sides
 * of the number", "does not read with ',' as the decimal separator (source.decimal_separator)". */
void normalize_price_problem(enum price_read read, char decimal, char *out, size_t size);
/* An availability ("in stock", "out of stock", "preorder", "backorder", "instock", ...) as WooCommerce's
 * stock_status: "instock", "outofstock" or "onbackorder"; NULL when it is none of them. */
const char *normalize_stock_status(const char *in);
/* An integer quantity ("12", "12.0", "12,00", "-3"); false for "12.5", "abc", "". decimal is the decimal
 * separator as for normalize_price: with ',' "1.000" is 1000, with '.' "1,000" is; with 0 (either) both
 * are 1.000, so 1. */
bool normalize_integer(const char *in, char decimal, long long *out);

#endif
