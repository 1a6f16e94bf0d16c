/* feedsync conn add | list | show | edit | clone | rm | enable | disable | export */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/problems.h"
#include "core/util.h"
#include "engine/conn_save.h"
#include "engine/scheduler.h"

static int print_saved(struct cli *cli, int64_t id, const char *verb, bool json)
{
	struct conn_row row;
	if (store_conn_get(cli_store(cli), id, &row) != 1)
		return cli_fail(EXIT_FAILED, "connection %lld was saved but cannot be read back", (long long)id);
	if (json)
		json_print(conn_row_to_json(&row), stdout);
	else
		printf("%s connection %lld '%s' (%s, %s)\n", verb, (long long)id, row.name, row.source_type,
		       row.schedule);
	conn_row_free(&row);
	return EXIT_OK;
}

static int save_document(struct cli *cli, const char *text, const char *origin, int64_t id, bool json)
{
	struct conn_save cs = {.id = id};
	enum conn_save_result r = conn_save(cli_store(cli), text, &cs);
	if (r == CONN_SAVE_INVALID)
		cli_print_problems(origin, &cs.problems);
	else if (r != CONN_SAVED)
		cli_fail(EXIT_FAILED, "%s; nothing was saved", cs.err);
	problems_free(&cs.problems);
	if (r != CONN_SAVED)
		return EXIT_FAILED;
	return print_saved(cli, cs.id, id ? "updated" : "created", json);
}

static int conn_add_or_edit(struct cli *cli, int argc, char **argv, bool edit)
{
	const char *file = NULL;
	int64_t id = 0;
	bool json = false, missing = false;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--file", &missing)))
			file = v;
		else if (missing)
			return cli_usage("%s needs a value", argv[i]);
		else if (arg_is(argv[i], "--json"))
			json = true;
		else if (edit && !id && parse_id(argv[i], &id))
			continue;
		else
			return cli_usage("conn %s: unexpected argument '%s'", edit ? "edit" : "add", argv[i]);
	}
	if (edit && !id)
		return cli_usage("conn edit needs a connection id: feedsync conn edit ID --file FILE");
	if (!file)
		return cli_usage("conn %s needs --file FILE (a JSON connection document, or - for stdin)",
		                 edit ? "edit" : "add");
	if (edit) {
		struct conn_row row;
		int found = store_conn_get(cli_store(cli), id, &row);
		conn_row_free(&row);
		if (found != 1)
			return cli_fail(EXIT_NOT_FOUND, "no connection %lld", (long long)id);
	}
	char err[512];
	char *text = cli_read_file(file, err, sizeof(err));
	if (!text)
		return cli_fail(EXIT_FAILED, "%s", err);
	int rc = save_document(cli, text, file, id, json);
	free(text);
	return rc;
}

static const char *conn_status_symbol(const char *status)
{
	if (!status)
		return "-";
	if (str_eq(status, RUN_COMPLETED))
		return "ok";
	if (str_eq(status, RUN_COMPLETED_WITH_ERRORS))
		return "errors";
	return status;
}

