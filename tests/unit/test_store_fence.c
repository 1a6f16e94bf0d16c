/* Push fences as runs beside each other see them (core/store_fence.h): another run's fences read again end
 * early once dropped, and last longer once extended. */
#include <criterion/criterion.h>

#include "core/sqldb.h"
#include "core/store.h"
#include "core/store_fence.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-fence-XXXXXX";
static struct store *st;
static int64_t conn;

static void open_store(void)
{
	st = test_store_open(dir, &conn);
	cr_assert_eq(sqldb_exec(store_db(st), "INSERT INTO destinations(id, name, type, base_url, created_at, "
	             "updated_at) VALUES(1, 'shop', 'woocommerce', 'http://x', 0, 0)"), SQLDB_OK);
}

static void close_store(void)
{
	test_store_remove(st, dir, "/tmp/fs-fence-XXXXXX");
}

TestSuite(store_fence, .init = open_store, .fini = close_store);

Test(store_fence, fences_read_again_show_what_their_runs_did_since)
{
	cr_assert_eq(store_fence_put(st, 1, "A-1", 7, 5000), 0);
	cr_assert_eq(store_fence_put(st, 1, "b-2", 7, 5000), 0);
	cr_assert_eq(store_fence_put(st, 1, "C-3", 7, 5000), 0);
	cr_assert_eq(store_fence_put(st, 1, "C-3", 8, 6000), 0, "a third run fences C-3 too");
	struct push_fence *f;
	size_t n;
	cr_assert_eq(store_fences_of_others(st, 1, 9, &f, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(push_fence_find(f, n, "B-2")->sku, "b-2", "found whatever the case");
	cr_assert_null(push_fence_find(f, n, "D-4"));

	cr_assert_eq(store_fence_drop(st, 1, "A-1", 7), 0, "run 7's create of A-1 was answered");
	cr_assert_eq(store_fence_put(st, 1, "B-2", 7, 9000), 0, "its create of b-2 is retried");
	cr_assert_eq(store_fence_drop(st, 1, "C-3", 7), 0);
	cr_assert_eq(store_fences_refresh(st, 1, 9, f, n), 0);
	cr_assert_eq(push_fence_find(f, n, "A-1")->until_ms, 0, "gone");
	cr_assert_eq(push_fence_find(f, n, "B-2")->until_ms, 9000, "extended");
	cr_assert_eq(push_fence_find(f, n, "C-3")->until_ms, 6000, "the other run's fence on it stays");
	push_fences_free(f, n);
}

Test(store_fence, a_run_does_not_wait_for_its_own_fences)
{
	cr_assert_eq(store_fence_put(st, 1, "A-1", 7, 5000), 0);
	struct push_fence *f;
	size_t n;
	cr_assert_eq(store_fences_of_others(st, 1, 9, &f, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_fence_put(st, 1, "A-1", 9, 8000), 0, "run 9 fences the SKU itself");
	cr_assert_eq(store_fence_drop(st, 1, "A-1", 7), 0);
	cr_assert_eq(store_fences_refresh(st, 1, 9, f, n), 0);
	cr_assert_eq(f[0].until_ms, 0, "only its own fence is left");
	push_fences_free(f, n);
}
