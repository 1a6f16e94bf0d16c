#!/bin/bash
# WooCommerce pushes when the shop misbehaves: per-item errors, an existing SKU on create, 413 halving, 504 and
# timeout splitting, retried transient failures, refused credentials, the circuit breaker, outages ridden out.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

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
	run_fs fs_fast runs errors 1 --json
	expect_contains "$OUT" "woocommerce_rest_invalid_image"
	expect_contains "$OUT" "SKU-00017"
	expect_eq "$("$PYTHON" -c 'import json,sys; e=[x for x in json.load(sys.stdin) if x["sku"]=="SKU-00017"][0]["detail"]
print(e["status"], e["item_status"], e["code"], e["action"])' <<<"$OUT")" \
		"200 400 woocommerce_product_invalid_image_id create" "the per-item error's detail"
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
	# The creates that got a 504 wait for timeout + overrun (here 3 s), then are looked up: found, not sent again.
	add_shop --timeout 2 --overrun 1
	# The gateway gives up on 9 items or more, but PHP finishes the work anyway.
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch", "min_items": 9}, "status": 504, "process": true}]'
	make_feed 40
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 0 "push through 504s"
	expect_eq "$(woo state 'len(skus)')" "40" "products"
	expect_eq "$(woo state 'sum(r["creates"] for r in batches)')" "40" "creates sent"
	expect_eq "$(woo state 'max(r["items"] for r in batches if r["status"] == 200)')" "5" "largest batch that passed"
	expect_unique_skus
}

test_timeouts_split_down_to_single_items() {
	start_fakewoo || return
	# A stalled request ends with its client here, so the creates that timed out wait only 1 s more.
	add_shop --timeout 1 --overrun 1
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
	add_shop --retries 5
	# libcurl itself resends once on a kept-alive connection that was reset, so two resets reach feedsync. (A
	# create batch is not retried after a reset, as it may have executed: test_woo_crash.sh.)
	woo faults '[{"match": {"method": "GET"}, "action": "reset", "times": 2},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "status": 429, "retry_after": 1, "times": 1},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "html", "status": 502, "times": 1},
	             {"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "malformed", "process": true, "times": 1},
	             {"match": {"method": "GET"}, "status": 503, "times": 1}]'
	make_feed 10
	add_woo_conn
	local start=$SECONDS
	run_fs fs run "$CONN_ID" --wait
	expect_rc 0 "push through transient failures"
	expect_eq "$(woo state 'len(skus)')" "10" "products"
	[ $((SECONDS - start)) -ge 1 ] || fail "Retry-After was not waited for"
	run_fs fs_fast runs log 1
	expect_contains "$OUT" "HTTP 429; retry 1 of 5 in 1.0s"
	expect_contains "$OUT" "HTTP 502 with an HTML page"
	expect_contains "$OUT" "JSON that does not parse"
	expect_contains "$OUT" "reset or closed"
	expect_unique_skus
}

