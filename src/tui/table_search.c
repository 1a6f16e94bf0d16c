/*
 * n/N on a list: the next row whose cells, as the screen shows them, hold the searched text (see table.h).
 * The rows are read in the table's own order and filter, a window at a time.
 */
#include <stdlib.h>

#include "tui/table.h"

#define SEARCH_WINDOW 500

static bool row_matches(const struct table *t, const void *row, const char *text, const struct cell_ctx *ctx)
{
	struct strbuf cell = {0};
	bool hit = false;
	for (int i = 0; i < t->ncols && !hit; i++) {
		if (!t->shown[i])
			continue;
		enum role role = ROLE_NORMAL;
		sb_reset(&cell);
		t->cols[i].format(row, ctx, &cell, &role);
		hit = text_contains_folded(sb_str(&cell), text);
	}
	sb_free(&cell);
	return hit;
}

struct window {
	void *rows;
	size_t n;
	int64_t start;
};

/* Reads the window holding index, placed so that the search goes on through it in its direction. */
static int read_window(struct table *t, const struct view_query *q, int64_t index, int dir, struct window *w)
{
	if (w->rows)
		t->src->free_rows(w->rows, w->n);
	w->rows = NULL;
	w->n = 0;
	w->start = dir > 0 ? index : index - SEARCH_WINDOW + 1;
	if (w->start < 0)
		w->start = 0;
	return t->src->fetch(t->views, q, w->start, SEARCH_WINDOW, t->matched, &w->rows, &w->n);
}

int64_t table_search(struct table *t, const char *text, int dir, int64_t from, const struct cell_ctx *ctx,
                     bool *wrapped)
{
	*wrapped = false;
	int64_t n = t->matched, found = -1;
	if (!text || !text[0] || n <= 0)
		return -1;
	struct view_query q = table_query(t);
	struct window w = {0};
	for (int64_t step = 1; step <= n && found < 0; step++) {
		int64_t index = ((from + dir * step) % n + n) % n;
		if (index < w.start || index >= w.start + (int64_t)w.n) {
			if (read_window(t, &q, index, dir, &w) < 0 || index >= w.start + (int64_t)w.n)
				break;   /* a store error, or rows gone since the count: the search ends here */
		}
		if (row_matches(t, (const char *)w.rows + (size_t)(index - w.start) * t->src->row_size, text, ctx)) {
			found = index;
			*wrapped = dir > 0 ? index <= from : index >= from;
		}
	}
	if (w.rows)
		t->src->free_rows(w.rows, w.n);
	return found;
}
