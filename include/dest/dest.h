/*
 * Destinations receive the catalog's pending products in the pushing phase.
 * Adding one is a new file with a `struct dest_ops` and one line in the registry (dest.c).
 */
#ifndef FEEDSYNC_DEST_DEST_H
#define FEEDSYNC_DEST_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run.h"
#include "feed/conn.h"

struct dest;

struct dest_ops {
	const char *name;
	/* Whether every product goes each run (a full export) or only those changed since the last push. */
	bool (*wants_all)(const struct conn_config *conn);
	/* Prepare for `pending` products. 0, or -1 with err set. */
	int (*open)(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
	            char *err, size_t errsize);
	/* One product (its mapped fields as a JSON object). 0, or -1 with err set (the phase fails). */
	int (*push)(struct dest *d, const char *sku, const char *json, char *err, size_t errsize);
	/* Make what was pushed durable (e.g. rename into place). 0, or -1 with err set. */
	int (*commit)(struct dest *d, char *err, size_t errsize);
	/* Discard what was not committed; frees. */
	void (*close)(struct dest *d);
};

struct dest {
	const struct dest_ops *ops;
	void *impl;
};

const struct dest_ops *dest_find(const char *type); /* NULL when unknown */

#endif
