/* The registry of feed formats and the calls every format goes through. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "feed/source.h"
#include "formats.h"

static const struct source_ops *const formats[] = {
	&csv_source_ops,
	&json_source_ops,
	&xml_source_ops,
};

/* Names that are a known format under another name (with defaults the connection supplies). */
static const struct {
	const char *alias;
	const char *format;
} aliases[] = {
	{"winmentor", "csv"},
	{"ndjson", "json"},
};

const struct source_ops *source_find(const char *format)
{
	if (!format)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strcasecmp(format, aliases[i].alias) == 0)
			format = aliases[i].format;
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (strcasecmp(format, formats[i]->name) == 0)
			return formats[i];
	return NULL;
}

/* The source keeps its own copies so the caller's options may go away while it reads. */
static void copy_opts(struct source_opts *dst, const struct source_opts *src)
{
	*dst = *src;
	dst->format = src->format ? xstrdup(src->format) : NULL;
	dst->encoding = src->encoding ? xstrdup(src->encoding) : NULL;
	dst->item_path = src->item_path ? xstrdup(src->item_path) : NULL;
	dst->list_join = src->list_join ? xstrdup(src->list_join) : NULL;
}

static void free_source(struct source *src)
{
	free((char *)src->opts.format);
	free((char *)src->opts.encoding);
	free((char *)src->opts.item_path);
	problems_free(&src->warnings);
	free((char *)src->opts.list_join);
	free(src);
}

struct source *source_open(const char *path, const struct source_opts *opts, struct source_error *err)
{
	const struct source_ops *ops = source_find(opts->format);
	if (!ops) {
		source_fail(err, 0, "unknown source format '%s' (csv, json, xml or winmentor)",
		            opts->format ? opts->format : "");
		return NULL;
	}
	struct source *src = xcalloc(1, sizeof(*src));
	src->ops = ops;
	copy_opts(&src->opts, opts);
	if (ops->open(src, path, err) < 0) {
		/* An open error is reported without its line, so the words carry it. */
		if (err->line > 0) {
			char msg[sizeof(err->message)];
			snprintf(msg, sizeof(msg), "line %ld: %s", err->line, err->message);
			str_copy(err->message, msg, sizeof(err->message));
		}
		free_source(src);
		return NULL;
	}
	return src;
}

int source_next(struct source *src, struct record *rec, struct source_error *err)
{
	rec->item = 0;
	return src->ops->next(src, rec, err);
}

void source_close(struct source *src)
{
	if (!src)
		return;
	src->ops->close(src);
	free_source(src);
}

const char *const *source_columns(struct source *src, size_t *n)
{
	*n = src->columns ? src->n_columns : 0;
	return src->columns;
}

int source_fail(struct source_error *err, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->line = line;
	return -1;
}

void *array_grow_slow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t old = *cap;
	size_t n = old ? old : 16;
	while (n < need)
		n *= 2;
	p = xrealloc(p, n * elem);
	memset((char *)p + old * elem, 0, (n - old) * elem);
	*cap = n;
	return p;
}

size_t source_max_field(const struct source *src)
{
	return src->opts.max_field_bytes ? src->opts.max_field_bytes : DEFAULT_MAX_FIELD_BYTES;
}

const char *source_check_utf8(char *buf, size_t size, const char *column, const char *value, size_t len)
{
	size_t good = utf8_valid_prefix(value, len);
	if (good == len)
		return NULL;
	snprintf(buf, size, "invalid UTF-8 in column '%s' at byte %zu (0x%02X); if the feed is not UTF-8 set "
	         "source.encoding, e.g. windows-1250", column, good + 1, (unsigned char)value[good]);
	return buf;
}
