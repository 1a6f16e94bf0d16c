/* feedsync run ID [--plan] [--wait]  and  feedsync runs [list] | show | errors | log | cancel | retry */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/db.h"
#include "core/text.h"
#include "core/util.h"
#include "engine/worker.h"
#include "notify/notify.h"

#define WAIT_POLL_MS 250
/* The bound on delivering a run's notifications after `run --wait` executed it. */
#define RUN_NOTIFY_MS 5000
/* How long `runs cancel` waits to tell how a running run ended: a cancel holds within 2 s in every phase. */
#define CANCEL_OUTCOME_WAIT_MS 5000
#define CANCEL_OUTCOME_POLL_MS 50

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
	/* A second Ctrl-C ends the process the usual way. */
	signal(SIGINT, SIG_DFL);
}

/* ---- progress line ---- */

struct progress {
	bool tty;
	int64_t started;
	int64_t last_rows;
	int64_t last_ms;
	double rate;
};

static void draw_progress(struct progress *p, const char *phase, const int64_t *c)
{
	if (!p->tty)
		return;
	int64_t now = monotonic_ms();
	if (now > p->last_ms && p->last_ms) {
		double inst = (double)(c[RC_ROWS_READ] - p->last_rows) * 1000.0 / (double)(now - p->last_ms);
		p->rate = p->rate > 0 ? p->rate * 0.7 + inst * 0.3 : inst;
	}
	p->last_rows = c[RC_ROWS_READ];
	p->last_ms = now;
	char eta[32] = "-";
	if (c[RC_BYTES_TOTAL] > 0 && c[RC_BYTES_DONE] > 0 && c[RC_BYTES_DONE] < c[RC_BYTES_TOTAL]) {
		double elapsed = (double)(now - p->started);
		double left = elapsed * (double)(c[RC_BYTES_TOTAL] - c[RC_BYTES_DONE]) / (double)c[RC_BYTES_DONE];
		format_duration((int64_t)left, eta, sizeof(eta));
	}
	fprintf(stderr, "\r\033[K%-12s %lld rows  %.0f rows/s  ETA %s  created %lld  updated %lld  failed %lld",
	        phase[0] ? phase : "queued", (long long)c[RC_ROWS_READ], p->rate, eta, (long long)c[RC_CREATED],
	        (long long)c[RC_UPDATED], (long long)c[RC_FAILED]);
	fflush(stderr);
}

static void end_progress(struct progress *p)
{
	if (p->tty)
		fputs("\r\033[K", stderr);
}

static void on_flush(const struct run_ctx *ctx, void *ud)
{
	draw_progress(ud, run_phase_name(ctx->phase), ctx->counters);
	if (interrupted)
		((struct run_ctx *)ctx)->cancel_seen = true;
}

static void observe(struct run_ctx *ctx, void *ud)
{
	ctx->on_flush = on_flush;
	ctx->on_flush_ud = ud;
	ctx->quiet = true;
}

/* ---- printing a run ---- */

static void print_run_brief(const struct run_row *r)
{
	printf("run %lld %s: %s\n", (long long)r->id, r->status, r->summary);
	if (r->plan_only && !str_eq(r->status, RUN_FAILED) && !str_eq(r->status, RUN_CANCELLED))
		printf("nothing was pushed: see the plan with 'feedsync plan show %lld', apply it with 'feedsync plan apply "
		       "%lld'\n", (long long)r->id, (long long)r->id);
	if (r->errors_total)
		printf("%lld error%s: feedsync runs errors %lld\n", (long long)r->errors_total,
		       r->errors_total == 1 ? "" : "s", (long long)r->id);
}

static int finish_wait(struct cli *cli, int64_t run_id, bool json)
{
	struct run_row r;
	if (store_run_get(cli_store(cli), run_id, &r) != 1)
		return cli_fail(EXIT_FAILED, "run %lld cannot be read back", (long long)run_id);
	if (json)
		json_print(run_to_json(&r), stdout);
	else
		print_run_brief(&r);
	return exit_code_for_status(r.status);
}

static int execute_here(struct cli *cli, int64_t run_id, bool json);

/*
 * A worker daemon executes the run: follow it from the database, relaying Ctrl-C as a cancel request.
 * Should the daemon stop beating before it claims the run (killed, or shut down), the run is executed here.
 */
