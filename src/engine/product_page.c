/* One product's page: fields, push state and history across runs (see engine/product_page.h). */
#include "engine/product_page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/text.h"

static void add_event(struct product_page *p, int64_t run_id, int64_t at, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_event(struct product_page *p, int64_t run_id, int64_t at, const char *what, const char *fmt, ...)
{
	p->events = xrealloc(p->events, (p->nevents + 1) * sizeof(*p->events));
	struct product_event *e = &p->events[p->nevents++];
	*e = (struct product_event){.run_id = run_id, .at = at, .what = what};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

/* Newest first; an error and the push of the same run keep the order they were added in. */
static int newest_first(const void *a, const void *b)
{
	const struct product_event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? 1 : -1;
	return x->run_id < y->run_id ? 1 : x->run_id > y->run_id ? -1 : 0;
}

static void build_history(struct product_page *p)
{
	const struct product_detail *d = &p->d;
	if (d->first_seen_run || d->first_seen_at)
		add_event(p, d->first_seen_run, d->first_seen_at, "first seen", "imported from the feed");
	if (d->changed_run && d->changed_run != d->first_seen_run)
		add_event(p, d->changed_run, d->changed_at, "changed", "line %lld of the feed", (long long)d->line);
	if (d->pushed_run)
		add_event(p, d->pushed_run, d->pushed_at, "pushed", "accepted by the destination");
	for (size_t i = 0; i < p->nerrors; i++) {
		const struct product_error *e = &p->errors[i];
		bool push = str_eq(e->phase, "pushing") || str_eq(e->phase, "reconcile");
		char line[32] = "";
		if (e->line)
			snprintf(line, sizeof(line), " line %lld", (long long)e->line);
		add_event(p, e->run_id, e->at, push ? "failed" : "error", "%s%s: %s: %s", e->phase, line, e->code,
		          e->message ? e->message : "");
	}
	if (d->missing_since)
		add_event(p, 0, d->missing_since, "missing", "gone from the feed, in %lld run%s since",
		          (long long)d->missing_runs, d->missing_runs == 1 ? "" : "s");
	if (d->retired_at)
		add_event(p, 0, d->retired_at, "retired", "%s", d->retired_action ? d->retired_action : "");
	qsort(p->events, p->nevents, sizeof(*p->events), newest_first);
}

int product_page_read(struct store *s, int64_t conn_id, const char *sku, struct product_page *out)
{
	memset(out, 0, sizeof(*out));
	int found = store_product_get(s, conn_id, sku, &out->d);
	if (found != 1)
		return found;
	if (store_product_errors(s, conn_id, sku, PRODUCT_PAGE_ERRORS, &out->errors, &out->nerrors) < 0) {
		product_page_free(out);
		return -1;
	}
	build_history(out);
	return 1;
}

void product_page_free(struct product_page *p)
{
	if (!p)
		return;
	product_detail_free(&p->d);
	product_errors_free(p->errors, p->nerrors);
	free(p->events);
	memset(p, 0, sizeof(*p));
}

static void add_line(struct strbuf *out, const char *label, const char *value)
{
	sb_addf(out, "%-14s ", label);
	text_sanitize(value && *value ? value : "-", out, 0);
	sb_adds(out, "\n");
}

/* A JSON value as the page shows it: strings without their quotes. */
static char *value_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	char *printed = cJSON_PrintUnformatted(v);
	char *copy = xstrdup(printed ? printed : "");
	cJSON_free(printed);
	return copy;
}

/* Each field of the catalog, and what the destination last accepted where that differs. */
static void add_fields(const struct product_detail *d, struct strbuf *out)
{
	cJSON *now = cJSON_Parse(d->data ? d->data : "{}");
	cJSON *pushed = d->pushed_data ? cJSON_Parse(d->pushed_data) : NULL;
	sb_adds(out, pushed ? "fields (catalog, and last pushed where different)\n" : "fields (nothing pushed kept)\n");
	const cJSON *f;
	cJSON_ArrayForEach(f, now)
	{
		char *value = value_text(f);
		sb_addf(out, "  %-20s ", f->string);
		text_sanitize(value, out, 0);
		const cJSON *old = pushed ? cJSON_GetObjectItemCaseSensitive(pushed, f->string) : NULL;
		char *was = old ? value_text(old) : NULL;
		if (pushed && (!was || !str_eq(was, value))) {
			sb_adds(out, "   (pushed: ");
			text_sanitize(was ? was : "none", out, 0);
			sb_adds(out, ")");
		}
		sb_adds(out, "\n");
		free(was);
		free(value);
	}
	cJSON_ArrayForEach(f, pushed)
	{
		if (cJSON_GetObjectItemCaseSensitive(now, f->string))
			continue;
		char *was = value_text(f);
		sb_addf(out, "  %-20s -   (pushed: ", f->string);
		text_sanitize(was, out, 0);
		sb_adds(out, ")\n");
		free(was);
	}
	cJSON_Delete(now);
	cJSON_Delete(pushed);
}

void product_page_text(const struct product_page *p, struct strbuf *out)
{
	const struct product_detail *d = &p->d;
	char buf[128];
	add_line(out, "sku", d->row.sku);
	if (d->row.parent_sku)
		add_line(out, "variant of", d->row.parent_sku);
	add_line(out, "name", d->row.name);
	add_line(out, "state", d->row.state);
	snprintf(buf, sizeof(buf), "%lld", (long long)d->row.remote_id);
	add_line(out, "remote id", d->row.remote_id ? buf : NULL);
	if (d->pushed_run) {
		char at[64];
		format_time(d->pushed_at, at, sizeof(at));
		snprintf(buf, sizeof(buf), "run %lld, %s", (long long)d->pushed_run, at);
	}
	add_line(out, "last pushed", d->pushed_run ? buf : NULL);
	if (d->row.failed_run) {
		snprintf(buf, sizeof(buf), "run %lld: ", (long long)d->row.failed_run);
		sb_addf(out, "%-14s %s", "last error", buf);
		text_sanitize(d->row.last_error ? d->row.last_error : "(not stored: over import.error_cap)", out, 0);
		sb_adds(out, "\n");
	} else {
		add_line(out, "last error", NULL);
	}
	add_fields(d, out);
	sb_adds(out, "history (newest first)\n");
	for (size_t i = 0; i < p->nevents; i++) {
		const struct product_event *e = &p->events[i];
		char at[64], run[32] = "";
		format_time(e->at, at, sizeof(at));
		if (e->run_id)
			snprintf(run, sizeof(run), "run %lld", (long long)e->run_id);
		sb_addf(out, "  %-19s  %-9s  %-10s  ", at, run, e->what);
		text_sanitize(e->detail, out, 0);
		sb_adds(out, "\n");
	}
}
