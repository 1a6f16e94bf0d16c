#include "core/db.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/state_index.h"
#include "core/util.h"
#include "db_dialect.h"
#include "product_sql.h"

/*
 * Migrations are append-only: a released database has run every step up to its PRAGMA user_version,
 * so a change to the schema is a new entry, never an edit of an old one.
 */
static const char *const MIGRATIONS[] = {
	/* 1: the data model of DESIGN.md section 3 */
	"CREATE TABLE destinations ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  base_url TEXT,"
	"  credentials BLOB,"
	"  options TEXT NOT NULL DEFAULT '{}',"
	"  health_checked_at INTEGER, health_ok INTEGER, health_message TEXT,"
	"  circuit_state TEXT NOT NULL DEFAULT 'closed', circuit_reopen_at INTEGER,"
	"  consecutive_failures INTEGER NOT NULL DEFAULT 0,"
	"  learned_batch_size INTEGER,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE TABLE connections ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  source_type TEXT NOT NULL,"
	"  source_url TEXT NOT NULL,"
	"  schedule TEXT NOT NULL DEFAULT 'manual',"
	"  dest_type TEXT,"
	"  document TEXT NOT NULL,"
	"  destination_id INTEGER REFERENCES destinations(id) ON DELETE SET NULL,"
	"  next_due_at INTEGER,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE TABLE sync_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,"
	"  trigger TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('queued','running','completed',"
	"    'completed_with_errors','failed','cancelled')),"
	"  phase TEXT,"
	"  rows_read INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
	"  push_queued INTEGER NOT NULL DEFAULT 0, push_processed INTEGER NOT NULL DEFAULT 0,"
	"  push_failed INTEGER NOT NULL DEFAULT 0,"
	"  bytes_total INTEGER NOT NULL DEFAULT 0, bytes_done INTEGER NOT NULL DEFAULT 0,"
	"  errors_total INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, heartbeat_at INTEGER,"
	"  worker_id TEXT,"
	"  cancel_requested INTEGER NOT NULL DEFAULT 0,"
	"  attempt INTEGER NOT NULL DEFAULT 1,"
	"  retry_of INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,"
	"  plan_only INTEGER NOT NULL DEFAULT 0,"
	"  summary TEXT);"
	/* One active run per connection is a database rule, whichever process asks. */
	"CREATE UNIQUE INDEX sync_runs_one_active ON sync_runs(connection_id)"
	"  WHERE status IN ('queued','running');"
	"CREATE INDEX sync_runs_by_status ON sync_runs(status, id);"
	"CREATE INDEX sync_runs_by_connection ON sync_runs(connection_id, id);"
	"CREATE TABLE run_errors ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL, phase TEXT, line INTEGER, sku TEXT, column_name TEXT,"
	"  code TEXT NOT NULL, message TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX run_errors_by_run ON run_errors(run_id, id);"
	"CREATE TABLE run_events ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);"
	"CREATE INDEX run_events_by_run ON run_events(run_id, id);"
	/*
	 * A rowid table with the (connection, sku) key as its index: rows of a few hundred bytes kept in key
	 * order (WITHOUT ROWID) made random-SKU inserts rewrite a page and a half each, and every scan read
	 * the whole catalog; SQLite advises rowid tables for rows over 1/20 of a page.
	 */
	"CREATE TABLE products ("
	"  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,"
	"  sku TEXT NOT NULL,"
	"  name TEXT, price TEXT, quantity INTEGER,"
	"  data TEXT NOT NULL,"
	"  hash INTEGER NOT NULL,"
	"  pushed_hash INTEGER,"
	"  line INTEGER,"
	"  first_seen_run INTEGER, first_seen_at INTEGER,"
	"  changed_run INTEGER, changed_at INTEGER,"
	"  missing_since INTEGER, missing_runs INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (connection_id, sku));"
	"CREATE INDEX products_missing ON products(connection_id) WHERE missing_since IS NOT NULL;"
	"CREATE TABLE remote_products ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  sku TEXT NOT NULL,"
	"  remote_id INTEGER, parent_id INTEGER, pushed_hash INTEGER, seen_at INTEGER,"
	"  PRIMARY KEY (destination_id, sku)) WITHOUT ROWID;"
	"CREATE TABLE workers ("
	"  id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, threads INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL);",
	/* 2: how a destination authenticates, whether it checks TLS, where its credentials come from */
	"ALTER TABLE destinations ADD COLUMN auth TEXT NOT NULL DEFAULT 'auto';"
	"ALTER TABLE destinations ADD COLUMN verify_tls INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE destinations ADD COLUMN key_env TEXT;"
	"ALTER TABLE destinations ADD COLUMN secret_env TEXT;"
	"ALTER TABLE destinations ADD COLUMN credentials_hint TEXT;",
	/* 3: the console sorts runs by start time; without an index that is a full scan of every run */
	"CREATE INDEX sync_runs_by_started ON sync_runs(started_at);",
	/* 4: the console sorts runs by any column and finds them by trigger and phase; each order is an index
	 * walk that stops after one screen, not a sort of every run (store_views.c) */
	"CREATE INDEX sync_runs_by_trigger ON sync_runs(trigger);"
	"CREATE INDEX sync_runs_by_phase ON sync_runs(phase);"
	"CREATE INDEX sync_runs_by_rows ON sync_runs(rows_read);"
	"CREATE INDEX sync_runs_by_failed ON sync_runs(failed);"
	"CREATE INDEX sync_runs_by_pushed ON sync_runs(push_processed);"
	"CREATE INDEX sync_runs_by_duration ON sync_runs(coalesce(finished_at, heartbeat_at) - started_at);",
	/*
	 * 5: plans (run --plan) and the retirement of products gone from the feed. A product keeps what its
	 * destination last accepted (pushed_data), for a plan's old -> new; retired_action without retired_at
	 * marks a retired product back in the feed, restored by its next push. A plan is applied at most once:
	 * a database rule, like one active run per connection.
	 */
	"ALTER TABLE products ADD COLUMN pushed_data TEXT;"
	"ALTER TABLE products ADD COLUMN retired_at INTEGER;"
	"ALTER TABLE products ADD COLUMN retired_action TEXT;"
	"CREATE INDEX products_retired ON products(connection_id) WHERE retired_action IS NOT NULL;"
	"ALTER TABLE sync_runs ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sync_runs ADD COLUMN retire_failed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sync_runs ADD COLUMN plan_run INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL;"
	"CREATE UNIQUE INDEX sync_runs_one_apply ON sync_runs(plan_run) WHERE plan_run IS NOT NULL;"
	"CREATE TABLE plans ("
	"  run_id INTEGER PRIMARY KEY REFERENCES sync_runs(id) ON DELETE CASCADE,"
	"  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  destination TEXT,"
	"  stamp TEXT NOT NULL);"
	"CREATE TABLE plan_items ("
	"  plan_run INTEGER NOT NULL REFERENCES plans(run_id) ON DELETE CASCADE,"
	"  sku TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('create','update','retire')),"
	"  name TEXT, hash INTEGER,"
	"  action TEXT, missing_since INTEGER, missing_runs INTEGER,"
	"  PRIMARY KEY (plan_run, sku)) WITHOUT ROWID;"
	"CREATE INDEX plan_items_by_kind ON plan_items(plan_run, kind, sku);"
	"CREATE TABLE plan_changes ("
	"  plan_run INTEGER NOT NULL, sku TEXT NOT NULL, field TEXT NOT NULL,"
	"  old_value TEXT, new_value TEXT, old_known INTEGER NOT NULL,"
	"  PRIMARY KEY (plan_run, sku, field),"
	"  FOREIGN KEY (plan_run, sku) REFERENCES plan_items(plan_run, sku) ON DELETE CASCADE) WITHOUT ROWID;",
	/*
	 * 6: each connection keeps its latest run's id, status, start and failed rows, kept by triggers, so that
	 * the console sorts and filters connections by them along an index instead of looking up the latest
	 * run of every connection for each keystroke.
	 */
	"ALTER TABLE connections ADD COLUMN last_run_id INTEGER;"
	"ALTER TABLE connections ADD COLUMN last_status TEXT;"
	"ALTER TABLE connections ADD COLUMN last_started_at INTEGER;"
	"ALTER TABLE connections ADD COLUMN last_failed INTEGER;"
	"UPDATE connections SET (last_run_id, last_status, last_started_at, last_failed) ="
	"  (SELECT id, status, started_at, failed FROM sync_runs WHERE connection_id = connections.id"
	"   ORDER BY id DESC LIMIT 1);"
	"CREATE TRIGGER sync_runs_latest_insert AFTER INSERT ON sync_runs BEGIN"
	"  UPDATE connections SET last_run_id = NEW.id, last_status = NEW.status, last_started_at = NEW.started_at,"
	"    last_failed = NEW.failed WHERE id = NEW.connection_id;"
	"END;"
	"CREATE TRIGGER sync_runs_latest_update AFTER UPDATE OF status, started_at, failed ON sync_runs BEGIN"
	"  UPDATE connections SET last_status = NEW.status, last_started_at = NEW.started_at,"
	"    last_failed = NEW.failed WHERE id = NEW.connection_id AND last_run_id = NEW.id;"
	"END;"
	"CREATE TRIGGER sync_runs_latest_delete AFTER DELETE ON sync_runs BEGIN"
	"  UPDATE connections SET (last_run_id, last_status, last_started_at, last_failed) ="
	"    (SELECT id, status, started_at, failed FROM sync_runs WHERE connection_id = OLD.connection_id"
	"     ORDER BY id DESC LIMIT 1)"
	"  WHERE id = OLD.connection_id AND last_run_id = OLD.id;"
	"END;"
	"CREATE INDEX connections_by_last_status ON connections(last_status);"
	"CREATE INDEX connections_by_last_started ON connections(last_started_at);"
	"CREATE INDEX connections_by_last_failed ON connections(last_failed);",
	/*
	 * 7: SKUs in create requests that may still be executing in a shop. A row is written before the request
	 * goes out and removed once its answer is recorded; one left behind (a killed worker, a request that timed
	 * out while the shop went on) keeps every run from creating that SKU until `until_ms`, after which the SKU
	 * is looked up (and any duplicate repaired) before anything else is done with it.
	 */
	"CREATE TABLE push_fences ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  sku_key TEXT NOT NULL, sku TEXT NOT NULL, run_id INTEGER NOT NULL, until_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (destination_id, sku_key, run_id)) WITHOUT ROWID;",
	/*
	 * 8: a shop's product categories and tags as it last listed them (or answered their creation), so that a
	 * push turns category paths and tag names into ids without reading them all again on every run.
	 */
	"CREATE TABLE shop_terms ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  taxonomy TEXT NOT NULL, term_id INTEGER NOT NULL, parent_id INTEGER NOT NULL, name TEXT NOT NULL,"
	"  PRIMARY KEY (destination_id, taxonomy, term_id)) WITHOUT ROWID;",
	/*
	 * 9: a destination's own CA certificates, and its latest outage (first and last failure, what the last
	 * one was), so that every console can say since when a circuit is open and why.
	 */
	"ALTER TABLE destinations ADD COLUMN ca_file TEXT;"
	"ALTER TABLE destinations ADD COLUMN circuit_since INTEGER;"
	"ALTER TABLE destinations ADD COLUMN circuit_last_at INTEGER;"
	"ALTER TABLE destinations ADD COLUMN circuit_last TEXT;",
	/*
	 * 10: each product's state and history (`feedsync products`, the Products screen). pushed_run is the run
	 * whose push the destination last accepted, push_failed_run the run whose push of it last failed (set
	 * by the trigger as the error is stored, in the run's own transaction; cleared by the next accepted
	 * push). The indexes find the failed products among a million (the primary key serves SKU order), and
	 * a product's errors across runs, by walking an index for one screen. No index holds every product's
	 * state: one made a full import 40% slower (the bench's full import, 300 000 rows).
	 */
	"ALTER TABLE products ADD COLUMN pushed_run INTEGER;"
	"ALTER TABLE products ADD COLUMN push_failed_run INTEGER;"
	"CREATE INDEX run_errors_by_sku ON run_errors(sku, run_id) WHERE sku IS NOT NULL;"
	"CREATE TRIGGER run_errors_push_failed AFTER INSERT ON run_errors"
	"  WHEN NEW.sku IS NOT NULL AND NEW.phase IN ('pushing', 'reconcile') BEGIN"
	"  UPDATE products SET push_failed_run = NEW.run_id"
	"    WHERE connection_id = (SELECT connection_id FROM sync_runs WHERE id = NEW.run_id) AND sku = NEW.sku;"
	"END;"
	"CREATE INDEX products_push_failed ON products(connection_id, sku) WHERE push_failed_run IS NOT NULL;",
	/*
	 * 11: plan review. An item the reviewer excluded is left out when the plan is applied (and stays pending
	 * for the next plan); a plan keeps who applied it (user@host) and when.
	 */
	"ALTER TABLE plan_items ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE plans ADD COLUMN applied_by TEXT;"
	"ALTER TABLE plans ADD COLUMN applied_at INTEGER;",
	/*
	 * 12: `feedsync stats` and the stats screen read a month of runs: their counts from one index alone, by
	 * connection, and their durations in rank order per connection, so that neither reads nor sorts the
	 * table (100 000 runs in tens of milliseconds).
	 */
	"CREATE INDEX sync_runs_stats ON sync_runs(connection_id, started_at, status, created, updated, retired,"
	"  finished_at);"
	"CREATE INDEX sync_runs_by_conn_duration ON sync_runs(connection_id, finished_at - started_at, started_at)"
	"  WHERE finished_at IS NOT NULL;",
	/*
	 * 13: pictures of a run and a shop. run_samples holds a run's counters over time (t = ms since the run
	 * started), written with the counter flushes at most once a second and thinned to stay under a cap, so
	 * the run detail can draw its throughput, batch size and circuit. recent_outcomes is a destination's
	 * last requests, oldest first, one character each ('+' success, '-' transient failure).
	 */
	"CREATE TABLE run_samples ("
	"  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,"
	"  t INTEGER NOT NULL, phase TEXT,"
	"  rows_read INTEGER NOT NULL, push_processed INTEGER NOT NULL,"
	"  batch_size INTEGER, circuit TEXT,"
	"  PRIMARY KEY (run_id, t)) WITHOUT ROWID;"
	"ALTER TABLE destinations ADD COLUMN recent_outcomes TEXT NOT NULL DEFAULT '';",
	/*
	 * 14: each connection's product count, added to as the catalog's inserts commit (one write a batch), so
	 * that the console's "N of M" over a million products is one row read, not a million index entries.
	 * Products go only with their connection (ON DELETE CASCADE), which takes its count along.
	 */
	"ALTER TABLE connections ADD COLUMN product_count INTEGER NOT NULL DEFAULT 0;"
	"UPDATE connections SET product_count = (SELECT count(*) FROM products WHERE connection_id = connections.id);",
	/*
	 * 15: grouped rows (issue 13, core/store_groups.h). A variant names its group in its mapped field
	 * parent_sku; the column is generated from the stored fields so the catalog's writes stay as they are, and
	 * the partial index holds only variants, so a feed without groups pays for none.
	 */
	"ALTER TABLE products ADD COLUMN parent_sku TEXT"
	"  GENERATED ALWAYS AS (json_extract(data, '$.parent_sku')) VIRTUAL;"
	"CREATE INDEX products_by_parent ON products(connection_id, parent_sku, sku) WHERE parent_sku IS NOT NULL;",
	/*
	 * 16: a destination's limits shared by every process on the database (core/store_limits.h): its token
	 * bucket, and one lease per process on its concurrency slots, which expires when the process dies.
	 */
	"CREATE TABLE dest_buckets ("
	"  destination_id INTEGER PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,"
	"  tokens REAL NOT NULL, refilled_at INTEGER NOT NULL, rate REAL NOT NULL, size REAL NOT NULL,"
	"  concurrency INTEGER NOT NULL);"
	"CREATE TABLE dest_leases ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  holder TEXT NOT NULL, slots INTEGER NOT NULL, wanted INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (destination_id, holder)) WITHOUT ROWID;",
	/*
	 * 17: products by state within a connection, ties in rowid order, so that the state filter and an order
	 * by state walk an index instead of evaluating the state of every product. The key is
	 * PRODUCT_STATE_SQL itself (SQLite serves only the same expression); no third key: adding the SKU cost
	 * 55% on insert.
	 */
	"CREATE INDEX products_by_state ON products(connection_id, " PRODUCT_STATE_SQL("") ");",
	/*
	 * 18: images uploaded to a WordPress site's media library (core/store_media.h), once per distinct URL: the
	 * attachment id by the URL's hash, the URL kept to tell two URLs of one hash apart.
	 */
	"CREATE TABLE media_uploads ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  url_hash INTEGER NOT NULL, url TEXT NOT NULL, media_id INTEGER NOT NULL, uploaded_at INTEGER NOT NULL,"
	"  PRIMARY KEY (destination_id, url_hash)) WITHOUT ROWID;",
	/*
	 * 19: products_by_state with the SKU as its third key, ties in SKU order: a SKU prefix sorted by state
	 * seeks its range under each state, reading index entries only, instead of the table row of every
	 * match to learn its state (100 000 matches at 1M: 136-270 ms a keystroke, now under 1 ms). The wider
	 * key costs the full import of 300 000 new products 12-20% (2.7-3.0 s -> 3.2-3.5 s, in SKU order or
	 * shuffled), not the 55% migration 17 feared; re-imports that change nothing write no index entry.
	 */
	"DROP INDEX products_by_state;"
	"CREATE INDEX " PRODUCTS_BY_STATE_INDEX ";",
	/* 20: a Shopify SKU's variant and inventory item beside its product (remote_id), so that a price or a stock
	 * update needs no lookup (issue 13). */
	"ALTER TABLE remote_products ADD COLUMN variant_id INTEGER;"
	"ALTER TABLE remote_products ADD COLUMN inventory_id INTEGER;",
	/*
	 * 21: a Shopify shop's cost bucket as its last answer reported it (extensions.cost.throttleStatus, issue
	 * 13), so that `dest show` and every console read it while a worker in another process pushes.
	 */
	"CREATE TABLE dest_cost_buckets ("
	"  destination_id INTEGER PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,"
	"  maximum REAL NOT NULL, available REAL NOT NULL, restore_rate REAL NOT NULL, seen_at INTEGER NOT NULL);",
	/*
	 * 22: notifications (issue 16, core/store_notify.h). A channel is where messages go (a webhook, a command,
	 * a mailbox) and the rules that send them, for one connection or every one (connection_id NULL); its
	 * signing key or SMTP password sealed as a shop's credentials are. The outbox holds every message once
	 * per (channel, event key), which is what keeps several workers from sending an event twice; a message
	 * is due again at next_attempt_at, which its deliverer also pushes ahead as a lease while it sends.
	 */
	"CREATE TABLE notify_channels ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  connection_id INTEGER REFERENCES connections(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL, target TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}',"
	"  secret BLOB, enabled INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE TABLE notify_outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  channel_id INTEGER NOT NULL REFERENCES notify_channels(id) ON DELETE CASCADE,"
	"  event_key TEXT NOT NULL, event TEXT NOT NULL,"
	"  run_id INTEGER, connection_id INTEGER,"
	"  payload TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT,"
	"  created_at INTEGER NOT NULL, sent_at INTEGER,"
	"  UNIQUE (channel_id, event_key));"
	"CREATE INDEX notify_outbox_due ON notify_outbox(status, next_attempt_at);"
	"CREATE INDEX notify_outbox_by_conn ON notify_outbox(channel_id, connection_id, id);",
	/*
	 * 23: a Shopify shop's bulk push (core/store_bulk.h, issue 13): the operation, recorded before it is asked
	 * for (operation_id NULL until the shop names it), so that a run after a crash polls it instead of starting
	 * a second; and what each line of its JSONL is, so that its results are recorded by whichever run reads them.
	 */
	"CREATE TABLE shopify_bulk_ops ("
	"  destination_id INTEGER PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,"
	"  connection_id INTEGER NOT NULL, run_id INTEGER NOT NULL, operation_id TEXT, started_at INTEGER NOT NULL);"
	"CREATE TABLE shopify_bulk_lines ("
	"  destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,"
	"  line INTEGER NOT NULL, sku TEXT NOT NULL, hash INTEGER NOT NULL, creating INTEGER NOT NULL,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (destination_id, line)) WITHOUT ROWID;",
};

