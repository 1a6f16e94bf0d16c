/* feedsync plan show RUN [--json]  and  feedsync plan apply RUN [--wait] [--json] */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/store_plan.h"
#include "core/text.h"
#include "core/util.h"
#include "engine/plan.h"
#include "engine/worker.h"

/* Items read at a time: a plan of any size prints in bounded memory. */
#define SHOW_PAGE 500

static int no_plan(struct cli *cli, int64_t id)
{
	struct run_row r;
	int found = store_run_get(cli_store(cli), id, &r);
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "no run %lld (see 'feedsync runs')", (long long)id);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read run %lld: %s", (long long)id, store_errmsg(cli_store(cli)));
	if (!r.plan_only)
		return cli_fail(EXIT_NOT_FOUND, "run %lld is not a plan; make one with 'feedsync run %lld --plan'",
		                (long long)id, (long long)r.connection_id);
	if (run_status_active(r.status))
		return cli_fail(EXIT_NOT_FOUND, "run %lld is still %s: its plan is stored when it completes", (long long)id,
		                r.status);
	return cli_fail(EXIT_NOT_FOUND, "run %lld made no plan: it %s (%s)", (long long)id, r.status, r.summary);
}

static int get_plan(struct cli *cli, const char *arg, struct plan_row *plan)
{
	int64_t id;
	if (!parse_id(arg, &id))
		return cli_usage("'%s' is not a run id: give the run that made the plan (see 'feedsync runs')",
		                 arg ? arg : "");
	worker_recover_stale(cli_store(cli), &cli->cfg);
	int found = store_plan_get(cli_store(cli), id, plan);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read the plan of run %lld: %s", (long long)id,
		                store_errmsg(cli_store(cli)));
	return found ? EXIT_OK : no_plan(cli, id);
}

/* Whether the catalog is still the one the plan was made from: 1, 0, or -1. */
static int plan_current(struct cli *cli, const struct plan_row *plan)
{
	char now[160];
	if (store_catalog_stamp(cli_store(cli), plan->connection_id, now, sizeof(now)) < 0)
		return -1;
	return str_eq(now, plan->stamp);
}

/* Each page of items of one kind, in SKU order, to fn; 0 or -1. */
static int each_item(struct cli *cli, const struct plan_row *plan, const char *kind,
                     void (*fn)(const struct plan_item *it, void *ud), void *ud)
{
	for (int64_t offset = 0;; offset += SHOW_PAGE) {
		struct plan_item *items;
		size_t n;
		if (store_plan_items(cli_store(cli), plan->run_id, kind, offset, SHOW_PAGE, &items, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			fn(&items[i], ud);
		plan_items_free(items, n);
		if (n < SHOW_PAGE)
			return 0;
	}
}

/* ---- text ---- */

static void print_line(const struct strbuf *line)
{
	struct strbuf clean = {0};
	text_sanitize(sb_str(line), &clean, 0);
	printf("  %s\n", sb_str(&clean));
	sb_free(&clean);
}

static void print_item(const struct plan_item *it, void *ud)
{
	(void)ud;
	struct strbuf line = {0};
	char since[32];
	if (str_eq(it->kind, "update")) {
		for (size_t i = 0; i < it->nchanges; i++) {
			const struct plan_change *c = &it->changes[i];
			sb_reset(&line);
			sb_addf(&line, "%s  %s  ", it->sku, c->field);
			plan_value_text(c->old_value, c->old_known, &line);
			sb_adds(&line, " -> ");
			plan_value_text(c->new_value, true, &line);
			print_line(&line);
		}
	} else {
		sb_addf(&line, "%s  %s", it->sku, it->name ? it->name : "");
		if (str_eq(it->kind, "retire"))
			sb_addf(&line, "  %s: missing since %s, in %lld run%s", it->action,
			        when(it->missing_since, since, sizeof(since)), (long long)it->missing_runs,
			        it->missing_runs == 1 ? "" : "s");
		print_line(&line);
	}
	sb_free(&line);
}

static int show_text(struct cli *cli, const struct plan_row *plan, int current)
{
	char made[32];
	printf("plan of run %lld for connection %lld '%s', made %s%s%s\n", (long long)plan->run_id,
	       (long long)plan->connection_id, plan->connection_name, when(plan->created_at, made, sizeof(made)),
	       plan->destination[0] ? " against " : " (no destination)", plan->destination);
	printf("%lld to create, %lld to update, %lld to retire\n", (long long)plan->creates, (long long)plan->updates,
	       (long long)plan->retires);
	if (plan->applied_run)
		printf("applied by run %lld (%s)\n", (long long)plan->applied_run, plan->applied_status);
	else if (current == 0)
		printf("outdated: the catalog changed since; make a new plan with 'feedsync run %lld --plan'\n",
		       (long long)plan->connection_id);
	else
		printf("not applied yet: feedsync plan apply %lld\n", (long long)plan->run_id);
	static const char *const kinds[] = {"create", "update", "retire"};
	const int64_t counts[] = {plan->creates, plan->updates, plan->retires};
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		if (!counts[k])
			continue;
		printf("\n%s (%lld):\n", kinds[k], (long long)counts[k]);
		if (each_item(cli, plan, kinds[k], print_item, NULL) < 0)
			return cli_fail(EXIT_FAILED, "cannot read the plan: %s", store_errmsg(cli_store(cli)));
	}
	return EXIT_OK;
}

/* ---- JSON ---- */

static void add_text_or_null(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

static void item_to_json(const struct plan_item *it, void *ud)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sku", it->sku);
	add_text_or_null(o, "name", it->name);
	if (str_eq(it->kind, "retire")) {
		cJSON_AddStringToObject(o, "action", it->action);
		cJSON_AddNumberToObject(o, "missing_since", (double)it->missing_since / 1000.0);
		cJSON_AddNumberToObject(o, "missing_runs", (double)it->missing_runs);
	}
	if (str_eq(it->kind, "update")) {
		cJSON *changes = cJSON_AddArrayToObject(o, "changes");
		for (size_t i = 0; i < it->nchanges; i++) {
			const struct plan_change *c = &it->changes[i];
			cJSON *ch = cJSON_CreateObject();
			cJSON_AddStringToObject(ch, "field", c->field);
			add_text_or_null(ch, "old", c->old_value);
			add_text_or_null(ch, "new", c->new_value);
			cJSON_AddBoolToObject(ch, "old_known", c->old_known);
			cJSON_AddItemToArray(changes, ch);
		}
	}
	cJSON_AddItemToArray(ud, o);
}

static int show_json(struct cli *cli, const struct plan_row *plan, int current)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run", (double)plan->run_id);
	cJSON_AddNumberToObject(o, "connection_id", (double)plan->connection_id);
	cJSON_AddStringToObject(o, "connection", plan->connection_name);
	cJSON_AddNumberToObject(o, "created_at", (double)plan->created_at / 1000.0);
	add_text_or_null(o, "destination", plan->destination[0] ? plan->destination : NULL);
	if (plan->applied_run)
		cJSON_AddNumberToObject(o, "applied_run", (double)plan->applied_run);
	else
		cJSON_AddNullToObject(o, "applied_run");
	cJSON_AddBoolToObject(o, "current", current == 1);
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(counts, "create", (double)plan->creates);
	cJSON_AddNumberToObject(counts, "update", (double)plan->updates);
	cJSON_AddNumberToObject(counts, "retire", (double)plan->retires);
	static const char *const kinds[] = {"create", "update", "retire"};
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		if (each_item(cli, plan, kinds[k], item_to_json, cJSON_AddArrayToObject(o, kinds[k])) < 0) {
			cJSON_Delete(o);
			return cli_fail(EXIT_FAILED, "cannot read the plan: %s", store_errmsg(cli_store(cli)));
		}
	}
	json_print(o, stdout);
	return EXIT_OK;
}

