#!/bin/bash
# Where the database and the configuration are found: the user's data directory, systemd's
# $STATE_DIRECTORY, a database older versions left in the working directory, /etc/feedsync; read-only
# commands never create a database. Each test unsets the $FEEDSYNC_DB tests/lib.sh sets.
. "$(dirname "$0")/../lib.sh"

# In $T: a home directory and a connection document.
setup_home() {
	unset FEEDSYNC_DB XDG_DATA_HOME STATE_DIRECTORY
	export HOME="$T/home"
	mkdir -p "$HOME"
	printf '{"name": "a", "source": {"type": "csv", "url": "%s/a.csv"}}\n' "$T" >"$T/conn.json"
}

test_a_user_database_goes_to_the_data_directory() {
	setup_home
	fs conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	[ -f "$HOME/.local/share/feedsync/feedsync.db" ] || fail "no database in ~/.local/share/feedsync"
	[ ! -e "$T/feedsync.db" ] || fail "a database was created in the working directory"
	expect_eq "$(stat -c %a "$HOME/.local/share/feedsync")" 700 "data directory mode"
	export XDG_DATA_HOME="$T/xdg"
	fs_fast conn add --file "$T/conn.json"
	[ -f "$T/xdg/feedsync/feedsync.db" ] || fail "\$XDG_DATA_HOME was not followed"
	fs_fast config
	expect_contains "$OUT" "path = $T/xdg/feedsync/feedsync.db" "feedsync config"
}

test_the_service_uses_its_state_directory() {
	setup_home
	mkdir "$T/state"
	export STATE_DIRECTORY="$T/state:$T/other"
	fs conn add --file "$T/conn.json"
	expect_rc 0 "conn add"
	[ -f "$T/state/feedsync.db" ] || fail "no database in \$STATE_DIRECTORY"
	fs_fast --db "$T/named.db" conn add --file "$T/conn.json"
	[ -f "$T/named.db" ] || fail "--db does not win over \$STATE_DIRECTORY"
}

test_a_database_in_the_working_directory_is_kept_with_a_notice() {
	setup_home
	fs_fast --db "$T/feedsync.db" conn add --file "$T/conn.json"
	fs conn list
	expect_rc 0 "conn list"
	expect_contains "$OUT" " a " "the old database's connections"
	expect_contains "$ERR" "note: using ./feedsync.db" "notice"
	[ ! -e "$HOME/.local/share/feedsync" ] || fail "a new database was made beside the old one"
	fs_fast config
	expect_not_contains "$ERR" "note:" "a command that opens no database"
}

test_read_only_commands_never_create_a_database() {
	setup_home
	fs conn list # valgrind on the refusal once; the others without (a second each)
	expect_rc 6 "conn list"
	for cmd in "conn list" "runs" "runs show 1" "products 1" "stats" "plan show 1" "dest list" "--readonly conn show 1"; do
		# shellcheck disable=SC2086
		fs_fast $cmd
		expect_rc 6 "feedsync $cmd"
		expect_contains "$ERR" "no database yet: looked for ./feedsync.db and $HOME/.local/share/feedsync/feedsync.db" \
			"feedsync $cmd"
	done
	fs_fast </dev/null
	expect_rc 6 "feedsync with no terminal"
	fs_fast --db "$T/x.db" conn list
	expect_rc 6 "conn list --db"
	expect_contains "$ERR" "$T/x.db (named by --db)"
	FEEDSYNC_DB="postgresql://u:hunter2@127.0.0.1:1/x" fs_fast runs
	expect_not_contains "$ERR" "hunter2" "a URL's password"
	[ -z "$(find "$T" -name '*.db')" ] || fail "a database was created: $(find "$T" -name '*.db')"
	[ ! -e "$HOME/.local" ] || fail "a data directory was created"
}

# in_etc_overlay CMD...: CMD in a private mount namespace whose /etc has $T/upper laid over it, so that the
# machine's /etc is never written.
in_etc_overlay() {
	mkdir -p "$T/upper" "$T/work"
	# shellcheck disable=SC2016
	unshare -m bash -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc && shift 2 && "$@"' \
		_ "$T/upper" "$T/work" "$@"
}

# /etc/feedsync/feedsync.ini comes after the user's file.
test_etc_feedsync_is_the_last_config_looked_at() {
	setup_home
	in_etc_overlay true 2>/dev/null || { echo "SKIP: no mount namespace or overlayfs here"; return; }
	mkdir -p "$T/upper/feedsync" "$HOME/.config/feedsync"
	printf '[worker]\nthreads = 7\n' >"$T/upper/feedsync/feedsync.ini"
	in_etc_overlay env FEEDSYNC_CONFIG= "$FEEDSYNC_BIN" config >"$T/sys.out" 2>&1
	expect_contains "$(cat "$T/sys.out")" "threads = 7" "config from /etc/feedsync"
	expect_contains "$(cat "$T/sys.out")" "/etc/feedsync/feedsync.ini" "config names its file"
	printf '[worker]\nthreads = 3\n' >"$HOME/.config/feedsync/feedsync.ini"
	in_etc_overlay env FEEDSYNC_CONFIG= "$FEEDSYNC_BIN" config >"$T/user.out" 2>&1
	expect_contains "$(cat "$T/user.out")" "threads = 3" "the user's file before /etc's"
}

run_tests "$@"
