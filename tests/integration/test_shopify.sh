#!/usr/bin/env bash
# The Shopify destination against tests/fakeshopify: adding a shop with its access token (sealed or from the
# environment, never shown), the pinned API version, and `dest test` naming each failing check.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

test_dest_add_seals_the_token_and_pins_the_version() {
	start_fakeshopify || return
	fs dest add --type shopify --name shop --url "$SHOPIFY_URL" --token "$SHOPIFY_TOKEN"
	expect_rc 2 "dest add over http"
	expect_contains "$ERR" "the Admin API is served over https only"
	fs dest add --type shopify --name shop --url https://acme.myshopify.com
	expect_rc 2 "dest add without a token"
	expect_contains "$ERR" "the shop's access token is missing: --token TOKEN"
	fs dest add --type shopify --name shop --url https://acme.myshopify.com --token t --api-version 25-10
	expect_rc 2 "dest add with a bad version"
	expect_contains "$ERR" "options.site.api_version: '25-10' is not an API version like \"2025-10\""
	fs dest add --name woo --url https://shop.example.com --token "$SHOPIFY_TOKEN"
	expect_rc 2 "a token for a woocommerce shop"
	expect_contains "$ERR" "--token and --token-env are a shopify destination's, not a woocommerce one's"
	add_shop
	fs dest show "$DEST_ID" --json
	expect_not_contains "$OUT" "$SHOPIFY_TOKEN"
	expect_eq "$(json_get "$OUT" api_version)" "2025-10" "the default API version"
	expect_eq "$(json_get "$OUT" auth)" "token" "auth"
	# Every option 'dest add --type shopify' takes, in its effective value (the default when not given).
	expect_eq "$(json_get "$OUT" bulk_above)" "2000" "the default bulk threshold"
	expect_eq "$(json_get "$OUT" allow_http)" "True" "--allow-http"
	expect_eq "$("$PYTHON" -c 'import json,sys; o=json.loads(sys.argv[1]); print("location" in o, o["location"])' "$OUT")" \
		"True None" "the primary location (not given)"
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "api version:  2025-10"
	expect_contains "$OUT" "location:     the shop's primary location"
	expect_contains "$OUT" "credentials:  access token stored encrypted, …e1f0"
	expect_not_contains "$OUT" "$SHOPIFY_TOKEN"
	fs_fast dest edit "$DEST_ID" --token-env SHOP_TOKEN --api-version 2026-01 --location Backroom
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "credentials:  access token from the environment: SHOP_TOKEN"
	expect_contains "$OUT" "api version:  2026-01"
	expect_contains "$OUT" "location:     Backroom"
	fs dest list
	expect_contains "$OUT" "env SHOP_TOKEN"
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test without the variable"
	expect_contains "$OUT$ERR" "the access token of destination 'shop' comes from the environment variable SHOP_TOKEN, which is not set"
}

test_dest_test_passes_and_names_shop_and_location() {
	start_fakeshopify || return
	add_shop
	fs dest test "$DEST_ID"
	expect_rc 0 "dest test"
	expect_contains "$OUT" "the GraphQL Admin API 2025-10 answers at $SHOPIFY_URL/admin/api/2025-10/graphql.json"
	expect_contains "$OUT" "of 1000 points, restoring 100 a second)"
	expect_contains "$OUT" "access token …e1f0 accepted by shop 'Feedsync Test' (feedsync-test.myshopify.com)"
	expect_contains "$OUT" "write_products, write_inventory and read_locations granted"
	expect_contains "$OUT" "inventory goes to 'Main Warehouse' (gid://shopify/Location/7001, the primary location)"
	expect_not_contains "$OUT$ERR" "$SHOPIFY_TOKEN"
	expect_eq "$(grep -rla -- "$SHOPIFY_TOKEN" "$T" | tr '\n' ' ')" "" "files holding the token in clear"
	fs_fast dest edit "$DEST_ID" --location gid://shopify/Location/7002
	fs dest test "$DEST_ID" --json
	expect_rc 0 "dest test of a named location"
	expect_contains "$OUT" "inventory goes to 'Backroom' (gid://shopify/Location/7002)"
	fs_fast dest edit "$DEST_ID" --location Attic
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a missing location"
	expect_contains "$OUT" "the shop has no location 'Attic' (it has Main Warehouse (gid://shopify/Location/7001), Backroom (gid://shopify/Location/7002)): set --location"
}

