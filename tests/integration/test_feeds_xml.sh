#!/bin/bash
# Google Merchant (RSS and Atom) feeds, XML entities and prices with a currency, through the real binary: a
# connection is added, run with `run --wait`, and the catalog and the run's log and errors are read back.
. "$(dirname "$0")/../lib.sh"

# feed_conn TYPE PATH [EXTRA_SOURCE_MEMBERS]: a connection named "feed" with no mapping (sets $CONN_ID).
feed_conn() {
	printf '{"name": "feed", "source": {"type": "%s", "url": "%s"%s}}\n' "$1" "$2" "${3:+, $3}" >"$T/conn.json"
	fs conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	CONN_ID=$(sql "select id from connections where name = 'feed'")
}

# run_feed EXIT_CODE: runs the connection (under valgrind), sets $RUN_ID.
run_feed() {
	fs run "$CONN_ID" --wait
	expect_rc "$1" "run $CONN_ID --wait"
	RUN_ID=$(sql "select max(id) from sync_runs where connection_id = $CONN_ID")
}

# field SKU FIELD: a field of a product in the catalog.
field() {
	sql "select json_extract(data, '\$.$2') from products where connection_id = $CONN_ID and sku = '$1'"
}

test_google_merchant_rss_imports_with_no_mapping() {
	cd "$ROOT" || return
	fs conn add --file data/connections/google-merchant-xml.json
	cd "$T" || return
	expect_rc 0 "conn add of the data/ example"
	CONN_ID=$(sql "select id from connections where name = 'Google Merchant feed (XML)'")
	run_feed 0
	expect_eq "$(sql "select count(*) from products where connection_id = $CONN_ID")" "3" "products"
	expect_eq "$(field GM-001 name)" "Acme mug 300 ml" "name from title, the brand entity expanded"
	expect_eq "$(field GM-001 regular_price)" "39.90" "regular_price from g:price '39.90 RON'"
	expect_eq "$(field GM-001 sale_price)" "34.90" "sale_price from g:sale_price"
	expect_eq "$(field GM-001 stock_status)" "instock" "in stock"
	expect_eq "$(field GM-002-M stock_status)" "outofstock" "out of stock"
	expect_eq "$(field GM-003 stock_status)" "onbackorder" "preorder"
	expect_eq "$(field GM-001 images)" \
		"https://shop.example.com/img/mug.jpg|https://shop.example.com/img/mug-side.jpg|https://shop.example.com/img/mug-top.jpg" \
		"image_link and both additional_image_link joined"
	expect_eq "$(field GM-001 categories)" "Casă > Bucătărie > Căni" "category path from g:product_type"
	expect_eq "$(field GM-001 ean)" "5901234123457" "ean from g:gtin"
	expect_eq "$(field GM-001 brand)" "Acme" "brand from g:brand"
	expect_eq "$(field GM-003 regular_price)" "1234.50" "'1.234,50 RON'"
	fs_fast runs log "$RUN_ID"
	expect_not_contains "$OUT" "source.currency" "no currency warning: every price is in RON"
	expect_not_contains "$OUT" "both read as \`image\`" "image columns are joined, not dropped: no warning"
	fs preview "$ROOT/data/feeds/google-merchant.xml"
	expect_rc 0 "preview of the bare feed"
	expect_contains "$OUT" "stock_status" "preview shows the stock status a Google feed carries"
	expect_contains "$OUT" "onbackorder"
	expect_not_contains "$OUT" "both read as"
}

test_atom_feed_with_a_mapping_by_prefixed_and_bare_names() {
	cat >"$T/feed.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
<title>Shop</title><author><name>Acme</name></author>
<entry><g:id>A1</g:id><title>Mug</title><g:price>€12.50</g:price><g:color>red</g:color><g:mpn>M-1</g:mpn>
<link href="https://shop.example.com/mug"/></entry>
<entry><g:id>A2</g:id><title>Cup</title><g:price>8 EUR</g:price><g:color>blue</g:color><g:mpn>M-2</g:mpn></entry>
</feed>
EOF
	printf '{"name": "feed", "source": {"type": "xml", "url": "%s"}, "mapping": {"fields": {"colour": {"column": "g:color"}, "mpn": {"column": "mpn"}, "external_url": {"column": "link_href"}}}}\n' \
		"$T/feed.xml" >"$T/conn.json"
	fs conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	CONN_ID=$(sql "select id from connections where name = 'feed'")
	run_feed 0
	expect_eq "$(sql "select group_concat(sku, ',') from (select sku from products order by sku)")" "A1,A2" "entries"
	expect_eq "$(field A1 regular_price)" "12.50" "€12.50"
	expect_eq "$(field A2 regular_price)" "8" "8 EUR"
	expect_eq "$(field A1 colour)" "red" "column g:color"
	expect_eq "$(field A2 mpn)" "M-2" "column mpn reads g:mpn"
	expect_eq "$(field A1 external_url)" "https://shop.example.com/mug" "an attribute of a child"
}

