#!/bin/bash
# WooCommerce shops as sources, against tests/fakewoo: pages pulled into the catalog with the usual counters,
# products without a SKU skipped, refused credentials, HTML and malformed pages, retries, cancel, secrets.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# seed_shop N [PRICE_OFFSET] [NO_SKU]: the shop holds N products (P-000...), and NO_SKU more without a SKU.
seed_shop() {
	"$PYTHON" - "$1" "${2:-0}" "${3:-0}" >"$T/products.json" <<'PY'
import json, sys
n, off, no_sku = (int(a) for a in sys.argv[1:])
items = [{"sku": "P-%03d" % i, "name": "Product %d" % i, "regular_price": "%d.50" % (10 + i + off),
          "stock_quantity": i % 7, "manage_stock": True, "description": "About %d" % i,
          "categories": [{"id": 3, "name": "Birou"}, {"id": 4, "name": "Pixuri"}],
          "images": [{"src": "http://img.example/%d.jpg" % i}]} for i in range(n)]
items += [{"name": "Draft without SKU %d" % i, "status": "draft"} for i in range(no_sku)]
print(json.dumps(items))
PY
	woo products "$(cat "$T/products.json")" >/dev/null
}

# pull_conn [EXTRA_SOURCE_MEMBERS]: a connection reading the shop $DEST_ID; sets $CONN_ID.
pull_conn() {
	printf '{"name": "Shop pull", "source": {"type": "woocommerce", "destination": {"id": %s}%s}}\n' \
		"$DEST_ID" "${1:+, $1}" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

last_run() { sql "select max(id) from sync_runs"; }
run_field() { sql "select $2 from sync_runs where id = $1"; }
catalog_size() { sql "select count(*) from products"; }
list_requests() {
	woo state '[r["query"].get("page") for r in s["requests"] if r["path"] == "/wp-json/wc/v3/products"]'
}

test_pull_pages_into_the_catalog_then_unchanged_then_updated() {
	start_fakewoo || return
	seed_shop 250 0 1
	add_shop
	pull_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "first pull"
	expect_contains "$OUT" "251 rows: 250 created, 0 updated, 0 unchanged, 1 skipped, 0 failed"
	expect_eq "$(catalog_size)" 250 "products in the catalog"
	expect_eq "$(list_requests)" '["1", "2", "3"]' "pages asked for"
	expect_eq "$(woo state '[r["query"] for r in s["requests"]][0]["per_page"]')" 100 "per_page"
	expect_eq "$(woo state '[r for r in s["requests"] if "rest_route" in r["query"]]')" "[]" "no rest_route"
	local data
	data=$(sql "select data from products where sku = 'P-007'")
	expect_eq "$(json_get "$data" regular_price)" "17.50" "price"
	expect_eq "$(json_get "$data" stock_quantity)" "0" "quantity"
	expect_eq "$(json_get "$data" categories)" "Birou > Pixuri" "categories"
	expect_eq "$(json_get "$data" images)" "http://img.example/7.jpg" "images"
	expect_eq "$(json_get "$data" name)" "Product 7" "name"
	run_fs fs_fast runs log "$(last_run)"
	expect_contains "$OUT" "has 251 products (status any) in 3 pages"
	expect_contains "$OUT" "'Draft without SKU 0' of 'shop': it has no SKU"
	expect_eq "$(run_field "$(last_run)" bytes_total)" "$(run_field "$(last_run)" bytes_done)" "progress at its end"

	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second pull"
	expect_contains "$OUT" "0 created, 0 updated, 250 unchanged, 1 skipped"

	woo reset
	"$PYTHON" -c 'import json, sys
items = json.load(open(sys.argv[1]))
items[42]["regular_price"] = "99.00"
print(json.dumps(items))' "$T/products.json" >"$T/shop.json"
	woo products "$(cat "$T/shop.json")" >/dev/null
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull after a change in the shop"
	expect_contains "$OUT" "0 created, 1 updated, 249 unchanged, 1 skipped"
	expect_eq "$(json_get "$(sql "select data from products where sku = 'P-042'")" regular_price)" "99.00" "new price"
	expect_no_secret
}

test_pull_status_filter_and_the_shop_by_name() {
	start_fakewoo || return
	seed_shop 3 0 2
	add_shop
	printf '{"name": "Drafts", "source": {"type": "woocommerce", "destination": {"name": "shop"}, "status": "draft"}}\n' \
		>"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add by name"
	CONN_ID=$(json_get "$OUT" id)
	run_fs fs_fast conn show "$CONN_ID"
	expect_contains "$OUT" "source:       woocommerce destination 'shop'"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a shop whose drafts have no SKU"
	expect_contains "$OUT$ERR" "the feed has no product rows"
	expect_contains "$OUT$ERR" "2 rows: 0 created, 0 updated, 0 unchanged, 2 skipped"
	expect_eq "$(woo state '[r["query"]["status"] for r in s["requests"]][-1]')" draft "status asked for"
	run_fs fs_fast dest rm shop
	expect_rc 5 "dest rm of a shop read by a connection"
	expect_contains "$ERR" "is used by connection $CONN_ID 'Drafts'"
}

test_pull_refused_credentials_fail_naming_them() {
	start_fakewoo || return
	seed_shop 5
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret cs_wrong_secret_000000000000000 \
		--backoff-ms 50 --json
	DEST_ID=$(json_get "$OUT" id)
	pull_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "pull with a wrong secret"
	expect_contains "$OUT$ERR" "page 1 of 'shop': the shop refused the credentials of destination 'shop'"
	expect_contains "$OUT$ERR" "consumer key ck_…b4a6"
	expect_contains "$OUT$ERR" "HTTP 401"
	expect_eq "$(sql "select code from run_errors")" credentials_refused "error code"
	expect_eq "$(catalog_size)" 0 "catalog untouched"
	expect_eq "$(woo state 'len(s["requests"])')" 1 "a refusal is not retried"
	expect_no_secret
}

test_pull_html_page_fails_after_retries() {
	start_fakewoo || return
	seed_shop 150
	add_shop --retries 2
	pull_conn
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "action": "html"}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull of an HTML page"
	expect_contains "$OUT$ERR" "page 1 of 'shop': the shop answered HTTP 200 with an HTML page instead of JSON (after 3 attempts)"
	expect_eq "$(sql "select code from run_errors")" bad_response "error code"
	run_fs fs_fast runs log "$(last_run)"
	expect_contains "$OUT" "page 1 of 'shop': the shop answered HTTP 200 with an HTML page instead of JSON; retry 1 of 2"
	expect_eq "$(catalog_size)" 0 "catalog untouched"
}

