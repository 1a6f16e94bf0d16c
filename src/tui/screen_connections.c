/* The first screen: every connection with its latest run, and the actions on a connection. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "engine/scheduler.h"
#include "tui/dialog.h"
#include "tui/run_actions.h"
#include "tui/screens.h"
#include "tui/sparkline.h"
#include "tui/table_view.h"
#include "tui/wizard.h"

#define SPARKLINE_RUNS 12

struct conns_screen {
	struct screen base;
	struct table table;
	/* The last runs of the connections on screen, read with them: recent[i] is the window's row i. */
	struct recent_runs *recent;
	size_t nrecent;
	bool recent_failed;   /* the last read failed (and said so) */
};

static void cell_id(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_addf(out, "%lld", (long long)((const struct conn_row *)row)->id);
}

static void cell_name(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	(void)ctx;
	sb_adds(out, c->name);
	if (!c->active)
		*role = ROLE_DIM;
}

static void cell_source(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, ((const struct conn_row *)row)->source_type);
}

static void cell_dest(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	sb_adds(out, c->dest_name ? c->dest_name : c->dest_type ? c->dest_type : cell_none(ctx));
	if (!c->dest_type)
		*role = ROLE_DIM;
}

static void cell_active(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	(void)ctx;
	sb_adds(out, c->active ? "yes" : "no");
	if (!c->active)
		*role = ROLE_DIM;
}

static void cell_schedule(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, ((const struct conn_row *)row)->schedule);
}

static void cell_status(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	if (!ctx->plain)
		sb_addf(out, "%s ", status_symbol(ctx->g, c->last_status));
	sb_adds(out, status_word(c->last_status));
	*role = status_role(c->last_status);
}

static void cell_last_run(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	cell_time(((const struct conn_row *)row)->last_started_at, ctx, out);
}

static void cell_result(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	if (!c->last_run_id) {
		sb_adds(out, cell_none(ctx));
		return;
	}
	sb_addf(out, "%lld/%lld/%lld/%lld", (long long)c->last_created, (long long)c->last_updated,
	        (long long)c->last_skipped, (long long)c->last_failed);
	if (c->last_failed)
		*role = ROLE_WARN;
}

static void cell_next_due(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct conn_row *c = row;
	cell_time(c->active ? c->next_due_at : 0, ctx, out);
	if (c->active && c->next_due_at && c->next_due_at < ctx->now)
		*role = ROLE_WARN;   /* overdue: no worker is running the schedule */
}

static const struct recent_runs *recent_of(const struct cell_ctx *ctx, int64_t id)
{
	const struct conns_screen *cs = ctx->extra;
	for (size_t i = 0; cs && i < cs->nrecent; i++)
		if (cs->recent[i].connection_id == id)
			return &cs->recent[i];
	return NULL;
}

/* The glyphs, for measuring and export; conns_draw paints them again in colour. */
static void cell_recent(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	const struct recent_runs *h = recent_of(ctx, ((const struct conn_row *)row)->id);
	if (h && h->n)
		sparkline_text(ctx->g, h, out);
	else
		sb_adds(out, cell_none(ctx));
}

/*
 * Columns take what their cells need; the name gives way first. When even that is too wide, ON goes first
 * (a disabled connection's name is dimmed anyway), then the source type, the next run and the schedule.
 */
static const struct table_column conn_columns[] = {
	{"id", "ID", 5, 2, false, 'r', CONN_F_ID, cell_id, false, 0},
	{"name", "NAME", 28, 14, true, 'l', CONN_F_NAME, cell_name, false, 0},
	{"source", "SRC", 9, 3, false, 'l', CONN_F_SOURCE, cell_source, false, 3},
	{"destination", "DEST", 20, 4, false, 'l', CONN_F_DEST, cell_dest, false, 0},
	{"active", "ON", 3, 3, false, 'l', CONN_F_ACTIVE, cell_active, false, 4},
	{"schedule", "SCHEDULE", 16, 9, false, 'l', CONN_F_SCHEDULE, cell_schedule, false, 1},
	{"status", "STATUS", 11, 8, false, 'l', CONN_F_STATUS, cell_status, false, 0},
	{"recent", "RUNS", SPARKLINE_RUNS, 4, false, 'r', -1, cell_recent, false, 0},
	{"last_run", "LAST RUN", 8, 8, false, 'r', CONN_F_LAST_RUN, cell_last_run, false, 0},
	{"result", "C/U/S/F", 15, 10, false, 'r', CONN_F_RESULT, cell_result, false, 0},
	{"next_due", "NEXT", 8, 6, false, 'r', CONN_F_NEXT_DUE, cell_next_due, false, 2},
};

