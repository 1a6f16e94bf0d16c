#!/bin/bash
# feedsync products: each product's state after runs to the fake shop (new, changed, in_sync, failed,
# missing, retired), remote ids, last errors, --state/--limit/--json, and one product's page with its history.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# state_of SKU: the state `products --json` gives the SKU (from $T/products.json).
state_of() {
	"$PYTHON" -c 'import json,sys
for p in json.load(open(sys.argv[1]))["products"]:
    if p["sku"] == sys.argv[2]: print(p["state"])' "$T/products.json" "$1"
}

products_json() {
	run_fs fs products "$@" --json
	expect_rc 0 "products --json"
	printf '%s' "$OUT" >"$T/products.json"
}

# A shop refusing SKU-00003, then a feed where SKU-00001 changed and SKU-00004 is gone.
pushed_with_one_failure() {
	start_fakewoo || return 1
	add_shop
	make_feed 5
	add_woo_conn '"update": {"missing_action": "draft"}'
	woo item_errors '{"SKU-00003": {"code": "woocommerce_rest_invalid_image", "message": "Invalid image."}}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 3 "first run, one item refused"
}

test_states_after_a_push_with_one_failing_item() {
	pushed_with_one_failure || return
	products_json "$CONN_ID"
	expect_eq "$(json_get "$OUT" total)" "5" "total"
	expect_eq "$(state_of SKU-00000)" "in_sync" "a pushed product"
	expect_eq "$(state_of SKU-00003)" "failed" "the refused product"
	expect_eq "$(json_get "$OUT" products.3.last_error)" "the shop refused to create 'SKU-00003': Invalid image." \
		"its last error"
	expect_eq "$(json_get "$OUT" products.3.failed_run)" "1" "the run that failed it"
	expect_eq "$(json_get "$OUT" products.3.remote_id)" "" "no remote id for the refused one"
	local remote
	remote=$(woo state 'by_sku("SKU-00000")["id"]')
	expect_eq "$(json_get "$OUT" products.0.remote_id)" "$remote" "remote id of SKU-00000"
	expect_eq "$(json_get "$OUT" products.0.last_error)" "" "no error once accepted"
	# Text: the table, the state column, the error.
	run_fs fs products "$CONN_ID"
	expect_rc 0 "products"
	expect_contains "$OUT" "REMOTE ID"
	expect_contains "$OUT" "SKU-00003  Product 3  failed"
	expect_contains "$OUT" "Invalid image."
	expect_contains "$OUT" "5 products"
	# By name too, filtered by state.
	run_fs fs_fast products "Woo feed" --state failed
	expect_rc 0 "products by name"
	expect_contains "$OUT" "SKU-00003"
	expect_not_contains "$OUT" "SKU-00000"
	expect_contains "$OUT" "1 product in state failed"
	# Once the shop accepts it, the next run pushes it and it is in sync.
	woo item_errors '{}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second run"
	products_json "$CONN_ID" --state failed
	expect_eq "$(json_get "$OUT" total)" "0" "failed after the retry"
	products_json "$CONN_ID" --state in_sync
	expect_eq "$(json_get "$OUT" total)" "5" "in sync after the retry"
}

test_new_and_changed_after_a_plan_and_a_changed_feed() {
	start_fakewoo || return
	add_shop
	make_feed 3
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "plan run"
	products_json "$CONN_ID"
	expect_eq "$(state_of SKU-00000)" "new" "never pushed, after a plan"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push"
	make_feed 3 7
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "plan of a changed feed"
	products_json "$CONN_ID" --state changed
	expect_eq "$(json_get "$OUT" total)" "3" "changed, not pushed"
	run_fs fs products "$CONN_ID" --sku SKU-00001
	expect_rc 0 "the page"
	expect_contains "$OUT" "state          changed"
	expect_contains "$OUT" "regular_price        10.08   (pushed: 10.01)"
	expect_contains "$OUT" "run 3      changed     line 3 of the feed"
	expect_contains "$OUT" "run 2      pushed      accepted by the destination"
}

