/* mapping: default and explicit fields, prices, quantities, categories, row errors, speed. */
#include "feed/mapping.h"

#include "core/problems.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct mapping *compile_with(const char *json_text, const struct alias_table *aliases)
{
	cJSON *json = json_text ? cJSON_Parse(json_text) : NULL;
	cr_assert(!json_text || json, "bad test JSON: %s", json_text);
	struct problems pr = {0};
	struct mapping *m = mapping_compile(json, aliases, "mapping", &pr);
	char *all = problems_join(&pr, "  ");
	cr_assert_not_null(m, "unexpected problems:\n%s", all);
	free(all);
	problems_free(&pr);
	cJSON_Delete(json);
	return m;
}

static struct mapping *compile(const char *json_text)
{
	return compile_with(json_text, NULL);
}

static void expect_error(const char *json_text, const char *message)
{
	cJSON *json = cJSON_Parse(json_text);
	cr_assert_not_null(json, "bad test JSON: %s", json_text);
	struct problems pr = {0};
	cr_assert_null(mapping_compile(json, NULL, "mapping", &pr), "should not compile: %s", json_text);
	char *all = problems_join(&pr, "");
	cr_expect(strstr(all, message), "expected '%s' in:\n%s", message, all);
	free(all);
	problems_free(&pr);
	cJSON_Delete(json);
}

struct row {
	const char *names[16];
	const char *values[16];
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
	r->rec = (struct record){.n = n, .names = r->names, .values = r->values, .line = 5};
	return &r->rec;
}

#define ROW(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Applies m to the row; expects success. */
static void apply_ok(const struct mapping *m, const char *const *pairs, struct product *p)
{
	struct row r;
	struct row_error err = {0};
	int rc = mapping_apply(m, row(&r, pairs), 0, p, &err);
	cr_assert_eq(rc, 0, "row failed: %s (%s)", err.message, err.code);
}

static struct row_error apply_fail(const struct mapping *m, const char *const *pairs, size_t max)
{
	struct row r;
	struct row_error err = {0};
	struct product p = {0};
	cr_assert_eq(mapping_apply(m, row(&r, pairs), max, &p, &err), -1, "row should fail");
	product_free(&p);
	return err;
}

/* ---- defaults ---- */

Test(mapping, auto_maps_the_default_fields)
{
	struct mapping *m = compile(NULL);
	struct product p = {0};
	apply_ok(m, ROW("sku", " A1 ", "name", "Pix", "price", "3,50", "sale_price", "2,99", "quantity", "12,00",
	                "description", "Desc", "short_description", "Short", "category", "Birou > Pixuri",
	                "image", "http://x/1.jpg", "ean", "594", "brand", "Bic", "weight", "0.1", "color", "blue"),
	         &p);
	cr_assert_str_eq(product_get(&p, "sku"), "A1", "values are trimmed");
	cr_assert_str_eq(product_get(&p, "name"), "Pix");
	cr_assert_str_eq(product_get(&p, "regular_price"), "3.50");
	cr_assert_str_eq(product_get(&p, "sale_price"), "2.99");
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "12");
	cr_assert_str_eq(product_get(&p, "description"), "Desc");
	cr_assert_str_eq(product_get(&p, "short_description"), "Short");
	cr_assert_str_eq(product_get(&p, "categories"), "Birou > Pixuri");
	cr_assert_str_eq(product_get(&p, "images"), "http://x/1.jpg");
	cr_assert_str_eq(product_get(&p, "ean"), "594");
	cr_assert_str_eq(product_get(&p, "brand"), "Bic");
	cr_assert_str_eq(product_get(&p, "weight"), "0.1");
	cr_assert_null(product_get(&p, "color"), "columns without a mapping are not sent");
	cr_assert_eq(p.n, 12);
	cr_assert_eq(p.line, 5);
	product_free(&p);
	mapping_free(m);
}

