/* Feed bytes to UTF-8 text: an iconv decoder that works chunk by chunk, and the chunked file reader on top. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "formats.h"

#define RAW_CHUNK (64 * 1024)

static const char utf8_bom[] = "\xEF\xBB\xBF";

bool encoding_is_utf8(const char *name)
{
	return !name || !*name || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0;
}

struct decoder {
	iconv_t cd;
	char *name;
	struct strbuf pending; /* input not converted yet: a sequence cut by the end of the last chunk */
	long newlines;         /* in the text produced so far: where an error is */
};

struct decoder *decoder_open(const char *encoding, struct source_error *err)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1) {
		source_fail(err, 0, "unknown encoding '%s' (iconv names such as windows-1250, iso-8859-2, utf-16)",
		            encoding);
		return NULL;
	}
	struct decoder *d = xcalloc(1, sizeof(*d));
	d->cd = cd;
	d->name = xstrdup(encoding);
	return d;
}

void decoder_close(struct decoder *d)
{
	if (!d)
		return;
	iconv_close(d->cd);
	sb_free(&d->pending);
	free(d->name);
	free(d);
}

static void count_newlines(struct decoder *d, const char *s, size_t len)
{
	const char *end = s + len;
	while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		d->newlines++;
		s++;
	}
}

/* Runs iconv over *in into out, growing out as needed. Returns 0, or the errno that stopped it. */
static int convert_into(struct decoder *d, char **in, size_t *left, struct strbuf *out)
{
	for (;;) {
		sb_reserve(out, (in ? *left : 0) * 2 + 16);
		char *dst = out->buf + out->len;
		size_t room = out->cap - out->len - 1;
		size_t before = room;
		size_t rc = iconv(d->cd, in, left, &dst, &room);
		count_newlines(d, out->buf + out->len, before - room);
		out->len += before - room;
		out->buf[out->len] = '\0';
		if (rc != (size_t)-1)
			return 0;
		if (errno != E2BIG)
			return errno;
	}
}

int decoder_convert(struct decoder *d, const char *in, size_t len, bool last, struct strbuf *out,
                    struct source_error *err)
{
	/* Copy only when a cut sequence waits: the common case converts straight from the caller's chunk. */
	bool from_pending = d->pending.len > 0;
	if (from_pending) {
		sb_add(&d->pending, in, len);
		in = d->pending.buf;
		len = d->pending.len;
	}
	char *src = (char *)in;
	size_t left = len;
	int rc = convert_into(d, &src, &left, out);
	if (rc == EILSEQ)
		return source_fail(err, d->newlines + 1, "the bytes are not valid %s (byte 0x%02X); check "
		                   "source.encoding", d->name, (unsigned char)*src);
	if (left && last)
		return source_fail(err, d->newlines + 1, "the file ends inside a multibyte %s character", d->name);
	if (from_pending) {
		memmove(d->pending.buf, src, left);
		d->pending.len = left;
	} else if (left) {
		sb_add(&d->pending, src, left);
	}
	if (last)
		convert_into(d, NULL, NULL, out); /* stateful encodings may still owe a shift sequence */
	return 0;
}

struct text_reader {
	int fd;
	char *path;
	struct decoder *decoder; /* NULL when the file is already UTF-8 */
	char *raw;               /* a chunk of the file, when converting */
	struct strbuf text;      /* converted text not handed out yet */
	size_t text_pos;
	unsigned long long bytes;
	bool at_start; /* a BOM may still come */
	bool at_end;
	bool had_bom;  /* the encoding came from a byte-order mark (dropped from the text) */
	char *note;    /* the declared encoding a BOM overrode, in words; NULL when none */
};

/* Byte-order marks, and the declared encodings each agrees with. */
static const struct {
	const char *bytes;
	size_t len;
	const char *encoding; /* what the text is then read as */
	const char *agrees[5];
} boms[] = {
	{utf8_bom, 3, "UTF-8", {"utf-8", "utf8", NULL}},
	{"\xFF\xFE", 2, "UTF-16LE", {"utf-16le", "utf16le", "utf-16", "utf16", NULL}},
	{"\xFE\xFF", 2, "UTF-16BE", {"utf-16be", "utf16be", "utf-16", "utf16", NULL}},
};

