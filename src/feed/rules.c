#include "feed/rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "feed/expr.h"
#include "feed/jsoncheck.h"

#define NAME_SIZE 256
/* Largest number a rule writes: cents of it still fit a double's exact integers. */
#define RESULT_MAX 1e12
#define ROUND_TO_MAX 1e6

/* How a field's result is stored. */
enum target_kind { TARGET_TEXT, TARGET_MONEY, TARGET_WHOLE };
enum round_mode { ROUND_NEAREST, ROUND_UP, ROUND_DOWN };

/* NULL-terminated for str_in. */
static const char *const round_modes[] = {[ROUND_NEAREST] = "nearest", [ROUND_UP] = "up", [ROUND_DOWN] = "down",
                                          NULL};

/* A template is literal text and names, in order. */
struct template_part {
	char *literal;             /* NULL for a name */
	char *name;
	enum expr_source source;
};

struct rule {
	char *field;
	char path[32];             /* "rules[2]", for messages */
	enum target_kind kind;
	struct expr *to, *when, *otherwise;
	struct template_part *parts;
	size_t n_parts;
	bool is_template;
	double round_to;           /* 0: none */
	bool round_ending;         /* round_to is the cents' ending (0.99), not a multiple */
	enum round_mode mode;
	size_t slot;               /* the memo entry of the field when a later rule reads it, else EXPR_NO_SLOT */
	size_t index;              /* its place in the rules, and of its entry in rules_state.field_at */
};

/* A name the expressions read, with its memo entry's index (expr.h, struct expr_memo). */
struct slot {
	char *name;
	enum expr_source source;
};

struct rules {
	size_t n;
	struct rule *rules;
	size_t n_slots;
	struct slot *slots;
};

/* ---- compiling -------------------------------------------------------------------------------------- */

/* What names mean while rule `upto` compiles: the mapping's fields and the fields earlier rules set. */
struct scope {
	const struct mapping *mapping;
	const struct alias_table *aliases;
	char *const *required;
	struct rules *rules;
	size_t upto;
};

static bool scope_has_field(const struct scope *s, const char *name)
{
	struct mapping_source src;
	for (size_t i = 0; mapping_source_of(s->mapping, i, &src); i++)
		if (strcmp(src.dest, name) == 0)
			return true;
	for (size_t i = 0; i < s->upto; i++)
		if (str_eq(s->rules->rules[i].field, name))
			return true;
	return false;
}

/* The memo entry of a name: one for every (source, name) the rules read. */
static size_t slot_of(struct rules *rs, enum expr_source source, const char *name, bool add)
{
	for (size_t i = 0; i < rs->n_slots; i++)
		if (rs->slots[i].source == source && strcmp(rs->slots[i].name, name) == 0)
			return i;
	if (!add)
		return EXPR_NO_SLOT;
	rs->slots = xrealloc(rs->slots, (rs->n_slots + 1) * sizeof(*rs->slots));
	rs->slots[rs->n_slots] = (struct slot){.name = xstrdup(name), .source = source};
	return rs->n_slots++;
}

static bool resolve(void *ctx, const char *name, enum expr_source *source, char *out, size_t size, char *hint,
                    size_t hint_size, size_t *slot)
{
	struct scope *s = ctx;
	if (scope_has_field(s, name)) {
		*source = EXPR_FIELD;
		str_copy(out, name, size);
		*slot = slot_of(s->rules, *source, out, true);
		return true;
	}
	normalize_column(s->aliases, name, out, size);
	*source = EXPR_COLUMN;
	if (str_in(out, mapping_columns(s->mapping)) || str_in(out, (const char *const *)s->required)) {
		*slot = slot_of(s->rules, *source, out, true);
		return true;
	}
	snprintf(hint, hint_size, "(neither a product field the mapping fills nor a feed column it reads; "
	         "list a feed column in source.required to use it)");
	return false;
}

static struct expr *compile_expr(const cJSON *rule, const char *key, struct scope *scope, const char *path,
                                 struct problems *pr)
{
	char where[64], err[512];
	const cJSON *item = json_member(rule, key, cJSON_String, path, pr);
	if (!item)
		return NULL;
	struct expr *e = expr_compile(item->valuestring, resolve, scope, err, sizeof(err));
	if (!e)
		problems_add(pr, json_path(where, sizeof(where), path, key), "%s", err);
	return e;
}