static int conn_list(struct cli *cli, bool json)
{
	struct conn_row *rows;
	size_t n;
	if (store_conn_list(cli_store(cli), &rows, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot list connections: %s", store_errmsg(cli_store(cli)));
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, conn_row_to_json(&rows[i]));
		json_print(arr, stdout);
	} else if (n == 0) {
		printf("no connections yet: add one with 'feedsync conn add --file CONN.json'\n");
	} else {
		static const char *const headers[] = {"ID", "NAME", "SOURCE", "DEST", "ACTIVE", "SCHEDULE",
		                                      "PRODUCTS", "LAST RUN", "STATUS", "C/U/S/F"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(headers), headers, "rllllrrrll");
		for (size_t i = 0; i < n; i++) {
			const struct conn_row *r = &rows[i];
			char id[24], products[24], last[32] = "-", cusf[96] = "-";
			snprintf(id, sizeof(id), "%lld", (long long)r->id);
			snprintf(products, sizeof(products), "%lld", (long long)r->product_count);
			if (r->last_run_id) {
				when(r->last_started_at, last, sizeof(last));
				snprintf(cusf, sizeof(cusf), "%lld/%lld/%lld/%lld", (long long)r->last_created,
				         (long long)r->last_updated, (long long)r->last_skipped, (long long)r->last_failed);
			}
			const char *cells[] = {id, r->name, r->source_type, r->dest_type ? r->dest_type : "-",
			                       r->active ? "yes" : "no", r->schedule, products, last,
			                       conn_status_symbol(r->last_status), cusf};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
	}
	conn_rows_free(rows, n);
	return EXIT_OK;
}

static int conn_show(struct cli *cli, const char *arg, bool json, bool export_only)
{
	struct conn_row row = {0};
	int rc = cli_get_conn(cli, arg, &row);
	if (rc != EXIT_OK)
		return rc;
	if (export_only) {
		printf("%s\n", row.document);
	} else if (json) {
		json_print(conn_row_to_json(&row), stdout);
	} else {
		char t1[32], t2[32], t3[32];
		printf("connection %lld: %s\n", (long long)row.id, row.name);
		printf("  active:       %s\n", row.active ? "yes" : "no");
		printf("  source:       %s %s\n", row.source_type, row.source_url);
		printf("  destination:  %s\n", row.dest_type ? row.dest_type : "none (catalog only)");
		printf("  schedule:     %s%s%s\n", row.schedule, row.next_due_at ? ", next " : "",
		       row.next_due_at ? when(row.next_due_at, t1, sizeof(t1)) : "");
		printf("  products:     %lld\n", (long long)row.product_count);
		if (row.last_run_id)
			printf("  last run:     %lld %s, started %s, C/U/S/F %lld/%lld/%lld/%lld\n",
			       (long long)row.last_run_id, row.last_status, when(row.last_started_at, t2, sizeof(t2)),
			       (long long)row.last_created, (long long)row.last_updated, (long long)row.last_skipped,
			       (long long)row.last_failed);
		else
			printf("  last run:     never\n");
		printf("  created:      %s\n", when(row.created_at, t3, sizeof(t3)));
		printf("  document:\n%s\n", row.document);
	}
	conn_row_free(&row);
	return EXIT_OK;
}

int cli_conn_clone(struct store *s, int64_t id, const char *name, int64_t *new_id, char *err, size_t errsize)
{
	struct conn_row row = {0};
	int found = store_conn_get(s, id, &row);
	if (found != 1) {
		snprintf(err, errsize, found ? "cannot read connection %lld: %s" : "no connection %lld%s", (long long)id,
		         found ? store_errmsg(s) : "");
		return found ? EXIT_FAILED : EXIT_NOT_FOUND;
	}
	cJSON *doc = cJSON_Parse(row.document);
	char *copy_name = name ? xstrdup(name) : conn_copy_name(s, row.name);
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "name", cJSON_CreateString(copy_name));
	/* A clone shares its source and destination: it must not start running on the original's schedule. */
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "active");
	cJSON_AddFalseToObject(doc, "active");
	char *text = cJSON_Print(doc);
	struct conn_save cs = {0};
	int rc = EXIT_FAILED;
	enum conn_save_result r = conn_save(s, text, &cs);
	if (r == CONN_SAVE_INVALID) {
		char *list = problems_join(&cs.problems, " ");
		snprintf(err, errsize, "the copy of connection %lld is not a valid document:%s", (long long)id, list);
		free(list);
	} else if (r != CONN_SAVED) {
		str_copy(err, cs.err, errsize);
	} else {
		*new_id = cs.id;
		rc = EXIT_OK;
	}
	problems_free(&cs.problems);
	free(text);
	free(copy_name);
	cJSON_Delete(doc);
	conn_row_free(&row);
	return rc;
}

