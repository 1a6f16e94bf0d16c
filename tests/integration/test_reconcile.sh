#!/bin/bash
# Stale reconciliation: products gone from the feed get the connection's missing_action in the fake shop (stock
# 0, draft, delete) once and only once, after the days or runs configured; `reconcile --dry-run` lists them and
# `reconcile` retires them in a run of its own; nothing is retired after row failures or a shrunken feed;
# products back in the feed are restored; file exports flag or leave them out; a killed run leaves no duplicate.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# feed FILE PREFIX N [GONE...]: products PREFIX-1..PREFIX-N (price 1i.00, stock i + 4) but the GONE ones.
feed() {
	local file=$1 prefix=$2 n=$3
	shift 3
	{
		echo 'sku,name,price,quantity'
		for i in $(seq "$n"); do
			case " $* " in *" $i "*) continue ;; esac
			echo "$prefix-$i,Item $i,1$i.00,$((i + 4))"
		done
	} >"$file"
}

# shop_conn NAME FEED UPDATE_JSON [DESTINATION_JSON]: a connection (default: the fake shop); sets $CONN_ID.
shop_conn() {
	local dest=${4:-"{\"type\": \"woocommerce\", \"id\": $DEST_ID}"}
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, "update": %s, "destination": %s}\n' \
		"$1" "$2" "$3" "$dest" >"$T/$1.json"
	run_fs fs_fast conn add --file "$T/$1.json" --json
	expect_rc 0 "conn add $1"
	CONN_ID=$(json_get "$OUT" id)
}

run_ok() {
	run_fs fs_fast run "$1" --wait
	expect_rc 0 "run of connection $1"
}

# One connection per action, each with products 1..4 pushed, then product 2 gone: $CONNS lists them.
three_actions_with_product_2_gone() {
	start_fakewoo || return 1
	add_shop
	CONNS=""
	for action in stock_zero draft delete; do
		feed "$T/$action.csv" "$action" 4
		shop_conn "$action" "$T/$action.csv" "{\"missing_action\": \"$action\"}"
		CONNS="$CONNS $CONN_ID"
		run_ok "$CONN_ID"
		feed "$T/$action.csv" "$action" 4 2
		run_ok "$CONN_ID"
	done
}

test_each_action_reaches_the_shop_once() {
	three_actions_with_product_2_gone || return
	expect_eq "$(woo state 'by_sku("stock_zero-2")["stock_quantity"]')" "0" "stock 0"
	expect_eq "$(woo state 'by_sku("stock_zero-2")["manage_stock"]')" "True" "stock managed"
	expect_eq "$(woo state 'by_sku("draft-2")["status"]')" "draft" "draft"
	expect_eq "$(woo state 'by_sku("delete-2")')" "None" "deleted"
	expect_eq "$(woo state 'by_sku("draft-3")["status"]')" "publish" "the others stay"
	expect_eq "$(sql "select group_concat(retired_action, ' ') from products where retired_at is not null")" \
		"stock_zero draft delete" "retired_action"
	expect_eq "$(sql "select group_concat(retired, ' ') from sync_runs")" "0 1 0 1 0 1" "retired counters"
	expect_eq "$(sql "select count(*) from remote_products where sku = 'delete-2'")" "0" "deleted id forgotten"
	run_fs fs_fast runs log 4
	expect_contains "$OUT" "retired 1 of 1 products gone from the feed (draft)"
	run_fs fs_fast runs show 4
	expect_contains "$OUT" "1 missing from the feed; 1 retired"
	# Retired once: later runs send nothing.
	woo reset_log
	for c in $CONNS; do run_ok "$c"; done
	expect_eq "$(woo state 'len(s["requests"])')" "0" "requests after the retirement"
	expect_unique_skus
}

test_a_refused_retirement_is_an_item_error_and_goes_again() {
	start_fakewoo || return
	add_shop
	feed "$T/feed.csv" e 3
	shop_conn refused "$T/feed.csv" '{"missing_action": "draft"}'
	run_ok "$CONN_ID"
	woo item_errors '{"e-2": {"code": "woocommerce_rest_cannot_edit", "message": "Sorry, you cannot edit."}}'
	feed "$T/feed.csv" e 3 2
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 3 "a run whose retirement failed"
	expect_eq "$(sql "select retired, retire_failed from sync_runs where id = 2")" "0|1" "counters"
	run_fs fs_fast runs errors 2
	expect_contains "$OUT" "the shop refused to retire 'e-2': Sorry, you cannot edit."
	woo item_errors '{}'
	run_fs fs_fast reconcile "$CONN_ID" --wait
	expect_rc 0 "reconcile once the shop accepts"
	expect_eq "$(woo state 'by_sku("e-2")["status"]')" "draft" "retired"
}

