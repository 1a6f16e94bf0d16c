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
	struct sqldb *db = db_open(path, busy_timeout_ms, err, errsize);
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
		sqldb_finalize(s->stmt[i]);
	db_close(s->db);
	free(s);
}

struct sqldb *store_db(struct store *s)
{
	return s->db;
}

const char *store_errmsg(struct store *s)
{
	return sqldb_errmsg(s->db);
}

struct sqldb_stmt *store_stmt(struct store *s, const char *sql)
{
	size_t slot = (size_t)(((uintptr_t)sql >> 3) * UINT64_C(0x9E3779B97F4A7C15) >> (64 - STORE_STMT_SLOTS_LOG2));
	for (size_t probe = 0; probe < STORE_STMT_SLOTS; probe++) {
		size_t i = (slot + probe) % STORE_STMT_SLOTS;
		if (s->sql[i] == sql) {
			sqldb_reset(s->stmt[i]);
			sqldb_clear_bindings(s->stmt[i]);
			return s->stmt[i];
		}
		if (!s->sql[i]) {
			struct sqldb_stmt *st = NULL;
			if (sqldb_prepare_persistent(s->db, sql, &st) != SQLDB_OK)
				return NULL;
			s->sql[i] = sql;
			s->stmt[i] = st;
			return st;
		}
	}
	fprintf(stderr, "feedsync: statement cache full (raise STORE_STMT_SLOTS)\n");
	abort();
}

int store_exec_stmt(struct sqldb_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqldb_step(st);
	sqldb_reset(st);
	return rc == SQLDB_DONE || rc == SQLDB_ROW ? 0 : -1;
}

void bind_text(struct sqldb_stmt *st, int idx, const char *text)
{
	if (text)
		sqldb_bind_text(st, idx, text);
	else
		sqldb_bind_null(st, idx);
}

void bind_int(struct sqldb_stmt *st, int idx, int64_t v)
{
	sqldb_bind_int64(st, idx, v);
}

void bind_int_or_null(struct sqldb_stmt *st, int idx, int64_t v)
{
	if (v)
		sqldb_bind_int64(st, idx, v);
	else
		sqldb_bind_null(st, idx);
}

char *column_dup(struct sqldb_stmt *st, int col)
{
	const unsigned char *t = sqldb_column_text(st, col);
	return t ? xstrdup((const char *)t) : NULL;
}

void column_copy(struct sqldb_stmt *st, int col, char *buf, size_t size)
{
	const unsigned char *t = sqldb_column_text(st, col);
	str_copy(buf, t ? (const char *)t : "", size);
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

int store_begin(struct store *s)
{
	return sqldb_begin(s->db) == SQLDB_OK ? 0 : -1;
}

int store_commit(struct store *s)
{
	if (store_flush_product_count(s) < 0)
		return -1;
	return sqldb_commit(s->db) == SQLDB_OK ? 0 : -1;
}

void store_rollback(struct store *s)
{
	s->added_products = 0;
	if (store_in_transaction(s))
		sqldb_rollback(s->db);
}

bool store_in_transaction(struct store *s)
{
	return sqldb_in_transaction(s->db);
}

int64_t store_data_version(struct store *s)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DATA_VERSION);
	int64_t v = -1;
	if (st && sqldb_step(st) == SQLDB_ROW)
		v = sqldb_column_int64(st, 0);
	if (st)
		sqldb_reset(st);
	return v;
}

int store_name_taken(struct store *s, const char *sql, const char *what, const char *name, int64_t except_id,
                     char *err, size_t errsize)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	bind_int(st, 2, except_id);
	int rc = sqldb_step(st);
	int64_t other = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	sqldb_reset(st);
	if (rc != SQLDB_ROW && rc != SQLDB_DONE)
		return -1;
	if (other) {
		snprintf(err, errsize, "the name '%s' is already used by %s %lld", name, what, (long long)other);
		return 1;
	}
	return 0;
}

int64_t store_count(struct store *s, const char *sql, int64_t a, int64_t b)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, a);
	if (sqldb_bind_parameter_count(st) >= 2)
		bind_int(st, 2, b);
	int64_t n = sqldb_step(st) == SQLDB_ROW ? sqldb_column_int64(st, 0) : -1;
	sqldb_reset(st);
	return n;
}
