/* Plans and the retirement of stale products (see core/store_plan.h). */
#include "store_plan_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_plan.h"
#include "core/util.h"

static const char SQL_PLAN_GET[] =
	"SELECT p.run_id, p.connection_id, coalesce(c.name, ''), p.created_at, coalesce(p.destination, ''), p.stamp,"
	" (SELECT count(*) FROM plan_items i WHERE i.plan_run = p.run_id AND i.kind = 'create'),"
	" (SELECT count(*) FROM plan_items i WHERE i.plan_run = p.run_id AND i.kind = 'update'),"
	" (SELECT count(*) FROM plan_items i WHERE i.plan_run = p.run_id AND i.kind = 'retire'),"
	" (SELECT count(*) FROM plan_items i WHERE i.plan_run = p.run_id AND i.excluded),"
	" coalesce(a.id, 0), coalesce(a.status, ''), coalesce(p.applied_by, ''), coalesce(p.applied_at, 0)"
	" FROM plans p LEFT JOIN connections c ON c.id = p.connection_id LEFT JOIN sync_runs a ON a.plan_run = p.run_id"
	" WHERE p.run_id = ?1";
static const char SQL_PLAN_COUNT[] =
	"SELECT count(*) FROM plan_items WHERE plan_run = ?1 AND" PLAN_ITEM_MATCHES("?2", "?3", "?4");
#define PLAN_ITEM_COLUMNS \
	"i.kind, i.sku, i.name, i.hash, coalesce(i.action, ''), coalesce(i.missing_since, 0)," \
	" coalesce(i.missing_runs, 0), i.excluded, (SELECT p.parent_sku FROM plans pl JOIN products p" \
	" ON p.connection_id = pl.connection_id AND p.sku = i.sku WHERE pl.run_id = i.plan_run)"
static const char SQL_PLAN_ITEMS[] =
	"SELECT " PLAN_ITEM_COLUMNS " FROM plan_items i WHERE plan_run = ?1 AND" PLAN_ITEM_MATCHES("?2", "?3", "?4")
	" ORDER BY sku LIMIT ?6 OFFSET ?5";
/*
 * A filter of one kind and nothing else (the plan screen's tabs) is answered by the index (plan_run, kind,
 * sku) alone, and only the page's rows are read whole: the general statements walk every kind's items
 * along the primary key (40 000 creates of 100 000 items: counted in 8 ms, the last page read in 15;
 * now 1 and 2).
 */
static const char SQL_PLAN_COUNT_OF_KIND[] = "SELECT count(*) FROM plan_items WHERE plan_run = ?1 AND kind = ?2";
static const char SQL_PLAN_ITEMS_OF_KIND[] =
	"SELECT " PLAN_ITEM_COLUMNS " FROM (SELECT sku FROM plan_items WHERE plan_run = ?1 AND kind = ?2"
	" ORDER BY sku LIMIT ?6 OFFSET ?5) w CROSS JOIN plan_items i ON i.plan_run = ?1 AND i.sku = w.sku"
	" ORDER BY i.sku";

static bool kind_only(const struct plan_filter *f)
{
	return f && f->kind && !(f->text && *f->text) && !f->included_only;
}
static const char SQL_PLAN_CHANGES[] =
	"SELECT sku, field, old_value, new_value, old_known FROM plan_changes"
	" WHERE plan_run = ?1 AND sku >= ?2 AND sku <= ?3 ORDER BY sku, field";
static const char SQL_PLAN_INSERT[] =
	"INSERT INTO plans(run_id, connection_id, created_at, destination, stamp) VALUES(?1, ?2, ?3, ?4, '')";
static const char SQL_PLAN_ADD_ITEM[] =
	"INSERT INTO plan_items(plan_run, sku, kind, name, hash, action, missing_since, missing_runs)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_PLAN_ADD_CHANGE[] =
	"INSERT INTO plan_changes(plan_run, sku, field, old_value, new_value, old_known) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_PLAN_SET_STAMP[] = "UPDATE plans SET stamp = ?2 WHERE run_id = ?1";
