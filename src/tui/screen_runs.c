/* Runs: of every connection, or of one. */
#include <stdio.h>
#include <stdlib.h>

#include "tui/run_actions.h"
#include "tui/screens.h"
#include "tui/table_view.h"

struct runs_screen {
	struct screen base;
	struct table table;
	char *conn_name;     /* of the connection whose runs these are; NULL for all */
};

static const struct run_row *run_of(const void *row)
{
	return row;
}

static void cell_id(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_addf(out, "%lld", (long long)run_of(row)->id);
}

static void cell_connection(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, run_of(row)->connection_name);
}

static void cell_trigger(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, run_of(row)->trigger);
}

static void cell_status(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct run_row *r = run_of(row);
	if (!ctx->plain)
		sb_addf(out, "%s ", status_symbol(ctx->g, r->status));
	sb_adds(out, status_word(r->status));
	*role = status_role(r->status);
}

static void cell_phase(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct run_row *r = run_of(row);
	sb_adds(out, r->phase[0] ? r->phase : cell_none(ctx));
	if (!run_status_active(r->status))
		*role = ROLE_DIM;
}

static void cell_progress(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct run_row *r = run_of(row);
	double f = run_status_active(r->status) ? run_progress(r) : -1;
	(void)ctx;
	if (f >= 0) {
		sb_addf(out, "%d%%", (int)(f * 100));
		*role = ROLE_RUNNING;
	} else {
		sb_addf(out, "%lld", (long long)r->counters[RC_ROWS_READ]);
	}
}

static void cell_result(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const int64_t *c = run_of(row)->counters;
	(void)ctx;
	sb_addf(out, "%lld/%lld/%lld/%lld", (long long)c[RC_CREATED], (long long)c[RC_UPDATED],
	        (long long)c[RC_SKIPPED], (long long)c[RC_FAILED]);
	if (c[RC_FAILED])
		*role = ROLE_WARN;
}

static void cell_push(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const int64_t *c = run_of(row)->counters;
	(void)ctx;
	sb_addf(out, "%lld/%lld", (long long)c[RC_PUSH_PROCESSED], (long long)c[RC_PUSH_FAILED]);
	if (c[RC_PUSH_FAILED])
		*role = ROLE_WARN;
}

static void cell_started(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	cell_time(run_of(row)->started_at, ctx, out);
}

static void cell_duration(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct run_row *r = run_of(row);
	char buf[32];
	(void)role;
	str_copy(buf, cell_none(ctx), sizeof(buf));
	if (r->started_at)
		format_duration((r->finished_at ? r->finished_at : ctx->now) - r->started_at, buf, sizeof(buf));
	sb_adds(out, buf);
}

/*
 * Columns take what their cells need; the connection's name gives way first. The minimums hold the common
 * cells ("✘ failed", "reconcile", "1234/0", "1h 02m") so columns rarely move as rows change. When even that
 * is too wide (80 columns), the trigger goes, then the start time, then the phase.
 */
static const struct table_column run_columns[] = {
	{"id", "ID", 7, 3, false, 'r', RUN_F_ID, cell_id, false, 0},
	{"connection", "CONNECTION", 28, 10, true, 'l', RUN_F_CONNECTION, cell_connection, false, 0},
	{"trigger", "TRIGGER", 9, 7, false, 'l', RUN_F_TRIGGER, cell_trigger, false, 3},
	{"status", "STATUS", 11, 8, false, 'l', RUN_F_STATUS, cell_status, false, 0},
	{"phase", "PHASE", 12, 9, false, 'l', RUN_F_PHASE, cell_phase, false, 1},
	{"progress", "ROWS/%", 8, 6, false, 'r', RUN_F_PROGRESS, cell_progress, false, 0},
	{"result", "C/U/S/F", 15, 10, false, 'r', RUN_F_RESULT, cell_result, false, 0},
	{"push", "PUSH", 11, 6, false, 'r', RUN_F_PUSH, cell_push, false, 0},
	{"started", "STARTED", 8, 7, false, 'r', RUN_F_STARTED, cell_started, false, 2},
	{"duration", "TOOK", 8, 6, false, 'r', RUN_F_DURATION, cell_duration, false, 0},
};

