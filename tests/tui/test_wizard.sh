#!/bin/bash
# The connection wizard, driven in tmux at 80x24 without colour: create, edit, clone, every step's
# validation, Esc and leaving, a resize, a shop's checks; and the saved connection runs the same from the
# console and from the CLI.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"

FEED="$FIXTURES/wizard/products.csv"

wizard_console() { console NO_COLOR=1 -- "$@"; }

# The step shown in the title bar.
on_step() { wait_screen "step $1 of 6"; }

# A new connection's first step filled in: name and the fixture feed.
start_new() {
	keys_then "New connection: step 1 of 6, Source" a
	keys "$1"
	focus "http(s):// address"
	keys "${2:-$FEED}"
}

quit_wizard() {
	keys C-c
	exit_confirmed
	tmux -L "$SOCK" kill-server 2>/dev/null
}

# run_status_is ID STATUS: for wait_until, which runs it again at each poll.
run_status_is() { [ "$(sql "select status from sync_runs where id = $1")" = "$2" ]; }

test_create_from_a_fixture_feed_end_to_end() {
	wizard_console
	start_new "Acme pens"
	focus "Downloads the feed"
	keys_then "sample: 5 rows, 6 columns" Enter
	keys_then "step 2 of 6" C-n
	wait_screen "FAILED   B2"
	wait_screen "The filters let 5 of 5 sample rows through"
	focus "A new filter rule"
	keys_then "OPERATOR" Enter
	keys Enter End Up Up Enter                            # the field list: Cantitate
	wait_screen "[Cantitate"
	keys Tab g Tab 0                                      # gt 0
	wait_screen "The filters let 4 of 5 sample rows through (1 skipped"
	keys_then "step 3 of 6" C-n
	wait_screen "regular_price     [auto: Pret"
	focus "Where status comes from"
	keys Right Tab publish
	focus "Lists the distinct category paths"
	keys_then "3 category paths" Enter
	focus "The destination category for 'Birou > Pixuri'"
	keys Pens
	keys_then "step 4 of 6" C-n
	keys Right                                            # file export
	focus "The file written at each run"
	keys out/pens.csv
	keys_then "step 5 of 6" C-n
	keys Right
	focus "How many minutes between runs"
	keys C-u 15
	wait_screen "The next runs:"
	keys_then "step 6 of 6" C-n
	wait_screen "ready to save"
	wait_screen "Filters:      Cantitate gt 0"
	keys_then "created connection 1 'Acme pens'" C-s
	wait_screen "1 of 1"

	fs conn show 1 --json
	expect_rc 0 "conn show"
	expect_eq "$(json_get "$OUT" document.name)" "Acme pens" "name"
	expect_eq "$(json_get "$OUT" document.source.url)" "$FEED" "url"
	expect_eq "$(json_get "$OUT" document.source.delimiter)" ";" "the sniffed delimiter"
	expect_eq "$(json_get "$OUT" document.filters.rules.0.field)" "Cantitate" "filter field"
	expect_eq "$(json_get "$OUT" document.filters.rules.0.op)" "gt" "filter op"
	expect_eq "$(json_get "$OUT" document.filters.rules.0.value)" "0" "filter value"
	expect_eq "$(json_get "$OUT" document.mapping.fields.status.constant)" "publish" "status"
	expect_contains "$OUT" '"Birou > Pixuri":	"Pens"' "category map"
	expect_eq "$(json_get "$OUT" document.destination.path)" "$T/out/pens.csv" "destination"
	expect_eq "$(json_get "$OUT" document.schedule)" "every 15m" "schedule"
	# The document is one `conn add` takes as it is.
	fs_fast conn export 1
	printf '%s' "$OUT" | sed 's/"Acme pens"/"Acme pens again"/; s#out/pens.csv#out/again.csv#' >"$T/again.json"
	fs_fast conn add --file "$T/again.json"
	expect_rc 0 "conn add of the wizard's document"

	# The same connection from the console and from the CLI: a copy of the database for the CLI.
	sqlite3 "$FEEDSYNC_DB" ".backup '$T/cli.db'"
	keys_then "started run" r
	wait_until 30 run_status_is 1 completed_with_errors
	local console_counts console_file
	console_counts=$(sql 'select rows_read, created, updated, skipped, failed from sync_runs where id = 1')
	console_file=$(cat "$T/out/pens.csv")
	rm "$T/out/pens.csv"
	FEEDSYNC_DB="$T/cli.db" fs run 1 --wait
	expect_rc 3 "run --wait (a row fails)"
	expect_eq "$(sqlite3 "$T/cli.db" 'select rows_read, created, updated, skipped, failed from sync_runs where id = 1')" \
		"$console_counts" "counters of the CLI run"
	expect_eq "$console_counts" "5|3|0|1|1" "counters of the console run"
	expect_eq "$(cat "$T/out/pens.csv")" "$console_file" "the file written"
	expect_contains "$console_file" "Pens,Pix albastru,2.50,A1,publish,100"
	stop_console
}

