/* feedsync worker [--threads N] [--once] */
#include <stdlib.h>

#include "cli/cli.h"
#include "core/util.h"
#include "engine/worker.h"

int cmd_worker(struct cli *cli, int argc, char **argv)
{
	int threads = cli->cfg.worker_threads;
	bool once = false;
	for (int i = 0; i < argc; i++) {
		bool missing = false;
		const char *v = arg_value(argc, argv, &i, "--threads", &missing);
		int64_t n;
		if (v) {
			if (!parse_int64(v, &n) || n < 1 || n > 64)
				return cli_usage("worker: --threads takes a number from 1 to 64, not '%s'", v);
			threads = (int)n;
		} else if (missing) {
			return cli_usage("worker: --threads needs a value");
		} else if (arg_is(argv[i], "--once")) {
			once = true;
		} else {
			return cli_usage("worker: unexpected argument '%s' (usage: feedsync worker [--threads N] [--once])",
			                 argv[i]);
		}
	}
	cli_store(cli); /* creates and migrates the database once, before the threads open theirs */
	return worker_main(&cli->cfg, threads, once);
}
