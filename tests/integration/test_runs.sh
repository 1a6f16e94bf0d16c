#!/bin/bash
# feedsync run and runs: list filters, show, errors as JSON and CSV, log, cancel, retry, exit codes, re-runs
# that change nothing or some things, filters, preview, `feedsync config` errors, and secrets kept out of
# every output.
. "$(dirname "$0")/../lib.sh"

# csv_conn NAME FILE [EXTRA_JSON_MEMBERS]: a CSV connection (sets $CONN_ID).
csv_conn() {
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}%s}\n' "$1" "$2" "${3:+, $3}" >"$T/$1.json"
	fs_fast conn add --file "$T/$1.json"
	expect_rc 0 "conn add $1"
	CONN_ID=$(sql "select id from connections where name = '$1'")
}

products_csv() {
	printf 'sku,name,price,quantity\nP1,Ceai,10.50,3\nP2,Cafea,22,5\nP3,Zahar,4.20,9\n' >"$1"
}

# The interpreter itself: a version manager's python3 shim can take half a second a start.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# py CODE ARGS...: a python check over outputs, where a shell check would not do.
py() {
	local code=$1; shift
	"$PYTHON" -c "import csv, io, json, sys
$code" "$@"
}

test_list_filters_status_conn_limit_json() {
	products_csv "$T/a.csv"
	csv_conn A "$T/a.csv"
	local a=$CONN_ID
	fs_fast run "$a" --wait                     # run 1 completed
	printf 'sku,name,price\nX,x,bad\nY,y,1\n' >"$T/a.csv"
	fs_fast run "$a" --wait                     # run 2 completed_with_errors
	csv_conn B "$T/nowhere.csv"
	local b=$CONN_ID
	fs_fast run "$b" --wait                     # run 3 failed
	fs_fast run "$b"                            # run 4 queued
	expect_rc 0 "run without --wait"

	fs_fast runs --status failed
	expect_rc 0 "runs --status failed"
	expect_eq "$(echo "$OUT" | awk 'NR > 1 {print $1 ":" $4}' | tr '\n' ' ')" "3:failed " "failed runs"
	fs_fast runs --status active
	expect_eq "$(echo "$OUT" | awk 'NR > 1 {print $1 ":" $4}' | tr '\n' ' ')" "4:queued " "active runs"
	fs_fast runs --conn "$a"
	expect_eq "$(echo "$OUT" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "2 1 " "runs of A, newest first"
	fs_fast runs list --limit 2
	expect_eq "$(echo "$OUT" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "4 3 " "runs --limit 2"
	fs_fast runs --status cancelled
	expect_eq "$OUT" "no runs match" "no cancelled runs"

	fs runs --conn "$a" --status completed_with_errors --json
	expect_rc 0 "runs --json"
	py 'runs = json.loads(sys.argv[1])
assert [(r["id"], r["status"], r["connection"], r["counters"]["failed"]) for r in runs] == \
	[(2, "completed_with_errors", "A", 1)], runs' "$OUT" || fail "runs --json: $OUT"

	fs_fast runs --status done
	expect_rc 2 "runs --status done"
	expect_contains "$ERR" "expected queued, running, completed"
	fs_fast runs --limit 0
	expect_rc 2 "runs --limit 0"
	fs_fast runs --conn x
	expect_rc 2 "runs --conn x"
}

