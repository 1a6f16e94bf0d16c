/* Headless commands: one file per command group, sharing this context and the output helpers. */
#ifndef FEEDSYNC_CLI_CLI_H
#define FEEDSYNC_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/data_dir.h"
#include "core/store.h"

/* Documented in README.md ("Exit codes"). */
enum exit_code {
	EXIT_OK = 0,          /* done; a run completed */
	EXIT_FAILED = 1,      /* a run failed, or the command could not do its work */
	EXIT_USAGE = 2,       /* wrong arguments */
	EXIT_PARTIAL = 3,     /* a run completed with errors (some rows or items failed) */
	EXIT_CANCELLED = 4,   /* a run was cancelled */
	EXIT_REFUSED = 5,     /* refused: the connection already has an active run */
	EXIT_NOT_FOUND = 6,   /* no such connection or run */
	EXIT_OUTDATED = 7,    /* a plan cannot be applied: the catalog changed since it was made */
};

struct cli {
	struct config cfg;
	struct store *store;  /* opened on first use */
	const char *prog;
	bool no_color;        /* --no-color or NO_COLOR */
	bool no_create;       /* a read-only command: a missing database is reported, never created */
	enum db_place db_place;
	char db_looked[8400]; /* where the database was looked for, for the message when there is none */
};

/* The store, opening it on first use (creating the database unless no_create); exits with a message when
 * the database cannot be opened or, for a read-only command, is not there. */
struct store *cli_store(struct cli *cli);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int exit_code_for_status(const char *status);

/* Argument helpers: argv[*i] is the option; a value is taken from "--opt=value" or the next argument. */
bool arg_is(const char *arg, const char *name);
const char *arg_value(int argc, char **argv, int *i, const char *name, bool *missing);
bool parse_id(const char *s, int64_t *id);

/* A boolean option ("--json") and where to record it; a list ends with a NULL name. */
struct cli_flag {
	const char *name;
	bool *set;
};
/* "[ID] [flags]": sets the flags and *id (NULL when absent). EXIT_OK, or a usage error naming `what`. */
int cli_parse_flags(int argc, char **argv, const char *what, const struct cli_flag *flags, const char **id);

struct conn_config;
/* A whole file ("-" = stdin); NULL with err set. The caller frees. */
char *cli_read_file(const char *path, char *err, size_t errsize);
/* Parses and validates a connection document, printing every problem with its JSON path; NULL then. */
struct conn_config *cli_parse_document(const char *text, const char *origin);
struct problems;
/* "ORIGIN is not a valid connection document (N problems); nothing was saved:" and the problems, on stderr. */
void cli_print_problems(const char *origin, const struct problems *problems);
/* Looks up connection `arg` (an id); EXIT_OK, or the exit code after printing why. */
int cli_get_conn(struct cli *cli, const char *arg, struct conn_row *row);

/*
 * Copies connection `id` under `name` (NULL: "NAME (copy)", then "NAME (copy 2)", ...); the copy starts
 * disabled. EXIT_OK with *new_id set, or an exit code with err saying why.
 */
int cli_conn_clone(struct store *s, int64_t id, const char *name, int64_t *new_id, char *err, size_t errsize);

/* Queues a run (store_run_enqueue's arguments) and follows it as cli_follow_run does. */
int cli_start_run(struct cli *cli, int64_t conn_id, const char *trigger, int64_t retry_of, int attempt,
                  bool plan_only, bool wait, bool json);
/* The refusal of a run for a connection that has an active one: prints why, returns EXIT_REFUSED. */
int cli_refuse_active(const struct run_row *active, int64_t conn_id);
/*
 * After a run was queued: prints that (no wait), or follows it to its end, executed by a worker or here (as
 * `run --wait`), and returns the exit code of its status.
 */
int cli_follow_run(struct cli *cli, int64_t run_id, int64_t conn_id, bool wait, bool json);

int cmd_conn(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_runs(struct cli *cli, int argc, char **argv);
int cmd_worker(struct cli *cli, int argc, char **argv);
int cmd_preview(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_console(struct cli *cli, int argc, char **argv);
int cmd_dest(struct cli *cli, int argc, char **argv);
int cmd_plan(struct cli *cli, int argc, char **argv);
int cmd_reconcile(struct cli *cli, int argc, char **argv);
int cmd_products(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_presets(struct cli *cli, int argc, char **argv);
int cmd_db(struct cli *cli, int argc, char **argv);

#endif
