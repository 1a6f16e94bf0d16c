/* A Shopify shop's bulk push (see core/store_bulk.h). */
#include "store_internal.h"

#include <string.h>

#include "core/store_bulk.h"
#include "core/util.h"

static const char SQL_BULK_GET[] =
	"SELECT connection_id, run_id, coalesce(operation_id, ''), started_at FROM shopify_bulk_ops"
	" WHERE destination_id = ?1";
static const char SQL_BULK_CLAIM[] =
	"INSERT INTO shopify_bulk_ops(destination_id, connection_id, run_id, started_at) VALUES(?1, ?2, ?3, ?4)"
	" ON CONFLICT(destination_id) DO NOTHING";
static const char SQL_BULK_STALE_LINES[] = "DELETE FROM shopify_bulk_lines WHERE destination_id = ?1";
static const char SQL_BULK_STARTED[] = "UPDATE shopify_bulk_ops SET operation_id = ?2 WHERE destination_id = ?1";
static const char SQL_BULK_LINE_PUT[] =
	"INSERT OR REPLACE INTO shopify_bulk_lines(destination_id, line, sku, hash, creating) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char SQL_BULK_LINE_GET[] =
	"SELECT sku, hash, creating, failed FROM shopify_bulk_lines WHERE destination_id = ?1 AND line = ?2";
static const char SQL_BULK_LINE_FAILED[] =
	"UPDATE shopify_bulk_lines SET failed = 1 WHERE destination_id = ?1 AND sku = ?2";
static const char SQL_BULK_DROP_FENCES[] =
	"DELETE FROM push_fences WHERE destination_id = ?1 AND run_id = ?2 AND sku_key IN"
	" (SELECT lower(sku) FROM shopify_bulk_lines WHERE destination_id = ?1 AND creating = 1)";
static const char SQL_BULK_DROP_OP[] = "DELETE FROM shopify_bulk_ops WHERE destination_id = ?1";
static const char SQL_BULK_LINES[] = "SELECT count(*) FROM shopify_bulk_lines WHERE destination_id = ?1";
static const char SQL_BULK_RUN_ALIVE[] =
	"SELECT count(*) FROM sync_runs WHERE id = ?1 AND status IN ('queued','running')";

int store_bulk_get(struct store *s, int64_t dest_id, struct bulk_op *out)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_BULK_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		out->connection_id = sqldb_column_int64(st, 0);
		out->run_id = sqldb_column_int64(st, 1);
		column_copy(st, 2, out->operation_id, sizeof(out->operation_id));
		out->started_at = sqldb_column_int64(st, 3);
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

/* Its own transaction, unless the caller holds one already (then the caller's commit makes it whole). */
static int begin(struct store *s, bool *own)
{
	*own = !store_in_transaction(s);
	return *own ? store_begin(s) : 0;
}

static int end(struct store *s, bool own, int rc)
{
	if (!own)
		return rc;
	if (rc >= 0 && store_commit(s) == 0)
		return rc;
	store_rollback(s);
	return -1;
}

static int dest_exec(struct store *s, const char *sql, int64_t dest_id)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	return store_exec_stmt(st);
}

int store_bulk_claim(struct store *s, int64_t dest_id, int64_t connection_id, int64_t run_id, int64_t now)
{
	bool own;
	if (begin(s, &own) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_BULK_CLAIM);
	int claimed = -1;
	if (st) {
		bind_int(st, 1, dest_id);
		bind_int(st, 2, connection_id);
		bind_int(st, 3, run_id);
		bind_int(st, 4, now);
		if (store_exec_stmt(st) == 0)
			claimed = sqldb_changes(s->db) > 0;
	}
	if (claimed == 1 && dest_exec(s, SQL_BULK_STALE_LINES, dest_id) < 0)
		claimed = -1;
	return end(s, own, claimed);
}

/* `sql` with ?1 the destination and ?2 a text. */
static int dest_text_exec(struct store *s, const char *sql, int64_t dest_id, const char *text)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, text);
	return store_exec_stmt(st);
}

int store_bulk_started(struct store *s, int64_t dest_id, const char *operation_id)
{
	return dest_text_exec(s, SQL_BULK_STARTED, dest_id, operation_id);
}

int store_bulk_line_put(struct store *s, int64_t dest_id, int64_t line, const char *sku, int64_t hash,
                        bool creating)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_BULK_LINE_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, line);
	bind_text(st, 3, sku);
	bind_int(st, 4, hash);
	bind_int(st, 5, creating);
	return store_exec_stmt(st);
}

int store_bulk_line_failed(struct store *s, int64_t dest_id, const char *sku)
{
	return dest_text_exec(s, SQL_BULK_LINE_FAILED, dest_id, sku);
}

int store_bulk_line_get(struct store *s, int64_t dest_id, int64_t line, char *sku, size_t size, int64_t *hash,
                        bool *creating, bool *failed)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_BULK_LINE_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, line);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		column_copy(st, 0, sku, size);
		*hash = sqldb_column_int64(st, 1);
		*creating = sqldb_column_int(st, 2) != 0;
		*failed = sqldb_column_int(st, 3) != 0;
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_bulk_end(struct store *s, int64_t dest_id, int64_t run_id)
{
	bool own;
	if (begin(s, &own) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_BULK_DROP_FENCES);
	int rc = -1;
	if (st) {
		bind_int(st, 1, dest_id);
		bind_int(st, 2, run_id);
		rc = store_exec_stmt(st);
	}
	if (rc == 0)
		rc = dest_exec(s, SQL_BULK_STALE_LINES, dest_id);
	if (rc == 0)
		rc = dest_exec(s, SQL_BULK_DROP_OP, dest_id);
	return end(s, own, rc);
}

int store_bulk_run_alive(struct store *s, int64_t run_id)
{
	int64_t n = store_count(s, SQL_BULK_RUN_ALIVE, run_id, 0);
	return n < 0 ? -1 : n > 0;
}

int64_t store_bulk_lines(struct store *s, int64_t dest_id)
{
	return store_count(s, SQL_BULK_LINES, dest_id, 0);
}
