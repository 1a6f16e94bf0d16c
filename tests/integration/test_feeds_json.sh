#!/bin/bash
# Nested JSON and NDJSON feeds through the real binary: dotted paths in mappings, filters, aliases and
# required; lists joined; NDJSON by file name, by sniffing and by source.format; every error names the item
# (JSON arrays) or the line (NDJSON), and a broken NDJSON line fails alone.
. "$(dirname "$0")/../lib.sh"

NESTED="$FIXTURES/feeds/nested_products.json"
LINES="$FIXTURES/feeds/products.jsonl"

# conn_doc SOURCE_MEMBERS [TOP_MEMBERS]: a connection named "feed" from a json source (sets $CONN_ID).
conn_doc() {
	printf '{"name": "feed", "source": {"type": "json", %s}%s}\n' "$1" "${2:+, $2}" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	CONN_ID=$(sql "select id from connections where name = 'feed'")
}

# run_conn EXIT_CODE: `run --wait` under valgrind; sets $RUN_ID and $ERRORS (`runs errors`).
run_conn() {
	fs run "$CONN_ID" --wait
	expect_rc "$1" "run --wait"
	RUN_ID=$(sql "select max(id) from sync_runs where connection_id = $CONN_ID")
	fs_fast runs errors "$RUN_ID"
	ERRORS=$OUT
}

# field SKU FIELD: a stored product field.
field() { sql "select json_extract(data, '\$.$2') from products where connection_id = $CONN_ID and sku = '$1'"; }
counts() { sql "select created || '/' || skipped || '/' || failed from sync_runs where id = $RUN_ID"; }

test_nested_json_maps_filters_and_aliases_dotted_paths() {
	conn_doc "\"url\": \"$NESTED\", \"aliases\": {\"title\": \"name\", \"stock.qty\": \"quantity\"}" \
		'"filters": {"rules": [{"field": "quantity", "op": "gt", "value": "0"},
		                       {"field": "price.currency", "op": "eq", "value": "RON"}]},
		 "mapping": {"fields": {"regular_price": {"column": "price.amount"},
		                        "main_image": {"column": "images.0.url"},
		                        "images": {"column": "images.*.url"},
		                        "variant_skus": {"column": "variants.*.sku"},
		                        "featured": {"column": "featured"}}}'
	run_conn 3
	expect_eq "$(counts)" "2/1/1" "created/skipped/failed"
	expect_eq "$(field N1 regular_price)" "12.50" "price.amount, as written"
	expect_eq "$(field N1 stock_quantity)" "4" "stock.qty through an alias"
	expect_eq "$(field N1 name)" "Oală emailată" "name"
	expect_eq "$(field N1 categories)" "Casă > Bucătărie" "categories array joined"
	expect_eq "$(field N1 main_image)" "https://img.example.com/n1a.jpg" "images.0.url"
	expect_eq "$(field N1 images)" "https://img.example.com/n1a.jpg|https://img.example.com/n1b.jpg" "images.*.url"
	expect_eq "$(field N1 variant_skus)" "N1-S > N1-M" "variants.*.sku"
	expect_eq "$(field N1 featured)" "true" "a boolean"
	expect_eq "$(field N4 images)" "https://img.example.com/n4.jpg" "one image"
	expect_eq "$(sql "select count(*) from products where sku = 'N2'")" "0" "N2 filtered out (stock.qty 0)"
	expect_contains "$ERRORS" "item 3: price 'doisprezece' in column price_amount is not a number"
	expect_eq "$(sql "select line || ' ' || sku from run_errors where run_id = $RUN_ID")" "23 N3" "line and sku"
}

test_required_dotted_path_missing_fails_the_run_clearly() {
	printf '[{"sku": "R1", "price": {"value": 3}}, {"sku": "R2", "price": {"value": 4}}]' >"$T/feed.json"
	conn_doc "\"url\": \"$T/feed.json\", \"required\": [\"price.amount\"]"
	run_conn 1
	fs_fast runs show "$RUN_ID"
	expect_contains "$OUT" "missing required column: price_amount; the first item has: sku, price.value"
	expect_eq "$(sql "select count(*) from products")" "0" "products"
}

