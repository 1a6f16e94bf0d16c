/* A run's samples: when they are taken and thinned (sampler), stored and thinned (store), and read back as a
 * throughput picture (throughput); a shop's last requests (outcomes). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_samples.h"
#include "core/util.h"
#include "dest/gate.h"
#include "engine/sampler.h"
#include "tui/throughput.h"

Test(sampler, at_most_one_a_second)
{
	struct sampler s;
	sampler_init(&s, 600);
	cr_expect(sampler_due(&s, 0), "the first flush samples");
	cr_expect_not(sampler_taken(&s, 0));
	cr_expect_not(sampler_due(&s, 250));
	cr_expect_not(sampler_due(&s, 999));
	cr_expect(sampler_due(&s, 1000));
	cr_expect_not(sampler_taken(&s, 1200));
	cr_expect_not(sampler_due(&s, 2100), "a second after the last sample, not on a fixed grid");
	cr_expect(sampler_due(&s, 2200));
}

Test(sampler, full_thins_by_half_and_slows_down)
{
	struct sampler s;
	sampler_init(&s, 4);
	int64_t t = 0;
	int thinned = 0;
	for (int i = 0; i < 3; i++, t += 1000)
		thinned += sampler_taken(&s, t);
	cr_expect_eq(thinned, 0);
	cr_expect(sampler_taken(&s, t), "the 4th of 4 fills it");
	cr_expect_eq(s.count, 2, "every other one dropped");
	cr_expect_eq(s.interval_ms, 2000, "half as often from now on");
	cr_expect_not(sampler_due(&s, t + 1999));
	cr_expect(sampler_due(&s, t + 2000));
	sampler_init(&s, 5);
	cr_expect_eq(s.cap, 4, "an odd cap rounds down, so halving keeps evenly spaced samples");
}

static struct run_sample sample(int64_t t, const char *phase, int64_t rows, int64_t items, int batch,
                                const char *circuit)
{
	struct run_sample r = {.t = t, .rows_read = rows, .push_processed = items, .batch_size = batch};
	str_copy(r.phase, phase, sizeof(r.phase));
	str_copy(r.circuit, circuit, sizeof(r.circuit));
	return r;
}

Test(throughput, import_and_push_rates_with_the_cliff)
{
	struct run_sample s[] = {
		sample(0, "download", 0, 0, 0, ""),
		sample(1000, "local_import", 40000, 0, 0, ""),
		sample(2000, "local_import", 92000, 0, 0, ""),
		sample(3000, "pushing", 92000, 120, 100, "closed"),
		sample(4000, "pushing", 92000, 240, 100, "closed"),
		sample(6000, "pushing", 92000, 260, 25, "open"),
		sample(7000, "pushing", 92000, 261, 25, "half-open"),
	};
	int n = (int)ARRAY_LEN(s);
	struct throughput tp;
	throughput_of(s, n, THROUGHPUT_IMPORT, 40, &tp);
	cr_assert_eq(tp.n, 2);
	cr_expect_float_eq(tp.rate[0], 40000, 1e-6);
	cr_expect_float_eq(tp.peak, 52000, 1e-6);
	cr_expect_float_eq(tp.last, 52000, 1e-6);
	cr_expect_eq(tp.open_ms, 0);
	throughput_of(s, n, THROUGHPUT_PUSH, 40, &tp);
	cr_assert_eq(tp.n, 4, "the first push interval ends at the first push sample");
	cr_expect_float_eq(tp.rate[1], 120, 1e-6);
	cr_expect_float_eq(tp.rate[2], 10, 1e-6, "20 items in 2 s");
	cr_expect_float_eq(tp.last, 1, 1e-6);
	cr_expect_eq(tp.batch_first, 100);
	cr_expect_eq(tp.batch_last, 25);
	cr_expect_eq(tp.open_ms, 3000, "open and half-open count");
	cr_expect(tp.circuit_open[2] && tp.circuit_open[3] && !tp.circuit_open[1]);
	throughput_of(s, n, THROUGHPUT_PUSH, 2, &tp);
	cr_assert_eq(tp.n, 2, "fewer columns average their intervals");
	cr_expect_float_eq(tp.rate[0], 240.0 * 1000 / 2000, 1e-6);
	cr_expect_float_eq(tp.rate[1], 21.0 * 1000 / 3000, 1e-6);
}

Test(throughput, a_phase_without_two_samples_has_no_picture)
{
	struct run_sample s[] = {sample(0, "local_import", 0, 0, 0, "")};
	struct throughput tp;
	throughput_of(s, 1, THROUGHPUT_IMPORT, 40, &tp);
	cr_expect_eq(tp.n, 0);
	throughput_of(s, 1, THROUGHPUT_PUSH, 40, &tp);
	cr_expect_eq(tp.n, 0);
	char buf[16];
	throughput_number(41234, buf, sizeof(buf));
	cr_expect_str_eq(buf, "41k");
	throughput_number(4200, buf, sizeof(buf));
	cr_expect_str_eq(buf, "4.2k");
	throughput_number(120, buf, sizeof(buf));
	cr_expect_str_eq(buf, "120");
}

Test(store_samples, thinning_drops_every_other_keeping_the_first)
{
	char dir[] = "/tmp/fs-samples-XXXXXX", path[512], err[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	struct store *s = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	struct conn_fields f = {.name = "c", .active = true, .source_type = "csv", .source_url = "/x.csv",
	                        .schedule = "manual", .document = "{}"};
	int64_t conn = 0, run = 0;
	struct run_row active;
	cr_assert_eq(store_conn_insert(s, &f, &conn, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(store_run_enqueue(s, conn, "manual", 0, 1, false, &run, &active), 0);
	for (int i = 0; i < 6; i++) {
		struct run_sample r = sample(i * 1000, "pushing", 0, i * 10, i < 3 ? 100 : 0, i < 3 ? "closed" : "");
		cr_assert_eq(store_sample_add(s, run, &r), 0, "%s", store_errmsg(s));
	}
	cr_assert_eq(store_samples_thin(s, run), 0, "%s", store_errmsg(s));
	struct run_sample out[SAMPLES_READ_MAX];
	int n = store_samples_of_run(s, run, out, SAMPLES_READ_MAX);
	cr_assert_eq(n, 3);
	cr_expect_eq(out[0].t, 0);
	cr_expect_eq(out[1].t, 2000);
	cr_expect_eq(out[2].t, 4000);
	cr_expect_eq(out[1].push_processed, 20);
	cr_expect_eq(out[1].batch_size, 100);
	cr_expect_str_eq(out[1].circuit, "closed");
	cr_expect_eq(out[2].batch_size, 0, "no push yet reads as 0");
	cr_expect_str_eq(out[2].circuit, "", "no shop reads as empty");
	cr_expect_eq(store_samples_of_run(s, run, out, 2), 2, "at most max");
	store_close(s);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(outcomes, a_ring_of_the_last_requests)
{
	char ring[DEST_OUTCOMES_MAX + 1] = "";
	outcomes_push(ring, '+');
	outcomes_push(ring, '-');
	cr_expect_str_eq(ring, "+-");
	for (int i = 0; i < DEST_OUTCOMES_MAX - 2; i++)
		outcomes_push(ring, '+');
	cr_expect_eq(strlen(ring), DEST_OUTCOMES_MAX);
	cr_expect_eq(ring[1], '-');
	outcomes_push(ring, '-');
	cr_expect_eq(strlen(ring), DEST_OUTCOMES_MAX, "full: the oldest goes");
	cr_expect_eq(ring[0], '-', "the old failure moved to the front");
	cr_expect_eq(ring[DEST_OUTCOMES_MAX - 1], '-', "the newest last");
}

Test(outcomes, the_gate_counts_successes_and_transient_failures_only)
{
	struct gate *g = gate_get(987654);
	struct gate_limits limits = {.concurrency = 1, .threshold = 100, .window_ms = 0, .open_ms = 1000};
	struct gate_circuit stored = {.state = "closed"};
	str_copy(stored.outcomes, "-", sizeof(stored.outcomes));
	gate_configure(g, &limits, &stored);
	struct gate_circuit c;
	enum gate_result results[] = {GATE_SUCCESS, GATE_NEUTRAL, GATE_TRANSIENT_FAILURE, GATE_SUCCESS};
	for (size_t i = 0; i < ARRAY_LEN(results); i++) {
		int64_t wait;
		cr_assert_eq(gate_admit(g, now_ms(), &wait), GATE_GO);
		gate_release(g, now_ms(), results[i], "x", &c);
	}
	cr_expect_str_eq(c.outcomes, "-+-+", "seeded from the stored ones; a 4xx tells nothing about the shop");
}
