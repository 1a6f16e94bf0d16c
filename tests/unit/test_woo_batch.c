/* WooCommerce payloads, batch verdicts and answers (dest/woo_batch.h), and the destination gate (dest/gate.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/gate.h"
#include "dest/woo_batch.h"

static char *payload(const char *product, int64_t id, char *const *fields)
{
	struct strbuf sb = {0};
	char err[256] = "";
	cr_assert_eq(woo_item_payload(product, id, fields, &sb, err, sizeof(err)), 0, "%s", err);
	return sb_detach(&sb);
}

static cJSON *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	cJSON *json = cJSON_Parse(sb_str(&sb));
	sb_free(&sb);
	cr_assert_not_null(json);
	return json;
}

Test(woo_batch, create_sends_every_field_in_woocommerce_types)
{
	char *p = payload("{\"brand\":\"Acme\",\"categories\":\"15,23\",\"images\":\"http://x/a.jpg|http://x/b.jpg\","
	                  "\"name\":\"Tee \\\"big\\\"\",\"regular_price\":\"19.99\",\"sku\":\"A-1\",\"stock_quantity\":\"5\","
	                  "\"tags\":\"7\"}",
	                  0, NULL);
	cr_expect_str_eq(p, "{\"categories\":[{\"id\":15},{\"id\":23}],"
	                    "\"images\":[{\"src\":\"http://x/a.jpg\"},{\"src\":\"http://x/b.jpg\"}],"
	                    "\"name\":\"Tee \\\"big\\\"\",\"regular_price\":\"19.99\",\"sku\":\"A-1\","
	                    "\"stock_quantity\":5,\"manage_stock\":true,\"tags\":[{\"id\":7}],\"type\":\"simple\","
	                    "\"meta_data\":[{\"key\":\"brand\",\"value\":\"Acme\"}]}");
	cJSON *parsed = cJSON_Parse(p);
	cr_expect_not_null(parsed, "the payload is JSON");
	cJSON_Delete(parsed);
	free(p);
}

Test(woo_batch, no_terms_send_no_list_and_names_are_not_ids)
{
	char *p = payload("{\"categories\":\"\",\"name\":\"Tee\",\"tags\":\"\"}", 42, NULL);
	cr_expect_str_eq(p, "{\"id\":42,\"name\":\"Tee\"}", "an empty list would clear the shop's");
	free(p);
	struct strbuf sb = {0};
	char err[256] = "";
	cr_expect_eq(woo_item_payload("{\"categories\":\"Office > Pens\"}", 0, NULL, &sb, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "categories 'Office > Pens' are not ids of the shop's categories");
	cr_expect_eq(sb.len, 0, "nothing written");
	sb_free(&sb);
}

Test(woo_batch, update_sends_the_id_and_only_the_update_fields)
{
	char *fields[] = {"regular_price", "stock_quantity", NULL};
	char *p = payload("{\"name\":\"Tee\",\"regular_price\":\"9.50\",\"sku\":\"A-1\",\"stock_quantity\":\"0\"}", 42, fields);
	cr_expect_str_eq(p, "{\"id\":42,\"regular_price\":\"9.50\",\"stock_quantity\":0,\"manage_stock\":true}");
	free(p);
	p = payload("{\"name\":\"Tee\",\"sku\":\"A-1\"}", 42, NULL);
	cr_expect_str_eq(p, "{\"id\":42,\"name\":\"Tee\"}", "an update without fields: all but the SKU");
	free(p);
}

Test(woo_batch, prices_that_woocommerce_would_empty_are_refused)
{
	struct strbuf sb = {0};
	char err[256];
	cr_expect_eq(woo_item_payload("{\"regular_price\":\"abc\",\"sku\":\"A\"}", 0, NULL, &sb, err, sizeof(err)), -1);
	cr_expect(strstr(err, "regular_price 'abc'") != NULL, "%s", err);
	cr_expect_eq(sb.len, 0u, "nothing written");
	cr_expect_eq(woo_item_payload("{\"regular_price\":\"1,50\"}", 0, NULL, &sb, err, sizeof(err)), -1);
	cr_expect_eq(woo_item_payload("{\"stock_quantity\":\"3.5\"}", 0, NULL, &sb, err, sizeof(err)), -1);
	cr_expect_eq(woo_item_payload("{\"regular_price\":\"\"}", 7, NULL, &sb, err, sizeof(err)), 0, "empty clears");
	sb_free(&sb);
}

Test(woo_batch, stored_text_is_read_as_json_whatever_its_escapes_and_values)
{
	/* escapes are decoded and written again as JSON; values that are not strings are not sent */
	char *p = payload("{ \"n\\u0061me\" : \"caf\\u00e9\\n\\\"x\\\\\", \"weight\":5, \"x\":null, "
	                  "\"y\":{\"a\":[1,\"]}\"]}, \"sku\":\"S-1\", \"note\":\"\" }", 0, NULL);
	cr_expect_str_eq(p, "{\"name\":\"café\\n\\\"x\\\\\",\"sku\":\"S-1\",\"type\":\"simple\","
	                    "\"meta_data\":[{\"key\":\"note\",\"value\":\"\"}]}");
	free(p);
	p = payload("{\"brand\":\"Acme\",\"stock_quantity\":\"\"}", 5, NULL);
	cr_expect_str_eq(p, "{\"id\":5,\"meta_data\":[{\"key\":\"brand\",\"value\":\"Acme\"}]}", "nothing before the meta");
	free(p);
	p = payload("{}", 0, NULL);
	cr_expect_str_eq(p, "{\"type\":\"simple\"}");
	free(p);
}

