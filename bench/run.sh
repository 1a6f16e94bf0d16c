#!/usr/bin/env bash
# feedsync's import benchmark (`make bench`). Measures feedsync against floors timed in the same run, because
# a 2-core machine is too noisy for absolute figures alone:
#   full import      feedsync run on a fresh catalog   vs floor_import (libcsv + one upsert statement)
#   changed import   10% of prices and stocks changed  vs floor_parse_hash (libcsv + FNV-1a per row)
#   unchanged import the same content again             vs floor_parse_hash
#   memory           peak RSS at N and N/4 products: the growth per product must be index-sized, not row-sized
#   price rules      full and unchanged imports with three price rules vs the same without, in turns (full >= 0.9x)
# then the console's (bench/console_bench.c) and the pushes' (bench/push.sh against a fake shop's ceiling,
# bench/push_wp.sh against a fake WordPress site replaying feedsync's own requests, bench/push_shopify.sh
# against the time a fake Shopify store's cost bucket allows).
# Prints a table; exits 0 whatever the ratios, non-zero when a run fails or its counts are wrong.
#
# Environment: BUILD (default build), BENCH_ROWS (default 1000000), FEEDSYNC (default $BUILD/feedsync),
# BENCH_PUSH_PRODUCTS and the others bench/push.sh lists, BENCH_WP_POSTS (bench/push_wp.sh),
# BENCH_SHOPIFY_PRODUCTS, _BUCKET and _RATE (bench/push_shopify.sh),
# BENCH_BEST (default 3: the short measurements keep the best of that many runs),
# BENCH_CONSOLE_PRODUCTS (default 1000000: the Products screen's catalog), BENCH_CONSOLE_IDLE (default 10:
# seconds of each idle window), BENCH_CONSOLE_CACHE (a directory that keeps the console's database between runs),
# TMPDIR (where the feeds and databases go: about 2.5 KB a row; removed at the end).
set -euo pipefail

ROOT=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
ROWS=${BENCH_ROWS:-1000000}
FEEDSYNC=${FEEDSYNC:-$BUILD/feedsync}
BIN=$BUILD/bench
CHANGED_PCT=10
REPEAT=${BENCH_BEST:-3}
CONSOLE_PRODUCTS=${BENCH_CONSOLE_PRODUCTS:-1000000}
CONSOLE_IDLE=${BENCH_CONSOLE_IDLE:-10}

FULL_TARGET=0.8       # feedsync / floor_import
RULES_TARGET=0.9      # full import with three price rules / without (the unchanged re-import's ratio is shown:
                      # with little else to do per row, the rules' share of it is larger)
# Three price rules of the kind README's "Price and stock rules" shows: a markup ending in .99, a minimum margin,
# and a discount for well-stocked products. They rewrite the price the mapping fills and add no field, so the
# ratio is the rules' own cost: a rule that gives most products a new field (a sale_price) makes every one of
# them bigger to hash and store, which on a 1M-row full import cost about as much CPU again as the rules
# themselves (0.89x by CPU with such a rule, 0.95x with these).
RULES='"rules": [{"set": "regular_price", "to": "price * 1.19 + 5", "round_to": 0.99},
 {"set": "regular_price", "to": "max(regular_price, price * 1.15)"},
 {"set": "regular_price", "to": "regular_price * 0.95", "when": "quantity > 100", "round_to": 0.05}]' 
UNCHANGED_TARGET=0.6  # feedsync / floor_parse_hash
RSS_TARGET_MB=64      # peak RSS with 1M products in the catalog
GROWTH_TARGET_B=40    # RSS growth per extra product: the in-memory index's share; a feed row is ~200 bytes

source "$ROOT/bench/lib.sh"

[[ $ROWS =~ ^[0-9]+$ ]] && ((ROWS >= 100)) || die "BENCH_ROWS=$ROWS: expected a whole number of at least 100"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_BEST=$REPEAT: expected a whole number of at least 1"
[[ $CONSOLE_PRODUCTS =~ ^[0-9]+$ ]] || die "BENCH_CONSOLE_PRODUCTS=$CONSOLE_PRODUCTS: expected a whole number"
[[ $CONSOLE_IDLE =~ ^[0-9]+$ ]] || die "BENCH_CONSOLE_IDLE=$CONSOLE_IDLE: expected a whole number of seconds"
QROWS=$((ROWS / 4))
for tool in "$BIN/gen_feed" "$BIN/floor_import" "$BIN/floor_parse_hash" "$BIN/peak_rss" "$FEEDSYNC"; do
	[[ -x $tool ]] || die "$tool is missing: build it with 'make bench'"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---- data ----