static int fetch_runs(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                      int64_t matched, void **rows, size_t *n)
{
	struct run_row *out;
	int rc = store_views_runs(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

static void free_runs(void *rows, size_t n)
{
	(void)n;
	free(rows);
}

static int64_t run_id(const void *row)
{
	return run_of(row)->id;
}

static const struct table_source run_source = {
	STORE_VIEW_RUNS, sizeof(struct run_row), fetch_runs, free_runs, run_id, NULL,
};

static const enum action run_list_actions[] = {
	ACTION_OPEN, ACTION_RUN_NOW, ACTION_CANCEL, ACTION_RETRY, ACTION_COPY_ID, ACTION_COPY_ERROR, ACTION_SHOW_PLAN,
	ACTION_NONE,
};

static void runs_load(struct screen *s)
{
	table_reload(s->table);
}

static void runs_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct cell_ctx ctx = app_cell_ctx(s->app);
	table_view_draw(s->table, d, &ctx, y, h);
}

static void runs_title(struct screen *s, struct strbuf *out)
{
	struct runs_screen *rs = (struct runs_screen *)s;
	if (rs->conn_name)
		sb_addf(out, "Runs of %s", rs->conn_name);
	else
		sb_adds(out, "Runs");
}

/* Clocks run while a run on screen is active. */
static bool runs_ticking(struct screen *s)
{
	const struct table *t = s->table;
	for (size_t i = 0; i < t->nrows; i++)
		if (run_status_active(((const struct run_row *)t->rows)[i].status))
			return true;
	return false;
}

/* A cancel request for every marked run, each as for one; the marks then go. */
static void cancel_marked(struct app *app, struct table *t)
{
	size_t done = 0, n = t->nmarks;
	for (size_t i = 0; i < n; i++)
		done += run_action_cancel(app, &(struct run_row){.id = t->marks[i]});
	table_clear_marks(t);
	app_message(app, done == n ? ROLE_OK : ROLE_WARN, "cancel requested for %zu of %zu marked runs", done, n);
}

static bool runs_act(struct screen *s, enum action a)
{
	struct app *app = s->app;
	if (a == ACTION_CANCEL && s->table->nmarks) {
		cancel_marked(app, s->table);
		return true;
	}
	const struct run_row *r = table_selected(s->table);
	if (a == ACTION_RUN_NOW && s->table->connection_id) {
		run_action_start(app, s->table->connection_id, "manual", 0, 1);
		return true;
	}
	if (!r)
		return false;
	struct run_row run = *r;   /* the actions reload the table under r */
	switch (a) {
	case ACTION_OPEN: app_push(app, screen_run_new(app, run.id)); break;
	case ACTION_RUN_NOW: run_action_start(app, run.connection_id, "manual", 0, 1); break;
	case ACTION_CANCEL: run_action_cancel(app, &run); break;
	case ACTION_RETRY: run_action_retry(app, &run); break;
	case ACTION_COPY_ID: run_action_copy_id(app, &run); break;
	case ACTION_COPY_ERROR: run_action_copy_error(app, &run); break;
	case ACTION_SHOW_PLAN: plan_action_open(app, &run); break;
	default: return false;
	}
	return true;
}

static void runs_free(struct screen *s)
{
	struct runs_screen *rs = (struct runs_screen *)s;
	table_free(&rs->table);
	free(rs->conn_name);
	free(rs);
}

const struct screen_ops runs_screen_ops = {
	.name = "Runs",
	.actions = run_list_actions,
	.load = runs_load,
	.draw = runs_draw,
	.act = runs_act,
	.title = runs_title,
	.ticking = runs_ticking,
	.free = runs_free,
};

struct screen *screen_runs_new(struct app *app, int64_t conn_id, const char *conn_name)
{
	struct runs_screen *rs = xcalloc(1, sizeof(*rs));
	rs->base.ops = &runs_screen_ops;
	rs->base.app = app;
	rs->base.table = &rs->table;
	table_init(&rs->table, run_columns, (int)ARRAY_LEN(run_columns), &run_source, app->views);
	rs->table.descending = true;   /* newest first */
	rs->table.connection_id = conn_id;
	rs->conn_name = conn_name ? xstrdup(conn_name) : NULL;
	return &rs->base;
}
