#include "engine/reconcile.h"

#include <string.h>

#include "core/util.h"
#include "engine/deliver.h"

#define DAY_MS (24LL * 3600 * 1000)

int64_t reconcile_returning(struct run_ctx *ctx, struct catalog *catalog)
{
	struct store *s = ctx->store;
	struct strbuf retired = {0};
	int rc = store_retired_skus(s, ctx->connection_id, &retired);
	int64_t back = 0;
	for (size_t off = 0; rc == 0 && off < retired.len; off += strlen(retired.buf + off) + 1) {
		const char *sku = retired.buf + off;
		if (!catalog_seen(catalog, sku))
			continue;
		if (back++ == 0)
			rc = store_begin(s);
		if (rc == 0)
			rc = store_product_unretire(s, ctx->connection_id, sku);
	}
	if (rc == 0 && back)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	sb_free(&retired);
	if (rc == 0 && back)
		run_log(ctx, LOG_INFO, "%lld retired products are back in the feed: their next push restores them",
		        (long long)back);
	return rc == 0 ? back : -1;
}

static int64_t accepted_rows(const int64_t counters[RC_COUNT])
{
	return counters[RC_CREATED] + counters[RC_UPDATED] + counters[RC_UNCHANGED];
}

int reconcile_trusted(struct store *s, const struct config *cfg, int64_t conn_id, const int64_t counters[RC_COUNT],
                      int64_t run_id, struct strbuf *why)
{
	if (counters[RC_FAILED] > 0) {
		sb_addf(why, "%lld rows failed", (long long)counters[RC_FAILED]);
		return 0;
	}
	int64_t now = accepted_rows(counters);
	if (now == 0) {
		/* Whatever the last import was, a feed that yields no product is never "every product is gone". */
		sb_addf(why, "no row of this feed became a product (%lld skipped by the filters)",
		        (long long)counters[RC_SKIPPED]);
		return 0;
	}
	struct run_row last;
	int found = store_run_last_success(s, conn_id, run_id, &last);
	if (found < 0)
		return -1;
	int64_t before = found ? accepted_rows(last.counters) : 0;
	int limit = cfg->max_shrink_percent;
	if (before > 0 && (before - now) * 100 > before * limit) {
		sb_addf(why, "the feed shrank from %lld to %lld products (more than %d%%, import.max_shrink_percent)",
		        (long long)before, (long long)now, limit);
		return 0;
	}
	return 1;
}

int reconcile_last_import_trusted(struct store *s, const struct config *cfg, int64_t conn_id, int64_t before_run,
                                  struct strbuf *why)
{
	struct run_row last;
	int found = store_run_last_success(s, conn_id, before_run, &last);
	if (found <= 0) {
		if (found == 0)
			sb_adds(why, "no import of this connection has completed yet");
		return found;
	}
	struct strbuf reason = {0};
	int trusted = reconcile_trusted(s, cfg, conn_id, last.counters, last.id, &reason);
	if (trusted == 0)
		sb_addf(why, "the last import (run %lld): %s", (long long)last.id, sb_str(&reason));
	sb_free(&reason);
	return trusted;
}

/* Products absent from this feed are only marked when the feed can be trusted to be complete. */
int64_t reconcile_mark(struct run_ctx *ctx, struct catalog *catalog, bool *trusted, struct stop *stop)
{
	struct strbuf why = {0};
	int verdict = reconcile_trusted(ctx->store, ctx->cfg, ctx->connection_id, ctx->counters, ctx->run_id, &why);
	*trusted = verdict == 1;
	if (verdict < 0)
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot read the last runs: %s", store_errmsg(ctx->store));
	else if (verdict == 0)
		run_log(ctx, LOG_WARN, "%s, so no product is marked missing and none is retired this time", sb_str(&why));
	sb_free(&why);
	if (!*trusted)
		return 0;
	int64_t missing = catalog_mark_missing(catalog);
	if (missing < 0) {
		*trusted = false;
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot mark missing products: %s",
		          store_errmsg(ctx->store));
		return 0;
	}
	if (missing)
		run_log(ctx, LOG_INFO, "%lld products are not in this feed and are marked missing", (long long)missing);
	return missing;
}

int reconcile_stale(struct store *s, int64_t conn_id, const struct conn_config *conn, int64_t now,
                    struct stale_product **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!conn->dest_type || conn->missing_action == MISSING_NONE)
		return 0;
	return store_stale_products(s, conn_id, now - conn->missing_after_days * DAY_MS, conn->missing_after_runs, out,
	                            n);
}

int64_t reconcile_retire(struct run_ctx *ctx, const struct conn_config *conn, struct stop *stop)
{
	struct stale_product *stale;
	size_t n;
	if (reconcile_stale(ctx->store, ctx->connection_id, conn, now_ms(), &stale, &n) < 0) {
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot list the products to retire: %s",
		          store_errmsg(ctx->store));
		return 0;
	}
	if (n) {
		struct delivery what = {.products = DELIVER_NONE, .retire = stale, .nretire = n,
		                        .action = conn->missing_action};
		deliver(ctx, conn, &what, stop);
	}
	stale_products_free(stale, n);
	return (int64_t)n;
}

const char *reconcile_idle_reason(const struct conn_config *conn)
{
	if (!conn->dest_type)
		return "the connection has no destination";
	if (conn->missing_action == MISSING_NONE)
		return "update.missing_action is none";
	return NULL;
}

const char *reconcile_execute(struct run_ctx *ctx, const struct conn_config *conn)
{
	struct stop stop = {0};
	struct strbuf why = {0}, summary = {0};
	run_set_phase(ctx, PHASE_RECONCILE);
	int64_t handed = 0;
	const char *idle = reconcile_idle_reason(conn);
	int trusted = idle ? 0 : reconcile_last_import_trusted(ctx->store, ctx->cfg, ctx->connection_id, ctx->run_id,
	                                                       &why);
	if (idle)
		sb_addf(&summary, "reconcile: nothing to retire (%s)", idle);
	else if (trusted < 0)
		stop_with(ctx, &stop, RUN_FAILED, "database_error", "cannot read the last runs: %s", store_errmsg(ctx->store));
	else if (trusted == 0)
		run_log(ctx, LOG_WARN, "%s, so nothing is retired", sb_str(&why));
	else
		handed = reconcile_retire(ctx, conn, &stop);
	if (stopped(&stop))
		sb_addf(&summary, "%s (in %s)", sb_str(&stop.why), run_phase_name(ctx->phase));
	else if (trusted == 0 && !idle)
		sb_addf(&summary, "reconcile skipped: %s", sb_str(&why));
	else if (!idle && handed == 0)
		sb_adds(&summary, "reconcile: no product is gone long enough to retire");
	else if (!idle)
		sb_addf(&summary, "reconcile: %lld products gone from the feed (%s)", (long long)handed,
		        missing_action_name(conn->missing_action));
	deliver_summary_pushed(ctx->counters, &summary);
	deliver_summary_retired(ctx->counters, &summary);
	const char *status = stop.status ? stop.status
	                     : ctx->counters[RC_RETIRE_FAILED] ? RUN_COMPLETED_WITH_ERRORS : RUN_COMPLETED;
	run_finish(ctx, status, "%s", sb_str(&summary));
	sb_free(&summary);
	sb_free(&why);
	sb_free(&stop.why);
	return status;
}
