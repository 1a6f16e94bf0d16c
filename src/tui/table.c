/* The table model: query state, cursor and window (see table.h). */
#include "tui/table.h"

#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const struct table_column *cols, int ncols, const struct table_source *src,
                struct store_views *views)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols < TABLE_COLS_MAX ? ncols : TABLE_COLS_MAX;
	t->src = src;
	t->views = views;
	t->page = 1;
	for (int i = 0; i < t->ncols; i++)
		t->shown[i] = !cols[i].hidden;
}

static void drop_rows(struct table *t)
{
	if (t->rows)
		t->src->free_rows(t->rows, t->nrows);
	t->rows = NULL;
	t->nrows = 0;
}

void table_free(struct table *t)
{
	drop_rows(t);
	free(t->marks);
}

struct view_query table_query(const struct table *t)
{
	struct view_query q = {
		.sort = t->cols[t->sort_col].field,
		.descending = t->descending,
		.filter = t->filter,
		.quick = t->quick,
		.connection_id = t->connection_id,
	};
	for (int i = 0; i < t->ncols; i++)
		if (t->shown[i] && store_views_searchable(t->src->view, t->cols[i].field))
			q.filter_fields |= UINT32_C(1) << t->cols[i].field;
	return q;
}

static void set_error(struct table *t)
{
	str_copy(t->error, store_views_errmsg(t->views), sizeof(t->error));
}

/* Keeps the cursor in the list and on screen. */
static void clamp(struct table *t)
{
	if (t->cursor >= t->matched)
		t->cursor = t->matched - 1;
	if (t->cursor < 0)
		t->cursor = 0;
	if (t->top > t->cursor)
		t->top = t->cursor;
	if (t->cursor >= t->top + t->page)
		t->top = t->cursor - t->page + 1;
	int64_t last_top = t->matched - t->page;
	if (t->top > last_top)
		t->top = last_top;
	if (t->top < 0)
		t->top = 0;
}

static const void *held_row(const struct table *t, int64_t index)
{
	return (const char *)t->rows + (size_t)(index - t->rows_top) * t->src->row_size;
}

/*
 * Reads the window at t->top next to the rows held, when the source can seek and that skips fewer rows
 * than an offset from the nearer end would: after the row above the new window for a move down, before
 * the row below it for a move up, from its own first row for a reload (not at the top, where rows that
 * came before that row belong in the window). 1 read, 0 not read that way (or the list changed under the rows held:
 * fewer rows came than the count promised), -1 an error.
 */
static int seek_window(struct table *t, const struct view_query *q, void **rows, size_t *n)
{
	if (!t->src->seek || !t->rows || !t->nrows || t->matched < 0)
		return 0;
	int64_t last = t->rows_top + (int64_t)t->nrows - 1, at, skip;
	bool before = t->top < t->rows_top;
	if (t->top > t->rows_top) {
		at = t->top - 1 < last ? t->top - 1 : last;
		skip = t->top - 1 - at;
	} else if (before) {
		int64_t end = t->top + t->page;
		at = end > t->rows_top ? end : t->rows_top;
		if (at > last)
			return 0;
		skip = at - end;
	} else if (t->top > 0) {
		at = t->top;
		skip = -1;
	} else {
		return 0;
	}
	int64_t below = t->matched - t->top - t->page;
	if (skip >= (t->top < below ? t->top : below))
		return 0;
	int64_t want = t->matched - t->top < t->page ? t->matched - t->top : t->page;
	if (t->src->seek(t->views, q, held_row(t, at), before, skip, t->page, rows, n) < 0)
		return -1;
	if ((int64_t)*n == want)
		return 1;
	t->src->free_rows(*rows, *n);
	return 0;
}

static int fetch(struct table *t)
{
	struct view_query q = table_query(t);
	void *rows = NULL;
	size_t n = 0;
	int rc = seek_window(t, &q, &rows, &n);
	if (rc == 0)
		rc = t->src->fetch(t->views, &q, t->top, t->page, t->matched, &rows, &n);
	drop_rows(t);
	if (rc < 0) {
		set_error(t);
		return -1;
	}
	t->rows = rows;
	t->nrows = n;
	t->rows_top = t->top;
	return 0;
}

