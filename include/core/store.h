/*
 * Every query feedsync makes, as prepared statements cached per handle. No other file builds SQL.
 * A struct store belongs to one thread; each thread opens its own.
 */
#ifndef FEEDSYNC_CORE_STORE_H
#define FEEDSYNC_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sqldb.h"

struct config;

/* Run counters: the enum, the column names and the labels come from this one table. */
#define RUN_COUNTERS(_) \
	_(ROWS_READ, rows_read, "rows") \
	_(CREATED, created, "created") \
	_(UPDATED, updated, "updated") \
	_(UNCHANGED, unchanged, "unchanged") \
	_(SKIPPED, skipped, "skipped") \
	_(FAILED, failed, "failed") \
	_(PUSH_QUEUED, push_queued, "push queued") \
	_(PUSH_PROCESSED, push_processed, "push processed") \
	_(PUSH_FAILED, push_failed, "push failed") \
	_(RETIRED, retired, "retired") \
	_(RETIRE_FAILED, retire_failed, "retire failed") \
	_(BYTES_TOTAL, bytes_total, "bytes total") \
	_(BYTES_DONE, bytes_done, "bytes done")

#define RUN_COUNTER_ENUM(id, column, label) RC_##id,
enum run_counter { RUN_COUNTERS(RUN_COUNTER_ENUM) RC_COUNT };
#undef RUN_COUNTER_ENUM
extern const char *const run_counter_columns[RC_COUNT];
extern const char *const run_counter_labels[RC_COUNT];

/* Statuses and phases as stored. */
#define RUN_QUEUED "queued"
#define RUN_RUNNING "running"
#define RUN_COMPLETED "completed"
#define RUN_COMPLETED_WITH_ERRORS "completed_with_errors"
#define RUN_FAILED "failed"
#define RUN_CANCELLED "cancelled"
bool run_status_valid(const char *status);
bool run_status_active(const char *status);   /* queued or running */

enum run_phase { PHASE_NONE, PHASE_DOWNLOAD, PHASE_LOCAL_IMPORT, PHASE_PUSHING, PHASE_RECONCILE, PHASE_COUNT };
/*
 * What queues a run, and the phases it goes through, as stored (run_phases[PHASE_NONE] is ""). Both are
 * closed sets, store_run_enqueue refuses any other trigger, so that the console can search them as a
 * handful of known words instead of reading the text of every run. Both lists end with NULL.
 */
extern const char *const run_triggers[];
extern const char *const run_phases[PHASE_COUNT + 1];

struct store;

struct store *store_open(const struct config *cfg, char *err, size_t errsize);
struct store *store_open_path(const char *path, int busy_timeout_ms, char *err, size_t errsize);
void store_close(struct store *s);
struct sqldb *store_db(struct store *s);
const char *store_errmsg(struct store *s);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
bool store_in_transaction(struct store *s);
/* Changes when another connection commits (PRAGMA data_version). */
int64_t store_data_version(struct store *s);

/* ---- connections ---- */
struct conn_row {
	int64_t id;
	char *name;
	bool active;
	char *source_type;
	char *source_url;
	char *schedule;
	char *dest_type;          /* NULL = catalog only */
	char *dest_name;          /* the shop's name; NULL for a file export or catalog only */
	char *document;           /* the JSON document */
	int64_t next_due_at, created_at, updated_at;
	int64_t product_count;
	/* the latest run: last_run_id 0 when none */
	int64_t last_run_id;
	char *last_status;
	int64_t last_started_at, last_finished_at;
	int64_t last_created, last_updated, last_skipped, last_failed;
};
void conn_row_free(struct conn_row *r);
void conn_rows_free(struct conn_row *rows, size_t n);

struct conn_fields {             /* what is stored besides the document */
	const char *name;
	bool active;
	const char *source_type;
	const char *source_url;
	const char *schedule;
	const char *dest_type;
	const char *document;
	int64_t next_due_at;          /* 0 = not scheduled */
};
/* 0 ok; 1 when the name is taken (err says so); -1 error. */
int store_conn_insert(struct store *s, const struct conn_fields *f, int64_t *id, char *err, size_t errsize);
int store_conn_update(struct store *s, int64_t id, const struct conn_fields *f, char *err, size_t errsize);
/* 1 found, 0 not found, -1 error. */
int store_conn_get(struct store *s, int64_t id, struct conn_row *out);
int store_conn_list(struct store *s, struct conn_row **rows, size_t *n);
int store_conn_set_active(struct store *s, int64_t id, bool active);
int store_conn_set_next_due(struct store *s, int64_t id, int64_t next_due_at);
/* 0 deleted, 1 not found, 2 refused: a run is active; -1 error. */
int store_conn_delete(struct store *s, int64_t id);
/* Active connections with a schedule whose next_due_at <= now: ids into *ids (caller frees). */
int store_conn_due(struct store *s, int64_t now, int64_t **ids, size_t *n);

