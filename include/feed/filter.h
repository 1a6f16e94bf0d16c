/*
 * Filter rules decide which rows reach the catalog.
 * JSON: {"match": "all"|"any", "rules": [{"field": "quantity", "op": "gt", "value": "0"}, ...]}
 * ops: eq ne contains not_contains gt gte lt lte empty not_empty in.
 * Fields are column names, folded like headers (normalize_column). gt/gte/lt/lte compare numbers: a row's
 * value reads as a price does (normalize_price: a currency before or after it, the decimal separator set by
 * filter_set_decimal_separator), an empty one never passes, and any other that does not read leaves the
 * rule undecided (see filter_match). eq/ne compare text exactly, or numbers when both sides are numbers;
 * contains and not_contains ignore ASCII case; in takes an array of strings (or one comma-separated string).
 * The rule's own value is a number with either separator. A missing column reads as "".
 */
#ifndef FEEDSYNC_FEED_FILTER_H
#define FEEDSYNC_FEED_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "feed/normalize.h"
#include "feed/record.h"

struct problems;
struct filter;

/* The operators in the order above, NULL-terminated (for rule builders). */
extern const char *const filter_op_names[];

/* NULL json = pass everything. Problems are added with paths under `path` (e.g. "filters.rules[2].op");
 * returns NULL when any was found. */
struct filter *filter_compile(const cJSON *json, const struct alias_table *aliases, const char *path,
                              struct problems *problems);
void filter_free(struct filter *f);
/* The decimal separator of the rows' numbers: '.', ',' or 0 for either (source.decimal_separator). */
void filter_set_decimal_separator(struct filter *f, char decimal);

enum filter_result {
	FILTER_PASS,
	FILTER_SKIP,
	FILTER_UNREADABLE, /* no rule decided, and a numeric rule could not read its value: why says which */
};
struct filter_problem {
	char column[64];
	char message[320];
};
/*
 * rec carries canonical names (column_map_apply). A rule that fails decides "all", one that passes decides
 * "any"; only when none decides does a numeric rule's unreadable value ("n/a" for quantity gt 0) make the
 * row FILTER_UNREADABLE, with why (which may be NULL) naming the column, the value and the rule.
 */
enum filter_result filter_match(const struct filter *f, const struct record *rec, struct filter_problem *why);
/* The canonical column the i-th rule reads; NULL past the last rule. */
const char *filter_field(const struct filter *f, size_t i);
/* True when a rule reads canonical column `name`. */
bool filter_uses(const struct filter *f, const char *name);
/* "quantity gt 0 and brand in (A, B)": for previews and logs; caller frees. */
char *filter_describe(const struct filter *f);

#endif
