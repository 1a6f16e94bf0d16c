#!/usr/bin/env bash
# The Shopify push's bulk path (dest/shopify_bulk.h) against tests/fakeshopify: a run of --bulk-above products
# or more goes as one bulk mutation (staged upload, bulkOperationRunMutation, polled, its result JSONL recorded);
# one operation per shop; a run killed mid-bulk is resumed by polling the recorded operation; the operation's
# failures named, their products pending.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

bulk_op_recorded() { [ "$(sql 'select count(*) from shopify_bulk_ops where operation_id is not null')" = 1 ]; }
shop_bulk_done() { [ "$(shopify_state 's["bulk_running"]')" = 0 ]; }

test_a_big_run_goes_as_one_bulk_operation() {
	start_fakeshopify || return
	add_shop --bulk-above 5
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "bulk above:   5 products a run"
	shopify_feed 8
	add_shopify_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "bulk run ($OUT$ERR)"
	expect_eq "$(shopify_state 'len(products)')" "8" "products in the shop"
	expect_eq "$(shopify_ops FeedsyncProductSet)" "0" "synchronous productSets"
	expect_eq "$(shopify_ops FeedsyncStagedUpload)" "1" "staged uploads"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "1" "bulk operations"
	expect_eq "$(shopify_variant SKU-00003 'v["price"]')" "13.50" "a bulk-created price"
	expect_eq "$(shopify_variant SKU-00004 'v["available"]')" '{"gid://shopify/Location/7001": 4}' "a bulk-created stock"
	expect_eq "$(shopify_state 's["violations"]')" "[]" "violations (the token sent to storage)"
	expect_eq "$(sql 'select count(*) from remote_products where variant_id > 0 and inventory_id > 0')" "8" "cached ids"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from shopify_bulk_lines')" \
		"0 0" "the operation's records once over"
	expect_eq "$(sql 'select count(*) from push_fences')" "0" "fences once the results are read"
	fs_fast runs show 1 --json
	expect_eq "$(json_get "$OUT" counters.push_processed)" "8" "products pushed"
	# A price change of every product: updates through the bulk path, no duplicate.
	sed -i 's/\.50,/.75,/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "bulk update ($OUT$ERR)"
	expect_eq "$(shopify_state 'len(products)')" "8" "products after the update"
	expect_eq "$(shopify_variant SKU-00003 'v["price"]')" "13.75" "a bulk-updated price"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "2" "bulk operations"
	expect_unique_shopify_skus
	# Below the threshold: synchronous.
	shopify_feed 3
	sed -i 's/\.50,/.95,/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "small run"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "2" "bulk operations after a small run"
	expect_eq "$(shopify_ops FeedsyncProductSet)" "3" "synchronous productSets of a small run"
}

run_tests "$@"
