/* The database interface on SQLite: open modes, statements, transactions, and what it refuses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sqldb.h"
#include "core/sqldb_pg.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-sqldb-XXXXXX";
static char path[512];
static struct sqldb *db;
static char err[512];

static void open_file(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	db = sqldb_open(path, SQLDB_READ_WRITE, 1000, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	cr_assert_eq(sqldb_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB)"), SQLDB_OK,
	             "%s", sqldb_errmsg(db));
}

static void close_and_remove(void)
{
	sqldb_close(db);
	test_dir_remove(dir, "/tmp/fs-sqldb-XXXXXX");
}

TestSuite(sqldb, .init = open_file, .fini = close_and_remove);

static int64_t insert(const char *name, const void *data, int len)
{
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(db, "INSERT INTO t(name, data) VALUES(?1, ?2)", &st), SQLDB_OK);
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", name);
	sqldb_bind_text(st, 1, copy);
	if (data)
		sqldb_bind_blob(st, 2, data, len);
	else
		sqldb_bind_null(st, 2);
	memset(copy, 'x', sizeof(copy) - 1);   /* bound text is copied: the buffer may change before the step */
	int rc = sqldb_step(st);
	sqldb_finalize(st);
	return rc == SQLDB_DONE ? sqldb_last_insert_id(db) : -rc;
}

Test(sqldb, a_file_is_created_private_and_named)
{
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_str_eq(sqldb_filename(db), path);
	cr_assert_str_eq(sqldb_target(db), path);
}

Test(sqldb, rows_round_trip_with_types_and_counts)
{
	cr_assert_eq(insert("one", "\0\1\2", 3), 1);
	cr_assert_eq(sqldb_changes(db), 1);
	cr_assert_eq(insert("two", NULL, 0), 2);
	cr_assert_eq(sqldb_total_changes(db), 2);
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare_persistent(db, "SELECT id, name, data FROM t WHERE id >= ?1 ORDER BY id", &st),
	             SQLDB_OK);
	cr_assert_eq(sqldb_bind_parameter_count(st), 1);
	sqldb_bind_int64(st, 1, 1);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_eq(sqldb_column_int64(st, 0), 1);
	cr_assert_str_eq((const char *)sqldb_column_text(st, 1), "one");
	cr_assert_eq(sqldb_column_bytes(st, 2), 3);
	cr_assert_eq(memcmp(sqldb_column_blob(st, 2), "\0\1\2", 3), 0);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_eq(sqldb_column_int(st, 0), 2);
	cr_assert_eq(sqldb_column_type(st, 2), SQLDB_NULL);
	cr_assert_eq(sqldb_step(st), SQLDB_DONE);
	sqldb_reset(st);
	sqldb_clear_bindings(st);
	cr_assert_eq(sqldb_step(st), SQLDB_DONE, "a cleared binding is NULL, which matches nothing");
	sqldb_finalize(st);
}

Test(sqldb, a_unique_violation_is_named_as_such)
{
	cr_assert_gt(insert("one", NULL, 0), 0);
	cr_assert_lt(insert("one", NULL, 0), 0);
	cr_assert(sqldb_unique_violation(db));
	cr_assert_str_eq(sqldb_errmsg(db), "UNIQUE constraint failed: t.name");
	cr_assert_neq(sqldb_exec(db, "INSERT INTO t(id) VALUES('not a number')"), SQLDB_OK);
	cr_assert_not(sqldb_unique_violation(db));
}

Test(sqldb, a_rolled_back_transaction_leaves_nothing_and_a_committed_one_stays)
{
	cr_assert_not(sqldb_in_transaction(db));
	cr_assert_eq(sqldb_begin(db), SQLDB_OK);
	cr_assert(sqldb_in_transaction(db));
	insert("gone", NULL, 0);
	cr_assert_eq(sqldb_rollback(db), SQLDB_OK);
	cr_assert_not(sqldb_in_transaction(db));
	cr_assert_eq(sqldb_begin(db), SQLDB_OK);
	insert("kept", NULL, 0);
	cr_assert_eq(sqldb_commit(db), SQLDB_OK);
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(db, "SELECT group_concat(name) FROM t", &st), SQLDB_OK);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_str_eq((const char *)sqldb_column_text(st, 0), "kept");
	sqldb_finalize(st);
}

Test(sqldb, a_reader_reads_and_refuses_to_write)
{
	insert("one", NULL, 0);
	struct sqldb *reader = sqldb_open(path, SQLDB_READ_ONLY, 1000, err, sizeof(err));
	cr_assert_not_null(reader, "%s", err);
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(reader, "SELECT count(*) FROM t", &st), SQLDB_OK);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_eq(sqldb_column_int64(st, 0), 1);
	sqldb_finalize(st);
	cr_assert_neq(sqldb_exec(reader, "DELETE FROM t"), SQLDB_OK);
	cr_assert(strstr(sqldb_errmsg(reader), "readonly"), "%s", sqldb_errmsg(reader));
	sqldb_close(reader);
}

Test(sqldb, bad_sql_and_missing_files_are_named)
{
	struct sqldb_stmt *st = (struct sqldb_stmt *)1;
	cr_assert_neq(sqldb_prepare(db, "SELEC 1", &st), SQLDB_OK);
	cr_assert_null(st);
	cr_assert(strstr(sqldb_errmsg(db), "syntax error"), "%s", sqldb_errmsg(db));
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/none.db", dir);
	cr_assert_null(sqldb_open(missing, SQLDB_READ_ONLY, 0, err, sizeof(err)));
	cr_assert(strstr(err, "cannot open database ") && strstr(err, "none.db"), "%s", err);
	cr_assert_neq(access(missing, F_OK), 0, "a reader creates nothing");
}

Test(sqldb, an_unreachable_postgresql_server_is_named_without_the_password)
{
	const char *urls[] = {"postgresql://feed:s3cret@127.0.0.1:1/feedsync", "postgres://feed:s3cret@127.0.0.1:1/d"};
	for (size_t i = 0; i < 2; i++) {
		cr_assert_null(sqldb_open(urls[i], SQLDB_READ_WRITE, 0, err, sizeof(err)));
		cr_assert(strstr(err, "cannot open the PostgreSQL database: ") && strstr(err, "127.0.0.1"), "%s", err);
		cr_assert_null(strchr(err, '\n'), "one line: %s", err);
		cr_assert_null(strstr(err, "s3cret"), "the password must not be printed: %s", err);
	}
	cr_assert_not(sqldb_absent(urls[0]), "a server is never a file to create");
}

Test(sqldb, placeholders_become_numbered_for_postgresql_outside_quotes)
{
	int n;
	char *sql = pg_placeholders("SELECT ?1, '?2 it''s', \"a?\", ?3 + ?1 WHERE x = ?12", &n);
	cr_assert_str_eq(sql, "SELECT $1, '?2 it''s', \"a?\", $3 + $1 WHERE x = $12");
	cr_assert_eq(n, 12);
	free(sql);
	sql = pg_placeholders("INSERT INTO t VALUES(?, ?, 'x?')", &n);
	cr_assert_str_eq(sql, "INSERT INTO t VALUES($1, $2, 'x?')");
	cr_assert_eq(n, 2);
	free(sql);
	sql = pg_placeholders("SELECT 'unterminated ?1", &n);
	cr_assert_str_eq(sql, "SELECT 'unterminated ?1");
	cr_assert_eq(n, 0);
	free(sql);
}
