#include "feed_test.h"

#include "core/util.h"

static const struct source_opts xml_opts = {.format = "xml"};

Test(xml, items_are_detected_with_attributes_cdata_and_flattened_children)
{
	struct source *src = open_ok(FEEDS "products.xml", &xml_opts);
	size_t n;
	cr_assert_null(source_columns(src, &n));
	struct record rec;
	next_ok(src, &rec); /* <generated> comes first but has no element children */
	cr_assert_eq(rec.line, 4);
	cr_assert_null(rec.problem);
	expect_value(&rec, "id", "1");
	expect_value(&rec, "status", "active");
	expect_value(&rec, "sku", "X1");
	expect_value(&rec, "name", "Mouse <wireless> & co");
	expect_value(&rec, "price", "12.50");
	expect_value(&rec, "price_currency", "RON");
	expect_value(&rec, "images_image", "a.jpg|b.jpg");
	expect_value(&rec, "empty", "");
	cr_assert_null(record_get(&rec, "images"), "a parent of elements is no field");
	cr_assert_null(record_get(&rec, "generated"));
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 14);
	cr_assert_eq(rec.n, 3);
	expect_value(&rec, "name", "Tastatură");
	expect_end(src);
	expect_end(src);
	cr_assert_eq(src->bytes_read, 425);
	source_close(src);
}

Test(xml, item_path_finds_items_at_any_depth)
{
	struct source_opts opts = {.format = "xml", .item_path = "item"};
	struct source *src = open_ok(FEEDS "rss.xml", &opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	cr_assert_eq(rec.n, 2);
	expect_value(&rec, "g:id", "G1");
	expect_value(&rec, "title", "One");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 6);
	expect_value(&rec, "g:id", "G2");
	expect_end(src);
	source_close(src);
}

Test(xml, rss_items_are_found_without_item_path)
{
	struct source *src = open_ok(FEEDS "rss.xml", &xml_opts); /* channel is not the item, though first */
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	cr_assert_eq(rec.n, 2);
	expect_value(&rec, "g:id", "G1");
	expect_value(&rec, "title", "One");
	next_ok(src, &rec);
	expect_value(&rec, "g:id", "G2");
	expect_end(src);
	source_close(src);
}

Test(xml, atom_entries_are_found_without_item_path)
{
	struct source *src = open_ok(FEEDS "atom.xml", &xml_opts); /* author comes first, with children */
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 6);
	expect_value(&rec, "g:id", "A1");
	expect_value(&rec, "link_href", "https://shop.example.com/mug");
	expect_value(&rec, "g:price", "12.00 EUR");
	next_ok(src, &rec);
	expect_value(&rec, "title", "Cup");
	expect_end(src);
	source_close(src);
}

Test(xml, atom_entries_keep_the_feed_prefix)
{
	struct source *src = open_ok(FEEDS "atom-prefixed.xml", &xml_opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.n, 1, "atom:author is no entry");
	expect_value(&rec, "atom:id", "P1");
	source_close(src);
}

/* The feed at path holds exactly the rows whose field name has the values given, in order. */
static void expect_rows(const char *path, const char *name, const char *const *values)
{
	struct source *src = open_ok(path, &xml_opts);
	struct record rec;
	for (; *values; values++) {
		next_ok(src, &rec);
		expect_value(&rec, name, *values);
	}
	expect_end(src);
	source_close(src);
}

Test(xml, rss1_items_are_found_without_item_path)
{
	expect_rows(FEEDS "rss1.xml", "rdf:about", (const char *const[]){"a", NULL}); /* not the channel */
}

Test(xml, a_feed_root_outside_the_atom_namespace_is_any_xml)
{
	expect_rows(FEEDS "feed-root.xml", "sku", (const char *const[]){"F1", "F2", NULL});
}

