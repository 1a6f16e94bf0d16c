#include "engine/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/store_dest.h"
#include "dest/dest.h"
#include "engine/catalog.h"
#include "engine/rows.h"
#include "engine/feed_fetch.h"
#include "feed/source.h"

/* How often (in rows) the import loop reports progress and looks for a cancel. */
#define CHECK_EVERY_ROWS 256

/* Why a phase could not go on; empty while all is well. */
struct stop {
	const char *status;      /* RUN_FAILED or RUN_CANCELLED */
	struct strbuf why;
};

static void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&stop->why, fmt, ap);
	va_end(ap);
	stop->status = status;
	if (code) {
		struct run_error_info info = {.code = code};
		run_error(ctx, &info, "%s", sb_str(&stop->why));
	}
}

static bool stopped(const struct stop *stop)
{
	return stop->status != NULL;
}

/* ---- download ---- */

static int download_progress(void *ud, uint64_t received, uint64_t total)
{
	struct run_ctx *ctx = ud;
	run_set(ctx, RC_BYTES_DONE, (int64_t)received);
	run_set(ctx, RC_BYTES_TOTAL, (int64_t)total);
	run_tick(ctx);
	return run_should_stop(ctx) ? 1 : 0;
}

static void download(struct run_ctx *ctx, const struct conn_config *conn, struct fetch_result *res,
                     struct stop *stop)
{
	char shown[1024];
	fetch_redact_url(conn->url, shown, sizeof(shown));
	run_log(ctx, LOG_INFO, "fetching %s", shown);
	const char *code = NULL;
	if (feed_fetch(ctx->cfg, conn, download_progress, ctx, res, &code) < 0) {
		if (res->cancelled)
			stop_with(ctx, stop, RUN_CANCELLED, NULL, "%s during the download", run_stop_reason(ctx));
		else if (str_eq(code, "missing_secret"))
			stop_with(ctx, stop, RUN_FAILED, code, "%s", res->error);
		else
			stop_with(ctx, stop, RUN_FAILED, code, "download failed: %s", res->error);
		return;
	}
	char size[32];
	format_bytes(res->bytes, size, sizeof(size));
	run_log(ctx, LOG_INFO, "feed ready: %s%s", size, res->is_temp ? " downloaded" : " read in place");
	run_set(ctx, RC_BYTES_TOTAL, (int64_t)res->bytes);
	run_set(ctx, RC_BYTES_DONE, 0);
}

/* ---- local import ---- */

struct import {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct catalog *catalog;
	struct row_stage rows;
	bool columns_checked;
};

static void check_columns(struct import *im, const char *const *names, size_t n, struct stop *stop)
{
	struct strbuf missing = {0}, found = {0};
	size_t count = rows_missing_columns(im->conn, names, n, &missing, &found);
	if (count)
		stop_with(im->ctx, stop, RUN_FAILED, "missing_columns",
		          "missing required column%s: %s; the feed has: %s", count > 1 ? "s" : "", sb_str(&missing),
		          n ? sb_str(&found) : "(no columns)");
	sb_free(&missing);
	sb_free(&found);
	im->columns_checked = true;
}

static void count_outcome(struct import *im, const struct record *rec, struct stop *stop)
{
	struct run_ctx *ctx = im->ctx;
	struct row_error rerr;
	enum row_verdict verdict = row_stage_process(&im->rows, rec, &rerr);
	if (verdict == ROW_SKIPPED) {
		run_add(ctx, RC_SKIPPED, 1);
		return;
	}
	if (verdict == ROW_FAILED) {
		run_add(ctx, RC_FAILED, 1);
		const char *sku = rec->problem ? NULL : record_get(&im->rows.canonical, "sku");
		struct run_error_info info = {.line = rec->line, .sku = sku, .column = rerr.column, .code = rerr.code};
		run_error(ctx, &info, "%s", rerr.message);
		return;
	}
	long first_line = 0;
	const char *sku = product_get(&im->rows.product, PF_SKU);
	switch (catalog_put(im->catalog, &im->rows.product, &first_line)) {
	case CATALOG_CREATED:
		run_add(ctx, RC_CREATED, 1);
		break;
	case CATALOG_UPDATED:
		run_add(ctx, RC_UPDATED, 1);
		break;
	case CATALOG_UNCHANGED:
		run_add(ctx, RC_UNCHANGED, 1);
		break;
	case CATALOG_DUPLICATE: {
		run_add(ctx, RC_FAILED, 1);
		struct run_error_info info = {.line = rec->line, .sku = sku, .column = "sku", .code = "duplicate_sku"};
		run_error(ctx, &info, "duplicate SKU '%s' on line %ld: already on line %ld, the first one is kept", sku,
		          rec->line, first_line);
		break;
	}
	case CATALOG_ERROR:
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot save product '%s' (line %ld): %s", sku,
		          rec->line, store_errmsg(ctx->store));
		break;
	}
}

