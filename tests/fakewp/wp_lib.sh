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
add_wp_conn() {
	printf '{"name": "WP feed", "source": {"type": "csv", "url": "%s"}, "destination": {"type": "wordpress", "id": %s}%s}\n' \
		"$T/feed.csv" "$DEST_ID" "${1:+, $1}" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

expect_unique_wp_skus() {
	expect_eq "$(wp_state 'len(skus) == len(set(skus))')" "True" "SKUs unique in the site: $(wp_state 'sorted(skus)' | head -c 300)"
}
