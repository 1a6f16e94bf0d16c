#!/bin/bash
# The run lifecycle under concurrency and crashes: one active run per connection whoever asks, a worker killed
# mid-import and its run recovered then retried, worker shutdown on SIGTERM/SIGINT, `worker --once`, the
# scheduler, cancel from another process, `run --wait` beside a daemon, and Ctrl-C during `run --wait`.
# A worker paused past stale_after_s must leave the "worker lost" verdict alone when it resumes.
# Long runs come from a CSV generated here, or a feed served slowly; the worker and anything racing a clock
# run without valgrind.
. "$(dirname "$0")/../lib.sh"

BIG_ROWS=300000
# The long feed is written once for the whole file (tests only read it).
SHARED=$(mktemp -d "${TMPDIR:-/tmp}/fs-lifecycle.XXXXXX")
trap 'rm -rf "$SHARED"' EXIT

# q QUERY: like sql, but waits for a lock instead of failing while a worker writes.
# In PostgreSQL mode (FEEDSYNC_TEST_PG=1) sql is psql's, which never waits for such a lock.
q() { if [ -n "${FEEDSYNC_TEST_PG:-}" ]; then sql "$1"; else sqlite3 -batch -noheader -cmd '.timeout 5000' "$FEEDSYNC_DB" "$1"; fi; }

# lifecycle_config [GRACE_S]: fast heartbeats, quick recovery and polling, through $FEEDSYNC_CONFIG.
lifecycle_config() {
	cat >"$T/feedsync.ini" <<EOF
[worker]
heartbeat_interval_s = 1
stale_after_s = 2
poll_interval_ms = 50
shutdown_grace_s = ${1:-0}
EOF
	export FEEDSYNC_CONFIG="$T/feedsync.ini"
}

# gen_csv FILE ROWS [PREFIX]: a valid product CSV of ROWS rows.
gen_csv() {
	awk -v n="$2" -v p="${3:-SKU}" 'BEGIN {
		print "sku,name,price,quantity"
		for (i = 1; i <= n; i++) printf "%s%07d,Product %d,%d.99,%d\n", p, i, i, i % 500, i % 50 + 1
	}' >"$1"
}

# big_conn NAME: a connection whose run takes a while (sets $CONN_ID).
big_conn() {
	[ -s "$SHARED/big.csv" ] || gen_csv "$SHARED/big.csv" "$BIG_ROWS"
	add_conn "$1" csv "$SHARED/big.csv"
}

# small_conn NAME [ROWS] [EXTRA_JSON_MEMBERS]: a connection whose run is quick (sets $CONN_ID).
small_conn() {
	gen_csv "$T/$1.csv" "${2:-20}" "$1-"
	add_conn "$1" csv "$T/$1.csv" "${3:-}"
}

# fs_within SECONDS ARGS...: fs_fast that cannot hang the suite (exit 124 when it had to be stopped).
fs_within() {
	local limit=$1; shift
	timeout -s KILL "$limit" "$FEEDSYNC_BIN" "$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	[ "$RC" -eq 137 ] && RC=124
	OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
	[ "$RC" -ne 124 ] || fail "feedsync $* did not finish within $limit s"
}

# start_worker ARGS...: a `feedsync worker` daemon in the background (sets $WORKER_PID), registered.
start_worker() {
	"$FEEDSYNC_BIN" worker "$@" >"$T/worker.out" 2>"$T/worker.err" &
	WORKER_PID=$!
	echo "$WORKER_PID" >>"$T/.pids"
	wait_until 10 worker_registered
}
worker_registered() { [ "$(q 'select count(*) from workers' 2>/dev/null)" -gt 0 ] 2>/dev/null; }

