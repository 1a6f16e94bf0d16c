/*
 * include/core/sqldb.h: SQLite here, PostgreSQL in sqldb_pg.c. On SQLite each call is one call into SQLite
 * behind one predictable branch, so that the import loop costs what it did when the store called SQLite
 * itself. Result codes and type codes are SQLite's own (checked below), so nothing translates them.
 */
#include "core/sqldb.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/util.h"
#include "core/sqldb_pg.h"

static_assert(SQLDB_OK == SQLITE_OK && SQLDB_ROW == SQLITE_ROW && SQLDB_DONE == SQLITE_DONE,
              "sqldb result codes are SQLite's");
static_assert(SQLDB_INTEGER == SQLITE_INTEGER && SQLDB_FLOAT == SQLITE_FLOAT && SQLDB_TEXT == SQLITE_TEXT &&
                  SQLDB_BLOB == SQLITE_BLOB && SQLDB_NULL == SQLITE_NULL,
              "sqldb column types are SQLite's");

/* Exactly one of lite and pg is set: the backend the target named. */
struct sqldb {
	sqlite3 *lite;
	struct pg_db *pg;
	char *pg_url;   /* a server has no file name to open it again by */
	/* Prepared on first use: a batch commit must not parse its BEGIN and COMMIT again. */
	struct sqldb_stmt *begin, *commit, *rollback;
};

struct sqldb_stmt {
	sqlite3_stmt *lite;
	struct pg_stmt *pg;
};

/*
 * SQLite would create the file with the umask's mode; a catalog with shop data is the owner's alone.
 * An existing file is never opened here: closing any descriptor of it would drop the POSIX locks that this
 * process's other connections hold, and another process could then delete the WAL under them.
 */