# gen NAME ROWS PCT: writes $TMP/NAME.csv; sets GEN_CHANGED to the number of products whose offer changed.
gen() {
	local file=$TMP/$1.csv
	echo "generating $1.csv ($2 rows)"
	"$BIN/gen_feed" --rows "$2" --changed "$3" >"$file" 2>"$TMP/gen.err" || die "gen_feed failed: $(cat "$TMP/gen.err")"
	GEN_CHANGED=$(awk '$1 == "rows" { print $4 }' "$TMP/gen.err")
}

gen feed "$ROWS" 0
FULL=$TMP/feed.csv
gen "changed$CHANGED_PCT" "$ROWS" "$CHANGED_PCT"
CHANGED=$TMP/changed$CHANGED_PCT.csv
CHANGED_ROWS=$GEN_CHANGED
gen quarter "$QROWS" 0
QUARTER=$TMP/quarter.csv

# ---- measuring ----

PROBLEMS=()
problem() { PROBLEMS+=("$*"); echo "  PROBLEM: $*" >&2; }

# peak_rss OUT CMD...: runs CMD and writes the CPU seconds it used (the line before the last: user and system)
# and its peak RSS in KB (the last line) to OUT.
if [[ -x /usr/bin/time ]]; then
	peak_rss() { /usr/bin/time -f '%U %S
%M' -o "$@"; }
else
	peak_rss() { "$BIN/peak_rss" "$@"; }
fi

# measure NAME CMD...: runs CMD with the page cache warm and dirty pages flushed, so one measurement's
# writeback does not land on the next; BEST=N runs it N times (a repeat must measure the same thing) and
# keeps the fastest time, the least CPU and the highest peak RSS, which evens out a busy machine's noise on
# short runs. Sets SECS, CPU_SECS, RSS_KB, RC; the last run's output goes to $TMP/NAME.out and .err.
measure() {
	local name=$1 t0 t1 secs cpu i
	shift
	SECS='' CPU_SECS='' RSS_KB=0
	for ((i = 0; i < ${BEST:-1}; i++)); do
		sync
		t0=$(date +%s.%N)
		RC=0
		peak_rss "$TMP/$name.rss" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || RC=$?
		t1=$(date +%s.%N)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		SECS=$(awk -v a="${SECS:-$secs}" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
		RSS_KB=$(awk -v a="$RSS_KB" -v b="$(tail -n1 "$TMP/$name.rss")" 'BEGIN { print (b > a ? b : a) }')
		cpu=$(tail -n2 "$TMP/$name.rss" | head -n1 | awk '{ print $1 + $2 }')
		CPU_SECS=$(awk -v a="${CPU_SECS:-$cpu}" -v b="$cpu" 'BEGIN { print (b < a ? b : a) }')
		((RC == 0 || RC == 3)) || return 0
	done
}

warm() { cat "$@" >/dev/null; }

# floor NAME ROWS PROGRAM ARGS...: runs a floor program; sets FLOOR_RPS.
floor() {
	local name=$1 rows=$2
	shift 2
	measure "$name" "$@"
	((RC == 0)) || die "$name failed: $(cat "$TMP/$name.err")"
	local got
	got=$(awk '$1 == "rows" { print $2 }' "$TMP/$name.out")
	[[ $got == "$rows" ]] || die "$name read $got rows, expected $rows"
	FLOOR_RPS=$(rate "$rows" "$SECS")
	printf '  %-28s %8.2f s %10s rows/s\n' "$name" "$SECS" "$FLOOR_RPS"
}

# The benchmark's own settings: the defaults, whatever feedsync.ini the current directory or the user has.
: >"$TMP/feedsync.ini"
fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$DB" "$@"; }

# setup_catalog DIR [MEMBERS]: a fresh database DIR/feedsync.db with one connection reading DIR/feed.csv (and
# the document's extra MEMBERS, like "rules": [...]); sets DB, CONN.
setup_catalog() {
	local dir=$1
	mkdir -p "$dir"
	DB=$dir/feedsync.db
	printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}%s}\n' "$dir" "${2:+, $2}" >"$dir/conn.json"
	fs conn add --file "$dir/conn.json" --json >"$TMP/conn.out" 2>"$TMP/conn.err" ||
		die "feedsync conn add failed: $(cat "$TMP/conn.err" "$TMP/conn.out")"
	CONN=$(json_number id "$TMP/conn.out")
	[[ -n $CONN ]] || die "feedsync conn add printed no id: $(cat "$TMP/conn.out")"
}

