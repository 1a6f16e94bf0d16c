#!/bin/bash
# Relative times in lists ("5s ago", "in 14h") move on as time passes, without a key and without C-l.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

test_relative_times_move_on_without_a_key() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 1 --wait
	console
	wait_screen "s ago"
	local first; first=$(screen | grep -o '[0-9]*s ago' | head -1)
	sleep 2.5
	local later; later=$(screen | grep -o '[0-9]*s ago' | head -1)
	[ "${later%s ago}" -ge $((${first%s ago} + 2)) ] || fail "LAST RUN still says '$later' 2.5 s after '$first'"
	stop_console
}

test_an_idle_list_with_a_clock_redraws_at_most_once_a_second() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 1 --wait
	console
	wait_screen "s ago"
	expect_idle_cpu "a console showing a clock"
	stop_console
}

run_tests "$@"
