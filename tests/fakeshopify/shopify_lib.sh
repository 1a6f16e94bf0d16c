# Shared by tests/integration/test_shopify*.sh (after tests/lib.sh): a fake Shopify shop per test.
SHOPIFY_TOKEN=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
. "$ROOT/tests/fake_start.sh"

# start_fakeshopify [ARGS...]: a fake shop on a free port; sets $SHOPIFY_URL.
start_fakeshopify() { start_fake fakeshopify "$ROOT/tests/fakeshopify/fakeshopify.py" SHOPIFY_URL "$@"; }
# shopify_ctl WHAT JSON: POST /__fake/WHAT with JSON (faults, scopes, bucket, reset).
shopify_ctl() { "$PYTHON" - "$SHOPIFY_URL" "$1" "$2" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fake/" + sys.argv[2], data=sys.argv[3].encode(),
                                              method="POST")).read()
PY
}

# add_shop [OPTIONS...]: a destination for the fake shop (plain http, so --allow-http); sets $DEST_ID.
add_shop() {
	fs_fast dest add --type shopify --name shop --url "$SHOPIFY_URL" --token "$SHOPIFY_TOKEN" --allow-http \
		--backoff-ms 50 --json "$@"
	expect_rc 0 "dest add"
	DEST_ID=$(json_get "$OUT" id)
}

# shopify_state EXPR: EXPR evaluated over the fake's state (s; products; skus: every variant's SKU).
shopify_state() {
	"$PYTHON" - "$SHOPIFY_URL" "$1" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/__fake/state"))
products = s["products"]
skus = [v["sku"] for p in products for v in p["variants"]]
v = eval(sys.argv[2], {}, {"s": s, "products": products, "skus": skus})
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
PY
}

# shopify_feed N: $T/feed.csv with N products SKU-00000...
shopify_feed() {
	"$PYTHON" - "$T/feed.csv" "$1" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("sku,name,price,quantity\n")
    for i in range(int(sys.argv[2])):
        f.write("SKU-%05d,Shirt %d,%d.50,%d\n" % (i, i, 10 + i, i % 5))
PY
}

# grouped_feed [SKIP_SKU...] [SKU=PRICE...] [NOSIZE] [SINGLES=N]: TEE in three sizes, CAP in two colours and a
# single MUG, in $T/feed.csv (read with GROUPING); NOSIZE leaves TEE-M's size empty; SINGLES=N adds N single
# products SKU-00000....
grouped_feed() {
	"$PYTHON" - "$T/feed.csv" "$@" <<'PY'
import sys
path, args = sys.argv[1], sys.argv[2:]
price = dict(a.split("=", 1) for a in args if "=" in a)
singles = int(price.pop("SINGLES", 0))
skip = {a for a in args if "=" not in a}
rows = [("TEE-S", "Tee S", "10.00", "3", "TEE", "S", ""), ("TEE-M", "Tee M", "11.00", "4", "TEE", "M", ""),
        ("TEE-L", "Tee L", "12.00", "5", "TEE", "L", ""), ("CAP-R", "Cap Red", "7.00", "2", "CAP", "", "Red"),
        ("CAP-B", "Cap Blue", "7.00", "6", "CAP", "", "Blue"), ("MUG", "Mug", "5.00", "9", "", "", "")]
with open(path, "w") as f:
    f.write("sku,name,price,quantity,group,size,colour\n")
    for sku, name, p, qty, group, size, colour in rows:
        if sku == "TEE-M" and "NOSIZE" in args:
            size = ""
        if sku not in skip:
            f.write(",".join((sku, name, price.get(sku, p), qty, group, size, colour)) + "\n")
    for i in range(singles):
        f.write("SKU-%05d,Shirt %d,%s,%d,,,\n" % (i, i, price.get("SKU-%05d" % i, "%d.50" % (10 + i)), i % 5))
PY
}

GROUPING='"group": {"by": "group", "options": ["size", {"name": "colour", "column": "colour"}]}'

# add_shopify_conn [EXTRA_JSON_MEMBERS]: a connection reading $T/feed.csv and pushing to $DEST_ID; sets $CONN_ID.
add_shopify_conn() { push_conn "Shopify feed" shopify "${1:-}"; }

# shopify_requests: how many GraphQL requests the fake answered.
shopify_requests() {
	shopify_state "sum(1 for r in s['requests'] if r['path'].endswith('/graphql.json'))"
}

# shopify_ops OP: how many requests ran operation OP; shopify_refused CODE: how many were refused with CODE.
shopify_ops() { shopify_state "sum(1 for r in s['requests'] if r.get('operation') == '$1')"; }
shopify_refused() { shopify_state "sum(1 for r in s['requests'] if r.get('code') == '$1')"; }

# shopify_variant SKU EXPR: EXPR over the variant v holding SKU (its price, its stock by location: available).
shopify_variant() {
	shopify_state "[$2 for p in products for v in p['variants'] if v['sku'] == '$1'][0]"
}

expect_unique_shopify_skus() {
	expect_eq "$(shopify_state 'len(skus) == len(set(skus)) and not s["duplicate_skus"]')" "True" \
		"SKUs unique in the shop: $(shopify_state 'sorted(skus)' | head -c 300)"
}

# For wait_until: the fake holds a create (a "hold" fault), or has no request in flight.
shop_holds_a_create() { [ "$(shopify_state 's["held"]')" = 1 ]; }
shop_idle() { [ "$(shopify_state 's["in_flight"]')" = 0 ]; }
