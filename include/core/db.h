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
void db_close(struct sqldb *db);
int db_schema_version(void);

#endif
