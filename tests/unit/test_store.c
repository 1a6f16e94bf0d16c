/* The store: schema and file mode, connection rows, the run lifecycle rules the database enforces, run history. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sqldb.h"
#include "core/store.h"
#include "core/store_dest.h"
#include "core/store_products.h"
#include "core/store_views.h"
#include "core/store_stats.h"
#include "core/util.h"

static char dir[] = "/tmp/fs-store-XXXXXX";
static char path[512];
static struct store *s;

static void open_fresh(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	char err[256];
	s = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
}

static void close_and_remove(void)
{
	store_close(s);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	strcpy(dir, "/tmp/fs-store-XXXXXX");
}

static int64_t add_conn(const char *name)
{
	struct conn_fields f = {.name = name, .active = true, .source_type = "csv", .source_url = "/x.csv",
	                        .schedule = "manual", .document = "{}"};
	int64_t id = 0;
	char err[256];
	cr_assert_eq(store_conn_insert(s, &f, &id, err, sizeof(err)), 0, "%s", err);
	return id;
}

TestSuite(store, .init = open_fresh, .fini = close_and_remove);

Test(store, database_file_is_private)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(store, duplicate_connection_name_is_refused_with_a_message)
{
	add_conn("Acme");
	struct conn_fields f = {.name = "Acme", .active = true, .source_type = "csv", .source_url = "/y.csv",
	                        .schedule = "manual", .document = "{}"};
	int64_t id;
	char err[256] = "";
	cr_assert_eq(store_conn_insert(s, &f, &id, err, sizeof(err)), 1);
	cr_assert(strstr(err, "Acme"), "%s", err);
}

Test(store, one_active_run_per_connection)
{
	int64_t conn = add_conn("A");
	int64_t first, second;
	struct run_row active;
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &first, &active), 0);
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &second, &active), 1);
	cr_assert_eq(active.id, first);
	cr_assert_eq(store_run_enqueue(s, 999, "manual", 0, 1, false, &second, &active), 2);
}

Test(store, claim_takes_the_oldest_queued_run_once)
{
	int64_t a = add_conn("A"), b = add_conn("B");
	int64_t ra, rb;
	struct run_row active, claimed;
	store_run_enqueue(s, a, "manual", 0, 1, false, &ra, &active);
	store_run_enqueue(s, b, "manual", 0, 1, false, &rb, &active);
	cr_assert_eq(store_run_claim(s, "w1", 0, &claimed), 1);
	cr_assert_eq(claimed.id, ra);
	cr_assert_str_eq(claimed.status, RUN_RUNNING);
	cr_assert_str_eq(claimed.worker_id, "w1");
	cr_assert_eq(store_run_claim(s, "w2", ra, &claimed), 0, "a running run cannot be claimed again");
	cr_assert_eq(store_run_claim(s, "w2", 0, &claimed), 1);
	cr_assert_eq(claimed.id, rb);
	cr_assert_eq(store_run_claim(s, "w3", 0, &claimed), 0);
}

Test(store, finishing_frees_the_connection_for_a_new_run)
{
	int64_t conn = add_conn("A");
	int64_t run, again;
	struct run_row active, claimed;
	store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &active);
	store_run_claim(s, "w", run, &claimed);
	cr_assert_eq(store_run_finish(s, run, RUN_COMPLETED, "ok", now_ms()), 0);
	cr_assert_eq(store_run_enqueue(s, conn, "retry", run, 2, false, &again, &active), 0);
	struct run_row r;
	cr_assert_eq(store_run_get(s, again, &r), 1);
	cr_assert_eq(r.retry_of, run);
	cr_assert_eq(r.attempt, 2);
}

Test(store, cancel_of_a_queued_run_is_immediate_and_of_a_running_one_is_a_request)
{
	int64_t a = add_conn("A"), b = add_conn("B");
	int64_t ra, rb;
	struct run_row active, claimed, r;
	char outcome[32];
	store_run_enqueue(s, a, "manual", 0, 1, false, &ra, &active);
	cr_assert_eq(store_run_request_cancel(s, ra, outcome, sizeof(outcome)), 0);
	cr_assert_str_eq(outcome, "cancelled");
	store_run_get(s, ra, &r);
	cr_assert_str_eq(r.status, RUN_CANCELLED);

	store_run_enqueue(s, b, "manual", 0, 1, false, &rb, &active);
	store_run_claim(s, "w", rb, &claimed);
	cr_assert_eq(store_run_request_cancel(s, rb, outcome, sizeof(outcome)), 0);
	cr_assert_str_eq(outcome, "requested");
	bool requested = false;
	store_run_cancel_requested(s, rb, &requested);
	cr_assert(requested);
	cr_assert_eq(store_run_request_cancel(s, 12345, outcome, sizeof(outcome)), 1);
	cr_assert_eq(store_run_request_cancel(s, ra, outcome, sizeof(outcome)), 2, "already finished");
	cr_assert_str_eq(outcome, RUN_CANCELLED);
}

static size_t late_cancel_lines(int64_t run)
{
	struct run_event_row *ev = NULL;
	size_t n = 0, late = 0;
	cr_assert_eq(store_run_events(s, run, 0, 0, &ev, &n), 0);
	for (size_t i = 0; i < n; i++)
		late += strstr(ev[i].message, "cancel requested after the run completed") != NULL;
	run_event_rows_free(ev, n);
	return late;
}

/* A cancel the run finished without seeing, and one asked of a finished run, are noted in its log; a cancel that
 * took effect is not. */
