#!/usr/bin/env bash
# Shopify shops as sources, against tests/fakeshopify: variants paged with cursors into the catalog, pages sized
# to the cost bucket, a throttled answer waited out, the stock at a location, refused tokens and scopes, HTML
# pages and timeouts failing the run whole (a retry then works), the access token never shown.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakeshopify/shopify_lib.sh"

# A product with two options and two variants (one on sale), and a simple product with a description.
seed_store() {
	shopify_ctl seed '{"products": [
	  {"title": "Tee", "handle": "tee", "productType": "Shirts", "vendor": "Acme", "tags": ["cotton", "summer"],
	   "image": "http://img.example/tee.jpg", "options": ["Size", "Colour"],
	   "variants": [{"sku": "TEE-M-RED", "price": "15.00", "compareAtPrice": "20.00", "options": ["M", "Red"],
	                 "available": {"Main Warehouse": 4, "Backroom": 2}},
	                {"sku": "TEE-L-RED", "price": "21.00", "options": ["L", "Red"], "image": "http://img.example/l.jpg",
	                 "available": {"Main Warehouse": 1}}]},
	  {"title": "Mug", "productType": "Kitchen", "descriptionHtml": "<p>Big</p>", "status": "DRAFT",
	   "variants": [{"sku": "MUG", "price": "8.50", "available": {"Backroom": 9}}]},
	  {"title": "Gift card", "variants": [{"sku": "", "price": "25.00"}]}]}'
}

