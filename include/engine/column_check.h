/*
 * The columns a connection names, checked once per run against the feed's column names (the CSV header, or
 * the first record's names for JSON and XML). A missing `required` column fails the run. A column that the
 * mapping or a filter reads and the feed lacks, a price (or a field update.fields sends to a shop) that no
 * column fills, and two columns read under one name are warnings, never silence. Each message names the
 * column, the feed's columns, and a close match when there is one ("did you mean `Pret`?").
 */
#ifndef FEEDSYNC_ENGINE_COLUMN_CHECK_H
#define FEEDSYNC_ENGINE_COLUMN_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/problems.h"
#include "feed/conn.h"

struct column_report {
	/* "missing required column: price; the feed has: sku, name"; NULL when every required column is there */
	char *missing_required;
	struct problems warnings;
};

/* `header`: the names are the feed's header; false: they are the first record's, which the words then say. */
void column_check(const struct conn_config *conn, const char *const *names, size_t n, bool header,
                  struct column_report *out);
void column_report_free(struct column_report *r);

#endif