Test(store, a_cancel_that_comes_too_late_is_logged)
{
	int64_t a = add_conn("A"), b = add_conn("B");
	int64_t ra, rb;
	struct run_row active, claimed;
	char outcome[32];
	store_run_enqueue(s, a, "manual", 0, 1, false, &ra, &active);
	store_run_claim(s, "w", ra, &claimed);
	cr_assert_eq(store_run_request_cancel(s, ra, outcome, sizeof(outcome)), 0);
	cr_assert_eq(store_run_finish(s, ra, RUN_COMPLETED, "done", now_ms()), 0);
	cr_expect_eq(late_cancel_lines(ra), 1, "the request the run did not see");
	cr_assert_eq(store_run_request_cancel(s, ra, outcome, sizeof(outcome)), 2);
	cr_expect_eq(late_cancel_lines(ra), 2, "a request after the end");

	store_run_enqueue(s, b, "manual", 0, 1, false, &rb, &active);
	store_run_claim(s, "w", rb, &claimed);
	cr_assert_eq(store_run_request_cancel(s, rb, outcome, sizeof(outcome)), 0);
	cr_assert_eq(store_run_finish(s, rb, RUN_CANCELLED, "cancelled by request", now_ms()), 0);
	cr_assert_eq(store_run_request_cancel(s, rb, outcome, sizeof(outcome)), 2);
	cr_expect_eq(late_cancel_lines(rb), 0, "a cancelled run");
}

Test(store, a_run_failed_as_lost_is_not_overwritten_by_its_old_worker)
{
	int64_t conn = add_conn("A");
	int64_t run;
	struct run_row active, claimed, r;
	store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &active);
	store_run_claim(s, "w", run, &claimed);
	int64_t counters[RC_COUNT] = {0};
	cr_assert_eq(store_run_flush(s, run, "local_import", counters, 0, 1000), 0);
	cr_assert_eq(store_run_recover_stale(s, 2000, now_ms()), 1);
	counters[RC_ROWS_READ] = 5;
	cr_assert_eq(store_run_flush(s, run, "local_import", counters, 0, now_ms()), 1);
	cr_assert_eq(store_run_finish(s, run, RUN_COMPLETED, "done", now_ms()), 1);
	store_run_get(s, run, &r);
	cr_assert_str_eq(r.status, RUN_FAILED);
	cr_assert_eq(r.counters[RC_ROWS_READ], 0);
}

Test(store, stale_running_runs_are_recovered_as_worker_lost)
{
	int64_t conn = add_conn("A");
	int64_t run;
	struct run_row active, claimed, r;
	store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &active);
	store_run_claim(s, "w", run, &claimed);
	int64_t counters[RC_COUNT] = {0};
	store_run_flush(s, run, "local_import", counters, 0, 1000);
	cr_assert_eq(store_run_recover_stale(s, 500, now_ms()), 0, "a fresh heartbeat is not stale");
	cr_assert_eq(store_run_recover_stale(s, 2000, now_ms()), 1);
	store_run_get(s, run, &r);
	cr_assert_str_eq(r.status, RUN_FAILED);
	cr_assert(strstr(r.summary, "worker lost"), "%s", r.summary);
}

Test(store, deleting_a_connection_with_an_active_run_is_refused)
{
	int64_t conn = add_conn("A");
	int64_t run;
	struct run_row active;
	store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &active);
	cr_assert_eq(store_conn_delete(s, conn), 2);
	char outcome[32];
	store_run_request_cancel(s, run, outcome, sizeof(outcome));
	cr_assert_eq(store_conn_delete(s, conn), 0);
	cr_assert_eq(store_conn_delete(s, conn), 1);
}

Test(store, data_version_moves_when_another_connection_commits)
{
	char err[256];
	struct store *other = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(other, "%s", err);
	int64_t before = store_data_version(s);
	add_conn("A");
	cr_assert_eq(store_data_version(s), before, "own commits do not count");
	int64_t seen = store_data_version(other);
	struct conn_fields f = {.name = "B", .active = true, .source_type = "csv", .source_url = "/b",
	                        .schedule = "manual", .document = "{}"};
	int64_t id;
	store_conn_insert(other, &f, &id, err, sizeof(err));
	cr_assert_neq(store_data_version(s), before);
	cr_assert_eq(store_data_version(other), seen);
	store_close(other);
}

/* ---- product states (core/store_products.h) ---- */

static void add_product(int64_t conn, const char *sku, int64_t hash, int64_t run)
{
	struct product_write w = {.conn_id = conn, .sku = sku, .name = sku, .price = "1.00", .quantity = "2",
	                          .data = "{}", .hash = hash, .line = 2, .run_id = run, .now = 1000};
	cr_assert_eq(store_product_insert(s, &w), 0, "%s", store_errmsg(s));
}

struct states {
	char text[256];
	size_t n;
};

static void add_state(void *ud, const struct product_row *r)
{
	struct states *st = ud;
	size_t len = strlen(st->text);
	snprintf(st->text + len, sizeof(st->text) - len, "%s%s=%s", st->n++ ? " " : "", r->sku, r->state);
}

static const char *states_of(int64_t conn, const char *state, struct states *out)
{
	memset(out, 0, sizeof(*out));
	struct product_query q = {.connection_id = conn, .state = state};
	cr_assert_eq(store_products_each(s, &q, add_state, out), 0, "%s", store_errmsg(s));
	return out->text;
}

