#!/usr/bin/env bash
# Grouped rows to Shopify (issue 13): rows sharing a parent_sku become one product with options (productOptions)
# and one variant per row (optionValues), written with one productSet; a re-run sends nothing, a price change
# rewrites the group naming every variant; a variant gone from the feed is retired by the rule, the whole product
# only once all its variants are gone; a single product that joins a group is turned into the group's product; a
# kill -9 during the group's create and a retry make no duplicate.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

grouped_shop() {
	start_fakeshopify || return
	add_shop
	grouped_feed
	add_shopify_conn "$GROUPING, \"update\": {\"missing_action\": \"${1:-draft}\"}"
}

# push_ok [RUNNER]: runs the connection with fs, or with RUNNER: fs_fast for the pushes whose path
# test_a_group_becomes_one_product_with_options_and_variants runs under valgrind (a first push, a re-run with
# nothing changed).
push_ok() {
	"${1:-fs}" run "$CONN_ID" --wait
	expect_rc 0 "run ($OUT $ERR)"
}

# product_of SKU EXPR: EXPR over the product p holding the variant SKU.
product_of() { shopify_variant "$1" "$2"; }

test_a_group_becomes_one_product_with_options_and_variants() {
	grouped_shop || return
	push_ok
	expect_eq "$(shopify_state 'len(products)')" 3 "products: TEE, CAP, MUG"
	expect_eq "$(product_of TEE-M 'p["title"]')" Tee "TEE's title, the words its variants share"
	expect_eq "$(product_of TEE-M 'p["options"]')" '[{"name": "size", "values": ["L", "M", "S"]}]' "TEE's options"
	expect_eq "$(product_of TEE-M 'sorted(x["sku"] for x in p["variants"])')" '["TEE-L", "TEE-M", "TEE-S"]' \
		"TEE's variants"
	expect_eq "$(shopify_variant TEE-M 'v["optionValues"]')" '[{"optionName": "size", "name": "M"}]' "TEE-M's option"
	expect_eq "$(shopify_variant TEE-M 'v["price"]')" 11.00 "TEE-M's price"
	expect_eq "$(shopify_variant TEE-L 'v["available"]')" '{"gid://shopify/Location/7001": 5}' "TEE-L's stock"
	expect_eq "$(product_of CAP-R 'p["options"]')" '[{"name": "colour", "values": ["Blue", "Red"]}]' "CAP's options"
	expect_eq "$(product_of MUG 'p["options"]')" '[{"name": "Title", "values": ["Default Title"]}]' "MUG stays single"
	expect_eq "$(shopify_ops FeedsyncGroupSet)" 2 "one productSet a group"
	expect_eq "$(shopify_ops FeedsyncInventorySet)" 2 "stock: one request for the single products, one for the groups"
	expect_eq "$(shopify_ops FeedsyncVariantsBySku)" 2 "lookups: one for the single products, one for the variants"
	expect_unique_shopify_skus
	expect_eq "$(sql "select count(distinct remote_id) from remote_products where sku like 'TEE%'")" 1 \
		"TEE's variants and its row cache one product"

	local sent; sent=$(shopify_requests)
	push_ok
	expect_eq "$(shopify_requests)" "$sent" "requests of an unchanged re-run"

	grouped_feed TEE-M=13.50
	push_ok
	expect_eq "$(shopify_state "[r.get('operation') for r in s['requests'][$sent:] if 'Set' in r.get('operation', '')]")" \
		'["FeedsyncGroupSet", "FeedsyncInventorySet"]' "a price change: the group's productSet, its stock"
	expect_eq "$(shopify_variant TEE-M 'v["price"]')" 13.50 "TEE-M's new price"
	expect_eq "$(shopify_variant TEE-S 'v["price"]')" 10.00 "TEE-S untouched"
	expect_eq "$(product_of TEE-M 'len(p["variants"])')" 3 "TEE keeps its variants"
	expect_unique_shopify_skus
}

