/* The store handle: opening, the statement cache, transactions. */
#include "store_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/db.h"
#include "core/util.h"

#define RUN_COUNTER_COLUMN(id, column, label) #column,
#define RUN_COUNTER_LABEL(id, column, label) label,
const char *const run_counter_columns[RC_COUNT] = {RUN_COUNTERS(RUN_COUNTER_COLUMN)};
const char *const run_counter_labels[RC_COUNT] = {RUN_COUNTERS(RUN_COUNTER_LABEL)};

const char *const run_triggers[] = {"manual", "schedule", "retry", "plan", "reconcile", NULL};
const char *const run_phases[PHASE_COUNT + 1] = {
	[PHASE_NONE] = "",
	[PHASE_DOWNLOAD] = "download",
	[PHASE_LOCAL_IMPORT] = "local_import",
	[PHASE_PUSHING] = "pushing",
	[PHASE_RECONCILE] = "reconcile",
};

bool run_status_valid(const char *status)
{
	static const char *const all[] = {RUN_QUEUED, RUN_RUNNING, RUN_COMPLETED, RUN_COMPLETED_WITH_ERRORS,
	                                  RUN_FAILED, RUN_CANCELLED, NULL};
	return str_in(status, all);
}

bool run_status_active(const char *status)
{
	return str_eq(status, RUN_QUEUED) || str_eq(status, RUN_RUNNING);
}

struct store *store_open_path(const char *path, int busy_timeout_ms, char *err, size_t errsize)
{
	sqlite3 *db = db_open(path, busy_timeout_ms, err, errsize);
	if (!db)
		return NULL;
	struct store *s = xcalloc(1, sizeof(*s));
	s->db = db;
	return s;
}

struct store *store_open(const struct config *cfg, char *err, size_t errsize)
{
	return store_open_path(cfg->db_path, cfg->busy_timeout_ms, err, errsize);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++)
		sqlite3_finalize(s->stmt[i]);
	db_close(s->db);
	free(s);
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_errmsg(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql)
{
	size_t slot = (size_t)(((uintptr_t)sql >> 3) * UINT64_C(0x9E3779B97F4A7C15) >> 57) % STORE_STMT_SLOTS;
	for (size_t probe = 0; probe < STORE_STMT_SLOTS; probe++) {
		size_t i = (slot + probe) % STORE_STMT_SLOTS;
		if (s->sql[i] == sql) {
			sqlite3_reset(s->stmt[i]);
			sqlite3_clear_bindings(s->stmt[i]);
			return s->stmt[i];
		}
		if (!s->sql[i]) {
			sqlite3_stmt *st = NULL;
			if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
				return NULL;
			s->sql[i] = sql;
			s->stmt[i] = st;
			return st;
		}
	}
	fprintf(stderr, "feedsync: statement cache full (raise STORE_STMT_SLOTS)\n");
	abort();
}

int store_exec_stmt(sqlite3_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

void bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

void bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st, idx, v);
}

void bind_int_or_null(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, idx, v);
	else
		sqlite3_bind_null(st, idx);
}

char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? xstrdup((const char *)t) : NULL;
}

void column_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	str_copy(buf, t ? (const char *)t : "", size);
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

int store_begin(struct store *s)
{
	return store_exec_stmt(store_stmt(s, SQL_BEGIN));
}

int store_commit(struct store *s)
{
	if (store_flush_product_count(s) < 0)
		return -1;
	return store_exec_stmt(store_stmt(s, SQL_COMMIT));
}

void store_rollback(struct store *s)
{
	s->added_products = 0;
	if (store_in_transaction(s))
		store_exec_stmt(store_stmt(s, SQL_ROLLBACK));
}

bool store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int64_t store_data_version(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DATA_VERSION);
	int64_t v = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

int store_name_taken(struct store *s, const char *sql, const char *what, const char *name, int64_t except_id,
                     char *err, size_t errsize)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	bind_int(st, 2, except_id);
	int rc = sqlite3_step(st);
	int64_t other = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (other) {
		snprintf(err, errsize, "the name '%s' is already used by %s %lld", name, what, (long long)other);
		return 1;
	}
	return 0;
}

int64_t store_count(struct store *s, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		bind_int(st, 2, b);
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return n;
}