# wait_exit PID SECONDS: waits for a background process to end; its exit status in $RC.
wait_exit() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		fail "process $1 still alive after $2 s"
		kill -9 "$1" 2>/dev/null
	fi
	wait "$1"
	RC=$?
}

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
last_run() { q "select max(id) from sync_runs"; }
run_field() { q "select $2 from sync_runs where id = $1"; }
importing() { [ "$(q "select cast(status = 'running' and rows_read > 0 as integer) from sync_runs where id = $1")" = 1 ]; }
downloading() { [ "$(run_field "$1" "status || ' ' || coalesce(phase, '')")" = "running download" ]; }
# recovered RUN: another process looks at the runs, as any does, and so fails a run whose heartbeat is stale.
recovered() { "$FEEDSYNC_BIN" runs >/dev/null 2>&1; [ "$(run_field "$1" status)" = failed ]; }
finished() { [ "$(q "select cast(status not in ('queued','running') as integer) from sync_runs where id = $1")" = 1 ]; }
active_runs() { q "select count(*) from sync_runs where status in ('queued','running')${1:+ and connection_id = $1}"; }
products() { q "select count(*) from products where connection_id = $1"; }
# A SQLite file's own check; a PostgreSQL server keeps its pages whole by itself.
expect_integrity() { [ -n "${FEEDSYNC_TEST_PG:-}" ] || expect_eq "$(q 'pragma integrity_check')" "ok" "integrity_check"; }

# expect_import_consistent RUN TOTAL: every row landed once, as created or unchanged.
expect_import_consistent() {
	local conn
	conn=$(run_field "$1" connection_id)
	expect_eq "$(run_field "$1" status)" completed "status of run $1"
	expect_eq "$(run_field "$1" "rows_read")" "$2" "rows read by run $1"
	expect_eq "$(run_field "$1" "created + unchanged")" "$2" "created + unchanged of run $1"
	expect_eq "$(run_field "$1" "updated + failed + skipped")" 0 "updated + failed + skipped of run $1"
	expect_eq "$(products "$conn")" "$2" "products of connection $conn"
	expect_eq "$(q "select count(distinct sku) from products where connection_id = $conn")" "$2" "distinct SKUs"
}

# ---- one active run per connection ----

# Two processes ask 50 times each, concurrently, while a third cancels whatever is queued: asks are
# granted or refused in turn, yet never are two runs of the connection active together.
test_overlap_race_queued() {
	add_conn Race csv "$FIXTURES/feeds/quoted.csv"
	racer() {
		local i t0 rc msg
		for i in $(seq 50); do
			t0=$(now_ms)
			"$FEEDSYNC_BIN" run "$CONN_ID" >/dev/null 2>"$T/race$1.err"
			rc=$?
			msg=
			read -r msg <"$T/race$1.err"
			echo "$rc $t0 $(now_ms) $msg" >>"$T/race.log"
		done
	}
	canceller() {
		local active id
		while [ ! -e "$T/racers-done" ]; do
			IFS='|' read -r active id < <(q "select count(*), max(id) from sync_runs where status in ('queued','running')")
			[ "$active" -le 1 ] || echo "$active active runs at $(now_ms)" >>"$T/monitor.log"
			if [ -n "$id" ]; then "$FEEDSYNC_BIN" runs cancel "$id" >/dev/null 2>>"$T/cancel.err"; else sleep 0.02; fi
		done
	}
	canceller & local c=$!
	racer 1 & local r1=$!
	racer 2 & local r2=$!
	wait "$r1" "$r2"
	touch "$T/racers-done"
	wait "$c"
	[ ! -s "$T/monitor.log" ] || fail "$(cat "$T/monitor.log")"
	[ ! -s "$T/cancel.err" ] || fail "runs cancel: $(cat "$T/cancel.err")"
	expect_eq "$(wc -l <"$T/race.log")" 100 "answers"
	expect_eq "$(grep -c '^0 ' "$T/race.log")" "$(q 'select count(*) from sync_runs')" "granted asks = runs"
	grep -q '^5 ' "$T/race.log" || fail "no ask was refused"
	# Each refusal names a run that was active at some moment while the refused process ran.
	q "select id || ' ' || created_at || ' ' || coalesce(finished_at, 9000000000000000000) from sync_runs" \
		>"$T/runs.txt"
	python3 - "$T/race.log" "$T/runs.txt" >"$T/check.out" <<'PY' || fail "$(cat "$T/check.out")"
import re, sys
runs = {int(i): (int(c), int(f)) for i, c, f in (l.split() for l in open(sys.argv[2]) if l.strip())}
bad = []
for line in open(sys.argv[1]):
    rc, t0, t1, msg = (line.rstrip("\n").split(" ", 3) + [""])[:4]
    if rc == "0":
        continue
    m = re.search(r"already has run (\d+) \(queued, started -\)", msg)
    if rc != "5" or not m:
        bad.append("unexpected answer: " + line.strip())
        continue
    row = runs.get(int(m.group(1)))
    if not row or row[0] > int(t1) or row[1] < int(t0):
        bad.append("run %s was not active during [%s, %s]: %r" % (m.group(1), t0, t1, row))
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
PY
	local left
	left=$(q "select id from sync_runs where status = 'queued'")
	[ -z "$left" ] || fs runs cancel "$left"
	expect_eq "$(active_runs)" 0 "active runs at the end"
	# No two runs of the connection were ever active together: each was queued after the last one ended.
	expect_eq "$(q "select count(*) from sync_runs a join sync_runs b on a.connection_id = b.connection_id
		and a.id < b.id where b.created_at < a.finished_at")" 0 "runs whose active times overlap"
}

