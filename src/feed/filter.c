#include "feed/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "core/util.h"
#include "feed/jsoncheck.h"

enum filter_op { OP_EQ, OP_NE, OP_CONTAINS, OP_NOT_CONTAINS, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_EMPTY, OP_NOT_EMPTY, OP_IN };

const char *const filter_op_names[] = {
	[OP_EQ] = "eq", [OP_NE] = "ne", [OP_CONTAINS] = "contains", [OP_NOT_CONTAINS] = "not_contains",
	[OP_GT] = "gt", [OP_GTE] = "gte", [OP_LT] = "lt", [OP_LTE] = "lte",
	[OP_EMPTY] = "empty", [OP_NOT_EMPTY] = "not_empty", [OP_IN] = "in", [OP_IN + 1] = NULL,
};

#define OP_LIST "eq, ne, contains, not_contains, gt, gte, lt, lte, empty, not_empty, in"

/* Room for any canonical number normalize_decimal accepts. */
#define NUMBER_SIZE 160

struct filter_value {
	char *text;     /* as written in the rule */
	char *number;   /* canonical decimal, NULL when text is not a number */
	char *lower;    /* ASCII lower case, for contains */
	size_t len;
};

struct filter_rule {
	char *field;    /* canonical column */
	enum filter_op op;
	size_t n;
	struct filter_value *values;
};

struct filter {
	bool any;
	char decimal;   /* of the rows' numbers: '.', ',' or 0 for either (source.decimal_separator) */
	size_t n;
	struct filter_rule *rules;
};

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* ---- compiling -------------------------------------------------------------------------------------- */

static void value_init(struct filter_value *v, const char *text)
{
	char number[NUMBER_SIZE];
	v->text = xstrdup(text);
	v->number = normalize_decimal(text, number, sizeof(number)) ? xstrdup(number) : NULL;
	v->len = strlen(text);
	v->lower = xstrdup(text);
	for (char *c = v->lower; *c; c++)
		*c = ascii_lower(*c);
}

static void values_add(struct filter_rule *r, const char *text)
{
	r->values = xrealloc(r->values, (r->n + 1) * sizeof(*r->values));
	value_init(&r->values[r->n++], text);
}

static bool lookup_op(const char *name, enum filter_op *op)
{
	for (size_t i = 0; filter_op_names[i]; i++)
		if (strcmp(name, filter_op_names[i]) == 0) {
			*op = (enum filter_op)i;
			return true;
		}
	return false;
}

/* "in" takes an array of strings and numbers, or one string of comma-separated items. */
static void compile_in_values(struct filter_rule *r, const cJSON *value, const char *path, struct problems *pr)
{
	char where[256], num[64];
	if (cJSON_IsString(value)) {
		char *list = xstrdup(value->valuestring);
		for (char *save = NULL, *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save))
			if (*str_trim(item))
				values_add(r, str_trim(item));
		free(list);
	} else {
		size_t i = 0;
		for (const cJSON *it = value->child; it; it = it->next, i++) {
			if (cJSON_IsString(it) || cJSON_IsNumber(it))
				values_add(r, json_scalar_text(it, num, sizeof(num)));
			else
				problems_add(pr, json_path_at(where, sizeof(where), path, i),
				             "must be a string or a number, not %s", json_kind(it));
		}
	}
	if (r->n == 0 && (cJSON_IsString(value) || !value->child))
		problems_add(pr, path, "must list at least one value");
}

static void compile_value(struct filter_rule *r, const cJSON *rule, const char *path, struct problems *pr)
{
	char where[256], num[64];
	json_path(where, sizeof(where), path, "value");
	if (r->op == OP_EMPTY || r->op == OP_NOT_EMPTY)
		return;
	int types = r->op == OP_IN ? cJSON_Array | cJSON_String : JSON_SCALAR;
	const cJSON *value = json_member(rule, "value", types, path, pr);
	if (!value) {
		if (!cJSON_GetObjectItemCaseSensitive(rule, "value"))
			problems_add(pr, where, "required (the value to compare with)");
		return;
	}
	if (r->op == OP_IN) {
		compile_in_values(r, value, where, pr);
		return;
	}
	values_add(r, json_scalar_text(value, num, sizeof(num)));
	bool numeric = r->op == OP_GT || r->op == OP_GTE || r->op == OP_LT || r->op == OP_LTE;
	if (numeric && !r->values[0].number)
		problems_add(pr, where, "'%s' is not a number (%s compares numbers)", r->values[0].text,
		             filter_op_names[r->op]);
}

