#!/bin/bash
# WooCommerce destinations against tests/fakewoo: dest commands, pushes that create and then update only what
# changed, update fields, variations, stale ids, case-insensitive SKUs, no duplicates after a crash, Basic
# auth and gzip, secrets kept secret, a private CA trusted with --ca-file. Faults are in test_woo_faults.sh.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

test_fakewoo_replays_the_recordings() {
	[ -d "$ROOT/../shared/woocommerce" ] || return 0
	"$PYTHON" "$ROOT/tests/fakewoo/replay.py" >"$T/replay.out" 2>&1 || fail "replay differs: $(tail -5 "$T/replay.out")"
}

test_dest_add_list_show_test_and_the_key_file() {
	start_fakewoo || return
	run_fs fs dest add --name shop --url "$WOO_URL/" --key "$KEY" --secret "$SECRET"
	expect_rc 0 "dest add"
	expect_contains "$OUT" "created destination 1 'shop'"
	expect_eq "$(stat -c %a "$FEEDSYNC_DB.key")" "600" "key file mode"
	run_fs fs_fast dest list
	expect_contains "$OUT" "ck_…b4a6"
	run_fs fs dest show shop --json
	expect_eq "$(json_get "$OUT" credentials.key)" "ck_…b4a6" "masked key"
	expect_eq "$(json_get "$OUT" base_url)" "$WOO_URL" "base URL without the trailing slash"
	expect_eq "$(json_get "$OUT" auth_in_use)" "oauth1" "auth over plain http"
	run_fs fs dest test 1
	expect_rc 0 "dest test"
	expect_contains "$OUT" "permissions     ok"
	run_fs fs_fast dest test 1 --json
	expect_eq "$(json_get "$OUT" ok)" "True" "dest test --json"
	expect_eq "$(json_get "$OUT" checks.2.name)" "authentication" "third check"
	run_fs fs_fast dest show 1
	expect_contains "$OUT" "health:       ok"
	expect_no_secret
}

test_dest_test_names_what_failed() {
	start_fakewoo || return
	run_fs fs_fast dest add --name wrong --url "$WOO_URL" --key "$KEY" --secret cs_wrong_secret_000000000000000
	run_fs fs dest test wrong
	expect_rc 1 "dest test with a wrong secret"
	expect_contains "$OUT" "authentication  FAILED"
	expect_contains "$OUT" "Invalid signature"
	expect_contains "$ERR" "authentication failed"
	run_fs fs_fast dest add --name readonly --url "$WOO_URL" --key "$READ_KEY" --secret "$READ_SECRET"
	run_fs fs_fast dest test readonly
	expect_rc 1 "dest test with a read-only key"
	expect_contains "$OUT" "permissions     FAILED"
	expect_contains "$OUT" "write permissions"
	run_fs fs_fast dest add --name gone --url http://127.0.0.1:9 --key "$KEY" --secret "$SECRET"
	run_fs fs_fast dest test gone --json
	expect_rc 1 "dest test of a closed port"
	expect_eq "$(json_get "$OUT" checks.0.ok)" "False" "reachability"
	expect_eq "$(json_get "$OUT" checks.2.ok)" "" "authentication not checked"
	run_fs fs_fast dest list --json
	expect_eq "$(json_get "$OUT" 2.health.ok)" "False" "health stored"
	expect_no_secret
}

test_dest_validation_env_credentials_and_rm() {
	start_fakewoo || return
	run_fs fs_fast dest add --name x --url ftp://shop --key a --secret b
	expect_rc 2 "a non-http URL"
	run_fs fs_fast dest add --name x --url "$WOO_URL" --key "$KEY"
	expect_rc 2 "a key without a secret"
	run_fs fs_fast dest add --name x --url "$WOO_URL" --key "$KEY" --secret "$SECRET" --concurrency 0
	expect_rc 2 "concurrency 0"
	expect_contains "$ERR" "options.concurrency"
	run_fs fs_fast dest add --name envshop --url "$WOO_URL" --key-env SHOP_KEY --secret-env SHOP_SECRET --json
	expect_rc 0 "dest add with environment variables"
	DEST_ID=$(json_get "$OUT" id)
	expect_eq "$(sql "select credentials is null from destinations where id=$DEST_ID")" "1" "nothing stored"
	make_feed 5
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run without the variables"
	expect_contains "$OUT$ERR" "SHOP_KEY, which is not set"
	SHOP_KEY=$KEY SHOP_SECRET=$SECRET run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a run with the variables"
	expect_eq "$(woo state 'len(skus)')" "5" "products pushed"
	run_fs fs_fast dest rm envshop
	expect_rc 5 "rm of a destination in use"
	expect_contains "$ERR" "Woo feed"
	run_fs fs_fast dest rm envshop --force
	expect_rc 0 "rm --force"
	expect_no_secret
}

