/* Destinations, the remote ids of pushed SKUs, and the push bookkeeping on products. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_dest.h"
#include "core/util.h"

static const char SQL_DEST_INSERT[] =
	"INSERT INTO destinations(name, type, base_url, auth, verify_tls, key_env, secret_env, credentials,"
	" credentials_hint, options, created_at, updated_at, ca_file)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?13)";
static const char SQL_DEST_UPDATE[] =
	"UPDATE destinations SET name = ?1, type = ?2, base_url = ?3, auth = ?4, verify_tls = ?5, key_env = ?6,"
	" secret_env = ?7, credentials = ?8, credentials_hint = ?9, options = ?10, updated_at = ?11, ca_file = ?13"
	" WHERE id = ?12";
static const char SQL_DEST_NAME_TAKEN[] = "SELECT id FROM destinations WHERE name = ?1 AND id <> ?2";
static const char SQL_DEST_GET[] = "SELECT " DEST_COLUMNS " FROM destinations d WHERE id = ?1";
static const char SQL_DEST_FIND[] = "SELECT " DEST_COLUMNS " FROM destinations d WHERE name = ?1";
static const char SQL_DEST_LIST[] = "SELECT " DEST_COLUMNS " FROM destinations d ORDER BY id";
static const char SQL_DEST_DELETE[] = "DELETE FROM destinations WHERE id = ?1";
static const char SQL_DEST_HEALTH[] =
	"UPDATE destinations SET health_ok = ?2, health_message = ?3, health_checked_at = ?4 WHERE id = ?1";
static const char SQL_DEST_CIRCUIT[] =
	"UPDATE destinations SET circuit_state = ?2, circuit_reopen_at = ?3, consecutive_failures = ?4,"
	" circuit_since = ?5, circuit_last_at = ?6, circuit_last = ?7, recent_outcomes = coalesce(?8, recent_outcomes) WHERE id = ?1";
static const char SQL_DEST_BATCH[] = "UPDATE destinations SET learned_batch_size = ?2 WHERE id = ?1";
static const char SQL_DEST_OUTCOMES[] = "UPDATE destinations SET recent_outcomes = ?2 WHERE id = ?1";
static const char SQL_DEST_RESEAL[] = "UPDATE destinations SET credentials = ?3 WHERE id = ?1 AND credentials = ?2";

static const char SQL_REMOTE_GET[] =
	"SELECT remote_id, parent_id, pushed_hash, variant_id, inventory_id FROM remote_products"
	" WHERE destination_id = ?1 AND sku = ?2";
static const char SQL_REMOTE_PUT[] =
	"INSERT INTO remote_products(destination_id, sku, remote_id, parent_id, pushed_hash, seen_at, variant_id,"
	" inventory_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(destination_id, sku) DO UPDATE SET"
	" remote_id = ?3, parent_id = ?4, pushed_hash = ?5, seen_at = ?6, variant_id = ?7, inventory_id = ?8";
static const char SQL_REMOTE_FORGET[] = "DELETE FROM remote_products WHERE destination_id = ?1 AND sku = ?2";
static const char SQL_REMOTE_COUNT[] = "SELECT count(*) FROM remote_products WHERE destination_id = ?1";
static const char SQL_REMOTE_PAGE[] =
	"SELECT sku, remote_id, parent_id, pushed_hash FROM remote_products WHERE destination_id = ?1 AND sku >= ?2"
	" ORDER BY sku LIMIT ?3";

static const char SQL_PENDING_PAGE[] =
	"SELECT sku, data, hash, CASE WHEN retired_at IS NOT NULL THEN retired_action END,"
	" CASE WHEN retired_at IS NULL THEN retired_action END FROM products"
	" WHERE connection_id = ?1 AND (?2 OR (pushed_hash IS NOT hash AND retired_at IS NULL))"
	" AND sku > ?3 ORDER BY sku LIMIT ?4";
/* The run pushing is the connection's running one: a connection has one active run (a database rule). */
static const char SQL_SET_PUSHED[] =
	"UPDATE products SET pushed_hash = ?3, pushed_data = CASE WHEN hash = ?3 THEN data ELSE pushed_data END,"
	" retired_action = CASE WHEN retired_at IS NULL THEN NULL ELSE retired_action END,"
	" pushed_run = " RUNNING_RUN_OF("?1") ", push_failed_run = NULL"
	" WHERE connection_id = ?1 AND sku = ?2";

void dest_row_free(struct dest_row *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->type);
	free(r->base_url);
	free(r->auth);
	free(r->key_env);
	free(r->secret_env);
	if (r->credentials)
		explicit_bzero(r->credentials, r->credentials_len);
	free(r->credentials);
	free(r->credentials_hint);
	free(r->options);
	free(r->health_message);
	free(r->ca_file);
	free(r->circuit_last);
	memset(r, 0, sizeof(*r));
}

void dest_rows_free(struct dest_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dest_row_free(&rows[i]);
	free(rows);
}