Test(store, product_states_follow_the_catalog_and_the_push_record)
{
	int64_t conn = add_conn("A");
	int64_t run;
	struct run_row r;
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &r), 0);
	cr_assert_eq(store_run_claim(s, "t", run, &r), 1);
	const char *skus[] = {"CHANGED", "FAILED", "GONE", "NEW", "SYNCED"};
	for (int i = 0; i < 5; i++)
		add_product(conn, skus[i], 10 + i, run);
	cr_assert_eq(store_product_set_pushed(s, conn, "SYNCED", 14), 0);
	cr_assert_eq(store_product_set_pushed(s, conn, "CHANGED", 9), 0);   /* an older version was accepted */
	cr_assert_eq(store_product_mark_missing(s, conn, "GONE", 5000), 0);
	cr_assert_eq(store_run_error_insert(s, run, 2000, "pushing", 0, "FAILED", NULL, "refused", "no image", NULL), 0);
	cr_assert_eq(store_run_error_insert(s, run, 2000, "local_import", 3, "NEW", "price", "bad", "no price", NULL), 0);
	struct states st;
	cr_assert_str_eq(states_of(conn, NULL, &st), "CHANGED=changed FAILED=failed GONE=missing NEW=new SYNCED=in_sync");
	cr_assert_str_eq(states_of(conn, "failed", &st), "FAILED=failed");
	struct product_query q = {.connection_id = conn, .state = "in_sync"};
	cr_assert_eq(store_products_count(s, &q), 1);

	struct product_detail d;
	cr_assert_eq(store_product_get(s, conn, "FAILED", &d), 1);
	cr_assert_eq(d.row.failed_run, run);
	cr_assert_str_eq(d.row.last_error, "no image");
	product_detail_free(&d);
	cr_assert_eq(store_product_get(s, conn, "SYNCED", &d), 1);
	cr_assert_eq(d.pushed_run, run, "the running run pushed it");
	cr_assert_null(d.row.last_error);
	product_detail_free(&d);
	cr_assert_eq(store_product_get(s, conn, "NOPE", &d), 0);

	/* An accepted push clears the failure; an import error is not a push failure. */
	cr_assert_eq(store_product_set_pushed(s, conn, "FAILED", 11), 0);
	cr_assert_str_eq(states_of(conn, NULL, &st), "CHANGED=changed FAILED=in_sync GONE=missing NEW=new SYNCED=in_sync");
	struct product_error *errors;
	size_t n;
	cr_assert_eq(store_product_errors(s, conn, "NEW", 10, &errors, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(errors[0].code, "bad");
	cr_assert_str_eq(errors[0].phase, "local_import");
	product_errors_free(errors, n);
}

Test(store, a_connection_is_found_by_name)
{
	int64_t conn = add_conn("Acme feed"), id;
	cr_assert_eq(store_conn_find(s, "Acme feed", &id), 1);
	cr_assert_eq(id, conn);
	cr_assert_eq(store_conn_find(s, "acme", &id), 0);
}

/* Counts are kept while nothing changed, and read again after this handle's or another's writes. */
static int64_t product_total(struct store_views *v, int64_t conn)
{
	struct view_query q = {.connection_id = conn, .sort = PRODUCT_F_SKU};
	int64_t matched = -1, total = -1;
	cr_assert_eq(store_views_count(v, STORE_VIEW_PRODUCTS, &q, &matched, &total), 0);
	cr_assert_eq(matched, total);
	return total;
}

Test(store, view_counts_follow_every_write)
{
	int64_t conn = add_conn("A");
	struct store_views *v = store_views_open(s);
	add_product(conn, "A1", 1, 0);
	cr_assert_eq(product_total(v, conn), 1);
	cr_assert_eq(product_total(v, conn), 1);
	add_product(conn, "A2", 2, 0);
	cr_assert_eq(product_total(v, conn), 2, "own write");
	char err[256];
	struct store *other = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(other, "%s", err);
	struct product_write w = {.conn_id = conn, .sku = "A3", .data = "{}", .hash = 3, .now = 1};
	cr_assert_eq(store_product_insert(other, &w), 0);
	store_close(other);
	cr_assert_eq(product_total(v, conn), 3, "another connection's write");
	struct view_query q = {.connection_id = conn, .filter = "A2", .filter_fields = 1u << PRODUCT_F_SKU};
	int64_t matched, total;
	cr_assert_eq(store_views_count(v, STORE_VIEW_PRODUCTS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 1, "a SKU prefix");
	q.filter = "A";
	cr_assert_eq(store_views_count(v, STORE_VIEW_PRODUCTS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 3, "another filter is counted anew");
	store_views_close(v);
}

/* The count the console shows is kept by the inserts: counted as they commit, dropped with a rollback. */
Test(store, product_totals_are_kept_by_the_inserts_that_commit)
{
	int64_t a = add_conn("A"), b = add_conn("B");
	add_product(a, "A1", 1, 0);   /* outside a transaction */
	cr_assert_eq(store_begin(s), 0);
	add_product(b, "B1", 1, 0);
	add_product(a, "A2", 2, 0);   /* another connection's in the same transaction */
	add_product(b, "B2", 2, 0);
	cr_assert_eq(store_commit(s), 0);
	struct store_views *v = store_views_open(s);
	cr_assert_eq(product_total(v, a), 2);
	cr_assert_eq(product_total(v, b), 2);
	cr_assert_eq(store_begin(s), 0);
	add_product(a, "A3", 3, 0);
	store_rollback(s);
	struct product_write dup = {.conn_id = a, .sku = "A1", .data = "{}", .hash = 9};
	cr_assert_lt(store_product_insert(s, &dup), 0, "a SKU already there");
	cr_assert_eq(product_total(v, a), 2, "a rolled back and a refused insert count nothing");
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(store_db(s), "SELECT count(*) FROM products WHERE connection_id = ?1", &st), SQLDB_OK);
	sqldb_bind_int64(st, 1, a);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_eq(sqldb_column_int64(st, 0), 2, "the products themselves");
	sqldb_finalize(st);
	store_views_close(v);
}

/* The SKUs of a products window, space-separated, and how many the view counts. */
static const char *product_window(struct store_views *v, const struct view_query *q, char *buf, size_t size,
                                  int64_t *matched)
{
	int64_t total;
	cr_assert_eq(store_views_count(v, STORE_VIEW_PRODUCTS, q, matched, &total), 0, "%s", store_errmsg(s));
	struct product_row *rows;
	size_t n;
	cr_assert_eq(store_views_products(v, q, 0, 50, *matched, &rows, &n), 0, "%s", store_errmsg(s));
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", rows[i].sku);
	product_rows_free(rows, n);
	return buf;
}

/* The problems filter walks the state index when failures are few, the SKU order when many: same rows. */
Test(store, products_problems_are_the_same_rows_whichever_index_serves_them)
{
	int64_t conn = add_conn("A"), run;
	struct run_row r;
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &r), 0);
	cr_assert_eq(store_run_claim(s, "t", run, &r), 1);
	cr_assert_eq(store_begin(s), 0);
	for (int i = 0; i < 200; i++) {
		char sku[16];
		snprintf(sku, sizeof(sku), "P%03d", i);
		add_product(conn, sku, i + 1, run);
	}
	cr_assert_eq(store_commit(s), 0);
	const char *few[] = {"P150", "P123"};   /* 1 in 100 */
	for (size_t i = 0; i < ARRAY_LEN(few); i++)
		cr_assert_eq(store_run_error_insert(s, run, 2000, "pushing", 0, few[i], NULL, "refused", "no", NULL), 0);
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = conn, .sort = PRODUCT_F_SKU, .quick = QUICK_PROBLEMS};
	char buf[512];
	int64_t matched;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "P123 P150");
	q.descending = true;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "P150 P123");
	for (int i = 0; i < 200; i += 20) {   /* 1 in 20 (with the two before) */
		char sku[16];
		snprintf(sku, sizeof(sku), "P%03d", i);
		cr_assert_eq(store_run_error_insert(s, run, 2000, "pushing", 0, sku, NULL, "refused", "no", NULL), 0);
	}
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched),
	                 "P180 P160 P150 P140 P123 P120 P100 P080 P060 P040 P020 P000");
	cr_assert_eq(matched, 12);
	store_views_close(v);
}