test_push_creates_then_updates_only_what_changed() {
	start_fakewoo || return
	add_shop --concurrency 3
	make_feed 250
	add_woo_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "first push"
	expect_eq "$(woo state 'len(skus)')" "250" "products in the shop"
	expect_eq "$(woo state 'by_sku("SKU-00007")["regular_price"]')" "10.07" "a price"
	expect_eq "$(sql "select push_queued, push_processed, push_failed from sync_runs where id=1")" "250|250|0" "counters"
	expect_eq "$(sql "select count(*) from remote_products")" "250" "remote ids remembered"
	expect_eq "$(woo state 'sum(r["creates"] for r in batches)')" "250" "creates sent"
	local before
	before=$(woo state 'len(s["requests"])')
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "an unchanged re-run"
	expect_eq "$(woo state 'len(s["requests"])')" "$before" "requests of an unchanged re-run"
	make_feed 250 100
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a re-run with new prices"
	expect_eq "$(woo state 'len(skus)')" "250" "products after the update"
	expect_eq "$(woo state 'by_sku("SKU-00007")["regular_price"]')" "11.07" "updated price"
	expect_eq "$(woo state 'sum(r["updates"] for r in batches[-10:])')" "250" "updates sent"
	# 3 lookups before the creates and 3 checks after them, that the shop holds each SKU once: first run only.
	expect_eq "$(woo state 'len([r for r in s["requests"] if r["method"] == "GET"])')" "6" "lookups (first run only)"
	expect_eq "$(woo state 's["max_in_flight"] <= 3')" "True" "concurrency limit"
	expect_unique_skus
	expect_no_secret
}

test_update_fields_limit_what_is_sent() {
	start_fakewoo || return
	add_shop
	make_feed 20
	add_woo_conn '"update": {"fields": ["regular_price", "stock_quantity"]}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "first push"
	sed -i 's/Product /Renamed /; s/,1[0-9]\.\([0-9][0-9]\),/,99.\1,/' "$T/feed.csv"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "second push"
	expect_eq "$(woo state 'by_sku("SKU-00003")["regular_price"]')" "99.03" "price updated"
	expect_eq "$(woo state 'by_sku("SKU-00003")["name"]')" "Product 3" "name kept (not an update field)"
}

test_a_run_killed_mid_push_and_retried_creates_no_duplicates() {
	start_fakewoo --item-delay-ms 10 || return
	lose_workers_fast
	# The retry keeps off the killed run's creates for timeout + overrun: a few seconds with this fast shop.
	add_shop --concurrency 2 --batch-size 50 --timeout 4 --overrun 1
	make_feed 600
	add_woo_conn
	kill_run_when shop_has_at_least 100
	local created
	created=$(woo state 'len(skus)')
	[ "$created" -lt 600 ] || fail "the push finished before it was killed"
	sleep 3
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the retry"
	expect_eq "$(sql "select status from sync_runs where id=1")" "failed" "the killed run, recovered"
	expect_eq "$(woo state 'len(skus)')" "600" "products after the retry"
	expect_unique_skus
}

test_variations_stale_ids_and_case_insensitive_skus() {
	start_fakewoo || return
	add_shop
	woo products '[{"sku": "TEE", "name": "Tee", "type": "variable"}]'
	woo products '[{"sku": "TEE-S", "parent_id": 19, "regular_price": "10.00", "stock_quantity": 3}]'
	printf 'sku,name,price,quantity\nTEE-S,Tee S,12.00,9\nabc-1,lower,1.00,1\nABC-1,upper,2.00,2\n' >"$T/feed.csv"
	add_woo_conn '"update": {"fields": ["regular_price", "stock_quantity"]}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push"
	expect_eq "$(woo state 'by_sku("TEE-S")["stock_quantity"]')" "9" "variation updated"
	expect_eq "$(woo state 'len([r for r in batches if "/variations/batch" in r["path"]])')" "1" "through its parent"
	expect_eq "$(woo state 'len([x for x in skus if x.lower() == "abc-1"])')" "1" "one product for abc-1 and ABC-1"
	# The shop loses its products: the cached ids are stale and must be looked up again.
	woo reset
	woo products '[{"sku": "TEE-S", "name": "Tee S", "regular_price": "1.00"}]'
	printf 'sku,name,price,quantity\nTEE-S,Tee S,13.00,4\nabc-1,lower,1.00,1\nABC-1,upper,2.00,2\n' >"$T/feed.csv"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push after the shop changed"
	expect_eq "$(woo state 'by_sku("TEE-S")["regular_price"]')" "13.00" "updated under its new id"
	expect_eq "$(woo state 'len(skus)')" "1" "nothing created twice"
	expect_unique_skus
}

