#!/bin/bash
# Plan mode: `run --plan` lists creates, updates (old -> new) and retirements and changes nothing in the shop;
# `plan apply` pushes exactly the plan, once, and is refused once the catalog changed; plans of file and
# catalog-only connections; what `plan show` says about runs that are no plans. Applying a part of a plan
# (--only, --except, --only-file): what is left out stays pending for the next plan; who applied it.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# A shop with SKU-00000..SKU-00004 pushed by run 1 (draft when gone), then update settings
# UPDATE_MEMBERS for the plans; then a feed where prices rose by 1.00, SKU-00004 is gone and NEW-1 appeared.
shop_then_changed_feed() {
	start_fakewoo || return 1
	add_shop
	make_feed 5
	add_woo_conn '"update": {"missing_action": "draft"}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first push"
	if [ -n "${1:-}" ]; then
		sed -i "s/\"missing_action\": \"draft\"/\"missing_action\": \"draft\", $1/" "$T/conn.json"
		run_fs fs_fast conn edit "$CONN_ID" --file "$T/conn.json"
		expect_rc 0 "conn edit"
	fi
	make_feed 4 100
	echo 'NEW-1,Brand new,7.00,2' >>"$T/feed.csv"
}

test_plan_lists_everything_and_changes_nothing_in_the_shop() {
	shop_then_changed_feed || return
	woo reset_log
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "run --plan"
	expect_contains "$OUT" "run 2 completed: plan: 1 to create, 4 to update, 1 to retire"
	expect_contains "$OUT" "feedsync plan show 2"
	expect_eq "$(woo state 'len(s["requests"])')" "0" "requests to the shop while planning"
	expect_eq "$(woo state 'by_sku("SKU-00001")["regular_price"]')" "10.01" "price in the shop"
	expect_eq "$(sql "select plan_only, status from sync_runs where id = 2")" "1|completed" "the plan run"
	run_fs fs plan show 2
	expect_rc 0 "plan show"
	expect_contains "$OUT" "1 to create, 4 to update, 1 to retire"
	expect_contains "$OUT" "NEW-1  Brand new"
	expect_contains "$OUT" "SKU-00001  regular_price  10.01 -> 11.01"
	expect_contains "$OUT" "SKU-00004  Product 4  draft: missing since"
	expect_contains "$OUT" "not applied yet: feedsync plan apply 2"
	expect_not_contains "$OUT" "SKU-00001  name"
	run_fs fs_fast plan show 2 --json
	expect_eq "$(json_get "$OUT" counts.update)" "4" "updates in JSON"
	expect_eq "$(json_get "$OUT" update.1.changes.0.old)" "10.01" "old value"
	expect_eq "$(json_get "$OUT" update.1.changes.0.new)" "11.01" "new value"
	expect_eq "$(json_get "$OUT" retire.0.action)" "draft" "retire action"
	expect_eq "$(json_get "$OUT" current)" "True" "the plan is current"
	# Applying pushes exactly the plan.
	run_fs fs plan apply 2 --wait
	expect_rc 0 "plan apply"
	expect_contains "$OUT" "applied the plan of run 2; 5 pushed; 1 retired"
	expect_eq "$(woo state 'by_sku("SKU-00001")["regular_price"]')" "11.01" "updated price"
	expect_eq "$(woo state 'by_sku("NEW-1")["name"]')" "Brand new" "created"
	expect_eq "$(woo state 'by_sku("SKU-00004")["status"]')" "draft" "retired"
	expect_eq "$(woo state 'len(skus)')" "6" "products in the shop"
	run_fs fs_fast runs show 3 --json
	expect_eq "$(json_get "$OUT" trigger)" "plan" "trigger of the apply run"
	expect_eq "$(json_get "$OUT" plan_run)" "2" "the plan it applied"
	expect_eq "$(json_get "$OUT" counters.retired)" "1" "retired counter"
	# Once.
	run_fs fs_fast plan apply 2 --wait
	expect_rc 5 "a second apply"
	expect_contains "$ERR" "already applied by run 3"
	run_fs fs_fast plan show 2
	expect_contains "$OUT" "applied by run 3 (completed)"
	# Nothing is left to do.
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 0 to update, 0 to retire"
	expect_unique_skus
	expect_no_secret
}