test_internal_entities_are_expanded() {
	printf '<?xml version="1.0"?>\n<!DOCTYPE products [<!ENTITY brand "Acme">]>\n<products>\n<product><sku>E1</sku><name>&brand; mug</name><price>3</price></product>\n</products>\n' >"$T/feed.xml"
	feed_conn xml "$T/feed.xml"
	run_feed 0
	expect_eq "$(field E1 name)" "Acme mug" "name"
}

test_billion_laughs_is_refused() {
	feed_conn xml "$FIXTURES/feeds/billion-laughs.xml"
	run_feed 1
	fs_fast runs show "$RUN_ID"
	expect_contains "$OUT" "entity expansion refused"
	expect_contains "$OUT" "billion laughs"
	expect_eq "$(sql "select count(*) from products")" "0" "products"
}

test_external_entities_stay_refused() {
	feed_conn xml "$FIXTURES/feeds/xxe.xml"
	run_feed 0
	expect_eq "$(sql "select count(*) from products")" "1" "products"
	expect_eq "$(sql "select count(*) from products where data like '%root:%'")" "0" "/etc/passwd leaked"
	expect_eq "$(field 1 name)" "" "the external entity reads as nothing"
}

test_csv_prices_with_currencies() {
	printf 'sku,price,sale_price\nC1,12.00 RON,\nC2,€12.50,\nC3,"1.234,50 lei",\nC4,$12,\nC5,12 EUR,10 EUR\nC6,15 RON,\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv" '"currency": "RON"'
	run_feed 0
	expect_eq "$(sql "select group_concat(sku || '=' || json_extract(data, '\$.regular_price'), ' ') from (select * from products order by sku)")" \
		"C1=12.00 C2=12.50 C3=1234.50 C4=12 C5=12 C6=15" "prices"
	expect_eq "$(field C5 sale_price)" "10" "sale price"
	fs_fast runs log "$RUN_ID"
	expect_contains "$OUT" "line 3 (SKU C2): prices in EUR, but source.currency is RON"
	expect_eq "$(printf '%s\n' "$OUT" | grep -c 'source.currency')" "1" "warned once a run"
}

test_decimal_separator_comma_reads_thousands() {
	printf 'sku;price\nD1;1.234,50\nD2;1.234\nD3;12,5 RON\nD4;1,234.50\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv" '"decimal_separator": ","'
	run_feed 3
	expect_eq "$(field D1 regular_price)" "1234.50" "1.234,50"
	expect_eq "$(field D2 regular_price)" "1234" "1.234 with ',' as the decimal separator"
	expect_eq "$(field D3 regular_price)" "12.5" "12,5 RON"
	fs_fast runs errors "$RUN_ID"
	expect_contains "$OUT" "price '1,234.50' in column price does not read with ',' as the decimal separator"
}

test_ambiguous_price_rejected_with_row_and_column() {
	printf 'sku,name,price\nA1,ok,12\nA2,both,$12 EUR\n' >"$T/feed.csv"
	feed_conn csv "$T/feed.csv"
	run_feed 3
	fs_fast runs errors "$RUN_ID"
	expect_contains "$OUT" "3  A2   price   bad_price  price '\$12 EUR' in column price has a currency on both sides"
	expect_eq "$(sql "select line || ' ' || sku || ' ' || column_name from run_errors where run_id = $RUN_ID")" \
		"3 A2 price" "the stored error"
}

test_bad_price_options_are_refused_when_saved() {
	printf '{"name": "feed", "source": {"type": "csv", "url": "%s", "decimal_separator": ";", "currency": "lei"}}\n' \
		"$T/feed.csv" >"$T/conn.json"
	fs conn add --file "$T/conn.json"
	expect_rc 1 "conn add"
	expect_contains "$ERR$OUT" "source.decimal_separator: must be \".\" or \",\""
	expect_contains "$ERR$OUT" "source.currency: must be an ISO 4217 code"
	expect_eq "$(sql "select count(*) from connections")" "0" "connections"
}

run_tests "$@"
