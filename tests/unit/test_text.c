/* Terminal safety and measurement of feed text; the small helpers of util.h. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/text.h"
#include "core/util.h"

static char *sanitized(const char *s, int keep_newlines)
{
	struct strbuf sb = {0};
	text_sanitize(s, &sb, keep_newlines);
	return sb_detach(&sb);
}

static char *fitted(const char *s, size_t width, int ascii)
{
	struct strbuf sb = {0};
	text_fit(s, width, ascii, &sb);
	return sb_detach(&sb);
}

Test(text, escape_sequences_are_made_visible)
{
	char *s = sanitized("red \x1b[31mtext\x07", 0);
	cr_assert_null(strchr(s, 0x1b));
	cr_assert_null(strchr(s, 0x07));
	cr_assert(strstr(s, "^["), "%s", s);
	free(s);
}

Test(text, newlines_are_kept_only_when_asked)
{
	char *one = sanitized("a\nb", 0), *many = sanitized("a\nb", 1);
	cr_assert_null(strchr(one, '\n'));
	cr_assert_str_eq(many, "a\nb");
	free(one);
	free(many);
}

Test(text, invalid_utf8_is_shown_as_hex)
{
	char *s = sanitized("ok\xff", 0);
	cr_assert(strstr(s, "\\xFF") || strstr(s, "\\xff"), "%s", s);
	free(s);
}

Test(text, width_counts_wide_and_combining_characters)
{
	cr_assert_eq(text_width("abc"), 3);
	cr_assert_eq(text_width("ţară"), 4);
	cr_assert_eq(text_width("日本"), 4);
	cr_assert_eq(text_width("e\xcc\x81"), 1);
}

Test(text, fit_cuts_with_an_ellipsis_and_never_splits_a_wide_character)
{
	char *a = fitted("abcdefgh", 5, 0), *b = fitted("abcdefgh", 5, 1), *c = fitted("日本語です", 5, 0),
	     *d = fitted("abc", 5, 0);
	cr_assert_str_eq(a, "abcd…");
	cr_assert_str_eq(b, "abcd~");
	cr_assert_leq(text_width(c), 5);
	cr_assert_str_eq(d, "abc");
	free(a);
	free(b);
	free(c);
	free(d);
}

Test(util, parse_int64_rejects_garbage_and_overflow)
{
	int64_t v;
	cr_assert(parse_int64("42", &v) && v == 42);
	cr_assert_not(parse_int64("42x", &v));
	cr_assert_not(parse_int64("", &v));
	cr_assert_not(parse_int64("99999999999999999999", &v));
}

Test(util, strbuf_grows_and_detaches)
{
	struct strbuf sb = {0};
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	cr_assert(str_starts_with(sb_str(&sb), "0,1,2,"));
	cr_assert(str_ends_with(sb_str(&sb), "999,"));
	char *s = sb_detach(&sb);
	cr_assert_str_eq(sb_str(&sb), "");
	free(s);
}

Test(util, formats_are_human)
{
	char buf[64];
	format_duration(1500, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1.5s");
	format_bytes(2048, buf, sizeof(buf));
	cr_assert(strstr(buf, "2") && strstr(buf, "K"), "%s", buf);
}

Test(util, sizes_as_the_ini_writes_them)
{
	char buf[32];
	format_size_setting((uint64_t)64 << 20, buf, sizeof(buf));
	cr_assert_str_eq(buf, "64m");
	format_size_setting((uint64_t)2 << 30, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2g");
	format_size_setting(1536, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1536", "not a whole KiB: the plain number");
	format_size_setting(3072, buf, sizeof(buf));
	cr_assert_str_eq(buf, "3k");
	format_size_setting(1000, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1000");
}