/*
 * Sums of the low 32 bits cannot overflow SQLite's 64-bit integers; together with the counts and the latest
 * changing run they move whenever a product is imported, marked, cleared, pushed or retired.
 */
static const char SQL_CATALOG_STAMP[] =
	"SELECT count(*) || ':' || coalesce(sum(hash & 4294967295), 0)"
	" || ':' || coalesce(sum(coalesce(pushed_hash, 0) & 4294967295), 0) || ':' || coalesce(max(changed_run), 0)"
	" || ':' || count(missing_since) || ':' || coalesce(sum(missing_runs), 0)"
	" || ':' || count(retired_at) || ':' || count(retired_action)"
	" FROM products WHERE connection_id = ?1";
static const char SQL_PLAN_CANDIDATES[] =
	"SELECT sku, name, data, hash, pushed_hash IS NOT NULL OR pushed_data IS NOT NULL, pushed_data,"
	" retired_action FROM products WHERE connection_id = ?1 AND pushed_hash IS NOT hash AND retired_at IS NULL"
	" ORDER BY sku";
static const char SQL_PLAN_OF[] = "SELECT connection_id, stamp FROM plans WHERE run_id = ?1";
static const char SQL_PLAN_APPLIED_BY[] = "SELECT id FROM sync_runs WHERE plan_run = ?1";
static const char SQL_RUN_SET_PLAN[] = "UPDATE sync_runs SET plan_run = ?2 WHERE id = ?1";
/* 1 when the review excluded every item (a plan without items still applies: it is then a no-op). */
static const char SQL_PLAN_ALL_EXCLUDED[] =
	"SELECT count(*) > 0 AND count(*) = sum(excluded) FROM plan_items WHERE plan_run = ?1";
static const char SQL_PLAN_SET_APPLIER[] = "UPDATE plans SET applied_by = ?2, applied_at = ?3 WHERE run_id = ?1";
static const char SQL_PLAN_PRODUCTS_PAGE[] =
	"SELECT p.sku, p.data, p.hash, NULL, CASE WHEN p.retired_at IS NULL THEN p.retired_action END"
	" FROM plan_items i JOIN products p ON p.connection_id = (SELECT connection_id FROM plans WHERE run_id = ?1)"
	" AND p.sku = i.sku WHERE i.plan_run = ?1 AND i.kind IN ('create', 'update') AND NOT i.excluded AND p.hash = i.hash"
	" AND i.sku > ?2 ORDER BY i.sku LIMIT ?3";
SQL_WITH_HINT(SQL_STALE, "SELECT sku, name, missing_since, missing_runs FROM products", "INDEXED BY products_missing",
              " WHERE connection_id = ?1 AND missing_since IS NOT NULL AND retired_at IS NULL AND missing_since <= ?2"
              " AND missing_runs >= ?3 ORDER BY sku");
static const char SQL_PLAN_RETIREES[] =
	"SELECT sku, name, missing_since, missing_runs, action FROM plan_items"
	" WHERE plan_run = ?1 AND kind = 'retire' AND NOT excluded ORDER BY sku";
static const char SQL_SET_RETIRED[] =
	"UPDATE products SET retired_at = ?3, retired_action = ?4,"
	" pushed_hash = CASE WHEN ?5 <> 0 THEN NULL ELSE pushed_hash END,"
	" pushed_data = CASE WHEN ?5 <> 0 THEN NULL ELSE pushed_data END WHERE connection_id = ?1 AND sku = ?2";
SQL_WITH_HINT(SQL_RETIRED_SKUS, "SELECT sku FROM products", "INDEXED BY products_retired",
              " WHERE connection_id = ?1 AND retired_action IS NOT NULL AND retired_at IS NOT NULL");
static const char SQL_UNRETIRE[] =
	"UPDATE products SET retired_at = NULL, pushed_hash = NULL, missing_since = NULL, missing_runs = 0"
	" WHERE connection_id = ?1 AND sku = ?2 AND retired_at IS NOT NULL";
SQL_WITH_HINT(SQL_RETIRED_COUNT, "SELECT count(*) FROM products", "INDEXED BY products_retired",
              " WHERE connection_id = ?1 AND retired_action = ?2 AND retired_at IS NOT NULL");