test_refused_credentials_fail_fast_naming_them() {
	start_fakewoo || return
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret cs_not_the_secret_0000000000000 --json
	DEST_ID=$(json_get "$OUT" id)
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
	# No patience: the run fails as soon as the circuit opens.
	add_shop --retries 1 --circuit-threshold 3 --circuit-open 2 --patience 0
	woo faults '[{"status": 503}]'
	make_feed 250
	add_woo_conn
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 1 "a run against a shop that is down"
	expect_contains "$OUT$ERR" "circuit breaker opened"
	expect_eq "$(sql "select circuit_state from destinations")" "open" "circuit stored"
	run_fs fs_fast dest show 1
	# Its one retry (50 ms later) ran out while the shop failed everything: that opens the circuit.
	expect_contains "$OUT" "circuit:      open after 2 transient failures"
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

test_an_outage_mid_push_is_ridden_out() {
	# php-fpm stops for 20 s once the push is under way (2 lookups and 2 batches through): nginx answers 502.
	# The default retries (1 s, 2 s, 4 s) and patience; probes every 2 s, so that the run ends soon after.
	faulty_push 200 '[{"skip": 4, "status": 502, "for_s": 20}]' \
		--backoff-ms 1000 --retries 3 --concurrency 4 --batch-size 10 --circuit-open 2 || return
	local start=$SECONDS
	run_in_background
	wait_until 20 circuit_is open
	run_fs fs_fast dest list
	expect_contains "$OUT" "open since" "HEALTH during the outage"
	run_fs fs_fast dest show 1
	expect_contains "$OUT" "failing since"
	expect_contains "$OUT" "HTTP 502 with an HTML page"
	wait_for_run
	expect_rc 0 "a run through a 20 s outage ($(cat "$T/run.err"))"
	[ $((SECONDS - start)) -ge 20 ] || fail "the run ended after $((SECONDS - start)) s, within the outage"
	expect_eq "$(woo state 'len(skus)')" "200" "all created"
	expect_eq "$(sql "select push_failed from sync_runs where id=1")" "0" "failed items"
	expect_eq "$(sql "select circuit_state from destinations")" "closed" "circuit after the outage"
	run_fs fs_fast runs log 1
	expect_contains "$OUT" "circuit breaker open after"
	expect_contains "$OUT" "answers again: the outage lasted from"
	# A batch or a lookup (each create batch is checked by one): whichever failed last.
	printf '%s' "$OUT" | grep -Eq '\(last failure: (POST|GET) /wp-json/wc/v3/products(/batch)?: HTTP 502 with an HTML page\)' ||
		fail "the log does not name the outage's last failure"
	expect_contains "$OUT" "requests waited"
	run_fs fs_fast dest list
	expect_not_contains "$OUT" "open since" "HEALTH after the outage"
	expect_unique_skus
}

test_a_batch_php_fails_with_500_fails_alone() {
	# PHP dies on this batch every time (a fatal error in a plugin): it is not an outage to wait out.
	faulty_push 10 '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "status": 500}]' --concurrency 1 || return
	local start=$SECONDS
	run_fs fs_fast run "$CONN_ID" --wait
	expect_rc 3 "completed with errors"
	[ $((SECONDS - start)) -le 10 ] || fail "took $((SECONDS - start)) s"
	expect_eq "$(sql "select push_failed from sync_runs where id=1")" "10" "failed items"
	expect_eq "$(sql "select circuit_state from destinations")" "closed" "circuit"
}

test_a_run_cancelled_during_an_outage_does_not_wait_it_out() {
	faulty_push 30 '[{"status": 502, "for_s": 60}]' --retries 1 --circuit-open 60 || return
	run_in_background
	wait_until 20 circuit_is open
	local start=$SECONDS
	run_fs fs_fast runs cancel 1
	wait_for_run
	[ $((SECONDS - start)) -le 5 ] || fail "the cancelled run took $((SECONDS - start)) s to end"
	expect_eq "$(sql "select status from sync_runs where id=1")" "cancelled" "status"
	expect_contains "$(sql "select summary from sync_runs where id=1")" "cancelled by request while pushing"
	expect_eq "$(sql "select count(*) from products where pushed_hash is not hash")" "30" "still pending"
}

test_an_outage_longer_than_the_patience_fails_naming_it() {
	faulty_push 30 '[{"status": 502, "for_s": 30}]' --retries 2 --patience 3 || return
	local start=$SECONDS
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a run through an outage longer than its patience"
	[ $((SECONDS - start)) -ge 3 ] || fail "failed after $((SECONDS - start)) s, before the patience was spent"
	[ $((SECONDS - start)) -le 15 ] || fail "took $((SECONDS - start)) s to fail"
	expect_contains "$OUT$ERR" "destination 'shop' is unavailable: it has failed since "
	expect_contains "$OUT$ERR" "(last at "
	expect_contains "$OUT$ERR" ": GET /wp-json/wc/v3/products: HTTP 502 with an HTML page)"
	expect_contains "$OUT$ERR" "beyond the patience of 3 s"
	expect_eq "$(woo state 'len([r for r in s["requests"] if r["status"] == 502]) > 3')" "True" "probes were made"
	run_fs fs_fast dest list
	expect_contains "$OUT" "open since" "HEALTH of the open circuit"
	expect_no_secret
}

run_tests "$@"
