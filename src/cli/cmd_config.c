/* feedsync config: the configuration in effect. */
#include "cli/cli.h"
#include "tui/console.h"

int cmd_config(struct cli *cli, int argc, char **argv)
{
	if (argc > 0)
		return cli_usage("config: unexpected argument '%s' (usage: feedsync config)", argv[0]);
	/* The console would refuse these keys: say so here, in the same words, rather than print them as fine. */
	int rc = console_check_keys(&cli->cfg);
	if (rc != EXIT_OK)
		return rc;
	printf("; in effect: %s\n", cli->cfg.source_path[0] ? cli->cfg.source_path : "built-in defaults");
	config_print(&cli->cfg, stdout);
	return EXIT_OK;
}