static void template_add(struct rule *r, char *literal, char *name, enum expr_source source)
{
	r->parts = xrealloc(r->parts, (r->n_parts + 1) * sizeof(*r->parts));
	r->parts[r->n_parts++] = (struct template_part){.literal = literal, .name = name, .source = source};
}

/* "{brand} {name}": literal runs ({{ and }} stand for braces) and names resolved like expression names. */
static void compile_template(struct rule *r, const char *text, struct scope *scope, const char *where,
                             struct problems *pr)
{
	struct strbuf lit = {0};
	for (const char *p = text; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			sb_addc(&lit, *p);
			p += 2;
		} else if (*p == '}') {
			problems_add(pr, where, "position %zu: a '}' without its '{' (write }} for a brace)",
			             expr_position(text, p));
			break;
		} else if (*p == '{') {
			const char *end = strchr(p + 1, '}');
			if (!end) {
				problems_add(pr, where, "position %zu: '{' does not close (a missing })", expr_position(text, p));
				break;
			}
			char written[NAME_SIZE], resolved[NAME_SIZE], hint[256] = "";
			size_t len = (size_t)(end - p - 1);
			str_copy(written, p + 1, len + 1 < sizeof(written) ? len + 1 : sizeof(written));
			char *name = str_trim(written);
			enum expr_source source;
			size_t slot;
			if (!*name) {
				problems_add(pr, where, "position %zu: {} names no field", expr_position(text, p));
				break;
			}
			if (!resolve(scope, name, &source, resolved, sizeof(resolved), hint, sizeof(hint), &slot)) {
				problems_add(pr, where, "position %zu: unknown field `%s` %s", expr_position(text, p), name, hint);
				break;
			}
			if (lit.len)
				template_add(r, sb_detach(&lit), NULL, EXPR_FIELD);
			template_add(r, NULL, xstrdup(resolved), source);
			p = end + 1;
		} else {
			sb_addc(&lit, *p++);
		}
	}
	if (lit.len)
		template_add(r, sb_detach(&lit), NULL, EXPR_FIELD);
	sb_free(&lit);
}

static enum target_kind kind_of(const char *field)
{
	if (str_eq(field, PF_REGULAR_PRICE) || str_eq(field, PF_SALE_PRICE))
		return TARGET_MONEY;
	return str_eq(field, PF_STOCK) ? TARGET_WHOLE : TARGET_TEXT;
}

/* The field a rule sets: any destination field but the SKU; a feed column's name gets the field it maps to. */
static char *compile_target(const cJSON *rule, struct scope *scope, const char *path, struct problems *pr)
{
	char where[64];
	json_path(where, sizeof(where), path, "set");
	const char *field = json_required_string(rule, "set", "the product field to write, like \"regular_price\"",
	                                         path, pr);
	if (!field)
		return NULL;
	const char *column;
	for (size_t i = 0; !scope_has_field(scope, field) && mapping_auto_field(i, &column); i++)
		if (strcmp(column, field) == 0 && strcmp(mapping_auto_field(i, NULL), field) != 0) {
			problems_add(pr, where, "'%s' is a feed column; the product field is '%s'", field,
			             mapping_auto_field(i, NULL));
			return NULL;
		}
	if (strcmp(field, PF_SKU) == 0) {
		problems_add(pr, where, "the SKU identifies the product; a rule cannot change it");
		return NULL;
	}
	if (strlen(field) >= NAME_SIZE || strpbrk(field, "\t\r\n")) {
		problems_add(pr, where, "'%.40s' is not a field name", field);
		return NULL;
	}
	return xstrdup(field);
}

/* round_to and round: how a number is rounded before it is stored. */
static void compile_rounding(struct rule *r, const cJSON *rule, const char *path, struct problems *pr)
{
	char where[64];
	const cJSON *to = json_member(rule, "round_to", cJSON_Number, path, pr);
	const cJSON *mode = json_member(rule, "round", cJSON_String, path, pr);
	if (mode && !to)
		problems_add(pr, json_path(where, sizeof(where), path, "round"), "needs round_to (what to round to)");
	if (mode && !str_in(mode->valuestring, round_modes))
		problems_add(pr, json_path(where, sizeof(where), path, "round"), "must be nearest, up or down, not '%s'",
		             mode->valuestring);
	for (size_t i = 0; mode && round_modes[i]; i++)
		if (strcmp(mode->valuestring, round_modes[i]) == 0)
			r->mode = (enum round_mode)i;
	if (!to)
		return;
	json_path(where, sizeof(where), path, "round_to");
	double v = to->valuedouble, cents = v * 100;
	if (!(v > 0 && v <= ROUND_TO_MAX))
		problems_add(pr, where, "must be more than 0 and at most %g, like 0.99, 0.05 or 1", ROUND_TO_MAX);
	else if (r->kind == TARGET_MONEY && fabs(cents - expr_round(cents)) > 1e-6)
		problems_add(pr, where, "%g is finer than a cent", v);
	else if (r->is_template)
		problems_add(pr, where, "rounds numbers; a template makes text");
	r->round_to = v;
	r->round_ending = v < 1 && fabs(1 / v - expr_round(1 / v)) > 1e-9;
}