# update.fields holds for a group's variants: the stock it names is set, the price it does not name stays.
test_a_groups_update_sends_only_the_fields_named() {
	start_fakeshopify || return
	add_shop
	grouped_feed
	add_shopify_conn "$GROUPING, \"update\": {\"fields\": [\"stock_quantity\"]}"
	push_ok fs_fast
	sed -i 's/^TEE-M,Tee M,11.00,4,/TEE-M,Tee M,13.00,8,/' "$T/feed.csv"
	push_ok
	expect_eq "$(shopify_variant TEE-M 'v["price"]')" 11.00 "the price update.fields does not name"
	expect_eq "$(shopify_variant TEE-M 'v["available"]')" '{"gid://shopify/Location/7001": 8}' "the stock it names"
	expect_eq "$(product_of TEE-M 'len(p["variants"])')" 3 "TEE keeps its variants"
}

# A product the shop holds already with the group's variants (made by hand, or by a run whose answer was lost) is
# found by its variants' SKUs (productVariants) and written, not made twice.
test_a_group_the_shop_holds_already_is_found_by_its_skus() {
	start_fakeshopify || return
	"$PYTHON" - "$SHOPIFY_URL" "$SHOPIFY_TOKEN" <<'PY'
import json, sys, urllib.request
variants = [{"sku": sku, "price": "1.00", "optionValues": [{"optionName": "Size", "name": size}]}
            for sku, size in (("TEE-S", "S"), ("TEE-M", "M"))]
body = {"query": "mutation FeedsyncGroupSet { x }", "operationName": "FeedsyncGroupSet",
        "variables": {"first": 2, "input": {"title": "Old tee", "variants": variants,
                      "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}]}}}
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/admin/api/2025-10/graphql.json",
                       data=json.dumps(body).encode(), headers={"X-Shopify-Access-Token": sys.argv[2]})).read()
PY
	local old; old=$(product_of TEE-S 'p["id"]')
	add_shop
	grouped_feed
	add_shopify_conn "$GROUPING"
	push_ok
	expect_eq "$(product_of TEE-L 'p["id"]')" "$old" "TEE-L added to the product the shop had"
	expect_eq "$(product_of TEE-S 'p["title"]')" Tee "its title"
	expect_eq "$(product_of TEE-S 'p["options"]')" '[{"name": "size", "values": ["L", "M", "S"]}]' "its options"
	expect_eq "$(shopify_variant TEE-S 'v["price"]')" 10.00 "TEE-S's price"
	expect_eq "$(shopify_state 'len(products)')" 3 "products"
	expect_unique_shopify_skus
}

test_a_variant_the_shop_refuses_fails_its_group() {
	start_fakeshopify || return
	add_shop
	grouped_feed NOSIZE
	add_shopify_conn "$GROUPING"
	fs run "$CONN_ID" --wait
	expect_rc 3 "a run with item errors"
	expect_eq "$(shopify_state 'sorted(skus)')" '["CAP-B", "CAP-R", "MUG"]' "TEE was not written"
	fs runs errors "$(sql 'select max(id) from sync_runs')" --json
	expect_contains "$OUT" "OPTION_VALUES_MISSING"
	expect_contains "$OUT" "input.variants.1.optionValues: Variant is missing a value for option size"
	expect_contains "$OUT" "group_refused"
}

test_a_vanished_variant_is_deleted_from_its_product_and_an_emptied_product_too() {
	grouped_shop delete || return
	push_ok fs_fast
	grouped_feed TEE-L
	push_ok
	expect_eq "$(product_of TEE-M 'sorted(x["sku"] for x in p["variants"])')" '["TEE-M", "TEE-S"]' "TEE's variants"
	expect_eq "$(product_of TEE-M 'p["options"]')" '[{"name": "size", "values": ["M", "S"]}]' "TEE's options"
	grouped_feed TEE-L CAP-R CAP-B
	push_ok
	expect_eq "$(shopify_state 'len(products)')" 2 "CAP deleted with its last variant"
	grouped_feed
	push_ok
	expect_eq "$(shopify_state 'len(products)')" 3 "all back"
	expect_eq "$(product_of TEE-L 'len(p["variants"])')" 3 "TEE-L back in TEE"
	expect_unique_shopify_skus
}

test_a_product_left_without_variants_is_drafted_then_published_when_back() {
	grouped_shop draft || return
	push_ok fs_fast
	grouped_feed CAP-R
	push_ok
	expect_eq "$(product_of CAP-R 'p["status"]')" ACTIVE "CAP keeps CAP-B"
	expect_eq "$(shopify_variant CAP-R 'v["available"]')" '{"gid://shopify/Location/7001": 0}' "CAP-R unsellable"
	grouped_feed CAP-R CAP-B
	push_ok
	expect_eq "$(product_of CAP-R 'p["status"]')" DRAFT "CAP drafted once all its variants are gone"
	grouped_feed
	push_ok
	expect_eq "$(product_of CAP-R 'p["status"]')" ACTIVE "CAP published again"
	expect_eq "$(shopify_variant CAP-R 'v["available"]')" '{"gid://shopify/Location/7001": 2}' "CAP-R's stock back"
	expect_unique_shopify_skus
}

# A variant retired with draft (or stock_zero) stays in the shop: a later write of its group names it, so that
# productSet keeps it, and it comes back as the same variant.
test_a_variant_kept_when_retired_stays_when_its_group_is_written_again() {
	grouped_shop stock_zero || return
	push_ok fs_fast
	local tee_l; tee_l=$(shopify_variant TEE-L 'v["id"]')
	grouped_feed TEE-L
	push_ok
	grouped_feed TEE-L TEE-M=13.50
	push_ok
	expect_eq "$(product_of TEE-M 'sorted(x["sku"] for x in p["variants"])')" '["TEE-L", "TEE-M", "TEE-S"]' \
		"TEE-L kept by the write of TEE-M's price"
	expect_eq "$(shopify_variant TEE-L 'v["available"]')" '{"gid://shopify/Location/7001": 0}' "TEE-L's stock"
	grouped_feed TEE-M=13.50
	push_ok
	expect_eq "$(shopify_variant TEE-L 'v["id"]')" "$tee_l" "TEE-L back as the same variant"
	expect_eq "$(shopify_variant TEE-L 'v["available"]')" '{"gid://shopify/Location/7001": 5}' "TEE-L's stock back"
	expect_unique_shopify_skus
}

# A row of the parent SKU's own gives the product its fields; a change to it alone writes the product.
test_a_row_of_the_groups_own_gives_the_product_its_title() {
	start_fakeshopify || return
	add_shop
	grouped_feed
	echo "TEE,Tee shirt,,,,," >>"$T/feed.csv"
	add_shopify_conn "$GROUPING"
	push_ok
	expect_eq "$(product_of TEE-M 'p["title"]')" "Tee shirt" "TEE's title, from its own row"
	expect_eq "$(shopify_state 'len(products)')" 3 "products: the own row is no product of its own"
	sed -i 's/^TEE,Tee shirt,/TEE,Tee shirt 2,/' "$T/feed.csv"
	push_ok
	expect_eq "$(product_of TEE-M 'p["title"]')" "Tee shirt 2" "TEE's title after its row changed"
	local sent; sent=$(shopify_requests)
	push_ok fs_fast
	expect_eq "$(shopify_requests)" "$sent" "requests of an unchanged re-run"
}

# A single product whose row joins a group becomes the group's product (it keeps its id, takes the options); a
# variant moved to another group leaves its old product and is created in the new one.
test_a_single_product_joining_a_group_and_a_variant_moving_between_groups() {
	start_fakeshopify || return
	add_shop
	printf 'sku,name,price,quantity,group,size,colour\nTEE-S,Tee S,10.00,3,,,\n' >"$T/feed.csv"
	add_shopify_conn "$GROUPING"
	push_ok fs_fast
	local single; single=$(product_of TEE-S 'p["id"]')
	grouped_feed
	push_ok
	expect_eq "$(product_of TEE-M 'p["id"]')" "$single" "TEE is the former single product"
	expect_eq "$(product_of TEE-S 'p["options"]')" '[{"name": "size", "values": ["L", "M", "S"]}]' "its options"
	sed -i 's/^CAP-B,Cap Blue,7.00,6,CAP,,Blue$/CAP-B,Tee Blue,7.00,6,TEE,B,/' "$T/feed.csv"
	push_ok
	expect_eq "$(product_of CAP-B 'p["id"]')" "$single" "CAP-B in TEE"
	expect_eq "$(product_of CAP-R 'sorted(x["sku"] for x in p["variants"])')" '["CAP-R"]' "CAP without CAP-B"
	expect_eq "$(product_of CAP-R 'p["options"]')" '[{"name": "colour", "values": ["Red"]}]' "CAP's colours"
	expect_eq "$(product_of CAP-B 'p["options"]')" '[{"name": "size", "values": ["B", "L", "M", "S"]}]' "TEE's sizes"
	expect_eq "$(shopify_state 'len(products)')" 3 "products"
	expect_unique_shopify_skus
	fs_fast runs log "$(sql 'select max(id) from sync_runs')"
	expect_contains "$OUT" "'CAP-B' moved to the group of 'TEE'"
	local sent; sent=$(shopify_requests)
	push_ok fs_fast
	expect_eq "$(shopify_requests)" "$sent" "requests of an unchanged re-run"
}

# A variant whose row leaves its group becomes a single product of its own; the group keeps its other variants
# (a productSet on the group's product naming only it would delete them).
test_a_variant_leaving_its_group_becomes_a_single_product() {
	grouped_shop delete || return
	push_ok fs_fast
	local tee; tee=$(product_of TEE-S 'p["id"]')
	sed -i 's/^TEE-L,Tee L,12.00,5,TEE,L,$/TEE-L,Tee L,12.00,5,,,/' "$T/feed.csv"
	push_ok
	expect_eq "$(product_of TEE-S 'sorted(x["sku"] for x in p["variants"])')" '["TEE-M", "TEE-S"]' "TEE's variants"
	expect_eq "$(product_of TEE-S 'p["id"]')" "$tee" "TEE's product"
	expect_eq "$(product_of TEE-L 'len(p["variants"])')" 1 "TEE-L's product: its own"
	[ "$(product_of TEE-L 'p["id"]')" != "$tee" ] || fail "TEE-L is still in TEE's product"
	expect_eq "$(shopify_state 'len(products)')" 4 "products: TEE, CAP, MUG, TEE-L"
	expect_unique_shopify_skus
	local sent; sent=$(shopify_requests)
	push_ok fs_fast
	expect_eq "$(shopify_requests)" "$sent" "requests of an unchanged re-run"
}

test_plan_then_apply_writes_the_group() {
	grouped_shop || return
	fs run "$CONN_ID" --plan --wait
	expect_rc 0 "the plan run"
	expect_eq "$(shopify_requests)" 0 "requests of a plan"
	fs_fast plan show "$(sql 'select max(id) from sync_runs')"
	expect_contains "$OUT" "TEE-M (variant of TEE)"
	expect_contains "$OUT" "parents (2, products with options made from their variants):"
	expect_contains "$OUT" "  TEE  3 variants in this plan"
	fs plan apply "$(sql 'select max(id) from sync_runs')" --wait
	expect_rc 0 "plan apply"
	expect_eq "$(shopify_state 'len(products)')" 3 "products after applying"
	expect_eq "$(product_of TEE-M 'len(p["variants"])')" 3 "TEE's variants"
}

# The group's create is fenced under every variant's SKU: the retry finds the product the killed run's request made.
test_kill_during_a_groups_create_then_retry_makes_no_duplicate() {
	start_fakeshopify || return
	lose_workers_fast
	add_shop --timeout 5 --overrun 2
	grouped_feed
	add_shopify_conn "$GROUPING"
	shopify_ctl faults '[{"match": {"operation": "FeedsyncGroupSet", "creates": true}, "times": 1, "action": "hold",
		"hold_s": 4}]'
	kill_run_when shop_holds_a_create || return
	expect_eq "$(sql 'select count(*) from push_fences')" 2 "fences left by the killed run: CAP's variants"
	wait_until 30 run_is_lost_1 || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	wait_until 30 shop_idle || return
	expect_eq "$(shopify_state 'len(products)')" 3 "products in the shop"
	expect_unique_shopify_skus
	expect_eq "$(sql 'select count(*) from push_fences')" 0 "fences after the retry"
}

run_tests "$@"
