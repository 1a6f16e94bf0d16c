#include "feed_test.h"

#include "core/util.h"
#include "feed/json_flat.h"

static const struct source_opts json_opts = {.format = "json"};

static void expect_open_error(const char *path, const struct source_opts *opts, const char *fragment)
{
	struct source_error err = {0};
	cr_assert_null(source_open(path, opts, &err), "%s opened", path);
	cr_assert(strstr(err.message, fragment), "'%s' lacks '%s'", err.message, fragment);
}

/* The next row must be malformed, on this line, for this reason. */
static void expect_problem_row(struct source *src, long line, const char *problem)
{
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, line);
	cr_assert_eq(rec.n, 0);
	cr_assert_str_eq(rec.problem, problem);
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
	cr_assert_eq(rec.item, 1);
	expect_value(&rec, "tags", "a > b");
	expect_value(&rec, "dims.w", "1.50");
	expect_value(&rec, "dims.h", "2");
	cr_assert_null(record_get(&rec, "dims"));
	expect_value(&rec, "name", "Șosetă");
	expect_problem_row(src, 3, "the item is a string, not an object");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 4);
	cr_assert_eq(rec.item, 3);
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
	cr_assert_str_eq(err.message, "item 2: invalid JSON: expected ',' or '}', found '\"'");
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
		{"[{\"a\":1},\n{\"b\" 2}]", 2, "item 2: invalid JSON: expected ':' after the member name, found '2'"},
		{"[{\"a\":1}\n{\"b\":2}]", 2, "invalid JSON: expected ',' or ']' after the item, found '{'"},
		{"[{\"a\":[1,2}]", 1, "item 1: invalid JSON: expected ',' or ']', found '}'"},
		{"[{\"a\":tru}]", 1, "item 1: invalid JSON: expected a value, found 'tru'"},
		{"[{a:1}]", 1, "item 1: invalid JSON: expected a member name in double quotes, found 'a'"},
		{"[{\"a\":1},]", 1, "item 2: invalid JSON: expected a value, found ']'"},
		{"[{\"a\":1}] x", 1, "invalid JSON: 'x' after the end of the document"},
		{"[{\"a\":1},\n\n{\"b\":\"\\q\"}]", 3, "item 2: invalid JSON near '\\q\"}' in the item that starts on line 3"},
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

/* A second item of 100 000 bytes between head and tail is fatal, on its line, past a cap of 1000 bytes. */
static void expect_item_size_cap(const struct source_opts *opts, const char *head, const char *tail)
{
	struct strbuf sb = {0};
	sb_adds(&sb, head);
	for (int i = 0; i < 100000; i++)
		sb_adds(&sb, "x");
	sb_adds(&sb, tail);
	struct generated g;
	generate(&g, sb.buf, opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(g.src, &err), 1);
	cr_assert_eq(err.line, 2);
	cr_assert(strstr(err.message, "an item larger than"), "%s", err.message);
	generated_done(&g);
	sb_free(&sb);
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

	sb_free(&sb);
	struct source_opts opts = {.format = "json", .max_field_bytes = 1000};
	expect_item_size_cap(&opts, "[{\"a\":1},\n{\"a\":\"", "\"}]");
}

/* ---- nested items, flattened -------------------------------------------------------------------------- */

/* The first row of a one-item feed written to f.json. */
static void first_row(struct generated *g, const char *text, const struct source_opts *opts, struct record *rec)
{
	generate(g, text, opts);
	next_ok(g->src, rec);
}