Test(woo_batch, stock_status_is_a_product_field)
{
	char *p = payload("{\"sku\":\"G-1\",\"stock_status\":\"onbackorder\"}", 3, NULL);
	cr_expect_str_eq(p, "{\"id\":3,\"stock_status\":\"onbackorder\"}", "not a meta_data entry");
	free(p);
}

Test(woo_batch, stored_text_that_is_not_an_object_is_refused_and_leaves_out_alone)
{
	static const char *const bad[] = {"not json", "[1]", "{\"name\":\"A\"", "{\"name\":\"A\",}", "{\"name\" \"A\"}",
	                                  "{\"a\":\"unclosed}", ""};
	struct strbuf sb = {0};
	sb_adds(&sb, "[{\"id\":1}");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		cr_expect_eq(woo_item_payload(bad[i], 0, NULL, &sb, err, sizeof(err)), -1, "%s", bad[i]);
		cr_expect_str_eq(err, "the stored product is not a JSON object", "%s", bad[i]);
		cr_expect_str_eq(sb_str(&sb), "[{\"id\":1}", "what was there stays: %s", bad[i]);
	}
	char err[256];
	cr_assert_eq(woo_item_payload("{\"sku\":\"B\"}", 0, NULL, &sb, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(sb_str(&sb), "[{\"id\":1}{\"sku\":\"B\",\"type\":\"simple\"}", "appended");
	sb_free(&sb);
}

Test(woo_batch, lookup_targets_join_encoded_skus_with_an_encoded_comma)
{
	const char *skus[] = {"FS-A", "a b+c", "Ş/1"};
	char *t = woo_lookup_target(skus, 3, 2);
	cr_expect_str_eq(t, "/wp-json/wc/v3/products?sku=FS-A%2Ca%20b%2Bc%2C%C5%9E%2F1&per_page=100&page=2"
	                    "&_fields=id,sku,parent_id");
	free(t);
	cr_expect(woo_sku_searchable("FS-A"));
	cr_expect(!woo_sku_searchable("A,B"), "a comma splits the filter");
	cr_expect(!woo_sku_searchable(" A"), "a space after a comma breaks the filter");
	cr_expect(!woo_sku_searchable(""));
	char *b = woo_batch_target(25);
	cr_expect_str_eq(b, "/wp-json/wc/v3/products/25/variations/batch");
	free(b);
}

static enum woo_verdict verdict(enum http_outcome outcome, long status, size_t items)
{
	struct http_request r = {.outcome = outcome, .status = status};
	return woo_verdict(&r, items);
}

Test(woo_batch, verdicts_halve_split_and_stop)
{
	cr_expect_eq(verdict(HTTP_DONE, 200, 100), WOO_ITEMS);
	cr_expect_eq(verdict(HTTP_DONE, 413, 100), WOO_HALVE);
	cr_expect_eq(verdict(HTTP_DONE, 413, 1), WOO_FAIL_ALL, "one item cannot be halved");
	cr_expect_eq(verdict(HTTP_DONE, 504, 2), WOO_SPLIT);
	cr_expect_eq(verdict(HTTP_DONE, 504, 1), WOO_FAIL_ALL);
	cr_expect_eq(verdict(HTTP_TIMED_OUT, 0, 50), WOO_SPLIT);
	cr_expect_eq(verdict(HTTP_TIMED_OUT, 0, 1), WOO_FAIL_ALL);
	cr_expect_eq(verdict(HTTP_DONE, 401, 10), WOO_AUTH);
	cr_expect_eq(verdict(HTTP_DONE, 403, 10), WOO_AUTH);
	cr_expect_eq(verdict(HTTP_DONE, 400, 10), WOO_FAIL_ALL);
	cr_expect_eq(verdict(HTTP_CIRCUIT_OPEN, 0, 10), WOO_UNAVAILABLE);
	cr_expect_eq(verdict(HTTP_TLS, 0, 10), WOO_TLS);
	cr_expect_eq(verdict(HTTP_CANCELLED, 0, 10), WOO_DROPPED);
	cr_expect_eq(verdict(HTTP_NETWORK, 0, 10), WOO_FAIL_ALL);
}

/* ---- what a failed answer keeps (run_errors.detail) ---- */

Test(woo_batch, failure_detail_names_the_request_and_the_answer)
{
	struct http_request r = {.method = "POST", .status = 503, .attempts = 3};
	r.target = xstrdup(WOO_API "/products?sku=A%2CB&per_page=100");
	str_copy(r.content_type, "text/html", sizeof(r.content_type));
	sb_adds(&r.response, "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head></html>");
	char *d = woo_failure_detail(&r, &(struct woo_failure){.code = "http_503", .message = "the shop answered HTTP 503",
	                                                       .action = "lookup", .excerpt = true});
	cJSON *j = cJSON_Parse(d);
	cr_assert_not_null(j, "%s", d);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "method")->valuestring, "POST");
	cr_expect_str_eq(cJSON_GetObjectItem(j, "path")->valuestring, WOO_API "/products", "no query");
	cr_expect_eq(cJSON_GetObjectItem(j, "status")->valueint, 503);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "content_type")->valuestring, "text/html");
	cr_expect(strstr(cJSON_GetObjectItem(j, "excerpt")->valuestring, "503 Service Temporarily") != NULL);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "code")->valuestring, "http_503");
	cr_expect_eq(cJSON_GetObjectItem(j, "attempts")->valueint, 3);
	cr_expect_null(cJSON_GetObjectItem(j, "remote_id"), "unknown members left out");
	cJSON_Delete(j);
	free(d);
	d = woo_failure_detail(&r, &(struct woo_failure){.code = "product_invalid_sku", .item_status = 400});
	cr_expect(strstr(d, "excerpt") == NULL, "one item of a batch answer keeps its own error, not the answer: %s", d);
	cr_expect(strstr(d, "\"item_status\":400") != NULL, "%s", d);
	free(d);
	http_request_clear(&r);
}

