#!/bin/bash
# The Destinations screen at 80x24 shows each shop's shared limits: the bucket (whole tokens available of its
# size, and its refill rate), filling live as the clock ticks, and the slots every process holds of the cap.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

test_destinations_show_the_bucket_and_the_slots() {
	fs_fast dest add --name "Main shop" --url "http://127.0.0.1:9" --key ck_test --secret cs_test
	expect_rc 0 "dest add"
	# As two workers leave it: the bucket just emptied, refilling at 2 a second; one slot of 4 leased.
	sql "insert into dest_buckets values (1, 0, strftime('%s', 'now') * 1000 + 500, 2, 4, 4);
	     insert into dest_leases values (1, 'elsewhere:1', 1, 1, strftime('%s', 'now') * 1000 + 60000);
	     update destinations set recent_outcomes = '++-+'"
	console
	keys_then "Destinations" 3
	wait_screen "BUCKET"
	expect_contains "$(screen)" "SLOTS"
	expect_contains "$(screen | grep " Main shop")" " 0/4 2/s" "the empty bucket"
	expect_contains "$(screen | grep " Main shop")" " 1/4" "the slot held"
	expect_fits 80
	# Nothing is written meanwhile: the screen refills the bucket from the clock.
	wait_screen "4/4 2/s" 6
	keys_then "in flight" Enter
	expect_contains "$(screen)" "1/4 slots held by 1 process"
	expect_contains "$(screen)" "++-+"
	keys q
	stop_console
}

run_tests "$@"
