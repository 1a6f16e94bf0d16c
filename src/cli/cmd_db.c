/*
 * feedsync db status [--json]: which backend and file, and the schema version there against this feedsync's.
 * feedsync db migrate [--json]: applies the missing migration steps, each in its own transaction, and says
 * how far it went. Both read the database as `--db`, $FEEDSYNC_DB or [database] path name it.
 * feedsync db copy --to URL [--from FILE] [--force] [--json]: moves a SQLite installation into PostgreSQL
 * (core/db_copy.h) and prints each table's counts on both sides.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/db.h"
#include "core/db_copy.h"
#include "core/util.h"
#include "dest/secret.h"

#define DB_USAGE "usage: feedsync db status [--json] | db migrate [--json] |" \
                 " db copy --to postgresql://... [--from FILE.db] [--force] [--json]"

/* "current", "behind" (migrate applies the rest), "newer" (this feedsync is too old) or "absent" (no step
 * ran yet: no file, an empty one, or a PostgreSQL database never migrated). */
static const char *schema_state(const struct db_status *st)
{
	if (!st->backend[0] || st->version == 0)
		return "absent";
	return st->version == db_schema_version() ? "current" : st->version < db_schema_version() ? "behind" : "newer";
}

static void print_status(const char *target, const struct db_status *st, bool json)
{
	const char *state = schema_state(st);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "backend", st->backend[0] ? st->backend : "sqlite");
		cJSON_AddStringToObject(o, "database", target);
		cJSON_AddNumberToObject(o, "schema_version", st->version);
		cJSON_AddNumberToObject(o, "latest_version", db_schema_version());
		cJSON_AddStringToObject(o, "state", state);
		json_print(o, stdout);
		return;
	}
	printf("backend   %s\ndatabase  %s\n", st->backend[0] ? st->backend : "sqlite", target);
	if (str_eq(state, "absent"))
		printf("schema    none yet: `feedsync db migrate` (or any command) creates it at version %d\n",
		       db_schema_version());
	else if (str_eq(state, "current"))
		printf("schema    version %d, up to date\n", st->version);
	else if (str_eq(state, "behind"))
		printf("schema    version %d of %d: `feedsync db migrate` applies the other %d step%s\n", st->version,
		       db_schema_version(), db_schema_version() - st->version,
		       db_schema_version() - st->version == 1 ? "" : "s");
	else
		printf("schema    version %d, newer than this feedsync (%d): upgrade feedsync\n", st->version,
		       db_schema_version());
}

static int migrate(struct cli *cli, bool json)
{
	char err[1024], shown[1024];
	const char *target = db_target_shown(cli->cfg.db_path, shown, sizeof(shown));
	/* Another process may be migrating: what counts is the version found once the migration lock was held. */
	int before = 0;
	struct sqldb *db = db_open_schema(cli->cfg.db_path, cli->cfg.busy_timeout_ms, &before, err, sizeof(err));
	if (!db)
		return cli_fail(EXIT_FAILED, "%s", err);
	int after = db_version(db);
	db_close(db);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "database", target);
		cJSON_AddNumberToObject(o, "from_version", before);
		cJSON_AddNumberToObject(o, "to_version", after);
		json_print(o, stdout);
	} else if (after == before) {
		printf("%s: already at schema version %d\n", target, after);
	} else {
		printf("%s: migrated from schema version %d to %d\n", target, before, after);
	}
	return EXIT_OK;
}

static void print_copy(const char *from, const char *to, const char *key, const struct db_copy_report *rep,
                       bool json)
{
	double rate = rep->seconds > 0 ? (double)rep->rows / rep->seconds : 0;
	if (json) {
		cJSON *o = cJSON_CreateObject(), *tables = cJSON_AddArrayToObject(o, "tables");
		cJSON_AddStringToObject(o, "from", from);
		cJSON_AddStringToObject(o, "to", to);
		cJSON_AddNumberToObject(o, "schema_version", rep->version);
		cJSON_AddBoolToObject(o, "replaced", rep->replaced);
		cJSON_AddNumberToObject(o, "rows", (double)rep->rows);
		cJSON_AddNumberToObject(o, "seconds", rep->seconds);
		cJSON_AddStringToObject(o, "key_file", key);
		for (int i = 0; i < rep->ntables; i++) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "table", rep->tables[i].name);
			cJSON_AddNumberToObject(t, "source_rows", (double)rep->tables[i].source_rows);
			cJSON_AddNumberToObject(t, "target_rows", (double)rep->tables[i].target_rows);
			cJSON_AddNumberToObject(t, "checksum", (double)rep->tables[i].target_sum);
			cJSON_AddItemToArray(tables, t);
		}
		json_print(o, stdout);
		return;
	}
	printf("%-20s %12s %12s\n", "table", "source", "target");
	for (int i = 0; i < rep->ntables; i++)
		printf("%-20s %12" PRId64 " %12" PRId64 "\n", rep->tables[i].name, rep->tables[i].source_rows,
		       rep->tables[i].target_rows);
	printf("copied %s to %s%s at schema version %d: %" PRId64 " rows in %.1f s (%.0f rows/s),"
	       " counts and checksums equal\n", from, to, rep->replaced ? " (replacing what it held)" : "", rep->version,
	       rep->rows, rep->seconds, rate);
	if (*key)
		printf("credentials key: %s (every host that runs feedsync on this database needs it there, or"
		       " [push] credentials_key_file naming it)\n", key);
}

