/* rules and their expression language: parsing, errors with positions, evaluation, rounding, no allocation. */
#include "feed/expr.h"
#include "feed/rules.h"

#include "core/problems.h"

#include <criterion/criterion.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- expressions ------------------------------------------------------------------------------------ */

/* Test names: the product's price fields read as fields, "nope" is unknown, anything else is a column. */
static bool test_resolve(void *ctx, const char *name, enum expr_source *source, char *out, size_t size,
                         char *hint, size_t hint_size, size_t *slot)
{
	(void)ctx;
	*slot = EXPR_NO_SLOT;
	static const char *const fields[] = {"regular_price", "sale_price", "stock_quantity", "sku", NULL};
	if (strcmp(name, "nope") == 0) {
		str_copy(hint, "(test)", hint_size);
		return false;
	}
	*source = str_in(name, fields) ? EXPR_FIELD : EXPR_COLUMN;
	if (*source == EXPR_FIELD)
		str_copy(out, name, size);
	else
		normalize_column(NULL, name, out, size);
	return true;
}

static struct expr *compile_ok(const char *text)
{
	char err[512];
	struct expr *e = expr_compile(text, test_resolve, NULL, err, sizeof(err));
	cr_assert_not_null(e, "%s: %s", text, err);
	return e;
}

static void expect_compile_error(const char *text, const char *message)
{
	char err[512];
	struct expr *e = expr_compile(text, test_resolve, NULL, err, sizeof(err));
	cr_assert_null(e, "should not compile: %s", text);
	cr_expect_str_eq(err, message, "%s: got '%s'", text, err);
}

/* A product and a row for evaluating against. */
struct fixture {
	struct product p;
	const char *names[8];
	const char *values[8];
	struct record rec;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	product_set(&f->p, "regular_price", "10.00");
	product_set(&f->p, "sku", "A1");
	product_set(&f->p, "stock_quantity", "7");
	static const char *const names[] = {"price", "cost", "brand", "cost_price", "zero", "junk"};
	static const char *const values[] = {"10,00", "4", "Acme", "3.5", "0", "abc"};
	memcpy(f->names, names, sizeof(names));
	memcpy(f->values, values, sizeof(values));
	f->rec = (struct record){.n = ARRAY_LEN(names), .names = f->names, .values = f->values, .line = 2};
}

/* Compiles and evaluates text against the fixture: expr_eval's result, with a number (NAN for none) or err. */
static int eval_text(const char *text, double *number, char *err, size_t err_size)
{
	struct fixture f;
	fixture_init(&f);
	struct expr *e = compile_ok(text);
	struct expr_env env = {.product = &f.p, .record = &f.rec};
	struct expr_value v;
	int rc = expr_eval(e, &env, &v, err, err_size);
	*number = NAN;
	if (rc == 0 && v.type != EXPR_NONE)
		cr_assert(expr_number(&v, number), "%s is not a number", text);
	expr_free(e);
	product_free(&f.p);
	return rc;
}

static double eval_number(const char *text)
{
	char err[256];
	double x;
	cr_assert_eq(eval_text(text, &x, err, sizeof(err)), 0, "%s: %s", text, err);
	return x;
}

static void expect_eval_error(const char *text, const char *message)
{
	char err[256];
	double x;
	cr_assert_eq(eval_text(text, &x, err, sizeof(err)), -1, "%s should fail", text);
	cr_expect_str_eq(err, message, "%s: got '%s'", text, err);
}

static void expect_number(const char *text, double want)
{
	double got = eval_number(text);
	cr_expect(fabs(got - want) < 1e-12, "%s: got %.17g, expected %.17g", text, got, want);
}

Test(expr, arithmetic_precedence_and_unary_minus)
{
	expect_number("1 + 2 * 3", 7);
	expect_number("(1 + 2) * 3", 9);
	expect_number("-(2 + 3) - -1", -4);
	expect_number("10 / 4", 2.5);
	expect_number("2 - 1 - 1", 0);
	expect_number(".5 * 4", 2);
}

