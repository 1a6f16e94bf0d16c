#include "feed/expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "feed/normalize.h"

/* Relative tolerances: comparing numbers, and forgiving the last bits of a double before rounding. */
#define COMPARE_TOLERANCE 1e-9
#define ROUND_TOLERANCE 1e-12
#define ROUND_TOLERANCE_MAX 1e-6
/* Room for any canonical number normalize_decimal accepts. */
#define NUMBER_SIZE 160
#define NAME_SIZE 256

enum op {
	OP_NUMBER, OP_TEXT, OP_NONE, OP_LOAD,
	OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV,
	OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
	OP_NOT, OP_TRUTH,
	OP_AND,        /* false: replace by 0 and jump; else pop (the right side decides) */
	OP_OR,         /* true: replace by 1 and jump; else pop */
	OP_JUMP_FALSE, /* pop; jump when false */
	OP_JUMP,
	OP_MIN, OP_MAX, OP_ROUND, OP_FLOOR, OP_CEIL, OP_ABS, OP_HAS,
};

struct insn {
	unsigned char op;
	unsigned char argc;   /* functions: how many arguments; binary operators: 1 when arg is the right operand */
	unsigned short pos;   /* character position in the text, for messages */
	int arg;              /* constant index or jump target */
};

struct constant {
	double number;
	char *text;           /* OP_TEXT: the text; OP_LOAD: the name to look up */
	enum expr_source source;
	size_t slot;          /* OP_LOAD: its memo entry, or EXPR_NO_SLOT */
};

struct expr {
	struct insn *code;
	size_t n, cap;
	struct constant *consts;
	size_t n_consts;
};

/* ---- numbers ---------------------------------------------------------------------------------------- */

static bool is_digit_char(char c)
{
	return c >= '0' && c <= '9';
}

/* Capped, so that it forgives a few last bits of a double but never a whole cent of a large amount (at 1e13
 * cents, 1e-12 relative is 10 of them). */
static double tolerance(double x)
{
	double t = (fabs(x) + 1) * ROUND_TOLERANCE;
	return t < ROUND_TOLERANCE_MAX ? t : ROUND_TOLERANCE_MAX;
}

double expr_floor(double x)
{
	return floor(x + tolerance(x));
}

double expr_ceil(double x)
{
	return ceil(x - tolerance(x));
}

double expr_round(double x)
{
	return x < 0 ? -expr_floor(-x + 0.5) : expr_floor(x + 0.5);
}

/*
 * Text already in normal_decimal's form ("-1234.50", "0.5", "7") to a double: digits into a whole mantissa
 * and one division by a power of ten, correctly rounded like strtod but independent of the locale (main sets
 * LC_ALL, and strtod then wants "12,5" in Romanian). False for any other text. Feeds and products mostly
 * hold such text, so this one pass is all most rows need.
 */
