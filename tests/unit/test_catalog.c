/* Change detection: created, updated, unchanged and duplicate products, and products gone from the feed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
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