static void import_rows(struct import *im, struct source *src, uint64_t file_bytes, struct stop *stop)
{
	struct run_ctx *ctx = im->ctx;
	size_t ncols = 0;
	const char *const *cols = source_columns(src, &ncols);
	if (cols && ncols)
		check_columns(im, cols, ncols, stop);

	struct record rec;
	struct source_error serr = {0};
	int64_t rows = 0;
	int rc = 0;
	while (!stopped(stop) && (rc = source_next(src, &rec, &serr)) == 1) {
		if (!im->columns_checked) {
			check_columns(im, rec.names, rec.n, stop);
			if (stopped(stop))
				break;
		}
		rows++;
		run_add(ctx, RC_ROWS_READ, 1);
		count_outcome(im, &rec, stop);
		if (rows % CHECK_EVERY_ROWS == 0) {
			run_set(ctx, RC_BYTES_DONE, (int64_t)src->bytes_read);
			run_tick(ctx);
			if (run_should_stop(ctx))
				stop_with(ctx, stop, RUN_CANCELLED, NULL, "%s after %lld rows; the products imported so far "
				          "are kept", run_stop_reason(ctx), (long long)rows);
		}
	}
	run_set(ctx, RC_BYTES_DONE, (int64_t)src->bytes_read);
	if (stopped(stop))
		return;
	if (rc < 0) {
		if (serr.line > 0)
			stop_with(ctx, stop, RUN_FAILED, "parse_error", "the feed cannot be read past line %ld: %s",
			          serr.line, serr.message);
		else
			stop_with(ctx, stop, RUN_FAILED, "parse_error", "the feed cannot be read: %s", serr.message);
	} else if (rows == 0) {
		/* Never let an empty feed read as "every product disappeared". */
		stop_with(ctx, stop, RUN_FAILED, "empty_feed", "%s; nothing was changed",
		          file_bytes == 0 ? "the feed is empty (0 bytes)" : "the feed has no product rows");
	}
}

static void local_import(struct import *im, const char *path, uint64_t file_bytes, struct stop *stop)
{
	struct run_ctx *ctx = im->ctx;
	struct source_error serr = {0};
	struct source_opts opts = im->conn->source;
	opts.max_field_bytes = (size_t)ctx->cfg->max_field_bytes;
	struct source *src = source_open(path, &opts, &serr);
	if (!src) {
		stop_with(ctx, stop, RUN_FAILED, "parse_error", "cannot read the feed: %s", serr.message);
		return;
	}
	char err[512];
	im->catalog = catalog_open(ctx, err, sizeof(err));
	if (!im->catalog) {
		stop_with(ctx, stop, RUN_FAILED, "database_error", "%s", err);
		source_close(src);
		return;
	}
	import_rows(im, src, file_bytes, stop);
	source_close(src);
	if (catalog_commit(im->catalog) < 0 && !stopped(stop))
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot save the catalog: %s",
		          store_errmsg(ctx->store));
	run_log(ctx, LOG_INFO, "catalog: %zu products known, %zu not in this feed", catalog_size(im->catalog),
	        catalog_unseen(im->catalog));
}

/* ---- pushing ---- */

/* Products read from the catalog at a time; no read stays open while the destination records results. */
#define PUSH_PAGE_ROWS 512

struct push {
	struct run_ctx *ctx;
	struct dest *dest;
	struct stop *stop;
	char *last_sku;              /* the page after this one starts past it */
	int64_t handed;
};

