/* What every command shares: the store, usage and failure messages, exit codes, argument helpers. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

struct store *cli_store(struct cli *cli)
{
	if (cli->store)
		return cli->store;
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
