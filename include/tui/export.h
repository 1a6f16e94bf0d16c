/* A list as CSV: every row the view selects, in its order, with its visible columns. */
#ifndef FEEDSYNC_TUI_EXPORT_H
#define FEEDSYNC_TUI_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "tui/table.h"

/* Rows written, or -1 with err set. Cells that start with = + - @ get a leading ' (spreadsheets run them). */
int64_t table_export_csv(const struct table *t, const struct cell_ctx *ctx, const char *path, char *err,
                         size_t errsize);

#endif