/* A prefix every SKU of the connection has filters nothing (and is not counted); others' SKUs do not count. */
Test(store, products_prefix_of_every_sku_matches_all)
{
	int64_t a = add_conn("A"), b = add_conn("B");
	add_product(a, "SKU-1", 1, 0);
	add_product(a, "SKU-2", 2, 0);
	add_product(a, "SKU-3", 3, 0);
	add_product(b, "OTHER", 4, 0);
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = a, .sort = PRODUCT_F_SKU, .filter_fields = 1u << PRODUCT_F_SKU};
	char buf[512];
	int64_t matched;
	const char *prefixes[] = {"S", "SKU-"}, *none[] = {"O", "SKU-4", "T"};
	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
		q.filter = prefixes[i];
		cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "SKU-1 SKU-2 SKU-3", "%s", q.filter);
		cr_assert_eq(matched, 3);
	}
	for (size_t i = 0; i < ARRAY_LEN(none); i++) {
		q.filter = none[i];
		cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "", "%s", q.filter);
		cr_assert_eq(matched, 0, "%s", q.filter);
	}
	q.filter = "SKU-2";
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "SKU-2");
	q.connection_id = add_conn("empty");
	q.filter = "S";
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "");
	cr_assert_eq(matched, 0, "no products");
	store_views_close(v);
}

/* ---- run history in aggregate (store_stats.h) ---- */

/* A finished run of conn that started at `started` and took `ms` (ms < 0: still running, no end). */
static void add_run(int64_t conn, const char *status, int64_t started, int64_t ms, int created)
{
	char sql[512];
	if (ms < 0)
		snprintf(sql, sizeof(sql), "INSERT INTO sync_runs(connection_id, trigger, status, created_at, started_at,"
		         " heartbeat_at) VALUES(%lld, 'manual', '%s', %lld, %lld, %lld)", (long long)conn, status,
		         (long long)started, (long long)started, (long long)(started + 500));
	else
		snprintf(sql, sizeof(sql), "INSERT INTO sync_runs(connection_id, trigger, status, created_at, started_at,"
		         " finished_at, created) VALUES(%lld, 'manual', '%s', %lld, %lld, %lld, %d)", (long long)conn,
		         status, (long long)started, (long long)started, (long long)(started + ms), created);
	cr_assert_eq(sqldb_exec(store_db(s), sql), SQLDB_OK, "%s", sqldb_errmsg(store_db(s)));
}

Test(store, recent_runs_are_the_last_ones_oldest_first_for_each_connection)
{
	int64_t a = add_conn("A"), b = add_conn("B"), never = add_conn("C");
	for (int i = 1; i <= 15; i++)
		add_run(a, i == 14 ? RUN_FAILED : RUN_COMPLETED, 1000 * i, 100 * i, 0);
	add_run(b, RUN_RUNNING, 5000, -1, 0);
	int64_t ids[] = {never, a, b};
	struct recent_runs out[3];
	cr_assert_eq(store_recent_runs(s, ids, 3, RECENT_RUNS_MAX, out), 0);
	cr_assert_eq(out[0].n, 0);
	cr_assert_eq(out[1].n, RECENT_RUNS_MAX);
	cr_assert_eq(out[1].runs[0].duration_ms, 400, "runs 4..15: the oldest shown took 400 ms");
	cr_assert_str_eq(out[1].runs[10].status, RUN_FAILED);
	cr_assert_eq(out[1].runs[11].duration_ms, 1500);
	cr_assert_eq(out[1].max_duration_ms, 1500);
	cr_assert_eq(out[2].n, 1);
	cr_assert_eq(out[2].runs[0].duration_ms, 500, "a running run: until its heartbeat");
}