static int count(struct table *t, bool matched_too)
{
	struct view_query q = table_query(t);
	if (store_views_count(t->views, t->src->view, &q, matched_too ? &t->matched : NULL, &t->total) == 0)
		return 0;
	set_error(t);
	drop_rows(t);
	t->matched = t->total = 0;
	return -1;
}

/*
 * Counting what a filter matches reads every row. When the window starts the list and is not full, it
 * holds every match and that count comes free: a rare filter costs one pass instead of two.
 */
static int count_and_fetch(struct table *t)
{
	bool fetched = false;
	if (t->top == 0 && t->cursor < t->page) {
		t->matched = -1;
		if (fetch(t) < 0)
			return -1;
		fetched = true;
		if (t->nrows < (size_t)t->page) {
			t->matched = (int64_t)t->nrows;
			int rc = count(t, false);
			clamp(t);
			return rc;
		}
	}
	if (count(t, true) < 0)
		return -1;
	int64_t top = t->top;
	clamp(t);
	return fetched && t->top == top ? 0 : fetch(t);
}

int table_reload(struct table *t)
{
	const void *sel = table_selected(t);
	int64_t keep_id = sel ? t->src->row_id(sel) : 0;
	t->error[0] = '\0';
	if (count_and_fetch(t) < 0)
		return -1;
	for (size_t i = 0; keep_id && i < t->nrows; i++) {
		if (t->src->row_id((const char *)t->rows + i * t->src->row_size) == keep_id) {
			t->cursor = t->top + (int64_t)i;
			break;
		}
	}
	return 0;
}

#define SELECT_SCAN_ROWS 256

bool table_select_id(struct table *t, int64_t id)
{
	struct view_query q = table_query(t);
	for (int64_t offset = 0; offset < t->matched; offset += SELECT_SCAN_ROWS) {
		void *rows;
		size_t n;
		if (t->src->fetch(t->views, &q, offset, SELECT_SCAN_ROWS, t->matched, &rows, &n) < 0) {
			set_error(t);
			return false;
		}
		int64_t found = -1;
		for (size_t i = 0; i < n && found < 0; i++)
			if (t->src->row_id((const char *)rows + i * t->src->row_size) == id)
				found = offset + (int64_t)i;
		t->src->free_rows(rows, n);
		if (found >= 0) {
			table_move_to(t, found);
			return true;
		}
		if (n < SELECT_SCAN_ROWS)
			break;
	}
	return false;
}

void table_set_page(struct table *t, int rows)
{
	if (rows < 1)
		rows = 1;
	if (rows == t->page)
		return;
	t->page = rows;
	clamp(t);
	fetch(t);
}

void table_move_to(struct table *t, int64_t index)
{
	int64_t old_top = t->top;
	t->cursor = index;
	clamp(t);
	if (t->top != old_top || (!t->rows && t->matched))
		fetch(t);
}

void table_move(struct table *t, int64_t delta)
{
	table_move_to(t, t->cursor + delta);
}

static void restart(struct table *t)
{
	t->cursor = 0;
	t->top = 0;
	drop_rows(t);   /* nothing kept: the first row of the new order is selected */
	table_reload(t);
}

static bool sortable(const struct table *t, int col)
{
	return t->shown[col] && t->cols[col].field >= 0;
}

/* dir 1: the next sortable column to the right, going round; -1: to the left. */
static void sort_step(struct table *t, int dir)
{
	for (int step = 1; step <= t->ncols; step++) {
		int col = ((t->sort_col + dir * step) % t->ncols + t->ncols) % t->ncols;
		if (sortable(t, col)) {
			t->sort_col = col;
			t->descending = false;
			break;
		}
	}
	restart(t);
}

void table_sort_next(struct table *t)
{
	sort_step(t, 1);
}

void table_sort_previous(struct table *t)
{
	sort_step(t, -1);
}

void table_sort_reverse(struct table *t)
{
	t->descending = !t->descending;
	restart(t);
}

void table_sort_by(struct table *t, int col)
{
	if (col < 0 || col >= t->ncols || t->cols[col].field < 0)
		return;
	if (col == t->sort_col)
		t->descending = !t->descending;
	else
		t->sort_col = col, t->descending = false;
	restart(t);
}

