/*
 * feedsync reconcile ID [--dry-run] [--wait] [--json]: the products of a connection gone from its feed long
 * enough to be retired. --dry-run lists them; otherwise a run with trigger "reconcile" retires them (so it
 * shows in `runs` and the console like any run), here with --wait or by a worker.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/problems.h"
#include "core/store_plan.h"
#include "core/util.h"
#include "engine/reconcile.h"
#include "engine/worker.h"
#include "feed/conn.h"

struct listing {
	const struct conn_row *row;
	const struct conn_config *conn;
	const struct stale_product *stale;
	size_t n;
	const char *skipped;          /* why retirement would not happen now, or NULL */
};

static void print_text(const struct listing *l)
{
	const struct conn_config *c = l->conn;
	printf("connection %lld '%s': missing_action %s, after %d day%s and %d run%s missing\n", (long long)l->row->id,
	       l->row->name, missing_action_name(c->missing_action), c->missing_after_days,
	       c->missing_after_days == 1 ? "" : "s", c->missing_after_runs, c->missing_after_runs == 1 ? "" : "s");
	if (l->n) {
		static const char *const headers[] = {"SKU", "NAME", "MISSING SINCE", "RUNS", "ACTION"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(headers), headers, "lllrl");
		for (size_t i = 0; i < l->n; i++) {
			char since[32], runs[24];
			snprintf(runs, sizeof(runs), "%lld", (long long)l->stale[i].missing_runs);
			const char *cells[] = {l->stale[i].sku, l->stale[i].name ? l->stale[i].name : "",
			                       when(l->stale[i].missing_since, since, sizeof(since)), runs,
			                       missing_action_name(c->missing_action)};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
	}
	if (l->skipped)
		printf("nothing would be retired now: %s\n", l->skipped);
	else if (l->n)
		printf("%zu product%s would be retired (%s): feedsync reconcile %lld\n", l->n, l->n == 1 ? "" : "s",
		       missing_action_name(c->missing_action), (long long)l->row->id);
	else
		printf("no product is gone long enough to be retired\n");
}

static void print_json(const struct listing *l)
{
	const struct conn_config *c = l->conn;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "connection_id", (double)l->row->id);
	cJSON_AddStringToObject(o, "connection", l->row->name);
	cJSON_AddStringToObject(o, "missing_action", missing_action_name(c->missing_action));
	cJSON_AddNumberToObject(o, "missing_after_days", c->missing_after_days);
	cJSON_AddNumberToObject(o, "missing_after_runs", c->missing_after_runs);
	if (l->skipped)
		cJSON_AddStringToObject(o, "skipped", l->skipped);
	else
		cJSON_AddNullToObject(o, "skipped");
	cJSON *products = cJSON_AddArrayToObject(o, "products");
	for (size_t i = 0; i < l->n; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "sku", l->stale[i].sku);
		if (l->stale[i].name)
			cJSON_AddStringToObject(p, "name", l->stale[i].name);
		else
			cJSON_AddNullToObject(p, "name");
		cJSON_AddNumberToObject(p, "missing_since", (double)l->stale[i].missing_since / 1000.0);
		cJSON_AddNumberToObject(p, "missing_runs", (double)l->stale[i].missing_runs);
		cJSON_AddStringToObject(p, "action", missing_action_name(c->missing_action));
		cJSON_AddItemToArray(products, p);
	}
	json_print(o, stdout);
}

static int dry_run(struct cli *cli, const struct conn_row *row, bool json)
{
	struct problems problems = {0};
	struct conn_config *conn = conn_parse(row->document, &problems);
	problems_free(&problems);
	if (!conn)
		return cli_fail(EXIT_FAILED, "the document of connection %lld is invalid (see 'feedsync conn show %lld')",
		                (long long)row->id, (long long)row->id);
	struct store *s = cli_store(cli);
	struct listing l = {.row = row, .conn = conn, .skipped = reconcile_idle_reason(conn)};
	struct stale_product *stale = NULL;
	struct strbuf why = {0};
	int rc = reconcile_stale(s, row->id, conn, now_ms(), &stale, &l.n);
	int trusted = rc < 0 || l.skipped ? 1 : reconcile_last_import_trusted(s, &cli->cfg, row->id, INT64_MAX, &why);
	if (rc < 0 || trusted < 0) {
		rc = cli_fail(EXIT_FAILED, "cannot list the products to retire: %s", store_errmsg(s));
	} else {
		l.stale = stale;
		if (trusted == 0)
			l.skipped = sb_str(&why);
		(json ? print_json : print_text)(&l);
		rc = EXIT_OK;
	}
	stale_products_free(stale, l.n);
	sb_free(&why);
	conn_free(conn);
	return rc;
}

int cmd_reconcile(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool dry = false, wait = false, json = false;
	const struct cli_flag flags[] = {{"--dry-run", &dry}, {"--wait", &wait}, {"--json", &json}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "reconcile", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	if (!id)
		return cli_usage("reconcile needs a connection id: feedsync reconcile ID [--dry-run] [--wait] [--json]");
	struct conn_row row = {0};
	int rc = cli_get_conn(cli, id, &row);
	if (rc == EXIT_OK)
		rc = dry ? dry_run(cli, &row, json) : cli_start_run(cli, row.id, "reconcile", 0, 1, false, wait, json);
	conn_row_free(&row);
	return rc;
}
