#!/bin/bash
# Pictures of one run and one shop at 80x24: the run detail's throughput over the run (import rows/s, push
# items/s with the batch size and the circuit), and the destinations' strip of their last requests.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# A finished run whose samples are forged: the import reaches 30k rows/s, then the shop slows down from
# 120 items/s to 1 while its circuit is open for 12 s, and the batch size falls from 100 to 25.
run_with_a_cliff() {
	add_conn "Cliff feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 1 --wait
	expect_rc 0 "a run"
	sql "delete from run_samples;
	     insert into run_samples(run_id, t, phase, rows_read, push_processed, batch_size, circuit) values
	     (1, 0, 'download', 0, 0, null, null), (1, 1000, 'local_import', 10000, 0, null, null),
	     (1, 2000, 'local_import', 30000, 0, null, null), (1, 3000, 'local_import', 60000, 0, null, null),
	     (1, 4000, 'pushing', 60000, 120, 100, 'closed'), (1, 5000, 'pushing', 60000, 240, 100, 'closed'),
	     (1, 6000, 'pushing', 60000, 300, 50, 'closed'), (1, 18000, 'pushing', 60000, 312, 50, 'open'),
	     (1, 19000, 'pushing', 60000, 320, 25, 'closed')"
}

open_run() {
	keys_then "Runs of Cliff feed" Enter
	keys_then "Run 1 of Cliff feed" Enter
	wait_screen "push   "
}

test_run_detail_shows_throughput_over_the_run() {
	run_with_a_cliff
	console
	open_run
	expect_contains "$(screen)" "import ▃▆█ 30k rows/s peak 30k" "the import's rate rising"
	expect_contains "$(screen)" "push   ██▄▁▁ 8 items/s peak 120, batch 100→25, circuit open 12.0s" \
		"the shop's cliff"
	expect_fits 80
	# The interval of the open circuit (the 4th) has a colour of its own: the colour changes before it and after.
	tmux -L "$SOCK" capture-pane -p -e | grep "push " >"$T/push.sgr"
	grep -qE $'██▄\e\\[[0-9;]+m▁\e\\[[0-9;]+m▁' "$T/push.sgr" ||
		fail "the open circuit has no colour of its own: $(cat -v "$T/push.sgr")"
	stop_console
}

test_throughput_reads_without_colour_and_in_ascii() {
	run_with_a_cliff
	console NO_COLOR=1 --
	open_run
	expect_contains "$(screen)" "push   ██▄▁▁ 8 items/s" "bars without colour"
	stop_console
	console -- --ascii
	open_run
	expect_contains "$(screen)" "import :|# 30k rows/s" "ASCII bars: 4 levels"
	expect_contains "$(screen)" "push   ##:.. 8 items/s peak 120, batch 100>25" "ASCII push"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii"
	stop_console
}

# Two shops: "Main shop" with 14 requests (the newest 12 show), two of them failed; "Quiet shop" never asked.
shops_with_requests() {
	fs_fast dest add --name "Main shop" --url "http://127.0.0.1:9" --key ck_test --secret cs_test
	expect_rc 0 "dest add"
	fs_fast dest add --name "Quiet shop" --url "http://127.0.0.1:9" --key ck_test --secret cs_test
	expect_rc 0 "dest add"
	sql "update destinations set recent_outcomes = '--+++-++++++-+' where name = 'Main shop'"
}

test_destinations_show_their_last_requests_as_a_strip() {
	shops_with_requests
	console
	keys_then "REQUESTS" 3
	expect_contains "$(screen | grep "Main shop")" " ✔✔✔✘✔✔✔✔✔✔✘✔" "the newest 12, failures marked"
	expect_contains "$(screen | grep "Quiet shop")" " - " "no requests yet"
	expect_fits 80
	# With Quiet shop selected, Main shop's failures are painted in a colour of their own.
	keys Down
	local painted=1
	for _ in $(seq 40); do
		tmux -L "$SOCK" capture-pane -p -e | grep "Main shop" | grep -qE $'✔(\e\\[[0-9;]*m)+✘(\e\\[[0-9;]*m)+✔' &&
			{ painted=0; break; }
		sleep 0.05
	done
	[ "$painted" = 0 ] || fail "no colour on the failures"
	stop_console
}

test_strip_reads_without_colour_and_in_ascii() {
	shops_with_requests
	console NO_COLOR=1 --
	keys_then "REQUESTS" 3
	expect_contains "$(screen | grep "Main shop")" " ✔✔✔✘✔✔✔✔✔✔✘✔" "without colour"
	stop_console
	console -- --ascii
	keys_then "REQUESTS" 3
	expect_contains "$(screen | grep "Main shop")" " +++-++++++-+" "ASCII strip"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii"
	stop_console
}

run_tests "$@"
