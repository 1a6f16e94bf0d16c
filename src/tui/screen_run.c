/*
 * One run, live: who and when, the phases, counters with a progress bar, rows/s (items/s while pushing)
 * and ETA, the throughput of the import and the push over the run as sparklines (with the push's batch size
 * and circuit), the first error and the newest ones (all of them, in full, one key away), and the log, which
 * follows new lines until scrolled up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_samples.h"
#include "core/text.h"
#include "engine/run.h"
#include "tui/dialog.h"
#include "tui/error_text.h"
#include "tui/run_actions.h"
#include "tui/screens.h"
#include "tui/sparkline.h"
#include "tui/throughput.h"

#define ERRORS_SHOWN_MAX 20
#define RATE_SAMPLE_MS 500
#define LOG_KEPT 2000   /* lines of the log in memory; `feedsync runs log ID` has them all */

struct run_screen {
	struct screen base;
	int64_t run_id;
	bool found;
	struct run_row run;
	char dest[64];

	struct run_error_row *errors;    /* newest first */
	size_t nerrors;
	struct run_error_row *first;     /* the run's first error, most often the cause of the rest */
	size_t nfirst;

	struct run_sample *samples;      /* the run's counters over time, SAMPLES_READ_MAX at most */
	int nsamples;
	bool samples_final;              /* read after the run ended: they no longer change */

	struct run_event_row *events;    /* the last LOG_KEPT lines at most, oldest first */
	size_t nevents, cap_events;
	int64_t last_event_id;
	bool log_cut;                    /* older lines are not in memory */
	bool follow;                     /* the log shows its end as lines arrive */
	size_t log_top;                  /* first log line shown when not following */
	int log_rows;                    /* as last drawn */

	/* rows/s (items/s while pushing): a smoothed rate from the samples seen while the run works */
	int64_t sample_done, sample_ms;
	bool sample_items;
	double rate;
	/* ETA: progress when the current phase was first seen */
	char eta_phase[32];
	int64_t eta_ms;
	double eta_from;
};

/* The phases in the order a run goes through them (run_phases without PHASE_NONE). */
static const char *const *const phase_order = run_phases + PHASE_DOWNLOAD;
#define PHASE_STEPS (PHASE_COUNT - PHASE_DOWNLOAD)

static void read_errors(struct run_screen *rs, struct store *s)
{
	run_error_rows_free(rs->errors, rs->nerrors);
	run_error_rows_free(rs->first, rs->nfirst);
	rs->errors = rs->first = NULL;
	rs->nerrors = rs->nfirst = 0;
	store_run_errors(s, rs->run_id, ERRORS_SHOWN_MAX, true, &rs->errors, &rs->nerrors);
	store_run_errors(s, rs->run_id, 1, false, &rs->first, &rs->nfirst);
}

/* Lines at or before after_id leave memory: the log keeps its last LOG_KEPT lines. */
static void drop_events_upto(struct run_screen *rs, int64_t after_id)
{
	size_t drop = 0;
	while (drop < rs->nevents && rs->events[drop].id <= after_id)
		drop++;
	if (drop == 0)
		return;
	for (size_t i = 0; i < drop; i++)
		free(rs->events[i].message);
	memmove(rs->events, rs->events + drop, (rs->nevents - drop) * sizeof(*rs->events));
	rs->nevents -= drop;
	rs->log_top = rs->log_top > drop ? rs->log_top - drop : 0;
}

static void read_new_events(struct run_screen *rs, struct app *app)
{
	int64_t tail_from = 0;
	if (store_views_log_tail(app->views, rs->run_id, LOG_KEPT, &tail_from) < 0)
		return;
	if (tail_from > 0)
		rs->log_cut = true;
	int64_t after = rs->last_event_id > tail_from ? rs->last_event_id : tail_from;
	struct run_event_row *ev;
	size_t n;
	if (store_run_events(app->store, rs->run_id, after, LOG_KEPT, &ev, &n) < 0)
		return;
	drop_events_upto(rs, tail_from);
	if (rs->nevents + n > rs->cap_events) {
		rs->cap_events = rs->nevents + n + LOG_KEPT / 4;
		rs->events = xrealloc(rs->events, rs->cap_events * sizeof(*rs->events));
	}
	if (n) {
		memcpy(rs->events + rs->nevents, ev, n * sizeof(*ev));   /* the messages move over with the rows */
		rs->nevents += n;
		rs->last_event_id = ev[n - 1].id;
	}
	free(ev);
}

