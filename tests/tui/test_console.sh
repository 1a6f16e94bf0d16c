#!/bin/bash
# The console, driven in tmux (a real terminal) at 80x24 and 160x48: keys in, screen text out.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# A feed served slowly enough (30 KB at 4 KB/s) to watch a run work.
slow_conn() {
	start_feedserver "$T"
	add_conn "${1:-Slow feed}" csv "$FEED_URL/slow?bps=4000&bytes=30000"
}

# The percentage on the run screen's progress line, or -1.
progress_percent() {
	screen | sed -n 's/.* \([0-9]*\)%  .* rows\/s.*/\1/p' | head -1 | grep . || echo -1
}

# Run 1 of "Woo feed" ($CONN_ID) pushed 1234 products to the fake shop "Main shop Romania" (and took 1h 02m).
pushed_to_a_shop() {
	start_fakewoo || return 1
	run_fs fs_fast dest add --name "Main shop Romania" --url "$WOO_URL" --key "$KEY" --secret "$SECRET" --json
	expect_rc 0 "dest add"
	DEST_ID=$(json_get "$OUT" id)
	make_feed 1234
	add_woo_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the push"
	sql "update sync_runs set started_at = finished_at - 3720000 where id = 1"
}

# expect_whole LINE CELL...: each cell is in the line whole, between spaces, and nothing in it was cut.
expect_whole() {
	local line=$1; shift
	expect_not_contains "$line" "…" "a cut cell in '$line'"
	for cell in "$@"; do expect_contains " $line " " $cell " "the row"; done
}

test_push_took_and_destination_are_whole_at_100_and_80_columns() {
	pushed_to_a_shop || return
	console 100 30 --
	wait_screen "Woo feed"
	expect_whole "$(screen | grep "Woo feed")" "Main shop Romania" "1234/0/0/0"
	keys_then "Runs" 2
	wait_screen "1h 02m"
	expect_whole "$(screen | grep "Woo feed")" "1234/0" "1h 02m" "1234/0/0/0"
	expect_fits 100
	resize 80 24
	wait_screen "Woo feed"
	expect_whole "$(screen | grep "Woo feed")" "1234/0" "1h 02m" "1234/0/0/0"
	expect_fits 80
	keys_then "Connections" 1
	expect_whole "$(screen | grep "Woo feed")" "Main shop Romania" "1234/0/0/0"
	expect_fits 80
	stop_console
}

# The run screen's bar and the percentage after it.
bar_of_run() { screen | LC_ALL=C.UTF-8 grep -oE '[█░]{24} +[0-9-]+%?' | head -1; }
# expect_bar FULL_CELLS PERCENT
expect_bar() {
	local want="" i
	for i in $(seq 24); do if [ "$i" -le "$1" ]; then want+="█"; else want+="░"; fi; done
	expect_eq "$(bar_of_run)" "$want $(printf '%3d%%' "$2")" "the bar of a finished run"
}

test_a_finished_run_shows_the_bar_it_reached() {
	start_fakewoo || return
	add_shop
	make_feed 1234
	add_woo_conn
	woo item_errors '{"SKU-00007": {"code": "woocommerce_rest_product_not_created", "message": "no"}}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "a push with one item refused"
	woo item_errors '{}'
	make_feed 1234 100
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "skip": 4, "status": 401}]'
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a push refused part-way"
	console 100 30 --
	keys_then "Run 1 of Woo feed" 2 j Enter
	wait_screen "errors"
	expect_bar 24 100
	expect_contains "$(screen)" "1234 rows"
	keys_then "Runs" q
	keys_then "Run 2 of Woo feed" k Enter
	wait_screen "✘ failed"
	local done queued
	done=$(sql "select push_processed + push_failed from sync_runs where id = 2")
	queued=$(sql "select push_queued from sync_runs where id = 2")
	[ "$done" -gt 0 ] && [ "$done" -lt "$queued" ] || fail "run 2 pushed $done of $queued: not part-way"
	expect_bar $((done * 24 / queued)) $((done * 100 / queued))
	stop_console
}