static bool plain_to_double(const char *s, double *out)
{
	/* Powers of ten are exact doubles up to 1e22; the mantissa keeps at most 17 digits. */
	static const double tens[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	                              1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	bool negative = *s == '-';
	s += negative;
	if (!is_digit_char(*s) || (s[0] == '0' && is_digit_char(s[1])))
		return false;
	uint64_t mantissa = 0;
	int scale = 0;
	for (; is_digit_char(*s); s++) {
		if (mantissa < UINT64_C(100000000000000000))
			mantissa = mantissa * 10 + (uint64_t)(*s - '0');
		else
			scale++;
	}
	if (*s == '.') {
		if (!is_digit_char(*++s))
			return false;
		for (; is_digit_char(*s); s++)
			if (mantissa < UINT64_C(100000000000000000)) {
				mantissa = mantissa * 10 + (uint64_t)(*s - '0');
				scale--;
			}
	}
	if (*s)
		return false;
	double v = (double)mantissa;
	if (scale < 0)
		v = -scale < (int)ARRAY_LEN(tens) ? v / tens[-scale] : v / pow(10, -scale);
	else if (scale > 0)
		v = scale < (int)ARRAY_LEN(tens) ? v * tens[scale] : v * pow(10, scale);
	*out = negative ? -v : v;
	return true;
}

bool expr_parse_number(const char *text, double *out)
{
	char canonical[NUMBER_SIZE];
	if (plain_to_double(text, out))
		return true;
	return normalize_decimal(text, canonical, sizeof(canonical)) && plain_to_double(canonical, out);
}

bool expr_number(const struct expr_value *v, double *out)
{
	if (v->type == EXPR_NUMBER || v->numeric) {
		*out = v->number;
		return true;
	}
	return v->type == EXPR_TEXT && expr_parse_number(v->text, out);
}

/* ---- compiling: tokens ------------------------------------------------------------------------------ */

enum token_type { T_END, T_NUMBER, T_TEXT, T_NAME, T_QUOTED, T_OP, T_LPAREN, T_RPAREN, T_COMMA, T_BAD };

struct token {
	enum token_type type;
	const char *start;    /* T_TEXT and T_QUOTED: after the opening quote */
	size_t len;
	const char *at;       /* where the token starts, for positions */
};

struct parser {
	const char *text;
	const char *p;
	struct token tok;
	struct expr *e;
	int depth, max_depth;
	expr_resolve_fn resolve;
	void *ctx;
	char *err;
	size_t err_size;
	bool failed;
};

size_t expr_position(const char *text, const char *at)
{
	size_t chars = 1;
	for (; text < at; text++)
		chars += ((unsigned char)*text & 0xC0) != 0x80;
	return chars;
}

static unsigned short position(const struct parser *ps, const char *at)
{
	size_t chars = expr_position(ps->text, at);
	return chars > 65535 ? 65535 : (unsigned short)chars;
}

static void fail(struct parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	int n = snprintf(ps->err, ps->err_size, "position %u: ", position(ps, at));
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->err_size)
		vsnprintf(ps->err + n, ps->err_size - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static const char *const two_char_ops[] = {"<=", ">=", "==", "!=", "<>", NULL};

/* The text between quote characters q; T_BAD when it does not close. */
static void lex_quoted(struct parser *ps, struct token *t, enum token_type type, char q)
{
	const char *end = strchr(ps->p + 1, q);
	if (!end) {
		t->type = T_BAD;
		fail(ps, t->at, "%s does not end (a missing %c)", type == T_TEXT ? "text" : "a quoted name", q);
		return;
	}
	t->type = type;
	t->start = ps->p + 1;
	t->len = (size_t)(end - t->start);
	ps->p = end + 1;
}

static void next_token(struct parser *ps)
{
	struct token *t = &ps->tok;
	ps->p += strspn(ps->p, " \t\r\n");
	const char *p = ps->p;
	t->at = t->start = p;
	t->len = 1;
	if (!*p) {
		t->type = T_END;
		t->len = 0;
	} else if (is_digit_char(*p) || (*p == '.' && is_digit_char(p[1]))) {
		size_t n = strspn(p, "0123456789");
		if (p[n] == '.')
			n += 1 + strspn(p + n + 1, "0123456789");
		t->type = T_NUMBER;
		t->len = n;
		ps->p += n;
	} else if (is_word_start(*p)) {
		size_t n = 1;
		while (is_word_start(p[n]) || is_digit_char(p[n]))
			n++;
		t->type = T_NAME;
		t->len = n;
		ps->p += n;
	} else if (*p == '\'') {
		lex_quoted(ps, t, T_TEXT, '\'');
	} else if (*p == '`') {
		lex_quoted(ps, t, T_QUOTED, '`');
	} else if (*p == '(' || *p == ')' || *p == ',') {
		t->type = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN : T_COMMA;
		ps->p++;
	} else {
		t->type = T_OP;
		for (size_t i = 0; two_char_ops[i]; i++)
			if (strncmp(p, two_char_ops[i], 2) == 0)
				t->len = 2;
		if (t->len == 1 && !strchr("+-*/<>=", *p)) {
			int bytes = 1;
			while (bytes < 4 && ((unsigned char)p[bytes] & 0xC0) == 0x80)
				bytes++;
			t->type = T_BAD;
			fail(ps, p, "unexpected character '%.*s'", bytes, p);
		}
		ps->p += t->len;
	}
}

static bool tok_is(const struct parser *ps, enum token_type type, const char *text)
{
	const struct token *t = &ps->tok;
	if (t->type != type)
		return false;
	if (!text)
		return true;
	return strlen(text) == t->len &&
	       (type == T_NAME ? strncasecmp(t->start, text, t->len) : strncmp(t->start, text, t->len)) == 0;
}

/* ---- compiling: code -------------------------------------------------------------------------------- */

/* Stack effect of each instruction on the path that falls through (functions: 1 - argc). */
static int stack_effect(enum op op, int argc)
{
	switch (op) {
	case OP_NUMBER: case OP_TEXT: case OP_NONE: case OP_LOAD: return 1;
	case OP_NEG: case OP_NOT: case OP_TRUTH: case OP_JUMP: case OP_FLOOR: case OP_CEIL: case OP_ABS: case OP_HAS:
		return 0;
	case OP_MIN: case OP_MAX: case OP_ROUND: return 1 - argc;
	default: return -1; /* binary operators, and, or, jump_false */
	}
}

static size_t emit(struct parser *ps, enum op op, int arg, int argc, const char *at)
{
	struct expr *e = ps->e;
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 16;
		e->code = xrealloc(e->code, e->cap * sizeof(*e->code));
	}
	e->code[e->n] = (struct insn){.op = (unsigned char)op, .argc = (unsigned char)argc, .pos = position(ps, at),
	                              .arg = arg};
	ps->depth += stack_effect(op, argc);
	if (ps->depth > ps->max_depth)
		ps->max_depth = ps->depth;
	if (ps->depth > EXPR_MAX_DEPTH)
		fail(ps, at, "the expression nests too deeply (at most %d values at once)", EXPR_MAX_DEPTH);
	return e->n++;
}

/*
 * A binary operator whose right operand, compiled from `start` on, is one number: the number becomes the
 * operator's argument, which saves an instruction per evaluation (price * 1.19 + 5 has two). A jump to
 * `start` (the end of an if before "* 2") still lands where the operator now is.
 */
static void emit_binary(struct parser *ps, enum op op, size_t start, const char *at)
{
	struct expr *e = ps->e;
	if (ps->failed || e->n != start + 1 || e->code[start].op != OP_NUMBER) {
		emit(ps, op, 0, 0, at);
		return;
	}
	e->code[start] = (struct insn){.op = (unsigned char)op, .argc = 1, .pos = position(ps, at),
	                               .arg = e->code[start].arg};
	ps->depth--; /* what the number's push added: the operator leaves one value where the left one was */
}

static void patch_jump(struct parser *ps, size_t at)
{
	ps->e->code[at].arg = (int)ps->e->n;
}

static int add_constant(struct parser *ps, double number, const char *text, size_t len, enum expr_source source)
{
	struct expr *e = ps->e;
	e->consts = xrealloc(e->consts, (e->n_consts + 1) * sizeof(*e->consts));
	e->consts[e->n_consts] = (struct constant){.number = number, .text = text ? xstrndup(text, len) : NULL,
	                                           .source = source, .slot = EXPR_NO_SLOT};
	return (int)e->n_consts++;
}

static void parse_expr(struct parser *ps);

static const struct function {
	const char *name;
	enum op op;
	int min_args, max_args;
} functions[] = {
	{"min", OP_MIN, 1, 255}, {"max", OP_MAX, 1, 255}, {"round", OP_ROUND, 1, 2}, {"floor", OP_FLOOR, 1, 1},
	{"ceil", OP_CEIL, 1, 1}, {"abs", OP_ABS, 1, 1}, {"has", OP_HAS, 1, 1}, {"if", OP_JUMP, 3, 3},
};

/* if(c, a, b): c; jump_false L1; a; jump L2; L1: b; L2. Only the branch taken is evaluated. */
static void parse_if_arguments(struct parser *ps, const char *at)
{
	parse_expr(ps);
	size_t to_else = emit(ps, OP_JUMP_FALSE, 0, 0, at);
	for (int i = 0; i < 2 && !ps->failed; i++) {
		if (!tok_is(ps, T_COMMA, NULL)) {
			fail(ps, at, "if takes 3 arguments: if(condition, then, else)");
			return;
		}
		next_token(ps);
		if (i == 1)
			ps->depth--; /* the else branch starts where the then branch did */
		parse_expr(ps);
		if (i == 0) {
			size_t to_end = emit(ps, OP_JUMP, 0, 0, at);
			patch_jump(ps, to_else);
			to_else = to_end;
		}
	}
	patch_jump(ps, to_else);
}

static void parse_call(struct parser *ps, const char *name, size_t len, const char *at)
{
	const struct function *f = NULL;
	for (size_t i = 0; i < ARRAY_LEN(functions) && !f; i++)
		if (strlen(functions[i].name) == len && strncasecmp(functions[i].name, name, len) == 0)
			f = &functions[i];
	if (!f) {
		fail(ps, at, "unknown function `%.*s` (min, max, round, floor, ceil, abs, if, has)", (int)len, name);
		return;
	}
	next_token(ps); /* ( */
	if (f->op == OP_JUMP) {
		parse_if_arguments(ps, at);
	} else {
		int argc = 0;
		for (;;) {
			parse_expr(ps);
			argc++;
			if (ps->failed || !tok_is(ps, T_COMMA, NULL))
				break;
			next_token(ps);
		}
		if (!ps->failed && (argc < f->min_args || argc > f->max_args))
			fail(ps, at, "%s takes %d%s argument%s, not %d", f->name, f->min_args,
			     f->max_args == 255 ? " or more" : f->max_args > f->min_args ? " or 2" : "",
			     f->max_args == 1 ? "" : "s", argc);
		emit(ps, f->op, 0, argc, at);
	}
	if (!ps->failed && !tok_is(ps, T_RPAREN, NULL))
		fail(ps, ps->tok.at, "expected ')' to close %s(", f->name);
	next_token(ps);
}

static void parse_name(struct parser *ps, const char *name, size_t len, const char *at)
{
	char written[NAME_SIZE], resolved[NAME_SIZE], hint[256] = "";
	if (len >= sizeof(written) || len == 0) {
		fail(ps, at, len ? "a name is longer than %d bytes" : "an empty name", NAME_SIZE - 1);
		return;
	}
	memcpy(written, name, len);
	written[len] = '\0';
	enum expr_source source;
	size_t slot = EXPR_NO_SLOT;
	if (!ps->resolve(ps->ctx, written, &source, resolved, sizeof(resolved), hint, sizeof(hint), &slot)) {
		fail(ps, at, "unknown field `%s`%s%s", written, *hint ? " " : "", hint);
		return;
	}
	int k = add_constant(ps, 0, resolved, strlen(resolved), source);
	ps->e->consts[k].slot = slot;
	emit(ps, OP_LOAD, k, 0, at);
}

static void parse_number(struct parser *ps)
{
	char literal[64];
	double v;
	const struct token *t = &ps->tok;
	if (t->len >= sizeof(literal)) {
		fail(ps, t->at, "the number has too many digits");
		return;
	}
	memcpy(literal, t->start, t->len);
	literal[t->len] = '\0';
	if (!expr_parse_number(literal, &v))
		fail(ps, t->at, "'%s' is not a number", literal);
	else
		emit(ps, OP_NUMBER, add_constant(ps, v, NULL, 0, EXPR_FIELD), 0, t->at);
	next_token(ps);
}

static void parse_primary(struct parser *ps)
{
	struct token t = ps->tok;
	if (t.type == T_NUMBER) {
		parse_number(ps);
	} else if (t.type == T_TEXT) {
		emit(ps, OP_TEXT, add_constant(ps, 0, t.start, t.len, EXPR_FIELD), 0, t.at);
		next_token(ps);
	} else if (tok_is(ps, T_NAME, "none")) {
		emit(ps, OP_NONE, 0, 0, t.at);
		next_token(ps);
	} else if (t.type == T_NAME || t.type == T_QUOTED) {
		next_token(ps);
		if (t.type == T_NAME && tok_is(ps, T_LPAREN, NULL))
			parse_call(ps, t.start, t.len, t.at);
		else
			parse_name(ps, t.start, t.len, t.at);
	} else if (t.type == T_LPAREN) {
		next_token(ps);
		parse_expr(ps);
		if (!ps->failed && !tok_is(ps, T_RPAREN, NULL))
			fail(ps, ps->tok.at, "expected ')' to close the '(' at position %u", position(ps, t.at));
		next_token(ps);
	} else if (t.type == T_END) {
		fail(ps, t.at, "the expression ends too early (a value is missing)");
	} else {
		fail(ps, t.at, "expected a value, found '%.*s'", (int)t.len, t.start);
	}
}

/* A prefix operator (- or not) applied to what follows it, which may carry another one. */
static void parse_prefix(struct parser *ps, enum token_type type, const char *word, enum op op,
                         void (*operand)(struct parser *))
{
	if (!tok_is(ps, type, word)) {
		operand(ps);
		return;
	}
	const char *at = ps->tok.at;
	next_token(ps);
	parse_prefix(ps, type, word, op, operand);
	emit(ps, op, 0, 0, at);
}

static void parse_unary(struct parser *ps)
{
	parse_prefix(ps, T_OP, "-", OP_NEG, parse_primary);
}

/* One precedence level of left-associative binary operators: ops[i] compiles to codes[i]. */
static void parse_binary(struct parser *ps, void (*operand)(struct parser *), const char *const *ops,
                         const enum op *codes)
{
	operand(ps);
	for (bool more = true; more && !ps->failed;) {
		more = false;
		for (size_t i = 0; ops[i] && !more; i++)
			if (tok_is(ps, T_OP, ops[i])) {
				const char *at = ps->tok.at;
				next_token(ps);
				size_t start = ps->e->n;
				operand(ps);
				emit_binary(ps, codes[i], start, at);
				more = true;
			}
	}
}

static void parse_product(struct parser *ps)
{
	static const char *const ops[] = {"*", "/", NULL};
	static const enum op codes[] = {OP_MUL, OP_DIV};
	parse_binary(ps, parse_unary, ops, codes);
}

static void parse_sum(struct parser *ps)
{
	static const char *const ops[] = {"+", "-", NULL};
	static const enum op codes[] = {OP_ADD, OP_SUB};
	parse_binary(ps, parse_product, ops, codes);
}

static void parse_compare(struct parser *ps)
{
	static const char *const ops[] = {"<", "<=", ">", ">=", "=", "==", "!=", "<>", NULL};
	static const enum op codes[] = {OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_EQ, OP_NE, OP_NE};
	parse_sum(ps);
	for (size_t i = 0; ops[i] && !ps->failed; i++)
		if (tok_is(ps, T_OP, ops[i])) {
			const char *at = ps->tok.at;
			next_token(ps);
			size_t start = ps->e->n;
			parse_sum(ps);
			emit_binary(ps, codes[i], start, at);
			break;
		}
}

static void parse_not(struct parser *ps)
{
	parse_prefix(ps, T_NAME, "not", OP_NOT, parse_compare);
}

/* a and b: a; and L; b; truth; L. The jump keeps the false it found as the result. */
static void parse_logic(struct parser *ps, const char *word, enum op op, void (*operand)(struct parser *))
{
	operand(ps);
	while (!ps->failed && tok_is(ps, T_NAME, word)) {
		const char *at = ps->tok.at;
		next_token(ps);
		size_t jump = emit(ps, op, 0, 0, at);
		operand(ps);
		emit(ps, OP_TRUTH, 0, 0, at);
		patch_jump(ps, jump);
	}
}

static void parse_and(struct parser *ps)
{
	parse_logic(ps, "and", OP_AND, parse_not);
}

static void parse_expr(struct parser *ps)
{
	parse_logic(ps, "or", OP_OR, parse_and);
}

struct expr *expr_compile(const char *text, expr_resolve_fn resolve, void *ctx, char *err, size_t err_size)
{
	struct parser ps = {.text = text, .p = text, .e = xcalloc(1, sizeof(struct expr)), .resolve = resolve,
	                    .ctx = ctx, .err = err, .err_size = err_size};
	if (err_size)
		err[0] = '\0';
	next_token(&ps);
	if (ps.tok.type == T_END)
		fail(&ps, ps.tok.at, "the expression is empty");
	parse_expr(&ps);
	if (!ps.failed && ps.tok.type != T_END)
		fail(&ps, ps.tok.at, "unexpected '%.*s' after a complete expression (a missing operator?)",
		     (int)ps.tok.len, ps.tok.start);
	if (ps.failed) {
		expr_free(ps.e);
		return NULL;
	}
	return ps.e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_consts; i++)
		free(e->consts[i].text);
	free(e->consts);
	free(e->code);
	free(e);
}

