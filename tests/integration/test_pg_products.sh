#!/bin/bash
# `feedsync products` on a PostgreSQL database (always a throwaway server: this file sets FEEDSYNC_TEST_PG): the
# states after runs into a file export, the state filter, a product's page and the JSON list read the same
# catalog as on SQLite (test_products.sh covers the shop states, whose pushes need SQLite yet).
FEEDSYNC_TEST_PG=1
. "$(dirname "$0")/../lib.sh"

test_states_filter_page_and_json() {
	printf 'sku,name,price,quantity\nA1,Alpha,1.50,1\nA2,Beta,2.50,2\nA3,Gamma,3.50,3\nA4,Delta,4,4\nA5,Eta,5,5\n' \
		>"$T/feed.csv"
	add_conn P csv "$T/feed.csv" "\"destination\": {\"type\": \"file\", \"path\": \"$T/out.csv\"}"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	grep -v '^A[24],' "$T/feed.csv" >"$T/feed2.csv" && mv "$T/feed2.csv" "$T/feed.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second run"
	expect_contains "$OUT" "2 missing from the feed" "second run"
	fs products P
	expect_rc 0 "products"
	expect_contains "$OUT" "5 products" "list"
	fs products P --state missing
	expect_rc 0 "products --state missing"
	expect_contains "$OUT" "2 products in state missing" "filtered list"
	expect_not_contains "$OUT" "A1 " "filtered list"
	expect_contains "$OUT" "A4 " "filtered list"
	fs products P --sku A2
	expect_rc 0 "a product's page"
	expect_contains "$OUT" "state          missing" "page"
	expect_contains "$OUT" "last pushed    run 1," "page"
	expect_contains "$OUT" "run 1      first seen  imported from the feed" "page"
	fs products P --json
	expect_rc 0 "products --json"
	expect_eq "$(json_get "$OUT" total)" 5 "total"
	expect_eq "$(json_get "$OUT" products.0.state)" in_sync "state of A1"
	expect_eq "$(json_get "$OUT" products.1.state)" missing "state of A2"
}

run_tests "$@"