test_apply_is_refused_once_another_import_changed_the_catalog() {
	shop_then_changed_feed || return
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "run --plan"
	make_feed 4 200
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "a second plan"
	woo reset_log
	run_fs fs plan apply 2 --wait
	expect_rc 7 "apply of an outdated plan"
	expect_contains "$ERR" "changed since the plan of run 2 was made"
	expect_contains "$ERR" "feedsync run $CONN_ID --plan"
	expect_eq "$(sql "select count(*) from sync_runs where plan_run is not null")" "0" "no apply run queued"
	expect_eq "$(woo state 'len(s["requests"])')" "0" "requests to the shop"
	run_fs fs_fast plan show 2
	expect_contains "$OUT" "outdated: the catalog changed since"
	# The latest plan still applies.
	run_fs fs_fast plan apply 3 --wait
	expect_rc 0 "apply of the latest plan"
	expect_eq "$(woo state 'by_sku("SKU-00001")["regular_price"]')" "12.01" "price of the latest feed"
}

test_update_fields_create_missing_and_unknown_old_values() {
	shop_then_changed_feed '"fields": ["regular_price"], "create_missing": false' || return
	sed -i 's/Product 2,/Renamed 2,/' "$T/feed.csv"
	# As if run 1 had pushed before feedsync kept what it pushed.
	sqlite3 "$FEEDSYNC_DB" "update products set pushed_data = null where sku = 'SKU-00003'"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "run --plan"
	expect_contains "$OUT" "plan: 0 to create, 4 to update, 1 to retire"
	run_fs fs_fast plan show 2
	expect_not_contains "$OUT" "NEW-1"
	expect_not_contains "$OUT" "Renamed"
	expect_contains "$OUT" "SKU-00003  regular_price  (old value unknown) -> 11.03"
	run_fs fs_fast runs log 2
	expect_contains "$OUT" "1 products new to the shop are left out: update.create_missing is false"
}

test_plans_of_file_and_catalog_only_connections() {
	printf 'sku,name,price,quantity\nA1,Alpha,10.00,5\nA2,Beta,20.00,3\n' >"$T/feed.csv"
	csv_conn "Export" "\"destination\": {\"type\": \"file\", \"path\": \"$T/out.csv\"}"
	local export=$CONN_ID
	run_fs fs_fast run "$export" --wait
	expect_rc 0 "first export"
	cp "$T/out.csv" "$T/first.csv"
	printf 'sku,name,price,quantity\nA1,Alpha,12.50,5\nA2,Beta,20.00,3\nA3,Gamma,1.00,1\n' >"$T/feed.csv"
	run_fs fs_fast run "$export" --plan --wait
	expect_contains "$OUT" "plan: 1 to create, 1 to update, 0 to retire"
	cmp -s "$T/out.csv" "$T/first.csv" || fail "a plan rewrote the export"
	run_fs fs_fast plan show 2
	expect_contains "$OUT" "against file $T/out.csv"
	expect_contains "$OUT" "A1  regular_price  10.00 -> 12.50"
	run_fs fs_fast plan apply 2 --only A1
	expect_rc 5 "a part of a plan for a file"
	expect_contains "$ERR" "exports to a file, which writes the whole catalog"
	run_fs fs_fast plan apply 2 --wait
	expect_rc 0 "apply to a file"
	expect_contains "$(cat "$T/out.csv")" "Gamma"
	# Without a destination, a plan lists the changes since the last plan applied.
	csv_conn "Catalog" "\"active\": true"
	local catalog=$CONN_ID
	run_fs fs_fast run "$catalog" --plan --wait
	expect_contains "$OUT" "plan: 3 to create, 0 to update, 0 to retire"
	run_fs fs plan apply 4 --wait
	expect_rc 0 "apply without a destination"
	expect_contains "$OUT" "3 products accepted (no destination)"
	printf 'sku,name,price,quantity\nA1,Alpha,13.00,5\nA2,Beta,20.00,3\nA3,Gamma,1.00,1\n' >"$T/feed.csv"
	run_fs fs_fast run "$catalog" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 1 to update, 0 to retire"
	run_fs fs_fast plan show 6
	expect_contains "$OUT" "(no destination)"
	expect_contains "$OUT" "A1  regular_price  12.50 -> 13.00"
}

