#!/usr/bin/env bash
# feedsync's push benchmark (bench/run.sh runs it after the import benchmark; it also runs alone). Pushes N
# products to an empty fake WooCommerce shop (tests/fakewoo/fakewoo.py --bench: answers of a real size from a
# template, so that the client is what is measured) and measures in the same run:
#   feedsync  the push phase of `feedsync run --wait`, from its "phase pushing" event to "phase reconcile":
#             every product looked up by SKU, then created, CONCURRENCY requests at once, results recorded
#   ceiling   bench/push_ceiling replaying the same requests (the categories feedsync made, then the same batches,
#             as many at once), built before its clock starts, over kept-alive connections, a batch's check lookup
#             sent on its create's answer as feedsync must: the fake shop's own limit
#   naive     push_ceiling --naive: a new connection per request, Expect: 100-continue, Nagle's algorithm on,
#             against a shop that leaves it on too (fakewoo --no-nodelay), for NAIVE_SECONDS
#   Nagle     push_ceiling as the ceiling, kept-alive, but against that shop: the delayed-ACK stall a server
#             without TCP_NODELAY inflicts on kept-alive connections, for NAIVE_SECONDS
# After a warm-up push, feedsync and the ceiling are measured BEST times, in turns (the machine's load changes),
# keeping the best of each.
# Prints a table; exits 0 whatever the ratios, non-zero when a step fails or the shop's counts are wrong.
#
# Environment: BUILD (default build), FEEDSYNC (default $BUILD/feedsync), BENCH_PUSH_PRODUCTS (default 100000),
# BENCH_PUSH_CONCURRENCY (default 4, the destinations' default), BENCH_NAIVE_SECONDS (default 10),
# BENCH_BEST (default 3), TMPDIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${BENCH_PUSH_PRODUCTS:-100000}
C=${BENCH_PUSH_CONCURRENCY:-4}
NAIVE_SECONDS=${BENCH_NAIVE_SECONDS:-10}
REPEAT=${BENCH_BEST:-3}
FEEDSYNC=${FEEDSYNC:-$BUILD/feedsync}
BIN=$BUILD/bench
PYTHON=$(command -v python3 || true)
FAKE=$ROOT/tests/fakewoo/fakewoo.py
KEY=ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6
SECRET=cs_8e9308d6d488ec65624345038f70f472e8afe675
BATCH=100
TARGET=0.9  # feedsync / ceiling

source "$ROOT/bench/lib.sh"