test_dest_test_names_the_refused_token_and_missing_scopes() {
	start_fakeshopify || return
	add_shop
	SHOP_TOKEN=shpat_wrongwrongwrongwrong fs_fast dest edit "$DEST_ID" --token-env SHOP_TOKEN
	SHOP_TOKEN=shpat_wrongwrongwrongwrong fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a wrong token"
	expect_contains "$OUT" "access token …rong (from environment variable SHOP_TOKEN) refused: [API] Invalid API key or access token (unrecognized login or wrong password) (HTTP 401)"
	expect_not_contains "$OUT$ERR" "shpat_wrongwrong"
	SHOP_TOKEN=$SHOPIFY_TOKEN fs_fast dest test "$DEST_ID"
	expect_rc 0 "dest test of the right token from the environment"
	shopify_ctl scopes '["write_products"]'
	SHOP_TOKEN=$SHOPIFY_TOKEN fs dest test "$DEST_ID"
	expect_rc 1 "dest test without the inventory scopes"
	expect_contains "$OUT" "the app's token lacks the scopes write_inventory, read_locations"
	shopify_ctl scopes '["write_products", "write_inventory"]'
	SHOP_TOKEN=$SHOPIFY_TOKEN fs_fast dest test "$DEST_ID"
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "scopes failed: the app's token lacks the scope read_locations"
}

test_dest_test_names_an_inactive_primary_location() {
	start_fakeshopify --inactive-locations "Main Warehouse" || return
	add_shop
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test"
	expect_contains "$OUT" "location 'Main Warehouse' (gid://shopify/Location/7001) is not active"
}

test_dest_test_names_what_answers_instead_of_the_api() {
	start_fakeshopify --versions 2025-07 || return
	add_shop
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a version not served"
	expect_contains "$OUT" "answers, but not with the GraphQL Admin API at /admin/api/2025-10/graphql.json (HTTP 404"
	fs_fast dest edit "$DEST_ID" --api-version 2025-07
	shopify_ctl faults '[{"action": "html", "status": 200}]'
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of an HTML page"
	expect_contains "$OUT" "(HTTP 200, text/html; charset=UTF-8)"
	shopify_ctl faults '[{"status": 503}]'
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a 503"
	expect_contains "$OUT" "(HTTP 503, text/html)"
	shopify_ctl faults '[{"action": "reset"}]'
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a connection reset"
	expect_contains "$OUT" "reachability    FAILED  $SHOPIFY_URL:"
	shopify_ctl faults '[{"latency_ms": 300}]'
	fs_fast dest test "$DEST_ID"
	expect_rc 0 "dest test of a slow shop"
}

test_dest_test_names_a_throttled_shop() {
	start_fakeshopify --bucket-size 50 --restore-rate 1 || return
	add_shop --location Backroom
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test with a bucket too small for the locations"
	expect_contains "$OUT" "MAX_COST_EXCEEDED: Query cost is 252, which exceeds the single query max cost limit (50)"
	fs_fast dest edit "$DEST_ID" --location ""
	# Nothing restores meanwhile, however slowly the test runs (valgrind, a loaded machine).
	shopify_ctl bucket '{"available": 0, "restore": 0}'
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of an empty bucket"
	expect_contains "$OUT" "THROTTLED: Throttled (HTTP 200)"
}

test_unreachable_shop_is_named() {
	fs_fast dest add --type shopify --name gone --url http://127.0.0.1:9 --token "$SHOPIFY_TOKEN" --allow-http --json
	expect_rc 0 "dest add"
	fs dest test "$(json_get "$OUT" id)"
	expect_rc 1 "dest test"
	expect_contains "$OUT" "http://127.0.0.1:9:"
}