void read_dest_row(struct sqldb_stmt *st, struct dest_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqldb_column_int64(st, 0);
	r->name = column_dup(st, 1);
	r->type = column_dup(st, 2);
	r->base_url = column_dup(st, 3);
	r->auth = column_dup(st, 4);
	r->verify_tls = sqldb_column_int(st, 5) != 0;
	r->key_env = column_dup(st, 6);
	r->secret_env = column_dup(st, 7);
	int len = sqldb_column_bytes(st, 8);
	const void *blob = sqldb_column_blob(st, 8);
	if (blob && len > 0) {
		r->credentials = xmalloc((size_t)len);
		memcpy(r->credentials, blob, (size_t)len);
		r->credentials_len = (size_t)len;
	}
	r->credentials_hint = column_dup(st, 9);
	r->options = column_dup(st, 10);
	r->health_checked_at = sqldb_column_int64(st, 11);
	r->health_ok = sqldb_column_type(st, 12) == SQLDB_NULL ? -1 : sqldb_column_int(st, 12);
	r->health_message = column_dup(st, 13);
	column_copy(st, 14, r->circuit_state, sizeof(r->circuit_state));
	r->circuit_reopen_at = sqldb_column_int64(st, 15);
	r->consecutive_failures = sqldb_column_int(st, 16);
	r->learned_batch_size = sqldb_column_int(st, 17);
	r->created_at = sqldb_column_int64(st, 18);
	r->updated_at = sqldb_column_int64(st, 19);
	r->ca_file = column_dup(st, 20);
	r->circuit_since = sqldb_column_int64(st, 21);
	r->circuit_last_at = sqldb_column_int64(st, 22);
	r->circuit_last = column_dup(st, 23);
	column_copy(st, 24, r->recent_outcomes, sizeof(r->recent_outcomes));
}

static void bind_fields(struct sqldb_stmt *st, const struct dest_fields *f)
{
	bind_text(st, 1, f->name);
	bind_text(st, 2, f->type);
	bind_text(st, 3, f->base_url);
	bind_text(st, 4, f->auth ? f->auth : "auto");
	bind_int(st, 5, f->verify_tls);
	bind_text(st, 6, f->key_env);
	bind_text(st, 7, f->secret_env);
	if (f->credentials && f->credentials_len)
		sqldb_bind_blob(st, 8, f->credentials, (int)f->credentials_len);
	else
		sqldb_bind_null(st, 8);
	bind_text(st, 9, f->credentials_hint);
	bind_text(st, 10, f->options ? f->options : "{}");
	bind_int(st, 11, now_ms());
	bind_text(st, 13, f->ca_file);
}

static int save(struct store *s, const char *sql, int64_t id, const struct dest_fields *f, char *err,
                size_t errsize)
{
	int taken = store_name_taken(s, SQL_DEST_NAME_TAKEN, "destination", f->name, id, err, errsize);
	if (taken)
		return taken;
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st) {
		snprintf(err, errsize, "cannot save the destination: %s", store_errmsg(s));
		return -1;
	}
	bind_fields(st, f);
	if (id)
		bind_int(st, 12, id);
	if (store_exec_stmt(st) < 0) {
		snprintf(err, errsize, "cannot save the destination: %s", store_errmsg(s));
		return -1;
	}
	return 0;
}

int store_dest_insert(struct store *s, const struct dest_fields *f, int64_t *id, char *err, size_t errsize)
{
	int rc = save(s, SQL_DEST_INSERT, 0, f, err, errsize);
	if (rc == 0)
		*id = sqldb_last_insert_id(s->db);
	return rc;
}

int store_dest_update(struct store *s, int64_t id, const struct dest_fields *f, char *err, size_t errsize)
{
	return save(s, SQL_DEST_UPDATE, id, f, err, errsize);
}

static int get_one(struct store *s, const char *sql, int64_t id, const char *name, struct dest_row *out)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	if (name)
		bind_text(st, 1, name);
	else
		bind_int(st, 1, id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_dest_row(st, out);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_dest_get(struct store *s, int64_t id, struct dest_row *out)
{
	return get_one(s, SQL_DEST_GET, id, NULL, out);
}

int store_dest_find(struct store *s, const char *name, struct dest_row *out)
{
	return get_one(s, SQL_DEST_FIND, 0, name, out);
}

int store_dest_list(struct store *s, struct dest_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_LIST);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		*rows = xrealloc(*rows, (*n + 1) * sizeof(**rows));
		read_dest_row(st, &(*rows)[(*n)++]);
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE) {
		dest_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_dest_delete(struct store *s, int64_t id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_DELETE);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db) ? 0 : 1;
}

int store_dest_set_health(struct store *s, int64_t id, bool ok, const char *message, int64_t at)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_HEALTH);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_int(st, 2, ok);
	bind_text(st, 3, message);
	bind_int(st, 4, at);
	return store_exec_stmt(st);
}

