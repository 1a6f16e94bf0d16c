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

run_tests "$@"
