#!/bin/bash
# The console's plan review, driven in tmux: rows excluded one at a time, marked in pairs or by a filter,
# shown by a glyph (NO_COLOR), then the rest applied; what the fake shop received, and who applied it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# SKU-00000..SKU-00004 pushed at 10.0N, then a plan (run 2) updating each to 11.0N.
five_updates_planned() {
	start_fakewoo || return 1
	add_shop
	make_feed 5
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first push"
	make_feed 5 100
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "run --plan"
	expect_contains "$OUT" "plan: 0 to create, 5 to update, 0 to retire"
}

price() { woo state "by_sku(\"$1\")[\"regular_price\"]"; }

test_exclude_one_row_and_a_marked_pair_then_apply_the_rest() {
	five_updates_planned || return
	console 100 40 NO_COLOR=1 FEEDSYNC_USER=tester@tmux --
	keys_then "Runs" 2
	keys_then "Plan of run 2" p
	keys_then "[To update 5]" Tab
	# One row: the selected one (the second).
	keys j
	keys_then "excluded 1 row" -
	wait_screen " x SKU-00001"
	# A marked pair: the third and the fourth.
	keys j
	keys_then "1 marked" m
	keys_then "2 marked" m
	wait_screen "*  SKU-00003"
	keys_then "excluded 2 rows" -
	wait_screen "apply 2 of 5 changes (3 excluded)"
	expect_contains "$(screen)" " x SKU-00002" "a marked row excluded"
	expect_contains "$(screen)" "SKU-00003            Product 3  (excluded)" "the word too"
	expect_not_contains "$(screen)" "marked" "marks cleared once used"
	woo reset_log
	keys_then "Apply the plan: apply 2 of 5 changes (3 excluded)?" A
	keys_then "without its 3 excluded items (left pending); 2 pushed" y
	expect_eq "$(price SKU-00000)" "11.00" "applied"
	expect_eq "$(price SKU-00001)" "10.01" "the row excluded alone"
	expect_eq "$(price SKU-00002)" "10.02" "a marked row"
	expect_eq "$(price SKU-00003)" "10.03" "the other marked row"
	expect_eq "$(price SKU-00004)" "11.04" "applied"
	keys q
	keys_then "by tester@tmux at" ""
	keys_then "already applies this plan" -
	stop_console
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 3 to update, 0 to retire" "the excluded rows are pending"
}

test_exclude_and_include_what_the_filter_matches() {
	five_updates_planned || return
	console 100 40 --
	keys_then "Runs" 2
	keys_then "Plan of run 2" p
	keys_then "[To update 5]" Tab
	keys /
	keys_then "filter '0000': 5 of 5" 0 0 0 0
	keys_then "filter '00003': 1 of 5" 3 Enter
	keys_then "excluded 1 row" X
	wait_screen "apply 4 of 5 changes (1 excluded)"
	keys /
	keys BSpace BSpace BSpace BSpace BSpace
	keys_then "filter 'product': 5 of 5" p r o d u c t Enter
	keys_then "excluded 4 rows" X
	wait_screen "apply 0 of 5 changes (5 excluded)"
	keys_then "every row is excluded" A y
	keys_then "included 5 rows" I
	wait_screen "apply 5 of 5 changes (0 excluded)"
	stop_console
	expect_eq "$(sql "select count(*) from plan_items where excluded")" "0" "every row back"
}

run_tests "$@"
