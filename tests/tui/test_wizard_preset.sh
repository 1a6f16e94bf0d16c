#!/bin/bash
# The wizard's mapping presets at 80x24 without colour: choosing one fills the mapping from the sample's
# columns, the saved connection names it, and a user's broken preset file is named on the Mapping step.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

FEED="$FIXTURES/presets/hotels.csv"

# The user's presets live in the test's directory, never in the real ~/.config.
preset_console() { console NO_COLOR=1 XDG_CONFIG_HOME="$T/config" -- "$@"; }

# A new connection of the hotel fixture feed, its sample fetched, on the Mapping step.
to_mapping() {
	keys_then "New connection: step 1 of 6, Source" a
	keys "$1"
	focus "http(s):// address"
	keys "$FEED"
	focus "Downloads the feed"
	keys_then "sample: 3 rows, 9 columns" Enter
	keys_then "step 2 of 6" C-n
	keys_then "step 3 of 6" C-n
	wait_screen "Preset          [(none)"
}

test_a_preset_fills_the_mapping_from_the_sample() {
	preset_console
	to_mapping "Hotels"
	focus "The product type's fields"
	keys_then "hotel@1  Hotel" Enter
	wait_screen "listing@1  Listing"
	keys Down Down Down Down
	keys_then "hotel@1: 9 of its 22 fields found in the sample" Enter
	wait_screen "sku               [auto: hotel_id"
	wait_screen "name              [Hotel Name"
	wait_screen "url               [Deep-Link"
	wait_screen "stars             [Star Rating"
	wait_screen "status            [(constant)                   ▾] =  [publish"
	wait_screen "no problems on this step"
	expect_fits 80
	keys_then "step 4 of 6" C-n
	keys Right                                            # file export
	focus "The file written at each run"
	keys out/hotels.csv
	keys_then "step 5 of 6" C-n
	keys_then "step 6 of 6" C-n
	wait_screen "Preset:       hotel@1"
	keys_then "created connection 1 'Hotels'" C-s
	stop_console

	fs conn show 1 --json
	expect_rc 0 "conn show"
	expect_eq "$(json_get "$OUT" document.preset)" "hotel@1" "the preset named"
	expect_eq "$(json_get "$OUT" document.mapping.fields.url.column)" "Deep-Link" "url"
	expect_eq "$(json_get "$OUT" document.mapping.fields.city.column)" "City" "city"
	expect_eq "$(json_get "$OUT" document.source.aliases.hotel_id)" "sku" "the SKU's column"
	XDG_CONFIG_HOME="$T/config" fs preview 1
	expect_rc 0 "preview of the saved connection"
	expect_not_contains "$OUT" "preset hotel@1" "preview warnings"
}

test_a_broken_user_preset_is_named_on_the_mapping_step() {
	mkdir -p "$T/config/feedsync/presets"
	printf '{"name": "mine", "version": 1,\n "fields": [}\n' >"$T/config/feedsync/presets/mine.json"
	preset_console
	to_mapping "Hotels"
	wait_screen "preset file mine.json: invalid JSON at line 2, column 13"
	expect_fits 80
	keys C-c
	exit_confirmed
	tmux -L "$SOCK" kill-server 2>/dev/null
}

run_tests "$@"
