# Shared by tests/integration/test_woo*.sh (after tests/lib.sh): a fake shop per test and its controls.
KEY=ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6
SECRET=cs_8e9308d6d488ec65624345038f70f472e8afe675
READ_KEY=ck_readonly000000000000000000000000000001
READ_SECRET=cs_readonly000000000000000000000000000001
CTL="$ROOT/tests/fakewoo/ctl.py"
. "$ROOT/tests/fake_start.sh"

# start_fakewoo [ARGS...]: a fake shop on a free port; sets $WOO_URL.
start_fakewoo() { start_fake fakewoo "$ROOT/tests/fakewoo/fakewoo.py" WOO_URL "$@"; }
woo() { "$PYTHON" "$CTL" "$WOO_URL" "$@"; }

# start_tls_fakewoo [ARGS...]: the fake shop over real TLS with a self-signed certificate for 127.0.0.1
# ($T/ca.pem, its own CA); sets $WOO_URL to its https address.
start_tls_fakewoo() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/ca.pem" -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null || { fail "openssl could not make a certificate"; return 1; }
	start_fakewoo --tls-cert "$T/ca.pem" --tls-key "$T/key.pem" "$@" || return
	WOO_URL="https://${WOO_URL#http://}"
}

# faulty_push N FAULTS [DEST_OPTIONS...]: a fake shop with these fault rules, a destination for it and a
# connection pushing a feed of N products there.
faulty_push() {
	start_fakewoo || return
	add_shop "${@:3}"
	make_feed "$1"
	add_woo_conn
	woo faults "$2"
}

# run_in_background: runs $CONN_ID (under valgrind when enabled) while the test goes on; wait_for_run sets $RC.
run_in_background() {
	"${VALGRIND[@]}" "$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/run.out" 2>"$T/run.err" &
	RUN_PID=$!
	echo "$RUN_PID" >>"$T/.pids"
}
wait_for_run() { wait "$RUN_PID"; RC=$?; }

# Workers are found lost 2 s after their last heartbeat (beaten every second): for the kill -9 tests.
lose_workers_fast() {
	printf '[worker]\nheartbeat_interval_s = 1\nstale_after_s = 2\n' >"$T/fs.ini"
	export FEEDSYNC_CONFIG="$T/fs.ini"
}

# run_is_lost_1: run 1 (killed) was recovered as failed.
run_is_lost_1() { fs_fast runs show 1 --json; [ "$(sql 'select status from sync_runs where id=1')" = failed ]; }

# kill_run_when CONDITION...: runs $CONN_ID and kills it with SIGKILL once CONDITION holds (30 s at most).
kill_run_when() {
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/killed.out" 2>&1 &
	local pid=$! held=0
	wait_until 30 "$@" || held=1
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return "$held"
}

# circuit_is STATE: the stored circuit of the (only) destination.
circuit_is() { [ "$(sql "select circuit_state from destinations")" = "$1" ]; }

# Every output of feedsync goes through here, so the secret check sees all of it.
run_fs() { "$@"; printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/.seen"; }

# add_shop [OPTIONS...]: a destination for the fake shop (OAuth over http); sets $DEST_ID.
add_shop() {
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret "$SECRET" --backoff-ms 50 --json "$@"
	expect_rc 0 "dest add"
	DEST_ID=$(json_get "$OUT" id)
}

# add_refusing_shop: a destination for the fake shop with a wrong consumer secret (every request is refused with
# 401); sets $DEST_ID.
add_refusing_shop() {
	run_fs fs_fast dest add --name shop --url "$WOO_URL" --key "$KEY" --secret cs_not_the_secret_0000000000000 \
		--backoff-ms 50 --json
	expect_rc 0 "dest add"
	DEST_ID=$(json_get "$OUT" id)
}

# make_feed N [PRICE_CENTS_OFFSET] [PREFIX]: $T/feed.csv with N products.
make_feed() {
	"$PYTHON" - "$T/feed.csv" "$1" "${2:-0}" "${3:-SKU}" <<'PY'
import sys
path, n, off, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(path, "w") as f:
    f.write("sku,name,price,quantity\n")
    for i in range(n):
        cents = 1000 + i + off
        f.write("%s-%05d,Product %d,%d.%02d,%d\n" % (prefix, i, i, cents // 100, cents % 100, i % 50))
PY
}

# csv_conn NAME EXTRA_JSON_MEMBERS: a connection reading $T/feed.csv; sets $CONN_ID.
csv_conn() {
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, %s}\n' "$1" "$T/feed.csv" "$2" >"$T/conn.json"
	run_fs fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

# add_woo_conn [EXTRA_JSON_MEMBERS]: a connection pushing to $DEST_ID; sets $CONN_ID.
add_woo_conn() {
	csv_conn "Woo feed" "\"destination\": {\"type\": \"woocommerce\", \"id\": $DEST_ID}${1:+, $1}"
}

# The secret in no output, no log line, no error, nowhere in the database.
expect_no_secret() {
	sqlite3 "$FEEDSYNC_DB" .dump >"$T/.dump" 2>/dev/null
	if grep -qF "$SECRET" "$T/.seen" "$T/.dump" "$T/.out" "$T/.err" 2>/dev/null; then
		fail "the consumer secret appears in: $(grep -lF "$SECRET" "$T/.seen" "$T/.dump" "$T/.out" "$T/.err")"
	fi
	if grep -qF "$KEY" "$T/.seen" "$T/.dump" 2>/dev/null; then
		fail "the whole consumer key appears in: $(grep -lF "$KEY" "$T/.seen" "$T/.dump")"
	fi
}

shop_has_at_least() { [ "$(woo state 'len(skus)')" -ge "$1" ]; }

expect_unique_skus() {
	expect_eq "$(woo state 'len(skus) == len(set(x.lower() for x in skus))')" "True" "SKUs unique in the shop"
	expect_eq "$(woo state 'len(s["violations"])')" "0" "protocol violations: $(woo state 's["violations"]')"
}