test_plan_commands_name_what_is_wrong() {
	printf 'sku,name,price,quantity\nA1,Alpha,10.00,5\n' >"$T/feed.csv"
	csv_conn "Plain" "\"active\": true"
	run_fs fs_fast run "$CONN_ID" --wait
	run_fs fs_fast plan show 1
	expect_rc 6 "plan show of a run that is no plan"
	expect_contains "$ERR" "run 1 is not a plan; make one with 'feedsync run $CONN_ID --plan'"
	run_fs fs_fast plan apply 99
	expect_rc 6 "plan apply of no run"
	expect_contains "$ERR" "no run 99"
	run_fs fs_fast plan show x
	expect_rc 2 "a bad id"
	run_fs fs_fast plan
	expect_rc 2 "no subcommand"
	rm "$T/feed.csv"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 1 "a plan run whose feed is gone"
	run_fs fs_fast plan show 2
	expect_rc 6 "plan show of a failed plan run"
	expect_contains "$ERR" "run 2 made no plan: it failed"
	run_fs fs_fast help
	expect_contains "$OUT" "plan apply RUN"
	expect_contains "$OUT" "7 outdated"
}

test_apply_only_some_skus_leaves_the_rest_pending_and_records_who() {
	shop_then_changed_feed || return
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_rc 0 "run --plan"
	woo reset_log
	FEEDSYNC_USER=alice@test run_fs fs plan apply 2 --only SKU-00001 NEW-1 --wait
	expect_rc 0 "plan apply --only"
	expect_contains "$OUT" "applied the plan of run 2 without its 4 excluded items (left pending); 2 pushed"
	expect_eq "$(woo state 'by_sku("SKU-00001")["regular_price"]')" "11.01" "the SKU applied"
	expect_eq "$(woo state 'by_sku("NEW-1")["name"]')" "Brand new" "created"
	expect_eq "$(woo state 'by_sku("SKU-00002")["regular_price"]')" "10.02" "an update left out"
	expect_eq "$(woo state 'by_sku("SKU-00004")["status"]')" "publish" "a retirement left out"
	expect_eq "$(sql "select count(*) from products where sku = 'SKU-00002' and pushed_hash is hash")" "0" \
		"the catalog records the excluded product as pushed"
	run_fs fs_fast plan show 2
	expect_contains "$OUT" "4 excluded by the review: not applied, left pending for the next plan"
	expect_contains "$OUT" "applied by run 3 (completed), by alice@test at 20"
	expect_contains "$OUT" "SKU-00002  regular_price  10.02 -> 11.02  (excluded)"
	expect_contains "$OUT" "SKU-00004  Product 4  draft: missing since"
	expect_not_contains "$OUT" "SKU-00001  regular_price  10.01 -> 11.01  (excluded)"
	run_fs fs_fast plan show 2 --json
	expect_eq "$(json_get "$OUT" applied_by)" "alice@test" "applied_by in JSON"
	expect_eq "$(json_get "$OUT" applied_run)" "3" "applied_run in JSON"
	expect_eq "$(json_get "$OUT" counts.excluded)" "4" "excluded in JSON"
	expect_eq "$(json_get "$OUT" update.0.excluded)" "True" "SKU-00000 excluded"
	expect_eq "$(json_get "$OUT" update.1.excluded)" "False" "SKU-00001 applied"
	run_fs fs_fast runs show 3
	expect_contains "$OUT" "applied:   by alice@test at 20"
	run_fs fs_fast runs show 2 --json
	expect_eq "$(json_get "$OUT" applied_by)" "alice@test" "runs show of the plan run"
	# What was left out is a change again in the next plan, and applies then.
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 3 to update, 1 to retire"
	run_fs fs_fast plan show 4
	expect_contains "$OUT" "SKU-00002  regular_price  10.02 -> 11.02"
	expect_contains "$OUT" "SKU-00004  Product 4  draft"
	expect_not_contains "$OUT" "SKU-00001"
	run_fs fs_fast plan apply 4 --wait
	expect_rc 0 "apply of the rest"
	expect_eq "$(woo state 'by_sku("SKU-00002")["regular_price"]')" "11.02" "applied the second time"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 0 to update, 0 to retire"
	expect_unique_skus
	expect_no_secret
}