test_pull_malformed_page_two_fails_whole_then_retry_works() {
	start_fakewoo || return
	seed_shop 250
	add_shop --retries 1
	pull_conn
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "skip": 1, "action": "malformed"}]'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "pull with page 2 cut short"
	expect_contains "$OUT$ERR" "page 2 of 3 of 'shop': the shop answered HTTP 200 with JSON that does not parse"
	expect_eq "$(catalog_size)" 0 "nothing half-written"
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
	local failed
	failed=$(last_run)
	woo faults '[]'
	run_fs fs_fast runs retry "$failed" --wait
	expect_rc 0 "runs retry"
	expect_eq "$(catalog_size)" 250 "products after the retry"
	# One bad answer is a transient failure: the page is asked again and the run goes on.
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "skip": 1, "times": 1, "status": 503}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull with one 503"
	expect_contains "$OUT" "250 unchanged"
	run_fs fs_fast runs log "$(last_run)"
	expect_contains "$OUT" "page 2 of 3 of 'shop': HTTP 503 with an HTML page; retry 1 of 1"
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
}

test_pull_timeout_names_the_page() {
	start_fakewoo || return
	seed_shop 120
	add_shop --retries 0 --timeout 1
	pull_conn
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "skip": 1, "action": "stall", "stall_s": 5}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull with a stalled page"
	expect_contains "$OUT$ERR" "page 2 of 2 of 'shop': no answer within 1 s"
	expect_eq "$(sql "select code from run_errors")" timeout "error code"
}

test_pull_cancel_between_pages() {
	start_fakewoo || return
	seed_shop 250
	add_shop
	pull_conn
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	# Page 2 takes 8 s: the cancel must not wait for it.
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "skip": 1, "latency_ms": 8000}]'
	cancel_mid_pull || return
	expect_eq "$(catalog_size)" 0 "nothing imported"
	expect_eq "$(list_requests)" '["1", "2"]' "no page asked after the cancel"
	expect_eq "$(ls "$TMPDIR")" "" "temp files left"
}

