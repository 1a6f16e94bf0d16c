#include "feed_test.h"

#include <iconv.h>

#include "core/util.h"
#include "feed/encoding.h"

Test(encoding, utf8_names)
{
	cr_assert(encoding_is_utf8(NULL));
	cr_assert(encoding_is_utf8(""));
	cr_assert(encoding_is_utf8("UTF-8"));
	cr_assert(encoding_is_utf8("utf8"));
	cr_assert_not(encoding_is_utf8("utf-16"));
	cr_assert_not(encoding_is_utf8("windows-1250"));
}

Test(encoding, unknown_name)
{
	struct source_error err = {0};
	cr_assert_null(decoder_open("xyz", &err));
	cr_assert_str_eq(err.message, "unknown encoding 'xyz' (iconv names such as windows-1250, iso-8859-2, utf-16)");
	cr_assert_eq(err.line, 0);
}

/* Feeds `in` one byte per call: every multibyte sequence is cut. */
static void convert_bytewise(const char *encoding, const char *in, size_t len, struct strbuf *out)
{
	struct source_error err = {0};
	struct decoder *d = decoder_open(encoding, &err);
	cr_assert_not_null(d, "%s", err.message);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(decoder_convert(d, in + i, 1, i + 1 == len, out, &err), 0, "byte %zu: %s", i, err.message);
	decoder_close(d);
}

Test(encoding, sequences_cut_between_chunks)
{
	struct strbuf out = {0};
	/* "Șa\n€" in UTF-16LE with its BOM: 2-byte units, the euro sign cut in half */
	static const char utf16[] = "\xFF\xFE\x18\x02" "a\0" "\n\0" "\xAC\x20";
	convert_bytewise("UTF-16", utf16, sizeof(utf16) - 1, &out);
	cr_assert_str_eq(out.buf, "Șa\n€");

	sb_reset(&out); /* "日本" in Shift_JIS: 2 bytes each */
	convert_bytewise("SHIFT_JIS", "\x93\xfa\x96\x7b", 4, &out);
	cr_assert_str_eq(out.buf, "日本");

	sb_reset(&out);
	convert_bytewise("windows-1250", "\xAA\x63oal\xE3", 6, &out);
	cr_assert_str_eq(out.buf, "Şcoală");
	sb_free(&out);
}

Test(encoding, invalid_and_truncated_input_name_the_line)
{
	struct source_error err = {0};
	struct strbuf out = {0};
	struct decoder *d = decoder_open("windows-1250", &err);
	cr_assert_eq(decoder_convert(d, "a\nb\n", 4, false, &out, &err), 0);
	cr_assert_eq(decoder_convert(d, "c\x81", 2, false, &out, &err), -1);
	cr_assert_eq(err.line, 3);
	cr_assert_str_eq(err.message, "the bytes are not valid windows-1250 (byte 0x81); check source.encoding");
	decoder_close(d);

	sb_reset(&out);
	d = decoder_open("UTF-16LE", &err);
	cr_assert_eq(decoder_convert(d, "a\0\n\0b", 5, true, &out, &err), -1);
	cr_assert_eq(err.line, 2);
	cr_assert_str_eq(err.message, "the file ends inside a multibyte UTF-16LE character");
	decoder_close(d);
	sb_free(&out);
}

/* Reads the whole file through a text reader, `step` bytes at a most per call; returns the file size seen. */
static unsigned long long read_all(const char *path, const char *encoding, size_t step, struct strbuf *out)
{
	struct source_error err = {0};
	struct text_reader *r = text_reader_open(path, encoding, &err);
	cr_assert_not_null(r, "%s", err.message);
	char buf[4096];
	long n;
	while ((n = text_reader_read(r, buf, step, &err)) > 0)
		sb_add(out, buf, (size_t)n);
	cr_assert_eq(n, 0, "%s", err.message);
	unsigned long long bytes = text_reader_bytes(r);
	text_reader_close(r);
	return bytes;
}

/* want as UTF-16LE behind a BOM, written with iconv itself. */
static void write_utf16le(const char *path, const struct strbuf *want)
{
	struct strbuf raw = {0};
	sb_reserve(&raw, want->len * 2 + 2);
	memcpy(raw.buf, "\xFF\xFE", 2);
	char *in = want->buf, *outp = raw.buf + 2;
	size_t left = want->len, room = raw.cap - 2;
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	cr_assert_neq(iconv(cd, &in, &left, &outp, &room), (size_t)-1);
	iconv_close(cd);
	write_file(path, raw.buf, (size_t)(outp - raw.buf));
	sb_free(&raw);
}

