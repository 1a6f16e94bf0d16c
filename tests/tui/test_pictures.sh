#!/bin/bash
# Pictures in the console at 80x24: the connections' last runs as sparklines, the stats screen.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# "Alpha feed" ran 4 times, completed, taking 1, 2, 4 and 8 s; "Beta feed" failed twice.
runs_of_two_connections() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	for _ in 1 2 3 4; do fs_fast run 1 --wait; expect_rc 0 "a run of Alpha"; done
	add_conn "Beta feed" json "$T/missing.json"
	for _ in 1 2; do fs_fast run 2 --wait; expect_rc 1 "a run of Beta"; done
	sql "update sync_runs set finished_at = started_at + 1000 * (1 << (id - 1)) where connection_id = 1"
}

# The row of connection NAME on screen.
row_of() { screen | grep "$1"; }

test_connections_show_their_last_runs_as_a_sparkline() {
	runs_of_two_connections
	console
	wait_screen "RUNS"
	expect_contains "$(row_of "Alpha feed")" " ▁▂▄█ " "durations 1, 2, 4, 8 s as bars"
	expect_contains "$(row_of "Beta feed")" " ✘✘ " "failed runs marked"
	expect_fits 80
	# The failed runs are in the error colour (the unselected row: Alpha is selected).
	tmux -L "$SOCK" capture-pane -p -e | grep "Beta feed" | grep -qE $'\e\\[[0-9;]*m✘' || fail "no colour on ✘"
	stop_console
}

test_sparkline_reads_without_colour_and_in_ascii() {
	runs_of_two_connections
	console NO_COLOR=1 --
	wait_screen "RUNS"
	expect_contains "$(row_of "Alpha feed")" " ▁▂▄█ " "bars without colour"
	expect_contains "$(row_of "Beta feed")" " ✘✘ " "failures without colour"
	stop_console
	console -- --ascii
	wait_screen "RUNS"
	expect_contains "$(row_of "Alpha feed")" " ..:# " "ASCII bars: 4 levels"
	expect_contains "$(row_of "Beta feed")" " xx " "ASCII failures"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii"
	stop_console
}

run_tests "$@"
