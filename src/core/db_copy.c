/*
 * include/core/db_copy.h. The tables and their columns are read from the source's own catalog, so that a new
 * migration's table is copied without a change here; the target, migrated by the same binary, has them all.
 * Generated columns are left to the target to compute. The target's triggers are off while rows arrive: they
 * keep derived columns (connections.last_*, products.push_failed_run) that the copied rows already hold, and
 * firing them would rewrite those with values the source no longer has.
 */
#include "core/db_copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db.h"
#include "core/sqldb.h"
#include "core/util.h"

#define MAX_COLUMNS 64

/* How a column's declared type lets its values travel (SQLite's affinity rules, as far as the schema uses them). */
enum kind { K_TEXT, K_INTEGER, K_REAL, K_BLOB };

struct table {
	char name[64];
	bool rowid;                  /* a rowid table: a bad value is named by its rowid, else by its position */
	int ncols;
	char cols[MAX_COLUMNS][64];
	enum kind kinds[MAX_COLUMNS];
	char deps[8][64];            /* the tables its foreign keys name (itself left out) */
	int ndeps;
};

static enum kind kind_of(const char *declared)
{
	if (strstr(declared, "INT"))
		return K_INTEGER;
	if (strstr(declared, "BLOB"))
		return K_BLOB;
	if (strstr(declared, "REAL") || strstr(declared, "FLOA") || strstr(declared, "DOUB"))
		return K_REAL;
	return K_TEXT;
}

static void add_ident(struct strbuf *sb, const char *name)
{
	sb_addc(sb, '"');
	for (const char *p = name; *p; p++)
		if (*p == '"')
			sb_adds(sb, "\"\"");
		else
			sb_addc(sb, *p);
	sb_addc(sb, '"');
}

static int fail_db(struct sqldb *db, const char *what, char *err, size_t errsize)
{
	snprintf(err, errsize, "%s: %s", what, sqldb_errmsg(db));
	return -1;
}

/* One column of text answers of `sql` bound to `arg`, each into out[i] (up to max); the count or -1. */
static int read_names(struct sqldb *db, const char *sql, const char *arg, char (*out)[64], int max, char *err,
                      size_t errsize)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(db, sql, &st) != SQLDB_OK)
		return fail_db(db, "cannot read the source's catalog", err, errsize);
	if (arg)
		sqldb_bind_text(st, 1, arg);
	int n = 0, rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW && n < max)
		str_copy(out[n++], (const char *)sqldb_column_text(st, 0), 64);
	sqldb_finalize(st);
	if (rc == SQLDB_ROW) {
		snprintf(err, errsize, "the source's table %s has more than %d %s", arg ? arg : "", max,
		         arg ? "columns or foreign keys" : "tables");
		return -1;
	}
	return rc == SQLDB_DONE ? n : fail_db(db, "cannot read the source's catalog", err, errsize);
}

static int load_table(struct sqldb *src, struct table *t, char *err, size_t errsize)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(src, "SELECT name, type FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid", &st) !=
	    SQLDB_OK)
		return fail_db(src, "cannot read the source's catalog", err, errsize);
	sqldb_bind_text(st, 1, t->name);
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW && t->ncols < MAX_COLUMNS) {
		str_copy(t->cols[t->ncols], (const char *)sqldb_column_text(st, 0), sizeof(t->cols[0]));
		const unsigned char *type = sqldb_column_text(st, 1);
		t->kinds[t->ncols++] = kind_of(type ? (const char *)type : "");
	}
	sqldb_finalize(st);
	if (rc != SQLDB_DONE) {
		snprintf(err, errsize, "cannot read the columns of the source's table %s (more than %d?)", t->name,
		         MAX_COLUMNS);
		return -1;
	}
	t->ndeps = read_names(src, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1) WHERE \"table\" <> ?1",
	                      t->name, t->deps, (int)ARRAY_LEN(t->deps), err, errsize);
	return t->ndeps < 0 ? -1 : 0;
}

