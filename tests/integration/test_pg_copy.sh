#!/bin/bash
# `feedsync db copy` (src/core/db_copy.c) from a SQLite installation built by real commands into a throwaway
# PostgreSQL (tests/pg_lib.sh, one server for the file, a fresh database per test; fails loudly when none can
# start): every table arrives with its values (escapes, sealed credentials, derived columns), sequences go past
# the copied ids, the key file follows; a refused value or row leaves the target empty; a target with rows, a
# source behind this binary's schema and a source with a live worker are refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg_lib.sh"

pg_mode_start || exit 1
trap pg_mode_stop EXIT
# pg_mode_start points sql at the server; here it reads the SQLite source.
sql() { sqlite3 -batch -noheader "$FEEDSYNC_DB" "$1"; }

# fresh_target: $TARGET, a new empty database on the file's server.
fresh_target() {
	TARGET=$(pg_mode_fresh_db "copy$RANDOM$RANDOM") || fail "no fresh database"
}
pg() { psql "$TARGET" -X -q -At -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

# installation: a sealed destination, a connection into a file destination, two runs of a feed with a bad
# row and values holding a tab, a backslash and a newline.
installation() {
	export XDG_DATA_HOME="$T/xdg"
	fs_fast dest add --name shop --url https://shop.example.com --key ck_0123456789abcdef0123456789abcdef01234567 \
		--secret cs_0123456789abcdef0123456789abcdef01234567
	expect_rc 0 "dest add"
	printf 'sku,name,price,quantity\nA1,"Tab\there",1.00,1\nA2,"Back\\slash\nnew line",2.50,2\nA3,Bad,not-a-price,3\n' \
		>"$T/feed.csv"
	add_conn Feed csv "$T/feed.csv" '"destination": {"type": "file", "path": "out.csv", "format": "csv"}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "first run (one bad row)"
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "second run"
	fresh_target
}

# same_rows QUERY: the query's rows on both engines are equal.
same_rows() {
	local lite theirs
	lite=$(sqlite3 -batch -noheader "$FEEDSYNC_DB" "$1")
	theirs=$(pg "$1")
	expect_eq "$theirs" "$lite" "rows of: $1"
}

test_copies_an_installation_with_nothing_lost() {
	installation
	# Every character the COPY text format escapes, and a float.
	sql "UPDATE run_events SET message = 'cr' || char(13) || 'tab' || char(9) || 'bs\\N' || char(10) || 'end'
	     WHERE id = 1"
	sql "INSERT INTO dest_buckets VALUES (1, 0.1, 12345, 2.5, 1e300, 4)"
	local url=${TARGET/feedsync@/feedsync:s3cret@}
	fs db copy --from "$FEEDSYNC_DB" --to "$url"
	expect_rc 0 "db copy"
	expect_not_contains "$OUT$ERR" "s3cret" "output"
	expect_contains "$OUT" "products                        2            2" "count table"
	expect_contains "$OUT" "counts and checksums equal" "summary"
	for table in destinations connections products sync_runs run_errors run_events run_samples; do
		expect_eq "$(pg "SELECT count(*) FROM $table")" "$(sql "SELECT count(*) FROM $table")" "$table rows"
	done
	same_rows "SELECT sku, name, price, quantity, data, hash, pushed_hash, changed_run, push_failed_run, parent_sku
	           FROM products ORDER BY sku"
	expect_eq "$(pg "SELECT name FROM products WHERE sku = 'A2'")" "$(printf 'Back\\slash\nnew line')" "escapes"
	same_rows "SELECT id, status, rows_read, created, failed, heartbeat_at, summary FROM sync_runs ORDER BY id"
	same_rows "SELECT run_id, line, code, message FROM run_errors ORDER BY id"
	same_rows "SELECT id, run_id, level, message FROM run_events ORDER BY id"
	expect_eq "$(pg "SELECT tokens = 0.1 AND size = 1e300 FROM dest_buckets")" "t" "doubles exact"
	same_rows "SELECT id, last_run_id, last_status, product_count FROM connections"
	expect_eq "$(pg "SELECT encode(credentials, 'hex') FROM destinations")" \
		"$(sql "SELECT lower(hex(credentials)) FROM destinations")" "sealed credentials, byte for byte"
	expect_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'")" "0" \
		"triggers on again"
	# The next id continues after the copied ones.
	local next
	next=$(pg "INSERT INTO sync_runs (connection_id, trigger, status, created_at) VALUES (1, 'manual', 'completed', 0)
	           RETURNING id" | head -1)
	expect_eq "$next" "$(( $(sql "SELECT max(id) FROM sync_runs") + 1 ))" "next sync_runs id"
	local key
	key=$(ls "$XDG_DATA_HOME/feedsync/")
	expect_contains "$OUT" "credentials key: $XDG_DATA_HOME/feedsync/$key" "where the key went"
	cmp -s "$XDG_DATA_HOME/feedsync/$key" "$FEEDSYNC_DB.key" || fail "the key file differs from the source's"
	expect_eq "$(stat -c %a "$XDG_DATA_HOME/feedsync/$key")" "600" "key file mode"
	# The indexes dropped for the load are all back, as a fresh migration makes them.
	local copied fresh
	copied=$(pg "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'")
	fresh_target
	fs_fast --db "$TARGET" db migrate
	expect_rc 0 "migrate of a fresh database"
	fresh=$(pg "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'")
	expect_eq "$copied" "$fresh" "indexes after the copy"
}

test_a_target_with_rows_is_refused_and_force_replaces_it() {
	installation
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 0 "first copy"
	fs db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "a second copy"
	expect_contains "$ERR" "the target already holds an installation (table destinations has rows)" "stderr"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET" --force --json
	expect_rc 0 "copy --force"
	expect_eq "$(json_get "$OUT" replaced)" "True" "replaced"
	expect_eq "$(pg "SELECT count(*) FROM products")" "2" "products replaced, not added"
	expect_eq "$(pg "SELECT count(*) FROM sync_runs")" "$(sql "SELECT count(*) FROM sync_runs")" "runs replaced"
	# A key file of another installation at the target's place is never overwritten.
	local key
	key=$(ls "$XDG_DATA_HOME"/feedsync/*.key)
	printf '%064d\n' 7 >"$key"
	fs db copy --from "$FEEDSYNC_DB" --to "$TARGET" --force
	expect_rc 1 "copy onto another key"
	expect_contains "$ERR" "exists and holds another key" "stderr"
}

# expect_target_empty: the failed copy committed nothing.
expect_target_empty() {
	expect_eq "$(pg "SELECT (SELECT count(*) FROM destinations) + (SELECT count(*) FROM products)
	                 + (SELECT count(*) FROM sync_runs) + (SELECT count(*) FROM run_events)")" "0" "rows in the target"
}

test_a_value_postgresql_cannot_hold_is_named_and_nothing_is_committed() {
	installation
	sql "UPDATE products SET name = CAST(X'41FF42' AS TEXT) WHERE sku = 'A2'"
	local rowid
	rowid=$(sql "SELECT rowid FROM products WHERE sku = 'A2'")
	fs db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of invalid UTF-8"
	expect_contains "$ERR" "table products, row id $rowid, column name: text that is not valid UTF-8" "stderr"
	expect_target_empty
	sql "UPDATE products SET name = CAST(X'410042' AS TEXT) WHERE sku = 'A2'"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of a NUL byte"
	expect_contains "$ERR" "table products, row id $rowid, column name: a NUL byte" "stderr"
	expect_target_empty
	sql "UPDATE products SET name = 'ok', quantity = 'many' WHERE sku = 'A2'"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of text in an integer column"
	expect_contains "$ERR" "table products, row id $rowid, column quantity: a value that is not an integer" "stderr"
	expect_target_empty
}

test_a_row_postgresql_refuses_mid_copy_leaves_the_target_empty() {
	installation
	# An error whose run is gone (SQLite checks foreign keys only when asked): PostgreSQL refuses it after
	# every earlier table was sent.
	sql "PRAGMA foreign_keys = OFF; INSERT INTO run_errors (run_id, at, code, message) VALUES (999, 0, 'x', 'orphan')"
	fs db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of an orphan row"
	expect_contains "$ERR" "PostgreSQL refused a row of table run_errors" "stderr"
	expect_contains "$ERR" "foreign key" "stderr"
	expect_target_empty
}

test_a_source_behind_or_in_use_is_refused() {
	installation
	local latest
	latest=$(sql "PRAGMA user_version")
	sql "PRAGMA user_version = $((latest - 1))"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of an older schema"
	expect_contains "$ERR" "run \`feedsync db migrate --db $FEEDSYNC_DB\` first" "stderr"
	sql "PRAGMA user_version = $((latest + 1))"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy of a newer schema"
	expect_contains "$ERR" "newer than this feedsync" "stderr"
	sql "PRAGMA user_version = $latest"
	sql "UPDATE sync_runs SET status = 'running', finished_at = NULL, worker_id = 'h:1:t1',
	       heartbeat_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE id = 2"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy while a worker runs"
	expect_contains "$ERR" "run 2 (worker h:1:t1) is running in $FEEDSYNC_DB (heartbeat within 60 s)" "stderr"
	expect_eq "$(pg "SELECT to_regclass('destinations') IS NULL")" "t" "the target left untouched"
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET" --force
	expect_rc 0 "copy --force of the active run"
	expect_eq "$(pg "SELECT status FROM sync_runs WHERE id = 2")" "running" "the run as it was"
	# An idle worker would claim queued runs while the copy reads.
	sql "UPDATE sync_runs SET status = 'completed' WHERE id = 2;
	     INSERT INTO workers VALUES ('h:7', 7, 'h', 1, 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000)"
	fresh_target
	fs_fast db copy --from "$FEEDSYNC_DB" --to "$TARGET"
	expect_rc 1 "copy while a worker is alive"
	expect_contains "$ERR" "a worker (worker h:7) is running in $FEEDSYNC_DB" "stderr"
	fs_fast db copy --from "$T/none.db" --to "$TARGET"
	expect_rc 1 "copy of a missing file"
	expect_contains "$ERR" "--from must be an existing SQLite database file" "stderr"
}

run_tests "$@"
