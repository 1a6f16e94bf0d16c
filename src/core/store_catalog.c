/* The catalog: products per connection, their content hashes and push state. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/state_index.h"
#include "core/util.h"

/*
 * Read in table order: through the (connection_id, sku) index every row would be a random page read of
 * the table; a whole scan reads each page once, in order, even when other connections share the table.
 */
SQL_WITH_HINT(SQL_SCAN, "SELECT sku, hash, missing_since IS NOT NULL FROM products", "NOT INDEXED",
              " WHERE connection_id = ?1");
static const char SQL_COUNT[] = "SELECT product_count FROM connections WHERE id = ?1";
/* Left to itself the planner walks the connection's whole primary key rather than the small partial index. */
SQL_WITH_HINT(SQL_HAS_MISSING, "SELECT EXISTS(SELECT 1 FROM products", "INDEXED BY products_missing",
              " WHERE connection_id = ?1 AND missing_since IS NOT NULL)");
static const char SQL_INSERT[] =
	"INSERT INTO products(connection_id, sku, name, price, quantity, data, hash, line,"
	" first_seen_run, first_seen_at, changed_run, changed_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?10)";
/* The count the console shows ("N of M") without reading a million index entries (migration 14). */
static const char SQL_ADD_PRODUCT_COUNT[] =
	"UPDATE connections SET product_count = product_count + ?2 WHERE id = ?1";
static const char SQL_UPDATE[] =
	"UPDATE products SET name = ?3, price = ?4, quantity = ?5, data = ?6, hash = ?7, line = ?8,"
	" changed_run = ?9, changed_at = ?10, missing_since = NULL, missing_runs = 0"
	" WHERE connection_id = ?1 AND sku = ?2";
static const char SQL_MARK_MISSING[] =
	"UPDATE products SET missing_since = coalesce(missing_since, ?3), missing_runs = missing_runs + 1"
	" WHERE connection_id = ?1 AND sku = ?2";
static const char SQL_CLEAR_MISSING[] =
	"UPDATE products SET missing_since = NULL, missing_runs = 0 WHERE connection_id = ?1 AND sku = ?2";
static const char SQL_PENDING[] =
	"SELECT sku, data, hash FROM products WHERE connection_id = ?1"
	" AND (?2 <> 0 OR (pushed_hash IS DISTINCT FROM hash AND retired_at IS NULL)) ORDER BY sku";
static const char SQL_PENDING_COUNT[] =
	"SELECT count(*) FROM products WHERE connection_id = ?1"
	" AND (?2 <> 0 OR (pushed_hash IS DISTINCT FROM hash AND retired_at IS NULL))";
static const char SQL_FIELD_NAMES[] =
	"SELECT DISTINCT j.key FROM products p, json_each(p.data) j WHERE p.connection_id = ?1 ORDER BY j.key";
static const char SQL_FIELD_NAMES_PG[] =
	"SELECT DISTINCT j.key FROM products p, json_object_keys(p.data::json) j(key) WHERE p.connection_id = ?1"
	" ORDER BY j.key";
/* Retired products are left as they were: the export leaves them out or flags them (dest/file.c). */
static const char SQL_MARK_PUSHED[] =
	"UPDATE products SET pushed_hash = hash, pushed_data = data, retired_action = NULL,"
	" pushed_run = " RUNNING_RUN_OF("?1") ", push_failed_run = NULL"
	" WHERE connection_id = ?1 AND retired_at IS NULL"
	" AND (pushed_hash IS DISTINCT FROM hash OR pushed_data IS NULL OR retired_action IS NOT NULL)";

int store_catalog_scan(struct store *s, int64_t conn_id, catalog_row_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_SCAN));
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		const char *sku = (const char *)sqldb_column_text(st, 0);
		size_t len = (size_t)sqldb_column_bytes(st, 0);
		fn(ud, sku ? sku : "", len, sqldb_column_int64(st, 1), sqldb_column_int(st, 2) != 0);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

/* Read-only, so it never waits for the write lock the way opening a store (its migration check) does. */
struct store *store_catalog_reader(struct store *s, int busy_timeout_ms, char *err, size_t errsize)
{
	const char *path = sqldb_filename(s->db);
	if (errsize)
		err[0] = '\0';
	if (!path || !*path)
		return NULL;
	struct sqldb *db = sqldb_open(path, SQLDB_READ_ONLY, busy_timeout_ms, err, errsize);
	if (!db)
		return NULL;
	struct store *reader = xcalloc(1, sizeof(*reader));
	reader->db = db;
	return reader;
}