Test(json, nested_objects_become_dotted_columns_with_numbers_as_written)
{
	struct generated g;
	struct record rec;
	first_row(&g, "[{\"sku\": \"A\", \"price\": {\"amount\": 12.50, \"currency\": \"RON\", \"old\": null},\n"
	              " \"flags\": {\"new\": true, \"sale\": false}, \"dims\": {}, \"a\": {\"b\": {\"c\": -1e3}}}]",
	          &json_opts, &rec);
	cr_assert_null(rec.problem);
	cr_assert_eq(rec.n, 7);
	expect_value(&rec, "sku", "A");
	expect_value(&rec, "price.amount", "12.50");
	expect_value(&rec, "price.currency", "RON");
	expect_value(&rec, "price.old", "");
	expect_value(&rec, "flags.new", "true");
	expect_value(&rec, "flags.sale", "false");
	expect_value(&rec, "a.b.c", "-1e3");
	cr_assert_null(record_get(&rec, "dims"), "an empty object has no column");
	generated_done(&g);
}

Test(json, a_repeated_key_is_read_as_key_2_with_one_warning_a_path)
{
	struct generated g;
	struct record rec;
	first_row(&g, "[{\"sku\": \"A\", \"price\": 1, \"price\": 2, \"price\": 3,"
	              " \"d\": {\"w\": 1, \"w_2\": 5, \"w\": 9}},\n {\"sku\": \"B\", \"price\": 4, \"price\": 5}]",
	          &json_opts, &rec);
	expect_value(&rec, "price", "1");
	expect_value(&rec, "price_2", "2");
	expect_value(&rec, "price_3", "3");
	expect_value(&rec, "d.w", "1");
	expect_value(&rec, "d.w_2", "5");
	expect_value(&rec, "d.w_3", "9"); /* w_2 is taken: the first free suffix */
	struct problems *w = &g.src->warnings;
	cr_assert_eq(w->n, 3, "one warning a repeated path");
	cr_expect_str_eq(w->items[0], "columns: item 1: key 3 `price` repeats key 2; read it as `price_2`");
	cr_expect_str_eq(w->items[1], "columns: item 1: key 4 `price` repeats key 2; read it as `price_3`");
	cr_expect_str_eq(w->items[2], "columns: item 1: key 3 `d.w` repeats key 1; read it as `d.w_3`");
	next_ok(g.src, &rec);
	expect_value(&rec, "price_2", "5");
	cr_assert_eq(w->n, 3, "not warned again for the next item");
	generated_done(&g);
}

Test(json, lists_join_with_the_category_delimiter_and_images_with_a_bar)
{
	struct generated g;
	struct record rec;
	first_row(&g, "[{\"categories\": [\"Casă\", \"\", null, \"Bucătărie\"], \"sizes\": [38, 39.5],"
	              " \"images\": [\"a.jpg\", \"b.jpg\"], \"Poze\": [\"c.jpg\"], \"tags\": []}]",
	          &json_opts, &rec);
	expect_value(&rec, "categories", "Casă > Bucătărie");
	expect_value(&rec, "sizes", "38 > 39.5");
	expect_value(&rec, "images", "a.jpg|b.jpg");
	expect_value(&rec, "Poze", "c.jpg");
	expect_value(&rec, "tags", "");
	generated_done(&g);

	struct source_opts opts = {.format = "json", .list_join = "/"};
	first_row(&g, "[{\"categories\": [\"Casă\", \"Baie\"]}]", &opts, &rec);
	expect_value(&rec, "categories", "Casă/Baie");
	generated_done(&g);
}

Test(json, arrays_of_objects_by_index_and_by_wildcard)
{
	struct generated g;
	struct record rec;
	first_row(&g, "[{\"images\": [{\"url\": \"a.jpg\", \"w\": 100}, {\"url\": \"b.jpg\"}],"
	              " \"variants\": [{\"sku\": \"V1\", \"tags\": [\"x\", \"y\"]}, {\"sku\": \"\"}, {\"sku\": \"V3\"}],"
	              " \"mixed\": [1, {\"k\": 2}]}]",
	          &json_opts, &rec);
	cr_assert_null(rec.problem);
	expect_value(&rec, "images.0.url", "a.jpg");
	expect_value(&rec, "images.0.w", "100");
	expect_value(&rec, "images.1.url", "b.jpg");
	expect_value(&rec, "images.*.url", "a.jpg|b.jpg");
	expect_value(&rec, "images.*.w", "100");
	expect_value(&rec, "variants.0.sku", "V1");
	expect_value(&rec, "variants.1.sku", "");
	expect_value(&rec, "variants.0.tags", "x > y");
	expect_value(&rec, "variants.*.sku", "V1 > V3");
	expect_value(&rec, "variants.*.tags", "x > y");
	expect_value(&rec, "mixed.0", "1");
	expect_value(&rec, "mixed.1.k", "2");
	expect_value(&rec, "mixed.*", "1");
	expect_value(&rec, "mixed.*.k", "2");
	generated_done(&g);
}