/* ---- runs ---- */
struct run_row {
	int64_t id;
	int64_t connection_id;
	char connection_name[128];
	char trigger[16];
	char status[32];
	char phase[32];
	int64_t counters[RC_COUNT];
	int64_t errors_total;
	int64_t created_at, started_at, finished_at, heartbeat_at;
	char worker_id[64];
	bool cancel_requested;
	int attempt;
	int64_t retry_of;
	bool plan_only;
	char summary[1024];
	int64_t plan_run;             /* the plan run whose plan this run applies (`plan apply`); 0 = none */
};

struct run_query {
	const char *status;           /* NULL = any; "active" = queued or running */
	int64_t connection_id;        /* 0 = any */
	int limit;                    /* 0 = 50 */
};

/*
 * Queues a run. 0 with *run_id set; 1 when the connection already has an active run (*active filled);
 * 2 when the connection does not exist; -1 error.
 */
int store_run_enqueue(struct store *s, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                      bool plan_only, int64_t *run_id, struct run_row *active);
/* Claims the oldest queued run (or only `run_id` when non-zero). 1 claimed (*out filled), 0 none, -1 error. */
int store_run_claim(struct store *s, const char *worker_id, int64_t run_id, struct run_row *out);
int store_run_get(struct store *s, int64_t id, struct run_row *out);   /* 1, 0 not found, -1 */
int store_run_list(struct store *s, const struct run_query *q, struct run_row **rows, size_t *n);
/* The active (queued/running) run of a connection: 1 found, 0 none, -1 error. */
int store_run_active_for(struct store *s, int64_t conn_id, struct run_row *out);
/* Both touch only a running run: 1 when it is no longer running (another process failed it as lost). */
int store_run_flush(struct store *s, int64_t id, const char *phase, const int64_t counters[RC_COUNT],
                    int64_t errors_total, int64_t heartbeat_at);
/* A cancel requested that the run finished without seeing is noted in its log. */
int store_run_finish(struct store *s, int64_t id, const char *status, const char *summary, int64_t finished_at);
/* Queued runs are cancelled at once (0, *outcome "cancelled"); running ones get the flag (0, "requested");
 * finished ones are left alone (2, *outcome = their status), the late request noted in their log unless they
 * were cancelled. 1 when the run does not exist; -1 error. */
int store_run_request_cancel(struct store *s, int64_t id, char *outcome, size_t size);
int store_run_cancel_requested(struct store *s, int64_t id, bool *requested);
/* Marks running runs whose heartbeat is older than stale_before as failed (worker lost); returns how many. */
int store_run_recover_stale(struct store *s, int64_t stale_before, int64_t now);
/* The last completed run of a connection before `before_run` that read a feed (for shrink checks). */
int store_run_last_success(struct store *s, int64_t conn_id, int64_t before_run, struct run_row *out);

struct run_error_row {
	int64_t id, run_id, at, line;
	char phase[32];
	char sku[256];
	char column[64];
	char code[64];
	char *message;
	char *detail;      /* JSON or NULL */
};
void run_error_rows_free(struct run_error_row *rows, size_t n);
int store_run_error_insert(struct store *s, int64_t run_id, int64_t at, const char *phase, int64_t line,
                           const char *sku, const char *column, const char *code, const char *message,
                           const char *detail);
/* limit 0 = all, newest_first false = oldest first. */
int store_run_errors(struct store *s, int64_t run_id, int limit, bool newest_first,
                     struct run_error_row **rows, size_t *n);

struct run_event_row {
	int64_t id, run_id, at;
	char level[8];
	char *message;
};
void run_event_rows_free(struct run_event_row *rows, size_t n);
int store_run_event_insert(struct store *s, int64_t run_id, int64_t at, const char *level, const char *message);
/* Events with id > after_id, oldest first, at most limit (0 = all). */
int store_run_events(struct store *s, int64_t run_id, int64_t after_id, int limit,
                     struct run_event_row **rows, size_t *n);

