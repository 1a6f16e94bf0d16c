/*
 * The database console_bench draws: connections, runs, destinations, one connection's products, a run with
 * a long log and many errors, and a plan with many items. Each kind of row is written in few transactions
 * through the store's own prepared statements, so the console reads what feedsync itself writes.
 * Included by console_bench.c only (a bench program is one .c file).
 */
#ifndef FEEDSYNC_BENCH_CONSOLE_FILL_H
#define FEEDSYNC_BENCH_CONSOLE_FILL_H

#include <stdio.h>
#include <stdlib.h>

#include "core/store.h"
#include "core/store_dest.h"
#include "core/store_plan.h"
#include "core/store_products.h"
#include "core/util.h"

#define FILL_BATCH 50000   /* rows per transaction: big enough to be fast, small enough for the WAL */

struct fill_sizes {
	int conns, runs, products, dests, events, errors, plan_items;
};

/* The runs made after the --runs ones, so that a kept database finds them again by id. */
static inline int64_t fill_detail_run(const struct fill_sizes *z)
{
	return (int64_t)z->runs + 1;
}

static inline int64_t fill_plan_run(const struct fill_sizes *z)
{
	return (int64_t)z->runs + 2;
}

static void fill_die(const char *what, const char *why)
{
	fprintf(stderr, "console_bench: %s: %s\n", what, why);
	exit(1);
}

static void fill_begin(struct store *s)
{
	if (store_begin(s) < 0)
		fill_die("begin", store_errmsg(s));
}

static void fill_commit(struct store *s)
{
	if (store_commit(s) < 0)
		fill_die("commit", store_errmsg(s));
}

/* Every FILL_BATCH rows: a commit and a new transaction. */
static void fill_batch(struct store *s, int i)
{
	if (i % FILL_BATCH == FILL_BATCH - 1) {
		fill_commit(s);
		fill_begin(s);
	}
}

static void add_connections(struct store *s, int conns, int64_t now)
{
	static const char *const types[] = {"csv", "json", "xml", "winmentor"};
	static const char *const schedules[] = {"every 15m", "manual", "daily 02:00", "0 6 * * mon-fri"};
	char err[512];
	fill_begin(s);
	for (int i = 0; i < conns; i++) {
		char name[64];
		snprintf(name, sizeof(name), "Supplier %05d %s feed", i, types[i % 4]);
		struct conn_fields f = {.name = name, .active = i % 7 != 0, .source_type = types[i % 4],
		                        .source_url = "https://feeds.example.com/products.csv",
		                        .schedule = schedules[i % 4], .dest_type = i % 3 ? "file" : NULL,
		                        .document = "{}", .next_due_at = i % 4 == 1 ? 0 : now + (i % 90) * 60000};
		int64_t id;
		if (store_conn_insert(s, &f, &id, err, sizeof(err)) != 0)
			fill_die("insert a connection", err);
		fill_batch(s, i);
	}
	fill_commit(s);
}

/* A run of conn_id queued and claimed as a worker does (each its own transaction): its id. */
static int64_t start_run(struct store *s, int64_t conn_id, const char *trigger, bool plan_only)
{
	int64_t id;
	struct run_row r;
	if (store_run_enqueue(s, conn_id, trigger, 0, 1, plan_only, &id, &r) != 0)
		fill_die("queue a run", store_errmsg(s));
	if (store_run_claim(s, "bench", id, &r) != 1)
		fill_die("claim a run", store_errmsg(s));
	return id;
}

/*
 * Runs go in rounds of one per connection (a connection has one active run at a time): queued and claimed
 * one by one, finished in one transaction.
 */
static void add_runs(struct store *s, int conns, int runs, int64_t now)
{
	static const char *const ends[] = {RUN_COMPLETED, RUN_COMPLETED_WITH_ERRORS, RUN_FAILED, RUN_CANCELLED,
	                                   RUN_COMPLETED};
	int64_t *ids = xmalloc((size_t)conns * sizeof(*ids));
	for (int done = 0; done < runs;) {
		int round = runs - done < conns ? runs - done : conns;
		for (int k = 0; k < round; k++)
			ids[k] = start_run(s, k + 1, (done + k) % 3 ? "schedule" : "manual", false);
		fill_begin(s);
		for (int k = 0; k < round; k++) {
			int i = done + k;
			int64_t c[RC_COUNT] = {0};
			c[RC_ROWS_READ] = i % 50000;
			c[RC_CREATED] = i % 1000;
			c[RC_UPDATED] = i % 333;
			c[RC_SKIPPED] = i % 17;
			c[RC_FAILED] = i % 5 == 2 ? i % 41 : 0;
			c[RC_PUSH_QUEUED] = c[RC_PUSH_PROCESSED] = i % 900;
			store_run_flush(s, ids[k], "reconcile", c, c[RC_FAILED], now);
			store_run_finish(s, ids[k], ends[i % 5], "bench run", now + i % 600000);
		}
		fill_commit(s);
		done += round;
	}
	free(ids);
}

static void add_destinations(struct store *s, int dests)
{
	char err[512];
	fill_begin(s);
	for (int i = 0; i < dests; i++) {
		char name[32], url[64];
		snprintf(name, sizeof(name), "Shop %02d", i);
		snprintf(url, sizeof(url), "https://shop%02d.example.com", i);
		struct dest_fields f = {.name = name, .type = "woocommerce", .base_url = url, .auth = "basic",
		                        .verify_tls = i % 5 != 0, .options = "{}"};
		int64_t id;
		if (store_dest_insert(s, &f, &id, err, sizeof(err)) != 0)
			fill_die("insert a destination", err);
	}
	fill_commit(s);
}

