/* Opening the database (include/core/sqldb.h) and migrating it to the latest schema version. */
#ifndef FEEDSYNC_CORE_DB_H
#define FEEDSYNC_CORE_DB_H

#include <stddef.h>

#include "core/sqldb.h"

/*
 * Opens (creating when absent) and migrates to the latest schema. Each thread opens its own handle.
 * Returns NULL with err set ("cannot open feedsync.db: ...").
 */
struct sqldb *db_open(const char *path, int busy_timeout_ms, char *err, size_t errsize);
/*
 * The same for `feedsync db migrate`, on every backend whose schema has a dialect (PostgreSQL too, while the
 * store still refuses it); *found (may be NULL) is the version met once the migration lock was held.
 */
struct sqldb *db_open_schema(const char *path, int busy_timeout_ms, int *found, char *err, size_t errsize);
void db_close(struct sqldb *db);
int db_schema_version(void);
/* The schema version the open database is at (SQLite: PRAGMA user_version; PostgreSQL: table
 * feedsync_schema); -1 when it cannot be read. */
int db_version(struct sqldb *db);

/* What `feedsync db status` reports, read without migrating or creating anything. */
struct db_status {
	char backend[16];   /* "sqlite" or "postgresql"; "" while the database does not exist */
	int version;        /* the schema version the database is at; 0 when absent */
};
/*
 * The refusal of `what` (a command, a kind of push) on PostgreSQL, whose store queries it uses have no
 * PostgreSQL dialect yet: err says so and names what works. Always -1.
 */
int db_backend_unfinished(const char *what, char *err, size_t errsize);
/* Whether `target` names a database server (a postgresql:// URL) rather than a SQLite file. */
bool db_is_server(const char *target);
/* `target` as output may show it: a PostgreSQL URL without its password (in the user part or a parameter). */
const char *db_target_shown(const char *target, char *buf, size_t size);
int db_read_status(const char *target, int busy_timeout_ms, struct db_status *st, char *err, size_t errsize);

#endif
