#!/usr/bin/env bash
# feedsync's Shopify push benchmark (bench/run.sh runs it after the other pushes; it also runs alone). Pushes N
# products to an empty fake Shopify store (tests/fakeshopify/fakeshopify.py) whose cost bucket holds BUCKET
# points and restores RATE a second, and sets the push phase of `feedsync run --wait` (from its "phase pushing"
# event to "phase reconcile") against the ceiling that budget allows: the points the fake's cost table charges
# for the least a push must send (one productSet of 10 points a product; per 250 products one lookup, 2 points
# when it finds nothing, and one inventorySetQuantities of 10), less the full bucket it starts with, restored at
# RATE. The wait is the shop's, not the client's: a ratio near 1 says feedsync spends no point twice and waits no
# longer than the bucket needs.
# Prints a table; exits 0 whatever the ratio, non-zero when a step fails or the store's counts are wrong.
#
# Environment: BUILD (default build), FEEDSYNC (default $BUILD/feedsync), BENCH_SHOPIFY_PRODUCTS (default 500),
# BENCH_SHOPIFY_BUCKET (default 1000), BENCH_SHOPIFY_RATE (default 100), TMPDIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${BENCH_SHOPIFY_PRODUCTS:-500}
BUCKET=${BENCH_SHOPIFY_BUCKET:-1000}
RATE=${BENCH_SHOPIFY_RATE:-100}
FEEDSYNC=${FEEDSYNC:-$BUILD/feedsync}
PYTHON=$(command -v python3 || true)
TOKEN=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
TARGET=0.9  # feedsync / ceiling

source "$ROOT/bench/lib.sh"

[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHOPIFY_PRODUCTS=$N: expected a whole number of at least 1"
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

"$PYTHON" - "$TMP/feed.csv" "$N" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("sku,name,price,quantity\n")
    for i in range(int(sys.argv[2])):
        f.write("SKU-%07d,Shirt %d,%d.50,%d\n" % (i, i, 10 + i % 90, i % 50))
PY
: >"$TMP/feedsync.ini"
DB=$TMP/feedsync.db
fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$DB" "$@"; }

echo "feedsync Shopify push benchmark: $N products, a bucket of $BUCKET points restoring $RATE/s; $(nproc) cores"
fs dest add --type shopify --name bench --url "$URL" --token "$TOKEN" --allow-http --json >"$TMP/dest.out" 2>&1 ||
	die "feedsync dest add failed: $(cat "$TMP/dest.out")"
printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}, "destination": {"type": "shopify", "id": %s}}\n' \
	"$TMP" "$(json_number id "$TMP/dest.out")" >"$TMP/conn.json"
fs conn add --file "$TMP/conn.json" --json >"$TMP/conn.out" 2>&1 || die "feedsync conn add failed: $(cat "$TMP/conn.out")"
rc=0
fs run "$(json_number id "$TMP/conn.out")" --wait --json >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
run=$(json_number id "$TMP/run.out")
[[ -n $run ]] || die "feedsync run failed (exit $rc): $(cat "$TMP/run.err" "$TMP/run.out")"
if [[ $(json_string status "$TMP/run.out") != completed || $(json_number push_processed "$TMP/run.out") != "$N" ]]; then
	fs runs log "$run" >&2 || true
	die "feedsync run $run did not push the $N products: $(cat "$TMP/run.out")"
fi
read -r products throttled < <("$PYTHON" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/state"))
print(len(s["products"]), sum(1 for r in s["requests"] if r.get("code") == "THROTTLED"))' "$URL")
[[ $products == "$N" ]] || die "the store after feedsync run $run holds $products products, expected $N"

ms=$(sqlite3 "$DB" "SELECT max(at) - min(at) FROM run_events WHERE run_id = $run
	AND message IN ('phase pushing', 'phase reconcile')")
F_SECS=$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')
CHUNKS=$(((N + 249) / 250))
POINTS=$((N * 10 + CHUNKS * 12))
C_SECS=$(awk -v p="$POINTS" -v b="$BUCKET" -v r="$RATE" 'BEGIN { s = (p - b) / r; printf "%.3f", (s > 0 ? s : 0) }')
# Per minute: a few products a second would round the ratio away.
F_RATE=$(rate $((N * 60)) "$F_SECS") C_RATE=$(rate $((N * 60)) "$C_SECS")
printf '  %-28s %8.2f s %10s products/min  %s requests throttled\n' "feedsync push phase" "$F_SECS" "$F_RATE" \
	"$throttled"
printf '  %-28s %8.2f s %10s products/min  %s points, %s of them in the full bucket\n' ceiling "$C_SECS" "$C_RATE" \
	"$POINTS" "$BUCKET"
echo
printf '%-22s %12s %12s %8s %8s %7s\n' measurement products/min ceiling/min ratio target verdict
row "feedsync Shopify" "$F_RATE" "$C_RATE" "$TARGET"