int64_t id_and_text(struct store *s, const char *sql, int64_t id, const char *text)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, text);
	int rc = sqldb_step(st);
	int64_t n = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : rc == SQLDB_DONE ? 0 : -1;
	sqldb_reset(st);
	return n;
}

/* ---- reading plans ---- */

int store_plan_get(struct store *s, int64_t plan_run, struct plan_row *out)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_GET);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		memset(out, 0, sizeof(*out));
		out->run_id = sqldb_column_int64(st, 0);
		out->connection_id = sqldb_column_int64(st, 1);
		column_copy(st, 2, out->connection_name, sizeof(out->connection_name));
		out->created_at = sqldb_column_int64(st, 3);
		column_copy(st, 4, out->destination, sizeof(out->destination));
		column_copy(st, 5, out->stamp, sizeof(out->stamp));
		out->creates = sqldb_column_int64(st, 6);
		out->updates = sqldb_column_int64(st, 7);
		out->retires = sqldb_column_int64(st, 8);
		out->excluded = sqldb_column_int64(st, 9);
		out->applied_run = sqldb_column_int64(st, 10);
		column_copy(st, 11, out->applied_status, sizeof(out->applied_status));
		column_copy(st, 12, out->applier, sizeof(out->applier));
		out->applied_at = sqldb_column_int64(st, 13);
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

void bind_plan_filter(struct sqldb_stmt *st, int first, const struct plan_filter *f)
{
	bind_text(st, first, f ? f->kind : NULL);
	bind_text(st, first + 1, f && f->text && *f->text ? f->text : NULL);
	bind_int(st, first + 2, f && f->included_only);
}

int64_t store_plan_count(struct store *s, int64_t plan_run, const struct plan_filter *f)
{
	struct sqldb_stmt *st = store_stmt(s, kind_only(f) ? SQL_PLAN_COUNT_OF_KIND : SQL_PLAN_COUNT);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_plan_filter(st, 2, f);
	int rc = sqldb_step(st);
	int64_t n = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : -1;
	sqldb_reset(st);
	return n;
}

void plan_items_free(struct plan_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < items[i].nchanges; k++) {
			free(items[i].changes[k].field);
			free(items[i].changes[k].old_value);
			free(items[i].changes[k].new_value);
		}
		free(items[i].changes);
		free(items[i].sku);
		free(items[i].name);
		free(items[i].parent_sku);
	}
	free(items);
}

static int item_order(const void *key, const void *item)
{
	return strcmp(key, ((const struct plan_item *)item)->sku);
}

/* The changes of the page's items: one range read over the SKUs the page spans. */
static int attach_changes(struct store *s, int64_t plan_run, struct plan_item *items, size_t n)
{
	if (n == 0)
		return 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_CHANGES);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, items[0].sku);
	bind_text(st, 3, items[n - 1].sku);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		struct plan_item *it = bsearch(sqldb_column_text(st, 0), items, n, sizeof(*items), item_order);
		if (!it)
			continue; /* an item of another kind in the same SKU range */
		it->changes = xrealloc(it->changes, (it->nchanges + 1) * sizeof(*it->changes));
		struct plan_change *c = &it->changes[it->nchanges++];
		c->field = column_dup(st, 1);
		c->old_value = column_dup(st, 2);
		c->new_value = column_dup(st, 3);
		c->old_known = sqldb_column_int(st, 4) != 0;
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_plan_items(struct store *s, int64_t plan_run, const struct plan_filter *f, int64_t offset, int limit,
                     struct plan_item **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, kind_only(f) ? SQL_PLAN_ITEMS_OF_KIND : SQL_PLAN_ITEMS);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_plan_filter(st, 2, f);
	bind_int(st, 5, offset);
	bind_int(st, 6, limit);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*items = xrealloc(*items, cap * sizeof(**items));
		}
		struct plan_item *it = &(*items)[(*n)++];
		memset(it, 0, sizeof(*it));
		column_copy(st, 0, it->kind, sizeof(it->kind));
		it->sku = column_dup(st, 1);
		it->name = column_dup(st, 2);
		it->hash = sqldb_column_int64(st, 3);
		column_copy(st, 4, it->action, sizeof(it->action));
		it->missing_since = sqldb_column_int64(st, 5);
		it->missing_runs = sqldb_column_int64(st, 6);
		it->excluded = sqldb_column_int(st, 7) != 0;
		it->parent_sku = column_dup(st, 8);
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE || attach_changes(s, plan_run, *items, *n) < 0) {
		plan_items_free(*items, *n);
		*items = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* ---- making plans ---- */

int store_plan_insert(struct store *s, int64_t plan_run, int64_t conn_id, const char *destination, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_INSERT);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_int(st, 2, conn_id);
	bind_int(st, 3, now);
	bind_text(st, 4, destination);
	return store_exec_stmt(st);
}

