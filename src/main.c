/* feedsync: global options, configuration, then one command (see `feedsync help`). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"
#include "feed/fetch.h"

#ifndef FEEDSYNC_VERSION
#define FEEDSYNC_VERSION "0.1"
#endif

static const char usage_text[] =
	"usage: feedsync [--config FILE] [--db FILE] [--readonly] [--no-color] [--ascii] [COMMAND ...]\n"
	"\n"
	"With no command, opens the console.\n"
	"\n"
	"Connections:\n"
	"  conn add --file F [--json]       create a connection from a JSON document (\"-\" = stdin)\n"
	"  conn edit ID --file F [--json]   replace a connection's document\n"
	"  conn list [--json]               list connections with their last run\n"
	"  conn show ID [--json]            a connection and its document\n"
	"  conn export ID                   the document, ready for conn add\n"
	"  conn clone ID [--name N]         copy a connection (inactive until enabled)\n"
	"  conn enable ID | disable ID | rm ID\n"
	"  preview ID|FEED|--file F [--rows N] [--json]\n"
	"                                   the first rows as the pipeline sees them, with warnings;\n"
	"                                   a FEED (path or URL) is sniffed, no document needed\n"
	"Runs:\n"
	"  run ID [--wait] [--json]         queue a run; --wait executes it here unless a worker runs\n"
	"  run ID --plan [--wait] [--json]  import, then store what a push would do instead of pushing\n"
	"  plan show RUN [--json]           a plan: products to create, update (old -> new) and retire\n"
	"  plan apply RUN [--wait] [--json] push exactly the plan (once; refused if the catalog changed)\n"
	"    [--only SKU... | --except SKU... | --only-file F]  or a part of it; the rest stays pending\n"
	"  reconcile ID [--dry-run] [--wait] [--json]\n"
	"                                   retire the products gone from the feed (update.missing_action)\n"
	"  products CONN [--state S] [--limit N] [--json] | products CONN --sku S [--json]\n"
	"                                   each product's state, remote id, last error; one product's history\n"
	"  runs [--status S] [--conn ID] [--limit N] [--json]\n"
	"  runs show ID [--json] | errors ID [--json|--csv] | log ID [--follow]\n"
	"  runs cancel ID | retry ID [--wait]\n"
	"  worker [--threads N] [--once]    execute queued and scheduled runs until stopped\n"
	"Destinations (WooCommerce shops):\n"
	"  dest add --name N --url URL (--key CK --secret CS | --key-env VAR --secret-env VAR) [options]\n"
	"  dest edit ID|NAME [...] | list [--json] | show ID|NAME [--json] | rm ID|NAME | test ID|NAME\n"
	"                                   `feedsync dest` lists the options\n"
	"  stats [--days N] [--json]        per connection and shop over N days (30): runs/day, failures,\n"
	"                                   median and p95 duration, products created/updated/retired\n"
	"Mapping presets:\n"
	"  presets list [--json] | show NAME[@VERSION] [--json]\n"
	"                                   the field presets per product type (deal, hotel, ...), shipped\n"
	"                                   and the user's own ($XDG_CONFIG_HOME/feedsync/presets)\n"
	"Database:\n"
	"  db status [--json]               the backend, the file and its schema version\n"
	"  db migrate [--json]              apply the missing schema steps (any command does on opening)\n"
	"Other:\n"
	"  config                           the configuration in effect, as ini text\n"
	"  version | help\n"
	"\n"
	"Exit codes: 0 completed, 1 failed, 2 usage, 3 completed with errors, 4 cancelled,\n"
	"            5 refused (an active run exists, a plan already applied), 6 not found,\n"
	"            7 outdated (the catalog changed since the plan was made).\n";

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

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct global_opts g = {0};
	int first = parse_global(argc, argv, &g);
	if (first == GLOBAL_USAGE_ERROR)
		return EXIT_USAGE;
	if (first == GLOBAL_VERSION || (first >= 0 && first < argc && str_eq(argv[first], "version"))) {
		printf("feedsync %s\n", FEEDSYNC_VERSION);
		return EXIT_OK;
	}
	if (first == GLOBAL_HELP || (first < argc && str_eq(argv[first], "help"))) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}

	struct cli cli = {.prog = argv[0]};
	char err[4096];
	if (config_load(&cli.cfg, g.config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "feedsync: configuration error:\n%s", err);
		return EXIT_USAGE;
	}
	if (g.db_path)
		str_copy(cli.cfg.db_path, g.db_path, sizeof(cli.cfg.db_path));
	else if (getenv("FEEDSYNC_DB") && *getenv("FEEDSYNC_DB"))
		str_copy(cli.cfg.db_path, getenv("FEEDSYNC_DB"), sizeof(cli.cfg.db_path));
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
	cli.command = name;
	cli.subcommand = sub_argc > 0 ? sub_argv[0] : NULL;
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
