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
 * For the console's Plan screen:
 *   store_plan_get     the plan's header: connection, destination, when, counts by kind, the run applying it,
 *                      who applied it and when
 *   store_plan_count   how many items a filter matches (a kind, a text in the SKU or name)
 *   store_plan_items   one page [offset, offset + limit) of the matching items in SKU order, each update with
 *                      its changes; free with plan_items_free
 *   store_plan_set_excluded  the review: items left out of (or put back into) the apply
 * A screen reads the header once, the counts for its "N of M", then a page per scroll.
 *
 * An excluded item is not applied: its product stays pending (or missing), so the next plan lists it again.
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
	int64_t excluded;             /* items left out of the apply by the review */
	int64_t applied_run;          /* the run applying it, 0 = not applied */
	char applied_status[32];      /* that run's status */
	char applier[128];            /* who applied it: user@host (core/whoami.h), "" when not applied */
	int64_t applied_at;           /* when, ms; 0 when not applied */
};
/* 1 found, 0 no plan for this run, -1 error. */
int store_plan_get(struct store *s, int64_t plan_run, struct plan_row *out);
/* Which items of a plan: of one kind and containing a text (case-insensitively, ASCII) in SKU or name. */
struct plan_filter {
	const char *kind;             /* "create", "update", "retire"; NULL = every kind */
	const char *text;             /* NULL or "" = any */
	bool included_only;           /* leave out the excluded items */
};
/* How many items the filter (NULL = every item) matches, or -1. */
int64_t store_plan_count(struct store *s, int64_t plan_run, const struct plan_filter *f);

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
	bool excluded;                /* left out of the apply */
	char *parent_sku;             /* a variant's group (core/store_groups.h), else NULL */
};
/* The items the filter (NULL = every item) matches, in SKU order, from offset, at most limit. 0 or -1. */
int store_plan_items(struct store *s, int64_t plan_run, const struct plan_filter *f, int64_t offset, int limit,
                     struct plan_item **items, size_t *n);
/*
 * Excludes (excluded true) or includes back items of a plan not applied yet: the n SKUs given, or, when skus
 * is NULL, every item the filter matches. How many items changed, -2 when the plan was applied already, -1.
 */
int64_t store_plan_set_excluded(struct store *s, int64_t plan_run, const struct plan_filter *f, char *const *skus,
                                size_t n, bool excluded);
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

/* Which items an apply pushes. */
enum plan_select {
	PLAN_SELECT_REVIEWED,         /* every item not excluded by the review */
	PLAN_SELECT_ONLY,             /* only the SKUs given: the others are excluded */
	PLAN_SELECT_EXCEPT,           /* every item but the SKUs given: those are excluded */
};
struct plan_apply {
	const char *applier;          /* user@host (core/whoami.h), recorded with the time */
	enum plan_select select;
	char *const *skus;            /* ONLY and EXCEPT: the SKUs */
	size_t nskus;
	struct strbuf *unknown;       /* out (may be NULL): the SKUs given that the plan lacks, NUL-separated */
};
/*
 * Queues the run that applies a plan, in one transaction with its selection (which is stored with the
 * plan's items): 0 with *run_id set; 1 the connection has an active run (*active filled); 2 the plan was
 * applied already (*applied_by set); 3 the catalog changed since the plan was made; 4 there is no such plan;
 * 5 SKUs given are not in the plan (req->unknown); 6 every item is excluded; -1 error. Nothing is changed
 * unless it returns 0.
 */
int store_plan_enqueue_apply(struct store *s, int64_t plan_run, const struct plan_apply *req, int64_t *run_id,
                             struct run_row *active, int64_t *applied_by);
/*
 * The plan's creates and updates not excluded whose product still has the planned hash: pages as
 * store_products_pending_page.
 */
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
/*
 * A plan's retirements not excluded, as stale products; *action (at least 16 bytes) gets theirs ("" when
 * none). 0 or -1.
 */
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