static void compile_rule(struct rule *r, const cJSON *rule, struct scope *scope, const char *path,
                         struct problems *pr)
{
	static const char *const keys[] = {"set", "to", "template", "when", "else", "round_to", "round", NULL};
	char where[64];
	str_copy(r->path, path, sizeof(r->path));
	if (!cJSON_IsObject(rule)) {
		problems_add(pr, path, "must be an object like {\"set\": \"regular_price\", \"to\": \"price * 1.2\"}, not %s",
		             json_kind(rule));
		return;
	}
	json_check_keys(rule, keys, path, pr);
	r->field = compile_target(rule, scope, path, pr);
	r->kind = kind_of(r->field);
	const cJSON *to_item = cJSON_GetObjectItemCaseSensitive(rule, "to");
	const cJSON *template_item = cJSON_GetObjectItemCaseSensitive(rule, "template");
	bool has_to = to_item && !cJSON_IsNull(to_item), has_template = template_item && !cJSON_IsNull(template_item);
	const cJSON *tpl = json_member(rule, "template", cJSON_String, path, pr);
	r->is_template = has_template;
	if (has_to == has_template)
		problems_add(pr, path, has_to ? "has both to and template; keep one"
		             : "needs \"to\" (an expression, like \"price * 1.2\") or \"template\" (like \"{brand} {name}\")");
	else if (has_template && r->kind != TARGET_TEXT)
		problems_add(pr, json_path(where, sizeof(where), path, "template"),
		             "%s is a number: use \"to\" with an expression", r->field);
	r->to = compile_expr(rule, "to", scope, path, pr);
	if (tpl)
		compile_template(r, tpl->valuestring, scope, json_path(where, sizeof(where), path, "template"), pr);
	r->when = compile_expr(rule, "when", scope, path, pr);
	r->otherwise = compile_expr(rule, "else", scope, path, pr);
	if (cJSON_GetObjectItemCaseSensitive(rule, "else") && !cJSON_GetObjectItemCaseSensitive(rule, "when"))
		problems_add(pr, json_path(where, sizeof(where), path, "else"), "needs a when (else applies when it is false)");
	compile_rounding(r, rule, path, pr);
}

/* Rules may add fields the mapping does not fill, up to what a product holds. */
static void check_field_count(struct rules *rs, const struct mapping *m, const char *path,
                              struct problems *pr)
{
	struct scope scope = {.mapping = m, .rules = rs};
	size_t fields = 0;
	struct mapping_source src;
	while (mapping_source_of(m, fields, &src))
		fields++;
	for (scope.upto = 0; scope.upto < rs->n; scope.upto++)
		fields += rs->rules[scope.upto].field && !scope_has_field(&scope, rs->rules[scope.upto].field);
	if (fields > PRODUCT_MAX_FIELDS)
		problems_add(pr, path, "products would have %zu fields with the rules' new ones; at most %d", fields,
		             PRODUCT_MAX_FIELDS);
}