/*
 * The products of connection 1, in scattered SKU order as feeds give them: a third pushed, one in 50
 * missing, one in 100 with a push error in run 1 (so every state is there to sort and filter by).
 */
static void add_products(struct store *s, int products, int64_t now)
{
	fill_begin(s);
	for (int i = 0; i < products; i++) {
		int k = (int)(((int64_t)i * 7919) % products);
		char sku[32], name[64], price[32], qty[16];
		snprintf(sku, sizeof(sku), "SKU-%07d", k);
		snprintf(name, sizeof(name), "Product %d %s", k, k % 2 ? "mug" : "tea");
		snprintf(price, sizeof(price), "%d.%02d", 1 + k % 500, k % 100);
		snprintf(qty, sizeof(qty), "%d", k % 70);
		struct product_write w = {.conn_id = 1, .sku = sku, .name = name, .price = price, .quantity = qty,
		                          .data = "{}", .hash = k + 1, .line = i + 2, .run_id = 1, .now = now};
		if (store_product_insert(s, &w) < 0 || (k % 3 == 0 && store_product_set_pushed(s, 1, sku, k + 1) < 0) ||
		    (k % 50 == 1 && store_product_mark_missing(s, 1, sku, now) < 0) ||
		    (k % 100 == 2 && store_run_error_insert(s, 1, now, "pushing", 0, sku, NULL, "bench", "refused", NULL) < 0))
			fill_die("insert a product", store_errmsg(s));
		fill_batch(s, i);
	}
	fill_commit(s);
}

/* A finished run of connection 2 with a long log and the error cap's worth of errors (of many more). */
static void add_detail_run(struct store *s, const struct fill_sizes *z, int64_t now)
{
	int64_t id = start_run(s, 2, "manual", false);
	if (id != fill_detail_run(z))
		fill_die("the detail run", "its id is not the one expected (a database filled differently?)");
	fill_begin(s);
	for (int i = 0; i < z->events; i++) {
		char msg[96];
		snprintf(msg, sizeof(msg), "imported %d rows: %d created, %d updated", (i + 1) * 1000, i * 3, i * 7);
		if (store_run_event_insert(s, id, now + i, i % 10 ? "info" : "warn", msg) < 0)
			fill_die("insert a log line", store_errmsg(s));
		fill_batch(s, i);
	}
	for (int i = 0; i < z->errors; i++) {
		char sku[32], line[96];
		snprintf(sku, sizeof(sku), "SKU-%07d", i);
		snprintf(line, sizeof(line), "price \"%d,5 lei\" is not a number", i);
		if (store_run_error_insert(s, id, now + i, "local_import", i + 2, sku, "price", "bad_price", line,
		                           "{\"value\": \"12,5 lei\"}") < 0)
			fill_die("insert an error", store_errmsg(s));
	}
	int64_t c[RC_COUNT] = {0};
	c[RC_ROWS_READ] = (int64_t)z->events * 1000;
	c[RC_FAILED] = (int64_t)z->errors * 50;
	store_run_flush(s, id, "reconcile", c, c[RC_FAILED], now);
	store_run_finish(s, id, RUN_COMPLETED_WITH_ERRORS, "bench run with errors", now + z->events);
	fill_commit(s);
}

/* A plan of connection 1: two fifths creates, two fifths updates of two fields each, the rest retires. */
static void add_plan(struct store *s, const struct fill_sizes *z, int64_t now)
{
	static const char *const kinds[] = {"create", "create", "update", "update", "retire"};
	int64_t id = start_run(s, 1, "manual", true);
	if (id != fill_plan_run(z))
		fill_die("the plan run", "its id is not the one expected (a database filled differently?)");
	fill_begin(s);
	if (store_plan_insert(s, id, 1, "Shop 00", now) < 0)
		fill_die("insert a plan", store_errmsg(s));
	for (int i = 0; i < z->plan_items; i++) {
		char sku[32], name[48];
		const char *kind = kinds[i % 5];
		snprintf(sku, sizeof(sku), "SKU-%07d", i);
		snprintf(name, sizeof(name), "Product %d", i);
		bool retire = str_eq(kind, "retire");
		struct plan_item_write w = {.kind = kind, .sku = sku, .name = name, .hash = i + 1,
		                            .action = retire ? "draft" : NULL, .missing_since = retire ? now : 0,
		                            .missing_runs = retire ? 3 : 0};
		if (store_plan_add_item(s, id, &w) < 0 ||
		    (str_eq(kind, "update") && (store_plan_add_change(s, id, sku, "price", "10.00", "12.50", true) < 0 ||
		                                store_plan_add_change(s, id, sku, "quantity", "4", "0", true) < 0)))
			fill_die("insert a plan item", store_errmsg(s));
		fill_batch(s, i);
	}
	store_run_finish(s, id, RUN_COMPLETED, "plan", now);
	fill_commit(s);
}

static void fill(struct store *s, const struct fill_sizes *z)
{
	int64_t now = now_ms();
	add_connections(s, z->conns, now);
	add_runs(s, z->conns, z->runs, now);
	add_destinations(s, z->dests);
	add_products(s, z->products, now);
	add_detail_run(s, z, now);
	add_plan(s, z, now);
}

#endif