/* ---- evaluating ------------------------------------------------------------------------------------- */

struct eval {
	const struct expr *e;
	char *err;
	size_t err_size;
};

static int eval_fail(struct eval *ev, const struct insn *in, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int eval_fail(struct eval *ev, const struct insn *in, const char *fmt, ...)
{
	int n = snprintf(ev->err, ev->err_size, "position %u: ", in->pos);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ev->err_size)
		vsnprintf(ev->err + n, ev->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* v, or NULL when it is absent or blank. */
static const char *present(const char *v)
{
	if (!v || !*v)
		return NULL;
	return (unsigned char)*v > ' ' || !is_blank(v) ? v : NULL; /* a first character that is not a space decides */
}

const char *expr_env_get(const struct expr_env *env, enum expr_source source, const char *name)
{
	return present(source == EXPR_FIELD ? product_get(env->product, name) : record_get(env->record, name));
}

/* A column's value, trying first where it was in the last row: rows of one feed keep their columns' order. */
static const char *column_at(const struct record *rec, const char *name, size_t *at)
{
	if (*at < rec->n && strcmp(rec->names[*at], name) == 0)
		return rec->values[*at];
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->names[i], name) == 0) {
			*at = i;
			return rec->values[i];
		}
	return NULL;
}

static struct expr_value number_value(double x)
{
	return (struct expr_value){.type = EXPR_NUMBER, .number = x};
}

