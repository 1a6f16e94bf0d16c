/* Change detection: created, updated, unchanged and duplicate products, and products gone from the feed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sqldb.h"
#include "core/state_index.h"
#include "core/store.h"
#include "core/store_products.h"
#include "core/store_views.h"
#include "core/util.h"
#include "engine/catalog.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-catalog-XXXXXX";
static struct store *s;
static struct config cfg;
static int64_t conn_id;

static void setup(void)
{
	s = test_store_open(dir, &conn_id);
	config_defaults(&cfg);
	cfg.batch_rows = 3; /* several batches even in small tests */
}

static void teardown(void)
{
	test_store_remove(s, dir, "/tmp/fs-catalog-XXXXXX");
}

TestSuite(catalog, .init = setup, .fini = teardown);

/* Starts a run and opens the catalog for it. */
static struct catalog *begin_run(struct run_ctx *ctx)
{
	int64_t run_id;
	struct run_row active, claimed;
	cr_assert_eq(store_run_enqueue(s, conn_id, "manual", 0, 1, false, &run_id, &active), 0);
	cr_assert_eq(store_run_claim(s, "test", run_id, &claimed), 1);
	run_ctx_init(ctx, s, &cfg, run_id, conn_id);
	ctx->quiet = true;
	char err[256];
	struct catalog *c = catalog_open(ctx, err, sizeof(err));
	cr_assert_not_null(c, "%s", err);
	return c;
}

static void end_run(struct run_ctx *ctx, struct catalog *c)
{
	catalog_close(c);
	run_finish(ctx, RUN_COMPLETED, "done");
}

static enum catalog_outcome put_at(struct catalog *c, const char *sku, const char *price, long line, long item,
                                   long *first, long *first_item)
{
	struct product p = {0};
	product_set(&p, "sku", sku);
	product_set(&p, "regular_price", price);
	p.line = line;
	p.item = item;
	long unused;
	enum catalog_outcome o = catalog_put(c, &p, first, first_item ? first_item : &unused);
	product_free(&p);
	return o;
}

static enum catalog_outcome put(struct catalog *c, const char *sku, const char *price, long line, long *first)
{
	return put_at(c, sku, price, line, 0, first, NULL);
}

Test(catalog, first_import_creates_and_second_finds_changes)
{
	struct run_ctx ctx;
	long first;
	struct catalog *c = begin_run(&ctx);
	for (int i = 0; i < 10; i++) {
		char sku[16];
		snprintf(sku, sizeof(sku), "S%d", i);
		cr_assert_eq(put(c, sku, "1.00", i + 2, &first), CATALOG_CREATED);
	}
	end_run(&ctx, c);
	cr_assert_eq(store_catalog_count(s, conn_id), 10);

	c = begin_run(&ctx);
	cr_assert_eq(catalog_size(c), 10);
	cr_assert_eq(put(c, "S0", "1.00", 2, &first), CATALOG_UNCHANGED);
	cr_assert_eq(put(c, "S1", "2.00", 3, &first), CATALOG_UPDATED);
	cr_assert_eq(put(c, "NEW", "5.00", 4, &first), CATALOG_CREATED);
	cr_assert_eq(catalog_unseen(c), 8);
	end_run(&ctx, c);
	cr_assert_eq(store_catalog_count(s, conn_id), 11);

	c = begin_run(&ctx);
	cr_assert_eq(put(c, "S1", "2.00", 2, &first), CATALOG_UNCHANGED, "the update was stored");
	end_run(&ctx, c);
}

Test(catalog, duplicate_sku_names_the_first_line_and_the_first_wins)
{
	struct run_ctx ctx;
	long first = 0;
	struct catalog *c = begin_run(&ctx);
	cr_assert_eq(put(c, "A", "1.00", 2, &first), CATALOG_CREATED);
	cr_assert_eq(put(c, "A", "9.00", 7, &first), CATALOG_DUPLICATE);
	cr_assert_eq(first, 2);
	end_run(&ctx, c);

	c = begin_run(&ctx);
	cr_assert_eq(put(c, "A", "1.00", 2, &first), CATALOG_UNCHANGED, "the first row's price was kept");
	end_run(&ctx, c);
}

Test(catalog, duplicate_sku_of_an_item_feed_names_the_first_item)
{
	struct run_ctx ctx;
	long first_line = -1, first_item = -1;
	struct catalog *c = begin_run(&ctx);
	cr_assert_eq(put_at(c, "J", "1.00", 1, 3, &first_line, &first_item), CATALOG_CREATED);
	cr_assert_eq(put_at(c, "J", "2.00", 1, 9, &first_line, &first_item), CATALOG_DUPLICATE);
	cr_assert_eq(first_item, 3, "a single-line feed's rows are told apart by their items");
	cr_assert_eq(first_line, 0);
	cr_assert_eq(put_at(c, "K", "1.00", 5000000000L, 0, &first_line, &first_item), CATALOG_CREATED);
	cr_assert_eq(put_at(c, "K", "1.00", 6, 0, &first_line, &first_item), CATALOG_DUPLICATE);
	cr_assert_eq(first_line, 5000000000L, "a line past 32 bits survives the place's tag bit");
	cr_assert_eq(first_item, 0);
	end_run(&ctx, c);
}

