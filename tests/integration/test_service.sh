#!/bin/bash
# `feedsync worker` as a systemd service: the sd_notify(3) datagrams (READY=1, WATCHDOG=1, STOPPING=1) to
# $NOTIFY_SOCKET, caught by tests/helpers/notify_catcher.py; journald priorities when stderr is the journal
# ($JOURNAL_STREAM); the log file reopened on SIGHUP, as logrotate's postrotate asks.
. "$(dirname "$0")/../lib.sh"

# start_catcher SOCKET: a notification socket recording to $T/notify.
start_catcher() {
	"$PYTHON" "$ROOT/tests/helpers/notify_catcher.py" --socket "$1" --out "$T/notify" --lifetime 60 &
	echo $! >>"$T/.pids"
	: >"$T/notify"
	case $1 in @*) sleep 0.3 ;; *) wait_until 5 test -S "$1" ;; esac
}
notified() { grep -qx "$1" "$T/notify"; }
watchdogs() { grep -c '^WATCHDOG=1$' "$T/notify"; }
at_least_3_watchdogs() { [ "$(watchdogs)" -ge 3 ]; }

# start_worker ENV...: the worker in the background with those variables (sets $WORKER_PID).
start_worker() {
	env "$@" "$FEEDSYNC_BIN" worker --threads 1 >"$T/worker.out" 2>"$T/worker.err" &
	WORKER_PID=$!
	echo "$WORKER_PID" >>"$T/.pids"
}
stop_worker() {
	kill -TERM "$WORKER_PID"
	wait "$WORKER_PID"
	RC=$?
	expect_rc 0 "worker after SIGTERM"
}

test_worker_notifies_ready_watchdog_and_stopping() {
	start_catcher "$T/notify.sock"
	start_worker NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=300000
	wait_until 10 notified "READY=1|STATUS=executing queued and scheduled runs"
	wait_until 10 at_least_3_watchdogs
	[ -n "$(sql 'select id from workers')" ] || fail "READY=1 before the worker registered"
	stop_worker
	wait_until 5 notified "STOPPING=1"
}

test_abstract_socket_and_a_watchdog_meant_for_another_process() {
	local sock="@feedsync-test-$$-$RANDOM"
	start_catcher "$sock"
	start_worker NOTIFY_SOCKET="$sock" WATCHDOG_USEC=200000 WATCHDOG_PID=1
	wait_until 10 notified "READY=1|STATUS=executing queued and scheduled runs"
	sleep 0.5
	stop_worker
	expect_eq "$(watchdogs)" 0 "WATCHDOG=1 sent for WATCHDOG_PID=1"
}

test_no_notify_socket_no_messages() {
	fs worker --once
	expect_rc 0 "worker --once without NOTIFY_SOCKET"
	expect_contains "$ERR" "INFO worker" "log"
}

test_journal_stream_gets_syslog_priorities() {
	: >"$T/journal"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$FEEDSYNC_BIN" worker --once 2>>"$T/journal"
	expect_contains "$(head -1 "$T/journal")" "<6>INFO worker " "journal line"
	JOURNAL_STREAM=1:1 "$FEEDSYNC_BIN" worker --once 2>"$T/plain"
	[[ $(head -1 "$T/plain") =~ ^20[0-9][0-9]-[0-9-]+\ [0-9:]+\ INFO\ worker ]] ||
		fail "not the journal: want a timestamp, got $(head -1 "$T/plain")"
}

log_has() { grep -q "$2" "$1" 2>/dev/null; }

test_sighup_reopens_the_log_file() {
	printf '[log]\nfile = %s\n' "$T/worker.log" >"$T/log.ini"
	start_worker FEEDSYNC_CONFIG="$T/log.ini"
	wait_until 10 log_has "$T/worker.log" "INFO worker .* started"
	mv "$T/worker.log" "$T/worker.log.1"
	kill -HUP "$WORKER_PID"
	wait_until 10 log_has "$T/worker.log" "SIGHUP: log file reopened"
	stop_worker
	log_has "$T/worker.log" "INFO worker .* stopped" || fail "the stop was not logged to the new file"
	log_has "$T/worker.log.1" "stopped" && fail "the old file is still written to"
	[ ! -s "$T/worker.err" ] || fail "stderr: $(cat "$T/worker.err")"
}

run_tests "$@"