/* While pushing, rows no longer move: the rate counts the items the shop has answered for. */
static bool rate_counts_items(const struct run_row *r)
{
	return run_status_active(r->status) && str_eq(r->phase, "pushing");
}

static void sample_rate(struct run_screen *rs)
{
	const int64_t *c = rs->run.counters;
	int64_t now = monotonic_ms(), rows = c[RC_ROWS_READ];
	if (!run_status_active(rs->run.status)) {
		int64_t took = (rs->run.finished_at ? rs->run.finished_at : rs->run.heartbeat_at) - rs->run.started_at;
		rs->rate = took > 0 ? (double)rows * 1000.0 / (double)took : 0;
		rs->sample_items = false;
		return;
	}
	bool items = rate_counts_items(&rs->run);
	int64_t done = items ? c[RC_PUSH_PROCESSED] + c[RC_PUSH_FAILED] : rows;
	if (items != rs->sample_items) {   /* a new unit: start over rather than mix rows and items */
		rs->sample_items = items;
		rs->sample_ms = 0;
		rs->rate = 0;
	}
	if (rs->sample_ms && now - rs->sample_ms >= RATE_SAMPLE_MS) {
		double inst = (double)(done - rs->sample_done) * 1000.0 / (double)(now - rs->sample_ms);
		rs->rate = rs->rate > 0 ? rs->rate * 0.6 + inst * 0.4 : inst;
	}
	if (!rs->sample_ms || now - rs->sample_ms >= RATE_SAMPLE_MS) {
		rs->sample_done = done;
		rs->sample_ms = now;
	}
}

static void run_load(struct screen *s)
{
	struct run_screen *rs = (struct run_screen *)s;
	struct store *st = s->app->store;
	rs->found = store_run_get(st, rs->run_id, &rs->run) == 1;
	if (!rs->found)
		return;
	struct conn_row conn;
	if (store_conn_get(st, rs->run.connection_id, &conn) == 1)
		str_copy(rs->dest, conn.dest_type ? conn.dest_type : "catalog only", sizeof(rs->dest));
	conn_row_free(&conn);
	read_errors(rs, st);
	read_new_events(rs, s->app);
	sample_rate(rs);
	if (!rs->samples_final) {
		if (!rs->samples)
			rs->samples = xcalloc(SAMPLES_READ_MAX, sizeof(*rs->samples));
		int n = store_samples_of_run(st, rs->run_id, rs->samples, SAMPLES_READ_MAX);
		rs->nsamples = n > 0 ? n : 0;
		rs->samples_final = n >= 0 && !run_status_active(rs->run.status);
	}
}

/* ---- drawing ---- */

static void draw_line(const struct draw *d, int y, const char *text, enum role role)
{
	draw_text(d, y, 1, getmaxx(d->win) - 2, text, 'l', theme_attr(d->theme, role));
}

static void draw_header(struct run_screen *rs, const struct draw *d, int y)
{
	const struct run_row *r = &rs->run;
	char line[512], t1[32] = "-", t2[32] = "-", t3[32] = "-", took[32] = "-";
	snprintf(line, sizeof(line), "destination %s   trigger %s   attempt %d%s   worker %s", rs->dest, r->trigger,
	         r->attempt, r->retry_of ? " (a retry)" : "", r->worker_id[0] ? r->worker_id : "-");
	draw_line(d, y, line, ROLE_NORMAL);
	/* The day once, then times of day: a run rarely spans midnight, and the line must fit 80 columns. */
	if (r->created_at)
		format_time(r->created_at, t1, sizeof(t1));
	if (r->started_at)
		format_time(r->started_at, t2, sizeof(t2));
	if (r->finished_at)
		format_time(r->finished_at, t3, sizeof(t3));
	if (r->started_at)
		format_duration((r->finished_at ? r->finished_at : now_ms()) - r->started_at, took, sizeof(took));
	const char *clock2 = r->started_at ? t2 + 11 : t2, *clock3 = r->finished_at ? t3 + 11 : t3;
	if (r->finished_at)
		snprintf(line, sizeof(line), "queued %s   started %s   finished %s   took %s", t1, clock2, clock3, took);
	else if (r->started_at)
		snprintf(line, sizeof(line), "queued %s   started %s   running for %s", t1, clock2, took);
	else
		snprintf(line, sizeof(line), "queued %s   waiting for a worker", t1);
	draw_line(d, y + 1, line, ROLE_DIM);
}

