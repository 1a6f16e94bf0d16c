/* Queues runs of connections whose schedule is due, and keeps each connection's next due time. */
#ifndef FEEDSYNC_ENGINE_SCHEDULER_H
#define FEEDSYNC_ENGINE_SCHEDULER_H

#include <stdint.h>

#include "core/store.h"

/* The next due time for a schedule text after `now` (0 for manual or an invalid schedule). */
int64_t scheduler_next_due(const char *schedule_text, int64_t now, int64_t last_run_ms);
/* Queues a run for every due connection (skipping those with an active run) and moves their due time on.
 * Returns how many runs were queued, or -1. */
int scheduler_enqueue_due(struct store *s, int64_t now);

#endif