Test(store, median_and_p95_are_nearest_ranks_over_the_window)
{
	int64_t a = add_conn("Alpha"), b = add_conn("Beta");
	for (int i = 1; i <= 20; i++)   /* 20 runs of 1..20 s, one failed */
		add_run(a, i == 7 ? RUN_FAILED : RUN_COMPLETED, 100000 + i, 1000 * i, 2);
	add_run(a, RUN_COMPLETED, 10, 999999, 5);   /* before the window */
	add_run(b, RUN_COMPLETED, 100000, 3000, 1);
	add_run(b, RUN_RUNNING, 100001, -1, 0);
	struct stats st;
	cr_assert_eq(store_stats(s, 100000, &st), 0);
	cr_assert_eq(st.nconns, 2);
	cr_assert_eq(st.ndests, 0, "no connection pushes to a shop");
	const struct stats_row *r = &st.conns[0];
	cr_assert_str_eq(r->name, "Alpha");
	cr_assert_eq(r->runs, 20);
	cr_assert_eq(r->failed, 1);
	cr_assert_eq(r->median_ms, 10000, "rank ceil(20 * 0.5) = 10");
	cr_assert_eq(r->p95_ms, 19000, "rank ceil(20 * 0.95) = 19");
	cr_assert_eq(r->created, 40);
	r = &st.conns[1];
	cr_assert_eq(r->runs, 2);
	cr_assert_eq(r->finished, 1);
	cr_assert_eq(r->median_ms, 3000);
	cr_assert_eq(r->p95_ms, 3000);
	stats_free(&st);
}

Test(store, a_shop_sums_its_connections_and_ranks_their_durations_together)
{
	char err[256];
	cr_assert_eq(sqldb_exec(store_db(s), "INSERT INTO destinations(name, type, base_url, created_at, updated_at)"
	                          " VALUES('Shop', 'woocommerce', 'http://127.0.0.1:9', 0, 0)"),
	             SQLDB_OK, "%s", sqldb_errmsg(store_db(s)));
	struct conn_fields f = {.name = "One", .active = true, .source_type = "csv", .source_url = "/x.csv",
	                        .schedule = "manual", .dest_type = "woocommerce",
	                        .document = "{\"destination\": {\"type\": \"woocommerce\", \"name\": \"Shop\"}}"};
	int64_t one, two;
	cr_assert_eq(store_conn_insert(s, &f, &one, err, sizeof(err)), 0, "%s", err);
	f.name = "Two";
	cr_assert_eq(store_conn_insert(s, &f, &two, err, sizeof(err)), 0, "%s", err);
	add_conn("No shop");
	add_run(one, RUN_COMPLETED, 10, 1000, 1);
	add_run(one, RUN_COMPLETED, 11, 4000, 1);
	add_run(two, RUN_FAILED, 12, 2000, 0);
	add_run(3, RUN_COMPLETED, 13, 9000, 7);
	struct stats st;
	cr_assert_eq(store_stats(s, 0, &st), 0);
	cr_assert_eq(st.nconns, 3);
	cr_assert_eq(st.ndests, 1);
	cr_assert_str_eq(st.dests[0].name, "Shop");
	cr_assert_eq(st.dests[0].runs, 3);
	cr_assert_eq(st.dests[0].failed, 1);
	cr_assert_eq(st.dests[0].created, 2);
	cr_assert_eq(st.dests[0].median_ms, 2000, "1, 2, 4 s across both connections");
	cr_assert_eq(st.dests[0].p95_ms, 4000);
	stats_free(&st);
}

static void assert_same_rows(const struct stats_row *a, const struct stats_row *b, size_t n, int64_t span)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(a[i].name, b[i].name, "span %lld row %zu", (long long)span, i);
		cr_assert_eq(a[i].id, b[i].id);
		cr_assert_eq(a[i].runs, b[i].runs, "%s span %lld", a[i].name, (long long)span);
		cr_assert_eq(a[i].failed, b[i].failed);
		cr_assert_eq(a[i].finished, b[i].finished);
		cr_assert_eq(a[i].median_ms, b[i].median_ms, "%s span %lld", a[i].name, (long long)span);
		cr_assert_eq(a[i].p95_ms, b[i].p95_ms, "%s span %lld", a[i].name, (long long)span);
		cr_assert_eq(a[i].created, b[i].created);
		cr_assert_eq(a[i].updated, b[i].updated);
		cr_assert_eq(a[i].retired, b[i].retired);
	}
}

Test(store, stats_read_in_slices_equal_the_one_pass_figures)
{
	char err[256];
	cr_assert_eq(sqldb_exec(store_db(s), "INSERT INTO destinations(name, type, base_url, created_at, updated_at)"
	                          " VALUES('Shop A', 'woocommerce', 'http://127.0.0.1:9', 0, 0),"
	                          " ('Shop B', 'woocommerce', 'http://127.0.0.1:9', 0, 0)"),
	             SQLDB_OK, "%s", sqldb_errmsg(store_db(s)));
	struct conn_fields f = {.active = true, .source_type = "csv", .source_url = "/x.csv", .schedule = "manual",
	                        .dest_type = "woocommerce"};
	char name[32];
	for (int c = 0; c < 9; c++) {   /* shops A, B and none in turn, so a shop's connections span slices */
		snprintf(name, sizeof(name), "Conn %d", (c * 5) % 9);
		f.name = name;
		f.document = c % 3 == 0 ? "{\"destination\": {\"name\": \"Shop A\"}}"
		             : c % 3 == 1 ? "{\"destination\": {\"name\": \"Shop B\"}}" : "{}";
		int64_t id;
		cr_assert_eq(store_conn_insert(s, &f, &id, err, sizeof(err)), 0, "%s", err);
		for (int r = 0; r < 3 + c * 4; r++)
			add_run(id, r % 4 == 1 ? RUN_FAILED : RUN_COMPLETED, 1000 + r, (r * 7919 + c * 104729) % 60000,
			        r % 3);
		if (c % 2)
			add_run(id, RUN_RUNNING, 2000, -1, 0);
	}
	struct stats one;
	cr_assert_eq(store_stats(s, 1001, &one), 0);
	cr_assert_eq(one.nconns, 9);
	cr_assert_eq(one.ndests, 2);
	for (int64_t span = 1; span <= 10; span++) {
		struct stats_job job;
		cr_assert_eq(stats_job_start(s, 1001, span, &job), 0);
		int rc, steps = 0;
		while ((rc = stats_job_step(s, &job, 0)) == 0)   /* a budget of 0: one slice a step */
			steps++;
		cr_assert_eq(rc, 1);
		cr_assert_eq(steps, (9 + span - 1) / span - 1, "span %lld: a slice a step", (long long)span);
		cr_assert_float_eq(stats_job_progress(&job), 1.0, 1e-9);
		struct stats sliced;
		stats_job_take(&job, &sliced);
		cr_assert_eq(sliced.nconns, one.nconns);
		cr_assert_eq(sliced.ndests, one.ndests);
		assert_same_rows(sliced.conns, one.conns, one.nconns, span);
		assert_same_rows(sliced.dests, one.dests, one.ndests, span);
		stats_free(&sliced);
	}
	stats_free(&one);
}