test_show_and_exit_codes() {
	products_csv "$T/p.csv"
	csv_conn P "$T/p.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "completed run"
	expect_contains "$OUT" "run 1 completed: 3 rows: 3 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
	fs_fast runs show 1
	expect_rc 0 "runs show"
	expect_contains "$OUT" "run 1 of connection $CONN_ID (P)"
	expect_contains "$OUT" "status:    completed"
	expect_contains "$OUT" "trigger:   manual, attempt 1"
	expect_contains "$OUT" "rows 3, created 3, updated 0, unchanged 0"
	expect_contains "$OUT" "errors:    0"

	printf 'sku,name,price\nP1,a,1\nP2,b,x\n' >"$T/p.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "completed_with_errors run"
	expect_contains "$OUT" "1 error: feedsync runs errors 2"
	rm "$T/p.csv"
	fs_fast run "$CONN_ID" --wait --json
	expect_rc 1 "failed run"
	py 'r = json.loads(sys.argv[1]); assert (r["id"], r["status"]) == (3, "failed"), r' "$OUT" ||
		fail "run --wait --json: $OUT"

	fs_fast run "$CONN_ID"
	fs_fast run "$CONN_ID" --wait
	expect_rc 5 "run while a run is queued"
	expect_contains "$ERR" "already has run 4 (queued"
	expect_contains "$ERR" "feedsync runs cancel 4"
	fs_fast runs retry 3
	expect_rc 5 "retry while a run is queued"

	fs_fast runs show 999
	expect_rc 6 "runs show 999"
	expect_contains "$ERR" "no run 999"
	fs_fast run 999 --wait
	expect_rc 6 "run of connection 999"
	fs_fast runs show abc
	expect_rc 2 "runs show abc"
	fs_fast run "$CONN_ID" --bogus
	expect_rc 2 "run --bogus"
	fs_fast runs frobnicate
	expect_rc 2 "runs frobnicate"
}

test_errors_json_and_csv_escape_cells() {
	# SKUs a spreadsheet would run as formulas, a quote, a comma; prices that fail (one across two lines).
	cat >"$T/e.csv" <<'CSV'
sku,name,price
=SUM(A1:A9),formula,x1
+cmd,plus,x2
-neg,minus,x3
@at,at,x4
"q""uote, comma",quote,x5
plain,newline,"1
2"
ok,fine,1
CSV
	csv_conn E "$T/e.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "run"
	fs runs errors 1 --csv
	expect_rc 0 "runs errors --csv"
	expect_contains "$OUT" '"'"'"'=SUM(A1:A9)"'
	py 'rows = list(csv.reader(io.StringIO(sys.argv[1])))
assert rows[0] == ["line", "sku", "column", "code", "phase", "message"], rows[0]
got = [(r[0], r[1], r[2], r[3]) for r in rows[1:]]
want = [("2", "'"'"'=SUM(A1:A9)", "price", "bad_price"), ("3", "'"'"'+cmd", "price", "bad_price"),
        ("4", "'"'"'-neg", "price", "bad_price"), ("5", "'"'"'@at", "price", "bad_price"),
        ("6", "q\"uote, comma", "price", "bad_price"), ("7", "plain", "price", "bad_price")]
assert got == want, got
assert "1\n2" in rows[6][5], rows[6]
assert all(r[4] == "local_import" for r in rows[1:])' "$OUT" || fail "runs errors --csv: $OUT"

	fs_fast runs errors 1 --json
	expect_rc 0 "runs errors --json"
	py 'errs = json.loads(sys.argv[1])
assert [(e["line"], e["sku"], e["column"], e["code"]) for e in errs][:2] == \
	[(2, "=SUM(A1:A9)", "price", "bad_price"), (3, "+cmd", "price", "bad_price")], errs
assert errs[0]["message"] == "price '"'"'x1'"'"' in column price is not a number", errs[0]
assert len(errs) == 6' "$OUT" || fail "runs errors --json: $OUT"

	fs_fast runs errors 1
	expect_contains "$OUT" "LINE  SKU"
	expect_contains "$OUT" "1\\n2" "newline shown escaped in the table"
	fs_fast runs show 1 --json
	py 'r = json.loads(sys.argv[1]); assert r["errors_total"] == 6 and len(r["latest_errors"]) == 5, r' "$OUT" ||
		fail "runs show --json errors: $OUT"
}