/* A number the operator at `in` needs; -1 with a message naming the value when it is not one. */
static inline int need_number(struct eval *ev, const struct insn *in, const struct expr_value *v, double *out)
{
	if (v->type == EXPR_NUMBER || v->numeric) { /* the common case, kept inline */
		*out = v->number;
		return 0;
	}
	if (expr_number(v, out))
		return 0;
	if (v->origin)
		return eval_fail(ev, in, "`%s` is '%.40s', not a number", v->origin, v->text);
	return eval_fail(ev, in, "'%.40s' is not a number", v->text);
}

bool expr_truth(const struct expr_value *v)
{
	double x;
	if (v->type == EXPR_NONE)
		return false;
	return expr_number(v, &x) ? x != 0 : true;
}

static int compare_numbers(double a, double b)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	scale = scale > 1 ? scale : 1;
	if (fabs(a - b) <= COMPARE_TOLERANCE * scale)
		return 0;
	return a < b ? -1 : 1;
}

/* = and != compare numbers when both sides are numbers, else texts; the others need numbers. */
static int compare(struct eval *ev, const struct insn *in, const struct expr_value *a, const struct expr_value *b,
                   struct expr_value *out)
{
	double x, y;
	if (a->type == EXPR_NONE || b->type == EXPR_NONE) {
		*out = number_value(0);
		return 0;
	}
	bool equality = in->op == OP_EQ || in->op == OP_NE;
	int c;
	if (equality && !(expr_number(a, &x) && expr_number(b, &y))) {
		bool same = a->type == EXPR_TEXT && b->type == EXPR_TEXT && strcmp(a->text, b->text) == 0;
		c = same ? 0 : 1;
	} else {
		if (need_number(ev, in, a, &x) < 0 || need_number(ev, in, b, &y) < 0)
			return -1;
		c = compare_numbers(x, y);
	}
	bool r;
	switch (in->op) {
	case OP_LT: r = c < 0; break;
	case OP_LE: r = c <= 0; break;
	case OP_GT: r = c > 0; break;
	case OP_GE: r = c >= 0; break;
	case OP_EQ: r = c == 0; break;
	default: r = c != 0; break;
	}
	*out = number_value(r); /* out may be a: written last */
	return 0;
}

