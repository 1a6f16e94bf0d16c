/* One row through the stages: malformed, filtered, failed on validation, or mapped to a product. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/util.h"
#include "engine/rows.h"

static const char *const doc =
	"{\"name\": \"t\", \"source\": {\"type\": \"winmentor\", \"url\": \"/x.csv\"},"
	" \"filters\": {\"rules\": [{\"field\": \"cantitate\", \"op\": \"gt\", \"value\": \"0\"}]}}";

static struct conn_config *conn;
static struct row_stage st;

static void setup(void)
{
	struct problems problems = {0};
	conn = conn_parse(doc, &problems);
	cr_assert_not_null(conn, "%s", problems.n ? problems.items[0] : "");
	row_stage_init(&st, conn, 0);
}

static void teardown(void)
{
	row_stage_free(&st);
	conn_free(conn);
}

TestSuite(rows, .init = setup, .fini = teardown);

static const char *names[] = {"Cod", "Denumire", "Cantiate", "Pret"};

static enum row_verdict process(const char *sku, const char *qty, const char *price, struct row_error *err)
{
	const char *values[] = {sku, "Produs", qty, price};
	struct record rec = {.n = 4, .names = names, .values = values, .line = 7};
	return row_stage_process(&st, &rec, err);
}

Test(rows, winmentor_headers_and_decimal_comma_map_to_a_product)
{
	struct row_error err;
	cr_assert_eq(process("WM1", "5", "1.234,50", &err), ROW_OK, "%s", err.message);
	cr_assert_str_eq(product_get(&st.product, "sku"), "WM1");
	cr_assert_str_eq(product_get(&st.product, "regular_price"), "1234.50");
	cr_assert_str_eq(product_get(&st.product, "stock_quantity"), "5");
	cr_assert_eq(st.product.line, 7);
}

Test(rows, filter_skips_rows)
{
	struct row_error err;
	cr_assert_eq(process("WM1", "0", "1", &err), ROW_SKIPPED);
}

Test(rows, bad_price_fails_naming_the_column_and_value)
{
	struct row_error err;
	cr_assert_eq(process("WM1", "3", "abc", &err), ROW_FAILED);
	cr_assert_str_eq(err.code, "bad_price");
	cr_assert(strstr(err.message, "abc"), "%s", err.message);
}

Test(rows, missing_sku_fails)
{
	struct row_error err;
	cr_assert_eq(process("", "3", "1", &err), ROW_FAILED);
	cr_assert_str_eq(err.code, "missing_sku");
}

Test(rows, malformed_row_fails_with_the_parser_text)
{
	const char *values[] = {"a"};
	struct record rec = {.n = 1, .names = names, .values = values, .line = 3, .problem = "3 fields, expected 4"};
	struct row_error err;
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_str_eq(err.code, "malformed_row");
}

Test(rows, failures_of_a_json_item_name_the_item)
{
	const char *values[] = {"J1", "Produs", "2", "abc"};
	struct record rec = {.n = 4, .names = names, .values = values, .line = 1, .item = 12};
	struct row_error err;
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_str_eq(err.message, "item 12: price 'abc' in column price is not a number");
	rec.problem = "the item is a string, not an object";
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_str_eq(err.message, "item 12: the item is a string, not an object");
	rec.item = 0;
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_str_eq(err.message, "the item is a string, not an object", "no item, no prefix");
}

Test(rows, malformed_row_keeps_its_readable_sku)
{
	const char *values[] = {"WM9", "Produs"};
	struct record rec = {.n = 2, .names = names, .values = values, .line = 4, .problem = "row has 2 fields"};
	struct row_error err;
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_str_eq(row_stage_sku(&st), "WM9", "the Cod column, by its canonical name");
}

Test(rows, sku_that_is_not_utf8_is_not_kept)
{
	const char *values[] = {"W\xe9", "Produs", "1", "1"};
	struct record rec = {.n = 4, .names = names, .values = values, .line = 5, .problem = "invalid UTF-8 in column 'Cod'"};
	struct row_error err;
	cr_assert_eq(row_stage_process(&st, &rec, &err), ROW_FAILED);
	cr_assert_null(row_stage_sku(&st));
	cr_assert_str_eq(err.column, "Cod", "the column with the bytes that are not UTF-8, as the feed names it");
}

Test(rows, duplicate_error_names_both_places)
{
	struct row_error err;
	row_duplicate_error(&err, "D1", "item 3", "item 1");
	cr_assert_str_eq(err.code, "duplicate_sku");
	cr_assert_str_eq(err.column, "sku");
	cr_assert_str_eq(err.message, "duplicate SKU 'D1' on item 3: already on item 1, the first one is kept");
}
