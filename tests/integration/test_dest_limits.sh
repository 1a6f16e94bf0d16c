#!/bin/bash
# A destination's limits hold across processes: two runs in two processes against one fake shop keep together
# to its requests per second and its concurrency, a circuit one opens the other respects, and a process killed
# with a slot gives it back when its lease expires.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# two_conns N: connections A and B, each pushing its own N products to $DEST_ID; sets $CONN_A and $CONN_B.
two_conns() {
	local name
	for name in A B; do
		make_feed "$1" 0 "$name"
		mv "$T/feed.csv" "$T/feed$name.csv"
		printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}, "destination": {"type": "woocommerce", "id": %s}}\n' \
			"$name" "$T/feed$name.csv" "$DEST_ID" >"$T/conn.json"
		run_fs fs_fast conn add --file "$T/conn.json" --json
		expect_rc 0 "conn add $name"
		printf -v "CONN_$name" %s "$(json_get "$OUT" id)"
	done
}

# start_run A|B: `run --wait` of connection A or B in a process of its own, stopped with the test; sets $RUN_PID.
start_run() {
	local conn="CONN_$1" out
	out=$(echo "$1" | tr AB ab)
	"$FEEDSYNC_BIN" run "${!conn}" --wait >"$T/$out.out" 2>&1 &
	RUN_PID=$!
	echo "$RUN_PID" >>"$T/.pids"
}

# run_both: runs A and B at once, each `run --wait` in its own process; both must complete.
run_both() {
	start_run A; local a=$RUN_PID
	start_run B; local b=$RUN_PID
	wait "$a" || fail "run A: $(tail -c 600 "$T/a.out")"
	wait "$b" || fail "run B: $(tail -c 600 "$T/b.out")"
	expect_eq "$(sql "select count(*) from sync_runs where status = 'completed'")" "2" "both runs completed"
	# Vacuous unless they pushed at the same time.
	expect_eq "$(sql "select count(*) from sync_runs a join sync_runs b on a.id < b.id
		where a.started_at < b.finished_at and b.started_at < a.finished_at")" "1" "the runs overlapped"
}

# shop_eval EXPR: EXPR over the fake shop's state, with s (the state), reqs (its request log, t0 the arrival
# and t1 the answer in seconds of its clock) and batches (the batch requests) as globals: comprehensions see them.
shop_eval() {
	woo state >"$T/state.json"
	"$PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))
reqs = s["requests"]
batches = [r for r in reqs if r["path"].endswith("/batch")]
print(eval(sys.argv[2]))' "$T/state.json" "$1"
}

batches_at_least() { [ "$(woo state "len(batches)")" -ge "$1" ]; }

# The most API requests the shop received within any WINDOW seconds.
busiest_window() { shop_eval "max(sum(1 for r in reqs if t <= r['t0'] < t + $1) for t in [r['t0'] for r in reqs])"; }

test_two_processes_share_the_rate_limit() {
	start_fakewoo || return
	add_shop --rate-limit 8 --batch-size 5 --concurrency 4
	two_conns 60
	run_both
	local total
	total=$(woo state "len(s['requests'])")
	[ "$total" -ge 40 ] || fail "only $total requests: too few to judge the rate"
	# 8 a second, plus the bucket's 4 at the start and a token or two in hand: never the 16 of two processes.
	local most
	most=$(busiest_window 2)
	[ "$most" -le 21 ] || fail "$most requests within 2 s, the limit being 8 a second for both processes"
	local rate
	rate=$(shop_eval "round((len(reqs) - 4) / (max(r['t0'] for r in reqs) - min(r['t0'] for r in reqs)), 2)")
	"$PYTHON" -c "import sys; sys.exit(0 if $rate <= 8 * 1.1 else 1)" || fail "$rate requests a second over the whole push"
	expect_eq "$(woo state 'len(skus)')" "120" "every product pushed"
	expect_unique_skus
}

# A run that starts while another pushes to the shop reads the other's fences (its creates in flight): it waits
# for them only until they are answered, not for their whole time (timeout + overrun, 3 minutes here).
fenced_by_run_1() { [ "$(sql "select count(*) from push_fences where run_id = 1")" -gt 0 ]; }

# run_end_gap: seconds from the first run's end to the last's.
run_end_gap() { sql "select (max(finished_at) - min(finished_at)) / 1000 from sync_runs"; }

# run_b_while_a_is_fenced: run B starts once run A has creates in flight; both complete, B soon after A.
run_b_while_a_is_fenced() {
	start_run A; local a=$RUN_PID
	wait_until 20 fenced_by_run_1 || return 1
	start_run B; local b=$RUN_PID
	wait "$a" || fail "run A: $(tail -c 600 "$T/a.out")"
	wait "$b" || fail "run B: $(tail -c 600 "$T/b.out")"
	expect_eq "$(sql "select count(*) from sync_runs where status = 'completed'")" "2" "both runs completed"
	local gap
	gap=$(run_end_gap)
	[ "$gap" -le 20 ] || fail "run B ended ${gap} s after run A: it waited out fences A had dropped"
}