/* A number on the right of an operator is compiled into it: jumps that end before it still land on it. */
Test(expr, a_number_on_the_right_is_the_operators_own)
{
	expect_number("if(1 > 2, 10, 20) * 2", 40);
	expect_number("if(1 < 2, 10, 20) * 2", 20);
	expect_number("(0 or 1) * 3", 3);
	expect_number("(1 and 0) + 5", 5);
	expect_number("10 - 2 - 3", 5);
	expect_number("price * -1", -10);
	expect_number("price * 1.19 + 5 > 16.8", 1);
	expect_number("has(none + 1)", 0);
	expect_eval_error("cost / 0", "position 6: division by zero");
}

Test(expr, names_read_fields_and_columns_with_either_separator)
{
	expect_number("regular_price + price", 20);       /* "10,00" from the feed */
	expect_number("`Cost price` * 2", 7);              /* folded to cost_price */
	expect_number("stock_quantity", 7);
}

Test(expr, functions)
{
	expect_number("min(3, 1, 2)", 1);
	expect_number("max(cost, price)", 10);
	expect_number("round(2.5)", 3);
	expect_number("round(-2.5)", -3);
	expect_number("round(1.005, 2)", 1.01);
	expect_number("floor(2.7) + ceil(2.1)", 5);
	expect_number("floor(0.1 * 30)", 3);
	expect_number("abs(-3)", 3);
	expect_number("if(1 > 2, 10, 20)", 20);
	expect_number("IF(1 < 2, 10, 20)", 10);
}

Test(expr, comparisons_and_logic)
{
	expect_number("0.1 + 0.2 = 0.3", 1);
	expect_number("price = 10", 1);                    /* "10,00" read as a number */
	expect_number("brand = 'Acme' and not brand != 'Acme'", 1);
	expect_number("brand <> 'acme'", 1);
	expect_number("1 <= 1 and 2 >= 3", 0);
	expect_number("0 or 2 > 1", 1);
	expect_number("not 0 AND 1", 1);
}

Test(expr, the_branch_not_taken_is_not_evaluated)
{
	expect_number("if(zero > 0, cost / zero, 0)", 0);
	expect_number("zero > 0 and cost / zero > 1", 0);
	expect_number("zero = 0 or cost / zero > 1", 1);
}

Test(expr, none_propagates_and_min_max_skip_it)
{
	cr_expect(isnan(eval_number("sale_price * 2")));     /* the product has none */
	cr_expect(isnan(eval_number("missing_column + 1")));
	cr_expect(isnan(eval_number("none")));
	expect_number("max(sale_price, 5)", 5);
	expect_number("sale_price < 100", 0);
	expect_number("sale_price >= 100", 0);
	expect_number("has(sale_price) + has(regular_price)", 1);
	expect_number("if(sale_price, 1, 2)", 2);
}

Test(expr, compile_errors_name_the_position)
{
	expect_compile_error("maxx(price, 1)",
	                     "position 1: unknown function `maxx` (min, max, round, floor, ceil, abs, if, has)");
	expect_compile_error("price * 1.19 + nope", "position 16: unknown field `nope` (test)");
	expect_compile_error("1 +", "position 4: the expression ends too early (a value is missing)");
	expect_compile_error("price @ 2", "position 7: unexpected character '@'");
	expect_compile_error("(price + 1", "position 11: expected ')' to close the '(' at position 1");
	expect_compile_error("price 2", "position 7: unexpected '2' after a complete expression (a missing operator?)");
	expect_compile_error("", "position 1: the expression is empty");
	expect_compile_error("'abc", "position 1: text does not end (a missing ')");
	expect_compile_error("`a b", "position 1: a quoted name does not end (a missing `)");
	expect_compile_error("round(1, 2, 3)", "position 1: round takes 1 or 2 arguments, not 3");
	expect_compile_error("abs()", "position 5: expected a value, found ')'");
	expect_compile_error("if(1, 2)", "position 1: if takes 3 arguments: if(condition, then, else)");
	/* positions count characters, not bytes */
	expect_compile_error("ă + maxx(1)",
	                     "position 5: unknown function `maxx` (min, max, round, floor, ceil, abs, if, has)");
}

Test(expr, nesting_beyond_the_stack_is_refused)
{
	char text[512] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "1+(");
	strcat(text, "1");
	for (int i = 0; i < 40; i++)
		strcat(text, ")");
	char err[256];
	cr_expect_null(expr_compile(text, test_resolve, NULL, err, sizeof(err)));
	cr_expect(strstr(err, "nests too deeply"), "%s", err);
}