int db_schema_version(void)
{
	return (int)ARRAY_LEN(MIGRATIONS);
}

static int exec_simple(struct sqldb *db, const char *sql, char *err, size_t errsize)
{
	if (sqldb_exec(db, sql) != SQLDB_OK) {
		snprintf(err, errsize, "%s", sqldb_errmsg(db));
		return -1;
	}
	return 0;
}

static int sqlite_version(struct sqldb *db)
{
	struct sqldb_stmt *st;
	int v = -1;
	if (sqldb_prepare(db, "PRAGMA user_version", &st) == SQLDB_OK) {
		if (sqldb_step(st) == SQLDB_ROW)
			v = sqldb_column_int(st, 0);
		sqldb_finalize(st);
	}
	return v;
}

static char *sqlite_step(int version, const char *sqlite_sql)
{
	(void)version;
	return xstrdup(sqlite_sql);
}

/* BEGIN IMMEDIATE takes the write lock before the version is read: two processes never run the same step. */
static const struct db_dialect SQLITE_SCHEMA_DIALECT = {
	.begin = "BEGIN IMMEDIATE",
	.version = sqlite_version,
	.set_version = "PRAGMA user_version = %d",
	.step = sqlite_step,
};

static const struct db_dialect *dialect_of(struct sqldb *db)
{
	return str_eq(sqldb_backend(db), "postgresql") ? &PG_SCHEMA_DIALECT : &SQLITE_SCHEMA_DIALECT;
}

