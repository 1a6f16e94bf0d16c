#!/bin/bash
# The catalog import on PostgreSQL (always a throwaway server: this file sets FEEDSYNC_TEST_PG), where a batch goes
# by COPY into a staging table and one statement from there into products: the same counters, errors and rows as
# the same feeds give on SQLite, values that COPY's text format escapes kept whole, a run killed mid-import
# leaving the catalog and its count consistent, and a batch of 30 000 rows committed within stale_after_s.
FEEDSYNC_TEST_PG=1
. "$(dirname "$0")/../lib.sh"

# on_both ARGS...: fs on the PostgreSQL database, then fs_fast on the SQLite file; their stdout in PG_OUT, LITE_OUT.
on_both() {
	fs "$@"
	PG_OUT=$OUT PG_RC=$RC
	fs_fast --db "$T/lite.db" "$@"
	LITE_OUT=$OUT LITE_RC=$RC
	expect_eq "$PG_RC" "$LITE_RC" "exit status of feedsync $* on PostgreSQL and SQLite"
}

# The catalog, as psql and the sqlite3 shell both print it ('|' between columns, NULL as nothing).
CATALOG_SQL="SELECT sku, name, price, quantity, data, hash, line, first_seen_run, changed_run, missing_runs,
  CASE WHEN missing_since IS NULL THEN 0 ELSE 1 END FROM products ORDER BY sku"
COUNT_SQL="SELECT product_count || ' ' || (SELECT count(*) FROM products) FROM connections"

# expect_same_catalog WHAT: every row and the product count alike on both backends.
expect_same_catalog() {
	local pg lite
	pg=$(sql "$CATALOG_SQL")
	lite=$(sqlite3 -batch -noheader "$T/lite.db" "$CATALOG_SQL")
	[ "$pg" = "$lite" ] || fail "$1: the catalogs differ: $(diff <(echo "$lite") <(echo "$pg") | head -20)"
	expect_eq "$(sql "$COUNT_SQL")" "$(sqlite3 -batch -noheader "$T/lite.db" "$COUNT_SQL")" "$1: product_count and rows"
}

# import_both WHAT: a run of connection 1 on both backends, its summary and errors alike; SHOW is the run's JSON.
import_both() {
	on_both run 1 --wait
	on_both runs show "$(sql 'SELECT max(id) FROM sync_runs')" --json
	SHOW=$PG_OUT
	expect_eq "$(json_get "$PG_OUT" summary)" "$(json_get "$LITE_OUT" summary)" "$1: summary"
	on_both runs errors "$(sql 'SELECT max(id) FROM sync_runs')"
	expect_eq "$PG_OUT" "$LITE_OUT" "$1: errors"
	expect_same_catalog "$1"
}

# Rows created, changed, unchanged, gone, failing and back, with the characters COPY's text format escapes
# (tab, backslash, \N, newline, CR) and others, over several batches (batch_rows = 3).
test_counters_errors_and_rows_match_sqlite() {
	printf '[import]\nbatch_rows = 3\n' >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
	add_conn P csv "$T/feed.csv"
	fs_fast --db "$T/lite.db" conn add --file "$T/conn.json"
	expect_rc 0 "conn add on SQLite"
	printf 'sku,name,price,quantity\n' >"$T/feed.csv"
	printf 'A1,"tab\there",1.50,1\n' >>"$T/feed.csv"
	printf 'A2,"back\\slash \\N and \\\\N",2.50,2\n' >>"$T/feed.csv"
	printf 'A3,"two\nlines\r\nand CR",3.50,\n' >>"$T/feed.csv"
	printf 'A4,"Ștefănescu ""quoted"", comma",4,4\n' >>"$T/feed.csv"
	printf 'A5,,5,5\nA6,six,6,6\nA7,seven,7,7\n' >>"$T/feed.csv"
	import_both "first import"
	expect_eq "$(json_get "$SHOW" counters.created)" 7 "created by the first import"
	expect_eq "$(sql "SELECT name FROM products WHERE sku = 'A1'")" "$(printf 'tab\there')" "A1's name"
	expect_eq "$(sql "SELECT name FROM products WHERE sku = 'A2'")" 'back\slash \N and \\N' "A2's name"

	# A2 and A5 change, A3 and A7 go, B1 is new.
	printf 'sku,name,price,quantity\n' >"$T/feed.csv"
	printf 'A1,"tab\there",1.50,1\nA2,"back\\slash",2.75,2\nA4,"Ștefănescu ""quoted"", comma",4,4\n' >>"$T/feed.csv"
	printf 'A5,five,5,5\nA6,six,6,6\nB1,"new\tone",9,9\n' >>"$T/feed.csv"
	import_both "second import"
	expect_eq "$(json_get "$SHOW" counters.created) $(json_get "$SHOW" counters.updated)" "1 2" "second import"
	expect_contains "$(json_get "$SHOW" summary)" "2 missing from the feed" "second import"

	# A3 comes back changed, A7 as it was, A4 twice, a row without a SKU.
	printf 'sku,name,price,quantity\n' >"$T/feed.csv"
	printf 'A1,"tab\there",1.50,1\nA2,"back\\slash",2.75,2\nA3,three,3.50,3\n' >>"$T/feed.csv"
	printf 'A4,"Ștefănescu ""quoted"", comma",4,4\nA5,five,5,5\nA6,six,6,6\nA7,seven,7,7\nB1,"new\tone",9,9\n' \
		>>"$T/feed.csv"
	printf 'A4,again,4,4\n,no sku,1,1\n' >>"$T/feed.csv"
	import_both "third import"
	expect_eq "$(json_get "$SHOW" counters.updated) $(json_get "$SHOW" counters.unchanged)" "1 7" "third import"
	expect_eq "$(json_get "$SHOW" counters.failed)" 2 "third import"
	expect_contains "$PG_OUT" "10  A4   sku     duplicate_sku  duplicate SKU 'A4' on line 10: already on line 5" "errors"
	expect_contains "$PG_OUT" "11       sku     missing_sku    row has no SKU" "errors"

	# Without the failing rows the feed is trusted again: A7, back unchanged, loses its missing mark.
	head -n 9 "$T/feed.csv" >"$T/feed2.csv" && mv "$T/feed2.csv" "$T/feed.csv"
	import_both "fourth import"
	expect_eq "$(sql "SELECT count(*) FROM products WHERE missing_since IS NOT NULL")" 0 "missing after the fourth"
}

