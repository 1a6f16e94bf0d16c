#!/bin/bash
# `make run`: the console on a demo that shows what feedsync is for. A fake WooCommerce shop (tests/fakewoo) runs
# on a free port of 127.0.0.1 for as long as the console does and keeps its products in the demo directory. The
# first start seeds a history against it from data/: a push that completed, a plan waiting for review, a run
# with bad feed rows, a run the shop refused with HTTP 401, and file exports of the other source types. Later
# starts only point the shop's destination at the shop's new port.
#   tests/helpers/demo.sh build/feedsync     (FEEDSYNC_DEMO_DIR overrides the demo directory, default ./demo)
set -euo pipefail
BIN=$(realpath "${1:-build/feedsync}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(realpath -m "${FEEDSYNC_DEMO_DIR:-$ROOT/demo}")
DB="$DIR/feedsync.db"
# Resolved once: a version manager's python3 shim costs half a second a start.
PY=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
cd "$ROOT"   # the connection documents name their feeds relative to it
# Demo values that the fake shop accepts, and the secret it had before it was regenerated. feedsync gets them on
# standard input and seals them like any shop's; they are never shown.
DEMO_KEY=ck_demo0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1
DEMO_SECRET=cs_demo9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8
OLD_SECRET=cs_demo_regenerated_since_0000000000000001
fs() { "$BIN" --db "$DB" "$@"; }

mkdir -p "$DIR"
SHOP_PID=
stop_shop() {
	[ -n "$SHOP_PID" ] || return 0
	kill "$SHOP_PID" 2>/dev/null || true
	wait "$SHOP_PID" 2>/dev/null || true
	echo "demo: the fake shop stopped; its products stay in $DIR/shop.json for the next start"
}
trap stop_shop EXIT
trap 'exit 130' INT TERM HUP

# The shop never outlives this script, however it ends: fakewoo exits when its parent does (a kill -9 included);
# the lifetime only bounds a console left open for a week.
rm -f "$DIR/.shop.port"
"$PY" tests/fakewoo/fakewoo.py --port-file "$DIR/.shop.port" --lifetime 604800 --state "$DIR/shop.json" \
	--key "$DEMO_KEY" --secret "$DEMO_SECRET" &
SHOP_PID=$!
for _ in $(seq 200); do [ -s "$DIR/.shop.port" ] && break; sleep 0.05; done
[ -s "$DIR/.shop.port" ] || { echo "demo: the fake shop did not start" >&2; exit 1; }
URL="http://127.0.0.1:$(cat "$DIR/.shop.port")"

# set_secret SECRET [dest OPTIONS...]: the Demo shop's credentials, the secret through standard input.
set_secret() {
	local secret=$1; shift
	printf '%s\n' "$secret" | fs dest "$@" --key "$DEMO_KEY" --secret - >/dev/null
}
# add_conn FILE: prints the id of the connection it creates from the document in FILE ("-": standard input).
add_conn() { fs conn add --file "$1" | sed -n 's/^created connection \([0-9]*\) .*/\1/p'; }
# doc NAME PYTHON_STATEMENT [ARGS...]: data/connections/NAME.json changed by the statement on d (its arguments
# from sys.argv[3]).
doc() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); exec(sys.argv[2]); print(json.dumps(d))' \
		"data/connections/$1.json" "${@:2}"
}
# run_demo ID [OPTIONS...]: runs the connection to its end; a failing run is part of the story.
run_demo() { fs run "$@" --wait >/dev/null 2>&1 || true; }

seed() {
	echo "demo: creating $DB: a fake WooCommerce shop at $URL and connections from data/connections"
	set_secret "$DEMO_SECRET" add --name "Demo shop" --url "$URL" --backoff-ms 50 --retries 2
	local acme catalog prices merchant name id
	acme=$(add_conn data/connections/shop-acme.json)
	# Yesterday the catalog went out as the feed prices it, the items with 10 or more in stock only; today's
	# version, a 10% markup and every item, waits in a plan for review: 3 to create, 17 price updates.
	catalog=$(doc shop-catalog-plan \
		'd.pop("rules"); d["filters"] = {"rules": [{"field": "quantity", "op": "gte", "value": "10"}]}' | add_conn -)
	prices=$(add_conn data/connections/shop-price-list.json)
	merchant=$(add_conn data/connections/shop-merchant.json)
	run_demo "$acme"
	run_demo "$catalog"
	fs conn edit "$catalog" --file data/connections/shop-catalog-plan.json >/dev/null
	run_demo "$catalog" --plan
	run_demo "$prices"
	# The other source types, exported to files in the demo directory.
	for name in affiliate-json nested-json lines-ndjson winmentor; do
		id=$(doc "$name" 'd["destination"]["path"] = sys.argv[3] + d["destination"]["path"][len("demo"):]' "$DIR" |
			add_conn -)
		run_demo "$id"
	done
	# The shop's API secret was regenerated before the latest run, which the shop refused; then it was set again.
	set_secret "$OLD_SECRET" edit "Demo shop"
	run_demo "$merchant"
	set_secret "$DEMO_SECRET" edit "Demo shop"
	touch "$DIR/.seeded"
}

# A seeding cut short (Ctrl-C) starts again: half a history would not tell the story.
if [ ! -f "$DIR/.seeded" ]; then
	rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DIR/shop.json" "$DIR/out"
	seed
else
	fs dest edit "Demo shop" --url "$URL" >/dev/null
fi
cat <<EOF
demo: the console on $DB
demo: the fake shop at $URL runs until you quit
  Merchant feed      failed: the shop refused the credentials (HTTP 401): ! e
  Price list         completed with errors: bad price, no SKU, duplicate SKU
  Catalog markup     a plan to review: Enter on it, p on run 3, Tab; A applies
  Acme supplier      pushed to the shop: p lists its products, 3 the shop
EOF
fs