test_log_tells_the_run() {
	products_csv "$T/p.csv"
	csv_conn P "$T/p.csv"
	fs_fast run "$CONN_ID" --wait
	fs runs log 1
	expect_rc 0 "runs log"
	expect_contains "$OUT" "info  claimed by"
	expect_contains "$OUT" "phase download"
	expect_contains "$OUT" "fetching $T/p.csv"
	expect_contains "$OUT" "phase local_import"
	expect_contains "$OUT" "completed: 3 rows: 3 created"
	fs_fast runs log 42
	expect_rc 6 "runs log 42"
}

test_cancel_a_queued_run() {
	products_csv "$T/p.csv"
	csv_conn P "$T/p.csv"
	fs_fast run "$CONN_ID"
	expect_contains "$OUT" "queued run 1 for connection $CONN_ID"
	fs runs cancel 1
	expect_rc 0 "runs cancel"
	expect_contains "$OUT" "run 1 cancelled before it started"
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "status"
	fs_fast runs cancel 1
	expect_contains "$OUT" "already finished (cancelled)"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a run after the cancel"
	expect_eq "$(sql 'select count(*) from products')" "3" "products"
}

run_1_is() { [ "$(sql 'select status from sync_runs where id = 1')" = "$1" ]; }

# A run stalled in its download stops on `runs cancel` from another process; `run --wait` exits 4.
test_cancel_a_running_run_exits_4() {
	mkdir -p "$T/www"
	start_feedserver "$T/www" || return
	csv_conn S "$FEED_URL/stall?s=30"
	timeout 30 "$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/run.out" 2>"$T/run.err" &
	local pid=$!
	echo "$pid" >>"$T/.pids"
	wait_until 10 run_1_is running || return
	fs runs cancel 1
	expect_contains "$OUT" "cancel requested: run 1 stops at its next safe point"
	wait "$pid"
	RC=$?
	expect_rc 4 "run --wait of the cancelled run"
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "status"
	expect_contains "$(cat "$T/run.out")" "run 1 cancelled: cancelled by request during the download"
}

test_retry_links_attempts() {
	csv_conn R "$T/r.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run of a missing file"
	fs runs retry 1
	expect_rc 0 "runs retry without --wait"
	expect_contains "$OUT" "queued run 2"
	expect_eq "$(sql 'select status, trigger, attempt, retry_of from sync_runs where id = 2')" \
		"queued|retry|2|1" "the queued retry"
	fs_fast runs cancel 2
	products_csv "$T/r.csv"
	fs_fast runs retry 2 --wait
	expect_rc 0 "retry of the retry"
	expect_eq "$(sql 'select status, attempt, retry_of from sync_runs where id = 3')" "completed|3|2" "run 3"
	fs_fast runs show 3
	expect_contains "$OUT" "trigger:   retry, attempt 3, retry of run 2"
	fs_fast runs retry 99
	expect_rc 6 "retry of no run"
}

test_rerun_unchanged_then_changed_feed() {
	products_csv "$T/p.csv"
	csv_conn P "$T/p.csv"
	fs_fast run "$CONN_ID" --wait
	expect_contains "$OUT" "3 created, 0 updated, 0 unchanged"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second run"
	expect_contains "$OUT" "3 rows: 0 created, 0 updated, 3 unchanged, 0 skipped, 0 failed"
	# P2 gets a new price, P3 leaves, P4 arrives.
	printf 'sku,name,price,quantity\nP1,Ceai,10.50,3\nP2,Cafea,23,5\nP4,Miere,30,2\n' >"$T/p.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "changed feed"
	expect_contains "$OUT" "3 rows: 1 created, 1 updated, 1 unchanged, 0 skipped, 0 failed; 1 missing from the feed"
	expect_eq "$(sql "select price from products where sku = 'P2'")" "23" "P2 price"
	expect_eq "$(sql "select sku from products where missing_since is not null")" "P3" "missing"
}