static int wait_for_worker(struct cli *cli, int64_t run_id, bool json)
{
	struct progress p = {.tty = isatty(STDERR_FILENO), .started = monotonic_ms()};
	bool cancel_sent = false;
	for (;;) {
		struct run_row r;
		if (store_run_get(cli_store(cli), run_id, &r) != 1)
			return cli_fail(EXIT_FAILED, "run %lld disappeared", (long long)run_id);
		if (!run_status_active(r.status))
			break;
		if (interrupted && !cancel_sent) {
			char outcome[32];
			store_run_request_cancel(cli_store(cli), run_id, outcome, sizeof(outcome));
			cancel_sent = true;
		}
		if (str_eq(r.status, RUN_QUEUED) && !worker_daemon_alive(cli_store(cli), &cli->cfg)) {
			end_progress(&p);
			return execute_here(cli, run_id, json);
		}
		draw_progress(&p, r.phase, r.counters);
		worker_recover_stale(cli_store(cli), &cli->cfg);
		sleep_ms(WAIT_POLL_MS);
	}
	end_progress(&p);
	return finish_wait(cli, run_id, json);
}

static int execute_here(struct cli *cli, int64_t run_id, bool json)
{
	struct progress p = {.tty = isatty(STDERR_FILENO), .started = monotonic_ms()};
	char id[192];
	worker_identity(id, sizeof(id), 0);
	const char *status = NULL;
	int rc = worker_execute_next(cli_store(cli), &cli->cfg, run_id, id, observe, &p, &status);
	end_progress(&p);
	if (rc < 0)
		return cli_fail(EXIT_FAILED, "cannot claim run %lld: %s", (long long)run_id, store_errmsg(cli_store(cli)));
	if (rc == 0) /* a worker took it first */
		return wait_for_worker(cli, run_id, json);
	int code = finish_wait(cli, run_id, json);
	/* No worker runs to deliver what the run's end recorded: one bounded pass once the outcome is printed,
	 * retries left to the next worker, `run --wait` or `notify deliver`. */
	fflush(stdout);
	notify_deliver(cli_store(cli), &cli->cfg, RUN_NOTIFY_MS);
	return code;
}

int cli_refuse_active(const struct run_row *active, int64_t conn_id)
{
	char started[32];
	if (!active->id)
		return cli_fail(EXIT_REFUSED, "connection %lld already has an active run", (long long)conn_id);
	return cli_fail(EXIT_REFUSED, "connection %lld already has run %lld (%s%s%s, started %s); "
	                "see 'feedsync runs show %lld' or cancel it with 'feedsync runs cancel %lld'",
	                (long long)conn_id, (long long)active->id, active->status, active->phase[0] ? ", phase " : "",
	                active->phase, active->started_at ? when(active->started_at, started, sizeof(started)) : "-",
	                (long long)active->id, (long long)active->id);
}

int cli_start_run(struct cli *cli, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                  bool plan_only, bool wait, bool json)
{
	struct store *s = cli_store(cli);
	worker_recover_stale(s, &cli->cfg);
	int64_t run_id = 0;
	struct run_row active;
	int rc = store_run_enqueue(s, conn_id, trigger, retry_of, attempt, plan_only, &run_id, &active);
	if (rc == 1)
		return cli_refuse_active(&active, conn_id);
	if (rc == 2)
		return cli_fail(EXIT_NOT_FOUND, "no connection %lld (see 'feedsync conn list')", (long long)conn_id);
	if (rc < 0)
		return cli_fail(EXIT_FAILED, "cannot queue a run: %s", store_errmsg(s));
	return cli_follow_run(cli, run_id, conn_id, wait, json);
}