Test(xml, internal_entities_are_expanded)
{
	struct source *src = open_ok(FEEDS "entities.xml", &xml_opts);
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "name", "Acme mug");
	expect_value(&rec, "maker", "Acme Ltd");
	expect_value(&rec, "note", "<b> & \xc8\x99");
	expect_end(src);
	source_close(src);
}

Test(xml, entity_bomb_is_refused)
{
	struct source *src = open_ok(FEEDS "billion-laughs.xml", &xml_opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(src, &err), 0);
	cr_assert(strstr(err.message, "entity expansion refused"), "%s", err.message);
	cr_assert(strstr(err.message, "billion laughs"), "%s", err.message);
	source_close(src);
}

Test(xml, malformed_xml_is_fatal_with_its_line)
{
	struct source *src = open_ok(FEEDS "malformed.xml", &xml_opts);
	struct source_error err = {0};
	expect_fatal(src, &err);
	cr_assert_eq(err.line, 6);
	cr_assert(strstr(err.message, "invalid XML: Opening and ending tag mismatch"), "%s", err.message);
	source_close(src);
}

Test(xml, declared_or_configured_encoding)
{
	struct source *src = open_ok(FEEDS "cp1250.xml", &xml_opts);
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "name", "Şcoală");
	source_close(src);

	struct source_opts opts = {.format = "xml", .encoding = "windows-1250"};
	src = open_ok(FEEDS "cp1250.xml", &opts);
	next_ok(src, &rec);
	expect_value(&rec, "name", "Şcoală");
	expect_end(src);
	source_close(src);
}

Test(xml, external_entities_are_never_read)
{
	struct source *src = open_ok(FEEDS "xxe.xml", &xml_opts);
	struct record rec;
	struct source_error err = {0};
	int rc;
	while ((rc = source_next(src, &rec, &err)) == 1)
		for (size_t i = 0; i < rec.n; i++)
			cr_assert_null(strstr(rec.values[i], "root:"), "%s leaked /etc/passwd", rec.names[i]);
	source_close(src);
}

Test(xml, empty_file_just_ends)
{
	struct source *src = open_ok(FEEDS "empty.xml", &xml_opts);
	expect_end(src);
	source_close(src);
}

/*
 * libxml2 keeps an element's line in 16 bits: up to line 65535 lines are exact, past it they come from the
 * parser's position, which runs ahead of the reader by up to a few hundred bytes.
 */
Test(xml, many_items_stream_with_exact_lines)
{
	enum { ITEMS = 17000 }; /* 68 000 lines */
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/many.xml", dir);
	struct strbuf sb = {0};
	sb_adds(&sb, "<?xml version=\"1.0\"?>\n<products>\n");
	for (int i = 0; i < ITEMS; i++)
		sb_addf(&sb, "<product code=\"%d\">\n  <name>Produs ș %d</name>\n  <tag>a</tag><tag>b</tag>\n</product>\n",
		        i, i);
	sb_adds(&sb, "</products>\n");
	write_file(path, sb.buf, sb.len);
	struct source *src = open_ok(path, &xml_opts);
	struct record rec;
	char want[32];
	for (int i = 0; i < ITEMS; i++) {
		next_ok(src, &rec);
		long line = 3 + 4 * i;
		if (line < 65535)
			cr_assert_eq(rec.line, line);
		else
			cr_assert(rec.line >= line && rec.line < line + 40, "item at line %ld read as %ld", line, rec.line);
		snprintf(want, sizeof(want), "%d", i);
		expect_value(&rec, "code", want);
		snprintf(want, sizeof(want), "Produs ș %d", i);
		expect_value(&rec, "name", want);
		expect_value(&rec, "tag", "a|b");
	}
	expect_end(src);
	source_close(src);

	struct source_opts opts = {.format = "xml", .max_field_bytes = 10};
	src = open_ok(path, &opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(src, &err), 0);
	cr_assert_eq(err.line, 3);
	cr_assert(strstr(err.message, "a value larger than"), "%s", err.message);
	source_close(src);
	sb_free(&sb);
	remove_work_dir(dir, "many.xml");
}
