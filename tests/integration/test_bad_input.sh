#!/bin/bash
# Every bad input ends well: the run reaches its documented final status (and `run --wait` the matching exit
# code), `runs show` names the cause and where it is, and the catalog stays consistent: integrity ok, no run
# left queued or running, the products that should be there and none marked missing by a feed that cannot be
# trusted. Feeds are written by each test; HTTP ones come from tests/helpers/feedserver.py.
. "$(dirname "$0")/../lib.sh"

# use_config [INI_LINES]: a config file with a temp dir of the test's own (so leftovers can be seen), plus
# INI_LINES (section headers included), through $FEEDSYNC_CONFIG.
use_config() {
	mkdir -p "$T/tmp"
	printf '[import]\ntemp_dir = %s\n%s\n' "$T/tmp" "${1:-}" >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
}

# feed_conn TYPE URL [EXTRA_SOURCE_MEMBERS]: a connection named "feed" (sets $CONN_ID).
feed_conn() {
	printf '{"name": "feed", "source": {"type": "%s", "url": "%s"%s}}\n' "$1" "$2" "${3:+, $3}" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	CONN_ID=$(sql "select id from connections where name = 'feed'")
}

# json_top JSON KEY: a top-level string or number of feedsync's pretty JSON (a tab before each top-level key),
# read without starting python: json_get costs half a second through some python installs.
json_top() {
	printf '%s\n' "$1" | sed -nE -e "s/^\t\"$2\":\t\"(.*)\",?\$/\1/p" -e "s/^\t\"$2\":\t([^\",]*),?\$/\1/p"
}

exit_code_of() {
	case $1 in
	completed) echo 0 ;; failed) echo 1 ;; completed_with_errors) echo 3 ;; cancelled) echo 4 ;; *) echo 99 ;;
	esac
}

# run_feed STATUS [fast]: `run --wait` (under valgrind unless "fast") must end in STATUS with its exit code,
# and so must `runs show --json`. Sets $RUN_ID and $SHOW (runs show, as people read it).
run_feed() {
	if [ "${2:-}" = fast ]; then fs_fast run "$CONN_ID" --wait; else fs run "$CONN_ID" --wait; fi
	expect_rc "$(exit_code_of "$1")" "run $CONN_ID --wait"
	RUN_ID=$(sql "select max(id) from sync_runs where connection_id = $CONN_ID")
	fs_fast runs show "$RUN_ID" --json
	expect_eq "$(json_top "$OUT" status)" "$1" "status of run $RUN_ID"
	fs_fast runs show "$RUN_ID"
	SHOW=$OUT
}

# counter NAME: a counter of the last run.
counter() { sql "select $1 from sync_runs where id = $RUN_ID"; }

# consistent PRODUCTS [MISSING]: the database after the run.
consistent() {
	expect_eq "$(sql 'pragma integrity_check')" "ok" "integrity_check"
	expect_eq "$(sql "select count(*) from sync_runs where status in ('queued', 'running')")" "0" \
		"runs left queued or running"
	expect_eq "$(sql "select count(*) from products where connection_id = $CONN_ID")" "$1" "products"
	expect_eq "$(sql "select count(*) from products where connection_id = $CONN_ID and missing_since is not null")" \
		"${2:-0}" "products marked missing"
	if [ -d "$T/tmp" ]; then expect_eq "$(ls -A "$T/tmp")" "" "files left in the temp dir"; fi
}

# serve: the feed server on $T/www (sets $FEED_URL).
serve() {
	mkdir -p "$T/www"
	start_feedserver "$T/www"
}

good_csv() {
	printf 'sku,name,price,quantity\nG1,Ceai,10.50,3\nG2,Cafea,22,5\nG3,Zahar,4.20,9\n' >"$1"
}

# ---- files ----

test_missing_required_column_lists_missing_and_found() {
	printf 'Sku,Title,Cost\nM1,Ceai,1\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv" '"required": ["sku", "price", "quantity"]'
	run_feed failed
	expect_contains "$SHOW" "missing required columns: price, quantity"
	expect_contains "$SHOW" "the feed has: Sku, Title, Cost"
	consistent 0
}

test_header_only_file_fails() {
	printf 'sku,name,price\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed failed fast # the empty JSON array below takes this path under valgrind
	expect_contains "$SHOW" "the feed has no product rows; nothing was changed"
	consistent 0
}

test_zero_byte_file_fails() {
	: >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed failed
	expect_contains "$SHOW" "the feed is empty (0 bytes)"
	consistent 0
}

test_unterminated_quote_names_its_line() {
	printf 'sku,name,price\nU1,ok,1\nU2,"fine",2\nU3,"never closed,3\nU4,more,4\nU5,more,5\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed failed
	expect_contains "$SHOW" "cannot be read past line 4"
	expect_contains "$SHOW" "closing quote is missing"
	# The rows before the bad one are kept, as the summary says; nothing is marked missing.
	expect_eq "$(counter created)" "2" "created"
	consistent 2
}

