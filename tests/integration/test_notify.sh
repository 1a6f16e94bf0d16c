#!/bin/bash
# Notifications (issue 16): one test per rule (failed, errors over a share, a streak, recovery, a stuck run, an
# open circuit) and per channel (a signed webhook with retries, a command, e-mail over SMTP), the rate limit's
# summary, exactly once with two workers, and secrets kept out of every payload and output. Every message is
# caught by tests/helpers/alert_catcher.py (an HTTP and an SMTP server on 127.0.0.1).
. "$(dirname "$0")/../lib.sh"

# start_catcher [CATCHER_ARGS...]: sets $HOOK (a webhook URL), $SMTP (an smtp:// URL) and, with --tls-cert, $SMTPS
# and $HTTPS_HOOK; files go to $T/caught.
start_catcher() {
	mkdir -p "$T/caught"
	"$PYTHON" "$ROOT/tests/helpers/alert_catcher.py" --dir "$T/caught" --port-file "$T/.catcher" --lifetime 120 \
		"$@" &
	echo $! >>"$T/.pids"
	for _ in $(seq 100); do [ -s "$T/.catcher" ] && break; sleep 0.05; done
	[ -s "$T/.catcher" ] || { fail "the catcher did not start"; return 1; }
	read -r http_port smtp_port smtps_port https_port <"$T/.catcher"
	HOOK="http://127.0.0.1:$http_port/hook"
	SMTP="smtp://127.0.0.1:$smtp_port"
	SMTPS="smtps://127.0.0.1:$smtps_port"
	HTTPS_HOOK="https://127.0.0.1:$https_port/hook"
}

caught() { ls "$T/caught" 2>/dev/null | grep -c "^$1-" || true; }
# field FILE EXPR: a python expression over the caught record r (and its payload p, for a webhook).
field() {
	"$PYTHON" -c "import json, sys
r = json.load(open(sys.argv[1]))
p = json.loads(r['body']) if 'body' in r else None
v = ($2)
print(v)" "$T/caught/$1"
}

csv_conn() {   # NAME FILE [EXTRA_JSON_MEMBERS]: sets $CONN_ID
	printf '{"name": "%s", "source": {"type": "csv", "url": "%s"}%s}\n' "$1" "$2" "${3:+, $3}" >"$T/$1.json"
	fs_fast conn add --file "$T/$1.json" --json
	expect_rc 0 "conn add $1"
	CONN_ID=$(json_get "$OUT" id)
}

good_csv() { printf 'sku,name,price\nP1,Ceai,10\nP2,Cafea,22\nP3,Zahar,4\n' >"$1"; }
# A third of the rows fail: a run completes with errors at 33.3%.
partial_csv() { printf 'sku,name,price\nP1,Ceai,10\nP2,Cafea,bad\nP3,Zahar,4\n' >"$1"; }

outbox() { sql "select event || ':' || status from notify_outbox order by id" | tr '\n' ' '; }

test_failed_run_posts_a_signed_webhook_without_secrets() {
	start_catcher || return
	csv_conn A "$T/nowhere.csv"
	echo 'whsec-0123456789' | fs notify add hook --webhook "$HOOK" --secret -
	expect_rc 0 "notify add"
	fs run "$CONN_ID" --wait
	expect_rc 1 "a failed run"
	expect_eq "$(caught http)" 1 "webhooks caught"
	expect_eq "$(field http-1.json 'p["event"], p["run"]["id"], p["connection"]["name"], p["run"]["status"]')" \
		"('failed', 1, 'A', 'failed')" "payload"
	expect_contains "$(field http-1.json 'p["run"]["first_error"]')" "nowhere.csv" "first error"
	expect_eq "$(field http-1.json 'p["hint"]')" "feedsync runs show 1" "hint"
	expect_eq "$(field http-1.json 'r["headers"]["X-Feedsync-Event"]')" failed "event header"
	# The receiver's check: HMAC-SHA256 over "TIMESTAMP.BODY" with the shared key.
	field http-1.json 'r["headers"]["X-Feedsync-Signature"] + " " + r["body"]' >"$T/sig"
	"$PYTHON" -c 'import hmac, hashlib, sys
sig, body = open(sys.argv[1]).read().rstrip("\n").split(" ", 1)
t, v1 = [kv.split("=", 1)[1] for kv in sig.split(",")]
want = hmac.new(b"whsec-0123456789", (t + "." + body).encode(), hashlib.sha256).hexdigest()
sys.exit(0 if hmac.compare_digest(want, v1) else 1)' "$T/sig" || fail "the signature does not verify"
	expect_not_contains "$(cat "$T/caught/http-1.json")" "whsec" "what the receiver got"
	fs notify show hook
	expect_contains "$OUT" "sealed in the database" "show"
	expect_not_contains "$OUT" "whsec" "show"
	fs notify show hook --json
	expect_not_contains "$OUT" "whsec" "show --json"
	expect_not_contains "$(sql 'select options from notify_channels')" "whsec" "stored options"
	fs notify log
	expect_contains "$OUT" "failed    1  sent" "log"
}

