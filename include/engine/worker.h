/*
 * Executing queued runs: `feedsync worker` (a pool of threads, each with its own SQLite handle) and the
 * single in-process execution behind `feedsync run --wait` and the console.
 */
#ifndef FEEDSYNC_ENGINE_WORKER_H
#define FEEDSYNC_ENGINE_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store.h"
#include "engine/run.h"

/* "host:pid" (plus ":tN" for a thread), the id stored on claimed runs. */
void worker_identity(char *buf, size_t size, int thread);

/*
 * Claims run `run_id` (0 = the oldest queued) and executes it in the calling thread. Returns 1 when a run
 * was executed (*status set to its final status), 0 when there was nothing to claim, -1 on error.
 * observe (optional) is set up on the run context before it starts: progress lines, a stop deadline.
 */
int worker_execute_next(struct store *s, const struct config *cfg, int64_t run_id, const char *worker_id,
                        void (*observe)(struct run_ctx *ctx, void *ud), void *ud, const char **status);

/* Recovers runs whose heartbeat went stale (worker lost). Any process may call it; returns how many. */
int worker_recover_stale(struct store *s, const struct config *cfg);

/* True when a worker daemon has beaten its heartbeat recently. */
bool worker_daemon_alive(struct store *s, const struct config *cfg);

/*
 * `feedsync worker`: runs until SIGINT/SIGTERM (or, with once, until the queue is empty). On a signal it
 * stops claiming, gives in-flight runs shutdown_grace_s to finish, then cancels them at their next safe
 * point. Returns the process exit code.
 */
int worker_main(const struct config *cfg, int threads, bool once);

#endif
