/* Runs: queueing, claiming, live counters, cancel, recovery, errors and events. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/state_index.h"
#include "core/util.h"

#define RUN_SELECT "SELECT " RUN_COLUMNS \
	" FROM sync_runs r LEFT JOIN connections c ON c.id = r.connection_id"

static const char SQL_RUN_GET[] = RUN_SELECT " WHERE r.id = ?1";
static const char SQL_RUN_ACTIVE_FOR[] =
	RUN_SELECT " WHERE r.connection_id = ?1 AND r.status IN ('queued','running')";
static const char SQL_RUN_LIST[] =
	RUN_SELECT " WHERE (CAST(?1 AS TEXT) IS NULL OR r.status = ?1 OR (?1 = 'active' AND r.status IN ('queued','running')))"
	" AND (?2 = 0 OR r.connection_id = ?2) ORDER BY r.id DESC LIMIT ?3";
/* Runs that read a feed: applying a plan or retiring stale products reads none. */
static const char SQL_RUN_LAST_SUCCESS[] =
	RUN_SELECT " WHERE r.connection_id = ?1 AND r.id < ?2 AND r.status IN ('completed', 'completed_with_errors')"
	" AND r.rows_read > 0 ORDER BY r.id DESC LIMIT 1";
static const char SQL_RUN_INSERT[] =
	"INSERT INTO sync_runs(connection_id, trigger, status, attempt, retry_of, plan_only, created_at)"
	" VALUES(?1, ?2, 'queued', ?3, ?4, ?5, ?6)";
static const char SQL_RUN_CONN_EXISTS[] = "SELECT 1 FROM connections WHERE id = ?1";
static const char SQL_RUN_CLAIM[] =
	"UPDATE sync_runs SET status = 'running', started_at = ?1, heartbeat_at = ?1, worker_id = ?2"
	" WHERE id = (SELECT id FROM sync_runs WHERE status = 'queued' AND (?3 = 0 OR id = ?3)"
	"             ORDER BY id LIMIT 1)"
	" RETURNING id";
/* Workers on many hosts skip each other's locked rows instead of queueing behind them; the time is the
 * server's (?1 goes unused). */
static const char SQL_RUN_CLAIM_PG[] =
	"UPDATE sync_runs SET status = 'running', started_at = " PG_NOW_MS ", heartbeat_at = " PG_NOW_MS ","
	" worker_id = ?2"
	" WHERE id = (SELECT id FROM sync_runs WHERE status = 'queued' AND (?3 = 0 OR id = ?3)"
	"             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING id";
static const char SQL_RUN_FLUSH[] =
	"UPDATE sync_runs SET phase = ?2, rows_read = ?3, created = ?4, updated = ?5, unchanged = ?6,"
	" skipped = ?7, failed = ?8, push_queued = ?9, push_processed = ?10, push_failed = ?11, retired = ?12,"
	" retire_failed = ?13, bytes_total = ?14, bytes_done = ?15, errors_total = ?16, heartbeat_at = ?17"
	" WHERE id = ?1 AND status = 'running'";
static const char SQL_RUN_FLUSH_PG[] =
	"UPDATE sync_runs SET phase = ?2, rows_read = ?3, created = ?4, updated = ?5, unchanged = ?6,"
	" skipped = ?7, failed = ?8, push_queued = ?9, push_processed = ?10, push_failed = ?11, retired = ?12,"
	" retire_failed = ?13, bytes_total = ?14, bytes_done = ?15, errors_total = ?16, heartbeat_at = " PG_NOW_MS
	" WHERE id = ?1 AND status = 'running'";
static const char SQL_RUN_FINISH[] =
	"UPDATE sync_runs SET status = ?2, summary = ?3, finished_at = ?4 WHERE id = ?1 AND status = 'running'";
static const char SQL_RUN_CANCEL_QUEUED[] =
	"UPDATE sync_runs SET status = 'cancelled', cancel_requested = 1, finished_at = ?2,"
	" summary = 'cancelled before it started' WHERE id = ?1 AND status = 'queued'";
static const char SQL_RUN_CANCEL_RUNNING[] =
	"UPDATE sync_runs SET cancel_requested = 1 WHERE id = ?1 AND status = 'running'";