test_the_push_counts_items_per_second() {
	start_fakewoo || return
	add_shop
	make_feed 1234
	add_woo_conn
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 800}]'
	console
	keys_then "started run 1" r
	keys_then "Runs of Woo feed" Enter
	keys_then "Run 1 of Woo feed" Enter
	wait_screen "▶ pushing" 10
	wait_screen "items/s" 5
	local rate=0
	for _ in $(seq 40); do
		rate=$(screen | sed -n 's/.* \([0-9]*\) items\/s.*/\1/p' | head -1)
		[ "${rate:-0}" -gt 0 ] && break
		sleep 0.1
	done
	[ "${rate:-0}" -gt 0 ] || fail "the push shows ${rate:-no} items/s"
	wait_screen "✔ ok" 20
	stop_console
}

test_startup_lists_connections_with_status_symbols() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" json "$T/missing.json"
	fs_fast run 2 --wait
	console
	wait_screen "2 of 2"
	local s; s=$(screen)
	expect_contains "$s" "Connections"
	expect_contains "$s" "Alpha feed"
	expect_contains "$s" "never"
	expect_contains "$s" "✘ failed"
	expect_contains "$s" "sort name ▲"
	expect_contains "$s" "? help"
	[ "$(screen | wc -L)" -le 80 ] || fail "a line is wider than the terminal"
	stop_console
}

test_sort_reverse_filter_and_quick_filter() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" json "$T/missing.json"
	add_conn "Gamma feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 2 --wait
	console
	keys_then "NAME▼" S
	screen | sed -n 3p | grep -q "Gamma feed" || fail "Gamma is not first in name order reversed: $(screen | sed -n 3p)"
	keys_then "sort source ▲" s
	keys / a m m a
	wait_screen "1 of 3"
	wait_screen "/amma"
	keys Enter
	expect_contains "$(screen)" "Gamma feed"
	expect_not_contains "$(screen)" "Alpha feed"
	keys_then "3 of 3" / Escape
	keys_then "[problems]" f
	wait_screen "1 of 3"
	expect_contains "$(screen)" "Beta feed"
	keys_then "[running]" f
	keys_then "0 of 3" ""
	keys f f
	wait_screen "3 of 3"
	stop_console
}

test_help_is_generated_from_the_key_bindings() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	printf '[keys]\nrun_now = K\n' >"$T/keys.ini"   # N is search_previous
	console FEEDSYNC_CONFIG="$T/keys.ini" --
	keys_then "Help: Connections" "?"
	expect_contains "$(screen)" "Run the connection now [run_now]"
	screen | grep "Run the connection now" | grep -qE "^ +K +Run" || fail "help does not show the remapped key K"
	keys_then "Connections" q
	keys K
	wait_screen "started run 1"
	stop_console
}

test_bad_key_binding_is_reported() {
	printf '[keys]\nrun_now = Ctrl+Q\n' >"$T/keys.ini"
	console_exits 2 FEEDSYNC_CONFIG="$T/keys.ini" --
	expect_contains "$(cat "$T/.console-err")" "[keys] run_now: 'Ctrl+Q' is not a key"
}

test_open_a_run_and_watch_its_counters_move() {
	slow_conn
	console
	keys_then "started run 1" r
	keys_then "Runs of Slow feed" Enter
	keys_then "Run 1 of Slow feed" Enter
	wait_screen "▶ download"
	wait_screen "running for"
	local first second
	for _ in $(seq 40); do first=$(progress_percent); [ "$first" -ge 0 ] && break; sleep 0.1; done
	sleep 1.5
	second=$(progress_percent)
	[ "$first" -ge 0 ] && [ "$second" -gt "$first" ] || fail "progress did not move: $first% then $second%"
	wait_screen "rows/s"
	wait_screen "Log:"
	wait_screen "phase download"
	keys_then "cancel requested" x
	wait_screen "⊘ cancelled" 10
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "run status"
	keys_then "Errors of run 1" e
	keys_then "Run 1 of Slow feed" Escape
	stop_console
}

