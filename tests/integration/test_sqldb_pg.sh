#!/bin/bash
# The database interface against a throwaway PostgreSQL (tests/pg_lib.sh; fails loudly when none can start):
# the sqldb_pg unit suite passes there; a command whose store queries have a PostgreSQL dialect works there, one
# without refuses by name before it touches the database (the schema: tests/integration/test_pg_schema.sh).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg_lib.sh"

test_interface_and_refusals_on_postgresql() {
	pg_start "$T" || { fail "could not start PostgreSQL (see stderr above)"; return; }
	FEEDSYNC_TEST_PG_URL=$PG_URL "$ROOT/$BUILD/unit-tests" -j1 --filter 'sqldb_pg/*' >"$T/unit.log" 2>&1 ||
		fail "sqldb_pg unit tests failed: $(tail -c 1500 "$T/unit.log")"
	expect_contains "$(cat "$T/unit.log")" "Tested: 5 | Passing: 5 | Failing: 0 | Crashing: 0" "sqldb_pg suite"
	expect_not_contains "$(cat "$T/unit.log")" "SKIP" "sqldb_pg suite"
	expect_not_contains "$(cat "$T/unit.log")" "NOTICE" "sqldb_pg suite"
	local url=${PG_URL/feedsync@/feedsync:s3cret@}
	fs --db "$url" stats
	expect_rc 1 "stats on PostgreSQL"
	expect_contains "$ERR" "PostgreSQL support is incomplete: 'feedsync stats' has no PostgreSQL dialect yet" "stderr"
	expect_eq "$(psql "$PG_URL" -XAtc "SELECT to_regclass('feedsync_schema') IS NULL")" "t" "the refusal migrated nothing"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	fs --db "$url" run 1 --plan
	expect_rc 1 "run --plan on PostgreSQL"
	expect_contains "$ERR" "PostgreSQL support is incomplete: 'feedsync run --plan' has no PostgreSQL dialect yet" "stderr"
	fs --db "$url" conn list
	expect_rc 0 "conn list on PostgreSQL"
	expect_contains "$OUT" "no connections" "conn list"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	pg_stop
}

run_tests "$@"