static const char SQL_RUN_STATUS[] = "SELECT status FROM sync_runs WHERE id = ?1";
static const char SQL_RUN_CANCEL_FLAG[] = "SELECT cancel_requested FROM sync_runs WHERE id = ?1";
/* A cancel that came too late goes into the run's log: one the run never saw before it finished (?3 = 0: the flag
 * tells), or one asked of a finished run (?3 = 1). A cancelled run needs no such line. */
static const char SQL_RUN_LATE_CANCEL[] =
	"INSERT INTO run_events(run_id, at, level, message)"
	" SELECT id, ?2, 'warn', 'cancel requested after the run completed (' || status || '): nothing was cancelled'"
	" FROM sync_runs WHERE id = ?1 AND (?3 <> 0 OR cancel_requested <> 0) AND status NOT IN ('queued', 'running', 'cancelled')";
static const char SQL_RUN_RECOVER[] =
	"UPDATE sync_runs SET status = 'failed', finished_at = ?2,"
	" summary = 'worker lost: no heartbeat since ' || datetime(heartbeat_at / 1000, 'unixepoch', 'localtime')"
	"   || ' (worker ' || coalesce(worker_id, '?') || '); retry with: feedsync runs retry ' || id"
	" WHERE status = 'running' AND heartbeat_at < ?1";
/* The staleness window (?2 - ?1) is measured on the server's clock, which stamped the heartbeats. */
static const char SQL_RUN_RECOVER_PG[] =
	"UPDATE sync_runs SET status = 'failed', finished_at = " PG_NOW_MS ","
	" summary = 'worker lost: no heartbeat since '"
	"   || to_char(to_timestamp(heartbeat_at / 1000), 'YYYY-MM-DD HH24:MI:SS')"
	"   || ' (worker ' || coalesce(worker_id, '?') || '); retry with: feedsync runs retry ' || id"
	" WHERE status = 'running' AND heartbeat_at < " PG_NOW_MS " - (CAST(?2 AS BIGINT) - CAST(?1 AS BIGINT))";
static const char SQL_ERROR_INSERT[] =
	"INSERT INTO run_errors(run_id, at, phase, line, sku, column_name, code, message, detail)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_ERRORS_OLDEST[] =
	"SELECT id, run_id, at, coalesce(line, 0), coalesce(phase, ''), coalesce(sku, ''),"
	" coalesce(column_name, ''), code, message, detail FROM run_errors WHERE run_id = ?1"
	" ORDER BY id LIMIT ?2";
static const char SQL_ERRORS_NEWEST[] =
	"SELECT id, run_id, at, coalesce(line, 0), coalesce(phase, ''), coalesce(sku, ''),"
	" coalesce(column_name, ''), code, message, detail FROM run_errors WHERE run_id = ?1"
	" ORDER BY id DESC LIMIT ?2";
static const char SQL_EVENT_INSERT[] =
	"INSERT INTO run_events(run_id, at, level, message) VALUES(?1, ?2, ?3, ?4)";
static const char SQL_EVENTS[] =
	"SELECT id, run_id, at, level, message FROM run_events WHERE run_id = ?1 AND id > ?2"
	" ORDER BY id LIMIT ?3";
static const char SQL_WORKER_REGISTER[] =
	"INSERT INTO workers(id, pid, host, threads, started_at, heartbeat_at) VALUES(?1, ?2, ?3, ?4, ?5, ?5)"
	" ON CONFLICT(id) DO UPDATE SET pid = ?2, host = ?3, threads = ?4, started_at = ?5, heartbeat_at = ?5";
static const char SQL_WORKER_REGISTER_PG[] =
	"INSERT INTO workers(id, pid, host, threads, started_at, heartbeat_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5, " PG_NOW_MS ")"
	" ON CONFLICT(id) DO UPDATE SET pid = ?2, host = ?3, threads = ?4, started_at = ?5, heartbeat_at = " PG_NOW_MS;