int64_t store_catalog_count(struct store *s, int64_t conn_id)
{
	return store_count(s, SQL_COUNT, conn_id, 0);
}

bool store_catalog_has_missing(struct store *s, int64_t conn_id)
{
	return store_count(s, STORE_SQL(s, SQL_HAS_MISSING), conn_id, 0) > 0;
}

/*
 * An 8 MiB page cache keeps the upper levels of the catalog's B-trees and the pages a batch is filling; a
 * checkpoint every 10 000 pages (about 40 MB of WAL) instead of 1 000 copies a page that several batches
 * wrote into the database once rather than once per batch. Commits stay as durable as before.
 */
#define IMPORT_CACHE_SIZE (-8192)
#define IMPORT_WAL_AUTOCHECKPOINT 10000

static int pragma_get(struct store *s, const char *name, int64_t *value)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	struct sqldb_stmt *st;
	if (sqldb_prepare(s->db, sql, &st) != SQLDB_OK)
		return -1;
	int rc = sqldb_step(st) == SQLDB_ROW ? 0 : -1;
	*value = sqldb_column_int64(st, 0);
	sqldb_finalize(st);
	return rc;
}

static int pragma_set(struct store *s, const char *name, int64_t value)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA %s = %lld", name, (long long)value);
	struct sqldb_stmt *st;
	if (sqldb_prepare(s->db, sql, &st) != SQLDB_OK)
		return -1;
	int rc = sqldb_step(st);
	sqldb_finalize(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? 0 : -1;
}

int store_import_settings(struct store *s, struct store_settings *saved)
{
	if (pragma_get(s, "cache_size", &saved->cache_size) < 0 ||
	    pragma_get(s, "wal_autocheckpoint", &saved->wal_autocheckpoint) < 0)
		return -1;
	struct store_settings import = {IMPORT_CACHE_SIZE, IMPORT_WAL_AUTOCHECKPOINT};
	return store_restore_settings(s, &import);
}

int store_restore_settings(struct store *s, const struct store_settings *saved)
{
	if (pragma_set(s, "cache_size", saved->cache_size) < 0 ||
	    pragma_set(s, "wal_autocheckpoint", saved->wal_autocheckpoint) < 0)
		return -1;
	return 0;
}

int store_catalog_defer_state_index(struct store *s)
{
	return state_index_defer(s->db);
}

/*
 * The build's sort keeps runs of the page cache's size in memory: at the import's cache they came on top of
 * the catalog's index and pushed a 1M-row import's peak RSS from 57 to 66 MB; at SQLite's default they fit.
 */
#define BUILD_CACHE_SIZE (-2000)

int store_catalog_restore_state_index(struct store *s)
{
	int64_t cache;
	if (pragma_get(s, "cache_size", &cache) < 0 || pragma_set(s, "cache_size", BUILD_CACHE_SIZE) < 0)
		return -1;
	int rc = state_index_restore(s->db);
	return pragma_set(s, "cache_size", cache) < 0 ? -1 : rc;
}

/* `len` 0: measured. Not copied: the caller's values stay until the statement ran (write_product). */
static void bind_static(struct sqldb_stmt *st, int idx, const char *text, size_t len)
{
	if (!text)
		sqldb_bind_null(st, idx);
	else
		sqldb_bind_text_static(st, idx, text, (int)(len ? len : strlen(text)));
}

static void bind_product(struct sqldb_stmt *st, const struct product_write *w)
{
	bind_int(st, 1, w->conn_id);
	bind_static(st, 2, w->sku, 0);
	bind_static(st, 3, w->name, 0);
	bind_static(st, 4, w->price, 0);
	int64_t qty;
	if (w->quantity && parse_int64(w->quantity, &qty))
		bind_int(st, 5, qty);
	else
		sqldb_bind_null(st, 5);
	bind_static(st, 6, w->data, w->data_len);
	bind_int(st, 7, w->hash);
	bind_int_or_null(st, 8, w->line);
	bind_int(st, 9, w->run_id);
	bind_int(st, 10, w->now);
}