test_basic_auth_gzip_and_rate_limit() {
	start_fakewoo --scheme https --gzip || return
	add_shop --auth basic --rate-limit 20
	run_fs fs_fast dest show 1
	expect_contains "$OUT" "Basic authentication over plain http"
	make_feed 150
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push with Basic auth and gzip answers"
	expect_eq "$(woo state 'len(skus)')" "150" "products"
	run_fs fs_fast dest add --name bad --url "$WOO_URL" --auth basic --key "$KEY" --secret wrong_secret_0000000
	run_fs fs_fast dest test bad
	expect_contains "$OUT" "Consumer secret is invalid"
	expect_no_secret
}

test_connection_documents_name_their_destination() {
	start_fakewoo || return
	add_shop
	make_feed 3
	csv_conn "By name" '"destination": {"type": "woocommerce", "name": "shop"}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a destination given by name"
	printf '{"name": "x", "source": {"type": "csv", "url": "%s"}, "destination": {"type": "woocommerce"}}' \
		"$T/feed.csv" >"$T/bad.json"
	run_fs fs_fast conn add --file "$T/bad.json"
	expect_rc 1 "a woocommerce destination without id or name"
	expect_contains "$ERR" "needs \"id\" or \"name\""
	csv_conn "Missing" '"destination": {"type": "woocommerce", "id": 99}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run to a destination that does not exist"
	expect_contains "$OUT$ERR" "no destination 99"
}

test_dest_add_help_prints_the_usage() {
	run_fs fs dest add --help
	expect_rc 0 "dest add --help"
	expect_contains "$OUT" "feedsync dest add --name N --url URL"
	expect_contains "$OUT" "--ca-file PEM"
	expect_contains "$OUT" "--patience S"
	expect_eq "$ERR" "" "stderr of --help"
	run_fs fs_fast dest --help
	expect_rc 0 "dest --help"
}

test_a_private_ca_is_trusted_with_ca_file() {
	start_tls_fakewoo || return
	# Another destination first, so that the hints must name the right one.
	run_fs fs_fast dest add --name other --url https://other.example.com --key "$KEY" --secret "$SECRET"
	add_shop
	expect_eq "$DEST_ID" "2" "the TLS shop's id"
	expect_eq "$(json_get "$OUT" ca_file)" "" "no CA file yet"
	run_fs fs dest test 2
	expect_rc 1 "dest test of a shop whose CA is not trusted"
	expect_contains "$OUT" "tls             FAILED"
	expect_contains "$OUT" "'feedsync dest edit 2 --ca-file CA.pem'"
	expect_contains "$OUT" "'feedsync dest edit 2 --insecure'"
	expect_not_contains "$OUT" "edit ID"
	make_feed 5
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a push to a shop whose CA is not trusted"
	expect_contains "$OUT$ERR" "cannot talk to destination 'shop' securely"
	expect_contains "$OUT$ERR" "'feedsync dest edit 2 --ca-file CA.pem'"
	run_fs fs_fast dest edit 2 --ca-file "$T/nowhere.pem"
	expect_rc 2 "a CA file that does not exist"
	expect_contains "$ERR" "--ca-file '$T/nowhere.pem': cannot read it (No such file or directory)"
	cd / || return
	run_fs fs dest edit 2 --ca-file "${T#/}/ca.pem"
	cd "$T" || return
	expect_rc 0 "dest edit --ca-file, a path relative to /"
	run_fs fs_fast dest show 2
	expect_contains "$OUT" "ca file:      $(realpath "$T/ca.pem")"
	expect_contains "$OUT" "tls:          verified"
	run_fs fs dest test 2
	expect_rc 0 "dest test with the CA trusted: $OUT"
	expect_contains "$OUT" "the certificate is valid"
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "a push with the CA trusted"
	expect_eq "$(woo state 'len(skus)')" "5" "products"
	run_fs fs_fast dest edit 2 --ca-file ""
	run_fs fs_fast dest show 2 --json
	expect_eq "$(json_get "$OUT" ca_file)" "" "back to the system's certificates"
	expect_no_secret
}

run_tests "$@"