static const char SQL_WORKER_BEAT[] = "UPDATE workers SET heartbeat_at = ?2 WHERE id = ?1";
/* A worker's beat and its liveness window are the server's clock too, so that hosts' clocks never disagree. */
static const char SQL_WORKER_BEAT_PG[] = "UPDATE workers SET heartbeat_at = " PG_NOW_MS " WHERE id = ?1";
static const char SQL_WORKER_REMOVE[] = "DELETE FROM workers WHERE id = ?1";
static const char SQL_WORKER_LIVE[] = "SELECT count(*) FROM workers WHERE heartbeat_at >= ?1";
/* ?2 is this host's now: the window (?2 - ?1) is laid on the server's clock. */
static const char SQL_WORKER_LIVE_PG[] =
	"SELECT count(*) FROM workers WHERE heartbeat_at >= " PG_NOW_MS " - (CAST(?2 AS BIGINT) - CAST(?1 AS BIGINT))";

void read_run_row(struct sqldb_stmt *st, struct run_row *r)
{
	memset(r, 0, sizeof(*r));
	int c = 0;
	r->id = sqldb_column_int64(st, c++);
	r->connection_id = sqldb_column_int64(st, c++);
	column_copy(st, c++, r->connection_name, sizeof(r->connection_name));
	column_copy(st, c++, r->trigger, sizeof(r->trigger));
	column_copy(st, c++, r->status, sizeof(r->status));
	column_copy(st, c++, r->phase, sizeof(r->phase));
	for (int i = 0; i < RC_COUNT; i++)
		r->counters[i] = sqldb_column_int64(st, c++);
	r->errors_total = sqldb_column_int64(st, c++);
	r->created_at = sqldb_column_int64(st, c++);
	r->started_at = sqldb_column_int64(st, c++);
	r->finished_at = sqldb_column_int64(st, c++);
	r->heartbeat_at = sqldb_column_int64(st, c++);
	column_copy(st, c++, r->worker_id, sizeof(r->worker_id));
	r->cancel_requested = sqldb_column_int(st, c++) != 0;
	r->attempt = sqldb_column_int(st, c++);
	r->retry_of = sqldb_column_int64(st, c++);
	r->plan_only = sqldb_column_int(st, c++) != 0;
	column_copy(st, c++, r->summary, sizeof(r->summary));
	r->plan_run = sqldb_column_int64(st, c++);
}

static int get_one_run(struct store *s, const char *sql, int64_t a, int64_t b, struct run_row *out)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, a);
	bind_int(st, 2, b);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_run_row(st, out);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_run_get(struct store *s, int64_t id, struct run_row *out)
{
	return get_one_run(s, SQL_RUN_GET, id, 0, out);
}

int store_run_active_for(struct store *s, int64_t conn_id, struct run_row *out)
{
	return get_one_run(s, SQL_RUN_ACTIVE_FOR, conn_id, 0, out);
}

int store_run_last_success(struct store *s, int64_t conn_id, int64_t before_run, struct run_row *out)
{
	return get_one_run(s, SQL_RUN_LAST_SUCCESS, conn_id, before_run, out);
}

int store_run_list(struct store *s, const struct run_query *q, struct run_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_LIST);
	if (!st)
		return -1;
	bind_text(st, 1, q->status);
	bind_int(st, 2, q->connection_id);
	bind_int(st, 3, q->limit > 0 ? q->limit : 50);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		read_run_row(st, &(*rows)[(*n)++]);
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Inside the caller's write transaction: the insert and the look-up of the run that refused it. */
int store_run_enqueue_locked(struct store *s, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                             bool plan_only, int64_t *run_id, struct run_row *active)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_CONN_EXISTS);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc = sqldb_step(st);
	sqldb_reset(st);
	if (rc == SQLDB_DONE)
		return 2;
	if (rc != SQLDB_ROW)
		return -1;

	/* On PostgreSQL a refused insert aborts the transaction, the look-up below with it, unless undone alone. */
	st = store_stmt(s, SQL_RUN_INSERT);
	if (!st || (s->pg && sqldb_exec(s->db, "SAVEPOINT enqueue") != SQLDB_OK))
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, trigger);
	bind_int(st, 3, attempt > 0 ? attempt : 1);
	bind_int_or_null(st, 4, retry_of);
	bind_int(st, 5, plan_only);
	bind_int(st, 6, now_ms());
	rc = sqldb_step(st);
	sqldb_reset(st);
	if (rc == SQLDB_DONE) {
		*run_id = sqldb_last_insert_id(s->db);
		return 0;
	}
	/* The partial unique index said no: report the run that holds the connection. */
	bool refused = sqldb_unique_violation(s->db);
	if (s->pg && sqldb_exec(s->db, "ROLLBACK TO SAVEPOINT enqueue") != SQLDB_OK)
		return -1;
	if (!refused)
		return -1;
	struct run_row ignored;
	return store_run_active_for(s, conn_id, active ? active : &ignored) == 1 ? 1 : -1;
}

