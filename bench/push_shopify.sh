#!/usr/bin/env bash
# feedsync's Shopify push benchmark (bench/run.sh runs it after the other pushes; it also runs alone). Pushes N
# products to an empty fake Shopify store (tests/fakeshopify/fakeshopify.py) whose cost bucket holds BUCKET
# points and restores RATE a second, and sets the push phase of `feedsync run --wait` (from its "phase pushing"
# event to "phase reconcile") against the ceiling that budget allows: the points the fake's cost table charges
# for the least a push must send (one productSet of 10 points a product; per 250 products one lookup, 2 points
# when it finds nothing, and one inventorySetQuantities of 10), less the full bucket it starts with, restored at
# RATE. The wait is the shop's, not the client's: a ratio near 1 says feedsync spends no point twice and waits no
# longer than the bucket needs. Then BULK_N products go through the bulk path (--bulk-above 1: one staged upload
# and bulk mutation), against the ceiling a synchronous push of as many has: its ratio is the bulk path's gain.
# Prints a table; exits 0 whatever the ratio, non-zero when a step fails or the store's counts are wrong.
#
# Environment: BUILD (default build), FEEDSYNC (default $BUILD/feedsync), BENCH_SHOPIFY_PRODUCTS (default 500),
# BENCH_SHOPIFY_BULK_PRODUCTS (default 5000; the issue's figure is 100000), BENCH_SHOPIFY_BUCKET (default 1000),
# BENCH_SHOPIFY_RATE (default 100), TMPDIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${BENCH_SHOPIFY_PRODUCTS:-500}
BULK_N=${BENCH_SHOPIFY_BULK_PRODUCTS:-5000}
BUCKET=${BENCH_SHOPIFY_BUCKET:-1000}
RATE=${BENCH_SHOPIFY_RATE:-100}
FEEDSYNC=${FEEDSYNC:-$BUILD/feedsync}
PYTHON=$(command -v python3 || true)
TOKEN=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
TARGET=0.9  # feedsync / ceiling

source "$ROOT/bench/lib.sh"

