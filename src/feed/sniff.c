#include "feed/sniff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/source.h"

static size_t skip_space(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* A line that is one whole object, followed by a line that starts another: JSON lines, not one document. */
static bool looks_like_json_lines(const char *s, size_t start, size_t n)
{
	const char *nl = memchr(s + start, '\n', n - start);
	if (!nl)
		return false;
	size_t end = (size_t)(nl - s);
	while (end > start && (s[end - 1] == '\r' || s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (end == start || s[end - 1] != '}')
		return false;
	size_t next = skip_space(s, (size_t)(nl - s) + 1, n);
	return next < n && s[next] == '{';
}

static const char *sniff_format(const char *s, size_t start, size_t n)
{
	size_t i = skip_space(s, start, n);
	if (i < n && s[i] == '<')
		return "xml";
	if (i < n && s[i] == '[')
		return "json";
	if (i < n && s[i] == '{')
		return looks_like_json_lines(s, i, n) ? "ndjson" : "json";
	return "csv";
}

static void sniff_encoding(const char *s, size_t n, bool whole, struct feed_sniff *out)
{
	out->encoding = "utf-8";
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		out->bom = true;
		return;
	}
	if (n >= 2 && (memcmp(s, "\xFF\xFE", 2) == 0 || memcmp(s, "\xFE\xFF", 2) == 0)) {
		out->bom = true;
		out->encoding = "utf-16";
		return;
	}
	size_t ok = utf8_valid_prefix(s, n);
	if (ok == n || (!whole && n - ok < 4))   /* a character cut by the end of the read */
		return;
	out->encoding = "windows-1250";          /* the legacy encoding of the exports feedsync meets most */
	out->encoding_guessed = true;
}

/* The delimiter the CSV source itself settles on, so the sniff can never disagree with a run. */
static char sniff_delimiter(const char *path, const char *encoding)
{
	struct source_opts opts = {.format = "csv", .encoding = encoding};
	struct source_error serr = {0};
	struct source *src = source_open(path, &opts, &serr);
	char d = src ? src->delimiter_used : 0;
	source_close(src);
	return d;
}

int feed_sniff(const char *path, struct feed_sniff *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	char *head = xmalloc(SNIFF_BYTES);
	size_t n = fread(head, 1, SNIFF_BYTES, f);
	bool whole = feof(f);
	fclose(f);
	sniff_encoding(head, n, whole, out);
	/* UTF-16 text has a NUL byte beside every ASCII one: only a decoded copy shows its format. */
	out->format = str_eq(out->encoding, "utf-16") ? "csv" : sniff_format(head, out->bom ? 3 : 0, n);
	free(head);
	if (str_eq(out->format, "csv"))
		out->delimiter = sniff_delimiter(path, out->encoding);
	return 0;
}
