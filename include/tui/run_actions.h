/* Actions on runs that several screens offer: start, cancel, retry, copy. Results go to the status line. */
#ifndef FEEDSYNC_TUI_RUN_ACTIONS_H
#define FEEDSYNC_TUI_RUN_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"
#include "tui/app.h"

/*
 * Queues a run of the connection and starts it in a background thread (or leaves it to the worker
 * daemon with [tui] use_worker). Refused, in the status line, when the connection has an active run.
 * Returns the new run's id, 0 when none was queued.
 */
int64_t run_action_start(struct app *app, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt);
/* Starts a queued run in a background thread, or leaves it to the worker daemon; says which. */
void run_action_launch(struct app *app, int64_t run_id);
/* True when the run was cancelled or its cancel requested; false when it had finished or on an error. */
bool run_action_cancel(struct app *app, const struct run_row *r);
int64_t run_action_retry(struct app *app, const struct run_row *r);
void run_action_copy_id(struct app *app, const struct run_row *r);
/* The first stored error whole (error_text_copy), or the summary of a run that failed without one. */
void run_action_copy_error(struct app *app, const struct run_row *r);
/* Opens the latest run, of any connection, that failed or completed with errors; says so when none did. */
void run_action_open_latest_problem(struct app *app);

/* Copies text to the terminal's clipboard with OSC 52 (tmux and most terminals honour it). */
void clipboard_copy(const char *text);

#endif
