/*
 * `feedsync db copy`: moves a SQLite installation into a PostgreSQL database, every table in one transaction
 * on the target (a failure leaves it as it was), streamed through COPY so that memory does not grow with the
 * catalog, and verified by row counts and checksums before it commits.
 */
#ifndef FEEDSYNC_CORE_DB_COPY_H
#define FEEDSYNC_CORE_DB_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_copy_options {
	bool force;               /* replace a target that holds an installation; copy a source a worker is using */
	int64_t stale_after_ms;   /* a running run with a heartbeat younger than this has a live worker */
	int busy_timeout_ms;
};

#define DB_COPY_MAX_TABLES 64

struct db_copy_table {
	char name[64];
	int64_t source_rows, target_rows;
	int64_t source_sum, target_sum;   /* a checksum both engines compute alike (db_copy.c) */
};

struct db_copy_report {
	int version;                 /* the schema version both are at */
	bool replaced;               /* --force emptied a target that held rows */
	int ntables;
	struct db_copy_table tables[DB_COPY_MAX_TABLES];   /* in the order they were copied */
	int64_t rows;
	double seconds;
};

/*
 * Copies the SQLite database `from` into the PostgreSQL database `to` (migrated first to the latest schema).
 * Refuses a source behind or ahead of this feedsync's schema, a target with rows (unless force, which empties
 * it in the same transaction), a source with a running run whose worker is alive (unless force), and a value
 * PostgreSQL cannot hold (named by table, row and column). 0, or -1 with err set and nothing committed.
 */
int db_copy(const char *from, const char *to, const struct db_copy_options *opt, struct db_copy_report *rep,
            char *err, size_t errsize);

#endif
