/*
 * The table model behind every list: declared columns, a sort column and direction, a substring filter,
 * a quick status filter, a cursor, and the window of rows on screen, read through store_views (so sorting,
 * filtering and counting happen in SQLite). No curses here: tests drive it without a terminal.
 */
#ifndef FEEDSYNC_TUI_TABLE_H
#define FEEDSYNC_TUI_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store_views.h"
#include "core/util.h"
#include "tui/draw.h"
#include "tui/theme.h"

#define TABLE_COLS_MAX 16

struct cell_ctx {
	const struct glyphs *g;
	int64_t now;        /* wall clock, ms */
	bool plain;         /* for export: no symbols, full times */
	const void *extra;  /* what a screen reads besides its rows (the connections' last runs); may be NULL */
};

/* What a cell without a value shows: "-" on screen, nothing in an export. */
static inline const char *cell_none(const struct cell_ctx *ctx)
{
	return ctx->plain ? "" : "-";
}

/* A time as an age on screen ("5m ago", "in 2h"), in full in an export, "-" when 0. */
void cell_time(int64_t at, const struct cell_ctx *ctx, struct strbuf *out);

/* Writes a cell's text; may set *role (ROLE_NORMAL on entry) to colour it. */
typedef void (*cell_fn)(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role);

struct table_column {
	const char *name;     /* in the column chooser and the CSV header */
	const char *title;    /* on screen */
	int width;            /* the most it takes (a flexible one: before the others share the rest) */
	int min_width;        /* the least it takes, however short its cells */
	bool flex;            /* takes the room left over, and gives way first */
	char align;           /* 'l' or 'r' */
	int field;            /* store_views field: sorting and filtering; -1 = neither */
	cell_fn format;
	bool hidden;          /* until chosen */
	int drop;             /* when the terminal is narrow, the highest goes first; 0 = kept to the last */
};

struct table_source {
	enum store_view view;
	size_t row_size;
	int (*fetch)(struct store_views *v, const struct view_query *q, int64_t offset, int limit, int64_t matched,
	             void **rows, size_t *n);
	void (*free_rows)(void *rows, size_t n);
	int64_t (*row_id)(const void *row);
	/*
	 * The window next to a row the table holds (keyset paging): `skip` rows after `edge` (before: before
	 * it, going up), then `limit`, in list order; `skip` -1: from the edge itself. NULL: every window is
	 * read at its offset.
	 */
	int (*seek)(struct store_views *v, const struct view_query *q, const void *edge, bool before, int64_t skip,
	            int limit, void **rows, size_t *n);
};

struct table {
	const struct table_column *cols;
	int ncols;
	bool shown[TABLE_COLS_MAX];
	const struct table_source *src;
	struct store_views *views;

	int sort_col;                /* index in cols */
	bool descending;
	char filter[128];
	enum quick_filter quick;
	int64_t connection_id;       /* runs of one connection; 0 = all */

	int64_t matched, total;      /* "matched of total" */
	int64_t cursor;              /* the selected row, as an index in the sorted, filtered list */
	int64_t top;                 /* the first row on screen */
	int page;                    /* rows on screen */

	int64_t *marks;              /* ids of the marked rows, in the order marked (tui/table_marks.c) */
	size_t nmarks, cap_marks;

	void *rows;                  /* the window: rows [top, top + nrows) */
	size_t nrows;
	int64_t rows_top;            /* the index of rows[0]: top, until a move reads the next window */
	char error[256];             /* the last store error, "" when none */

	struct {                     /* where the table was last drawn, for the mouse */
		int y;                   /* the header row; rows follow */
		int x[TABLE_COLS_MAX], w[TABLE_COLS_MAX];
		uint64_t cells_hash;     /* of the window's cell texts, to see when a clock in them moved */
	} drawn;
};

void table_init(struct table *t, const struct table_column *cols, int ncols, const struct table_source *src,
                struct store_views *views);
void table_free(struct table *t);

/* Counts and reads the window again; the selected row stays selected when it is still in view. 0 or -1. */
int table_reload(struct table *t);
/* Rows on screen; reads a new window when it changes. */
void table_set_page(struct table *t, int rows);

void table_move(struct table *t, int64_t delta);
void table_move_to(struct table *t, int64_t index);
/*
 * Selects the row with this id when the sorted, filtered list has it (read a page at a time from the
 * top: for short lists, such as the connections). True when found.
 */
bool table_select_id(struct table *t, int64_t id);

void table_sort_next(struct table *t);       /* the next visible sortable column, ascending */
void table_sort_previous(struct table *t);   /* the previous one, ascending */
void table_sort_reverse(struct table *t);
void table_sort_by(struct table *t, int col);  /* the same column again reverses */
void table_set_filter(struct table *t, const char *text);
void table_set_quick(struct table *t, enum quick_filter quick);
/* The view's next quick filter, after the last back to all. */
void table_next_quick(struct table *t);
/* Shows or hides a column; the last visible one stays. */
void table_toggle_column(struct table *t, int col);

struct view_query table_query(const struct table *t);
const void *table_row_at(const struct table *t, int64_t index);  /* NULL outside the window */
const void *table_selected(const struct table *t);

/* Marks: row ids kept across reloads, so a mark stays on its row whatever the sort or filter. */
bool table_is_marked(const struct table *t, int64_t id);
/* Marks the selected row, or unmarks it when it was marked. */
void table_toggle_mark(struct table *t);
void table_clear_marks(struct table *t);

/*
 * The index, in the sorted and filtered list, of the next row after `from` (dir 1) or before it (dir -1)
 * whose visible cells hold `text` (any case), going round the end; -1 when no row does. *wrapped says
 * whether it went round. Reads the list a window at a time, so memory stays flat however long it is.
 */
int64_t table_search(struct table *t, const char *text, int dir, int64_t from, const struct cell_ctx *ctx,
                     bool *wrapped);

/*
 * Column positions for a terminal `width` columns wide: x[i] and w[i] for each column, w[i] 0 for hidden
 * or dropped ones. need[i] is the widest text of column i on screen, its title included (NULL: each takes
 * its width). A column that is not flexible takes its need, within [min_width, width], so its cells show
 * whole; flexible ones (names) give way first, down to their min_width, and share what is left. When that
 * does not fit, columns are dropped rather than cut: the highest drop first, then from the right.
 */
void table_layout(const struct table *t, int width, const int *need, int *x, int *w);

#endif
