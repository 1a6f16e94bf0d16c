/*
 * products_by_state (migration 19), left out while a first import fills an empty catalog and built after it.
 * Kept up row by row the index cost a full import of new products about a sixth of its time; built at once
 * from the finished table (a sort) it costs a fraction of that. A first import into a products table that
 * holds no product of any connection drops it (state_index_defer) and builds it again as soon as the rows are
 * in (state_index_restore), whether the import completed or stopped. Readers ask state_index_present and
 * leave the index out of their SQL meanwhile. A process that died between the two leaves the table without
 * it: the next open of the database, or the recovery of the lost run, builds it (state_index_ensure).
 * SQLite only: on PostgreSQL the index always stays.
 */
#ifndef FEEDSYNC_CORE_STATE_INDEX_H
#define FEEDSYNC_CORE_STATE_INDEX_H

#include <stdbool.h>

#include "core/sqldb.h"

/* 1 when the index was dropped for this import, 0 when it stays (products exist, or PostgreSQL), -1 on error. */
int state_index_defer(struct sqldb *db);
/* Builds the index when it is missing; 0 or -1. */
int state_index_restore(struct sqldb *db);
/* Builds it when it is missing and no run is running (which could be the import that dropped it). */
int state_index_ensure(struct sqldb *db);
bool state_index_present(struct sqldb *db);

#endif
