/*
 * Price and stock rules: a connection's "rules", applied in order to every product after mapping (README.md,
 * "Price and stock rules"). Expressions are feed/expr.h's language, compiled when the connection is parsed.
 *
 *   "rules": [
 *     {"set": "regular_price", "to": "price * 1.19 + 5", "round_to": 0.99, "round": "up"},
 *     {"set": "regular_price", "to": "max(regular_price, cost * 1.15)"},
 *     {"set": "sale_price", "to": "sale_price", "when": "sale_price < regular_price", "else": "none"},
 *     {"set": "stock_quantity", "to": "min(stock_quantity, 50)"},
 *     {"set": "name", "template": "{brand} {name} {size}"}
 *   ]
 * set: the product field written (a destination field, like the mapping's; never sku).
 * to: an expression; template: text with {name} placeholders ({{ and }} for braces). One of the two.
 * when: the rule applies only when it is true; else: the expression used instead when it is false (without
 * one the field is left as it is). round_to: a multiple (0.05, 1, 10) or, below 1 and not a fraction of 1
 * (0.99, 0.95, 0.49), the ending of the cents; round: nearest (default), up or down.
 * Names read the product field when the mapping fills it or an earlier rule sets it, else the feed column (by
 * its canonical name), which must be read by the mapping or listed in source.required.
 * Results: regular_price and sale_price are stored with exactly two decimals (never negative), stock_quantity
 * as a whole number (a fraction is a row error), other fields as the number written plainly or the text;
 * none clears a field the product has ("", which WooCommerce reads as no value).
 */
#ifndef FEEDSYNC_FEED_RULES_H
#define FEEDSYNC_FEED_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "feed/expr.h"
#include "feed/mapping.h"
#include "feed/normalize.h"
#include "feed/product.h"
#include "feed/record.h"

struct problems;
struct rules;

/*
 * NULL json = no rules (returns NULL without problems). Problems name the rule and key with the position in the
 * expression ("rules[2].to: position 9: unknown function `maxx`"); returns NULL when there was any.
 */
struct rules *rules_compile(const cJSON *json, const struct mapping *mapping, const struct alias_table *aliases,
                            char *const *required, const char *path, struct problems *problems);
void rules_free(struct rules *r);

/* One rule's effect on one product, for previews: before and after are NULL when the field is absent. */
struct rule_step {
	size_t rule;
	const char *field;
	const char *before;
	const char *after;
	bool applied;      /* false: its when was false and it has no else */
};
typedef void (*rules_trace_fn)(void *ctx, const struct rule_step *step);

/* What applying rules keeps from row to row, so a warm row stage does not allocate. Zeroed is ready. */
struct rules_state {
	struct strbuf text;         /* templates are rendered here */
	struct expr_memo *memo;     /* names already read for this product (feed/expr.h) */
	size_t n_memo;
	size_t *field_at;           /* per rule: where its field was in the last product (product_setn_at) */
	size_t n_field_at;
	uint64_t now;               /* the memo's clock: moves on with each row and each change of the product */
};
void rules_state_free(struct rules_state *st);

/*
 * Applies every rule to p; rec is the row with canonical names. Returns 0, or -1 with err set (code
 * "rule_failed", the rule, the SKU). trace (may be NULL) sees each rule's step.
 */
int rules_apply(const struct rules *r, struct product *p, const struct record *rec, struct rules_state *st,
                rules_trace_fn trace, void *trace_ctx, struct row_error *err);

#endif
