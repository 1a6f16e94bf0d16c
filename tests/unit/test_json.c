#include "feed_test.h"

#include "core/util.h"

static const struct source_opts json_opts = {.format = "json"};

static void expect_open_error(const char *path, const struct source_opts *opts, const char *fragment)
{
	struct source_error err = {0};
	cr_assert_null(source_open(path, opts, &err), "%s opened", path);
	cr_assert(strstr(err.message, fragment), "'%s' lacks '%s'", err.message, fragment);
}

/* A generated feed in its own directory: the test passes the text, gets the open source. */
struct generated {
	char dir[64];
	char path[128];
	struct source *src;
};

static void generate(struct generated *g, const char *text, const struct source_opts *opts)
{
	make_work_dir(g->dir, sizeof(g->dir));
	snprintf(g->path, sizeof(g->path), "%s/f.json", g->dir);
	write_file(g->path, text, strlen(text));
	g->src = open_ok(g->path, opts);
}

static void generated_done(struct generated *g)
{
	source_close(g->src);
	remove_work_dir(g->dir, "f.json");
}

Test(json, top_level_array_keeps_number_text)
{
	struct source *src = open_ok(FEEDS "array.json", &json_opts);
	size_t n;
	cr_assert_null(source_columns(src, &n));
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	cr_assert_null(rec.problem);
	cr_assert_eq(rec.n, 6);
	expect_value(&rec, "sku", "A1");
	expect_value(&rec, "price", "12.50");
	expect_value(&rec, "qty", "3");
	expect_value(&rec, "active", "true");
	expect_value(&rec, "old", "false");
	expect_value(&rec, "note", "");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	expect_value(&rec, "price", "1e3");
	expect_value(&rec, "qty", "-4");
	expect_end(src);
	expect_end(src);
	cr_assert_eq(src->bytes_read, 138);
	source_close(src);
}

Test(json, array_inside_an_object_is_found_by_itself_or_by_name)
{
	struct source *src = open_ok(FEEDS "object.json", &json_opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 5);
	expect_value(&rec, "name", "Ceai");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 6);
	expect_value(&rec, "sku", "P2");
	expect_end(src); /* "total" after the array is read through */
	source_close(src);

	struct source_opts opts = {.format = "json", .item_path = "products"};
	src = open_ok(FEEDS "object.json", &opts);
	next_ok(src, &rec);
	expect_value(&rec, "sku", "P1");
	source_close(src);
}

Test(json, nested_path_nested_values_and_items_that_are_not_objects)
{
	struct source_opts opts = {.format = "json", .item_path = "data.items"};
	struct source *src = open_ok(FEEDS "nested.json", &opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	expect_value(&rec, "tags", "[\"a\",\"b\"]");
	expect_value(&rec, "dims", "{\"w\":1.5,\"h\":2}");
	expect_value(&rec, "name", "Șosetă");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	cr_assert_eq(rec.n, 0);
	cr_assert_str_eq(rec.problem, "the item is a string, not an object");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 4);
	cr_assert_null(rec.problem);
	expect_value(&rec, "sku", "N2");
	expect_end(src);
	source_close(src);
}

Test(json, html_is_named)
{
	struct source_error err = {0};
	cr_assert_null(source_open(FEEDS "html.json", &json_opts, &err));
	cr_assert_str_eq(err.message, "expected JSON but the file starts with '<' (an HTML page?)");
}

Test(json, objects_without_the_items_list_their_members)
{
	expect_open_error(FEEDS "no_items.json", &json_opts, "no array of items in the JSON object; it has: 'error', "
	                                                     "'retry'");
	expect_open_error(FEEDS "nested.json", &json_opts, "it has: 'data'");
	struct source_opts opts = {.format = "json", .item_path = "items"};
	expect_open_error(FEEDS "object.json", &opts, "no member 'items' in the JSON object (source.item_path); it "
	                                              "has: 'meta', 'note', 'products', 'total'");
	opts.item_path = "note";
	expect_open_error(FEEDS "object.json", &opts, "the member 'note' holds '\"', not an array of items");
}

Test(json, malformed_json_is_fatal_with_line_and_expectation)
{
	struct source *src = open_ok(FEEDS "malformed.json", &json_opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(src, &err), 1);
	cr_assert_eq(err.line, 4);
	cr_assert_str_eq(err.message, "invalid JSON: expected ',' or '}', found '\"'");
	source_close(src);

	src = open_ok(FEEDS "truncated.json", &json_opts);
	cr_assert_eq(expect_fatal(src, &err), 1);
	cr_assert_eq(err.line, 3);
	cr_assert(strstr(err.message, "never ends"), "%s", err.message);
	source_close(src);
}

