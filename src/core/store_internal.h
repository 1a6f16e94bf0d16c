/* Shared by the store_*.c files only: the handle, the statement cache and column helpers. */
#ifndef FEEDSYNC_CORE_STORE_INTERNAL_H
#define FEEDSYNC_CORE_STORE_INTERNAL_H

#include "core/sqldb.h"

#include "core/store.h"
#include "core/store_dest.h"

/* A power of two (store_stmt hashes into it) with room to spare: the store's modules hold ~130 statements, and
 * a full cache aborts. */
#define STORE_STMT_SLOTS_LOG2 9
#define STORE_STMT_SLOTS (1u << STORE_STMT_SLOTS_LOG2)

struct store {
	struct sqldb *db;
	/* Statements keyed by the address of their SQL literal: each query is prepared once per handle. */
	const char *sql[STORE_STMT_SLOTS];
	struct sqldb_stmt *stmt[STORE_STMT_SLOTS];
	/* Products inserted in the open transaction, added to their connection's product_count as it commits
	 * (one write a batch, not one a product); of one connection at a time. */
	int64_t added_conn, added_products;
};

/* Adds the products inserted in this transaction to their connection's count; 0 or -1. */
int store_flush_product_count(struct store *s);

/* The cached statement for sql, reset with bindings cleared; NULL on a prepare error. */
struct sqldb_stmt *store_stmt(struct store *s, const char *sql);
/* Steps a statement that returns no rows; 0 or -1. Resets it. */
int store_exec_stmt(struct sqldb_stmt *st);

void bind_text(struct sqldb_stmt *st, int idx, const char *text);   /* NULL binds NULL */
void bind_int(struct sqldb_stmt *st, int idx, int64_t v);
void bind_int_or_null(struct sqldb_stmt *st, int idx, int64_t v);  /* 0 binds NULL */
char *column_dup(struct sqldb_stmt *st, int col);                  /* NULL stays NULL */
void column_copy(struct sqldb_stmt *st, int col, char *buf, size_t size);
/* The single integer `sql` answers with ?1 = a (and ?2 = b when it has one); -1 on error. */
int64_t store_count(struct store *s, const char *sql, int64_t a, int64_t b);
/* Whether `sql` (?1 name, ?2 id to ignore) finds another row with that name: 1 (err names it), 0, -1. */
int store_name_taken(struct store *s, const char *sql, const char *what, const char *name, int64_t except_id,
                     char *err, size_t errsize);
/* The columns of a run row, in the order read_run_row reads them (sync_runs r, connections c). */
#define RUN_COLUMNS \
	"r.id, r.connection_id, coalesce(c.name, ''), r.trigger, r.status, coalesce(r.phase, '')," \
	" r.rows_read, r.created, r.updated, r.unchanged, r.skipped, r.failed," \
	" r.push_queued, r.push_processed, r.push_failed, r.retired, r.retire_failed, r.bytes_total, r.bytes_done," \
	" r.errors_total, r.created_at, r.started_at, r.finished_at, r.heartbeat_at, coalesce(r.worker_id, '')," \
	" r.cancel_requested, r.attempt, r.retry_of, r.plan_only, coalesce(r.summary, ''), coalesce(r.plan_run, 0)"
/*
 * The name of the shop a connection pushes to (connections c), found as its document names it (by id or by
 * name); NULL for a file export, catalog only, or a shop since removed.
 */
#define CONN_DEST_NAME \
	"(SELECT dn.name FROM destinations dn WHERE c.dest_type = 'woocommerce'" \
	" AND (dn.id = json_extract(c.document, '$.destination.id')" \
	" OR dn.name = json_extract(c.document, '$.destination.name')))"
/* The id of connection `conn`'s running run (NULL when none), along the one-active-run index. */
#define RUNNING_RUN_OF(conn) \
	"(SELECT id FROM sync_runs WHERE connection_id = " conn " AND status IN ('queued','running'))"
/* store_run_enqueue inside the caller's write transaction (BEGIN IMMEDIATE), same results. */
int store_run_enqueue_locked(struct store *s, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                             bool plan_only, int64_t *run_id, struct run_row *active);
/*
 * Steps st, whose columns are sku, data, hash, retired and returning (struct pending_product), reading up to
 * `limit` rows, then hands them to fn with no statement open. The number of rows, or -1.
 */
int store_pending_rows(struct sqldb_stmt *st, int limit, pending_fn fn, void *ud);
/* The columns of a destination row, in the order read_dest_row reads them (destinations d). */
#define DEST_COLUMNS_WITH(credentials) \
	"d.id, d.name, d.type, d.base_url, d.auth, d.verify_tls, d.key_env, d.secret_env, " credentials "," \
	" d.credentials_hint, d.options, d.health_checked_at, d.health_ok, d.health_message, d.circuit_state," \
	" d.circuit_reopen_at, d.consecutive_failures, d.learned_batch_size, d.created_at, d.updated_at," \
	" d.ca_file, d.circuit_since, d.circuit_last_at, d.circuit_last, d.recent_outcomes"
#define DEST_COLUMNS DEST_COLUMNS_WITH("d.credentials")
#define DEST_NCOLUMNS 25

struct dest_row;
void read_dest_row(struct sqldb_stmt *st, struct dest_row *r);
/* The columns of destination `dest`'s shared limits with leases live at `now` (SQL expressions), in the order
 * read_limits_columns reads them from column `col` on (core/store_limits.h). */
#define LIMITS_COLUMNS(dest, now) \
	"(SELECT tokens FROM dest_buckets WHERE destination_id = " dest ")," \
	" (SELECT refilled_at FROM dest_buckets WHERE destination_id = " dest ")," \
	" (SELECT size FROM dest_buckets WHERE destination_id = " dest ")," \
	" (SELECT rate FROM dest_buckets WHERE destination_id = " dest ")," \
	" (SELECT concurrency FROM dest_buckets WHERE destination_id = " dest ")," \
	" (SELECT coalesce(sum(slots), 0) FROM dest_leases WHERE destination_id = " dest " AND expires_at > " now ")," \
	" (SELECT count(*) FROM dest_leases WHERE destination_id = " dest " AND expires_at > " now ")," \
	" (SELECT maximum FROM dest_cost_buckets WHERE destination_id = " dest ")," \
	" (SELECT available FROM dest_cost_buckets WHERE destination_id = " dest ")," \
	" (SELECT restore_rate FROM dest_cost_buckets WHERE destination_id = " dest ")," \
	" (SELECT seen_at FROM dest_cost_buckets WHERE destination_id = " dest ")"
/* Now in ms, as SQL: for the views, which show leases as they are when read. */
#define SQL_NOW_MS "(CAST(strftime('%s', 'now') AS INTEGER) * 1000)"
struct limits_view;
void read_limits_columns(struct sqldb_stmt *st, int col, struct limits_view *v);

/* Reads a row of RUN_COLUMNS, for every query that lists runs. */
void read_run_row(struct sqldb_stmt *st, struct run_row *r);

#endif
