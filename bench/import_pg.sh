#!/usr/bin/env bash
# The catalog import on PostgreSQL beside the same import on SQLite, on one generated feed, and against a floor
# timed in the same run: psql's COPY of the same CSV into a table indexed by SKU. Four runs on each backend:
#   full       a fresh catalog                          (every row created)
#   changed    10% of prices and stocks changed           (updated + unchanged)
#   unchanged  the same content again
#   missing    a feed without a tenth of the products     (they are marked missing)
# The counters must be the same on both backends, and so must the catalogs (a checksum of sku, hash and the
# missing mark). PostgreSQL is a throwaway server of tests/pg_lib.sh (fsync off, as in the tests: the figure is
# the import's work, not the disk's). Prints a table; exits non-zero when a run fails or the backends disagree.
#
# Environment: BUILD (default build), BENCH_ROWS (default 200000), TMPDIR (about 2.5 KB a row).
set -euo pipefail

ROOT=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
ROWS=${BENCH_ROWS:-200000}
FEEDSYNC=$BUILD/feedsync
GEN=$BUILD/bench/gen_feed
source "$ROOT/bench/lib.sh"
source "$ROOT/tests/pg_lib.sh"

[[ $ROWS =~ ^[0-9]+$ ]] && ((ROWS >= 100)) || die "BENCH_ROWS=$ROWS: expected a whole number of at least 100"
for tool in "$GEN" "$FEEDSYNC"; do
	[[ -x $tool ]] || die "$tool is missing: build it with 'make all $BUILD/bench/gen_feed'"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-bench-pg.XXXXXX")
trap 'pg_stop; rm -rf "$TMP"' EXIT
pg_start "$TMP" || die "cannot start PostgreSQL"

echo "generating $ROWS rows"
"$GEN" --rows "$ROWS" >"$TMP/full.csv" 2>/dev/null
"$GEN" --rows "$ROWS" --changed 10 >"$TMP/changed.csv" 2>"$TMP/gen.err"
CHANGED_ROWS=$(awk '$1 == "rows" { print $4 }' "$TMP/gen.err")
cp "$TMP/changed.csv" "$TMP/unchanged.csv"
# Every tenth product left out (by record: a description may hold a newline).
MISSING_ROWS=$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
out = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
out.writerow(rows[0])
kept = [r for i, r in enumerate(rows[1:]) if i % 10]
out.writerows(kept)
print(len(rows) - 1 - len(kept))' "$TMP/changed.csv" "$TMP/missing.csv")
: >"$TMP/feedsync.ini"

psql_on() { psql "$PG_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

echo "floor: psql COPY of the feed into a table with a primary key on sku"
psql_on -c "CREATE TABLE floor (sku TEXT PRIMARY KEY, name TEXT, description TEXT, price TEXT, quantity TEXT,
  category TEXT, brand TEXT, ean TEXT)"
t0=$(date +%s.%N)
psql_on -c "\\copy floor FROM '$TMP/full.csv' WITH (FORMAT csv, HEADER true)"
t1=$(date +%s.%N)
FLOOR_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
[[ $(psql_on -c "SELECT count(*) FROM floor") == "$ROWS" ]] || die "the floor's COPY did not load $ROWS rows"
psql_on -c "DROP TABLE floor"

declare -A SECS=() COUNTS=() SUMS=()
problems=0

# bench_on BACKEND DB: the four runs of one backend into DB, each timed by the clock around `run --wait`.
bench_on() {
	local backend=$1 db=$2 step t0 t1 run_id conn
	fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$db" "$@"; }
	printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}}\n' "$TMP" >"$TMP/conn.json"
	fs conn add --file "$TMP/conn.json" --json >"$TMP/conn.out" || die "$backend: conn add failed"
	conn=$(json_number id "$TMP/conn.out")
	for step in full changed unchanged missing; do
		cp "$TMP/$step.csv" "$TMP/feed.csv"
		cat "$TMP/feed.csv" >/dev/null
		sync
		t0=$(date +%s.%N)
		fs run "$conn" --wait --json >"$TMP/run.out" 2>"$TMP/run.err" || [[ $? == 3 ]] ||
			die "$backend $step: feedsync run failed: $(cat "$TMP/run.out" "$TMP/run.err")"
		t1=$(date +%s.%N)
		SECS[$backend.$step]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		run_id=$(json_number id "$TMP/run.out")
		fs runs show "$run_id" --json >"$TMP/show.json"
		COUNTS[$backend.$step]="$(json_string status "$TMP/show.json") rows $(json_number rows_read "$TMP/show.json")"
		COUNTS[$backend.$step]+=" created $(json_number created "$TMP/show.json")"
		COUNTS[$backend.$step]+=" updated $(json_number updated "$TMP/show.json")"
		COUNTS[$backend.$step]+=" unchanged $(json_number unchanged "$TMP/show.json")"
		COUNTS[$backend.$step]+=" failed $(json_number failed "$TMP/show.json")"
		COUNTS[$backend.$step]+=" $(grep -o '[0-9]* missing from the feed' "$TMP/show.json" | head -n1 || true)"
	done
}

# The catalog as one line: its count, how many are missing, and a checksum over sku, hash and the missing mark.
catalog_sum_sql="SELECT count(*) || ' ' || count(missing_since) || ' ' ||
  sum(length(sku) * 7 + (hash % 1000003) + CASE WHEN missing_since IS NULL THEN 0 ELSE 13 END) FROM products"

bench_on sqlite "$TMP/bench.db"
SUMS[sqlite]=$(sqlite3 "$TMP/bench.db" "$catalog_sum_sql")
psql_on -c "CREATE DATABASE bench" >/dev/null
bench_on postgresql "${PG_URL%/*}/bench"
SUMS[postgresql]=$(psql "${PG_URL%/*}/bench" -X -q -At -c "$catalog_sum_sql")

echo
echo "feedsync import on SQLite and PostgreSQL: $ROWS rows ($CHANGED_ROWS changed, $MISSING_ROWS left out), $(nproc) cores"
printf '%-10s %10s %10s %8s   %s\n' run sqlite_s pg_s pg/sqlite "counters (PostgreSQL's)"
for step in full changed unchanged missing; do
	printf '%-10s %10s %10s %7sx   %s\n' "$step" "${SECS[sqlite.$step]}" "${SECS[postgresql.$step]}" \
		"$(awk -v a="${SECS[sqlite.$step]}" -v b="${SECS[postgresql.$step]}" 'BEGIN { printf "%.2f", b / a }')" \
		"${COUNTS[postgresql.$step]}"
	if [[ ${COUNTS[sqlite.$step]} != "${COUNTS[postgresql.$step]}" ]]; then
		echo "  PROBLEM: $step: SQLite counted ${COUNTS[sqlite.$step]}" >&2
		problems=$((problems + 1))
	fi
done
printf 'floor (psql COPY into an indexed table): %s s; the full import on PostgreSQL is %sx of it\n' "$FLOOR_SECS" \
	"$(awk -v f="$FLOOR_SECS" -v s="${SECS[postgresql.full]}" 'BEGIN { printf "%.2f", f / s }')"
if [[ ${SUMS[sqlite]} != "${SUMS[postgresql]}" ]]; then
	echo "  PROBLEM: the catalogs differ: SQLite ${SUMS[sqlite]}, PostgreSQL ${SUMS[postgresql]}" >&2
	problems=$((problems + 1))
fi
((problems == 0))