test_webhook_body_template_makes_the_receivers_json() {
	start_catcher || return
	printf '{"name": "Say \\"hi\\"", "source": {"type": "csv", "url": "%s/nowhere.csv"}}' "$T" >"$T/q.json"
	fs_fast conn add --file "$T/q.json" --json
	expect_rc 0 "conn add"
	CONN_ID=$(json_get "$OUT" id)
	fs notify add slack --webhook "$HOOK" --on failed --body '{"text": "{{text}}", "run": {{run.id}}}'
	expect_rc 0 "notify add"
	fs_fast run "$CONN_ID" --wait
	expect_eq "$(field http-1.json 'p')" "{'text': 'Say \"hi\" failed (run 1)', 'run': 1}" "the body, quotes escaped"
	fs notify add bad --webhook "$HOOK" --body '{"text": {{text}}}'
	expect_rc 2 "a template that cannot make JSON"
}

test_errors_over_a_share_only() {
	start_catcher || return
	partial_csv "$T/p.csv"
	csv_conn P "$T/p.csv"
	fs_fast notify add over50 --webhook "$HOOK?c=50" --on errors --error-share 50
	fs_fast notify add over30 --webhook "$HOOK?c=30" --on errors --error-share 30
	expect_rc 0 "notify add"
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "a run completed with errors"
	expect_eq "$(caught http)" 1 "only the channel whose share the run reached"
	expect_eq "$(field http-1.json 'r["path"], p["event"], round(p["error_share"], 1)')" \
		"('/hook?c=30', 'errors', 33.3)" "errors payload"
}

test_streak_fires_once_on_the_nth_failure() {
	start_catcher || return
	csv_conn S "$T/nowhere.csv"
	local s=$CONN_ID
	csv_conn Other "$T/nowhere.csv"
	fs_fast notify add streaks --webhook "$HOOK" --on streak --streak 2 --conn "$s"
	expect_rc 0 "notify add"
	fs_fast run "$CONN_ID" --wait            # another connection's failures are not this channel's
	fs_fast run "$CONN_ID" --wait
	for _ in 1 2 3; do fs_fast run "$s" --wait; done
	expect_eq "$(caught http)" 1 "one streak message in three failures"
	expect_eq "$(field http-1.json 'p["event"], p["run"]["id"], p["failures_in_a_row"]')" "('streak', 4, 2)" "streak"
}

test_recovery_after_a_told_failure() {
	start_catcher || return
	csv_conn R "$T/r.csv"
	fs_fast notify add ops --webhook "$HOOK" --on failed,recovery
	fs_fast run "$CONN_ID" --wait            # no file yet: failed
	good_csv "$T/r.csv"
	fs_fast run "$CONN_ID" --wait            # recovered
	expect_rc 0 "a completed run"
	fs_fast run "$CONN_ID" --wait            # still fine: nothing to say
	expect_eq "$(outbox)" "failed:sent recovery:sent " "outbox"
	expect_eq "$(field http-2.json 'p["event"], p["text"]')" "('recovery', 'R recovered (run 2)')" "recovery"
	fs runs show 1
	expect_contains "$OUT" "notified:  ops failed (sent) (feedsync notify log --run 1)" "runs show"
	fs runs show 2 --json
	expect_eq "$(json_get "$OUT" notifications.0.event)" recovery "runs show --json"
	fs notify log --run 2
	expect_rc 0 "notify log --run"
	expect_eq "$(echo "$OUT" | awk 'NR > 1 {print $5 ":" $6}')" "recovery:2" "the run's messages only"
}

