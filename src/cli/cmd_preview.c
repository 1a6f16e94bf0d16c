/* feedsync preview ID|--file F [--rows N] [--json]: the head of a feed as the pipeline sees it. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/text.h"
#include "core/util.h"
#include "engine/preview.h"

#define PREVIEW_DEFAULT_ROWS 20
#define PREVIEW_MAX_ROWS 10000
/* Widest cell in the text table; the JSON output is never cut. */
#define PREVIEW_CELL_WIDTH 24
/* Rows whose rule steps the text output shows; --json has them all. */
#define PREVIEW_RULE_ROWS 5

static const char *verdict_name(enum row_verdict v)
{
	return v == ROW_OK ? "ok" : v == ROW_SKIPPED ? "skipped" : "failed";
}

static cJSON *steps_to_json(const struct preview_row *row)
{
	cJSON *steps = cJSON_CreateArray();
	for (size_t i = 0; i < row->n_steps; i++) {
		const struct preview_step *st = &row->steps[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "rule", (double)st->rule);
		cJSON_AddStringToObject(o, "field", st->field);
		cJSON_AddItemToObject(o, "before", st->before ? cJSON_CreateString(st->before) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "after", st->after ? cJSON_CreateString(st->after) : cJSON_CreateNull());
		cJSON_AddBoolToObject(o, "applied", st->applied);
		cJSON_AddItemToArray(steps, o);
	}
	return steps;
}

static cJSON *preview_to_json(const struct preview *p)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *cols = cJSON_AddArrayToObject(root, "columns");
	for (size_t i = 0; i < p->n_columns; i++)
		cJSON_AddItemToArray(cols, cJSON_CreateString(p->columns[i]));
	cJSON *warnings = cJSON_AddArrayToObject(root, "warnings");
	for (size_t i = 0; i < p->warnings.n; i++)
		cJSON_AddItemToArray(warnings, cJSON_CreateString(p->warnings.items[i]));
	if (p->error[0])
		cJSON_AddStringToObject(root, "error", p->error);
	cJSON_AddNumberToObject(root, "ok", (double)p->ok);
	cJSON_AddNumberToObject(root, "skipped", (double)p->skipped);
	cJSON_AddNumberToObject(root, "failed", (double)p->failed);
	cJSON *rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t r = 0; r < p->n_rows; r++) {
		const struct preview_row *row = &p->rows[r];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "line", (double)row->line);
		cJSON_AddStringToObject(o, "verdict", verdict_name(row->verdict));
		cJSON *values = cJSON_AddObjectToObject(o, "values");
		for (size_t i = 0; i < p->n_columns; i++)
			cJSON_AddStringToObject(values, p->columns[i], row->values[i]);
		if (row->product_json)
			cJSON_AddItemToObject(o, "product", cJSON_Parse(row->product_json));
		if (row->error_code) {
			cJSON_AddStringToObject(o, "code", row->error_code);
			cJSON_AddStringToObject(o, "column", row->error_column);
			cJSON_AddStringToObject(o, "message", row->error_message);
		}
		if (row->n_steps)
			cJSON_AddItemToObject(o, "rules", steps_to_json(row));
		cJSON_AddItemToArray(rows, o);
	}
	return root;
}

static char *cell(const char *text)
{
	struct strbuf clean = {0}, fitted = {0};
	text_sanitize(text, &clean, 0);
	text_fit(sb_str(&clean), PREVIEW_CELL_WIDTH, 0, &fitted);
	sb_free(&clean);
	return sb_detach(&fitted);
}

/* Feed text printed to a terminal: control characters made visible. */
static void print_safe(const char *text)
{
	struct strbuf clean = {0};
	text_sanitize(text, &clean, 0);
	fputs(sb_str(&clean), stdout);
	sb_free(&clean);
}

/* A product's fields in the order the destination knows them, then a verdict column. */
static void print_rows(const struct preview *p)
{
	static const char *const fields[] = {"sku", "name", "regular_price", "sale_price", "stock_quantity",
	                                     "categories"};
	enum { NF = sizeof(fields) / sizeof(fields[0]) };
	const char *headers[NF + 2] = {"LINE", "RESULT"};
	for (size_t i = 0; i < NF; i++)
		headers[i + 2] = fields[i];
	struct text_table t;
	tt_init(&t, NF + 2, headers, "rl      ");
	for (size_t r = 0; r < p->n_rows; r++) {
		const struct preview_row *row = &p->rows[r];
		char line[24];
		snprintf(line, sizeof(line), "%ld", row->line);
		char *cells[NF + 2] = {xstrdup(line), xstrdup(verdict_name(row->verdict))};
		cJSON *product = row->product_json ? cJSON_Parse(row->product_json) : NULL;
		for (size_t i = 0; i < NF; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(product, fields[i]);
			cells[i + 2] = cell(cJSON_IsString(v) ? v->valuestring : "");
		}
		cJSON_Delete(product);
		tt_add(&t, (const char *const *)cells);
		for (size_t i = 0; i < NF + 2; i++)
			free(cells[i]);
	}
	tt_print(&t, stdout);
	tt_free(&t);
}