static int push_one(void *ud, const char *sku, const char *json, int64_t hash)
{
	struct push *p = ud;
	free(p->last_sku);
	p->last_sku = xstrdup(sku);
	char err[1024];
	if (p->dest->ops->push(p->dest, sku, json, hash, err, sizeof(err)) < 0) {
		stop_with(p->ctx, p->stop, RUN_FAILED, "push_failed", "%s", err);
		return 1;
	}
	if (++p->handed % CHECK_EVERY_ROWS == 0) {
		run_tick(p->ctx);
		if (run_should_stop(p->ctx)) {
			stop_with(p->ctx, p->stop, RUN_CANCELLED, NULL, "%s while pushing", run_stop_reason(p->ctx));
			return 1;
		}
	}
	return 0;
}

static void push_pending(struct push *p, bool all)
{
	struct run_ctx *ctx = p->ctx;
	int n;
	do {
		n = store_products_pending_page(ctx->store, ctx->connection_id, all, p->last_sku, PUSH_PAGE_ROWS,
		                                push_one, p);
	} while (n == PUSH_PAGE_ROWS && !stopped(p->stop));
	if (n < 0 && !stopped(p->stop))
		stop_with(ctx, p->stop, RUN_FAILED, "database_error", "cannot read the catalog: %s",
		          store_errmsg(ctx->store));
}

static void push_changes(struct run_ctx *ctx, const struct conn_config *conn, struct stop *stop)
{
	const struct dest_ops *ops = dest_find(conn->dest_type);
	if (!ops) {
		stop_with(ctx, stop, RUN_FAILED, "bad_destination", "unknown destination type '%s'", conn->dest_type);
		return;
	}
	bool all = ops->wants_all(conn);
	int64_t pending = store_products_pending_count(ctx->store, ctx->connection_id, all);
	run_set(ctx, RC_PUSH_QUEUED, pending);
	run_flush(ctx);
	struct dest d = {.ops = ops};
	struct push p = {.ctx = ctx, .dest = &d, .stop = stop};
	char err[1024];
	if (ops->open(&d, conn, ctx, pending, err, sizeof(err)) < 0)
		stop_with(ctx, stop, RUN_FAILED, "push_failed", "%s destination: %s", ops->name, err);
	else
		push_pending(&p, all);
	if (!stopped(stop) && ops->commit(&d, err, sizeof(err)) < 0)
		stop_with(ctx, stop, RUN_FAILED, "push_failed", "%s", err);
	ops->close(&d);
	free(p.last_sku);
	run_flush(ctx);
	if (!stopped(stop))
		run_log(ctx, LOG_INFO, "pushed %lld products to %s %s (%lld failed)",
		        (long long)(ctx->counters[RC_PUSH_PROCESSED] - ctx->counters[RC_PUSH_FAILED]), ops->name,
		        conn->dest_path ? conn->dest_path : conn->dest_name ? conn->dest_name : "destination",
		        (long long)ctx->counters[RC_PUSH_FAILED]);
}

/* ---- reconcile ---- */

static int64_t accepted_rows(const int64_t counters[RC_COUNT])
{
	return counters[RC_CREATED] + counters[RC_UPDATED] + counters[RC_UNCHANGED];
}

/* Products missing from this feed are only marked when the feed can be trusted to be complete. */
static int64_t reconcile(struct run_ctx *ctx, struct catalog *catalog, struct stop *stop)
{
	if (ctx->counters[RC_FAILED] > 0) {
		run_log(ctx, LOG_WARN, "%lld rows failed, so products absent from this feed are not marked missing "
		        "this time", (long long)ctx->counters[RC_FAILED]);
		return 0;
	}
	int64_t now = accepted_rows(ctx->counters);
	if (now == 0) {
		/* Whatever the last import was, a feed that yields no product is never "every product is gone". */
		run_log(ctx, LOG_WARN, "no row of this feed became a product (%lld skipped by the filters), so no "
		        "product is marked missing", (long long)ctx->counters[RC_SKIPPED]);
		return 0;
	}
	struct run_row last;
	if (store_run_last_success(ctx->store, ctx->connection_id, ctx->run_id, &last) == 1) {
		int64_t before = accepted_rows(last.counters);
		int limit = ctx->cfg->max_shrink_percent;
		if (before > 0 && (before - now) * 100 > before * limit) {
			run_log(ctx, LOG_WARN, "the feed shrank from %lld to %lld products (more than %d%%): products "
			        "absent from it are not marked missing (import.max_shrink_percent)",
			        (long long)before, (long long)now, limit);
			return 0;
		}
	}
	int64_t missing = catalog_mark_missing(catalog);
	if (missing < 0) {
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot mark missing products: %s",
		          store_errmsg(ctx->store));
		return 0;
	}
	if (missing)
		run_log(ctx, LOG_INFO, "%lld products are not in this feed and are marked missing", (long long)missing);
	return missing;
}

