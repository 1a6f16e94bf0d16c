/*
 * A push's view of the remote ids it has cached (remote_products), read a window of SKUs at a time: products
 * come in SKU order, so one query serves REMOTE_WINDOW of them instead of one read each (each read is a
 * transaction of its own, with its locks).
 */
#ifndef FEEDSYNC_DEST_REMOTE_WINDOW_H
#define FEEDSYNC_DEST_REMOTE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_dest.h"

#define REMOTE_WINDOW 1024

/* The remote ids of SKUs from `from` on: all of them when complete, else up to the last row's SKU. */
struct remote_window {
	struct store *store;
	int64_t dest_id;
	struct remote_row *rows;
	size_t n;
	char *from;
	bool complete;
};

void remote_window_init(struct remote_window *win, struct store *s, int64_t dest_id);

/* The cached remote id of a SKU: 1 found, 0 not known, -1 error. A SKU before the window is read alone. */
int remote_window_get(struct remote_window *win, const char *sku, struct remote_product *out);

/* The SKU's remote product is gone (deleted, or its id refused): the window knows it no more. */
void remote_window_forget(struct remote_window *win, const char *sku);

/* The cache changed under the window (a listing filled it): the next get reads it afresh. */
void remote_window_reset(struct remote_window *win);

void remote_window_free(struct remote_window *win);

#endif