# Two-line descriptions as the shop stores them: the default view context would render them through wpautop.
seed_descriptions() {
	woo products '[{"sku": "D-1", "name": "Two lines", "regular_price": "5.00", "stock_quantity": 2,
		"manage_stock": true, "description": "Line one\nLine two", "short_description": "Short one\nShort two"}]' \
		>/dev/null
}

test_pull_reads_descriptions_as_stored_not_rendered() {
	start_fakewoo || return
	seed_descriptions
	add_shop
	pull_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull"
	local data
	data=$(sql "select data from products where sku = 'D-1'")
	expect_eq "$(json_get "$data" description)" "$(printf 'Line one\nLine two')" "description"
	expect_eq "$(json_get "$data" short_description)" "$(printf 'Short one\nShort two')" "short description"
	expect_eq "$(woo state '{r["query"].get("context") for r in s["requests"]}')" "{'edit'}" "context asked for"
}

test_pull_then_push_back_changes_nothing_in_the_shop() {
	start_fakewoo || return
	seed_descriptions
	add_shop
	local before
	before=$(woo state 's["products"]')
	printf '{"name": "Round trip", "source": {"type": "woocommerce", "destination": {"id": %s}},
		"destination": {"type": "woocommerce", "id": %s}}\n' "$DEST_ID" "$DEST_ID" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull and push back"
	expect_eq "$(woo state 's["products"]')" "$before" "the shop after the round trip"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second round trip"
	expect_contains "$OUT" "1 unchanged"
	expect_eq "$(woo state 'len([r for r in s["requests"] if r["path"].endswith("/batch")])')" 1 \
		"batches: the first push only"
}

test_pull_with_a_read_only_key_reads_the_edit_context() {
	start_fakewoo || return
	seed_descriptions
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$READ_KEY" --secret "$READ_SECRET" --json
	expect_rc 0 "dest add"
	DEST_ID=$(json_get "$OUT" id)
	pull_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull with a read-only key"
	expect_eq "$(json_get "$(sql "select data from products where sku = 'D-1'")" description)" \
		"$(printf 'Line one\nLine two')" "description"
}

# seed_variable N: a variable product V (id 19) with N variations V-000... (sizes), one more without a SKU of
# its own, and a simple product S after it.
seed_variable() {
	"$PYTHON" - "$1" >"$T/variable.json" <<'PY'
import json, sys
n = int(sys.argv[1])
items = [{"sku": "V", "name": "Tee", "type": "variable", "description": "The tee",
          "categories": [{"id": 3, "name": "Clothes"}, {"id": 4, "name": "Tees"}],
          "attributes": [{"id": 0, "name": "Size", "variation": True, "options": ["S%d" % i for i in range(n)]}]}]
items += [{"parent_id": 19, "sku": "V-%03d" % i, "regular_price": "%d.00" % (10 + i), "manage_stock": True,
           "stock_quantity": i, "description": "Size %d" % i, "images": [{"src": "http://img.example/v%d.jpg" % i}],
           "attributes": [{"id": 0, "name": "Size", "option": "S%d" % i}, {"id": 0, "name": "Colour", "option": "Red"}]}
          for i in range(n)]
items += [{"parent_id": 19, "regular_price": "1.00", "attributes": [{"id": 0, "name": "Size", "option": "X"}]},
          {"sku": "S", "name": "Simple", "regular_price": "3.00"}]
print(json.dumps(items))
PY
	woo products "$(cat "$T/variable.json")" >/dev/null
}

variation_requests() {
	woo state '[(r["query"].get("page"), r["query"].get("context")) for r in s["requests"]
		if r["path"] == "/wp-json/wc/v3/products/19/variations"]'
}

