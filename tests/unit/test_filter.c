/* filter: compiling rules (with every error path), matching each operator, describing. */
#include "feed/filter.h"

#include "core/problems.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Compiles JSON text; expects success. */
static struct filter *compile(const char *json_text)
{
	cJSON *json = cJSON_Parse(json_text);
	cr_assert_not_null(json, "bad test JSON: %s", json_text);
	struct problems pr = {0};
	struct filter *f = filter_compile(json, NULL, "filters", &pr);
	char *all = problems_join(&pr, "  ");
	cr_assert_not_null(f, "unexpected problems:\n%s", all);
	cr_assert_eq(pr.n, 0);
	free(all);
	problems_free(&pr);
	cJSON_Delete(json);
	return f;
}

/* Compiles JSON text that must fail; returns the problems, one per line. */
static char *compile_errors(const char *json_text)
{
	cJSON *json = cJSON_Parse(json_text);
	cr_assert_not_null(json, "bad test JSON: %s", json_text);
	struct problems pr = {0};
	struct filter *f = filter_compile(json, NULL, "filters", &pr);
	cr_assert_null(f, "should not compile: %s", json_text);
	cr_assert_gt(pr.n, 0);
	char *all = problems_join(&pr, "");
	problems_free(&pr);
	cJSON_Delete(json);
	return all;
}

static void expect_error(const char *json_text, const char *message)
{
	char *all = compile_errors(json_text);
	cr_expect(strstr(all, message), "expected '%s' in:\n%s", message, all);
	free(all);
}

/* A row of canonical names: "name=value" pairs. */
struct row {
	const char *names[8];
	const char *values[8];
	struct record rec;
};

static struct record *row(struct row *r, const char *const *pairs)
{
	memset(r, 0, sizeof(*r));
	size_t n = 0;
	for (; pairs[2 * n]; n++) {
		r->names[n] = pairs[2 * n];
		r->values[n] = pairs[2 * n + 1];
	}
	r->rec = (struct record){.n = n, .names = r->names, .values = r->values, .line = 2};
	return &r->rec;
}

static bool matches(const char *json_text, const char *const *pairs)
{
	struct filter *f = compile(json_text);
	struct row r;
	bool ok = filter_match(f, row(&r, pairs), NULL) == FILTER_PASS;
	filter_free(f);
	return ok;
}

#define ROW(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RULE(field, op, value) "{\"rules\": [{\"field\": \"" field "\", \"op\": \"" op "\", \"value\": " value "}]}"

/* ---- operators ---- */

Test(filter, eq_compares_numbers_when_both_are_numbers)
{
	cr_assert(matches(RULE("price", "eq", "\"12.5\""), ROW("price", "12,50")));
	cr_assert(matches(RULE("price", "eq", "12.5"), ROW("price", "12.50")));
	cr_assert(matches(RULE("price", "eq", "\"1234.5\""), ROW("price", "1.234,50")));
	cr_assert(matches(RULE("ref", "eq", "\"007\""), ROW("ref", "7")));
	cr_assert_not(matches(RULE("price", "eq", "\"12.5\""), ROW("price", "12.51")));
	/* 20-digit codes: exact, not through floating point */
	cr_assert_not(matches(RULE("ean", "eq", "\"12345678901234567890\""), ROW("ean", "12345678901234567891")));
	cr_assert(matches(RULE("ean", "eq", "\"12345678901234567890\""), ROW("ean", "12345678901234567890")));
}

Test(filter, eq_compares_text_exactly_otherwise)
{
	cr_assert(matches(RULE("brand", "eq", "\"Bic\""), ROW("brand", "Bic")));
	cr_assert_not(matches(RULE("brand", "eq", "\"Bic\""), ROW("brand", "bic")));
	cr_assert_not(matches(RULE("brand", "eq", "\"Bic\""), ROW("brand", "Bic ")));
	cr_assert_not(matches(RULE("price", "eq", "\"12.5\""), ROW("price", "12.5 lei")));
	cr_assert(matches(RULE("brand", "eq", "\"\""), ROW("sku", "A1")), "a missing column reads as empty");
}

Test(filter, ne)
{
	cr_assert(matches(RULE("brand", "ne", "\"Bic\""), ROW("brand", "Pilot")));
	cr_assert_not(matches(RULE("brand", "ne", "\"Bic\""), ROW("brand", "Bic")));
	cr_assert_not(matches(RULE("quantity", "ne", "0"), ROW("quantity", "0,00")));
	cr_assert(matches(RULE("brand", "ne", "\"Bic\""), ROW("sku", "A1")));
}

