#!/bin/bash
# Keys that must not reach what the operator cannot see or did not mean: a terminal too small, an arrow
# key split by a slow link, Esc and Backspace on the first screen.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# quit_with_q: q on the first screen ends the console (exit 0, nothing on stderr).
quit_with_q() {
	keys q
	wait_screen "EXITED" 10 && expect_contains "$(screen)" "EXITED 0" "console exit"
	[ -s "$T/.console-err" ] && fail "the console wrote to stderr: $(head -c 2000 "$T/.console-err")"
	tmux -L "$SOCK" kill-server 2>/dev/null
}

test_too_small_takes_only_quit() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	wait_screen "1 of 1"
	resize 60 20
	wait_screen "terminal too small: 60x20"
	keys r
	keys d
	keys Enter
	sleep 0.5
	expect_eq "$(sql 'select count(*) from sync_runs')" "0" "runs started behind 'too small'"
	expect_not_contains "$(screen)" "(y/n)" "a question behind 'too small'"
	resize 80 24
	wait_screen "1 of 1"
	expect_not_contains "$(screen)" "Delete connection" "the hidden delete question"
	expect_not_contains "$(screen)" "Runs of" "a screen opened behind 'too small'"
	resize 60 20
	wait_screen "press Q to quit"
	keys Q
	wait_screen "EXITED 0" 10
	tmux -L "$SOCK" kill-server 2>/dev/null
}

test_quit_from_too_small_asks_about_runs_in_flight() {
	start_feedserver "$T"
	add_conn "Slow feed" csv "$FEED_URL/slow?bps=4000&bytes=30000"
	console
	keys_then "started run 1" r
	resize 60 20
	wait_screen "terminal too small"
	keys Q
	wait_screen "and quit? (y/n)"
	keys y
	wait_screen "EXITED 0" 10
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "run left by quitting"
	tmux -L "$SOCK" kill-server 2>/dev/null
}

test_a_dialog_open_when_the_terminal_shrinks_is_dropped() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "Delete connection 1 'Alpha feed'" d
	resize 60 20
	wait_screen "terminal too small"
	keys y
	sleep 0.3
	resize 80 24
	wait_screen "1 of 1"
	expect_eq "$(sql 'select count(*) from connections')" "1" "connections after a hidden 'y'"
	stop_console
}

test_an_arrow_key_split_by_a_slow_link_is_one_key() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	wait_screen "2 of 2"
	keys j
	# Up in the keypad mode the console sets is ESC O A; the link delivers ESC alone, then the rest.
	keys Escape
	sleep 0.08
	keys -l "OA"
	keys Enter
	wait_screen "Runs of Alpha feed"
	expect_not_contains "$(screen)" "EXITED"
	stop_console
}

test_esc_and_backspace_do_not_quit_from_the_first_screen() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "Runs of Alpha feed" Enter
	keys_then "Connections" Escape
	keys Escape
	keys BSpace
	sleep 0.6
	expect_not_contains "$(screen)" "EXITED"
	expect_contains "$(screen)" "Connections"
	quit_with_q
}

test_escape_delay_is_configurable() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	printf '[tui]\nescape_delay_ms = 1500\n' >"$T/esc.ini"
	fs --config "$T/esc.ini" config
	expect_contains "$OUT" "escape_delay_ms = 1500"
	console FEEDSYNC_CONFIG="$T/esc.ini" --
	keys_then "Runs of Alpha feed" Enter
	keys Escape
	sleep 0.5
	expect_contains "$(screen)" "Runs of Alpha feed" "Esc acted before the 1500 ms delay"
	wait_screen "Connections" 5
	stop_console
}

test_config_refuses_the_keys_the_console_refuses() {
	printf '[keys]\nretry = r\n' >"$T/keys.ini"
	fs --config "$T/keys.ini" config
	expect_rc 2 "feedsync config with a key bound twice"
	local want="$T/keys.ini: [keys]: 'r' is bound to both run_now and retry on the Runs screen"
	expect_contains "$ERR" "$want"
	expect_eq "$OUT" "" "settings printed as fine"
	console_exits 2 -- --config "$T/keys.ini"
	expect_contains "$(cat "$T/.console-err")" "$want"
	printf '[keys]\nretry = Ctrl+R\n' >"$T/keys.ini"
	fs --config "$T/keys.ini" config
	expect_rc 2 "feedsync config with a key that is not one"
	expect_contains "$ERR" "[keys] retry: 'Ctrl+R' is not a key"
}

# At 80 columns the first screen's hint line keeps its most useful keys whole: open, run, new, the latest
# problem, help and quit.
test_the_first_screens_hints_fit_80_columns() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	wait_screen "1 of 1"
	local hints
	hints=$(screen | tail -1)
	for hint in "Enter open" "r run_now" "a new_connection" "! latest_failure" "? help" "q back"; do
		expect_contains "$hints" "$hint" "the hint line at 80 columns"
	done
	stop_console
}

run_tests "$@"
