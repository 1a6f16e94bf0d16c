/*
 * A session with a connection's destination: open, retire the products gone from the feed, push products,
 * commit, close. The pushing phase pushes what is pending; the reconcile phase retires stale products;
 * applying a plan does both with the plan's items. A destination that exports whole snapshots (a file:
 * wants_all) gets every product in each session, so its export always shows the retirements.
 */
#ifndef FEEDSYNC_ENGINE_DELIVER_H
#define FEEDSYNC_ENGINE_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/store_plan.h"
#include "engine/run.h"
#include "engine/stop.h"
#include "feed/conn.h"

enum deliver_products {
	DELIVER_NONE,                       /* retirements only */
	DELIVER_PENDING,                    /* the products changed since their last push */
	DELIVER_PLAN,                       /* the creates and updates of a plan */
};

struct delivery {
	enum deliver_products products;
	int64_t plan_run;                   /* DELIVER_PLAN */
	const struct stale_product *retire; /* handed over before any product */
	size_t nretire;
	enum missing_action action;         /* what retiring them means */
};

/* Runs one session; a fatal error or a cancel stops the run through `stop`. Counters say what was done. */
void deliver(struct run_ctx *ctx, const struct conn_config *conn, const struct delivery *what, struct stop *stop);
/* Append "; N pushed, F failed to push" and "; K retired, G failed to retire" (the parts that are not 0). */
void deliver_summary_pushed(const int64_t counters[RC_COUNT], struct strbuf *out);
void deliver_summary_retired(const int64_t counters[RC_COUNT], struct strbuf *out);
/* "woocommerce 'Main shop'", "file out/acme.csv" or "" without a destination; caller frees. */
char *deliver_destination_name(const struct conn_config *conn);

#endif