test_a_run_beside_another_waits_for_its_creates_only_until_they_are_answered() {
	start_fakewoo || return
	add_shop --batch-size 5 --concurrency 1 --timeout 60 --overrun 120
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 200}]'
	two_conns 30
	run_b_while_a_is_fenced || return
	expect_eq "$(woo state 'len(skus)')" "60" "every product pushed"
	expect_eq "$(sql "select count(*) from push_fences")" "0" "no fence left"
	expect_unique_skus
}

# The same SKUs in both feeds: B's products fenced by A wait until A's creates are answered, then are looked up
# and updated, not created twice.
test_a_run_pushing_the_same_skus_waits_for_the_other_runs_answers() {
	start_fakewoo || return
	add_shop --batch-size 5 --concurrency 1 --timeout 60 --overrun 120
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 200}]'
	two_conns 30
	cp "$T/feedA.csv" "$T/feedB.csv"
	run_b_while_a_is_fenced || return
	expect_eq "$(woo state 'len(skus)')" "30" "each SKU once in the shop"
	expect_unique_skus
}

test_two_processes_share_the_concurrency_cap() {
	start_fakewoo || return
	add_shop --batch-size 5 --concurrency 2
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 150},
	             {"match": {"method": "GET", "path": "/wp-json/wc/v3/products"}, "latency_ms": 50}]'
	two_conns 60
	run_both
	expect_eq "$(woo state "s['max_in_flight']")" "2" "requests in flight at once, both processes together"
	expect_eq "$(woo state 'len(skus)')" "120" "every product pushed"
	expect_eq "$(sql "select count(*) from dest_leases")" "0" "both gave their slots back"
	expect_unique_skus
}

test_a_circuit_opened_elsewhere_is_respected() {
	start_fakewoo || return
	add_shop --batch-size 5 --concurrency 1
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "latency_ms": 200}]'
	two_conns 60
	start_run A; local a=$RUN_PID
	wait_until 20 batches_at_least 2 || return
	# Another process found the shop down: the circuit is open for 5 to 6 s (the shell clock has whole seconds).
	sql "update destinations set circuit_state = 'open', consecutive_failures = 5,
		circuit_reopen_at = cast(strftime('%s','now') as integer) * 1000 + 6000,
		circuit_since = cast(strftime('%s','now') as integer) * 1000, circuit_last = 'HTTP 502 (elsewhere)'"
	sleep 0.5   # what was in flight or asked for as it opened
	local before after
	before=$(woo state "len(s['requests'])")
	sleep 1.5
	after=$(woo state "len(s['requests'])")
	expect_eq "$after" "$before" "requests sent while the circuit was open elsewhere"
	wait "$a" || fail "run A: $(tail -c 600 "$T/a.out")"
	expect_eq "$(sql "select status, circuit_state from sync_runs, destinations where sync_runs.id = 1")" \
		"completed|closed" "the probe closed it and the run went on"
}

test_a_killed_process_gives_its_slot_back_when_the_lease_expires() {
	start_fakewoo || return
	# --overrun 1: B takes over the dead run's fences, which last timeout + overrun, not the default minute.
	add_shop --batch-size 5 --concurrency 1 --timeout 2 --retries 0 --overrun 1
	# The first batch never gets an answer: the process is killed while it waits, holding the only slot.
	woo faults '[{"match": {"path": "/wp-json/wc/v3/products/batch"}, "action": "stall", "stall_s": 8, "times": 1}]'
	two_conns 10
	start_run A; local a=$RUN_PID
	wait_until 20 batches_at_least 1 || return
	kill -9 "$a"
	wait "$a" 2>/dev/null
	expect_eq "$(sql "select slots from dest_leases")" "1" "the dead process's lease still holds the slot"
	run_fs fs_fast dest show "$DEST_ID"
	expect_contains "$OUT" "1/1 slots"
	run_fs fs_fast run "$CONN_B" --wait
	expect_rc 0 "run B"
	# B's first request waited for the lease: 2 s timeout + 2 s margin from A's last sync, A's stalled batch.
	local gap
	gap=$(shop_eval "round(min(r['t0'] for r in reqs if r['t0'] > batches[0]['t0']) - batches[0]['t0'], 1)")
	"$PYTHON" -c "import sys; sys.exit(0 if 3.0 <= $gap <= 8 else 1)" ||
		fail "B's first request came $gap s after A's last, expected when the 4 s lease expired"
	expect_eq "$(woo state "len([x for x in skus if x.startswith('B')])")" "10" "B pushed everything"
}

run_tests "$@"