/* Runs a statement bound by bind_product and lets go of the values it did not copy. */
static int write_product(struct sqldb_stmt *st, const struct product_write *w)
{
	bind_product(st, w);
	int rc = store_exec_stmt(st);
	sqldb_clear_bindings(st);
	return rc;
}

int store_flush_product_count(struct store *s)
{
	if (!s->added_products)
		return 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_ADD_PRODUCT_COUNT);
	if (!st)
		return -1;
	bind_int(st, 1, s->added_conn);
	bind_int(st, 2, s->added_products);
	s->added_products = 0;
	return store_exec_stmt(st);
}

/* Counts n products inserted for conn_id into the open transaction's addition to its product_count. */
static int count_inserted(struct store *s, int64_t conn_id, int64_t n)
{
	if (s->added_products && s->added_conn != conn_id && store_flush_product_count(s) < 0)
		return -1;
	s->added_conn = conn_id;
	s->added_products += n;
	return 0;
}

static int insert_product(struct store *s, const struct product_write *w)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_INSERT);
	if (!st)
		return -1;
	if (write_product(st, w) < 0)
		return -1;
	return count_inserted(s, w->conn_id, 1);
}

/* Outside a transaction the product and its count are written in one of their own. */
int store_product_insert(struct store *s, const struct product_write *w)
{
	if (store_in_transaction(s))
		return insert_product(s, w);
	if (store_begin(s) < 0)
		return -1;
	if (insert_product(s, w) < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int store_product_update(struct store *s, const struct product_write *w)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_UPDATE);
	if (!st)
		return -1;
	if (write_product(st, w) < 0)
		return -1;
	return sqldb_changes(s->db);
}

/* SQLite: a round trip costs a function call, so each product is written as it comes. */
static int write_products(struct store *s, size_t n, product_write_fn get, void *ud)
{
	struct product_write w;
	for (size_t i = 0; i < n; i++) {
		get(ud, i, &w);
		int changed = w.known ? store_product_update(s, &w) : 0;
		/* A known SKU with no row to update is a 64-bit SKU hash collision in the catalog: inserted instead. */
		if (changed < 0 || (changed == 0 && insert_product(s, &w) < 0))
			return -1;
	}
	return 0;
}

/*
 * PostgreSQL: a batch of new products only goes by COPY straight into products (its SKUs were not in the
 * catalog, so none is there); any other goes by COPY into a staging table, then into products by one
 * statement. The staging table is the session's own (temporary), emptied by TRUNCATE, which gives its space
 * back at once: a DELETE would leave it growing by a batch each time, autovacuum never visiting temporary tables.
 */
static const char SQL_COPY_NEW_PG[] =
	"COPY products (connection_id, sku, name, price, quantity, data, hash, line,"
	" first_seen_run, first_seen_at, changed_run, changed_at) FROM STDIN";
static const char SQL_STAGING_PG[] =
	"CREATE TEMP TABLE IF NOT EXISTS products_staging (sku TEXT NOT NULL, name TEXT, price TEXT, quantity BIGINT,"
	" data TEXT NOT NULL, hash BIGINT NOT NULL, line BIGINT)";
static const char SQL_STAGING_EMPTY_PG[] = "TRUNCATE products_staging";
static const char SQL_STAGING_COPY_PG[] =
	"COPY products_staging (sku, name, price, quantity, data, hash, line) FROM STDIN";
/*
 * SQL_INSERT, and SQL_UPDATE where the SKU is there. A row version that the INSERT made has xmax 0; one that
 * the ON CONFLICT update wrote carries the updating transaction's id: that counts the products inserted.
 */
static const char SQL_STAGING_MERGE_PG[] =
	"WITH merged AS (INSERT INTO products(connection_id, sku, name, price, quantity, data, hash, line,"
	" first_seen_run, first_seen_at, changed_run, changed_at)"
	" SELECT ?1, sku, name, price, quantity, data, hash, line, ?2, ?3, ?2, ?3 FROM products_staging"
	" ON CONFLICT (connection_id, sku) DO UPDATE SET name = excluded.name, price = excluded.price,"
	" quantity = excluded.quantity, data = excluded.data, hash = excluded.hash, line = excluded.line,"
	" changed_run = excluded.changed_run, changed_at = excluded.changed_at, missing_since = NULL,"
	" missing_runs = 0"
	" RETURNING xmax = 0 AS inserted)"
	" SELECT count(*) FILTER (WHERE inserted) FROM merged";