# import NAME FEED: copies FEED to the connection's path and times `feedsync run --wait`.
# Sets RPS, RSS_KB, KNOWN and the counters C_ROWS, C_CREATED, C_UPDATED, C_UNCHANGED, C_FAILED.
import() {
	local name=$1 feed=$2 dir
	dir=$(dirname "$DB")
	cp "$feed" "$dir/feed.csv"
	warm "$dir/feed.csv"
	measure "$name" "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$DB" run "$CONN" --wait --json
	local run_id
	run_id=$(json_number id "$TMP/$name.out")
	if ((RC != 0 && RC != 3)) || [[ -z $run_id ]]; then
		echo "bench: feedsync run $CONN --wait exited $RC:" >&2
		cat "$TMP/$name.out" "$TMP/$name.err" >&2
		[[ -n $run_id ]] && fs runs log "$run_id" >&2
		die "$name: the run failed"
	fi
	fs runs show "$run_id" --json >"$TMP/$name.show" || die "feedsync runs show $run_id failed"
	C_ROWS=$(json_number rows_read "$TMP/$name.show")
	C_CREATED=$(json_number created "$TMP/$name.show")
	C_UPDATED=$(json_number updated "$TMP/$name.show")
	C_UNCHANGED=$(json_number unchanged "$TMP/$name.show")
	C_FAILED=$(json_number failed "$TMP/$name.show")
	local status
	status=$(json_string status "$TMP/$name.show")
	fs runs log "$run_id" >"$TMP/$name.log" 2>&1 || true
	KNOWN=$(sed -n 's/.*catalog: \([0-9]*\) products known.*/\1/p' "$TMP/$name.log" | tail -n1)
	RPS=$(rate "$C_ROWS" "$SECS")
	printf '  %-28s %8.2f s %10s rows/s  %s: rows %s created %s updated %s unchanged %s failed %s, peak RSS %s KB\n' \
		"$name" "$SECS" "$RPS" "$status" "$C_ROWS" "$C_CREATED" "$C_UPDATED" "$C_UNCHANGED" "$C_FAILED" "$RSS_KB"
	if [[ $status != completed ]]; then
		problem "$name: run $run_id ended $status (exit $RC)"
		fs runs errors "$run_id" 2>&1 | head -n 12 >&2 || true
	fi
}

# expect NAME LABEL GOT WANT: records a problem when a counter is off.
expect() {
	[[ $3 == "$4" ]] || problem "$1: $2 is ${3:-missing}, expected $4"
}

echo "feedsync import benchmark: $ROWS rows, $(stat -c %s "$FULL") bytes; $(nproc) cores"

echo "full import (fresh catalog)"
warm "$FULL"
floor floor_import "$ROWS" "$BIN/floor_import" "$FULL" "$TMP/floor.db"
rm -f "$TMP"/floor.db*
FULL_FLOOR=$FLOOR_RPS
setup_catalog "$TMP/catalog"
import feedsync_full "$FULL"
FULL_RPS=$RPS FULL_RSS=$RSS_KB FULL_KNOWN=$KNOWN
expect full "rows read" "$C_ROWS" "$ROWS"
expect full created "$C_CREATED" "$ROWS"
expect full failed "$C_FAILED" 0

echo "re-import with $CHANGED_ROWS rows changed"
warm "$CHANGED"
BEST=$REPEAT floor floor_parse_hash_changed "$ROWS" "$BIN/floor_parse_hash" "$CHANGED"
CHANGED_FLOOR=$FLOOR_RPS
import feedsync_changed "$CHANGED"
CHANGED_RPS=$RPS CHANGED_RSS=$RSS_KB
expect changed "rows read" "$C_ROWS" "$ROWS"
expect changed created "$C_CREATED" 0
expect changed updated "$C_UPDATED" "$CHANGED_ROWS"
expect changed unchanged "$C_UNCHANGED" $((ROWS - CHANGED_ROWS))
expect changed failed "$C_FAILED" 0