/* Splitting halves recursively reaches single items in about log2(n) rounds and loses none. */
Test(woo_batch, halves_reach_single_items)
{
	size_t sizes[256] = {100}, n = 1, rounds = 0, total = 0;
	while (n < 100) {
		size_t next[256], m = 0;
		for (size_t i = 0; i < n; i++) {
			if (sizes[i] == 1) {
				next[m++] = 1;
				continue;
			}
			size_t first = woo_split_point(sizes[i]);
			next[m++] = first;
			next[m++] = sizes[i] - first;
		}
		memcpy(sizes, next, m * sizeof(*sizes));
		n = m;
		rounds++;
	}
	for (size_t i = 0; i < n; i++)
		total += sizes[i];
	cr_expect_eq(total, 100u);
	cr_expect_eq(rounds, 7u);
	cr_expect_eq(woo_split_point(5), 3u);
	cr_expect_eq(woo_split_point(1), 1u);
}

static char *read_text(const char *path)
{
	cJSON *json = load(path);
	char *text = cJSON_Print(json);
	cJSON_Delete(json);
	return text;
}

Test(woo_batch, per_item_results_of_a_recorded_answer)
{
	char *answer = read_text("tests/fixtures/woo/batch-mixed-answer.json");
	struct woo_result r[4];
	bool found[4];
	/* the recording: one create, two updates; a fourth item the answer does not mention */
	cr_assert_eq(woo_batch_results(answer, strlen(answer), 1, 3, 4, r, found), 0);
	cr_expect(found[0] && found[1] && found[2] && !found[3]);
	cr_expect(!r[0].ok);
	cr_expect_str_eq(r[0].error.code, "product_invalid_sku");
	cr_expect_str_eq(r[0].error.message, "Invalid or duplicated SKU.");
	cr_expect_eq(r[0].resource_id, 19);
	cr_expect_eq(r[0].item_status, 400);
	cr_expect_str_eq(r[1].error.code, "woocommerce_rest_product_invalid_id");
	cr_expect_eq(r[1].id, 999999);
	cr_expect(r[2].ok);
	cr_expect_eq(r[2].id, 20);
	cr_expect_eq(r[2].parent_id, 0);
	cJSON_free(answer);
}

