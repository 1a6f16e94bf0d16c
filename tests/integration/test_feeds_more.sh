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

run_tests "$@"