[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHOPIFY_PRODUCTS=$N: expected a whole number of at least 1"
[[ $BULK_N =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHOPIFY_BULK_PRODUCTS=$BULK_N: expected a whole number of at least 1"
[[ $BUCKET =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHOPIFY_BUCKET=$BUCKET: expected a whole number of points"
[[ $RATE =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHOPIFY_RATE=$RATE: expected a whole number of points a second"
[[ -n $PYTHON ]] || die "python3 is missing: the fake store needs it"
command -v sqlite3 >/dev/null || die "sqlite3 is missing: the push phase is timed from the run's events"
[[ -x $FEEDSYNC ]] || die "$FEEDSYNC is missing: build it with 'make bench'"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-push-shopify.XXXXXX")
FAKE_PID=
cleanup() {
	[[ -z $FAKE_PID ]] || kill "$FAKE_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

start_fake store "$ROOT/tests/fakeshopify/fakeshopify.py" --lifetime 3600 --bucket-size "$BUCKET" \
	--restore-rate "$RATE"

# push N [DEST OPTIONS...]: N products from a fresh database to the emptied fake store; sets F_SECS (the push
# phase, from its "phase pushing" event to "phase reconcile") and THROTTLED (requests the store refused so).
push() {
	local n=$1 db=$TMP/feedsync-$1-$#.db
	shift
	"$PYTHON" - "$TMP/feed.csv" "$n" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("sku,name,price,quantity\n")
    for i in range(int(sys.argv[2])):
        f.write("SKU-%07d,Shirt %d,%d.50,%d\n" % (i, i, 10 + i % 90, i % 50))
PY
	"$PYTHON" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fake/reset", data=b"{}", method="POST")).read()' "$URL"
	fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$db" "$@"; }
	fs dest add --type shopify --name bench --url "$URL" --token "$TOKEN" --allow-http --json "$@" >"$TMP/dest.out" 2>&1 ||
		die "feedsync dest add failed: $(cat "$TMP/dest.out")"
	printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}, "destination": {"type": "shopify", "id": %s}}\n' \
		"$TMP" "$(json_number id "$TMP/dest.out")" >"$TMP/conn.json"
	fs conn add --file "$TMP/conn.json" --json >"$TMP/conn.out" 2>&1 || die "feedsync conn add failed: $(cat "$TMP/conn.out")"
	local rc=0 run products
	fs run "$(json_number id "$TMP/conn.out")" --wait --json >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
	run=$(json_number id "$TMP/run.out")
	[[ -n $run ]] || die "feedsync run failed (exit $rc): $(cat "$TMP/run.err" "$TMP/run.out")"
	if [[ $(json_string status "$TMP/run.out") != completed || $(json_number push_processed "$TMP/run.out") != "$n" ]]; then
		fs runs log "$run" >&2 || true
		die "feedsync run $run did not push the $n products: $(cat "$TMP/run.out")"
	fi
	read -r products THROTTLED < <("$PYTHON" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/state"))
print(len(s["products"]), sum(1 for r in s["requests"] if r.get("code") == "THROTTLED"))' "$URL")
	[[ $products == "$n" ]] || die "the store after feedsync run $run holds $products products, expected $n"
	local ms
	ms=$(sqlite3 "$db" "SELECT max(at) - min(at) FROM run_events WHERE run_id = $run
		AND message IN ('phase pushing', 'phase reconcile')")
	F_SECS=$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')
}

# ceiling N: sets POINTS and C_SECS, the points the least synchronous push of N products is charged and the time
# the bucket needs to restore them.
ceiling() {
	local chunks=$((($1 + 249) / 250))
	POINTS=$(($1 * 10 + chunks * 12))
	C_SECS=$(awk -v p="$POINTS" -v b="$BUCKET" -v r="$RATE" 'BEGIN { s = (p - b) / r; printf "%.3f", (s > 0 ? s : 0) }')
}

: >"$TMP/feedsync.ini"
echo "feedsync Shopify push benchmark: $N products, a bucket of $BUCKET points restoring $RATE/s; $(nproc) cores"
push "$N" --bulk-above 0
ceiling "$N"
# Per minute: a few products a second would round the ratio away.
F_RATE=$(rate $((N * 60)) "$F_SECS") C_RATE=$(rate $((N * 60)) "$C_SECS")
printf '  %-28s %8.2f s %10s products/min  %s requests throttled\n' "feedsync push phase" "$F_SECS" "$F_RATE" \
	"$THROTTLED"
printf '  %-28s %8.2f s %10s products/min  %s points, %s of them in the full bucket\n' ceiling "$C_SECS" "$C_RATE" \
	"$POINTS" "$BUCKET"
# The bulk push is charged a few mutations and polls, not a productSet a product: its line says how far it
# goes beyond the ceiling a synchronous push of as many products has.
push "$BULK_N" --bulk-above 1
B_SECS=$F_SECS
ceiling "$BULK_N"
B_RATE=$(rate $((BULK_N * 60)) "$B_SECS") BC_RATE=$(rate $((BULK_N * 60)) "$C_SECS")
printf '  %-28s %8.2f s %10s products/min  %s requests throttled\n' "feedsync bulk push ($BULK_N)" "$B_SECS" "$B_RATE" \
	"$THROTTLED"
printf '  %-28s %8.2f s %10s products/min  %s points\n' "synchronous ceiling ($BULK_N)" "$C_SECS" "$BC_RATE" "$POINTS"
echo
printf '%-22s %12s %12s %8s %8s %7s\n' measurement products/min ceiling/min ratio target verdict
row "feedsync Shopify" "$F_RATE" "$C_RATE" "$TARGET"
row "feedsync Shopify bulk" "$B_RATE" "$BC_RATE" "$TARGET"
