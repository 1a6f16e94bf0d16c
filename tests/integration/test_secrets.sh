#!/bin/bash
# Stored shop credentials against tests/fakewoo: `dest add` seals them with libsodium and pushes sign with
# them; credentials sealed before libsodium (tests/fixtures/secrets) open and are sealed again on first use;
# credentials that do not open say which destination they belong to.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

OLD="$FIXTURES/secrets"
OTHER_KEY=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# sealed_format: the format tag that starts the stored credentials of the (only) destination.
sealed_format() { sql "select cast(substr(credentials, 1, 4) as text) from destinations"; }

test_dest_add_seals_with_libsodium_and_pushes_sign_with_it() {
	start_fakewoo || return
	add_shop
	expect_eq "$(sealed_format)" "fsk2" "format of new credentials"
	make_feed 3
	add_woo_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "a push signed with OAuth 1.0a"
	expect_eq "$(woo state 'len(skus)')" "3" "products pushed"
	expect_no_secret
}

test_credentials_sealed_before_libsodium_are_sealed_again_on_first_use() {
	start_fakewoo || return
	add_shop
	# The first fixture seals $KEY and $SECRET, as a database made before libsodium holds them.
	install -m 600 "$OLD/old.key" "$FEEDSYNC_DB.key"
	sql "update destinations set credentials = x'$(grep -m1 -v '^#' "$OLD/fsk1.tsv" | cut -f1)'"
	expect_eq "$(sealed_format)" "fsk1" "fixture in place"
	run_fs fs dest test shop
	expect_rc 0 "dest test with credentials in the old format"
	expect_contains "$ERR" "destination 'shop': stored credentials sealed again in the current format"
	expect_eq "$(sealed_format)" "fsk2" "written back"
	local sealed
	sealed=$(sql "select hex(credentials) from destinations")
	make_feed 2
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a push with the credentials sealed again"
	expect_not_contains "$ERR" "sealed again"
	expect_eq "$(sql "select hex(credentials) from destinations")" "$sealed" "sealed again once only"
	expect_no_secret
}

test_credentials_that_do_not_open_name_their_destination() {
	start_fakewoo || return
	add_shop
	make_feed 2
	add_woo_conn
	printf '%s\n' "$OTHER_KEY" >"$FEEDSYNC_DB.key"
	run_fs fs dest test shop
	expect_rc 1 "dest test under another key"
	expect_contains "$ERR" "destination 'shop': the stored credentials were not sealed with the key in $FEEDSYNC_DB.key"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a push under another key"
	expect_contains "$OUT$ERR" "destination 'shop': the stored credentials were not sealed"
	sql "update destinations set credentials = x'66736b32'"
	run_fs fs_fast dest test shop
	expect_rc 1 "dest test of cut credentials"
	expect_contains "$ERR" "destination 'shop': the stored credentials are damaged"
	expect_eq "$(woo state 'len(skus)')" "0" "nothing pushed"
	expect_no_secret
}

run_tests "$@"
