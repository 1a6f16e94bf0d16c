#!/usr/bin/env bash
# The WordPress destination against tests/fakewp: adding and testing a site, pushing posts through batch/v1,
# finding them again by their SKU meta, per-item errors, retirement.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewp/wp_lib.sh"

test_dest_add_refuses_plain_http_unless_allowed() {
	start_fakewp || return
	fs dest add --type wordpress --name site --url "$WP_URL" --user "$WP_USER" --app-password "$WP_PASSWORD"
	expect_rc 2 "dest add over http"
	expect_contains "$ERR" "only over https"
	add_site
	fs dest show "$DEST_ID" --json
	expect_not_contains "$OUT" "$WP_PASSWORD"
	expect_eq "$(json_get "$OUT" options.site.user)" "$WP_USER" "the site's user"
	expect_eq "$(json_get "$OUT" auth)" "basic" "auth"
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "credentials:  user $WP_USER, application password stored encrypted"
	expect_not_contains "$OUT" "consumer key"
	fs_fast dest edit "$DEST_ID" --app-password-env WP_SECRET
	fs dest show "$DEST_ID"
	expect_contains "$OUT" "credentials:  user $WP_USER, application password from the environment: WP_SECRET"
}

test_dest_test_names_user_type_and_capabilities() {
	start_fakewp || return
	add_site --taxonomies categories
	fs dest test "$DEST_ID"
	expect_rc 0 "dest test"
	expect_contains "$OUT" "user 'editor' (Eddie Editor, editor) accepted"
	expect_contains "$OUT" "post type 'post' (rest_base posts)"
	fs_fast dest edit "$DEST_ID" --post-type nosuch
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a missing type"
	expect_contains "$OUT" "no post type with rest_base 'nosuch' (it has posts, pages, deals)"
	fs_fast dest edit "$DEST_ID" --post-type deals --taxonomies tags
	fs dest test "$DEST_ID"
	expect_contains "$OUT" "deals has no taxonomy tags (it has categories, destinations)"
	fs_fast dest edit "$DEST_ID" --post-type posts --taxonomies categories --user contrib \
		--app-password "cccc dddd eeee ffff gggg hhhh"
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a contributor"
	expect_contains "$OUT" "user 'contrib' can create posts but not publish them (needs publish_posts)"
	fs_fast dest edit "$DEST_ID" --app-password wrong
	fs dest test "$DEST_ID"
	expect_contains "$OUT" "user 'contrib' (Application Password from stored credentials) refused: incorrect_password"
	expect_not_contains "$OUT$ERR" "cccc dddd"
}

test_dest_test_over_http_on_a_production_site() {
	start_fakewp --https-only || return
	add_site
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test"
	expect_contains "$OUT" "rest_not_logged_in"
	expect_contains "$OUT" "WordPress ignores Application Passwords over plain http"
}

test_push_creates_then_updates_in_batches_of_the_announced_size() {
	start_fakewp --batch-max 10 || return
	add_site
	make_wp_feed 23
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "first run"
	expect_eq "$(wp_state 'len(posts)')" "23" "posts"
	expect_eq "$(wp_state 'sum(1 for r in s["requests"] if r["path"] == "/wp-json/batch/v1" and r["method"] == "POST")')" "3" "batches of 10"
	expect_eq "$(wp_state '[p for p in posts if p["meta"]["feedsync_sku"] == "SKU-00007"][0]["title"]')" "Deal 7" "title"
	expect_eq "$(wp_state '[p for p in posts if p["meta"]["feedsync_sku"] == "SKU-00007"][0]["content"]')" "Text 7" "content"
	expect_eq "$(wp_state '[p for p in posts if p["meta"]["feedsync_sku"] == "SKU-00007"][0]["status"]')" "publish" "status"
	sed -i 's/Deal 7,/Deal seven,/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "second run"
	expect_eq "$(wp_state 'len(posts)')" "23" "posts after the update"
	expect_eq "$(wp_state '[p for p in posts if p["meta"]["feedsync_sku"] == "SKU-00007"][0]["title"]')" "Deal seven" "title"
	expect_unique_wp_skus
}

