#!/bin/bash
# WooCommerce destinations against tests/fakewoo: dest commands, pushes, per-item errors, batch halving and
# splitting, retries, failing fast on refused credentials, idempotence after a crash, secrets kept secret.
. "$(dirname "$0")/../lib.sh"

KEY=ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6
SECRET=cs_8e9308d6d488ec65624345038f70f472e8afe675
READ_KEY=ck_readonly000000000000000000000000000001
READ_SECRET=cs_readonly000000000000000000000000000001
CTL="$ROOT/tests/fakewoo/ctl.py"
# The system interpreter starts in a fraction of the time a version manager's shim takes.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# start_fakewoo [ARGS...]: a fake shop on a free port; sets $WOO_URL.
start_fakewoo() {
	rm -f "$T/.wooport"
	"$PY" "$ROOT/tests/fakewoo/fakewoo.py" --port-file "$T/.wooport" --lifetime 300 "$@" &
	echo $! >>"$T/.pids"
	for _ in $(seq 200); do [ -s "$T/.wooport" ] && break; sleep 0.05; done
	[ -s "$T/.wooport" ] || { fail "fakewoo did not start"; return 1; }
	WOO_URL="http://127.0.0.1:$(cat "$T/.wooport")"
}
woo() { "$PY" "$CTL" "$WOO_URL" "$@"; }
jget() { "$PY" -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$1" "$2"; }

# Every output of feedsync goes through here, so the secret check sees all of it.
run_fs() { "$@"; printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/.seen"; }

# add_shop [OPTIONS...]: a destination for the fake shop (OAuth over http); sets $DEST_ID.
add_shop() {
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret "$SECRET" --backoff-ms 50 --json "$@"
	expect_rc 0 "dest add"
	DEST_ID=$(jget "$OUT" id)
}

# make_feed N [PRICE_CENTS_OFFSET] [PREFIX]: $T/feed.csv with N products.
make_feed() {
	"$PY" - "$T/feed.csv" "$1" "${2:-0}" "${3:-SKU}" <<'PY'
import sys
path, n, off, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(path, "w") as f:
    f.write("sku,name,price,quantity\n")
    for i in range(n):
        cents = 1000 + i + off
        f.write("%s-%05d,Product %d,%d.%02d,%d\n" % (prefix, i, i, cents // 100, cents % 100, i % 50))
PY
}

# csv_conn NAME EXTRA_JSON_MEMBERS: a connection reading $T/feed.csv; sets $CONN_ID.
csv_conn() {
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, %s}\n' "$1" "$T/feed.csv" "$2" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(jget "$OUT" id)
}

# add_woo_conn [EXTRA_JSON_MEMBERS]: a connection pushing to $DEST_ID; sets $CONN_ID.
add_woo_conn() {
	csv_conn "Woo feed" "\"destination\": {\"type\": \"woocommerce\", \"id\": $DEST_ID}${1:+, $1}"
}

# The secret in no output, no log line, no error, nowhere in the database.
expect_no_secret() {
	sqlite3 "$FEEDSYNC_DB" .dump >"$T/.dump" 2>/dev/null
	if grep -qF "$SECRET" "$T/.seen" "$T/.dump" "$T/.out" "$T/.err" 2>/dev/null; then
		fail "the consumer secret appears in: $(grep -lF "$SECRET" "$T/.seen" "$T/.dump" "$T/.out" "$T/.err")"
	fi
	if grep -qF "$KEY" "$T/.seen" "$T/.dump" 2>/dev/null; then
		fail "the whole consumer key appears in: $(grep -lF "$KEY" "$T/.seen" "$T/.dump")"
	fi
}

expect_unique_skus() {
	expect_eq "$(woo state 'len(skus) == len(set(x.lower() for x in skus))')" "True" "SKUs unique in the shop"
	expect_eq "$(woo state 'len(s["violations"])')" "0" "protocol violations: $(woo state 's["violations"]')"
}

test_fakewoo_replays_the_recordings() {
	[ -d "$ROOT/../shared/woocommerce" ] || return 0
	"$PY" "$ROOT/tests/fakewoo/replay.py" >"$T/replay.out" 2>&1 || fail "replay differs: $(tail -5 "$T/replay.out")"
}

test_dest_add_list_show_test_and_the_key_file() {
	start_fakewoo || return
	run_fs fs dest add --name shop --url "$WOO_URL/" --key "$KEY" --secret "$SECRET"
	expect_rc 0 "dest add"
	expect_contains "$OUT" "created destination 1 'shop'"
	expect_eq "$(stat -c %a "$FEEDSYNC_DB.key")" "600" "key file mode"
	run_fs fs dest list
	expect_contains "$OUT" "ck_…b4a6"
	run_fs fs dest show shop --json
	expect_eq "$(jget "$OUT" credentials.key)" "ck_…b4a6" "masked key"
	expect_eq "$(jget "$OUT" base_url)" "$WOO_URL" "base URL without the trailing slash"
	expect_eq "$(jget "$OUT" auth_in_use)" "oauth1" "auth over plain http"
	run_fs fs dest test 1
	expect_rc 0 "dest test"
	expect_contains "$OUT" "permissions     ok"
	run_fs fs dest test 1 --json
	expect_eq "$(jget "$OUT" ok)" "True" "dest test --json"
	expect_eq "$(jget "$OUT" checks.2.name)" "authentication" "third check"
	run_fs fs dest show 1
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
	run_fs fs dest test readonly
	expect_rc 1 "dest test with a read-only key"
	expect_contains "$OUT" "permissions     FAILED"
	expect_contains "$OUT" "write permissions"
	run_fs fs_fast dest add --name gone --url http://127.0.0.1:9 --key "$KEY" --secret "$SECRET"
	run_fs fs_fast dest test gone --json
	expect_rc 1 "dest test of a closed port"
	expect_eq "$(jget "$OUT" checks.0.ok)" "False" "reachability"
	expect_eq "$(jget "$OUT" checks.2.ok)" "" "authentication not checked"
	run_fs fs_fast dest list --json
	expect_eq "$(jget "$OUT" 2.health.ok)" "False" "health stored"
	expect_no_secret
}

test_dest_validation_env_credentials_and_rm() {
	start_fakewoo || return
	run_fs fs dest add --name x --url ftp://shop --key a --secret b
	expect_rc 2 "a non-http URL"
	run_fs fs_fast dest add --name x --url "$WOO_URL" --key "$KEY"
	expect_rc 2 "a key without a secret"
	run_fs fs_fast dest add --name x --url "$WOO_URL" --key "$KEY" --secret "$SECRET" --concurrency 0
	expect_rc 2 "concurrency 0"
	expect_contains "$ERR" "options.concurrency"
	run_fs fs_fast dest add --name envshop --url "$WOO_URL" --key-env SHOP_KEY --secret-env SHOP_SECRET --json
	expect_rc 0 "dest add with environment variables"
	DEST_ID=$(jget "$OUT" id)
	expect_eq "$(sql "select credentials is null from destinations where id=$DEST_ID")" "1" "nothing stored"
	make_feed 5
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run without the variables"
	expect_contains "$OUT$ERR" "SHOP_KEY, which is not set"
	SHOP_KEY=$KEY SHOP_SECRET=$SECRET run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a run with the variables"
	expect_eq "$(woo state 'len(skus)')" "5" "products pushed"
	run_fs fs dest rm envshop
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
	expect_eq "$(woo state 'len([r for r in s["requests"] if r["method"] == "GET"])')" "3" "lookups (first run only)"
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

test_per_item_errors_are_item_failures() {
	start_fakewoo || return
	add_shop
	make_feed 30
	add_woo_conn
	woo item_errors '{"SKU-00004": {"code": "woocommerce_rest_invalid_image", "message": "Invalid image."},
	                  "SKU-00017": {"code": "woocommerce_product_invalid_image_id", "message": "Bad image id."}}'
	run_fs fs run "$CONN_ID" --wait
	expect_rc 3 "completed with errors"
	expect_eq "$(sql "select push_processed, push_failed from sync_runs where id=1")" "30|2" "counters"
	expect_eq "$(woo state 'len(skus)')" "28" "the others were created"
	run_fs fs runs errors 1 --json
	expect_contains "$OUT" "woocommerce_rest_invalid_image"
	expect_contains "$OUT" "SKU-00017"
	expect_contains "$OUT" "http_status"
	woo item_errors '{}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the failed items go again"
	expect_eq "$(woo state 'len(skus)')" "30" "all created"
	expect_eq "$(sql "select push_queued from sync_runs where id=2")" "2" "only the failed were pending"
	expect_unique_skus
}

test_existing_sku_on_create_becomes_an_update() {
	start_fakewoo || return
	add_shop
	woo products '[{"sku": "SKU-00001", "name": "Made elsewhere", "regular_price": "1.00"}]'
	# Lookups find nothing, as when another tool creates the product between lookup and create.
	woo faults '[{"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "action": "empty"}]'
	make_feed 3
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push"
	expect_eq "$(woo state 'len(skus)')" "3" "no duplicate"
	expect_eq "$(woo state 'by_sku("SKU-00001")["regular_price"]')" "10.01" "the existing product was updated"
	expect_eq "$(sql "select remote_id from remote_products where sku='SKU-00001'")" "19" "its id remembered"
	expect_unique_skus
}

test_413_halves_the_batch_and_remembers() {
	start_fakewoo || return
	add_shop
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "limit", "limit": 30}]'
	make_feed 120
	add_woo_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push with halving"
	expect_eq "$(woo state 'len(skus)')" "120" "products"
	expect_eq "$(sql "select learned_batch_size from destinations")" "25" "learned batch size"
	expect_contains "$(fs_fast runs log 1; echo "$OUT")" "HTTP 413"
	make_feed 120 7
	run_fs fs_fast run "$CONN_ID" --wait
	expect_eq "$(woo state 'max(r["items"] for r in batches[-5:])')" "25" "the next run starts at the learned size"
	expect_eq "$(woo state 'len([r for r in batches if r["status"] == 413])')" "3" "413s: 100, then 50 twice"
	expect_unique_skus
}

test_504_splits_batches_in_halves() {
	start_fakewoo || return
	add_shop
	# The gateway gives up on 9 items or more, but PHP finishes the work anyway.
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch", "min_items": 9}, "status": 504, "process": true}]'
	make_feed 40
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push through 504s"
	expect_eq "$(woo state 'len(skus)')" "40" "products"
	expect_eq "$(woo state 'max(r["items"] for r in batches if r["status"] == 200)')" "5" "largest batch that passed"
	expect_unique_skus
}

test_timeouts_split_down_to_single_items() {
	start_fakewoo || return
	add_shop --timeout 1
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch", "min_items": 2}, "action": "stall", "stall_s": 5}]'
	make_feed 6
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push through timeouts"
	expect_eq "$(woo state 'len(skus)')" "6" "products"
	expect_eq "$(woo state 'sorted(set(r["items"] for r in batches if r["status"] == 200))')" "[1]" "single items"
	expect_unique_skus
}

test_transient_failures_are_retried() {
	start_fakewoo || return
	add_shop
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "status": 429, "retry_after": 1, "times": 1},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "html", "status": 502, "times": 1},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "malformed", "process": true, "times": 1},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "reset", "times": 1},
	             {"match": {"method": "GET"}, "status": 503, "times": 1}]'
	make_feed 10
	add_woo_conn
	local start=$SECONDS
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push through transient failures"
	expect_eq "$(woo state 'len(skus)')" "10" "products"
	[ $((SECONDS - start)) -ge 1 ] || fail "Retry-After was not waited for"
	run_fs fs_fast runs log 1
	expect_contains "$OUT" "HTTP 429; retry 1 of 3 in 1.0s"
	expect_contains "$OUT" "HTML page"
	expect_contains "$OUT" "reset or closed"
	expect_unique_skus
}