# While a worker executes a run (a feed that takes seconds to download), every concurrent ask is refused
# with the running run's id, phase and start time.
test_overlap_race_running() {
	lifecycle_config
	start_feedserver "$T" || return
	add_conn Slow csv "$FEED_URL/slow?bps=4000&bytes=60000"
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	expect_rc 0 "run"
	local run started
	run=$(last_run)
	wait_until 10 downloading "$run" || return
	started=$(date -d "@$(($(run_field "$run" started_at) / 1000))" '+%Y-%m-%d %H:%M:%S')
	racer() {
		local i
		for i in $(seq 10); do
			"$FEEDSYNC_BIN" run "$CONN_ID" >/dev/null 2>"$T/race$1.err"
			echo "$? $(cat "$T/race$1.err")" >>"$T/race$1.log"
			[ "$(active_runs "$CONN_ID")" -le 1 ] || echo "two active runs" >>"$T/race$1.log"
		done
	}
	racer 1 & local r1=$!
	racer 2 & local r2=$!
	wait "$r1" "$r2"
	expect_eq "$(run_field "$run" status)" running "status of the run after the race"
	expect_eq "$(cat "$T/race1.log" "$T/race2.log" | wc -l)" 20 "answers"
	local refusal="already has run $run (running, phase download, started $started)"
	expect_eq "$(cat "$T/race1.log" "$T/race2.log" | grep -vc "^5 .*$refusal")" 0 \
		"answers other than '5 ... $refusal'"
	fs runs cancel "$run"
	expect_rc 0 "runs cancel"
	wait_until 5 finished "$run"
	expect_eq "$(run_field "$run" "status || ': ' || summary")" \
		"cancelled: cancelled by request during the download (in download); 0 rows: 0 created, 0 updated, 0 unchanged, 0 skipped, 0 failed" \
		"run cancelled while downloading"
	expect_eq "$(q "select count(*) from sync_runs")" 1 "runs"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker"
}

# ---- crashes and recovery ----

test_kill9_mid_import_then_recover_and_retry() {
	lifecycle_config
	big_conn Crash
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	local run
	run=$(last_run)
	wait_until 20 importing "$run" || return
	kill -9 "$WORKER_PID"
	wait "$WORKER_PID" 2>/dev/null
	expect_eq "$(run_field "$run" status)" running "status right after the kill"
	local kept
	kept=$(products "$CONN_ID")
	# Any process that looks recovers it once the heartbeat is stale_after_s old.
	wait_until 10 recovered "$run" || return
	fs runs show "$run"
	expect_rc 0 "runs show"
	expect_contains "$OUT" "worker lost"
	expect_contains "$(run_field "$run" summary)" "worker lost" "summary"
	expect_contains "$(run_field "$run" summary)" "feedsync runs retry $run" "summary"
	fs_within 60 runs retry "$run" --wait
	expect_rc 0 "runs retry --wait"
	local retry
	retry=$(last_run)
	expect_eq "$(run_field "$retry" "attempt || ' ' || retry_of || ' ' || trigger")" "2 $run retry" "retry run"
	expect_import_consistent "$retry" "$BIG_ROWS"
	expect_eq "$(run_field "$retry" unchanged)" "$kept" "products kept from the lost run, unchanged on retry"
	expect_eq "$(active_runs)" 0 "active runs"
	expect_integrity
}

