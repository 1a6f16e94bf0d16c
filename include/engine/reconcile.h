/*
 * The reconcile phase: the products a trusted feed no longer has are marked missing (and those it has again
 * cleared), then the products missing long enough get the connection's update.missing_action through its
 * destination: they are retired, once (products.retired_at). A retired product back in the feed is
 * un-retired as soon as the import has seen it, and its next push undoes the retirement.
 *
 * When a product counts as gone: missing for at least update.missing_after_days days AND in at least
 * update.missing_after_runs runs that marked products (a setting of 0 sets no condition). When both are
 * set, the later of the two decides; with both 0, the first run that finds a product missing retires it.
 *
 * A feed is not trusted to be complete, so nothing is marked and nothing retired (with a warning), when its
 * run had row failures, yielded no product, or shrank by more than import.max_shrink_percent against the
 * last successful import.
 */
#ifndef FEEDSYNC_ENGINE_RECONCILE_H
#define FEEDSYNC_ENGINE_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store_plan.h"
#include "engine/catalog.h"
#include "engine/run.h"
#include "engine/stop.h"
#include "feed/conn.h"

/* After an import: clears the retirement of retired products the feed has again. How many, or -1. */
int64_t reconcile_returning(struct run_ctx *ctx, struct catalog *catalog);

/*
 * Whether the import of run `run_id` with these counters can be trusted to list every product: 1, or 0 with
 * why set ("3 rows failed", "the feed shrank from ..."), or -1 when the store cannot say.
 */
int reconcile_trusted(struct store *s, const struct config *cfg, int64_t conn_id, const int64_t counters[RC_COUNT],
                      int64_t run_id, struct strbuf *why);
/* The same for the last import of a connection before run `before_run`; none yet is not trusted. */
int reconcile_last_import_trusted(struct store *s, const struct config *cfg, int64_t conn_id, int64_t before_run,
                                  struct strbuf *why);

/* Marks missing products after this run's import when it is trusted (*trusted). Returns how many are missing. */
int64_t reconcile_mark(struct run_ctx *ctx, struct catalog *catalog, bool *trusted, struct stop *stop);

/* Why nothing of this connection is ever retired ("the connection has no destination", ...), or NULL. */
const char *reconcile_idle_reason(const struct conn_config *conn);
/* The products that would be retired at `now` (none without a destination or with missing_action none). */
int reconcile_stale(struct store *s, int64_t conn_id, const struct conn_config *conn, int64_t now,
                    struct stale_product **out, size_t *n);

/* Retires the stale products through the destination. Returns how many were handed over. */
int64_t reconcile_retire(struct run_ctx *ctx, const struct conn_config *conn, struct stop *stop);

/* Executes a run queued by `feedsync reconcile` (trigger "reconcile"): retirement alone, no download. */
const char *reconcile_execute(struct run_ctx *ctx, const struct conn_config *conn);

#endif
