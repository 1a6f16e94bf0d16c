#!/bin/bash
# WooCommerce variable products from grouped rows (issue 13): rows sharing a parent_sku become a variable product
# with attributes and one variation per row; a re-run sends nothing, a price change updates only its variation, a
# variant gone from the feed is retired and a parent left without variants too; a kill -9 and a retry make no
# duplicate; plan mode lists the variants.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# grouped_feed [SKIP_SKU...] [SKU=PRICE...] [XL] [PARENT]: two groups (TEE in three sizes, CAP in two colours) and
# a simple product, in $T/feed.csv; XL adds a fourth size, PARENT a row of TEE's own.
grouped_feed() {
	"$PYTHON" - "$T/feed.csv" "$@" <<'PY'
import sys
path, args = sys.argv[1], sys.argv[2:]
price = dict(a.split("=", 1) for a in args if "=" in a)
skip = {a for a in args if "=" not in a and a not in ("XL", "PARENT")}
rows = [("TEE-S", "Tee S", "10.00", "3", "TEE", "S", ""), ("TEE-M", "Tee M", "11.00", "4", "TEE", "M", ""),
        ("TEE-L", "Tee L", "12.00", "5", "TEE", "L", ""), ("CAP-R", "Cap Red", "7.00", "2", "CAP", "", "Red"),
        ("CAP-B", "Cap Blue", "7.00", "6", "CAP", "", "Blue"), ("MUG", "Mug", "5.00", "9", "", "", "")]
if "PARENT" in args:
    rows.append(("TEE", "Tee shirt", "", "", "", "", ""))
if "XL" in args:
    rows.append(("TEE-XL", "Tee XL", "14.00", "1", "TEE", "XL", ""))
with open(path, "w") as f:
    f.write("sku,name,price,quantity,group,size,colour\n")
    for sku, name, p, qty, group, size, colour in rows:
        if sku not in skip:
            f.write(",".join((sku, name, price.get(sku, p), qty, group, size, colour)) + "\n")
PY
}

# The same grouping twice: the "group" shorthand, and the mapping fields it stands for.
GROUPING='"group": {"by": "group", "options": ["size", {"name": "colour", "column": "colour"}]},
	"update": {"missing_action": "draft"}'
MAPPED='"mapping": {"fields": {"parent_sku": {"column": "group"}, "option:size": {"column": "size"},
	"option:colour": {"column": "colour"}}}, "update": {"missing_action": "draft"}'

grouped_shop() {
	start_fakewoo "$@" || return
	add_shop
	grouped_feed
	add_woo_conn "$GROUPING"
}

# bad_group MEMBERS EXPECTED: conn add of a grouped connection refuses, naming the problem.
bad_group() {
	printf '{"name": "bad", "source": {"type": "csv", "url": "%s"}, %s}\n' "$T/feed.csv" "$1" >"$T/bad.json"
	fs_fast conn add --file "$T/bad.json"
	[ "$RC" -ne 0 ] || fail "conn add accepted $1"
	expect_contains "$ERR" "$2" "conn add of $1"
}

test_the_group_shorthand_is_checked_on_save_and_in_preview() {
	grouped_feed
	bad_group '"group": {"by": "group", "options": []}' "group.options: lists no option"
	bad_group '"group": {"by": "group"}' "group.options: required"
	bad_group '"group": {"options": ["size"]}' "group.by: required"
	bad_group '"group": {"by": "group", "options": [""]}' "group.options[0]: an option needs a column name"
	bad_group '"group": {"by": "group", "options": [{"name": "Size"}]}' "group.options[0].column: required"
	bad_group '"group": {"by": "group", "options": ["size"], "option": 1}' "group: unknown key 'option'"
	bad_group '"group": {"by": "group", "options": ["size"]}, "mapping": {"fields": {"parent_sku": {"column": "x"}}}' \
		"group.by: mapping.fields.parent_sku maps it too"
	printf '{"name": "p", "source": {"type": "csv", "url": "%s"}, "group": {"by": "grp", "options": ["size"]}}\n' \
		"$T/feed.csv" >"$T/p.json"
	fs_fast preview --file "$T/p.json"
	expect_contains "$OUT" "parent_sku reads column \`grp\`, which the feed lacks" "preview of an unknown group column"
	grouped_feed CAP-R CAP-B
	printf '{"name": "q", "source": {"type": "csv", "url": "%s"}, "group": {"by": "group", "options": ["colour"]}}\n' \
		"$T/feed.csv" >"$T/q.json"
	fs preview --file "$T/q.json"
	expect_contains "$OUT" "option 'colour' (column colour) has no value in any of the 3 grouped rows read"
}