static int phase_index(const char *phase)
{
	for (size_t i = 0; i < PHASE_STEPS; i++)
		if (str_eq(phase, phase_order[i]))
			return (int)i;
	return -1;
}

/* "✔ download → ▶ local_import → · pushing → · reconcile": done, current, pending, failed. */
static void draw_phases(struct run_screen *rs, const struct draw *d, int y)
{
	const struct run_row *r = &rs->run;
	int cur = phase_index(r->phase);
	bool active = run_status_active(r->status);
	int x = 1, width = getmaxx(d->win) - 1;
	for (int i = 0; i < (int)PHASE_STEPS; i++) {
		const char *sym = d->g->never;
		enum role role = ROLE_DIM;
		if (i < cur || (i == cur && !active && (str_eq(r->status, RUN_COMPLETED) ||
		                                        str_eq(r->status, RUN_COMPLETED_WITH_ERRORS)))) {
			sym = d->g->ok;
			role = ROLE_OK;
		} else if (i == cur && active) {
			sym = d->g->running;
			role = ROLE_RUNNING;
		} else if (i == cur) {
			sym = status_symbol(d->g, r->status);
			role = status_role(r->status);
		}
		char cell[64];
		snprintf(cell, sizeof(cell), "%s%s %s", i ? " " : "", sym, phase_order[i]);
		x += draw_span(d, y, x, width - x, cell, theme_attr(d->theme, role));
		if (i + 1 < (int)PHASE_STEPS) {
			snprintf(cell, sizeof(cell), " %s", d->g->arrow);
			x += draw_span(d, y, x, width - x, cell, theme_attr(d->theme, ROLE_BORDER));
		}
	}
	char status[64];
	snprintf(status, sizeof(status), "   %s %s%s", status_symbol(d->g, r->status), status_word(r->status),
	         r->cancel_requested && active ? " (cancel requested)" : "");
	draw_span(d, y, x, width - x, status, theme_attr(d->theme, status_role(r->status)) | A_BOLD);
}

static void eta_text(struct run_screen *rs, double f, char *buf, size_t size)
{
	int64_t now = monotonic_ms();
	if (!str_eq(rs->eta_phase, rs->run.phase)) {
		str_copy(rs->eta_phase, rs->run.phase, sizeof(rs->eta_phase));
		rs->eta_ms = now;
		rs->eta_from = f;
	}
	snprintf(buf, size, "ETA -");
	if (f > rs->eta_from && now > rs->eta_ms) {
		char left[32];
		format_duration((int64_t)((double)(now - rs->eta_ms) * (1 - f) / (f - rs->eta_from)), left, sizeof(left));
		snprintf(buf, size, "ETA %s", left);
	}
}

static void draw_progress(struct run_screen *rs, const struct draw *d, int y)
{
	const struct run_row *r = &rs->run;
	bool active = run_status_active(r->status);
	double f = run_progress(r);
	int bar = 24;
	draw_bar(d, y, 1, bar, f, theme_attr(d->theme, active ? ROLE_RUNNING : status_role(r->status)));
	char pct[16] = "  -", eta[48] = "", line[256];
	if (f >= 0)
		snprintf(pct, sizeof(pct), "%3d%%", (int)(f * 100));
	if (active && f >= 0)
		eta_text(rs, f, eta, sizeof(eta));
	snprintf(line, sizeof(line), "%s  %lld rows  %.0f %s/s  %s", pct, (long long)r->counters[RC_ROWS_READ],
	         rs->rate, rs->sample_items ? "items" : "rows", eta);
	draw_text(d, y, bar + 2, getmaxx(d->win) - bar - 3, line, 'l', theme_attr(d->theme, ROLE_NORMAL));
}

