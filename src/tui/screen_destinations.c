/*
 * Destinations: each shop's health, circuit breaker and learned batch size, a strip of its last requests, and
 * a test in the background.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/dest_check.h"
#include "dest/dest_credentials.h"
#include "dest/limits_text.h"
#include "tui/dialog.h"
#include "tui/screens.h"
#include "tui/sparkline.h"
#include "tui/table_view.h"
#include "tui/task.h"

struct dests_screen {
	struct screen base;
	struct table table;
};

static const struct dest_row *dest_of(const void *row)
{
	return &((const struct dest_view_row *)row)->d;
}

static void cell_id(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_addf(out, "%lld", (long long)dest_of(row)->id);
}

static void cell_name(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, dest_of(row)->name);
}

static void cell_type(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, dest_of(row)->type);
}

/* A WordPress site's post type and user follow its address: what a push there writes, and as whom. */
static void cell_url(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	char target[160];
	dest_target_text(dest_of(row), target, sizeof(target));
	sb_adds(out, dest_of(row)->base_url ? dest_of(row)->base_url : "");
	if (*target)
		sb_addf(out, " (%s)", target);
}

static void cell_auth(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, dest_of(row)->auth);
}

/* Verification turned off is shown wherever the destination is. */
static void cell_tls(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct dest_row *d = dest_of(row);
	if (d->base_url && strncmp(d->base_url, "http://", 7) == 0) {
		sb_adds(out, cell_none(ctx));   /* plain http: no TLS at all, OAuth signs the requests */
		*role = ROLE_DIM;
	} else if (!d->verify_tls) {
		sb_adds(out, "OFF");
		*role = ROLE_WARN;
	} else {
		sb_adds(out, "on");
	}
}

/* The last check's verdict, unless the circuit says the shop is failing now: "open since 4m ago". */
static void cell_health(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct dest_row *d = dest_of(row);
	int ok = d->health_ok;
	if (!str_eq(d->circuit_state, "closed")) {
		sb_addf(out, "%s since ", d->circuit_state);
		cell_time(d->circuit_since, ctx, out);
		*role = str_eq(d->circuit_state, "open") ? ROLE_ERROR : ROLE_WARN;
		return;
	}
	if (ok < 0) {
		sb_adds(out, "never");
		*role = ROLE_DIM;
		return;
	}
	const char *as_run = ok ? RUN_COMPLETED : RUN_FAILED;
	if (!ctx->plain)
		sb_addf(out, "%s ", status_symbol(ctx->g, as_run));
	sb_adds(out, ok ? "ok" : "failed");
	*role = status_role(as_run);
}

static void cell_checked(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)role;
	cell_time(dest_of(row)->health_checked_at, ctx, out);
}

/* "open 4m": how long until an open circuit lets the next probe through. */
static void cell_circuit(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct dest_row *d = dest_of(row);
	sb_adds(out, d->circuit_state);
	if (str_eq(d->circuit_state, "open")) {
		*role = ROLE_ERROR;
		int64_t left_s = (d->circuit_reopen_at - ctx->now + 999) / 1000;
		if (!ctx->plain && left_s > 0 && left_s < 60)
			sb_addf(out, " %llds", (long long)left_s);
		else if (!ctx->plain && left_s >= 60)
			sb_addf(out, " %lldm", (long long)((left_s + 59) / 60));
	} else if (str_eq(d->circuit_state, "half-open")) {
		*role = ROLE_WARN;
	}
}

static void cell_batch(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	int size = dest_of(row)->learned_batch_size;
	(void)role;
	if (size)
		sb_addf(out, "%d", size);
	else
		sb_adds(out, cell_none(ctx));
}

#define STRIP_SHOWN 12   /* of the DEST_OUTCOMES_MAX kept: the newest that fit the column */

/* The glyphs, for measuring and export; dests_draw paints them again, each in its outcome's colour. */
static void cell_strip(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const char *outcomes = dest_of(row)->recent_outcomes;
	(void)role;
	if (*outcomes)
		outcomes_text(ctx->g, outcomes, ctx->plain ? DEST_OUTCOMES_MAX : STRIP_SHOWN, out);
	else
		sb_adds(out, cell_none(ctx));
}

