#!/bin/bash
# The schema on PostgreSQL (src/core/db_schema_pg.c), against a throwaway server per test (tests/pg_lib.sh;
# fails loudly when none can start): `db migrate` builds the same tables, columns, indexes and triggers as on
# SQLite, each step in one transaction, under an advisory lock that makes a second migrator wait; `db status`
# reports the version; the rules the schema enforces hold; the password is never printed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg_lib.sh"

MIGRATION_LOCK=7378697629483820643

# with_pg FN: FN against a fresh server in $PG_URL, stopped however FN ends.
with_pg() {
	pg_start "$T" || { fail "could not start PostgreSQL (see stderr above)"; return; }
	"$@"
	pg_stop
}

pg() { psql "$PG_URL" -X -q -At -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

latest_version() {
	fs_fast --db "$T/lite.db" db migrate --json
	json_get "$OUT" to_version
}

# The schema as "table column", "index name" and "trigger name" lines, from each engine's catalog.
sqlite_shape() {
	sqlite3 -batch -noheader "$T/lite.db" \
		"SELECT 'column ' || m.name || ' ' || p.name FROM sqlite_master m, pragma_table_xinfo(m.name) p
		   WHERE m.type = 'table';
		 SELECT 'index ' || name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%';
		 SELECT 'trigger ' || name FROM sqlite_master WHERE type = 'trigger';" | LC_ALL=C sort
}
pg_shape() {
	pg "SELECT 'column ' || table_name || ' ' || column_name FROM information_schema.columns
	      WHERE table_schema = 'public' AND table_name <> 'feedsync_schema';
	    SELECT 'index ' || indexname FROM pg_indexes
	      WHERE schemaname = 'public' AND indexname !~ '_(pkey|key)\$';
	    SELECT DISTINCT 'trigger ' || trigger_name FROM information_schema.triggers" | LC_ALL=C sort
}

migrate_builds_the_sqlite_schema_and_status_reports_it() {
	local latest url=${PG_URL/feedsync@/feedsync:s3cret@}?password=s3cret\&sslmode=disable
	latest=$(latest_version)
	fs --db "$url" db status
	expect_rc 0 "db status before the schema exists"
	expect_contains "$OUT" "backend   postgresql" "status"
	expect_contains "$OUT" "schema    none yet" "status"
	expect_eq "$(pg "SELECT to_regclass('feedsync_schema') IS NULL")" "t" "status created nothing"
	fs --db "$url" db migrate
	expect_rc 0 "db migrate"
	expect_eq "$OUT" "${PG_URL}?sslmode=disable: migrated from schema version 0 to $latest" "migrate"
	fs --db "$url" db status --json
	expect_eq "$(json_get "$OUT" backend)" "postgresql" "status --json backend"
	expect_eq "$(json_get "$OUT" schema_version)" "$latest" "status --json version"
	expect_eq "$(json_get "$OUT" state)" "current" "status --json state"
	fs --db "$url" db status
	expect_contains "$OUT" "schema    version $latest, up to date" "status"
	fs --db "$url" db migrate
	expect_eq "$OUT" "${PG_URL}?sslmode=disable: already at schema version $latest" "a second migrate"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	local lite pgs
	lite=$(sqlite_shape); pgs=$(pg_shape)
	[ "$(echo "$lite" | wc -l)" -gt 100 ] || fail "SQLite schema listing too short: $lite"
	[ "$lite" = "$pgs" ] || fail "PostgreSQL schema differs from SQLite's: $(diff <(echo "$lite") <(echo "$pgs"))"
}
test_migrate_builds_the_sqlite_schema_and_status_reports_it() { with_pg migrate_builds_the_sqlite_schema_and_status_reports_it; }

the_rules_of_the_schema_hold() {
	fs --db "$PG_URL" db migrate
	expect_rc 0 "db migrate"
	pg "INSERT INTO connections(name, source_type, source_url, document, created_at, updated_at)
	      VALUES ('A', 'csv', '/a.csv', '{}', 1, 1)" >/dev/null
	expect_eq "$(pg "INSERT INTO sync_runs(connection_id, trigger, status, created_at)
	                 VALUES (1, 'manual', 'queued', 5) RETURNING id")" "1" "the run's id is assigned"
	expect_eq "$(pg "SELECT last_run_id || ' ' || last_status FROM connections")" "1 queued" "latest-run trigger"
	expect_contains "$(pg "INSERT INTO sync_runs(connection_id, trigger, status, created_at)
	                       VALUES (1, 'manual', 'queued', 6)")" "sync_runs_one_active" "a second active run"
	pg "UPDATE sync_runs SET status = 'running', started_at = 7" >/dev/null
	expect_eq "$(pg "SELECT last_status || ' ' || last_started_at FROM connections")" "running 7" "update trigger"
	pg "INSERT INTO products(connection_id, sku, data, hash) VALUES
	      (1, 'V1', '{\"parent_sku\":\"P\"}', 9223372036854775807), (1, 'S', '{}', -1)" >/dev/null
	expect_eq "$(pg "SELECT string_agg(sku || '=' || coalesce(parent_sku, '-'), ',' ORDER BY sku) FROM products")" \
		"S=-,V1=P" "the generated parent_sku"
	pg "INSERT INTO run_errors(run_id, at, phase, sku, code, message) VALUES (1, 8, 'pushing', 'S', 'x', 'y')" >/dev/null
	expect_eq "$(pg "SELECT push_failed_run FROM products WHERE sku = 'S'")" "1" "the push-failed trigger"
	pg "DELETE FROM sync_runs" >/dev/null
	expect_eq "$(pg "SELECT coalesce(last_run_id::text, 'none') FROM connections")" "none" "the delete trigger"
}
test_the_rules_of_the_schema_hold() { with_pg the_rules_of_the_schema_hold; }

# advisory_locks CONDITION N: whether N advisory locks are in the state CONDITION (granted, NOT granted).
advisory_locks() {
	[ "$(pg "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND $1")" = "$2" ]
}

a_second_migrator_waits_for_the_first() {
	# The holder keeps the lock until it is ended below (30 s at most, should the test fail first).
	psql "$PG_URL" -X -q -c "SELECT pg_advisory_lock($MIGRATION_LOCK)" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
	local holder=$!
	echo "$holder" >>"$T/.pids"
	wait_until 10 advisory_locks granted 1
	"$FEEDSYNC_BIN" --db "$PG_URL" db migrate >"$T/m1.out" 2>&1 &
	local m1=$!
	"$FEEDSYNC_BIN" --db "$PG_URL" db migrate >"$T/m2.out" 2>&1 &
	local m2=$!
	wait_until 10 advisory_locks "NOT granted" 2
	expect_eq "$(pg "SELECT to_regclass('feedsync_schema') IS NULL")" "t" "nothing migrated while the lock is held"
	pg "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted" >/dev/null
	wait "$holder"
	wait "$m1" || fail "first migrator failed: $(cat "$T/m1.out")"
	wait "$m2" || fail "second migrator failed: $(cat "$T/m2.out")"
	local both; both=$(cat "$T/m1.out" "$T/m2.out")
	expect_contains "$both" "migrated from schema version 0 to" "one migrator"
	expect_contains "$both" "already at schema version" "the other"
}
test_a_second_migrator_waits_for_the_first() { with_pg a_second_migrator_waits_for_the_first; }

a_failed_step_leaves_nothing_behind() {
	pg "CREATE TABLE workers (id int)" >/dev/null
	fs --db "${PG_URL/feedsync@/feedsync:s3cret@}" db migrate
	expect_rc 1 "migrate over a clashing table"
	expect_contains "$ERR" "PostgreSQL database: migration to schema version 1 failed: " "stderr"
	expect_contains "$ERR" "relation \"workers\" already exists" "stderr"
	expect_not_contains "$ERR" "s3cret" "stderr"
	expect_eq "$(pg "SELECT to_regclass('destinations') IS NULL")" "t" "step 1 rolled back whole"
	expect_eq "$(pg "SELECT version FROM feedsync_schema")" "0" "version"
	fs --db "$PG_URL" db status
	expect_contains "$OUT" "schema    none yet" "status after the failure"
}
test_a_failed_step_leaves_nothing_behind() { with_pg a_failed_step_leaves_nothing_behind; }

run_tests "$@"
