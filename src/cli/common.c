/* What every command shares: the store, usage and failure messages, exit codes, argument helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/sqldb.h"
#include "core/util.h"
#include "feed/conn.h"

struct store *cli_store(struct cli *cli)
{
	if (cli->store)
		return cli->store;
	const char *path = cli->cfg.db_path;
	if (cli->db_place == DB_NOWHERE) {
		fprintf(stderr, "feedsync: no database: looked for %s; name one with --db FILE\n", cli->db_looked);
		exit(EXIT_FAILED);
	}
	if (sqldb_absent(path)) {
		if (cli->no_create) {
			fprintf(stderr, "feedsync: no database yet: looked for %s; a read-only command creates none\n",
			        cli->db_looked);
			exit(EXIT_NOT_FOUND);
		}
		if (cli->db_place == DB_USER && make_parent_dirs(path) < 0) {
			fprintf(stderr, "feedsync: cannot create the directory of %s: %s\n", path, strerror(errno));
			exit(EXIT_FAILED);
		}
	}
	if (cli->db_place == DB_LEGACY)
		fprintf(stderr, "feedsync: note: using ./%s in the working directory, where older versions made it;"
		        " name it with --db or [database] path, or move it to $XDG_DATA_HOME/feedsync/ (see README,"
		        " \"Where the data lives\")\n", LEGACY_DB);
	char err[1024];
	cli->store = store_open(&cli->cfg, err, sizeof(err));
	if (!cli->store) {
		fprintf(stderr, "feedsync: %s\n", err);
		exit(EXIT_FAILED);
	}
	return cli->store;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("feedsync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'feedsync help'.\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("feedsync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

int exit_code_for_status(const char *status)
{
	if (str_eq(status, RUN_COMPLETED))
		return EXIT_OK;
	if (str_eq(status, RUN_COMPLETED_WITH_ERRORS))
		return EXIT_PARTIAL;
	if (str_eq(status, RUN_CANCELLED))
		return EXIT_CANCELLED;
	return EXIT_FAILED;
}

bool arg_is(const char *arg, const char *name)
{
	return str_eq(arg, name);
}

const char *arg_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, len) != 0)
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

bool parse_id(const char *s, int64_t *id)
{
	return s && parse_int64(s, id) && *id > 0;
}

char *cli_read_file(const char *path, char *err, size_t errsize)
{
	FILE *f = str_eq(path, "-") ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	struct strbuf sb = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	bool failed = ferror(f);
	if (f != stdin)
		fclose(f);
	if (failed) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

struct conn_config *cli_parse_document(const char *text, const char *origin)
{
	struct problems problems = {0};
	struct conn_config *conn = conn_parse(text, &problems);
	if (!conn)
		cli_print_problems(origin, &problems);
	problems_free(&problems);
	return conn;
}

void cli_print_problems(const char *origin, const struct problems *problems)
{
	char *list = problems_join(problems, "  ");
	fprintf(stderr, "feedsync: %s is not a valid connection document (%zu problem%s); nothing was saved:\n%s",
	        origin, problems->n, problems->n == 1 ? "" : "s", list);
	free(list);
}

int cli_get_conn(struct cli *cli, const char *arg, struct conn_row *row)
{
	int64_t id;
	if (!parse_id(arg, &id))
		return cli_usage("'%s' is not a connection id", arg ? arg : "");
	int found = store_conn_get(cli_store(cli), id, row);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read connection %lld: %s", (long long)id,
		                store_errmsg(cli_store(cli)));
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "no connection %lld (see 'feedsync conn list')", (long long)id);
	return EXIT_OK;
}


int cli_parse_flags(int argc, char **argv, const char *what, const struct cli_flag *flags, const char **id)
{
	*id = NULL;
	for (int i = 0; i < argc; i++) {
		const struct cli_flag *f = flags;
		while (f->name && !arg_is(argv[i], f->name))
			f++;
		if (f->name)
			*f->set = true;
		else if (!*id && argv[i][0] != '-')
			*id = argv[i];
		else
			return cli_usage("%s: unexpected argument '%s'", what, argv[i]);
	}
	return EXIT_OK;
}
