/* A stored run error told for people: the run screen's line, the labelled fields, the clipboard text. */
#include <criterion/criterion.h>
#include <string.h>

#include "tui/error_text.h"

static struct run_error_row item_error(const char *detail)
{
	struct run_error_row e = {.run_id = 7, .at = 1700000000000};
	strcpy(e.sku, "A-1");
	strcpy(e.code, "woocommerce_rest_product_invalid_sku");
	e.message = "the shop refused to create 'A-1': Invalid or duplicated SKU.";
	e.detail = (char *)detail;
	return e;
}

static char *told(void (*fn)(const struct run_error_row *, struct strbuf *), const struct run_error_row *e)
{
	struct strbuf sb = {0};
	fn(e, &sb);
	return sb_detach(&sb);
}

Test(error_text, an_item_refused_inside_http_200_shows_the_item_status_and_short_code)
{
	struct run_error_row e = item_error("{\"http_status\":200,\"item_status\":400,"
	                                    "\"endpoint\":\"/wp-json/wc/v3/products/batch\"}");
	char *line = told(error_text_line, &e);
	cr_assert(strstr(line, " sku A-1 item 400 product_invalid_sku: the shop refused"), "%s", line);
	cr_assert_null(strstr(line, "HTTP 200"), "an HTTP 200 says nothing worth the room: %s", line);
	cr_assert_null(strstr(line, "line 0"), "%s", line);
	free(line);
}

Test(error_text, a_refused_request_shows_its_http_status)
{
	struct run_error_row e = item_error("{\"status\":401}");
	strcpy(e.code, "push_failed");
	char *line = told(error_text_line, &e);
	cr_assert(strstr(line, "HTTP 401 push_failed: "), "%s", line);
	free(line);
}

Test(error_text, the_detail_reads_as_labelled_fields_and_the_rest_as_key_value)
{
	struct run_error_row e = item_error("{\"status\":502,\"code\":\"bad_gateway\",\"method\":\"POST\","
	                                    "\"path\":\"/wp-json/wc/v3/products/batch\",\"content_type\":\"text/html\","
	                                    "\"excerpt\":\"<h1>502</h1>\",\"attempts\":3,\"remote_id\":42}");
	char *text = told(error_text_fields, &e);
	const char *want[] = {
		"Code: bad_gateway\n", "SKU: A-1\n", "Status: HTTP 502\n", "Method/Path: POST /wp-json/wc/v3/products/batch\n",
		"Content-Type: text/html\n", "Excerpt: <h1>502</h1>\n", "attempts: 3\n", "remote_id: 42\n",
		"Message: the shop refused",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(text, want[i]), "no '%s' in:\n%s", want[i], text);
	cr_assert_null(strstr(text, "{\""), "raw JSON in:\n%s", text);
	free(text);
}

Test(error_text, a_detail_that_is_not_json_is_shown_as_it_is)
{
	struct run_error_row e = item_error("not json");
	char *text = told(error_text_fields, &e);
	cr_assert(strstr(text, "Detail: not json\n"), "%s", text);
	free(text);
}

Test(error_text, the_clipboard_gets_the_whole_error_without_control_bytes)
{
	struct run_error_row e = item_error("{\"http_status\":200,\"item_status\":400,\"excerpt\":\"bad\\u001b[2J\"}");
	e.message = "price 'abc\x1b]52;c;aGk=\x07' is not a number";
	struct strbuf sb = {0};
	error_text_copy(7, &e, &sb);
	const char *s = sb_str(&sb);
	cr_assert(strstr(s, "run 7: woocommerce_rest_product_invalid_sku sku A-1 HTTP 200 item 400: price 'abc^[]52"),
	          "%s", s);
	cr_assert(strstr(s, "(response: bad^[[2J)"), "%s", s);
	for (const char *p = s; *p; p++)
		cr_assert((unsigned char)*p >= 0x20, "a control byte in: %s", s);
	sb_free(&sb);
}
