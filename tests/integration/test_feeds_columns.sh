#!/bin/bash
# The columns of a feed against the columns a connection names (issue 11): repeated header names are read as
# NAME_2 with a warning, a byte-order mark decides the encoding, and a column that the mapping, a filter or a
# shop's update.fields needs but the feed lacks is a warning in the preview and in the run's log (a required
# one fails the run), each naming the column, the feed's columns and a close match.
. "$(dirname "$0")/../lib.sh"

# conn SOURCE_MEMBERS [DOC_MEMBERS]: a new connection reading $T/feed (sets $CONN_ID).
CONNS=0
conn() {
	CONNS=$((CONNS + 1))
	printf '{"name": "c%d", "source": {"url": "%s", %s}%s}\n' "$CONNS" "$T/feed" "$1" "${2:+, $2}" >"$T/c.json"
	fs_fast conn add --file "$T/c.json"
	expect_rc 0 "conn add"
	CONN_ID=$(sql "select id from connections where name = 'c$CONNS'")
}

# run_conn STATUS: one run (under valgrind) must end in STATUS; sets $SHOW (runs show) and $LOG (runs log).
run_conn() {
	fs run "$CONN_ID" --wait
	RUN_ID=$(sql "select max(id) from sync_runs where connection_id = $CONN_ID")
	expect_eq "$(sql "select status from sync_runs where id = $RUN_ID")" "$1" "status of run $RUN_ID"
	fs_fast runs show "$RUN_ID"
	SHOW=$OUT
	fs_fast runs log "$RUN_ID"
	LOG=$OUT
}

# preview_conn: `feedsync preview` of the connection (under valgrind); output in $PREVIEW.
# preview_conn [RC]: preview the connection; it exits RC (0, or 1 when a run would fail).
preview_conn() {
	fs preview "$CONN_ID"
	expect_rc "${1:-0}" "preview"
	PREVIEW=$OUT
}

# product SKU FIELD: a field of a product of the connection in the catalog.
product() { sql "select json_extract(data, '\$.$2') from products where connection_id = $CONN_ID and sku = '$1'"; }

test_a_repeated_header_name_is_read_as_name_2_in_mappings_filters_and_required() {
	printf 'sku,name,price,quantity,price\nA1,Apple,1.50,3,9.99\nB2,Pear,2.00,1,4\n' >"$T/feed"
	conn '"type": "csv", "required": ["price_2"]' \
		'"filters": {"rules": [{"field": "price_2", "op": "gt", "value": "5"}]},
		 "mapping": {"fields": {"sale_price": {"column": "price_2"}}}'
	local warning='columns: column 5 `price` repeats column 3; read it as `price_2`'
	preview_conn
	expect_contains "$PREVIEW" "warning: $warning"
	expect_contains "$PREVIEW" "columns: sku, name, price, quantity, price_2"
	expect_contains "$PREVIEW" "2 rows: 1 ok, 1 skipped by filters"
	run_conn completed
	expect_contains "$LOG" "$warning"
	expect_eq "$(product A1 sale_price) $(product A1 regular_price)" "9.99 1.50" "A1 sale and regular price"
	expect_eq "$(sql "select count(*) from products where connection_id = $CONN_ID")" "1" \
		"products (B2 filtered out on price_2)"

	# Through an alias: price_2 is the sale price the default mapping reads.
	conn '"type": "csv", "aliases": {"price_2": "sale_price"}'
	run_conn completed
	expect_contains "$LOG" "$warning"
	expect_eq "$(product B2 sale_price)" "4" "B2 sale price through the alias"
}

test_a_repeated_winmentor_header_warns_too() {
	printf 'Cod;Denumire;Pret;Cantitate;Pret\nW1;Ceai;12,50;3;10,00\n' >"$T/feed"
	conn '"type": "winmentor", "encoding": "utf-8"'
	run_conn completed
	expect_contains "$LOG" 'column 5 `Pret` repeats column 3; read it as `Pret_2`'
	expect_eq "$(product W1 regular_price)" "12.50" "the first Pret is the price"
}

test_a_bom_decides_the_encoding_of_a_winmentor_feed() {
	printf '\xEF\xBB\xBFCod;Denumire;Pret;Cantitate\nW1;Mască de protecție;12,50;3\n' >"$T/feed"
	conn '"type": "winmentor"'
	preview_conn
	expect_contains "$PREVIEW" "columns: Cod, Denumire, Pret, Cantitate"
	expect_not_contains "$PREVIEW" "byte-order mark"
	run_conn completed
	expect_eq "$(product W1 name)" "Mască de protecție" "name read as UTF-8, not windows-1250"
	expect_not_contains "$LOG" "byte-order mark"

	# UTF-16 with its BOM reads the same, whatever the type's default.
	"$PYTHON" -c 'import sys; open(sys.argv[1], "wb").write("\ufeffCod;Denumire;Pret;Cantitate\nW1;Cană;3,00;1\n".encode("utf-16-le"))' "$T/feed"
	run_conn completed
	expect_eq "$(product W1 name)" "Cană" "name of the UTF-16 feed"

	# A declared encoding the BOM contradicts is a warning; the BOM still wins.
	printf '\xEF\xBB\xBFCod;Denumire;Pret;Cantitate\nW1;Mască;12,50;3\n' >"$T/feed"
	conn '"type": "winmentor", "encoding": "iso-8859-2"'
	local warning='source.encoding: the file starts with a UTF-8 byte-order mark: read as UTF-8, not as iso-8859-2'
	preview_conn
	expect_contains "$PREVIEW" "warning: $warning"
	run_conn completed
	expect_contains "$LOG" "$warning"
	expect_eq "$(product W1 name)" "Mască" "name under a contradicting encoding"
}

