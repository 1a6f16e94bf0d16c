/* The cache of a shop's categories and tags (see core/store_terms.h). */
#include "store_internal.h"

#include <stdlib.h>

#include "core/store_terms.h"
#include "core/util.h"

static const char SQL_TERMS_LOAD[] =
	"SELECT term_id, parent_id, name FROM shop_terms WHERE destination_id = ?1 AND taxonomy = ?2";
static const char SQL_TERMS_CLEAR[] = "DELETE FROM shop_terms WHERE destination_id = ?1 AND taxonomy = ?2";
static const char SQL_TERM_PUT[] =
	"INSERT INTO shop_terms(destination_id, taxonomy, term_id, parent_id, name) VALUES(?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(destination_id, taxonomy, term_id) DO UPDATE SET parent_id = ?4, name = ?5";

int store_terms_load(struct store *s, int64_t dest_id, const char *taxonomy, struct shop_term **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sqldb_stmt *st = store_stmt(s, SQL_TERMS_LOAD);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, taxonomy);
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = (struct shop_term){sqldb_column_int64(st, 0), sqldb_column_int64(st, 1),
		                                    column_dup(st, 2)};
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE) {
		shop_terms_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_term_put(struct store *s, int64_t dest_id, const char *taxonomy, const struct shop_term *t)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_TERM_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_text(st, 2, taxonomy);
	bind_int(st, 3, t->id);
	bind_int(st, 4, t->parent);
	bind_text(st, 5, t->name);
	return store_exec_stmt(st);
}

int store_terms_replace(struct store *s, int64_t dest_id, const char *taxonomy, const struct shop_term *terms,
                        size_t n)
{
	if (store_begin(s) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_TERMS_CLEAR);
	bool ok = st != NULL;
	if (ok) {
		bind_int(st, 1, dest_id);
		bind_text(st, 2, taxonomy);
		ok = store_exec_stmt(st) == 0;
	}
	for (size_t i = 0; i < n && ok; i++)
		ok = store_term_put(s, dest_id, taxonomy, &terms[i]) == 0;
	if (ok && store_commit(s) == 0)
		return 0;
	store_rollback(s);
	return -1;
}

void shop_terms_free(struct shop_term *terms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(terms[i].name);
	free(terms);
}