# A worker that stops answering (SIGSTOP) past stale_after_s has its run failed as lost; once it resumes it
# must see that the run is no longer its own: it stops, imports nothing, and leaves the verdict alone.
test_resumed_worker_leaves_its_lost_run_alone() {
	lifecycle_config
	start_feedserver "$T" || return
	add_conn Paused csv "$FEED_URL/slow?bps=4000&bytes=60000"
	local paused=$CONN_ID
	start_worker --threads 1
	fs_fast run "$paused"
	local run
	run=$(last_run)
	wait_until 10 downloading "$run" || return
	kill -STOP "$WORKER_PID"
	wait_until 10 recovered "$run"
	kill -CONT "$WORKER_PID"
	# The worker executes runs one at a time: once the next one is done, it has let go of the lost one.
	small_conn Next 10
	fs_fast run "$CONN_ID"
	local next
	next=$(last_run)
	wait_until 20 finished "$next" || return
	expect_eq "$(run_field "$next" status)" completed "run queued after the pause"
	expect_eq "$(run_field "$run" status)" failed "status of the lost run"
	expect_contains "$(run_field "$run" summary)" "worker lost" "summary of the lost run"
	expect_eq "$(products "$paused")" 0 "products imported by the resumed worker"
	expect_contains "$(q "select group_concat(message, ' | ') from run_events where run_id = $run")" \
		"failed as lost" "log of the lost run"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker"
	expect_integrity
}

# A run whose heartbeat is fresh is not taken for lost, even by a process that looks often.
test_live_run_is_not_recovered() {
	lifecycle_config
	big_conn Alive
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	local run
	run=$(last_run)
	wait_until 20 finished_or_polled "$run"
	expect_eq "$(run_field "$run" status)" completed "status of a run watched throughout"
	expect_not_contains "$(run_field "$run" summary)" "worker lost" "summary"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
}
finished_or_polled() { "$FEEDSYNC_BIN" runs >/dev/null 2>&1; finished "$1"; }

# ---- worker shutdown ----

# shutdown_test SIGNAL RUNNER: a worker importing gets SIGNAL with no grace: the run is cancelled at a safe
# point, the queued run is not claimed, the worker exits 0; a later `worker --once` (through RUNNER: fs or
# fs_fast) finishes the queue.
shutdown_test() {
	lifecycle_config 0
	small_conn Later 20
	local later=$CONN_ID
	big_conn Long
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	local run
	run=$(last_run)
	wait_until 20 importing "$run" || return
	fs_fast run "$later"
	local queued
	queued=$(last_run)
	kill -"$1" "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker after SIG$1"
	expect_eq "$(run_field "$run" status)" cancelled "in-flight run"
	expect_contains "$(run_field "$run" summary)" "shutting down" "summary"
	expect_eq "$(products "$CONN_ID")" "$(run_field "$run" created)" "products kept = created"
	expect_eq "$(run_field "$queued" "status || '/' || coalesce(worker_id, '')")" "queued/" "run queued before SIG$1"
	expect_eq "$(q "select count(*) from sync_runs where status = 'running'")" 0 "running runs"
	expect_eq "$(q "select count(*) from workers")" 0 "workers registered"
	expect_contains "$(cat "$T/worker.err")" "signal"
	"$2" worker --once --threads 1
	expect_rc 0 "worker --once"
	expect_eq "$(run_field "$queued" status)" completed "queued run after worker --once"
	expect_eq "$(active_runs)" 0 "active runs"
	expect_integrity
}
test_worker_sigterm_cancels_in_flight_run() { shutdown_test TERM fs; }
test_worker_sigint_cancels_in_flight_run() { shutdown_test INT fs_fast; }

# Within the grace period the in-flight run completes instead.
test_worker_sigterm_grace_lets_run_complete() {
	lifecycle_config 60
	big_conn Graceful
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	local run
	run=$(last_run)
	wait_until 20 importing "$run" || return
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 30
	expect_rc 0 "worker after SIGTERM"
	expect_import_consistent "$run" "$BIG_ROWS"
	expect_eq "$(active_runs)" 0 "active runs"
	expect_integrity
}