int db_version(struct sqldb *db)
{
	return dialect_of(db)->version(db);
}

/* Applies the step that brings the schema from `version` to the next, with its version bump, in one commit. */
static int migrate_step(struct sqldb *db, const struct db_dialect *d, int version, char *err, size_t errsize)
{
	char *sql = d->step(version + 1, MIGRATIONS[version]);
	char bump[64], inner[512];
	if (!sql) {
		exec_simple(db, "ROLLBACK", inner, sizeof(inner));
		snprintf(err, errsize, "PostgreSQL support is incomplete: schema step %d has no PostgreSQL form yet"
		         " (src/core/db_schema_pg.c)", version + 1);
		return -1;
	}
	snprintf(bump, sizeof(bump), d->set_version, version + 1);
	int rc = exec_simple(db, sql, inner, sizeof(inner)) < 0 || exec_simple(db, bump, inner, sizeof(inner)) < 0 ||
	         exec_simple(db, "COMMIT", inner, sizeof(inner)) < 0 ? -1 : 0;
	free(sql);
	if (rc < 0) {
		char ignored[64];
		exec_simple(db, "ROLLBACK", ignored, sizeof(ignored));
		snprintf(err, errsize, "migration to schema version %d failed: %s", version + 1, inner);
	}
	return rc;
}