# push_ok [RUNNER]: runs the connection with fs, or with RUNNER: fs_fast for the pushes whose path
# test_a_grouped_feed_becomes_variable_products_with_variations runs under valgrind (a first push, a re-run with
# nothing changed).
push_ok() {
	run_fs "${1:-fs}" run "$CONN_ID" --wait
	expect_rc 0 "run ($OUT $ERR)"
}

product() { woo state "by_sku('$1')$2"; }
parent_of() { product "$1" '["parent_id"]'; }

test_a_grouped_feed_becomes_variable_products_with_variations() {
	grouped_shop || return
	push_ok
	expect_eq "$(woo state 'sorted(skus)')" '["CAP", "CAP-B", "CAP-R", "MUG", "TEE", "TEE-L", "TEE-M", "TEE-S"]' "SKUs"
	expect_eq "$(product TEE '["type"]')" variable "TEE's type"
	expect_eq "$(product TEE '["name"]')" Tee "TEE's name, the words its variants share"
	expect_eq "$(product TEE '["attributes"]')" \
		'[{"id": 0, "name": "size", "position": 0, "visible": true, "variation": true, "options": ["L", "M", "S"]}]' "TEE's attributes"
	local tee
	tee=$(product TEE '["id"]')
	for v in TEE-S TEE-M TEE-L; do
		expect_eq "$(parent_of $v)" "$tee" "$v's parent"
		expect_eq "$(product $v '["type"]')" variation "$v's type"
	done
	expect_eq "$(product TEE-M '["attributes"]')" '[{"id": 0, "name": "size", "option": "M"}]' "TEE-M's attributes"
	expect_eq "$(product TEE-M '["regular_price"]')" 11.00 "TEE-M's price"
	expect_eq "$(product TEE-M '["meta_data"]')" '[]' "no grouping fields as meta data"
	expect_eq "$(product CAP-R '["attributes"]')" '[{"id": 0, "name": "colour", "option": "Red"}]' "CAP-R's attributes"
	expect_eq "$(product MUG '["type"]')" simple "MUG stays simple"
	expect_eq "$(woo state 'len([b for b in batches if "/variations/" in b["path"]])')" 2 "one variations batch a group"
	expect_unique_skus

	woo reset_log
	push_ok
	expect_eq "$(woo state 'len(s["requests"])')" 0 "requests of an unchanged re-run"

	grouped_feed TEE-M=13.50
	woo reset_log
	push_ok
	expect_eq "$(woo state '[(b["path"], b["items"]) for b in batches]')" \
		"[[\"/wp-json/wc/v3/products/$tee/variations/batch\", 1]]" "the only batch: one item"
	expect_eq "$(product TEE-M '["regular_price"]')" 13.50 "TEE-M's new price"
	expect_eq "$(product TEE-S '["regular_price"]')" 10.00 "TEE-S untouched"

	# A new size: the parent declares it before the variation uses it (else the shop drops its attribute).
	grouped_feed XL TEE-M=13.50
	woo reset_log
	push_ok
	expect_eq "$(woo state '[(b["path"], b["creates"], b["updates"]) for b in batches]')" \
		"[[\"/wp-json/wc/v3/products/batch\", 0, 1], [\"/wp-json/wc/v3/products/$tee/variations/batch\", 1, 0]]" \
		"the parent's update, then the new variation"
	expect_eq "$(product TEE '["attributes"][0]["options"]')" '["L", "M", "S", "XL"]' "TEE's sizes"
	expect_eq "$(product TEE-XL '["attributes"]')" '[{"id": 0, "name": "size", "option": "XL"}]' "TEE-XL's attributes"
	expect_unique_skus
}

test_a_vanished_variant_is_retired_and_an_emptied_parent_too() {
	grouped_shop || return
	push_ok fs_fast
	grouped_feed TEE-L
	push_ok
	expect_eq "$(product TEE-L '["status"]')" draft "TEE-L retired"
	expect_eq "$(product TEE '["status"]')" publish "TEE keeps its other variants"
	grouped_feed CAP-R CAP-B
	push_ok
	expect_eq "$(product CAP-R '["status"]')" draft "CAP-R retired"
	expect_eq "$(product CAP '["status"]')" draft "CAP, left without variants, retired"
	woo reset_log
	push_ok
	expect_eq "$(woo state 'len(batches)')" 0 "batches once all is retired"
	grouped_feed TEE-L
	push_ok
	expect_eq "$(product CAP-R '["status"]')" publish "CAP-R back"
	expect_eq "$(product CAP '["status"]')" publish "CAP back with its variants"
	expect_unique_skus
}