int store_plan_add_item(struct store *s, int64_t plan_run, const struct plan_item_write *item)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_ADD_ITEM);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, item->sku);
	bind_text(st, 3, item->kind);
	bind_text(st, 4, item->name);
	bind_int(st, 5, item->hash);
	bind_text(st, 6, item->action);
	bind_int_or_null(st, 7, item->missing_since);
	bind_int_or_null(st, 8, item->missing_runs);
	return store_exec_stmt(st);
}

int store_plan_add_change(struct store *s, int64_t plan_run, const char *sku, const char *field,
                          const char *old_value, const char *new_value, bool old_known)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_ADD_CHANGE);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, sku);
	bind_text(st, 3, field);
	bind_text(st, 4, old_known ? old_value : NULL);
	bind_text(st, 5, new_value);
	bind_int(st, 6, old_known);
	return store_exec_stmt(st);
}

int store_plan_set_stamp(struct store *s, int64_t plan_run, const char *stamp)
{
	return (int)id_and_text(s, SQL_PLAN_SET_STAMP, plan_run, stamp);
}

int store_catalog_stamp(struct store *s, int64_t conn_id, char *buf, size_t size)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_CATALOG_STAMP);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		column_copy(st, 0, buf, size);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 0 : -1;
}

/* The plan's writes go to other tables than the one this reads, so the read may stay open under them. */
int store_plan_candidates(struct store *s, int64_t conn_id, int (*fn)(void *ud, const struct plan_candidate *c),
                          void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_CANDIDATES);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		const char *data = (const char *)sqldb_column_text(st, 2);
		struct plan_candidate c = {
			.sku = (const char *)sqldb_column_text(st, 0),
			.name = (const char *)sqldb_column_text(st, 1),
			.data = data ? data : "{}",
			.hash = sqldb_column_int64(st, 3),
			.pushed = sqldb_column_int(st, 4) != 0,
			.pushed_data = (const char *)sqldb_column_text(st, 5),
			.returning = (const char *)sqldb_column_text(st, 6),
		};
		if (fn(ud, &c) != 0)
			break;
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? 0 : -1;
}

/* ---- applying plans ---- */

static int64_t id_for(struct store *s, const char *sql, int64_t id)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	int64_t found = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? found : -1;
}

/* Inside the write transaction: what refuses the apply, else the selection stored and the queued run. */
static int enqueue_apply_locked(struct store *s, int64_t plan_run, const struct plan_apply *req, int64_t *run_id,
                                struct run_row *active, int64_t *applied_by)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_OF);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	int rc = sqldb_step(st);
	int64_t conn_id = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	char planned[160] = "";
	if (rc == SQLDB_ROW)
		column_copy(st, 1, planned, sizeof(planned));
	sqldb_reset(st);
	if (rc != SQLDB_ROW)
		return rc == SQLDB_DONE ? 4 : -1;
	if ((*applied_by = id_for(s, SQL_PLAN_APPLIED_BY, plan_run)) != 0)
		return *applied_by > 0 ? 2 : -1;
	int busy = store_run_active_for(s, conn_id, active);
	if (busy != 0)
		return busy;
	char now[160];
	if (store_catalog_stamp(s, conn_id, now, sizeof(now)) < 0)
		return -1;
	if (!str_eq(now, planned))
		return 3;
	if (req->select != PLAN_SELECT_REVIEWED && (rc = plan_select_for_apply(s, plan_run, req)) != 0)
		return rc == 1 ? 5 : -1;
	int64_t none = id_for(s, SQL_PLAN_ALL_EXCLUDED, plan_run);
	if (none != 0)
		return none > 0 ? 6 : -1;
	rc = store_run_enqueue_locked(s, conn_id, "plan", 0, 1, false, run_id, active);
	if (rc != 0)
		return rc == 2 ? 4 : rc;
	st = store_stmt(s, SQL_RUN_SET_PLAN);
	if (!st)
		return -1;
	bind_int(st, 1, *run_id);
	bind_int(st, 2, plan_run);
	if (store_exec_stmt(st) < 0 || !(st = store_stmt(s, SQL_PLAN_SET_APPLIER)))
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, req->applier);
	bind_int(st, 3, now_ms());
	return store_exec_stmt(st);
}