/* The SQL the state filter runs (store_products.c), from the one definition of a state. */
#include "../../src/core/product_sql.h"

#define STATE_KEYS "products_by_state (connection_id=? AND <expr>=?)"

/* The lines of the statement's query plan that contain `text`. */
static int plan_lines(const char *sql, const char *text)
{
	struct sqldb_stmt *st;
	char *explain = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	cr_assert_eq(sqldb_prepare(store_db(s), explain, &st), SQLDB_OK, "%s", sqldb_errmsg(store_db(s)));
	free(explain);
	int lines = 0;
	while (sqldb_step(st) == SQLDB_ROW)
		lines += strstr((const char *)sqldb_column_text(st, 3), text) != NULL;
	sqldb_finalize(st);
	return lines;
}

/* Whether a line of the statement's query plan contains `text`. */
static bool plan_says(const char *sql, const char *text)
{
	return plan_lines(sql, text) > 0;
}

Test(store, the_state_filter_walks_the_state_index)
{
	int64_t conn = add_conn("A");
	for (int i = 0; i < 50; i++) {
		char sku[16];
		snprintf(sku, sizeof(sku), "SKU-%02d", i);
		add_product(conn, sku, i, 0);
	}
	sqldb_exec(store_db(s), "ANALYZE");
	cr_assert(plan_says("SELECT p.rowid FROM products p WHERE p.connection_id = 1 AND " PRODUCT_STATE_SQL("p.")
	                    " = 'new'", STATE_KEYS),
	          "the index and the filter must spell the state the same way (product_sql.h)");
	const char *by_state = "SELECT p.rowid FROM products p WHERE p.connection_id = 1 ORDER BY "
	                       PRODUCT_STATE_SQL("p.") ", p.sku LIMIT 20";
	cr_assert(plan_says(by_state, "products_by_state"));
	cr_assert_not(plan_says(by_state, "TEMP B-TREE"), "an order by state walks the index, it sorts nothing");
	/* A state spelled differently is not served by the index: the checks above catch a drift. */
	cr_assert_not(plan_says("SELECT p.rowid FROM products p WHERE p.connection_id = 1 AND (CASE WHEN"
	                        " p.retired_at IS NOT NULL THEN 'retired' ELSE 'new' END) = 'new'", STATE_KEYS));
}

/*
 * Whether the plan of the statement this connection has prepared whose SQL contains `marker` (the program's
 * own statement, as store_products.c and store_views.c build it) contains `text`.
 */
static bool prepared_plan_says(const char *marker, const char *text)
{
	const char *sql = sqldb_prepared_sql(store_db(s), marker);
	cr_assert_not_null(sql, "no prepared statement contains \"%s\"", marker);
	return plan_says(sql, text);
}

/*
 * Whether the plan of the window ids of the view statement whose SQL contains `marker` (the subquery
 * between "FROM (" and ") w", without the few rows' final order) contains `text`.
 */
static int inner_plan_lines(const char *marker, const char *text)
{
	const char *sql = sqldb_prepared_sql(store_db(s), marker);
	const char *from = sql ? strstr(sql, "FROM (") : NULL, *end = sql ? strstr(sql, ") w ") : NULL;
	cr_assert(from && end, "no prepared window contains \"%s\"", marker);
	char *inner = xasprintf("%.*s", (int)(end - from - 6), from + 6);
	int lines = plan_lines(inner, text);
	free(inner);
	return lines;
}

static bool inner_plan_says(const char *marker, const char *text)
{
	return inner_plan_lines(marker, text) > 0;
}

/* 130 products of which two failed their push: few enough (QUICK_FEW) for the problems window to walk the index. */
static int64_t add_failing_catalog(void)
{
	int64_t conn = add_conn("A"), run;
	struct run_row r;
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &r), 0);
	cr_assert_eq(store_run_claim(s, "t", run, &r), 1);
	for (int i = 0; i < 130; i++) {
		char sku[16];
		snprintf(sku, sizeof(sku), "SKU-%03d", 129 - i);
		add_product(conn, sku, i, run);
		if (i % 65 == 0)
			cr_assert_eq(store_run_error_insert(s, run, 2000, "pushing", 0, sku, NULL, "refused", "no", NULL), 0);
	}
	sqldb_exec(store_db(s), "ANALYZE");
	return conn;
}

