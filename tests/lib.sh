# Shared by the integration and console tests (bash). A test file defines functions named test_* and ends
# with `run_tests`; each test runs in its own subshell with a fresh temp dir ($T) and database ($FEEDSYNC_DB),
# and prints "PASS name" or "FAIL name" followed by indented detail.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
FEEDSYNC_BIN="$ROOT/$BUILD/feedsync"
FIXTURES="$ROOT/tests/fixtures"
# Interpreter resolved once: version-manager shims cost half a second a start.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
export FEEDSYNC_CONFIG=/dev/null    # built-in defaults whatever ./feedsync.ini says
unset NO_COLOR FEEDSYNC_DB

# Valgrind on CLI runs: any leak or memory error fails the command with exit 99.
VALGRIND=()
if [ -z "${FEEDSYNC_NO_VALGRIND:-}" ] && command -v valgrind >/dev/null; then
	VALGRIND=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
	          --error-exitcode=99 --trace-children=no)
fi

# fs ARGS...: the real binary (under valgrind when enabled); stdout in $OUT, stderr in $ERR, status in $RC.
fs() {
	"${VALGRIND[@]}" "$FEEDSYNC_BIN" "$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
	if [ "$RC" -eq 99 ]; then fail "valgrind found errors in: feedsync $*"; fi
	return 0
}
# fs_fast ARGS...: the same without valgrind, for loops, timing-sensitive steps and setup whose code path the
# file runs under fs elsewhere (a valgrind'd run costs a second or more of the suite's budget).
fs_fast() {
	"$FEEDSYNC_BIN" "$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
	return 0
}

fail() {
	echo "  $*"
	echo 1 >"$T/.failed"
}
expect_rc() { [ "$RC" -eq "$1" ] || fail "${2:-command} exited $RC, expected $1; stderr: $(head -c 600 "$T/.err")"; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
expect_contains() { case "$1" in *"$2"*) ;; *) fail "${3:-output} lacks '$2': $(printf %s "$1" | head -c 800)";; esac; }
expect_not_contains() { case "$1" in *"$2"*) fail "${3:-output} has '$2'";; esac; }
# sql QUERY: a read on the test database with the sqlite3 shell.
sql() { sqlite3 -batch -noheader "$FEEDSYNC_DB" "$1"; }
# json_get JSON KEY.PATH: a field of a JSON document (python3).
json_get() {
	"$PYTHON" -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$1" "$2"
}

# add_conn NAME TYPE URL [EXTRA_JSON_MEMBERS] [EXTRA_SOURCE_MEMBERS]: creates a connection, sets $CONN_ID.
add_conn() {
	local extra=${4:+, $4}
	printf '{"name": "%s", "source": {"type": "%s", "url": "%s"%s}%s}\n' "$1" "$2" "$3" "${5:+, $5}" "$extra" \
		>"$T/conn.json"
	fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

# start_feedserver ROOT: serves ROOT on a free port (see tests/helpers/feedserver.py); sets $FEED_URL.
start_feedserver() {
	"$PYTHON" "$ROOT/tests/helpers/feedserver.py" --root "$1" --port-file "$T/.feedport" --lifetime 300 &
	FEEDSERVER_PID=$!
	echo "$FEEDSERVER_PID" >>"$T/.pids"
	for _ in $(seq 100); do [ -s "$T/.feedport" ] && break; sleep 0.05; done
	[ -s "$T/.feedport" ] || { fail "feedserver did not start"; return 1; }
	FEED_URL="http://127.0.0.1:$(cat "$T/.feedport")"
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; fails the test when it never succeeds.
wait_until() {
	local limit=$(($1 * 10)); shift
	for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for: $*"
	return 1
}

_cleanup_test() {
	if [ -f "$T/.pids" ]; then
		while read -r pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done <"$T/.pids"
	fi
	rm -rf "$T"
}

# FEEDSYNC_TEST_PG=1 runs a file's tests against PostgreSQL (tests/pg_lib.sh: pg_mode_*).
[ -z "${FEEDSYNC_TEST_PG:-}" ] || . "$ROOT/tests/pg_lib.sh"

run_tests() {
	local only=${1:-} db n=0
	[ -z "${FEEDSYNC_TEST_PG:-}" ] || pg_mode_start || return 1
	for name in $(declare -F | awk '{print $3}' | grep '^test_'); do
		[ -n "$only" ] && [ "$name" != "$only" ] && continue
		db="" n=$((n + 1))
		[ -z "${FEEDSYNC_TEST_PG:-}" ] || db=$(pg_mode_fresh_db "$n") || { echo "FAIL $name: no fresh database"; continue; }
		(
			T=$(mktemp -d "${TMPDIR:-/tmp}/fs-$name.XXXXXX")
			export FEEDSYNC_DB="${db:-$T/feedsync.db}"
			cd "$T" || exit 1
			trap _cleanup_test EXIT
			"$name" >"$T/.log" 2>&1
			if [ -f "$T/.failed" ]; then echo "FAIL $name"; sed 's/^/  /' "$T/.log" | grep -v '^  $' | head -40
			else echo "PASS $name"; fi
			exit 0
		) || echo "FAIL $name: it ended the test's shell before it could report (an unbound variable, an exit)"
	done
	[ -z "${FEEDSYNC_TEST_PG:-}" ] || pg_mode_stop
}
