#!/bin/bash
# `feedsync preview` of a bare feed (a path or URL: format, delimiter and encoding sniffed) and of a connection:
# every problem with its line (CSV) or item (JSON, XML), duplicate SKUs, the SKU and values of failed rows, and
# an exit code that says how a run would end. Then what runs record of the same problems: `runs errors` with
# the SKU of malformed rows and the line of a parse error, limits in the ini's units, the summary of a run
# that stopped before its export, and export counters that match the file's rows.
. "$(dirname "$0")/../lib.sh"

FEEDS="$FIXTURES/feeds"

# json_top JSON KEY: a top-level string, number or boolean of feedsync's pretty JSON.
json_top() {
	printf '%s\n' "$1" | sed -nE -e "s/^\t\"$2\":\t\"(.*)\",?\$/\1/p" -e "s/^\t\"$2\":\t([^\",]*),?\$/\1/p"
}

# file_conn NAME FEED [EXTRA_MEMBERS]: a connection exporting to $T/out.csv (sets $CONN_ID).
file_conn() {
	add_conn "$1" csv "$2" "\"destination\": {\"type\": \"file\", \"path\": \"$T/out.csv\"}${3:+, $3}"
}

test_bare_csv_is_sniffed_without_a_document() {
	fs preview "$FEEDS/semicolon_bom.csv"
	expect_rc 0 "preview of a bare CSV"
	expect_contains "$OUT" "format: csv (sniffed), delimiter ';' (sniffed), encoding utf-8 with a BOM (sniffed)"
	expect_contains "$OUT" "columns: cod, denumire, pret, cantitate"
	expect_contains "$OUT" "Cană; ceramică"
	expect_contains "$OUT" "2 rows: 2 ok, 0 skipped by filters, 0 would fail"

	# --file takes a feed as well as a connection document: no "invalid JSON" for a CSV.
	fs_fast preview --file "$FEEDS/cp1250.csv" --json
	expect_rc 0 "preview --file of a CSV"
	expect_not_contains "$ERR" "invalid JSON"
	expect_eq "$(json_top "$OUT" format)" "csv" "format"
	expect_eq "$(json_top "$OUT" delimiter)" "," "delimiter"
	expect_eq "$(json_top "$OUT" encoding)" "windows-1250" "encoding of a feed that is not UTF-8"
	expect_eq "$(json_top "$OUT" sniffed)" "true" "sniffed"
	expect_contains "$OUT" '"name":	"ăâîşţĂÂÎŞŢ"' "the name decoded"
	[ -e "$FEEDSYNC_DB" ] && fail "a preview of a bare feed made a database"
	return 0
}

test_bare_json_xml_and_url_feeds() {
	fs_fast preview "$FEEDS/array.json"
	expect_rc 3 "preview of a JSON array (a price of 1e3 would fail)"
	expect_contains "$OUT" "format: json (sniffed), encoding utf-8 (sniffed)"
	expect_contains "$OUT" "ITEM  RESULT"
	expect_contains "$OUT" "item 2 failed (bad_price, column price, SKU A2)"
	fs_fast preview "$FEEDS/products.xml"
	expect_rc 0 "preview of an XML feed"
	expect_contains "$OUT" "format: xml (sniffed)"
	expect_contains "$OUT" "columns: "

	mkdir -p "$T/www"
	printf 'sku|name|price\nU1|Url|4.5\n' >"$T/www/feed.txt"
	start_feedserver "$T/www" || return
	fs preview "$FEED_URL/files/feed.txt"
	expect_rc 0 "preview of a URL"
	expect_contains "$OUT" "delimiter '|' (sniffed)"
	expect_contains "$OUT" "U1"
	fs_fast preview "$FEED_URL/status/404"
	expect_rc 1 "preview of a URL that answers 404"
	expect_contains "$OUT" "a run would fail"
	fs_fast preview "$T/no-such-feed.csv"
	expect_rc 1 "preview of a missing file"
	expect_contains "$OUT" "cannot read"
}

test_problems_have_their_line_or_item_sku_and_values() {
	printf 'sku,name,price\nD1,First,1\nD2,Second,abc\nD1,Again,3\nD3,Short\n' >"$T/dups.csv"
	fs preview "$T/dups.csv"
	expect_rc 3 "preview where rows would fail (a run would complete with errors)"
	expect_contains "$OUT" "line 4 failed (duplicate_sku, column sku, SKU D1): duplicate SKU 'D1' on line 4: already on line 2, the first one is kept"
	expect_contains "$OUT" "  values: sku=D1, name=Again, price=3"
	expect_contains "$OUT" "line 3 failed (bad_price, column price, SKU D2)"
	expect_contains "$OUT" "  values: sku=D2, name=Second, price=abc"
	expect_contains "$OUT" "line 5 failed (malformed_row, SKU D3): row has 2 fields, the header has 3"
	expect_contains "$OUT" "4 rows: 1 ok, 0 skipped by filters, 3 would fail"

	# A JSON feed on one line: its rows are items, not "line 1".
	printf '[{"sku":"J1","price":"1"},{"sku":"J2","price":"x"},{"sku":"J1","price":"2"}]' >"$T/one-line.json"
	fs_fast preview "$T/one-line.json" --json
	expect_rc 3 "preview of a JSON feed with failing items"
	expect_contains "$OUT" '"location":	"item 2"'
	expect_contains "$OUT" "duplicate SKU 'J1' on item 3: already on item 1"
	fs_fast preview "$T/one-line.json"
	expect_contains "$OUT" "item 2 failed (bad_price, column price, SKU J2)"

	# A run would fail: a required column missing (exit 1), as a run of the connection would.
	printf '{"name": "Req", "source": {"type": "csv", "url": "%s", "required": ["sku", "quantity"]}}' \
		"$T/dups.csv" >"$T/req.json"
	fs_fast preview --file "$T/req.json"
	expect_rc 1 "preview of a connection document whose feed lacks a required column"
	expect_contains "$OUT" "missing required column: quantity"
	expect_contains "$OUT" "a run would fail"
	fs_fast preview "$FEEDS/unterminated.csv"
	expect_rc 1 "preview of a feed that cannot be read to its end"
	expect_contains "$OUT" "error: the feed cannot be read past line 4"
}