int store_plan_enqueue_apply(struct store *s, int64_t plan_run, const struct plan_apply *req, int64_t *run_id,
                             struct run_row *active, int64_t *applied_by)
{
	*applied_by = 0;
	if (store_begin(s) < 0)
		return -1;
	int rc = enqueue_apply_locked(s, plan_run, req, run_id, active, applied_by);
	if (rc == 0 && store_commit(s) == 0)
		return 0;
	store_rollback(s);
	return rc == 0 ? -1 : rc;
}

int store_plan_products_page(struct store *s, int64_t plan_run, const char *after, int limit, pending_fn fn,
                             void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_PRODUCTS_PAGE);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, after ? after : "");
	bind_int(st, 3, limit);
	return store_pending_rows(st, limit, fn, ud);
}

/* ---- stale products ---- */

void stale_products_free(struct stale_product *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].sku);
		free(list[i].name);
	}
	free(list);
}

/* Rows of sku, name, missing_since, missing_runs and, when action is not NULL, the action. */
static int read_stale(struct sqldb_stmt *st, struct stale_product **out, size_t *n, char *action)
{
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		struct stale_product *p = &(*out)[(*n)++];
		p->sku = column_dup(st, 0);
		p->name = column_dup(st, 1);
		p->missing_since = sqldb_column_int64(st, 2);
		p->missing_runs = sqldb_column_int64(st, 3);
		if (action)
			column_copy(st, 4, action, 16);
	}
	sqldb_reset(st);
	if (rc == SQLDB_DONE)
		return 0;
	stale_products_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int store_stale_products(struct store *s, int64_t conn_id, int64_t missing_before, int64_t min_runs,
                         struct stale_product **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_STALE));
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_int(st, 2, missing_before);
	bind_int(st, 3, min_runs);
	return read_stale(st, out, n, NULL);
}

int store_plan_retirees(struct store *s, int64_t plan_run, struct stale_product **out, size_t *n, char *action)
{
	*out = NULL;
	*n = 0;
	*action = '\0';
	struct sqldb_stmt *st = store_stmt(s, SQL_PLAN_RETIREES);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	return read_stale(st, out, n, action);
}

int store_product_set_retired(struct store *s, int64_t conn_id, const char *sku, const char *action, int64_t now,
                              bool gone)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SET_RETIRED);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, now);
	bind_text(st, 4, action);
	bind_int(st, 5, gone);
	return store_exec_stmt(st);
}

int store_retired_skus(struct store *s, int64_t conn_id, struct strbuf *out)
{
	struct sqldb_stmt *st = store_stmt(s, STORE_SQL(s, SQL_RETIRED_SKUS));
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		sb_add(out, (const char *)sqldb_column_text(st, 0), (size_t)sqldb_column_bytes(st, 0) + 1);
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_product_unretire(struct store *s, int64_t conn_id, const char *sku)
{
	return (int)id_and_text(s, SQL_UNRETIRE, conn_id, sku);
}

int64_t store_retired_count(struct store *s, int64_t conn_id, const char *action)
{
	return id_and_text(s, STORE_SQL(s, SQL_RETIRED_COUNT), conn_id, action);
}