Test(json, nesting_and_column_limits_are_row_problems_naming_the_path)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "[{\"sku\": \"D\", \"a\": ");
	for (int i = 0; i < JSON_FLAT_MAX_DEPTH + 1; i++)
		sb_adds(&sb, "{\"b\": ");
	sb_adds(&sb, "1");
	for (int i = 0; i < JSON_FLAT_MAX_DEPTH + 1; i++)
		sb_adds(&sb, "}");
	sb_adds(&sb, "},\n{\"sku\": \"W\", \"v\": [");
	for (int i = 0; i < JSON_FLAT_MAX_COLUMNS - 1; i++) /* with sku, room for every leaf, none for v.*.k */
		sb_addf(&sb, "%s{\"k\": %d}", i ? "," : "", i);
	sb_adds(&sb, "]},\n{\"sku\": \"OK\"}]");
	struct generated g;
	generate(&g, sb.buf, &json_opts);
	struct record rec;
	next_ok(g.src, &rec);
	cr_assert_eq(rec.n, 0);
	cr_assert_not_null(rec.problem);
	cr_assert(strstr(rec.problem, "the item is nested deeper than 32 levels (at 'a.b.b.b."), "%s", rec.problem);
	next_ok(g.src, &rec);
	cr_assert_str_eq(rec.problem, "the item has more than 1000 columns once its nested values are flattened "
	                              "(at 'v.*.k')");
	next_ok(g.src, &rec);
	cr_assert_null(rec.problem);
	cr_assert_eq(rec.item, 3);
	expect_value(&rec, "sku", "OK");
	expect_end(g.src);
	generated_done(&g);
	sb_free(&sb);
}

Test(json, invalid_utf8_deep_inside_names_the_path)
{
	struct generated g;
	struct record rec;
	first_row(&g, "[{\"sku\": \"1\", \"price\": {\"label\": [\"ok\", \"Caf\xE8\"]}}]", &json_opts, &rec);
	cr_assert_not_null(rec.problem);
	cr_assert(strstr(rec.problem, "invalid UTF-8 in column 'price.label' at byte 4"), "%s", rec.problem);
	generated_done(&g);
}

/* ---- NDJSON ------------------------------------------------------------------------------------------- */

static void generate_named(struct generated *g, const char *name, const char *text, const struct source_opts *opts)
{
	make_work_dir(g->dir, sizeof(g->dir));
	snprintf(g->path, sizeof(g->path), "%s/%s", g->dir, name);
	write_file(g->path, text, strlen(text));
	g->src = open_ok(g->path, opts);
}

static void generated_named_done(struct generated *g, const char *name)
{
	source_close(g->src);
	remove_work_dir(g->dir, name);
}

static const char ndjson_text[] = "{\"sku\": \"L1\", \"price\": {\"amount\": 1.50}}\n"
                                  "\n"
                                  "{\"sku\": \"L2\", \"images\": [\"a\", \"b\"]}\r\n"
                                  "{\"sku\": \"L3\", \"price\": \n"
                                  "[1, 2]\n"
                                  "{\"sku\": \"L4\"} {\"sku\": \"L5\"}\n"
                                  "  {\"sku\": \"L6\"}  ";