Test(woo_batch, delete_results_come_after_the_updates)
{
	/* as recording 39: a delete answers the deleted product, or an error for an id the shop lacks */
	const char *answer = "{\"update\": [{\"id\": 20, \"status\": \"draft\"}], \"delete\": [{\"id\": 21, "
	                     "\"sku\": \"FS-C\"}, {\"id\": 999999, \"error\": {\"code\": "
	                     "\"woocommerce_rest_product_invalid_id\", \"message\": \"Invalid ID.\", "
	                     "\"data\": {\"status\": 404}}}]}";
	struct woo_result r[3];
	bool found[3];
	cr_assert_eq(woo_batch_results(answer, strlen(answer), 0, 1, 3, r, found), 0);
	cr_expect(found[0] && found[1] && found[2]);
	cr_expect(r[0].ok && r[0].id == 20);
	cr_expect(r[1].ok && r[1].id == 21);
	cr_expect(!r[2].ok);
	cr_expect_str_eq(r[2].error.code, "woocommerce_rest_product_invalid_id");
	cr_expect_eq(r[2].item_status, 404);
}

Test(woo_batch, batch_answers_that_are_not_answers)
{
	struct woo_result r[2];
	bool found[2];
	const char *cut = "{\"create\": [{\"id\": 19, \"name\": \"Feedsync";
	cr_expect_eq(woo_batch_results(cut, strlen(cut), 2, 0, 2, r, found), -1);
	const char *html = "<html><body>Error establishing a database connection</body></html>";
	cr_expect_eq(woo_batch_results(html, strlen(html), 2, 0, 2, r, found), -1);
	const char *odd = "{\"create\": [{\"id\": 7, \"sku\": \"a\\\"]}\", \"x\": [1, {\"y\": null}]}, 5], \"z\": true}";
	cr_assert_eq(woo_batch_results(odd, strlen(odd), 2, 0, 2, r, found), 0, "%s", odd);
	cr_expect(found[0] && r[0].ok && r[0].id == 7);
	cr_expect(found[1] && !r[1].ok, "a result that is not an object");
	const char *empty = "{}";
	cr_expect_eq(woo_batch_results(empty, 2, 2, 0, 2, r, found), 0);
	cr_expect(!found[0] && !found[1]);
}

Test(woo_batch, lookups_see_variations_with_their_parent)
{
	cJSON *answer = load("tests/fixtures/woo/list-parent-and-variation.json");
	struct woo_found f;
	cr_assert(woo_list_item(answer, 0, &f));
	cr_expect_str_eq(f.sku, "FS-VAR-M");
	cr_expect_eq(f.id, 27);
	cr_expect_eq(f.parent_id, 25);
	cr_assert(woo_list_item(answer, 1, &f));
	cr_expect_eq(f.parent_id, 0);
	cr_expect(!woo_list_item(answer, 2, &f));
	cJSON_Delete(answer);
}

Test(woo_batch, answer_errors_in_words)
{
	struct http_request r = {.outcome = HTTP_DONE, .status = 413, .attempts = 1};
	r.json = cJSON_Parse("{\"code\":\"woocommerce_rest_invalid_product_id\",\"message\":\"use /products/&lt;id&gt;\"}");
	struct woo_error e;
	woo_answer_error(&r, &e);
	cr_expect_str_eq(e.code, "woocommerce_rest_invalid_product_id");
	cr_expect_str_eq(e.message, "use /products/<id>");
	cJSON_Delete(r.json);
	r.json = NULL;
	r.status = 504;
	r.attempts = 4;
	sb_adds(&r.response, "<html><body>504 Gateway Time-out</body></html>");
	woo_answer_error(&r, &e);
	cr_expect_str_eq(e.code, "http_504");
	cr_expect_str_eq(e.message, "the shop answered HTTP 504 with an HTML error page (after 4 attempts)");
	sb_free(&r.response);
}

