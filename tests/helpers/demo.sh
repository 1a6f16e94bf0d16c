#!/bin/sh
# `make run`: creates the demo database from data/ when there is none, then opens the console on it.
#   tests/helpers/demo.sh build/feedsync     (FEEDSYNC_DEMO_DIR overrides the demo directory, default ./demo)
set -eu
BIN=${1:-build/feedsync}
cd "$(dirname "$0")/../.."
DIR=${FEEDSYNC_DEMO_DIR:-demo}
DB="$DIR/feedsync.db"
if [ ! -f "$DB" ]; then
	mkdir -p "$DIR"
	echo "demo: creating $DB from data/connections"
	for doc in data/connections/*.json; do
		"$BIN" --db "$DB" conn add --file "$doc" >/dev/null
	done
	# A little history so every screen has something to show: each connection runs once.
	for id in $("$BIN" --db "$DB" conn list --json | python3 -c 'import json,sys; print(" ".join(str(c["id"]) for c in json.load(sys.stdin)))'); do
		"$BIN" --db "$DB" run "$id" --wait >/dev/null || true
	done
fi
exec "$BIN" --db "$DB"