static int fetch_conns(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                       int64_t matched, void **rows, size_t *n)
{
	struct conn_row *out;
	int rc = store_views_conns(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

static void free_conns(void *rows, size_t n)
{
	conn_rows_free(rows, n);
}

static int64_t conn_id(const void *row)
{
	return ((const struct conn_row *)row)->id;
}

static const struct table_source conn_source = {
	STORE_VIEW_CONNS, sizeof(struct conn_row), fetch_conns, free_conns, conn_id, NULL,
};

static const enum action conn_actions[] = {
	ACTION_OPEN, ACTION_RUN_NOW, ACTION_NEW_CONNECTION, ACTION_EDIT_CONNECTION,
	ACTION_TOGGLE_ACTIVE, ACTION_CLONE, ACTION_CLONE_IN_WIZARD, ACTION_DELETE, ACTION_SHOW_PRODUCTS,
	ACTION_NONE,
};

static void conns_load(struct screen *s)
{
	table_reload(s->table);
}

/* One query for the last runs of every connection in the window. */
static void load_recent(struct conns_screen *cs)
{
	struct table *t = &cs->table;
	cs->recent = xrealloc(cs->recent, (t->nrows + 1) * sizeof(*cs->recent));
	int64_t *ids = xmalloc((t->nrows + 1) * sizeof(*ids));
	for (size_t i = 0; i < t->nrows; i++)
		ids[i] = conn_id((const char *)t->rows + i * t->src->row_size);
	cs->nrecent = t->nrows;
	bool failed = store_recent_runs(cs->base.app->store, ids, t->nrows, SPARKLINE_RUNS, cs->recent) < 0;
	if (failed) {
		/* Said once, not on every frame: a message redraws the screen, which would read them again. */
		if (!cs->recent_failed)
			app_message(cs->base.app, ROLE_ERROR, "cannot read the last runs: %s",
			            store_errmsg(cs->base.app->store));
		cs->nrecent = 0;
	}
	cs->recent_failed = failed;
	free(ids);
}

static int recent_column(const struct table *t)
{
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].format == cell_recent)
			return i;
	return -1;
}

/* The sparklines again, each glyph in its status's colour (the selected row keeps the selection's). */
static void paint_recent(struct conns_screen *cs, const struct draw *d, const struct cell_ctx *ctx, int y, int h)
{
	struct table *t = &cs->table;
	int col = recent_column(t);
	if (col < 0 || !t->drawn.w[col])
		return;
	for (int r = 0; r < h - 1; r++) {
		int64_t index = t->top + r;
		const void *row = table_row_at(t, index);
		const struct recent_runs *runs = row ? recent_of(ctx, conn_id(row)) : NULL;
		if (runs && runs->n && index != t->cursor)
			sparkline_draw(d, y + 1 + r, t->drawn.x[col], t->drawn.w[col], runs);
	}
}

static void conns_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct conns_screen *cs = (struct conns_screen *)s;
	struct cell_ctx ctx = app_cell_ctx(s->app);
	table_set_page(s->table, h - 1);
	load_recent(cs);
	ctx.extra = cs;
	table_view_draw(s->table, d, &ctx, y, h);
	paint_recent(cs, d, &ctx, y, h);
}

static void conns_title(struct screen *s, struct strbuf *out)
{
	(void)s;
	sb_adds(out, "Connections");
}

/* 0, or -1 with the reason in the status line. */
static int set_active(struct app *app, const struct conn_row *c, bool active)
{
	int64_t next_due = active ? scheduler_next_due(c->schedule, now_ms(), 0) : 0;
	if (store_conn_set_active(app->store, c->id, active) < 0 ||
	    store_conn_set_next_due(app->store, c->id, next_due) < 0) {
		app_message(app, ROLE_ERROR, "cannot update connection %lld: %s", (long long)c->id,
		            store_errmsg(app->store));
		return -1;
	}
	return 0;
}

static void toggle_active(struct app *app, const struct conn_row *c)
{
	if (set_active(app, c, !c->active) < 0)
		return;
	app_message(app, ROLE_OK, "%s connection %lld", !c->active ? "enabled" : "disabled", (long long)c->id);
	app_changed(app);
}

/* Enabling wins: the marked ones are all disabled only when every one of them is enabled. */
static bool any_inactive(struct app *app, const struct table *t)
{
	bool found = false;
	for (size_t i = 0; i < t->nmarks && !found; i++) {
		struct conn_row c = {0};
		found = store_conn_get(app->store, t->marks[i], &c) == 1 && !c.active;
		conn_row_free(&c);
	}
	return found;
}

/* Run now, or enable/disable, on every marked connection, each as it is done for one; the marks then go. */
static void act_on_marked(struct app *app, struct table *t, enum action a)
{
	size_t done = 0, n = t->nmarks;
	bool enable = a == ACTION_TOGGLE_ACTIVE && any_inactive(app, t);
	for (size_t i = 0; i < n; i++) {
		if (a == ACTION_RUN_NOW) {
			done += run_action_start(app, t->marks[i], "manual", 0, 1) > 0;
			continue;
		}
		struct conn_row c = {0};
		if (store_conn_get(app->store, t->marks[i], &c) == 1)
			done += set_active(app, &c, enable) == 0;
		conn_row_free(&c);
	}
	table_clear_marks(t);
	app_message(app, done == n ? ROLE_OK : ROLE_WARN, "%s %zu of %zu marked connections",
	            a == ACTION_RUN_NOW ? "started runs of" : enable ? "enabled" : "disabled", done, n);
	app_changed(app);
}