test_filters_count_skipped_rows() {
	printf 'sku,name,price,quantity\nF1,a,1,0\nF2,b,2,5\nF3,c,3,0\nF4,d,4,1\n' >"$T/f.csv"
	csv_conn F "$T/f.csv" '"filters": {"rules": [{"field": "quantity", "op": "gt", "value": "0"}]}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_contains "$OUT" "4 rows: 2 created, 0 updated, 0 unchanged, 2 skipped, 0 failed"
	expect_eq "$(sql 'select skipped from sync_runs where id = 1')" "2" "skipped counter"
	expect_eq "$(sql 'select group_concat(sku) from (select sku from products order by sku) as s')" "F2,F4" "products"
}

test_preview_of_a_connection_and_of_a_file() {
	printf 'Cod,Title,Colour,price\nV1,Ceai,red,1.5\nV2,Cafea,blue,abc\n,Zahar,green,3\n' >"$T/v.csv"
	csv_conn V "$T/v.csv"
	# The document previewed as a file also requires a column the feed lacks.
	sed -i 's/"type": "csv"/"type": "csv", "required": ["sku", "price", "quantity"]/' "$T/V.json"
	fs_fast preview "$CONN_ID"
	expect_rc 3 "preview ID (rows would fail)"
	expect_contains "$OUT" "columns: Cod, Title, Colour, price"
	expect_contains "$OUT" "unknown column, not read by the mapping or the filters: Colour"
	expect_contains "$OUT" "line 3 failed (bad_price, column price, SKU V2): price 'abc' in column price is not a number"
	expect_contains "$OUT" "line 4 failed (missing_sku, column sku)"
	expect_contains "$OUT" "3 rows: 1 ok, 0 skipped by filters, 2 would fail"

	fs preview --file "$T/V.json" --json
	expect_rc 1 "preview --file --json (a required column is missing: a run would fail)"
	py 'p = json.loads(sys.argv[1])
w = " | ".join(p["warnings"])
assert "missing required column: quantity; the feed has: Cod, Title, Colour, price" in w, w
assert "unknown column" in w and "Colour" in w, w
assert [(r["line"], r["verdict"], r.get("code")) for r in p["rows"]] == \
	[(2, "ok", None), (3, "failed", "bad_price"), (4, "failed", "missing_sku")], p["rows"]
assert p["rows"][0]["product"] == {"sku": "V1", "name": "Ceai", "regular_price": "1.5"}, p["rows"][0]
assert p["rows"][1]["column"] == "price" and "abc" in p["rows"][1]["message"], p["rows"][1]
assert (p["ok"], p["failed"]) == (1, 2)' "$OUT" || fail "preview --json: $OUT"
	expect_eq "$(sql 'select count(*) from sync_runs') $(sql 'select count(*) from products')" "0 0" \
		"runs and products after previews"

	: >"$T/v.csv"
	fs_fast preview "$CONN_ID"
	expect_rc 1 "preview of an empty feed"
	expect_contains "$OUT" "a run would fail"
}

test_config_errors_name_file_and_line() {
	printf '[http]\nstall_timeout_s = 7\ntimeoutz = 3\n[import]\nbatch_rows = many\n' >"$T/bad.ini"
	fs --config "$T/bad.ini" config
	expect_rc 2 "config with a bad key"
	expect_contains "$ERR" "$T/bad.ini:3: unknown key 'timeoutz' in [http]"
	expect_contains "$ERR" "$T/bad.ini:5: import.batch_rows = 'many'"
	FEEDSYNC_CONFIG="$T/bad.ini" fs_fast runs
	expect_rc 2 "runs with a bad config"
	expect_contains "$ERR" "bad.ini:3:"
	printf '[http]\nstall_timeout_s = 7\n' >"$T/good.ini"
	FEEDSYNC_CONFIG="$T/good.ini" fs_fast config
	expect_rc 0 "config"
	expect_contains "$OUT" "in effect: $T/good.ini"
	expect_contains "$OUT" "stall_timeout_s = 7"
}