Test(expr, evaluation_errors_name_the_position_and_value)
{
	expect_eval_error("cost / zero", "position 6: division by zero");
	expect_eval_error("junk * 2", "position 6: `junk` is 'abc', not a number");
	expect_eval_error("'x' < 1", "position 5: 'x' is not a number");
	expect_eval_error("round(1, 7)", "position 1: round's decimals must be a whole number from 0 to 6, not 7");
}

Test(expr, numbers_parse_without_the_locale)
{
	double x;
	cr_assert(expr_parse_number("1.234,56", &x));
	cr_expect_float_eq(x, 1234.56, 1e-9);
	cr_assert(expr_parse_number(" 12,5 ", &x));
	cr_expect_float_eq(x, 12.5, 1e-12);
	cr_expect_not(expr_parse_number("12 apples", &x));
	struct {
		const char *text;
		double want;
	} plain[] = {{"-0.5", -0.5}, {"007", 7}, {"1.234", 1.234}, {"0.1", 0.1}, {"123456789012345678901", 123456789012345678901.0},
	             {"9003.09", 9003.09}, {"-12", -12}};
	for (size_t i = 0; i < ARRAY_LEN(plain); i++) {
		cr_assert(expr_parse_number(plain[i].text, &x), "%s", plain[i].text);
		cr_expect(x == plain[i].want, "%s read as %.17g", plain[i].text, x);
	}
	cr_expect_not(expr_parse_number("1.", &x));
	cr_expect_not(expr_parse_number("", &x));
}

/* ---- rules ------------------------------------------------------------------------------------------ */

static char *const required[] = {"sku", "cost", "size", NULL};

struct compiled {
	struct mapping *mapping;
	struct rules *rules;
};

static struct compiled compile_rules(const char *json_text)
{
	struct problems pr = {0};
	struct compiled c = {.mapping = mapping_compile(NULL, NULL, "mapping", &pr)};
	cJSON *json = cJSON_Parse(json_text);
	cr_assert_not_null(json, "bad test JSON: %s", json_text);
	c.rules = rules_compile(json, c.mapping, NULL, required, "rules", &pr);
	char *all = problems_join(&pr, "  ");
	cr_assert_not_null(c.rules, "unexpected problems:\n%s", all);
	free(all);
	problems_free(&pr);
	cJSON_Delete(json);
	return c;
}

static void compiled_free(struct compiled *c)
{
	rules_free(c->rules);
	mapping_free(c->mapping);
}

static void expect_rules_error(const char *json_text, const char *message)
{
	struct problems pr = {0};
	struct mapping *m = mapping_compile(NULL, NULL, "mapping", &pr);
	cJSON *json = cJSON_Parse(json_text);
	cr_assert_not_null(json, "bad test JSON: %s", json_text);
	cr_assert_null(rules_compile(json, m, NULL, required, "rules", &pr), "should not compile: %s", json_text);
	char *all = problems_join(&pr, "");
	cr_expect(strstr(all, message), "expected '%s' in:\n%s", message, all);
	free(all);
	problems_free(&pr);
	cJSON_Delete(json);
	mapping_free(m);
}

/* A row as the mapping leaves it: name/value pairs for the product, then the feed's columns. */
struct row {
	struct product p;
	const char *names[8];
	const char *values[8];
	struct record rec;
	struct rules_state state;
	struct row_error err;
};

static void row_init(struct row *r, const char *const *product_pairs, const char *const *column_pairs)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; product_pairs[i]; i += 2)
		product_set(&r->p, product_pairs[i], product_pairs[i + 1]);
	size_t n = 0;
	for (; column_pairs && column_pairs[2 * n]; n++) {
		r->names[n] = column_pairs[2 * n];
		r->values[n] = column_pairs[2 * n + 1];
	}
	r->rec = (struct record){.n = n, .names = r->names, .values = r->values, .line = 3};
}

static void row_free(struct row *r)
{
	product_free(&r->p);
	rules_state_free(&r->state);
}

static int apply(struct compiled *c, struct row *r)
{
	return rules_apply(c->rules, &r->p, &r->rec, &r->state, NULL, NULL, &r->err);
}

