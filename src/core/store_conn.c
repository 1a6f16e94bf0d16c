/* Connections: the stored documents and the columns lists need. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static const char SQL_CONN_INSERT[] =
	"INSERT INTO connections(name, active, source_type, source_url, schedule, dest_type, document,"
	" next_due_at, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char SQL_CONN_UPDATE[] =
	"UPDATE connections SET name = ?2, active = ?3, source_type = ?4, source_url = ?5, schedule = ?6,"
	" dest_type = ?7, document = ?8, next_due_at = ?9, updated_at = ?10 WHERE id = ?1";
static const char SQL_CONN_NAME_TAKEN[] = "SELECT id FROM connections WHERE name = ?1 AND id <> ?2";

/* The latest run of each connection comes from the (connection_id, id) index: one seek per row. */
#define CONN_SELECT_IN(dest_name) \
	"SELECT c.id, c.name, c.active, c.source_type, c.source_url, c.schedule, c.dest_type, c.document," \
	" c.next_due_at, c.created_at, c.updated_at," \
	" r.id, r.status, r.started_at, r.finished_at, r.created, r.updated, r.skipped, r.failed, " dest_name \
	" FROM connections c" \
	" LEFT JOIN sync_runs r ON r.id = (SELECT max(id) FROM sync_runs WHERE connection_id = c.id)"
static const char SQL_CONN_GET[] = CONN_SELECT_IN(CONN_DEST_NAME) " WHERE c.id = ?1";
static const char SQL_CONN_GET_PG[] = CONN_SELECT_IN(CONN_DEST_NAME_PG) " WHERE c.id = ?1";
static const char SQL_CONN_LIST[] = CONN_SELECT_IN(CONN_DEST_NAME) " ORDER BY c.id";
static const char SQL_CONN_LIST_PG[] = CONN_SELECT_IN(CONN_DEST_NAME_PG) " ORDER BY c.id";
static const char SQL_CONN_PRODUCT_COUNT[] = "SELECT product_count FROM connections WHERE id = ?1";
static const char SQL_CONN_SET_ACTIVE[] = "UPDATE connections SET active = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_CONN_SET_DUE[] = "UPDATE connections SET next_due_at = ?2 WHERE id = ?1";
static const char SQL_CONN_DELETE[] = "DELETE FROM connections WHERE id = ?1";
static const char SQL_CONN_EXISTS[] = "SELECT 1 FROM connections WHERE id = ?1";
static const char SQL_CONN_ACTIVE_RUN[] =
	"SELECT 1 FROM sync_runs WHERE connection_id = ?1 AND status IN ('queued','running')";
static const char SQL_CONN_DUE[] =
	"SELECT id FROM connections WHERE active = 1 AND schedule <> 'manual'"
	" AND next_due_at IS NOT NULL AND next_due_at <= ?1 ORDER BY next_due_at";

void conn_row_free(struct conn_row *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->source_type);
	free(r->source_url);
	free(r->schedule);
	free(r->dest_type);
	free(r->dest_name);
	free(r->document);
	free(r->last_status);
	memset(r, 0, sizeof(*r));
}

void conn_rows_free(struct conn_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		conn_row_free(&rows[i]);
	free(rows);
}

static void read_conn_row(struct sqldb_stmt *st, struct conn_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqldb_column_int64(st, 0);
	r->name = column_dup(st, 1);
	r->active = sqldb_column_int(st, 2) != 0;
	r->source_type = column_dup(st, 3);
	r->source_url = column_dup(st, 4);
	r->schedule = column_dup(st, 5);
	r->dest_type = column_dup(st, 6);
	r->document = column_dup(st, 7);
	r->next_due_at = sqldb_column_int64(st, 8);
	r->created_at = sqldb_column_int64(st, 9);
	r->updated_at = sqldb_column_int64(st, 10);
	r->last_run_id = sqldb_column_int64(st, 11);
	r->last_status = column_dup(st, 12);
	r->last_started_at = sqldb_column_int64(st, 13);
	r->last_finished_at = sqldb_column_int64(st, 14);
	r->last_created = sqldb_column_int64(st, 15);
	r->last_updated = sqldb_column_int64(st, 16);
	r->last_skipped = sqldb_column_int64(st, 17);
	r->last_failed = sqldb_column_int64(st, 18);
	r->dest_name = column_dup(st, 19);
}

