/*
 * The expression language of price and stock rules (feed/rules.h), compiled once into bytecode and evaluated
 * per row without allocating. README.md ("Price and stock rules") documents it for users.
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | compare
 *   compare := sum (("<" | "<=" | ">" | ">=" | "=" | "==" | "!=" | "<>") sum)?
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/") unary)*
 *   unary   := "-" unary | primary
 *   primary := number | 'text' | "none" | name | `any name` | function "(" expr ("," expr)* ")" | "(" expr ")"
 *   function: min max round floor ceil abs if has
 * Keywords (and or not none) ignore case. A name is a product field or a feed column, which the caller resolves
 * while compiling. Values are numbers, texts or none (a missing or blank value): arithmetic and functions on
 * none give none (min and max skip it), comparisons with none are false, and/or/not/if read none as false.
 * Texts become numbers where a number is needed ("12,50" and "1.234,56" read as normalize_decimal reads them);
 * one that is not a number is an evaluation error. Numbers compare with a relative tolerance of 1e-9, so
 * 0.1 + 0.2 = 0.3.
 */
#ifndef FEEDSYNC_FEED_EXPR_H
#define FEEDSYNC_FEED_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed/product.h"
#include "feed/record.h"

/* The deepest value stack an expression may need (nesting beyond it is a compile error). */
#define EXPR_MAX_DEPTH 32

enum expr_source { EXPR_FIELD, EXPR_COLUMN };

/*
 * Resolves a name as written (a bare word, or the text between backticks): true with *source and the name to
 * look up (a product field, or a canonical feed column) in out; false when the name is unknown, with why in
 * hint (appended to the "unknown field" message).
 */
typedef bool (*expr_resolve_fn)(void *ctx, const char *name, enum expr_source *source, char *out, size_t size,
                                char *hint, size_t hint_size, size_t *slot);
/* A resolver's *slot: the name's entry in expr_env.memo (names that read the same value share one), or this. */
#define EXPR_NO_SLOT ((size_t)-1)

struct expr;

/* The position of at in text as messages give it: characters (not bytes) counted from 1. */
size_t expr_position(const char *text, const char *at);

/* NULL with "position N: what is wrong" in err (N counts characters from 1). */
struct expr *expr_compile(const char *text, expr_resolve_fn resolve, void *ctx, char *err, size_t err_size);
void expr_free(struct expr *e);

enum expr_type { EXPR_NONE, EXPR_NUMBER, EXPR_TEXT };

struct expr_value {
	enum expr_type type;
	bool numeric;           /* EXPR_TEXT: number holds the text read as a number (a name's value is read once) */
	double number;
	const char *text;       /* EXPR_TEXT: points into the product, the record, the expression or a memo */
	const char *origin;     /* EXPR_TEXT read from a name: the name, for messages */
};

/*
 * A name's value kept while one product's rules run, so a name read again is neither looked up nor parsed
 * again. Stamps tell stale entries: a column's holds for the whole row, a field's until the product changes.
 */
struct expr_memo {
	uint64_t stamp;
	struct expr_value value;
	char text[40];          /* the text of a value a rule wrote (rules.c) */
	size_t column_at;       /* a column's place in the last row's record, tried first */
};

/* Where names are read from during one evaluation. */
struct expr_env {
	const struct product *product;
	const struct record *record;  /* canonical column names */
	struct expr_memo *memo;       /* NULL, or an entry per slot the resolver gave */
	uint64_t row_stamp;           /* memo entries of columns are good from this stamp on, */
	uint64_t now;                 /* of fields at this stamp only (it moves on when the product changes) */
};

/* The value of a field or column: NULL when absent or blank. */
const char *expr_env_get(const struct expr_env *env, enum expr_source source, const char *name);

/* 0 with *out set, or -1 with "position N: what went wrong" in err (division by zero, a text not a number). */
int expr_eval(const struct expr *e, const struct expr_env *env, struct expr_value *out, char *err,
              size_t err_size);

/* A value as a number: false for none and for a text that is not one. */
bool expr_number(const struct expr_value *v, double *out);
/* As a condition: none is false, a number (or a text that is one) is true unless 0, other texts are true. */
bool expr_truth(const struct expr_value *v);
/* Text as a number: decimal with either separator, as normalize_decimal reads it. */
bool expr_parse_number(const char *text, double *out);

/*
 * Rounding that forgives binary fractions: 1.005 * 100 is 100.49999999999999 in a double, and rounds to 101
 * here as it does on paper. Half rounds away from zero.
 */
double expr_round(double x);
double expr_floor(double x);
double expr_ceil(double x);

#endif
