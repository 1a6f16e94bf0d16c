/*
 * What a feed file looks like before anyone said: its format, its encoding and (CSV) its delimiter, read
 * from its first bytes. `feedsync preview FEED` and the wizard's Source step both ask here, so they agree.
 */
#ifndef FEEDSYNC_FEED_SNIFF_H
#define FEEDSYNC_FEED_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of the head a sniff reads: enough for a header line and the first items. */
#define SNIFF_BYTES 65536

struct feed_sniff {
	const char *format;    /* "csv", "json", "ndjson" (one object per line: a json source) or "xml" */
	const char *encoding;  /* "utf-8", "utf-16" (by its BOM) or, for bytes that are not UTF-8, "windows-1250" */
	bool bom;              /* the file starts with a byte order mark */
	bool encoding_guessed; /* the head is not UTF-8: the encoding is the likeliest one, not a certainty */
	char delimiter;        /* CSV: the delimiter a run would sniff; 0 for other formats */
};

/* Sniffs the local file at path. Returns 0, or -1 with err set when it cannot be read. */
int feed_sniff(const char *path, struct feed_sniff *out, char *err, size_t errsize);

#endif