/* Applies one rule document to a product with the given price and returns the field's value (static). */
static const char *price_after(const char *rules_json, const char *price)
{
	static char out[64];
	struct compiled c = compile_rules(rules_json);
	struct row r;
	row_init(&r, (const char *const[]){"regular_price", price, "sku", "A1", NULL}, NULL);
	cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	const char *v = product_get(&r.p, "regular_price");
	str_copy(out, v ? v : "(absent)", sizeof(out));
	row_free(&r);
	compiled_free(&c);
	return out;
}

Test(rules, money_is_exact_cents)
{
	cr_expect_str_eq(price_after("[{\"set\": \"regular_price\", \"to\": \"regular_price * 1.19\"}]", "10.91"),
	                 "12.98");
	cr_expect_str_eq(price_after("[{\"set\": \"regular_price\", \"to\": \"regular_price * 100 / 100\"}]", "1.005"),
	                 "1.01");
	cr_expect_str_eq(price_after("[{\"set\": \"regular_price\", \"to\": \"regular_price + 0.1 + 0.2\"}]", "0"),
	                 "0.30");
	cr_expect_str_eq(price_after("[{\"set\": \"regular_price\", \"to\": \"regular_price * 3\"}]", "4.33"),
	                 "12.99");
}

/* The arena's size after the rules ran on a product with regular_price 5.00; the product's fields in *json. */
static size_t arena_after(const char *rules_json, char **json)
{
	struct compiled c = compile_rules(rules_json);
	struct row r;
	row_init(&r, (const char *const[]){"regular_price", "5.00", "sku", "A1", NULL}, NULL);
	cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	size_t len = r.p.arena.len;
	*json = product_to_json(&r.p);
	row_free(&r);
	compiled_free(&c);
	return len;
}

