/*
 * feedsync preview ID|FEED|--file F [--rows N] [--json]: the head of a feed as the pipeline sees it, from a
 * connection, a connection document, or a bare feed (a path or URL) whose format it sniffs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/text.h"
#include "core/util.h"
#include "engine/preview.h"

#define PREVIEW_DEFAULT_ROWS 20
#define PREVIEW_MAX_ROWS 10000
/* Widest cell in the text table; the JSON output is never cut. */
#define PREVIEW_CELL_WIDTH 24
/* Larger than any connection document: a JSON file past it is a feed, never read whole. */
#define DOCUMENT_MAX_BYTES (4 << 20)

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
	cJSON_AddStringToObject(root, "format", p->format);
	cJSON_AddStringToObject(root, "encoding", p->encoding);
	if (p->delimiter)
		cJSON_AddStringToObject(root, "delimiter", (char[]){p->delimiter, '\0'});
	cJSON_AddBoolToObject(root, "sniffed", p->sniffed);
	if (p->sniff.format)
		cJSON_AddStringToObject(root, "sniffed_format", p->sniff.format);
	cJSON_AddBoolToObject(root, "run_would_fail", p->run_would_fail);
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
		cJSON_AddNumberToObject(o, "item", (double)row->item);
		char where[RECORD_PLACE_SIZE];
		cJSON_AddStringToObject(o, "location", preview_row_location(row, where));
		cJSON_AddStringToObject(o, "verdict", verdict_name(row->verdict));
		if (row->sku)
			cJSON_AddStringToObject(o, "sku", row->sku);
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

/* Whether any row's product has a value for field. */
static bool any_row_has(const struct preview *p, const char *field)
{
	bool found = false;
	for (size_t r = 0; r < p->n_rows && !found; r++) {
		cJSON *product = p->rows[r].product_json ? cJSON_Parse(p->rows[r].product_json) : NULL;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(product, field);
		found = cJSON_IsString(v) && *v->valuestring;
		cJSON_Delete(product);
	}
	return found;
}

/* A product's fields in the order the destination knows them, then a verdict column. The first six always
 * show; the others only when a row has them (a Google Merchant feed's stock status and images). */
static void print_rows(const struct preview *p)
{
	static const char *const known[] = {"sku", "name", "regular_price", "sale_price", "stock_quantity",
	                                    "categories", "stock_status", "images"};
	enum { ALWAYS = 6, MAXF = sizeof(known) / sizeof(known[0]) };
	const char *fields[MAXF];
	size_t nf = 0;
	for (size_t i = 0; i < MAXF; i++)
		if (i < ALWAYS || any_row_has(p, known[i]))
			fields[nf++] = known[i];
	/* Items or lines, as the messages say: a feed's rows are all one or all the other. */
	bool items = p->n_rows && p->rows[0].item > 0;
	const char *headers[MAXF + 2] = {items ? "ITEM" : "LINE", "RESULT"};
	for (size_t i = 0; i < nf; i++)
		headers[i + 2] = fields[i];
	struct text_table t;
	tt_init(&t, nf + 2, headers, "rl        ");
	for (size_t r = 0; r < p->n_rows; r++) {
		const struct preview_row *row = &p->rows[r];
		char where[24];
		snprintf(where, sizeof(where), "%ld", items ? row->item : row->line);
		char *cells[MAXF + 2] = {xstrdup(where), xstrdup(verdict_name(row->verdict))};
		cJSON *product = row->product_json ? cJSON_Parse(row->product_json) : NULL;
		for (size_t i = 0; i < nf; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(product, fields[i]);
			/* A row that failed has no product: its SKU still says which one it was. */
			const char *text = cJSON_IsString(v) ? v->valuestring : i == 0 && row->sku ? row->sku : "";
			cells[i + 2] = cell(text);
		}
		cJSON_Delete(product);
		tt_add(&t, (const char *const *)cells);
		for (size_t i = 0; i < nf + 2; i++)
			free(cells[i]);
	}
	tt_print(&t, stdout);
	tt_free(&t);
}

static void print_format(const struct preview *p)
{
	const char *how = p->sniffed ? " (sniffed)" : "";
	printf("format: %s%s", p->format, how);
	if (p->delimiter)
		printf(", delimiter '%s'%s", p->delimiter == '\t' ? "\\t" : (char[]){p->delimiter, '\0'}, how);
	printf(", encoding %s%s%s\n", p->encoding, p->sniff.bom ? " with a BOM" : "",
	       p->sniffed && p->sniff.encoding_guessed ? " (sniffed: the bytes are not UTF-8)" : how);
}