/* ---- workers ---- */
int store_worker_register(struct store *s, const char *id, int pid, const char *host, int threads, int64_t now);
int store_worker_beat(struct store *s, const char *id, int64_t now);
int store_worker_remove(struct store *s, const char *id);
/* Workers whose heartbeat is at or after fresh_after: how many. */
int store_worker_count_live(struct store *s, int64_t fresh_after);

/* ---- catalog ---- */
typedef void (*catalog_row_fn)(void *ud, const char *sku, size_t sku_len, int64_t hash, bool missing);
/* Every product of a connection: sku, content hash, whether it is marked missing. */
int store_catalog_scan(struct store *s, int64_t conn_id, catalog_row_fn fn, void *ud);
int64_t store_catalog_count(struct store *s, int64_t conn_id);
/* Another handle on s's database file, for a thread that reads the catalog alongside; NULL with err set,
 * or with err empty when the database has no file (in memory). */
struct store *store_catalog_reader(struct store *s, int busy_timeout_ms, char *err, size_t errsize);
/*
 * Settings of the handle while an import writes (a larger page cache, rarer checkpoints) and back:
 * store_import_settings fills saved with the ones in effect before. Durability is the same. 0 or -1.
 */
struct store_settings {
	int64_t cache_size;
	int64_t wal_autocheckpoint;
};
int store_import_settings(struct store *s, struct store_settings *saved);
int store_restore_settings(struct store *s, const struct store_settings *saved);
bool store_catalog_has_missing(struct store *s, int64_t conn_id);
/* products_by_state around a first import (core/state_index.h): 1 when it was dropped, 0 when it stays, -1. */
int store_catalog_defer_state_index(struct store *s);
/* Builds it again when it is missing; 0 or -1. */
int store_catalog_restore_state_index(struct store *s);

struct product_write {
	int64_t conn_id;
	const char *sku;
	const char *name;
	const char *price;
	const char *quantity;   /* integer text or NULL */
	const char *data;       /* JSON */
	size_t data_len;        /* its length: the catalog knows it, a strlen would read it again */
	int64_t hash;
	int64_t line;
	int64_t run_id;
	int64_t now;
	bool known;             /* in the catalog already (store_products_write updates it) */
};
int store_product_insert(struct store *s, const struct product_write *w);
/* Returns the number of rows changed (0 when the SKU is not there), or -1. */
int store_product_update(struct store *s, const struct product_write *w);
/* Fills *w with product i of a batch; its values stay the caller's until the next call. */
typedef void (*product_write_fn)(void *ud, size_t i, struct product_write *w);
/*
 * Writes a batch of n products of one connection and run (a known one updated, a new one inserted, either
 * inserted when its SKU turns out not to be there) in the caller's transaction, in the order given.
 * PostgreSQL: by COPY into a staging table and one statement from there, not a round trip a product. 0 or -1.
 */
int store_products_write(struct store *s, size_t n, product_write_fn get, void *ud);
int store_product_mark_missing(struct store *s, int64_t conn_id, const char *sku, int64_t now);
/*
 * Marks the products of `gone` missing (since now, unless they already are) and clears the mark of those of
 * `back`: each a list of NUL-terminated SKUs, one after another, of gone_len and back_len bytes. In the
 * caller's transaction; on PostgreSQL by COPY and one statement, not a round trip a SKU. 0 or -1.
 */
int store_products_set_missing(struct store *s, int64_t conn_id, const char *gone, size_t gone_len, const char *back,
                               size_t back_len, int64_t now);

/* Products whose pushed hash differs from their hash and not retired (all of them when `all`), in SKU order. */
typedef int (*product_row_fn)(void *ud, const char *sku, const char *data, int64_t hash);
int store_products_pending(struct store *s, int64_t conn_id, bool all, product_row_fn fn, void *ud);
int64_t store_products_pending_count(struct store *s, int64_t conn_id, bool all);
/* The distinct field names across a connection's products, sorted (for CSV export headers). */
int store_product_field_names(struct store *s, int64_t conn_id, char ***names, size_t *n);
int store_products_mark_pushed(struct store *s, int64_t conn_id);

#endif
