#include "cli/output.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/util.h"

void tt_init(struct text_table *t, size_t ncols, const char *const *headers, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	t->align = align;
}

void tt_add(struct text_table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++) {
		struct strbuf sb = {0};
		text_sanitize(cells[c] ? cells[c] : "", &sb, 0);
		t->cells[t->nrows * t->ncols + c] = sb_detach(&sb);
	}
	t->nrows++;
}

static void print_cell(FILE *out, const char *s, size_t width, char align, bool last)
{
	size_t w = text_width(s);
	size_t pad = width > w ? width - w : 0;
	if (align == 'r')
		fprintf(out, "%*s%s", (int)pad, "", s);
	else
		fprintf(out, "%s%*s", s, last ? 0 : (int)pad, "");
}

void tt_print(const struct text_table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = text_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->ncols + c];
			if (c)
				fputs("  ", out);
			print_cell(out, s, width[c], t->align ? t->align[c] : 'l', c + 1 == t->ncols);
		}
		fputc('\n', out);
	}
	free(width);
}

void tt_free(struct text_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void json_print(cJSON *json, FILE *out)
{
	char *text = cJSON_Print(json);
	fprintf(out, "%s\n", text);
	free(text);
	cJSON_Delete(json);
}

static void add_time(cJSON *obj, const char *key, int64_t ms)
{
	if (ms)
		cJSON_AddNumberToObject(obj, key, (double)ms / 1000.0);
	else
		cJSON_AddNullToObject(obj, key);
}

cJSON *run_to_json(const struct run_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "connection_id", (double)r->connection_id);
	cJSON_AddStringToObject(o, "connection", r->connection_name);
	cJSON_AddStringToObject(o, "trigger", r->trigger);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "phase", r->phase);
	cJSON *counters = cJSON_AddObjectToObject(o, "counters");
	for (int i = 0; i < RC_COUNT; i++)
		cJSON_AddNumberToObject(counters, run_counter_columns[i], (double)r->counters[i]);
	cJSON_AddNumberToObject(o, "errors_total", (double)r->errors_total);
	add_time(o, "created_at", r->created_at);
	add_time(o, "started_at", r->started_at);
	add_time(o, "finished_at", r->finished_at);
	add_time(o, "heartbeat_at", r->heartbeat_at);
	cJSON_AddStringToObject(o, "worker", r->worker_id);
	cJSON_AddBoolToObject(o, "cancel_requested", r->cancel_requested);
	cJSON_AddNumberToObject(o, "attempt", r->attempt);
	if (r->retry_of)
		cJSON_AddNumberToObject(o, "retry_of", (double)r->retry_of);
	else
		cJSON_AddNullToObject(o, "retry_of");
	cJSON_AddBoolToObject(o, "plan_only", r->plan_only);
	if (r->plan_run)
		cJSON_AddNumberToObject(o, "plan_run", (double)r->plan_run);
	else
		cJSON_AddNullToObject(o, "plan_run");
	cJSON_AddStringToObject(o, "summary", r->summary);
	return o;
}

cJSON *conn_row_to_json(const struct conn_row *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddBoolToObject(o, "active", c->active);
	cJSON_AddStringToObject(o, "source_type", c->source_type);
	cJSON_AddStringToObject(o, "schedule", c->schedule);
	if (c->dest_type)
		cJSON_AddStringToObject(o, "destination", c->dest_type);
	else
		cJSON_AddNullToObject(o, "destination");
	cJSON_AddNumberToObject(o, "products", (double)c->product_count);
	add_time(o, "next_due_at", c->next_due_at);
	cJSON *last = cJSON_AddObjectToObject(o, "last_run");
	if (c->last_run_id) {
		cJSON_AddNumberToObject(last, "id", (double)c->last_run_id);
		cJSON_AddStringToObject(last, "status", c->last_status ? c->last_status : "");
		add_time(last, "started_at", c->last_started_at);
		add_time(last, "finished_at", c->last_finished_at);
		cJSON_AddNumberToObject(last, "created", (double)c->last_created);
		cJSON_AddNumberToObject(last, "updated", (double)c->last_updated);
		cJSON_AddNumberToObject(last, "skipped", (double)c->last_skipped);
		cJSON_AddNumberToObject(last, "failed", (double)c->last_failed);
	}
	cJSON *doc = c->document ? cJSON_Parse(c->document) : NULL;
	if (doc)
		cJSON_AddItemToObject(o, "document", doc);
	return o;
}

cJSON *run_error_to_json(const struct run_error_row *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)e->id);
	add_time(o, "at", e->at);
	cJSON_AddStringToObject(o, "phase", e->phase);
	if (e->line)
		cJSON_AddNumberToObject(o, "line", (double)e->line);
	else
		cJSON_AddNullToObject(o, "line");
	cJSON_AddStringToObject(o, "sku", e->sku);
	cJSON_AddStringToObject(o, "column", e->column);
	cJSON_AddStringToObject(o, "code", e->code);
	cJSON_AddStringToObject(o, "message", e->message ? e->message : "");
	cJSON *detail = e->detail ? cJSON_Parse(e->detail) : NULL;
	if (detail)
		cJSON_AddItemToObject(o, "detail", detail);
	return o;
}

const char *when(int64_t ms, char *buf, size_t size)
{
	format_time(ms, buf, size);
	return buf;
}
