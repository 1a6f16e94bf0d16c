#!/bin/bash
# tests/pg_lib.sh: a throwaway PostgreSQL starts (loudly failing, never skipping), answers, and is stopped.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg_lib.sh"

test_pg_starts_answers_and_stops() {
	pg_start "$T" || { fail "could not start PostgreSQL (see stderr above)"; return; }
	local data=$PG_DIR/data
	expect_eq "$(psql "$PG_URL" -Atc 'select 1+1' 2>&1)" "2" "query on the throwaway server"
	pg_stop
	[ ! -f "$data/postmaster.pid" ] || fail "server still running after pg_stop"
}

test_pg_start_fails_loudly_without_binaries() {
	PG_BINDIR=$T/nowhere pg_start "$T" 2>"$T/why" && fail "pg_start succeeded without initdb"
	expect_contains "$(cat "$T/why")" "no initdb under '$T/nowhere'" "error message"
}

# FEEDSYNC_TEST_PG=1 (tests/lib.sh): a probe file's two tests each get a fresh PostgreSQL database, sql reads it,
# and the file's server is gone when the file is done.
test_feedsync_test_pg_gives_each_test_a_fresh_postgresql_database() {
	cat >"$T/test_probe.sh" <<EOF
. "$ROOT/tests/lib.sh"
probe() {
	echo "\$FEEDSYNC_DB" >>"$T/urls"
	echo "\$PG_MODE_DIR" >"$T/cluster"
	expect_eq "\$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "0" "tables before migrating"
	fs_fast db migrate
	expect_rc 0 "db migrate"
	expect_eq "\$(sql 'SELECT version > 0 FROM feedsync_schema')" "t" "sql on the test's database"
}
test_one() { probe; }
test_two() { probe; }
run_tests
EOF
	FEEDSYNC_TEST_PG=1 bash "$T/test_probe.sh" >"$T/probe.out" 2>&1
	expect_eq "$(grep -c '^PASS' "$T/probe.out")" "2" "probe tests passing: $(cat "$T/probe.out")"
	expect_eq "$(sort -u "$T/urls" | grep -c '^postgresql://')" "2" "two databases: $(cat "$T/urls")"
	[ -s "$T/cluster" ] && [ ! -e "$(cat "$T/cluster")" ] || fail "the file's cluster was left behind"
}

run_tests "$@"