test_stuck_run_is_told_once() {
	start_catcher || return
	csv_conn K "$T/k.csv"
	fs_fast notify add stuck --webhook "$HOOK" --on stuck --stuck-after 60
	local now=$(($(date +%s) * 1000))
	# A run whose worker stopped beating two minutes ago, not yet failed as lost (nothing recovered it yet).
	sql "insert into sync_runs(connection_id, trigger, status, attempt, created_at, started_at, heartbeat_at)
	     values ($CONN_ID, 'manual', 'running', 1, $now - 300000, $now - 300000, $now - 120000)"
	sql "insert into sync_runs(connection_id, trigger, status, attempt, created_at, started_at, heartbeat_at)
	     values ($CONN_ID, 'manual', 'completed', 1, $now, $now, $now)"
	fs notify deliver
	expect_rc 0 "notify deliver"
	fs_fast notify deliver
	expect_eq "$(caught http)" 1 "one stuck message over two passes"
	expect_eq "$(field http-1.json 'p["event"], p["run"]["id"], p["run"]["status"]')" "('stuck', 1, 'running')" "stuck"
	# Past worker.stale_after_s (60) whoever notices fails it as lost, and no worker is left to tell it.
	fs_fast notify edit stuck --on stuck,failed
	fs_fast runs
	expect_eq "$(sql 'select status from sync_runs where id = 1')" failed "failed as lost"
	fs notify deliver
	expect_eq "$(caught http)" 2 "the lost run's failure"
	expect_eq "$(field http-2.json 'p["event"], p["run"]["summary"][:12]')" "('failed', 'worker lost:')" "lost"
}

test_worker_watches_for_stuck_runs_and_delivers() {
	start_catcher || return
	csv_conn K "$T/k.csv"
	fs_fast notify add stuck --webhook "$HOOK" --on stuck --stuck-after 30
	printf '[worker]\npoll_interval_ms = 100\nstale_after_s = 600\n' >"$T/worker.ini"
	local now=$(($(date +%s) * 1000))
	sql "insert into sync_runs(connection_id, trigger, status, attempt, created_at, started_at, heartbeat_at)
	     values ($CONN_ID, 'manual', 'running', 1, $now - 90000, $now - 90000, $now - 60000)"
	"$FEEDSYNC_BIN" --config "$T/worker.ini" worker 2>"$T/worker.err" &
	local worker=$!
	echo "$worker" >>"$T/.pids"
	wait_until 5 test -s "$T/caught/http-1.json"
	kill -TERM "$worker"
	wait "$worker"
	expect_eq "$(field http-1.json 'p["event"], p["run"]["id"]')" "('stuck', 1)" "told by the worker"
	expect_eq "$(sql 'select status from sync_runs')" running "not failed as lost before stale_after_s"
}

test_open_circuit_reaches_the_channels_that_watch_the_shop() {
	start_catcher || return
	fs_fast dest add --name shop --url http://127.0.0.1:1 --key ck_live_abc --secret cs_live_xyz
	expect_rc 0 "dest add"
	csv_conn Pushes "$T/a.csv" '"destination": {"type": "woocommerce", "name": "shop"}'
	local pushes=$CONN_ID
	csv_conn Local "$T/b.csv"
	fs_fast notify add everyone --webhook "$HOOK?all" --on circuit
	fs_fast notify add pusher --webhook "$HOOK?pusher" --on circuit --conn "$pushes"
	fs_fast notify add other --webhook "$HOOK?other" --on circuit --conn "$CONN_ID"
	sql "update destinations set circuit_state = 'open', circuit_since = 1700000000000,
	     circuit_last = 'HTTP 503 from products/batch'"
	fs_fast notify deliver
	fs_fast notify deliver
	expect_eq "$(caught http)" 2 "the global channel and the pushing connection's"
	expect_eq "$(sql "select group_concat(ch.name) from notify_outbox o join notify_channels ch on ch.id = o.channel_id")" \
		"everyone,pusher" "channels told"
	expect_eq "$(field http-1.json 'p["event"], p["destination"]["name"], p["destination"]["last_failure"]')" \
		"('circuit', 'shop', 'HTTP 503 from products/batch')" "circuit payload"
	expect_not_contains "$(cat "$T"/caught/*)" "cs_live" "payloads"
}

