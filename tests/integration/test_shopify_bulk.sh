#!/usr/bin/env bash
# The Shopify push's bulk path (dest/shopify_bulk.h) against tests/fakeshopify: a run of --bulk-above products
# or more goes as one bulk mutation (staged upload, bulkOperationRunMutation, polled, its result JSONL recorded);
# one operation per shop; a run killed mid-bulk is resumed by polling the recorded operation; the operation's
# failures named, their products pending; grouped rows stay synchronous, written after the operation.
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

# A bulk update whose stock the shop refuses: that product fails once (not again when its line's result comes),
# stays pending, and the others' prices and stock are recorded.
test_a_refused_stock_in_a_bulk_update_fails_its_product_once() {
	start_fakeshopify || return
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	sql "update remote_products set inventory_id = 999 where sku = 'SKU-00001'"
	sed -i 's/\.50,[0-9]$/.60,9/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 3 "a bulk update with a refused quantity ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "2" "bulk operations"
	fs_fast runs show 2 --json
	expect_eq "$(json_get "$OUT" counters.push_processed) $(json_get "$OUT" counters.push_failed)" "8 1" \
		"products processed and failed"
	expect_eq "$(shopify_variant SKU-00002 'v["price"]') $(shopify_variant SKU-00002 'v["available"]')" \
		'12.60 {"gid://shopify/Location/7001": 9}' "another product's price and stock"
	expect_eq "$(sql "select count(*) from products where pushed_hash is not hash")" "1" "products still pending"
}

