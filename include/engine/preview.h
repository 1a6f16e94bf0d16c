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
	char error[1024];         /* a fatal problem (download, parse); rows read before it are kept */
};

/* Reads up to max_rows rows. Returns 0, or -1 when the feed could not be read (error set). */
int preview_feed(const struct config *cfg, const struct conn_config *conn, size_t max_rows, struct preview *out);
/* The same from a local copy of the feed already fetched (the wizard reads its sample again as settings change). */
int preview_read(const struct config *cfg, const struct conn_config *conn, const char *path, size_t max_rows,
                 struct preview *out);
void preview_free(struct preview *p);

#endif