test_apply_except_some_skus_and_only_those_of_a_file() {
	shop_then_changed_feed || return
	run_fs fs_fast run "$CONN_ID" --plan --wait
	run_fs fs plan apply 2 --except SKU-00004 SKU-00000 --wait
	expect_rc 0 "plan apply --except"
	expect_eq "$(woo state 'by_sku("SKU-00000")["regular_price"]')" "10.00" "excepted update"
	expect_eq "$(woo state 'by_sku("SKU-00003")["regular_price"]')" "11.03" "an update applied"
	expect_eq "$(woo state 'by_sku("SKU-00004")["status"]')" "publish" "excepted retirement"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 1 to update, 1 to retire"
	printf '  SKU-00004 \r\n\n' >"$T/skus.txt"
	run_fs fs plan apply 4 --only-file "$T/skus.txt" --wait
	expect_rc 0 "plan apply --only-file"
	expect_eq "$(woo state 'by_sku("SKU-00004")["status"]')" "draft" "the retirement of the file"
	expect_eq "$(woo state 'by_sku("SKU-00000")["regular_price"]')" "10.00" "still left out"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 0 to create, 1 to update, 0 to retire"
}

test_a_part_of_a_catalog_only_plan_leaves_the_rest_to_accept_later() {
	printf 'sku,name,price,quantity\nA1,Alpha,10.00,5\nA2,Beta,20.00,3\nA3,Gamma,1.00,1\n' >"$T/feed.csv"
	csv_conn "Catalog" "\"active\": true"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 3 to create, 0 to update, 0 to retire"
	run_fs fs plan apply 1 --except A3 --wait
	expect_rc 0 "apply without a destination, but A3"
	expect_contains "$OUT" "without its 1 excluded items (left pending); 2 products accepted (no destination)"
	run_fs fs_fast run "$CONN_ID" --plan --wait
	expect_contains "$OUT" "plan: 1 to create, 0 to update, 0 to retire"
	run_fs fs_fast plan show 3
	expect_contains "$OUT" "A3  Gamma"
}

test_unknown_skus_and_bad_selections_apply_nothing() {
	shop_then_changed_feed || return
	run_fs fs_fast run "$CONN_ID" --plan --wait
	woo reset_log
	run_fs fs plan apply 2 --only SKU-00001 NOPE-1 'NOPE 2' --wait
	expect_rc 6 "unknown SKUs"
	expect_contains "$ERR" "not in the plan of run 2: 'NOPE-1', 'NOPE 2'; nothing was applied"
	expect_eq "$(sql "select count(*) from sync_runs where plan_run is not null")" "0" "no apply run queued"
	expect_eq "$(sql "select count(*) from plan_items where excluded")" "0" "the selection unchanged"
	run_fs fs_fast plan apply 2 --only --wait
	expect_rc 2 "--only without a SKU"
	expect_contains "$ERR" "--only needs at least one SKU"
	run_fs fs_fast plan apply 2 --only SKU-00001 --except SKU-00002
	expect_rc 2 "--only and --except"
	run_fs fs_fast plan apply 2 --only-file "$T/none.txt"
	expect_rc 2 "a missing SKU file"
	expect_contains "$ERR" "cannot read $T/none.txt"
	run_fs fs_fast plan apply 2 --except NEW-1 SKU-00000 SKU-00001 SKU-00002 SKU-00003 SKU-00004
	expect_rc 5 "everything excepted"
	expect_contains "$ERR" "every item of the plan of run 2 is excluded: nothing to apply"
	expect_eq "$(woo state 'len(s["requests"])')" "0" "requests to the shop"
	expect_eq "$(sql "select count(*) from sync_runs where plan_run is not null")" "0" "no apply run queued"
}

run_tests "$@"
