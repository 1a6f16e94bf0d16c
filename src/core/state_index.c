/* products_by_state dropped around a first import and built after it (see core/state_index.h). */
#include "core/state_index.h"

#include "core/util.h"
#include "product_sql.h"

static const char SQL_PRESENT[] =
	"SELECT EXISTS(SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'products_by_state')";
static const char SQL_TABLE_EMPTY[] = "SELECT NOT EXISTS(SELECT 1 FROM products)";
static const char SQL_ANY_RUNNING[] = "SELECT EXISTS(SELECT 1 FROM sync_runs WHERE status = 'running')";
static const char SQL_DROP[] = "DROP INDEX IF EXISTS products_by_state";
static const char SQL_CREATE[] = "CREATE INDEX IF NOT EXISTS " PRODUCTS_BY_STATE_INDEX;
/*
 * The build sorts every entry: in memory (temp_store = MEMORY, the handle's setting) its runs would grow the
 * process by the size of the index, in temporary files the sort keeps to the page cache's size.
 */
static const char SQL_SORT_IN_FILES[] = "PRAGMA temp_store = FILE";
static const char SQL_SORT_IN_MEMORY[] = "PRAGMA temp_store = MEMORY";

static bool is_sqlite(struct sqldb *db)
{
	return str_eq(sqldb_backend(db), "sqlite");
}

/* The 0/1 of a one-row query; -1 on error. */
static int ask(struct sqldb *db, const char *sql)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(db, sql, &st) != SQLDB_OK)
		return -1;
	int rc = sqldb_step(st) == SQLDB_ROW ? sqldb_column_int(st, 0) != 0 : -1;
	sqldb_finalize(st);
	return rc;
}

static int run(struct sqldb *db, const char *sql)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(db, sql, &st) != SQLDB_OK)
		return -1;
	int rc = sqldb_step(st);
	sqldb_finalize(st);
	return rc == SQLDB_DONE || rc == SQLDB_ROW ? 0 : -1;
}

bool state_index_present(struct sqldb *db)
{
	return !is_sqlite(db) || ask(db, SQL_PRESENT) != 0;
}

/* Runs `sql` when `cond` (a query, NULL: always) answers 1, under the write lock, so the answer still holds. */
static int when_locked(struct sqldb *db, const char *cond, const char *sql)
{
	if (sqldb_begin(db) != SQLDB_OK)
		return -1;
	int yes = cond ? ask(db, cond) : 1;
	if (yes < 0 || (yes && run(db, sql) < 0) || sqldb_commit(db) != SQLDB_OK) {
		sqldb_rollback(db);
		return -1;
	}
	return yes;
}

int state_index_defer(struct sqldb *db)
{
	if (!is_sqlite(db) || ask(db, SQL_TABLE_EMPTY) != 1)
		return 0;
	return when_locked(db, SQL_TABLE_EMPTY, SQL_DROP);
}

int state_index_restore(struct sqldb *db)
{
	if (state_index_present(db))
		return 0;
	if (run(db, SQL_SORT_IN_FILES) < 0)
		return -1;
	int rc = when_locked(db, NULL, SQL_CREATE);
	return run(db, SQL_SORT_IN_MEMORY) < 0 || rc < 0 ? -1 : 0;
}

int state_index_ensure(struct sqldb *db)
{
	if (state_index_present(db))
		return 0;
	int running = ask(db, SQL_ANY_RUNNING);
	return running < 0 ? -1 : running ? 0 : state_index_restore(db);
}