static void draw_counters(struct run_screen *rs, const struct draw *d, int y)
{
	const int64_t *c = rs->run.counters;
	char line[512], bytes_done[32], bytes_total[32];
	snprintf(line, sizeof(line),
	         "created %lld  updated %lld  unchanged %lld  skipped %lld  failed %lld  errors %lld",
	         (long long)c[RC_CREATED], (long long)c[RC_UPDATED], (long long)c[RC_UNCHANGED],
	         (long long)c[RC_SKIPPED], (long long)c[RC_FAILED], (long long)rs->run.errors_total);
	draw_line(d, y, line, c[RC_FAILED] || rs->run.errors_total ? ROLE_WARN : ROLE_NORMAL);
	format_bytes((uint64_t)c[RC_BYTES_DONE], bytes_done, sizeof(bytes_done));
	format_bytes((uint64_t)c[RC_BYTES_TOTAL], bytes_total, sizeof(bytes_total));
	snprintf(line, sizeof(line), "push: queued %lld  processed %lld  failed %lld     feed: %s of %s",
	         (long long)c[RC_PUSH_QUEUED], (long long)c[RC_PUSH_PROCESSED], (long long)c[RC_PUSH_FAILED],
	         bytes_done, bytes_total);
	draw_line(d, y + 1, line, c[RC_PUSH_FAILED] ? ROLE_WARN : ROLE_NORMAL);
}

/* The first error, then the newest ones (which the first is not among twice). */
static int draw_errors(struct run_screen *rs, const struct draw *d, int y, int rows)
{
	char hint[16], title[160];
	app_key_hint(rs->base.app, ACTION_ERRORS, hint, sizeof(hint));
	snprintf(title, sizeof(title), "Errors: %lld%s%s%s%s", (long long)rs->run.errors_total,
	         rs->nerrors > 1 ? ", the first then the newest" : "", hint[0] ? " (" : "", hint,
	         hint[0] ? ": in full)" : "");
	draw_rule(d, y, title);
	if (rs->nerrors == 0) {
		const char *why = str_eq(rs->run.status, RUN_FAILED) ? rs->run.summary : "no errors";
		draw_line(d, y + 1, why, str_eq(rs->run.status, RUN_FAILED) ? ROLE_ERROR : ROLE_DIM);
		return 2;
	}
	int shown = 0;
	struct strbuf sb = {0};
	if (rs->nfirst) {
		error_text_line(&rs->first[0], &sb);
		draw_line(d, y + 1, sb_str(&sb), ROLE_ERROR);
		shown++;
	}
	for (size_t i = 0; i < rs->nerrors && shown < rows; i++) {
		if (rs->nfirst && rs->errors[i].id == rs->first[0].id)
			continue;
		sb_reset(&sb);
		error_text_line(&rs->errors[i], &sb);
		draw_line(d, y + 1 + shown++, sb_str(&sb), ROLE_ERROR);
	}
	sb_free(&sb);
	return 1 + shown;
}

static void draw_log(struct run_screen *rs, const struct draw *d, int y, int rows)
{
	char title[160], key[16];
	app_key_hint(rs->base.app, ACTION_FOLLOW, key, sizeof(key));
	rs->log_rows = rows;
	size_t first = rs->nevents > (size_t)rows ? rs->nevents - (size_t)rows : 0;
	if (!rs->follow && rs->log_top < first)
		first = rs->log_top;
	else
		rs->follow = true;
	const char *cut = rs->log_cut ? "the last " : "";
	if (rs->follow)
		snprintf(title, sizeof(title), "Log: %s%zu lines, following", cut, rs->nevents);
	else
		snprintf(title, sizeof(title), "Log: lines %zu-%zu of %s%zu, paused (%s follows)", first + 1,
		         first + (size_t)rows < rs->nevents ? first + (size_t)rows : rs->nevents, cut, rs->nevents, key);
	draw_rule(d, y, title);
	struct strbuf sb = {0};
	for (int i = 0; i < rows && first + (size_t)i < rs->nevents; i++) {
		const struct run_event_row *ev = &rs->events[first + (size_t)i];
		char at[32];
		format_time(ev->at, at, sizeof(at));
		sb_reset(&sb);
		sb_addf(&sb, "%s %-5s %s", at + 11, ev->level, ev->message);
		enum role role = str_eq(ev->level, "error") ? ROLE_ERROR : str_eq(ev->level, "warn") ? ROLE_WARN
		               : ROLE_NORMAL;
		draw_line(d, y + 1 + i, sb_str(&sb), role);
	}
	sb_free(&sb);
}

