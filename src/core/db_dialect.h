/*
 * How a backend keeps the schema (src/core/db.c migrates through it): where its version lives, how two
 * migrating processes exclude each other, and each step's text in its dialect. SQLite's is in db.c, next to
 * the migrations; PostgreSQL's in db_schema_pg.c.
 */
#ifndef FEEDSYNC_CORE_DB_DIALECT_H
#define FEEDSYNC_CORE_DB_DIALECT_H

#include "core/sqldb.h"

struct db_dialect {
	/* Held around the whole migration (NULL: each step's transaction excludes the others on its own). */
	const char *lock, *unlock;
	/* Starts a step's transaction. */
	const char *begin;
	/* The version the schema is at: 0 before the first step, -1 when it cannot be read. */
	int (*version)(struct sqldb *db);
	/* printf format of the statement that records the version (one %d). */
	const char *set_version;
	/* The text of the step that brings the schema to `version` given SQLite's, or NULL when the dialect has
	 * none yet. The caller frees it. */
	char *(*step)(int version, const char *sqlite_sql);
};

extern const struct db_dialect PG_SCHEMA_DIALECT;

#endif