test_ragged_rows_fail_alone_with_their_lines() {
	printf 'sku,name,price\nR1,a,1\nR2,b\nR3,c,3\nR4,d,4,extra\nR5,e,5\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed completed_with_errors
	expect_contains "$SHOW" "line 3, sku R2: row has 2 fields, the header has 3"
	expect_contains "$SHOW" "line 5, sku R4: row has 4 fields, the header has 3"
	expect_eq "$(counter failed)/$(counter created)" "2/3" "failed/created"
	expect_eq "$(sql "select group_concat(line, ' ') from run_errors where run_id = $RUN_ID order by line")" "3 5" \
		"lines of the errors"
	consistent 3
}

test_invalid_utf8_fails_the_row() {
	printf 'sku,name,price\nV1,ok,1\nV2,Caf\xe8 noir,2\nV3,fine,3\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed completed_with_errors
	expect_contains "$SHOW" "line 3, sku V2: invalid UTF-8 in column 'name'"
	expect_contains "$SHOW" "source.encoding"
	consistent 2
	expect_eq "$(sql "select count(*) from products where sku = 'V2'")" "0" "the bad row stored"
}

test_windows_1250_is_decoded() {
	# Windows-1250 has the cedilla forms: 0xDE = Ţ, 0xFE = ţ, 0xAA = Ş, 0xBA = ş, 0xE3 = ă, 0xEE = î.
	printf 'sku,name,price\r\nW1,\xdeuic\xe3,1\r\nW2,\xaatiin\xfe\xe3 \xbai \xeenv\xe3\xfe\xe3tur\xe3,2\r\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv" '"encoding": "windows-1250"'
	run_feed completed
	consistent 2
	expect_eq "$(sql "select name from products where sku = 'W1'")" "Ţuică" "W1 name"
	expect_eq "$(sql "select name from products where sku = 'W2'")" "Ştiinţă şi învăţătură" "W2 name"
	expect_eq "$(sql "select hex(name) from products where sku = 'W1'")" "C5A2756963C483" "W1 name bytes"
}

# 20 MiB in one unquoted cell: read (under the 64m import.max_field_bytes), then refused as a value by
# import.max_value_bytes; with max_field_bytes below it, the parser stops at its line instead.
test_huge_single_field_fails_cleanly() {
	{
		printf 'sku,name,description,price\nB1,one,small,1\nB2,two,'
		head -c 20971520 /dev/zero | tr '\0' x
		printf ',2\nB3,three,small,3\n'
	} >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed completed_with_errors fast # valgrind needs ~25 s for 20 MiB; the ASan build covers it
	expect_contains "$SHOW" "line 3, sku B2: column description is"
	expect_contains "$SHOW" "(import.max_value_bytes)"
	consistent 2

	use_config 'max_field_bytes = 1m'
	run_feed failed
	expect_contains "$SHOW" "cannot be read past line 3: a field larger than"
	expect_contains "$SHOW" "(import.max_field_bytes)"
	expect_not_contains "$SHOW" "closing quote" "the message for an unquoted field"
	consistent 2
}

test_duplicate_skus_name_both_lines_first_wins() {
	printf 'sku,name,price\nD1,first,1\nD2,other,2\nD1,second,3\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed completed_with_errors
	expect_contains "$SHOW" "line 4, sku D1: duplicate SKU 'D1' on line 4: already on line 2, the first one is kept"
	consistent 2
	expect_eq "$(sql "select name from products where sku = 'D1'")" "first" "D1 kept"
}

# ---- HTTP ----

test_http_404_fails_naming_status() {
	use_config
	serve || return
	feed_conn csv "$FEED_URL/status/404"
	run_feed failed
	expect_contains "$SHOW" "HTTP 404 Not Found from $FEED_URL/status/404"
	consistent 0
}

test_http_500_fails_with_the_page_message() {
	use_config
	serve || return
	feed_conn csv "$FEED_URL/status/500?msg=database%20is%20down"
	run_feed failed
	expect_contains "$SHOW" "HTTP 500 Internal Server Error"
	expect_contains "$SHOW" "database is down"
	consistent 0
}

test_stalled_server_times_out() {
	use_config "$(printf '[http]\nstall_timeout_s = 1\ntimeout_s = 20')"
	serve || return
	feed_conn csv "$FEED_URL/stall?s=60"
	local start=$SECONDS
	run_feed failed
	[ $((SECONDS - start)) -lt 15 ] || fail "the stalled download took $((SECONDS - start)) s"
	expect_contains "$SHOW" "timed out after 1 s with no data"
	expect_contains "$SHOW" "(http.stall_timeout_s)"
	consistent 0
}

test_truncated_gzip_fails() {
	use_config
	serve || return
	good_csv "$T/www/feed.csv"
	feed_conn csv "$FEED_URL/truncated-gz/feed.csv"
	run_feed failed
	expect_contains "$SHOW" "gzip data truncated"
	expect_contains "$SHOW" "incomplete"
	consistent 0
}

test_html_where_json_was_expected_fails() {
	use_config
	serve || return
	feed_conn json "$FEED_URL/html"
	run_feed failed
	expect_contains "$SHOW" "expected JSON but the file starts with '<' (an HTML page?)"
	consistent 0
}

