#!/bin/bash
# Product categories and tags against tests/fakewoo: category paths become the shop's category ids (made once,
# with their parents), tags by name, nothing sent that would clear the shop's categories, refusals per item.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# terms_feed ROWS...: $T/feed.csv with columns sku,name,price,category,tags; each ROW is "sku;category;tags".
terms_feed() {
	printf 'sku,name,price,category,tags\n' >"$T/feed.csv"
	local row sku category tags
	for row in "$@"; do
		IFS=';' read -r sku category tags <<<"$row"
		printf '%s,Product %s,%s,"%s","%s"\n' "$sku" "$sku" "${PRICE:-10.00}" "$category" "$tags" >>"$T/feed.csv"
	done
}

# The JSON bodies of the requests the shop received (fakewoo --record), one a line, for a method and path.
bodies() {
	"$PYTHON" -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["method"] == sys.argv[2] and r["target"].split("?")[0].endswith(sys.argv[3]):
        print(r["body"])' "$T/requests.jsonl" "$1" "$2"
}

category_id() { woo state "next(t['id'] for t in s['categories'] if t['name'] == '$1' and t['parent'] == ${2:-0})"; }
categories_of() { woo state "by_sku('$1')['categories']"; }

# hand_set SKU: the shop has product SKU in a category Handpicked, set by hand; sets $HAND to its id.
hand_set() {
	woo categories '[{"name": "Handpicked"}]'
	HAND=$(category_id Handpicked)
	woo products "[{\"sku\": \"$1\", \"name\": \"$1\", \"regular_price\": \"1.00\", \"categories\": [{\"id\": $HAND}]}]"
}

test_category_paths_create_the_hierarchy_once_and_send_ids() {
	start_fakewoo --record "$T/requests.jsonl" || return
	add_shop
	woo categories '[{"name": "office"}, {"name": "Pens & Pencils"}]'
	terms_feed 'A1;Office > Pens' 'A2;Office >Pens' 'A3;Office > Paper' 'A4;Pens & Pencils' 'A5;Office > Pens|Phones' \
		'A6;15'
	add_woo_conn '"mapping": {"categories": {"field": "category", "delimiter": " > ", "separator": "|"}}'
	run_fs fs run "$CONN_ID" --plan --wait
	expect_rc 0 "a plan"
	expect_eq "$(bodies POST /products/categories | wc -l)" "0" "categories created by a plan"
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "the push"
	local office pens
	office=$(category_id office)
	pens=$(category_id Pens "$office")
	expect_eq "$(woo state 'len(s["categories"])')" "6" "categories: Uncategorized, the 2 there and 3 made"
	expect_eq "$(bodies POST /products/categories | wc -l)" "3" "one request per category made"
	expect_eq "$(categories_of A1)" "[$pens]" "a path is one category, its leaf"
	expect_eq "$(categories_of A2)" "[$pens]" "the same path"
	expect_eq "$(categories_of A3)" "[$(category_id Paper "$office")]" "a sibling under the existing parent"
	expect_eq "$(categories_of A4)" "[$(category_id 'Pens &amp; Pencils')]" "a name the shop holds as an entity"
	expect_eq "$(categories_of A5)" "[$pens, $(category_id Phones)]" "two paths split on the separator"
	expect_eq "$(categories_of A6)" "[15]" "a number is an id"
	expect_contains "$(bodies POST /products/batch)" '"categories":[{"id":'"$pens"'}]' "categories sent by id"
}

test_a_second_run_creates_no_category_and_sends_no_change() {
	start_fakewoo --record "$T/requests.jsonl" || return
	add_shop
	terms_feed 'B1;Garden > Tools' 'B2;Garden'
	add_woo_conn '"mapping": {"categories": {"field": "category", "delimiter": " > "}}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first push"
	local before
	before=$(woo state 'len(s["requests"])')
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "second push"
	expect_eq "$(woo state 'len(s["requests"])')" "$before" "requests of the second run"
	expect_eq "$(bodies POST /products/categories | wc -l)" "2" "categories made, all in the first run"
	# Another feedsync (or a person) made the shop's categories meanwhile: one path unknown here is read again.
	woo categories '[{"name": "Kitchen"}]'
	terms_feed 'B1;Garden > Tools' 'B2;Garden' 'B3;kitchen'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "third push"
	expect_eq "$(bodies POST /products/categories | wc -l)" "2" "the shop's Kitchen is used, not made again"
	expect_eq "$(categories_of B3)" "[$(category_id Kitchen)]" "found after reading the shop's categories again"
}

