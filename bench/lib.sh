# What bench/run.sh and bench/push.sh share (sourced).

die() { echo "bench: $*" >&2; exit 1; }

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# json_number KEY FILE, json_string KEY FILE: the first value of KEY in cJSON's printed output.
# Empty when absent: the caller reports what it missed.
json_number() { grep -o "\"$1\":[[:space:]]*-\?[0-9.eE+]*" "$2" | head -n1 | sed 's/.*:[[:space:]]*//' || true; }
json_string() { grep -o "\"$1\":[[:space:]]*\"[^\"]*\"" "$2" | head -n1 | sed 's/.*:[[:space:]]*"//; s/"$//' || true; }

# row NAME PER_S FLOOR_PER_S TARGET: a throughput line of a table; the ratio is judged only when there is a target.
row() {
	awk -v name="$1" -v rps="$2" -v floor="$3" -v target="$4" 'BEGIN {
		ratio = floor > 0 ? rps / floor : 0
		verdict = target == "-" ? "-" : (ratio >= target ? "PASS" : "BELOW")
		printf "%-22s %12d %12d %7.2fx %8s %7s\n", name, rps, floor, ratio, target == "-" ? "-" : ">= " target "x", verdict
	}'
}

# start_fake NAME SCRIPT ARGS...: a python fake server on a free port of 127.0.0.1 (it writes the port to
# $TMP/NAME.port); sets FAKE_PID and URL. The caller stops it.
start_fake() {
	local name=$1 script=$2
	shift 2
	"$PYTHON" "$script" --port-file "$TMP/$name.port" "$@" 2>"$TMP/$name.err" &
	FAKE_PID=$!
	for _ in $(seq 200); do
		[[ -s $TMP/$name.port ]] && break
		sleep 0.05
	done
	[[ -s $TMP/$name.port ]] || die "the fake $name did not start: $(cat "$TMP/$name.err")"
	URL="http://127.0.0.1:$(cat "$TMP/$name.port")"
}
