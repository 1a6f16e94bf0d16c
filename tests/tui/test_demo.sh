#!/bin/bash
# `make run`'s demo (tests/helpers/demo.sh) in tmux at 80x24, as a newcomer meets it: the shop's connections on
# the first screen, the failed run's HTTP status two keys away, a plan to review, and no fake shop left behind
# on quitting or closing the terminal; a later start finds the shop on its new port with the products feedsync
# recorded.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
CTL="$ROOT/tests/fakewoo/ctl.py"
DEMO_DB='demo/feedsync.db'

# demo: the demo script in a private tmux server, on the demo directory $T/demo; waits for the console.
demo() {
	CONSOLES=$((${CONSOLES:-0} + 1))
	SOCK="fs-$$-${BASHPID}-demo-$CONSOLES"
	local cmd
	cmd=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1 FEEDSYNC_DEMO_DIR="$T/demo" \
		XDG_STATE_HOME="$T/state" PYTHON="$PYTHON" "$ROOT/tests/helpers/demo.sh" "$FEEDSYNC_BIN")
	tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
		"cd '$T' && $cmd 2>'$T/.console-err'; echo \"EXITED \$?\"; sleep 60"
	tmux -L "$SOCK" set-option -g status off >/dev/null
	tmux -L "$SOCK" display-message -p '#{pid}' >>"$T/.pids"
	wait_screen "feedsync → Connections" 30
	PORT=$(cat "$T/demo/.shop.port")
	SHOP_URL="http://127.0.0.1:$PORT"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
not_listening() { ! listening "$1"; }

# quit_demo: Q ends the console, then the script stops the shop: nothing listens on its port any more.
quit_demo() {
	listening "$PORT" || fail "the fake shop was not listening on $PORT while the console ran"
	keys Q
	wait_screen "EXITED 0" 10
	wait_screen "the fake shop stopped"
	listening "$PORT" && fail "the fake shop still listens on $PORT after the console quit"
	pgrep -f "$T/demo/.shop.port" >/dev/null && fail "a fake shop process outlived the demo"
	screen >>"$T/.screens"
	tmux -L "$SOCK" kill-server 2>/dev/null
}

test_the_demo_shows_the_shops_story_and_quitting_stops_the_shop() {
	demo
	local s; s=$(screen)
	local conn
	for conn in "Acme supplier" "Catalog markup" "Merchant feed" "Price list" "Stock stream"; do
		expect_contains "$s" "$conn"
	done
	expect_contains "$(screen | grep 'Merchant feed')" "✘ failed"
	expect_contains "$(screen | grep 'Price list')" "▲ errors"
	expect_fits 80
	# The failed run and the shop's answer: two keys.
	keys_then "Run 9 of Merchant feed" "!"
	wait_screen "HTTP 401"
	keys_then "Errors of run 9, in order" e
	s=$(screen)
	expect_contains "$s" "Status: HTTP 401"
	expect_contains "$s" "Excerpt: {\"code\": \"woocommerce_rest_authentication_error\""
	# The row errors are the other problem: bad price, no SKU, duplicate SKU.
	fs --db "$DEMO_DB" runs errors 4
	for code in bad_price missing_sku duplicate_sku; do expect_contains "$OUT" "$code"; done
	quit_demo
	local secret
	secret=$(sed -n 's/^DEMO_SECRET=//p' "$ROOT/tests/helpers/demo.sh")
	[ -n "$secret" ] || fail "no DEMO_SECRET in demo.sh"
	sqlite3 "$DEMO_DB" .dump >"$T/.dump"
	grep -lF "$secret" "$T/.dump" "$T/.console-err" "$T/.screens" && fail "the demo's shop secret is shown or stored"
}

test_a_later_start_finds_the_shop_on_its_new_port_with_its_products() {
	demo
	quit_demo
	local first=$PORT
	demo
	fs_fast --db "$DEMO_DB" dest show "Demo shop" --json
	expect_eq "$(json_get "$OUT" base_url)" "$SHOP_URL" "the demo shop's URL after a restart (was port $first)"
	# The plan waits for review in the console...
	keys ":conn Catalog" Enter
	wait_screen "Runs of Catalog markup"
	keys_then "Plan of run 3" p
	wait_screen "apply 20 of 20 changes"
	# ...and applies against the restarted shop: yesterday's products updated by their ids, none made twice.
	fs_fast --db "$DEMO_DB" plan apply 3 --wait
	expect_rc 0 "plan apply"
	expect_contains "$OUT" "20 pushed"
	expect_eq "$("$PYTHON" "$CTL" "$SHOP_URL" state 'by_sku("XML-001")["regular_price"]')" "19.99" "XML-001's price"
	expect_eq "$("$PYTHON" "$CTL" "$SHOP_URL" state \
		'sum(1 for x in skus if x.startswith("XML-")), len(set(skus)) == len(skus)')" "(20, True)" "catalog SKUs in the shop"
	# Closing the terminal (SIGHUP to the script) stops the shop too.
	tmux -L "$SOCK" kill-server
	wait_until 5 not_listening "$PORT"
}

run_tests "$@"
