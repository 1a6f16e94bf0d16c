#!/bin/bash
# A run-ending HTTP failure keeps the answer behind it in its run error's detail (status, method, path, content
# type and a bounded excerpt of the body with the credentials blanked): refused credentials and an outage past
# the patience on a push, refused credentials on a pull, and a feed URL answering an error page.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# detail_of RUN KEYS...: the members of the run's error detail, space-separated ("-" for a missing one).
detail_of() {
	local run=$1; shift
	run_fs fs runs errors "$run" --json
	expect_rc 0 "runs errors $run --json"
	"$PYTHON" -c 'import json,sys
errors = json.load(sys.stdin)
d = errors[0].get("detail") or {} if errors else {}
print(" ".join(str(d.get(k, "-")) for k in sys.argv[1:]))' "$@" <<<"$OUT"
}
# excerpt_of RUN: the excerpt of the run's error detail.
excerpt_of() {
	run_fs fs_fast runs errors "$1" --json
	"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["detail"]["excerpt"])' <<<"$OUT"
}

test_refused_credentials_keep_the_shops_answer() {
	start_fakewoo || return
	add_refusing_shop
	make_feed 5
	add_woo_conn
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a push with a wrong secret"
	expect_eq "$(sql "select status from sync_runs where id=1")" "failed" "status"
	expect_eq "$(sql "select code from run_errors where run_id=1")" "push_failed" "the run error"
	expect_eq "$(detail_of 1 status method path content_type code)" \
		"401 GET /wp-json/wc/v3/products application/json; charset=UTF-8 woocommerce_rest_authentication_error" \
		"the detail of the refusal"
	local excerpt; excerpt=$(excerpt_of 1)
	expect_contains "$excerpt" '"code": "woocommerce_rest_authentication_error"' "the excerpt of the shop's answer"
	expect_contains "$excerpt" '"data": {"status": 401}'
	expect_contains "$(sql "select json_extract(detail, '$.status') from run_errors where run_id=1")" 401 \
		"run_errors.detail"
	expect_no_secret
}

test_an_outage_past_the_patience_keeps_the_gateway_page() {
	faulty_push 5 '[{"status": 503, "pad_kb": 8}]' --retries 1 --circuit-threshold 2 --circuit-open 5 --patience 1 ||
		return
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a run through an outage longer than its patience"
	expect_contains "$OUT$ERR" "beyond the patience of 1 s"
	expect_eq "$(detail_of 1 status method path content_type code)" \
		"503 GET /wp-json/wc/v3/products text/html circuit_open" "the detail of the last answer"
	local excerpt; excerpt=$(excerpt_of 1)
	expect_contains "$excerpt" "<title>503 Service Temporarily Unavailable</title>" "the excerpt of the gateway page"
	expect_contains "$excerpt" "^M\\n" "line ends made visible"
	local n; n=$(printf '%s' "$excerpt" | wc -c)
	[ "$n" -le 2048 ] || fail "the excerpt of an 8 KB page is $n bytes"
	expect_contains "$excerpt" "…" "a cut excerpt says so"
	expect_no_secret
}

test_a_pull_refused_keeps_the_shops_answer() {
	start_fakewoo || return
	add_refusing_shop
	printf '{"name": "Shop pull", "source": {"type": "woocommerce", "destination": {"id": %s}}}\n' "$DEST_ID" \
		>"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	CONN_ID=$(json_get "$OUT" id)
	run_fs fs run "$CONN_ID" --wait
	expect_rc 1 "a pull with a wrong secret"
	expect_eq "$(sql "select code from run_errors where run_id=1")" "credentials_refused" "the run error"
	expect_eq "$(detail_of 1 status method path code)" \
		"401 GET /wp-json/wc/v3/products woocommerce_rest_authentication_error" "the detail of the refusal"
	expect_contains "$(excerpt_of 1)" '"code": "woocommerce_rest_authentication_error"' "the excerpt"
	expect_no_secret
}

test_a_feed_answering_an_html_404_keeps_the_page() {
	start_feedserver "$T" || return
	add_conn "Gone feed" csv "$FEED_URL/status/404?html=1&msg=This+feed+moved"
	fs run "$CONN_ID" --wait
	expect_rc 1 "a run of a feed that is not found"
	expect_eq "$(sql "select code from run_errors where run_id=1")" "download_failed" "the run error"
	expect_eq "$(detail_of 1 status method path content_type)" "404 GET /status/404 text/html; charset=utf-8" \
		"the detail of the error page"
	local excerpt; excerpt=$(excerpt_of 1)
	expect_contains "$excerpt" "<h1>Not Found</h1>" "the excerpt of the page"
	expect_contains "$excerpt" "This feed moved"
}

test_a_feed_error_page_never_keeps_the_urls_secrets() {
	start_feedserver "$T" || return
	# The text page echoes the request, query and all; the credentials in it are blanked.
	add_conn "Secret feed" csv "$FEED_URL/status/403?api_key=k3y-0f-the-feed&page=2"
	fs run "$CONN_ID" --wait
	expect_rc 1 "a run of a feed that is refused"
	expect_eq "$(detail_of 1 status path content_type)" "403 /status/403 text/plain; charset=utf-8" "the detail"
	local excerpt; excerpt=$(excerpt_of 1)
	expect_contains "$excerpt" "requested /status/403?api_key=***&page=2" "the echoed request, blanked"
	expect_eq "$(sql "select count(*) from run_errors where detail like '%k3y-0f%' or message like '%k3y-0f%'")" 0 \
		"the key in the run's errors"
}

# A sign-in page sent as 200 where a feed was expected: the error that ends the import keeps the page.
test_an_html_page_where_a_feed_was_expected_keeps_the_page() {
	start_feedserver "$T" || return
	local type
	for type in json csv; do
		add_conn "Login $type" "$type" "$FEED_URL/html"
		fs run "$CONN_ID" --wait
		expect_rc 1 "a run of a $type feed that is a web page"
		local run; run=$(sql "select max(id) from sync_runs")
		expect_eq "$(detail_of "$run" status method path content_type)" "200 GET /html text/html; charset=utf-8" \
			"the detail of the $type feed's page"
		expect_contains "$(excerpt_of "$run")" "<title>Sign in</title>" "the excerpt of the $type feed's page"
	done
	expect_eq "$(sql "select group_concat(code, ' ') from run_errors")" "parse_error missing_columns" "the errors"
}

run_tests "$@"