static int create_private(const char *path, char *err, size_t errsize)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0) {
		snprintf(err, errsize, "cannot open database %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static const char SQL_SETUP[] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY";

struct sqldb *sqldb_open(const char *target, enum sqldb_mode mode, int busy_timeout_ms, char *err,
                         size_t errsize)
{
	if (pg_names_server(target)) {
		struct pg_db *pg = pg_open(target, err, errsize);
		if (!pg)
			return NULL;
		struct sqldb *db = xcalloc(1, sizeof(*db));
		db->pg = pg;
		db->pg_url = xstrdup(target);
		return db;
	}
	bool writing = mode == SQLDB_READ_WRITE;
	if (writing && strcmp(target, ":memory:") != 0 && create_private(target, err, errsize) < 0)
		return NULL;
	int flags = SQLITE_OPEN_NOMUTEX | (writing ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
	sqlite3 *lite = NULL;
	int rc = sqlite3_open_v2(target, &lite, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsize, "cannot open database %s: %s", target,
		         lite ? sqlite3_errmsg(lite) : sqlite3_errstr(rc));
		sqlite3_close(lite);
		return NULL;
	}
	sqlite3_busy_timeout(lite, busy_timeout_ms);
	if (writing && sqlite3_exec(lite, SQL_SETUP, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsize, "cannot set up database %s: %s", target, sqlite3_errmsg(lite));
		sqlite3_close(lite);
		return NULL;
	}
	struct sqldb *db = xcalloc(1, sizeof(*db));
	db->lite = lite;
	return db;
}

void sqldb_close(struct sqldb *db)
{
	if (!db)
		return;
	sqldb_finalize(db->begin);
	sqldb_finalize(db->commit);
	sqldb_finalize(db->rollback);
	if (db->pg)
		pg_close(db->pg);
	else
		sqlite3_close(db->lite);
	free(db->pg_url);
	free(db);
}

bool sqldb_absent(const char *target)
{
	return !pg_names_server(target) && strcmp(target, ":memory:") != 0 && access(target, F_OK) != 0;
}

const char *sqldb_backend(struct sqldb *db)
{
	return db->pg ? "postgresql" : "sqlite";
}

const char *sqldb_errmsg(struct sqldb *db)
{
	return db->pg ? pg_errmsg(db->pg) : sqlite3_errmsg(db->lite);
}

const char *sqldb_prepared_sql(struct sqldb *db, const char *marker)
{
	if (db->pg)
		return NULL;
	for (sqlite3_stmt *st = sqlite3_next_stmt(db->lite, NULL); st; st = sqlite3_next_stmt(db->lite, st))
		if (strstr(sqlite3_sql(st), marker))
			return sqlite3_sql(st);
	return NULL;
}

const char *sqldb_filename(struct sqldb *db)
{
	if (db->pg)
		return NULL;
	const char *path = sqlite3_db_filename(db->lite, "main");
	return path && *path ? path : NULL;
}

const char *sqldb_target(struct sqldb *db)
{
	return db->pg ? db->pg_url : sqldb_filename(db);
}

int sqldb_exec(struct sqldb *db, const char *sql)
{
	return db->pg ? pg_exec(db->pg, sql) : sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
}

static int prepare(struct sqldb *db, const char *sql, unsigned flags, struct sqldb_stmt **st)
{
	*st = NULL;
	if (db->pg) {
		struct pg_stmt *pg;
		int rc = pg_prepare(db->pg, sql, &pg);
		if (rc != SQLDB_OK)
			return rc;
		*st = xcalloc(1, sizeof(**st));
		(*st)->pg = pg;
		return SQLDB_OK;
	}
	sqlite3_stmt *lite = NULL;
	int rc = sqlite3_prepare_v3(db->lite, sql, -1, flags, &lite, NULL);
	if (rc != SQLITE_OK)
		return rc;
	*st = xcalloc(1, sizeof(**st));
	(*st)->lite = lite;
	return SQLITE_OK;
}

int sqldb_prepare(struct sqldb *db, const char *sql, struct sqldb_stmt **st)
{
	return prepare(db, sql, 0, st);
}

int sqldb_prepare_persistent(struct sqldb *db, const char *sql, struct sqldb_stmt **st)
{
	return prepare(db, sql, SQLITE_PREPARE_PERSISTENT, st);
}

int sqldb_step(struct sqldb_stmt *st)
{
	return st->pg ? pg_step(st->pg) : sqlite3_step(st->lite);
}

int sqldb_reset(struct sqldb_stmt *st)
{
	return st->pg ? pg_reset(st->pg) : sqlite3_reset(st->lite);
}

int sqldb_clear_bindings(struct sqldb_stmt *st)
{
	return st->pg ? pg_clear_bindings(st->pg) : sqlite3_clear_bindings(st->lite);
}

void sqldb_finalize(struct sqldb_stmt *st)
{
	if (!st)
		return;
	if (st->pg)
		pg_finalize(st->pg);
	else
		sqlite3_finalize(st->lite);
	free(st);
}

int sqldb_bind_parameter_count(struct sqldb_stmt *st)
{
	return st->pg ? pg_bind_parameter_count(st->pg) : sqlite3_bind_parameter_count(st->lite);
}

int sqldb_bind_null(struct sqldb_stmt *st, int idx)
{
	return st->pg ? pg_bind_null(st->pg, idx) : sqlite3_bind_null(st->lite, idx);
}

int sqldb_bind_int64(struct sqldb_stmt *st, int idx, int64_t v)
{
	return st->pg ? pg_bind_int64(st->pg, idx, v) : sqlite3_bind_int64(st->lite, idx, v);
}

int sqldb_bind_double(struct sqldb_stmt *st, int idx, double v)
{
	return st->pg ? pg_bind_double(st->pg, idx, v) : sqlite3_bind_double(st->lite, idx, v);
}

int sqldb_bind_text(struct sqldb_stmt *st, int idx, const char *text)
{
	if (st->pg)
		return pg_bind_text(st->pg, idx, text);
	return sqlite3_bind_text(st->lite, idx, text, -1, SQLITE_TRANSIENT);
}

int sqldb_bind_text_static(struct sqldb_stmt *st, int idx, const char *text, int len)
{
	if (st->pg)
		return pg_bind_text(st->pg, idx, text);
	return sqlite3_bind_text(st->lite, idx, text, len, SQLITE_STATIC);
}

int sqldb_bind_blob(struct sqldb_stmt *st, int idx, const void *data, int len)
{
	if (st->pg)
		return pg_bind_blob(st->pg, idx, data, len);
	return sqlite3_bind_blob(st->lite, idx, data, len, SQLITE_TRANSIENT);
}

int sqldb_column_int(struct sqldb_stmt *st, int col)
{
	return st->pg ? (int)pg_column_int64(st->pg, col) : sqlite3_column_int(st->lite, col);
}

int64_t sqldb_column_int64(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_int64(st->pg, col) : sqlite3_column_int64(st->lite, col);
}

double sqldb_column_double(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_double(st->pg, col) : sqlite3_column_double(st->lite, col);
}

const unsigned char *sqldb_column_text(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_text(st->pg, col) : sqlite3_column_text(st->lite, col);
}

const void *sqldb_column_blob(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_blob(st->pg, col) : sqlite3_column_blob(st->lite, col);
}

int sqldb_column_bytes(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_bytes(st->pg, col) : sqlite3_column_bytes(st->lite, col);
}

int sqldb_column_type(struct sqldb_stmt *st, int col)
{
	return st->pg ? pg_column_type(st->pg, col) : sqlite3_column_type(st->lite, col);
}

/* Steps a cached transaction statement, preparing it the first time. */
static int run_cached(struct sqldb *db, struct sqldb_stmt **slot, const char *sql)
{
	if (!*slot) {
		int rc = sqldb_prepare_persistent(db, sql, slot);
		if (rc != SQLDB_OK)
			return rc;
	}
	int rc = sqldb_step(*slot);
	sqldb_reset(*slot);
	return rc == SQLDB_DONE ? SQLDB_OK : rc;
}

int sqldb_begin(struct sqldb *db)
{
	/* PostgreSQL takes row locks as it writes; a whole-database write lock is SQLite's only way. */
	return run_cached(db, &db->begin, db->pg ? "BEGIN" : "BEGIN IMMEDIATE");
}

int sqldb_commit(struct sqldb *db)
{
	return run_cached(db, &db->commit, "COMMIT");
}

int sqldb_rollback(struct sqldb *db)
{
	return run_cached(db, &db->rollback, "ROLLBACK");
}

bool sqldb_in_transaction(struct sqldb *db)
{
	return db->pg ? pg_in_transaction(db->pg) : !sqlite3_get_autocommit(db->lite);
}

int64_t sqldb_last_insert_id(struct sqldb *db)
{
	return db->pg ? pg_last_insert_id(db->pg) : sqlite3_last_insert_rowid(db->lite);
}

int sqldb_changes(struct sqldb *db)
{
	return db->pg ? pg_changes(db->pg) : sqlite3_changes(db->lite);
}

int64_t sqldb_total_changes(struct sqldb *db)
{
	return db->pg ? pg_total_changes(db->pg) : sqlite3_total_changes64(db->lite);
}

bool sqldb_unique_violation(struct sqldb *db)
{
	if (db->pg)
		return pg_unique_violation(db->pg);
	return sqlite3_extended_errcode(db->lite) == SQLITE_CONSTRAINT_UNIQUE;
}

int sqldb_copy_begin(struct sqldb *db, const char *copy_sql)
{
	return db->pg ? pg_copy_begin(db->pg, copy_sql) : SQLITE_MISUSE;
}

/* The field calls are reached only after a copy_begin that succeeded, so on PostgreSQL. */
void sqldb_copy_null(struct sqldb *db)
{
	pg_copy_null(db->pg);
}

void sqldb_copy_int64(struct sqldb *db, int64_t v)
{
	pg_copy_int64(db->pg, v);
}

void sqldb_copy_double(struct sqldb *db, double v)
{
	pg_copy_double(db->pg, v);
}

void sqldb_copy_text(struct sqldb *db, const char *text, size_t len)
{
	pg_copy_text(db->pg, text, len);
}

void sqldb_copy_blob(struct sqldb *db, const void *data, size_t len)
{
	pg_copy_blob(db->pg, data, len);
}

int sqldb_copy_row(struct sqldb *db)
{
	return pg_copy_row(db->pg);
}

int sqldb_copy_end(struct sqldb *db, const char *abort_reason)
{
	return db->pg ? pg_copy_end(db->pg, abort_reason) : SQLITE_MISUSE;
}
