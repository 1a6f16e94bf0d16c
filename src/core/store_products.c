/* The catalog product by product: states, remote ids, last pushed values, errors (see core/store_products.h). */
#include "core/store_products.h"

#include <stdlib.h>
#include <string.h>

#include "core/state_index.h"
#include "core/util.h"
#include "product_sql.h"
#include "store_internal.h"

const char *const product_states[] = {PRODUCT_STATE_NAMES, NULL};

/*
 * A state filter walks products_by_state (named: along the primary key the SKU order would cost no sort, but
 * the state of every product would be computed to find a few) and sorts only the products in that state.
 */
static const char SQL_LIST[] =
	"SELECT " PRODUCT_COLUMNS("?1") " FROM products p WHERE p.connection_id = ?1 ORDER BY p.sku LIMIT ?3";
static const char SQL_LIST_PG[] =
	"SELECT " PRODUCT_COLUMNS_PG("?1") " FROM products p WHERE p.connection_id = ?1 ORDER BY p.sku LIMIT ?3";
#define LIST_STATE(index) \
	"SELECT " PRODUCT_COLUMNS("?1") " FROM products p" index " WHERE p.connection_id = ?1" \
	" AND " PRODUCT_STATE_SQL("p.") " = ?2 ORDER BY p.sku LIMIT ?3"
static const char SQL_LIST_STATE[] = LIST_STATE(" INDEXED BY products_by_state");
/* While a first import fills the catalog without the index (core/state_index.h). */
static const char SQL_LIST_STATE_UNINDEXED[] = LIST_STATE("");
/* The server's planner finds products_by_state by the expression on its own (it takes no hints). */
static const char SQL_LIST_STATE_PG[] =
	"SELECT " PRODUCT_COLUMNS_PG("?1") " FROM products p WHERE p.connection_id = ?1"
	" AND " PRODUCT_STATE_SQL_PG("p.") " = ?2 ORDER BY p.sku LIMIT ?3";
/* Each count its own statement: an optional condition ("?2 IS NULL OR ...") would keep SQLite off the index. */
static const char SQL_COUNT[] = "SELECT count(*) FROM products WHERE connection_id = ?1";
static const char SQL_COUNT_STATE[] =
	"SELECT count(*) FROM products WHERE connection_id = ?1 AND " PRODUCT_STATE_SQL("") " = ?2";
static const char SQL_COUNT_STATE_PG[] =
	"SELECT count(*) FROM products WHERE connection_id = ?1 AND " PRODUCT_STATE_SQL_PG("") " = ?2";
#define PRODUCT_GET(columns) \
	"SELECT " columns ", p.data, p.pushed_data, p.retired_action, p.line, p.first_seen_run," \
	" p.first_seen_at, p.changed_run, p.changed_at, p.pushed_run," \
	" (SELECT coalesce(r.finished_at, r.heartbeat_at, r.started_at) FROM sync_runs r WHERE r.id = p.pushed_run)," \
	" p.missing_since, p.missing_runs, p.retired_at FROM products p WHERE p.connection_id = ?1 AND p.sku = ?2"
static const char SQL_GET[] = PRODUCT_GET(PRODUCT_COLUMNS("?1"));
static const char SQL_GET_PG[] = PRODUCT_GET(PRODUCT_COLUMNS_PG("?1"));
/* Along run_errors_by_sku: a product's errors, not every error of every run. */
static const char SQL_ERRORS[] =
	"SELECT e.run_id, e.at, e.line, coalesce(e.phase, ''), e.code, e.message FROM run_errors e"
	" JOIN sync_runs r ON r.id = e.run_id WHERE e.sku = ?2 AND r.connection_id = ?1 ORDER BY e.id DESC LIMIT ?3";
static const char SQL_CONN_FIND[] = "SELECT id FROM connections WHERE name = ?1";

bool product_state_valid(const char *state)
{
	for (const char *const *p = product_states; *p; p++)
		if (str_eq(*p, state))
			return true;
	return false;
}

