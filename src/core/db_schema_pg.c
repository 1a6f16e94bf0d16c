/*
 * The schema in PostgreSQL's dialect, step for step beside SQLite's MIGRATIONS in db.c. Most steps differ
 * only in type names, which translate mechanically (SQLite's INTEGER is 64 bits: BIGINT; BLOB: BYTEA; REAL:
 * DOUBLE PRECISION; a table's own INTEGER PRIMARY KEY id: an identity column; WITHOUT ROWID has no meaning).
 * The steps that differ in more are written out below, each saying what differs. A step SQLite has and this
 * file does not is refused by name, so a new migration never half-applies on PostgreSQL.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "db_dialect.h"
#include "product_sql.h"

/* 'feedsync' in ASCII: the advisory lock that keeps two hosts from migrating at once. */
#define MIGRATION_LOCK "7378697629483820643"

/* The SQLite steps this dialect was checked against; a later one is refused until it is added here. */
#define PG_STEPS_COVERED 23

/*
 * The steps written out for PostgreSQL, by the version they bring the schema to. Every other step up to
 * PG_STEPS_COVERED is SQLite's text with its types translated.
 */
static const char *const PG_STEPS[PG_STEPS_COVERED + 1] = {
	/* An index on an expression takes it in parentheses. */
	[4] = "CREATE INDEX sync_runs_by_trigger ON sync_runs(trigger);"
	      "CREATE INDEX sync_runs_by_phase ON sync_runs(phase);"
	      "CREATE INDEX sync_runs_by_rows ON sync_runs(rows_read);"
	      "CREATE INDEX sync_runs_by_failed ON sync_runs(failed);"
	      "CREATE INDEX sync_runs_by_pushed ON sync_runs(push_processed);"
	      "CREATE INDEX sync_runs_by_duration ON sync_runs((coalesce(finished_at, heartbeat_at) - started_at));",
	/* A trigger runs a function, once per row. */
	[6] = "ALTER TABLE connections ADD COLUMN last_run_id BIGINT;"
	      "ALTER TABLE connections ADD COLUMN last_status TEXT;"
	      "ALTER TABLE connections ADD COLUMN last_started_at BIGINT;"
	      "ALTER TABLE connections ADD COLUMN last_failed BIGINT;"
	      "UPDATE connections SET (last_run_id, last_status, last_started_at, last_failed) ="
	      "  (SELECT id, status, started_at, failed FROM sync_runs WHERE connection_id = connections.id"
	      "   ORDER BY id DESC LIMIT 1);"
	      "CREATE FUNCTION sync_runs_latest_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	      "  UPDATE connections SET last_run_id = NEW.id, last_status = NEW.status,"
	      "    last_started_at = NEW.started_at, last_failed = NEW.failed WHERE id = NEW.connection_id;"
	      "  RETURN NULL;"
	      "END $$;"
	      "CREATE TRIGGER sync_runs_latest_insert AFTER INSERT ON sync_runs"
	      "  FOR EACH ROW EXECUTE FUNCTION sync_runs_latest_insert();"
	      "CREATE FUNCTION sync_runs_latest_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	      "  UPDATE connections SET last_status = NEW.status, last_started_at = NEW.started_at,"
	      "    last_failed = NEW.failed WHERE id = NEW.connection_id AND last_run_id = NEW.id;"
	      "  RETURN NULL;"
	      "END $$;"
	      "CREATE TRIGGER sync_runs_latest_update AFTER UPDATE OF status, started_at, failed ON sync_runs"
	      "  FOR EACH ROW EXECUTE FUNCTION sync_runs_latest_update();"
	      "CREATE FUNCTION sync_runs_latest_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	      "  UPDATE connections SET (last_run_id, last_status, last_started_at, last_failed) ="
	      "    (SELECT id, status, started_at, failed FROM sync_runs WHERE connection_id = OLD.connection_id"
	      "     ORDER BY id DESC LIMIT 1)"
	      "  WHERE id = OLD.connection_id AND last_run_id = OLD.id;"
	      "  RETURN NULL;"
	      "END $$;"
	      "CREATE TRIGGER sync_runs_latest_delete AFTER DELETE ON sync_runs"
	      "  FOR EACH ROW EXECUTE FUNCTION sync_runs_latest_delete();"
	      "CREATE INDEX connections_by_last_status ON connections(last_status);"
	      "CREATE INDEX connections_by_last_started ON connections(last_started_at);"
	      "CREATE INDEX connections_by_last_failed ON connections(last_failed);",
	/* A trigger runs a function; its condition is in parentheses. */
	[10] = "ALTER TABLE products ADD COLUMN pushed_run BIGINT;"
	       "ALTER TABLE products ADD COLUMN push_failed_run BIGINT;"
	       "CREATE INDEX run_errors_by_sku ON run_errors(sku, run_id) WHERE sku IS NOT NULL;"
	       "CREATE FUNCTION run_errors_push_failed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	       "  UPDATE products SET push_failed_run = NEW.run_id"
	       "    WHERE connection_id = (SELECT connection_id FROM sync_runs WHERE id = NEW.run_id)"
	       "    AND sku = NEW.sku;"
	       "  RETURN NULL;"
	       "END $$;"
	       "CREATE TRIGGER run_errors_push_failed AFTER INSERT ON run_errors"
	       "  FOR EACH ROW WHEN (NEW.sku IS NOT NULL AND NEW.phase IN ('pushing', 'reconcile'))"
	       "  EXECUTE FUNCTION run_errors_push_failed();"
	       "CREATE INDEX products_push_failed ON products(connection_id, sku) WHERE push_failed_run IS NOT NULL;",
	/* An index on an expression takes it in parentheses. */
	[12] = "CREATE INDEX sync_runs_stats ON sync_runs(connection_id, started_at, status, created, updated, retired,"
	       "  finished_at);"
	       "CREATE INDEX sync_runs_by_conn_duration ON sync_runs(connection_id, (finished_at - started_at), started_at)"
	       "  WHERE finished_at IS NOT NULL;",
	/* Generated columns are stored (PostgreSQL before 18 has no virtual ones); JSON is read with ->>. */
	[15] = "ALTER TABLE products ADD COLUMN parent_sku TEXT"
	       "  GENERATED ALWAYS AS (data::json ->> 'parent_sku') STORED;"
	       "CREATE INDEX products_by_parent ON products(connection_id, parent_sku, sku)"
	       "  WHERE parent_sku IS NOT NULL;",
	/* Null-safe equality is IS NOT DISTINCT FROM. */
	[17] = "CREATE INDEX products_by_state ON products(connection_id, "
	       PRODUCT_STATE_SQL_IN("", "IS NOT DISTINCT FROM") ");",
	[19] = "DROP INDEX products_by_state;"
	       "CREATE INDEX products_by_state ON products(connection_id, "
	       PRODUCT_STATE_SQL_IN("", "IS NOT DISTINCT FROM") ", sku);",
};