/* ---- the gate ---- */

Test(gate, a_sku_is_claimed_once_whatever_its_case)
{
	struct gate *g = gate_get(9001);
	uint64_t a = gate_sku_key("Tee-S"), b = gate_sku_key("TEE-s");
	cr_expect_eq(a, b);
	cr_expect(gate_claim(g, a));
	cr_expect(!gate_claim(g, b), "the same SKU in another case is taken");
	gate_unclaim(g, a);
	cr_expect(gate_claim(g, b));
	gate_unclaim(g, b);
}

Test(gate, claims_survive_removals_around_them)
{
	struct gate *g = gate_get(9002);
	char sku[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(sku, sizeof(sku), "SKU-%d", i);
		cr_assert(gate_claim(g, gate_sku_key(sku)));
	}
	for (int i = 0; i < 3000; i += 2) {
		snprintf(sku, sizeof(sku), "SKU-%d", i);
		gate_unclaim(g, gate_sku_key(sku));
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(sku, sizeof(sku), "SKU-%d", i);
		bool free_now = gate_claim(g, gate_sku_key(sku));
		cr_assert_eq(free_now, i % 2 == 0, "SKU-%d", i);
	}
}

Test(gate, concurrency_is_shared_and_the_circuit_opens_then_probes)
{
	struct gate *g = gate_get(9003);
	struct gate_limits limits = {.concurrency = 2, .threshold = 3, .open_ms = 1000};
	struct gate_circuit stored = {.state = "closed"}, c;
	gate_configure(g, &limits, &stored);
	int64_t wait, now = 1000000;
	cr_expect_eq(gate_admit(g, now, &wait), GATE_GO);
	cr_expect_eq(gate_admit(g, now, &wait), GATE_GO);
	cr_expect_eq(gate_admit(g, now, &wait), GATE_WAIT, "two in flight already");
	cr_expect(!gate_release(g, now, GATE_NEUTRAL, NULL, &c));
	cr_expect(gate_release(g, now, GATE_TRANSIENT_FAILURE, NULL, &c), "first failure is news");
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(gate_admit(g, now, &wait), GATE_GO);
		gate_release(g, now, GATE_TRANSIENT_FAILURE, NULL, &c);
	}
	cr_expect_str_eq(c.state, "open");
	cr_expect_eq(c.reopen_at, now + 1000);
	cr_expect_eq(gate_admit(g, now + 10, &wait), GATE_OPEN);
	cr_expect_eq(gate_admit(g, now + 1000, &wait), GATE_GO, "the probe");
	cr_expect_eq(gate_admit(g, now + 1000, &wait), GATE_WAIT, "one probe at a time");
	cr_expect(gate_release(g, now + 1100, GATE_TRANSIENT_FAILURE, NULL, &c));
	cr_expect_str_eq(c.state, "open", "a failed probe opens it again");
	cr_expect_eq(c.reopen_at, now + 2100);
	cr_expect_eq(gate_admit(g, now + 2100, &wait), GATE_GO);
	cr_expect(gate_release(g, now + 2200, GATE_SUCCESS, NULL, &c));
	cr_expect_str_eq(c.state, "closed");
	cr_expect_eq(c.failures, 0);
}

/* A gate never used before, with these limits and its circuit closed. */
static struct gate *closed_gate(int64_t dest_id, struct gate_limits limits)
{
	struct gate *g = gate_get(dest_id);
	struct gate_circuit stored = {.state = "closed"};
	gate_configure(g, &limits, &stored);
	return g;
}

