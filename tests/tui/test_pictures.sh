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


test_stats_screen_per_connection_and_shop() {
	runs_of_two_connections
	fs_fast dest add --name "Main shop" --url "http://127.0.0.1:9" --key ck_test --secret cs_test
	expect_rc 0 "dest add"
	add_conn "Shop feed" csv "$FIXTURES/feeds/quoted.csv" '"destination": {"type": "woocommerce", "name": "Main shop"}'
	# A failed push, written as a worker would (a real one to nowhere waits out the shop's patience).
	sql "insert into sync_runs(connection_id, trigger, status, created_at, started_at, finished_at)
	     values (3, 'manual', 'failed', strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000,
	     strftime('%s', 'now') * 1000 + 1500)"
	console
	keys_then "Stats, last 30 days" 4
	wait_screen "Connections (3)"
	expect_contains "$(screen)" "Destinations (1)"
	expect_contains "$(screen)" "NAME              RUNS/DAY FAILED   MEDIAN      P95  CREATED  UPDATED  RETIRED"
	# Alpha: 4 runs of 1, 2, 4, 8 s: median rank 2, p95 rank 4; Beta failed both times.
	expect_eq "$(screen | grep " Alpha feed" | tr -s ' ')" " Alpha feed 0.13 0% 2.0s 8.0s 4 0 0" \
		"Alpha: 4 runs in 30 days, 4 products created"
	expect_contains "$(screen | grep " Beta feed")" " 100% " "Beta's failures"
	expect_eq "$(screen | grep " Main shop" | tr -s ' ')" " Main shop 0.03 100% 1.5s 1.5s 0 0 0" "the shop's failed push"
	expect_fits 80
	keys_then "Connections" q
	stop_console
	console -- --ascii
	keys_then "Stats, last 30 days" 4
	wait_screen "Main shop"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii"
	stop_console
}


test_stats_screen_follows_new_runs() {
	runs_of_two_connections
	console
	keys_then "Stats, last 30 days" 4
	wait_screen "Alpha feed"
	expect_contains "$(screen | grep " Alpha feed")" " 0% " "no failure yet"
	sql "insert into sync_runs(connection_id, trigger, status, created_at, started_at, finished_at)
	     values (1, 'manual', 'failed', strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000,
	     strftime('%s', 'now') * 1000 + 100)"
	wait_screen " 20% " 8   # 1 of 5 runs failed, read again within the reload interval
	stop_console
}

# COUNT more connections copied from connection 1 ("Bulk 0001"...), 20 runs each of the last days.
bulk_connections() {
	local cols
	cols=$(sql "select group_concat(name, ', ') from pragma_table_info('connections') where name not in ('id', 'name')")
	sql "with recursive n(i) as (select 1 union all select i + 1 from n where i < $1)
	     insert into connections(name, $cols) select printf('Bulk %04d', i), $cols from n, connections where id = 1"
	sql "with recursive r(i) as (select 1 union all select i + 1 from r where i < 20)
	     insert into sync_runs(connection_id, trigger, status, created, created_at, started_at, finished_at)
	     select c.id, 'manual', case when (c.id + i) % 7 = 0 then 'failed' else 'completed' end, i % 3,
	     strftime('%s', 'now') * 1000 - i * 3600000, strftime('%s', 'now') * 1000 - i * 3600000,
	     strftime('%s', 'now') * 1000 - i * 3600000 + (c.id * 131 + i * 977) % 50000
	     from connections c, r where c.name like 'Bulk %'"
}

# Thousands of connections are summed over several frames: the screen says so, then shows what
# `feedsync stats` does.
test_stats_screen_computes_then_shows_the_figures_of_the_cli() {
	runs_of_two_connections
	bulk_connections 3000
	fs_fast stats
	expect_rc 0 "stats"
	local cli=$OUT
	console
	keys 4
	wait_screen "Stats, last 30 days" 4
	case "$(screen)" in
	*"computing the figures of the last 30 days..."*) echo "  (seen computing)";;
	*"Connections (3002)"*) ;;
	*) fail "neither computing nor the figures: $(screen)";;
	esac
	wait_screen "Connections (3002)" 8
	expect_eq "$(screen | grep " Alpha feed" | tr -s ' ')" " Alpha feed 0.13 0% 2.0s 8.0s 4 0 0" "Alpha"
	keys G   # the end of the list: the last bulk connections
	wait_screen "Bulk 3000"
	local conn
	for conn in "Bulk 2999" "Bulk 3000"; do
		expect_eq "$(screen | grep " $conn" | tr -s ' ')" " $(echo "$cli" | grep "^$conn" | tr -s ' ')" "$conn"
	done
	stop_console
}

run_tests "$@"