struct rules *rules_compile(const cJSON *json, const struct mapping *mapping, const struct alias_table *aliases,
                            char *const *required, const char *path, struct problems *problems)
{
	if (!json || cJSON_IsNull(json))
		return NULL;
	if (!cJSON_IsArray(json)) {
		problems_add(problems, path, "must be an array of rules like [{\"set\": \"regular_price\", \"to\": "
		             "\"price * 1.2\"}], not %s", json_kind(json));
		return NULL;
	}
	size_t before = problems->n;
	struct rules *rs = xcalloc(1, sizeof(*rs));
	rs->rules = xcalloc((size_t)cJSON_GetArraySize(json) + 1, sizeof(*rs->rules));
	struct scope scope = {.mapping = mapping, .aliases = aliases, .required = required, .rules = rs};
	char where[64];
	for (const cJSON *it = json->child; it; it = it->next, rs->n++) {
		scope.upto = rs->n;
		rs->rules[rs->n].index = rs->n;
		compile_rule(&rs->rules[rs->n], it, &scope, json_path_at(where, sizeof(where), path, rs->n), problems);
	}
	check_field_count(rs, mapping, path, problems);
	for (size_t i = 0; i < rs->n; i++)
		rs->rules[i].slot = rs->rules[i].field ? slot_of(rs, EXPR_FIELD, rs->rules[i].field, false) : EXPR_NO_SLOT;
	if (problems->n > before) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->rules[i];
		free(r->field);
		expr_free(r->to);
		expr_free(r->when);
		expr_free(r->otherwise);
		for (size_t k = 0; k < r->n_parts; k++) {
			free(r->parts[k].literal);
			free(r->parts[k].name);
		}
		free(r->parts);
	}
	for (size_t i = 0; i < rs->n_slots; i++)
		free(rs->slots[i].name);
	free(rs->slots);
	free(rs->rules);
	free(rs);
}

void rules_state_free(struct rules_state *st)
{
	sb_free(&st->text);
	free(st->memo);
	free(st->field_at);
	memset(st, 0, sizeof(*st));
}

/* ---- applying --------------------------------------------------------------------------------------- */

static int rule_fail(struct row_error *err, const struct rule *r, const char *key, const struct product *p,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int rule_fail(struct row_error *err, const struct rule *r, const char *key, const struct product *p,
                     const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	const char *sku = product_get(p, PF_SKU);
	str_copy(err->column, r->field, sizeof(err->column));
	str_copy(err->code, "rule_failed", sizeof(err->code));
	snprintf(err->message, sizeof(err->message), "%s.%s: %s (setting %s of SKU %.60s)", r->path, key, what,
	         r->field, sku ? sku : "?");
	return -1;
}

static double round_by(double x, enum round_mode mode)
{
	return mode == ROUND_UP ? expr_ceil(x) : mode == ROUND_DOWN ? expr_floor(x) : expr_round(x);
}

/* 12.10 to 0.05 is 12.10; to 0.99 (an ending) 11.99, or 12.99 rounding up; to 1 it is 12. */
static double apply_round_to(const struct rule *r, double x)
{
	if (!r->round_to)
		return x;
	if (r->round_ending)
		return round_by(x - r->round_to, r->mode) + r->round_to;
	return round_by(x / r->round_to, r->mode) * r->round_to;
}

/* "00" to "99": two digits a division by 100 where a digit loop took one by 10 each. */
static const char digit_pairs[] = "0001020304050607080910111213141516171819"
                                  "2021222324252627282930313233343536373839"
                                  "4041424344454647484950515253545556575859"
                                  "6061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

static char *put_pair(char *p, unsigned long long pair)
{
	p -= 2;
	memcpy(p, &digit_pairs[2 * pair], 2);
	return p;
}

/*
 * A scaled whole number (12345 with 2 decimals is "123.45") written by hand: snprintf was half of what three
 * rules cost a row, and it would follow the locale's decimal separator. trim drops trailing zeros of the
 * decimals (and the point when none is left). out holds at least 32 bytes; |scaled| < 1e18. Returns the length.
 */
static size_t format_scaled(long long scaled, int decimals, bool trim, char *out)
{
	char buf[32];
	char *end = buf + sizeof(buf), *p = end;
	unsigned long long v = (unsigned long long)(scaled < 0 ? -scaled : scaled);
	int written = 0;
	for (; !trim && written + 2 <= decimals; written += 2, v /= 100)
		p = put_pair(p, v % 100);
	for (; written < decimals; written++, v /= 10)
		if (v % 10 || !trim || p != end) /* trimming: trailing zeros are the first digits out */
			*--p = (char)('0' + v % 10);
	if (p != end)
		*--p = '.';
	for (; v >= 100; v /= 100)
		p = put_pair(p, v % 100);
	if (v >= 10)
		p = put_pair(p, v);
	else
		*--p = (char)('0' + v);
	if (scaled < 0)
		*--p = '-';
	size_t len = (size_t)(end - p);
	memcpy(out, p, len);
	out[len] = '\0';
	return len;
}

/* Whole units and millionths, trailing zeros dropped: 0.375, 3000. */
static size_t format_plain(double x, char *out, double *stored)
{
	long long micro = (long long)expr_round(x * 1e6);
	*stored = (double)micro / 1e6;
	return format_scaled(micro, 6, true, out);
}

/*
 * The number as the field stores it, in out (32 bytes or more), and in *stored the value that text reads as
 * (the same double parsing it gives: both are the one correctly rounded quotient). Returns the text's length,
 * or -1 with err when it cannot be stored.
 */
static int format_result(const struct rule *r, const char *key, const struct product *p, double x, char *out,
                         double *stored, struct row_error *err)
{
	x = apply_round_to(r, x);
	if (!(fabs(x) < RESULT_MAX))
		return rule_fail(err, r, key, p, "the result is out of range");
	if (r->kind == TARGET_MONEY) {
		long long cents = (long long)expr_round(x * 100);
		size_t len = format_scaled(cents, 2, false, out);
		if (cents < 0)
			return rule_fail(err, r, key, p, "the result %s is negative", out);
		*stored = (double)cents / 100;
		return (int)len;
	}
	if (r->kind == TARGET_WHOLE) {
		double whole = expr_round(x);
		if (fabs(x - whole) > 1e-9 * fmax(1, fabs(x))) {
			format_plain(x, out, stored);
			return rule_fail(err, r, key, p, "the result %s is not a whole number (%s counts items: use floor, "
			                 "ceil or round)", out, r->field);
		}
		*stored = whole;
		return (int)format_scaled((long long)whole, 0, false, out);
	}
	return (int)format_plain(x, out, stored);
}

/* Spaces around and doubled inside come from empty placeholders ("{brand} {name}" without a brand). */
static void squeeze_spaces(struct strbuf *sb)
{
	size_t o = 0;
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] != ' ' || (o && sb->buf[o - 1] != ' '))
			sb->buf[o++] = sb->buf[i];
	while (o && sb->buf[o - 1] == ' ')
		o--;
	sb->len = o;
	sb->buf[o] = '\0';
}

