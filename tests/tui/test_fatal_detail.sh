#!/bin/bash
# A run that ended on a refused push shows the shop's answer with nothing but the console: from a fresh start `!`
# opens it with the status on its error line, and `e` reads the error's detail as labelled fields.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

test_a_refused_push_shows_the_status_and_the_shops_answer() {
	start_fakewoo || return
	add_refusing_shop
	make_feed 5
	add_woo_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a push with a wrong secret"
	console NO_COLOR=1 --
	keys_then "Run 1 of Woo feed" "!"
	wait_screen "Errors: 1"
	screen | grep -A1 "Errors: 1" | grep -q "HTTP 401 .*: the shop refused the credentials" ||
		fail "the run's error line does not show the status: $(screen | grep -A1 "Errors: 1")"
	keys_then "Errors of run 1, in order" e
	local s; s=$(screen)
	expect_contains "$s" "Status: HTTP 401"
	expect_contains "$s" "Method/Path: GET /wp-json/wc/v3/products"
	expect_contains "$s" 'Excerpt: {"code": "woocommerce_rest_authentication_error"'
	expect_fits 80
	stop_console
}

run_tests "$@"
