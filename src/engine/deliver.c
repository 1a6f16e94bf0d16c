#include "engine/deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/util.h"
#include "dest/dest.h"

/* Products read from the catalog at a time; no read stays open while the destination records results. */
#define PUSH_PAGE_ROWS 512

struct session {
	struct run_ctx *ctx;
	struct dest *dest;
	struct stop *stop;
	char *last_sku;              /* the page after this one starts past it */
};

char *deliver_destination_name(const struct conn_config *conn)
{
	if (!conn->dest_type)
		return xstrdup("");
	if (conn->dest_path)
		return xasprintf("%s %s", conn->dest_type, conn->dest_path);
	if (conn->dest_name)
		return xasprintf("%s '%s'", conn->dest_type, conn->dest_name);
	return xasprintf("%s destination %lld", conn->dest_type, (long long)conn->dest_id);
}

void deliver_summary_pushed(const int64_t counters[RC_COUNT], struct strbuf *out)
{
	const int64_t *c = counters;
	if (c[RC_PUSH_QUEUED])
		sb_addf(out, "; %lld pushed", (long long)(c[RC_PUSH_PROCESSED] - c[RC_PUSH_FAILED]));
	if (c[RC_PUSH_FAILED])
		sb_addf(out, ", %lld failed to push", (long long)c[RC_PUSH_FAILED]);
}

void deliver_summary_retired(const int64_t counters[RC_COUNT], struct strbuf *out)
{
	const int64_t *c = counters;
	if (c[RC_RETIRED])
		sb_addf(out, "; %lld retired", (long long)c[RC_RETIRED]);
	if (c[RC_RETIRE_FAILED])
		sb_addf(out, "%s%lld failed to retire", c[RC_RETIRED] ? ", " : "; ", (long long)c[RC_RETIRE_FAILED]);
}

/* False once the run should stop: asked after every item (the run context reads the flag a few times a second),
 * as a destination may take long over one (a slow shop, a full backlog). */
static bool keep_going(struct session *se, const char *doing)
{
	run_tick(se->ctx);
	if (!run_should_stop(se->ctx))
		return true;
	stop_with(se->ctx, se->stop, RUN_CANCELLED, NULL, "%s while %s", run_stop_reason(se->ctx), doing);
	return false;
}

static void retire_all(struct session *se, const struct delivery *what)
{
	char err[1024];
	for (size_t i = 0; i < what->nretire && !stopped(se->stop); i++) {
		if (se->dest->ops->retire(se->dest, what->retire[i].sku, what->action, err, sizeof(err)) < 0)
			stop_with_detail(se->ctx, se->stop, RUN_FAILED, "retire_failed", se->dest->detail, "%s", err);
		else
			keep_going(se, "retiring");
	}
}

static int push_one(void *ud, const struct pending_product *p)
{
	struct session *se = ud;
	free(se->last_sku);
	se->last_sku = xstrdup(p->sku);
	char err[1024];
	if (se->dest->ops->push(se->dest, p, err, sizeof(err)) < 0) {
		stop_with_detail(se->ctx, se->stop, RUN_FAILED, "push_failed", se->dest->detail, "%s", err);
		return 1;
	}
	return keep_going(se, "pushing") ? 0 : 1;
}

static void push_all(struct session *se, const struct delivery *what, bool all)
{
	struct run_ctx *ctx = se->ctx;
	int n;
	do {
		if (what->products == DELIVER_PLAN && !all)
			n = store_plan_products_page(ctx->store, what->plan_run, se->last_sku, PUSH_PAGE_ROWS, push_one, se);
		else
			n = store_products_pending_page(ctx->store, ctx->connection_id, all, se->last_sku, PUSH_PAGE_ROWS,
			                                push_one, se);
	} while (n == PUSH_PAGE_ROWS && !stopped(se->stop));
	if (n < 0 && !stopped(se->stop))
		stop_with(ctx, se->stop, RUN_FAILED, "database_error", "cannot read the catalog: %s",
		          store_errmsg(ctx->store));
}