Test(filter, contains_ignores_ascii_case)
{
	cr_assert(matches(RULE("name", "contains", "\"PIX\""), ROW("name", "Set pix albastru")));
	cr_assert(matches(RULE("name", "contains", "\"set\""), ROW("name", "SET")));
	cr_assert_not(matches(RULE("name", "contains", "\"pixuri\""), ROW("name", "pix")));
	cr_assert(matches(RULE("name", "contains", "\"ștefan\""), ROW("name", "Cărți de Ștefan și ștefan")));
	cr_assert(matches(RULE("name", "contains", "\"\""), ROW("name", "x")));
	cr_assert(matches(RULE("name", "contains", "\"ana\""), ROW("name", "banana")));
	cr_assert_not(matches(RULE("name", "contains", "\"x\""), ROW("sku", "x")));
}

Test(filter, not_contains)
{
	cr_assert(matches(RULE("name", "not_contains", "\"resigilat\""), ROW("name", "Laptop nou")));
	cr_assert_not(matches(RULE("name", "not_contains", "\"resigilat\""), ROW("name", "Laptop RESIGILAT")));
	cr_assert(matches(RULE("name", "not_contains", "\"x\""), ROW("sku", "A1")));
}

Test(filter, gt_gte_lt_lte_compare_numbers)
{
	cr_assert(matches(RULE("quantity", "gt", "\"0\""), ROW("quantity", "1")));
	cr_assert_not(matches(RULE("quantity", "gt", "\"0\""), ROW("quantity", "0")));
	cr_assert_not(matches(RULE("quantity", "gt", "\"0\""), ROW("quantity", "-2")));
	cr_assert(matches(RULE("quantity", "gte", "0"), ROW("quantity", "0")));
	cr_assert(matches(RULE("price", "gt", "\"9.99\""), ROW("price", "10")));
	cr_assert(matches(RULE("price", "gt", "\"999.99\""), ROW("price", "1.000,00")));
	cr_assert(matches(RULE("price", "lt", "\"100\""), ROW("price", "99,999")));
	cr_assert_not(matches(RULE("price", "lt", "\"100\""), ROW("price", "100.0")));
	cr_assert(matches(RULE("price", "lte", "\"100\""), ROW("price", "100.000")));
	cr_assert(matches(RULE("price", "lt", "\"-1.5\""), ROW("price", "-2")));
	cr_assert_not(matches(RULE("price", "lt", "\"-1.5\""), ROW("price", "-1.25")));
	cr_assert(matches(RULE("price", "gt", "\"-0\""), ROW("price", "0.01")));
	cr_assert_not(matches(RULE("price", "lt", "\"0\""), ROW("price", "-0")), "-0 is zero");
	cr_assert(matches(RULE("price", "gt", "\"0.5\""), ROW("price", ".75")));
	cr_assert(matches(RULE("price", "gt", "\"12345678901234567890\""), ROW("price", "12345678901234567891")));
}

Test(filter, numeric_ops_never_pass_text_or_empty)
{
	cr_assert_not(matches(RULE("quantity", "gt", "\"0\""), ROW("quantity", "")));
	cr_assert_not(matches(RULE("quantity", "lt", "\"10\""), ROW("quantity", "n/a")));
	cr_assert_not(matches(RULE("quantity", "lte", "\"10\""), ROW("sku", "A1")));
	cr_assert_not(matches(RULE("quantity", "gte", "\"0\""), ROW("quantity", "5 buc")));
}

/* The verdict on one row, with the decimal separator set; why is filled for FILTER_UNREADABLE. */
static enum filter_result verdict(const char *json_text, char decimal, const char *const *pairs,
                                  struct filter_problem *why)
{
	struct filter *f = compile(json_text);
	filter_set_decimal_separator(f, decimal);
	struct row r;
	enum filter_result v = filter_match(f, row(&r, pairs), why);
	filter_free(f);
	return v;
}