void read_product_row(struct sqldb_stmt *st, int first, struct product_row *r)
{
	memset(r, 0, sizeof(*r));
	int c = first;
	r->sku = column_dup(st, c++);
	r->name = column_dup(st, c++);
	r->price = column_dup(st, c++);
	r->has_quantity = sqldb_column_type(st, c) != SQLDB_NULL;
	r->quantity = sqldb_column_int64(st, c++);
	column_copy(st, c++, r->state, sizeof(r->state));
	r->remote_id = sqldb_column_int64(st, c++);
	r->failed_run = sqldb_column_int64(st, c++);
	r->last_error = column_dup(st, c++);
	r->rowid = sqldb_column_int64(st, c++);
	r->parent_sku = column_dup(st, c++);
}

void product_row_free(struct product_row *r)
{
	if (!r)
		return;
	free(r->sku);
	free(r->name);
	free(r->price);
	free(r->last_error);
	free(r->parent_sku);
	memset(r, 0, sizeof(*r));
}

void product_rows_free(struct product_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		product_row_free(&rows[i]);
	free(rows);
}

int store_products_each(struct store *s, const struct product_query *q, product_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, !q->state                      ? STORE_SQL(s, SQL_LIST)
	                                  : s->pg                      ? SQL_LIST_STATE_PG
	                                  : state_index_present(s->db) ? SQL_LIST_STATE
	                                                               : SQL_LIST_STATE_UNINDEXED);
	if (!st)
		return -1;
	bind_int(st, 1, q->connection_id);
	if (q->state)
		bind_text(st, 2, q->state);
	bind_limit(st, 3, q->limit > 0 ? q->limit : -1);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		struct product_row row;
		read_product_row(st, 0, &row);
		fn(ud, &row);
		product_row_free(&row);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int64_t store_products_count(struct store *s, const struct product_query *q)
{
	struct sqldb_stmt *st = store_stmt(s, q->state ? STORE_SQL(s, SQL_COUNT_STATE) : SQL_COUNT);
	if (!st)
		return -1;
	bind_int(st, 1, q->connection_id);
	if (q->state)
		bind_text(st, 2, q->state);
	int64_t n = sqldb_step(st) == SQLDB_ROW ? sqldb_column_int64(st, 0) : -1;
	sqldb_reset(st);
	return n;
}

void product_detail_free(struct product_detail *d)
{
	if (!d)
		return;
	product_row_free(&d->row);
	free(d->data);
	free(d->pushed_data);
	free(d->retired_action);
	memset(d, 0, sizeof(*d));
}

int store_product_get(struct store *s, int64_t conn_id, const char *sku, struct product_detail *out)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_GET));
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, sku);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		memset(out, 0, sizeof(*out));
		read_product_row(st, 0, &out->row);
		int c = PRODUCT_NCOLUMNS;
		out->data = column_dup(st, c++);
		out->pushed_data = column_dup(st, c++);
		out->retired_action = column_dup(st, c++);
		out->line = sqldb_column_int64(st, c++);
		out->first_seen_run = sqldb_column_int64(st, c++);
		out->first_seen_at = sqldb_column_int64(st, c++);
		out->changed_run = sqldb_column_int64(st, c++);
		out->changed_at = sqldb_column_int64(st, c++);
		out->pushed_run = sqldb_column_int64(st, c++);
		out->pushed_at = sqldb_column_int64(st, c++);
		out->missing_since = sqldb_column_int64(st, c++);
		out->missing_runs = sqldb_column_int64(st, c++);
		out->retired_at = sqldb_column_int64(st, c++);
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

void product_errors_free(struct product_error *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].message);
	free(e);
}

int store_product_errors(struct store *s, int64_t conn_id, const char *sku, int limit, struct product_error **out,
                         size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_ERRORS);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, limit);
	*out = xcalloc((size_t)(limit > 0 ? limit : 1), sizeof(**out));
	int rc = SQLDB_DONE;
	while (*n < (size_t)limit && (rc = sqldb_step(st)) == SQLDB_ROW) {
		struct product_error *e = &(*out)[(*n)++];
		e->run_id = sqldb_column_int64(st, 0);
		e->at = sqldb_column_int64(st, 1);
		e->line = sqldb_column_int64(st, 2);
		column_copy(st, 3, e->phase, sizeof(e->phase));
		column_copy(st, 4, e->code, sizeof(e->code));
		e->message = column_dup(st, 5);
	}
	bool failed = *n < (size_t)limit && rc != SQLDB_DONE;
	sqldb_reset(st);
	if (!failed)
		return 0;
	product_errors_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int store_conn_find(struct store *s, const char *name, int64_t *id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_CONN_FIND);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	int rc = sqldb_step(st);
	*id = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}