Test(rules, money_is_written_with_every_digit)
{
	const char *same = "[{\"set\": \"regular_price\", \"to\": \"regular_price * 1\"}]";
	const char *const cases[][2] = {{"0", "0.00"}, {"0.05", "0.05"}, {"9.9", "9.90"}, {"10", "10.00"},
	                                {"100", "100.00"}, {"1234567.89", "1234567.89"}, {"1000000", "1000000.00"},
	                                {"99999999999.99", "99999999999.99"}, {"123456789012.34", "123456789012.34"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(price_after(same, cases[i][0]), cases[i][1]);
}

Test(rules, a_result_the_field_holds_already_is_not_written_again)
{
	char *once, *twice;
	size_t len_once = arena_after("[{\"set\": \"regular_price\", \"to\": \"regular_price * 2\"},"
	                              " {\"set\": \"sale_price\", \"to\": \"regular_price - 1\"}]", &once);
	size_t len_twice = arena_after("[{\"set\": \"regular_price\", \"to\": \"regular_price * 2\"},"
	                               " {\"set\": \"regular_price\", \"to\": \"max(regular_price, 1)\"},"
	                               " {\"set\": \"sale_price\", \"to\": \"regular_price - 1\"}]", &twice);
	cr_expect_str_eq(twice, "{\"regular_price\":\"10.00\",\"sale_price\":\"9.00\",\"sku\":\"A1\"}");
	cr_expect_str_eq(twice, once);
	cr_expect_eq(len_twice, len_once, "the unchanged price was copied again: %zu bytes, not %zu", len_twice,
	             len_once);
	free(once);
	free(twice);
}

Test(rules, a_result_equal_to_the_feeds_text_is_not_written_again)
{
	char *kept, *untouched;
	size_t len_kept = arena_after("[{\"set\": \"regular_price\", \"to\": \"max(regular_price, 1)\"}]", &kept);
	size_t len_untouched = arena_after("[{\"set\": \"regular_price\", \"to\": \"1\", \"when\": "
	                                   "\"regular_price < 0\"}]", &untouched);
	cr_expect_str_eq(kept, "{\"regular_price\":\"5.00\",\"sku\":\"A1\"}");
	cr_expect_str_eq(kept, untouched);
	cr_expect_eq(len_kept, len_untouched, "5.00 was copied again: %zu bytes, not %zu", len_kept, len_untouched);
	free(kept);
	free(untouched);
}

Test(rules, round_to_multiples_and_endings)
{
	const char *fmt = "[{\"set\": \"regular_price\", \"to\": \"regular_price\", \"round_to\": %s%s}]";
	struct {
		const char *round_to, *mode, *price, *want;
	} cases[] = {
		{"0.05", "", "12.97", "12.95"},   {"0.05", "", "12.98", "13.00"},  {"1", "", "12.50", "13.00"},
		{"1", ", \"round\": \"down\"", "12.99", "12.00"},                  {"10", "", "14.99", "10.00"},
		{"0.99", "", "12.10", "11.99"},   {"0.99", "", "12.60", "12.99"},  {"0.99", "", "12.99", "12.99"},
		{"0.99", ", \"round\": \"up\"", "12.10", "12.99"},                 {"0.99", ", \"round\": \"up\"", "13.00", "13.99"},
		{"0.95", ", \"round\": \"down\"", "13.50", "12.95"},               {"0.5", "", "12.30", "12.50"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char json[256];
		snprintf(json, sizeof(json), fmt, cases[i].round_to, cases[i].mode);
		cr_expect_str_eq(price_after(json, cases[i].price), cases[i].want, "round_to %s%s of %s", cases[i].round_to,
		                 cases[i].mode, cases[i].price);
	}
}

Test(rules, margin_sale_price_stock_and_template)
{
	struct compiled c = compile_rules("["
		"{\"set\": \"regular_price\", \"to\": \"price * 1.19 + 5\", \"round_to\": 0.99},"
		"{\"set\": \"regular_price\", \"to\": \"max(regular_price, cost * 1.15)\"},"
		"{\"set\": \"sale_price\", \"to\": \"sale_price\", \"when\": \"sale_price < regular_price\", \"else\": \"none\"},"
		"{\"set\": \"stock_quantity\", \"to\": \"min(stock_quantity, 50)\"},"
		"{\"set\": \"stock_quantity\", \"to\": \"0\", \"when\": \"stock_quantity < 3\"},"
		"{\"set\": \"name\", \"template\": \"{brand} {name} {size} {{new}}\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A2", "name", "Hat", "regular_price", "20", "sale_price", "40.00",
	                                   "stock_quantity", "2", "brand", " ", NULL},
	         (const char *const[]){"price", "20", "cost", "30", "size", "", NULL});
	cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	cr_expect_str_eq(product_get(&r.p, "regular_price"), "34.50");  /* 28.99 is below the margin */
	cr_expect_str_eq(product_get(&r.p, "sale_price"), "");           /* not lower: cleared */
	cr_expect_str_eq(product_get(&r.p, "stock_quantity"), "0");
	cr_expect_str_eq(product_get(&r.p, "name"), "Hat {new}");         /* blank brand and size squeezed out */
	row_free(&r);
	compiled_free(&c);
}

Test(rules, a_false_when_without_else_leaves_the_field)
{
	struct compiled c = compile_rules("[{\"set\": \"sale_price\", \"to\": \"1\", \"when\": \"regular_price > 100\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", "regular_price", "20", NULL}, NULL);
	cr_assert_eq(apply(&c, &r), 0);
	cr_expect_null(product_get(&r.p, "sale_price"));
	row_free(&r);
	compiled_free(&c);
}

static void expect_row_error(const char *rules_json, const char *stock, const char *message)
{
	struct compiled c = compile_rules(rules_json);
	struct row r;
	row_init(&r, (const char *const[]){"sku", "B7", "regular_price", "10", "stock_quantity", stock, NULL},
	         (const char *const[]){"cost", "abc", NULL});
	cr_assert_eq(apply(&c, &r), -1, "%s should fail", rules_json);
	cr_expect_str_eq(r.err.code, "rule_failed");
	cr_expect_str_eq(r.err.message, message);
	row_free(&r);
	compiled_free(&c);
}

Test(rules, failing_rows_name_the_rule_and_the_sku)
{
	expect_row_error("[{\"set\": \"name\", \"template\": \"x\"}, {\"set\": \"regular_price\", \"to\": \"regular_price / stock_quantity\"}]", "0",
	                 "rules[1].to: position 15: division by zero (setting regular_price of SKU B7)");
	expect_row_error("[{\"set\": \"regular_price\", \"to\": \"cost * 2\"}]", "1",
	                 "rules[0].to: position 6: `cost` is 'abc', not a number (setting regular_price of SKU B7)");
	expect_row_error("[{\"set\": \"stock_quantity\", \"to\": \"stock_quantity / 2\"}]", "5",
	                 "rules[0].to: the result 2.5 is not a whole number (stock_quantity counts items: use floor, ceil or "
	                 "round) (setting stock_quantity of SKU B7)");
	expect_row_error("[{\"set\": \"regular_price\", \"to\": \"regular_price - 11\"}]", "1",
	                 "rules[0].to: the result -1.00 is negative (setting regular_price of SKU B7)");
	expect_row_error("[{\"set\": \"sale_price\", \"to\": \"1\", \"when\": \"1 / (stock_quantity - 1)\"}]", "1",
	                 "rules[0].when: position 3: division by zero (setting sale_price of SKU B7)");
}

Test(rules, plain_numbers_in_text_fields)
{
	struct compiled c = compile_rules("[{\"set\": \"weight\", \"to\": \"cost / 8\"}, {\"set\": \"ean\", \"to\": \"cost * 1000\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", NULL}, (const char *const[]){"cost", "3", NULL});
	cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	cr_expect_str_eq(product_get(&r.p, "weight"), "0.375");
	cr_expect_str_eq(product_get(&r.p, "ean"), "3000");
	row_free(&r);
	compiled_free(&c);
}