static int exec_sql(struct store *s, const char *sql)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	return st ? store_exec_stmt(st) : -1;
}

/* Ends the open COPY: taken when rc (the last copy_row's) is SQLDB_OK, else aborted. 0 or -1. */
static int copy_finish(struct store *s, int rc)
{
	/* An abort replaces the handle's message with its reason: the reason is that message. */
	char reason[256];
	str_copy(reason, sqldb_errmsg(s->db), sizeof(reason));
	return sqldb_copy_end(s->db, rc == SQLDB_OK ? NULL : reason) == SQLDB_OK ? 0 : -1;
}

static void copy_text_or_null(struct sqldb *db, const char *text, size_t len)
{
	if (text)
		sqldb_copy_text(db, text, len ? len : strlen(text));
	else
		sqldb_copy_null(db);
}

/*
 * One row of SQL_STAGING_COPY_PG, or of SQL_COPY_NEW_PG (`whole`: with the connection before and the run and
 * time after), its values converted as bind_product converts them.
 */
static void copy_product(struct sqldb *db, const struct product_write *w, bool whole)
{
	if (whole)
		sqldb_copy_int64(db, w->conn_id);
	copy_text_or_null(db, w->sku, 0);
	copy_text_or_null(db, w->name, 0);
	copy_text_or_null(db, w->price, 0);
	int64_t qty;
	if (w->quantity && parse_int64(w->quantity, &qty))
		sqldb_copy_int64(db, qty);
	else
		sqldb_copy_null(db);
	copy_text_or_null(db, w->data, w->data_len);
	sqldb_copy_int64(db, w->hash);
	if (w->line)
		sqldb_copy_int64(db, w->line);
	else
		sqldb_copy_null(db);
	if (!whole)
		return;
	for (int i = 0; i < 2; i++) {
		sqldb_copy_int64(db, w->run_id);
		sqldb_copy_int64(db, w->now);
	}
}

/* COPYs the batch by copy_sql (SQL_COPY_NEW_PG when `whole`); *first gets its first product. */
static int copy_batch(struct store *s, const char *copy_sql, bool whole, size_t n, product_write_fn get, void *ud,
                      struct product_write *first)
{
	if (sqldb_copy_begin(s->db, copy_sql) != SQLDB_OK)
		return -1;
	int rc = SQLDB_OK;
	for (size_t i = 0; rc == SQLDB_OK && i < n; i++) {
		struct product_write w;
		get(ud, i, &w);
		if (i == 0)
			*first = w;
		copy_product(s->db, &w, whole);
		rc = sqldb_copy_row(s->db);
	}
	return copy_finish(s, rc);
}

static bool all_new(size_t n, product_write_fn get, void *ud)
{
	struct product_write w;
	for (size_t i = 0; i < n; i++) {
		get(ud, i, &w);
		if (w.known)
			return false;
	}
	return true;
}

static int copy_products(struct store *s, size_t n, product_write_fn get, void *ud)
{
	struct product_write first;
	if (all_new(n, get, ud))
		return copy_batch(s, SQL_COPY_NEW_PG, true, n, get, ud, &first) < 0 ? -1
		       : count_inserted(s, first.conn_id, (int64_t)n);
	if (exec_sql(s, SQL_STAGING_PG) < 0 || exec_sql(s, SQL_STAGING_EMPTY_PG) < 0 ||
	    copy_batch(s, SQL_STAGING_COPY_PG, false, n, get, ud, &first) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_STAGING_MERGE_PG);
	if (!st)
		return -1;
	bind_int(st, 1, first.conn_id);
	bind_int(st, 2, first.run_id);
	bind_int(st, 3, first.now);
	int64_t inserted = sqldb_step(st) == SQLDB_ROW ? sqldb_column_int64(st, 0) : -1;
	sqldb_reset(st);
	return inserted < 0 ? -1 : count_inserted(s, first.conn_id, inserted);
}

int store_products_write(struct store *s, size_t n, product_write_fn get, void *ud)
{
	if (n == 0)
		return 0;
	return s->pg ? copy_products(s, n, get, ud) : write_products(s, n, get, ud);
}