# The secret values below must appear in no output, log or stored byte.
test_secrets_stay_out_of_every_output() {
	mkdir -p "$T/www"
	products_csv "$T/www/p.csv"
	start_feedserver "$T/www" || return
	local wrong_pw=Wr0ngPass-7731 wrong_token=T0ken-Wr0ng-99 url_pw=Pa55-in-url query_key=K3y-in-query
	printf '{"name": "Basic", "source": {"type": "csv", "url": "%s", "auth": {"username": "user", "password_env": "FEED_PW"}}}' \
		"$FEED_URL/auth/p.csv" >"$T/basic.json"
	fs_fast conn add --file "$T/basic.json"
	expect_rc 0 "conn add with password_env"
	local basic
	basic=$(sql "select id from connections where name = 'Basic'")
	FEED_PW=$wrong_pw fs run "$basic" --wait
	expect_rc 1 "run with a wrong password"
	expect_contains "$OUT" "HTTP 401"
	local seen="$OUT$ERR"
	FEED_PW=secret fs_fast run "$basic" --wait
	expect_rc 0 "run with the right password"
	seen="$seen$OUT$ERR"

	printf '{"name": "Bearer", "source": {"type": "csv", "url": "%s", "auth": {"token_env": "FEED_TOKEN"}}}' \
		"$FEED_URL/bearer/p.csv" >"$T/bearer.json"
	fs_fast conn add --file "$T/bearer.json"
	local bearer
	bearer=$(sql "select id from connections where name = 'Bearer'")
	FEED_TOKEN=$wrong_token fs_fast run "$bearer" --wait --json
	expect_rc 1 "run with a wrong token"
	seen="$seen$OUT$ERR"

	csv_conn Query "$FEED_URL/status/403?api_key=$query_key&x=1"
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "run of a 403"
	expect_contains "$OUT" "api_key=***&x=1"
	seen="$seen$OUT$ERR"

	for run in 1 2 3 4; do
		fs_fast runs show "$run"
		seen="$seen$OUT$ERR"
		fs_fast runs show "$run" --json
		seen="$seen$OUT"
		fs_fast runs log "$run"
		seen="$seen$OUT"
		fs_fast runs errors "$run" --json
		seen="$seen$OUT"
	done
	fs_fast runs --json
	seen="$seen$OUT"
	for secret in "$wrong_pw" "$wrong_token" "$query_key" ":secret"; do
		expect_not_contains "$seen" "$secret" "run outputs"
	done
	# Connection documents name the environment variables, never their values (a key written into the URL's
	# query is part of the document, so it is only hidden from run outputs).
	fs_fast conn export "$basic"
	expect_contains "$OUT" '"password_env":	"FEED_PW"'
	seen="$OUT"
	fs_fast conn show "$bearer" --json
	seen="$seen$OUT"
	fs_fast conn list --json
	seen="$seen$OUT"
	for secret in "$wrong_pw" "$wrong_token" ":secret"; do
		expect_not_contains "$seen" "$secret" "connection outputs"
	done
	for secret in "$wrong_pw" "$wrong_token" secret-token; do
		if grep -qa -- "$secret" "$FEEDSYNC_DB"*; then fail "the database holds '$secret'"; fi
	done

	# Credentials in the URL are refused without being echoed.
	printf '{"name": "InUrl", "source": {"type": "csv", "url": "http://user:%s@127.0.0.1:1/p.csv"}}' "$url_pw" \
		>"$T/inurl.json"
	fs_fast conn add --file "$T/inurl.json"
	expect_rc 1 "conn add with credentials in the URL"
	expect_contains "$ERR" "source.auth.password_env"
	seen="$OUT$ERR"
	fs_fast preview --file "$T/inurl.json"
	expect_rc 1 "preview --file with credentials in the URL"
	expect_not_contains "$seen$OUT$ERR" "$url_pw" "refusals"
	expect_eq "$(sql "select count(*) from connections where name = 'InUrl'")" "0" "InUrl stored"
}

run_tests "$@"