Test(rules, saving_refuses_bad_rules_with_rule_key_and_position)
{
	expect_rules_error("[{\"set\": \"regular_price\", \"to\": \"1\"}, {\"set\": \"x\", \"to\": \"1\"},"
	                   " {\"set\": \"regular_price\", \"to\": \"maxx(price, 1)\"}]",
	                   "rules[2].to: position 1: unknown function `maxx`");
	expect_rules_error("[{\"set\": \"regular_price\", \"to\": \"price * colour\"}]",
	                   "rules[0].to: position 9: unknown field `colour`");
	expect_rules_error("[{\"set\": \"name\", \"template\": \"{brand} {colour}\"}]",
	                   "rules[0].template: position 9: unknown field `colour`");
	expect_rules_error("[{\"set\": \"price\", \"to\": \"1\"}]",
	                   "rules[0].set: 'price' is a feed column; the product field is 'regular_price'");
	expect_rules_error("[{\"set\": \"sku\", \"to\": \"1\"}]", "rules[0].set: the SKU identifies the product");
	expect_rules_error("[{\"set\": \"stock_quantity\", \"template\": \"{name}\"}]",
	                   "rules[0].template: stock_quantity is a number");
	expect_rules_error("[{\"set\": \"name\", \"to\": \"1\", \"template\": \"x\"}]", "rules[0]: has both to and template");
	expect_rules_error("[{\"set\": \"name\"}]", "rules[0]: needs \"to\"");
	expect_rules_error("[{\"set\": \"name\", \"to\": null}]", "rules[0]: needs \"to\"");
	expect_rules_error("[{\"set\": \"regular_price\", \"to\": \"1\", \"round_to\": 0.001}]",
	                   "rules[0].round_to: 0.001 is finer than a cent");
	expect_rules_error("[{\"set\": \"regular_price\", \"to\": \"1\", \"round_to\": 1, \"round\": \"sideways\"}]",
	                   "rules[0].round: must be nearest, up or down");
	expect_rules_error("[{\"set\": \"name\", \"to\": \"1\", \"else\": \"2\"}]", "rules[0].else: needs a when");
	expect_rules_error("[{\"set\": \"name\", \"to\": \"1\", \"sett\": 1}]", "rules[0]: unknown key 'sett'");
	expect_rules_error("{\"set\": \"name\"}", "rules: must be an array");
	expect_rules_error("[{\"set\": \"name\", \"template\": \"{name\"}]", "rules[0].template: position 1: '{' does not close");
}

Test(rules, a_field_set_by_an_earlier_rule_is_known_to_later_ones)
{
	struct compiled c = compile_rules("[{\"set\": \"margin\", \"to\": \"price - cost\"},"
	                                  " {\"set\": \"regular_price\", \"to\": \"cost + margin * 2\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", NULL}, (const char *const[]){"price", "10", "cost", "6", NULL});
	cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	cr_expect_str_eq(product_get(&r.p, "regular_price"), "14.00");
	row_free(&r);
	compiled_free(&c);
}