static int arithmetic(struct eval *ev, const struct insn *in, const struct expr_value *a,
                      const struct expr_value *b, struct expr_value *out)
{
	double x, y, r;
	if (a->type == EXPR_NONE || b->type == EXPR_NONE) {
		*out = (struct expr_value){.type = EXPR_NONE};
		return 0;
	}
	if (need_number(ev, in, a, &x) < 0 || need_number(ev, in, b, &y) < 0)
		return -1;
	switch (in->op) {
	case OP_ADD: r = x + y; break;
	case OP_SUB: r = x - y; break;
	case OP_MUL: r = x * y; break;
	default:
		if (y == 0)
			return eval_fail(ev, in, "division by zero");
		r = x / y;
	}
	if (!isfinite(r))
		return eval_fail(ev, in, "the result is out of range");
	*out = number_value(r);
	return 0;
}

/* min and max skip none; none when every argument is. */
static int extreme(struct eval *ev, const struct insn *in, const struct expr_value *args, struct expr_value *out)
{
	struct expr_value best = {.type = EXPR_NONE};
	for (int i = 0; i < in->argc; i++) {
		double x;
		if (args[i].type == EXPR_NONE)
			continue;
		if (need_number(ev, in, &args[i], &x) < 0)
			return -1;
		if (best.type == EXPR_NONE || (in->op == OP_MIN ? x < best.number : x > best.number))
			best = number_value(x);
	}
	*out = best; /* out may be args[0]: written last */
	return 0;
}

