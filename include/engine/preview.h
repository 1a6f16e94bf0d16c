/*
 * The head of a feed as the pipeline sees it, without touching the catalog: each row's verdict (ok,
 * skipped by a filter, failed and why) and the product it maps to, plus warnings about the columns.
 * `feedsync preview` prints it; the wizard shows it.
 */
#ifndef FEEDSYNC_ENGINE_PREVIEW_H
#define FEEDSYNC_ENGINE_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/problems.h"
#include "engine/rows.h"
#include "feed/conn.h"
#include "feed/sniff.h"

/* What one rule did to a row's product (before and after are NULL when the product lacks the field). */
struct preview_step {
	size_t rule;
	char *field;
	char *before;
	char *after;
	bool applied;             /* false: its when was false and it has no else */
};

struct preview_row {
	long line;
	long item;                /* record.item: a JSON array's or XML feed's item ("item 12"), 0 in a CSV or NDJSON */
	char *sku;                /* the row's SKU when readable, whatever its verdict; NULL otherwise */
	enum row_verdict verdict;
	char **values;            /* raw values, one per preview.columns entry ("" when the row lacks it) */
	char *product_json;       /* ROW_OK: the mapped product */
	char *error_code;         /* ROW_FAILED */
	char *error_column;
	char *error_message;
	struct preview_step *steps; /* one per rule run, in order (a failing rule ends them) */
	size_t n_steps;
};

struct preview {
	char **columns;           /* the feed's column names (of the header, or of the first row) */
	size_t n_columns;
	struct preview_row *rows;
	size_t n_rows;
	size_t ok, skipped, failed;
	struct problems warnings; /* missing required columns, columns nothing reads */
	char delimiter;           /* CSV: the delimiter in effect (as given, or sniffed); 0 for other formats */
	char format[16];          /* the format the feed was read as */
	char encoding[64];        /* the encoding it was read in */
	struct feed_sniff sniff;  /* what its first bytes look like (format NULL when the file was not read) */
	bool sniffed;             /* format and encoding are the sniff's: no connection named them */
	bool run_would_fail;      /* missing required columns, an unreadable or empty feed: a run would fail */
	char error[1024];         /* a fatal problem (download, parse); rows read before it are kept */
};

/* Reads up to max_rows rows. Returns 0, or -1 when the feed could not be read (error set). */
int preview_feed(const struct config *cfg, const struct conn_config *conn, size_t max_rows, struct preview *out);
/* The same from a local copy of the feed already fetched (the wizard reads its sample again as settings change). */
int preview_read(const struct config *cfg, const struct conn_config *conn, const char *path, size_t max_rows,
                 struct preview *out);
/*
 * A feed without a connection document (a path or URL): read in the format, encoding and delimiter its first
 * bytes show, with the defaults of a new connection (auto mapping, sku required). Returns as preview_feed.
 */
int preview_bare_feed(const struct config *cfg, const char *location, size_t max_rows, struct preview *out);
/* Where a row is, for messages, as runs say it: "item 12" in a JSON array or XML feed, else "line 12". */
const char *preview_row_location(const struct preview_row *row, char buf[RECORD_PLACE_SIZE]);
void preview_free(struct preview *p);

#endif