test_an_update_not_naming_categories_keeps_the_shops() {
	start_fakewoo --record "$T/requests.jsonl" || return
	add_shop
	hand_set C1
	terms_feed 'C1;Office > Pens'
	# Without creates a product's categories are never sent, so none are made for it either.
	add_woo_conn '"update": {"fields": ["regular_price"], "create_missing": false}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push"
	expect_eq "$(woo state 'by_sku("C1")["regular_price"]')" "10.00" "price updated"
	expect_eq "$(categories_of C1)" "[$HAND]" "the category set in the shop"
	expect_not_contains "$(bodies POST /products/batch)" '"categories"' "the batch"
	expect_eq "$(bodies POST /products/categories | wc -l)" "0" "categories made for a field not sent"
}

test_an_empty_category_never_sends_an_empty_list() {
	start_fakewoo --record "$T/requests.jsonl" || return
	add_shop
	hand_set D1
	terms_feed 'D1;Old > Stuff' 'D2;Old>Stuff'
	add_woo_conn '"mapping": {"categories": {"field": "category", "map": {"Old > Stuff": ""}}}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push"
	expect_eq "$(categories_of D1)" "[$HAND]" "the shop's category of an update"
	expect_eq "$(woo state 'len(skus)')" "2" "products"
	expect_not_contains "$(bodies POST /products/batch)" '"categories"' "the batch"
}

test_tags_by_name() {
	start_fakewoo --record "$T/requests.jsonl" || return
	add_shop
	woo tags '[{"name": "red"}]'
	terms_feed 'E1;;Red, Cotton & Linen' 'E2;;Cotton &amp; Linen'
	add_woo_conn '"mapping": {"fields": {"tags": {"column": "tags", "separator": ","}}}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push"
	local red linen
	red=$(woo state "next(t['id'] for t in s['tags'] if t['name'] == 'red')")
	linen=$(woo state "next(t['id'] for t in s['tags'] if t['name'] == 'Cotton &amp; Linen')")
	expect_eq "$(woo state 'len(s["tags"])')" "2" "tags: the one there and one made"
	expect_eq "$(woo state 'by_sku("E1")["tags"]')" "[$red, $linen]" "tags by name"
	expect_eq "$(woo state 'by_sku("E2")["tags"]')" "[$linen]" "a name written as the shop stores it"
	expect_not_contains "$(bodies POST /products/batch)" '"meta_data"' "tags as meta data"
}

test_a_refused_category_fails_its_item_alone() {
	start_fakewoo || return
	add_shop
	woo term_errors '{"Forbidden": {"code": "woocommerce_rest_cannot_create", "message": "Sorry, you are not allowed to create resources."}}'
	terms_feed 'F1;Office > Forbidden' 'F2;Office' 'F3;Office > Forbidden > Deeper'
	add_woo_conn '"mapping": {"categories": {"field": "category"}}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 3 "completed with errors"
	expect_eq "$(woo state 'skus')" '["F2"]' "products pushed"
	expect_eq "$(categories_of F2)" "[$(category_id Office)]" "the other item's category"
	expect_eq "$(sql "select push_failed from sync_runs where id=1")" "2" "failed items"
	run_fs fs_fast runs errors 1 --json
	expect_contains "$OUT" "Office > Forbidden"
	expect_contains "$OUT" "Sorry, you are not allowed to create resources."
	expect_contains "$OUT" "woocommerce_rest_cannot_create"
	expect_no_secret
}

# A category the run must make is the first request: refused credentials there stop the push, as they would on
# the products' batch, instead of failing every product one by one.
test_refused_credentials_on_a_category_fail_the_run() {
	start_fakewoo --record "$T/requests.jsonl" || return
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret cs_not_the_secret_0000000000000 --json
	DEST_ID=$(json_get "$OUT" id)
	terms_feed 'C1;Office > Pens' 'C2;Office > Paper' 'C3;Garden'
	add_woo_conn '"mapping": {"categories": {"field": "category"}}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a run whose category is refused for its credentials"
	expect_eq "$(sql "select status || ' ' || push_failed from sync_runs where id=1")" "failed 0" "status, failed items"
	expect_contains "$OUT$ERR" "refused the credentials of destination 'shop'"
	expect_eq "$(bodies POST /products/categories | wc -l)" "1" "category requests sent"
	expect_eq "$(bodies POST /products/batch | wc -l)" "0" "batches sent"
	run_fs fs_fast runs errors 1 --json
	expect_contains "$OUT" "HTTP 401"
	expect_no_secret
}

run_tests "$@"