/*
 * One write transaction, so that the run holding the connection cannot finish between the refused insert
 * and its look-up, and created_at is taken once the lock is held: a run is never queued "before" the
 * previous one of its connection finished.
 */
int store_run_enqueue(struct store *s, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                      bool plan_only, int64_t *run_id, struct run_row *active)
{
	if (!str_in(trigger, run_triggers))
		return -1;   /* a programming error: the console could not find such runs by their trigger */
	if (store_begin(s) < 0)
		return -1;
	int rc = store_run_enqueue_locked(s, conn_id, trigger, retry_of, attempt, plan_only, run_id, active);
	if (rc >= 0 && store_commit(s) == 0)
		return rc;
	store_rollback(s);
	return -1;
}

int store_run_claim(struct store *s, const char *worker_id, int64_t run_id, struct run_row *out)
{
	if (store_begin(s) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_RUN_CLAIM));
	if (!st) {
		store_rollback(s);
		return -1;
	}
	bind_int(st, 1, now_ms());
	bind_text(st, 2, worker_id);
	bind_int(st, 3, run_id);
	int rc = sqldb_step(st);
	int64_t claimed = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	if (rc == SQLDB_ROW)
		rc = sqldb_step(st);
	sqldb_reset(st);
	if (rc != SQLDB_DONE || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	if (!claimed)
		return 0;
	return store_run_get(s, claimed, out) == 1 ? 1 : -1;
}

/* A worker stalled past stale_after_s may resume after its run was failed as lost: that verdict stands. */
static int running_run_updated(struct store *s, struct sqldb_stmt *st)
{
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db) ? 0 : 1;
}

int store_run_flush(struct store *s, int64_t id, const char *phase, const int64_t counters[RC_COUNT],
                    int64_t errors_total, int64_t heartbeat_at)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_RUN_FLUSH));
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, phase && *phase ? phase : NULL);
	for (int i = 0; i < RC_COUNT; i++)
		bind_int(st, 3 + i, counters[i]);
	bind_int(st, 3 + RC_COUNT, errors_total);
	bind_int(st, 4 + RC_COUNT, heartbeat_at);
	return running_run_updated(s, st);
}

static int note_late_cancel(struct store *s, int64_t id, int64_t at, bool asked_now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_LATE_CANCEL);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_int(st, 2, at);
	bind_int(st, 3, asked_now);
	return store_exec_stmt(st);
}

int store_run_finish(struct store *s, int64_t id, const char *status, const char *summary, int64_t finished_at)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_FINISH);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, status);
	bind_text(st, 3, summary && *summary ? summary : NULL);
	bind_int(st, 4, finished_at);
	int rc = running_run_updated(s, st);
	if (rc == 0 && note_late_cancel(s, id, finished_at, false) < 0)
		return -1;
	return rc;
}

int store_run_request_cancel(struct store *s, int64_t id, char *outcome, size_t size)
{
	if (store_begin(s) < 0)
		return -1;
	int result = -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_CANCEL_QUEUED);
	if (!st)
		goto out;
	bind_int(st, 1, id);
	bind_int(st, 2, now_ms());
	if (store_exec_stmt(st) < 0)
		goto out;
	if (sqldb_changes(s->db)) {
		str_copy(outcome, "cancelled", size);
		result = 0;
		goto out;
	}
	st = store_stmt(s, SQL_RUN_CANCEL_RUNNING);
	if (!st)
		goto out;
	bind_int(st, 1, id);
	if (store_exec_stmt(st) < 0)
		goto out;
	if (sqldb_changes(s->db)) {
		str_copy(outcome, "requested", size);
		result = 0;
		goto out;
	}
	st = store_stmt(s, SQL_RUN_STATUS);
	if (!st)
		goto out;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		column_copy(st, 0, outcome, size);
		result = 2;
	} else if (rc == SQLDB_DONE) {
		result = 1;
	}
	sqldb_reset(st);
	if (result == 2 && note_late_cancel(s, id, now_ms(), true) < 0)
		result = -1;
