# A throwaway PostgreSQL for tests (bash, sourced). pg_start DIR initdb's a cluster into DIR/pg, listens only on
# a unix socket in DIR/pg and 127.0.0.1 on a free port, and sets $PG_URL; pg_stop shuts it down. PostgreSQL
# refuses to run as root, so as root the server runs as an unprivileged user through setpriv.
PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=""

# pg_as CMD...: runs CMD as the cluster owner (nobody when we are root, else ourselves).
pg_as() {
	if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}

pg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pg_start DIR: fails with the server log on stderr when the server cannot start (never skips).
pg_start() {
	PG_DIR="$1/pg"
	[ -x "$PG_BINDIR/initdb" ] || { echo "pg_start: no initdb under '$PG_BINDIR' (run make deps)" >&2; return 1; }
	mkdir -p "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$PG_DIR" && chmod 755 "$1"
	pg_as "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U feedsync -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
		{ echo "pg_start: initdb failed:" >&2; cat "$PG_DIR/initdb.log" >&2; return 1; }
	local port; port=$(pg_free_port)
	pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off" start >/dev/null ||
		{ echo "pg_start: server did not start:" >&2; cat "$PG_DIR/server.log" >&2; return 1; }
	PG_URL="postgresql://feedsync@127.0.0.1:$port/postgres"
	export PG_URL
}

# pg_stop: immediate shutdown; the cluster is disposable.
pg_stop() {
	[ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] || return 0
	pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	PG_DIR=""
}

# FEEDSYNC_TEST_PG=1 (tests/lib.sh): a test file's tests run against one server started here, each in a fresh
# database of its own; sql runs on it through psql. The server and its directory go when the file is done.
PG_MODE_DIR=""
pg_mode_start() {
	PG_MODE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fs-pg.XXXXXX")
	trap 'pg_mode_stop; exit 130' INT TERM
	pg_start "$PG_MODE_DIR" || { echo "FAIL FEEDSYNC_TEST_PG: could not start PostgreSQL"; return 1; }
	# SQLite's group_concat(x[, sep]), which the tests read lists with, is string_agg here.
	sql() {
		local q; q=$(printf %s "$1" | sed -E -e "s/group_concat\(([^,()]*), *('[^']*')\)/string_agg((\1)::text, \2)/g" \
			-e "s/group_concat\(([^()]*)\)/string_agg((\1)::text, ',')/g")
		psql "$FEEDSYNC_DB" -X -q -At -v ON_ERROR_STOP=1 -c "$q"
	}
}
# pg_mode_fresh_db N: the URL of a new empty database, the file's Nth.
pg_mode_fresh_db() {
	psql "$PG_URL" -X -q -c "CREATE DATABASE t$1" >/dev/null || return 1
	echo "${PG_URL%/*}/t$1"
}
pg_mode_stop() {
	pg_stop
	[ -z "$PG_MODE_DIR" ] || rm -rf "$PG_MODE_DIR"
	PG_MODE_DIR=""
}
