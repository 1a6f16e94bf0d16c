#!/bin/bash
# feedsync conn: add, list, show, edit, clone, enable/disable, rm, export, and refusal of bad documents.
. "$(dirname "$0")/../lib.sh"

test_add_list_show_json() {
	fs conn add --file "$ROOT/data/connections/supplier-csv.json"
	expect_rc 0 "conn add"
	expect_contains "$OUT" "created connection 1 'Acme supplier (CSV)'"
	fs conn list --json
	expect_rc 0 "conn list --json"
	expect_eq "$(json_get "$OUT" 0.name)" "Acme supplier (CSV)" "listed name"
	fs conn show 1
	expect_contains "$OUT" "every 15m"
	fs conn show 1 --json
	expect_eq "$(json_get "$OUT" source_type)" "csv" "source_type"
	fs conn list
	expect_contains "$OUT" "Acme supplier (CSV)"
	expect_contains "$OUT" "NAME"
}

test_bad_document_lists_every_problem_and_saves_nothing() {
	cat >"$T/bad.json" <<'DOC'
{"name": "", "source": {"type": "ftp", "url": ""}, "schedule": "every banana",
 "filters": {"rules": [{"field": "price", "op": "approx", "value": "1"}]}}
DOC
	fs conn add --file "$T/bad.json"
	expect_rc 1 "conn add of a bad document"
	expect_contains "$ERR" "nothing was saved"
	expect_contains "$ERR" "name"
	expect_contains "$ERR" "source.type"
	expect_contains "$ERR" "schedule"
	expect_contains "$ERR" "filters.rules[0].op"
	[ ! -e "$FEEDSYNC_DB" ] || expect_eq "$(sql "select count(*) from connections")" "0" "connections stored"
}

test_not_json_is_refused() {
	echo '<html>nope</html>' >"$T/x.json"
	fs conn add --file "$T/x.json"
	expect_rc 1
	expect_contains "$ERR" "not a valid connection document"
}

test_duplicate_name_refused() {
	add_conn "Same" csv "$FIXTURES/feeds/quoted.csv"
	fs conn add --file "$T/conn.json"
	expect_rc 1 "second add with the same name"
	expect_contains "$ERR" "Same"
	expect_eq "$(sql 'select count(*) from connections')" "1" "connections stored"
}

test_edit_clone_enable_disable_rm() {
	add_conn "Orig" csv "$FIXTURES/feeds/quoted.csv"
	printf '{"name": "Renamed", "source": {"type": "csv", "url": "%s"}, "schedule": "daily 03:30"}' \
		"$FIXTURES/feeds/quoted.csv" >"$T/edit.json"
	fs conn edit "$CONN_ID" --file "$T/edit.json"
	expect_rc 0 "conn edit"
	fs_fast conn show "$CONN_ID" --json
	expect_eq "$(json_get "$OUT" name)" "Renamed" "edited name"
	expect_eq "$(json_get "$OUT" schedule)" "daily 03:30" "edited schedule"
	fs conn clone "$CONN_ID" --name "Copy"
	expect_rc 0 "conn clone"
	expect_eq "$(sql "select count(*) from connections where name='Copy'")" "1" "clone stored"
	fs conn disable "$CONN_ID"
	expect_rc 0 "disable"
	expect_eq "$(sql "select active from connections where id=$CONN_ID")" "0" "active after disable"
	fs conn enable "$CONN_ID"
	expect_eq "$(sql "select active from connections where id=$CONN_ID")" "1" "active after enable"
	fs conn rm "$CONN_ID"
	expect_rc 0 "rm"
	fs_fast conn show "$CONN_ID"
	expect_rc 6 "show of a removed connection"
}

test_export_round_trips() {
	fs_fast conn add --file "$ROOT/data/connections/winmentor.json"
	fs conn export 1
	expect_rc 0 "export"
	echo "$OUT" | sed 's/"Depozit WinMentor"/"Depozit 2"/' >"$T/again.json"
	fs conn add --file "$T/again.json"
	expect_rc 0 "add of the exported document"
	fs_fast conn export 2
	expect_contains "$OUT" '"winmentor"'
}

test_relative_paths_are_stored_absolute() {
	mkdir -p "$T/feeds" && cp "$FIXTURES/feeds/quoted.csv" "$T/feeds/"
	printf '{"name": "Rel", "source": {"type": "csv", "url": "feeds/quoted.csv"}}' >"$T/rel.json"
	fs conn add --file rel.json
	expect_rc 0
	expect_contains "$(sql 'select source_url from connections')" "$T/feeds/quoted.csv"
}

test_unknown_connection_and_usage() {
	fs_fast db migrate # a read-only command finds no database otherwise (test_data_paths.sh)
	fs conn show 42
	expect_rc 6 "show 42"
	expect_contains "$ERR" "no connection 42"
	fs conn frobnicate
	expect_rc 2 "unknown subcommand"
	fs run
	expect_rc 2 "run without id"
}

run_tests "$@"
