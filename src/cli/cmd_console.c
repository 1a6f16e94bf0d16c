/*
 * The console. Until the full-screen console lands, a plain screen: the connections and the latest runs,
 * as `conn list` and `runs` print them.
 */
#include "cli/cli.h"

int cmd_console(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		return cli_usage("console: unexpected argument '%s'", argv[0]);
	char *conn_argv[] = {"list"};
	printf("Connections\n");
	int rc = cmd_conn(cli, 1, conn_argv);
	if (rc != EXIT_OK)
		return rc;
	char *runs_argv[] = {"--limit", "20"};
	printf("\nLatest runs\n");
	return cmd_runs(cli, 2, runs_argv);
}