static bool is_word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether `word` starts at p as a whole word. */
static bool word_at(const char *start, const char *p, const char *word)
{
	size_t n = strlen(word);
	return strncmp(p, word, n) == 0 && (p == start || !is_word_char(p[-1])) && !is_word_char(p[n]);
}

/* An id that INTEGER PRIMARY KEY makes SQLite assign: the key that references nothing (ends its column). */
static bool assigned_key(const char *after)
{
	while (*after == ' ')
		after++;
	return *after == ',' || *after == ')';
}

/* SQLite's type names as PostgreSQL's, outside quotes; the SQL is otherwise copied as it is. */
static char *translate_types(const char *sql)
{
	static const struct { const char *sqlite, *pg; } TYPES[] = {
		{"INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY"},
		{"INTEGER", "BIGINT"},
		{"BLOB", "BYTEA"},
		{"REAL", "DOUBLE PRECISION"},
		{"WITHOUT ROWID", ""},
	};
	struct strbuf out = {0};
	for (const char *p = sql; *p;) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			end = end ? end + 1 : p + strlen(p);
			sb_add(&out, p, (size_t)(end - p));
			p = end;
			continue;
		}
		size_t i = 0;
		while (i < ARRAY_LEN(TYPES) && !word_at(sql, p, TYPES[i].sqlite))
			i++;
		if (i == ARRAY_LEN(TYPES)) {
			sb_addc(&out, *p++);
			continue;
		}
		p += strlen(TYPES[i].sqlite);
		if (i == 0 && assigned_key(p))
			sb_adds(&out, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
		else if (!*TYPES[i].pg && out.len && out.buf[out.len - 1] == ' ')
			out.buf[--out.len] = '\0';   /* a table option dropped with the space before it */
		else
			sb_adds(&out, TYPES[i].pg);
	}
	return sb_detach(&out);
}

static char *pg_step(int version, const char *sqlite_sql)
{
	if (version < 1 || version > PG_STEPS_COVERED)
		return NULL;
	return PG_STEPS[version] ? xstrdup(PG_STEPS[version]) : translate_types(sqlite_sql);
}

/* 0 while the version table does not exist yet: reading it then would abort the caller's transaction. */
static int pg_version(struct sqldb *db)
{
	struct sqldb_stmt *st;
	int v = -1;
	if (sqldb_prepare(db, "SELECT to_regclass('feedsync_schema') IS NULL", &st) != SQLDB_OK)
		return -1;
	bool absent = sqldb_step(st) == SQLDB_ROW && sqldb_column_int(st, 0);
	sqldb_finalize(st);
	if (absent)
		return 0;
	if (sqldb_prepare(db, "SELECT version FROM feedsync_schema", &st) != SQLDB_OK)
		return -1;
	v = sqldb_step(st) == SQLDB_ROW ? sqldb_column_int(st, 0) : 0;
	sqldb_finalize(st);
	return v;
}

/*
 * A session lock, held from before the version is first read until the last step committed: a second host
 * waits, then finds the schema current. The version table is made under it (one row, the version).
 */
const struct db_dialect PG_SCHEMA_DIALECT = {
	.lock = "SELECT pg_advisory_lock(" MIGRATION_LOCK ");"
	        "CREATE TABLE IF NOT EXISTS feedsync_schema (version INTEGER NOT NULL);"
	        "INSERT INTO feedsync_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM feedsync_schema)",
	.unlock = "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")",
	.begin = "BEGIN",
	.version = pg_version,
	.set_version = "UPDATE feedsync_schema SET version = %d",
	.step = pg_step,
};