static void compile_rule(struct filter_rule *r, const cJSON *rule, const struct alias_table *aliases,
                         const char *path, struct problems *pr)
{
	static const char *const keys[] = {"field", "op", "value", NULL};
	if (!cJSON_IsObject(rule)) {
		problems_add(pr, path, "must be an object like {\"field\": \"quantity\", \"op\": \"gt\", \"value\": \"0\"}, "
		             "not %s", json_kind(rule));
		return;
	}
	json_check_keys(rule, keys, path, pr);
	const char *field = json_required_string(rule, "field", "a column name, like \"quantity\"", path, pr);
	if (field) {
		char canonical[256];
		r->field = xstrdup(normalize_column(aliases, field, canonical, sizeof(canonical)));
	}
	const char *op = json_required_string(rule, "op", OP_LIST, path, pr);
	if (!op)
		return;
	if (!lookup_op(op, &r->op)) {
		char where[256];
		problems_add(pr, json_path(where, sizeof(where), path, "op"), "unknown operator '%s' (" OP_LIST ")", op);
		return;
	}
	compile_value(r, rule, path, pr);
}

static void compile_filter(struct filter *f, const cJSON *json, const struct alias_table *aliases,
                           const char *path, struct problems *pr)
{
	static const char *const keys[] = {"match", "rules", NULL};
	if (!cJSON_IsObject(json)) {
		problems_add(pr, path, "must be an object like {\"match\": \"all\", \"rules\": [...]}, not %s",
		             json_kind(json));
		return;
	}
	json_check_keys(json, keys, path, pr);
	const cJSON *match = json_member(json, "match", cJSON_String, path, pr);
	char where[256], item_path[256];
	if (match && strcmp(match->valuestring, "all") != 0) {
		f->any = strcmp(match->valuestring, "any") == 0;
		if (!f->any)
			problems_add(pr, json_path(where, sizeof(where), path, "match"),
			             "must be all or any, not '%s'", match->valuestring);
	}
	const cJSON *rules = json_member(json, "rules", cJSON_Array, path, pr);
	f->rules = xcalloc((size_t)cJSON_GetArraySize(rules), sizeof(*f->rules));
	json_path(where, sizeof(where), path, "rules");
	for (const cJSON *rule = rules ? rules->child : NULL; rule; rule = rule->next, f->n++)
		compile_rule(&f->rules[f->n], rule, aliases, json_path_at(item_path, sizeof(item_path), where, f->n),
		             pr);
}

struct filter *filter_compile(const cJSON *json, const struct alias_table *aliases, const char *path,
                              struct problems *problems)
{
	size_t before = problems->n;
	struct filter *f = xcalloc(1, sizeof(*f));
	if (json && !cJSON_IsNull(json))
		compile_filter(f, json, aliases, path, problems);
	if (problems->n > before) {
		filter_free(f);
		return NULL;
	}
	return f;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		struct filter_rule *r = &f->rules[i];
		for (size_t k = 0; k < r->n; k++) {
			free(r->values[k].text);
			free(r->values[k].number);
			free(r->values[k].lower);
		}
		free(r->values);
		free(r->field);
	}
	free(f->rules);
	free(f);
}

void filter_set_decimal_separator(struct filter *f, char decimal)
{
	if (f)
		f->decimal = decimal;
}

/* ---- matching --------------------------------------------------------------------------------------- */

/* A rule's verdict on a row: a numeric rule cannot say yes or no to a value that is not a number. T_FALSE
 * and T_TRUE are false and true, so the operators that always decide return their bool as it is. */
enum truth { T_FALSE = false, T_TRUE = true, T_UNKNOWN };

static bool is_zero(const char *s)
{
	return strspn(s, "0.") == strlen(s);
}

/* Compares two numbers' magnitudes in normalize_decimal's form: no leading zeros, '.' before decimals. */
static int magnitude_cmp(const char *a, const char *b)
{
	size_t ia = strcspn(a, "."), ib = strcspn(b, ".");
	if (ia != ib)
		return ia < ib ? -1 : 1;
	int c = memcmp(a, b, ia);
	if (c)
		return c < 0 ? -1 : 1;
	a += ia + (a[ia] == '.');
	b += ib + (b[ib] == '.');
	while (*a || *b) {
		char da = *a ? *a++ : '0', db = *b ? *b++ : '0';
		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

/* Exact comparison of canonical decimals: no floating point, so 20-digit codes compare right too. */
static int decimal_cmp(const char *a, const char *b)
{
	bool na = *a == '-', nb = *b == '-';
	a += na;
	b += nb;
	na = na && !is_zero(a);
	nb = nb && !is_zero(b);
	if (na != nb)
		return na ? -1 : 1;
	int c = magnitude_cmp(a, b);
	return na ? -c : c;
}

/* Equal as text, or as numbers when both are ("1.0" eq 1; with ',' as the separator "1.000" eq 1000). */
static bool value_equals(const struct filter *f, const char *v, const struct filter_value *want)
{
	char number[NUMBER_SIZE];
	if (strcmp(v, want->text) == 0)
		return true;
	return want->number && normalize_number(v, f->decimal, number, sizeof(number)) &&
	       decimal_cmp(number, want->number) == 0;
}

static bool contains_ignoring_case(const char *hay, const struct filter_value *needle)
{
	if (!needle->len)
		return true;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < needle->len && ascii_lower(hay[i]) == needle->lower[i])
			i++;
		if (i == needle->len)
			return true;
	}
	return false;
}

/* Whitespace-only cells count as empty: spreadsheets leave them behind. */
static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static void describe_rule(struct strbuf *sb, const struct filter_rule *r);

