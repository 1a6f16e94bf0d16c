#!/bin/bash
# The cause of a failure in three keys from anywhere: `!` opens the latest failed or with-errors run at its
# first error, the "problems" quick filter lists such runs, and an error reads as labelled fields.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# Run 1 of "Woo feed" completes with SKU-00007 refused; run 2 of "Alpha feed" (the first row) is fine;
# run 3 of "Woo feed" fails on HTTP 401, its error detail in the keys the push writes.
a_faulty_shop() {
	start_fakewoo || return 1
	add_shop
	make_feed 20
	add_woo_conn
	woo item_errors '{"SKU-00007": {"code": "woocommerce_rest_product_invalid_sku",
		"message": "Invalid or duplicated SKU."}}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "a push with one item refused"
	woo item_errors '{}'
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run of Alpha feed"
	make_feed 20 100
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "status": 401}]'
	fs_fast run 1 --wait
	expect_rc 1 "a push refused with 401"
	sql "update run_errors set detail = json_object('status', 401, 'content_type', 'application/json',
		'excerpt', '{\"code\":\"woocommerce_rest_authentication_error\"}', 'method', 'POST',
		'path', '/wp-json/wc/v3/products/batch', 'attempts', 1) where run_id = 3"
}

test_latest_problem_opens_from_any_selection_with_the_status_on_its_error_line() {
	a_faulty_shop || return
	console NO_COLOR=1 --
	wait_screen "2 of 2"
	screen | sed -n 3p | grep -q "Alpha feed" || fail "Alpha feed is not selected: $(screen | sed -n 3p)"
	keys_then "Run 3 of Woo feed" "!"
	wait_screen "HTTP 401 push_failed: the shop refused the credentials"
	keys_then "Errors of run 3, in order" e
	local s; s=$(screen)
	expect_contains "$s" "Status: HTTP 401"
	expect_contains "$s" "Method/Path: POST /wp-json/wc/v3/products/batch"
	expect_contains "$s" "Content-Type: application/json"
	expect_contains "$s" 'Excerpt: {"code":"woocommerce_rest_authentication_error"}'
	expect_contains "$s" "attempts: 1"
	expect_not_contains "$s" '{"status"' "raw detail JSON"
	keys Escape
	keys_then "Connections" 1
	keys_then "Run 3 of Woo feed" j "!"
	stop_console
}

test_problems_filter_means_what_the_latest_problem_key_means() {
	a_faulty_shop || return
	console NO_COLOR=1 --
	keys_then "[problems]" f
	wait_screen "1 of 2"
	expect_contains "$(screen)" "Woo feed"
	keys_then "Runs" 2
	keys_then "[problems]" f
	wait_screen "2 of 3"
	keys_then "Run 1 of Woo feed" j Enter
	wait_screen "sku SKU-00007 item 400 product_invalid_sku: the shop refused"
	keys_then "Errors of run 1, in order" e
	expect_contains "$(screen)" "Code: woocommerce_rest_product_invalid_sku"
	expect_contains "$(screen)" "SKU: SKU-00007"
	expect_contains "$(screen)" "Status: item 400"
	expect_not_contains "$(screen)" "line 0"
	stop_console
}

test_no_problem_says_so() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 1 --wait
	console
	keys_then "no run failed or completed with errors" "!"
	stop_console
}

test_copy_error_is_whole_and_sanitised() {
	printf 'sku,name,price,qty\nA1,Bad,abc\033]52;c;aGk=\007\033[2J,1\nA2,Good,1.00,2\n' >"$T/evil.csv"
	add_conn "Evil feed" csv "$T/evil.csv"
	fs_fast run 1 --wait
	console
	tmux -L "$SOCK" set-option -g set-clipboard on >/dev/null
	keys_then "Run 1 of Evil feed" "!"
	keys_then "copied the first error of run 1" Y
	local copied; copied=$(tmux -L "$SOCK" show-buffer)
	expect_contains "$copied" "run 1: "
	expect_contains "$copied" "sku A1 line 2 column price"
	expect_contains "$copied" "price 'abc^[]52;c;aGk=^G^[[2J' in column price is not a number"
	printf %s "$copied" | LC_ALL=C grep -q $'[\x01-\x1f]' && fail "control bytes in the clipboard: $copied"
	stop_console
}

run_tests "$@"
