/*
 * feedsync plan show RUN [--json]  and
 * feedsync plan apply RUN [--only SKU... | --except SKU... | --only-file F] [--wait] [--json]
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/sku_list.h"
#include "core/store_plan.h"
#include "core/text.h"
#include "core/util.h"
#include "core/whoami.h"
#include "engine/plan.h"
#include "engine/worker.h"

/* Items read at a time: a plan of any size prints in bounded memory. */
#define SHOW_PAGE 500
/* Unknown SKUs named in an error before "and N more". */
#define UNKNOWN_SHOWN 10

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
		const struct plan_filter f = {.kind = kind};
		if (store_plan_items(cli_store(cli), plan->run_id, &f, offset, SHOW_PAGE, &items, &n) < 0)
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

/* The item's SKU, and the parent product a variant goes under. */
static void add_sku(struct strbuf *line, const struct plan_item *it)
{
	sb_adds(line, it->sku);
	if (it->parent_sku)
		sb_addf(line, " (variant of %s)", it->parent_sku);
}

/* The parent SKUs of the plan's variants, one per variant, for the parents' section. */
struct parents {
	char **skus;
	size_t n;
};

static void note_parent(struct parents *p, const struct plan_item *it)
{
	if (!it->parent_sku)
		return;
	p->skus = xrealloc(p->skus, (p->n + 1) * sizeof(*p->skus));
	p->skus[p->n++] = xstrdup(it->parent_sku);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each parent once, with how many of its variants the plan changes: the push makes or updates it from them, as
 * the destination ("shopify 'Shop'", "woocommerce 'Main shop'") models a product with variants. */
static void print_parents(struct parents *p, const char *destination)
{
	qsort(p->skus, p->n, sizeof(*p->skus), by_text);
	size_t groups = 0;
	for (size_t i = 0; i < p->n; i++)
		groups += i == 0 || !str_eq(p->skus[i - 1], p->skus[i]);
	if (groups)
		printf("\nparents (%zu, %s made from their variants):\n", groups,
		       str_starts_with(destination, "shopify ") ? "products with options" : "variable products");
	struct strbuf line = {0};
	for (size_t i = 0, run = 1; i < p->n; i++, run++) {
		if (i + 1 < p->n && str_eq(p->skus[i], p->skus[i + 1]))
			continue;
		sb_reset(&line);
		sb_addf(&line, "%s  %zu variant%s in this plan", p->skus[i], run, run == 1 ? "" : "s");
		print_line(&line);
		run = 0;
	}
	sb_free(&line);
	for (size_t i = 0; i < p->n; i++)
		free(p->skus[i]);
	free(p->skus);
}

static void print_item(const struct plan_item *it, void *ud)
{
	note_parent(ud, it);
	struct strbuf line = {0};
	char since[32];
	if (str_eq(it->kind, "update")) {
		for (size_t i = 0; i < it->nchanges; i++) {
			const struct plan_change *c = &it->changes[i];
			sb_reset(&line);
			add_sku(&line, it);
			sb_addf(&line, "  %s  ", c->field);
			plan_value_text(c->old_value, c->old_known, &line);
			sb_adds(&line, " -> ");
			plan_value_text(c->new_value, true, &line);
			if (it->excluded)
				sb_adds(&line, "  (excluded)");
			print_line(&line);
		}
	} else {
		add_sku(&line, it);
		sb_addf(&line, "  %s", it->name ? it->name : "");
		if (str_eq(it->kind, "retire"))
			sb_addf(&line, "  %s: missing since %s, in %lld run%s", it->action,
			        when(it->missing_since, since, sizeof(since)), (long long)it->missing_runs,
			        it->missing_runs == 1 ? "" : "s");
		if (it->excluded)
			sb_adds(&line, "  (excluded)");
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
	if (plan->excluded)
		printf("%lld excluded by the review: not applied, left pending for the next plan\n",
		       (long long)plan->excluded);
	char applied[32];
	if (plan->applied_run)
		printf("applied by run %lld (%s), by %s at %s\n", (long long)plan->applied_run, plan->applied_status,
		       plan->applier[0] ? plan->applier : "(unknown)", when(plan->applied_at, applied, sizeof(applied)));
	else if (current == 0)
		printf("outdated: the catalog changed since; make a new plan with 'feedsync run %lld --plan'\n",
		       (long long)plan->connection_id);
	else
		printf("not applied yet: feedsync plan apply %lld\n", (long long)plan->run_id);
	static const char *const kinds[] = {"create", "update", "retire"};
	const int64_t counts[] = {plan->creates, plan->updates, plan->retires};
	struct parents parents = {0};
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		if (!counts[k])
			continue;
		printf("\n%s (%lld):\n", kinds[k], (long long)counts[k]);
		if (each_item(cli, plan, kinds[k], print_item, &parents) < 0) {
			print_parents(&parents, plan->destination);
			return cli_fail(EXIT_FAILED, "cannot read the plan: %s", store_errmsg(cli_store(cli)));
		}
	}
	print_parents(&parents, plan->destination);
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
	add_text_or_null(o, "parent_sku", it->parent_sku);
	cJSON_AddBoolToObject(o, "excluded", it->excluded);
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

/* applied_run, applied_by (user@host) and applied_at (seconds), each null while the plan is not applied. */
static void plan_applier_to_json(const struct plan_row *plan, cJSON *o)
{
	if (plan->applied_run) {
		cJSON_AddNumberToObject(o, "applied_run", (double)plan->applied_run);
		add_text_or_null(o, "applied_by", plan->applier[0] ? plan->applier : NULL);
		cJSON_AddNumberToObject(o, "applied_at", (double)plan->applied_at / 1000.0);
	} else {
		cJSON_AddNullToObject(o, "applied_run");
		cJSON_AddNullToObject(o, "applied_by");
		cJSON_AddNullToObject(o, "applied_at");
	}
}

void cli_run_plan_applier(struct cli *cli, const struct run_row *r, cJSON *json)
{
	struct plan_row plan;
	int64_t plan_run = r->plan_only ? r->id : r->plan_run;
	if (!plan_run || store_plan_get(cli_store(cli), plan_run, &plan) != 1 || !plan.applied_run)
		return;
	char at[32];
	if (json)
		plan_applier_to_json(&plan, json);
	else
		printf("  applied:   by %s at %s (run %lld applies the plan of run %lld)\n",
		       plan.applier[0] ? plan.applier : "(unknown)", when(plan.applied_at, at, sizeof(at)),
		       (long long)plan.applied_run, (long long)plan_run);
}

static int show_json(struct cli *cli, const struct plan_row *plan, int current)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run", (double)plan->run_id);
	cJSON_AddNumberToObject(o, "connection_id", (double)plan->connection_id);
	cJSON_AddStringToObject(o, "connection", plan->connection_name);
	cJSON_AddNumberToObject(o, "created_at", (double)plan->created_at / 1000.0);
	add_text_or_null(o, "destination", plan->destination[0] ? plan->destination : NULL);
	plan_applier_to_json(plan, o);
	cJSON_AddBoolToObject(o, "current", current == 1);
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(counts, "create", (double)plan->creates);
	cJSON_AddNumberToObject(counts, "update", (double)plan->updates);
	cJSON_AddNumberToObject(counts, "retire", (double)plan->retires);
	cJSON_AddNumberToObject(counts, "excluded", (double)plan->excluded);
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

struct apply_args {
	const char *id;
	bool wait, json;
	enum plan_select select;
	struct sku_list skus;
};

/* "--only A B" / "--except A B" / "--only-file F": the SKUs (argv[*i] is the option). EXIT_OK or a usage error. */
static int parse_selection(int argc, char **argv, int *i, struct apply_args *a)
{
	bool file = false, missing = false;
	const char *path = arg_value(argc, argv, i, "--only-file", &missing);
	enum plan_select select = path || missing ? PLAN_SELECT_ONLY
	                          : arg_is(argv[*i], "--only") ? PLAN_SELECT_ONLY : PLAN_SELECT_EXCEPT;
	if (missing)
		return cli_usage("plan apply: --only-file needs a file (one SKU per line)");
	if (a->select != PLAN_SELECT_REVIEWED && a->select != select)
		return cli_usage("plan apply: give --only (or --only-file) or --except, not both");
	a->select = select;
	char err[512];
	if (path) {
		file = true;
		if (sku_list_add_file(&a->skus, path, err, sizeof(err)) < 0)
			return cli_usage("plan apply: %s", err);
	}
	const char *opt = argv[*i];
	size_t before = a->skus.n;
	while (!file && *i + 1 < argc && !str_starts_with(argv[*i + 1], "--"))
		sku_list_add(&a->skus, argv[++*i]);
	if (!file && a->skus.n == before)
		return cli_usage("plan apply: %s needs at least one SKU", opt);
	return EXIT_OK;
}

static int parse_apply(int argc, char **argv, struct apply_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		int rc = EXIT_OK;
		if (arg_is(arg, "--wait"))
			a->wait = true;
		else if (arg_is(arg, "--json"))
			a->json = true;
		else if (arg_is(arg, "--only") || arg_is(arg, "--except") || str_starts_with(arg, "--only-file"))
			rc = parse_selection(argc, argv, &i, a);
		else if (arg[0] == '-' || a->id)
			rc = cli_usage("plan apply: unexpected '%s' (feedsync plan apply RUN [--only SKU... | --except SKU..."
			               " | --only-file F] [--wait] [--json])", arg);
		else
			a->id = arg;
		if (rc != EXIT_OK)
			return rc;
	}
	if (a->select != PLAN_SELECT_REVIEWED && a->skus.n == 0)
		return cli_usage("plan apply: the SKU file lists no SKU");
	return EXIT_OK;
}

static int unknown_skus(const struct plan_row *plan, const struct strbuf *unknown)
{
	struct strbuf names = {0};
	size_t count = 0;
	for (const char *p = sb_str(unknown); p < sb_str(unknown) + unknown->len; p += strlen(p) + 1, count++)
		if (count < UNKNOWN_SHOWN)
			sb_addf(&names, "%s'%s'", count ? ", " : "", p);
	if (count > UNKNOWN_SHOWN)
		sb_addf(&names, " and %zu more", count - UNKNOWN_SHOWN);
	struct strbuf clean = {0};
	text_sanitize(sb_str(&names), &clean, 0);
	cli_fail(EXIT_NOT_FOUND, "not in the plan of run %lld: %s; nothing was applied (see 'feedsync plan show %lld')",
	         (long long)plan->run_id, sb_str(&clean), (long long)plan->run_id);
	sb_free(&clean);
	sb_free(&names);
	return EXIT_NOT_FOUND;
}

static int enqueue(struct cli *cli, const struct plan_row *plan, const struct apply_args *a)
{
	if (a->select != PLAN_SELECT_REVIEWED && !plan_selectable(plan))
		return cli_fail(EXIT_REFUSED, "the plan of run %lld exports to a file, which writes the whole catalog: "
		                "items cannot be left out; apply it whole", (long long)plan->run_id);
	struct store *s = cli_store(cli);
	char applier[128];
	whoami(applier, sizeof(applier));
	struct strbuf unknown = {0};
	struct plan_apply req = {.applier = applier, .select = a->select, .skus = a->skus.skus, .nskus = a->skus.n,
	                         .unknown = &unknown};
	int64_t run_id = 0, applied_by = 0;
	struct run_row active;
	int rc = store_plan_enqueue_apply(s, plan->run_id, &req, &run_id, &active, &applied_by);
	int exit_code = rc == 5 ? unknown_skus(plan, &unknown) : EXIT_OK;
	sb_free(&unknown);
	switch (rc) {
	case 0:
		return cli_follow_run(cli, run_id, plan->connection_id, a->wait, a->json);
	case 1:
		return cli_refuse_active(&active, plan->connection_id);
	case 2:
		return cli_fail(EXIT_REFUSED, "the plan of run %lld was already applied by run %lld, and a plan is applied "
		                "once; make a new one with 'feedsync run %lld --plan'", (long long)plan->run_id,
		                (long long)applied_by, (long long)plan->connection_id);
	case 3:
		return cli_fail(EXIT_OUTDATED, "the catalog of connection %lld changed since the plan of run %lld was made "
		                "(an import, a push or a retirement ran since): nothing was applied; make a new plan with "
		                "'feedsync run %lld --plan'", (long long)plan->connection_id, (long long)plan->run_id,
		                (long long)plan->connection_id);
	case 4:
		return no_plan(cli, plan->run_id);
	case 5:
		return exit_code;
	case 6:
		return cli_fail(EXIT_REFUSED, "every item of the plan of run %lld is excluded: nothing to apply",
		                (long long)plan->run_id);
	default:
		return cli_fail(EXIT_FAILED, "cannot queue the plan's run: %s", store_errmsg(s));
	}
}

static int plan_apply(struct cli *cli, int argc, char **argv)
{
	struct apply_args a = {0};
	int rc = parse_apply(argc, argv, &a);
	struct plan_row plan;
	if (rc == EXIT_OK)
		rc = get_plan(cli, a.id, &plan);
	if (rc == EXIT_OK)
		rc = enqueue(cli, &plan, &a);
	sku_list_free(&a.skus);
	return rc;
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	if (argc == 0)
		return cli_usage("plan needs a subcommand: feedsync plan show RUN [--json] | apply RUN [--only SKU... | "
		                 "--except SKU... | --only-file F] [--wait] [--json]");
	if (str_eq(argv[0], "show"))
		return plan_show(cli, argc - 1, argv + 1);
	if (str_eq(argv[0], "apply"))
		return plan_apply(cli, argc - 1, argv + 1);
	return cli_usage("unknown plan subcommand '%s' (show, apply)", argv[0]);
}