/* A Shopify shop's bucket warns below this share of its maximum: the next request may wait for points. */
#define COST_LOW_SHARE 0.1

/*
 * "3/4 8/s": the shared bucket's whole tokens now, of its size, and its refill rate; it fills as the clock ticks.
 * A Shopify shop shows its cost bucket instead, "850/1000 100/s" in points: that is the limit its shop enforces.
 */
static void cell_bucket(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct limits_view *v = &((const struct dest_view_row *)row)->limits;
	char text[64];
	if (v->cost.known) {
		limits_cost_text(&v->cost, ctx->now, text, sizeof(text));
		sb_adds(out, text);
		if (limits_cost_available(&v->cost, ctx->now) < v->cost.maximum * COST_LOW_SHARE)
			*role = ROLE_WARN;
		return;
	}
	if (!v->known || v->rate <= 0) {
		sb_adds(out, v->known ? "no limit" : cell_none(ctx));
		*role = ROLE_DIM;
		return;
	}
	limits_bucket_text(v, ctx->now, text, sizeof(text));
	sb_adds(out, text);
	if (limits_tokens(v, ctx->now) < 1)
		*role = ROLE_WARN;
}

/* "1/4": slots held by every process, of the cap. */
static void cell_slots(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	const struct limits_view *v = &((const struct dest_view_row *)row)->limits;
	char text[32];
	if (!v->known) {
		sb_adds(out, cell_none(ctx));
		*role = ROLE_DIM;
		return;
	}
	limits_slots_text(v, text, sizeof(text));
	sb_adds(out, text);
	if (v->slots >= v->concurrency)
		*role = ROLE_WARN;
}

static void cell_known(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_addf(out, "%lld", (long long)((const struct dest_view_row *)row)->known);
}

static const struct table_column dest_columns[] = {
	{"id", "ID", 4, 3, false, 'r', DEST_F_ID, cell_id, false, 0},
	{"name", "NAME", 20, 10, true, 'l', DEST_F_NAME, cell_name, false, 0},
	{"type", "TYPE", 11, 4, false, 'l', DEST_F_TYPE, cell_type, true, 0},
	{"url", "URL", 40, 12, true, 'l', DEST_F_URL, cell_url, false, 0},
	/* At 80 columns AUTH gives way first: the strip of last requests tells more at a glance. */
	{"auth", "AUTH", 5, 5, false, 'l', DEST_F_AUTH, cell_auth, false, 1},
	{"tls", "TLS", 3, 3, false, 'l', DEST_F_TLS, cell_tls, false, 0},
	{"health", "HEALTH", 20, 8, false, 'l', DEST_F_HEALTH, cell_health, false, 0},
	{"checked", "CHECKED", 8, 7, false, 'r', DEST_F_CHECKED, cell_checked, false, 1},
	{"circuit", "CIRCUIT", 14, 9, false, 'l', DEST_F_CIRCUIT, cell_circuit, false, 0},
	{"requests", "REQUESTS", STRIP_SHOWN, 8, false, 'l', -1, cell_strip, false, 0},
	{"bucket", "BUCKET", 12, 8, false, 'l', -1, cell_bucket, false, 0},
	{"slots", "SLOTS", 5, 5, false, 'r', -1, cell_slots, false, 0},
	{"batch", "BATCH", 5, 5, false, 'r', DEST_F_BATCH, cell_batch, false, 2},
	{"known", "KNOWN", 7, 6, false, 'r', DEST_F_KNOWN, cell_known, false, 3},
};

