#!/bin/bash
# The Destinations screen at 80x24 shows a Shopify shop's cost bucket in BUCKET, as a push in another process
# stored the shop's last reading: points available of the maximum and the restore rate, refilling as the clock
# ticks; its details say when the shop reported it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

test_destinations_show_the_shopify_cost_bucket() {
	start_fakeshopify || return
	add_shop
	shopify_feed 3
	add_shopify_conn
	# Small and slow, so that the run's spending shows and the bucket is still refilling on screen.
	shopify_ctl bucket '{"size": 80, "restore": 2, "available": 80}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	console
	keys_then "Destinations" 3
	wait_screen "BUCKET"
	local row; row=$(screen | grep " shop ")
	expect_contains "$row" "/80 2/s" "the cost bucket of the shop"
	expect_fits 80
	local shown; shown=$(printf %s "$row" | grep -o '[0-9]*/80' | cut -d/ -f1)
	expect_eq "$([ "$shown" -lt 80 ] && echo spent)" "spent" "points left after the run: $row"
	# Nothing is written meanwhile: the screen refills the bucket from the clock.
	wait_screen "80/80 2/s" 60
	keys_then "cost bucket" Enter
	expect_contains "$(screen)" "cost bucket          80/80 2/s (points available/maximum, restored per second)"
	expect_contains "$(screen | grep "shop reported")" " points at $(date +%Y-%m-%d) " "when the shop reported it"
	expect_contains "$(screen | grep "shop reported")" " ago)" "how long ago"
	expect_fits 80
	keys q
	stop_console
}

run_tests "$@"