test_the_saved_connection_is_selected_for_r() {
	add_conn "Alpha feed" csv "$FEED"
	add_conn "Zulu feed" csv "$FEED"
	wizard_console
	wait_screen "2 of 2"
	start_new "Middle feed"
	keys_then "created connection 3 'Middle feed' (run it with r)" C-s
	wait_screen "3 of 3"
	keys_then "started run 1" r
	expect_eq "$(sql 'select connection_id from sync_runs where id = 1')" "3" "the connection r ran"
	stop_console
}

test_edit_changes_what_was_typed_and_keeps_the_rest() {
	printf '{"name": "Stock feed", "source": {"type": "csv", "url": "%s", "aliases": {"Culoare": "color"}},
	         "schedule": "every 2h", "mapping": {"fields": {"status": {"constant": "draft"}}}}' "$FEED" >"$T/conn.json"
	fs_fast conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	wizard_console
	keys_then "Edit connection 1: step 1 of 6" E
	wait_screen "sample: 5 rows"
	# The sniffed delimiter it shows is no change of the user's: leaving asks nothing.
	keys_then "sort name" Escape
	expect_not_contains "$(screen)" "Leave the wizard" "no question"
	keys_then "Edit connection 1: step 1 of 6" E
	wait_screen "[Stock feed"
	wait_screen "sample: 5 rows"
	keys C-n C-n
	on_step 3
	wait_screen "status            [(constant)"
	wait_screen "[draft"
	keys C-n C-n
	on_step 5
	wait_screen "[every N minutes"
	wait_screen "[120"
	keys Right
	focus "The time of day"
	keys C-u 03:15
	wait_screen "The next runs:"
	keys_then "saved connection 1 'Stock feed'" C-s
	fs conn show 1 --json
	expect_eq "$(json_get "$OUT" document.schedule)" "daily 03:15" "the changed schedule"
	expect_eq "$(json_get "$OUT" document.source.aliases.Culoare)" "color" "aliases the wizard does not show"
	expect_eq "$(json_get "$OUT" document.mapping.fields.status.constant)" "draft" "an untouched answer"
	expect_eq "$(sql 'select count(*) from connections')" "1" "connections"
	stop_console
}

test_clone_takes_a_new_name_and_its_own_route() {
	add_conn "Shop feed" csv "$FEED" '"destination": {"type": "file", "path": "out/a.csv"}'
	wizard_console
	keys_then "Copy of connection 1: step 1 of 6" D
	wait_screen "[Shop feed (copy)"
	wait_screen "sample: 5 rows"   # saving waits for the sample being fetched
	keys C-s
	on_step 6
	wait_screen "connection 1 'Shop feed' already takes"
	expect_eq "$(sql 'select count(*) from connections')" "1" "nothing saved"
	keys Escape Escape
	on_step 4
	focus "The file written at each run"
	keys C-u out/b.csv
	keys_then "created connection 2 'Shop feed (copy)'" C-s
	expect_eq "$(sql 'select active from connections where id = 2')" "0" "a copy starts inactive"
	expect_contains "$(sql 'select document from connections where id = 2')" "$T/out/b.csv"
	stop_console
}