test_webhook_retries_with_backoff_then_gives_up() {
	start_catcher --http-status 503,200 || return
	csv_conn W "$T/nowhere.csv"
	fs_fast notify add flaky --webhook "$HOOK" --on failed --backoff 1 --attempts 3
	fs_fast run "$CONN_ID" --wait
	expect_eq "$(sql 'select status, attempts from notify_outbox')" "pending|1" "after a 503"
	expect_contains "$(sql 'select last_error from notify_outbox')" "HTTP 503" "last error"
	fs_fast notify deliver
	expect_eq "$(sql 'select status, attempts from notify_outbox')" "pending|1" "not due before its backoff"
	sleep 1.1
	fs_fast notify deliver
	expect_eq "$(sql 'select status, attempts from notify_outbox')" "sent|2" "the retry"
	# A receiver that never recovers: given up after --attempts, with a log line.
	fs_fast notify edit flaky --webhook "http://127.0.0.1:1/closed" --attempts 2
	fs_fast run "$CONN_ID" --wait
	sleep 1.1
	fs notify deliver
	expect_eq "$(sql 'select status, attempts from notify_outbox where run_id = 2')" "failed|2" "given up"
	expect_contains "$ERR" "giving up after 2 attempts" "log line"
}

test_hung_receiver_does_not_hold_a_run() {
	start_catcher --http-delay 5 || return
	good_csv "$T/h.csv"
	csv_conn H "$T/nowhere.csv"
	fs_fast notify add slow --webhook "$HOOK" --on failed --timeout 1 --attempts 1
	local t0=$(date +%s%N)
	fs_fast run "$CONN_ID" --wait
	local ms=$((($(date +%s%N) - t0) / 1000000))
	expect_rc 1 "the run's own exit code"
	[ "$ms" -lt 3500 ] || fail "run --wait took $ms ms with a receiver that hangs 5 s (bound: 1 s)"
	expect_eq "$(sql 'select status from sync_runs')" failed "the run's status"
	expect_contains "$(sql 'select status, last_error from notify_outbox')" "failed|" "the message"
}

test_command_gets_the_payload_on_stdin_without_a_shell() {
	start_catcher || return
	cat >"$T/hook.sh" <<-'EOF'
	#!/bin/sh
	out=$1; shift
	cat >"$out.stdin"
	env >"$out.env"
	printf '%s\n' "$@" >"$out.args"
	EOF
	chmod +x "$T/hook.sh"
	csv_conn C "$T/nowhere.csv"
	fs notify add cmd --command "$T/hook.sh" --arg "$T/got" --arg '$(touch pwned); {{run.id}}' --on failed
	expect_rc 0 "notify add"
	(export WOO_SECRET=cs_live_env; fs run "$CONN_ID" --wait; [ "$RC" -ne 99 ]) || fail "valgrind: run with a command"
	[ -f "$T/got.stdin" ] || { fail "the command did not run"; return; }
	expect_eq "$(json_get "$(cat "$T/got.stdin")" event)" failed "stdin payload"
	expect_eq "$(cat "$T/got.args")" '$(touch pwned); {{run.id}}' "argv as given, no shell, no template"
	[ ! -e "$T/pwned" ] || fail "a shell ran the argument"
	expect_contains "$(cat "$T/got.env")" "FEEDSYNC_EVENT=failed" "env"
	expect_contains "$(cat "$T/got.env")" "FEEDSYNC_SUBJECT=[feedsync] C failed (run 1)" "env subject"
	expect_not_contains "$(cat "$T/got.env")" "cs_live_env" "the worker's variables"
	# A command that hangs is killed at its timeout and the message given up.
	fs_fast notify edit cmd --command sleep --arg 30 --timeout 1 --attempts 1
	fs_fast run "$CONN_ID" --wait
	expect_contains "$(sql 'select status, last_error from notify_outbox where run_id = 2')" \
		"failed|sleep did not finish within 1 s" "timeout"
}