echo "re-import of an unchanged copy"
BEST=$REPEAT floor floor_parse_hash_unchanged "$ROWS" "$BIN/floor_parse_hash" "$CHANGED"
UNCHANGED_FLOOR=$FLOOR_RPS
BEST=$REPEAT import feedsync_unchanged "$CHANGED"
UNCHANGED_RPS=$RPS UNCHANGED_RSS=$RSS_KB
expect unchanged "rows read" "$C_ROWS" "$ROWS"
expect unchanged created "$C_CREATED" 0
expect unchanged updated "$C_UPDATED" 0
expect unchanged unchanged "$C_UNCHANGED" "$ROWS"
rm -rf "$TMP/catalog"

# The same imports with and without three price rules, taken in turns so the machine's load falls on both; each
# full import starts from a copy of its empty catalog.
echo "full and unchanged imports without and with three price rules, in turns (best of $REPEAT)"
setup_catalog "$TMP/plain"
PLAIN_DB=$DB PLAIN_CONN=$CONN
setup_catalog "$TMP/rules" "$RULES"
RULES_DB=$DB RULES_CONN=$CONN
cp "$PLAIN_DB" "$TMP/plain/empty.db"
cp "$RULES_DB" "$TMP/rules/empty.db"
on() { if [[ $1 == plain ]]; then DB=$PLAIN_DB CONN=$PLAIN_CONN; else DB=$RULES_DB CONN=$RULES_CONN; fi; }
declare -A TURN_RPS=() TURN_CPU_RPS=()
# turn NAME: keeps NAME's best rate, by the clock and by the CPU it used (steadier when other work shares the
# machine: a turn that waited for the CPU is not slower by it).
turn() {
	TURN_RPS[$1]=$(awk -v a="${TURN_RPS[$1]:-0}" -v b="$RPS" 'BEGIN { print (b > a ? b : a) }')
	TURN_CPU_RPS[$1]=$(awk -v a="${TURN_CPU_RPS[$1]:-0}" -v b="$(rate "$C_ROWS" "$CPU_SECS")" 'BEGIN { print (b > a ? b : a) }')
}
for ((i = 0; i < REPEAT; i++)); do
	for side in plain rules; do
		on "$side"
		rm -f "$DB" "$DB-wal" "$DB-shm"
		cp "$(dirname "$DB")/empty.db" "$DB"
		import "${side}_full" "$FULL"
		expect "${side}_full" created "$C_CREATED" "$ROWS"
		expect "${side}_full" failed "$C_FAILED" 0
		turn "${side}_full"
	done
done
for ((i = 0; i < REPEAT; i++)); do
	for side in plain rules; do
		on "$side"
		import "${side}_unchanged" "$FULL"
		expect "${side}_unchanged" unchanged "$C_UNCHANGED" "$ROWS"
		turn "${side}_unchanged"
	done
done
rm -rf "$TMP/plain" "$TMP/rules"

echo "full import of $QROWS rows (memory against feed size)"
setup_catalog "$TMP/quarter"
import feedsync_quarter "$QUARTER"
QUARTER_RPS=$RPS QUARTER_RSS=$RSS_KB
expect quarter "rows read" "$C_ROWS" "$QROWS"
expect quarter created "$C_CREATED" "$QROWS"
rm -rf "$TMP/quarter"

# ---- the table ----

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