Test(json, grammar_errors_say_what_was_expected)
{
	static const struct {
		const char *text;
		long line;
		const char *message;
	} cases[] = {
		{"[{\"a\":1},\n{\"b\" 2}]", 2, "invalid JSON: expected ':' after the member name, found '2'"},
		{"[{\"a\":1}\n{\"b\":2}]", 2, "invalid JSON: expected ',' or ']' after the item, found '{'"},
		{"[{\"a\":[1,2}]", 1, "invalid JSON: expected ',' or ']', found '}'"},
		{"[{\"a\":tru}]", 1, "invalid JSON: expected a value, found 'tru'"},
		{"[{a:1}]", 1, "invalid JSON: expected a member name in double quotes, found 'a'"},
		{"[{\"a\":1},]", 1, "invalid JSON: expected a value, found ']'"},
		{"[{\"a\":1}] x", 1, "invalid JSON: 'x' after the end of the document"},
		{"[{\"a\":1},\n\n{\"b\":\"\\q\"}]", 3, "invalid JSON near '\\q\"}' in the item that starts on line 3"},
		{"[{\"a\":1}", 1, "invalid JSON: expected ',' or ']' after the item, found the end of the file"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct generated g;
		generate(&g, cases[i].text, &json_opts);
		struct source_error err = {0};
		expect_fatal(g.src, &err);
		cr_expect_eq(err.line, cases[i].line, "case %zu: line %ld", i, err.line);
		cr_expect_str_eq(err.message, cases[i].message, "case %zu", i);
		generated_done(&g);
	}
}

Test(json, empty_inputs_just_end)
{
	struct source *src = open_ok(FEEDS "empty.json", &json_opts);
	expect_end(src);
	source_close(src);
	src = open_ok(FEEDS "empty_array.json", &json_opts);
	expect_end(src);
	source_close(src);
}

Test(json, invalid_utf8_in_a_string_is_a_row_problem)
{
	struct generated g;
	generate(&g, "[{\"sku\":\"1\",\"name\":\"Caf\xE8\"}]", &json_opts);
	struct record rec;
	next_ok(g.src, &rec);
	cr_assert_str_eq(rec.problem, "invalid UTF-8 in column 'name' at byte 4 (0xE8); if the feed is not UTF-8 set "
	                              "source.encoding, e.g. windows-1250");
	generated_done(&g);

	struct source_opts opts = {.format = "json", .encoding = "windows-1250"};
	generate(&g, "[{\"name\":\"\xAA\x63oal\xE3\"}]", &opts);
	next_ok(g.src, &rec);
	cr_assert_null(rec.problem);
	expect_value(&rec, "name", "Şcoală");
	generated_done(&g);
}

Test(json, items_across_chunk_boundaries_and_an_item_size_cap)
{
	enum { ITEMS = 20000 };
	struct strbuf sb = {0};
	sb_adds(&sb, "{\"meta\": {\"skip\": [\"]\", \"}\"]},\n \"products\": [\n");
	for (int i = 0; i < ITEMS; i++)
		sb_addf(&sb, "%s{\"sku\": \"S%d\", \"price\": %d.50, \"name\": \"ăîș \\\"q\\\" %d\"}\n", i ? "," : "",
		        i, i, i);
	sb_adds(&sb, "]}\n");
	struct generated g;
	generate(&g, sb.buf, &json_opts);
	struct record rec;
	char want[32];
	for (int i = 0; i < ITEMS; i++) {
		next_ok(g.src, &rec);
		cr_assert_eq(rec.line, i + 3);
		snprintf(want, sizeof(want), "%d.50", i);
		expect_value(&rec, "price", want);
		snprintf(want, sizeof(want), "ăîș \"q\" %d", i);
		expect_value(&rec, "name", want);
	}
	expect_end(g.src);
	cr_assert_eq(g.src->bytes_read, sb.len);
	generated_done(&g);

	struct source_opts opts = {.format = "json", .max_field_bytes = 1000};
	sb_reset(&sb);
	sb_adds(&sb, "[{\"a\":1},\n{\"a\":\"");
	for (int i = 0; i < 100000; i++)
		sb_adds(&sb, "x");
	sb_adds(&sb, "\"}]");
	generate(&g, sb.buf, &opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(g.src, &err), 1);
	cr_assert_eq(err.line, 2);
	cr_assert(strstr(err.message, "an item larger than"), "%s", err.message);
	generated_done(&g);
	sb_free(&sb);
}