/* A failed row: where, why, its SKU and the values it had, so it can be found and fixed in the feed. */
static void print_failure(const struct preview *p, const struct preview_row *row)
{
	char where[RECORD_PLACE_SIZE];
	printf("%s failed (%s", preview_row_location(row, where), row->error_code);
	if (row->error_column && *row->error_column)
		printf(", column %s", row->error_column);
	if (row->sku) {
		printf(", SKU ");
		print_safe(row->sku);
	}
	printf("): ");
	print_safe(row->error_message);
	printf("\n  values:");
	for (size_t i = 0; i < p->n_columns; i++) {
		printf("%s ", i ? "," : "");
		print_safe(p->columns[i]);
		printf("=");
		print_safe(row->values[i]);
	}
	printf("\n");
}

/* "  rules[0] regular_price: 10.00 -> 16.99" per rule, for the first rows that ran any. */
static void print_rule_steps(const struct preview *p)
{
	for (size_t r = 0, shown = 0; r < p->n_rows && shown < PREVIEW_RULE_ROWS; r++) {
		const struct preview_row *row = &p->rows[r];
		if (!row->n_steps)
			continue;
		shown++;
		char where[RECORD_PLACE_SIZE];
		printf("rules on %s:\n", preview_row_location(row, where));
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
	if (p->format[0])
		print_format(p);
	if (p->n_columns)
		printf("columns: ");
	for (size_t i = 0; i < p->n_columns; i++) {
		printf("%s", i ? ", " : "");
		print_safe(p->columns[i]);
	}
	if (p->n_columns)
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
		if (p->rows[r].error_message)
			print_failure(p, &p->rows[r]);
	printf("%zu row%s: %zu ok, %zu skipped by filters, %zu would fail\n", p->n_rows, p->n_rows == 1 ? "" : "s",
	       p->ok, p->skipped, p->failed);
	if (p->error[0]) {
		printf("error: ");
		print_safe(p->error);
		printf("\n");
	}
	if (p->run_would_fail)
		printf("a run would fail\n");
}

/* Connection documents are small JSON: a larger file, or one of another format, is a feed read as it streams. */
static bool may_be_document(const char *path)
{
	struct stat st;
	struct feed_sniff sniff;
	char err[512];
	if (str_eq(path, "-") || stat(path, &st) != 0)
		return true;                                 /* read as before, or say why it cannot be */
	return st.st_size <= DOCUMENT_MAX_BYTES && feed_sniff(path, &sniff, err, sizeof(err)) == 0 &&
	       str_eq(sniff.format, "json");
}

/* A document names its source; anything else given to --file is a feed to look at. */
static bool is_connection_document(const char *text)
{
	cJSON *doc = cJSON_Parse(text);
	bool yes = cJSON_IsObject(doc) && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "source"));
	cJSON_Delete(doc);
	return yes;
}

/* The connection to preview (NULL with *rc set after printing why), or *bare set for a feed without one. */
static struct conn_config *load_connection(struct cli *cli, const char *id_arg, const char *file, bool *bare,
                                           int *rc)
{
	char *text;
	const char *origin = file;
	*bare = false;
	if (file && !may_be_document(file)) {
		*bare = true;
		return NULL;
	}
	if (file) {
		char err[512];
		text = cli_read_file(file, err, sizeof(err));
		if (!text) {
			*rc = cli_fail(EXIT_FAILED, "%s", err);
			return NULL;
		}
		if (!is_connection_document(text)) {
			free(text);
			*bare = true;
			return NULL;
		}
	} else {
		struct conn_row row = {0};
		if ((*rc = cli_get_conn(cli, id_arg, &row)) != EXIT_OK)
			return NULL;
		text = row.document;
		row.document = NULL;
		conn_row_free(&row);
		origin = "the stored document";
	}
	struct conn_config *conn = cli_parse_document(text, origin);
	free(text);
	*rc = conn ? EXIT_OK : file ? EXIT_FAILED : EXIT_NOT_FOUND;
	return conn;
}

/* As a run would end: 1 when it would fail, 3 when some rows would fail, else 0. */
static int preview_exit(const struct preview *p)
{
	return p->run_would_fail ? EXIT_FAILED : p->failed ? EXIT_PARTIAL : EXIT_OK;
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
			                 "(usage: feedsync preview ID|FEED|--file F [--rows N] [--json])", argv[i]);
	}
	if (!file == !id_arg)
		return cli_usage("preview needs a connection id, a feed (path or URL) or --file F (one of them)");
	int64_t id;
	const char *feed = id_arg && !parse_id(id_arg, &id) ? id_arg : NULL;
	bool bare = feed != NULL;
	int rc = EXIT_OK;
	struct conn_config *conn = bare ? NULL : load_connection(cli, id_arg, file, &bare, &rc);
	if (!conn && !bare)
		return rc;
	struct preview p;
	if (bare)
		preview_bare_feed(&cli->cfg, feed ? feed : file, (size_t)rows, &p);
	else
		preview_feed(&cli->cfg, conn, (size_t)rows, &p);
	if (json)
		json_print(preview_to_json(&p), stdout);
	else
		print_preview(&p);
	rc = preview_exit(&p);
	preview_free(&p);
	conn_free(conn);
	return rc;
}