int cli_follow_run(struct cli *cli, int64_t run_id, int64_t conn_id, bool wait, bool json)
{
	struct store *s = cli_store(cli);
	bool daemon = worker_daemon_alive(s, &cli->cfg);
	if (!wait) {
		if (json) {
			struct run_row r;
			if (store_run_get(s, run_id, &r) == 1)
				json_print(run_to_json(&r), stdout);
		} else {
			printf("queued run %lld for connection %lld\n", (long long)run_id, (long long)conn_id);
			if (!daemon)
				printf("no worker is running: start one with 'feedsync worker', or add --wait to run it here\n");
		}
		return EXIT_OK;
	}
	interrupted = 0;
	signal(SIGINT, on_interrupt);
	int rc = daemon ? wait_for_worker(cli, run_id, json) : execute_here(cli, run_id, json);
	signal(SIGINT, SIG_DFL);
	return rc;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	int64_t conn_id = 0;
	bool wait = false, json = false, plan = false;
	for (int i = 0; i < argc; i++) {
		if (arg_is(argv[i], "--wait"))
			wait = true;
		else if (arg_is(argv[i], "--json"))
			json = true;
		else if (arg_is(argv[i], "--plan"))
			plan = true;
		else if (!conn_id && parse_id(argv[i], &conn_id))
			continue;
		else
			return cli_usage("run: unexpected argument '%s' (usage: feedsync run CONNECTION_ID [--plan] [--wait] "
			                 "[--json])", argv[i]);
	}
	if (!conn_id)
		return cli_usage("run needs a connection id: feedsync run CONNECTION_ID [--plan] [--wait]");
	/* Plans' store queries (store_plan.c) have no PostgreSQL dialect yet; a run without --plan has. */
	if (plan && db_is_server(cli->cfg.db_path)) {
		char err[512];
		db_backend_unfinished("'feedsync run --plan'", err, sizeof(err));
		return cli_fail(EXIT_FAILED, "%s", err);
	}
	return cli_start_run(cli, conn_id, "manual", 0, 1, plan, wait, json);
}

/* ---- runs ---- */

static int runs_list(struct cli *cli, int argc, char **argv)
{
	struct run_query q = {0};
	bool json = false, missing = false;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--status", &missing))) {
			if (!run_status_valid(v) && !str_eq(v, "active"))
				return cli_usage("--status %s: expected queued, running, completed, completed_with_errors, "
				                 "failed, cancelled or active", v);
			q.status = v;
		} else if ((v = arg_value(argc, argv, &i, "--conn", &missing))) {
			if (!parse_id(v, &q.connection_id))
				return cli_usage("--conn %s: expected a connection id", v);
		} else if ((v = arg_value(argc, argv, &i, "--limit", &missing))) {
			int64_t limit;
			if (!parse_int64(v, &limit) || limit < 1 || limit > 1000000)
				return cli_usage("--limit %s: expected a number from 1 to 1000000", v);
			q.limit = (int)limit;
		} else if (missing) {
			return cli_usage("%s needs a value", argv[i]);
		} else if (arg_is(argv[i], "--json")) {
			json = true;
		} else {
			return cli_usage("runs: unexpected argument '%s'", argv[i]);
		}
	}
	struct store *s = cli_store(cli);
	worker_recover_stale(s, &cli->cfg);
	struct run_row *rows;
	size_t n;
	if (store_run_list(s, &q, &rows, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot list runs: %s", store_errmsg(s));
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, run_to_json(&rows[i]));
		json_print(arr, stdout);
	} else if (n == 0) {
		printf("no runs%s\n", q.status || q.connection_id ? " match" : " yet");
	} else {
		static const char *const headers[] = {"ID", "CONNECTION", "TRIGGER", "STATUS", "PHASE", "ROWS",
		                                      "C/U/S/F", "STARTED", "DURATION"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(headers), headers, "rlllllrll");
		for (size_t i = 0; i < n; i++) {
			const struct run_row *r = &rows[i];
			char id[24], rows_read[24], cusf[96], started[32], dur[32] = "-";
			snprintf(id, sizeof(id), "%lld", (long long)r->id);
			snprintf(rows_read, sizeof(rows_read), "%lld", (long long)r->counters[RC_ROWS_READ]);
			snprintf(cusf, sizeof(cusf), "%lld/%lld/%lld/%lld", (long long)r->counters[RC_CREATED],
			         (long long)r->counters[RC_UPDATED], (long long)r->counters[RC_SKIPPED],
			         (long long)r->counters[RC_FAILED]);
			when(r->started_at, started, sizeof(started));
			if (r->started_at)
				format_duration((r->finished_at ? r->finished_at : now_ms()) - r->started_at, dur, sizeof(dur));
			const char *cells[] = {id, r->connection_name, r->trigger, r->status, r->phase[0] ? r->phase : "-",
			                       rows_read, cusf, started, dur};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
	}
	free(rows);
	return EXIT_OK;
}