test_products_back_in_the_feed_are_restored() {
	three_actions_with_product_2_gone || return
	for action in stock_zero draft delete; do feed "$T/$action.csv" "$action" 4; done
	local c
	for c in $CONNS; do run_ok "$c"; done
	expect_eq "$(woo state 'by_sku("stock_zero-2")["stock_quantity"]')" "6" "stock restored"
	expect_eq "$(woo state 'by_sku("draft-2")["status"]')" "publish" "published again"
	expect_eq "$(woo state 'by_sku("delete-2")["name"]')" "Item 2" "created again"
	expect_eq "$(sql "select count(*) from products where retired_at is not null or retired_action is not null")" \
		"0" "nothing retired"
	expect_eq "$(sql "select count(*) from products where missing_since is not null")" "0" "nothing missing"
	run_fs fs_fast runs log 8
	expect_contains "$OUT" "1 retired products are back in the feed"
	# And they can go again.
	feed "$T/draft.csv" draft 4 2
	run_ok "$(echo $CONNS | cut -d' ' -f2)"
	expect_eq "$(woo state 'by_sku("draft-2")["status"]')" "draft" "retired again"
	expect_unique_skus
}

test_dry_run_lists_and_reconcile_retires_after_the_days() {
	start_fakewoo || return
	add_shop
	feed "$T/feed.csv" x 4
	shop_conn days "$T/feed.csv" '{"missing_action": "draft", "missing_after_days": 2}'
	run_ok "$CONN_ID"
	feed "$T/feed.csv" x 4 3 4
	run_ok "$CONN_ID"
	run_fs fs_fast reconcile "$CONN_ID" --dry-run
	expect_rc 0 "dry run"
	expect_contains "$OUT" "missing_action draft, after 2 days and 0 runs missing"
	expect_contains "$OUT" "no product is gone long enough to be retired"
	# Three days later.
	sqlite3 "$FEEDSYNC_DB" "update products set missing_since = missing_since - 3 * 86400000"
	run_fs fs reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "x-3"
	expect_contains "$OUT" "Item 4"
	expect_contains "$OUT" "2 products would be retired (draft): feedsync reconcile $CONN_ID"
	run_fs fs_fast reconcile "$CONN_ID" --dry-run --json
	expect_eq "$(json_get "$OUT" products.1.sku)" "x-4" "listed in JSON"
	expect_eq "$(json_get "$OUT" products.1.missing_runs)" "1" "missing runs"
	expect_eq "$(json_get "$OUT" skipped)" "" "not skipped"
	expect_eq "$(woo state 'by_sku("x-3")["status"]')" "publish" "a dry run changes nothing"
	run_fs fs reconcile "$CONN_ID" --wait
	expect_rc 0 "reconcile"
	expect_contains "$OUT" "reconcile: 2 products gone from the feed (draft); 2 retired"
	expect_eq "$(woo state 'by_sku("x-4")["status"]')" "draft" "retired"
	run_fs fs_fast runs --conn "$CONN_ID"
	expect_contains "$OUT" "reconcile"
	expect_eq "$(sql "select trigger, rows_read from sync_runs where id = 3")" "reconcile|0" "a run of its own"
	run_fs fs_fast reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "no product is gone long enough"
	run_fs fs_fast reconcile 99 --dry-run
	expect_rc 6 "an unknown connection"
}

test_missing_after_runs_counts_runs_that_marked() {
	start_fakewoo || return
	add_shop
	feed "$T/feed.csv" r 3
	shop_conn runs "$T/feed.csv" '{"missing_action": "stock_zero", "missing_after_runs": 2}'
	run_ok "$CONN_ID"
	feed "$T/feed.csv" r 3 1
	run_ok "$CONN_ID"
	expect_eq "$(woo state 'by_sku("r-1")["stock_quantity"]')" "5" "missing in one run: kept"
	run_ok "$CONN_ID"
	expect_eq "$(woo state 'by_sku("r-1")["stock_quantity"]')" "0" "missing in two runs: stock 0"
}