test_a_row_of_the_parents_own_gives_the_parent_its_fields() {
	start_fakewoo || return
	add_shop
	grouped_feed PARENT
	add_woo_conn "$GROUPING"
	push_ok
	expect_eq "$(product TEE '["name"]')" "Tee shirt" "TEE's name, from its own row"
	expect_eq "$(product TEE '["type"]')" variable "TEE's type"
	expect_eq "$(woo state 'len(skus)')" 8 "products in the shop"
	expect_unique_skus
	run_fs fs_fast products "$CONN_ID" --json
	expect_eq "$(json_get "$OUT" products.3.sku)/$(json_get "$OUT" products.3.state)" "TEE/in_sync" "the parent's row"
	woo reset_log
	push_ok fs_fast
	expect_eq "$(woo state 'len(s["requests"])')" 0 "requests of an unchanged re-run"
}

# WooCommerce keeps a variation's parent for good: a variant moved to another group is deleted from the old parent
# and created in the new one, whose attributes then offer its option; the old parent no longer does.
test_a_variant_moved_to_another_group_is_recreated_under_its_new_parent() {
	grouped_shop || return
	push_ok fs_fast
	local old_id
	old_id=$(product CAP-B '["id"]')
	sed -i 's/^CAP-B,Cap Blue,7.00,6,CAP,,Blue$/CAP-B,Tee Blue,7.00,6,TEE,B,/' "$T/feed.csv"
	push_ok
	expect_eq "$(parent_of CAP-B)" "$(product TEE '["id"]')" "CAP-B's parent"
	[ "$(product CAP-B '["id"]')" != "$old_id" ] || fail "CAP-B kept its variation id: it was not made anew"
	expect_eq "$(product CAP-B '["attributes"]')" '[{"id": 0, "name": "size", "option": "B"}]' "CAP-B's attributes"
	expect_eq "$(product TEE '["attributes"][0]["options"]')" '["B", "L", "M", "S"]' "TEE's sizes"
	expect_eq "$(product CAP '["attributes"][0]["options"]')" '["Red"]' "CAP's colours"
	expect_unique_skus
	expect_contains "$(fs_fast runs log 2; echo "$OUT")" "'CAP-B' moved to the group of 'TEE'" "the log"
	woo reset_log
	push_ok fs_fast
	expect_eq "$(woo state 'len(s["requests"])')" 0 "requests of an unchanged re-run"
}

test_with_missing_action_delete_an_emptied_parent_is_deleted() {
	start_fakewoo || return
	add_shop
	grouped_feed
	add_woo_conn "${MAPPED/draft/delete}"
	push_ok
	grouped_feed CAP-R
	push_ok
	expect_eq "$(woo state '["CAP-R" in skus, "CAP" in skus]')" '[false, true]' "CAP-R deleted, CAP kept"
	grouped_feed CAP-R CAP-B
	push_ok
	expect_eq "$(woo state '["CAP-B" in skus, "CAP" in skus, "TEE" in skus]')" '[false, false, true]' \
		"CAP-B and CAP deleted, TEE kept"
	woo reset_log
	push_ok
	expect_eq "$(woo state 'len(batches)')" 0 "batches once all is deleted"
}

test_plan_mode_lists_the_variants_and_their_parents() {
	grouped_shop || return
	run_fs fs run "$CONN_ID" --plan --wait
	expect_rc 0 "plan run"
	run_fs fs_fast plan show 1
	expect_contains "$OUT" "TEE-S"
	expect_contains "$OUT" "TEE-M (variant of TEE)  Tee M"
	expect_contains "$OUT" "parents (2, variable products made from their variants):"
	expect_contains "$OUT" "  TEE  3 variants in this plan"
	expect_contains "$OUT" "  CAP  2 variants in this plan"
	run_fs fs_fast plan show 1 --json
	expect_eq "$(json_get "$OUT" create.0.parent_sku)" CAP "the first variant's parent"
	expect_eq "$(woo state 'len(skus)')" 0 "products in the shop after planning"
}

shop_idle() { [ "$(woo state 's["in_flight"]')" = 0 ]; }
run_is_lost() { fs_fast runs show 1 --json; [ "$(sql "select status from sync_runs where id=1")" = failed ]; }

test_kill_mid_push_then_retry_makes_no_duplicate() {
	lose_workers_fast
	start_fakewoo --create-ms 300 || return
	add_shop --concurrency 2 --batch-size 2 --timeout 10 --overrun 1
	grouped_feed
	add_woo_conn "$MAPPED"
	kill_run_when shop_has_at_least 4 || return   # the simple product, both parents, a variation
	wait_until 30 run_is_lost || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT $ERR)"
	wait_until 30 shop_idle || return
	expect_eq "$(woo state 'len(skus)')" 8 "products in the shop"
	expect_unique_skus
	expect_eq "$(parent_of TEE-S)" "$(product TEE '["id"]')" "TEE-S's parent"
}
run_tests "$@"
