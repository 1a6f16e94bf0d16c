/*
 * The console's lists as SQL: one window of connections or runs, sorted by any field, filtered by a
 * quick status filter and a substring, counted ("N of M"). Sorting and filtering happen in SQLite and
 * only the window is read, so 100 000 runs cost no more than 50. A window past the middle of the list is
 * read backwards from its end, so End is as quick as Home.
 *
 * A struct store_views belongs to the thread of its store and keeps its own prepared statements (one
 * per view, scope, sort field and direction, prepared on first use).
 */
#ifndef FEEDSYNC_CORE_STORE_VIEWS_H
#define FEEDSYNC_CORE_STORE_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_dest.h"
#include "core/store_limits.h"

enum store_view { STORE_VIEW_CONNS, STORE_VIEW_RUNS, STORE_VIEW_DESTS, STORE_VIEW_PRODUCTS, STORE_VIEW_COUNT };

/* Fields of the connections view: what a column sorts by and what the filter searches. */
enum conn_field {
	CONN_F_ID, CONN_F_NAME, CONN_F_SOURCE, CONN_F_DEST, CONN_F_ACTIVE, CONN_F_SCHEDULE,
	CONN_F_STATUS,      /* of the latest run */
	CONN_F_LAST_RUN,    /* when the latest run started */
	CONN_F_RESULT,      /* the latest run's counters; sorts by its failed rows */
	CONN_F_NEXT_DUE,
	CONN_F_COUNT
};

enum run_field {
	RUN_F_ID, RUN_F_CONNECTION, RUN_F_TRIGGER, RUN_F_STATUS, RUN_F_PHASE,
	RUN_F_PROGRESS,     /* sorts by rows read */
	RUN_F_RESULT,       /* created/updated/skipped/failed; sorts by failed rows */
	RUN_F_PUSH,         /* sorts by pushed items */
	RUN_F_STARTED, RUN_F_DURATION,
	RUN_F_COUNT
};

enum dest_field {
	DEST_F_ID, DEST_F_NAME, DEST_F_TYPE, DEST_F_URL, DEST_F_AUTH,
	DEST_F_TLS,         /* verification on or off */
	DEST_F_HEALTH,      /* the last check's verdict; sorts failed first ascending */
	DEST_F_CHECKED,     /* when it was checked */
	DEST_F_CIRCUIT,     /* closed, open, half-open; searched by those words */
	DEST_F_BATCH,       /* the learned batch size */
	DEST_F_KNOWN,       /* SKUs whose remote id is known */
	DEST_F_COUNT
};

/*
 * The products of one connection (view_query.connection_id), sorted by SKU or by state (ties in SKU
 * order) along an index either way; the filter finds the SKUs that begin with it (as typed), the quick
 * filter the failed products.
 */
enum product_view_field { PRODUCT_F_SKU, PRODUCT_F_STATE, PRODUCT_F_COUNT };

/* A destination as the console lists it: no credentials are read. */
struct dest_view_row {
	struct dest_row d;
	int64_t known;       /* remote products known */
	struct limits_view limits;
};
void dest_view_rows_free(struct dest_view_row *rows, size_t n);

#define STORE_VIEW_FIELDS_MAX 16

/*
 * Quick filters. Runs: problems = failed or completed with errors; running; active = queued or running.
 * Connections: problems = the latest run failed or completed with errors; running = the latest run is
 * queued or running; active = the connection is enabled. Destinations: problems = the last check failed or
 * the circuit is not closed; they have no other (store_views_has_quick). Products: problems = state failed,
 * no other.
 */
enum quick_filter { QUICK_ALL, QUICK_PROBLEMS, QUICK_RUNNING, QUICK_ACTIVE, QUICK_COUNT };
extern const char *const quick_filter_names[QUICK_COUNT];

struct view_query {
	int sort;                /* a conn_field or run_field */
	bool descending;
	const char *filter;      /* case-insensitive substring of any field in filter_fields; NULL or "" = none */
	uint32_t filter_fields;  /* 1 << field for each field searched */
	enum quick_filter quick;
	int64_t connection_id;   /* runs: only this connection's; 0 = every connection */
};

struct store_views;

struct store_views *store_views_open(struct store *s);
void store_views_close(struct store_views *v);
/* Whether the filter can search a field (free text fields and ids can, times and counters cannot). */
bool store_views_searchable(enum store_view view, int field);
/* Whether a view has this quick filter (QUICK_ALL it always has). */
bool store_views_has_quick(enum store_view view, enum quick_filter quick);

/*
 * matched: rows the query selects (NULL: not counted, it costs a pass over the rows); total: rows before
 * the quick filter and the substring. 0 or -1.
 */
int store_views_count(struct store_views *v, enum store_view view, const struct view_query *q, int64_t *matched,
                      int64_t *total);
/*
 * Rows [offset, offset + limit) of the sorted, filtered view. `matched` (from store_views_count) lets a
 * window past the middle be read from the end; pass -1 when unknown. Rows are conn_row (without the
 * document and product count), run_row or dest_view_row; the caller frees them with conn_rows_free, free
 * or dest_view_rows_free. 0 or -1.
 */
int store_views_conns(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                      int64_t matched, struct conn_row **rows, size_t *n);
int store_views_runs(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                     int64_t matched, struct run_row **rows, size_t *n);
/* Rows of the destinations view; freed with dest_view_rows_free. */
int store_views_dests(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                      int64_t matched, struct dest_view_row **rows, size_t *n);

/* Rows of the products view (struct product_row, core/store_products.h); freed with product_rows_free. */
struct product_row;
int store_views_products(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                         int64_t matched, struct product_row **rows, size_t *n);
/*
 * The window next to a row of the list the caller holds (keyset paging): `skip` rows after `edge` (before:
 * before it, going up), then `limit` rows, in list order; `skip` -1: from the edge itself (a reload of the
 * window it starts, or ends going up), where it is or would be if it changed since. SQLite enters the index at the edge and passes
 * over no row before it, so Page Down half a million products deep costs what it costs at the top.
 */
int store_views_products_seek(struct store_views *v, const struct view_query *q, const struct product_row *edge,
                              bool before, int64_t skip, int limit, struct product_row **rows, size_t *n);

/*
 * The latest run that failed or completed with errors, of the connection or (conn_id 0) of any:
 * 1 (*run_id set), 0 none, -1 error.
 */
int store_views_latest_failed_run(struct store_views *v, int64_t conn_id, int64_t *run_id);

/*
 * Where the last `keep` log lines of a run begin: *after_id is the id of the line before them (0 when the
 * run has no more lines than that), for store_run_events. 0 or -1.
 */
int store_views_log_tail(struct store_views *v, int64_t run_id, int keep, int64_t *after_id);

const char *store_views_errmsg(struct store_views *v);

#endif