static int sku_statement(struct store *s, const char *sql, int64_t conn_id, const char *sku, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, sku);
	if (now)
		bind_int(st, 3, now);
	return store_exec_stmt(st);
}

int store_product_mark_missing(struct store *s, int64_t conn_id, const char *sku, int64_t now)
{
	return sku_statement(s, SQL_MARK_MISSING, conn_id, sku, now);
}

/*
 * PostgreSQL: the SKUs go by COPY into a temporary table of the session's own (TRUNCATEd as products_staging
 * is), then one UPDATE marks and clears them all.
 */
static const char SQL_MARKS_PG[] =
	"CREATE TEMP TABLE IF NOT EXISTS products_marks (sku TEXT NOT NULL, gone BOOLEAN NOT NULL)";
static const char SQL_MARKS_EMPTY_PG[] = "TRUNCATE products_marks";
static const char SQL_MARKS_COPY_PG[] = "COPY products_marks (sku, gone) FROM STDIN";
/* SQL_MARK_MISSING for the gone, SQL_CLEAR_MISSING for the rest. */
static const char SQL_MARKS_APPLY_PG[] =
	"UPDATE products p SET missing_since = CASE WHEN m.gone THEN coalesce(p.missing_since, ?2) END,"
	" missing_runs = CASE WHEN m.gone THEN p.missing_runs + 1 ELSE 0 END"
	" FROM products_marks m WHERE p.connection_id = ?1 AND p.sku = m.sku";

static int copy_marks(struct store *s, const char *list, size_t len, bool gone)
{
	int rc = SQLDB_OK;
	for (size_t off = 0; rc == SQLDB_OK && off < len;) {
		size_t n = strlen(list + off);
		sqldb_copy_text(s->db, list + off, n);
		sqldb_copy_int64(s->db, gone);
		rc = sqldb_copy_row(s->db);
		off += n + 1;
	}
	return rc;
}

static int set_missing_by_copy(struct store *s, int64_t conn_id, const char *gone, size_t gone_len, const char *back,
                               size_t back_len, int64_t now)
{
	if (exec_sql(s, SQL_MARKS_PG) < 0 || exec_sql(s, SQL_MARKS_EMPTY_PG) < 0 ||
	    sqldb_copy_begin(s->db, SQL_MARKS_COPY_PG) != SQLDB_OK)
		return -1;
	int rc = copy_marks(s, gone, gone_len, true);
	if (rc == SQLDB_OK)
		rc = copy_marks(s, back, back_len, false);
	if (copy_finish(s, rc) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_MARKS_APPLY_PG);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_int(st, 2, now);
	return store_exec_stmt(st);
}

int store_products_set_missing(struct store *s, int64_t conn_id, const char *gone, size_t gone_len, const char *back,
                               size_t back_len, int64_t now)
{
	if (gone_len + back_len == 0)
		return 0;
	if (s->pg)
		return set_missing_by_copy(s, conn_id, gone, gone_len, back, back_len, now);
	int rc = 0;
	for (size_t off = 0; rc == 0 && off < gone_len; off += strlen(gone + off) + 1)
		rc = store_product_mark_missing(s, conn_id, gone + off, now);
	for (size_t off = 0; rc == 0 && off < back_len; off += strlen(back + off) + 1)
		rc = sku_statement(s, SQL_CLEAR_MISSING, conn_id, back + off, 0);
	return rc;
}

int store_products_pending(struct store *s, int64_t conn_id, bool all, product_row_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PENDING);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_int(st, 2, all);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (fn(ud, (const char *)sqldb_column_text(st, 0), (const char *)sqldb_column_text(st, 1),
		       sqldb_column_int64(st, 2)) != 0) {
			rc = SQLDB_DONE;
			break;
		}
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int64_t store_products_pending_count(struct store *s, int64_t conn_id, bool all)
{
	return store_count(s, SQL_PENDING_COUNT, conn_id, all);
}

int store_product_field_names(struct store *s, int64_t conn_id, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_FIELD_NAMES));
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = column_dup(st, 0);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_products_mark_pushed(struct store *s, int64_t conn_id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MARK_PUSHED);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	return store_exec_stmt(st);
}
