/* Grouped rows: a connection's groups and a group's variants, along products_by_parent (core/store_groups.h). */
#include "core/store_groups.h"

#include "core/util.h"
#include "store_internal.h"

static const char SQL_VARIANTS[] =
	"SELECT sku, name, price, data, NULL FROM products INDEXED BY products_by_parent"
	" WHERE connection_id = ?1 AND parent_sku = ?2 AND retired_at IS NULL ORDER BY sku";
static const char SQL_MEMBERS[] =
	"SELECT sku, name, price, data, CASE WHEN retired_at IS NOT NULL THEN retired_action END"
	" FROM products INDEXED BY products_by_parent WHERE connection_id = ?1 AND parent_sku = ?2 ORDER BY sku";
/* A group whose variants are all retired is listed with 0: its parent is to be retired too. */
static const char SQL_GROUPS[] =
	"SELECT parent_sku, count(*) FILTER (WHERE retired_at IS NULL) FROM products INDEXED BY products_by_parent"
	" WHERE connection_id = ?1 AND parent_sku IS NOT NULL GROUP BY parent_sku ORDER BY parent_sku";

static int variants_each(struct store *s, const char *sql, int64_t conn_id, const char *parent_sku,
                         group_variant_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	bind_text(st, 2, parent_sku);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		struct group_variant v = {
			.sku = (const char *)sqldb_column_text(st, 0),
			.name = (const char *)sqldb_column_text(st, 1),
			.price = (const char *)sqldb_column_text(st, 2),
			.data = (const char *)sqldb_column_text(st, 3),
			.retired = (const char *)sqldb_column_text(st, 4),
		};
		fn(ud, &v);
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

int store_group_variants_each(struct store *s, int64_t conn_id, const char *parent_sku, group_variant_fn fn,
                              void *ud)
{
	return variants_each(s, SQL_VARIANTS, conn_id, parent_sku, fn, ud);
}

int store_group_members_each(struct store *s, int64_t conn_id, const char *parent_sku, group_variant_fn fn,
                             void *ud)
{
	return variants_each(s, SQL_MEMBERS, conn_id, parent_sku, fn, ud);
}

int store_groups_each(struct store *s, int64_t conn_id, group_fn fn, void *ud)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_GROUPS);
	if (!st)
		return -1;
	bind_int(st, 1, conn_id);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		fn(ud, (const char *)sqldb_column_text(st, 0), sqldb_column_int64(st, 1));
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

struct group_list {
	char **skus;
	size_t n;
	bool empty_only;
};

static void list_group(void *ud, const char *parent_sku, int64_t variants)
{
	struct group_list *l = ud;
	if (l->empty_only && variants)
		return;
	l->skus = xrealloc(l->skus, (l->n + 1) * sizeof(*l->skus));
	l->skus[l->n++] = xstrdup(parent_sku);
}

int store_group_skus(struct store *s, int64_t conn_id, bool empty_only, char ***skus, size_t *n)
{
	struct group_list l = {.empty_only = empty_only};
	int rc = store_groups_each(s, conn_id, list_group, &l);
	*skus = l.skus;
	*n = l.n;
	return rc;
}
