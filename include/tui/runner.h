/*
 * Runs started in the console execute here, one background thread each with its own store (as
 * `feedsync worker` does), unless a worker daemon runs them ([tui] use_worker). The console learns their
 * progress the same way it learns about any other process's: from the database.
 */
#ifndef FEEDSYNC_TUI_RUNNER_H
#define FEEDSYNC_TUI_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store.h"

struct runner;

struct runner *runner_new(const struct config *cfg);
/* Executes queued run `run_id` in a new thread. 0, or -1 when the thread cannot start. */
int runner_start(struct runner *r, int64_t run_id);
/* Runs still executing in this process (finished threads are joined on the way). */
int runner_in_flight(struct runner *r);
/*
 * Stops every run in flight: a cancel request each (through s), so that each stops at its next safe point
 * and is recorded as cancelled (when a request cannot be written, or s is NULL, a deadline of now does the
 * same); then waits for the threads.
 */
void runner_stop(struct runner *r, struct store *s);
void runner_free(struct runner *r);

#endif