# pull_conn [EXTRA_SOURCE_MEMBERS] [EXTRA_MEMBERS]: a connection reading the shop $DEST_ID; sets $CONN_ID.
pull_conn() {
	printf '{"name": "Shopify pull", "source": {"type": "shopify", "destination": {"id": %s}%s}%s}\n' \
		"$DEST_ID" "${1:+, $1}" "${2:+, $2}" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

product_field() { json_get "$(sql "select data from products where sku = '$1' and connection_id = $CONN_ID")" "$2"; }
pages_asked() { shopify_ops FeedsyncPullVariants; }
# expect_pull_fails WHAT TEXT CODE: a run of $CONN_ID (under valgrind when enabled) fails saying TEXT with the
# error code CODE, and imports nothing.
expect_pull_fails() {
	fs run "$CONN_ID" --wait
	expect_rc 1 "$1"
	expect_contains "$OUT$ERR" "$2"
	expect_eq "$(sql "select code from run_errors")" "$3" "error code"
	expect_eq "$(sql "select count(*) from products")" 0 "nothing imported"
}
expect_no_token() {
	sqlite3 "$FEEDSYNC_DB" .dump >"$T/.dump" 2>/dev/null
	expect_eq "$(grep -lF -- "$SHOPIFY_TOKEN" "$T/.dump" "$T/.out" "$T/.err" 2>/dev/null | tr '\n' ' ')" "" \
		"files holding the token"
}

test_pull_variants_into_the_catalog_then_unchanged() {
	start_fakeshopify --restore-rate 2000 || return
	seed_store
	shopify_ctl seed '{"generate": {"products": 300}}'
	add_shop
	pull_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "first pull"
	expect_contains "$OUT" "304 rows: 303 created, 0 updated, 0 unchanged, 1 skipped, 0 failed"
	expect_eq "$(product_field TEE-M-RED name)" "Tee - M / Red" "a variant's name"
	expect_eq "$(product_field TEE-M-RED regular_price)" "20.00" "the compare-at price is the regular one"
	expect_eq "$(product_field TEE-M-RED sale_price)" "15.00" "the price is the sale price"
	expect_eq "$(product_field TEE-M-RED stock_quantity)" "6" "stock of all locations"
	expect_eq "$(product_field TEE-M-RED categories)" "Shirts" "product type as the category"
	expect_eq "$(product_field TEE-M-RED images)" "http://img.example/tee.jpg" "the product's image"
	expect_eq "$(product_field TEE-L-RED images)" "http://img.example/l.jpg" "the variant's own image"
	expect_eq "$(product_field TEE-L-RED regular_price)" "21.00" "a price without compare-at"
	expect_eq "$(product_field MUG name)" "Mug" "a product without options has its title"
	expect_eq "$(product_field MUG description)" "<p>Big</p>" "description"
	expect_eq "$(product_field MUG parent_sku)" "" "a product without options is not grouped"
	expect_eq "$(sql "select count(*) from products")" 303 "products in the catalog"
	# The first page is sized before the bucket is known; the count query teaches it, so pages fit 1000 points.
	expect_eq "$(shopify_state "[r['operation'] for r in s['requests']][:2]")" \
		'["FeedsyncPullCount", "FeedsyncPullVariants"]' "count, then pages"
	expect_eq "$(pages_asked)" 3 "pages of 142 variants"
	expect_eq "$(shopify_refused THROTTLED)" 0 "throttled answers"
	fs_fast runs log "$(sql "select max(id) from sync_runs")"
	expect_contains "$OUT" "'shop' has 304 variants (status any)"
	expect_contains "$OUT" "pulled 303 variants in 3 pages from 'shop'"
	expect_contains "$OUT" "skipped variant gid://shopify/ProductVariant/"
	expect_contains "$OUT" "of product 'Gift card' of 'shop': it has no SKU"
	expect_contains "$OUT" "token …e1f0"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second pull"
	expect_contains "$OUT" "0 created, 0 updated, 303 unchanged, 1 skipped"
	fs_fast dest show "$DEST_ID"
	expect_contains "$OUT" "cost bucket:"
	expect_no_token
}

test_pull_pages_fit_a_small_bucket_without_throttling() {
	start_fakeshopify --bucket-size 150 --restore-rate 400 || return
	shopify_ctl seed '{"generate": {"products": 60}}'
	add_shop
	pull_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull"
	expect_contains "$OUT" "60 created"
	expect_eq "$(pages_asked)" 3 "pages of (150 - 3) / 7 = 21 variants"
	expect_eq "$(shopify_refused THROTTLED)" 0 "throttled answers"
	expect_eq "$(shopify_refused MAX_COST_EXCEEDED)" 0 "pages over the maximum"
}

# Another app spends the shop's bucket while page 1 is on its way: the shop throttles it, and the pull waits for
# what the bucket then says instead of failing.
test_pull_waits_out_a_throttled_answer() {
	start_fakeshopify --bucket-size 300 --restore-rate 150 || return
	seed_store
	add_shop
	pull_conn
	shopify_ctl faults '[{"match": {"operation": "FeedsyncPullVariants"}, "times": 1, "latency_ms": 1500}]'
	fs_fast run "$CONN_ID" --wait &
	local pid=$!
	sleep 0.7
	shopify_ctl bucket '{"available": 0}'
	wait "$pid"
	fs_fast runs show "$(sql "select max(id) from sync_runs")"
	expect_contains "$OUT" "3 created"
	[ "$(shopify_refused THROTTLED)" -ge 1 ] || fail "the fake throttled nothing"
	fs_fast runs log "$(sql "select max(id) from sync_runs")"
	expect_contains "$OUT" "page 1 of 'shop' was throttled; waiting for the cost bucket"
	expect_contains "$OUT" "pulled 3 variants in 1 pages from 'shop' (throttled pages were waited out)"
}

test_pull_stock_at_the_location_and_status() {
	start_fakeshopify --restore-rate 2000 || return
	seed_store
	add_shop --location Backroom
	pull_conn '"status": "active"'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull of active products at Backroom"
	expect_contains "$OUT" "2 created"
	expect_eq "$(product_field TEE-M-RED stock_quantity)" 2 "stock at Backroom"
	expect_eq "$(product_field TEE-L-RED stock_quantity)" 0 "not stocked at Backroom"
	expect_eq "$(sql "select count(*) from products where sku = 'MUG'")" 0 "the draft is not read"
	expect_eq "$(shopify_ops FeedsyncPullVariantsAt)" 1 "pages at the location"
	printf '{"name": "Bad", "source": {"type": "shopify", "destination": {"id": %s}, "status": "sold"}}\n' \
		"$DEST_ID" >"$T/bad.json"
	fs_fast conn add --file "$T/bad.json"
	expect_rc 1 "a bad status"
	expect_contains "$ERR" "source.status: must be one of any, active, draft, archived, not 'sold'"
}

test_pull_groups_variants_for_a_variable_product() {
	start_fakeshopify --restore-rate 2000 || return
	seed_store
	add_shop
	pull_conn "" '"group": {"by": "parent_sku", "options": [{"name": "Size", "column": "attribute:Size"}, {"name": "Colour", "column": "attribute:Colour"}]}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "grouped pull"
	expect_eq "$(product_field TEE-L-RED parent_sku)" "tee" "parent"
	expect_eq "$(product_field TEE-L-RED option:Size)" "L" "option Size"
	expect_eq "$(product_field TEE-L-RED option:Colour)" "Red" "option Colour"
}

# What a grouped push wrote (one product with options per group) reads back as the same groups.
test_pull_reads_back_what_a_grouped_push_wrote() {
	start_fakeshopify --restore-rate 2000 || return
	add_shop
	printf 'sku,name,price,quantity,group,size\nTEE-S,Tee S,10.00,3,TEE,S\nTEE-M,Tee M,11.00,4,TEE,M\nMUG,Mug,5.00,9,,\n' \
		>"$T/feed.csv"
	add_shopify_conn '"group": {"by": "group", "options": ["size"]}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "grouped push"
	pull_conn "" '"group": {"by": "parent_sku", "options": [{"name": "size", "column": "attribute:size"}]}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull of what was pushed"
	expect_contains "$OUT" "3 created"
	expect_eq "$(product_field TEE-M parent_sku)" "$(shopify_state "[p.get('handle') or 'tee' for p in products if p['title'] == 'Tee'][0]")" \
		"the product's handle groups its variants"
	expect_eq "$(product_field TEE-M option:size)" M "the option read back"
	expect_eq "$(product_field TEE-M regular_price)" 11.00 "price"
	expect_eq "$(product_field TEE-M stock_quantity)" 4 "stock"
	expect_eq "$(product_field MUG parent_sku)" "" "a product without options is not grouped"
}

test_pull_refused_token_fails_naming_it() {
	start_fakeshopify --restore-rate 2000 || return
	seed_store
	add_shop
	pull_conn
	shopify_ctl faults '[{"status": 401}]'
	expect_pull_fails "pull with a refused token" \
		"FeedsyncPullCount of 'shop': the shop refused the access token …e1f0 (HTTP 401" credentials_refused
	expect_no_token
}

test_pull_missing_scope_names_it() {
	start_fakeshopify --restore-rate 2000 || return
	seed_store
	add_shop
	pull_conn
	shopify_ctl scopes '["read_locations"]'
	expect_pull_fails "pull without read_products" \
		"Required access: \`read_products\` access scope. (the app needs read_products to be a source)" ACCESS_DENIED
}

test_pull_html_page_fails_whole_then_retry_works() {
	start_fakeshopify --restore-rate 2000 || return
	shopify_ctl seed '{"generate": {"products": 200}}'
	add_shop --retries 1
	pull_conn
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	# A 500 is the request's own trouble (a 503 would open the circuit breaker: the shop is down).
	shopify_ctl faults '[{"match": {"operation": "FeedsyncPullVariants"}, "skip": 1, "status": 500}]'
	expect_pull_fails "pull with an HTML 500 on page 2" \
		"page 2 of 'shop': HTTP 500 with an HTML page instead of JSON, after 2 attempts" http_error
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
	shopify_ctl faults '[]'
	fs_fast runs retry "$(sql "select max(id) from sync_runs")" --wait
	expect_rc 0 "the retry"
	expect_contains "$OUT" "200 created"
	# One bad answer is a transient failure: the page is asked again and the pull goes on.
	shopify_ctl faults '[{"match": {"operation": "FeedsyncPullVariants"}, "skip": 1, "times": 1, "status": 503}]'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull with one 503"
	expect_contains "$OUT" "200 unchanged"
	fs_fast runs log "$(sql "select max(id) from sync_runs")"
	expect_contains "$OUT" "HTTP 503 with an HTML page; retry 1 of 1"
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
}

test_pull_timeout_names_the_page() {
	start_fakeshopify --restore-rate 2000 || return
	shopify_ctl seed '{"generate": {"products": 200}}'
	add_shop --retries 0 --timeout 1
	pull_conn
	shopify_ctl faults '[{"match": {"operation": "FeedsyncPullVariants"}, "skip": 1, "action": "stall", "stall_s": 5}]'
	expect_pull_fails "pull with a stalled page" "page 2 of 'shop': no answer within 1 s" timeout
}

test_pull_cancel_between_pages() {
	start_fakeshopify --restore-rate 2000 || return
	shopify_ctl seed '{"generate": {"products": 400}}'
	add_shop
	pull_conn
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	# Page 2 takes 8 s: the cancel must not wait for it.
	shopify_ctl faults '[{"match": {"operation": "FeedsyncPullVariants"}, "skip": 1, "latency_ms": 8000}]'
	cancel_mid_pull || return
	expect_eq "$(sql "select count(*) from products")" 0 "nothing imported"
	# The fake logs a request once answered: page 1 is, page 2 is still held by its latency.
	expect_eq "$(pages_asked)" 1 "pages answered"
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
}

test_pull_of_a_woocommerce_destination_fails_clearly() {
	start_fakeshopify || return
	fs_fast dest add --name woo --url https://shop.example.com --key ck_x --secret cs_y --json
	DEST_ID=$(json_get "$OUT" id)
	pull_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull of a woocommerce shop as a shopify source"
	expect_contains "$OUT$ERR" "destination 'woo' is a woocommerce destination, not a shopify one: set the connection's source type to woocommerce"
}

test_dest_rm_refuses_the_shop_a_source_reads() {
	start_fakeshopify || return
	add_shop
	pull_conn
	fs_fast dest rm "$DEST_ID"
	[ "$RC" -ne 0 ] || fail "dest rm removed the shop a source reads"
	expect_contains "$ERR" "destination $DEST_ID 'shop' is used by connection $CONN_ID 'Shopify pull'"
}

run_tests "$@"