/* Each step and its version bump commit together, so a crash leaves the schema at a known version. */
static int migrate_steps(struct sqldb *db, const struct db_dialect *d, int *found, char *err, size_t errsize)
{
	char inner[512];
	for (bool first = true;; first = false) {
		if (exec_simple(db, d->begin, inner, sizeof(inner)) < 0) {
			snprintf(err, errsize, "cannot start migration: %s", inner);
			return -1;
		}
		int version = d->version(db);
		if (first && found)
			*found = version;
		if (version < 0 || version > db_schema_version()) {
			exec_simple(db, "ROLLBACK", inner, sizeof(inner));
			snprintf(err, errsize,
			         "database schema version %d is newer than this feedsync (%d): upgrade feedsync",
			         version, db_schema_version());
			return -1;
		}
		if (version == db_schema_version()) {
			exec_simple(db, "COMMIT", inner, sizeof(inner));
			return 0;
		}
		if (migrate_step(db, d, version, err, errsize) < 0)
			return -1;
	}
}

static int migrate(struct sqldb *db, int *found, char *err, size_t errsize)
{
	const struct db_dialect *d = dialect_of(db);
	char inner[512];
	if (d->lock && exec_simple(db, d->lock, inner, sizeof(inner)) < 0) {
		snprintf(err, errsize, "cannot take the migration lock: %s", inner);
		return -1;
	}
	int rc = migrate_steps(db, d, found, err, errsize);
	if (d->unlock)
		exec_simple(db, d->unlock, inner, sizeof(inner));
	return rc;
}