# The documents the push is to send, as the fake answers them: productSet creates and updates by id, userErrors,
# the lookup by SKU, inventorySetQuantities at a location, and the cost spent from the bucket.
test_fake_answers_product_documents_as_shopify_does() {
	start_fakeshopify --bucket-size 100 --restore-rate 1 || return
	OUT=$("$PYTHON" - "$SHOPIFY_URL" "$SHOPIFY_TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1] + "/admin/api/2025-10/graphql.json", sys.argv[2]
def ask(op, variables):
    body = json.dumps({"query": "mutation %s { x }" % op, "variables": variables}).encode()
    req = urllib.request.Request(url, data=body, headers={"X-Shopify-Access-Token": token,
                                                           "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
made = ask("FeedsyncProductSet", {"input": {"title": "Mug", "variants": [{"sku": "MUG-1", "price": "9.50"}]}})
product = made["data"]["productSet"]["product"]
item = product["variants"]["nodes"][0]["inventoryItem"]["id"]
blank = ask("FeedsyncProductSet", {"input": {"title": " "}})["data"]["productSet"]["userErrors"]
again = ask("FeedsyncProductSet", {"input": {"id": product["id"], "variants": [{"sku": "MUG-1", "price": "8"}]}})
found = ask("FeedsyncVariantsBySku", {"query": "sku:MUG-1 OR sku:NONE", "first": 10})
stock = ask("FeedsyncInventorySet", {"input": {"name": "available", "reason": "correction", "quantities": [
    {"inventoryItemId": item, "locationId": "gid://shopify/Location/7001", "quantity": 4}]}})
bad = ask("FeedsyncInventorySet", {"input": {"name": "available", "reason": "correction", "quantities": [
    {"inventoryItemId": item, "locationId": "gid://shopify/Location/1", "quantity": 4}]}})
print(json.dumps({"blank": blank, "same_variant": again["data"]["productSet"]["product"]["variants"]["nodes"][0]["id"]
                  == product["variants"]["nodes"][0]["id"],
                  "found": [n["sku"] for n in found["data"]["productVariants"]["nodes"]],
                  "stock_errors": stock["data"]["inventorySetQuantities"]["userErrors"],
                  "bad_location": bad["data"]["inventorySetQuantities"]["userErrors"][0]["code"],
                  "cost": found["extensions"]["cost"]["requestedQueryCost"],
                  "available": bad["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]}))
PY
)
	expect_contains "$OUT" '"blank": [{"field": ["input", "title"], "message": "Title can'"'"'t be blank", "code": "BLANK"}]'
	expect_contains "$OUT" '"same_variant": true'
	expect_contains "$OUT" '"found": ["MUG-1"]'
	expect_contains "$OUT" '"stock_errors": []'
	expect_contains "$OUT" '"bad_location": "INVALID_LOCATION"'
	expect_contains "$OUT" '"cost": 32'
	expect_eq "$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["available"] < 60)' "$OUT")" "True" \
		"points spent from the bucket: $OUT"
}

test_push_creates_then_sends_nothing_then_updates() {
	start_fakeshopify || return
	add_shop
	shopify_feed 4
	add_shopify_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "first run"
	expect_eq "$(shopify_state 'len(products)')" "4" "products"
	expect_eq "$(shopify_state '[p["title"] for p in products if p["variants"][0]["sku"] == "SKU-00002"][0]')" "Shirt 2" "title"
	expect_eq "$(shopify_state '[p["variants"][0]["price"] for p in products if p["variants"][0]["sku"] == "SKU-00002"][0]')" "12.50" "price"
	local sent; sent=$(shopify_requests)
	fs run "$CONN_ID" --wait
	expect_rc 0 "unchanged run"
	expect_eq "$(shopify_requests)" "$sent" "requests of a run with nothing changed"
	sed -i 's/^SKU-00002,Shirt 2,12.50/SKU-00002,Shirt 2,99.00/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "price change run"
	expect_eq "$(shopify_state '[p["variants"][0]["price"] for p in products if p["variants"][0]["sku"] == "SKU-00002"][0]')" "99.00" "new price"
	expect_eq "$(shopify_state 'len(products)')" "4" "products after the update"
	expect_unique_shopify_skus
}

test_user_errors_fail_only_their_item() {
	start_fakeshopify || return
	add_shop
	shopify_feed 3
	sed -i 's/^SKU-00001,Shirt 1,/SKU-00001, ,/' "$T/feed.csv"
	add_shopify_conn
	fs run "$CONN_ID" --wait
	expect_rc 3 "run with an item error"
	expect_eq "$(shopify_state 'len(products)')" "2" "products"
	fs runs errors "$(sql 'select max(id) from sync_runs')" --json
	expect_contains "$OUT" "BLANK"
	expect_contains "$OUT" "SKU-00001"
	expect_contains "$OUT" "input.title: Title can't be blank"
}

test_an_existing_sku_in_the_shop_is_adopted() {
	start_fakeshopify || return
	"$PYTHON" - "$SHOPIFY_URL" "$SHOPIFY_TOKEN" <<'PY'
import json, sys, urllib.request
body = {"query": "mutation FeedsyncProductSet { x }", "operationName": "FeedsyncProductSet",
        "variables": {"input": {"title": "Old", "variants": [{"sku": "SKU-00001", "price": "1.00"}]}}}
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/admin/api/2025-10/graphql.json",
                       data=json.dumps(body).encode(), headers={"X-Shopify-Access-Token": sys.argv[2]})).read()
PY
	add_shop
	shopify_feed 3
	add_shopify_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(shopify_state 'len(products)')" "3" "products"
	expect_eq "$(shopify_state '[p["title"] for p in products if p["variants"][0]["sku"] == "SKU-00001"][0]')" "Shirt 1" "the old product updated"
	expect_unique_shopify_skus
}

# The shop's cost bucket as its last answer reported it (to a push or to `dest test`), stored so that `dest show`
# in another process reads it: points available (refilled to now) of the maximum the shop names, its restore
# rate, and when it was seen.
test_dest_show_has_the_cost_bucket_after_a_push() {
	start_fakeshopify || return
	add_shop
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "cost bucket:  not reported yet (every answer of the shop reports it)"
	fs dest show "$DEST_ID" --json
	expect_eq "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); print("cost_bucket" in d, d.get("cost_bucket"))' "$OUT")" \
		"True None" "the cost bucket before any answer"
	shopify_ctl bucket '{"size": 400, "restore": 0.5, "available": 400}'
	fs_fast dest test "$DEST_ID"
	expect_rc 0 "dest test"
	fs_fast dest show "$DEST_ID"
	expect_contains "$OUT" "/400 0.5/s (points available/maximum" "the bucket the test's answers reported"
	shopify_feed 3
	add_shopify_conn
	local before after; before=$(date +%s%3N)
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "run"
	after=$(date +%s%3N)
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "cost bucket:  "
	expect_contains "$OUT" "/400 0.5/s (points available/maximum, restored per second; the shop reported "
	fs dest show "$DEST_ID" --json
	expect_eq "$(json_get "$OUT" cost_bucket.maximum)" "400" "the maximum the shop reported"
	expect_eq "$(json_get "$OUT" cost_bucket.restore_rate)" "0.5" "the restore rate the shop reported"
	local seen
	seen=$(json_get "$OUT" cost_bucket.seen_at)
	expect_eq "$([ "$seen" -ge "$before" ] && [ "$seen" -le "$after" ] && echo yes)" "yes" \
		"seen at $seen, during the run ($before..$after)"
	# The last answer's reading: the run's points spent; refilled since at half a point a second.
	expect_eq "$("$PYTHON" -c 'import json,sys; c=json.loads(sys.argv[1])["cost_bucket"]
print(c["reported_available"] < 400 and c["reported_available"] <= c["available"] <= 400)' "$OUT")" "True" \
		"points spent and refilled since: $OUT"
}

test_a_throttled_shop_recovers() {
	start_fakeshopify || return
	add_shop
	shopify_feed 5
	add_shopify_conn
	shopify_ctl bucket '{"size": 30, "restore": 40, "available": 0}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run against a small bucket"
	expect_eq "$(shopify_state 'len(products)')" "5" "products"
	expect_unique_shopify_skus
}

test_a_request_that_never_fits_the_bucket_fails_the_run() {
	start_fakeshopify || return
	add_shop
	shopify_feed 2
	add_shopify_conn
	shopify_ctl bucket '{"size": 4, "restore": 1}'
	fs run "$CONN_ID" --wait
	expect_rc 1 "run"
	fs runs show "$(sql 'select max(id) from sync_runs')"
	expect_contains "$OUT$ERR" "Query cost is"
}

# One productVariants search per chunk of SKUs (the first of a process sized for a bucket still unknown, the
# next to fit the bucket), each costed as the shop charges it, so that a small bucket is waited for and never
# answers THROTTLED. The second run finds every SKU, so the shop refunds nothing of what the searches asked.
test_lookups_go_in_chunks_costed_as_the_shop_costs_them() {
	start_fakeshopify || return
	add_shop
	shopify_feed 30
	add_shopify_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	expect_eq "$(shopify_ops FeedsyncVariantsBySku)" "2" "searches for 30 SKUs: 25 while the bucket is unknown, then 5"
	sql "delete from remote_products"
	sed -i 's/\.50,/.75,/' "$T/feed.csv"
	shopify_ctl bucket '{"size": 80, "restore": 100, "available": 80}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "second run"
	# 25 SKUs (77 points), then (80 - 2) / 3 = 26 fit: the 5 left.
	expect_eq "$(shopify_ops FeedsyncVariantsBySku)" "4" "searches of both runs"
	expect_eq "$(shopify_refused THROTTLED)" "0" "requests refused as THROTTLED: $(shopify_state "[(r['operation'], r['t0']) for r in s['requests'] if r.get('code')]")"
	expect_eq "$(shopify_state 'len(products)')" "30" "products"
	expect_eq "$(shopify_variant SKU-00007 'v["price"]')" "17.75" "the new price"
	expect_unique_shopify_skus
}

# Stock goes with inventorySetQuantities, the chunk's quantities in one call, at the destination's location; an
# update sends only what update.fields names.
test_stock_is_set_and_updates_send_only_the_fields_named() {
	start_fakeshopify || return
	add_shop --location Backroom
	shopify_feed 4
	add_shopify_conn '"update": {"fields": ["stock_quantity"]}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "first run"
	expect_eq "$(shopify_ops FeedsyncInventorySet)" "1" "stock calls for 4 products"
	expect_eq "$(shopify_variant SKU-00003 'v["available"]')" '{"gid://shopify/Location/7002": 3}' "stock at Backroom"
	sed -i 's/^SKU-00003,Shirt 3,13.50,3/SKU-00003,Shirt 3,99.00,7/' "$T/feed.csv"
	local sets; sets=$(shopify_ops FeedsyncProductSet)
	fs run "$CONN_ID" --wait
	expect_rc 0 "second run"
	expect_eq "$(shopify_variant SKU-00003 'v["available"]')" '{"gid://shopify/Location/7002": 7}' "new stock"
	expect_eq "$(shopify_variant SKU-00003 'v["price"]')" "13.50" "the price update.fields does not name"
	expect_eq "$(shopify_ops FeedsyncProductSet)" "$sets" "productSets of a stock-only update"
	expect_eq "$(shopify_ops FeedsyncVariantsBySku)" "1" "searches: the cache knows the variants afterwards"
}

# inventorySetQuantities is atomic: the quantity it refuses (a stock-only update whose cached inventory item the
# shop no longer has) fails its product, the others are sent again.
test_a_refused_quantity_fails_only_its_product() {
	start_fakeshopify || return
	add_shop
	shopify_feed 3
	add_shopify_conn '"update": {"fields": ["stock_quantity"]}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	sql "update remote_products set inventory_id = 999 where sku = 'SKU-00001'"
	sed -i 's/,[0-9]$/,4/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 3 "run with a refused quantity"
	fs_fast runs errors "$(sql 'select max(id) from sync_runs')" --json
	expect_contains "$OUT" "INVALID_INVENTORY_ITEM"
	expect_contains "$OUT" "SKU-00001"
	expect_not_contains "$OUT" "SKU-00002"
	expect_eq "$(shopify_variant SKU-00002 'v["available"]')" '{"gid://shopify/Location/7001": 4}' "stock of the others"
	expect_eq "$(shopify_variant SKU-00001 'v["available"]')" '{"gid://shopify/Location/7001": 1}' "the refused stock"
}

# retire_sku_3 ACTION: a shop of 4 products whose feed then drops SKU-00003, retired with ACTION.
retire_sku_3() {
	start_fakeshopify || return
	add_shop
	shopify_feed 4
	add_shopify_conn "\"update\": {\"missing_action\": \"$1\"}"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first run"
	shopify_feed 3
	fs run "$CONN_ID" --wait
	expect_rc 0 "the run that retires"
	expect_eq "$(sql "select retired_action from products where sku = 'SKU-00003'")" "$1" "retired as"
}

test_retire_as_draft_then_publish_when_back() {
	retire_sku_3 draft || return
	expect_eq "$(shopify_variant SKU-00003 'p["status"]')" "DRAFT" "status of the retired product"
	shopify_feed 4
	fs run "$CONN_ID" --wait
	expect_rc 0 "the run it comes back in"
	expect_eq "$(shopify_variant SKU-00003 'p["status"]')" "ACTIVE" "status once back"
	expect_eq "$(shopify_state 'len(products)')" "4" "products"
}

test_retire_by_deleting_then_create_when_back() {
	retire_sku_3 delete || return
	expect_eq "$(shopify_state 'sorted(skus)')" '["SKU-00000", "SKU-00001", "SKU-00002"]' "SKUs left in the shop"
	shopify_feed 4
	fs run "$CONN_ID" --wait
	expect_rc 0 "the run it comes back in"
	expect_eq "$(shopify_state 'len(products)')" "4" "products"
	expect_unique_shopify_skus
}

test_retire_by_stock_zero() {
	retire_sku_3 stock_zero || return
	expect_eq "$(shopify_variant SKU-00003 'v["available"]')" '{"gid://shopify/Location/7001": 0}' "stock of the retired"
	expect_eq "$(shopify_variant SKU-00003 'p["status"]')" "ACTIVE" "status of the retired product"
}

# A 503 or 502 answer is retried as the shop options say (a create only while it cannot have executed: not after
# a timeout or a 504).
test_transient_failures_are_retried() {
	start_fakeshopify || return
	add_shop
	shopify_feed 3
	add_shopify_conn
	shopify_ctl faults '[{"match": {"operation": "FeedsyncVariantsBySku"}, "times": 1, "status": 503},
		{"match": {"operation": "FeedsyncProductSet"}, "times": 2, "status": 502}]'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run through transient failures"
	expect_eq "$(shopify_state 'len(products)')" "3" "products"
	expect_unique_shopify_skus
	fs_fast runs log "$(sql 'select max(id) from sync_runs')"
	expect_contains "$OUT" "retry 1 of"
}

# A plan reaches nothing; applying it pushes exactly its products.
test_plan_then_apply() {
	start_fakeshopify || return
	add_shop
	shopify_feed 3
	add_shopify_conn
	fs run "$CONN_ID" --plan --wait
	expect_rc 0 "the plan run"
	expect_contains "$OUT" "plan: 3 to create"
	expect_eq "$(shopify_requests)" "0" "requests of a plan"
	local plan; plan=$(sql 'select max(id) from sync_runs')
	fs plan apply "$plan" --only SKU-00000 SKU-00002 --wait
	expect_rc 0 "plan apply"
	expect_eq "$(shopify_state 'sorted(skus)')" '["SKU-00000", "SKU-00002"]' "SKUs in the shop"
}

run_tests "$@"
