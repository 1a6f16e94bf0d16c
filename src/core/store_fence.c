/* Push fences (see core/store_fence.h). */
#include "store_internal.h"

#include <stdlib.h>
#include <strings.h>

#include "core/store_fence.h"
#include "core/util.h"

static const char SQL_FENCE_PUT[] =
	"INSERT INTO push_fences(destination_id, sku_key, sku, run_id, until_ms) VALUES(?1, lower(?2), ?2, ?3, ?4)"
	" ON CONFLICT(destination_id, sku_key, run_id) DO UPDATE SET sku = ?2, until_ms = max(until_ms, ?4)";
static const char SQL_FENCE_DROP[] =
	"DELETE FROM push_fences WHERE destination_id = ?1 AND sku_key = lower(?2) AND run_id = ?3";
static const char SQL_FENCE_DROP_OTHERS[] =
	"DELETE FROM push_fences WHERE destination_id = ?1 AND sku_key = lower(?2) AND run_id <> ?3";
static const char SQL_FENCES_OF_OTHERS[] =
	"SELECT min(sku), max(run_id), max(until_ms) FROM push_fences WHERE destination_id = ?1 AND run_id <> ?2"
	" GROUP BY sku_key ORDER BY sku_key";

static int fence_exec(struct store *s, const char *sql, int64_t dest_id, const char *sku, int64_t run_id)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, run_id);
	return store_exec_stmt(st);
}

int store_fence_put(struct store *s, int64_t dest_id, const char *sku, int64_t run_id, int64_t until_ms)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_FENCE_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, sku);
	bind_int(st, 3, run_id);
	bind_int(st, 4, until_ms);
	return store_exec_stmt(st);
}

int store_fence_drop(struct store *s, int64_t dest_id, const char *sku, int64_t run_id)
{
	return fence_exec(s, SQL_FENCE_DROP, dest_id, sku, run_id);
}

int store_fence_drop_others(struct store *s, int64_t dest_id, const char *sku, int64_t run_id)
{
	return fence_exec(s, SQL_FENCE_DROP_OTHERS, dest_id, sku, run_id);
}

int store_fences_of_others(struct store *s, int64_t dest_id, int64_t run_id, struct push_fence **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_FENCES_OF_OTHERS);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, run_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = (struct push_fence){column_dup(st, 0), sqldb_column_int64(st, 1),
		                                     sqldb_column_int64(st, 2)};
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE) {
		push_fences_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

static int fence_order(const void *key, const void *fence)
{
	return strcasecmp(key, ((const struct push_fence *)fence)->sku);
}

struct push_fence *push_fence_find(struct push_fence *fences, size_t n, const char *sku)
{
	return bsearch_or_null(sku, fences, n, sizeof(*fences), fence_order);
}

int store_fences_refresh(struct store *s, int64_t dest_id, int64_t run_id, struct push_fence *fences, size_t n)
{
	if (!n)
		return 0;
	struct push_fence *now;
	size_t nnow;
	if (store_fences_of_others(s, dest_id, run_id, &now, &nnow) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct push_fence *f = push_fence_find(now, nnow, fences[i].sku);
		fences[i].until_ms = f ? f->until_ms : 0;
	}
	push_fences_free(now, nnow);
	return 0;
}

void push_fences_free(struct push_fence *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].sku);
	free(f);
}
