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
