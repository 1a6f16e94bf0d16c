/* Help texts of the commands: one table (src/cli/cmd_help.c) for `feedsync help`, `help CMD` and `CMD --help`. */
#ifndef FEEDSYNC_CLI_HELP_H
#define FEEDSYNC_CLI_HELP_H

#include <stdbool.h>
#include <stdio.h>

/* Every command, the global options and the exit codes. */
void help_print_all(FILE *out);
/* One command's help; false when there is no such command. */
bool help_print(const char *command, FILE *out);

#endif