Test(filter, numeric_ops_read_prices_as_the_mapping_does)
{
	struct filter_problem why;
	cr_assert_eq(verdict(RULE("price", "gt", "10"), 0, ROW("price", "12.00 RON"), &why), FILTER_PASS);
	cr_assert_eq(verdict(RULE("price", "gt", "10"), 0, ROW("price", "\u20ac9,50"), &why), FILTER_SKIP);
	cr_assert_eq(verdict(RULE("price", "lte", "1234.5"), 0, ROW("price", "1.234,50 lei"), &why), FILTER_PASS);
	/* with ',' fixed, a '.' only groups thousands: 1.234 is 1234 */
	cr_assert_eq(verdict(RULE("price", "gt", "1000"), ',', ROW("price", "1.234"), &why), FILTER_PASS);
	cr_assert_eq(verdict(RULE("price", "gt", "1000"), 0, ROW("price", "1.234"), &why), FILTER_SKIP);
	cr_assert_eq(verdict(RULE("quantity", "gte", "1000"), '.', ROW("quantity", "1,000"), &why), FILTER_PASS);
	cr_assert_eq(verdict(RULE("price", "eq", "1000"), ',', ROW("price", "1.000"), &why), FILTER_PASS,
	             "eq reads numbers with the separator too");
	cr_assert_eq(verdict(RULE("ean", "eq", "\"1.234\""), ',', ROW("ean", "1.234"), &why), FILTER_PASS,
	             "equal text stays equal");
}

Test(filter, a_value_a_numeric_rule_cannot_read_is_unreadable)
{
	struct filter_problem why;
	cr_assert_eq(verdict(RULE("quantity", "gt", "0"), 0, ROW("quantity", "n/a"), &why), FILTER_UNREADABLE);
	cr_expect_str_eq(why.column, "quantity");
	cr_expect_str_eq(why.message, "'n/a' in column quantity is not a number, so the filter rule `quantity gt 0` "
	                              "cannot compare it");
	cr_assert_eq(verdict(RULE("price", "gt", "10"), ',', ROW("price", "12.50"), &why), FILTER_UNREADABLE);
	cr_expect(strstr(why.message, "does not read with ',' as the decimal separator (source.decimal_separator)"),
	          "%s", why.message);
	cr_assert_eq(verdict(RULE("price", "gt", "10"), 0, ROW("price", "$12 EUR"), &why), FILTER_UNREADABLE);
	cr_expect(strstr(why.message, "has a currency on both sides"), "%s", why.message);
	cr_assert_eq(verdict(RULE("quantity", "gt", "0"), 0, ROW("quantity", " "), &why), FILTER_SKIP,
	             "an empty value is no number, and says nothing wrong");
	cr_assert_eq(verdict(RULE("quantity", "gt", "0"), 0, ROW("sku", "A1"), &why), FILTER_SKIP, "nor a missing one");
}

Test(filter, an_unreadable_value_matters_only_when_no_rule_decides)
{
	struct filter_problem why;
	const char *all = "{\"match\": \"all\", \"rules\": [{\"field\": \"quantity\", \"op\": \"gt\", \"value\": 0},"
	                  "{\"field\": \"brand\", \"op\": \"eq\", \"value\": \"Bic\"}]}";
	cr_assert_eq(verdict(all, 0, ROW("quantity", "x", "brand", "Pilot"), &why), FILTER_SKIP);
	cr_assert_eq(verdict(all, 0, ROW("quantity", "x", "brand", "Bic"), &why), FILTER_UNREADABLE);
	const char *any = "{\"match\": \"any\", \"rules\": [{\"field\": \"quantity\", \"op\": \"gt\", \"value\": 0},"
	                  "{\"field\": \"price\", \"op\": \"lt\", \"value\": 5}]}";
	cr_assert_eq(verdict(any, 0, ROW("quantity", "x", "price", "3"), &why), FILTER_PASS);
	cr_assert_eq(verdict(any, 0, ROW("quantity", "x", "price", "9"), &why), FILTER_UNREADABLE);
	cr_assert_eq(verdict(any, 0, ROW("quantity", "x", "price", "y"), &why), FILTER_UNREADABLE);
	cr_expect_str_eq(why.column, "quantity", "the first rule that could not read is named");
}

Test(filter, empty_and_not_empty)
{
	cr_assert(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"empty\"}]}", ROW("ean", "")));
	cr_assert(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"empty\"}]}", ROW("ean", "  \t")));
	cr_assert(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"empty\"}]}", ROW("sku", "A1")));
	cr_assert_not(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"empty\"}]}", ROW("ean", "594")));
	cr_assert(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"not_empty\"}]}", ROW("ean", "594")));
	cr_assert_not(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"not_empty\"}]}", ROW("ean", " ")));
	/* a value is not needed and is ignored */
	cr_assert(matches("{\"rules\":[{\"field\":\"ean\",\"op\":\"empty\",\"value\":\"x\"}]}", ROW("ean", "")));
}