void table_set_filter(struct table *t, const char *text)
{
	str_copy(t->filter, text ? text : "", sizeof(t->filter));
	restart(t);
}

void table_set_quick(struct table *t, enum quick_filter quick)
{
	t->quick = quick;
	restart(t);
}

void table_next_quick(struct table *t)
{
	enum quick_filter q = t->quick;
	do
		q = (enum quick_filter)((q + 1) % QUICK_COUNT);
	while (!store_views_has_quick(t->src->view, q));
	table_set_quick(t, q);
}

void table_toggle_column(struct table *t, int col)
{
	if (col < 0 || col >= t->ncols)
		return;
	int shown = 0;
	for (int i = 0; i < t->ncols; i++)
		shown += t->shown[i];
	if (t->shown[col] && shown == 1)
		return;
	t->shown[col] = !t->shown[col];
	if (t->filter[0])
		restart(t);   /* the filter searches the visible columns */
}

const void *table_row_at(const struct table *t, int64_t index)
{
	if (!t->rows || t->rows_top != t->top || index < t->top || index >= t->top + (int64_t)t->nrows)
		return NULL;
	return held_row(t, index);
}

const void *table_selected(const struct table *t)
{
	return t->matched ? table_row_at(t, t->cursor) : NULL;
}

/* What a shown column takes before the flexible ones grow: its need, within its bounds. */
static int asked_width(const struct table_column *c, const int *need, int i)
{
	if (c->flex)
		return c->min_width;
	int n = need ? need[i] : c->width;
	return n < c->min_width ? c->min_width : n > c->width ? c->width : n;
}

/* The position in order[] of the column to drop first: the highest drop, the rightmost of equals. */
static int first_to_drop(const struct table *t, const int *order, int n)
{
	int pick = 0;
	for (int k = 1; k < n; k++)
		if (t->cols[order[k]].drop >= t->cols[order[pick]].drop)
			pick = k;
	return pick;
}

void table_layout(const struct table *t, int width, const int *need, int *x, int *w)
{
	int order[TABLE_COLS_MAX], n = 0, used = -1;
	for (int i = 0; i < t->ncols; i++) {
		w[i] = 0;
		x[i] = 0;
		if (t->shown[i]) {
			order[n++] = i;
			w[i] = asked_width(&t->cols[i], need, i);
			used += w[i] + 1;
		}
	}
	while (n > 1 && used > width) {
		int k = first_to_drop(t, order, n);
		used -= w[order[k]] + 1;
		w[order[k]] = 0;
		memmove(order + k, order + k + 1, (size_t)(n - k - 1) * sizeof(*order));
		n--;
	}
	if (n == 1 && used > width)
		w[order[0]] = width;   /* the last column left is cut to the terminal */
	int extra = width - used;
	/* Flexible columns grow to their width in turn, then share what is left; without one, the last grows. */
	for (bool grew = true; extra > 0 && grew;) {
		grew = false;
		for (int k = 0; k < n && extra > 0; k++) {
			const struct table_column *c = &t->cols[order[k]];
			if (c->flex && w[order[k]] < c->width) {
				w[order[k]]++;
				extra--;
				grew = true;
			}
		}
	}
	int flex = 0;
	for (int k = 0; k < n; k++)
		flex += t->cols[order[k]].flex;
	for (int k = 0; k < n && extra > 0; k++) {
		if (flex == 0 && k == n - 1)
			w[order[k]] += extra;
		else if (t->cols[order[k]].flex) {
			int share = extra / flex--;
			w[order[k]] += share;
			extra -= share;
		}
	}
	int pos = 0;
	for (int k = 0; k < n; k++) {
		x[order[k]] = pos;
		pos += w[order[k]] + 1;
	}
}

void cell_time(int64_t at, const struct cell_ctx *ctx, struct strbuf *out)
{
	char buf[32];
	if (!at)
		str_copy(buf, cell_none(ctx), sizeof(buf));
	else if (ctx->plain)
		format_time(at, buf, sizeof(buf));
	else
		format_age(at, ctx->now, buf, sizeof(buf));
	sb_adds(out, buf);
}