static int fetch_dests(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                       int64_t matched, void **rows, size_t *n)
{
	struct dest_view_row *out;
	int rc = store_views_dests(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

static void free_dests(void *rows, size_t n)
{
	dest_view_rows_free(rows, n);
}

static int64_t dest_id(const void *row)
{
	return dest_of(row)->id;
}

static const struct table_source dest_source = {
	STORE_VIEW_DESTS, sizeof(struct dest_view_row), fetch_dests, free_dests, dest_id, NULL,
};

static const enum action dest_actions[] = {ACTION_OPEN, ACTION_TEST_DESTINATION, ACTION_NONE};

/* ---- the test, in a thread of its own: the checks wait on the network for up to the timeouts ---- */

struct test_job {
	const struct config *cfg;
	int64_t id;
};

/* The verdict reaches every console through the destination's health, like any other commit. */
static void test_work(void *ud)
{
	struct test_job *job = ud;
	char err[256];
	struct store *s = store_open(job->cfg, err, sizeof(err));
	struct dest_row row;
	if (s && store_dest_get(s, job->id, &row) == 1) {
		struct dest_check check;
		dest_check_run(s, job->cfg, &row, &check);
		dest_row_free(&row);
	}
	store_close(s);
}

/* Nobody waits for the test: the task is let go of at once and frees the job when it is over. */
static void start_test(struct app *app, const struct dest_row *d)
{
	struct test_job *job = xmalloc(sizeof(*job));
	*job = (struct test_job){.cfg = app->cfg, .id = d->id};
	struct task *t = task_start(test_work, job, free);
	if (!t) {
		free(job);
		app_message(app, ROLE_ERROR, "cannot start the test of destination %lld", (long long)d->id);
		return;
	}
	task_abandon(t);
	app_message(app, ROLE_OK, "testing destination %lld in the background; HEALTH shows the verdict",
	            (long long)d->id);
}

/* ---- details ---- */

static void add_detail(struct strbuf *out, const char *label, const char *value)
{
	sb_addf(out, "%-20s %s\n", label, value && *value ? value : "-");
}

/* The bucket refilled to now, then the reading it comes from: "820 points at 2026-12-07 12:50:03 (5s ago)". */
static void add_cost_detail(struct strbuf *out, const struct cost_seen *c)
{
	char bucket[64], at[32], age[32], buf[160];
	int64_t now = now_ms();
	limits_cost_text(c, now, bucket, sizeof(bucket));
	snprintf(buf, sizeof(buf), "%s (points available/maximum, restored per second)", bucket);
	add_detail(out, "cost bucket", buf);
	format_time(c->seen_at, at, sizeof(at));
	format_age(c->seen_at, now, age, sizeof(age));
	snprintf(buf, sizeof(buf), "%.0f points at %s (%s)", c->available, at, age);
	add_detail(out, "shop reported", buf);
}

static void show_details(struct app *app, const struct dest_view_row *v)
{
	const struct dest_row *d = &v->d;
	struct strbuf text = {0};
	char buf[256], when[64];
	add_detail(&text, "name", d->name);
	add_detail(&text, "type", d->type);
	add_detail(&text, "base URL", d->base_url);
	dest_target_text(d, buf, sizeof(buf));
	if (*buf)
		add_detail(&text, "writes", buf);
	add_detail(&text, "authentication", d->auth);
	add_detail(&text, "TLS verification",
	           d->verify_tls ? "on" : "OFF: certificates are not checked (a self-signed staging shop)");
	dest_credentials_text(d, buf, sizeof(buf));
	add_detail(&text, "credentials", buf);
	add_detail(&text, "options", d->options);
	if (d->health_ok < 0) {
		add_detail(&text, "health", "never checked (t tests it)");
	} else {
		format_time(d->health_checked_at, when, sizeof(when));
		snprintf(buf, sizeof(buf), "%s, checked %s", d->health_ok ? "ok" : "FAILED", when);
		add_detail(&text, "health", buf);
		add_detail(&text, "last check said", d->health_message);
	}
	if (str_eq(d->circuit_state, "open")) {
		format_time(d->circuit_reopen_at, when, sizeof(when));
		snprintf(buf, sizeof(buf), "open after %d failures in a row; a probe goes through at %s",
		         d->consecutive_failures, when);
		add_detail(&text, "circuit breaker", buf);
	} else {
		snprintf(buf, sizeof(buf), "%s (%d failures in a row)", d->circuit_state, d->consecutive_failures);
		add_detail(&text, "circuit breaker", buf);
	}
	if (!str_eq(d->circuit_state, "closed")) {
		format_time(d->circuit_since, when, sizeof(when));
		add_detail(&text, "failing since", when);
		format_time(d->circuit_last_at, when, sizeof(when));
		snprintf(buf, sizeof(buf), "%s: %s", when, d->circuit_last ? d->circuit_last : "?");
		add_detail(&text, "last failure", buf);
	}
	if (d->learned_batch_size)
		snprintf(buf, sizeof(buf), "%d products per request", d->learned_batch_size);
	else
		snprintf(buf, sizeof(buf), "nothing learned yet (the configured size is used)");
	add_detail(&text, "learned batch size", buf);
	snprintf(buf, sizeof(buf), "%lld SKUs", (long long)v->known);
	add_detail(&text, "remote ids known", buf);
	if (v->limits.known) {
		char part[64];
		limits_bucket_text(&v->limits, now_ms(), part, sizeof(part));
		snprintf(buf, sizeof(buf), "%s (tokens available/size, refill per second)", part);
		add_detail(&text, "bucket", v->limits.rate > 0 ? buf : "no rate limit");
		limits_slots_text(&v->limits, part, sizeof(part));
		snprintf(buf, sizeof(buf), "%s slots held by %d process%s", part, v->limits.holders,
		         v->limits.holders == 1 ? "" : "es");
		add_detail(&text, "in flight", buf);
	}
	if (v->limits.cost.known)
		add_cost_detail(&text, &v->limits.cost);
	add_detail(&text, "last requests", d->recent_outcomes);
	snprintf(buf, sizeof(buf), "Destination %lld", (long long)d->id);
	dialog_pager(app, buf, sb_str(&text));
	sb_free(&text);
}

/* ---- the screen ---- */

static void dests_load(struct screen *s)
{
	table_reload(s->table);
}

/* The strips again in colour (the selected row keeps the selection's). */
static void paint_strips(struct table *t, const struct draw *d, int y, int h)
{
	int col = -1;
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].format == cell_strip)
			col = i;
	if (col < 0 || !t->drawn.w[col])
		return;
	for (int r = 0; r < h - 1; r++) {
		int64_t index = t->top + r;
		const void *row = table_row_at(t, index);
		if (row && *dest_of(row)->recent_outcomes && index != t->cursor)
			outcomes_draw(d, y + 1 + r, t->drawn.x[col], t->drawn.w[col], dest_of(row)->recent_outcomes);
	}
}

