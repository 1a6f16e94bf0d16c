#!/bin/bash
# Feeds in the wild, the loose ends: numeric filters read values as prices are read (currency, the configured
# decimal separator) and an unreadable number is a row error; quantities follow source.decimal_separator;
# repeated JSON keys are read as NAME_2 with a warning; every place is an item in JSON and XML (preview,
# runs errors, duplicate SKUs); a bare nested feed's warning says which alias to write.
. "$(dirname "$0")/../lib.sh"

# run_conn EXIT_CODE: `run --wait` (under valgrind when enabled); sets $RUN_ID, then $ERRORS and $LOG, what
# `runs errors` and `runs log` print.
run_conn() {
	fs run "$CONN_ID" --wait --json
	expect_rc "$1" "run --wait"
	RUN_ID=$(json_get "$OUT" id)
	fs_fast runs errors "$RUN_ID"
	ERRORS=$OUT
	fs_fast runs log "$RUN_ID"
	LOG=$OUT
}

counts() { sql "select created || '/' || skipped || '/' || failed from sync_runs where id = $RUN_ID"; }
skus() { sql "select group_concat(sku, ',') from (select sku from products where connection_id = $CONN_ID order by sku)"; }
quantity() { sql "select quantity from products where connection_id = $CONN_ID and sku = '$1'"; }

test_numeric_filters_read_prices_with_currency_and_separator() {
	printf 'sku;price;quantity\nA;12,00 RON;1\nB;9,50 lei;1\nC;1.234,50 RON;1\nD;n/a;1\nE;;1\n' >"$T/feed.csv"
	add_conn feed csv "$T/feed.csv" '"filters": {"rules": [{"field": "price", "op": "gt", "value": 10}]},
		 "mapping": {"fields": {"regular_price": {"column": "price", "default": "0"}}}' '"decimal_separator": ","'
	run_conn 3
	# A reads 12 (not text: the currency is read off), C 1234.50 (',' decimal, '.' thousands); B is below, E empty: skipped.
	expect_eq "$(counts)" "2/2/1" "created/skipped/failed"
	expect_eq "$(skus)" "A,C" "products"
	expect_contains "$ERRORS" "'n/a' in column price is not a number, so the filter rule \`price gt 10\` cannot compare it"
	expect_eq "$(sql "select line || ' ' || sku || ' ' || code || ' ' || column_name from run_errors where run_id = $RUN_ID")" \
		"5 D bad_filter_value price" "the row error's line, SKU, code and column"

	# With ',' fixed, "12.50" does not read: said, not silently skipped.
	printf 'sku;price\nF;12.50\n' >"$T/feed.csv"
	run_conn 3
	expect_contains "$ERRORS" "'12.50' in column price does not read with ',' as the decimal separator"
}

test_a_rule_that_decides_makes_an_unreadable_value_harmless() {
	printf 'sku,price,brand\nA,n/a,Pilot\nB,n/a,Bic\nC,3,Bic\n' >"$T/feed.csv"
	add_conn feed csv "$T/feed.csv" \
		'"filters": {"match": "all", "rules": [{"field": "brand", "op": "eq", "value": "Bic"},
		                                       {"field": "price", "op": "lt", "value": 5}]},
		 "mapping": {"fields": {"regular_price": {"constant": "1"}}}'
	run_conn 3
	# A fails brand eq Bic: skipped whatever its price says. B's outcome hangs on "n/a": a row error.
	expect_eq "$(counts)" "1/1/1" "created/skipped/failed"
	expect_contains "$ERRORS" "'n/a' in column price is not a number"
	expect_contains "$ERRORS" "B"
}

test_quantities_follow_the_decimal_separator() {
	printf 'sku;price;quantity\nA;1;1.500\nB;1;3,00\nC;1;1,5\n' >"$T/feed.csv"
	add_conn feed csv "$T/feed.csv" "" '"decimal_separator": ","'
	run_conn 3
	expect_eq "$(quantity A)" "1500" "1.500 with ',' as the decimal separator"
	expect_eq "$(quantity B)" "3" "3,00"
	expect_contains "$ERRORS" "quantity '1,5' in column quantity is not a whole number"
}

# preview_places: the failed rows of `feedsync preview CONN_ID --json`, one "LOCATION CODE: MESSAGE" a line.
preview_places() {
	fs preview "$CONN_ID" --json
	printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys
for r in json.load(sys.stdin)["rows"]:
    if r["verdict"] == "failed": print(r["location"], r["code"] + ":", r["message"])'
}