/* Whether every table t depends on is among the first `placed` of order. */
static bool deps_placed(const struct table *t, const struct table *order, int placed)
{
	for (int d = 0; d < t->ndeps; d++) {
		int i = 0;
		while (i < placed && strcmp(order[i].name, t->deps[d]) != 0)
			i++;
		if (i == placed)
			return false;
	}
	return true;
}

/* The source's tables, each after those its foreign keys reference. The count, or -1. */
static int load_tables(struct sqldb *src, struct table *order, char *err, size_t errsize)
{
	char names[DB_COPY_MAX_TABLES][64];
	int n = read_names(src,
	                   "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                   NULL, names, DB_COPY_MAX_TABLES, err, errsize);
	if (n < 0)
		return -1;
	struct table *all = xcalloc((size_t)n + 1, sizeof(*all));
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		str_copy(all[i].name, names[i], sizeof(all[i].name));
		rc = load_table(src, &all[i], err, errsize);
	}
	struct sqldb_stmt *st;
	if (rc == 0 && sqldb_prepare(src, "SELECT sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?1",
	                             &st) == SQLDB_OK) {
		for (int i = 0; i < n; i++) {
			sqldb_bind_text(st, 1, all[i].name);
			all[i].rowid = sqldb_step(st) == SQLDB_ROW && sqldb_column_int(st, 0);
			sqldb_reset(st);
		}
		sqldb_finalize(st);
	}
	int placed = 0;
	for (bool progress = true; rc == 0 && placed < n && progress;) {
		progress = false;
		for (int i = 0; i < n; i++)
			if (all[i].name[0] && deps_placed(&all[i], order, placed)) {
				order[placed++] = all[i];
				all[i].name[0] = '\0';
				progress = true;
			}
	}
	free(all);
	if (rc == 0 && placed < n) {
		snprintf(err, errsize, "the source's foreign keys form a cycle between tables: cannot order the copy");
		return -1;
	}
	return rc < 0 ? -1 : n;
}

