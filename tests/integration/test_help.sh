#!/bin/bash
# Help: every command and subcommand prints its own with exit 0 (--help, -h, `feedsync help CMD`) without
# opening a database; the help covers every option the commands parse, and feedsync.1 every option the help
# names; feedsync.ini.5 every key; a configuration error ends with a newline.
. "$(dirname "$0")/../lib.sh"

# The commands `feedsync help` lists (first word of its command lines).
help_commands() {
	"$FEEDSYNC_BIN" help | sed -n 's/^  \([a-z]\+\).*/\1/p' | sort -u
}

test_every_command_has_its_own_help() {
	local cmd n=0
	# valgrind once on the help path; the rest without, since it multiplies a second onto each of ~50 runs
	fs help dest
	expect_rc 0 "help dest"
	for cmd in $(help_commands); do
		n=$((n + 1))
		fs_fast "$cmd" --help
		expect_rc 0 "$cmd --help"
		expect_contains "$OUT" "usage: feedsync [global options] $cmd" "$cmd --help"
		expect_contains "$OUT" "  $cmd" "$cmd --help lists its lines"
		local own=$OUT
		fs_fast help "$cmd"
		expect_rc 0 "help $cmd"
		expect_eq "$OUT" "$own" "help $cmd and $cmd --help"
		fs_fast "$cmd" -h
		expect_eq "$OUT" "$own" "$cmd -h"
	done
	[ "$n" -ge 16 ] || fail "only $n commands in feedsync help"
	[ ! -e "$FEEDSYNC_DB" ] || fail "help opened the database"
}

test_subcommands_print_their_command_help() {
	local args
	for args in "conn add" "conn edit 3" "runs show 1" "runs cancel" "plan apply 1 --only" "dest add --name" \
		"dest test" "db migrate" "presets show" "worker --threads 2" "run 1 --wait"; do
		# shellcheck disable=SC2086
		fs_fast $args --help
		expect_rc 0 "$args --help"
		expect_contains "$OUT" "usage: feedsync [global options] ${args%% *}" "$args --help"
	done
	fs dest add --help
	expect_contains "$OUT" "--app-password-env VAR" "dest add's options"
	fs conn help
	expect_rc 0 "conn help"
	[ ! -e "$FEEDSYNC_DB" ] || fail "help opened the database"
}

test_help_errors() {
	fs help nosuch
	expect_rc 2 "help nosuch"
	expect_contains "$ERR" "no command 'nosuch'"
	fs nosuch --help
	expect_rc 2 "nosuch --help"
	fs --help
	expect_rc 0 "--help"
	expect_contains "$OUT" "Exit codes:"
	fs dest
	expect_rc 2 "dest with no subcommand"
	expect_contains "$ERR" "--app-password-env" "dest's usage on stderr"
}

# "--opt" words of a text, one a line.
options_in() { grep -o -- '--[a-z][a-z-]*' | sort -u; }

test_help_covers_every_option_and_the_man_page_covers_the_help() {
	local all cmd opt
	all=$("$FEEDSYNC_BIN" help; for cmd in $(help_commands); do "$FEEDSYNC_BIN" help "$cmd"; done)
	# options the sources parse: string literals in the command files
	for opt in $(cat "$ROOT"/src/cli/*.c "$ROOT/src/main.c" | grep -o '"--[a-z][a-z-]*"' | tr -d '"' | sort -u); do
		grep -q -- "$opt\b" <<<"$all" || fail "no help names $opt"
	done
	local man
	man=$(sed 's/\\-/-/g' "$ROOT/dist/feedsync.1")
	for opt in $(options_in <<<"$all"); do
		grep -q -- "$opt\b" <<<"$man" || fail "feedsync.1 lacks $opt"
	done
	for cmd in $(help_commands); do
		grep -q "$cmd" <<<"$man" || fail "feedsync.1 lacks the command $cmd"
	done
}

test_ini_page_covers_every_key() {
	local page key n=0
	page=$(sed 's/\\-/-/g' "$ROOT/dist/feedsync.ini.5")
	fs config
	# every section header, and every key outside [keys], which the page describes as a whole
	for key in $(printf '%s\n' "$OUT" | awk '/^\[/ {s=$0; print s; next} s != "[keys]" && /^[a-z_]+ = / {print $1}'); do
		n=$((n + 1))
		grep -qF -- "$key" <<<"$page" || fail "feedsync.ini.5 lacks $key"
	done
	[ "$n" -gt 30 ] || fail "only $n keys and sections in feedsync config"
}

test_config_error_ends_with_a_newline() {
	printf '[worker]\nthreads = many\n' >"$T/bad.ini"
	"$FEEDSYNC_BIN" --config "$T/bad.ini" config 2>"$T/err"
	RC=$?
	expect_rc 2 "a bad config"
	expect_eq "$(tail -c 1 "$T/err" | od -An -c | tr -d ' ')" '\n' "last character of the error"
}

run_tests "$@"