Test(filter, in_array_and_comma_string)
{
	const char *arr = RULE("brand", "in", "[\"Bic\", \"Pilot\", 7]");
	cr_assert(matches(arr, ROW("brand", "Pilot")));
	cr_assert(matches(arr, ROW("brand", "7.0")), "numbers compare as numbers, like eq");
	cr_assert_not(matches(arr, ROW("brand", "Stabilo")));
	cr_assert_not(matches(arr, ROW("brand", "pilot")));
	const char *list = RULE("brand", "in", "\"Bic, Pilot ,Stabilo\"");
	cr_assert(matches(list, ROW("brand", "Stabilo")));
	cr_assert(matches(list, ROW("brand", "Pilot")));
	cr_assert_not(matches(list, ROW("brand", "Bic, Pilot")));
}

/* ---- match all / any ---- */

Test(filter, match_all_and_any)
{
	const char *all = "{\"match\": \"all\", \"rules\": [{\"field\": \"quantity\", \"op\": \"gt\", \"value\": 0},"
	                  "{\"field\": \"brand\", \"op\": \"eq\", \"value\": \"Bic\"}]}";
	cr_assert(matches(all, ROW("quantity", "3", "brand", "Bic")));
	cr_assert_not(matches(all, ROW("quantity", "0", "brand", "Bic")));
	cr_assert_not(matches(all, ROW("quantity", "3", "brand", "Pilot")));
	const char *any = "{\"match\": \"any\", \"rules\": [{\"field\": \"quantity\", \"op\": \"gt\", \"value\": 0},"
	                  "{\"field\": \"brand\", \"op\": \"eq\", \"value\": \"Bic\"}]}";
	cr_assert(matches(any, ROW("quantity", "0", "brand", "Bic")));
	cr_assert(matches(any, ROW("quantity", "3", "brand", "Pilot")));
	cr_assert_not(matches(any, ROW("quantity", "0", "brand", "Pilot")));
}

Test(filter, no_rules_pass_everything)
{
	struct problems pr = {0};
	struct filter *f = filter_compile(NULL, NULL, "filters", &pr);
	cr_assert_not_null(f);
	struct row r;
	cr_assert_eq(filter_match(f, row(&r, ROW("sku", "A1")), NULL), FILTER_PASS);
	filter_free(f);
	cr_assert_eq(filter_match(NULL, row(&r, ROW("sku", "A1")), NULL), FILTER_PASS);
	cr_assert(matches("{}", ROW("sku", "A1")));
	cr_assert(matches("{\"match\": \"any\", \"rules\": []}", ROW("sku", "A1")));
	cJSON *null = cJSON_CreateNull();
	f = filter_compile(null, NULL, "filters", &pr);
	cr_assert_not_null(f);
	filter_free(f);
	cJSON_Delete(null);
	cr_assert_eq(pr.n, 0);
	filter_free(NULL);
}

Test(filter, fields_are_folded_with_aliases)
{
	const char *pairs[] = {"Stoc Magazin", "quantity", NULL};
	struct alias_table *t = alias_table_new(pairs);
	cJSON *json = cJSON_Parse("{\"rules\": [{\"field\": \"Stoc magazin\", \"op\": \"gt\", \"value\": 0},"
	                          "{\"field\": \"Preț\", \"op\": \"lt\", \"value\": 100}]}");
	struct problems pr = {0};
	struct filter *f = filter_compile(json, t, "filters", &pr);
	cr_assert_not_null(f);
	struct row r;
	cr_assert_eq(filter_match(f, row(&r, ROW("quantity", "2", "price", "10")), NULL), FILTER_PASS);
	cr_assert_eq(filter_match(f, row(&r, ROW("quantity", "2", "price", "100")), NULL), FILTER_SKIP);
	char *text = filter_describe(f);
	cr_assert_str_eq(text, "quantity gt 0 and price lt 100");
	free(text);
	filter_free(f);
	cJSON_Delete(json);
	alias_table_free(t);
}

/* ---- compile errors ---- */

Test(filter, error_unknown_operator_lists_the_known_ones)
{
	expect_error("{\"rules\": [{\"field\": \"a\", \"op\": \"eq\", \"value\": 1},"
	             "{\"field\": \"quantity\", \"op\": \"greater\", \"value\": 1}]}",
	             "filters.rules[1].op: unknown operator 'greater' (eq, ne, contains, not_contains, gt, gte, lt, "
	             "lte, empty, not_empty, in)");
}

