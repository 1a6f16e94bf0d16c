/* feedsync console (also `feedsync` with no command): the full-screen console, see src/tui. */
#include "cli/cli.h"
#include "tui/console.h"

int cmd_console(struct cli *cli, int argc, char **argv)
{
	if (argc > 0)
		return cli_usage("console: unexpected argument '%s'", argv[0]);
	return console_main(&cli->cfg, cli_store(cli), !cli->no_color);
}