# ---- worker --once and the scheduler ----

test_worker_once_runs_every_queued_run() {
	lifecycle_config
	local c ids=""
	for c in One Two Three Four; do
		small_conn "$c" 50
		fs_fast run "$CONN_ID"
		expect_rc 0 "run $c"
		ids="$ids $CONN_ID"
	done
	expect_eq "$(active_runs)" 4 "queued runs"
	fs worker --once --threads 2
	expect_rc 0 "worker --once"
	expect_eq "$(active_runs)" 0 "active runs after worker --once"
	expect_eq "$(q "select count(*) from sync_runs where status = 'completed' and rows_read = 50
		and worker_id like '%:t_'")" 4 "runs completed by worker threads"
	for c in $ids; do
		expect_eq "$(products "$c")" 50 "products of connection $c"
	done
	expect_eq "$(q "select count(*) from workers")" 0 "workers registered"
	fs worker --once
	expect_rc 0 "worker --once with nothing queued"
}

test_scheduler_enqueues_due_connections() {
	lifecycle_config
	small_conn Due 10 '"schedule": "every 1m"'
	local due=$CONN_ID
	small_conn Off 10 '"schedule": "every 1m"'
	local off=$CONN_ID
	fs conn disable "$off"
	expect_rc 0 "conn disable"
	local past
	past=$(($(now_ms) - 120000))
	q "update connections set next_due_at = $past" >/dev/null
	fs worker --once --threads 1
	expect_rc 0 "worker --once"
	expect_eq "$(q "select trigger || ' ' || status from sync_runs where connection_id = $due")" \
		"schedule completed" "run of the due connection"
	expect_eq "$(q "select count(*) from sync_runs where connection_id = $off")" 0 "runs of the inactive connection"
	local now next
	now=$(now_ms)
	next=$(q "select next_due_at from connections where id = $due")
	[ "$next" -gt "$now" ] && [ "$next" -le $((now + 60000)) ] ||
		fail "next_due_at $next is not within the next minute (now $now)"

	# A daemon enqueues too, on its housekeeping beat, and runs what it queued.
	start_worker --threads 1
	q "update connections set next_due_at = $past where id = $due" >/dev/null
	scheduled_twice() { [ "$(q "select count(*) from sync_runs where connection_id = $due and trigger = 'schedule'
		and status = 'completed'")" = 2 ]; }
	wait_until 10 scheduled_twice
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker"
	expect_eq "$(q "select count(*) from sync_runs where connection_id = $off")" 0 "runs of the inactive connection"
	expect_eq "$(q "select next_due_at from connections where id = $off")" "$past" "next_due_at of the inactive one"
	[ "$(q "select next_due_at from connections where id = $due")" -gt "$now" ] || fail "next_due_at did not move on"
}

# ---- cancel, --wait and Ctrl-C ----

test_cancel_running_run_from_another_process() {
	lifecycle_config
	big_conn Cancel
	start_worker --threads 1
	fs_fast run "$CONN_ID"
	local run
	run=$(last_run)
	wait_until 20 importing "$run" || return
	fs_fast run "$CONN_ID" --wait
	expect_rc 5 "run --wait while a run is active"
	expect_contains "$ERR" "already has run $run (running"
	fs_fast runs cancel "$run"
	expect_rc 0 "runs cancel"
	expect_contains "$OUT" "cancel requested"
	wait_until 5 finished "$run" || return
	expect_eq "$(run_field "$run" status)" cancelled "status"
	expect_contains "$(run_field "$run" summary)" "cancelled by request" "summary"
	local kept
	kept=$(products "$CONN_ID")
	[ "$kept" -gt 0 ] && [ "$kept" -lt "$BIG_ROWS" ] || fail "products kept after the cancel: $kept"
	expect_eq "$kept" "$(run_field "$run" created)" "products kept = created"
	fs runs cancel "$run"
	expect_rc 0 "second cancel"
	expect_contains "$OUT" "already finished (cancelled)"
	# Retried while the daemon is alive: the daemon executes it and this process follows.
	fs_within 60 runs retry "$run" --wait
	expect_rc 0 "runs retry --wait"
	local retry
	retry=$(last_run)
	expect_eq "$(run_field "$retry" "attempt || ' ' || retry_of")" "2 $run" "retry run"
	expect_contains "$(run_field "$retry" worker_id)" ":$WORKER_PID:t1" "worker of the retry"
	expect_import_consistent "$retry" "$BIG_ROWS"
	expect_eq "$(run_field "$retry" unchanged)" "$kept" "unchanged on retry"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_integrity
}