Test(mapping, absent_and_blank_columns_leave_fields_out)
{
	struct mapping *m = compile("{}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "sale_price", "  ", "quantity", ""), &p);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(product_get(&p, "sku"), "A1");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, columns_list)
{
	struct mapping *m = compile("{\"auto\": false, \"fields\": {\"sku\": {\"column\": \"Cod\"},"
	                            "\"name\": {\"column\": \"title\"}, \"status\": {\"constant\": \"publish\"},"
	                            "\"short_description\": {\"column\": \"name\"}}}");
	const char *const *cols = mapping_columns(m);
	cr_assert_str_eq(cols[0], "sku", "the SKU first, folded and aliased");
	cr_assert_str_eq(cols[1], "name");
	cr_assert_null(cols[2], "deduplicated, constants have none");
	mapping_free(m);

	m = compile(NULL);
	cols = mapping_columns(m);
	size_t n = 0;
	while (cols[n])
		n++;
	cr_assert_eq(n, 13);
	cr_assert_str_eq(cols[0], "sku");
	mapping_free(m);
}

/* ---- explicit fields ---- */

Test(mapping, explicit_fields_constants_and_defaults)
{
	struct mapping *m = compile("{\"fields\": {"
	                            "\"regular_price\": {\"column\": \"Preț special\"},"
	                            "\"status\": {\"constant\": \"publish\"},"
	                            "\"menu_order\": {\"constant\": 3},"
	                            "\"stock_quantity\": {\"column\": \"quantity\", \"default\": \"0\"},"
	                            "\"brand\": {\"column\": \"brand\", \"default\": \"Generic\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "price", "9", "pret_special", "7,5", "brand", " "), &p);
	cr_assert_str_eq(product_get(&p, "regular_price"), "7.5", "explicit column wins over the default one");
	cr_assert_str_eq(product_get(&p, "status"), "publish");
	cr_assert_str_eq(product_get(&p, "menu_order"), "3");
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "0", "default when the column is absent");
	cr_assert_str_eq(product_get(&p, "brand"), "Generic", "default when the column is blank");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, auto_false_maps_only_what_is_named)
{
	struct mapping *m = compile("{\"auto\": false, \"fields\": {\"sku\": {\"column\": \"cod\"},"
	                            "\"regular_price\": {\"column\": \"price\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "name", "Pix", "price", "1"), &p);
	cr_assert_eq(p.n, 2);
	cr_assert_null(product_get(&p, "name"));
	product_free(&p);
	mapping_free(m);
}

Test(mapping, columns_are_folded_with_connection_aliases)
{
	const char *pairs[] = {"Cod furnizor", "sku", NULL};
	struct alias_table *t = alias_table_new(pairs);
	struct mapping *m = compile_with("{\"fields\": {\"ean\": {\"column\": \"COD FURNIZOR\"}}}", t);
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1"), &p);
	cr_assert_str_eq(product_get(&p, "ean"), "A1");
	product_free(&p);
	mapping_free(m);
	alias_table_free(t);
}

/* ---- row errors ---- */

Test(mapping, missing_sku)
{
	struct mapping *m = compile(NULL);
	struct row_error err = apply_fail(m, ROW("sku", "  ", "name", "Pix"), 0);
	cr_assert_str_eq(err.code, "missing_sku");
	cr_assert_str_eq(err.column, "sku");
	cr_assert_str_eq(err.message, "row has no SKU (column sku is empty)");
	err = apply_fail(m, ROW("name", "Pix", "price", "abc"), 0);
	cr_assert_str_eq(err.code, "missing_sku", "the SKU is checked before anything else");
	cr_assert_str_eq(err.message, "row has no SKU (column sku is missing)");
	mapping_free(m);
}

Test(mapping, sku_default_fills_a_blank_sku)
{
	struct mapping *m = compile("{\"fields\": {\"sku\": {\"column\": \"cod\", \"default\": \"NOSKU\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", ""), &p);
	cr_assert_str_eq(product_get(&p, "sku"), "NOSKU");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, bad_price)
{
	struct mapping *m = compile(NULL);
	struct row_error err = apply_fail(m, ROW("sku", "A1", "price", "12,5x"), 0);
	cr_assert_str_eq(err.code, "bad_price");
	cr_assert_str_eq(err.column, "price");
	cr_assert_str_eq(err.message, "price '12,5x' in column price is not a number");
	err = apply_fail(m, ROW("sku", "A1", "price", "1", "sale_price", "ieftin"), 0);
	cr_assert_str_eq(err.code, "bad_price");
	cr_assert_str_eq(err.message, "sale price 'ieftin' in column sale_price is not a number");
	err = apply_fail(m, ROW("sku", "A1", "price", "-3"), 0);
	cr_assert_str_eq(err.message, "price '-3' in column price is negative");
	err = apply_fail(m, ROW("sku", "A1", "price", "12,50 lei pentru fiecare bucata din acest set mare de pixuri"), 0);
	cr_assert_str_eq(err.message, "price '12,50 lei pentru fiecare bucata din aces...' in column price is not a number",
	                 "long values are cut in messages");
	mapping_free(m);
}

Test(mapping, prices_with_currencies_and_the_decimal_separator)
{
	struct mapping *m = compile(NULL);
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "price", "1.234,50 lei", "sale_price", "\xe2\x82\xac" "12"), &p);
	cr_assert_str_eq(product_get(&p, PF_REGULAR_PRICE), "1234.50");
	cr_assert_str_eq(product_get(&p, PF_SALE_PRICE), "12");
	cr_assert_str_eq(p.currency, "EUR", "the last price's currency");
	apply_ok(m, ROW("sku", "A2", "price", "7"), &p);
	cr_assert_str_eq(p.currency, "", "reset with the product");
	struct row_error err = apply_fail(m, ROW("sku", "A1", "price", "$12 EUR"), 0);
	cr_assert_str_eq(err.code, "bad_price");
	cr_assert_str_eq(err.message, "price '$12 EUR' in column price has a currency on both sides of the number");

	mapping_set_decimal_separator(m, ',');
	apply_ok(m, ROW("sku", "A1", "price", "1.234"), &p);
	cr_assert_str_eq(product_get(&p, PF_REGULAR_PRICE), "1234");
	err = apply_fail(m, ROW("sku", "A1", "price", "1,234.50"), 0);
	cr_assert_str_eq(err.column, "price");
	cr_assert_str_eq(err.message, "price '1,234.50' in column price does not read with ',' as the decimal separator "
	                 "(source.decimal_separator)");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, stock_status_and_images_from_several_columns)
{
	struct mapping *m = compile(NULL);
	struct product p = {0};
	apply_ok(m, ROW("sku", "G1", "stock_status", "in stock", "image", "a.jpg", "name", "Mug", "image", " b.jpg ",
	                "image", "", "image", "c.jpg"), &p);
	cr_assert_str_eq(product_get(&p, PF_STOCK_STATUS), "instock");
	cr_assert_str_eq(product_get(&p, PF_IMAGES), "a.jpg|b.jpg|c.jpg");
	apply_ok(m, ROW("sku", "G2", "stock_status", "preorder", "image", "", "image", "b.jpg"), &p);
	cr_assert_str_eq(product_get(&p, PF_STOCK_STATUS), "onbackorder");
	cr_assert_str_eq(product_get(&p, PF_IMAGES), "b.jpg", "a blank first image column is left out");
	struct row_error err = apply_fail(m, ROW("sku", "G3", "stock_status", "soon"), 0);
	cr_assert_str_eq(err.code, "bad_stock_status");
	cr_assert_str_eq(err.column, "stock_status");
	cr_assert_str_eq(err.message, "stock status 'soon' in column stock_status is none of in stock, out of stock, "
	                 "preorder, backorder");
	product_free(&p);
	mapping_free(m);
	expect_error("{\"fields\": {\"stock_status\": {\"constant\": \"plenty\"}}}",
	             "mapping.fields.stock_status.constant: 'plenty' is not a stock status");
}