test_posts_are_found_by_their_sku_meta_when_the_cache_is_empty() {
	start_fakewp || return
	wp_ctl posts '[{"type": "post", "title": "Old", "status": "draft", "meta": {"feedsync_sku": "SKU-00001"}}]'
	add_site
	make_wp_feed 3
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(wp_state 'len(posts)')" "3" "posts"
	expect_eq "$(wp_state '[p for p in posts if p["meta"]["feedsync_sku"] == "SKU-00001"][0]["title"]')" "Deal 1" "the old post updated"
	expect_unique_wp_skus
}

test_per_item_errors_inside_207_fail_only_their_item() {
	start_fakewp || return
	wp_ctl item_errors '{"SKU-00002": {"code": "rest_invalid_param", "message": "Invalid parameter(s): title", "status": 400}}'
	add_site
	make_wp_feed 5
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 3 "run with an item error"
	expect_eq "$(wp_state 'len(posts)')" "4" "posts"
	fs runs errors "$(sql 'select max(id) from sync_runs')" --json
	expect_contains "$OUT" "rest_invalid_param"
	expect_contains "$OUT" "SKU-00002"
}

test_single_requests_for_a_type_that_does_not_batch() {
	start_fakewp --no-batch-types deals || return
	add_site --post-type deals
	make_wp_feed 4
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(wp_state 'len(posts)')" "4" "deals"
	expect_eq "$(wp_state 'sum(1 for r in s["requests"] if r["path"] == "/wp-json/wp/v2/deals" and r["method"] == "POST")')" "4" "single creates"
}

test_refused_credentials_fail_the_run_naming_the_user() {
	start_fakewp || return
	fs_fast dest add --type wordpress --name site --url "$WP_URL" --user editor --app-password nope --allow-http --json
	DEST_ID=$(json_get "$OUT" id)
	make_wp_feed 3
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 1 "run"
	fs runs show "$(sql 'select max(id) from sync_runs')"
	expect_contains "$OUT" "the site refused user 'editor'"
	expect_not_contains "$OUT" "nope"
}

test_retire_draft_and_delete() {
	start_fakewp || return
	add_site
	make_wp_feed 3
	add_wp_conn '"update": {"missing_action": "draft"}'
	fs_fast run "$CONN_ID" --wait
	head -3 "$T/feed.csv" >"$T/f2" && mv "$T/f2" "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "run that retires"
	expect_eq "$(wp_state '[p["status"] for p in posts if p["meta"]["feedsync_sku"] == "SKU-00002"][0]')" "draft" "retired as draft"
}

# Posts gone from the feed for the days the connection asks are retired by `reconcile`, a run of its own.
test_reconcile_retires_the_posts_gone_long_enough() {
	start_fakewp || return
	add_site
	make_wp_feed 4
	add_wp_conn '"update": {"missing_action": "delete", "missing_after_days": 2}'
	fs_fast run "$CONN_ID" --wait
	head -3 "$T/feed.csv" >"$T/f2" && mv "$T/f2" "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "the run that marks SKU-00002 and SKU-00003 missing"
	fs_fast reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "no product is gone long enough to be retired"
	sqlite3 "$FEEDSYNC_DB" "update products set missing_since = missing_since - 3 * 86400000"
	fs_fast reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "2 products would be retired (delete): feedsync reconcile $CONN_ID"
	expect_eq "$(wp_state 'len(posts)')" 4 "a dry run changes nothing"
	fs reconcile "$CONN_ID" --wait
	expect_rc 0 "reconcile"
	expect_contains "$OUT" "reconcile: 2 products gone from the feed (delete); 2 retired"
	expect_eq "$(wp_state 'sorted(skus)')" '["SKU-00000", "SKU-00001"]' "posts left outside the trash"
	fs_fast reconcile "$CONN_ID" --dry-run
	expect_contains "$OUT" "no product is gone long enough"
}

test_stock_zero_is_refused_when_the_connection_is_saved() {
	start_fakewp || return
	add_site
	make_wp_feed 1
	printf '{"name": "WP", "source": {"type": "csv", "url": "%s"}, "update": {"missing_action": "stock_zero"}, "destination": {"type": "wordpress", "id": %s}}\n' \
		"$T/feed.csv" "$DEST_ID" >"$T/conn.json"
	fs conn add --file "$T/conn.json"
	expect_rc 1 "conn add"
	expect_contains "$ERR" "stock_zero is not for a wordpress destination"
}

