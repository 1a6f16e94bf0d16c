#!/bin/bash
# Push throughput against fakewoo, three ways over the same requests:
#   feedsync     a create run then an update run of PRODUCTS products (Basic auth, CONCURRENCY requests at once)
#   ceiling      curl replaying exactly the requests feedsync sent, as many at once, over kept-alive connections:
#                the fake shop's own limit
#   naive        the same requests one at a time, a new connection each, curl's default Expect: 100-continue
# Rates are requests per second of the shop's busy time (first request in to last answer out).
#   tests/fakewoo/measure.sh [PRODUCTS=20000] [CONCURRENCY=4]       BUILD=build-asan ... for another build
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
N=${1:-20000}
C=${2:-4}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
KEY=ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6
SECRET=cs_8e9308d6d488ec65624345038f70f472e8afe675
W=$(mktemp -d "${TMPDIR:-/tmp}/fakewoo-measure.XXXXXX")
trap 'kill $FAKE 2>/dev/null; rm -rf "$W"' EXIT
cd "$W"
export FEEDSYNC_CONFIG=/dev/null FEEDSYNC_DB="$W/fs.db"
FS="$ROOT/$BUILD/feedsync"

"$PY" "$ROOT/tests/fakewoo/fakewoo.py" --scheme https --port-file port --record requests.jsonl --lifetime 3600 &
FAKE=$!
for _ in $(seq 200); do [ -s port ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat port)"
stat() { "$PY" -c 'import json,sys,urllib.request
s=json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/stats"))
print(eval(sys.argv[2], {}, s))' "$URL" "$1"; }
reset() { "$PY" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1] + "/__fake/reset", b"")' "$URL"; }

feed() {
	"$PY" - "$1" "$2" <<'PY'
import sys
n, off = int(sys.argv[1]), int(sys.argv[2])
with open("feed.csv", "w") as f:
    f.write("sku,name,price,quantity,description\n")
    for i in range(n):
        c = 1000 + i + off
        f.write("BENCH-%06d,Bench product %d,%d.%02d,%d,A product used to measure pushes\n" % (i, i, c // 100, c % 100, i % 97))
PY
}

"$FS" dest add --name bench --url "$URL" --auth basic --key "$KEY" --secret "$SECRET" --concurrency "$C" >/dev/null
printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}, "destination": {"type": "woocommerce", "id": 1}}' \
	"$W" >conn.json
"$FS" conn add --file conn.json >/dev/null

REQS=0 BUSY=0
push() { # label: one run; adds its requests and the shop's busy time to REQS and BUSY
	local start end
	"$PY" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1] + "/__fake/reset_log", b"")' "$URL"
	start=$(date +%s.%N)
	"$FS" run 1 --wait >/dev/null
	end=$(date +%s.%N)
	local reqs busy
	reqs=$(stat requests)
	busy=$(stat busy_s)
	printf '%s: %d requests in %.2f s of shop time (whole run with the import: %.2f s)\n' "$1" "$reqs" "$busy" \
		"$(echo "$end - $start" | bc)"
	REQS=$((REQS + reqs))
	BUSY=$(echo "$BUSY + $busy" | bc -l)
}
feed "$N" 0
push "create run"
feed "$N" 100
push "update run"
PRODUCTS=$(stat products)
printf 'feedsync: %d products, %d requests in %.2f s of shop time: %.0f requests/s, %.0f products/min\n' \
	"$PRODUCTS" "$REQS" "$BUSY" "$(echo "$REQS / $BUSY" | bc -l)" "$(echo "2 * $N / $BUSY * 60" | bc -l)"

# The same requests for curl: bodies in files, one config entry each.
"$PY" - "$URL" "$KEY:$SECRET" <<'PY'
import json, os, sys
url, user = sys.argv[1], sys.argv[2]
os.makedirs("bodies", exist_ok=True)
entries = []
for i, line in enumerate(open("requests.jsonl")):
    r = json.loads(line)
    e = ['url = "%s%s"' % (url, r["target"]), 'user = "%s"' % user, 'output = "/dev/null"']
    if r["method"] != "GET":
        path = "bodies/%06d.json" % i
        open(path, "w").write(r["body"])
        e += ['data-binary = "@%s"' % path, 'header = "Content-Type: application/json"']
    entries.append("\n".join(e))
open("replay.cfg", "w").write("\nnext\n".join(entries) + "\n")
open("naive.cfg", "w").write("\nnext\n".join(e + '\nheader = "Connection: close"' for e in entries[:300]) + "\n")
PY
reset
curl -s --parallel --parallel-max "$C" --config replay.cfg >/dev/null 2>&1
CEIL_REQS=$(stat requests)
CEIL_BUSY=$(stat busy_s)
printf 'ceiling:  curl --parallel-max %d, kept-alive: %d requests in %.2f s: %.0f requests/s\n' "$C" "$CEIL_REQS" \
	"$CEIL_BUSY" "$(echo "$CEIL_REQS / $CEIL_BUSY" | bc -l)"
printf 'feedsync / ceiling: %.2f\n' "$(echo "($REQS / $BUSY) / ($CEIL_REQS / $CEIL_BUSY)" | bc -l)"
reset
curl -s --config naive.cfg
NAIVE_REQS=$(stat requests)
NAIVE_BUSY=$(stat busy_s)
printf 'naive:    one at a time, new connection, Expect: 100-continue: %d requests in %.2f s: %.0f requests/s\n' \
	"$NAIVE_REQS" "$NAIVE_BUSY" "$(echo "$NAIVE_REQS / $NAIVE_BUSY" | bc -l)"