Test(catalog, products_gone_from_the_feed_are_marked_and_cleared_when_back)
{
	struct run_ctx ctx;
	long first;
	struct catalog *c = begin_run(&ctx);
	put(c, "A", "1", 2, &first);
	put(c, "B", "1", 3, &first);
	put(c, "C", "1", 4, &first);
	end_run(&ctx, c);

	c = begin_run(&ctx);
	put(c, "A", "1", 2, &first);
	cr_assert_eq(catalog_mark_missing(c), 2);
	end_run(&ctx, c);
	cr_assert(store_catalog_has_missing(s, conn_id));

	c = begin_run(&ctx);
	put(c, "A", "1", 2, &first);
	put(c, "B", "1", 3, &first);
	put(c, "C", "1", 4, &first);
	cr_assert_eq(catalog_mark_missing(c), 0);
	end_run(&ctx, c);
	cr_assert_not(store_catalog_has_missing(s, conn_id));
}

Test(catalog, index_stays_small)
{
	struct run_ctx ctx;
	long first;
	struct catalog *c = begin_run(&ctx);
	for (int i = 0; i < 5000; i++) {
		char sku[16];
		snprintf(sku, sizeof(sku), "K%d", i);
		put(c, sku, "1", i + 2, &first);
	}
	cr_assert_leq(catalog_memory_bytes(c), 5000u * 40u, "%zu bytes", catalog_memory_bytes(c));
	end_run(&ctx, c);
}

/* ---- the state index around a first import (core/state_index.h) ---- */

static void put_skus(struct catalog *c, const char *prefix, int n)
{
	long first;
	for (int i = 0; i < n; i++) {
		char sku[32];
		snprintf(sku, sizeof(sku), "%s%03d", prefix, i);
		cr_assert_eq(put(c, sku, "1.00", i + 2, &first), CATALOG_CREATED);
	}
}

static int64_t listed_new(void)
{
	struct product_query q = {.connection_id = conn_id, .state = "new"};
	return store_products_count(s, &q);
}

/* The Products screen sorted by state: its window's SQL names the index only while it exists. */
static size_t state_window(void)
{
	struct store_views *v = store_views_open(s);
	struct view_query q = {.sort = PRODUCT_F_STATE, .connection_id = conn_id, .filter = "S0",
	                       .filter_fields = 1u << PRODUCT_F_SKU};
	struct product_row *rows;
	size_t n;
	cr_assert_eq(store_views_products(v, &q, 0, 5, -1, &rows, &n), 0, "%s", store_errmsg(s));
	product_rows_free(rows, n);
	store_views_close(v);
	return n;
}

Test(catalog, first_import_builds_the_state_index_once_its_rows_are_in)
{
	struct run_ctx ctx;
	struct catalog *c = begin_run(&ctx);
	cr_assert_not(state_index_present(store_db(s)), "an empty catalog's first import goes without it");
	put_skus(c, "S", 10);
	cr_assert_eq(listed_new(), 9, "the batches committed are listed meanwhile");
	cr_assert_eq(state_window(), 5, "the window by state reads without the index");
	cr_assert_eq(catalog_commit(c), 0);
	cr_assert_eq(catalog_end_import(c), 0);
	cr_assert(state_index_present(store_db(s)));
	cr_assert_eq(listed_new(), 10);
	cr_assert_eq(state_window(), 5);
	end_run(&ctx, c);

	c = begin_run(&ctx);
	cr_assert(state_index_present(store_db(s)), "a catalog with products keeps it");
	end_run(&ctx, c);
}

Test(catalog, stopped_first_import_still_leaves_the_state_index)
{
	struct run_ctx ctx;
	struct catalog *c = begin_run(&ctx);
	put_skus(c, "S", 4);
	end_run(&ctx, c);   /* closed without catalog_end_import, as a path that stops early does */
	cr_assert(state_index_present(store_db(s)));
	cr_assert_eq(listed_new(), 4);
}

Test(catalog, first_import_beside_another_catalog_keeps_the_state_index)
{
	struct run_ctx ctx;
	struct catalog *c = begin_run(&ctx);
	put_skus(c, "S", 2);
	end_run(&ctx, c);
	char err[256];
	struct conn_fields f = {.name = "B", .active = true, .source_type = "csv", .source_url = "/b.csv",
	                        .schedule = "manual", .document = "{}"};
	int64_t a = conn_id;
	cr_assert_eq(store_conn_insert(s, &f, &conn_id, err, sizeof(err)), 0, "%s", err);
	c = begin_run(&ctx);
	cr_assert(state_index_present(store_db(s)), "rebuilding it would read every connection's products");
	put_skus(c, "T", 2);
	end_run(&ctx, c);
	conn_id = a;
}

/* A process that dies mid-import: the index comes back once nothing may still be importing without it. */
Test(catalog, state_index_lost_with_its_import_comes_back)
{
	struct run_ctx ctx;
	struct catalog *c = begin_run(&ctx);
	put_skus(c, "S", 4);
	cr_assert_eq(catalog_commit(c), 0);
	char path[600], err[256];
	snprintf(path, sizeof(path), "%s/t.db", dir);

	struct store *other = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(other, "%s", err);
	cr_assert_not(state_index_present(store_db(other)), "the run is still running: it may be importing");
	cr_assert_eq(store_run_recover_stale(other, now_ms() + 1000000, now_ms()), 1);
	cr_assert(state_index_present(store_db(other)), "its run recovered as lost");
	store_close(other);

	state_index_restore(store_db(s));
	cr_assert(sqldb_exec(store_db(s), "DROP INDEX products_by_state") == SQLDB_OK);
	other = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(other, "%s", err);
	cr_assert(state_index_present(store_db(other)), "no run runs: the next open builds it");
	store_close(other);
	catalog_close(c);
}
