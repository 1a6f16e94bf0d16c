/*
 * The phases of one run: download -> local_import -> pushing -> reconcile. Executes a claimed run to its
 * end and stores its final status; the database is consistent whatever happens (every catalog batch
 * commits whole, and a fatal error or a cancel keeps what was committed so a retry picks up from there).
 * A plan-only run stores a plan in the reconcile phase instead of pushing (engine/plan.h); a run applying
 * a plan and a run of `feedsync reconcile` skip the download and the import (plan.h, reconcile.h).
 */
#ifndef FEEDSYNC_ENGINE_PIPELINE_H
#define FEEDSYNC_ENGINE_PIPELINE_H

#include <stdbool.h>

#include "engine/run.h"
#include "feed/conn.h"

/* Downloads, imports, pushes and reconciles (stores a plan when plan_only). Returns the final status
 * (RUN_COMPLETED, RUN_FAILED, ...). */
const char *pipeline_execute(struct run_ctx *ctx, const struct conn_config *conn, bool plan_only);

/* Loads a connection's document and executes the claimed run `run`, whichever kind it is. Used by the
 * worker and `run --wait`. */
const char *pipeline_execute_run(struct run_ctx *ctx, const struct run_row *run);

#endif
