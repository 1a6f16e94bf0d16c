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

fenced_by_run_1() { [ "$(sql "select count(*) from push_fences where run_id = 1")" -gt 0 ]; }

# A run that starts while another creates posts on the site lists the site once those creates are answered,
# not after their fences' whole time (timeout + overrun: 3 minutes here).
test_a_run_beside_another_lists_the_site_once_its_creates_are_answered() {
	start_fakewp --create-ms 100 --batch-max 5 || return
	add_site --concurrency 1 --timeout 60 --overrun 120
	local name pids=()
	for name in A B; do
		make_wp_feed 30 "$name"
		mv "$T/feed.csv" "$T/feed$name.csv"
		printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, "destination": {"type": "wordpress", "id": %s}}\n' \
			"$name" "$T/feed$name.csv" "$DEST_ID" >"$T/conn.json"
		fs_fast conn add --file "$T/conn.json" --json
		expect_rc 0 "conn add $name"
	done
	"$FEEDSYNC_BIN" run 1 --wait >"$T/a.out" 2>&1 &
	pids+=($!); echo "$!" >>"$T/.pids"
	wait_until 20 fenced_by_run_1 || return
	"$FEEDSYNC_BIN" run 2 --wait >"$T/b.out" 2>&1 &
	pids+=($!); echo "$!" >>"$T/.pids"
	wait "${pids[0]}" || fail "run A: $(tail -c 600 "$T/a.out")"
	wait "${pids[1]}" || fail "run B: $(tail -c 600 "$T/b.out")"
	expect_eq "$(sql "select count(*) from sync_runs where status = 'completed'")" "2" "both runs completed"
	local gap
	gap=$(sql "select (max(finished_at) - min(finished_at)) / 1000 from sync_runs")
	[ "$gap" -le 20 ] || fail "run B ended ${gap} s after run A: it waited out fences A had dropped"
	expect_eq "$(wp_state 'len(posts)')" "60" "posts"
	expect_unique_wp_skus
}

run_tests "$@"
