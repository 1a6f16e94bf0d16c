#include "engine/preview.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/feed_fetch.h"
#include "feed/normalize.h"
#include "feed/source.h"

static void keep_columns(struct preview *p, const char *const *names, size_t n)
{
	p->columns = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		p->columns[i] = xstrdup(names[i]);
	p->n_columns = n;
}

static bool listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (str_eq(*list, name))
			return true;
	return false;
}

static void warn_about_columns(struct preview *p, const struct conn_config *conn)
{
	struct strbuf missing = {0}, found = {0}, unused = {0};
	size_t n_missing = rows_missing_columns(conn, (const char *const *)p->columns, p->n_columns, &missing, &found);
	if (n_missing)
		problems_add(&p->warnings, "columns", "missing required column%s: %s; the feed has: %s (a run would fail)",
		             n_missing > 1 ? "s" : "", sb_str(&missing), p->n_columns ? sb_str(&found) : "(no columns)");
	const char *const *read = mapping_columns(conn->mapping);
	char canon[256];
	size_t n_unused = 0;
	for (size_t i = 0; i < p->n_columns; i++) {
		const char *name = normalize_column(conn->aliases, p->columns[i], canon, sizeof(canon));
		if (!listed(read, name) && !listed((const char *const *)conn->required, name) &&
		    !(conn->filter && filter_uses(conn->filter, name))) {
			sb_addf(&unused, "%s%s", n_unused ? ", " : "", p->columns[i]);
			n_unused++;
		}
	}
	if (n_unused)
		problems_add(&p->warnings, "columns", "unknown column%s, not read by the mapping or the filters: %s",
		             n_unused > 1 ? "s" : "", sb_str(&unused));
	sb_free(&missing);
	sb_free(&found);
	sb_free(&unused);
}

static char **row_values(const struct preview *p, const struct record *rec)
{
	char **values = xcalloc(p->n_columns ? p->n_columns : 1, sizeof(char *));
	for (size_t i = 0; i < p->n_columns; i++) {
		const char *v = record_get(rec, p->columns[i]);
		values[i] = xstrdup(v ? v : "");
	}
	return values;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The row stage's rules trace: each rule's step kept on the row being read. */
static void keep_step(void *ctx, const struct rule_step *step)
{
	struct preview_row *row = ctx;
	row->steps = xrealloc(row->steps, (row->n_steps + 1) * sizeof(*row->steps));
	row->steps[row->n_steps++] = (struct preview_step){.rule = step->rule, .field = xstrdup(step->field),
	                                                   .before = dup_or_null(step->before),
	                                                   .after = dup_or_null(step->after), .applied = step->applied};
}

static void add_row(struct preview *p, struct row_stage *st, const struct record *rec)
{
	struct row_error err;
	p->rows = xrealloc(p->rows, (p->n_rows + 1) * sizeof(*p->rows));
	struct preview_row *row = &p->rows[p->n_rows++];
	memset(row, 0, sizeof(*row));
	st->trace = keep_step;
	st->trace_ctx = row;
	enum row_verdict verdict = row_stage_process(st, rec, &err);
	row->line = rec->line;
	row->verdict = verdict;
	row->values = row_values(p, rec);
	if (verdict == ROW_OK) {
		row->product_json = product_to_json(&st->product);
		p->ok++;
	} else if (verdict == ROW_SKIPPED) {
		p->skipped++;
	} else {
		row->error_code = xstrdup(err.code);
		row->error_column = xstrdup(err.column);
		row->error_message = xstrdup(err.message);
		p->failed++;
	}
}

int preview_read(const struct config *cfg, const struct conn_config *conn, const char *path, size_t max_rows,
                 struct preview *p)
{
	memset(p, 0, sizeof(*p));
	struct source_opts opts = conn->source;
	opts.max_field_bytes = (size_t)cfg->max_field_bytes;
	struct source_error serr = {0};
	struct source *src = source_open(path, &opts, &serr);
	if (!src) {
		str_copy(p->error, serr.message, sizeof(p->error));
		return -1;
	}
	size_t n = 0;
	const char *const *header = source_columns(src, &n);
	if (header && n) {
		keep_columns(p, header, n);
		warn_about_columns(p, conn);
	}
	struct row_stage st;
	row_stage_init(&st, conn, (size_t)cfg->max_value_bytes);
	struct record rec;
	int rc = 0;
	while (p->n_rows < max_rows && (rc = source_next(src, &rec, &serr)) == 1) {
		if (!p->columns) {
			keep_columns(p, rec.names, rec.n);
			warn_about_columns(p, conn);
		}
		add_row(p, &st, &rec);
	}
	if (rc < 0)
		str_copy(p->error, serr.message, sizeof(p->error));
	else if (p->n_rows == 0 && !p->error[0])
		str_copy(p->error, "the feed has no rows (a run would fail: an empty feed is never imported)",
		         sizeof(p->error));
	p->delimiter = src->delimiter_used;
	row_stage_free(&st);
	source_close(src);
	return p->error[0] && p->n_rows == 0 ? -1 : 0;
}

int preview_feed(const struct config *cfg, const struct conn_config *conn, size_t max_rows, struct preview *out)
{
	memset(out, 0, sizeof(*out));
	struct fetch_result fetched = {0};
	const char *code = NULL;
	if (feed_fetch(cfg, conn, NULL, NULL, &fetched, &code) < 0) {
		str_copy(out->error, fetched.error, sizeof(out->error));
		return -1;
	}
	int rc = preview_read(cfg, conn, fetched.path, max_rows, out);
	fetch_cleanup(&fetched);
	return rc;
}

void preview_free(struct preview *p)
{
	for (size_t r = 0; r < p->n_rows; r++) {
		struct preview_row *row = &p->rows[r];
		for (size_t i = 0; i < p->n_columns; i++)
			free(row->values[i]);
		free(row->values);
		free(row->product_json);
		free(row->error_code);
		free(row->error_column);
		free(row->error_message);
		for (size_t i = 0; i < row->n_steps; i++) {
			free(row->steps[i].field);
			free(row->steps[i].before);
			free(row->steps[i].after);
		}
		free(row->steps);
	}
	free(p->rows);
	for (size_t i = 0; i < p->n_columns; i++)
		free(p->columns[i]);
	free(p->columns);
	problems_free(&p->warnings);
	memset(p, 0, sizeof(*p));
}