# kill_mid_bulk_then_retry [DEST EDIT OPTIONS...]: a run killed while its bulk operation runs, the destination
# edited so, then retried: the retry reads the recorded operation, starts no second one, duplicates nothing.
kill_mid_bulk_then_retry() {
	start_fakeshopify --bulk-delay-ms 2500 || return
	lose_workers_fast
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	kill_run_when bulk_op_recorded || return
	expect_eq "$(sql 'select count(*) from shopify_bulk_lines')" "8" "lines recorded by the killed run"
	expect_eq "$(sql 'select count(*) from push_fences')" "8" "creates fenced by the killed run"
	wait_until 30 run_is_lost_1 || return
	[ $# -eq 0 ] || fs_fast dest edit "$DEST_ID" "$@"
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "1" "bulk operations started (the retry polls the first)"
	expect_eq "$(shopify_state 'len(products)')" "8" "products in the shop"
	expect_unique_shopify_skus
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from push_fences')" "0 0" \
		"the operation and its fences once read"
	expect_eq "$(sql 'select count(*) from remote_products where variant_id > 0')" "8" "cached ids"
	fs_fast runs log 2
	expect_contains "$OUT" "reading the bulk operation gid://shopify/BulkOperation/"
	expect_contains "$OUT" "that run 1 left in 'shop'"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a run after"
	expect_eq "$(shopify_ops FeedsyncBulkRun) $(shopify_ops FeedsyncProductSet)" "1 0" "nothing pending after the retry"
}

test_kill_mid_bulk_then_retry_polls_the_recorded_operation() { kill_mid_bulk_then_retry; }
# A synchronous retry reads the operation too before it pushes: it creates nothing the operation created.
test_kill_mid_bulk_then_a_synchronous_retry_duplicates_nothing() { kill_mid_bulk_then_retry --bulk-above 0; }

# The operation a killed run left failed part way: the retry records what went through, says why the rest did
# not, and pushes the rest at once (their fences went with the operation).
test_a_failed_operation_left_by_a_killed_run_is_read_and_the_rest_pushed() {
	start_fakeshopify --bulk-delay-ms 1500 || return
	lose_workers_fast
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	shopify_ctl bulk '{"delay_ms": 1500, "fail": "FAILED", "fail_after": 3}'
	kill_run_when bulk_op_recorded || return
	shopify_ctl bulk '{"delay_ms": 0}'
	wait_until 30 run_is_lost_1 || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	expect_eq "$(shopify_state 'len(products)')" "8" "products in the shop"
	expect_unique_shopify_skus
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "2" "bulk operations: the failed one, then the rest's"
	fs_fast runs log 2
	expect_contains "$OUT" "ended FAILED, INTERNAL_SERVER_ERROR: 3 of its 8 lines went through, the rest stay pending"
}

# request_index OP: the position of the first request running OP among the fake's requests.
request_index() { shopify_state "[r.get('operation') for r in s['requests']].index('$1')"; }

# every_variant_once RUN: after a bulk run of `grouped_feed SINGLES=5`: one operation, one productSet a group, 8
# products, each of the 11 SKUs cached and counted once by RUN, none pending; a run after sends nothing.
every_variant_once() {
	expect_eq "$(shopify_ops FeedsyncBulkRun) $(shopify_ops FeedsyncProductSet) $(shopify_ops FeedsyncGroupSet)" \
		"1 0 2" "bulk operations, single productSets, group productSets"
	expect_eq "$(shopify_state 'len(products)')" 8 "products: 6 single, TEE, CAP"
	expect_unique_shopify_skus
	expect_eq "$(sql 'select count(*) from remote_products where variant_id > 0')" 11 "cached variants"
	fs_fast runs show "$1" --json
	expect_eq "$(json_get "$OUT" counters.push_processed) $(json_get "$OUT" counters.push_failed)" "11 0" \
		"products run $1 pushed"
	expect_eq "$(sql 'select count(*) from products where pushed_hash is not hash')" 0 "products pending"
	local sent; sent=$(shopify_requests)
	fs run "$CONN_ID" --wait
	expect_rc 0 "a run after"
	expect_eq "$(shopify_requests)" "$sent" "requests of a run after"
}

# Grouped rows in a bulk run stay synchronous: their groups are written (one FeedsyncGroupSet each) once the
# operation of the single products has ended, every variant recorded once; a re-run sends nothing.
test_groups_in_a_bulk_run_are_written_after_the_operation() {
	start_fakeshopify || return
	add_shop --bulk-above 5
	grouped_feed SINGLES=5
	add_shopify_conn "$GROUPING"
	fs run "$CONN_ID" --wait
	expect_rc 0 "a bulk run with groups ($OUT$ERR)"
	[ "$(request_index FeedsyncBulkRun)" -lt "$(request_index FeedsyncGroupSet)" ] ||
		fail "a group was written before the bulk operation"
	expect_eq "$(shopify_variant TEE-M 'sorted(x["sku"] for x in p["variants"])')" '["TEE-L", "TEE-M", "TEE-S"]' \
		"TEE's variants"
	expect_eq "$(shopify_variant TEE-L 'v["available"]') $(shopify_variant SKU-00004 'v["available"]')" \
		'{"gid://shopify/Location/7001": 5} {"gid://shopify/Location/7001": 4}' "a variant's and a single's stock"
	every_variant_once 1
	# An update through the bulk path: the single in a line, the group synchronous again.
	fs_fast dest edit "$DEST_ID" --bulk-above 2
	grouped_feed SINGLES=5 TEE-M=13.50 SKU-00001=20.50
	fs run "$CONN_ID" --wait
	expect_rc 0 "a bulk update with a group ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncBulkRun) $(shopify_ops FeedsyncProductSet) $(shopify_ops FeedsyncGroupSet)" \
		"2 0 3" "bulk operations, single productSets, group productSets"
	expect_eq "$(shopify_variant TEE-M 'v["price"]') $(shopify_variant SKU-00001 'v["price"]')" "13.50 20.50" \
		"the new prices"
	expect_eq "$(shopify_variant TEE-M 'len(p["variants"])') $(shopify_state 'len(products)')" "3 8" \
		"TEE's variants, products"
	expect_unique_shopify_skus
	# Grouped rows alone above the threshold: no bulk push is claimed nor staged.
	grouped_feed SINGLES=5 TEE-M=14.00 TEE-S=14.00 CAP-R=8.00 SKU-00001=20.50
	fs run "$CONN_ID" --wait
	expect_rc 0 "a run of groups alone ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncStagedUpload) $(shopify_ops FeedsyncBulkRun) $(shopify_ops FeedsyncGroupSet)" \
		"2 2 5" "staged uploads, bulk operations, group productSets"
	expect_eq "$(shopify_variant TEE-S 'v["price"]') $(shopify_variant CAP-R 'v["price"]')" "14.00 8.00" "the new prices"
}

# Killed while the operation of a run with groups runs (its groups not written yet): the retry reads the
# operation, then writes the groups; nothing is made twice or left pending.
test_kill_mid_bulk_with_groups_then_retry_writes_each_once() {
	start_fakeshopify --bulk-delay-ms 2500 || return
	lose_workers_fast
	add_shop --bulk-above 5
	grouped_feed SINGLES=5
	add_shopify_conn "$GROUPING"
	kill_run_when bulk_op_recorded || return
	expect_eq "$(sql 'select count(*) from shopify_bulk_lines') $(shopify_ops FeedsyncGroupSet)" "6 0" \
		"lines recorded by the killed run, groups written"
	wait_until 30 run_is_lost_1 || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from push_fences')" "0 0" \
		"the operation and its fences once read"
	every_variant_once 2
}

shop_holds_the_bulk_run() { [ "$(shopify_state 's["held"]')" = 1 ]; }

# Killed while the shop holds bulkOperationRunMutation (it starts the operation when the hold ends, its client
# gone): the claim has no id, and the retry finds the operation as the shop's current one instead of starting one.
test_kill_before_the_operation_id_is_recorded_then_retry_adopts_the_current_one() {
	start_fakeshopify --bulk-delay-ms 0 || return
	lose_workers_fast
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	shopify_ctl faults '[{"match": {"operation": "FeedsyncBulkRun"}, "times": 1, "action": "hold", "hold_s": 1}]'
	kill_run_when shop_holds_the_bulk_run || return
	expect_eq "$(sql "select count(*) from shopify_bulk_ops where operation_id is null")" "1" "a claim without an id"
	wait_until 30 run_is_lost_1 || return
	wait_until 10 shop_bulk_done || return
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "1" "bulk operations asked for"
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "1" "bulk operations after the retry"
	expect_eq "$(shopify_state 'len(products)')" "8" "products in the shop"
	expect_unique_shopify_skus
	expect_eq "$(sql 'select count(*) from remote_products where variant_id > 0')" "8" "cached from the adopted results"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from push_fences')" "0 0" \
		"records once read"
}

test_a_cancel_mid_bulk_holds_within_2_s_and_the_next_run_reads_it() {
	start_fakeshopify --bulk-delay-ms 4000 || return
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	run_in_background
	wait_until 20 bulk_op_recorded || return
	local t0; t0=$(date +%s%3N)
	fs_fast runs cancel 1
	wait_for_run
	local took=$(($(date +%s%3N) - t0))
	[ "$took" -le 2000 ] || fail "the cancel took $took ms"
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "cancelled" "status"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops')" "1" "the operation stays recorded"
	fs run "$CONN_ID" --wait
	expect_rc 0 "the next run ($OUT$ERR)"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "1" "bulk operations"
	expect_eq "$(shopify_state 'len(products)')" "8" "products"
	expect_unique_shopify_skus
}

test_a_failed_bulk_operation_names_the_cause_and_leaves_the_rest_pending() {
	start_fakeshopify || return
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	shopify_ctl bulk '{"delay_ms": 0, "fail": "FAILED", "fail_after": 3}'
	fs run "$CONN_ID" --wait
	expect_rc 1 "a run whose operation failed"
	expect_contains "$OUT$ERR" "ended FAILED, INTERNAL_SERVER_ERROR: 3 of its 8 lines went through, the rest stay pending"
	expect_eq "$(shopify_state 'len(products)')" "3" "products the partial results name"
	expect_eq "$(sql 'select count(*) from remote_products')" "3" "cached from the partial results"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from push_fences')" "0 0" \
		"records once the operation is over"
	shopify_ctl bulk '{"delay_ms": 0, "fail": "EXPIRED"}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "an expired operation"
	expect_contains "$OUT$ERR" "ended EXPIRED: 0 of its 5 lines went through"
	shopify_ctl bulk '{"delay_ms": 0}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run after ($OUT$ERR)"
	expect_eq "$(shopify_state 'len(products)')" "8" "products"
	expect_unique_shopify_skus
}

test_a_refused_upload_is_named_and_nothing_is_pushed() {
	start_fakeshopify || return
	add_shop --bulk-above 5 --retries 0
	shopify_feed 8
	add_shopify_conn
	shopify_ctl bulk '{"refuse_upload": true}'
	fs run "$CONN_ID" --wait
	expect_rc 1 "a run whose upload was refused"
	expect_contains "$OUT$ERR" "the staged upload of the bulk push to 'shop' was refused: HTTP 403"
	expect_eq "$(shopify_ops FeedsyncBulkRun)" "0" "bulk operations"
	expect_eq "$(sql 'select count(*) from shopify_bulk_ops') $(sql 'select count(*) from shopify_bulk_lines')" \
		"0 0" "the claim once the push ended"
	shopify_ctl bulk '{"delay_ms": 0}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run after"
	expect_eq "$(shopify_state 'len(products)')" "8" "products"
}

# another_bulk_operation: a bulk mutation of one product another client runs on the shop (held by the fake).
another_bulk_operation() {
	"$PYTHON" - "$SHOPIFY_URL" "$SHOPIFY_TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
def gql(name, doc, variables):
    req = urllib.request.Request(url + "/admin/api/2025-10/graphql.json", method="POST", data=json.dumps(
        {"query": doc, "operationName": name, "variables": variables}).encode(),
        headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["data"]
t = gql("FeedsyncStagedUpload", "mutation FeedsyncStagedUpload", {"input": [{"filename": "x.jsonl"}]})
target = t["stagedUploadsCreate"]["stagedTargets"][0]
fields = {p["name"]: p["value"] for p in target["parameters"]}
parts = [b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v.encode())
         for k, v in fields.items()]
line = json.dumps({"input": {"title": "Other", "variants": [{"sku": "OTHER-1"}]}}).encode()
parts.append(b'--B\r\nContent-Disposition: form-data; name="file"; filename="x.jsonl"\r\n\r\n' + line + b'\r\n--B--\r\n')
urllib.request.urlopen(urllib.request.Request(target["url"], data=b"".join(parts), method="POST",
                                              headers={"Content-Type": "multipart/form-data; boundary=B"}))
gql("FeedsyncBulkRun", "mutation FeedsyncBulkRun", {"mutation": "m", "stagedUploadPath": fields["key"]})
PY
}

test_one_bulk_operation_per_shop() {
	start_fakeshopify || return
	add_shop --bulk-above 5
	shopify_feed 8
	add_shopify_conn
	shopify_ctl bulk '{"delay_ms": 0, "hold": true}'
	another_bulk_operation || fail "another client's bulk operation"
	shopify_ctl bulk '{"delay_ms": 0}'
	fs run "$CONN_ID" --wait
	expect_rc 1 "a run while another operation runs"
	expect_contains "$OUT$ERR" "'shop' did not start the bulk push: A bulk mutation operation for this app and shop is already in progress"
	expect_contains "$OUT$ERR" "the products stay pending"
	expect_eq "$(shopify_state 'len(products)')" "0" "products (the other operation still waits)"
	shopify_ctl release '{}'
	wait_until 10 shop_bulk_done || return
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the run once it is over ($OUT$ERR)"
	expect_eq "$(shopify_state 'len(products)')" "9" "products (8 and the other operation's)"
	expect_unique_shopify_skus
}

run_tests "$@"
