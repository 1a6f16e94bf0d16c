#!/bin/bash
# Price and stock rules through the real binary: refused when saved with the position of the mistake, applied by
# a run with exact prices in the catalog and the file export, shown rule by rule in preview, and a rule that
# fails on a row (division by zero) is that row's error naming the rule and the SKU.
. "$(dirname "$0")/../lib.sh"

write_feed() {
	cat >"$T/feed.csv" <<'CSV'
sku,name,price,sale_price,quantity,brand,cost,size
A1,Shirt,10.00,9.00,120,Acme,9,M
A2,Hat,20,25,2,,30,
A3,Sock,"10,91",,5,Foo,0,XL
CSV
}

# The rules of the issue: a markup ending in .99, a minimum margin, a sale price only when lower, a stock cap and
# threshold, a name template.
RULES='"rules": [
  {"set": "regular_price", "to": "price * 1.19 + 5", "round_to": 0.99},
  {"set": "regular_price", "to": "max(regular_price, cost * 1.15)"},
  {"set": "sale_price", "to": "sale_price", "when": "sale_price < regular_price", "else": "none"},
  {"set": "stock_quantity", "to": "min(stock_quantity, 50)"},
  {"set": "stock_quantity", "to": "0", "when": "stock_quantity < 3"},
  {"set": "name", "template": "{brand} {name} {size}"}]'

add_rules_conn() {
	write_feed
	cat >"$T/conn.json" <<DOC
{"name": "Rules", "source": {"type": "csv", "url": "$T/feed.csv", "required": ["cost", "size"]},
 ${1:-$RULES},
 "destination": {"type": "file", "path": "$T/out.csv"}}
DOC
	fs conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

test_saving_refuses_a_bad_rule_with_its_position() {
	write_feed
	cat >"$T/bad.json" <<DOC
{"name": "Bad", "source": {"type": "csv", "url": "$T/feed.csv"},
 "rules": [{"set": "regular_price", "to": "price * 1.2"},
           {"set": "stock_quantity", "to": "quantity"},
           {"set": "regular_price", "to": "price * maxx(cost, 1)"},
           {"set": "name", "template": "{brand} {colour}"}]}
DOC
	fs conn add --file "$T/bad.json"
	expect_rc 1 "conn add with a bad rule"
	expect_contains "$ERR" "nothing was saved"
	expect_contains "$ERR" 'rules[2].to: position 9: unknown function `maxx`'
	expect_contains "$ERR" 'rules[3].template: position 9: unknown field `colour`'
	expect_not_contains "$ERR" "rules[0]"
	expect_not_contains "$ERR" "rules[1]"
	[ ! -e "$FEEDSYNC_DB" ] || expect_eq "$(sql "select count(*) from connections")" "0" "connections stored"
}

test_a_run_applies_the_rules_with_exact_prices() {
	add_rules_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(sql "select sku || ' ' || price || ' ' || quantity || ' ' || name from products order by sku")" \
		"A1 16.99 50 Acme Shirt M
A2 34.50 0 Hat
A3 17.99 5 Foo Sock XL" "catalog"
	# 10.91 * 1.19 + 5 = 17.9829: ends in .99 at 17.99, never 17.989999
	expect_eq "$(sql "select json_extract(data, '$.sale_price') from products where sku = 'A1'")" "9.00" "A1 sale price"
	expect_eq "$(cat "$T/out.csv")" "brand,name,regular_price,sale_price,sku,stock_quantity
Acme,Acme Shirt M,16.99,9.00,A1,50
,Hat,34.50,25.00,A2,0
Foo,Foo Sock XL,17.99,,A3,5" "file export"
}

test_a_sale_price_not_lower_is_cleared() {
	add_rules_conn
	sed -i 's/^A1,Shirt,10.00,9.00/A1,Shirt,10.00,18.00/' "$T/feed.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(sql "select json_extract(data, '$.sale_price') from products where sku = 'A1'")" "" "A1 sale price"
}

test_preview_shows_each_rule_before_and_after() {
	add_rules_conn
	fs preview "$CONN_ID"
	expect_rc 0 "preview"
	expect_contains "$OUT" "rules on line 2:
  rules[0] regular_price: 10.00 -> 16.99
  rules[1] regular_price: 16.99 -> 16.99
  rules[2] sale_price: 9.00 -> 9.00
  rules[3] stock_quantity: 120 -> 50
  rules[4] stock_quantity: 50 (when is false: left as it is)
  rules[5] name: Shirt -> Acme Shirt M"
	expect_contains "$OUT" "  rules[1] regular_price: 28.99 -> 34.50"
	fs preview "$CONN_ID" --json
	expect_rc 0 "preview --json"
	expect_eq "$(json_get "$OUT" rows.2.rules.0.before) $(json_get "$OUT" rows.2.rules.0.after)" "10.91 17.99" \
		"line 4's first rule"
	expect_eq "$(json_get "$OUT" rows.0.rules.4.applied)" "False" "a when that is false"
}

test_division_by_zero_is_a_row_error_naming_the_rule_and_sku() {
	add_rules_conn '"rules": [{"set": "stock_quantity", "to": "quantity"},
	                          {"set": "regular_price", "to": "price / cost"}]'
	fs run "$CONN_ID" --wait
	expect_rc 3 "run with a failing row"
	expect_eq "$(sql "select count(*) from products")" "2" "products imported"
	fs runs errors 1 --json
	expect_rc 0 "runs errors"
	expect_eq "$(json_get "$OUT" 0.sku) $(json_get "$OUT" 0.code) $(json_get "$OUT" 0.column)" \
		"A3 rule_failed regular_price" "the error"
	expect_eq "$(json_get "$OUT" 0.message)" \
		"rules[1].to: position 7: division by zero (setting regular_price of SKU A3)" "the message"
	fs preview "$CONN_ID"
	expect_contains "$OUT" "line 4 failed (rule_failed, column regular_price, SKU A3): rules[1].to: position 7: division by zero"
}

test_export_keeps_the_rules() {
	add_rules_conn
	fs conn export "$CONN_ID"
	expect_rc 0 "export"
	expect_contains "$OUT" '"round_to":	0.99'
	expect_contains "$OUT" '"template":	"{brand} {name} {size}"'
}

run_tests "$@"