/*
 * The target needs the source's credentials key to open the sealed credentials it receives: the key goes
 * where the target's installation looks for it (dest/secret.h), before any row moves, so that a clash refuses
 * the copy. Answers where the key is in `where` ("" when the source has none).
 */
static int copy_key(const struct config *cfg, const char *from, const char *to, char *where, size_t size,
                    char *err, size_t errsize)
{
	struct config *side = xmalloc(sizeof(*side));
	*side = *cfg;
	char src[4200];
	str_copy(side->db_path, from, sizeof(side->db_path));
	secret_key_path(side, src, sizeof(src));
	str_copy(side->db_path, to, sizeof(side->db_path));
	secret_key_path(side, where, size);
	free(side);
	if (access(src, F_OK) != 0) {
		where[0] = '\0';
		return 0;
	}
	return str_eq(src, where) ? 0 : secret_key_copy(src, where, err, errsize);
}

static int copy(struct cli *cli, int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	bool json = false, missing = false;
	struct db_copy_options opt = {
		.stale_after_ms = (int64_t)cli->cfg.stale_after_s * 1000,
		.busy_timeout_ms = cli->cfg.busy_timeout_ms,
	};
	for (int i = 0; i < argc; i++) {
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--from", &missing)))
			from = v;
		else if (!missing && (v = arg_value(argc, argv, &i, "--to", &missing)))
			to = v;
		else if (missing)
			return cli_usage("db copy: %s needs a value (" DB_USAGE ")", argv[i]);
		else if (arg_is(argv[i], "--force"))
			opt.force = true;
		else if (arg_is(argv[i], "--json"))
			json = true;
		else
			return cli_usage("db copy: unexpected argument '%s' (" DB_USAGE ")", argv[i]);
	}
	if (!to)
		return cli_usage("db copy needs --to postgresql://... (" DB_USAGE ")");
	if (!from)
		from = cli->cfg.db_path;
	struct db_copy_report rep;
	char err[1024], shown[1024], key[4200];
	if (copy_key(&cli->cfg, from, to, key, sizeof(key), err, sizeof(err)) < 0 ||
	    db_copy(from, to, &opt, &rep, err, sizeof(err)) < 0)
		return cli_fail(EXIT_FAILED, "db copy: %s", err);
	print_copy(from, db_target_shown(to, shown, sizeof(shown)), key, &rep, json);
	return EXIT_OK;
}

int cmd_db(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || argv[0][0] == '-')
		return cli_usage("db: which command? (" DB_USAGE ")");
	const char *sub = argv[0];
	if (str_eq(sub, "copy"))
		return copy(cli, argc - 1, argv + 1);
	if (!str_eq(sub, "status") && !str_eq(sub, "migrate"))
		return cli_usage("db: unknown command '%s' (" DB_USAGE ")", sub);
	bool json = false;
	const char *extra;
	struct cli_flag flags[] = {{"--json", &json}, {NULL, NULL}};
	int rc = cli_parse_flags(argc - 1, argv + 1, str_eq(sub, "status") ? "db status" : "db migrate", flags, &extra);
	if (rc != EXIT_OK)
		return rc;
	if (extra)
		return cli_usage("db %s: unexpected argument '%s' (" DB_USAGE ")", sub, extra);
	if (str_eq(sub, "migrate"))
		return migrate(cli, json);
	struct db_status st;
	char err[1024];
	if (db_read_status(cli->cfg.db_path, cli->cfg.busy_timeout_ms, &st, err, sizeof(err)) < 0)
		return cli_fail(EXIT_FAILED, "%s", err);
	char shown[1024];
	print_status(db_target_shown(cli->cfg.db_path, shown, sizeof(shown)), &st, json);
	return EXIT_OK;
}