test_missing_and_retired() {
	pushed_with_one_failure || return
	woo item_errors '{}'
	"$PYTHON" - "$T/feed.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines(True)
open(sys.argv[1], "w").writelines(l for l in lines if not l.startswith("SKU-00004"))
PY
	# Gone for 2 runs before it is retired: after one it is missing.
	sed -i 's/"missing_action": "draft"}/"missing_action": "draft", "missing_after_runs": 2}/' "$T/conn.json"
	run_fs fs_fast conn edit "$CONN_ID" --file "$T/conn.json"
	expect_rc 0 "conn edit"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "run without SKU-00004"
	products_json "$CONN_ID"
	expect_eq "$(state_of SKU-00004)" "missing" "gone from the feed once"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second run without SKU-00004"
	products_json "$CONN_ID" --state retired
	expect_eq "$(json_get "$OUT" products.0.sku)" "SKU-00004" "retired after two runs"
	expect_eq "$(woo state 'by_sku("SKU-00004")["status"]')" "draft" "drafted in the shop"
	run_fs fs products "$CONN_ID" --sku SKU-00004
	expect_contains "$OUT" "state          retired"
	expect_contains "$OUT" "retired     draft"
	expect_contains "$OUT" "missing     gone from the feed, in 2 runs since"
}

test_a_product_page_with_its_history() {
	pushed_with_one_failure || return
	woo item_errors '{}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second run"
	run_fs fs products "$CONN_ID" --sku SKU-00003
	expect_rc 0 "the page"
	expect_contains "$OUT" "name           Product 3"
	expect_contains "$OUT" "state          in_sync"
	expect_contains "$OUT" "last pushed    run 2,"
	expect_contains "$OUT" "  stock_quantity       3"
	expect_contains "$OUT" "run 2      pushed"
	expect_contains "$OUT" "run 1      failed      pushing: woocommerce_rest_invalid_image: the shop refused to create 'SKU-00003'"
	expect_contains "$OUT" "run 1      first seen  imported from the feed"
	run_fs fs products "$CONN_ID" --sku SKU-00003 --json
	expect_rc 0 "the page as JSON"
	expect_eq "$(json_get "$OUT" pushed_run)" "2" "pushed_run"
	expect_eq "$(json_get "$OUT" fields.name)" "Product 3" "fields"
	expect_eq "$(json_get "$OUT" history.0.event)" "pushed" "newest event"
	expect_eq "$(json_get "$OUT" history.1.event)" "failed" "then the failure"
	expect_eq "$(json_get "$OUT" history.1.run_id)" "1" "in run 1"
	expect_eq "$(json_get "$OUT" history.2.event)" "first seen" "first seen last"
}

test_usage_errors_and_unknown_things() {
	add_conn plain csv "$FIXTURES/feeds/simple.csv"
	run_fs fs products
	expect_rc 2 "no connection"
	run_fs fs products "$CONN_ID" --state bogus
	expect_rc 2 "bad state"
	expect_contains "$ERR" "'bogus' is not a state"
	run_fs fs products "$CONN_ID" --limit x
	expect_rc 2 "bad limit"
	run_fs fs products 99
	expect_rc 6 "no such connection"
	run_fs fs products nosuchname
	expect_rc 6 "no connection by that name"
	run_fs fs products "$CONN_ID" --sku NOPE
	expect_rc 6 "no such SKU"
	expect_contains "$ERR" "has no product with SKU 'NOPE'"
}

test_limit_and_empty_json() {
	start_fakewoo || return
	add_shop
	make_feed 12
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --plan --wait
	run_fs fs products "$CONN_ID" --limit 5
	expect_rc 0 "limited"
	expect_contains "$OUT" "5 of 12 products (--limit 0 lists all)"
	products_json "$CONN_ID" --limit 0
	expect_eq "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["products"]))' "$T/products.json")" \
		"12" "--limit 0 lists all"
	products_json "$CONN_ID" --state retired
	expect_eq "$(json_get "$OUT" total)" "0" "none retired"
}

run_tests "$@"
