/*
 * The phases of one run: download -> local_import -> pushing -> reconcile. Executes a claimed run to its
 * end and stores its final status; the database is consistent whatever happens (every catalog batch
 * commits whole, and a fatal error or a cancel keeps what was committed so a retry picks up from there).
 */
#ifndef FEEDSYNC_ENGINE_PIPELINE_H
#define FEEDSYNC_ENGINE_PIPELINE_H

#include "engine/run.h"
#include "feed/conn.h"

/* Returns the final status (RUN_COMPLETED, RUN_FAILED, ...). */
const char *pipeline_execute(struct run_ctx *ctx, const struct conn_config *conn);

/* Loads a connection's document and executes the claimed run `run`. Used by the worker and `run --wait`. */
const char *pipeline_execute_run(struct run_ctx *ctx, const struct run_row *run);

#endif