# gen_csv FILE ROWS: a valid product CSV of ROWS rows.
gen_csv() {
	awk -v n="$2" 'BEGIN {
		print "sku,name,price,quantity"
		for (i = 1; i <= n; i++) printf "SKU%07d,Product %d,%d.99,%d\n", i, i, i % 500, i % 50 + 1
	}' >"$1"
}

some_committed() { [ "$(sql "SELECT count(*) FROM products")" -gt 0 ]; }
recovered() { "$FEEDSYNC_BIN" runs >/dev/null 2>&1; [ "$(sql "SELECT status FROM sync_runs")" = failed ]; }
# No session of the killed process is left on the server (its transaction rolled back).
alone() { [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ]; }

# kill -9 while batches commit: whatever is in the catalog is whole and counted, and a retry makes it complete.
test_a_killed_import_leaves_the_catalog_consistent() {
	gen_csv "$T/feed.csv" 200000
	add_conn K csv "$T/feed.csv"
	printf '[import]\nbatch_rows = 5000\n[worker]\nheartbeat_interval_s = 1\nstale_after_s = 2\n' >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/run.out" 2>&1 &
	local pid=$!
	echo "$pid" >>"$T/.pids"
	wait_until 30 some_committed || return
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait_until 10 alone || return
	local kept
	kept=$(sql "SELECT count(*) FROM products")
	[ "$kept" -lt 200000 ] || fail "the run finished before it was killed: make the feed longer"
	expect_eq "$(sql "SELECT product_count FROM connections")" "$kept" "product_count after the kill"
	expect_eq "$(sql "SELECT count(*) FROM products WHERE data IS NULL OR first_seen_run IS NULL")" 0 \
		"rows without their values"
	wait_until 10 recovered || return
	fs_fast run "$CONN_ID" --wait --json
	expect_rc 0 "the next run"
	expect_eq "$(json_get "$OUT" counters.created) $(json_get "$OUT" counters.unchanged)" "$((200000 - kept)) $kept" "the next run's counts"
	expect_eq "$(sql "$COUNT_SQL")" "200000 200000" "product_count and rows after it"
}

# A run's heartbeat commits with the import's batches: a batch of 30 000 new rows must commit well within the
# shortest stale_after_s (2 s), or any process looking at the runs fails the run as lost.
test_a_large_batch_commits_within_stale_after() {
	gen_csv "$T/feed.csv" 90000
	add_conn B csv "$T/feed.csv"
	printf '[import]\nbatch_rows = 30000\n[worker]\nheartbeat_interval_s = 1\nstale_after_s = 2\n' >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/run.out" 2>&1 &
	local pid=$!
	echo "$pid" >>"$T/.pids"
	# Another process looks at the runs all along, as a console or a second worker would.
	while kill -0 "$pid" 2>/dev/null; do "$FEEDSYNC_BIN" runs >/dev/null 2>&1; sleep 0.2; done
	wait "$pid"
	RC=$?
	expect_rc 0 "run --wait: $(cat "$T/run.out")"
	expect_eq "$(sql "SELECT status || ' ' || created FROM sync_runs")" "completed 90000" "the run"
}

run_tests "$@"
