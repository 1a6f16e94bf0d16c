/* A table on screen: titles with the sort arrow, the window of rows, the selection. */
#include "tui/table_view.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static void draw_titles(struct table *t, const struct draw *d, int y, const int *x, const int *w)
{
	attr_t attr = theme_attr(d->theme, ROLE_HEADER);
	wattrset(d->win, attr);
	mvwhline(d->win, y, 0, ' ', getmaxx(d->win));
	for (int i = 0; i < t->ncols; i++) {
		if (!w[i])
			continue;
		const struct table_column *c = &t->cols[i];
		struct strbuf title = {0};
		if (i == t->sort_col && w[i] > 1) {
			/* The arrow always shows; the title gives way. */
			text_fit(c->title, (size_t)w[i] - 1, d->g->ascii, &title);
			sb_adds(&title, t->descending ? d->g->sort_down : d->g->sort_up);
		} else {
			sb_adds(&title, c->title);
		}
		draw_text(d, y, x[i], w[i], sb_str(&title), c->align, attr);
		sb_free(&title);
	}
}

struct cell {
	struct strbuf text;
	enum role role;
};

/* The window's cells, each formatted once: measured for the layout, then drawn. */
static struct cell *format_window(const struct table *t, const struct cell_ctx *ctx)
{
	struct cell *cells = xcalloc(t->nrows * (size_t)t->ncols + 1, sizeof(*cells));   /* + 1: never 0 bytes */
	for (size_t r = 0; r < t->nrows; r++) {
		const void *row = (const char *)t->rows + r * t->src->row_size;
		for (int i = 0; i < t->ncols; i++) {
			struct cell *c = &cells[r * (size_t)t->ncols + (size_t)i];
			c->role = ROLE_NORMAL;
			if (t->shown[i])
				t->cols[i].format(row, ctx, &c->text, &c->role);
		}
	}
	return cells;
}

static void free_window(const struct table *t, struct cell *cells)
{
	for (size_t k = 0; k < t->nrows * (size_t)t->ncols; k++)
		sb_free(&cells[k].text);
	free(cells);
}

/* FNV-1a over every cell's text, a NUL after each so that cells cannot run into one another. */
static uint64_t hash_window(const struct table *t, const struct cell *cells)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t k = 0; k < t->nrows * (size_t)t->ncols; k++) {
		const char *text = sb_str(&cells[k].text);
		for (size_t i = 0; i <= strlen(text); i++)
			h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
	}
	return h;
}

bool table_view_cells_changed(const struct table *t, const struct cell_ctx *ctx)
{
	struct cell *cells = format_window(t, ctx);
	bool changed = hash_window(t, cells) != t->drawn.cells_hash;
	free_window(t, cells);
	return changed;
}

static int drawn_width(const struct draw *d, const char *text)
{
	struct strbuf clean = {0};
	draw_clean(text, d->g->ascii, &clean);
	int width = (int)text_width(sb_str(&clean));
	sb_free(&clean);
	return width;
}

/* Each column's widest text on screen: its title (with the sort arrow) or a cell. */
static void measure(const struct table *t, const struct draw *d, const struct cell *cells, int *need)
{
	for (int i = 0; i < t->ncols; i++) {
		need[i] = drawn_width(d, t->cols[i].title) + (i == t->sort_col);
		for (size_t r = 0; t->shown[i] && r < t->nrows; r++) {
			int w = drawn_width(d, sb_str(&cells[r * (size_t)t->ncols + (size_t)i].text));
			if (w > need[i])
				need[i] = w;
		}
	}
}

/* While rows are marked, a gutter left of the columns shows which. */
#define MARK_GUTTER 2

static void draw_row(struct table *t, const struct draw *d, int y, const struct cell *cells, bool selected,
                     bool marked, const int *x, const int *w)
{
	attr_t row_attr = theme_attr(d->theme, selected ? ROLE_SELECTION : ROLE_NORMAL);
	wattrset(d->win, row_attr);
	mvwhline(d->win, y, 0, ' ', getmaxx(d->win));
	if (marked)
		draw_text(d, y, 0, 1, "*", 'l', row_attr | A_BOLD);
	for (int i = 0; i < t->ncols; i++) {
		if (!w[i])
			continue;
		attr_t attr = selected ? row_attr : theme_attr(d->theme, cells[i].role);
		draw_text(d, y, x[i], w[i], sb_str(&cells[i].text), t->cols[i].align, attr);
	}
}

void table_view_draw(struct table *t, const struct draw *d, const struct cell_ctx *ctx, int y, int h)
{
	int width = getmaxx(d->win), need[TABLE_COLS_MAX];
	table_set_page(t, h - 1);
	struct cell *cells = format_window(t, ctx);
	measure(t, d, cells, need);
	int gutter = t->nmarks ? MARK_GUTTER : 0;
	table_layout(t, width - gutter, need, t->drawn.x, t->drawn.w);
	for (int i = 0; i < t->ncols; i++)
		t->drawn.x[i] += gutter;
	t->drawn.y = y;
	t->drawn.cells_hash = hash_window(t, cells);
	draw_titles(t, d, y, t->drawn.x, t->drawn.w);
	for (int r = 0; r < h - 1; r++) {
		int64_t index = t->top + r;
		const void *row = table_row_at(t, index);
		if (row) {
			draw_row(t, d, y + 1 + r, &cells[(size_t)r * (size_t)t->ncols], index == t->cursor,
			         t->nmarks && table_is_marked(t, t->src->row_id(row)), t->drawn.x, t->drawn.w);
			continue;
		}
		wattrset(d->win, theme_attr(d->theme, ROLE_NORMAL));
		mvwhline(d->win, y + 1 + r, 0, ' ', width);
	}
	free_window(t, cells);
	const char *empty = t->error[0] ? t->error
	                  : t->total == 0 ? "nothing here yet"
	                  : t->matched == 0 ? "no rows match the filter" : NULL;
	if (empty)
		draw_text(d, y + 1, 1, width - 2, empty, 'l', theme_attr(d->theme, t->error[0] ? ROLE_ERROR : ROLE_DIM));
}

void table_view_summary(const struct table *t, const struct glyphs *g, struct strbuf *out)
{
	sb_addf(out, "%lld of %lld", (long long)t->matched, (long long)t->total);
	if (t->quick != QUICK_ALL)
		sb_addf(out, "  [%s]", quick_filter_names[t->quick]);
	if (t->filter[0])
		sb_addf(out, "  /%s", t->filter);
	if (t->nmarks)
		sb_addf(out, "  %zu marked", t->nmarks);
	sb_addf(out, "  sort %s %s", t->cols[t->sort_col].name, t->descending ? g->sort_down : g->sort_up);
}

bool table_view_click(struct table *t, int y, int x)
{
	if (y == t->drawn.y) {
		for (int i = 0; i < t->ncols; i++)
			if (t->drawn.w[i] && x >= t->drawn.x[i] && x < t->drawn.x[i] + t->drawn.w[i])
				table_sort_by(t, i);
		return true;
	}
	if (y > t->drawn.y && y <= t->drawn.y + t->page) {
		int64_t index = t->top + (y - t->drawn.y - 1);
		if (index < t->matched)
			table_move_to(t, index);
		return true;
	}
	return false;
}