test_single_line_json_errors_name_the_item() {
	printf '[{"sku": "S1", "price": "x"}, {"sku": "S2", "price": 2}, {"sku": "S3", "price": {"amount": 1}},' >"$T/feed.json"
	printf ' "S4", {"price": 5}, {"sku": "S2", "price": 6}]' >>"$T/feed.json"
	conn_doc "\"url\": \"$T/feed.json\"" '"mapping": {"fields": {"regular_price": {"column": "price"}}}'
	run_conn 3
	expect_eq "$(counts)" "2/0/4" "created/skipped/failed"
	expect_contains "$ERRORS" "item 1: price 'x' in column price is not a number"
	expect_contains "$ERRORS" "duplicate SKU 'S2' on item 6: already on item 2, the first one is kept"
	expect_contains "$ERRORS" "item 4: the item is a string, not an object"
	expect_contains "$ERRORS" "item 5: row has no SKU (column sku is missing)"
	# S3's price is an object: price.amount exists, price does not, so S3 has no price and imports.
	expect_eq "$(sql "select group_concat(sku) from products order by sku")" "S2,S3" "products"
	expect_eq "$(sql "select group_concat(distinct line) from run_errors where run_id = $RUN_ID")" "1" "lines"
	printf '[{"sku": "F1"}, {"sku": "F2", "name": tru}]' >"$T/feed.json"
	run_conn 1
	fs_fast runs show "$RUN_ID"
	expect_contains "$OUT" "the feed cannot be read past line 1: item 2: invalid JSON: expected a value, found 'tru'"
}

test_ndjson_by_extension_keeps_the_rows_around_a_broken_line() {
	conn_doc "\"url\": \"$LINES\"" '"mapping": {"fields": {"regular_price": {"column": "price.amount"}}}'
	run_conn 3
	expect_eq "$(counts)" "3/0/1" "created/skipped/failed"
	expect_eq "$(sql "select line || ' ' || code from run_errors where run_id = $RUN_ID")" "4 malformed_row" \
		"the broken line"
	expect_contains "$ERRORS" "column 59: invalid JSON: the line ends inside the object"
	expect_not_contains "$ERRORS" "item "
	expect_eq "$(field L1 regular_price)" "10" "L1 price"
	expect_eq "$(field L1 categories)" "Grădină > Unelte" "L1 categories"
	expect_eq "$(field L4 images)" "https://img.example.com/l4a.jpg|https://img.example.com/l4b.jpg" "L4 images"
	expect_eq "$(sql "select line from products where sku = 'L4'")" "5" "L4's line"
}

test_ndjson_sniffed_from_a_download_without_extension() {
	mkdir -p "$T/www"
	cp "$LINES" "$T/www/export"
	start_feedserver "$T/www" || return
	conn_doc "\"url\": \"$FEED_URL/files/export\""
	run_conn 3
	expect_eq "$(counts)" "3/0/1" "created/skipped/failed"
}

test_ndjson_format_reads_a_feed_whose_first_line_is_broken() {
	printf '{"sku": "B1", \n{"sku": "B2", "price": 2}\n{"sku": "B3", "price": 3}\n' >"$T/feed.txt"
	conn_doc "\"url\": \"$T/feed.txt\", \"format\": \"ndjson\""
	run_conn 3
	expect_eq "$(counts)" "2/0/1" "created/skipped/failed"
	expect_contains "$ERRORS" "column 14: invalid JSON: the line ends inside the object"
}

test_objects_one_after_another_get_ndjson_advice_not_item_path() {
	printf '{\n "sku": "O1"\n}\n{\n "sku": "O2"\n}\n' >"$T/feed.json"
	conn_doc "\"url\": \"$T/feed.json\""
	run_conn 1
	fs_fast runs show "$RUN_ID"
	expect_contains "$OUT" "another JSON object follows the first one; if the feed holds one object per line (NDJSON)"
	expect_not_contains "$OUT" "item_path"
}

test_source_format_is_checked() {
	printf '{"name": "bad", "source": {"type": "json", "url": "x.json", "format": "lines"}}' >"$T/bad.json"
	fs conn add --file "$T/bad.json"
	expect_rc 1 "conn add with format lines"
	expect_contains "$ERR" "source.format: must be \"ndjson\" (one JSON object per line), not 'lines'"
	printf '{"name": "bad", "source": {"type": "csv", "url": "x.csv", "format": "ndjson"}}' >"$T/bad.json"
	fs_fast conn add --file "$T/bad.json"
	expect_contains "$ERR" "source.format: only json sources have one"
	printf '{"name": "bad", "source": {"type": "json", "url": "x", "format": "ndjson", "item_path": "a"}}' >"$T/bad.json"
	fs_fast conn add --file "$T/bad.json"
	expect_contains "$ERR" "source.item_path: an ndjson feed has none"
}

run_tests "$@"