test_refused_credentials_fail_fast_naming_them() {
	start_fakewoo || return
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret cs_not_the_secret_0000000000000 --json
	DEST_ID=$(jget "$OUT" id)
	make_feed 300
	add_woo_conn
	local start=$SECONDS
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a run with a wrong secret"
	[ $((SECONDS - start)) -le 20 ] || fail "took $((SECONDS - start)) s to fail"
	expect_contains "$OUT$ERR" "refused the credentials of destination 'shop' (consumer key ck_…b4a6"
	expect_eq "$(woo state 'len(batches)')" "0" "batches sent"
	expect_eq "$(sql "select status from sync_runs where id=1")" "failed" "status"
	expect_no_secret
}

test_circuit_breaker_opens_and_probes() {
	start_fakewoo || return
	add_shop --retries 1 --circuit-threshold 3 --circuit-open 2
	woo faults '[{"status": 503}]'
	make_feed 250
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run against a shop that is down"
	expect_contains "$OUT$ERR" "circuit breaker opened"
	expect_eq "$(sql "select circuit_state from destinations")" "open" "circuit stored"
	run_fs fs_fast dest show 1
	expect_contains "$OUT" "circuit:      open after 3 transient failures"
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run while the circuit is open"
	expect_contains "$OUT$ERR" "nothing was pushed"
	woo faults '[]'
	sleep 2
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "a run after the circuit's open time: the probe succeeds"
	expect_eq "$(sql "select circuit_state from destinations")" "closed" "circuit closed again"
	expect_eq "$(woo state 'len(skus)')" "250" "products"
}

test_a_run_killed_mid_push_and_retried_creates_no_duplicates() {
	start_fakewoo --item-delay-ms 10 || return
	printf '[worker]\nheartbeat_interval_s = 1\nstale_after_s = 2\n' >"$T/fs.ini"
	export FEEDSYNC_CONFIG="$T/fs.ini"
	add_shop --concurrency 2 --batch-size 50
	make_feed 600
	add_woo_conn
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/killed.out" 2>&1 &
	local pid=$!
	wait_until 30 test "$(woo state 'len(skus)')" -ge 100
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
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
	run_fs fs dest show 1
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
	run_fs fs conn add --file "$T/bad.json"
	expect_rc 1 "a woocommerce destination without id or name"
	expect_contains "$ERR" "needs \"id\" or \"name\""
	csv_conn "Missing" '"destination": {"type": "woocommerce", "id": 99}'
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run to a destination that does not exist"
	expect_contains "$OUT$ERR" "no destination 99"
}

run_tests "$@"