Test(mapping, quantities_read_with_the_decimal_separator)
{
	struct mapping *m = compile(NULL);
	struct product p = {0};
	mapping_set_decimal_separator(m, ',');
	apply_ok(m, ROW("sku", "A1", "quantity", "1.500"), &p);
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "1500", "with ',' a '.' groups thousands");
	apply_ok(m, ROW("sku", "A1", "quantity", "3,00"), &p);
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "3");
	struct row_error err = apply_fail(m, ROW("sku", "A1", "quantity", "1,5"), 0);
	cr_assert_str_eq(err.message, "quantity '1,5' in column quantity is not a whole number");
	mapping_set_decimal_separator(m, '.');
	apply_ok(m, ROW("sku", "A1", "quantity", "1,500"), &p);
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "1500", "with '.' a ',' groups thousands");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, bad_quantity)
{
	struct mapping *m = compile(NULL);
	struct row_error err = apply_fail(m, ROW("sku", "A1", "quantity", "12.5"), 0);
	cr_assert_str_eq(err.code, "bad_quantity");
	cr_assert_str_eq(err.column, "quantity");
	cr_assert_str_eq(err.message, "quantity '12.5' in column quantity is not a whole number");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "quantity", "-2"), &p);
	cr_assert_str_eq(product_get(&p, "stock_quantity"), "-2", "negative stock is allowed (backorders)");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, value_too_long)
{
	struct mapping *m = compile(NULL);
	size_t len = 20 * 1000 * 1000;
	char *big = malloc(len + 1);
	memset(big, 'x', len);
	big[len] = '\0';
	struct row_error err = apply_fail(m, ROW("sku", "A1", "description", big), 0);
	cr_assert_str_eq(err.code, "value_too_long");
	cr_assert_str_eq(err.column, "description");
	cr_assert_str_eq(err.message, "column description is 20.0 MB; the limit is 1m (import.max_value_bytes)");
	big[2000] = '\0';
	err = apply_fail(m, ROW("sku", "A1", "description", big), 1024);
	cr_assert_str_eq(err.message, "column description is 2.0 KB; the limit is 1k (import.max_value_bytes)");
	err = apply_fail(m, ROW("sku", "A1", "description", big), 1500);
	cr_assert_str_eq(err.message, "column description is 2.0 KB; the limit is 1500 (import.max_value_bytes)");
	struct product p = {0};
	big[1024] = '\0';
	struct row r;
	cr_assert_eq(mapping_apply(m, row(&r, ROW("sku", "A1", "description", big)), 1024, &p, &err), 0,
	             "exactly the limit is fine");
	product_free(&p);
	free(big);
	mapping_free(m);
}