/* The rows of ndjson_text, whichever way the reader was told it is NDJSON. */
static void expect_ndjson_rows(struct source *src)
{
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 1);
	cr_assert_eq(rec.item, 0, "a line names an NDJSON row");
	expect_value(&rec, "price.amount", "1.50");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	expect_value(&rec, "images", "a|b");
	expect_problem_row(src, 4, "column 23: invalid JSON: the line ends inside the object");
	expect_problem_row(src, 5, "the line holds an array, not an object");
	expect_problem_row(src, 6, "column 15: invalid JSON after the object: '{\"sku\": \"L5\"}'");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 7);
	cr_assert_null(rec.problem);
	expect_value(&rec, "sku", "L6");
	expect_end(src);
	expect_end(src);
}

Test(json, ndjson_by_extension_by_format_or_sniffed)
{
	static const char *const names[] = {"f.jsonl", "f.NDJSON", "f.json"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		struct generated g;
		generate_named(&g, names[i], ndjson_text, &json_opts);
		expect_ndjson_rows(g.src);
		cr_assert_eq(g.src->bytes_read, strlen(ndjson_text));
		generated_named_done(&g, names[i]);
	}
	/* The first line broken: sniffing cannot tell, the format can. */
	struct source_opts opts = {.format = "ndjson"};
	struct generated g;
	generate_named(&g, "feed", "{\"sku\": \n{\"sku\": \"B\"}\n", &opts);
	struct record rec;
	next_ok(g.src, &rec);
	cr_assert_not_null(rec.problem);
	next_ok(g.src, &rec);
	expect_value(&rec, "sku", "B");
	expect_end(g.src);
	generated_named_done(&g, "feed");
}

Test(json, documents_are_not_sniffed_as_ndjson)
{
	struct generated g;
	struct record rec;
	first_row(&g, "{\"products\": [{\"sku\": \"P\", \"images\": [\"a\"]}]}\n", &json_opts, &rec);
	expect_value(&rec, "sku", "P");
	expect_end(g.src);
	generated_done(&g);
	first_row(&g, "{\n \"products\": [{\"sku\": \"Q\"}]\n}\n{\"sku\": \"R\"}\n", &json_opts, &rec);
	expect_value(&rec, "sku", "Q");
	struct source_error err = {0};
	expect_fatal(g.src, &err);
	cr_assert_eq(err.line, 4);
	cr_assert(strstr(err.message, "another JSON object follows the document; if the feed holds one object per line "
	                              "(NDJSON), set source.format to \"ndjson\""), "%s", err.message);
	generated_done(&g);

	make_work_dir(g.dir, sizeof(g.dir));
	snprintf(g.path, sizeof(g.path), "%s/f.json", g.dir);
	const char *objects = "{\n \"sku\": \"S1\"\n}\n{\n \"sku\": \"S2\"\n}\n";
	write_file(g.path, objects, strlen(objects));
	expect_open_error(g.path, &json_opts, "another JSON object follows the first one; if the feed holds one "
	                                      "object per line (NDJSON)");
	remove_work_dir(g.dir, "f.json");
}

Test(json, ndjson_streams_lines_across_chunks_with_a_line_size_cap)
{
	enum { LINES = 20000 };
	struct strbuf sb = {0};
	for (int i = 0; i < LINES; i++)
		sb_addf(&sb, "{\"sku\": \"S%d\", \"price\": {\"amount\": %d.50}, \"name\": \"ăîș \\\"q\\\" %d\"}\n", i, i, i);
	struct generated g;
	generate_named(&g, "f.jsonl", sb.buf, &json_opts);
	struct record rec;
	char want[32];
	for (int i = 0; i < LINES; i++) {
		next_ok(g.src, &rec);
		cr_assert_eq(rec.line, i + 1);
		snprintf(want, sizeof(want), "%d.50", i);
		expect_value(&rec, "price.amount", want);
	}
	expect_end(g.src);
	generated_named_done(&g, "f.jsonl");

	sb_free(&sb);
	struct source_opts opts = {.format = "ndjson", .max_field_bytes = 1000};
	expect_item_size_cap(&opts, "{\"a\":1}\n{\"a\":\"", "\"}\n");
}