test_run_now_is_refused_while_a_run_is_active() {
	slow_conn
	console
	keys_then "started run 1" r
	keys r
	wait_screen "refused: connection 1 already has run 1 (running"
	expect_eq "$(sql 'select count(*) from sync_runs')" "1" "runs"
	keys_then "still working: cancel it and quit? (y/n)" Q
	keys y
	wait_screen "EXITED 0" 10
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "run left by quitting"
	stop_console
}

test_delete_asks_first_and_is_refused_while_active() {
	add_conn "Keep me" csv "$FIXTURES/feeds/quoted.csv"
	slow_conn "Slow feed"
	console
	keys_then "2 of 2" ""
	keys j
	keys_then "Delete connection 2 'Slow feed' with its catalog and runs? (y/n)" d
	keys_then "nothing done" n
	wait_screen "2 of 2"
	keys_then "started run 1" r
	keys d
	wait_screen "refused: connection 2 has an active run 1"
	keys_then "cancel requested" Enter x
	keys q
	wait_screen "⊘ cancelled" 10
	keys_then "(y/n)" d
	keys_then "deleted connection 2" y
	wait_screen "1 of 1"
	expect_eq "$(sql 'select count(*) from connections')" "1" "connections left"
	stop_console
}

test_enable_disable_and_clone() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "disabled connection 1" e
	expect_eq "$(sql 'select active from connections where id = 1')" "0" "active"
	keys_then "enabled connection 1" e
	keys_then "copied connection 1 to connection 2" C
	wait_screen "Alpha feed (co"
	expect_eq "$(sql 'select active from connections where id = 2')" "0" "the copy's active"
	stop_console
}

test_latest_failure_opens_in_one_key() {
	add_conn "Broken" json "$T/missing.json"
	fs_fast run 1 --wait
	fs_fast run 1 --wait
	console
	keys_then "Run 2 of Broken" "!"
	wait_screen "✘ failed"
	wait_screen "download failed"
	keys_then "The run failed:" e
	stop_console
}

test_runs_of_another_process_show_up_live() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "0 of 0" 2
	fs_fast run 1 --wait
	expect_rc 0 "run --wait"
	wait_screen "1 of 1" 5
	wait_screen "✔ ok"
	keys_then "Connections" 1
	wait_screen "✔ ok"
	stop_console
}

test_resize_and_too_small() {
	add_conn "A connection with a rather long name that cannot fit" csv "$FIXTURES/feeds/quoted.csv"
	console
	tmux -L "$SOCK" resize-window -x 60 -y 20
	wait_screen "terminal too small: 60x20"
	tmux -L "$SOCK" resize-window -x 160 -y 48
	wait_screen "A connection with a rather long name that cannot fit"
	wait_screen "LAST RUN"
	[ "$(screen | wc -L)" -le 160 ] || fail "a line is wider than the terminal"
	tmux -L "$SOCK" resize-window -x 80 -y 24
	wait_not_screen "that cannot fit"
	wait_screen "A connection"
	stop_console
}

test_wide_screen_run_detail() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	fs_fast run 1 --wait
	console 160 48 --
	keys_then "Run 1 of Alpha feed" 2 Enter
	wait_screen "✔ download → ✔ local_import"
	wait_screen "completed:"
	stop_console
}

# Colour escape sequences in the pane: 3x/4x for 8 colours, 38;5 / 48;5 for 256.
has_colour() { tmux -L "$SOCK" capture-pane -p -e | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]'; }

test_no_color_and_ascii() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" json "$T/missing.json"
	fs_fast run 2 --wait
	console
	has_colour || fail "no colour by default"
	stop_console
	console NO_COLOR=1 --
	wait_screen "✘ failed"
	has_colour && fail "colour with NO_COLOR"
	stop_console
	console -- --no-color
	has_colour && fail "colour with --no-color"
	stop_console
	console -- --ascii
	wait_screen "x failed"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii: $(screen | LC_ALL=C grep '[^ -~]' | head -2)"
	stop_console
	console LC_ALL=C LANG=C --
	wait_screen "x failed"
	screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output in the C locale"
	stop_console
}

