#!/bin/bash
# The console's navigation (issue 12): sort keys, n/N search, the : command line, marks with bulk actions,
# help that wraps, state kept between sessions. Driven in tmux at 80x24.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

three_conns() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" json "$T/missing.json"
	add_conn "Gamma feed" csv "$FIXTURES/feeds/quoted.csv"
}

# The name on body row N (1 = the first row under the titles).
row() { screen | sed -n "$(($1 + 2))p"; }
# expect_selected NAME: Enter on the selected connection opens the runs of NAME.
expect_selected() {
	keys_then "Runs of $1" Enter
	keys_then "Connections" q
}

test_sort_column_moves_with_angle_brackets() {
	three_conns
	console
	wait_screen "sort name ▲"
	keys_then "sort source ▲" ">"
	keys_then "sort name ▲" "<"
	keys_then "sort id ▲" "<"
	keys_then "sort id ▼" S
	row 1 | grep -q "Gamma feed" || fail "id descending does not start with Gamma: $(row 1)"
	expect_contains "$(screen | sed -n 2p)" "ID▼" "the arrow in the titles"
	stop_console
}

test_search_next_and_previous_go_round() {
	three_conns
	add_conn "Delta feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	wait_screen "4 of 4"
	keys n
	wait_screen "nothing to search for yet"
	keys / f e e d Escape   # Esc drops the filter, the text stays the search
	wait_screen "4 of 4"
	keys / e t a Escape
	keys_then "Beta feed" ""
	expect_selected "Alpha feed"
	keys n
	expect_selected "Beta feed"
	keys n
	wait_screen "only this row holds 'eta'"
	keys / c s v Escape
	keys n
	expect_selected "Delta feed"
	keys n
	expect_selected "Gamma feed"
	keys n
	wait_screen "search went round to the top"
	expect_selected "Alpha feed"
	keys N
	wait_screen "search went round to the bottom"
	expect_selected "Gamma feed"
	keys / z z z Escape n
	wait_screen "no row holds 'zzz'"
	stop_console
}

test_command_line_opens_screens_completes_and_recalls() {
	three_conns
	fs_fast run 2 --wait
	fs_fast run 1 --wait
	console
	keys ":" r u n s Space f a i l e d Enter
	wait_screen "[problems]"
	wait_screen "1 of 2"
	expect_contains "$(screen)" "Beta feed"
	keys ":" c o n n Space G a m Enter
	wait_screen "Runs of Gamma feed"
	keys ":" c o n n Space 1 Enter
	wait_screen "Runs of Alpha feed"
	keys ":" c o n n Space f e e d Enter
	wait_screen "'feed' is in 3 connection names"
	keys ":" c o n n Space 9 9 Enter
	wait_screen "there is no connection 99"
	keys ":" d e Tab
	wait_screen ":dest"
	keys Enter
	wait_screen "Destinations"
	keys ":" f r o b Enter
	wait_screen "unknown command ':frob': runs [problems|running|active], conn ID|NAME, dest, q"
	keys ":" r u n s Space r u Tab
	wait_screen ":runs running"
	keys Up                     # the last command was ":frob": it failed, but is kept to correct
	wait_screen ":frob"
	keys Up
	wait_screen ":dest"
	keys Down Down
	wait_screen ":runs running" # what was typed before Up comes back
	keys Escape ":" q Enter
	wait_screen "EXITED 0"
	stop_console
}

test_marks_run_enable_disable_and_cancel_in_bulk() {
	three_conns
	add_conn "Delta feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	wait_screen "4 of 4"
	keys m
	wait_screen "1 marked (u clears)"
	keys j m
	wait_screen "2 marked"
	row 1 | grep -q '^\* ' || fail "the first row shows no mark: $(row 1)"
	row 2 | grep -q '^  ' || fail "the unmarked row is marked: $(row 2)"
	row 3 | grep -q '^\* ' || fail "the third row shows no mark: $(row 3)"
	keys u
	wait_not_screen "marked"
	keys g m m
	wait_screen "2 marked"
	keys e
	wait_screen "disabled 2 of 2 marked connections"
	expect_eq "$(sql 'select group_concat(active) from (select active from connections order by id)')" "0,0,1,1" \
		"Alpha and Beta disabled"
	keys g m j j m e
	wait_screen "enabled 2 of 2 marked connections"   # one of them was disabled: enabling wins
	expect_eq "$(sql 'select group_concat(active) from (select active from connections order by id)')" "1,0,1,1" \
		"Alpha enabled again, Delta stays enabled"
	stop_console
	sql "insert into sync_runs (connection_id, trigger, status, phase, created_at) values
		(1, 'manual', 'queued', '', 1), (3, 'manual', 'queued', '', 1)"
	printf '[tui]\nuse_worker = true\n' >"$T/worker.ini"   # the queued runs stay queued: nothing here starts them
	console FEEDSYNC_CONFIG="$T/worker.ini" --
	keys_then "Runs" 2
	keys m m
	wait_screen "2 marked"
	keys x
	wait_screen "cancel requested for 2 of 2 marked runs"
	expect_eq "$(sql "select group_concat(status) from sync_runs")" "cancelled,cancelled" "the runs"
	stop_console
}

test_help_wraps_long_descriptions_and_scrolls() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "Help: Connections" "?"
	expect_fits 80
	keys G
	wait_screen "Quit the console [quit]"
	screen | grep -qE '^   : +A command: runs \[problems\|running\|active\], conn ID\|NAME,$' ||
		fail "the command's help, first line"
	screen | grep -qE '^ {20}dest, q \(Tab completes, Up/Down recall\) \[command\]$' ||
		fail "the command's help goes on under its description"
	keys g
	wait_screen "Keys on the Connections screen"
	stop_console
}