/* Opens and migrates. */
static struct sqldb *open_migrated(const char *path, int busy_timeout_ms, int *found, char *err, size_t errsize)
{
	struct sqldb *db = sqldb_open(path, SQLDB_READ_WRITE, busy_timeout_ms, err, errsize);
	if (!db)
		return NULL;
	char inner[512];
	if (migrate(db, found, inner, sizeof(inner)) < 0) {
		/* A URL may carry a password: the database is named only by a path. */
		if (str_eq(sqldb_backend(db), "postgresql"))
			snprintf(err, errsize, "PostgreSQL database: %s", inner);
		else
			snprintf(err, errsize, "database %s: %s", path, inner);
		sqldb_close(db);
		return NULL;
	}
	/* Not fatal: readers do without the index, and the next open tries again. */
	state_index_ensure(db);
	return db;
}

struct sqldb *db_open(const char *path, int busy_timeout_ms, char *err, size_t errsize)
{
	return open_migrated(path, busy_timeout_ms, NULL, err, errsize);
}

struct sqldb *db_open_schema(const char *path, int busy_timeout_ms, int *found, char *err, size_t errsize)
{
	return open_migrated(path, busy_timeout_ms, found, err, errsize);
}

void db_close(struct sqldb *db)
{
	sqldb_close(db);
}
