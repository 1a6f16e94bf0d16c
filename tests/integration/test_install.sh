#!/bin/bash
# make install and uninstall into temporary roots: every file where it belongs, the unit naming the installed
# binary (systemd-analyze verify), man pages rendering without warnings, completion scripts parsing, strip on
# request, CPPFLAGS/LDFLAGS honoured, no test tool needed; the installed worker as an unprivileged service user
# writing its database into its state directory.
. "$(dirname "$0")/../lib.sh"

# inst TARGET ARGS...: make TARGET of the tree under test with the test build; the output in $T/make.log.
inst() {
	make -s -C "$ROOT" BUILD="$BUILD" TEST_DEBS=no-such-test-package "$@" >"$T/make.log" 2>&1
	RC=$?
}

test_install_puts_every_file_in_place_and_uninstall_removes_them() {
	inst install DESTDIR="$T/root" PREFIX=/usr
	expect_rc 0 "make install (without the test packages): $(cat "$T/make.log")"
	local f
	for f in usr/bin/feedsync usr/share/man/man1/feedsync.1 usr/share/man/man5/feedsync.ini.5 \
		usr/lib/systemd/system/feedsync-worker.service usr/lib/sysusers.d/feedsync.conf \
		usr/share/bash-completion/completions/feedsync usr/share/zsh/site-functions/_feedsync \
		usr/share/fish/vendor_completions.d/feedsync.fish usr/share/doc/feedsync/LICENSE \
		usr/share/feedsync/feedsync.ini usr/share/feedsync/themes/default.ini etc/feedsync/feedsync.ini; do
		[ -f "$T/root/$f" ] || fail "not installed: $f"
	done
	[ -x "$T/root/usr/bin/feedsync" ] || fail "the binary is not executable"
	expect_contains "$(cat "$T/root/usr/lib/systemd/system/feedsync-worker.service")" \
		"ExecStart=/usr/bin/feedsync worker" "the unit"
	(cd "$T" && "$T/root/usr/bin/feedsync" presets list) >"$T/presets" 2>&1 || fail "installed presets list: $(cat "$T/presets")"
	[ -s "$T/presets" ] || fail "the installed binary finds no presets"

	echo "threads = 9" >>"$T/root/etc/feedsync/feedsync.ini"
	inst install DESTDIR="$T/root" PREFIX=/usr
	expect_contains "$(tail -1 "$T/root/etc/feedsync/feedsync.ini")" "threads = 9" "the administrator's config after a reinstall"

	inst uninstall DESTDIR="$T/root" PREFIX=/usr
	expect_rc 0 "make uninstall"
	expect_eq "$(cd "$T/root" && find . -type f | sort)" "./etc/feedsync/feedsync.ini" "files left by uninstall"
	[ ! -d "$T/root/usr/share/feedsync" ] || fail "uninstall left share/feedsync"
}

test_unit_verifies_and_pages_render() {
	inst install PREFIX="$T/prefix" SYSCONFDIR="$T/prefix/etc"
	expect_rc 0 "make install PREFIX: $(cat "$T/make.log")"
	local unit="$T/prefix/lib/systemd/system/feedsync-worker.service" page
	if command -v systemd-analyze >/dev/null; then
		MANPATH="$T/prefix/share/man" systemd-analyze verify "$unit" >"$T/verify" 2>&1 ||
			fail "systemd-analyze verify: $(cat "$T/verify")"
		[ ! -s "$T/verify" ] || fail "systemd-analyze verify warns: $(cat "$T/verify")"
	else
		echo "SKIP systemd-analyze: not installed"
	fi
	for page in man1/feedsync.1 man5/feedsync.ini.5; do
		LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$T/prefix/share/man/$page" >"$T/page" 2>"$T/warn" ||
			fail "man -l $page failed"
		[ ! -s "$T/warn" ] || fail "man -l $page warns: $(cat "$T/warn")"
		[ "$(wc -l <"$T/page")" -gt 40 ] || fail "man -l $page: $(wc -l <"$T/page") lines"
	done
	MANPATH="$T/prefix/share/man" man -w feedsync.ini >/dev/null 2>&1 || fail "man feedsync.ini finds no page"
}