/* ---- categories ---- */

Test(mapping, categories_map_default_and_own_text)
{
	struct mapping *m = compile("{\"categories\": {\"field\": \"category\", \"delimiter\": \" > \","
	                            "\"map\": {\"Electronice > Telefoane\": \"Phones\", \"Birou/Pixuri\": \"Pens\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "Electronice>Telefoane"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Phones", "segments are trimmed before the lookup");
	apply_ok(m, ROW("sku", "A1", "category", "  Electronice  >   Telefoane > "), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Phones", "empty segments are dropped");
	apply_ok(m, ROW("sku", "A1", "category", "Electronice >Laptopuri"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Electronice > Laptopuri", "unmapped: its own text");
	apply_ok(m, ROW("sku", "A1", "category", "Birou/Pixuri"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Pens", "'/' is no delimiter here: one segment, as in the key");
	apply_ok(m, ROW("sku", "A1", "category", "Birou / Pixuri"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Birou / Pixuri");
	apply_ok(m, ROW("sku", "A1", "category", " > "), &p);
	cr_assert_null(product_get(&p, "categories"), "no segments, no default: no category");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, categories_other_delimiter_and_default)
{
	struct mapping *m = compile("{\"categories\": {\"field\": \"Categorie\", \"delimiter\": \"/\","
	                            "\"map\": {\"Birou / Pixuri\": \"Pens\", \"Birou > Hârtie\": \"Paper\"},"
	                            "\"default\": \"Uncategorized\"}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "Birou/Pixuri"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Pens");
	apply_ok(m, ROW("sku", "A1", "category", "Birou / Hârtie"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Paper", "map keys may be written with ' > ' too");
	apply_ok(m, ROW("sku", "A1", "category", "Jucării"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Uncategorized");
	apply_ok(m, ROW("sku", "A1", "category", " / "), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Uncategorized");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, several_category_paths_only_with_a_separator)
{
	struct mapping *m = compile("{\"categories\": {\"field\": \"category\", \"map\": {\"Birou > Pixuri\": \"Pens\","
	                            "\"Vechi\": \"\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "Birou > Pixuri, roșii|Hârtie"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Birou > Pixuri, roșii|Hârtie", "no separator: one path");
	cr_assert_null(mapping_separator(m, "categories"));
	mapping_free(m);
	m = compile("{\"categories\": {\"field\": \"category\", \"separator\": \" | \","
	            "\"map\": {\"Birou > Pixuri\": \"Pens\", \"Vechi\": \"\"}, \"default\": \"Other\"},"
	            "\"fields\": {\"tags\": {\"column\": \"labels\", \"separator\": \",\"}}}");
	cr_assert_str_eq(mapping_separator(m, "categories"), "|", "trimmed, as the delimiter");
	cr_assert_str_eq(mapping_separator(m, "tags"), ",");
	cr_assert_null(mapping_separator(m, "name"));
	apply_ok(m, ROW("sku", "A1", "category", "Birou>Pixuri | Hârtie > A4||Vechi", "labels", "red, blue"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Pens|Other", "each path mapped; empty ones left out");
	cr_assert_str_eq(product_get(&p, "tags"), "red, blue", "split by the destination");
	apply_ok(m, ROW("sku", "A1", "category", " | "), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Other", "no path: the default");
	product_free(&p);
	mapping_free(m);
	expect_error("{\"categories\": {\"separator\": \"\"}}", "mapping.categories.separator: is empty");
	expect_error("{\"categories\": {\"delimiter\": \"/\", \"separator\": \"/\"}}", "is part of the delimiter");
	expect_error("{\"fields\": {\"tags\": {\"column\": \"t\", \"separator\": 1}}}", "separator");
}

Test(mapping, categories_from_another_column_and_long_paths)
{
	struct mapping *m = compile("{\"auto\": false, \"fields\": {\"sku\": {\"column\": \"sku\"}},"
	                            "\"categories\": {\"field\": \"grupa\", \"delimiter\": \"|\"}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "ignored", "grupa", "A|B|C"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "A > B > C");
	/* a path longer than the stack buffer */
	struct strbuf sb = {0};
	for (int i = 0; i < 400; i++)
		sb_adds(&sb, "seg|");
	apply_ok(m, ROW("sku", "A1", "grupa", sb.buf), &p);
	cr_assert_eq(strlen(product_get(&p, "categories")), 400 * 3 + 399 * 3);
	sb_free(&sb);
	product_free(&p);
	mapping_free(m);
}

Test(mapping, categories_block_without_field_reads_category)
{
	struct mapping *m = compile("{\"auto\": false, \"fields\": {\"sku\": {\"column\": \"sku\"}},"
	                            "\"categories\": {\"map\": {\"A\": \"B\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "A"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "B");
	product_free(&p);
	mapping_free(m);
}

Test(mapping, category_constant_goes_through_the_map)
{
	struct mapping *m = compile("{\"fields\": {\"categories\": {\"constant\": \"A>B\"}},"
	                            "\"categories\": {\"map\": {\"A > B\": \"Mapped\"}}}");
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "category", "X"), &p);
	cr_assert_str_eq(product_get(&p, "categories"), "Mapped");
	product_free(&p);
	mapping_free(m);
}

/* ---- compile errors ---- */

Test(mapping, compile_errors)
{
	expect_error("[]", "mapping: must be an object like {\"fields\": {...}}, not an array");
	expect_error("{\"auto\": \"yes\"}", "mapping.auto: must be true or false, not a string");
	expect_error("{\"field\": {}}", "mapping: unknown key 'field' (did you mean 'fields'?)");
	expect_error("{\"fields\": []}", "mapping.fields: must be an object, not an array");
	expect_error("{\"fields\": {\"status\": \"publish\"}}",
	             "mapping.fields.status: must be an object like {\"column\": \"price\"} or {\"constant\": \"publish\"}, "
	             "not a string");
	expect_error("{\"fields\": {\"status\": {}}}",
	             "mapping.fields.status: needs a column (\"column\": \"price\") or a constant");
	expect_error("{\"fields\": {\"status\": {\"column\": \"a\", \"constant\": \"b\"}}}",
	             "mapping.fields.status: has both column and constant; keep one");
	expect_error("{\"fields\": {\"status\": {\"column\": \"\"}}}", "mapping.fields.status.column: is empty");
	expect_error("{\"fields\": {\"status\": {\"colum\": \"a\"}}}",
	             "mapping.fields.status: unknown key 'colum' (did you mean 'column'?)");
	expect_error("{\"fields\": {\"status\": {\"constant\": [1]}}}",
	             "mapping.fields.status.constant: must be a string or a number, not an array");
	expect_error("{\"fields\": {\"regular_price\": {\"constant\": \"free\"}}}",
	             "mapping.fields.regular_price.constant: 'free' is not a number");
	expect_error("{\"fields\": {\"stock_quantity\": {\"column\": \"q\", \"default\": \"1.5\"}}}",
	             "mapping.fields.stock_quantity.default: '1.5' is not a whole number");
	expect_error("{\"fields\": {\"\": {\"column\": \"a\"}}}", "mapping.fields: a field name is empty");
	expect_error("{\"fields\": {\"a\": {\"column\": \"a\"}, \"a\": {\"column\": \"b\"}}}",
	             "mapping.fields: duplicate key 'a'");
	expect_error("{\"auto\": false}", "mapping.fields: no sku: every product needs one");
	expect_error("{\"auto\": false, \"fields\": {\"name\": {\"column\": \"name\"}}}", "no sku");
}

Test(mapping, category_compile_errors)
{
	expect_error("{\"categories\": []}", "mapping.categories: must be an object, not an array");
	expect_error("{\"categories\": {\"delimiter\": \"\"}}", "mapping.categories.delimiter: is empty");
	expect_error("{\"categories\": {\"map\": {\"A\": 1}}}", "mapping.categories.map.A: must be a string");
	expect_error("{\"categories\": {\"map\": {\"A>B\": \"x\", \"A > B \": \"y\"}}}",
	             "mapping.categories.map: 'A > B' is listed twice (keys are compared with segments trimmed)");
	expect_error("{\"categories\": {\"map\": []}}", "mapping.categories.map: must be an object, not an array");
	expect_error("{\"categories\": {\"maps\": {}}}", "mapping.categories: unknown key 'maps' (did you mean 'map'?)");
	expect_error("{\"categories\": {\"default\": 3}}", "mapping.categories.default: must be a string, not a number");
	expect_error("{\"fields\": {\"categories\": {\"column\": \"grupa\"}}, \"categories\": {\"field\": \"familie\"}}",
	             "mapping.categories.field: 'familie' conflicts with the column of fields.categories ('grupa')");
	expect_error("{\"fields\": {\"categories\": {\"constant\": \"X\"}}, \"categories\": {\"field\": \"familie\"}}",
	             "mapping.categories.field: fields.categories is a constant");
}

Test(mapping, too_many_fields)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "{\"fields\": {");
	for (int i = 0; i < PRODUCT_MAX_FIELDS + 1; i++)
		sb_addf(&sb, "%s\"f%d\": {\"constant\": \"x\"}", i ? "," : "", i);
	sb_adds(&sb, "}}");
	expect_error(sb.buf, "mapping.fields: maps 49 fields; at most 48");
	sb_free(&sb);

	/* exactly the maximum with categories: the default fields give way */
	sb_adds(&sb, "{\"fields\": {\"sku\": {\"column\": \"sku\"}");
	for (int i = 2; i < PRODUCT_MAX_FIELDS; i++)
		sb_addf(&sb, ",\"f%02d\": {\"constant\": \"x\"}", i);
	sb_adds(&sb, "}, \"categories\": {\"field\": \"grupa\"}}");
	struct mapping *m = compile(sb.buf);
	struct product p = {0};
	apply_ok(m, ROW("sku", "A1", "name", "n", "grupa", "g"), &p);
	cr_assert_eq(p.n, PRODUCT_MAX_FIELDS);
	product_free(&p);
	mapping_free(m);
	sb_free(&sb);

	sb_adds(&sb, "{\"fields\": {\"sku\": {\"column\": \"sku\"}");
	for (int i = 1; i < PRODUCT_MAX_FIELDS; i++)
		sb_addf(&sb, ",\"f%02d\": {\"constant\": \"x\"}", i);
	sb_adds(&sb, "}, \"categories\": {\"field\": \"grupa\"}}");
	expect_error(sb.buf, "mapping.categories.field: no room for categories: a product has at most 48 fields");
	sb_free(&sb);
}

Test(mapping, null_mapping_means_defaults)
{
	cJSON *null = cJSON_CreateNull();
	struct problems pr = {0};
	struct mapping *m = mapping_compile(null, NULL, "mapping", &pr);
	cr_assert_not_null(m);
	cr_assert_eq(pr.n, 0);
	mapping_free(m);
	mapping_free(NULL);
	cJSON_Delete(null);
}

/* ---- speed ---- */

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(mapping, apply_is_fast_and_does_not_allocate_per_row, .timeout = 30)
{
	struct mapping *m = compile("{\"categories\": {\"map\": {\"Birou > Pixuri\": \"Pens\"}}}");
	struct product p = {0};
	struct row r;
	struct record *rec = row(&r, ROW("sku", "A1", "name", "Pix albastru", "price", "3,50", "sale_price", "2,99",
	                                 "quantity", "12", "description", "Un pix albastru cu gel", "category",
	                                 "Birou > Pixuri", "ean", "5941234567890", "brand", "Bic", "weight", "0.1"));
	struct row_error err;
	cr_assert_eq(mapping_apply(m, rec, 0, &p, &err), 0);
	char *arena = p.arena.buf;
	const int rows = 200000;
	double start = seconds_now();
	for (int i = 0; i < rows; i++)
		mapping_apply(m, rec, 0, &p, &err);
	double per_row = (seconds_now() - start) / rows;
	cr_assert_eq(p.arena.buf, arena, "the arena is reused");
	cr_assert_eq(p.n, 10);
	/* The target is well under 1 us with -O2; the bound leaves room for sanitizers and busy machines. */
	cr_log_info("mapping_apply: %.0f ns per row", per_row * 1e9);
	cr_expect_lt(per_row, 20e-6, "%.0f ns per row", per_row * 1e9);
	product_free(&p);
	mapping_free(m);
}
