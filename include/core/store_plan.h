/*
 * Plans (`feedsync run ID --plan`) and the retirement of products gone from the feed. Part of the store:
 * every query is here.
 *
 * A plan belongs to the plan-only run that made it and lists at most one item per SKU, of three kinds:
 * "create" (the destination has never accepted the product), "update" (with each changed field, old -> new)
 * and "retire" (gone from the feed long enough: the connection's missing_action). The run that applies it
 * (sync_runs.plan_run) pushes exactly those items; a unique index lets only one run apply a plan. A stamp
 * of the catalog taken with the plan tells whether anything changed since (store_catalog_stamp).
 *
 * For the console's Plan screen, all read-only:
 *   store_plan_get     the plan's header: connection, destination, when, counts by kind, the run applying it
 *   store_plan_count   how many items of one kind ("create", "update", "retire"; NULL = every kind)
 *   store_plan_items   one page [offset, offset + limit) of a kind's items in SKU order, each update with its
 *                      changes; free with plan_items_free
 * A screen reads the header once, the counts for its "N of M", then a page per scroll.
 */
#ifndef FEEDSYNC_CORE_STORE_PLAN_H
#define FEEDSYNC_CORE_STORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_dest.h"
#include "core/util.h"

/* ---- reading plans ---- */

struct plan_row {
	int64_t run_id;               /* the plan-only run that made it */
	int64_t connection_id;
	char connection_name[128];
	int64_t created_at;
	char destination[256];        /* "woocommerce 'Main shop'", "file out/acme.csv", "" without one */
	char stamp[160];              /* the catalog's stamp when the plan was made */
	int64_t creates, updates, retires;
	int64_t applied_run;          /* the run applying it, 0 = not applied */
	char applied_status[32];      /* that run's status */
};
/* 1 found, 0 no plan for this run, -1 error. */
int store_plan_get(struct store *s, int64_t plan_run, struct plan_row *out);
/* Items of one kind (NULL = every kind), or -1. */
int64_t store_plan_count(struct store *s, int64_t plan_run, const char *kind);

struct plan_change {
	char *field;
	char *old_value;              /* NULL: the old product had no such field, or old_known is false */
	char *new_value;              /* NULL: the new product has no such field */
	bool old_known;               /* false for products pushed before feedsync kept what it pushed */
};
struct plan_item {
	char kind[8];                 /* "create", "update", "retire" */
	char *sku;
	char *name;
	int64_t hash;                 /* the product's content hash when planned */
	char action[16];              /* retire: "stock_zero", "draft" or "delete" */
	int64_t missing_since;        /* retire: ms */
	int64_t missing_runs;         /* retire */
	struct plan_change *changes;  /* update: in field order */
	size_t nchanges;
};
/* Items of one kind (NULL = every kind) in SKU order, from offset, at most limit. 0 or -1. */
int store_plan_items(struct store *s, int64_t plan_run, const char *kind, int64_t offset, int limit,
                     struct plan_item **items, size_t *n);
void plan_items_free(struct plan_item *items, size_t n);

/* ---- making plans (inside the caller's transaction) ---- */

int store_plan_insert(struct store *s, int64_t plan_run, int64_t conn_id, const char *destination, int64_t now);
struct plan_item_write {
	const char *kind, *sku, *name;
	int64_t hash;
	const char *action;           /* retire: with missing_since and missing_runs */
	int64_t missing_since, missing_runs;
};
int store_plan_add_item(struct store *s, int64_t plan_run, const struct plan_item_write *item);
int store_plan_add_change(struct store *s, int64_t plan_run, const char *sku, const char *field,
                          const char *old_value, const char *new_value, bool old_known);
int store_plan_set_stamp(struct store *s, int64_t plan_run, const char *stamp);
/*
 * The catalog of a connection in a few numbers: it changes when an import changes, marks or clears a
 * product, and when a push or a retirement is recorded. 0 or -1.
 */
int store_catalog_stamp(struct store *s, int64_t conn_id, char *buf, size_t size);

/* A product with changes not yet pushed, and what its destination last accepted. */
struct plan_candidate {
	const char *sku, *name, *data;
	int64_t hash;
	bool pushed;                  /* the destination accepted some version of it */
	const char *pushed_data;      /* that version; NULL when pushed before feedsync kept it, or never pushed */
	const char *returning;        /* back from retirement: the action to undo, else NULL */
};
/* Every pending product of a connection (as the push would send them), in SKU order. 0, or -1. */
int store_plan_candidates(struct store *s, int64_t conn_id, int (*fn)(void *ud, const struct plan_candidate *c),
                          void *ud);

/* ---- applying plans ---- */

/*
 * Queues the run that applies a plan, in one transaction: 0 with *run_id set; 1 the connection has an
 * active run (*active filled); 2 the plan was applied already (*applied_by set); 3 the catalog changed
 * since the plan was made; 4 there is no such plan; -1 error.
 */
int store_plan_enqueue_apply(struct store *s, int64_t plan_run, int64_t *run_id, struct run_row *active,
                             int64_t *applied_by);
/* The plan's creates and updates whose product still has the planned hash: pages as store_products_pending_page. */
int store_plan_products_page(struct store *s, int64_t plan_run, const char *after, int limit, pending_fn fn,
                             void *ud);

/* ---- stale products and their retirement ---- */

struct stale_product {
	char *sku;
	char *name;
	int64_t missing_since;        /* ms */
	int64_t missing_runs;
};
/*
 * Products of a connection missing from its feed and not retired, missing since missing_before or earlier
 * and in at least min_runs runs, in SKU order. 0 or -1.
 */
int store_stale_products(struct store *s, int64_t conn_id, int64_t missing_before, int64_t min_runs,
                         struct stale_product **out, size_t *n);
/* A plan's retirements as stale products; *action (at least 16 bytes) gets theirs ("" when none). 0 or -1. */
int store_plan_retirees(struct store *s, int64_t plan_run, struct stale_product **out, size_t *n, char *action);
void stale_products_free(struct stale_product *list, size_t n);

/*
 * Records that the destination retired the product with `action`. `gone`: the destination no longer has it
 * (deleted), so what it accepted is forgotten and the product is created again if it comes back.
 */
int store_product_set_retired(struct store *s, int64_t conn_id, const char *sku, const char *action, int64_t now,
                              bool gone);
/* The SKUs of a connection's retired products, NUL-separated. 0 or -1. */
int store_retired_skus(struct store *s, int64_t conn_id, struct strbuf *out);
/* A retired product back in the feed: no longer missing, and pending, so its next push undoes the retirement. */
int store_product_unretire(struct store *s, int64_t conn_id, const char *sku);
/* How many products of a connection are retired with this action, or -1. */
int64_t store_retired_count(struct store *s, int64_t conn_id, const char *action);

#endif