int store_conn_insert(struct store *s, const struct conn_fields *f, int64_t *id, char *err, size_t errsize)
{
	int taken = store_name_taken(s, SQL_CONN_NAME_TAKEN, "connection", f->name, 0, err, errsize);
	if (taken)
		return taken;
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_INSERT);
	if (!st)
		return -1;
	bind_text(st, 1, f->name);
	bind_int(st, 2, f->active);
	bind_text(st, 3, f->source_type);
	bind_text(st, 4, f->source_url);
	bind_text(st, 5, f->schedule);
	bind_text(st, 6, f->dest_type);
	bind_text(st, 7, f->document);
	bind_int_or_null(st, 8, f->next_due_at);
	bind_int(st, 9, now_ms());
	if (store_exec_stmt(st) < 0) {
		snprintf(err, errsize, "cannot save the connection: %s", store_errmsg(s));
		return -1;
	}
	*id = sqldb_last_insert_id(s->db);
	return 0;
}

int store_conn_update(struct store *s, int64_t id, const struct conn_fields *f, char *err, size_t errsize)
{
	int taken = store_name_taken(s, SQL_CONN_NAME_TAKEN, "connection", f->name, id, err, errsize);
	if (taken)
		return taken;
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_UPDATE);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, f->name);
	bind_int(st, 3, f->active);
	bind_text(st, 4, f->source_type);
	bind_text(st, 5, f->source_url);
	bind_text(st, 6, f->schedule);
	bind_text(st, 7, f->dest_type);
	bind_text(st, 8, f->document);
	bind_int_or_null(st, 9, f->next_due_at);
	bind_int(st, 10, now_ms());
	if (store_exec_stmt(st) < 0) {
		snprintf(err, errsize, "cannot save the connection: %s", store_errmsg(s));
		return -1;
	}
	return 0;
}

int store_conn_get(struct store *s, int64_t id, struct conn_row *out)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_CONN_GET));
	if (!st)
		return -1;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_conn_row(st, out);
	sqldb_reset(st);
	if (rc == SQLDB_ROW) {
		out->product_count = store_count(s, SQL_CONN_PRODUCT_COUNT, id, 0);
		return 1;
	}
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_conn_list(struct store *s, struct conn_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_CONN_LIST));
	if (!st)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		read_conn_row(st, &(*rows)[(*n)++]);
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE) {
		conn_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		(*rows)[i].product_count = store_count(s, SQL_CONN_PRODUCT_COUNT, (*rows)[i].id, 0);
	return 0;
}

int store_conn_set_active(struct store *s, int64_t id, bool active)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_SET_ACTIVE);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_int(st, 2, active);
	bind_int(st, 3, now_ms());
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db) ? 0 : 1;
}

int store_conn_set_next_due(struct store *s, int64_t id, int64_t next_due_at)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_SET_DUE);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_int_or_null(st, 2, next_due_at);
	return store_exec_stmt(st);
}

static int exists(struct store *s, const char *sql, int64_t id)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

/* The check and the delete share one write transaction, so no run can be queued in between. */
int store_conn_delete(struct store *s, int64_t id)
{
	if (store_begin(s) < 0)
		return -1;
	int result;
	int found = exists(s, SQL_CONN_EXISTS, id);
	int active = found == 1 ? exists(s, SQL_CONN_ACTIVE_RUN, id) : 0;
	if (found < 0 || active < 0)
		result = -1;
	else if (!found)
		result = 1;
	else if (active)
		result = 2;
	else {
		struct sqldb_stmt *st = store_stmt(s, SQL_CONN_DELETE);
		if (!st)
			result = -1;
		else {
			bind_int(st, 1, id);
			result = store_exec_stmt(st);
		}
	}
	if (result == 0 && store_commit(s) == 0)
		return 0;
	store_rollback(s);
	return result == 0 ? -1 : result;
}

int store_conn_due(struct store *s, int64_t now, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_DUE);
	if (!st)
		return -1;
	bind_int(st, 1, now);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = sqldb_column_int64(st, 0);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}
