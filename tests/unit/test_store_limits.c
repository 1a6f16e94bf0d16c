/* A destination's limits shared through the database: two handles on one file, as two processes have. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_limits.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-limits-XXXXXX";
static struct store *a, *b;

static void open_two(void)
{
	char path[512], err[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	a = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	b = store_open_like(a, err, sizeof(err));
	cr_assert_not_null(b, "%s", err);
	cr_assert_eq(sqldb_exec(store_db(a), "INSERT INTO destinations(id, name, type, base_url, created_at, "
	             "updated_at) VALUES(1, 'shop', 'woocommerce', 'http://x', 0, 0)"), SQLDB_OK);
}

static void close_two(void)
{
	store_close(a);
	store_close(b);
	test_dir_remove(dir, "/tmp/fs-limits-XXXXXX");
}

TestSuite(store_limits, .init = open_two, .fini = close_two);

static struct limits_ask ask(const char *holder, int64_t now, int in_flight, int want, int tokens)
{
	return (struct limits_ask){.dest_id = 1, .holder = holder, .now = now, .lease_ms = 5000, .concurrency = 3,
	                           .rate = 10, .size = 3, .in_flight = in_flight, .want = want, .tokens = tokens};
}

Test(store_limits, two_handles_never_take_more_than_the_rate)
{
	/* Both ask for a block of 2 as soon as they are told they may, for 5 s, in either order as processes do: at
	 * 10 a second from a bucket of 3, at most 53 in all. */
	int taken[2] = {0, 0};
	const int64_t t0 = 1000000;
	int64_t again[2] = {t0, t0};
	srand(1);
	for (int64_t now = t0; now < t0 + 5000; now += 10) {
		int first = rand() & 1;
		for (int k = 0; k < 2; k++) {
			int i = first ^ k;
			if (now < again[i])
				continue;
			struct limits_ask q = ask(i ? "b:2" : "a:1", now, 0, 1, 2);
			struct limits_grant g;
			cr_assert_eq(store_limits_sync(i ? b : a, &q, &g), 0);
			taken[i] += g.tokens;
			if (g.tokens < 2) {
				cr_assert_gt(g.token_wait_ms, 0, "a refusal says when to ask again");
				again[i] = now + g.token_wait_ms;
			}
		}
	}
	cr_assert_leq(taken[0] + taken[1], 3 + 50, "taken %d + %d", taken[0], taken[1]);
	cr_assert_geq(taken[0] + taken[1], 50, "the rate is used: %d + %d", taken[0], taken[1]);
	cr_assert_gt(taken[0], 10, "both get a share: %d + %d", taken[0], taken[1]);
	cr_assert_gt(taken[1], 10, "both get a share");
	struct limits_view v;
	cr_assert_eq(store_limits_view(a, 1, t0 + 5000, &v), 0);
	cr_assert(v.known);
	cr_assert_float_eq(v.rate, 10, 1e-9);
	cr_assert_float_eq(v.size, 3, 1e-9);
	cr_assert_leq(v.tokens, 3);
}

Test(store_limits, slots_are_capped_shared_and_come_back_when_a_lease_expires)
{
	struct limits_grant g;
	struct limits_ask q = ask("a:1", 1000, 0, 3, 0);
	cr_assert_eq(store_limits_sync(a, &q, &g), 0);
	cr_assert_eq(g.slots, 3, "the first takes what it wants");
	q = ask("b:2", 1010, 0, 2, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_eq(g.slots, 0, "none left for the second");
	q = ask("a:1", 1020, 1, 3, 0);
	cr_assert_eq(store_limits_sync(a, &q, &g), 0);
	cr_assert(g.contended, "the first learns that the second waits");
	cr_assert_eq(g.slots, 1, "and keeps an equal share, at least what it has in flight");
	q = ask("b:2", 1030, 0, 2, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_eq(g.slots, 1, "the second gets its share: %d", g.slots);
	struct limits_view v;
	cr_assert_eq(store_limits_view(a, 1, 1040, &v), 0);
	cr_assert_eq(v.slots, 2);
	cr_assert_eq(v.holders, 2);
	cr_assert_eq(v.concurrency, 3);
	/* The first dies: its lease (5 s from its last sync) expires, and the second may take every slot. */
	q = ask("b:2", 1020 + 5000 - 1, 1, 3, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_eq(g.slots, 1, "not before the lease expires: an equal share while it may live");
	q = ask("b:2", 1020 + 5000, 1, 3, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_eq(g.slots, 3, "all of them after");
	q = ask("b:2", 7000, 0, 0, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_eq(store_limits_view(a, 1, 7000, &v), 0);
	cr_assert_eq(v.slots, 0, "a lease given up holds nothing");
	cr_assert_eq(v.holders, 0);
}

Test(store_limits, a_sync_reports_the_stored_circuit)
{
	cr_assert_eq(sqldb_exec(store_db(a), "UPDATE destinations SET circuit_state = 'open', circuit_reopen_at = "
	             "5000, consecutive_failures = 5, circuit_last = 'HTTP 502' WHERE id = 1"),
	             SQLDB_OK);
	struct limits_grant g;
	struct limits_ask q = ask("b:2", 1000, 0, 1, 0);
	cr_assert_eq(store_limits_sync(b, &q, &g), 0);
	cr_assert_str_eq(g.circuit_state, "open");
	cr_assert_eq(g.circuit_reopen_at, 5000);
	cr_assert_eq(g.failures, 5);
	cr_assert_str_eq(g.circuit_last, "HTTP 502");
}

Test(store_limits, a_cost_reading_written_by_one_handle_is_read_by_the_other)
{
	struct limits_view v;
	cr_assert_eq(store_limits_view(b, 1, 0, &v), 0);
	cr_assert_not(v.cost.known, "no answer yet");
	struct cost_seen c = {.known = true, .maximum = 1000, .available = 420.5, .restore_rate = 50, .seen_at = 7000};
	cr_assert_eq(store_cost_seen_put(a, 1, &c), 0);
	c.available = 380;
	c.seen_at = 8000;
	cr_assert_eq(store_cost_seen_put(a, 1, &c), 0, "the next reading replaces the last");
	cr_assert_eq(store_limits_view(b, 1, 9000, &v), 0);
	cr_assert(v.cost.known);
	cr_assert_float_eq(v.cost.maximum, 1000, 1e-9);
	cr_assert_float_eq(v.cost.available, 380, 1e-9);
	cr_assert_float_eq(v.cost.restore_rate, 50, 1e-9);
	cr_assert_eq(v.cost.seen_at, 8000);
	cr_assert_not(v.known, "the request bucket stays unknown: nothing took its tokens");
}
