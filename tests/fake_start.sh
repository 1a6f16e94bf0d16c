# Shared by the fake servers' test libraries (tests/fake*/…_lib.sh, after tests/lib.sh): starting one, and a connection
# pushing to it.

# start_fake LABEL SCRIPT URL_VAR [ARGS...]: runs the python fake SCRIPT on a free port of 127.0.0.1 (it writes
# the port it bound to a file), registers it to be stopped with the test, waits 10 s at most for it to listen
# and sets the variable named URL_VAR to its http address.
start_fake() {
	local label=$1 script=$2 var=$3 port_file="$T/.$1.port"
	shift 3
	rm -f "$port_file"
	"$PYTHON" "$script" --port-file "$port_file" --lifetime 300 "$@" &
	echo $! >>"$T/.pids"
	for _ in $(seq 200); do [ -s "$port_file" ] && break; sleep 0.05; done
	[ -s "$port_file" ] || { fail "$label did not start"; return 1; }
	printf -v "$var" 'http://127.0.0.1:%s' "$(cat "$port_file")"
}

# push_conn NAME TYPE [EXTRA_JSON_MEMBERS]: a connection reading $T/feed.csv and pushing to destination $DEST_ID
# of TYPE; sets $CONN_ID.
push_conn() {
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, "destination": {"type": "%s", "id": %s}%s}\n' \
		"$1" "$T/feed.csv" "$2" "$DEST_ID" "${3:+, $3}" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
}

# cancel_mid_pull: runs connection $CONN_ID (a shop's pull whose second page the fake delays) in the background,
# cancels it once its first page is written, and checks that the cancel took 4 s at most (2 s promised, the rest
# slack for a loaded machine) and that the run ended cancelled during its download; sets $RUN.
cancel_mid_pull() {
	"${VALGRIND[@]}" "$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/bg.out" 2>&1 &
	local waiter=$! t0 took
	wait_until 20 _pull_started || return
	RUN=$(sql "select max(id) from sync_runs")
	wait_until 20 _pull_wrote_a_page || return
	expect_eq "$(_pull_field phase)" download "phase while pulling"
	[ "$(_pull_field bytes_total)" -gt "$(_pull_field bytes_done)" ] || fail "progress has no total ahead"
	t0=$(date +%s%3N)
	"$FEEDSYNC_BIN" runs cancel "$RUN" >/dev/null
	wait "$waiter"
	RC=$?
	took=$(($(date +%s%3N) - t0))
	[ "$took" -le 4000 ] || fail "the cancel took $took ms while page 2 was in flight"
	expect_rc 4 "run --wait of a cancelled pull (under valgrind when on: 99 is a memory error)"
	expect_eq "$(_pull_field status)" cancelled "status"
	expect_contains "$(_pull_field summary)" "during the download"
}
_pull_field() { sql "select $1 from sync_runs where id = $RUN"; }
_pull_started() { [ -n "$(sql "select max(id) from sync_runs")" ]; }
_pull_wrote_a_page() { [ "$(_pull_field bytes_done)" -gt 0 ]; }