/* The value a numeric rule cannot read, in the mapping's words for a price that does not read. */
static void unreadable(const struct filter *f, const struct filter_rule *r, const char *v, enum price_read read,
                       struct filter_problem *why)
{
	if (!why)
		return;
	char reason[128];
	struct strbuf rule = {0};
	normalize_price_problem(read, f->decimal, reason, sizeof(reason));
	describe_rule(&rule, r);
	size_t len = strlen(v), shown = utf8_valid_prefix(v, len < 40 ? len : 40);
	str_copy(why->column, r->field, sizeof(why->column));
	snprintf(why->message, sizeof(why->message), "'%.*s%s' in column %s %s, so the filter rule `%s` cannot "
	         "compare it", (int)shown, v, shown < len ? "..." : "", r->field, reason, sb_str(&rule));
	sb_free(&rule);
}

/*
 * gt, gte, lt and lte read the value as the mapping reads a price (a currency before or after it, the
 * configured decimal separator). An empty value never passes; any other value that does not read cannot
 * be compared: T_UNKNOWN, with why filled when it is not NULL.
 */
static enum truth compare_numbers(const struct filter *f, const struct filter_rule *r, const char *v,
                                  struct filter_problem *why)
{
	char number[NUMBER_SIZE], currency[4];
	if (is_blank(v))
		return T_FALSE;
	enum price_read read = normalize_price(v, f->decimal, number, sizeof(number), currency);
	if (read != PRICE_OK) {
		unreadable(f, r, v, read, why);
		return T_UNKNOWN;
	}
	int c = decimal_cmp(number, r->values[0].number);
	switch (r->op) {
	case OP_GT: return c > 0;
	case OP_GTE: return c >= 0;
	case OP_LT: return c < 0;
	default: return c <= 0;
	}
}

static bool in_values(const struct filter *f, const struct filter_rule *r, const char *v)
{
	for (size_t i = 0; i < r->n; i++)
		if (value_equals(f, v, &r->values[i]))
			return true;
	return false;
}

static enum truth rule_matches(const struct filter *f, const struct filter_rule *r, const struct record *rec,
                               struct filter_problem *why)
{
	const char *v = record_get(rec, r->field);
	if (!v)
		v = "";
	switch (r->op) {
	case OP_EQ: return value_equals(f, v, &r->values[0]);
	case OP_NE: return !value_equals(f, v, &r->values[0]);
	case OP_CONTAINS: return contains_ignoring_case(v, &r->values[0]);
	case OP_NOT_CONTAINS: return !contains_ignoring_case(v, &r->values[0]);
	case OP_EMPTY: return is_blank(v);
	case OP_NOT_EMPTY: return !is_blank(v);
	case OP_IN: return in_values(f, r, v);
	default: return compare_numbers(f, r, v, why);
	}
}

/*
 * A rule that fails decides "all" (skip), one that passes decides "any" (pass), whatever the others say;
 * only when no rule decides does a rule that could not read its value make the row unreadable. The first
 * such rule is the one named.
 */
enum filter_result filter_match(const struct filter *f, const struct record *rec, struct filter_problem *why)
{
	if (!f || f->n == 0)
		return FILTER_PASS;
	bool unknown = false;
	for (size_t i = 0; i < f->n; i++) {
		enum truth t = rule_matches(f, &f->rules[i], rec, unknown ? NULL : why);
		if (t == T_UNKNOWN)
			unknown = true;
		else if ((t == T_TRUE) == f->any)
			return f->any ? FILTER_PASS : FILTER_SKIP;
	}
	if (unknown)
		return FILTER_UNREADABLE;
	return f->any ? FILTER_SKIP : FILTER_PASS;
}

/* ---- describing ------------------------------------------------------------------------------------- */

static void describe_value(struct strbuf *sb, const char *text)
{
	if (*text && !strpbrk(text, " ,()\"")) {
		sb_adds(sb, text);
		return;
	}
	sb_addc(sb, '"');
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *text);
	}
	sb_addc(sb, '"');
}

static void describe_rule(struct strbuf *sb, const struct filter_rule *r)
{
	sb_addf(sb, "%s %s", r->field, filter_op_names[r->op]);
	if (r->op == OP_IN)
		sb_adds(sb, " (");
	for (size_t k = 0; k < r->n; k++) {
		sb_adds(sb, k ? ", " : r->op == OP_IN ? "" : " ");
		describe_value(sb, r->values[k].text);
	}
	if (r->op == OP_IN)
		sb_addc(sb, ')');
}

char *filter_describe(const struct filter *f)
{
	if (!f || f->n == 0)
		return xstrdup("every row");
	struct strbuf sb = {0};
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			sb_adds(&sb, f->any ? " or " : " and ");
		describe_rule(&sb, &f->rules[i]);
	}
	return sb_detach(&sb);
}

const char *filter_field(const struct filter *f, size_t i)
{
	return i < f->n ? f->rules[i].field : NULL;
}

bool filter_uses(const struct filter *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (str_eq(f->rules[i].field, name))
			return true;
	return false;
}
