/* The schema version a database is at, read-only: `feedsync db status` must not migrate what it reports on. */
#include "core/db.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

int db_backend_unfinished(struct sqldb *db, char *err, size_t errsize)
{
	if (strcmp(sqldb_backend(db), "postgresql") != 0)
		return 0;
	snprintf(err, errsize, "PostgreSQL support is incomplete: the server answers, but the schema has no"
	                       " PostgreSQL dialect yet; give --db, $FEEDSYNC_DB or [database] path a SQLite file");
	return -1;
}

int db_read_status(const char *target, int busy_timeout_ms, struct db_status *st, char *err, size_t errsize)
{
	memset(st, 0, sizeof(*st));
	if (sqldb_absent(target))
		return 0;
	struct sqldb *db = sqldb_open(target, SQLDB_READ_ONLY, busy_timeout_ms, err, errsize);
	if (!db)
		return -1;
	str_copy(st->backend, sqldb_backend(db), sizeof(st->backend));
	if (db_backend_unfinished(db, err, errsize) < 0) {
		sqldb_close(db);
		return -1;
	}
	st->version = db_version(db);
	if (st->version < 0)
		snprintf(err, errsize, "cannot read the schema version of %s: %s", target, sqldb_errmsg(db));
	sqldb_close(db);
	return st->version < 0 ? -1 : 0;
}
