/*
 * A catalog product's state as SQL, from its own columns only, so that an index can hold it (products_by_state,
 * migration 15, built from this macro) and queries filter a million products by it along that index. `t` is
 * the table prefix ("" or "p."). The index serves only this exact expression: a change needs a new migration
 * that drops and recreates the index, or existing databases keep the old one (tests/unit/test_store.c checks
 * the plan).
 *
 *   retired  retired from the destination (retired_at set), until it is back in the feed
 *   missing  no longer in the feed (missing_since set), not retired yet
 *   in_sync  the destination last accepted exactly what the catalog holds (pushed_hash = hash)
 *   failed   not in sync, and the last push that tried it recorded an error for it (push_failed_run)
 *   new      never accepted by the destination (no pushed hash and no pushed values)
 *   changed  accepted before, changed since, not pushed yet
 */
#ifndef FEEDSYNC_CORE_PRODUCT_SQL_H
#define FEEDSYNC_CORE_PRODUCT_SQL_H

#define PRODUCT_STATE_SQL(t) PRODUCT_STATE_SQL_IN(t, "IS")
#define PRODUCT_STATE_SQL_PG(t) PRODUCT_STATE_SQL_IN(t, "IS NOT DISTINCT FROM")
/* The same in a dialect whose null-safe equality is `same`: SQLite's IS, PostgreSQL's IS NOT DISTINCT FROM. */
#define PRODUCT_STATE_SQL_IN(t, same) \
	"(CASE WHEN " t "retired_at IS NOT NULL THEN 'retired'" \
	" WHEN " t "missing_since IS NOT NULL THEN 'missing'" \
	" WHEN " t "pushed_hash " same " " t "hash THEN 'in_sync'" \
	" WHEN " t "push_failed_run IS NOT NULL THEN 'failed'" \
	" WHEN " t "pushed_hash IS NULL AND " t "pushed_data IS NULL THEN 'new'" \
	" ELSE 'changed' END)"

/* products_by_state as migration 19 made it, and as the catalog builds it after a first import (core/state_index.h). */
#define PRODUCTS_BY_STATE_INDEX "products_by_state ON products(connection_id, " PRODUCT_STATE_SQL("") ", sku)"

/* The states in the order PRODUCT_STATE_SQL tests them; NULL ends the list. */
#define PRODUCT_STATE_NAMES "retired", "missing", "in_sync", "failed", "new", "changed"
/* The same states as an SQL list, for a condition that names every one (tests/unit/test_store.c compares). */
#define PRODUCT_STATE_LIST "('retired', 'missing', 'in_sync', 'failed', 'new', 'changed')"

/*
 * The id of the shop connection `conn` (a parameter) pushes to, found as its document names it; NULL for a
 * file export, catalog only, or a shop since removed. Not correlated with the products: computed once.
 */
#define PRODUCT_DEST_ID_IN(conn, names_dest) \
	"(SELECT dn.id FROM connections c JOIN destinations dn ON c.dest_type = 'woocommerce'" \
	" AND " names_dest " WHERE c.id = " conn ")"

/*
 * Whether destination `d` is the one connection document `doc` names (by id or by name), in each dialect:
 * PostgreSQL reads JSON with #>>, as text.
 */
#define DOC_NAMES_DEST(d, doc) \
	"(" d ".id = json_extract(" doc ", '$.destination.id')" \
	" OR " d ".name = json_extract(" doc ", '$.destination.name'))"
#define DOC_NAMES_DEST_PG(d, doc) \
	"(" d ".id::text = (" doc "::json #>> '{destination,id}')" \
	" OR " d ".name = (" doc "::json #>> '{destination,name}'))"

/* The columns read_product_row reads (products p), for `conn`'s products. PostgreSQL has no rowid: the
 * console's paging (store_views.c) needs it, `feedsync products` does not. */
#define PRODUCT_COLUMNS(conn) \
	PRODUCT_COLUMNS_IN(conn, PRODUCT_STATE_SQL("p."), DOC_NAMES_DEST("dn", "c.document"), "p.rowid")
#define PRODUCT_COLUMNS_PG(conn) \
	PRODUCT_COLUMNS_IN(conn, PRODUCT_STATE_SQL_PG("p."), DOC_NAMES_DEST_PG("dn", "c.document"), "0")
#define PRODUCT_COLUMNS_IN(conn, state, names_dest, rowid) \
	"p.sku, p.name, p.price, p.quantity, " state "," \
	" (SELECT rp.remote_id FROM remote_products rp WHERE rp.destination_id = " \
	PRODUCT_DEST_ID_IN(conn, names_dest) " AND rp.sku = p.sku), p.push_failed_run," \
	" (SELECT e.message FROM run_errors e WHERE e.sku = p.sku AND e.run_id = p.push_failed_run" \
	" ORDER BY e.id DESC LIMIT 1), " rowid ", p.parent_sku"
#define PRODUCT_NCOLUMNS 10

#include "core/sqldb.h"

struct product_row;
/* Reads the PRODUCT_COLUMNS starting at column `first`. */
void read_product_row(struct sqldb_stmt *st, int first, struct product_row *r);

#endif