test_themes_load_and_a_missing_one_is_reported() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	for theme in light high-contrast; do
		printf '[tui]\ntheme = %s\n' "$theme" >"$T/theme.ini"
		console FEEDSYNC_CONFIG="$T/theme.ini" --
		wait_screen "? help"
		has_colour || fail "theme $theme: no colour"
		stop_console
	done
	printf '[tui]\ntheme = nosuch\n' >"$T/theme.ini"
	console FEEDSYNC_CONFIG="$T/theme.ini" --
	wait_screen "theme 'nosuch' not found"
	has_colour || fail "no built-in colours in place of a missing theme"
	stop_console
	mkdir -p "$T/themes"
	printf '[8]\nheader = white purple\n[256]\nheader = white purple\n' >"$T/themes/broken.ini"
	printf '[tui]\ntheme = broken\n' >"$T/theme.ini"
	console FEEDSYNC_CONFIG="$T/theme.ini" --
	wait_screen "themes/broken.ini:"
	wait_screen "header = 'white purple'"
	stop_console
}

test_readonly_removes_changing_actions() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console -- --readonly
	wait_screen "(read-only)"
	expect_not_contains "$(screen)" "run_now"
	keys_then "read-only console: run_now is not available" r
	keys_then "read-only console: delete is not available" d
	keys_then "Read-only console" "?"
	expect_not_contains "$(screen)" "Run the connection now"
	expect_eq "$(sql 'select count(*) from sync_runs')" "0" "runs"
	stop_console
}

# The display column where `word` starts in a line (wide characters count 2).
column_of() {
	python3 -c 'import sys, unicodedata
line, word = sys.argv[1], sys.argv[2]
prefix = line[:line.index(word)]
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix))' "$1" "$2"
}

test_feed_text_cannot_reach_the_terminal() {
	printf 'sku,name,price,qty\nA1,Bad,abc\033]52;c;aGk=\007\033[2J,1\nA2,Good,1.00,2\n' >"$T/evil.csv"
	add_conn "名前 wide name" csv "$T/evil.csv"
	fs_fast run 1 --wait
	console 160 48 --
	local row header
	row=$(screen | grep "wide name")
	header=$(screen | sed -n 2p)
	expect_eq "$(column_of "$row" csv)" "$(column_of "$header" SRC)" "the source column after a wide name"
	keys_then "Run 1 of 名前 wide name" "!"
	wait_screen "price 'abc^[]52;c;aGk=^G^[[2J' in column price is not a number"
	keys_then "Errors of run 1" e
	wait_screen "^[[2J"
	stop_console
}

test_export_writes_csv() {
	add_conn "=cmd|' /C calc'!A0" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "Write CSV to: feedsync-connections.csv" w
	keys_then "wrote 1 row to feedsync-connections.csv" Enter
	expect_contains "$(head -1 "$T/feedsync-connections.csv")" '"id","name","source"'
	expect_contains "$(cat "$T/feedsync-connections.csv")" "\"'=cmd|' /C calc'!A0\""
	stop_console
}

test_column_chooser_hides_a_column() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	keys_then "Columns: Space shows or hides" c
	keys j j Space Escape
	wait_not_screen "Columns:"
	expect_not_contains "$(screen | sed -n 2p)" "SRC"
	expect_contains "$(screen | sed -n 2p)" "DEST"
	stop_console
}

