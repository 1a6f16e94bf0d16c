#!/bin/bash
# Workers sharing one PostgreSQL database (always on a throwaway server: this file sets FEEDSYNC_TEST_PG):
# claims with FOR UPDATE SKIP LOCKED never hand one run to two workers, and every queued run is executed once.
FEEDSYNC_TEST_PG=1
. "$(dirname "$0")/../lib.sh"

RUNS=16

# worker_config: quick polling, so that the workers race for the queue instead of taking turns.
worker_config() {
	printf '[worker]\nheartbeat_interval_s = 1\nstale_after_s = 30\npoll_interval_ms = 20\n' >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
}

active_runs() { sql "select count(*) from sync_runs where status in ('queued', 'running')"; }
queue_drained() { [ "$(active_runs)" = 0 ]; }
workers_up() { [ "$(sql 'select count(*) from workers')" = "$1" ]; }

test_three_workers_execute_each_queued_run_once() {
	worker_config
	local i
	for i in $(seq 500); do printf 'S%04d,Product %d,%d.50,%d\n' "$i" "$i" "$i" "$i"; done |
		sed '1i sku,name,price,quantity' >"$T/feed.csv"
	for i in $(seq "$RUNS"); do
		add_conn "C$i" csv "$T/feed.csv" "\"destination\": {\"type\": \"file\", \"path\": \"$T/out$i.csv\"}"
		fs_fast run "$CONN_ID"
		expect_rc 0 "queueing run $i"
	done
	expect_eq "$(sql "select count(*) from sync_runs where status = 'queued'")" "$RUNS" "queued runs"
	for i in 1 2 3; do
		"$FEEDSYNC_BIN" worker --threads 2 >"$T/worker$i.out" 2>"$T/worker$i.err" &
		echo $! >>"$T/.pids"
	done
	wait_until 10 workers_up 3 || return
	wait_until 60 queue_drained || return
	expect_eq "$(sql "select count(*) from sync_runs where status = 'completed'")" "$RUNS" "completed runs"
	# The run's own log says who claimed it: one line per run, never two.
	expect_eq "$(sql "select count(*) from run_events where message like 'claimed by %'")" "$RUNS" "claims"
	expect_eq "$(sql "select count(*) from (select run_id from run_events where message like 'claimed by %'
		group by run_id having count(*) > 1) twice")" 0 "runs claimed twice"
	local claimants
	claimants=$(sql "select count(distinct worker_id) from sync_runs")
	[ "$claimants" -ge 2 ] || fail "only $claimants worker claimed runs: no race was tested"
	for i in $(seq "$RUNS"); do
		[ "$(wc -l <"$T/out$i.csv" 2>/dev/null)" = 501 ] || fail "export $i: $(wc -l <"$T/out$i.csv" 2>&1)"
	done
	expect_eq "$(sql "select sum(product_count) from connections")" $((RUNS * 500)) "products in the catalogs"
}

run_tests "$@"
