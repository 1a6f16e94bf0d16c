/* What a feed's first bytes say: format, encoding, delimiter (feed/sniff.c). */
#include "feed_test.h"

#include "feed/sniff.h"

static struct feed_sniff sniff_ok(const char *path)
{
	struct feed_sniff s;
	char err[256];
	cr_assert_eq(feed_sniff(path, &s, err, sizeof(err)), 0, "%s", err);
	return s;
}

/* Sniffs text written to a file of its own. */
static struct feed_sniff sniff_text(const char *text)
{
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/feed", dir);
	write_file(path, text, strlen(text));
	struct feed_sniff s = sniff_ok(path);
	remove_work_dir(dir, "feed");
	return s;
}

Test(sniff, fixtures_by_their_first_bytes)
{
	struct feed_sniff s = sniff_ok(FEEDS "semicolon_bom.csv");
	cr_assert_str_eq(s.format, "csv");
	cr_assert_eq(s.delimiter, ';');
	cr_assert(s.bom);
	cr_assert_str_eq(s.encoding, "utf-8");
	cr_assert_str_eq(sniff_ok(FEEDS "array.json").format, "json");
	cr_assert_eq(sniff_ok(FEEDS "array.json").delimiter, 0);
	cr_assert_str_eq(sniff_ok(FEEDS "products.xml").format, "xml");
	cr_assert_str_eq(sniff_ok(FEEDS "rss.xml").format, "xml");
	cr_assert_eq(sniff_ok(FEEDS "tabs_crlf.tsv").delimiter, '\t');
}

Test(sniff, bytes_that_are_not_utf8_are_a_guess)
{
	struct feed_sniff s = sniff_ok(FEEDS "cp1250.csv");
	cr_assert_str_eq(s.encoding, "windows-1250");
	cr_assert(s.encoding_guessed);
	cr_assert_eq(s.delimiter, ',');
}

Test(sniff, json_lines_are_told_from_one_document)
{
	cr_assert_str_eq(sniff_text("{\"sku\": \"A\"}\n{\"sku\": \"B\"}\n").format, "ndjson");
	cr_assert_str_eq(sniff_text("{\n  \"products\": [{\"sku\": \"A\"}]\n}\n").format, "json");
	cr_assert_str_eq(sniff_text("  {\"products\": []}").format, "json");
	cr_assert_str_eq(sniff_text("\xEF\xBB\xBF[{\"sku\": \"A\"}]").format, "json");
}

Test(sniff, a_missing_file_says_so)
{
	struct feed_sniff s;
	char err[256];
	cr_assert_eq(feed_sniff("/nonexistent/feed.csv", &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot open /nonexistent/feed.csv"), "%s", err);
}