static void render_template(const struct rule *r, const struct expr_env *env, struct strbuf *out)
{
	sb_reset(out);
	for (size_t i = 0; i < r->n_parts; i++) {
		const struct template_part *part = &r->parts[i];
		const char *v = part->literal ? part->literal : expr_env_get(env, part->source, part->name);
		if (!v)
			continue;
		if (part->literal) {
			sb_adds(out, v);
			continue;
		}
		const char *end = v + strlen(v);
		v += strspn(v, " \t\r\n");
		while (end > v && strchr(" \t\r\n", end[-1]))
			end--;
		sb_add(out, v, (size_t)(end - v));
	}
	squeeze_spaces(out);
}

/* The product changed: what the memo holds of its fields is stale from now on. */
static void product_changed(struct rules_state *st, struct expr_env *env)
{
	env->now = ++st->now;
}

/* Writes text into the rule's field: where the field was in the last product is tried before a search. */
static void write_field(const struct rule *r, struct product *p, struct rules_state *st, struct expr_env *env,
                        const char *text, size_t len)
{
	product_setn_at(p, r->field, text, len, &st->field_at[r->index]);
	product_changed(st, env);
}

/* A number a rule wrote, kept as written so a later rule reads it without looking it up or parsing it. */
static void remember(const struct rule *r, struct expr_env *env, const char *text, size_t len, double number)
{
	if (r->slot == EXPR_NO_SLOT || len >= sizeof(env->memo[r->slot].text))
		return;
	struct expr_memo *m = &env->memo[r->slot];
	memcpy(m->text, text, len + 1);
	m->stamp = env->now;
	m->value = (struct expr_value){.type = EXPR_TEXT, .numeric = true, .number = number, .text = m->text,
	                               .origin = r->field};
}

/*
 * Whether the rule's field already holds text, as the memo knows it for the product as it is now: a rule like
 * max(regular_price, price * 1.15) mostly gives the price back, and rewriting it would cost a field lookup and
 * an arena copy, and make every later read of the field look it up and parse it again.
 */
static bool holds_already(const struct rule *r, const struct expr_env *env, const char *text, size_t len)
{
	if (r->slot == EXPR_NO_SLOT)
		return false;
	const struct expr_memo *m = &env->memo[r->slot];
	return m->stamp == env->now && m->value.type == EXPR_TEXT && strncmp(m->value.text, text, len) == 0 &&
	       m->value.text[len] == '\0';
}

