/*
 * Products: a connection's catalog with each product's state, remote id and last error, sorted and
 * filtered in SQL along the indexes of migration 10; Enter shows the product's page and history.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/store_products.h"
#include "engine/product_page.h"
#include "tui/dialog.h"
#include "tui/screens.h"
#include "tui/table_view.h"

struct products_screen {
	struct screen base;
	struct table table;
	char *conn_name;
};

static const struct product_row *product_of(const void *row)
{
	return row;
}

static void cell_sku(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, product_of(row)->sku);
}

static void cell_name(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	const char *name = product_of(row)->name;
	sb_adds(out, name ? name : cell_none(ctx));
}

static void cell_parent(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	const char *parent = product_of(row)->parent_sku;
	sb_adds(out, parent ? parent : cell_none(ctx));
}

static enum role state_role(const char *state)
{
	if (str_eq(state, "failed"))
		return ROLE_ERROR;
	if (str_eq(state, "missing") || str_eq(state, "retired"))
		return ROLE_WARN;
	if (str_eq(state, "in_sync"))
		return ROLE_OK;
	return ROLE_RUNNING;   /* new and changed: waiting for a push */
}

static void cell_state(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx;
	const char *state = product_of(row)->state;
	sb_adds(out, state);
	*role = state_role(state);
}

static void cell_price(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	const char *price = product_of(row)->price;
	sb_adds(out, price ? price : cell_none(ctx));
}

static void add_number(struct strbuf *out, bool known, int64_t n, const struct cell_ctx *ctx)
{
	if (known)
		sb_addf(out, "%lld", (long long)n);
	else
		sb_adds(out, cell_none(ctx));
}

static void cell_quantity(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	add_number(out, product_of(row)->has_quantity, product_of(row)->quantity, ctx);
}

static void cell_remote(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	add_number(out, product_of(row)->remote_id != 0, product_of(row)->remote_id, ctx);
}

static void cell_error(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct product_row *p = product_of(row);
	sb_adds(out, p->last_error ? p->last_error : cell_none(ctx));
	if (p->last_error)
		*role = ROLE_ERROR;
}

/*
 * The SKU and the state always show; at 80 columns the name and the error share what is left, the group a
 * variant belongs to goes first (its page names it), then the remote id, then the quantity. Sorted by SKU or state, filtered by SKU: the orders along an index
 * (store_views.c).
 */
static const struct table_column product_columns[] = {
	{"sku", "SKU", 24, 8, false, 'l', PRODUCT_F_SKU, cell_sku, false, 0},
	{"parent_sku", "PARENT", 16, 6, false, 'l', -1, cell_parent, false, 3},
	{"name", "NAME", 40, 10, true, 'l', -1, cell_name, false, 0},
	{"state", "STATE", 8, 7, false, 'l', PRODUCT_F_STATE, cell_state, false, 0},
	{"price", "PRICE", 10, 5, false, 'r', -1, cell_price, false, 0},
	{"quantity", "QTY", 6, 3, false, 'r', -1, cell_quantity, false, 1},
	{"remote_id", "REMOTE", 8, 6, false, 'r', -1, cell_remote, false, 2},
	{"last_error", "LAST ERROR", 40, 10, true, 'l', -1, cell_error, false, 0},
};

static int fetch_products(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                          int64_t matched, void **rows, size_t *n)
{
	struct product_row *out;
	int rc = store_views_products(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

/* Page Down half a million products deep reads the window's rows only (store_views_products_seek). */
static int seek_products(struct store_views *v, const struct view_query *q, const void *edge, bool before,
                         int64_t skip, int limit, void **rows, size_t *n)
{
	struct product_row *out;
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
	return product_of(row)->rowid;
}

static const struct table_source product_source = {
	STORE_VIEW_PRODUCTS, sizeof(struct product_row), fetch_products, free_products, product_rowid, seek_products,
};

static const enum action product_actions[] = {ACTION_OPEN, ACTION_NONE};

static void show_page(struct app *app, int64_t conn_id, const char *sku)
{
	struct product_page page;
	int found = product_page_read(app->store, conn_id, sku, &page);
	if (found < 0) {
		app_message(app, ROLE_ERROR, "cannot read product %s: %s", sku, store_errmsg(app->store));
		return;
	}
	if (found == 0) {
		app_message(app, ROLE_WARN, "product %s is no longer in the catalog", sku);
		return;
	}
	struct strbuf text = {0};
	product_page_text(&page, &text);
	char title[160];
	snprintf(title, sizeof(title), "Product %s", sku);
	dialog_pager(app, title, sb_str(&text));
	sb_free(&text);
	product_page_free(&page);
}

static void products_load(struct screen *s)
{
	table_reload(s->table);
}

static void products_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct cell_ctx ctx = app_cell_ctx(s->app);
	table_view_draw(s->table, d, &ctx, y, h);
}

static void products_title(struct screen *s, struct strbuf *out)
{
	sb_addf(out, "Products of %s", ((struct products_screen *)s)->conn_name);
}

static bool products_act(struct screen *s, enum action a)
{
	const struct product_row *p = table_selected(s->table);
	if (a != ACTION_OPEN || !p)
		return false;
	char *sku = xstrdup(p->sku);   /* the pager's redraws reload the table under p */
	show_page(s->app, s->table->connection_id, sku);
	free(sku);
	return true;
}

static void products_free(struct screen *s)
{
	struct products_screen *ps = (struct products_screen *)s;
	table_free(&ps->table);
	free(ps->conn_name);
	free(ps);
}

const struct screen_ops products_screen_ops = {
	.name = "Products",
	.actions = product_actions,
	.load = products_load,
	.draw = products_draw,
	.act = products_act,
	.title = products_title,
	.free = products_free,
};

struct screen *screen_products_new(struct app *app, int64_t conn_id, const char *conn_name)
{
	struct products_screen *ps = xcalloc(1, sizeof(*ps));
	ps->base.ops = &products_screen_ops;
	ps->base.app = app;
	ps->base.table = &ps->table;
	table_init(&ps->table, product_columns, (int)ARRAY_LEN(product_columns), &product_source, app->views);
	ps->table.connection_id = conn_id;
	ps->conn_name = xstrdup(conn_name ? conn_name : "");
	return &ps->base;
}