/* What follows a throughput sparkline: "41k rows/s peak 52k", and for the push its batch size and circuit. */
static void throughput_suffix(const struct draw *d, const struct throughput *tp, enum throughput_kind kind,
                              struct strbuf *out)
{
	char last[16], peak[16];
	throughput_number(tp->last, last, sizeof(last));
	throughput_number(tp->peak, peak, sizeof(peak));
	sb_addf(out, " %s %s/s peak %s", last, kind == THROUGHPUT_PUSH ? "items" : "rows", peak);
	if (kind != THROUGHPUT_PUSH)
		return;
	if (tp->batch_first && tp->batch_first != tp->batch_last)
		sb_addf(out, ", batch %d%s%d", tp->batch_first, d->g->arrow, tp->batch_last);
	else if (tp->batch_first)
		sb_addf(out, ", batch %d", tp->batch_first);
	if (tp->open_ms > 0) {
		char open_for[32];
		format_duration(tp->open_ms, open_for, sizeof(open_for));
		sb_addf(out, ", circuit open %s", open_for);
	}
}

/* "push   ▇▇▅▂▁▁ 120 items/s peak 300, batch 100→25, circuit open 12s"; false when the phase has no rate. */
static bool draw_throughput(struct run_screen *rs, const struct draw *d, int y, enum throughput_kind kind)
{
	int width = getmaxx(d->win) - 2;
	const char *label = kind == THROUGHPUT_PUSH ? "push   " : "import ";
	struct throughput tp;
	struct strbuf suffix = {0};
	throughput_of(rs->samples, rs->nsamples, kind, THROUGHPUT_COLUMNS_MAX, &tp);
	if (tp.n == 0)
		return false;
	throughput_suffix(d, &tp, kind, &suffix);
	/* The sparkline takes the room the text leaves: the whole run, in fewer columns when there is less. */
	int room = width - (int)strlen(label) - (int)text_width(sb_str(&suffix));
	int columns = tp.n < room ? tp.n : room > 0 ? room : 0;
	if (columns > 0 && columns < tp.n)
		throughput_of(rs->samples, rs->nsamples, kind, columns, &tp);
	int x = 1 + draw_span(d, y, 1, width, label, theme_attr(d->theme, ROLE_DIM));
	for (int c = 0; c < columns && tp.n; c++) {
		enum role role = tp.circuit_open[c] ? ROLE_ERROR : ROLE_RUNNING;
		x += draw_span(d, y, x, 1, sparkline_level(d->g, tp.rate[c], tp.peak), theme_attr(d->theme, role));
	}
	sb_reset(&suffix);
	throughput_suffix(d, &tp, kind, &suffix);
	draw_text(d, y, x, width + 1 - x, sb_str(&suffix), 'l', theme_attr(d->theme, ROLE_NORMAL));
	sb_free(&suffix);
	return true;
}

static void run_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct run_screen *rs = (struct run_screen *)s;
	if (!rs->found) {
		draw_line(d, y + 1, "this run no longer exists (its connection was deleted?)", ROLE_WARN);
		return;
	}
	draw_header(rs, d, y);
	draw_phases(rs, d, y + 2);
	draw_progress(rs, d, y + 3);
	draw_counters(rs, d, y + 4);
	int top = y + 6;
	top += draw_throughput(rs, d, top, THROUGHPUT_IMPORT);
	top += draw_throughput(rs, d, top, THROUGHPUT_PUSH);
	if (rs->run.summary[0]) {
		struct strbuf sb = {0};
		sb_addf(&sb, "summary: %s", rs->run.summary);
		draw_line(d, top, sb_str(&sb), status_role(rs->run.status));
		sb_free(&sb);
		top++;
	}
	int left = y + h - top;
	int error_rows = left / 3 - 1;
	if (error_rows < 1)
		error_rows = 1;
	top += draw_errors(rs, d, top, error_rows);
	draw_log(rs, d, top, y + h - top - 1);
}

static void run_title(struct screen *s, struct strbuf *out)
{
	struct run_screen *rs = (struct run_screen *)s;
	sb_addf(out, "Run %lld", (long long)rs->run_id);
	if (rs->found)
		sb_addf(out, " of %s", rs->run.connection_name);
}

/* ---- actions ---- */

