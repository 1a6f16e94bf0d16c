/*
 * feedsync stats [--days N] [--json]: per connection and per destination, what the runs of the last N days
 * (30 by default) did: runs per day, failure rate, median and p95 duration, products created, updated, retired.
 */
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/store_stats.h"
#include "core/util.h"

#define DAY_MS (24LL * 3600 * 1000)

static void print_text(const char *title, const struct stats_row *rows, size_t n, int days)
{
	printf("%s, last %d day%s:\n", title, days, days == 1 ? "" : "s");
	if (!n) {
		printf("  no runs\n");
		return;
	}
	struct text_table t;
	tt_init(&t, STATS_COLUMNS, stats_headers, stats_align);
	for (size_t i = 0; i < n; i++) {
		struct stats_cells c;
		stats_row_cells(&rows[i], days, &c);
		const char *cells[STATS_COLUMNS];
		for (int k = 0; k < STATS_COLUMNS; k++)
			cells[k] = c.text[k];
		tt_add(&t, cells);
	}
	tt_print(&t, stdout);
	tt_free(&t);
}

static cJSON *rows_to_json(const struct stats_row *rows, size_t n, int days)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct stats_row *r = &rows[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)r->id);
		cJSON_AddStringToObject(o, "name", r->name);
		cJSON_AddNumberToObject(o, "runs", (double)r->runs);
		cJSON_AddNumberToObject(o, "runs_per_day", (double)r->runs / days);
		cJSON_AddNumberToObject(o, "failed", (double)r->failed);
		cJSON_AddNumberToObject(o, "failure_rate", stats_failure_rate(r));
		cJSON_AddNumberToObject(o, "median_seconds", (double)r->median_ms / 1000.0);
		cJSON_AddNumberToObject(o, "p95_seconds", (double)r->p95_ms / 1000.0);
		cJSON_AddNumberToObject(o, "created", (double)r->created);
		cJSON_AddNumberToObject(o, "updated", (double)r->updated);
		cJSON_AddNumberToObject(o, "retired", (double)r->retired);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	bool json = false, missing = false;
	int days = 30;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--days", &missing))) {
			int64_t d;
			if (!parse_int64(v, &d) || d < 1 || d > 3650)
				return cli_usage("--days %s: expected a number of days from 1 to 3650", v);
			days = (int)d;
		} else if (missing) {
			return cli_usage("%s needs a value", argv[i]);
		} else if (arg_is(argv[i], "--json")) {
			json = true;
		} else {
			return cli_usage("stats: unexpected argument '%s'", argv[i]);
		}
	}
	struct store *s = cli_store(cli);
	int64_t since = now_ms() - days * DAY_MS;
	struct stats st;
	if (store_stats(s, since, &st) < 0)
		return cli_fail(EXIT_FAILED, "cannot read the runs' stats: %s", store_errmsg(s));
	if (json) {
		cJSON *out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "days", days);
		cJSON_AddItemToObject(out, "connections", rows_to_json(st.conns, st.nconns, days));
		cJSON_AddItemToObject(out, "destinations", rows_to_json(st.dests, st.ndests, days));
		json_print(out, stdout);
	} else {
		print_text("Connections", st.conns, st.nconns, days);
		print_text("Destinations", st.dests, st.ndests, days);
	}
	stats_free(&st);
	return EXIT_OK;
}
