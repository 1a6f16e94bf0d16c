/* Drawing a table and answering the mouse over it; the model is tui/table.h. */
#ifndef FEEDSYNC_TUI_TABLE_VIEW_H
#define FEEDSYNC_TUI_TABLE_VIEW_H

#include "tui/draw.h"
#include "tui/table.h"

/* The column titles on row y (with the sort arrow), then the rows of the window, to row y + h - 1. */
void table_view_draw(struct table *t, const struct draw *d, const struct cell_ctx *ctx, int y, int h);
/*
 * Whether the window's cells, formatted for ctx->now, read differently from when they were drawn: a
 * relative time ("5s ago", "in 14h") moved on. No store access: the rows in memory are formatted again.
 */
bool table_view_cells_changed(const struct table *t, const struct cell_ctx *ctx);
/* "12 of 40  failed  /acme  sort name ▲" for the title bar. */
void table_view_summary(const struct table *t, const struct glyphs *g, struct strbuf *out);
/* A click at (y, x): on the titles sorts by that column, on a row selects it. True when it hit the table. */
bool table_view_click(struct table *t, int y, int x);

#endif