static void dests_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct cell_ctx ctx = app_cell_ctx(s->app);
	table_view_draw(s->table, d, &ctx, y, h);
	paint_strips(s->table, d, y, h);
}

static void dests_title(struct screen *s, struct strbuf *out)
{
	(void)s;
	sb_adds(out, "Destinations");
}

/* An open circuit counts down to its probe, and a bucket fills: once a second until it is full. */
static bool dests_ticking(struct screen *s)
{
	const struct dest_view_row *rows = s->table->rows;
	int64_t now = now_ms();
	for (size_t i = 0; i < s->table->nrows; i++) {
		const struct limits_view *v = &rows[i].limits;
		if (str_eq(rows[i].d.circuit_state, "open") || (v->rate > 0 && limits_tokens(v, now) < v->size) ||
		    (v->cost.known && limits_cost_available(&v->cost, now) < v->cost.maximum))
			return true;
	}
	return false;
}

static bool dests_act(struct screen *s, enum action a)
{
	const struct dest_view_row *v = table_selected(s->table);
	if (!v)
		return false;
	switch (a) {
	case ACTION_OPEN: show_details(s->app, v); break;
	case ACTION_TEST_DESTINATION: start_test(s->app, &v->d); break;
	default: return false;
	}
	return true;
}

static void dests_free(struct screen *s)
{
	struct dests_screen *ds = (struct dests_screen *)s;
	table_free(&ds->table);
	free(ds);
}

const struct screen_ops destinations_screen_ops = {
	.name = "Destinations",
	.actions = dest_actions,
	.load = dests_load,
	.draw = dests_draw,
	.act = dests_act,
	.title = dests_title,
	.ticking = dests_ticking,
	.free = dests_free,
};

struct screen *screen_destinations_new(struct app *app)
{
	struct dests_screen *ds = xcalloc(1, sizeof(*ds));
	ds->base.ops = &destinations_screen_ops;
	ds->base.app = app;
	ds->base.table = &ds->table;
	table_init(&ds->table, dest_columns, (int)ARRAY_LEN(dest_columns), &dest_source, app->views);
	ds->table.sort_col = 1;   /* by name */
	return &ds->base;
}
