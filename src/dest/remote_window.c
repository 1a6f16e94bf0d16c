/* A window over the remote ids a push has cached (see dest/remote_window.h). */
#include "dest/remote_window.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void remote_window_init(struct remote_window *win, struct store *s, int64_t dest_id)
{
	*win = (struct remote_window){.store = s, .dest_id = dest_id};
}

static int remote_row_order(const void *key, const void *row)
{
	return strcmp(key, ((const struct remote_row *)row)->sku);
}

static bool in_window(const struct remote_window *win, const char *sku)
{
	return win->from && strcmp(sku, win->from) >= 0 &&
	       (win->complete || (win->n > 0 && strcmp(sku, win->rows[win->n - 1].sku) <= 0));
}

int remote_window_get(struct remote_window *win, const char *sku, struct remote_product *out)
{
	if (!in_window(win, sku)) {
		if (win->from && strcmp(sku, win->from) < 0) /* one coming back out of order */
			return store_remote_get(win->store, win->dest_id, sku, out);
		remote_window_reset(win);
		win->from = xstrdup(sku);
		if (store_remote_page(win->store, win->dest_id, sku, REMOTE_WINDOW, &win->rows, &win->n) < 0) {
			remote_window_reset(win);
			return -1;
		}
		win->complete = win->n < REMOTE_WINDOW;
	}
	const struct remote_row *row = bsearch_or_null(sku, win->rows, win->n, sizeof(*win->rows), remote_row_order);
	if (!row || !row->r.remote_id)   /* forgotten: as if not cached */
		return 0;
	*out = row->r;
	return 1;
}

void remote_window_forget(struct remote_window *win, const char *sku)
{
	struct remote_row *row = bsearch_or_null(sku, win->rows, win->n, sizeof(*win->rows), remote_row_order);
	if (row)
		row->r.remote_id = 0;
}

void remote_window_reset(struct remote_window *win)
{
	remote_rows_free(win->rows, win->n);
	free(win->from);
	win->rows = NULL;
	win->n = 0;
	win->from = NULL;
	win->complete = false;
}

void remote_window_free(struct remote_window *win)
{
	remote_window_reset(win);
}
