/* The review of a plan: which items its apply leaves out (see core/store_plan.h). */
#include "store_plan_sql.h"

#include <string.h>

#include "core/util.h"

static const char SQL_EXCLUDE_SKU[] =
	"UPDATE plan_items SET excluded = ?3 WHERE plan_run = ?1 AND sku = ?2 AND excluded != ?3";
static const char SQL_EXCLUDE_MATCHING[] =
	"UPDATE plan_items SET excluded = ?5 WHERE plan_run = ?1 AND" PLAN_ITEM_MATCHES("?2", "?3", "?4")
	" AND excluded != ?5";
static const char SQL_HAS_SKU[] = "SELECT count(*) FROM plan_items WHERE plan_run = ?1 AND sku = ?2";
static const char SQL_APPLIED[] = "SELECT count(*) FROM sync_runs WHERE plan_run = ?1";

static int64_t exclude_sku(struct store *s, int64_t plan_run, const char *sku, bool excluded)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_EXCLUDE_SKU);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_text(st, 2, sku);
	bind_int(st, 3, excluded);
	return store_exec_stmt(st) < 0 ? -1 : sqldb_changes(s->db);
}

static int64_t exclude_matching(struct store *s, int64_t plan_run, const struct plan_filter *f, bool excluded)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_EXCLUDE_MATCHING);
	if (!st)
		return -1;
	bind_int(st, 1, plan_run);
	bind_plan_filter(st, 2, f);
	bind_int(st, 5, excluded);
	return store_exec_stmt(st) < 0 ? -1 : sqldb_changes(s->db);
}

static int64_t set_excluded_locked(struct store *s, int64_t plan_run, const struct plan_filter *f,
                                   char *const *skus, size_t n, bool excluded)
{
	int64_t applied = store_count(s, SQL_APPLIED, plan_run, 0);
	if (applied != 0)
		return applied > 0 ? -2 : -1;
	if (!skus)
		return exclude_matching(s, plan_run, f, excluded);
	int64_t changed = 0;
	for (size_t i = 0; i < n && changed >= 0; i++) {
		int64_t one = exclude_sku(s, plan_run, skus[i], excluded);
		changed = one < 0 ? -1 : changed + one;
	}
	return changed;
}

int64_t store_plan_set_excluded(struct store *s, int64_t plan_run, const struct plan_filter *f, char *const *skus,
                                size_t n, bool excluded)
{
	if (store_begin(s) < 0)
		return -1;
	int64_t changed = set_excluded_locked(s, plan_run, f, skus, n, excluded);
	if (changed >= 0 && store_commit(s) == 0)
		return changed;
	store_rollback(s);
	return changed >= 0 ? -1 : changed;
}

int plan_select_for_apply(struct store *s, int64_t plan_run, const struct plan_apply *req)
{
	bool unknown = false;
	for (size_t i = 0; i < req->nskus; i++) {
		int64_t found = id_and_text(s, SQL_HAS_SKU, plan_run, req->skus[i]);
		if (found < 0)
			return -1;
		if (found == 0 && req->unknown)
			sb_add(req->unknown, req->skus[i], strlen(req->skus[i]) + 1);
		unknown = unknown || found == 0;
	}
	if (unknown)
		return 1;
	bool only = req->select == PLAN_SELECT_ONLY;
	/* ONLY: everything out, then the SKUs back in; EXCEPT: everything in, then the SKUs out */
	if (exclude_matching(s, plan_run, NULL, only) < 0)
		return -1;
	for (size_t i = 0; i < req->nskus; i++)
		if (exclude_sku(s, plan_run, req->skus[i], !only) < 0)
			return -1;
	return 0;
}
