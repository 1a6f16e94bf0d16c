/*
 * Keyset paging through the table model (issue 12): moves read the next window from the row at the edge of
 * the one held, not at an offset, and every row, the selection and its position stay what the offset gives.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/store.h"
#include "core/store_products.h"
#include "core/store_views.h"
#include "core/util.h"
#include "tui/table.h"

#define PRODUCTS 200

static char dir[64];
static struct store *store;
static struct store_views *views;
static int64_t conn;
static int seeks;
static int64_t passed_over;   /* the most rows a window read at an offset passed over, from the nearer end */

static void cell_sku(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, ((const struct product_row *)row)->sku);
}

static const struct table_column columns[] = {
	{"sku", "SKU", 24, 8, false, 'l', PRODUCT_F_SKU, cell_sku, false, 0},
	{"state", "STATE", 8, 7, false, 'l', PRODUCT_F_STATE, cell_sku, false, 0},
};

static int fetch_products(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                          int64_t matched, void **rows, size_t *n)
{
	struct product_row *out;
	int64_t from_end = matched - offset - limit, skipped = offset < from_end ? offset : from_end;
	if (skipped > passed_over)
		passed_over = skipped;
	int rc = store_views_products(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

static int seek_products(struct store_views *v, const struct view_query *q, const void *edge, bool before,
                         int64_t skip, int limit, void **rows, size_t *n)
{
	struct product_row *out;
	seeks++;
	int rc = store_views_products_seek(v, q, edge, before, skip, limit, &out, n);
	*rows = out;
	return rc;
}

static void free_products(void *rows, size_t n)
{
	product_rows_free(rows, n);
}

static int64_t product_rowid(const void *row)
{
	return ((const struct product_row *)row)->rowid;
}

static const struct table_source source = {
	STORE_VIEW_PRODUCTS, sizeof(struct product_row), fetch_products, free_products, product_rowid, seek_products,
};

/* SKU-000..SKU-199 inserted out of order; every seventh in sync, the others new: ties under two states. */
static void setup(void)
{
	str_copy(dir, "/tmp/feedsync-seek-XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	char *path = xasprintf("%s/t.db", dir);
	char err[256];
	store = store_open_path(path, 1000, err, sizeof(err));
	free(path);
	cr_assert_not_null(store, "%s", err);
	struct conn_fields f = {.name = "A", .active = true, .source_type = "csv", .source_url = "x",
	                        .schedule = "manual", .document = "{}"};
	cr_assert_eq(store_conn_insert(store, &f, &conn, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < PRODUCTS; i++) {
		char sku[16];
		int k = (i * 7) % PRODUCTS;
		snprintf(sku, sizeof(sku), "SKU-%03d", k);
		struct product_write w = {.conn_id = conn, .sku = sku, .data = "{}", .hash = k, .now = 1000};
		cr_assert_eq(store_product_insert(store, &w), 0, "%s", store_errmsg(store));
		if (k % 7 == 0)
			cr_assert_eq(store_product_set_pushed(store, conn, sku, k), 0);
	}
	views = store_views_open(store);
}

static void teardown(void)
{
	store_views_close(views);
	store_close(store);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(table_seek, .init = setup, .fini = teardown);

/* The SKUs of the whole list in the table's order, read at offset 0. */
static char (*whole_list(const struct table *t, size_t *n))[16]
{
	struct view_query q = table_query(t);
	struct product_row *rows;
	cr_assert_eq(store_views_products(views, &q, 0, PRODUCTS, -1, &rows, n), 0);
	char (*skus)[16] = xcalloc(*n ? *n : 1, sizeof(*skus));
	for (size_t i = 0; i < *n; i++)
		str_copy(skus[i], rows[i].sku, sizeof(skus[i]));
	product_rows_free(rows, *n);
	return skus;
}

/* Every row of the window is the list's row at its index, and the selection is inside it. */
static void assert_window(const struct table *t, char (*skus)[16], const char *how)
{
	cr_assert_gt(t->nrows, 0, "%s: an empty window", how);
	for (int64_t i = t->top; i < t->top + (int64_t)t->nrows; i++) {
		const struct product_row *r = table_row_at(t, i);
		cr_assert_not_null(r, "%s: row %lld", how, (long long)i);
		cr_assert_str_eq(r->sku, skus[i], "%s: row %lld", how, (long long)i);
	}
	const struct product_row *sel = table_selected(t);
	cr_assert_not_null(sel, "%s", how);
	cr_assert_str_eq(sel->sku, skus[t->cursor], "%s: the selection is row %lld", how, (long long)t->cursor);
}

/* Page Down to the end, Page Up to the top, a row at a time across window edges: by seeks, same rows. */
static void walk(int sort_col, bool desc, enum quick_filter quick, const char *filter)
{
	struct table t;
	table_init(&t, columns, (int)ARRAY_LEN(columns), &source, views);
	t.connection_id = conn;
	t.sort_col = sort_col;
	t.descending = desc;
	t.quick = quick;
	str_copy(t.filter, filter ? filter : "", sizeof(t.filter));
	t.page = 9;
	cr_assert_eq(table_reload(&t), 0, "%s", t.error);
	size_t n;
	char (*skus)[16] = whole_list(&t, &n);
	cr_assert_eq(t.matched, (int64_t)n);
	seeks = 0;
	passed_over = 0;
	char how[96];
	for (int i = 0; t.cursor < t.matched - 1; i++) {
		table_move(&t, t.page);
		snprintf(how, sizeof(how), "sort %d desc %d Page Down %d", sort_col, desc, i);
		assert_window(&t, skus, how);
	}
	for (int i = 0; t.cursor > 0; i++) {
		table_move(&t, -t.page);
		snprintf(how, sizeof(how), "sort %d desc %d Page Up %d", sort_col, desc, i);
		assert_window(&t, skus, how);
	}
	for (int i = 0; i < 30; i++) {
		table_move(&t, 1);
		snprintf(how, sizeof(how), "sort %d desc %d j %d", sort_col, desc, i);
		assert_window(&t, skus, how);
	}
	cr_assert_eq(passed_over, 0, "sort %d desc %d: a move read a window at an offset, passing over %lld rows",
	             sort_col, desc, (long long)passed_over);
	cr_assert_gt(seeks, 0);
	table_move_to(&t, t.matched - 1);   /* End: read from the end, then Page Up seeks from there */
	table_move(&t, -t.page);
	assert_window(&t, skus, "End, Page Up");
	free(skus);
	table_free(&t);
}

Test(table_seek, every_order_pages_by_seeks_with_the_rows_of_the_offset)
{
	for (int col = 0; col < 2; col++)
		for (int desc = 0; desc < 2; desc++)
			walk(col, desc, QUICK_ALL, NULL);
}

Test(table_seek, the_filters_page_by_seeks_too)
{
	for (int col = 0; col < 2; col++) {
		walk(col, false, QUICK_ALL, "SKU-1");
		walk(col, true, QUICK_ALL, "SKU-1");
	}
}

/*
 * Another process committed: the console reloads the window on screen, from its first row's key, as a move
 * does, not at its offset (half a million products deep that offset is half a million rows passed over).
 */
Test(table_seek, a_reload_deep_in_the_list_seeks_from_the_window)
{
	for (int col = 0; col < 2; col++)
		for (int desc = 0; desc < 2; desc++) {
			struct table t;
			table_init(&t, columns, (int)ARRAY_LEN(columns), &source, views);
			t.connection_id = conn;
			t.sort_col = col;
			t.descending = desc;
			t.page = 9;
			cr_assert_eq(table_reload(&t), 0, "%s", t.error);
			size_t n;
			char (*skus)[16] = whole_list(&t, &n);
			table_move_to(&t, PRODUCTS / 2);   /* a jump: read at its offset */
			passed_over = 0;
			seeks = 0;
			cr_assert_eq(table_reload(&t), 0, "%s", t.error);
			char how[64];
			snprintf(how, sizeof(how), "sort %d desc %d reload", col, desc);
			assert_window(&t, skus, how);
			cr_assert_eq(passed_over, 0, "%s: read at an offset, passing over %lld rows", how,
			             (long long)passed_over);
			cr_assert_eq(seeks, 1, "%s", how);
			free(skus);
			table_free(&t);
		}
}