# click X Y: a left click at column X, row Y (from 0), as an xterm reports it (X10 encoding).
click() {
	local at
	at=$(printf '\\%03o\\%03o' $(($1 + 33)) $(($2 + 33)))
	keys -l "$(printf "\033[M %b\033[M#%b" "$at" "$at")"
}

test_mouse_sorts_selects_and_copies() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	add_conn "Beta feed" json "$FIXTURES/feeds/quoted.csv"
	fs_fast run 2 --wait
	printf '[tui]\nmouse = true\n' >"$T/mouse.ini"
	console FEEDSYNC_CONFIG="$T/mouse.ini" --
	tmux -L "$SOCK" set-option -g set-clipboard on >/dev/null
	local x; x=$(screen | sed -n 2p | grep -bo SRC | cut -d: -f1)
	click "$x" 1
	wait_screen "sort source ▲"
	click 5 3   # the second row: Beta feed (json sorts after csv)
	keys_then "Runs of Beta feed" Enter
	keys_then "copied run id 1" y
	expect_eq "$(tmux -L "$SOCK" show-buffer)" "1" "the clipboard (OSC 52)"
	stop_console
}

test_use_worker_leaves_runs_to_the_daemon() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	printf '[tui]\nuse_worker = true\n' >"$T/worker.ini"
	console FEEDSYNC_CONFIG="$T/worker.ini" --
	keys_then "queued run 1 for the worker; no worker is running" r
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "queued" "run status"
	stop_console
}

test_idle_console_uses_almost_no_cpu() {
	add_conn "Alpha feed" csv "$FIXTURES/feeds/quoted.csv"
	console
	expect_idle_cpu "idle console"
	stop_console
}

test_destinations_screen_health_circuit_and_background_test() {
	# Port 1 on loopback refuses connections at once: the test fails fast at reachability.
	fs dest add --name "Main shop" --url http://127.0.0.1:1 --key ck_secretkey0001 --secret cs_topsecret9
	fs dest add --name "Staging" --url https://staging.example.com --key ck_k --secret cs_s --insecure
	sql "update destinations set circuit_state = 'open', circuit_reopen_at = $(( $(date +%s) * 1000 + 1800000 )),
		consecutive_failures = 5, learned_batch_size = 50,
		circuit_since = $(( $(date +%s) * 1000 - 600000 )) where name = 'Staging'"
	console 140 24 --
	keys_then "Destinations" 3
	wait_screen "2 of 2"
	expect_contains "$(screen)" "OFF" "TLS verification off is shown"
	expect_contains "$(screen)" "open 30m" "circuit open with the time to its probe"
	expect_contains "$(screen)" "open since 10m ago" "health of the open circuit"
	expect_contains "$(screen)" "never" "health never checked"
	keys_then "testing destination 1 in the background" t
	wait_screen "✘ failed" 10
	expect_eq "$(sql "select health_ok from destinations where id = 1")" "0" "verdict stored"
	keys_then "last check said" Enter
	expect_contains "$(screen)" "reachability failed" "the failing check named"
	expect_contains "$(screen)" "ck_…0001" "masked key"
	expect_not_contains "$(screen)" "cs_topsecret9" "secret never shown"
	keys q
	keys_then "[problems]" f
	expect_contains "$(screen)" "2 of 2" "one failed check, one open circuit"
	keys_then "sort name" f
	stop_console
}

test_plan_screen_lists_changes_and_applies_once() {
	printf 'sku,name,price,quantity\nA-1,Alpha,10.00,5\nB-2,Beta,20.00,1\n' >"$T/feed.csv"
	add_conn "Plans" csv "$T/feed.csv" '"destination": {"type": "file", "path": "out.csv"}'
	fs_fast run "$CONN_ID" --wait
	printf 'sku,name,price,quantity\nA-1,Alpha,12.50,5\nC-3,Gamma,30.00,2\n' >"$T/feed.csv"
	fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "plan run"
	local plan_run
	plan_run=$(sql "select max(id) from sync_runs")
	console --
	keys_then "Runs" 2
	keys_then "Plan of run $plan_run" p
	wait_screen "[To create 1]"
	expect_contains "$(screen)" "C-3" "the product to create"
	keys_then "[To update 1]" Tab
	expect_contains "$(screen)" "10.00 → 12.50" "the price, old → new"
	keys_then "Apply the plan: apply 2 of 2 changes (0 excluded)?" A
	keys_then "applied the plan of run $plan_run" y
	expect_contains "$(cat "$T/out.csv")" "12.50" "the export has the planned price"
	keys q
	keys_then "applied by run" ""
	keys_then "already applies this plan" A
	stop_console
}

run_tests "$@"