test_pull_reads_the_variations_of_variable_products() {
	start_fakewoo || return
	seed_variable 130
	add_shop
	printf '{"name": "Variations", "source": {"type": "woocommerce", "destination": {"id": %s}}, "mapping":
		{"fields": {"parent_id": {"column": "parent_id"},
		"attributes": {"column": "attributes"}, "type": {"column": "type"}}},
		"group": {"by": "parent_sku", "options": [{"name": "size", "column": "attribute:Size"}]}}\n' \
		"$DEST_ID" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "pull"
	expect_contains "$OUT" "133 rows: 132 created, 0 updated, 0 unchanged, 1 skipped, 0 failed"
	expect_eq "$(variation_requests)" '[["1", "edit"], ["2", "edit"]]' "variation pages asked for"
	local data
	data=$(sql "select data from products where sku = 'V-007'")
	expect_eq "$(json_get "$data" regular_price)" "17.00" "variation price"
	expect_eq "$(json_get "$data" stock_quantity)" "7" "variation quantity"
	expect_eq "$(json_get "$data" name)" "Tee - S7, Red" "variation name"
	expect_eq "$(json_get "$data" attributes)" "Size: S7, Colour: Red" "variation attributes"
	expect_eq "$(json_get "$data" parent_sku)" "V" "parent SKU"
	expect_eq "$(json_get "$data" option:size)" "S7" "the variation's size, grouped again"
	run_fs fs_fast products "$CONN_ID"
	expect_contains "$OUT" "PARENT" "products lists each variant's parent"
	printf '%s\n' "$OUT" | grep -Eq '^V-007 +V +Tee - S7' || fail "V-007's row names its parent V: $(printf '%s' "$OUT" | head -5)"
	run_fs fs_fast products "$CONN_ID" --json
	expect_eq "$(json_get "$OUT" products.7.parent_sku)" "V" "parent_sku in --json"
	expect_eq "$(json_get "$data" parent_id)" "19" "parent id"
	expect_eq "$(json_get "$data" type)" "variation" "type"
	expect_eq "$(json_get "$data" categories)" "Clothes > Tees" "categories of the parent"
	expect_eq "$(json_get "$data" images)" "http://img.example/v7.jpg" "variation image"
	expect_eq "$(json_get "$(sql "select data from products where sku = 'V'")" type)" "variable" "the parent row"
	expect_eq "$(sql "select count(*) from products where sku = 'S'")" 1 "the product after the variable one"
	run_fs fs_fast runs log "$(last_run)"
	expect_contains "$OUT" "skipped variation 150 of product 19 'Tee' (SKU V) of 'shop': it has no SKU of its own"
	expect_contains "$OUT" "pulled 2 products in 1 pages from 'shop'"
	expect_contains "$OUT" "pulled 130 variations of 1 variable products in 2 pages from 'shop'"

	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second pull"
	expect_contains "$OUT" "0 created, 0 updated, 132 unchanged, 1 skipped"

	# The parent rows left out by their type, as the README shows.
	printf '{"name": "Variations only", "source": {"type": "woocommerce", "destination": {"id": %s}}, "filters":
		{"rules": [{"field": "type", "op": "ne", "value": "variable"}]}}\n' "$DEST_ID" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add with a filter"
	run_fs fs_fast run "$(json_get "$OUT" id)" --wait
	expect_rc 0 "pull without the parents"
	expect_contains "$OUT" "133 rows: 131 created, 0 updated, 0 unchanged, 2 skipped"
}

test_pull_variations_page_failure_names_the_parent() {
	start_fakewoo || return
	seed_variable 3
	add_shop --retries 1 --patience 0 # a 503 that lasts is an outage: fail at once
	pull_conn
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products/19/variations"}, "status": 404}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull with the variations refused"
	expect_contains "$OUT$ERR" "page 1 of the variations of product 19 'Tee' (SKU V) of 'shop': HTTP 404 fake_error: Injected status 404."
	expect_eq "$(catalog_size)" 0 "nothing imported"
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products/19/variations"}, "status": 503}]'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull with the variations unavailable"
	expect_contains "$OUT$ERR" "page 1 of the variations of product 19 'Tee' (SKU V) of 'shop': destination 'shop' is unavailable"
	expect_contains "$OUT$ERR" "GET /wp-json/wc/v3/products/19/variations: HTTP 503 with an HTML page"
}

test_pull_of_a_missing_destination_fails_clearly() {
	start_fakewoo || return
	DEST_ID=7
	pull_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "pull of destination 7"
	expect_contains "$OUT$ERR" "there is no destination 7"
	printf '{"name": "Bad", "source": {"type": "woocommerce", "url": "%s", "destination": {"id": 1}}}\n' "$WOO_URL" \
		>"$T/bad.json"
	run_fs fs_fast conn add --file "$T/bad.json"
	expect_rc 1 "conn add with a url"
	expect_contains "$ERR" "source.url: a woocommerce source has none"
}

run_tests "$@"