/* 1 with "THING (worker W)" in `what` when `sql` (?1: since) finds a row, 0 when none, -1 on failure. */
static int live_row(struct sqldb *src, const char *sql, int64_t since, char *what, size_t size)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(src, sql, &st) != SQLDB_OK)
		return -1;
	sqldb_bind_int64(st, 1, since);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		snprintf(what, size, "%s (worker %s)", (const char *)sqldb_column_text(st, 0),
		         (const char *)sqldb_column_text(st, 1));
	sqldb_finalize(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

/* The schema version this binary writes, and no worker at work on the source. */
static int check_source(struct sqldb *src, const char *from, const struct db_copy_options *opt, char *err,
                        size_t errsize)
{
	int version = db_version(src), latest = db_schema_version();
	if (version <= 0) {
		snprintf(err, errsize, "%s holds no feedsync schema: nothing to copy", from);
		return -1;
	}
	if (version > latest) {
		snprintf(err, errsize, "%s is at schema version %d, newer than this feedsync (%d): upgrade feedsync", from,
		         version, latest);
		return -1;
	}
	if (version < latest) {
		snprintf(err, errsize, "%s is at schema version %d of %d: run `feedsync db migrate --db %s` first", from,
		         version, latest, from);
		return -1;
	}
	if (opt->force)
		return 0;
	/* A worker beats while it lives (and removes its row when it stops), as its running runs do. */
	char what[256];
	int64_t since = now_ms() - opt->stale_after_ms;
	int found = live_row(src, "SELECT 'run ' || id, coalesce(worker_id, '?') FROM sync_runs"
	                          " WHERE status = 'running' AND heartbeat_at >= ?1 ORDER BY id LIMIT 1",
	                     since, what, sizeof(what));
	if (found == 0)
		found = live_row(src, "SELECT 'a worker', id FROM workers WHERE heartbeat_at >= ?1 ORDER BY id LIMIT 1",
		                 since, what, sizeof(what));
	if (found < 0)
		return fail_db(src, "cannot read the source's runs and workers", err, errsize);
	if (found > 0)
		snprintf(err, errsize, "%s is running in %s (heartbeat within %" PRId64 " s): stop every worker first"
		         " (or --force to copy it as it is)", what, from, opt->stale_after_ms / 1000);
	return found > 0 ? -1 : 0;
}

static int run_sql(struct sqldb *dst, const char *sql, char *err, size_t errsize)
{
	return sqldb_exec(dst, sql) == SQLDB_OK ? 0 : fail_db(dst, "PostgreSQL database", err, errsize);
}

/* The one integer `sql` answers; -1 on failure. */
static int64_t scalar(struct sqldb *db, const char *sql)
{
	struct sqldb_stmt *st;
	int64_t n = -1;
	if (sqldb_prepare(db, sql, &st) == SQLDB_OK) {
		if (sqldb_step(st) == SQLDB_ROW)
			n = sqldb_column_int64(st, 0);
		sqldb_finalize(st);
	}
	return n;
}

static int64_t count_rows(struct sqldb *db, const char *table)
{
	struct strbuf sql = {0};
	sb_adds(&sql, "SELECT count(*) FROM ");
	add_ident(&sql, table);
	int64_t n = scalar(db, sql.buf);
	sb_free(&sql);
	return n;
}

/*
 * A sum both engines compute alike over a table's copied columns: each column's count of values, plus the
 * characters of its text and its integers modulo a prime (small enough that a million rows cannot overflow).
 * A lost value, a cut text or a column shifted shows; floats and blobs add their count only, as their text
 * forms and SQLite's length() of them differ.
 */
static int64_t checksum(struct sqldb *db, const struct table *t)
{
	struct strbuf sql = {0};
	sb_adds(&sql, "SELECT count(*)");
	for (int c = 0; c < t->ncols; c++) {
		sb_adds(&sql, " + count(");
		add_ident(&sql, t->cols[c]);
		sb_adds(&sql, ")");
		if (t->kinds[c] == K_TEXT || t->kinds[c] == K_INTEGER) {
			sb_adds(&sql, t->kinds[c] == K_TEXT ? " + coalesce(sum(length(" : " + coalesce(sum((");
			add_ident(&sql, t->cols[c]);
			sb_adds(&sql, t->kinds[c] == K_TEXT ? ")), 0)" : ") % 1000003), 0)");
		}
	}
	sb_adds(&sql, " FROM ");
	add_ident(&sql, t->name);
	int64_t n = scalar(db, sql.buf);
	sb_free(&sql);
	return n;
}

/* Refuses (or with force empties, in the open transaction) a target whose tables hold rows. */
static int empty_target(struct sqldb *dst, const struct table *tables, int n, bool force, bool *replaced,
                        char *err, size_t errsize)
{
	int full = -1;
	for (int i = 0; i < n && full < 0; i++) {
		int64_t rows = count_rows(dst, tables[i].name);
		if (rows < 0)
			return fail_db(dst, "PostgreSQL database", err, errsize);
		if (rows > 0)
			full = i;
	}
	*replaced = full >= 0;
	if (full < 0)
		return 0;
	if (!force) {
		snprintf(err, errsize, "the target already holds an installation (table %s has rows): give --force to"
		         " replace all of it with the source", tables[full].name);
		return -1;
	}
	struct strbuf sql = {0};
	sb_adds(&sql, "TRUNCATE ");
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(&sql, ", ");
		add_ident(&sql, tables[i].name);
	}
	sb_adds(&sql, " RESTART IDENTITY");
	int rc = run_sql(dst, sql.buf, err, errsize);
	sb_free(&sql);
	return rc;
}

