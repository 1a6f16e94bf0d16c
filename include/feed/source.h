/*
 * Sources turn a local file (already downloaded by fetch) into a stream of records.
 * Every source streams: memory stays flat whatever the size of the feed.
 * Adding a format is one file with a `struct source_ops` plus one line in the registry (source.c).
 */
#ifndef FEEDSYNC_FEED_SOURCE_H
#define FEEDSYNC_FEED_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/problems.h"
#include "feed/record.h"

struct source_opts {
	const char *format;       /* "csv", "json" or "xml" ("winmentor" is csv with its own defaults, "ndjson"
	                           * is json read one object per line) */
	char delimiter;           /* CSV: 0 = sniff from the header line among , ; TAB | */
	char enclosure;           /* CSV: 0 = '"' */
	const char *encoding;     /* NULL/"utf-8" = UTF-8 (BOM skipped); else an iconv name: windows-1250, iso-8859-2.
	                           * A byte-order mark at the start of the file overrides it (warnings say so) */
	bool encoding_is_default; /* encoding is the type's default, not the user's word: a BOM overrides it quietly */
	bool no_header;           /* CSV: no header row; columns are named col1, col2, ... */
	const char *item_path;    /* JSON: key of the item array inside the top-level object, NULL = the top-level
	                           * array or the only/first array member; XML: the repeated item element, NULL = auto */
	size_t max_field_bytes;   /* a larger single field is a fatal error naming its line; 0 = 64 MiB */
	const char *list_join;    /* JSON: joins the values of an array (not of images) into one column; NULL = " > " */
};

/* A fatal problem: the feed cannot be read on. `line` is 0 when no line applies. */
struct source_error {
	long line;
	char message[512];
};

struct source;

struct source_ops {
	const char *name;
	/* Fill src->impl; return 0, or -1 with err set. */
	int (*open)(struct source *src, const char *path, struct source_error *err);
	/* 1: *rec holds the next row (valid until the next call); 0: end of feed; -1: fatal error. */
	int (*next)(struct source *src, struct record *rec, struct source_error *err);
	void (*close)(struct source *src);
};

struct source {
	const struct source_ops *ops;
	struct source_opts opts;
	char delimiter_used;      /* CSV: the delimiter in effect after sniffing */
	unsigned long long bytes_read; /* of the file, for progress */
	void *impl;
	/* Column names known before the first row (the CSV header), set by open; NULL otherwise. */
	const char *const *columns;
	size_t n_columns;
	/* What was read differently from what was asked, set by open: a BOM that overrides source.encoding,
	 * header names that repeat. The run logs them, a preview shows them. */
	struct problems warnings;
};

const struct source_ops *source_find(const char *format); /* NULL when unknown */
/* Opens `path` as `opts->format`. NULL on failure with err set ("cannot open ...: reason"). */
struct source *source_open(const char *path, const struct source_opts *opts, struct source_error *err);
int source_next(struct source *src, struct record *rec, struct source_error *err);
void source_close(struct source *src); /* NULL-safe */
/*
 * The header names of a CSV feed, known right after open, so missing columns can be reported before the
 * first row. NULL (and *n = 0) for a zero-byte CSV and for JSON and XML, whose names come with each row.
 */
const char *const *source_columns(struct source *src, size_t *n);

#endif