test_smtp_mail_with_login_and_templates() {
	start_catcher || return
	csv_conn M "$T/nowhere.csv"
	fs notify add mail --smtp "$SMTP" --from feedsync@example.com --to "ops@example.com, oncall@example.com" \
		--user alerts --secret-env FS_SMTP_PASSWORD --subject 'feed {{connection.name}}: {{event}} #{{run.id}}' \
		--body 'Run {{run.id}} of {{connection.name}} {{run.status}}: {{run.first_error}} {{nope}}.'
	expect_rc 0 "notify add"
	(export FS_SMTP_PASSWORD=pw-123; fs run "$CONN_ID" --wait; [ "$RC" -ne 99 ]) || fail "valgrind: run with a mail"
	expect_eq "$(caught mail)" 1 "mails caught"
	expect_eq "$(field mail-1.json 'r["from"], r["to"], r["user"], r["password"]')" \
		"('<feedsync@example.com>', ['<ops@example.com>', '<oncall@example.com>'], 'alerts', 'pw-123')" "envelope"
	local data
	data=$(field mail-1.json 'r["data"]')
	expect_contains "$data" "Subject: feed M: failed #1" "subject"
	expect_contains "$data" "To: ops@example.com, oncall@example.com" "To"
	expect_contains "$data" "Run 1 of M failed: download failed: cannot read" "body"
	expect_contains "$data" "or directory ." "an unknown field is empty"
	expect_not_contains "$data" "pw-123" "the message"
	fs notify show mail
	expect_contains "$OUT" 'from $FS_SMTP_PASSWORD' "show names the variable"
	printf 'From a file: {{event}}\n' >"$T/body.txt"
	fs notify edit mail --body-file "$T/body.txt"
	expect_rc 0 "edit --body-file"
	expect_eq "$(sql "select json_extract(options, '$.body') from notify_channels")" "From a file: {{event}}" "body"
	fs notify edit mail --body '@not-a-file {{event}}'
	expect_eq "$(sql "select json_extract(options, '$.body') from notify_channels")" "@not-a-file {{event}}" "literal"
	# Without the variable the message waits for it instead of going out unauthenticated.
	fs_fast run "$CONN_ID" --wait
	expect_contains "$(sql 'select status, last_error from notify_outbox where run_id = 2')" \
		"pending|the variable FS_SMTP_PASSWORD" "no password"
}

test_smtp_starttls_required_refuses_a_plain_server() {
	start_catcher || return
	fs_fast notify add tls --smtp "$SMTP" --from a@example.com --to b@example.com --starttls --attempts 1
	fs notify test tls
	expect_rc 1 "notify test"
	expect_eq "$(caught mail)" 0 "nothing sent in the clear"
	expect_eq "$(sql 'select event, status from notify_outbox')" "test|failed" "recorded"
}

test_tls_mail_and_https_webhook_with_a_private_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/ca.pem" -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null || { fail "openssl could not make a certificate"; return; }
	start_catcher --tls-cert "$T/ca.pem" --tls-key "$T/key.pem" || return
	fs_fast notify add untrusted --smtp "$SMTPS" --from a@example.com --to b@example.com --attempts 1
	fs_fast notify test untrusted
	expect_rc 1 "a certificate no CA vouches for"
	expect_contains "$ERR" "certificate" "why"
	fs notify add starttls --smtp "$SMTP" --from a@example.com --to b@example.com --starttls --ca-file "$T/ca.pem"
	expect_rc 0 "notify add"
	fs notify test starttls
	expect_rc 0 "notify test over STARTTLS"
	fs_fast notify add smtps --smtp "$SMTPS" --from a@example.com --to b@example.com --ca-file "$T/ca.pem"
	fs_fast notify test smtps
	expect_rc 0 "notify test over smtps"
	expect_eq "$(caught mail)" 2 "mails caught"
	expect_eq "$(field mail-1.json 'r["tls"]') $(field mail-2.json 'r["tls"]')" "True True" "both inside TLS"
	fs_fast notify add https --webhook "$HTTPS_HOOK" --attempts 1
	fs_fast notify test https
	expect_rc 1 "an https receiver no CA vouches for"
	fs_fast notify edit https --ca-file "$T/ca.pem"
	fs notify test https
	expect_rc 0 "an https receiver with its CA"
	expect_eq "$(caught http)" 1 "the webhook over https"
	fs notify add bad --webhook "$HOOK" --ca-file "$T/nowhere.pem"
	expect_rc 2 "an unreadable CA file"
}

