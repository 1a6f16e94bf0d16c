#!/bin/bash
# What the pictures read. A run's samples of its counters (run_samples): at most one a second, written with the
# counter flushes, capped per run; they carry the push's batch size and the shop's circuit, for the run detail's
# throughput. A shop's last requests (destinations.recent_outcomes), for the destinations' strip.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

samples() { sql "select $1 from run_samples where run_id = ${2:-1} order by t"; }

test_a_shop_that_slows_down_shows_in_the_samples() {
	start_fakewoo || return
	add_shop --concurrency 1 --batch-size 20
	make_feed 200
	add_woo_conn
	# Four fast batches, then 600 ms each: the push rate falls mid-run.
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "skip": 4, "latency_ms": 600}]'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push"
	local n
	n=$(samples "count(*)")
	[ "$n" -ge 4 ] || fail "only $n samples of a run of several seconds"
	expect_eq "$(sql "select count(*) from run_samples where run_id = 1 and phase = 'pushing'
	               and batch_size = 20 and circuit = 'closed'")" "$((n - $(sql "select count(*) from run_samples
	               where run_id = 1 and phase is not 'pushing'")))" "push samples carry batch size and circuit"
	# At most one a second: consecutive samples at least 1 s apart.
	expect_eq "$(sql "select count(*) from (select t - lag(t) over (order by t) as gap from run_samples
	               where run_id = 1) where gap < 1000")" "0" "no two samples within a second"
	# The last push sample saw more items than the first; the counters only grow.
	expect_eq "$(sql "select count(*) from (select push_processed - lag(push_processed) over (order by t) as d
	               from run_samples where run_id = 1) where d < 0")" "0" "counters never go back"
}

test_samples_are_capped_per_run() {
	# With room for 4, a run of 8 s or more keeps thinning: never 4 at once, and ever further apart.
	printf '[import]\nsamples_cap = 4\n' >"$T/fs.ini"
	export FEEDSYNC_CONFIG="$T/fs.ini"
	start_fakewoo || return
	add_shop --concurrency 1 --batch-size 10
	make_feed 80
	add_woo_conn
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 1000}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push"
	local n span
	n=$(samples "count(*)")
	span=$(samples "max(t) - min(t)")
	[ "$n" -ge 2 ] && [ "$n" -le 3 ] || fail "$n samples kept with room for 4"
	[ "$span" -ge 4000 ] || fail "thinning kept the first and the later samples: they span only $span ms"
	[ "$(samples "min(t)")" -lt 1000 ] || fail "the first sample (at the run's start) was dropped"
}

test_a_shops_last_requests_are_kept() {
	start_fakewoo || return
	add_shop --concurrency 1 --batch-size 10
	make_feed 40
	add_woo_conn
	# The 2nd and 3rd batch requests fail (502) and are retried: 4 batches, 6 requests.
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "skip": 1, "times": 2, "status": 502}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the push rides out two failures"
	local strip
	strip=$(sql "select recent_outcomes from destinations")
	expect_eq "$(tr -d '+' <<<"$strip")" "--" "two failures among the requests: $strip"
	expect_eq "${strip: -3}" "+++" "the last batches went through: $strip"
	# A long push keeps only the last 32, the newest last.
	make_feed 400 1
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a longer push"
	expect_eq "$(sql "select recent_outcomes from destinations")" "$(printf '+%.0s' $(seq 32))" "the last 32"
}

run_tests "$@"