out:
	if (result >= 0 && store_commit(s) == 0)
		return result;
	store_rollback(s);
	return -1;
}

int store_run_cancel_requested(struct store *s, int64_t id, bool *requested)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_RUN_CANCEL_FLAG);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	*requested = rc == SQLDB_ROW && sqldb_column_int(st, 0) != 0;
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? 0 : -1;
}

int store_run_recover_stale(struct store *s, int64_t stale_before, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_RUN_RECOVER));
	if (!st)
		return -1;
	bind_int(st, 1, stale_before);
	bind_int(st, 2, now);
	if (store_exec_stmt(st) < 0)
		return -1;
	int n = sqldb_changes(s->db);
	/* A lost run may have been a first import that went without the state index: not fatal, as at open. */
	if (n > 0)
		state_index_ensure(s->db);
	return n;
}

void run_error_rows_free(struct run_error_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].message);
		free(rows[i].detail);
	}
	free(rows);
}

int store_run_error_insert(struct store *s, int64_t run_id, int64_t at, const char *phase, int64_t line,
                           const char *sku, const char *column, const char *code, const char *message,
                           const char *detail)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_ERROR_INSERT);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_int(st, 2, at);
	bind_text(st, 3, phase && *phase ? phase : NULL);
	bind_int_or_null(st, 4, line);
	bind_text(st, 5, sku && *sku ? sku : NULL);
	bind_text(st, 6, column && *column ? column : NULL);
	bind_text(st, 7, code);
	bind_text(st, 8, message);
	bind_text(st, 9, detail);
	return store_exec_stmt(st);
}

int store_run_errors(struct store *s, int64_t run_id, int limit, bool newest_first,
                     struct run_error_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, newest_first ? SQL_ERRORS_NEWEST : SQL_ERRORS_OLDEST);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_limit(st, 2, limit > 0 ? limit : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		struct run_error_row *r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->id = sqldb_column_int64(st, 0);
		r->run_id = sqldb_column_int64(st, 1);
		r->at = sqldb_column_int64(st, 2);
		r->line = sqldb_column_int64(st, 3);
		column_copy(st, 4, r->phase, sizeof(r->phase));
		column_copy(st, 5, r->sku, sizeof(r->sku));
		column_copy(st, 6, r->column, sizeof(r->column));
		column_copy(st, 7, r->code, sizeof(r->code));
		r->message = column_dup(st, 8);
		r->detail = column_dup(st, 9);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

void run_event_rows_free(struct run_event_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].message);
	free(rows);
}

int store_run_event_insert(struct store *s, int64_t run_id, int64_t at, const char *level, const char *message)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_EVENT_INSERT);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_int(st, 2, at);
	bind_text(st, 3, level);
	bind_text(st, 4, message);
	return store_exec_stmt(st);
}

int store_run_events(struct store *s, int64_t run_id, int64_t after_id, int limit,
                     struct run_event_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_EVENTS);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_int(st, 2, after_id);
	bind_limit(st, 3, limit > 0 ? limit : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		struct run_event_row *r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->id = sqldb_column_int64(st, 0);
		r->run_id = sqldb_column_int64(st, 1);
		r->at = sqldb_column_int64(st, 2);
		column_copy(st, 3, r->level, sizeof(r->level));
		r->message = column_dup(st, 4);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_worker_register(struct store *s, const char *id, int pid, const char *host, int threads, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_WORKER_REGISTER));
	if (!st)
		return -1;
	bind_text(st, 1, id);
	bind_int(st, 2, pid);
	bind_text(st, 3, host);
	bind_int(st, 4, threads);
	bind_int(st, 5, now);
	return store_exec_stmt(st);
}

int store_worker_beat(struct store *s, const char *id, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_WORKER_BEAT));
	if (!st)
		return -1;
	bind_text(st, 1, id);
	bind_int(st, 2, now);
	return store_exec_stmt(st);
}

int store_worker_remove(struct store *s, const char *id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_WORKER_REMOVE);
	if (!st)
		return -1;
	bind_text(st, 1, id);
	return store_exec_stmt(st);
}

int store_worker_count_live(struct store *s, int64_t fresh_after)
{
	return (int)store_count(s, STORE_SQL(s, SQL_WORKER_LIVE), fresh_after, now_ms());
}