static void clone(struct app *app, const struct conn_row *c)
{
	int64_t new_id = 0;
	char err[1024];
	if (cli_conn_clone(app->store, c->id, NULL, &new_id, err, sizeof(err)) != EXIT_OK) {
		app_message(app, ROLE_ERROR, "cannot copy connection %lld: %s", (long long)c->id, err);
		return;
	}
	app_message(app, ROLE_OK, "copied connection %lld to connection %lld (disabled until enabled)",
	            (long long)c->id, (long long)new_id);
	app_changed(app);
}

static void delete_confirmed(struct app *app, int64_t id)
{
	struct run_row active;
	switch (store_conn_delete(app->store, id)) {
	case 0:
		app_message(app, ROLE_OK, "deleted connection %lld, its catalog and its runs", (long long)id);
		break;
	case 1:
		app_message(app, ROLE_WARN, "connection %lld was already gone", (long long)id);
		break;
	case 2:
		if (store_run_active_for(app->store, id, &active) == 1)
			app_message(app, ROLE_ERROR, "refused: connection %lld has an active run %lld (%s); cancel it first",
			            (long long)id, (long long)active.id, active.status);
		else
			app_message(app, ROLE_ERROR, "refused: connection %lld has an active run", (long long)id);
		break;
	default:
		app_message(app, ROLE_ERROR, "cannot delete connection %lld: %s", (long long)id, store_errmsg(app->store));
	}
	app_changed(app);
}

static void ask_delete(struct app *app, const struct conn_row *c)
{
	struct run_row active;
	if (store_run_active_for(app->store, c->id, &active) == 1) {
		app_message(app, ROLE_ERROR, "refused: connection %lld has an active run %lld (%s); cancel it first",
		            (long long)c->id, (long long)active.id, active.status);
		return;
	}
	struct strbuf name = {0};
	draw_clean(c->name, app->g->ascii, &name);
	dialog_confirm(app, delete_confirmed, c->id, "Delete connection %lld '%s' with its catalog and runs?",
	               (long long)c->id, sb_str(&name));
	sb_free(&name);
}

static void open_wizard(struct app *app, enum wiz_mode mode, int64_t conn_id)
{
	struct screen *wizard = screen_wizard_new(app, mode, conn_id);
	if (wizard)
		app_push(app, wizard);
}

static bool conns_act(struct screen *s, enum action a)
{
	struct app *app = s->app;
	const struct conn_row *c = table_selected(s->table);
	if (a == ACTION_NEW_CONNECTION) {
		open_wizard(app, WIZ_NEW, 0);
		return true;
	}
	if (s->table->nmarks && (a == ACTION_RUN_NOW || a == ACTION_TOGGLE_ACTIVE)) {
		act_on_marked(app, s->table, a);
		return true;
	}
	if (!c)
		return false;
	switch (a) {
	case ACTION_OPEN: app_push(app, screen_runs_new(app, c->id, c->name)); break;
	case ACTION_RUN_NOW: run_action_start(app, c->id, "manual", 0, 1); break;
	case ACTION_TOGGLE_ACTIVE: toggle_active(app, c); break;
	case ACTION_CLONE: clone(app, c); break;
	case ACTION_EDIT_CONNECTION: open_wizard(app, WIZ_EDIT, c->id); break;
	case ACTION_CLONE_IN_WIZARD: open_wizard(app, WIZ_CLONE, c->id); break;
	case ACTION_DELETE: ask_delete(app, c); break;
	case ACTION_SHOW_PRODUCTS: app_push(app, screen_products_new(app, c->id, c->name)); break;
	default: return false;
	}
	return true;
}

static void conns_free(struct screen *s)
{
	struct conns_screen *cs = (struct conns_screen *)s;
	table_free(&cs->table);
	free(cs->recent);
	free(cs);
}

const struct screen_ops connections_screen_ops = {
	.name = "Connections",
	.actions = conn_actions,
	.load = conns_load,
	.draw = conns_draw,
	.act = conns_act,
	.title = conns_title,
	.free = conns_free,
};

struct screen *screen_connections_new(struct app *app)
{
	struct conns_screen *cs = xcalloc(1, sizeof(*cs));
	cs->base.ops = &connections_screen_ops;
	cs->base.app = app;
	cs->base.table = &cs->table;
	table_init(&cs->table, conn_columns, (int)ARRAY_LEN(conn_columns), &conn_source, app->views);
	cs->table.sort_col = 1;   /* by name */
	return &cs->base;
}
