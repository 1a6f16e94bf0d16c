# Shared by the console tests (after tests/lib.sh): the console in a private tmux server, keys in, screen
# text out.
command -v tmux >/dev/null || { echo "FAIL tmux_missing"; echo "  install tmux to run the console tests"; exit 1; }

# console [WIDTH HEIGHT] [ENV=VALUE...] -- [ARGS...]: starts the console in a private tmux server.
console() {
	local width=80 height=24 envs=()
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then width=$1 height=$2; shift 2; fi
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	CONSOLES=$((${CONSOLES:-0} + 1))
	SOCK="fs-$$-${BASHPID}-$CONSOLES"   # a new server each time: a killed one may linger a moment
	local cmd
	# The console's state (sort, columns, filters) stays in the test's directory, never the user's.
	cmd=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 FEEDSYNC_DB="$FEEDSYNC_DB" FEEDSYNC_CONFIG=/dev/null \
		XDG_STATE_HOME="$T/state" \
		"${envs[@]}" "$FEEDSYNC_BIN" "$@")
	tmux -L "$SOCK" -f /dev/null new-session -d -x "$width" -y "$height" \
		"cd '$T' && $cmd 2>'$T/.console-err'; echo \"EXITED \$?\"; sleep 60"
	tmux -L "$SOCK" set-option -g status off >/dev/null
	tmux -L "$SOCK" display-message -p '#{pid}' >>"$T/.pids"
	wait_screen "feedsync"
}

# console_exits CODE [ENV=VALUE...] -- [ARGS...]: the console in tmux must exit at once with CODE (its
# stderr is in $T/.console-err).
console_exits() {
	local code=$1 envs=(); shift
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	SOCK="fs-$$-${BASHPID}-exits"
	tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
		"$(printf '%q ' env "${envs[@]}" "$FEEDSYNC_BIN" "$@") 2>'$T/.console-err'; echo \"EXITED \$?\"; sleep 60"
	tmux -L "$SOCK" display-message -p '#{pid}' >>"$T/.pids"
	wait_screen "EXITED $code"
	tmux -L "$SOCK" kill-server
}

screen() { tmux -L "$SOCK" capture-pane -p; }
keys() { tmux -L "$SOCK" send-keys "$@"; }
# keys_then TEXT KEYS...: sends the keys and waits for TEXT on screen.
keys_then() { local text=$1; shift; keys "$@"; wait_screen "$text"; }
# After a quit key: answers y once if the console asks "(y/n)" (the question may take a frame to come), and
# waits for the console to exit.
exit_confirmed() {
	local answered=""
	for _ in $(seq 200); do
		case "$(screen)" in
		*EXITED*) return 0 ;;
		*"(y/n)"*) [ -n "$answered" ] || { keys y; answered=1; } ;;
		esac
		sleep 0.05
	done
	wait_screen "EXITED" 1
}

# Quits with Q (and yes, when runs are in flight): the console must exit 0 with nothing on stderr
# (sanitizer builds report leaks and errors there).
stop_console() {
	keys Q
	exit_confirmed || return 1
	expect_contains "$(screen)" "EXITED 0" "console exit"
	[ -s "$T/.console-err" ] && fail "the console wrote to stderr: $(head -c 2000 "$T/.console-err")"
	tmux -L "$SOCK" kill-server 2>/dev/null
}

# focus TEXT: the help of the focused field is the status line: Tab until it starts with TEXT.
focus() {
	for _ in $(seq 40); do
		case "$(screen | tail -1)" in "$1"*) return 0;; esac
		keys Tab
		sleep 0.05
	done
	fail "no field with the help '$1'; the screen shows:"
	screen | sed 's/^/    | /'
	return 1
}

# wait_screen TEXT [SECONDS]: fails the test, showing the screen, when TEXT does not appear in time.
wait_screen() {
	local limit=$((${2:-5} * 20))
	for _ in $(seq "$limit"); do
		case "$(screen)" in *"$1"*) return 0;; esac
		sleep 0.05
	done
	fail "the screen never showed '$1'; it shows:"
	screen | sed 's/^/    | /'
	return 1
}

wait_not_screen() {
	for _ in $(seq 100); do
		case "$(screen)" in *"$1"*) ;; *) return 0;; esac
		sleep 0.05
	done
	fail "the screen still shows '$1'"
	return 1
}

# resize WIDTH HEIGHT: the terminal changes size under the console.
resize() { tmux -L "$SOCK" resize-window -x "$1" -y "$2"; }
# expect_fits WIDTH: no line on screen is wider than the terminal.
expect_fits() { [ "$(screen | wc -L)" -le "$1" ] || fail "a line is wider than the terminal's $1 columns"; }

# expect_idle_cpu WHAT: the console uses at most 1% of a CPU over 3 s (3 clock ticks of 1/100 s).
expect_idle_cpu() {
	local pid; pid=$(pgrep -n -f "feedsync" -P "$(tmux -L "$SOCK" display-message -p '#{pane_pid}')" || true)
	[ -n "$pid" ] || { fail "no console process"; return; }
	local before after
	before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep 3
	after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	[ $((after - before)) -le 3 ] || fail "$1 used $((after - before)) ticks of CPU in 3 s"
}
