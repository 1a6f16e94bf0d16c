#!/usr/bin/env bash
# The console's Destinations screen with a WordPress site at 80x24: its details name the user and where the
# Application Password is, never a consumer key or the password.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui/tui_lib.sh"

test_wordpress_site_details_name_user_and_app_password() {
	# Port 9 on loopback is never asked: nothing here talks to the site.
	fs dest add --type wordpress --name "Deals site" --url http://127.0.0.1:9 --user editor \
		--app-password "abcd efgh ijkl mnop qrst uvwx" --allow-http
	expect_rc 0 "dest add"
	console 80 24 --
	keys_then "Destinations" 3
	wait_screen "1 of 1"
	expect_fits 80
	keys_then "application password" Enter
	expect_contains "$(screen)" "user editor, application password stored encrypted" "the credentials in words"
	expect_not_contains "$(screen)" "consumer key" "no consumer key for a WordPress site"
	expect_not_contains "$(screen)" "abcd efgh" "the password never shown"
	expect_fits 80
	stop_console
}

run_tests "$@"