test_terms_by_path_are_made_with_their_parents_once() {
	start_fakewp || return
	add_site --taxonomies categories,tags
	printf 'sku,name,price,category,tags\nA-1,One,1,Deals > Travel > Spain,sun\nA-2,Two,2,Deals > Travel,sun\n' >"$T/feed.csv"
	add_wp_conn '"mapping": {"fields": {"tags": {"column": "tags"}}}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run"
	expect_eq "$(wp_state '[(t["name"], t["parent"]) for t in sorted(s["terms"]["category"], key=lambda t: t["id"])]')" \
		'[["Uncategorized", 0], ["Deals", 0], ["Travel", 3], ["Spain", 4]]' "categories made parents first"
	expect_eq "$(wp_state '[p["terms"]["category"] for p in posts if p["meta"]["feedsync_sku"] == "A-1"][0]')" "[5]" "A-1 in Spain"
	expect_eq "$(wp_state '[p["terms"]["post_tag"] for p in posts if p["meta"]["feedsync_sku"] == "A-2"][0]')" "[6]" "A-2 tagged"
	sed -i 's/One,1/One,3/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_eq "$(wp_state 'len(s["terms"]["category"])')" "4" "no term made twice"
	expect_eq "$(sql "select count(*) from shop_terms where taxonomy = 'categories'")" "4" "term ids cached"
}

test_plan_mode_sends_nothing() {
	start_fakewp || return
	add_site
	make_wp_feed 3
	add_wp_conn
	fs run "$CONN_ID" --plan --wait
	expect_rc 0 "plan run"
	expect_contains "$OUT" "3 to create"
	expect_eq "$(wp_state 'len(posts)')" "0" "posts after the plan"
	fs plan apply "$(sql 'select max(id) from sync_runs')" --wait
	expect_rc 0 "plan apply"
	expect_eq "$(wp_state 'len(posts)')" "3" "posts after the apply"
}

test_transient_failures_are_retried_after_retry_after() {
	start_fakewp --batch-max 5 || return
	add_site
	make_wp_feed 12
	add_wp_conn
	wp_ctl faults '[{"match": {"method": "POST", "path": "/wp-json/batch/v1"}, "status": 503, "times": 2},
		{"match": {"method": "POST", "path": "/wp-json/batch/v1"}, "status": 429, "retry_after": 1, "times": 1}]'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run through the faults"
	expect_eq "$(wp_state 'len(posts)')" "12" "posts"
	expect_unique_wp_skus
	fs_fast runs log 1
	expect_contains "$OUT" "HTTP 503"
	expect_contains "$OUT" "HTTP 429"
}

test_a_post_deleted_in_the_site_is_made_again() {
	start_fakewp || return
	add_site
	make_wp_feed 3
	add_wp_conn
	fs_fast run "$CONN_ID" --wait
	local id
	id=$(wp_state '[p["id"] for p in posts if p["meta"]["feedsync_sku"] == "SKU-00001"][0]')
	curl -s -u "$WP_USER:$WP_PASSWORD" -X DELETE "$WP_URL/wp-json/wp/v2/posts/$id?force=true" >/dev/null
	sed -i 's/Deal 1,/Deal one,/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "run after the deletion"
	expect_eq "$(wp_state '[p["title"] for p in posts if p["meta"]["feedsync_sku"] == "SKU-00001"]')" '["Deal one"]' \
		"the post made again"
	expect_unique_wp_skus
}

test_stats_count_the_site() {
	start_fakewp || return
	add_site
	make_wp_feed 4
	add_wp_conn
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "run"
	fs stats
	expect_rc 0 "stats"
	expect_contains "$OUT" "Destinations, last 30 days:"
	expect_eq "$(echo "$OUT" | sed -n '/^Destinations/,$p' | grep '^site ' | tr -s ' ' | cut -d' ' -f1,6-8)" \
		"site 4 0 0" "the site's row: 4 created"
}

run_tests "$@"
