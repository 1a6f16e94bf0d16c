/*
 * Destinations receive the catalog's pending products in the pushing phase, and retire products gone from
 * the feed in the reconcile phase (engine/deliver.h runs a session: open, retire..., push..., commit, close).
 * Adding one is a new file with a `struct dest_ops` and one line in the registry (dest.c).
 */
#ifndef FEEDSYNC_DEST_DEST_H
#define FEEDSYNC_DEST_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store_dest.h"
#include "engine/run.h"
#include "feed/conn.h"

struct dest;

struct dest_ops {
	const char *name;
	/* Whether every product goes each run (a full export) or only those changed since the last push. */
	bool (*wants_all)(const struct conn_config *conn);
	/* Prepare for `pending` products to push or retire. 0, or -1 with err set. */
	int (*open)(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
	            char *err, size_t errsize);
	/*
	 * One product: its SKU, its mapped fields as a JSON object, its content hash, and whether it is retired
	 * or back from retirement (then its push undoes the retirement: a draft is published, a stock put
	 * back, a deleted product created again). The destination may queue it. Once done with it, the
	 * destination counts it in RC_PUSH_PROCESSED and records what reached the shop
	 * (store_product_set_pushed); a product it could not push is a per-item failure, counted in
	 * RC_PUSH_FAILED and reported with run_error, and push still returns 0. -1 with err set only when the
	 * phase cannot go on (credentials refused, shop unavailable, disk full).
	 */
	int (*push)(struct dest *d, const struct pending_product *p, char *err, size_t errsize);
	/*
	 * Retires a product gone from the feed with `action` (not MISSING_NONE); the retirements of a session
	 * come in SKU order, before its first push. Once done, the destination counts it in RC_RETIRED and records it
	 * (store_product_set_retired); a failure is a per-item failure counted in RC_RETIRE_FAILED. 0, or -1
	 * with err set as for push.
	 */
	int (*retire)(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize);
	/* Finishes what is queued and makes what was pushed durable (e.g. rename into place). 0; 1 when the run was
	 * asked to stop (run_should_stop) before all was done, what is left staying pending; or -1 with err set. */
	int (*commit)(struct dest *d, char *err, size_t errsize);
	/* Discard what was not committed; frees. */
	void (*close)(struct dest *d);
};

struct dest {
	const struct dest_ops *ops;
	void *impl;
	/* The detail JSON (run_errors.detail, core/answer_detail.h) of the failure behind an operation's -1, e.g. the
	 * shop's answer to refused credentials; NULL when none. The destination's, valid until close. */
	const char *detail;
};

const struct dest_ops *dest_find(const char *type); /* NULL when unknown */
/* wants_all of a destination that takes only the products changed since their last push. */
bool dest_changed_only(const struct conn_config *conn);

#endif