/* Every stored error in the order they happened, the first (often the cause) at the top. */
static void show_errors(struct run_screen *rs)
{
	struct app *app = rs->base.app;
	struct run_error_row *errs;
	size_t n;
	if (store_run_errors(app->store, rs->run_id, 0, false, &errs, &n) < 0) {
		app_message(app, ROLE_ERROR, "cannot read the errors: %s", store_errmsg(app->store));
		return;
	}
	struct strbuf text = {0};
	if (str_eq(rs->run.status, RUN_FAILED) && rs->run.summary[0])
		sb_addf(&text, "The run failed: %s\n\n", rs->run.summary);
	if (n == 0)
		sb_adds(&text, "No errors were stored for this run.\n");
	if (rs->run.errors_total > (int64_t)n && n > 0)
		sb_addf(&text, "%lld errors in all; the first %zu were stored (import.error_cap), the rest are in the"
		        " log.\n\n", (long long)rs->run.errors_total, n);
	for (size_t i = 0; i < n; i++) {
		const struct run_error_row *e = &errs[i];
		char at[32];
		format_time(e->at, at, sizeof(at));
		sb_addf(&text, "#%zu%s at %s, phase %s\n", i + 1, i == 0 ? " (the first)" : "", at,
		        e->phase[0] ? e->phase : "-");
		error_text_fields(e, &text);
		sb_addc(&text, '\n');
	}
	char title[64];
	snprintf(title, sizeof(title), "Errors of run %lld, in order", (long long)rs->run_id);
	dialog_pager(app, title, sb_str(&text));
	sb_free(&text);
	run_error_rows_free(errs, n);
}

static void scroll_log(struct run_screen *rs, int64_t delta)
{
	size_t last_top = rs->nevents > (size_t)rs->log_rows ? rs->nevents - (size_t)rs->log_rows : 0;
	int64_t top = rs->follow ? (int64_t)last_top : (int64_t)rs->log_top;
	top += delta;
	if (top < 0)
		top = 0;
	rs->follow = top >= (int64_t)last_top;
	rs->log_top = rs->follow ? last_top : (size_t)top;
}

static bool run_act(struct screen *s, enum action a)
{
	struct run_screen *rs = (struct run_screen *)s;
	struct app *app = s->app;
	int page = rs->log_rows > 1 ? rs->log_rows - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP: scroll_log(rs, -1); return true;
	case ACTION_MOVE_DOWN: scroll_log(rs, 1); return true;
	case ACTION_PAGE_UP: scroll_log(rs, -page); return true;
	case ACTION_PAGE_DOWN: scroll_log(rs, page); return true;
	case ACTION_FIRST: rs->follow = false; rs->log_top = 0; return true;
	case ACTION_LAST:
	case ACTION_FOLLOW: rs->follow = true; return true;
	default: break;
	}
	if (!rs->found)
		return false;
	struct run_row run = rs->run;
	int64_t new_run;
	switch (a) {
	case ACTION_ERRORS: show_errors(rs); break;
	case ACTION_CANCEL: run_action_cancel(app, &run); break;
	case ACTION_RETRY:
		if ((new_run = run_action_retry(app, &run)) > 0)
			app_push(app, screen_run_new(app, new_run));
		break;
	case ACTION_COPY_ID: run_action_copy_id(app, &run); break;
	case ACTION_COPY_ERROR: run_action_copy_error(app, &run); break;
	case ACTION_SHOW_PLAN: plan_action_open(app, &run); break;
	case ACTION_SHOW_LOG: app_push(app, screen_log_new(app, rs->run_id)); break;
	default: return false;
	}
	return true;
}

static bool run_ticking(struct screen *s)
{
	struct run_screen *rs = (struct run_screen *)s;
	return rs->found && run_status_active(rs->run.status);
}

static void run_free(struct screen *s)
{
	struct run_screen *rs = (struct run_screen *)s;
	run_error_rows_free(rs->errors, rs->nerrors);
	run_error_rows_free(rs->first, rs->nfirst);
	run_event_rows_free(rs->events, rs->nevents);
	free(rs->samples);
	free(rs);
}

static const enum action run_actions[] = {
	ACTION_ERRORS, ACTION_SHOW_LOG, ACTION_CANCEL, ACTION_RETRY, ACTION_COPY_ID, ACTION_COPY_ERROR, ACTION_FOLLOW,
	ACTION_SHOW_PLAN, ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_FIRST, ACTION_LAST, ACTION_NONE,
};

const struct screen_ops run_screen_ops = {
	.name = "Run",
	.actions = run_actions,
	.load = run_load,
	.draw = run_draw,
	.act = run_act,
	.title = run_title,
	.ticking = run_ticking,
	.free = run_free,
};

struct screen *screen_run_new(struct app *app, int64_t run_id)
{
	struct run_screen *rs = xcalloc(1, sizeof(*rs));
	rs->base.ops = &run_screen_ops;
	rs->base.app = app;
	rs->run_id = run_id;
	rs->follow = true;
	return &rs->base;
}