test_run_wait_follows_worker_daemon() {
	lifecycle_config
	start_worker --threads 2
	small_conn Good 30
	local good=$CONN_ID
	fs run "$good" --wait
	expect_rc 0 "run --wait of a good feed"
	expect_contains "$OUT" "completed: 30 rows: 30 created"
	expect_contains "$(run_field "$(last_run)" worker_id)" ":$WORKER_PID:t" "worker of the run"
	printf 'sku,name,price,quantity\nA1,First,1.00,1\nA2,Second,not-a-price,1\n' >"$T/partial.csv"
	add_conn Partial csv "$T/partial.csv"
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "run --wait of a feed with a bad row"
	expect_contains "$(run_field "$(last_run)" worker_id)" ":$WORKER_PID:t" "worker of the run"
	add_conn Gone csv "$T/no-such-file.csv"
	fs run "$CONN_ID" --wait --json
	expect_rc 1 "run --wait of a missing feed"
	expect_eq "$(json_get "$OUT" status)" failed "status in --json"
	expect_contains "$(run_field "$(last_run)" worker_id)" ":$WORKER_PID:t" "worker of the run"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker"
}

# A daemon killed before it claims the run still looks alive for a few beats: `run --wait` queues for it,
# then executes the run itself once the daemon has stopped beating.
test_run_wait_when_daemon_died() {
	lifecycle_config
	small_conn Orphan 30
	start_worker --threads 1
	kill -9 "$WORKER_PID"
	wait "$WORKER_PID" 2>/dev/null
	fs_within 20 run "$CONN_ID" --wait
	expect_rc 0 "run --wait after the daemon died"
	expect_contains "$OUT" "completed: 30 rows: 30 created"
	expect_not_contains "$(run_field "$(last_run)" worker_id)" ":t" "worker of the run (not a daemon thread)"
}

# ctrl_c_test: Ctrl-C (SIGINT) reaches a `run --wait` (pid in $WAITER) while its run imports; the run ends
# cancelled and the command exits 4.
ctrl_c_test() {
	"$FEEDSYNC_BIN" run "$CONN_ID" --wait >"$T/wait.out" 2>"$T/wait.err" &
	WAITER=$!
	echo "$WAITER" >>"$T/.pids"
	local run
	wait_until 10 run_exists || return
	run=$(last_run)
	wait_until 20 importing "$run" || return
	kill -INT "$WAITER"
	wait_exit "$WAITER" 10
	expect_rc 4 "run --wait after Ctrl-C"
	expect_eq "$(run_field "$run" status)" cancelled "status"
	expect_contains "$(cat "$T/wait.out")" "run $run cancelled: "
	expect_contains "$(run_field "$run" summary)" "cancelled by request" "summary"
	expect_eq "$(products "$CONN_ID")" "$(run_field "$run" created)" "products kept = created"
	expect_eq "$(active_runs)" 0 "active runs"
	expect_integrity
}
run_exists() { [ -n "$(last_run)" ]; }

test_ctrl_c_during_run_wait() {
	lifecycle_config
	big_conn Interrupted
	ctrl_c_test
	expect_eq "$(run_field "$(last_run)" worker_id)" "$(hostname):$WAITER" "executed by the waiting process"
}

test_ctrl_c_during_run_wait_beside_daemon() {
	lifecycle_config
	big_conn InterruptedRemote
	start_worker --threads 1
	ctrl_c_test
	expect_contains "$(run_field "$(last_run)" worker_id)" ":$WORKER_PID:t1" "executed by the daemon"
	kill -TERM "$WORKER_PID"
	wait_exit "$WORKER_PID" 10
	expect_rc 0 "worker"
}

run_tests "$@"