/* `feedsync products --state`: its list and its count both along products_by_state, the list in SKU order. */
Test(store, the_cli_state_filter_and_its_count_walk_the_state_index)
{
	int64_t conn = add_failing_catalog();
	struct states st;
	cr_assert_str_eq(states_of(conn, "failed", &st), "SKU-064=failed SKU-129=failed");
	cr_assert(prepared_plan_says("INDEXED BY products_by_state", STATE_KEYS));
	struct product_query q = {.connection_id = conn, .state = "failed"};
	cr_assert_eq(store_products_count(s, &q), 2);
	cr_assert(prepared_plan_says("count(*) FROM products WHERE connection_id = ?1 AND", STATE_KEYS));
	q.state = NULL;
	cr_assert_eq(store_products_count(s, &q), 130);
}

/*
 * The Products screen's `f` (problems = failed): counted along products_by_state; its window by SKU along
 * the partial index of failed products (it holds the SKU: no failed product read to sort them), by state
 * along products_by_state.
 */
Test(store, the_problems_filter_and_its_count_walk_the_state_index)
{
	int64_t conn = add_failing_catalog();
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = conn, .quick = QUICK_PROBLEMS};
	char buf[512];
	int64_t matched;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "SKU-064 SKU-129");
	cr_assert_eq(matched, 2);
	cr_assert(prepared_plan_says("SELECT count(*) FROM products p WHERE p.connection_id = ?2 AND", STATE_KEYS));
	cr_assert(prepared_plan_says("AS id FROM products p INDEXED BY products_push_failed",
	                             "products_push_failed (connection_id=?)"));
	q.sort = PRODUCT_F_STATE;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "SKU-064 SKU-129",
	                 "ties in SKU order");
	cr_assert(prepared_plan_says("AS id FROM products p INDEXED BY products_by_state", STATE_KEYS));
	cr_assert_not(inner_plan_says("AS id FROM products p INDEXED BY products_by_state", "TEMP B-TREE"),
	              "by state, the filtered window walks the index in its order: it sorts nothing");
	store_views_close(v);
}

/*
 * A SKU prefix sorted by state (issue 12): the window seeks the prefix under each state along
 * products_by_state, index entries only. Ties in rowid order made SQLite read the table row of every
 * match to sort them (100 000 at 1M: 214 ms a keystroke), which a TEMP B-TREE in the plan would show.
 */
Test(store, a_sku_prefix_sorted_by_state_seeks_the_state_index)
{
	int64_t conn = add_failing_catalog();   /* SKU-000..SKU-129; SKU-064 and SKU-129 failed, the others new */
	cr_assert_eq(store_product_set_pushed(s, conn, "SKU-061", 68), 0);   /* in_sync: its hash is 129 - 61 */
	add_product(conn, "OTHER", 1, 0);
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = conn, .sort = PRODUCT_F_STATE, .filter = "SKU-06",
	                       .filter_fields = 1u << PRODUCT_F_SKU};
	char buf[512];
	int64_t matched;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched),
	                 "SKU-064 SKU-061 SKU-060 SKU-062 SKU-063 SKU-065 SKU-066 SKU-067 SKU-068 SKU-069");
	cr_assert_eq(matched, 10);
	const char *seek = "products_by_state (connection_id=? AND <expr>=? AND sku>? AND sku<?)";
	cr_assert(inner_plan_says("AS id FROM products p WHERE", seek));
	cr_assert_not(inner_plan_says("AS id FROM products p WHERE", "TEMP B-TREE"), "no match sorted");
	q.descending = true;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched),
	                 "SKU-069 SKU-068 SKU-067 SKU-066 SKU-065 SKU-063 SKU-062 SKU-060 SKU-061 SKU-064");
	cr_assert_not(inner_plan_says("ORDER BY " PRODUCT_STATE_SQL("p.") " DESC", "TEMP B-TREE"));
	/* Past the middle the window is read from the end, the other way along the same index. */
	struct product_row *rows;
	size_t n;
	cr_assert_eq(store_views_products(v, &q, 8, 5, matched, &rows, &n), 0, "%s", store_errmsg(s));
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rows[0].sku, "SKU-061");
	cr_assert_str_eq(rows[1].sku, "SKU-064");
	product_rows_free(rows, n);
	store_views_close(v);
}

/* The SKUs of rows[0..n) joined by spaces. */
static const char *skus_of(const struct product_row *rows, size_t n, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", rows[i].sku);
	return buf;
}

/*
 * Keyset paging (issue 12): the window after (or before) a row, skipping a few, is the same rows as the window
 * at its offset, for every order the Products screen offers, under the quick filter and a SKU prefix.
 */
Test(store, a_seek_from_a_row_reads_the_rows_of_the_window_at_its_offset)
{
	int64_t conn = add_failing_catalog();   /* SKU-000..SKU-129; SKU-064 and SKU-129 failed, the others new */
	for (int i = 0; i < 130; i += 7) {
		char sku[16];
		snprintf(sku, sizeof(sku), "SKU-%03d", i);
		cr_assert_eq(store_product_set_pushed(s, conn, sku, 129 - i), 0);   /* in_sync: ties across states */
	}
	struct store_views *v = store_views_open(s);
	const struct { enum quick_filter quick; const char *filter; } filters[] = {
		{QUICK_ALL, NULL}, {QUICK_PROBLEMS, NULL}, {QUICK_ALL, "SKU-0"},
	};
	for (int sort = 0; sort < PRODUCT_F_COUNT; sort++)
		for (int desc = 0; desc < 2; desc++)
			for (size_t f = 0; f < ARRAY_LEN(filters); f++) {
				struct view_query q = {.connection_id = conn, .sort = sort, .descending = desc,
				                       .quick = filters[f].quick, .filter = filters[f].filter,
				                       .filter_fields = 1u << PRODUCT_F_SKU};
				int64_t matched, total;
				cr_assert_eq(store_views_count(v, STORE_VIEW_PRODUCTS, &q, &matched, &total), 0);
				struct product_row *all, *got;
				size_t nall, n;
				cr_assert_eq(store_views_products(v, &q, 0, 200, -1, &all, &nall), 0, "%s", store_errmsg(s));
				cr_assert_eq((int64_t)nall, matched);
				for (size_t at = 0; at < nall; at += 3)
					for (int64_t skip = 0; skip <= 4; skip += 4)
						for (int before = 0; before < 2; before++) {
							cr_assert_eq(store_views_products_seek(v, &q, &all[at], before, skip, 5, &got, &n), 0,
							             "%s", store_errmsg(s));
							int64_t end = before ? (int64_t)at - skip : (int64_t)nall;
							int64_t first = before ? end - 5 : (int64_t)at + 1 + skip;
							if (first < 0)
								first = 0;
							if (!before)
								end = first + 5 < (int64_t)nall ? first + 5 : (int64_t)nall;
							if (end < first)
								end = first;
							char want[256], seen[256];
							skus_of(all + first, (size_t)(end - first), want, sizeof(want));
							cr_assert_str_eq(skus_of(got, n, seen, sizeof(seen)), want,
							                 "sort %d desc %d filter %zu: %zu rows %s %s row %zu",
							                 sort, desc, f, (size_t)5, before ? "before" : "after", all[at].sku, at);
							product_rows_free(got, n);
						}
				product_rows_free(all, nall);
			}
	store_views_close(v);
}