Test(encoding, text_reader_skips_bom_and_converts_large_files)
{
	struct strbuf out = {0};
	cr_assert_eq(read_all(FEEDS "semicolon_bom.csv", NULL, 4096, &out), 90);
	cr_assert(str_starts_with(out.buf, "cod;denumire"), "%.20s", out.buf);

	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/u16.txt", dir);
	struct strbuf want = {0};
	for (int i = 0; i < 20000; i++) /* larger than the reader's chunks */
		sb_addf(&want, "%d ăș€\n", i);
	write_utf16le(path, &want);
	sb_reset(&out);
	read_all(path, "UTF-16LE", 777, &out); /* explicit byte order: the BOM arrives as text and is skipped */
	cr_assert_eq(out.len, want.len);
	cr_assert(memcmp(out.buf, want.buf, want.len) == 0);
	sb_reset(&out);
	read_all(path, "utf-16", 4096, &out);
	cr_assert_eq(out.len, want.len);
	cr_assert(memcmp(out.buf, want.buf, want.len) == 0);
	sb_free(&out);
	sb_free(&want);
	remove_work_dir(dir, "u16.txt");
}

/* Opens path as a source declaring `encoding` would, checks its warning, and reads it all into out. */
static void read_noted(const char *path, const char *encoding, const char *warning, struct strbuf *out)
{
	struct source src = {.opts = {.encoding = encoding}};
	struct source_error err = {0};
	struct text_reader *r = source_text_open(&src, path, &err);
	cr_assert_not_null(r, "%s", err.message);
	cr_assert_eq(src.warnings.n, warning ? 1 : 0, "%s", src.warnings.n ? src.warnings.items[0] : "no warning");
	if (warning)
		cr_assert_str_eq(src.warnings.items[0], warning);
	text_reader_close(r);
	problems_free(&src.warnings);
	sb_reset(out);
	read_all(path, encoding, 4096, out);
}

Test(encoding, a_bom_decides_the_encoding_and_says_so_when_it_overrides_one)
{
	struct strbuf out = {0};
	read_noted(FEEDS "semicolon_bom.csv", "windows-1250", "source.encoding: the file starts with a UTF-8 byte-order mark: read as "
	           "UTF-8, not as windows-1250", &out);
	cr_assert(str_starts_with(out.buf, "cod;denumire"), "%.20s", out.buf); /* no "ď»ż" */
	cr_assert(strstr(out.buf, "Mască de protecție"), "%s", out.buf);
	read_noted(FEEDS "semicolon_bom.csv", "UTF8", NULL, &out);
	read_noted(FEEDS "cp1250.csv", "windows-1250", NULL, &out); /* no BOM: the declared encoding */

	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/u16.txt", dir);
	struct strbuf want = {0};
	sb_adds(&want, "sku;name\nA1;ăș€\n");
	write_utf16le(path, &want);
	read_noted(path, NULL, NULL, &out); /* nothing declared, nothing overridden */
	cr_assert_str_eq(out.buf, want.buf);
	read_noted(path, "utf-16", NULL, &out);
	cr_assert_str_eq(out.buf, want.buf);
	read_noted(path, "iso-8859-2", "source.encoding: the file starts with a UTF-16LE byte-order mark: read as "
	           "UTF-16LE, not as iso-8859-2", &out);
	cr_assert_str_eq(out.buf, want.buf);
	sb_free(&out);
	sb_free(&want);
	remove_work_dir(dir, "u16.txt");
}

Test(encoding, text_reader_open_errors)
{
	struct source_error err = {0};
	cr_assert_null(text_reader_open(FEEDS "missing.csv", NULL, &err));
	cr_assert_str_eq(err.message, "cannot open " FEEDS "missing.csv: No such file or directory");
	cr_assert_null(text_reader_open(FEEDS "empty.csv", "nope-42", &err));
	cr_assert(strstr(err.message, "unknown encoding 'nope-42'"));
	text_reader_close(NULL);
	decoder_close(NULL);
}