test_sort_columns_and_filters_are_kept_between_sessions() {
	three_conns
	fs_fast run 2 --wait
	console
	keys_then "sort source ▲" ">"
	keys_then "sort source ▼" S
	keys_then "[problems]" f
	keys_then "Columns: Space shows or hides" c
	keys j j j Space Escape     # DEST goes
	wait_not_screen "Columns:"
	keys_then "Runs" 2
	keys_then "sort id ▲" S     # runs start newest first
	stop_console
	local state="$T/state/feedsync/console.state"
	[ -f "$state" ] || fail "no state file at $state"
	expect_contains "$(cat "$state")" "[Connections]"
	expect_contains "$(cat "$state")" "sort = source desc"
	expect_contains "$(cat "$state")" "quick = problems"
	expect_eq "$(ls "$T/state/feedsync")" "console.state" "nothing but the state beside it (no temporary file)"
	console
	wait_screen "[problems]"
	wait_screen "sort source ▼"
	expect_contains "$(screen)" "Beta feed"
	expect_not_contains "$(screen | sed -n 2p)" "DEST"
	keys_then "Runs" 2
	wait_screen "sort id ▲"
	stop_console
}

test_a_damaged_state_file_is_ignored_with_a_message() {
	three_conns
	mkdir -p "$T/state/feedsync"
	printf '[Connections]\nsort = name sideways\n' >"$T/state/feedsync/console.state"
	console
	wait_screen "console state damaged at line 2, ignored (defaults used): /"
	wait_screen "sort name ▲"
	stop_console
	expect_not_contains "$(cat "$T/state/feedsync/console.state")" "sideways" "the state written over the damaged one"
	head -c 3000 /dev/urandom >"$T/state/feedsync/console.state"
	console
	wait_screen "console state damaged at line"
	wait_screen "3 of 3"
	stop_console
	printf '[Connections]\nsort = name desc\nquick = problems\nfilter = zeta\ncolumns = name,nosuch\n' \
		>"$T/state/feedsync/console.state"
	console XDG_STATE_HOME="$T/state" --
	wait_screen "0 of 3"
	wait_screen "[problems]  /zeta  sort name ▼"
	expect_eq "$(screen | sed -n 2p | tr -d ' ')" "NAME▼" "only the known column shows"
	stop_console
}

# A running run 1 of Alpha feed with 60 log lines: every tenth an error, every fifth else a warning, line 31
# far wider than the terminal.
live_run_with_a_log() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	sql "insert into sync_runs (connection_id, trigger, status, phase, created_at, started_at, heartbeat_at)
		values (1, 'manual', 'running', 'download', 1, strftime('%s','now') * 1000, strftime('%s','now') * 1000);
		with recursive n(i) as (select 0 union all select i + 1 from n where i < 59)
		insert into run_events (run_id, at, level, message)
		select 1, 1700000000000 + i * 1000,
			case when i % 10 = 0 then 'error' when i % 5 = 0 then 'warn' else 'info' end,
			case when i % 10 = 0 then 'failure number ' || i
			     when i = 31 then 'wide ' || replace(hex(zeroblob(100)), '00', 'ab') || ' TAILEND'
			     else 'line ' || i end
		from n"
	printf '[tui]\nuse_worker = true\nrefresh_ms = 100\n' >"$T/worker.ini"
}

# expect_found TEXT: the line the log search found (marked '>') soon holds TEXT.
expect_found() {
	for _ in $(seq 50); do
		screen | grep '^>' | grep -q "$1 *$" && return 0
		sleep 0.05
	done
	fail "the line found is not '$1': $(screen | grep '^>')"
}

test_log_view_follows_searches_filters_and_wraps() {
	live_run_with_a_log
	console FEEDSYNC_CONFIG="$T/worker.ini" --
	keys_then "Runs" 2
	keys_then "Run 1 of Alpha feed" Enter
	keys_then "Log of run 1 of Alpha feed" L
	wait_screen "60 lines, following"
	expect_contains "$(screen)" "line 59"
	expect_fits 80
	keys k
	wait_screen "paused (F follows)"
	sql "insert into run_events (run_id, at, level, message) values (1, 1700000100000, 'info', 'fresh line')"
	wait_screen "61 lines"
	expect_not_contains "$(screen)" "fresh line" "a paused log"
	keys F
	wait_screen "fresh line"
	wait_screen "61 lines, following"
	sql "insert into run_events (run_id, at, level, message) values (1, 1700000101000, 'info', 'fresher line')"
	wait_screen "fresher line"             # following: new lines come on screen by themselves

	keys / T A I L E N D Enter
	wait_screen "TAILEND"                  # wrapped: the whole line shows
	wait_screen "paused"
	keys w
	wait_not_screen "TAILEND"              # cut at the terminal's width
	for _ in $(seq 20); do keys l; done
	wait_screen "TAILEND"
	wait_screen "+160 columns"
	keys h w

	keys_then "at info or above" v
	keys_then "at warn or above" v
	wait_screen "12 lines at warn or above"
	expect_not_contains "$(screen)" "line 1 " "info lines are hidden"
	keys_then "6 lines at error or above" v
	keys g / f a i l u r e Enter           # from the first line on
	wait_screen ">22:"
	expect_found "failure number 0"
	keys n
	expect_found "failure number 10"
	keys N N
	expect_found "failure number 50"       # N went round the start
	keys v
	wait_screen "62 lines"
	keys_then "62 lines, following" End
	keys q
	wait_screen "Run 1 of Alpha feed"
	stop_console
}

run_tests "$@"