test_rate_limit_holds_then_summarises() {
	start_catcher || return
	csv_conn L "$T/nowhere.csv"
	fs_fast notify add limited --webhook "$HOOK" --on failed --limit 1 --per 2
	for _ in 1 2 3; do fs_fast run "$CONN_ID" --wait; done
	expect_eq "$(outbox)" "failed:sent failed:held failed:held " "within the window"
	sleep 2.1
	fs_fast notify deliver
	expect_eq "$(outbox)" "failed:sent failed:summarised failed:summarised summary:sent " "after the window"
	expect_eq "$(field http-2.json 'p["event"], p["held"], p["text"]')" \
		"('summary', 2, 'and 2 more: notifications held by the rate limit')" "summary"
}

test_two_workers_send_each_event_once() {
	start_catcher || return
	for i in 1 2 3 4; do csv_conn "F$i" "$T/nowhere.csv"; done
	fs_fast notify add ops --webhook "$HOOK" --on failed
	for i in 1 2 3 4; do fs_fast run "$i"; done
	"$FEEDSYNC_BIN" worker --once --threads 2 2>"$T/w1.err" &
	local w1=$!
	"$FEEDSYNC_BIN" worker --once --threads 2 2>"$T/w2.err"
	wait "$w1"
	expect_eq "$(sql "select count(*) from sync_runs where status = 'failed'")" 4 "runs"
	expect_eq "$(caught http)" 4 "one message a run"
	expect_eq "$(sql "select count(*), count(distinct run_id) from notify_outbox where status = 'sent'")" "4|4" "outbox"
}

test_cli_checks_and_test_message() {
	start_catcher || return
	fs notify add x --webhook "$HOOK" --on failed,sometimes
	expect_rc 2 "unknown event"
	expect_contains "$ERR" "unknown event 'sometimes'" "message"
	fs notify add x --smtp "$SMTP" --to a@example.com
	expect_rc 2 "mail without --from"
	fs notify add x --smtp "$SMTP" --from a@example.com --to 'b@example.com, <evil@example.com>'
	expect_rc 2 "an address with brackets"
	fs notify add x --smtp "$SMTP" --from a@example.com --to b@example.com --user u
	expect_rc 2 "a login without its password"
	fs notify add x --webhook "ftp://example.com"
	expect_rc 2 "not http"
	fs notify add x --smtp "$SMTP" --from a@example.com --to b@example.com --subject $'a\r\nBcc: evil@example.com'
	expect_rc 2 "a header with a line break"
	fs_fast notify add x --webhook "$HOOK"
	fs notify add x --webhook "$HOOK"
	expect_rc 5 "a taken name"
	fs notify edit x --on failed,errors --error-share 12.5 --disable
	expect_rc 0 "edit"
	fs notify show x
	expect_contains "$OUT" "x (webhook, disabled)" "disabled"
	expect_contains "$OUT" "on:       failed,errors" "events"
	expect_contains "$OUT" "errors at 12.5%" "share"
	csv_conn D "$T/nowhere.csv"
	fs_fast run "$CONN_ID" --wait
	expect_eq "$(caught http)" 0 "a disabled channel sends nothing"
	fs_fast notify edit x --enable
	fs notify test x
	expect_rc 0 "notify test"
	expect_eq "$(field http-1.json 'p["event"]')" test "test payload"
	fs notify log x --json
	expect_eq "$(json_get "$OUT" 0.status)" sent "log --json"
	# Messages done with go after 90 days; pending ones stay whatever their age.
	sql "insert into notify_outbox(channel_id, event_key, event, payload, status, next_attempt_at, created_at)
	     values (1, 'old-sent', 'failed', '{}', 'sent', 1000, 1000), (1, 'old-pending', 'failed', '{}', 'pending',
	     $(($(date +%s) * 1000 + 600000)), 1000)"
	fs_fast notify deliver
	expect_eq "$(sql "select event_key from notify_outbox where event_key like 'old-%'")" old-pending "pruned"
	fs notify rm x
	expect_rc 0 "rm"
	fs notify show x
	expect_rc 6 "gone"
	expect_eq "$(sql 'select count(*) from notify_outbox')" 0 "its messages went with it"
}

run_tests "$@"