/* ---- the run ---- */

static void summarize(const struct run_ctx *ctx, int64_t missing, struct strbuf *out)
{
	const int64_t *c = ctx->counters;
	sb_addf(out, "%lld rows: %lld created, %lld updated, %lld unchanged, %lld skipped, %lld failed",
	        (long long)c[RC_ROWS_READ], (long long)c[RC_CREATED], (long long)c[RC_UPDATED],
	        (long long)c[RC_UNCHANGED], (long long)c[RC_SKIPPED], (long long)c[RC_FAILED]);
	if (c[RC_PUSH_QUEUED])
		sb_addf(out, "; %lld pushed", (long long)(c[RC_PUSH_PROCESSED] - c[RC_PUSH_FAILED]));
	if (c[RC_PUSH_FAILED])
		sb_addf(out, ", %lld failed to push", (long long)c[RC_PUSH_FAILED]);
	if (missing)
		sb_addf(out, "; %lld missing from the feed", (long long)missing);
}

const char *pipeline_execute(struct run_ctx *ctx, const struct conn_config *conn)
{
	struct stop stop = {0};
	struct fetch_result fetched = {0};
	struct import im = {.ctx = ctx, .conn = conn};
	int64_t missing = 0;

	run_set_phase(ctx, PHASE_DOWNLOAD);
	download(ctx, conn, &fetched, &stop);
	if (!stopped(&stop)) {
		run_set_phase(ctx, PHASE_LOCAL_IMPORT);
		row_stage_init(&im.rows, conn, (size_t)ctx->cfg->max_value_bytes);
		local_import(&im, fetched.path, fetched.bytes, &stop);
	}
	fetch_cleanup(&fetched);
	if (!stopped(&stop) && conn->dest_type) {
		run_set_phase(ctx, PHASE_PUSHING);
		push_changes(ctx, conn, &stop);
	}
	if (!stopped(&stop)) {
		run_set_phase(ctx, PHASE_RECONCILE);
		missing = reconcile(ctx, im.catalog, &stop);
	}
	catalog_close(im.catalog);
	if (im.rows.columns)
		row_stage_free(&im.rows);

	const char *status = stop.status;
	if (!status)
		status = ctx->counters[RC_FAILED] || ctx->counters[RC_PUSH_FAILED] ? RUN_COMPLETED_WITH_ERRORS
		                                                                  : RUN_COMPLETED;
	struct strbuf summary = {0};
	if (stopped(&stop))
		sb_addf(&summary, "%s (in %s); ", sb_str(&stop.why), run_phase_name(ctx->phase));
	summarize(ctx, missing, &summary);
	run_finish(ctx, status, "%s", sb_str(&summary));
	sb_free(&summary);
	sb_free(&stop.why);
	return status;
}

const char *pipeline_execute_run(struct run_ctx *ctx, const struct run_row *run)
{
	struct conn_row row = {0};
	int found = store_conn_get(ctx->store, run->connection_id, &row);
	if (found != 1) {
		run_finish(ctx, RUN_FAILED, "connection %lld %s", (long long)run->connection_id,
		           found == 0 ? "no longer exists" : "cannot be read");
		conn_row_free(&row);
		return RUN_FAILED;
	}
	struct problems problems = {0};
	struct conn_config *conn = conn_parse(row.document, &problems);
	const char *status;
	if (!conn) {
		char *list = problems_join(&problems, "  ");
		run_finish(ctx, RUN_FAILED, "the connection's document is invalid:\n%s", list);
		free(list);
		status = RUN_FAILED;
	} else {
		status = pipeline_execute(ctx, conn);
	}
	problems_free(&problems);
	conn_free(conn);
	conn_row_free(&row);
	return status;
}