/* ALTER TABLE ... ENABLE or DISABLE TRIGGER USER on every table. */
static int set_triggers(struct sqldb *dst, const struct table *tables, int n, const char *state, char *err,
                        size_t errsize)
{
	struct strbuf sql = {0};
	for (int i = 0; i < n; i++) {
		sb_adds(&sql, "ALTER TABLE ");
		add_ident(&sql, tables[i].name);
		sb_addf(&sql, " %s TRIGGER USER;", state);
	}
	int rc = run_sql(dst, sql.buf, err, errsize);
	sb_free(&sql);
	return rc;
}

/* Adds column c of the current row to the COPY row; -1 with err naming the value PostgreSQL could not take. */
static int put_value(struct sqldb *dst, struct sqldb_stmt *st, const struct table *t, int c, int64_t row,
                     char *err, size_t errsize)
{
	int col = c + 1, type = sqldb_column_type(st, col);
	const char *why = NULL;
	if (type == SQLDB_NULL) {
		sqldb_copy_null(dst);
	} else if (t->kinds[c] == K_INTEGER && type != SQLDB_INTEGER) {
		why = "a value that is not an integer in an integer column";
	} else if (t->kinds[c] == K_REAL && type != SQLDB_INTEGER && type != SQLDB_FLOAT) {
		why = "a value that is not a number in a number column";
	} else if (type == SQLDB_INTEGER) {
		sqldb_copy_int64(dst, sqldb_column_int64(st, col));
	} else if (type == SQLDB_FLOAT) {
		sqldb_copy_double(dst, sqldb_column_double(st, col));
	} else if (t->kinds[c] == K_BLOB) {
		const void *data = sqldb_column_blob(st, col);
		sqldb_copy_blob(dst, data, (size_t)sqldb_column_bytes(st, col));
	} else {
		/* Text, or a blob in a text column: PostgreSQL's text holds valid UTF-8 without NUL bytes only. */
		const char *text = (const char *)sqldb_column_text(st, col);
		size_t len = (size_t)sqldb_column_bytes(st, col);
		if (memchr(text, '\0', len))
			why = "a NUL byte, which PostgreSQL's text cannot hold";
		else if (!utf8_valid(text, len))
			why = "text that is not valid UTF-8";
		else
			sqldb_copy_text(dst, text, len);
	}
	if (!why)
		return 0;
	snprintf(err, errsize, "table %s, %s %" PRId64 ", column %s: %s; nothing was copied", t->name,
	         t->rowid ? "row id" : "row", row, t->cols[c], why);
	return -1;
}

/* Streams one table into the open transaction: a COPY of its rows in rowid (or key) order. */
static int copy_table(struct sqldb *src, struct sqldb *dst, const struct table *t, int64_t *rows, char *err,
                      size_t errsize)
{
	struct strbuf sel = {0}, cp = {0};
	sb_adds(&sel, t->rowid ? "SELECT rowid" : "SELECT NULL");
	sb_adds(&cp, "COPY ");
	add_ident(&cp, t->name);
	sb_adds(&cp, " (");
	for (int c = 0; c < t->ncols; c++) {
		sb_adds(&sel, ", ");
		add_ident(&sel, t->cols[c]);
		if (c)
			sb_adds(&cp, ", ");
		add_ident(&cp, t->cols[c]);
	}
	sb_adds(&sel, " FROM ");
	add_ident(&sel, t->name);
	if (t->rowid)
		sb_adds(&sel, " ORDER BY rowid");
	sb_adds(&cp, ") FROM STDIN");
	struct sqldb_stmt *st = NULL;
	int rc = sqldb_prepare(src, sel.buf, &st) == SQLDB_OK ? 0 : fail_db(src, "cannot read the source", err, errsize);
	if (rc == 0 && sqldb_copy_begin(dst, cp.buf) != SQLDB_OK)
		rc = fail_db(dst, "PostgreSQL database", err, errsize);
	sb_free(&sel);
	sb_free(&cp);
	if (rc < 0) {
		sqldb_finalize(st);
		return -1;
	}
	int step;
	for (*rows = 0; rc == 0 && (step = sqldb_step(st)) == SQLDB_ROW;) {
		++*rows;
		int64_t id = t->rowid ? sqldb_column_int64(st, 0) : *rows;
		for (int c = 0; c < t->ncols && rc == 0; c++)
			rc = put_value(dst, st, t, c, id, err, errsize);
		if (rc == 0 && sqldb_copy_row(dst) != SQLDB_OK)
			rc = fail_db(dst, "PostgreSQL database", err, errsize);
	}
	if (rc == 0 && step != SQLDB_DONE)
		rc = fail_db(src, "cannot read the source", err, errsize);
	sqldb_finalize(st);
	if (sqldb_copy_end(dst, rc < 0 ? "feedsync db copy failed" : NULL) != SQLDB_OK && rc == 0) {
		char what[128];
		snprintf(what, sizeof(what), "PostgreSQL refused a row of table %s", t->name);
		rc = fail_db(dst, what, err, errsize);
	}
	return rc;
}