test_row_failures_and_a_shrunken_feed_retire_nothing() {
	start_fakewoo || return
	add_shop
	feed "$T/feed.csv" g 10
	shop_conn guard "$T/feed.csv" '{"missing_action": "draft"}'
	run_ok "$CONN_ID"
	feed "$T/feed.csv" g 10 9
	echo 'bad-1,Bad,abc,1' >>"$T/feed.csv"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 3 "a run with a failed row"
	run_fs fs_fast runs log 2
	expect_contains "$OUT" "1 rows failed, so no product is marked missing and none is retired this time"
	expect_eq "$(woo state 'by_sku("g-9")["status"]')" "publish" "kept after row failures"
	run_fs fs reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "nothing would be retired now: the last import (run 2): 1 rows failed"
	run_fs fs_fast reconcile "$CONN_ID" --wait
	expect_rc 0 "reconcile after row failures"
	expect_contains "$OUT" "reconcile skipped: the last import (run 2): 1 rows failed"
	feed "$T/feed.csv" g 2
	run_ok "$CONN_ID"
	run_fs fs_fast runs log 4
	expect_contains "$OUT" "the feed shrank from 9 to 2 products (more than 50%"
	expect_contains "$OUT" "none is retired"
	expect_eq "$(woo state 'len([p for p in s["products"] if p["status"] == "draft"])')" "0" "nothing drafted"
	expect_eq "$(sql "select count(*) from products where retired_at is not null")" "0" "nothing retired"
}

test_file_exports_flag_or_leave_out_retired_products() {
	feed "$T/feed.csv" f 3
	shop_conn zero "$T/feed.csv" '{"missing_action": "stock_zero"}' "{\"type\": \"file\", \"path\": \"$T/zero.csv\"}"
	local zero=$CONN_ID
	shop_conn gone "$T/feed.csv" '{"missing_action": "delete"}' \
		"{\"type\": \"file\", \"path\": \"$T/gone.jsonl\", \"format\": \"jsonl\"}"
	local gone=$CONN_ID
	run_ok "$zero"
	run_ok "$gone"
	feed "$T/feed.csv" f 3 2
	run_ok "$zero"
	run_ok "$gone"
	expect_contains "$(cat "$T/zero.csv")" "Item 2,12.00,f-2,0"
	expect_not_contains "$(cat "$T/gone.jsonl")" "f-2"
	expect_eq "$(wc -l <"$T/gone.jsonl")" "2" "lines of the export"
	expect_eq "$(sql "select retired from sync_runs where connection_id = $gone order by id desc limit 1")" "1" \
		"retired counter"
	feed "$T/feed.csv" f 3
	run_ok "$zero"
	run_ok "$gone"
	expect_contains "$(cat "$T/zero.csv")" "Item 2,12.00,f-2,6"
	expect_contains "$(cat "$T/gone.jsonl")" "f-2"
}

test_a_run_killed_mid_push_then_retired_leaves_no_duplicate() {
	start_fakewoo --item-delay-ms 10 || return
	lose_workers_fast
	# The killed run's create batches may still execute: the next run keeps off them until their fences end
	# (timeout + overrun), so both are short here.
	add_shop --concurrency 2 --batch-size 50 --timeout 5 --overrun 1
	make_feed 400
	add_woo_conn '"update": {"missing_action": "delete"}'
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/killed.out" 2>&1 &
	local pid=$!
	wait_until 30 shop_has_at_least 100
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	[ "$(woo state 'len(skus)')" -lt 400 ] || fail "the push finished before it was killed"
	sleep 3
	# Products 0..59 and 340..399 are gone: some of them reached the shop unrecorded, some never did.
	make_feed 340
	sed -i '2,61d' "$T/feed.csv"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run after the kill"
	expect_eq "$(woo state 'len(skus)')" "280" "products in the shop"
	expect_eq "$(woo state 'len([x for x in skus if x < "SKU-00060" or x >= "SKU-00340"])')" "0" "gone ones deleted"
	expect_eq "$(sql "select count(*) from products where retired_action = 'delete'")" "120" "retired"
	expect_unique_skus
}

run_tests "$@"