Test(filter, error_numeric_op_with_text_value)
{
	expect_error(RULE("quantity", "gt", "\"many\""), "filters.rules[0].value: 'many' is not a number (gt compares numbers)");
	expect_error(RULE("quantity", "lte", "\"\""), "filters.rules[0].value: '' is not a number (lte compares numbers)");
}

Test(filter, error_every_bad_rule_is_listed)
{
	char *all = compile_errors("{\"match\": \"most\", \"rules\": ["
	                           "{\"field\": \"a\", \"op\": \"eq\"},"
	                           "{\"op\": \"eq\", \"value\": 1},"
	                           "{\"field\": \"\", \"op\": \"eq\", \"value\": 1},"
	                           "{\"field\": \"a\", \"op\": \"eq\", \"value\": true},"
	                           "{\"field\": \"a\", \"op\": \"in\", \"value\": []},"
	                           "{\"field\": \"a\", \"op\": \"in\", \"value\": [\"x\", {}]},"
	                           "{\"field\": \"a\", \"op\": \"in\", \"value\": \" , \"},"
	                           "{\"field\": \"a\", \"value\": 1},"
	                           "{\"field\": \"a\", \"op\": 3, \"value\": 1},"
	                           "\"quantity > 0\","
	                           "{\"field\": \"a\", \"op\": \"eq\", \"valeu\": 1}"
	                           "]}");
	const char *want[] = {
		"filters.match: must be all or any, not 'most'",
		"filters.rules[0].value: required (the value to compare with)",
		"filters.rules[1].field: required (a column name, like \"quantity\")",
		"filters.rules[2].field: required",
		"filters.rules[3].value: must be a string or a number, not true or false",
		"filters.rules[4].value: must list at least one value",
		"filters.rules[5].value[1]: must be a string or a number, not an object",
		"filters.rules[6].value: must list at least one value",
		"filters.rules[7].op: required (eq, ne,",
		"filters.rules[8].op: must be a string, not a number",
		"filters.rules[9]: must be an object like {\"field\": \"quantity\", \"op\": \"gt\", \"value\": \"0\"}, not a string",
		"filters.rules[10]: unknown key 'valeu' (did you mean 'value'?)",
		"filters.rules[10].value: required",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(strstr(all, want[i]), "expected '%s' in:\n%s", want[i], all);
	free(all);
}

Test(filter, error_shapes)
{
	expect_error("[]", "filters: must be an object like {\"match\": \"all\", \"rules\": [...]}, not an array");
	expect_error("{\"rules\": {}}", "filters.rules: must be an array, not an object");
	expect_error("{\"match\": 1}", "filters.match: must be a string, not a number");
	expect_error("{\"rule\": []}", "filters: unknown key 'rule' (did you mean 'rules'?)");
	expect_error("{\"rules\": [], \"rules\": []}", "filters: duplicate key 'rules'");
	expect_error(RULE("a", "in", "{}"), "filters.rules[0].value: must be a string or an array, not an object");
}

/* ---- describe ---- */

Test(filter, describe)
{
	struct filter *f = compile("{\"rules\": [{\"field\": \"quantity\", \"op\": \"gt\", \"value\": 0},"
	                           "{\"field\": \"brand\", \"op\": \"in\", \"value\": [\"A\", \"B\"]}]}");
	char *text = filter_describe(f);
	cr_assert_str_eq(text, "quantity gt 0 and brand in (A, B)");
	free(text);
	filter_free(f);

	f = compile("{\"match\": \"any\", \"rules\": [{\"field\": \"ean\", \"op\": \"empty\"},"
	            "{\"field\": \"name\", \"op\": \"contains\", \"value\": \"pix \\\"x\\\"\"},"
	            "{\"field\": \"brand\", \"op\": \"eq\", \"value\": \"\"},"
	            "{\"field\": \"brand\", \"op\": \"in\", \"value\": \"a b, c\"}]}");
	text = filter_describe(f);
	cr_assert_str_eq(text, "ean empty or name contains \"pix \\\"x\\\"\" or brand eq \"\" or brand in (\"a b\", c)");
	free(text);
	filter_free(f);

	text = filter_describe(NULL);
	cr_assert_str_eq(text, "every row");
	free(text);
}