static int64_t products_to_push(struct run_ctx *ctx, const struct delivery *what, bool all)
{
	if (what->products == DELIVER_PLAN && !all) {
		const struct plan_filter creates = {.kind = "create", .included_only = true};
		const struct plan_filter updates = {.kind = "update", .included_only = true};
		return store_plan_count(ctx->store, what->plan_run, &creates) +
		       store_plan_count(ctx->store, what->plan_run, &updates);
	}
	return store_products_pending_count(ctx->store, ctx->connection_id, all);
}

static void report(struct run_ctx *ctx, const struct delivery *what, const char *where, bool pushed,
                   const int64_t before[RC_COUNT])
{
	const int64_t *c = ctx->counters;
	if (pushed)
		run_log(ctx, LOG_INFO, "pushed %lld products to %s (%lld failed)",
		        (long long)(c[RC_PUSH_PROCESSED] - c[RC_PUSH_FAILED]), where,
		        (long long)(c[RC_PUSH_FAILED] - before[RC_PUSH_FAILED]));
	if (what->nretire)
		run_log(ctx, LOG_INFO, "retired %lld of %zu products gone from the feed (%s) in %s (%lld failed)",
		        (long long)(c[RC_RETIRED] - before[RC_RETIRED]), what->nretire, missing_action_name(what->action),
		        where, (long long)(c[RC_RETIRE_FAILED] - before[RC_RETIRE_FAILED]));
}

void deliver(struct run_ctx *ctx, const struct conn_config *conn, const struct delivery *what, struct stop *stop)
{
	const struct dest_ops *ops = dest_find(conn->dest_type);
	if (!ops) {
		stop_with(ctx, stop, RUN_FAILED, "bad_destination", "unknown destination type '%s'", conn->dest_type);
		return;
	}
	/* The shops' own store queries (fences, terms, media, shared limits) have no PostgreSQL dialect yet. */
	if (!str_eq(conn->dest_type, "file") && str_eq(sqldb_backend(store_db(ctx->store)), "postgresql")) {
		char what[96], why[512];
		snprintf(what, sizeof(what), "a push to %s", conn->dest_type);
		db_backend_unfinished(what, why, sizeof(why));
		stop_with(ctx, stop, RUN_FAILED, "unsupported_backend", "%s", why);
		return;
	}
	bool all = ops->wants_all(conn);
	bool pushing = all || what->products != DELIVER_NONE;
	int64_t pending = pushing ? products_to_push(ctx, what, all) : 0;
	if (pushing) {
		/* A snapshot exported again supersedes the earlier one of the run: the counters describe the last. */
		run_set(ctx, RC_PUSH_QUEUED, pending);
		run_set(ctx, RC_PUSH_PROCESSED, 0);
	}
	int64_t before[RC_COUNT];
	memcpy(before, ctx->counters, sizeof(before));
	run_flush(ctx);
	struct dest d = {.ops = ops};
	struct session se = {.ctx = ctx, .dest = &d, .stop = stop};
	char err[1024];
	if (ops->open(&d, conn, ctx, pending + (int64_t)what->nretire, err, sizeof(err)) < 0) {
		stop_with(ctx, stop, RUN_FAILED, "push_failed", "%s destination: %s", ops->name, err);
	} else {
		retire_all(&se, what);
		if (pushing && !stopped(stop))
			push_all(&se, what, all);
	}
	int committed = stopped(stop) ? 0 : ops->commit(&d, err, sizeof(err));
	if (committed < 0)
		stop_with_detail(ctx, stop, RUN_FAILED, "push_failed", d.detail, "%s", err);
	else if (committed > 0 || (!stopped(stop) && run_should_stop(ctx)))   /* what waited was dropped */
		stop_with(ctx, stop, RUN_CANCELLED, NULL, "%s while pushing", run_stop_reason(ctx));
	ops->close(&d);
	free(se.last_sku);
	run_flush(ctx);
	if (!stopped(stop)) {
		char *where = deliver_destination_name(conn);
		report(ctx, what, where, pushing, before);
		free(where);
	}
}
