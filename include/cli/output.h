/* Aligned human tables and JSON for the headless commands. */
#ifndef FEEDSYNC_CLI_OUTPUT_H
#define FEEDSYNC_CLI_OUTPUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/store.h"

struct text_table {
	size_t ncols;
	const char *const *headers;
	const char *align;     /* one 'l' or 'r' per column */
	char **cells;          /* row-major, ncols per row, owned */
	size_t nrows;
};

void tt_init(struct text_table *t, size_t ncols, const char *const *headers, const char *align);
/* Adds a row of ncols cells (copied; control characters made visible). */
void tt_add(struct text_table *t, const char *const *cells);
void tt_print(const struct text_table *t, FILE *out);
void tt_free(struct text_table *t);

/* Prints and frees the JSON, with a trailing newline. */
void json_print(cJSON *json, FILE *out);
cJSON *run_to_json(const struct run_row *r);
struct cli;
/* runs show: who applied the plan a run made or applies ("applied:" line, or JSON members into json). */
void cli_run_plan_applier(struct cli *cli, const struct run_row *r, cJSON *json);
cJSON *conn_row_to_json(const struct conn_row *c);
cJSON *run_error_to_json(const struct run_error_row *e);
/* Local time text for a millisecond timestamp ("-" for 0) into a static-free buffer. */
const char *when(int64_t ms, char *buf, size_t size);

#endif
