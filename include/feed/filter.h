/*
 * Filter rules decide which rows reach the catalog.
 * JSON: {"match": "all"|"any", "rules": [{"field": "quantity", "op": "gt", "value": "0"}, ...]}
 * ops: eq ne contains not_contains gt gte lt lte empty not_empty in.
 * Fields are column names, folded like headers (normalize_column). gt/gte/lt/lte compare numbers (either
 * decimal separator); eq/ne compare numbers when both sides are numbers, else text exactly; contains and
 * not_contains ignore ASCII case; in takes an array of strings (or one comma-separated string).
 * A missing column reads as "".
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
/* rec carries canonical names (column_map_apply). */
bool filter_match(const struct filter *f, const struct record *rec);
/* The canonical column the i-th rule reads; NULL past the last rule. */
const char *filter_field(const struct filter *f, size_t i);
/* True when a rule reads canonical column `name`. */
bool filter_uses(const struct filter *f, const char *name);
/* "quantity gt 0 and brand in (A, B)": for previews and logs; caller frees. */
char *filter_describe(const struct filter *f);

#endif