/* The index in boms of the mark the file starts with, or -1. Reads without moving the file offset. */
static int find_bom(int fd)
{
	unsigned char head[4];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	for (size_t i = 0; n > 0 && i < ARRAY_LEN(boms); i++)
		if ((size_t)n >= boms[i].len && memcmp(head, boms[i].bytes, boms[i].len) == 0)
			return (int)i;
	return -1;
}

static bool bom_agrees(int bom, const char *declared)
{
	for (const char *const *name = boms[bom].agrees; *name; name++)
		if (strcasecmp(declared, *name) == 0)
			return true;
	return false;
}

/*
 * A byte-order mark is the file's own word on its encoding, so it wins over source.encoding, which is often
 * a type's default (winmentor: windows-1250) that an export in UTF-8 no longer matches.
 */
struct text_reader *text_reader_open(const char *path, const char *encoding, struct source_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		source_fail(err, 0, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	char note[256] = "";
	int bom = find_bom(fd);
	if (bom >= 0) {
		if (encoding && *encoding && !bom_agrees(bom, encoding))
			snprintf(note, sizeof(note), "the file starts with a %s byte-order mark: read as %s, not as %s",
			         boms[bom].encoding, boms[bom].encoding, encoding);
		encoding = boms[bom].encoding;
	}
	struct decoder *decoder = NULL;
	if (!encoding_is_utf8(encoding) && !(decoder = decoder_open(encoding, err))) {
		close(fd);
		return NULL;
	}
	struct text_reader *r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	r->decoder = decoder;
	r->raw = decoder ? xmalloc(RAW_CHUNK) : NULL;
	r->at_start = true;
	r->had_bom = bom >= 0;
	r->note = note[0] ? xstrdup(note) : NULL;
	return r;
}

struct text_reader *source_text_open(struct source *src, const char *path, struct source_error *err)
{
	struct text_reader *r = text_reader_open(path, src->opts.encoding, err);
	if (r && r->note && !src->opts.encoding_is_default)
		problems_add(&src->warnings, "source.encoding", "%s", r->note);
	return r;
}

bool text_reader_converted(const struct text_reader *r)
{
	return r->decoder || r->had_bom;
}

void text_reader_close(struct text_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	decoder_close(r->decoder);
	sb_free(&r->text);
	free(r->raw);
	free(r->path);
	free(r->note);
	free(r);
}

unsigned long long text_reader_bytes(const struct text_reader *r)
{
	return r->bytes;
}

/* Reads until buf is full or the file ends, so a short count always means the end. */
static long read_full(struct text_reader *r, char *buf, size_t size, struct source_error *err)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(r->fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return source_fail(err, 0, "cannot read %s: %s", r->path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	r->bytes += got;
	if (got < size)
		r->at_end = true;
	return (long)got;
}

/* Drops a UTF-8 BOM at the very start of the text; returns the new length. */
static size_t skip_bom(struct text_reader *r, char *text, size_t len)
{
	if (!r->at_start || len == 0)
		return len;
	r->at_start = false;
	if (len < 3 || memcmp(text, utf8_bom, 3) != 0)
		return len;
	memmove(text, text + 3, len - 3);
	return len - 3;
}

static long read_utf8(struct text_reader *r, char *buf, size_t size, struct source_error *err)
{
	for (;;) {
		if (r->at_end)
			return 0;
		long n = read_full(r, buf, size, err);
		if (n <= 0)
			return n;
		n = (long)skip_bom(r, buf, (size_t)n);
		if (n > 0)
			return n;
	}
}

static long read_converted(struct text_reader *r, char *buf, size_t size, struct source_error *err)
{
	while (r->text_pos == r->text.len) {
		if (r->at_end)
			return 0;
		sb_reset(&r->text);
		r->text_pos = 0;
		long n = read_full(r, r->raw, RAW_CHUNK, err);
		if (n < 0 || decoder_convert(r->decoder, r->raw, (size_t)n, r->at_end, &r->text, err) < 0)
			return -1;
		/* "utf-16" eats its BOM, but "utf-16le" and friends hand it over as text. */
		r->text.len = skip_bom(r, r->text.buf, r->text.len);
	}
	size_t n = r->text.len - r->text_pos;
	if (n > size)
		n = size;
	memcpy(buf, r->text.buf + r->text_pos, n);
	r->text_pos += n;
	return (long)n;
}

long text_reader_read(struct text_reader *r, char *buf, size_t size, struct source_error *err)
{
	return r->decoder ? read_converted(r, buf, size, err) : read_utf8(r, buf, size, err);
}
