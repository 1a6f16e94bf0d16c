/* The schema version a database is at, read-only: `feedsync db status` must not migrate what it reports on. */
#include "core/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sqldb_pg.h"
#include "core/util.h"

int db_backend_unfinished(const char *what, char *err, size_t errsize)
{
	snprintf(err, errsize, "PostgreSQL support is incomplete: %s has no PostgreSQL dialect yet (on a server:"
	                       " db, conn, dest add/list/show, preview, run and runs with a file export, products, worker);"
	                       " give --db, $FEEDSYNC_DB or [database] path a SQLite file for it", what);
	return -1;
}

bool db_is_server(const char *target)
{
	return pg_names_server(target);
}

const char *db_target_shown(const char *target, char *buf, size_t size)
{
	const char *scheme_end = strstr(target, "://");
	if (!scheme_end || !str_starts_with(target, "postgres"))
		return target;
	struct strbuf out = {0};
	const char *user = scheme_end + 3, *at = strchr(user, '@'), *slash = strchr(user, '/');
	const char *colon = at && (!slash || at < slash) ? memchr(user, ':', (size_t)(at - user)) : NULL;
	sb_add(&out, target, (size_t)((colon ? colon : user) - target));
	const char *rest = colon ? at : user;
	const char *query = strchr(rest, '?');
	sb_add(&out, rest, query ? (size_t)(query - rest) : strlen(rest));
	/* Parameters are name=value pairs joined by '&'; password= is left out. */
	char sep = '?';
	for (const char *p = query ? query + 1 : NULL; p && *p;) {
		const char *end = strchr(p, '&');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n && !str_starts_with(p, "password=")) {
			sb_addc(&out, sep);
			sb_add(&out, p, n);
			sep = '&';
		}
		p = end ? end + 1 : NULL;
	}
	char *shown = sb_detach(&out);
	str_copy(buf, shown, size);
	free(shown);
	return buf;
}

int db_read_status(const char *target, int busy_timeout_ms, struct db_status *st, char *err, size_t errsize)
{
	memset(st, 0, sizeof(*st));
	if (sqldb_absent(target))
		return 0;
	struct sqldb *db = sqldb_open(target, SQLDB_READ_ONLY, busy_timeout_ms, err, errsize);
	if (!db)
		return -1;
	str_copy(st->backend, sqldb_backend(db), sizeof(st->backend));
	st->version = db_version(db);
	if (st->version < 0)
		snprintf(err, errsize, "cannot read the schema version of %s: %s",
		         str_eq(st->backend, "postgresql") ? "the PostgreSQL database" : target, sqldb_errmsg(db));
	sqldb_close(db);
	return st->version < 0 ? -1 : 0;
}