static int conn_clone(struct cli *cli, int argc, char **argv)
{
	const char *id_arg = NULL, *name = NULL;
	bool json = false, missing = false;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--name", &missing)))
			name = v;
		else if (missing)
			return cli_usage("%s needs a value", argv[i]);
		else if (arg_is(argv[i], "--json"))
			json = true;
		else if (!id_arg)
			id_arg = argv[i];
		else
			return cli_usage("conn clone: unexpected argument '%s'", argv[i]);
	}
	struct conn_row row = {0};
	int rc = cli_get_conn(cli, id_arg, &row);
	if (rc != EXIT_OK)
		return rc;
	int64_t new_id = 0;
	char err[1024];
	rc = cli_conn_clone(cli_store(cli), row.id, name, &new_id, err, sizeof(err));
	conn_row_free(&row);
	if (rc != EXIT_OK)
		return cli_fail(rc, "%s; nothing was saved", err);
	return print_saved(cli, new_id, "created", json);
}

static int conn_rm(struct cli *cli, const char *arg)
{
	int64_t id;
	if (!parse_id(arg, &id))
		return cli_usage("conn rm needs a connection id");
	struct run_row active;
	switch (store_conn_delete(cli_store(cli), id)) {
	case 0:
		printf("deleted connection %lld, its catalog and its runs\n", (long long)id);
		return EXIT_OK;
	case 1:
		return cli_fail(EXIT_NOT_FOUND, "no connection %lld", (long long)id);
	case 2:
		if (store_run_active_for(cli_store(cli), id, &active) == 1)
			return cli_fail(EXIT_REFUSED, "connection %lld has an active run %lld (%s); cancel it first: "
			                "feedsync runs cancel %lld", (long long)id, (long long)active.id, active.status,
			                (long long)active.id);
		return cli_fail(EXIT_REFUSED, "connection %lld has an active run; try again", (long long)id);
	default:
		return cli_fail(EXIT_FAILED, "cannot delete connection %lld: %s", (long long)id,
		                store_errmsg(cli_store(cli)));
	}
}

static int conn_set_active(struct cli *cli, const char *arg, bool active)
{
	struct conn_row row = {0};
	int rc = cli_get_conn(cli, arg, &row);
	if (rc != EXIT_OK)
		return rc;
	struct store *s = cli_store(cli);
	if (store_conn_set_active(s, row.id, active) < 0 ||
	    store_conn_set_next_due(s, row.id, active ? scheduler_next_due(row.schedule, now_ms(), 0) : 0) < 0)
		rc = cli_fail(EXIT_FAILED, "cannot update connection %lld: %s", (long long)row.id, store_errmsg(s));
	else
		printf("%s connection %lld '%s'\n", active ? "enabled" : "disabled", (long long)row.id, row.name);
	conn_row_free(&row);
	return rc;
}

int cmd_conn(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return cli_usage("conn needs a subcommand: add, list, show, edit, clone, rm, enable, disable, export");
	const char *sub = argv[0];
	bool json = false;
	const char *id = NULL;
	if (str_eq(sub, "add"))
		return conn_add_or_edit(cli, argc - 1, argv + 1, false);
	if (str_eq(sub, "edit"))
		return conn_add_or_edit(cli, argc - 1, argv + 1, true);
	if (str_eq(sub, "clone"))
		return conn_clone(cli, argc - 1, argv + 1);
	for (int i = 1; i < argc; i++) {
		if (arg_is(argv[i], "--json"))
			json = true;
		else if (!id && argv[i][0] != '-')
			id = argv[i];
		else
			return cli_usage("conn %s: unexpected argument '%s'", sub, argv[i]);
	}
	if (str_eq(sub, "list") || str_eq(sub, "ls"))
		return conn_list(cli, json);
	if (str_eq(sub, "show"))
		return conn_show(cli, id, json, false);
	if (str_eq(sub, "export"))
		return conn_show(cli, id, json, true);
	if (str_eq(sub, "rm") || str_eq(sub, "delete"))
		return conn_rm(cli, id);
	if (str_eq(sub, "enable"))
		return conn_set_active(cli, id, true);
	if (str_eq(sub, "disable"))
		return conn_set_active(cli, id, false);
	return cli_usage("unknown conn subcommand '%s' (add, list, show, edit, clone, rm, enable, disable, export)", sub);
}