static int plan_show(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool json = false;
	const struct cli_flag flags[] = {{"--json", &json}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "plan show", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	struct plan_row plan;
	int rc = get_plan(cli, id, &plan);
	if (rc != EXIT_OK)
		return rc;
	int current = plan_current(cli, &plan);
	if (current < 0)
		return cli_fail(EXIT_FAILED, "cannot read the catalog: %s", store_errmsg(cli_store(cli)));
	return json ? show_json(cli, &plan, current) : show_text(cli, &plan, current);
}

/* ---- apply ---- */

static int plan_apply(struct cli *cli, int argc, char **argv)
{
	const char *id;
	bool wait = false, json = false;
	const struct cli_flag flags[] = {{"--wait", &wait}, {"--json", &json}, {NULL, NULL}};
	if (cli_parse_flags(argc, argv, "plan apply", flags, &id) != EXIT_OK)
		return EXIT_USAGE;
	struct plan_row plan;
	int rc = get_plan(cli, id, &plan);
	if (rc != EXIT_OK)
		return rc;
	struct store *s = cli_store(cli);
	int64_t run_id = 0, applied_by = 0;
	struct run_row active;
	rc = store_plan_enqueue_apply(s, plan.run_id, &run_id, &active, &applied_by);
	switch (rc) {
	case 0:
		return cli_follow_run(cli, run_id, plan.connection_id, wait, json);
	case 1:
		return cli_refuse_active(&active, plan.connection_id);
	case 2:
		return cli_fail(EXIT_REFUSED, "the plan of run %lld was already applied by run %lld, and a plan is applied "
		                "once; make a new one with 'feedsync run %lld --plan'", (long long)plan.run_id,
		                (long long)applied_by, (long long)plan.connection_id);
	case 3:
		return cli_fail(EXIT_OUTDATED, "the catalog of connection %lld changed since the plan of run %lld was made "
		                "(an import, a push or a retirement ran since): nothing was applied; make a new plan with "
		                "'feedsync run %lld --plan'", (long long)plan.connection_id, (long long)plan.run_id,
		                (long long)plan.connection_id);
	case 4:
		return no_plan(cli, plan.run_id);
	default:
		return cli_fail(EXIT_FAILED, "cannot queue the plan's run: %s", store_errmsg(s));
	}
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	if (argc == 0)
		return cli_usage("plan needs a subcommand: feedsync plan show RUN [--json] | apply RUN [--wait] [--json]");
	if (str_eq(argv[0], "show"))
		return plan_show(cli, argc - 1, argv + 1);
	if (str_eq(argv[0], "apply"))
		return plan_apply(cli, argc - 1, argv + 1);
	return cli_usage("unknown plan subcommand '%s' (show, apply)", argv[0]);
}