test_each_step_shows_its_validation_errors() {
	add_conn "Taken" csv "$FEED"
	wizard_console
	start_new "Taken" "ftp://example.com/feed.csv"
	wait_screen "! source.url: unsupported scheme 'ftp'"
	wait_screen "[1 Source!]"
	focus "http(s):// address"
	keys C-u "$FEED"
	wait_screen "no problems on this step"
	keys_then "step 2 of 6" C-n
	wait_screen "LINE RESULT"
	focus "A new filter rule"
	keys Enter Tab g Tab abc
	wait_screen "! filters.rules[0].value: 'abc' is not a number"
	keys C-n
	on_step 3
	focus "Where regular_price comes from"
	keys Right Right Tab abc
	wait_screen "! mapping.fields.regular_price.constant: 'abc' is not a number"
	keys C-n
	on_step 4
	keys Right
	wait_screen "! destination.path: required"
	focus "How many days a product must be gone"
	keys C-u x
	wait_screen "(and 1 more)"
	keys C-n
	on_step 5
	keys Right Right Right
	focus "Five fields"
	keys C-u "61 * * * *"
	wait_screen "! schedule:"
	keys C-n
	on_step 6
	wait_screen "5 problems to fix first"
	for text in "Step 2 Preview & filter: filters.rules[0].value" "Step 3 Mapping: mapping.fields.regular_price" \
		"Step 4 Destination: destination.path" "Step 4 Destination: update.missing_after_days" \
		"Step 5 Schedule: schedule"; do
		expect_contains "$(screen)" "$text" "the review"
	done
	keys_then "not saved: 5 problems to fix first" C-s
	# Fixed one by one, the name is still taken: the database refuses it.
	keys Escape
	on_step 5
	focus "Five fields"
	keys C-u "0 6 * * *"
	keys Escape
	on_step 4
	focus "How many days a product must be gone"
	keys C-u 0
	focus "Where products go"
	keys Left
	keys Escape
	on_step 3
	focus "Where regular_price comes from"
	keys Left Left
	keys Escape
	on_step 2
	focus "The value compared with"
	keys C-u 1
	wait_screen "no problems on this step"
	keys C-s
	wait_screen "the name 'Taken' is already used by"
	keys Escape Escape Escape Escape Escape
	on_step 1
	focus "The connection's name"
	keys " two"
	keys_then "created connection 2 'Taken two'" C-s
	expect_eq "$(sql "select schedule from connections where id = 2")" "0 6 * * *" "schedule saved"
	stop_console
}

test_the_steps_read_right_at_80x24() {
	add_conn "Taken" csv "$FEED"
	wizard_console
	start_new "Taken"
	local delim; delim=$(screen | grep "Delimiter")
	[ "$(printf %s "$delim" | grep -o '▾]' | wc -l)" -eq 2 ] || fail "a list field lost its bracket: $delim"
	focus "Downloads the feed"
	keys_then "sample: 5 rows, 6 columns" Enter
	keys_then "step 2 of 6" C-n
	wait_screen "The filters let 5 of 5 sample rows through"
	focus "A new filter rule"
	keys Enter
	wait_screen "[contains"
	wait_screen "The filters let 5 of 5 sample rows through"   # a new rule lets everything through
	keys Tab n o
	wait_screen " 4/11 "                                     # typing shows what it selects: not_contains
	expect_contains "$(screen)" "|eq " "the operator list drawn over the sample"
	keys Enter
	wait_screen "[not_contains"
	keys_then "step 3 of 6" C-n
	keys_then "step 4 of 6" C-n
	keys Right
	wait_screen "and runs"
	expect_not_contains "$(screen)" "or runs" "the retirement rule is days AND runs"
	focus "Where products go"
	keys Left
	keys_then "step 5 of 6" C-n
	focus "Runs by itself only while 'feedsync worker' runs; the console runs no schedules"
	keys_then "step 6 of 6" C-n
	focus "Saves the connection"
	keys C-s
	wait_screen "the name 'Taken' is already used by"
	expect_not_contains "$(screen)" "No problems: ready to save" "beside a refused save"
	quit_wizard
}

test_esc_goes_back_keeping_input_and_leaving_asks() {
	wizard_console
	start_new "Half done"
	keys_then "step 2 of 6" C-n
	wait_screen "LINE RESULT"
	keys_then "step 1 of 6" Escape
	wait_screen "[Half done"
	wait_screen "[$FEED"
	keys_then "Leave the wizard? The connection is not saved" Escape
	keys_then "nothing done" n
	wait_screen "[Half done"
	keys_then "Quit? The connection in the wizard is not saved (y/n)" C-c
	keys_then "nothing done" n
	keys_then "Leave the wizard?" Escape
	keys_then "left the wizard; nothing was saved" y
	wait_screen "0 of 0"
	keys_then "New connection: step 1 of 6" a
	keys_then "Connections" Escape                       # nothing typed: no question
	expect_eq "$(sql 'select count(*) from connections')" "0" "connections"
	stop_console
}

test_resize_redraws_the_wizard_intact() {
	wizard_console
	start_new "Resized"
	keys_then "step 2 of 6" C-n
	wait_screen "LINE RESULT"
	focus "A new filter rule"
	keys Enter
	wait_screen "OPERATOR"
	resize 60 20
	wait_screen "terminal too small: 60x20"
	resize 120 40
	wait_screen "step 2 of 6, Preview & filter"
	wait_screen "OPERATOR"
	expect_fits 120
	resize 80 24
	wait_screen "The filters let"
	expect_fits 80
	keys_then "step 1 of 6" Escape
	wait_screen "[Resized"
	quit_wizard
}

