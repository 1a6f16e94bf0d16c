#!/usr/bin/env bash
# feedsync's WordPress push benchmark (bench/run.sh runs it after bench/push.sh; it also runs alone). Pushes N
# posts to an empty fake WordPress site (tests/fakewp/fakewp.py) and measures in the same run:
#   feedsync  the push phase of `feedsync run --wait`, from its "phase pushing" event to "phase reconcile": the
#             site's posts listed for their SKUs, then created through batch/v1, CONCURRENCY requests at once,
#             every sub-response read as an item's result and recorded
#   ceiling   bench/replay_ceiling sending the very requests feedsync sent (the site recorded them), as many at
#             once, over kept-alive connections, loaded before its clock starts and reading nothing but the
#             status: the fake site's own limit
# After a warm-up push (which makes the recording), both are measured BEST times, in turns, keeping the best.
# Prints a table; exits 0 whatever the ratio, non-zero when a step fails or the site's counts are wrong.
#
# Environment: BUILD (default build), FEEDSYNC (default $BUILD/feedsync), BENCH_WP_POSTS (default 20000),
# BENCH_PUSH_CONCURRENCY (default 4), BENCH_BEST (default 3), TMPDIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${BENCH_WP_POSTS:-20000}
C=${BENCH_PUSH_CONCURRENCY:-4}
REPEAT=${BENCH_BEST:-3}
FEEDSYNC=${FEEDSYNC:-$BUILD/feedsync}
BIN=$BUILD/bench
PYTHON=$(command -v python3 || true)
USER_NAME=editor
PASSWORD="abcd EFGH 1234 ijkl MNOP 6789"
TARGET=0.9  # feedsync / ceiling

source "$ROOT/bench/lib.sh"

[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_WP_POSTS=$N: expected a whole number of at least 1"
[[ $C =~ ^[0-9]+$ ]] && ((C >= 1 && C <= 64)) || die "BENCH_PUSH_CONCURRENCY=$C: expected 1 to 64"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_BEST=$REPEAT: expected a whole number of at least 1"
[[ -n $PYTHON ]] || die "python3 is missing: the fake site needs it"
command -v sqlite3 >/dev/null || die "sqlite3 is missing: the push phase is timed from the run's events"
for tool in "$BIN/replay_ceiling" "$FEEDSYNC"; do
	[[ -x $tool ]] || die "$tool is missing: build it with 'make bench'"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedsync-push-wp.XXXXXX")
FAKE_PID=
cleanup() {
	[[ -z $FAKE_PID ]] || kill "$FAKE_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

start_fake site "$ROOT/tests/fakewp/fakewp.py" --lifetime 900 --record "$TMP/recording"

control() { "$PYTHON" "$ROOT/tests/fakewoo/ctl.py" "$URL" "$@"; }
posts() {
	"$PYTHON" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/state"))
print(sum(1 for p in s["posts"] if p["status"] != "trash"))' "$URL"
}

"$PYTHON" - "$TMP/feed.csv" "$N" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("sku,name,price,quantity,description\n")
    for i in range(int(sys.argv[2])):
        f.write("SKU-%07d,Deal %d,%d.50,%d,\"A deal of the day, number %d, with a text of a plausible length\"\n"
                % (i, i, 10 + i % 900, i % 50, i))
PY
: >"$TMP/feedsync.ini"

# feedsync_push: a fresh catalog and an empty site, then `feedsync run --wait`; sets F_SECS and F_RATE.
feedsync_push() {
	rm -rf "$TMP/catalog"
	mkdir "$TMP/catalog"
	local db=$TMP/catalog/feedsync.db
	fs() { "$FEEDSYNC" --config "$TMP/feedsync.ini" --db "$db" "$@"; }
	control reset
	fs dest add --type wordpress --name bench --url "$URL" --user "$USER_NAME" --app-password "$PASSWORD" \
		--allow-http --concurrency "$C" --json >"$TMP/dest.out" 2>&1 || die "feedsync dest add failed: $(cat "$TMP/dest.out")"
	printf '{"name": "bench", "source": {"type": "csv", "url": "%s/feed.csv"}, "destination": {"type": "wordpress", "id": %s}}\n' \
		"$TMP" "$(json_number id "$TMP/dest.out")" >"$TMP/conn.json"
	fs conn add --file "$TMP/conn.json" --json >"$TMP/conn.out" 2>&1 || die "feedsync conn add failed: $(cat "$TMP/conn.out")"
	local conn run rc=0
	conn=$(json_number id "$TMP/conn.out")
	: >"$TMP/recording"
	fs run "$conn" --wait --json >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
	run=$(json_number id "$TMP/run.out")
	[[ -n $run ]] || die "feedsync run failed (exit $rc): $(cat "$TMP/run.err" "$TMP/run.out")"
	if [[ $(json_string status "$TMP/run.out") != completed || $(json_number push_processed "$TMP/run.out") != "$N" ||
		$(json_number push_failed "$TMP/run.out") != 0 ]]; then
		fs runs log "$run" >&2 || true
		die "feedsync run $run did not push the $N posts: $(cat "$TMP/run.out")"
	fi
	local ms
	ms=$(sqlite3 "$db" "SELECT max(at) - min(at) FROM run_events WHERE run_id = $run
		AND message IN ('phase pushing', 'phase reconcile')")
	F_SECS=$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')
	F_RATE=$(rate "$N" "$F_SECS")
	[[ $(posts) == "$N" ]] || die "the site after feedsync run $run holds $(posts) posts, expected $N"
	printf '  %-28s %8.2f s %10s posts/s  %s requests\n' "feedsync push phase" "$F_SECS" "$F_RATE" \
		"$(wc -l <"$TMP/recording")"
}

# ceiling: replays the warm-up's recording to an empty site; sets P_RATE.
ceiling() {
	control reset
	"$BIN/replay_ceiling" --log "$TMP/replay" --url "$URL" --user "$USER_NAME:$PASSWORD" --concurrency "$C" \
		>"$TMP/ceiling.out" 2>"$TMP/ceiling.err" || die "replay_ceiling failed: $(cat "$TMP/ceiling.err")"
	: >"$TMP/recording"
	local requests secs
	read -r _ requests _ secs _ <"$TMP/ceiling.out"
	[[ $(posts) == "$N" ]] || die "the site after the replay holds $(posts) posts, expected $N"
	P_RATE=$(rate "$N" "$secs")
	printf '  %-28s %8.2f s %10s posts/s  %s requests\n' ceiling "$secs" "$P_RATE" "$requests"
}

best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0 ? b : a) }'; }

echo "feedsync WordPress push benchmark: $N posts, $C requests at once; $(nproc) cores"
echo "  warm-up (not counted; its requests are the ceiling's):"
feedsync_push
cp "$TMP/recording" "$TMP/replay"
FS_RATE='' CEILING_RATE=''
for ((i = 0; i < REPEAT; i++)); do
	ceiling
	CEILING_RATE=$(best "$CEILING_RATE" "$P_RATE")
	feedsync_push
	FS_RATE=$(best "$FS_RATE" "$F_RATE")
done

echo
printf '%-22s %12s %12s %8s %8s %7s\n' measurement posts/s ceiling/s ratio target verdict
row "feedsync WordPress" "$FS_RATE" "$CEILING_RATE" "$TARGET"