test_completion_scripts_parse_and_complete() {
	local d="$ROOT/dist/completion" cmd
	bash -n "$d/feedsync.bash" || fail "bash -n"
	if command -v zsh >/dev/null; then zsh -n "$d/_feedsync" || fail "zsh -n"; else echo "SKIP zsh: not installed"; fi
	if command -v fish >/dev/null; then fish -n "$d/feedsync.fish" || fail "fish -n"; else echo "SKIP fish: not installed"; fi
	# every command of `feedsync help` is offered by each script
	fs help
	for cmd in $(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z]\+\).*/\1/p' | sort -u); do
		grep -qw "$cmd" "$d/feedsync.bash" || fail "bash completion lacks $cmd"
		grep -q "'$cmd:\|\"$cmd:" "$d/_feedsync" || fail "zsh completion lacks $cmd"
		grep -q -- "-a $cmd " "$d/feedsync.fish" || fail "fish completion lacks $cmd"
	done
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		# shellcheck disable=SC2016
		got=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
			COMP_WORDS=(feedsync --db x.db runs ""); COMP_CWORD=4; COMP_LINE="feedsync --db x.db runs "
			COMP_POINT=${#COMP_LINE}; _feedsync; echo "${COMPREPLY[*]}"' _ "$d/feedsync.bash")
		expect_contains "$got" "cancel" "bash: feedsync --db x.db runs <TAB>"
		expect_contains "$got" "--status" "bash: feedsync --db x.db runs <TAB>"
	fi
	if command -v fish >/dev/null; then
		got=$(fish -c "source $d/feedsync.fish; complete -C 'feedsync dest add --'" 2>&1)
		expect_contains "$got" "--app-password-env" "fish: feedsync dest add --<TAB>"
	fi
}

test_strip_and_build_flags() {
	inst install-strip DESTDIR="$T/s" PREFIX=/usr
	expect_rc 0 "make install-strip: $(cat "$T/make.log")"
	readelf -S "$T/s/usr/bin/feedsync" | grep -q '\.symtab' && fail "install-strip left the symbol table"
	inst install DESTDIR="$T/u" PREFIX=/usr
	readelf -S "$T/u/usr/bin/feedsync" | grep -q '\.symtab' || fail "plain install stripped the binary"
	# a dry run from scratch shows the flags reaching every compile and the link
	make -n -B -C "$ROOT" BUILD="$T/b" CPPFLAGS=-DCPP_MARK LDFLAGS=-Wl,--build-id=sha1 "$T/b/feedsync" >"$T/dry" 2>&1
	expect_eq "$(grep -c ' -c ' "$T/dry")" "$(grep ' -c ' "$T/dry" | grep -c -- -DCPP_MARK)" "compiles with CPPFLAGS"
	grep -- "-o $T/b/feedsync" "$T/dry" | grep -q -- "--build-id=sha1" || fail "the link lacks LDFLAGS"
}

# The worker as the unit runs it: an unprivileged user, its database in $STATE_DIRECTORY, no home.
test_installed_worker_writes_its_state_directory_as_an_unprivileged_user() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || { echo "SKIP: needs root and setpriv"; return; }
	inst install DESTDIR="$T/root" PREFIX=/usr
	chmod 755 "$T"
	mkdir -m 700 "$T/state" && chown 65534:65534 "$T/state"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups env -u FEEDSYNC_DB HOME=/nonexistent \
		STATE_DIRECTORY="$T/state" FEEDSYNC_CONFIG= "$T/root/usr/bin/feedsync" worker --once) >"$T/w.out" 2>&1 ||
		fail "worker as nobody: $(cat "$T/w.out")"
	expect_eq "$(stat -c %u "$T/state/feedsync.db" 2>/dev/null)" 65534 "owner of \$STATE_DIRECTORY/feedsync.db"
	expect_eq "$(stat -c %a "$T/state/feedsync.db" 2>/dev/null)" 600 "mode of the database"
}

run_tests "$@"
