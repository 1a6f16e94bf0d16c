#!/usr/bin/env bash
# A worker killed while the site still executes its create batches (fakewp --create-ms: WordPress has no unique
# meta, and PHP goes on after its client died), then retried at once: the fences keep the retry from listing the
# site's posts until those requests are over, so it finds what they made instead of making it twice.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"
. "$ROOT/tests/fakewp/wp_lib.sh"


test_kill_during_slow_creates_then_retry_makes_no_duplicate() {
	start_fakewp --create-ms 150 --batch-max 10 || return
	lose_workers_fast
	# Batches of 10 creates take 1.5 s: they outlive the 2 s until the run is found lost.
	add_site --concurrency 2 --timeout 5 --overrun 1
	make_wp_feed 30
	kill_slow_creates_then_retry 30 || return
	expect_unique_wp_skus
	fs_fast runs log 2
	expect_contains "$OUT" "may still be executing"
}

test_cancel_stops_the_push_within_two_seconds() {
	start_fakewp --create-ms 100 --batch-max 5 || return
	add_site --concurrency 1
	make_wp_feed 60
	add_wp_conn
	run_in_background
	wait_until 30 wp_site_has_at_least 2 || return
	local t0=$(date +%s%N)
	fs_fast runs cancel 1
	wait_for_run
	local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	expect_rc 4 "the cancelled run"
	[ "$ms" -lt 2500 ] || fail "the cancel took $ms ms"
	wait_until 30 wp_site_idle || return
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the next run"
	expect_eq "$(wp_state 'len(posts)')" "60" "posts"
	expect_unique_wp_skus
}

run_tests "$@"