test_shop_checks_and_categories_are_reported_inline() {
	. "$ROOT/tests/fakewoo/woo_lib.sh"
	start_fakewoo
	add_shop
	wizard_console
	start_new "To the shop"
	keys C-n C-n C-n
	on_step 4
	keys Right Right                                      # WooCommerce shop
	focus "The shop products are pushed to"
	keys_then "[shop (" Right
	focus "Checks reachability"
	keys Enter
	wait_screen "permissions     ok" 10
	wait_screen "authentication  ok"
	keys Escape
	on_step 3
	focus "Asks the WooCommerce shop"
	keys Enter
	wait_screen "the shop has 1 categories" 10             # Uncategorized, as every shop
	keys C-n
	on_step 4
	focus "Where products go"
	keys Right                                            # a new shop, tested before it is saved
	focus "A name for the new shop"
	keys "second shop" Tab "$WOO_URL" Tab "$KEY" Tab "$SECRET"
	focus "Checks reachability"
	keys Enter
	wait_screen "permissions     ok" 10
	expect_not_contains "$(screen)" "$SECRET" "the screen"
	keys_then "created connection 1 'To the shop'" C-s
	fs_fast dest show "second shop" --json
	expect_rc 0 "the new shop"
	expect_eq "$(json_get "$OUT" base_url)" "$WOO_URL" "its address"
	expect_eq "$(json_get "$(sql 'select document from connections')" destination.id)" "$(json_get "$OUT" id)" \
		"the connection's destination"
	expect_eq "$(sql "select count(*) from destinations where credentials like '%$SECRET%'")" "0" "sealed"
	stop_console
}

# A shop that lists its product categories (and nothing else).
start_category_shop() {
	"$PYTHON" - "$T/.catport" <<'PY' &
import http.server, json, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if not self.path.startswith("/wp-json/wc/v3/products/categories"):
            self.send_response(404); self.end_headers(); return
        body = json.dumps([{"id": 1, "name": "Office", "parent": 0}, {"id": 2, "name": "Pens", "parent": 1},
                           {"id": 3, "name": "Phones", "parent": 0}]).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_port)); os.replace(sys.argv[1] + ".tmp", sys.argv[1])
s.timeout = 60
s.serve_forever()
PY
	echo $! >>"$T/.pids"
	for _ in $(seq 100); do [ -s "$T/.catport" ] && break; sleep 0.05; done
	fs_fast dest add --name cats --url "http://127.0.0.1:$(cat "$T/.catport")" --key ck_1 --secret cs_1
	expect_rc 0 "dest add"
}

test_shop_categories_are_offered_as_targets() {
	start_category_shop
	add_conn "Categories" csv "$FEED" '"destination": {"type": "woocommerce", "id": 1}'
	wizard_console
	keys_then "Edit connection 1" E
	wait_screen "sample: 5 rows"
	keys C-n C-n
	on_step 3
	focus "Asks the WooCommerce shop"
	keys_then "the shop has 3 categories" Enter
	focus "Lists the distinct category paths"
	keys_then "3 category paths" Enter
	focus "The destination category for 'Birou > Pixuri'"
	keys_then "Office > Pens" Enter
	keys_then "[Office > Pens" Down Enter
	keys_then "saved connection 1" C-s
	expect_contains "$(sql 'select document from connections')" '"Birou > Pixuri":	"Office > Pens"'
	stop_console
}

# The Source step says what the sample's first bytes are, and which Type fits when the one chosen does not.
test_source_step_shows_the_sniffed_format() {
	wizard_console
	start_new "Sniffed" "$FIXTURES/feeds/array.json"
	focus "Downloads the feed"
	keys Enter
	wait_screen "sniffed: json; choose Type 'JSON or NDJSON feed'"
	focus "What the feed is"
	keys Right                                            # JSON or NDJSON feed
	focus "Downloads the feed"
	keys Enter
	wait_screen "sniffed: json, utf-8"
	focus "What the feed is"
	keys Left
	focus "http(s):// address"
	keys C-u "$FEED"
	focus "Downloads the feed"
	keys Enter
	wait_screen "sniffed: csv, delimiter ';', utf-8"
	quit_wizard
}

run_tests "$@"
