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

# Port 9 on loopback: as above, nothing asks the site.
add_deals_site() {
	fs dest add --type wordpress --name "Deals site" --url http://127.0.0.1:9 --user editor --post-type deals \
		--app-password "abcd efgh ijkl mnop qrst uvwx" --allow-http
	expect_rc 0 "dest add"
}

# The row says it where the URL column has room; at 80 columns the details do.
test_the_table_shows_a_sites_post_type_and_user() {
	add_deals_site
	console 180 24 --
	keys_then "Destinations" 3
	wait_screen "1 of 1"
	expect_contains "$(screen)" "http://127.0.0.1:9 (deals as editor)" "the post type and the user on the row"
	stop_console
	console 80 24 --
	keys_then "Destinations" 3
	wait_screen "1 of 1"
	expect_fits 80
	keys_then "application password" Enter
	expect_contains "$(screen)" "deals as editor" "the details say what is written, as whom"
	stop_console
}

test_the_wizard_pushes_to_a_wordpress_site_with_the_presets_that_fit() {
	add_deals_site
	console 80 24 NO_COLOR=1 XDG_CONFIG_HOME="$T/config" --
	keys_then "New connection: step 1 of 6, Source" a
	keys "Hotels"
	focus "http(s):// address"
	keys "$FIXTURES/presets/hotels.csv"
	focus "Downloads the feed"
	keys_then "sample: 3 rows, 9 columns" Enter
	keys_then "step 2 of 6" C-n
	keys_then "step 3 of 6" C-n
	keys_then "step 4 of 6" C-n
	keys_then "Site            [(none)" Right Right Right Right
	wait_screen "destination: a wordpress destination needs"
	focus "The WordPress site posts are pushed to"
	keys_then "Site            [Deals site (http://127.0.0.1:9)" Right
	expect_not_contains "$(screen)" "Consumer key" "a site needs no shop's keys"
	expect_fits 80
	keys_then "step 3 of 6" C-p
	focus "The product type's fields"
	keys_then "hotel@1  Hotel" Enter
	expect_contains "$(screen)" "deal@1" "a deal fits a WordPress site"
	expect_not_contains "$(screen)" "product@1" "a shop's plain product does not"
	keys Escape
	keys_then "step 4 of 6" C-n
	keys_then "step 5 of 6" C-n
	keys_then "step 6 of 6" C-n
	wait_screen "Destination:  WordPress site Deals site"
	keys_then "created connection 1 'Hotels'" C-s
	stop_console

	fs conn show 1 --json
	expect_rc 0 "conn show"
	expect_eq "$(json_get "$OUT" document.destination.type)" "wordpress" "the site's type"
	expect_eq "$(json_get "$OUT" document.destination.id)" "1" "the site by id"
}

run_tests "$@"
