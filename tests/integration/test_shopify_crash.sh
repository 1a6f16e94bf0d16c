#!/usr/bin/env bash
# A worker killed while the shop still executes a productSet that creates (the fake holds it, then executes it
# although its client died, as a shop does), then retried at once: the create's fence keeps the retry from
# looking the SKU up until that request is over, so it finds the product instead of making a second one (Shopify
# lets two variants hold one SKU).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

test_kill_during_a_held_create_then_retry_makes_no_duplicate() {
	start_fakeshopify || return
	lose_workers_fast
	# The fence lasts timeout + overrun = 7 s from the send; the held create ends after 5 s.
	add_shop --timeout 5 --overrun 2
	shopify_feed 5
	add_shopify_conn
	shopify_ctl faults '[{"match": {"operation": "FeedsyncProductSet", "creates": true}, "skip": 2, "times": 1,
		"action": "hold", "hold_s": 5}]'
	kill_run_when shop_holds_a_create || return
	expect_eq "$(sql 'select count(*) from push_fences')" "1" "fences left by the killed run"
	wait_until 30 run_is_lost_1 || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	wait_until 30 shop_idle || return
	expect_eq "$(shopify_state 'len(products)')" "5" "products in the shop"
	expect_unique_shopify_skus
	expect_eq "$(sql 'select count(*) from push_fences')" "0" "fences after the retry"
	fs_fast runs log 2
	expect_contains "$OUT" "may still be executing"
}

run_tests "$@"