[[ $N =~ ^[0-9]+$ ]] && ((N >= BATCH)) || die "BENCH_PUSH_PRODUCTS=$N: expected a whole number of at least $BATCH"
[[ $C =~ ^[0-9]+$ ]] && ((C >= 1 && C <= 64)) || die "BENCH_PUSH_CONCURRENCY=$C: expected 1 to 64"
[[ $NAIVE_SECONDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_NAIVE_SECONDS=$NAIVE_SECONDS: expected a whole number of seconds"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_BEST=$REPEAT: expected a whole number of at least 1"
[[ -n $PYTHON ]] || die "python3 is missing: the fake shop needs it"
command -v sqlite3 >/dev/null || die "sqlite3 is missing: the push phase is timed from the run's events"
for tool in "$BIN/gen_feed" "$BIN/push_ceiling" "$FEEDSYNC"; do
	[[ -x $tool ]] || die "$tool is missing: build it with 'make bench'"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-push.XXXXXX")
SHOPS=()
cleanup() {
	local pid
	for pid in "${SHOPS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_shop NAME ARGS...: a fake shop on a free port of 127.0.0.1; sets URL.
start_shop() {
	local name=$1
	shift
	start_fake "$name" "$FAKE" --lifetime 600 --scheme https --bench "$@"
	SHOPS+=("$FAKE_PID")
}

# shop URL EXPR: EXPR over the shop's /__fake/stats as s.
shop() {
	"$PYTHON" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/stats"))
print(eval(sys.argv[2], {}, {"s": s}))' "$1" "$2"
}

shop_reset() {
	"$PYTHON" "$ROOT/tests/fakewoo/ctl.py" "$1" reset
}

# ceiling NAME ARGS...: push_ceiling on the catalog feedsync pushed, against $URL; sets P_REQUESTS, P_PRODUCTS,
# P_SECS, P_RATE.
ceiling() {
	local name=$1 out=$TMP/ceiling
	shift
	"$BIN/push_ceiling" --db "$DB" --conn "$CONN" --dest "$DEST" --url "$URL" --user "$KEY:$SECRET" --concurrency "$C" \
		--batch-size "$BATCH" "$@" >"$out.out" 2>"$out.err" || die "push_ceiling $* failed: $(cat "$out.err" "$out.out")"
	read -r _ P_REQUESTS _ P_PRODUCTS _ P_SECS _ P_RATE _ <"$out.out"
	printf '  %-28s %8.2f s %10s products/s  %s requests\n' "$name" "$P_SECS" "$P_RATE" "$P_REQUESTS"
}

echo "feedsync push benchmark: $N products, $C requests at once, $BATCH per batch; $(nproc) cores"
"$BIN/gen_feed" --rows "$N" >"$TMP/feed.csv" 2>"$TMP/gen.err" || die "gen_feed failed: $(cat "$TMP/gen.err")"

start_shop shop
SHOP=$URL
: >"$TMP/feedsync.ini"
fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$DB" "$@"; }

# ---- feedsync and the ceiling ----

# feedsync_push: a fresh catalog and an empty shop, then `feedsync run --wait`; sets DB, CONN, DEST, F_SECS, F_RATE,
# F_REQUESTS and F_BUSY (the shop's time from the first request in to the last answer out).
feedsync_push() {
	rm -rf "$TMP/catalog"
	mkdir "$TMP/catalog"
	DB=$TMP/catalog/feedsync.db
	shop_reset "$SHOP"
	fs dest add --name bench --url "$SHOP" --auth basic --key "$KEY" --secret "$SECRET" --concurrency "$C" \
		--batch-size "$BATCH" --json >"$TMP/dest.out" 2>&1 || die "feedsync dest add failed: $(cat "$TMP/dest.out")"
	local run rc=0
	DEST=$(json_number id "$TMP/dest.out")
	printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}, "destination": {"type": "woocommerce", "id": %s}}\n' \
		"$TMP" "$DEST" >"$TMP/conn.json"
	fs conn add --file "$TMP/conn.json" --json >"$TMP/conn.out" 2>&1 ||
		die "feedsync conn add failed: $(cat "$TMP/conn.out")"
	CONN=$(json_number id "$TMP/conn.out")
	fs run "$CONN" --wait --json >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
	run=$(json_number id "$TMP/run.out")
	[[ -n $run ]] || die "feedsync run failed (exit $rc): $(cat "$TMP/run.err" "$TMP/run.out")"
	local status pushed failed
	status=$(json_string status "$TMP/run.out")
	pushed=$(json_number push_processed "$TMP/run.out")
	failed=$(json_number push_failed "$TMP/run.out")
	if [[ $status != completed || $pushed != "$N" || $failed != 0 ]]; then
		fs runs log "$run" >&2 || true
		die "feedsync run $run ended $status (exit $rc): $pushed products pushed, $failed failed, expected $N and 0"
	fi
	# The events' times are milliseconds since the epoch.
	local ms
	ms=$(sqlite3 "$DB" "SELECT max(at) - min(at) FROM run_events WHERE run_id = $run
		AND message IN ('phase pushing', 'phase reconcile')")
	F_SECS=$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')
	F_RATE=$(rate "$N" "$F_SECS")
	F_REQUESTS=$(shop "$SHOP" 's["requests"]')
	F_BUSY=$(shop "$SHOP" '"%.2f" % s["busy_s"]')
	expect_shop "feedsync run $run"
	printf '  %-28s %8.2f s %10s products/s  %s requests, shop busy %s s\n' "feedsync push phase" "$F_SECS" \
		"$F_RATE" "$F_REQUESTS" "$F_BUSY"
}

# expect_shop WHO: the shop holds the N products, and saw no protocol violation.
expect_shop() {
	local got
	got=$(shop "$SHOP" '"%d products, %d violations" % (s["products"], s["violations"])')
	[[ $got == "$N products, 0 violations" ]] || die "the shop after $1: $got"
}

best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0 ? b : a) }'; }

# A fresh shop's first push costs it more (Python grows its heap): that push warms it up and makes the catalog
# the ceiling replays, and is not counted.
echo "  warm-up (not counted):"
feedsync_push
FS_RATE='' CEILING_RATE=''
for ((i = 0; i < REPEAT; i++)); do
	shop_reset "$SHOP"
	ceiling ceiling
	[[ $P_PRODUCTS == "$N" ]] || die "push_ceiling created $P_PRODUCTS products, expected $N"
	[[ $P_REQUESTS == "$F_REQUESTS" ]] ||
		echo "  note: feedsync sent $F_REQUESTS requests, the ceiling $P_REQUESTS (retries or partial batches)"
	expect_shop push_ceiling
	CEILING_RATE=$(best "$CEILING_RATE" "$P_RATE")
	feedsync_push
	FS_RATE=$(best "$FS_RATE" "$F_RATE")
done

# ---- the naive client, and Nagle's algorithm at the shop ----

start_shop nagle --no-nodelay
ceiling naive --naive --seconds "$NAIVE_SECONDS"
NAIVE_RATE=$P_RATE
shop_reset "$URL"
ceiling "kept-alive, Nagle shop" --seconds "$NAIVE_SECONDS"
NAGLE_RATE=$P_RATE

echo
printf '%-22s %12s %12s %8s %8s %7s\n' measurement products/s ceiling/s ratio target verdict
row "feedsync push" "$FS_RATE" "$CEILING_RATE" "$TARGET"
row "naive client" "$NAIVE_RATE" "$CEILING_RATE" -
row "kept-alive, Nagle shop" "$NAGLE_RATE" "$CEILING_RATE" -
awk -v fs="$FS_RATE" -v ceiling="$CEILING_RATE" -v naive="$NAIVE_RATE" -v nagle="$NAGLE_RATE" 'BEGIN {
	printf "feedsync pushes %.0f products/minute (the ceiling %.0f)\n", fs * 60, ceiling * 60
	printf "the naive client is %.1fx slower than the ceiling; kept-alive against a shop with Nagle on, %.1fx\n",
	       (naive > 0 ? ceiling / naive : 0), (nagle > 0 ? ceiling / nagle : 0)
}'