test_preview_of_a_connection_warns_about_its_format() {
	add_conn "Wrong type" csv "$FEEDS/array.json"
	fs preview "$CONN_ID"
	expect_contains "$OUT" "warning: source.type: the feed looks like json, not csv"
	printf '{"name": "Right type", "source": {"type": "csv", "url": "%s", "encoding": "windows-1250"}}' \
		"$FEEDS/cp1250.csv" >"$T/right.json"
	fs_fast conn add --file "$T/right.json"
	expect_rc 0 "conn add"
	fs_fast preview 2
	expect_rc 0 "preview of a connection"
	expect_contains "$OUT" "format: csv, delimiter ',', encoding windows-1250"
	expect_not_contains "$OUT" "warning"
}

test_runs_errors_keep_the_sku_and_line_of_malformed_rows() {
	printf 'sku,name,price\nM1,ok,1\nM2,Caf\xe9,1\nM3,short\nM4,long,1,extra\n' >"$T/bad.csv"
	add_conn "Malformed" csv "$T/bad.csv"
	fs run "$CONN_ID" --wait
	expect_rc 3 "run with malformed rows"
	fs_fast runs errors 1 --csv
	expect_contains "$OUT" '"3","M2","name","malformed_row","local_import","invalid UTF-8 in column '"'name'"
	expect_contains "$OUT" '"4","M3","","malformed_row","local_import","row has 2 fields, the header has 3"'
	expect_contains "$OUT" '"5","M4","","malformed_row","local_import","row has 4 fields, the header has 3"' 

	add_conn "Unterminated" csv "$FEEDS/unterminated.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "run of a feed with an unterminated quote"
	fs_fast runs errors 2 --json
	expect_eq "$(json_get "$OUT" 0.line)" "4" "line of the parse error"
	expect_eq "$(json_get "$OUT" 0.code)" "parse_error" "code"
}

test_limits_are_shown_in_the_units_of_the_ini() {
	printf '[import]\nmax_value_bytes = 1k\nmax_field_bytes = 2k\n' >"$T/feedsync.ini"
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
	{ printf 'sku,description\nL1,'; head -c 1500 /dev/zero | tr '\0' x; printf '\nL2,'; head -c 3000 /dev/zero | tr '\0' y; printf '\n'; } >"$T/long.csv"
	fs preview "$T/long.csv"
	expect_contains "$OUT" "the limit is 1k (import.max_value_bytes)"
	expect_contains "$OUT" "larger than 2k (import.max_field_bytes)"
	fs_fast config
	expect_contains "$OUT" "max_value_bytes = 1k"
}

test_a_run_stopped_before_its_export_says_what_was_kept() {
	printf 'sku,name\nK1,kept\n"K2,never closed\nK3,lost\n' >"$T/quote.csv"
	file_conn "Quote" "$T/quote.csv"
	fs run "$CONN_ID" --wait
	expect_rc 1 "run of a feed with an unterminated quote at line 3"
	fs_fast runs show 1
	expect_contains "$OUT" "the feed cannot be read past line 3"
	expect_contains "$OUT" "the 1 product read before it is kept in the catalog; the export to file $T/out.csv did not run"
	expect_eq "$(sql 'select count(*) from products')" "1" "products kept"
	[ -e "$T/out.csv" ] && fail "an export was written"
	return 0
}

test_export_counters_match_the_rows_of_the_file() {
	printf 'sku,name\n' >"$T/feed.csv"
	for i in 1 2 3 4 5; do printf 'E%s,n%s\n' "$i" "$i" >>"$T/feed.csv"; done
	file_conn "Export" "$T/feed.csv" '"update": {"missing_action": "delete"}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	expect_contains "$OUT" "5 pushed"
	fs_fast run "$CONN_ID" --wait
	expect_contains "$OUT" "5 unchanged"
	expect_contains "$OUT" "5 pushed"
	expect_eq "$(($(wc -l <"$T/out.csv") - 1))" "5" "rows of the unchanged re-run's export"
	sed -i '/^E5,/d' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "run that deletes a product gone from the feed"
	expect_contains "$OUT" "4 pushed; 1 missing from the feed; 1 retired"
	expect_eq "$(($(wc -l <"$T/out.csv") - 1))" "4" "rows of the export"
	expect_eq "$(sql 'select push_queued, push_processed from sync_runs where id = 3')" "4|4" "push counters"
}

run_tests "$@"