/*
 * Runs the statements the target writes for itself: the first column of each row of `query`. A second
 * column, when `second` is given, is added to it (each statement ended with ';') to be run later.
 */
static int run_generated(struct sqldb *dst, const char *query, struct strbuf *second, char *err, size_t errsize)
{
	struct sqldb_stmt *st;
	if (sqldb_prepare(dst, query, &st) != SQLDB_OK)
		return fail_db(dst, "PostgreSQL database", err, errsize);
	struct strbuf first = {0};
	while (sqldb_step(st) == SQLDB_ROW) {
		sb_addf(&first, "%s;", (const char *)sqldb_column_text(st, 0));
		if (second)
			sb_addf(second, "%s;", (const char *)sqldb_column_text(st, 1));
	}
	sqldb_finalize(st);
	int rc = first.len ? run_sql(dst, first.buf, err, errsize) : 0;
	sb_free(&first);
	return rc;
}

/* Each identity column's sequence goes past the highest id copied, so the next insert takes a new one. */
static int set_identities(struct sqldb *dst, char *err, size_t errsize)
{
	return run_generated(dst,
	                     "SELECT format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1,"
	                     " false) FROM %I', quote_ident(table_name), column_name, column_name, table_name)"
	                     " FROM information_schema.columns"
	                     " WHERE table_schema = current_schema() AND is_identity = 'YES'",
	                     NULL, err, errsize);
}

/* Both sides' counts and checksums, into the report; -1 when one differs (the caller then rolls back). */
static int verify(struct sqldb *src, struct sqldb *dst, const struct table *tables, struct db_copy_report *rep,
                  char *err, size_t errsize)
{
	for (int i = 0; i < rep->ntables; i++) {
		struct db_copy_table *t = &rep->tables[i];
		t->source_rows = count_rows(src, t->name);
		t->target_rows = count_rows(dst, t->name);
		t->source_sum = checksum(src, &tables[i]);
		t->target_sum = checksum(dst, &tables[i]);
		if (t->source_rows < 0 || t->target_rows != t->source_rows) {
			snprintf(err, errsize, "table %s: %" PRId64 " rows in the source, %" PRId64 " in the target after the"
			         " copy; nothing was committed", t->name, t->source_rows, t->target_rows);
			return -1;
		}
		if (t->source_sum < 0 || t->target_sum != t->source_sum) {
			snprintf(err, errsize, "table %s: checksum %" PRId64 " in the source, %" PRId64 " in the target after"
			         " the copy; nothing was committed", t->name, t->source_sum, t->target_sum);
			return -1;
		}
	}
	return 0;
}

/*
 * The target's indexes other than its keys are dropped while rows arrive and built again afterwards, in the
 * same transaction: one sort per index instead of an insert per row and index ("Populating a Database" in
 * PostgreSQL's manual). The keys stay, for the foreign keys' checks. `rebuild` gets the CREATE statements.
 */