int store_dest_set_circuit(struct store *s, int64_t id, const struct dest_circuit *c)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_CIRCUIT);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, c->state);
	bind_int_or_null(st, 3, c->reopen_at);
	bind_int(st, 4, c->failures);
	bind_int_or_null(st, 5, c->since);
	bind_int_or_null(st, 6, c->last_at);
	bind_text(st, 7, c->last && *c->last ? c->last : NULL);
	bind_text(st, 8, c->outcomes);   /* NULL keeps them */
	return store_exec_stmt(st);
}

int store_dest_set_outcomes(struct store *s, int64_t id, const char *outcomes)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_OUTCOMES);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, outcomes);
	return store_exec_stmt(st);
}

int store_dest_reseal(struct store *s, int64_t id, const unsigned char *was, size_t was_len,
                      const unsigned char *sealed, size_t sealed_len)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_RESEAL);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	sqldb_bind_blob(st, 2, was, (int)was_len);
	sqldb_bind_blob(st, 3, sealed, (int)sealed_len);
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db) ? 0 : 1;
}

int store_dest_set_batch_size(struct store *s, int64_t id, int size)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_DEST_BATCH);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_int_or_null(st, 2, size);
	return store_exec_stmt(st);
}

int store_remote_get(struct store *s, int64_t dest_id, const char *sku, struct remote_product *out)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_REMOTE_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, sku);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		out->remote_id = sqldb_column_int64(st, 0);
		out->parent_id = sqldb_column_int64(st, 1);
		out->pushed_hash = sqldb_column_int64(st, 2);
		out->variant_id = sqldb_column_int64(st, 3);
		out->inventory_id = sqldb_column_int64(st, 4);
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_remote_put(struct store *s, int64_t dest_id, const char *sku, const struct remote_product *r, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_REMOTE_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, r->remote_id);
	bind_int(st, 4, r->parent_id);
	bind_int(st, 5, r->pushed_hash);
	bind_int(st, 6, now);
	bind_int(st, 7, r->variant_id);
	bind_int(st, 8, r->inventory_id);
	return store_exec_stmt(st);
}

int store_remote_forget(struct store *s, int64_t dest_id, const char *sku)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_REMOTE_FORGET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, sku);
	return store_exec_stmt(st);
}

int64_t store_remote_count(struct store *s, int64_t dest_id)
{
	return store_count(s, SQL_REMOTE_COUNT, dest_id, 0);
}

int store_remote_page(struct store *s, int64_t dest_id, const char *from, int limit, struct remote_row **rows,
                      size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_REMOTE_PAGE);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, from);
	bind_int(st, 3, limit);
	*rows = xcalloc((size_t)limit, sizeof(**rows));
	int rc = SQLDB_DONE;
	while (*n < (size_t)limit && (rc = sqldb_step(st)) == SQLDB_ROW) {
		struct remote_row *r = &(*rows)[(*n)++];
		r->sku = column_dup(st, 0);
		r->r.remote_id = sqldb_column_int64(st, 1);
		r->r.parent_id = sqldb_column_int64(st, 2);
		r->r.pushed_hash = sqldb_column_int64(st, 3);
	}
	bool failed = *n < (size_t)limit && rc != SQLDB_DONE;
	sqldb_reset(st);
	if (failed) {
		remote_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void remote_rows_free(struct remote_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].sku);
	free(rows);
}

int store_pending_rows(struct sqldb_stmt *st, int limit, pending_fn fn, void *ud)
{
	/* Rows are copied out first: fn may write to the database, which must not happen under an open read. */
	struct page_row {
		char *sku, *data, *retired, *returning;
		int64_t hash;
	} *rows = xcalloc((size_t)limit, sizeof(*rows));
	int n = 0, rc = SQLDB_DONE;
	while (n < limit && (rc = sqldb_step(st)) == SQLDB_ROW) {
		rows[n].sku = column_dup(st, 0);
		rows[n].data = column_dup(st, 1);
		rows[n].hash = sqldb_column_int64(st, 2);
		rows[n].retired = column_dup(st, 3);
		rows[n].returning = column_dup(st, 4);
		n++;
	}
	bool failed = n < limit && rc != SQLDB_DONE;
	sqldb_reset(st);
	bool go = !failed;
	for (int i = 0; i < n; i++) {
		struct pending_product p = {rows[i].sku, rows[i].data ? rows[i].data : "{}", rows[i].hash, rows[i].retired,
		                            rows[i].returning};
		if (go && fn(ud, &p) != 0)
			go = false;
		free(rows[i].sku);
		free(rows[i].data);
		free(rows[i].retired);
		free(rows[i].returning);
	}
	free(rows);
	return failed ? -1 : n;
}

int store_products_pending_page(struct store *s, int64_t conn_id, bool all, const char *after, int limit,
                                pending_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PENDING_PAGE);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_int(st, 2, all);
	bind_text(st, 3, after ? after : "");
	bind_int(st, 4, limit);
	return store_pending_rows(st, limit, fn, ud);
}

int store_product_set_pushed(struct store *s, int64_t conn_id, const char *sku, int64_t hash)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SET_PUSHED);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, hash);
	return store_exec_stmt(st);
}