static int get_run(struct cli *cli, const char *arg, struct run_row *r)
{
	int64_t id;
	if (!parse_id(arg, &id))
		return cli_usage("'%s' is not a run id", arg ? arg : "");
	worker_recover_stale(cli_store(cli), &cli->cfg);
	int found = store_run_get(cli_store(cli), id, r);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read run %lld: %s", (long long)id, store_errmsg(cli_store(cli)));
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "no run %lld (see 'feedsync runs')", (long long)id);
	return EXIT_OK;
}

static void print_sanitized(const char *label, const char *text)
{
	struct strbuf sb = {0};
	text_sanitize(text, &sb, 1);
	printf("%s%s\n", label, sb_str(&sb));
	sb_free(&sb);
}

/* "line 5, sku A1: message"; an error tied to no row is named by its code instead. */
static void print_error_brief(const struct run_error_row *e)
{
	struct strbuf where = {0}, text = {0};
	if (e->line)
		sb_addf(&where, "line %lld", (long long)e->line);
	if (e->sku[0])
		sb_addf(&where, "%ssku %s", e->line ? ", " : "", e->sku);
	if (!e->line && !e->sku[0])
		sb_adds(&where, e->code);
	sb_adds(&where, ": ");
	sb_adds(&where, e->message ? e->message : "");
	text_sanitize(sb_str(&where), &text, 0);
	printf("    %s\n", sb_str(&text));
	sb_free(&where);
	sb_free(&text);
}

static int runs_show(struct cli *cli, const char *arg, bool json)
{
	struct run_row r;
	int rc = get_run(cli, arg, &r);
	if (rc != EXIT_OK)
		return rc;
	if (json) {
		cJSON *o = run_to_json(&r);
		cli_run_plan_applier(cli, &r, o);
		cli_run_notifications(cli, r.id, o);
		struct run_error_row *errs;
		size_t n;
		if (store_run_errors(cli_store(cli), r.id, 5, true, &errs, &n) == 0) {
			cJSON *arr = cJSON_AddArrayToObject(o, "latest_errors");
			for (size_t i = 0; i < n; i++)
				cJSON_AddItemToArray(arr, run_error_to_json(&errs[i]));
			run_error_rows_free(errs, n);
		}
		json_print(o, stdout);
		return EXIT_OK;
	}
	char t1[32], t2[32], t3[32], dur[32] = "-";
	printf("run %lld of connection %lld (%s)\n", (long long)r.id, (long long)r.connection_id, r.connection_name);
	printf("  status:    %s%s\n", r.status, r.cancel_requested && run_status_active(r.status) ? " (cancel requested)" : "");
	printf("  phase:     %s\n", r.phase[0] ? r.phase : "-");
	printf("  trigger:   %s, attempt %d", r.trigger, r.attempt);
	if (r.retry_of)
		printf(", retry of run %lld", (long long)r.retry_of);
	if (r.plan_only)
		printf(", plan only (feedsync plan show %lld)", (long long)r.id);
	if (r.plan_run)
		printf(", applies the plan of run %lld", (long long)r.plan_run);
	printf("\n");
	cli_run_plan_applier(cli, &r, NULL);
	printf("  worker:    %s\n", r.worker_id[0] ? r.worker_id : "-");
	if (r.started_at)
		format_duration((r.finished_at ? r.finished_at : now_ms()) - r.started_at, dur, sizeof(dur));
	printf("  queued:    %s\n  started:   %s\n  finished:  %s (%s)\n", when(r.created_at, t1, sizeof(t1)),
	       when(r.started_at, t2, sizeof(t2)), when(r.finished_at, t3, sizeof(t3)), dur);
	printf("  counters:");
	for (int i = 0; i < RC_COUNT; i++)
		if (i != RC_BYTES_TOTAL && i != RC_BYTES_DONE)
			printf("%s %s %lld", i ? "," : "", run_counter_labels[i], (long long)r.counters[i]);
	printf("\n  errors:    %lld%s\n", (long long)r.errors_total,
	       r.errors_total ? " (feedsync runs errors ID)" : "");
	if (r.summary[0])
		print_sanitized("  summary:   ", r.summary);
	cli_run_notifications(cli, r.id, NULL);
	struct run_error_row *errs;
	size_t n;
	if (store_run_errors(cli_store(cli), r.id, 5, true, &errs, &n) == 0 && n) {
		printf("  latest errors:\n");
		for (size_t i = 0; i < n; i++)
			print_error_brief(&errs[i]);
		run_error_rows_free(errs, n);
	}
	return EXIT_OK;
}