/*
 * A deep page is a seek, not an OFFSET scan: the program's own statements enter the index at the edge row,
 * by SKU one range of the primary key, by state the edge's state past its SKU, then the states past it.
 */
Test(store, a_deep_page_seeks_the_index_at_its_edge_row)
{
	int64_t conn = add_failing_catalog();
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = conn};
	struct product_row *rows, *next;
	size_t n, nnext;
	cr_assert_eq(store_views_products(v, &q, 100, 5, 130, &rows, &n), 0);
	cr_assert_eq(store_views_products_seek(v, &q, &rows[4], false, 0, 5, &next, &nnext), 0);
	cr_assert_str_eq(next[0].sku, "SKU-105");
	product_rows_free(next, nnext);
	cr_assert(inner_plan_says("p.sku > ?6", "(connection_id=? AND sku>?)"), "by SKU: one range from the edge");
	q.sort = PRODUCT_F_STATE;
	cr_assert_eq(store_views_products_seek(v, &q, &rows[4], false, 0, 5, &next, &nnext), 0);
	product_rows_free(next, nnext);
	cr_assert(inner_plan_says("UNION ALL", "products_by_state (connection_id=? AND <expr>=? AND sku>?)"),
	          "by state: the edge's state from its SKU on");
	cr_assert(inner_plan_says("UNION ALL", "products_by_state (connection_id=? AND <expr>>?)"),
	          "then the states past it");
	cr_assert_eq(inner_plan_lines("UNION ALL", "TEMP B-TREE"), 1,
	             "only the window's few rows are sorted, not the rows of the edge's state");
	q.descending = true;   /* Page Up by state: the same two seeks, downwards */
	cr_assert_eq(store_views_products_seek(v, &q, &rows[4], true, 0, 5, &next, &nnext), 0);
	product_rows_free(next, nnext);
	cr_assert(inner_plan_says("UNION ALL", "products_by_state (connection_id=? AND <expr>=? AND sku>?)"));
	cr_assert_eq(inner_plan_lines("UNION ALL", "TEMP B-TREE"), 1);
	/* Under a SKU prefix the edge's state is sought in the state index too, not along the primary key. */
	q.filter = "SKU-1";
	q.filter_fields = 1u << PRODUCT_F_SKU;
	cr_assert_eq(store_views_products_seek(v, &q, &rows[4], false, 0, 5, &next, &nnext), 0);
	product_rows_free(next, nnext);
	cr_assert(inner_plan_says("INDEXED BY products_by_state WHERE p.connection_id = ?2 AND ((p.sku >=",
	                          "products_by_state (connection_id=? AND <expr>=? AND sku>? AND sku<?)"));
	product_rows_free(rows, n);
	store_views_close(v);
}

/* The condition naming every state names exactly the states (product_sql.h keeps two spellings). */
Test(store, the_state_list_names_every_state)
{
	struct strbuf sb = {0};
	const char *names[] = {PRODUCT_STATE_NAMES};
	sb_adds(&sb, "(");
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		sb_addf(&sb, "%s'%s'", i ? ", " : "", names[i]);
	sb_adds(&sb, ")");
	cr_assert_str_eq(sb_str(&sb), PRODUCT_STATE_LIST);
	sb_free(&sb);
}

/* The Products view sorted by state: states in text order either way, ties in SKU order, not insert order. */
Test(store, products_sort_by_state_along_the_state_index)
{
	int64_t conn = add_conn("A"), run;
	struct run_row r;
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &r), 0);
	cr_assert_eq(store_run_claim(s, "t", run, &r), 1);
	const char *skus[] = {"D", "A", "C", "B"};
	for (size_t i = 0; i < ARRAY_LEN(skus); i++)
		add_product(conn, skus[i], 10 + (int64_t)i, run);
	cr_assert_eq(store_product_set_pushed(s, conn, "A", 11), 0);
	cr_assert_eq(store_run_error_insert(s, run, 2000, "pushing", 0, "B", NULL, "refused", "no", NULL), 0);
	struct store_views *v = store_views_open(s);
	struct view_query q = {.connection_id = conn, .sort = PRODUCT_F_STATE};
	char buf[512];
	int64_t matched;
	/* failed B, in_sync A, new C and D (D inserted first) */
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "B A C D");
	q.descending = true;
	cr_assert_str_eq(product_window(v, &q, buf, sizeof(buf), &matched), "D C A B");
	store_views_close(v);
}
