/* A Shopify shop's bulk push as the database keeps it (core/store_bulk.h): one claim per shop, its lines, and
 * what its end takes away. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sqldb.h"
#include "core/store.h"
#include "core/store_bulk.h"
#include "core/store_fence.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-bulk-XXXXXX";
static struct store *st;
static int64_t conn;

static void open_store(void)
{
	st = test_store_open(dir, &conn);
	cr_assert_eq(sqldb_exec(store_db(st), "INSERT INTO destinations(id, name, type, base_url, created_at, "
	             "updated_at) VALUES(1, 'shop', 'shopify', 'http://x', 0, 0)"), SQLDB_OK);
}

static void close_store(void)
{
	test_store_remove(st, dir, "/tmp/fs-bulk-XXXXXX");
}

TestSuite(store_bulk, .init = open_store, .fini = close_store);

Test(store_bulk, one_claim_per_shop_until_it_ends)
{
	struct bulk_op op;
	cr_assert_eq(store_bulk_get(st, 1, &op), 0);
	cr_assert_eq(store_bulk_claim(st, 1, conn, 7, 1000), 1);
	cr_assert_eq(store_bulk_claim(st, 1, conn, 8, 2000), 0, "a second run's claim while the first is recorded");
	cr_assert_eq(store_bulk_get(st, 1, &op), 1);
	cr_assert_eq(op.run_id, 7);
	cr_assert_eq(op.started_at, 1000);
	cr_assert_str_empty(op.operation_id, "no id before the shop names it");
	cr_assert_eq(store_bulk_started(st, 1, "gid://shopify/BulkOperation/5"), 0);
	cr_assert_eq(store_bulk_get(st, 1, &op), 1);
	cr_assert_str_eq(op.operation_id, "gid://shopify/BulkOperation/5");
	cr_assert_eq(store_bulk_end(st, 1, 7), 0);
	cr_assert_eq(store_bulk_get(st, 1, &op), 0);
	cr_assert_eq(store_bulk_claim(st, 1, conn, 8, 3000), 1, "a claim once the first ended");
}

Test(store_bulk, lines_map_results_to_skus_and_the_end_drops_the_creates_fences)
{
	cr_assert_eq(store_bulk_claim(st, 1, conn, 7, 1000), 1);
	cr_assert_eq(store_bulk_line_put(st, 1, 0, "A-1", 11, true), 0);
	cr_assert_eq(store_bulk_line_put(st, 1, 1, "B-2", 22, false), 0);
	cr_assert_eq(store_fence_put(st, 1, "A-1", 7, 99999), 0);
	cr_assert_eq(store_fence_put(st, 1, "C-3", 7, 99999), 0);
	cr_assert_eq(store_bulk_lines(st, 1), 2);
	char sku[64];
	int64_t hash;
	bool creating, failed;
	cr_assert_eq(store_bulk_line_get(st, 1, 1, sku, sizeof(sku), &hash, &creating, &failed), 1);
	cr_assert_str_eq(sku, "B-2");
	cr_assert_eq(hash, 22);
	cr_assert(!creating);
	cr_assert(!failed);
	cr_assert_eq(store_bulk_line_failed(st, 1, "B-2"), 0);
	cr_assert_eq(store_bulk_line_get(st, 1, 1, sku, sizeof(sku), &hash, &creating, &failed), 1);
	cr_assert(failed, "a product that failed before its result came");
	cr_assert_eq(store_bulk_line_get(st, 1, 2, sku, sizeof(sku), &hash, &creating, &failed), 0);
	cr_assert_eq(store_bulk_end(st, 1, 7), 0);
	cr_assert_eq(store_bulk_lines(st, 1), 0);
	struct push_fence *f;
	size_t n;
	cr_assert_eq(store_fences_of_others(st, 1, 0, &f, &n), 0);
	cr_assert_eq(n, 1, "only the fence of a SKU the operation created goes");
	cr_assert_str_eq(f[0].sku, "C-3");
	push_fences_free(f, n);
}

Test(store_bulk, a_new_claim_drops_the_lines_of_one_abandoned)
{
	cr_assert_eq(store_bulk_claim(st, 1, conn, 7, 1000), 1);
	cr_assert_eq(store_bulk_line_put(st, 1, 0, "A-1", 11, true), 0);
	cr_assert_eq(sqldb_exec(store_db(st), "DELETE FROM shopify_bulk_ops"), SQLDB_OK);
	cr_assert_eq(store_bulk_claim(st, 1, conn, 8, 2000), 1);
	cr_assert_eq(store_bulk_lines(st, 1), 0);
}