static int drop_indexes(struct sqldb *dst, struct strbuf *rebuild, char *err, size_t errsize)
{
	return run_generated(dst,
	                     "SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)"
	                     " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
	                     " JOIN pg_namespace n ON n.oid = c.relnamespace"
	                     " WHERE n.nspname = current_schema() AND c.relname <> 'feedsync_schema'"
	                     " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
	                     rebuild, err, errsize);
}

/* The copy itself, inside the target's transaction and the source's read snapshot. */
static int copy_all(struct sqldb *src, struct sqldb *dst, const struct table *tables, int n,
                    const struct db_copy_options *opt, struct db_copy_report *rep, char *err, size_t errsize)
{
	struct strbuf rebuild = {0};
	int rc = empty_target(dst, tables, n, opt->force, &rep->replaced, err, errsize) < 0 ||
	         set_triggers(dst, tables, n, "DISABLE", err, errsize) < 0 ||
	         drop_indexes(dst, &rebuild, err, errsize) < 0 ? -1 : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		int64_t rows = 0;
		rc = copy_table(src, dst, &tables[i], &rows, err, errsize);
		rep->rows += rows;
	}
	if (rc == 0 && rebuild.len && run_sql(dst, rebuild.buf, err, errsize) < 0)
		rc = -1;
	sb_free(&rebuild);
	return rc < 0 || set_triggers(dst, tables, n, "ENABLE", err, errsize) < 0 ||
	       set_identities(dst, err, errsize) < 0 || verify(src, dst, tables, rep, err, errsize) < 0 ? -1 : 0;
}

int db_copy(const char *from, const char *to, const struct db_copy_options *opt, struct db_copy_report *rep,
            char *err, size_t errsize)
{
	memset(rep, 0, sizeof(*rep));
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!str_starts_with(to, "postgres")) {
		snprintf(err, errsize, "--to must be a postgresql:// URL (the copy goes from SQLite to PostgreSQL)");
		return -1;
	}
	if (str_starts_with(from, "postgres") || sqldb_absent(from)) {
		snprintf(err, errsize, "--from must be an existing SQLite database file");
		return -1;
	}
	struct sqldb *src = sqldb_open(from, SQLDB_READ_ONLY, opt->busy_timeout_ms, err, errsize);
	if (!src)
		return -1;
	struct table *tables = xcalloc(DB_COPY_MAX_TABLES, sizeof(*tables));
	struct sqldb *dst = NULL;
	/* One read transaction: every table is read as of the same moment. */
	int rc = sqldb_exec(src, "BEGIN") == SQLDB_OK ? 0 : fail_db(src, "cannot read the source", err, errsize);
	int n = rc == 0 && check_source(src, from, opt, err, errsize) == 0 ? load_tables(src, tables, err, errsize) : -1;
	if (n >= 0)
		dst = db_open_schema(to, opt->busy_timeout_ms, NULL, err, errsize);
	if (dst && sqldb_begin(dst) != SQLDB_OK)
		rc = fail_db(dst, "PostgreSQL database", err, errsize);
	rc = dst && rc == 0 ? 0 : -1;
	if (rc == 0) {
		rep->version = db_version(src);
		rep->ntables = n;
		for (int i = 0; i < n; i++)
			str_copy(rep->tables[i].name, tables[i].name, sizeof(rep->tables[i].name));
		rc = copy_all(src, dst, tables, n, opt, rep, err, errsize);
		if (rc == 0 && sqldb_commit(dst) != SQLDB_OK)
			rc = fail_db(dst, "PostgreSQL database: the commit failed", err, errsize);
		if (rc < 0 && sqldb_in_transaction(dst))
			sqldb_rollback(dst);
	}
	free(tables);
	sqldb_exec(src, "COMMIT");
	sqldb_close(src);
	db_close(dst);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}