/* round(x) to a whole number, round(x, d) to d decimals (0 to 6). */
static int round_value(struct eval *ev, const struct insn *in, const struct expr_value *args,
                       struct expr_value *out)
{
	double x, d = 0;
	if (args[0].type == EXPR_NONE || (in->argc == 2 && args[1].type == EXPR_NONE)) {
		*out = (struct expr_value){.type = EXPR_NONE};
		return 0;
	}
	if (need_number(ev, in, &args[0], &x) < 0 || (in->argc == 2 && need_number(ev, in, &args[1], &d) < 0))
		return -1;
	if (d < 0 || d > 6 || d != floor(d))
		return eval_fail(ev, in, "round's decimals must be a whole number from 0 to 6, not %g", d);
	double scale = pow(10, d);
	*out = number_value(expr_round(x * scale) / scale);
	return 0;
}

static int unary_function(struct eval *ev, const struct insn *in, struct expr_value *v)
{
	double x;
	if (in->op == OP_HAS) {
		*v = number_value(v->type != EXPR_NONE);
		return 0;
	}
	if (v->type == EXPR_NONE)
		return 0;
	if (need_number(ev, in, v, &x) < 0)
		return -1;
	*v = number_value(in->op == OP_FLOOR ? expr_floor(x) : in->op == OP_CEIL ? expr_ceil(x) : in->op == OP_NEG ? -x
	                  : fabs(x));
	return 0;
}