Test(gate, failures_within_one_window_count_once)
{
	struct gate *g = closed_gate(9004, (struct gate_limits){.concurrency = 4, .threshold = 3, .window_ms = 1000,
	                                                        .open_ms = 1000});
	struct gate_circuit c;
	int64_t wait, now = 1000000;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++)
			cr_assert_eq(gate_admit(g, now + round * 1000, &wait), GATE_GO);
		for (int i = 0; i < 4; i++)
			gate_release(g, now + round * 1000 + i, GATE_TRANSIENT_FAILURE, "POST /batch: HTTP 502", &c);
		cr_expect_str_eq(c.state, "closed", "four answers of one moment are one failure (round %d)", round);
		cr_expect_eq(c.failures, round + 1);
	}
	cr_assert_eq(gate_admit(g, now + 2000, &wait), GATE_GO);
	gate_release(g, now + 2000, GATE_TRANSIENT_FAILURE, "POST /batch: HTTP 503", &c);
	cr_expect_str_eq(c.state, "open", "the third window opens it");
	cr_expect_eq(c.since, now);
	cr_expect_eq(c.last_at, now + 2000);
	cr_expect_str_eq(c.last, "POST /batch: HTTP 503");
}

Test(gate, an_open_circuit_is_waited_for_within_the_patience)
{
	struct gate *g = closed_gate(9005, (struct gate_limits){.concurrency = 1, .threshold = 1, .open_ms = 3000,
	                                                        .patience_ms = 5000});
	struct gate_circuit c;
	int64_t wait, now = 1000000;
	cr_assert_eq(gate_admit(g, now, &wait), GATE_GO);
	gate_release(g, now, GATE_TRANSIENT_FAILURE, "GET /products: HTTP 502", &c);
	cr_expect_eq(gate_admit(g, now + 1000, &wait), GATE_WAIT, "held for the probe");
	cr_expect_eq(wait, 2000);
	cr_assert_eq(gate_admit(g, now + 3000, &wait), GATE_GO, "the probe");
	gate_release(g, now + 3000, GATE_TRANSIENT_FAILURE, "GET /products: HTTP 502", &c);
	cr_expect_eq(c.reopen_at, now + 5000, "the last probe comes as the patience ends");
	cr_expect(!gate_refuses(g, now + 4000));
	cr_assert_eq(gate_admit(g, now + 5000, &wait), GATE_GO, "the last probe");
	gate_release(g, now + 5000, GATE_TRANSIENT_FAILURE, "GET /products: HTTP 502", &c);
	cr_expect(gate_refuses(g, now + 5001));
	cr_expect_eq(gate_admit(g, now + 5001, &wait), GATE_OPEN, "the patience is spent");
}

static void fail_at(struct gate *g, int64_t at, struct gate_circuit *c)
{
	int64_t wait;
	cr_assert_eq(gate_admit(g, at, &wait), GATE_GO);
	gate_release(g, at, GATE_TRANSIENT_FAILURE, "POST /batch: HTTP 500", c);
}

Test(gate, a_request_out_of_retries_is_held_only_when_the_shop_fails_everything)
{
	struct gate *g = closed_gate(9006, (struct gate_limits){.concurrency = 2, .threshold = 100, .window_ms = 1000,
	                                                        .open_ms = 1000, .patience_ms = 60000});
	struct gate_circuit c;
	int64_t wait, now = 1000000;
	bool changed;
	fail_at(g, now, &c);
	cr_assert_eq(gate_admit(g, now + 1500, &wait), GATE_GO);
	gate_release(g, now + 1500, GATE_SUCCESS, NULL, &c);
	fail_at(g, now + 2000, &c);
	cr_expect(!gate_hold(g, now + 2100, 0, &changed, &c), "others succeed: the request itself fails");
	cr_expect(!changed);
	cr_expect_str_eq(c.state, "closed");
	fail_at(g, now + 3000, &c);
	cr_expect(gate_hold(g, now + 3100, 0, &changed, &c), "failures a window apart, nothing between them");
	cr_expect(changed);
	cr_expect_str_eq(c.state, "open");
	cr_expect(gate_hold(g, now + 3200, 0, &changed, &c), "an open circuit holds every request");
	cr_expect(!changed);
	cr_assert_eq(gate_admit(g, now + 4100, &wait), GATE_GO, "the probe");
	gate_release(g, now + 4100, GATE_SUCCESS, NULL, &c);
	fail_at(g, now + 5000, &c);
	fail_at(g, now + 6000, &c);
	cr_expect(!gate_hold(g, now + 6100, now + 3100, &changed, &c), "held before, and the shop answered since");
}
