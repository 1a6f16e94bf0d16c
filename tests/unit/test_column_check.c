/* The columns a connection names against the feed's: required ones fail, the others warn, with a hint. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/column_check.h"

static struct conn_config *parse(const char *doc)
{
	struct problems problems = {0};
	struct conn_config *conn = conn_parse(doc, &problems);
	cr_assert_not_null(conn, "%s", problems.n ? problems.items[0] : "");
	return conn;
}

/* A CSV connection that pushes to a shop, with more members of the document. */
static struct conn_config *shop_conn(const char *members)
{
	char doc[1024];
	snprintf(doc, sizeof(doc), "{\"name\": \"t\", \"source\": {\"type\": \"csv\", \"url\": \"/x.csv\"}, %s, "
	         "\"destination\": {\"type\": \"woocommerce\", \"id\": 1}}", members);
	return parse(doc);
}

/* Checks the feed's header `names` and expects that many warnings. */
static void check(const struct conn_config *conn, const char *const *names, size_t n, size_t warnings,
                  struct column_report *r)
{
	column_check(conn, names, n, true, r);
	cr_assert_eq(r->warnings.n, warnings, "%zu warnings, the first: %s", r->warnings.n,
	             r->warnings.n ? r->warnings.items[0] : "");
}

/* The one warning that contains `needle`; fails when none or several do. */
static const char *warning_with(const struct column_report *r, const char *needle)
{
	const char *found = NULL;
	for (size_t i = 0; i < r->warnings.n; i++)
		if (strstr(r->warnings.items[i], needle)) {
			cr_assert_null(found, "two warnings have '%s': %s | %s", needle, found, r->warnings.items[i]);
			found = r->warnings.items[i];
		}
	cr_assert_not_null(found, "no warning has '%s' (%zu warnings)", needle, r->warnings.n);
	return found;
}

Test(column_check, missing_required_columns_are_listed_with_the_found_ones)
{
	struct conn_config *conn = parse("{\"name\": \"t\", \"source\": {\"type\": \"winmentor\", \"url\": \"/x.csv\"}}");
	const char *names[] = {"Cod", "Denumire", "Prise"};
	struct column_report r;
	column_check(conn, names, 3, true, &r);
	cr_assert_str_eq(r.missing_required, "missing required columns: price (did you mean `Prise`?), quantity; "
	                 "the feed has: Cod, Denumire, Prise");
	column_report_free(&r);
	column_check(conn, names, 0, false, &r);
	cr_assert_str_eq(r.missing_required, "missing required columns: sku, price, quantity; the first item has: "
	                 "(no columns)");
	column_report_free(&r);
	conn_free(conn);
}

Test(column_check, mapping_and_filter_columns_the_feed_lacks_warn_with_a_close_match)
{
	struct conn_config *conn = parse(
		"{\"name\": \"t\", \"source\": {\"type\": \"csv\", \"url\": \"/x.csv\"},"
		" \"filters\": {\"rules\": [{\"field\": \"stok\", \"op\": \"gt\", \"value\": \"0\"},"
		"                           {\"field\": \"stok\", \"op\": \"lt\", \"value\": \"9\"}]},"
		" \"mapping\": {\"fields\": {\"regular_price\": {\"column\": \"cost_price\"},"
		"                           \"stock_quantity\": {\"column\": \"units\", \"default\": \"0\"}}}}");
	const char *names[] = {"sku", "name", "costprice", "Stock"};
	struct column_report r;
	column_check(conn, names, 4, true, &r);
	cr_assert_null(r.missing_required);
	cr_assert_eq(r.warnings.n, 3, "%zu warnings", r.warnings.n);
	cr_assert_str_eq(warning_with(&r, "regular_price"), "mapping: regular_price reads column `cost_price` (did you "
	                 "mean `costprice`?), which the feed lacks: products are imported without regular_price; the "
	                 "feed has: sku, name, costprice, Stock");
	cr_assert(strstr(warning_with(&r, "stock_quantity"), "column `units`, which the feed lacks: every product gets its "
	                 "default '0'"));
	cr_assert(strstr(warning_with(&r, "filters: "), "a rule reads column `stok` (did you mean `Stock`?), which the "
	                 "feed lacks: it reads as empty for every row"));
	column_report_free(&r);
	conn_free(conn);
}

Test(column_check, a_feed_without_price_warns_and_so_do_the_fields_a_shop_is_sent)
{
	struct conn_config *conn = shop_conn("\"update\": {\"fields\": [\"stock_quantity\", \"ean\"]}");
	const char *names[] = {"sku", "name", "brand"};
	struct column_report r;
	check(conn, names, 3, 3, &r);
	cr_assert(strstr(warning_with(&r, "regular_price"), "reads column `price` by default, which the feed lacks"));
	warning_with(&r, "stock_quantity reads column `quantity` by default");
	warning_with(&r, "ean reads column `ean` by default");
	column_report_free(&r);
	/* the same feed with everything: no warning */
	const char *all[] = {"sku", "name", "price", "quantity", "ean"};
	check(conn, all, 5, 0, &r);
	column_report_free(&r);
	conn_free(conn);
}

Test(column_check, update_fields_nothing_maps_and_columns_read_as_one_name_warn)
{
	struct conn_config *conn = shop_conn("\"mapping\": {\"auto\": false, \"fields\": {\"sku\": {\"column\": \"sku\"}}},"
	                                     " \"update\": {\"fields\": [\"regular_price\"]}");
	const char *names[] = {"Cod", "name", "SKU"};
	struct column_report r;
	check(conn, names, 3, 2, &r);
	cr_assert_str_eq(warning_with(&r, "update.fields"), "update.fields: sends regular_price, but the mapping fills "
	                 "it from no column or constant, so updates leave it as the shop has it");
	cr_assert_str_eq(warning_with(&r, "columns"), "columns: column 1 `Cod` and column 3 `SKU` both read as `sku`: "
	                 "only column 1 is read (name one of them in source.aliases)");
	column_report_free(&r);
	conn_free(conn);
}

Test(column_check, a_nested_feed_gets_the_alias_and_the_column_to_write)
{
	struct conn_config *conn = parse("{\"name\": \"t\", \"source\": {\"type\": \"json\", \"url\": \"/x.json\"}}");
	const char *names[] = {"id", "title", "price.currency", "price.amount"};
	struct column_report r;
	column_check(conn, names, 4, false, &r);
	cr_assert_str_eq(r.missing_required, "missing required column: sku (if `id` holds the SKU, set \"source\": "
	                 "{\"aliases\": {\"id\": \"sku\"}}); the first item has: id, title, price.currency, price.amount");
	cr_assert(strstr(warning_with(&r, "regular_price"), "reads column `price` (did you mean `price.amount`?)"));
	column_report_free(&r);
	const char *no_id[] = {"name", "price"};
	column_check(conn, no_id, 2, false, &r);
	cr_assert_str_eq(r.missing_required, "missing required column: sku; the first item has: name, price",
	                 "no id: nothing to suggest");
	column_report_free(&r);
	conn_free(conn);
}