echo
printf '%-22s %12s %12s %8s %8s %7s\n' measurement rows/s floor/s ratio target verdict
row "full import" "$FULL_RPS" "$FULL_FLOOR" "$FULL_TARGET"
row "changed re-import" "$CHANGED_RPS" "$CHANGED_FLOOR" -
row "unchanged re-import" "$UNCHANGED_RPS" "$UNCHANGED_FLOOR" "$UNCHANGED_TARGET"
awk -v name="import of $QROWS" -v rps="$QUARTER_RPS" 'BEGIN { printf "%-22s %12d %12s %8s %8s %7s\n", name, rps, "-", "-", "-", "-" }'
echo
printf '%-22s %12s %12s %8s %8s %7s\n' "with 3 price rules" rows/s no-rules/s ratio target verdict
row "full import" "${TURN_RPS[rules_full]}" "${TURN_RPS[plain_full]}" "$RULES_TARGET"
row "full, by CPU" "${TURN_CPU_RPS[rules_full]}" "${TURN_CPU_RPS[plain_full]}" "$RULES_TARGET"
row "unchanged re-import" "${TURN_RPS[rules_unchanged]}" "${TURN_RPS[plain_unchanged]}" -
row "unchanged, by CPU" "${TURN_CPU_RPS[rules_unchanged]}" "${TURN_CPU_RPS[plain_unchanged]}" -
echo
awk -v rows="$ROWS" -v qrows="$QROWS" -v full="$FULL_RSS" -v quarter="$QUARTER_RSS" -v changed="$CHANGED_RSS" \
	-v unchanged="$UNCHANGED_RSS" -v known="${FULL_KNOWN:-$ROWS}" -v target_mb="$RSS_TARGET_MB" \
	-v target_b="$GROWTH_TARGET_B" 'BEGIN {
	growth = (full - quarter) * 1024 / (rows - qrows)       # bytes of RSS per extra product
	at_1m = (quarter * 1024 + growth * (1000000 - qrows)) / 1048576
	peak = full; if (changed > peak) peak = changed; if (unchanged > peak) peak = unchanged
	printf "%-40s %14s %12s %7s\n", "memory", "value", "target", "verdict"
	printf "%-40s %11.1f MB %12s %7s\n", "peak RSS, full import of " rows, full / 1024, "", "-"
	printf "%-40s %11.1f MB %12s %7s\n", "peak RSS, changed re-import", changed / 1024, "", "-"
	printf "%-40s %11.1f MB %12s %7s\n", "peak RSS, unchanged re-import", unchanged / 1024, "", "-"
	printf "%-40s %11.1f MB %12s %7s\n", "peak RSS, full import of " qrows, quarter / 1024, "", "-"
	printf "%-40s %12.2fx %12s %7s\n", "RSS at " rows " / RSS at " qrows, full / quarter, "(feed-bound 4x)", "-"
	printf "%-40s %12.0f B %12s %7s\n", "RSS growth per extra product", growth, "<= " target_b " B",
	       growth <= target_b ? "PASS" : "BELOW"
	printf "%-40s %12.0f B %12s %7s\n", "peak RSS per catalog product (bound)", peak * 1024 / known, "", "-"
	if (rows == 1000000)
		printf "%-40s %11.1f MB %12s %7s\n", "peak RSS at 1M products", peak / 1024, "<= " target_mb " MB",
		       peak / 1024 <= target_mb ? "PASS" : "BELOW"
	else
		printf "%-40s %11.1f MB %12s %7s\n", "peak RSS at 1M products (projected)", at_1m, "<= " target_mb " MB",
		       at_1m <= target_mb ? "PASS" : "BELOW"
}'

echo
echo "console: every screen drawn to a null terminal, then idle with a run live in another process"
# The console's database takes minutes to fill: BENCH_CONSOLE_CACHE keeps it there between runs, one file
# per size and version of the filler (a kept database is used as it is).
CONSOLE_DIR=${BENCH_CONSOLE_CACHE:-$TMP}
mkdir -p "$CONSOLE_DIR"
CONSOLE_DB=$CONSOLE_DIR/console-$CONSOLE_PRODUCTS-$(cksum <"$ROOT/bench/console_fill.h" | cut -d' ' -f1).db
"$BIN/console_bench" --products "$CONSOLE_PRODUCTS" --idle "$CONSOLE_IDLE" --db "$CONSOLE_DB" ||
	PROBLEMS+=("console_bench failed")

echo
BUILD=$BUILD FEEDSYNC=$FEEDSYNC BENCH_BEST=$REPEAT "$ROOT/bench/push.sh" || PROBLEMS+=("the push benchmark failed")
echo
BUILD=$BUILD FEEDSYNC=$FEEDSYNC BENCH_BEST=$REPEAT "$ROOT/bench/push_wp.sh" ||
	PROBLEMS+=("the WordPress push benchmark failed")
echo
BUILD=$BUILD FEEDSYNC=$FEEDSYNC "$ROOT/bench/push_shopify.sh" || PROBLEMS+=("the Shopify push benchmark failed")

if ((${#PROBLEMS[@]})); then
	echo
	echo "bench: ${#PROBLEMS[@]} problem(s):" >&2
	printf '  %s\n' "${PROBLEMS[@]}" >&2
	exit 1
fi
