#!/bin/bash
# WooCommerce pushes when the shop misbehaves: per-item errors, an existing SKU on create, 413 halving, 504 and
# timeout splitting, retried transient failures, refused credentials, the circuit breaker.
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

run_tests "$@"
