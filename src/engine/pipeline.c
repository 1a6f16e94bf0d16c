#include "engine/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "dest/shopify_pull.h"
#include "dest/woo_pull.h"
#include "engine/catalog.h"
#include "engine/column_check.h"
#include "engine/deliver.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "engine/rows.h"
#include "engine/feed_fetch.h"
#include "engine/stop.h"
#include "feed/source.h"

/* How often (in rows) the import loop reports progress and looks for a cancel. */
#define CHECK_EVERY_ROWS 256

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
	/* A shop's conn->url names its destination. */
	int rc = str_eq(conn->source_type, "woocommerce") ? woo_pull(ctx, conn, res, &code)
	         : str_eq(conn->source_type, "shopify")   ? shopify_pull(ctx, conn, res, &code)
	                                                  : feed_fetch(ctx->cfg, conn, download_progress, ctx, res, &code);
	if (rc < 0) {
		if (res->cancelled)
			stop_with(ctx, stop, RUN_CANCELLED, NULL, "%s during the download", run_stop_reason(ctx));
		else if (str_eq(code, "missing_secret"))
			stop_with(ctx, stop, RUN_FAILED, code, "%s", res->error);
		else
			stop_with_detail(ctx, stop, RUN_FAILED, code, *res->detail ? res->detail : NULL, "download failed: %s",
			                 res->error);
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
	bool currency_warned;
};

/* A price in another currency than source.currency: said once a run, the prices are imported as they are. */
static void check_currency(struct import *im, const struct product *p)
{
	const char *expected = im->conn->currency;
	if (im->currency_warned || !expected || !p->currency[0] || strcmp(p->currency, expected) == 0)
		return;
	im->currency_warned = true;
	char place[RECORD_PLACE_SIZE];
	run_log(im->ctx, LOG_WARN, "%s (SKU %s): prices in %s, but source.currency is %s; the numbers are "
	        "imported as they are (further rows are not reported)", record_place(p->line, p->item, place),
	        product_get(p, PF_SKU), p->currency, expected);
}

/* Once per run, when the feed's column names are known: a missing required column stops the run. */
static void check_columns(struct import *im, const char *const *names, size_t n, bool header, struct stop *stop)
{
	struct column_report report;
	column_check(im->conn, names, n, header, &report);
	for (size_t i = 0; i < report.warnings.n; i++)
		run_log(im->ctx, LOG_WARN, "%s", report.warnings.items[i]);
	if (report.missing_required)
		stop_with(im->ctx, stop, RUN_FAILED, "missing_columns", "%s", report.missing_required);
	column_report_free(&report);
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
		const char *sku = row_stage_sku(&im->rows);
		struct run_error_info info = {.line = rec->line, .sku = sku, .column = rerr.column, .code = rerr.code};
		run_error(ctx, &info, "%s", rerr.message);
		return;
	}
	check_currency(im, &im->rows.product);
	long first_line = 0, first_item = 0;
	const char *sku = product_get(&im->rows.product, PF_SKU);
	switch (catalog_put(im->catalog, &im->rows.product, &first_line, &first_item)) {
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
		struct row_error dup;
		char where[RECORD_PLACE_SIZE], first[RECORD_PLACE_SIZE];
		row_duplicate_error(&dup, sku, record_place(rec->line, rec->item, where),
		                    record_place(first_line, first_item, first));
		struct run_error_info info = {.line = rec->line, .sku = sku, .column = dup.column, .code = dup.code};
		run_error(ctx, &info, "%s", dup.message);
		break;
	}
	case CATALOG_ERROR:
		stop_at_line(ctx, stop, rec->line, RUN_FAILED, "database_error", "cannot save product '%s' (line %ld): %s",
		             sku, rec->line, store_errmsg(ctx->store));
		break;
	}
}

/* The source's warnings not logged yet: those of the open, then those a row brings (a repeated JSON key). */
static void log_source_warnings(struct run_ctx *ctx, const struct source *src, size_t *logged)
{
	for (; *logged < src->warnings.n; (*logged)++)
		run_log(ctx, LOG_WARN, "%s", src->warnings.items[*logged]);
}