test_a_bom_decides_the_encoding_of_xml_and_json_feeds_too() {
	# UTF-16 text whose declaration says so: read as the BOM says, the declaration then no longer applies.
	"$PYTHON" -c 'import sys; open(sys.argv[1], "wb").write("\ufeff<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<products><product><sku>X1</sku><name>Cană</name><price>2</price></product></products>\n".encode("utf-16-le"))' "$T/feed"
	conn '"type": "xml"'
	run_conn completed
	expect_eq "$(product X1 name)" "Cană" "name of the UTF-16 XML feed"
	# UTF-8 behind its BOM, declared (in the document and in the XML) as windows-1250.
	printf '\xEF\xBB\xBF<?xml version="1.0" encoding="windows-1250"?>\n<products><product><sku>X1</sku><name>Cană</name><price>2</price></product></products>\n' >"$T/feed"
	conn '"type": "xml", "encoding": "windows-1250"'
	run_conn completed
	expect_eq "$(product X1 name)" "Cană" "name of the UTF-8 XML feed declared windows-1250"
	expect_contains "$LOG" "source.encoding: the file starts with a UTF-8 byte-order mark: read as UTF-8, not as windows-1250"
	printf '\xEF\xBB\xBF[{"sku": "J1", "name": "Cană", "price": "2"}]' >"$T/feed"
	conn '"type": "json", "encoding": "windows-1250"'
	run_conn completed
	expect_eq "$(product J1 name)" "Cană" "name of the UTF-8 JSON feed declared windows-1250"
	expect_contains "$LOG" "source.encoding: the file starts with a UTF-8 byte-order mark"
}

test_mapping_and_filter_columns_the_feed_lacks_warn_in_preview_and_log() {
	printf 'sku,name,price,colour\nA1,Apple,1.50,red\n' >"$T/feed"
	conn '"type": "csv"' \
		'"filters": {"rules": [{"field": "colr", "op": "empty"}]},
		 "mapping": {"fields": {"brand": {"column": "colours"}}}'
	local mapped='mapping: brand reads column `colours` (did you mean `colour`?), which the feed lacks: products are imported without brand; the feed has: sku, name, price, colour'
	local filtered='filters: a rule reads column `colr` (did you mean `colour`?), which the feed lacks: it reads as empty for every row'
	preview_conn
	expect_contains "$PREVIEW" "warning: $mapped"
	expect_contains "$PREVIEW" "warning: $filtered"
	run_conn completed
	expect_contains "$LOG" "$mapped"
	expect_contains "$LOG" "$filtered"
	expect_contains "$LOG" "warn"

	# A JSON feed is checked against its first item.
	printf '[{"sku": "J1", "name": "n", "price": "2"}]' >"$T/feed"
	conn '"type": "json"' '"mapping": {"fields": {"brand": {"column": "maker"}}}'
	run_conn completed
	expect_contains "$LOG" 'mapping: brand reads column `maker`, which the first item lacks'
}

test_a_missing_required_column_fails_the_run_naming_it_and_a_close_match() {
	printf 'sku,name,prise\nA1,Apple,1.50\n' >"$T/feed"
	conn '"type": "csv", "required": ["price"]'
	preview_conn 1
	expect_contains "$PREVIEW" 'columns: missing required column: price (did you mean `prise`?); the feed has: sku, name, prise (a run would fail)'
	run_conn failed
	expect_contains "$SHOW" 'missing required column: price (did you mean `prise`?); the feed has: sku, name, prise'
	expect_eq "$(sql 'select count(*) from products')" "0" "products"
}

test_a_feed_without_price_warns_and_so_do_the_fields_a_shop_is_sent() {
	printf 'sku,name,stoc\nA1,Apple,3\n' >"$T/feed"
	conn '"type": "csv"'
	local price='mapping: regular_price reads column `price` by default, which the feed lacks: products are imported without regular_price'
	preview_conn
	expect_contains "$PREVIEW" "warning: $price"
	run_conn completed
	expect_contains "$LOG" "$price"

	# A shop's update.fields: each field it sends needs a column (checked by a preview of the document).
	printf 'sku,name\nA1,Apple\n' >"$T/feed"
	printf '{"name": "w", "source": {"type": "csv", "url": "%s"}, "update": {"fields": ["stock_quantity", "ean"]},
	  "destination": {"type": "woocommerce", "id": 1}}\n' "$T/feed" >"$T/w.json"
	fs preview --file "$T/w.json"
	expect_rc 0 "preview --file"
	expect_contains "$OUT" "warning: $price"
	expect_contains "$OUT" 'warning: mapping: stock_quantity reads column `quantity` by default, which the feed lacks'
	expect_contains "$OUT" 'warning: mapping: ean reads column `ean` by default, which the feed lacks'
	# Without a shop, fields other than the price are optional.
	fs_fast preview "$CONN_ID"
	expect_not_contains "$OUT" "stock_quantity reads"
}

run_tests "$@"
