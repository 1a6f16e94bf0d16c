/* Opening the SQLite database: file mode 0600, WAL, busy timeout, foreign keys, versioned migrations. */
#ifndef FEEDSYNC_CORE_DB_H
#define FEEDSYNC_CORE_DB_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * Opens (creating when absent) and migrates to the latest schema. Each thread opens its own handle.
 * Returns NULL with err set ("cannot open feedsync.db: ...").
 */
sqlite3 *db_open(const char *path, int busy_timeout_ms, char *err, size_t errsize);
void db_close(sqlite3 *db);
int db_schema_version(void);

#endif