static void import_rows(struct import *im, struct source *src, uint64_t file_bytes, struct stop *stop)
{
	struct run_ctx *ctx = im->ctx;
	size_t ncols = 0, warnings_logged = 0;
	const char *const *cols = source_columns(src, &ncols);
	log_source_warnings(ctx, src, &warnings_logged);
	if (cols && ncols)
		check_columns(im, cols, ncols, true, stop);

	struct record rec;
	struct source_error serr = {0};
	int64_t rows = 0;
	int rc = 0;
	while (!stopped(stop) && (rc = source_next(src, &rec, &serr)) == 1) {
		log_source_warnings(ctx, src, &warnings_logged);
		if (!im->columns_checked && !rec.problem) { /* a malformed first row has no columns to judge by */
			check_columns(im, rec.names, rec.n, false, stop);
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
			stop_at_line(ctx, stop, serr.line, RUN_FAILED, "parse_error", "the feed cannot be read past line %ld: %s",
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
		stop_at_line(ctx, stop, serr.line, RUN_FAILED, "parse_error", "cannot read the feed: %s", serr.message);
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
	if (catalog_end_import(im->catalog) < 0 && !stopped(stop))
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot index the catalog by state: %s",
		          store_errmsg(ctx->store));
	run_log(ctx, LOG_INFO, "catalog: %zu products known, %zu not in this feed", catalog_size(im->catalog),
	        catalog_unseen(im->catalog));
}

/* ---- the run ---- */

struct outcome {
	int64_t missing;
	bool planned;
	struct plan_counts plan;
};

static void summarize(const struct run_ctx *ctx, const struct outcome *o, struct strbuf *out)
{
	const int64_t *c = ctx->counters;
	if (o->planned)
		sb_addf(out, "plan: %lld to create, %lld to update, %lld to retire; ", (long long)o->plan.creates,
		        (long long)o->plan.updates, (long long)o->plan.retires);
	sb_addf(out, "%lld rows: %lld created, %lld updated, %lld unchanged, %lld skipped, %lld failed",
	        (long long)c[RC_ROWS_READ], (long long)c[RC_CREATED], (long long)c[RC_UPDATED],
	        (long long)c[RC_UNCHANGED], (long long)c[RC_SKIPPED], (long long)c[RC_FAILED]);
	deliver_summary_pushed(c, out);
	if (o->missing)
		sb_addf(out, "; %lld missing from the feed", (long long)o->missing);
	deliver_summary_retired(c, out);
}

/* A run stopped before its push: what the catalog kept of it, and that the destination got none of it. */
static void summarize_unpushed(const struct run_ctx *ctx, const struct conn_config *conn, bool plan_only,
                               struct strbuf *out)
{
	if (ctx->phase >= PHASE_PUSHING)
		return;
	const int64_t *c = ctx->counters;
	long long kept = (long long)(c[RC_CREATED] + c[RC_UPDATED] + c[RC_UNCHANGED]);
	if (kept)
		sb_addf(out, "; the %lld product%s read before it %s kept in the catalog", kept, kept == 1 ? "" : "s",
		        kept == 1 ? "is" : "are");
	if (conn->dest_type && !plan_only) {
		char *where = deliver_destination_name(conn);
		sb_addf(out, "; the %s to %s did not run", str_eq(conn->dest_type, "file") ? "export" : "push", where);
		free(where);
	}
}

/* Marks what is missing, then retires what is gone long enough, or, for a plan, stores the plan instead. */
static void reconcile(struct run_ctx *ctx, const struct conn_config *conn, struct catalog *catalog, bool plan_only,
                      struct outcome *o, struct stop *stop)
{
	bool trusted = false;
	o->missing = reconcile_mark(ctx, catalog, &trusted, stop);
	if (stopped(stop))
		return;
	if (plan_only) {
		plan_make(ctx, conn, trusted, &o->plan, stop);
		o->planned = !stopped(stop);
	} else if (trusted) {
		reconcile_retire(ctx, conn, stop);
	}
}

const char *pipeline_execute(struct run_ctx *ctx, const struct conn_config *conn, bool plan_only)
{
	struct stop stop = {0};
	struct fetch_result fetched = {0};
	struct import im = {.ctx = ctx, .conn = conn};
	struct outcome o = {0};

	run_set_phase(ctx, PHASE_DOWNLOAD);
	download(ctx, conn, &fetched, &stop);
	if (!stopped(&stop)) {
		run_set_phase(ctx, PHASE_LOCAL_IMPORT);
		row_stage_init(&im.rows, conn, (size_t)ctx->cfg->max_value_bytes);
		stop.detail = *fetched.detail ? fetched.detail : NULL;
		local_import(&im, fetched.path, fetched.bytes, &stop);
		stop.detail = NULL;
	}
	fetch_cleanup(&fetched);
	if (!stopped(&stop) && reconcile_returning(ctx, im.catalog) < 0)
		stop_with(ctx, &stop, RUN_FAILED, "database_error", "cannot restore returning products: %s",
		          store_errmsg(ctx->store));
	if (!stopped(&stop) && conn->dest_type && !plan_only) {
		run_set_phase(ctx, PHASE_PUSHING);
		deliver(ctx, conn, &(struct delivery){.products = DELIVER_PENDING}, &stop);
	}
	if (!stopped(&stop)) {
		run_set_phase(ctx, PHASE_RECONCILE);
		reconcile(ctx, conn, im.catalog, plan_only, &o, &stop);
	}
	catalog_close(im.catalog);
	if (im.rows.columns)
		row_stage_free(&im.rows);

	const int64_t *c = ctx->counters;
	const char *status = stop.status;
	if (!status)
		status = c[RC_FAILED] || c[RC_PUSH_FAILED] || c[RC_RETIRE_FAILED] || ctx->shop_faults ? RUN_COMPLETED_WITH_ERRORS : RUN_COMPLETED;
	struct strbuf summary = {0};
	if (stopped(&stop))
		sb_addf(&summary, "%s (in %s); ", sb_str(&stop.why), run_phase_name(ctx->phase));
	summarize(ctx, &o, &summary);
	if (stopped(&stop))
		summarize_unpushed(ctx, conn, plan_only, &summary);
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
	} else if (run->plan_run) {
		status = plan_apply_execute(ctx, conn, run->plan_run);
	} else if (str_eq(run->trigger, "reconcile")) {
		status = reconcile_execute(ctx, conn);
	} else {
		status = pipeline_execute(ctx, conn, run->plan_only);
	}
	problems_free(&problems);
	conn_free(conn);
	conn_row_free(&row);
	return status;
}