static struct expr_value load(const struct expr_env *env, const struct constant *c)
{
	struct expr_memo *m = env->memo && c->slot != EXPR_NO_SLOT ? &env->memo[c->slot] : NULL;
	if (m && m->stamp >= (c->source == EXPR_COLUMN ? env->row_stamp : env->now))
		return m->value;
	const char *v = m && c->source == EXPR_COLUMN ? present(column_at(env->record, c->text, &m->column_at))
	                                              : expr_env_get(env, c->source, c->text);
	struct expr_value value = {.type = EXPR_NONE};
	if (v) {
		value = (struct expr_value){.type = EXPR_TEXT, .text = v, .origin = c->text};
		/* read as a number once here, rather than by each operator that needs one */
		value.numeric = m && expr_parse_number(v, &value.number);
	}
	if (m) {
		m->stamp = env->now;
		m->value = value;
	}
	return value;
}

/* A binary operator's right operand: its constant argument, or the value popped off the stack. */
static const struct expr_value *right_operand(const struct expr *e, const struct insn *in,
                                              const struct expr_value *stack, size_t *sp,
                                              struct expr_value *constant)
{
	if (in->argc) {
		*constant = number_value(e->consts[in->arg].number);
		return constant;
	}
	return &stack[--*sp];
}

int expr_eval(const struct expr *e, const struct expr_env *env, struct expr_value *out, char *err, size_t err_size)
{
	struct eval ev = {.e = e, .err = err, .err_size = err_size};
	struct expr_value stack[EXPR_MAX_DEPTH + 1], constant;
	const struct expr_value *right;
	size_t sp = 0, pc = 0;
	while (pc < e->n) {
		const struct insn *in = &e->code[pc++];
		struct expr_value *top = sp ? &stack[sp - 1] : NULL;
		int rc = 0;
		switch ((enum op)in->op) {
		case OP_NUMBER: stack[sp++] = number_value(e->consts[in->arg].number); break;
		case OP_TEXT: stack[sp++] = (struct expr_value){.type = EXPR_TEXT, .text = e->consts[in->arg].text}; break;
		case OP_NONE: stack[sp++] = (struct expr_value){.type = EXPR_NONE}; break;
		case OP_LOAD: stack[sp++] = load(env, &e->consts[in->arg]); break;
		case OP_NEG: case OP_FLOOR: case OP_CEIL: case OP_ABS: case OP_HAS: rc = unary_function(&ev, in, top); break;
		case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
			right = right_operand(e, in, stack, &sp, &constant);
			rc = arithmetic(&ev, in, &stack[sp - 1], right, &stack[sp - 1]);
			break;
		case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
			right = right_operand(e, in, stack, &sp, &constant);
			rc = compare(&ev, in, &stack[sp - 1], right, &stack[sp - 1]);
			break;
		case OP_NOT: *top = number_value(!expr_truth(top)); break;
		case OP_TRUTH: *top = number_value(expr_truth(top)); break;
		case OP_AND: case OP_OR:
			if (expr_truth(top) == (in->op == OP_OR)) {
				*top = number_value(in->op == OP_OR);
				pc = (size_t)in->arg;
			} else {
				sp--;
			}
			break;
		case OP_JUMP_FALSE:
			if (!expr_truth(&stack[--sp]))
				pc = (size_t)in->arg;
			break;
		case OP_JUMP: pc = (size_t)in->arg; break;
		case OP_MIN: case OP_MAX: case OP_ROUND:
			sp -= in->argc;
			rc = in->op == OP_ROUND ? round_value(&ev, in, &stack[sp], &stack[sp])
			                        : extreme(&ev, in, &stack[sp], &stack[sp]);
			sp++;
			break;
		}
		if (rc < 0)
			return -1;
	}
	*out = stack[0];
	return 0;
}
