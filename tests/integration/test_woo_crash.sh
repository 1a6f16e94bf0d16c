#!/bin/bash
# A worker killed while the shop is still executing its create batches, then retried at once: the shop's create
# is slow and its SKU check is not atomic (fakewoo --create-ms), so a retry that creates while the dead worker's
# requests go on makes duplicates. The push fences keep the retry off those SKUs until the requests are over.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

ROUNDS=${CRASH_ROUNDS:-20}
AT_ONCE=10

run_status() { sql "select status from sync_runs where id=$1"; }
run_is_lost() { fs_fast runs show 1 --json; [ "$(run_status 1)" = failed ]; }
shop_idle() { [ "$(woo state 's["in_flight"]')" = 0 ]; }

# One kill and retry in a directory of its own, with its own shop and database.
crash_round() {
	T="$1"
	export FEEDSYNC_DB="$T/feedsync.db"
	start_fakewoo --create-ms 250 || return
	lose_workers_fast
	# Batches of 16 creates take about 4 s: they outlive the 2 s until the run is found lost.
	add_shop --concurrency 2 --batch-size 16 --timeout 10 --overrun 1
	make_feed 40
	add_woo_conn
	kill_run_when shop_has_at_least 3 || return
	wait_until 30 run_is_lost || return
	fs_fast runs retry 1 --wait
	local retry_rc=$RC retry_out="$OUT$ERR"
	wait_until 60 shop_idle || return
	expect_eq "$retry_rc" 0 "the retry's exit code ($retry_out)"
	expect_eq "$(woo state 'len(skus)')" "40" "products in the shop"
	expect_unique_skus
	expect_eq "$(run_status 2)" "completed" "the retry"
	fs_fast runs log 2
	expect_contains "$OUT" "may still be executing"
	while read -r p; do kill "$p" 2>/dev/null; done <"$T/.pids"
}

test_kill_during_slow_creates_then_retry_at_once_makes_no_duplicate() {
	local round=0 failed=0
	while [ "$round" -lt "$ROUNDS" ]; do
		local started=()
		for _ in $(seq "$AT_ONCE"); do
			[ "$round" -lt "$ROUNDS" ] || break
			round=$((round + 1))
			mkdir -p "$T/round$round"
			(crash_round "$T/round$round" >"$T/round$round/.log" 2>&1) &
			started+=($!)
		done
		wait "${started[@]}"
	done
	for r in $(seq "$ROUNDS"); do
		if [ -f "$T/round$r/.failed" ]; then
			failed=$((failed + 1))
			echo "round $r: $(head -c 600 "$T/round$r/.log")"
		fi
	done
	[ "$failed" -eq 0 ] || fail "$failed of $ROUNDS kill-and-retry rounds went wrong"
}

# A create batch that timed out goes on in the shop: its products wait until it must be over (timeout + overrun),
# then are looked up, and only those the shop lacks are created.
test_a_create_batch_that_timed_out_is_not_sent_again_while_it_may_execute() {
	start_fakewoo --create-ms 300 || return
	# 8 creates of about 300 ms each: the batch is still executing when the 1 s timeout gives up on it.
	add_shop --concurrency 3 --batch-size 8 --timeout 1 --overrun 5
	make_feed 24
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run ($ERR)"
	wait_until 30 shop_idle || return
	expect_eq "$(woo state 'len(skus)')" "24" "products in the shop"
	expect_unique_skus
	fs_fast runs log 1
	expect_contains "$OUT" "may still be executing"
	[ "$(sql "select count(*) from push_fences")" -ge 1 ] || fail "no fence left for the next run to check"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the next run ($ERR)"
	expect_eq "$(sql "select count(*) from push_fences")" "0" "fences left after the next run checked them"
	expect_eq "$(woo state 'len(skus)')" "24" "products in the shop"
}

# With an overrun too short for the shop, creates that timed out are still executing when their products are
# created again: the check after each create (and the next run's) finds the SKUs made twice. repair_duplicates 1
# moves feedsync's extra products to the trash, 0 only reports them. (The fake sees the SKUs in two requests at
# once: that is the misconfiguration.)
too_short_overrun() {
	start_fakewoo --create-ms 300 || return
	add_shop --concurrency 3 --batch-size 8 --timeout 1 --overrun 0 --repair-duplicates "$1"
	make_feed 24
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	wait_until 30 shop_idle || return
	sleep 1.5 # the fences of the timed-out creates end
	run_fs fs_fast run "$CONN_ID" --wait
	wait_until 30 shop_idle || return
	fs_fast runs errors 1 --json
	ERRORS="$OUT"
	fs_fast runs errors 2 --json
	ERRORS="$ERRORS$OUT"
	fs_fast runs log 1
	LOGS="$OUT"
	fs_fast runs log 2
	LOGS="$LOGS$OUT"
}

live_skus_unique() { [ "$(woo state 'len(skus) == len(set(x.lower() for x in skus))')" = True ]; }

test_duplicates_made_by_a_too_short_overrun_are_found_and_repaired() {
	too_short_overrun 1 || return
	expect_contains "$ERRORS" "duplicate_sku"
	expect_contains "$ERRORS" "feedsync keeps the oldest and moves the others to the trash"
	expect_contains "$LOGS" "to the trash of 'shop'"
	[ "$(woo state 'len(trashed)')" -ge 1 ] || fail "no duplicate went to the trash"
	expect_eq "$(woo state 'len(skus)')" "24" "products outside the trash"
	live_skus_unique || fail "a SKU is still in the shop twice: $(woo state 'sorted(skus)')"
	[ "$(sql "select count(*) from sync_runs where status = 'completed_with_errors'")" -ge 1 ] ||
		fail "no run ended with errors for the duplicates it found"
}

test_duplicates_are_only_reported_when_repair_is_off() {
	too_short_overrun 0 || return
	expect_contains "$ERRORS" "not repaired (destination option repair_duplicates is 0)"
	expect_eq "$(woo state 'len(trashed)')" "0" "products in the trash"
	[ "$(woo state 'len(skus)')" -gt 24 ] || fail "the shop holds no duplicate to report"
}

run_tests "$@"