test_single_line_json_duplicate_names_the_first_item_in_runs_and_preview() {
	printf '[{"sku": "A", "price": 1}, {"sku": "B", "price": 2}, {"sku": "C", "price": 3}, {"sku": "B", "price": 4}]' \
		>"$T/feed.json"
	add_conn feed json "$T/feed.json"
	run_conn 3
	expect_contains "$ERRORS" "duplicate SKU 'B' on item 4: already on item 2, the first one is kept"
	expect_eq "$(preview_places)" \
		"item 4 duplicate_sku: duplicate SKU 'B' on item 4: already on item 2, the first one is kept" "preview"
}

test_single_line_xml_rows_are_items_in_runs_and_preview() {
	printf '<products><product><sku>X1</sku><price>1</price></product><product><sku>X2</sku><price>no</price></product>' \
		>"$T/feed.xml"
	printf '<product><sku>X1</sku><price>3</price></product></products>' >>"$T/feed.xml"
	add_conn feed xml "$T/feed.xml"
	run_conn 3
	expect_contains "$ERRORS" "item 2: price 'no' in column price is not a number"
	expect_contains "$ERRORS" "duplicate SKU 'X1' on item 3: already on item 1"
	expect_not_contains "$ERRORS" "line 1"
	local places
	places=$(preview_places)
	expect_contains "$places" "item 2 bad_price: item 2: price 'no' in column price is not a number"
	expect_contains "$places" "item 3 duplicate_sku: duplicate SKU 'X1' on item 3: already on item 1"
	fs_fast preview "$CONN_ID"
	expect_contains "$OUT" "ITEM"
}

test_ndjson_rows_are_lines_in_runs_and_preview() {
	printf '{"sku": "L1", "price": 1}\n{"sku": "L2", "price": "x"}\n\n{"sku": "L1", "price": 2}\n' >"$T/feed.jsonl"
	add_conn feed json "$T/feed.jsonl"
	run_conn 3
	expect_contains "$ERRORS" "price 'x' in column price is not a number"
	expect_contains "$ERRORS" "duplicate SKU 'L1' on line 4: already on line 1"
	local places
	places=$(preview_places)
	expect_contains "$places" "line 2 bad_price: price 'x' in column price is not a number"
	expect_contains "$places" "line 4 duplicate_sku: duplicate SKU 'L1' on line 4: already on line 1"
}

test_repeated_json_keys_are_read_as_name_2_with_a_warning_naming_the_item() {
	printf '[{"sku": "A", "price": 1},\n {"sku": "B", "price": 2, "price": 3}, {"sku": "C", "price": 4, "price": 5}]' \
		>"$T/feed.json"
	add_conn feed json "$T/feed.json" '"mapping": {"fields": {"sale_price": {"column": "price_2"}}}'
	run_conn 0
	expect_contains "$LOG" "columns: item 2: key 3 \`price\` repeats key 2; read it as \`price_2\`"
	expect_eq "$(printf '%s\n' "$LOG" | grep -c 'repeats key')" "1" "warned once a run, not for every item"
	expect_eq "$(sql "select json_extract(data, '\$.regular_price') || '/' || json_extract(data, '\$.sale_price')
	                 from products where sku = 'C'")" "4/5" "the first price, and price_2 mapped"
	fs_fast preview "$CONN_ID"
	expect_contains "$OUT" "warning: columns: item 2: key 3 \`price\` repeats key 2; read it as \`price_2\`"
}

test_repeated_xml_elements_are_joined_on_purpose() {
	printf '<products><product><sku>T1</sku><tag>red</tag><tag>blue</tag></product></products>' >"$T/feed.xml"
	add_conn feed xml "$T/feed.xml" '"mapping": {"fields": {"tags": {"column": "tag", "separator": "|"}}}'
	run_conn 0
	expect_eq "$(sql "select json_extract(data, '\$.tags') from products where sku = 'T1'")" "red|blue" "tags"
	expect_not_contains "$LOG" "repeats"
}

test_a_bare_nested_feed_says_which_alias_and_column_to_write() {
	fs preview "$ROOT/data/feeds/nested.json"
	expect_rc 1 "preview of a feed without a sku column"
	expect_contains "$OUT" "missing required column: sku (if \`id\` holds the SKU, set \"source\": {\"aliases\": {\"id\": \"sku\"}})"
	expect_contains "$OUT" "regular_price reads column \`price\` (did you mean \`price.amount\`?)"
	# Writing what it says makes the feed import.
	add_conn feed json "$ROOT/data/feeds/nested.json" \
		'"mapping": {"fields": {"regular_price": {"column": "price.amount"}}}' '"aliases": {"id": "sku"}'
	fs_fast preview "$CONN_ID"
	expect_rc 0 "preview with the alias and the column"
	expect_not_contains "$OUT" "missing required column"
}

run_tests "$@"
