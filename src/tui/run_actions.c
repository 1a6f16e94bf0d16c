/* Starting, cancelling, retrying and copying runs from the console (see run_actions.h). */
#include "tui/run_actions.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "engine/worker.h"
#include "tui/error_text.h"
#include "tui/runner.h"
#include "tui/screens.h"

int64_t run_action_start(struct app *app, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt)
{
	int64_t run_id = 0;
	struct run_row active;
	int rc = store_run_enqueue(app->store, conn_id, trigger, retry_of, attempt, false, &run_id, &active);
	if (rc == 1) {
		if (active.id)
			app_message(app, ROLE_ERROR, "refused: connection %lld already has run %lld (%s%s%s); cancel it"
			            " or wait", (long long)conn_id, (long long)active.id, active.status,
			            active.phase[0] ? ", phase " : "", active.phase);
		else
			app_message(app, ROLE_ERROR, "refused: connection %lld already has an active run",
			            (long long)conn_id);
		return 0;
	}
	if (rc == 2) {
		app_message(app, ROLE_ERROR, "connection %lld no longer exists", (long long)conn_id);
		return 0;
	}
	if (rc < 0) {
		app_message(app, ROLE_ERROR, "cannot queue a run: %s", store_errmsg(app->store));
		return 0;
	}
	run_action_launch(app, run_id);
	return run_id;
}

void run_action_launch(struct app *app, int64_t run_id)
{
	if (app->cfg->use_worker) {
		bool alive = worker_daemon_alive(app->store, app->cfg);
		app_message(app, alive ? ROLE_OK : ROLE_WARN, "queued run %lld for the worker%s", (long long)run_id,
		            alive ? "" : "; no worker is running: start one with 'feedsync worker'");
	} else if (runner_start(app->runner, run_id) < 0) {
		app_message(app, ROLE_ERROR, "queued run %lld but cannot start a thread for it", (long long)run_id);
	} else {
		app_message(app, ROLE_OK, "started run %lld", (long long)run_id);
	}
	app_changed(app);
}

bool run_action_cancel(struct app *app, const struct run_row *r)
{
	char outcome[32];
	int rc = store_run_request_cancel(app->store, r->id, outcome, sizeof(outcome));
	if (rc < 0 || rc == 1) {
		app_message(app, ROLE_ERROR, "cannot cancel run %lld: %s", (long long)r->id,
		            rc < 0 ? store_errmsg(app->store) : "it no longer exists");
		return false;
	}
	bool stopped = true;
	if (rc == 0 && str_eq(outcome, "cancelled"))
		app_message(app, ROLE_OK, "run %lld cancelled before it started", (long long)r->id);
	else if (str_eq(outcome, "requested"))
		app_message(app, ROLE_OK, "cancel requested: run %lld stops at its next safe point", (long long)r->id);
	else {
		app_message(app, ROLE_WARN, "run %lld already finished (%s): nothing to cancel", (long long)r->id, outcome);
		stopped = false;
	}
	app_changed(app);
	return stopped;
}

int64_t run_action_retry(struct app *app, const struct run_row *r)
{
	if (run_status_active(r->status)) {
		app_message(app, ROLE_WARN, "run %lld is still %s; only a finished run can be retried", (long long)r->id,
		            r->status);
		return 0;
	}
	return run_action_start(app, r->connection_id, "retry", r->id, r->attempt + 1);
}

static void base64(const unsigned char *in, size_t len, struct strbuf *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		sb_addc(out, digits[v >> 18 & 63]);
		sb_addc(out, digits[v >> 12 & 63]);
		sb_addc(out, i + 1 < len ? digits[v >> 6 & 63] : '=');
		sb_addc(out, i + 2 < len ? digits[v & 63] : '=');
	}
}

void clipboard_copy(const char *text)
{
	struct strbuf seq = {0};
	sb_adds(&seq, "\033]52;c;");
	base64((const unsigned char *)text, strlen(text), &seq);
	sb_adds(&seq, "\a");
	/* Past curses, which has flushed its frame: the sequence changes nothing on screen. */
	if (write(STDOUT_FILENO, seq.buf, seq.len) < 0) {
		/* a terminal that went away; nothing to report it to */
	}
	sb_free(&seq);
}

void run_action_copy_id(struct app *app, const struct run_row *r)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	clipboard_copy(id);
	app_message(app, ROLE_OK, "copied run id %s to the clipboard", id);
}

void run_action_copy_error(struct app *app, const struct run_row *r)
{
	struct run_error_row *errs;
	size_t n;
	if (store_run_errors(app->store, r->id, 1, false, &errs, &n) < 0) {
		app_message(app, ROLE_ERROR, "cannot read the errors: %s", store_errmsg(app->store));
		return;
	}
	struct strbuf text = {0};
	if (n > 0) {
		error_text_copy(r->id, &errs[0], &text);
		clipboard_copy(sb_str(&text));
		app_message(app, ROLE_OK, "copied the first error of run %lld to the clipboard", (long long)r->id);
	} else if (str_eq(r->status, RUN_FAILED) && r->summary[0]) {
		sb_addf(&text, "run %lld failed: ", (long long)r->id);
		text_sanitize(r->summary, &text, false);
		clipboard_copy(sb_str(&text));
		app_message(app, ROLE_OK, "copied why run %lld failed to the clipboard", (long long)r->id);
	} else {
		app_message(app, ROLE_DIM, "run %lld has no error to copy", (long long)r->id);
	}
	sb_free(&text);
	run_error_rows_free(errs, n);
}

void run_action_open_latest_problem(struct app *app)
{
	int64_t run_id = 0;
	int found = store_views_latest_failed_run(app->views, 0, &run_id);
	if (found < 0)
		app_message(app, ROLE_ERROR, "cannot look for failed runs: %s", store_views_errmsg(app->views));
	else if (found == 0)
		app_message(app, ROLE_OK, "no run failed or completed with errors");
	else
		app_push(app, screen_run_new(app, run_id));
}
