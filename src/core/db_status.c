/* The schema version a database is at, read-only: `feedsync db status` must not migrate what it reports on. */
#include "core/db.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

int db_read_status(const char *target, int busy_timeout_ms, struct db_status *st, char *err, size_t errsize)
{
	memset(st, 0, sizeof(*st));
	if (sqldb_absent(target))
		return 0;
	struct sqldb *db = sqldb_open(target, SQLDB_READ_ONLY, busy_timeout_ms, err, errsize);
	if (!db)
		return -1;
	str_copy(st->backend, sqldb_backend(db), sizeof(st->backend));
	st->version = db_version(db);
	if (st->version < 0)
		snprintf(err, errsize, "cannot read the schema version of %s: %s", target, sqldb_errmsg(db));
	sqldb_close(db);
	return st->version < 0 ? -1 : 0;
}
