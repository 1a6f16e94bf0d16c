#!/bin/bash
# Mapping presets: presets list/show (text and JSON), a user's own presets over the shipped ones, broken
# preset files named with their JSON error, and conn add and preview checking a connection against its preset.
. "$(dirname "$0")/../lib.sh"

FEED="$FIXTURES/presets/hotels.csv"

# The user's presets live in the test's directory, never in the real ~/.config.
user_presets() { export XDG_CONFIG_HOME="$T/config"; mkdir -p "$T/config/feedsync/presets"; }

hotel_conn() {   # hotel_conn MAPPING_FIELDS DESTINATION [PRESET]
	printf '{"name": "Hotels", "preset": "%s", "source": {"type": "csv", "url": "%s", "aliases": {"hotel_id": "sku"}},
	         "mapping": {"fields": %s}, "destination": %s}\n' "${3:-hotel}" "$FEED" "$1" "$2" >"$T/conn.json"
}

test_list_and_show_the_shipped_presets() {
	user_presets
	fs presets list
	expect_rc 0 "presets list"
	for p in deal@1 fashion@1 furniture@1 hotel@1 listing@1 product@1; do expect_contains "$OUT" "$p"; done
	expect_contains "$OUT" "wordpress, file" "hotel's destinations"
	fs presets list --json
	expect_rc 0 "presets list --json"
	expect_eq "$(json_get "$OUT" 3.name)" "hotel" "fourth by name"
	expect_eq "$(json_get "$OUT" 3.origin)" "shipped" "origin"
	expect_contains "$(json_get "$OUT" 5.destinations)" "woocommerce" "product fits a shop"
	fs presets show hotel
	expect_rc 0 "presets show"
	expect_contains "$OUT" "hotel@1  Hotel"
	expect_contains "$OUT" "country        yes"
	expect_contains "$OUT" "  url: deeplink, booking_url"
	fs presets show product@1 --json
	expect_rc 0 "presets show --json"
	expect_eq "$(json_get "$OUT" fields.0.target)" "sku" "first field"
	expect_eq "$(json_get "$OUT" versions.0)" "1" "versions"
	fs presets show hotel@7
	expect_rc 6 "an absent version"
	expect_contains "$ERR" "no preset 'hotel@7'"
	fs presets show 'Hotel!'
	expect_rc 2 "a bad name"
	fs presets frob
	expect_rc 2 "an unknown subcommand"
}

test_user_presets_add_and_replace_and_bad_ones_are_named() {
	user_presets
	printf '{"name": "hotel", "version": 2, "title": "Our hotels", "destinations": ["file"],
	         "fields": [{"target": "sku", "required": true}, {"target": "stars", "required": true}]}' \
		>"$T/config/feedsync/presets/hotel2.json"
	printf '{"name": "deal", "version": 1, "title": "Our deals", "destinations": ["file"],
	         "fields": [{"target": "sku"}]}' >"$T/config/feedsync/presets/deal.json"
	printf '{"name": "broken", "version": 1,\n  "fields": [,]}' >"$T/config/feedsync/presets/broken.json"
	fs presets list --json
	expect_rc 1 "a broken file fails the listing"
	expect_contains "$ERR" "feedsync: preset $T/config/feedsync/presets/broken.json: invalid JSON at line 2, column 14"
	expect_contains "$OUT" '"title":	"Our deals"' "the user's deal@1 replaces the shipped one"
	expect_contains "$OUT" '"title":	"Our hotels"' "hotel@2 is added"
	expect_contains "$OUT" '"title":	"Hotel"' "hotel@1 stays"
	fs presets show hotel
	expect_rc 0 "show the latest"
	expect_contains "$OUT" "hotel@2  Our hotels"
	expect_contains "$OUT" "versions: 1 2"
	rm "$T/config/feedsync/presets/broken.json"
	hotel_conn '{}' '{"type": "file", "path": "out.csv"}'
	fs conn add --file "$T/conn.json"
	expect_rc 1 "the latest hotel needs stars"
	expect_contains "$ERR" "mapping.fields.stars: preset hotel@2 requires 'stars'"
}

test_conn_add_checks_the_preset() {
	user_presets
	hotel_conn '{"starz": {"column": "Star Rating"}}' '{"type": "woocommerce", "id": 1}'
	fs conn add --file "$T/conn.json"
	expect_rc 1 "conn add refuses"
	expect_contains "$ERR" "preset: hotel@1 is for 'wordpress', 'file' destinations, not woocommerce"
	expect_contains "$ERR" "mapping.fields.starz: 'starz' is not a field of preset hotel@1 (did you mean 'stars'?)"
	expect_contains "$ERR" "mapping.fields.url: preset hotel@1 requires 'url'"
	expect_eq "$(sql 'select count(*) from connections')" "0" "nothing saved"
	hotel_conn '{}' '{"type": "file", "path": "out.csv"}' nope
	fs conn add --file "$T/conn.json"
	expect_rc 1 "an unknown preset"
	expect_contains "$ERR" "preset: no preset 'nope' (there are: deal@1, fashion@1"
	hotel_conn '{"url": {"column": "Deep-Link"}, "city": {"column": "City"}, "country": {"column": "Country"},
	             "name": {"column": "Hotel Name"}}' '{"type": "file", "path": "out.csv"}'
	fs conn add --file "$T/conn.json"
	expect_rc 0 "a mapping that fills the preset"
	fs preview 1
	expect_rc 0 "preview"
	expect_not_contains "$OUT" "preset hotel@1" "preview warnings"
}

test_preview_names_required_fields_the_feed_lacks() {
	user_presets
	hotel_conn '{"url": {"column": "booking_link"}, "city": {"column": "City"}, "country": {"column": "Country"}}' \
		'{"type": "file", "path": "out.csv"}'
	fs_fast conn add --file "$T/conn.json"
	expect_rc 0 "conn add: no feed is read when saving"
	fs preview 1
	expect_contains "$OUT" "warning: mapping.fields.url: preset hotel@1 requires 'url', but the feed has no column 'booking_link'"
	fs preview 1 --json
	expect_contains "$OUT" "preset hotel@1 requires 'url'" "preview --json"
}

run_tests "$@"
