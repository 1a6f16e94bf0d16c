#!/usr/bin/env bash
# A site whose SKU meta key is not registered for REST (fakewp --meta without it): dest test warns, and the push
# finds its posts by the slug made of their SKU instead of stopping, across an empty cache and a kill -9.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"
. "$ROOT/tests/fakewp/wp_lib.sh"

slugs_unique() { expect_eq "$(wp_state 'len([p["slug"] for p in posts]) == len(set(p["slug"] for p in posts))')" "True" \
	"slugs unique in the site: $(wp_state 'sorted(p["slug"] for p in posts)' | head -c 300)"; }

test_dest_test_warns_of_the_unregistered_key() {
	start_fakewp --meta price || return
	add_site
	fs dest test "$DEST_ID"
	expect_rc 0 "dest test passes with a warning"
	expect_contains "$OUT" "sku meta        warning posts do not show the meta key 'feedsync_sku'"
	expect_contains "$OUT" "found by a slug made of the SKU"
	fs dest test "$DEST_ID" --json
	expect_eq "$(json_get "$OUT" checks.5.warning)" "True" "the warning in JSON"
}

test_posts_are_found_by_their_slug_with_an_empty_cache() {
	start_fakewp --meta price || return
	wp_ctl posts '[{"type": "post", "title": "Old", "status": "draft", "slug": "sku-sku-00001"}]'
	add_site
	make_wp_feed 5
	add_wp_conn '"mapping": {"fields": {"slug": {"constant": "mapped-slug"}}}'
	fs run "$CONN_ID" --wait
	expect_rc 0 "first run ($OUT$ERR)"
	expect_eq "$(wp_state 'len(posts)')" "5" "posts: the old one taken over"
	expect_eq "$(wp_state '[p["title"] for p in posts if p["slug"] == "sku-sku-00001"][0]')" "Deal 1" "the old post updated"
	expect_eq "$(wp_state 'sorted(p["slug"] for p in posts)[4]')" "sku-sku-00004" "the slug made of the SKU, not the mapped one"
	fs_fast runs log 1
	expect_contains "$OUT" "found by a slug made of their SKU"
	sql "delete from remote_products"
	sed -i 's/Deal 3,/Deal three,/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "second run, nothing cached"
	expect_eq "$(wp_state 'len(posts)')" "5" "no post made twice"
	expect_eq "$(wp_state '[p["title"] for p in posts if p["slug"] == "sku-sku-00003"][0]')" "Deal three" "updated"
	slugs_unique
}

test_kill_during_slow_creates_then_retry_makes_no_duplicate() {
	start_fakewp --meta price --create-ms 150 --batch-max 10 || return
	lose_workers_fast
	add_site --concurrency 2 --timeout 5 --overrun 1
	make_wp_feed 30
	kill_slow_creates_then_retry 30 || return
	slugs_unique
}

run_tests "$@"
