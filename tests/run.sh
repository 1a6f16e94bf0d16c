#!/bin/sh
# Runs every test: the Criterion unit tests and each tests/integration/test_*.sh and tests/tui/test_*.sh file
# (each a shell script using tests/lib.sh), the longest first. Prints one summary line and exits non-zero on any failure.
#   BUILD=build-asan tests/run.sh           the sanitizer build
#   tests/run.sh tests/integration/test_bad_input.sh   one file
#   FEEDSYNC_NO_VALGRIND=1                  skip valgrind on the CLI runs
#   tests/run.sh pg:tests/integration/test_runs.sh   a file against PostgreSQL (FEEDSYNC_TEST_PG=1)
#   TEST_JOBS=1                             one test file at a time (default 3: many wait on servers, not CPU)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
[ -x "$BUILD/feedsync" ] && [ -x "$BUILD/unit-tests" ] || { echo "run.sh: build first: make all unit"; exit 2; }

passed=0 failed=0 failed_names=""
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-tests.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

count() { # file with "PASS name" / "FAIL name" lines
	local p f name   # not the file counter n of the loop below, which a FAIL line would overwrite
	p=$(grep -c '^PASS ' "$1" || true); f=$(grep -c '^FAIL ' "$1" || true)
	passed=$((passed + p)); failed=$((failed + f))
	for name in $(grep '^FAIL ' "$1" | cut -d' ' -f2); do failed_names="$failed_names $name"; done
}

# The files whose commands work on PostgreSQL, which the full suite runs a second time there (each file on
# a throwaway server of its own, tests/pg_lib.sh).
PG_FILES="tests/integration/test_conn.sh tests/integration/test_runs.sh"

# The files that spent the most under valgrind in the last measured make test (13m41s on this 2-core machine),
# about slowest first: they start first, so that no long file is left running alone at the end while the other
# slots have nothing to do.
LONG_FILES="tests/integration/test_shopify.sh pg:tests/integration/test_conn.sh tests/integration/test_shopify_groups.sh
	tests/integration/test_wordpress.sh tests/integration/test_shopify_bulk.sh tests/integration/test_conn.sh
	tests/integration/test_woo_variants.sh tests/integration/test_notify.sh tests/integration/test_bad_input.sh
	pg:tests/integration/test_runs.sh tests/integration/test_runs.sh"

# report_unit LOG_PREFIX: the Criterion run's failures and synthesis, counted.
report_unit() {
	local synth up uf uc
	echo "== unit tests ($(cat "$1.secs")s)"
	grep -E '^\[----\]|^\[FAIL\]|Synthesis' "$1.out" | grep -v '^\[----\]   ' | tail -40
	synth=$(grep 'Synthesis' "$1.out")
	up=$(echo "$synth" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p'); up=${up:-0}
	uf=$(echo "$synth" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p'); uf=${uf:-0}
	uc=$(echo "$synth" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p'); uc=${uc:-0}
	passed=$((passed + up)); failed=$((failed + uf + uc))
	if [ "$(cat "$1.rc")" -ne 0 ] && [ $((uf + uc)) -eq 0 ]; then
		failed=$((failed + 1)); failed_names="$failed_names unit-tests(exit-$(cat "$1.rc"))"
		tail -20 "$1.out"
	fi
}

if [ $# -eq 0 ]; then
	# The unit tests take a slot like a file, beside the first long files rather than before every file.
	set -- unit $LONG_FILES
	for file in tests/integration/test_*.sh tests/tui/test_*.sh $(printf 'pg:%s ' $PG_FILES); do
		case " $(echo $LONG_FILES) " in *" $file "*) ;; *) set -- "$@" "$file" ;; esac
	done
fi

# Files run TEST_JOBS at a time (each is hermetic: its own temp dirs and ports): a file starts as soon as any
# slot is free, so one long file holds only its own slot; results print in the order given.
jobs=${TEST_JOBS:-3}
run_file() {
	local start=$(date +%s)
	case $1 in
	unit) timeout 600 "$BUILD/unit-tests" -j2 --short-filename >"$2.out" 2>&1 ;;
	pg:*) FEEDSYNC_TEST_PG=1 timeout 900 bash "${1#pg:}" >"$2.out" 2>&1 ;;
	*) timeout 900 bash "$1" >"$2.out" 2>&1 ;;
	esac
	echo $? >"$2.rc"
	echo $(($(date +%s) - start)) >"$2.secs"
	: >"$2.done"
}
report() { # file, log prefix
	[ "$1" != unit ] || { report_unit "$2"; return; }
	echo "== $1 ($(cat "$2.secs")s)"
	grep -E '^(PASS|FAIL|  )' "$2.out"
	count "$2.out"
	if [ "$(cat "$2.rc")" -ne 0 ] && ! grep -q '^FAIL ' "$2.out"; then
		echo "FAIL $1 exited $(cat "$2.rc") without reporting a failure:"; tail -20 "$2.out"
		failed=$((failed + 1)); failed_names="$failed_names $1"
	fi
}
n=0 reported=0
running() {
	local i=$((reported + 1)) k=0
	while [ "$i" -le "$n" ]; do [ -f "$log_dir/$i.done" ] || k=$((k + 1)); i=$((i + 1)); done
	echo "$k"
}
report_finished() { # the files finished in a row from the first not yet reported
	while [ "$reported" -lt "$n" ] && [ -f "$log_dir/$((reported + 1)).done" ]; do
		reported=$((reported + 1))
		eval "report \"\$file_$reported\" \"$log_dir/$reported\""
	done
}
for file in "$@"; do
	[ "$file" = unit ] || [ -f "${file#pg:}" ] || continue
	while [ "$(running)" -ge "$jobs" ]; do sleep 0.2; report_finished; done
	n=$((n + 1))
	eval "file_$n=\$file"
	run_file "$file" "$log_dir/$n" &
done
while [ "$reported" -lt "$n" ]; do sleep 0.2; report_finished; done
wait

echo
if [ "$failed" -eq 0 ]; then
	echo "tests: $passed passed, 0 failed"
else
	echo "tests: $passed passed, $failed failed:$failed_names"
	exit 1
fi
