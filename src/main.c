/* feedsync: global options, configuration, then one command (see `feedsync help`). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/help.h"
#include "core/log.h"
#include "core/util.h"
#include "feed/fetch.h"

#ifndef FEEDSYNC_VERSION
#define FEEDSYNC_VERSION "0.1"
#endif

typedef int (*command_fn)(struct cli *cli, int argc, char **argv);

static const struct {
	const char *name;
	command_fn fn;
} commands[] = {
	{"conn", cmd_conn},       {"run", cmd_run},         {"runs", cmd_runs},     {"worker", cmd_worker},
	{"preview", cmd_preview}, {"config", cmd_config},   {"console", cmd_console},
	{"dest", cmd_dest},
	{"plan", cmd_plan},       {"reconcile", cmd_reconcile},
	{"products", cmd_products}, {"stats", cmd_stats},
	{"presets", cmd_presets},
	{"db", cmd_db},
};

struct global_opts {
	const char *config_path;
	const char *db_path;
	bool readonly, no_color, ascii;
};

enum { GLOBAL_USAGE_ERROR = -1, GLOBAL_HELP = -2, GLOBAL_VERSION = -3 };

/* Consumes leading global options; returns the index of the command (argc when none) or a GLOBAL_ value. */
static int parse_global(int argc, char **argv, struct global_opts *g)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		bool missing = false;
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--config", &missing)))
			g->config_path = v;
		else if ((v = arg_value(argc, argv, &i, "--db", &missing)))
			g->db_path = v;
		else if (arg_is(argv[i], "--readonly"))
			g->readonly = true;
		else if (arg_is(argv[i], "--no-color"))
			g->no_color = true;
		else if (arg_is(argv[i], "--ascii"))
			g->ascii = true;
		else if (arg_is(argv[i], "--help") || arg_is(argv[i], "-h"))
			return GLOBAL_HELP;
		else if (arg_is(argv[i], "--version"))
			return GLOBAL_VERSION;
		else {
			cli_usage("unknown option '%s'", argv[i]);
			return GLOBAL_USAGE_ERROR;
		}
		if (missing) {
			cli_usage("%s needs a value", argv[i]);
			return GLOBAL_USAGE_ERROR;
		}
	}
	return i;
}

/* --db, else $FEEDSYNC_DB, else [database] path, else the data directory's (default_db_path). */
static void choose_database(struct cli *cli, const char *db_option)
{
	const char *env = getenv("FEEDSYNC_DB");
	const char *named = db_option ? "--db" : env && *env ? "$FEEDSYNC_DB" : NULL;
	if (named)
		str_copy(cli->cfg.db_path, db_option ? db_option : env, sizeof(cli->cfg.db_path));
	else if (*cli->cfg.db_path)
		named = "[database] path";
	if (named) {
		cli->db_place = DB_NAMED;
		/* a URL is not repeated: it may carry a password */
		snprintf(cli->db_looked, sizeof(cli->db_looked), "%s (named by %s)",
		         strstr(cli->cfg.db_path, "://") ? "the database" : cli->cfg.db_path, named);
		return;
	}
	cli->db_place = default_db_path(cli->cfg.db_path, sizeof(cli->cfg.db_path), cli->db_looked,
	                                sizeof(cli->db_looked));
}

/* Commands that only read, which report a missing database instead of creating an empty one; the console
 * is one without a terminal, where it can only refuse to start. */
static bool reads_only(const char *command, const char *sub)
{
	static const char *const commands[] = {"products", "stats", "preview", "presets"};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (str_eq(command, commands[i]))
			return true;
	if (str_eq(command, "runs"))
		return !str_eq(sub, "cancel") && !str_eq(sub, "retry");
	if (str_eq(command, "console"))
		return !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO);
	return (str_eq(command, "conn") && (str_eq(sub, "list") || str_eq(sub, "show") || str_eq(sub, "export"))) ||
	       (str_eq(command, "dest") && (str_eq(sub, "list") || str_eq(sub, "show"))) ||
	       (str_eq(command, "plan") && str_eq(sub, "show")) || (str_eq(command, "db") && str_eq(sub, "status"));
}

/* CMD --help, CMD -h anywhere after the command, or CMD help: the command's own help. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (arg_is(argv[i], "--help") || arg_is(argv[i], "-h"))
			return true;
	return argc > 0 && str_eq(argv[0], "help");
}

/* `help [TOPIC]` or `CMD ... --help`: argv[0] is the command. */
static int command_help(int argc, char **argv)
{
	const char *topic = argv[0];
	if (str_eq(topic, "help")) {
		if (argc < 2) {
			help_print_all(stdout);
			return EXIT_OK;
		}
		topic = arg_is(argv[1], "--help") || arg_is(argv[1], "-h") ? "help" : argv[1];
		if (!help_print(topic, stdout))
			return cli_usage("help: no command '%s'", topic);
		return EXIT_OK;
	}
	return help_print(topic, stdout) ? EXIT_OK : cli_usage("unknown command '%s'", topic);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct global_opts g = {0};
	int first = parse_global(argc, argv, &g);
	if (first == GLOBAL_USAGE_ERROR)
		return EXIT_USAGE;
	if (first == GLOBAL_HELP) {
		help_print_all(stdout);
		return EXIT_OK;
	}
	if (first == GLOBAL_VERSION) {
		printf("feedsync %s\n", FEEDSYNC_VERSION);
		return EXIT_OK;
	}
	if (first < argc && (str_eq(argv[first], "help") || wants_help(argc - first - 1, argv + first + 1)))
		return command_help(argc - first, argv + first);
	if (first < argc && str_eq(argv[first], "version")) {
		printf("feedsync %s\n", FEEDSYNC_VERSION);
		return EXIT_OK;
	}

	struct cli cli = {.prog = argv[0]};
	char err[4096];
	if (config_load(&cli.cfg, g.config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "feedsync: configuration error:\n%s\n", err);
		return EXIT_USAGE;
	}
	choose_database(&cli, g.db_path);
	cli.cfg.readonly |= g.readonly;
	cli.cfg.ascii |= g.ascii;
	cli.no_color = g.no_color || (getenv("NO_COLOR") && *getenv("NO_COLOR"));
	if (log_init(cli.cfg.log_level, cli.cfg.log_file) < 0) {
		fprintf(stderr, "feedsync: cannot open log file %s\n", cli.cfg.log_file);
		return EXIT_FAILED;
	}
	fetch_global_init();

	const char *name = first < argc ? argv[first] : "console";
	int sub_argc = first < argc ? argc - first - 1 : 0;
	char **sub_argv = first < argc ? argv + first + 1 : argv + argc;
	cli.no_create = g.readonly || reads_only(name, sub_argc > 0 ? sub_argv[0] : "");
	int rc = -1;
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (str_eq(name, commands[k].name))
			rc = commands[k].fn(&cli, sub_argc, sub_argv);
	if (rc < 0)
		rc = cli_usage("unknown command '%s'", name);
	if (cli.store)
		store_close(cli.store);
	log_close();
	return rc;
}