/*
 * Whether x is the number a rule wrote into this field, with nothing changed since: stored again without
 * rounding, it would give the same text (a cents or whole count's double reads back to the same count), so
 * not even formatting it is needed. Plain numbers keep millionths, which need not read back exactly.
 */
static bool holds_number(const struct rule *r, const struct expr_env *env, double x)
{
	if (r->slot == EXPR_NO_SLOT || r->round_to || r->kind == TARGET_TEXT)
		return false;
	const struct expr_memo *m = &env->memo[r->slot];
	return m->stamp == env->now && m->value.text == m->text && m->value.number == x;
}

/* Writes an expression's result into the rule's field. */
static int store_value(const struct rule *r, const char *key, struct product *p, const struct expr_value *v,
                       struct rules_state *st, struct expr_env *env, struct row_error *err)
{
	char number[40];
	double x;
	if (v->type == EXPR_NONE) {
		if (product_get(p, r->field))
			product_set(p, r->field, "");
		product_changed(st, env);
		return 0;
	}
	if (v->type == EXPR_TEXT && r->kind == TARGET_TEXT && !r->round_to) {
		write_field(r, p, st, env, v->text, strlen(v->text));
		return 0;
	}
	if (!expr_number(v, &x)) {
		if (v->origin)
			return rule_fail(err, r, key, p, "`%s` is '%.40s', not a number", v->origin, v->text);
		return rule_fail(err, r, key, p, "the result '%.40s' is not a number", v->text);
	}
	if (holds_number(r, env, x))
		return 0;
	int len = format_result(r, key, p, x, number, &x, err);
	if (len < 0)
		return -1;
	if (holds_already(r, env, number, (size_t)len))
		return 0; /* the product did not change: neither copy the text nor make the memo stale */
	write_field(r, p, st, env, number, (size_t)len);
	remember(r, env, number, (size_t)len, x);
	return 0;
}

/* Runs one rule: -1 with err set when it fails; *applied says whether it wrote anything. */
static int apply_rule(const struct rule *r, struct product *p, struct rules_state *st, struct expr_env *env,
                      bool *applied, struct row_error *err)
{
	struct expr_value v;
	char msg[300];
	const struct expr *e = r->to;
	const char *key = r->is_template ? "template" : "to";
	*applied = true;
	if (r->when) {
		if (expr_eval(r->when, env, &v, msg, sizeof(msg)) < 0)
			return rule_fail(err, r, "when", p, "%s", msg);
		bool yes = expr_truth(&v);
		if (!yes && !r->otherwise) {
			*applied = false;
			return 0;
		}
		if (!yes) {
			e = r->otherwise;
			key = "else";
		}
	}
	if (r->is_template && e == r->to) {
		render_template(r, env, &st->text);
		write_field(r, p, st, env, sb_str(&st->text), st->text.len);
		return 0;
	}
	if (expr_eval(e, env, &v, msg, sizeof(msg)) < 0)
		return rule_fail(err, r, key, p, "%s", msg);
	return store_value(r, key, p, &v, st, env, err);
}

int rules_apply(const struct rules *rs, struct product *p, const struct record *rec, struct rules_state *st,
                rules_trace_fn trace, void *trace_ctx, struct row_error *err)
{
	if (!rs || !rs->n)
		return 0;
	if (st->n_memo < rs->n_slots) { /* once per row stage: warm rows do not allocate */
		free(st->memo);
		st->memo = xcalloc(rs->n_slots, sizeof(*st->memo));
		st->n_memo = rs->n_slots;
	}
	if (st->n_field_at < rs->n) {
		free(st->field_at);
		st->field_at = xcalloc(rs->n, sizeof(*st->field_at));
		st->n_field_at = rs->n;
	}
	st->now++; /* a new row: every entry is stale */
	struct expr_env env = {.product = p, .record = rec, .memo = st->memo, .row_stamp = st->now, .now = st->now};
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		char before[256];
		const char *old = trace ? product_get(p, r->field) : NULL;
		if (old)
			str_copy(before, old, sizeof(before)); /* the arena may move when the field is set */
		bool applied;
		if (apply_rule(r, p, st, &env, &applied, err) < 0)
			return -1;
		if (trace) {
			struct rule_step step = {.rule = i, .field = r->field, .before = old ? before : NULL,
			                         .after = product_get(p, r->field), .applied = applied};
			trace(trace_ctx, &step);
		}
	}
	return 0;
}