/* Names read again come from the memo: it must follow the product as rules change it, and forget each row. */
Test(rules, values_read_again_follow_changes_and_rows)
{
	struct compiled c = compile_rules("["
		"{\"set\": \"regular_price\", \"to\": \"price * 2\"},"
		"{\"set\": \"note\", \"to\": \"regular_price\"},"
		"{\"set\": \"name\", \"template\": \"{brand} {name}\"},"
		"{\"set\": \"short_description\", \"to\": \"if(name = 'Acme Hat', price, regular_price + 1)\"},"
		"{\"set\": \"sale_price\", \"to\": \"regular_price - price\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", NULL}, NULL);
	const char *prices[] = {"5.25", "7"};
	const char *want_note[] = {"10.50", "14.00"}, *want_short[] = {"5.25", "7"}, *want_sale[] = {"5.25", "7.00"};
	for (int i = 0; i < 2; i++) {
		product_reset(&r.p);
		product_set(&r.p, "sku", "A1");
		product_set(&r.p, "brand", "Acme");
		product_set(&r.p, "name", "Hat");
		const char *cols[] = {"price", prices[i], NULL};
		r.names[0] = cols[0];
		r.values[0] = cols[1];
		r.rec.n = 1;
		cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
		cr_expect_str_eq(product_get(&r.p, "note"), want_note[i], "row %d", i);      /* the text as stored */
		cr_expect_str_eq(product_get(&r.p, "name"), "Acme Hat", "row %d", i);        /* read after the template */
		cr_expect_str_eq(product_get(&r.p, "short_description"), want_short[i], "row %d", i);
		cr_expect_str_eq(product_get(&r.p, "sale_price"), want_sale[i], "row %d", i); /* this row's price */
	}
	row_free(&r);
	compiled_free(&c);
}

/* A column is looked for first where it was in the last row, and still found (or missed) when it moved. */
Test(rules, columns_are_found_when_rows_order_them_differently)
{
	struct compiled c = compile_rules("[{\"set\": \"regular_price\", \"to\": \"price * 2\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", NULL}, NULL);
	const char *const rows[][5] = {{"price", "5", NULL}, {"cost", "1", "price", "7", NULL}, {"price", "8", NULL},
	                               {"cost", "3", NULL}};
	const char *want[] = {"10.00", "14.00", "16.00", NULL};
	for (int i = 0; i < 4; i++) {
		product_reset(&r.p);
		product_set(&r.p, "sku", "A1");
		size_t n = 0;
		for (; rows[i][2 * n]; n++) {
			r.names[n] = rows[i][2 * n];
			r.values[n] = rows[i][2 * n + 1];
		}
		r.rec.n = n;
		cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
		const char *got = product_get(&r.p, "regular_price");
		if (want[i])
			cr_expect_str_eq(got ? got : "(absent)", want[i], "row %d", i);
		else
			cr_expect_null(got, "row %d has no price: got %s", i, got);
	}
	row_free(&r);
	compiled_free(&c);
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks;
}

Test(rules, a_warm_row_does_not_allocate)
{
	struct compiled c = compile_rules("["
		"{\"set\": \"regular_price\", \"to\": \"price * 1.19 + 5\", \"round_to\": 0.99},"
		"{\"set\": \"sale_price\", \"to\": \"sale_price\", \"when\": \"sale_price < regular_price\", \"else\": \"none\"},"
		"{\"set\": \"stock_quantity\", \"to\": \"if(quantity < 3, 0, min(quantity, 50))\"},"
		"{\"set\": \"name\", \"template\": \"{brand} {name}\"}]");
	struct row r;
	row_init(&r, (const char *const[]){"sku", "A1", NULL},
	         (const char *const[]){"price", "12,50", "quantity", "7", NULL});
	size_t before = 0;
	for (int i = 0; i < 2000; i++) {
		if (i == 1000)
			before = heap_in_use();
		product_reset(&r.p);
		product_set(&r.p, "sku", "A1");
		product_set(&r.p, "brand", "Acme");
		product_set(&r.p, "name", "Shirt");
		product_set(&r.p, "regular_price", "12.50");
		product_set(&r.p, "sale_price", "11.00");
		cr_assert_eq(apply(&c, &r), 0, "%s", r.err.message);
	}
	cr_expect_eq(heap_in_use(), before, "the heap grew while rules ran on warm rows");
	cr_expect_str_eq(product_get(&r.p, "regular_price"), "19.99");
	cr_expect_str_eq(product_get(&r.p, "name"), "Acme Shirt");
	row_free(&r);
	compiled_free(&c);
}