static int runs_errors(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool json = false, csv = false;
	const struct cli_flag flags[] = {{"--json", &json}, {"--csv", &csv}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "runs errors", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	struct run_row r;
	int rc = get_run(cli, id, &r);
	if (rc != EXIT_OK)
		return rc;
	struct run_error_row *errs;
	size_t n;
	if (store_run_errors(cli_store(cli), r.id, 0, false, &errs, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot read errors: %s", store_errmsg(cli_store(cli)));
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, run_error_to_json(&errs[i]));
		json_print(arr, stdout);
	} else if (csv) {
		printf("line,sku,column,code,phase,message\n");
		for (size_t i = 0; i < n; i++) {
			char line[24] = "";
			if (errs[i].line)
				snprintf(line, sizeof(line), "%lld", (long long)errs[i].line);
			const char *fields[] = {line, errs[i].sku, errs[i].column, errs[i].code, errs[i].phase,
			                        errs[i].message ? errs[i].message : ""};
			struct strbuf row = {0};
			for (size_t f = 0; f < ARRAY_LEN(fields); f++) {
				if (f)
					sb_addc(&row, ',');
				csv_field(fields[f], &row);
			}
			puts(sb_str(&row));
			sb_free(&row);
		}
	} else if (n == 0) {
		printf("run %lld has no errors\n", (long long)r.id);
	} else {
		static const char *const headers[] = {"LINE", "SKU", "COLUMN", "CODE", "MESSAGE"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(headers), headers, "rllll");
		for (size_t i = 0; i < n; i++) {
			char line[24] = "-";
			if (errs[i].line)
				snprintf(line, sizeof(line), "%lld", (long long)errs[i].line);
			const char *cells[] = {line, errs[i].sku, errs[i].column, errs[i].code, errs[i].message};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
		if (r.errors_total > (int64_t)n)
			printf("%lld errors in all; only the first %zu were stored (import.error_cap), the rest are in "
			       "'feedsync runs log %lld'\n", (long long)r.errors_total, n, (long long)r.id);
	}
	run_error_rows_free(errs, n);
	return EXIT_OK;
}

static int runs_log(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool follow = false;
	const struct cli_flag flags[] = {{"--follow", &follow}, {"-f", &follow}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "runs log", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	struct run_row r;
	int rc = get_run(cli, id, &r);
	if (rc != EXIT_OK)
		return rc;
	int64_t after = 0;
	interrupted = 0;
	if (follow)
		signal(SIGINT, on_interrupt);
	for (;;) {
		struct run_event_row *ev;
		size_t n;
		if (store_run_events(cli_store(cli), r.id, after, 0, &ev, &n) < 0)
			return cli_fail(EXIT_FAILED, "cannot read the log: %s", store_errmsg(cli_store(cli)));
		for (size_t i = 0; i < n; i++) {
			char t[32];
			struct strbuf sb = {0};
			text_sanitize(ev[i].message, &sb, 0);
			printf("%s %-5s %s\n", when(ev[i].at, t, sizeof(t)), ev[i].level, sb_str(&sb));
			sb_free(&sb);
			after = ev[i].id;
		}
		run_event_rows_free(ev, n);
		fflush(stdout);
		if (!follow || interrupted)
			break;
		if (store_run_get(cli_store(cli), r.id, &r) != 1 || !run_status_active(r.status)) {
			follow = false; /* one more pass prints the last lines */
			continue;
		}
		worker_recover_stale(cli_store(cli), &cli->cfg);
		sleep_ms(WAIT_POLL_MS);
	}
	signal(SIGINT, SIG_DFL);
	return EXIT_OK;
}

/* Says how a run asked to cancel ended: cancelled, or finished before it saw the request. Silent when it is still
 * running (a worker that is paused or gone). */
static void report_cancel_outcome(struct cli *cli, int64_t id)
{
	struct run_row r;
	for (int waited = 0; waited < CANCEL_OUTCOME_WAIT_MS; waited += CANCEL_OUTCOME_POLL_MS) {
		sleep_ms(CANCEL_OUTCOME_POLL_MS);
		if (store_run_get(cli_store(cli), id, &r) != 1)
			return;
		if (run_status_active(r.status))
			continue;
		if (str_eq(r.status, RUN_CANCELLED))
			printf("run %lld cancelled: %s\n", (long long)id, r.summary);
		else
			printf("run %lld %s before the cancel took effect: cancel requested after the run completed\n",
			       (long long)id, r.status);
		return;
	}
}

static int runs_cancel(struct cli *cli, const char *arg)
{
	struct run_row r;
	int rc = get_run(cli, arg, &r);
	if (rc != EXIT_OK)
		return rc;
	char outcome[32];
	rc = store_run_request_cancel(cli_store(cli), r.id, outcome, sizeof(outcome));
	if (rc < 0 || rc == 1)
		return cli_fail(rc < 0 ? EXIT_FAILED : EXIT_NOT_FOUND, "cannot cancel run %lld: %s", (long long)r.id,
		                rc < 0 ? store_errmsg(cli_store(cli)) : "it no longer exists");
	if (rc == 0 && str_eq(outcome, "cancelled"))
		printf("run %lld cancelled before it started\n", (long long)r.id);
	else if (str_eq(outcome, "requested")) {
		printf("cancel requested: run %lld stops at its next safe point\n", (long long)r.id);
		fflush(stdout);
		report_cancel_outcome(cli, r.id);
	} else {
		printf("run %lld already finished (%s): nothing to cancel%s\n", (long long)r.id, outcome,
		       str_eq(outcome, RUN_CANCELLED) ? "" : "; cancel requested after the run completed");
	}
	return EXIT_OK;
}

static int runs_retry(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool wait = false, json = false;
	const struct cli_flag flags[] = {{"--wait", &wait}, {"--json", &json}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "runs retry", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	struct run_row r;
	int rc = get_run(cli, id, &r);
	if (rc != EXIT_OK)
		return rc;
	if (run_status_active(r.status))
		return cli_fail(EXIT_REFUSED, "run %lld is still %s; only a finished run can be retried", (long long)r.id,
		                r.status);
	if (r.plan_run)
		return cli_fail(EXIT_REFUSED, "run %lld applied the plan of run %lld, and a plan is applied once: make a new "
		                "plan with 'feedsync run %lld --plan'", (long long)r.id, (long long)r.plan_run,
		                (long long)r.connection_id);
	/* A retry does what the run did: a reconcile run retires again, a plan-only run plans again. */
	const char *trigger = str_eq(r.trigger, "reconcile") ? "reconcile" : "retry";
	return cli_start_run(cli, r.connection_id, trigger, r.id, r.attempt + 1, r.plan_only, wait, json);
}

int cmd_runs(struct cli *cli, int argc, char **argv)
{
	if (argc == 0 || argv[0][0] == '-')
		return runs_list(cli, argc, argv);
	const char *sub = argv[0];
	if (str_eq(sub, "list") || str_eq(sub, "ls"))
		return runs_list(cli, argc - 1, argv + 1);
	if (str_eq(sub, "errors"))
		return runs_errors(cli, argc - 1, argv + 1);
	if (str_eq(sub, "log"))
		return runs_log(cli, argc - 1, argv + 1);
	if (str_eq(sub, "retry"))
		return runs_retry(cli, argc - 1, argv + 1);
	if (str_eq(sub, "show") || str_eq(sub, "cancel")) {
		const char *id;
		bool json = false;
		const struct cli_flag flags[] = {{"--json", &json}, {NULL, NULL}};
		char what[32];
		snprintf(what, sizeof(what), "runs %s", sub);
		if (cli_parse_flags(argc - 1, argv + 1, what, flags, &id) != EXIT_OK)
			return EXIT_USAGE;
		return str_eq(sub, "show") ? runs_show(cli, id, json) : runs_cancel(cli, id);
	}
	return cli_usage("unknown runs subcommand '%s' (list, show, errors, log, cancel, retry)", sub);
}