/* "  rules[0] regular_price: 10.00 -> 16.99" per rule, for the first rows that ran any. */
static void print_rule_steps(const struct preview *p)
{
	for (size_t r = 0, shown = 0; r < p->n_rows && shown < PREVIEW_RULE_ROWS; r++) {
		const struct preview_row *row = &p->rows[r];
		if (!row->n_steps)
			continue;
		shown++;
		printf("rules on line %ld:\n", row->line);
		for (size_t i = 0; i < row->n_steps; i++) {
			const struct preview_step *st = &row->steps[i];
			printf("  rules[%zu] %s: ", st->rule, st->field);
			print_safe(st->before ? st->before : "(none)");
			if (st->applied) {
				printf(" -> ");
				print_safe(st->after ? st->after : "(none)");
			} else {
				printf(" (when is false: left as it is)");
			}
			printf("\n");
		}
	}
}

static void print_preview(const struct preview *p)
{
	printf("columns: ");
	for (size_t i = 0; i < p->n_columns; i++) {
		printf("%s", i ? ", " : "");
		print_safe(p->columns[i]);
	}
	printf("\n");
	for (size_t i = 0; i < p->warnings.n; i++) {
		printf("warning: ");
		print_safe(p->warnings.items[i]);
		printf("\n");
	}
	if (p->n_rows)
		print_rows(p);
	print_rule_steps(p);
	for (size_t r = 0; r < p->n_rows; r++)
		if (p->rows[r].error_message) {
			printf("line %ld failed (%s): ", p->rows[r].line, p->rows[r].error_code);
			print_safe(p->rows[r].error_message);
			printf("\n");
		}
	printf("%zu row%s: %zu ok, %zu skipped by filters, %zu would fail\n", p->n_rows, p->n_rows == 1 ? "" : "s",
	       p->ok, p->skipped, p->failed);
	if (p->error[0]) {
		printf("error: ");
		print_safe(p->error);
		printf("\n");
	}
}

static struct conn_config *load_connection(struct cli *cli, const char *id_arg, const char *file)
{
	char *text;
	const char *origin = file;
	if (file) {
		char err[512];
		text = cli_read_file(file, err, sizeof(err));
		if (!text) {
			cli_fail(EXIT_FAILED, "%s", err);
			return NULL;
		}
	} else {
		struct conn_row row = {0};
		if (cli_get_conn(cli, id_arg, &row) != EXIT_OK)
			return NULL;
		text = row.document;
		row.document = NULL;
		conn_row_free(&row);
		origin = "the stored document";
	}
	struct conn_config *conn = cli_parse_document(text, origin);
	free(text);
	return conn;
}

int cmd_preview(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *id_arg = NULL;
	int64_t rows = PREVIEW_DEFAULT_ROWS;
	bool json = false;
	for (int i = 0; i < argc; i++) {
		bool missing = false;
		const char *v;
		if ((v = arg_value(argc, argv, &i, "--file", &missing)))
			file = v;
		else if ((v = arg_value(argc, argv, &i, "--rows", &missing))) {
			if (!parse_int64(v, &rows) || rows < 1 || rows > PREVIEW_MAX_ROWS)
				return cli_usage("preview: --rows takes a number from 1 to %d, not '%s'", PREVIEW_MAX_ROWS, v);
		} else if (missing)
			return cli_usage("preview: %s needs a value", argv[i]);
		else if (arg_is(argv[i], "--json"))
			json = true;
		else if (!id_arg && argv[i][0] != '-')
			id_arg = argv[i];
		else
			return cli_usage("preview: unexpected argument '%s' "
			                 "(usage: feedsync preview ID|--file F [--rows N] [--json])", argv[i]);
	}
	if (!file == !id_arg)
		return cli_usage("preview needs a connection id or --file F (one of them)");
	struct conn_config *conn = load_connection(cli, id_arg, file);
	if (!conn)
		return file ? EXIT_FAILED : EXIT_NOT_FOUND;
	struct preview p;
	int rc = preview_feed(&cli->cfg, conn, (size_t)rows, &p);
	if (json)
		json_print(preview_to_json(&p), stdout);
	else
		print_preview(&p);
	preview_free(&p);
	conn_free(conn);
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}
