# Shared by tests/integration/test_wordpress*.sh (after tests/lib.sh): a fake WordPress site per test.
WP_USER=editor
WP_PASSWORD="abcd EFGH 1234 ijkl MNOP 6789"
WP_CTL="$ROOT/tests/fakewoo/ctl.py"
. "$ROOT/tests/fake_start.sh"

# start_fakewp [ARGS...]: a fake site on a free port; sets $WP_URL.
start_fakewp() { start_fake fakewp "$ROOT/tests/fakewp/fakewp.py" WP_URL "$@"; }
# wp_state EXPR: EXPR over the site's state as s; posts (outside the trash) and skus are given.
wp_state() {
	"$PYTHON" - "$WP_URL" "$1" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/state"))
posts = [p for p in s["posts"] if p["status"] != "trash"]
skus = [p["meta"].get("feedsync_sku", "") for p in posts]
v = eval(sys.argv[2], {}, {"s": s, "posts": posts, "skus": skus})
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
PY
}
wp_ctl() { "$PYTHON" - "$WP_URL" "$1" "$2" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fake/" + sys.argv[2], data=sys.argv[3].encode(),
                                              method="POST")).read()
PY
}

# add_site [OPTIONS...]: a destination for the fake site (plain http, so --allow-http); sets $DEST_ID.
add_site() {
	fs_fast dest add --type wordpress --name site --url "$WP_URL" --user "$WP_USER" --app-password "$WP_PASSWORD" \
		--allow-http --backoff-ms 50 --json "$@"
	expect_rc 0 "dest add"
	printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/.seen"
	DEST_ID=$(json_get "$OUT" id)
}

# make_wp_feed N [PREFIX]: $T/feed.csv with N products.
make_wp_feed() {
	"$PYTHON" - "$T/feed.csv" "$1" "${2:-SKU}" <<'PY'
import sys
path, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    f.write("sku,name,price,quantity,description\n")
    for i in range(n):
        f.write("%s-%05d,Deal %d,%d.50,%d,Text %d\n" % (prefix, i, i, 10 + i, i % 5, i))
PY
}

# add_wp_conn [EXTRA_JSON_MEMBERS]: a connection reading $T/feed.csv and pushing to $DEST_ID; sets $CONN_ID.
add_wp_conn() { push_conn "WP feed" wordpress "${1:-}"; }

expect_unique_wp_skus() {
	expect_eq "$(wp_state 'len(skus) == len(set(skus))')" "True" "SKUs unique in the site: $(wp_state 'sorted(skus)' | head -c 300)"
}

wp_run_is_lost() { fs_fast runs show 1 --json; [ "$(sql 'select status from sync_runs where id=1')" = failed ]; }
wp_site_has_at_least() { [ "$(wp_state 'len(posts)')" -ge "$1" ]; }
wp_site_idle() { [ "$(wp_state 's["in_flight"]')" = 0 ]; }

# kill_slow_creates_then_retry N: with fakewp started slow (--create-ms), a site added and $T/feed.csv of N
# products, the worker is killed while the site still executes its create batches, run 1 found lost, and retried
# at once; returns once the site is idle, with the posts for the caller to count.
kill_slow_creates_then_retry() {
	add_wp_conn
	kill_run_when wp_site_has_at_least 3 || return
	wait_until 30 wp_run_is_lost || return
	fs_fast runs retry 1 --wait
	expect_rc 0 "the retry ($OUT$ERR)"
	wait_until 30 wp_site_idle || return
	expect_eq "$(wp_state 'len(posts)')" "$1" "posts in the site"
}
