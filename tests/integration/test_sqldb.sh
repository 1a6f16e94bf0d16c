#!/bin/bash
# The database interface from outside: an unfinished backend refuses clearly, and tools/sqldb_convert.sed turns
# code written against SQLite into code against include/core/sqldb.h that compiles.
. "$(dirname "$0")/../lib.sh"

test_an_unreachable_postgresql_server_is_named_without_its_password() {
	fs --db 'postgresql://feed:s3cret@127.0.0.1:1/feedsync' conn list
	expect_rc 1 "conn list on a postgresql:// --db"
	expect_contains "$ERR" "cannot open the PostgreSQL database: connection to server at \"127.0.0.1\", port 1" "stderr"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	FEEDSYNC_DB='postgres://feed:s3cret@127.0.0.1:1/feedsync' fs db status
	expect_rc 1 "db status on a postgres:// \$FEEDSYNC_DB"
	expect_contains "$ERR" "cannot open the PostgreSQL database: " "stderr"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	expect_eq "$(ls -A "$T" | grep -c postgres)" "0" "files named like the URL"
}

# Old-style code as store modules were written before the interface, one call of each kind the script maps.
write_old_style() {
	cat >"$1" <<'C'
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
static int64_t demo(sqlite3 *db, struct sqlite3_stmt **cached, const char *name, const void *blob, int n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT INTO t(name, data) VALUES(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, blob, n, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, 7);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
		return -2;
	if (!*cached && sqlite3_prepare_v3(db, "SELECT a, b FROM t", -1, SQLITE_PREPARE_PERSISTENT, cached, NULL))
		return -1;
	sqlite3_reset(*cached);
	sqlite3_clear_bindings(*cached);
	int64_t sum = 0;
	while (sqlite3_step(*cached) == SQLITE_ROW)
		sum += sqlite3_column_int64(*cached, 0) + sqlite3_column_int(*cached, 1) +
		       (sqlite3_column_type(*cached, 1) == SQLITE_NULL) + sqlite3_column_bytes(*cached, 0) +
		       (sqlite3_column_text(*cached, 0) != NULL) + (sqlite3_column_blob(*cached, 1) != NULL) +
		       sqlite3_bind_parameter_count(*cached);
	sqlite3_exec(db, "PRAGMA cache_size = -8192", NULL, NULL, NULL);
	bool in_tx = !sqlite3_get_autocommit(db), autocommit = sqlite3_get_autocommit(db);
	const char *file = sqlite3_db_filename(db, "main");
	if (sqlite3_extended_errcode(db) != SQLITE_CONSTRAINT_UNIQUE && !file)
		return sqlite3_errmsg(db)[0];
	sqlite3_close(db);
	return sum + in_tx + autocommit + sqlite3_last_insert_rowid(db) + sqlite3_changes(db) +
	       sqlite3_total_changes64(db);
}
int64_t (*keep)(sqlite3 *, sqlite3_stmt **, const char *, const void *, int) = demo;
C
}

test_the_convert_script_leaves_code_that_compiles_against_the_interface() {
	write_old_style "$T/old.c"
	cp "$T/old.c" "$T/new.c"
	sed -i -E -f "$ROOT/tools/sqldb_convert.sed" "$T/new.c" || fail "sed failed"
	local left
	left=$(grep -nE 'sqlite3|SQLITE_' "$T/new.c")
	expect_eq "$left" "" "SQLite names left after the conversion"
	cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$ROOT/include" "$T/new.c" 2>"$T/cc.err" ||
		fail "converted code does not compile: $(head -c 800 "$T/cc.err")"
	cp "$T/new.c" "$T/again.c"
	sed -i -E -f "$ROOT/tools/sqldb_convert.sed" "$T/again.c"
	cmp -s "$T/new.c" "$T/again.c" || fail "a second conversion changed converted code: $(diff "$T/new.c" "$T/again.c")"
}

test_db_status_reports_without_creating_and_migrate_brings_the_schema_up() {
	fs db status
	expect_rc 0 "db status before the database exists"
	expect_contains "$OUT" "backend   sqlite" "status"
	expect_contains "$OUT" "database  $FEEDSYNC_DB" "status"
	expect_contains "$OUT" "schema    none yet" "status"
	[ ! -e "$FEEDSYNC_DB" ] || fail "db status created the database"
	fs db migrate
	expect_rc 0 "db migrate"
	local latest
	latest=$(sql 'PRAGMA user_version')
	expect_eq "$OUT" "$FEEDSYNC_DB: migrated from schema version 0 to $latest" "migrate"
	expect_eq "$(stat -c %a "$FEEDSYNC_DB")" "600" "mode of the new database"
	fs db migrate --json
	expect_eq "$(json_get "$OUT" to_version)" "$latest" "migrate --json to_version"
	expect_eq "$(json_get "$OUT" from_version)" "$latest" "a second migrate has nothing to do"
	fs db status --json
	expect_eq "$(json_get "$OUT" state)" "current" "status --json state"
	expect_eq "$(json_get "$OUT" schema_version)" "$latest" "status --json version"
	expect_eq "$(json_get "$OUT" backend)" "sqlite" "status --json backend"
}

test_db_status_names_an_old_a_newer_and_a_broken_database() {
	fs_fast db migrate
	local latest
	latest=$(sql 'PRAGMA user_version')
	sql "PRAGMA user_version = $((latest - 2))"
	fs db status
	expect_contains "$OUT" "schema    version $((latest - 2)) of $latest: \`feedsync db migrate\` applies the other 2 steps" \
		"status of an old schema"
	expect_eq "$(sql 'PRAGMA user_version')" "$((latest - 2))" "status migrated nothing"
	sql "PRAGMA user_version = $((latest + 1))"
	fs db status
	expect_contains "$OUT" "newer than this feedsync ($latest): upgrade feedsync" "status of a newer schema"
	fs db migrate
	expect_rc 1 "migrate of a newer schema"
	expect_contains "$ERR" "is newer than this feedsync" "migrate of a newer schema"
	echo "not a database at all, just some text that is long enough to be read as a header" >"$T/junk.db"
	fs --db "$T/junk.db" db status
	expect_rc 1 "status of a file that is not a database"
	expect_contains "$ERR" "$T/junk.db" "status names the file"
	fs db
	expect_rc 2 "db without a command"
	fs db vacuum
	expect_rc 2 "db with an unknown command"
	expect_contains "$ERR" "unknown command 'vacuum'" "usage"
	fs db status extra
	expect_rc 2 "db status with an extra argument"
}

run_tests "$@"
