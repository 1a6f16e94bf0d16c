#!/bin/bash
# feedsync stats: per connection and per shop over the last days: runs per day, failures, median and p95
# duration, products created, updated and retired.
. "$(dirname "$0")/../lib.sh"

# failed_run CONN_ID: a run of the connection that failed just now, its 3 products created in the catalog.
failed_run() {
	sql "insert into sync_runs(connection_id, trigger, status, created, created_at, started_at, finished_at)
	     values ($1, 'manual', 'failed', 3, strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000,
	     strftime('%s', 'now') * 1000)"
}

# "Alpha" ran 4 times (3 products created, then 1 updated; durations 1, 2, 3 and 40 s), "Shop feed" pushes to
# the shop "Main shop" and failed twice (nothing listens there); one run of Alpha is 40 days old.
history_of_two_connections() {
	printf 'sku,name,price,quantity\nA,Ceai,1,1\nB,Cafea,2,2\nC,Zahar,3,3\n' >"$T/a.csv"
	add_conn "Alpha" csv "$T/a.csv"
	fs_fast run 1 --wait; expect_rc 0 "the first run"
	printf 'sku,name,price,quantity\nA,Ceai,9,1\nB,Cafea,2,2\nC,Zahar,3,3\n' >"$T/a.csv"
	for _ in 1 2 3; do fs_fast run 1 --wait; expect_rc 0 "a re-run"; done
	fs_fast run 1 --wait
	fs_fast dest add --name "Main shop" --url "http://127.0.0.1:9" --key ck_test --secret cs_test --json
	expect_rc 0 "dest add"
	add_conn "Shop feed" csv "$T/a.csv" "\"destination\": {\"type\": \"woocommerce\", \"name\": \"Main shop\"}"
	# Two failed runs, written as a worker would (a real push to nowhere waits out the shop's patience).
	for _ in 1 2; do failed_run 2; done
	sql "update sync_runs set finished_at = started_at + case id when 1 then 1000 when 2 then 2000
	     when 3 then 3000 when 4 then 40000 else 500 end"
	sql "update sync_runs set started_at = started_at - 40 * 86400000 where id = 5"
}

test_stats_text_per_connection_and_shop() {
	history_of_two_connections
	fs stats
	expect_rc 0 "stats"
	expect_contains "$OUT" "Connections, last 30 days:"
	expect_contains "$OUT" "NAME       RUNS/DAY  FAILED  MEDIAN    P95  CREATED  UPDATED  RETIRED"
	# 4 runs in 30 days, none failed, median rank 2 of 1, 2, 3, 40 s; p95 rank 4.
	expect_eq "$(echo "$OUT" | grep '^Alpha ' | tr -s ' ')" "Alpha 0.13 0% 2.0s 40.0s 3 1 0" "Alpha's row"
	expect_eq "$(echo "$OUT" | grep '^Shop feed ' | tr -s ' ')" "Shop feed 0.07 100% 0.5s 0.5s 6 0 0" \
		"its row: the catalog took the products, the push failed"
	expect_contains "$OUT" "Destinations, last 30 days:"
	expect_eq "$(echo "$OUT" | grep '^Main shop ' | tr -s ' ')" "Main shop 0.07 100% 0.5s 0.5s 6 0 0" "the shop"
}

test_stats_days_and_json() {
	history_of_two_connections
	fs stats --days 60 --json
	expect_rc 0 "stats --json"
	expect_eq "$(json_get "$OUT" days)" "60"
	expect_eq "$(json_get "$OUT" connections.0.name)" "Alpha"
	expect_eq "$(json_get "$OUT" connections.0.runs)" "5" "the old run counts within 60 days"
	expect_eq "$(json_get "$OUT" connections.1.failure_rate)" "1"
	expect_eq "$(json_get "$OUT" destinations.0.name)" "Main shop"
	expect_eq "$(json_get "$OUT" destinations.0.runs)" "2"
	fs_fast stats --days 0
	expect_rc 2 "--days 0"
	expect_contains "$ERR" "--days 0: expected a number of days from 1 to 3650"
	fs_fast stats --weeks 2
	expect_rc 2 "an unknown option"
}

test_stats_with_no_runs() {
	fs_fast db migrate # a read-only command finds no database otherwise (test_data_paths.sh)
	fs stats
	expect_rc 0 "stats of an empty database"
	expect_contains "$OUT" "Connections, last 30 days:
  no runs
Destinations, last 30 days:
  no runs"
}

run_tests "$@"