# A full temp dir: a tiny tmpfs when we may mount one; else a directory we cannot write (a file in its
# place when root, for whom permissions do not apply).
test_full_temp_dir_fails_the_download() {
	serve || return
	local dir="$T/tiny" why
	mkdir "$dir"
	if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$dir" 2>/dev/null; then
		trap 'umount "$T/tiny" 2>/dev/null; _cleanup_test' EXIT
		why="No space left on device"
	elif [ "$(id -u)" != 0 ]; then
		chmod 555 "$dir"
		why="Permission denied"
	else
		rmdir "$dir" && : >"$dir"
		why="Not a directory"
	fi
	printf '[import]\ntemp_dir = %s\n' "$dir" >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
	feed_conn csv "$FEED_URL/big?bytes=300000"
	run_feed failed
	expect_contains "$SHOW" "$dir"
	expect_contains "$SHOW" "$why"
	[ -d "$dir" ] && expect_eq "$(ls -A "$dir")" "" "files left in the full temp dir"
	if [ "$why" = "No space left on device" ]; then umount "$dir"; fi
	[ -d "$dir" ] && chmod 755 "$dir"
	consistent 0
}

# ---- empty feeds and recovery ----

test_empty_feed_fails_and_keeps_the_catalog() {
	printf '[{"sku": "E1", "name": "a", "price": 1}, {"sku": "E2", "name": "b", "price": 2},\n' >"$T/feed.json"
	printf ' {"sku": "E3", "name": "c", "price": 3}]\n' >>"$T/feed.json"
	feed_conn json "$T/feed.json"
	run_feed completed fast
	consistent 3

	printf '[ ]\n' >"$T/feed.json"
	run_feed failed
	expect_contains "$SHOW" "the feed has no product rows; nothing was changed"
	consistent 3 0

	: >"$T/feed.json"
	run_feed failed fast
	expect_contains "$SHOW" "the feed is empty (0 bytes)"
	consistent 3 0

	use_config
	serve || return
	printf '{"products": []}' >"$T/www/feed.json"
	printf '{"name": "feed", "source": {"type": "json", "url": "%s", "item_path": "products"}}' \
		"$FEED_URL/files/feed.json" >"$T/edit.json"
	fs_fast conn edit "$CONN_ID" --file "$T/edit.json"
	expect_rc 0 "conn edit"
	run_feed failed fast
	expect_contains "$SHOW" "no product rows"
	consistent 3 0
}

# Rows that all end up skipped are no proof that every product is gone, whatever the last runs were.
test_feed_with_every_row_filtered_marks_nothing_missing() {
	printf 'sku,name,price,quantity\nF1,a,1,3\nF2,b,2,4\nF3,c,bad,5\n' >"$T/feed.csv"
	printf '{"name": "feed", "source": {"type": "csv", "url": "%s"}, ' "$T/feed.csv" >"$T/conn.json"
	printf '"filters": {"rules": [{"field": "quantity", "op": "gt", "value": "0"}]}}' >>"$T/conn.json"
	fs_fast conn add --file "$T/conn.json"
	CONN_ID=$(sql "select id from connections where name = 'feed'")
	run_feed completed_with_errors fast
	consistent 2
	printf 'sku,name,price,quantity\nF1,a,1,0\nF2,b,2,0\n' >"$T/feed.csv"
	run_feed completed
	expect_eq "$(counter skipped)" "2" "skipped"
	consistent 2 0
	fs_fast runs log "$RUN_ID"
	expect_contains "$OUT" "no product is marked missing"
}

test_shrunken_feed_after_a_run_with_errors_marks_nothing_missing() {
	{ echo 'sku,name,price,quantity'; for i in $(seq 10); do echo "S$i,n,1.50,2"; done; echo 'S11,n,bad,2'; } \
		>"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed completed_with_errors fast
	consistent 10
	printf 'sku,name,price,quantity\nS1,n,1.50,2\n' >"$T/feed.csv"
	run_feed completed fast
	consistent 10 0
	fs_fast runs log "$RUN_ID"
	expect_contains "$OUT" "shrank"
}

test_retry_after_fixing_the_feed_succeeds() {
	printf 'sku,name\nX1,a\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv" '"required": ["sku", "price"]'
	run_feed failed fast
	local failed_run=$RUN_ID
	expect_contains "$SHOW" "missing required column: price"
	good_csv "$T/feed.csv"
	fs runs retry "$failed_run" --wait
	expect_rc 0 "runs retry --wait"
	RUN_ID=$(sql "select max(id) from sync_runs")
	fs_fast runs show "$RUN_ID" --json
	expect_eq "$(json_top "$OUT" status)" "completed" "status of the retry"
	expect_eq "$(json_top "$OUT" attempt)" "2" "attempt"
	expect_eq "$(json_top "$OUT" retry_of)" "$failed_run" "retry_of"
	expect_eq "$(json_top "$OUT" trigger)" "retry" "trigger"
	expect_eq "$(counter created)" "3" "created"
	fs_fast runs show "$RUN_ID"
	expect_contains "$OUT" "retry, attempt 2, retry of run $failed_run"
	consistent 3
}

run_tests "$@"
