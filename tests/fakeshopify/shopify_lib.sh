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
