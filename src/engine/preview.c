#include "engine/preview.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "engine/column_check.h"
#include "engine/feed_fetch.h"
#include "engine/group_check.h"
#include "feed/encoding.h"
#include "feed/normalize.h"
#include "feed/preset.h"
#include "feed/source.h"

/* The SKUs of the rows read so far, sorted, each with its place: a second row with one of them fails as a
 * run would fail it. A preview reads at most a few thousand rows, so a sorted array is enough. */
struct seen_skus {
	struct seen_sku {
		char *sku;
		long line;
		long item;
	} *items;
	size_t n;
};

static int seen_order(const void *key, const void *item)
{
	return strcmp(key, ((const struct seen_sku *)item)->sku);
}

/* The earlier row with this SKU, or NULL after recording this one as the first. */
static const struct seen_sku *seen_before(struct seen_skus *seen, const char *sku, long line, long item)
{
	size_t lo = 0, hi = seen->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = seen_order(sku, &seen->items[mid]);
		if (c == 0)
			return &seen->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	seen->items = xrealloc(seen->items, (seen->n + 1) * sizeof(*seen->items));
	memmove(seen->items + lo + 1, seen->items + lo, (seen->n - lo) * sizeof(*seen->items));
	seen->items[lo] = (struct seen_sku){xstrdup(sku), line, item};
	seen->n++;
	return NULL;
}

static void seen_free(struct seen_skus *seen)
{
	for (size_t i = 0; i < seen->n; i++)
		free(seen->items[i].sku);
	free(seen->items);
}

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

static void warn_about_columns(struct preview *p, const struct conn_config *conn, bool header)
{
	struct column_report report;
	column_check(conn, (const char *const *)p->columns, p->n_columns, header, &report);
	if (report.missing_required) {
		p->run_would_fail = true;
		problems_add(&p->warnings, "columns", "%s (a run would fail)", report.missing_required);
	}
	for (size_t i = 0; i < report.warnings.n; i++)
		problems_add(&p->warnings, NULL, "%s", report.warnings.items[i]);
	column_report_free(&report);
	struct strbuf unused = {0};
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
	sb_free(&unused);
	preset_check_conn(conn, (const char *const *)p->columns, p->n_columns, &p->warnings);
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

/* The verdict a run would give: the row stages', then the catalog's, where the first of two SKUs wins. */
static enum row_verdict judge(struct row_stage *st, struct seen_skus *seen,
                              const struct record *rec, struct row_error *err)
{
	enum row_verdict verdict = row_stage_process(st, rec, err);
	const char *sku = verdict == ROW_OK ? product_get(&st->product, PF_SKU) : NULL;
	const struct seen_sku *first = sku ? seen_before(seen, sku, rec->line, rec->item) : NULL;
	if (!first)
		return verdict;
	char where[RECORD_PLACE_SIZE], first_where[RECORD_PLACE_SIZE];
	memset(err, 0, sizeof(*err));
	row_duplicate_error(err, sku, record_place(rec->line, rec->item, where),
	                    record_place(first->line, first->item, first_where));
	return ROW_FAILED;
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

static void add_row(struct preview *p, struct row_stage *st, struct seen_skus *seen, const struct record *rec)
{
	struct row_error err;
	p->rows = xrealloc(p->rows, (p->n_rows + 1) * sizeof(*p->rows));
	struct preview_row *row = &p->rows[p->n_rows++];
	memset(row, 0, sizeof(*row));
	st->trace = keep_step;
	st->trace_ctx = row;
	enum row_verdict verdict = judge(st, seen, rec, &err);
	row->line = rec->line;
	row->item = rec->item;
	row->verdict = verdict;
	row->values = row_values(p, rec);
	const char *sku = verdict == ROW_OK ? product_get(&st->product, PF_SKU) : row_stage_sku(st);
	row->sku = sku ? xstrdup(sku) : NULL;
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

/* What the feed is read as, and a warning when its first bytes say otherwise. */
static void describe_format(struct preview *p, const struct conn_config *conn, const char *path)
{
	str_copy(p->format, conn->source.format ? conn->source.format : "", sizeof(p->format));
	const char *encoding = conn->source.encoding;
	str_copy(p->encoding, encoding_is_utf8(encoding) ? "utf-8" : encoding, sizeof(p->encoding));
	char err[512];
	if (feed_sniff(path, &p->sniff, err, sizeof(err)) < 0)
		return;   /* opening the source says why */
	/* Formats one reader takes (ndjson, where the json source reads it) are no news. */
	if (source_find(p->sniff.format) != source_find(p->format))
		problems_add(&p->warnings, "source.type", "the feed looks like %s, not %s", p->sniff.format,
		             p->format);
	if (p->sniff.encoding_guessed && encoding_is_utf8(encoding))
		problems_add(&p->warnings, "source.encoding", "the feed is not UTF-8: set source.encoding (%s, perhaps)",
		             p->sniff.encoding);
}

/* The source's warnings not copied yet: those of the open, then those a row brings (a repeated JSON key). */
static void copy_source_warnings(struct preview *p, const struct source *src, size_t *copied)
{
	for (; *copied < src->warnings.n; (*copied)++)
		problems_add(&p->warnings, NULL, "%s", src->warnings.items[*copied]);
}

int preview_read(const struct config *cfg, const struct conn_config *conn, const char *path, size_t max_rows,
                 struct preview *p)
{
	memset(p, 0, sizeof(*p));
	describe_format(p, conn, path);
	struct source_opts opts = conn->source;
	opts.max_field_bytes = (size_t)cfg->max_field_bytes;
	struct source_error serr = {0};
	struct source *src = source_open(path, &opts, &serr);
	if (!src) {
		str_copy(p->error, serr.message, sizeof(p->error));
		p->run_would_fail = true;
		return -1;
	}
	size_t warned = 0;
	copy_source_warnings(p, src, &warned);
	size_t n = 0;
	const char *const *header = source_columns(src, &n);
	if (header && n) {
		keep_columns(p, header, n);
		warn_about_columns(p, conn, true);
	}
	struct row_stage st;
	row_stage_init(&st, conn, (size_t)cfg->max_value_bytes);
	struct seen_skus seen = {0};
	struct record rec;
	int rc = 0;
	while (p->n_rows < max_rows && (rc = source_next(src, &rec, &serr)) == 1) {
		copy_source_warnings(p, src, &warned);
		if (!p->columns) {
			keep_columns(p, rec.names, rec.n);
			warn_about_columns(p, conn, false);
		}
		add_row(p, &st, &seen, &rec);
	}
	if (rc < 0 && serr.line > 0)
		snprintf(p->error, sizeof(p->error), "the feed cannot be read past line %ld: %s", serr.line, serr.message);
	else if (rc < 0)
		str_copy(p->error, serr.message, sizeof(p->error));
	else if (p->n_rows == 0 && !p->error[0])
		str_copy(p->error, "the feed has no rows (a run would fail: an empty feed is never imported)",
		         sizeof(p->error));
	p->run_would_fail |= p->error[0] != '\0';
	group_check(conn, p, &p->warnings);
	p->delimiter = src->delimiter_used;
	seen_free(&seen);
	row_stage_free(&st);
	source_close(src);
	return p->error[0] && p->n_rows == 0 ? -1 : 0;
}

static int fetch_failed(struct preview *out, const char *why)
{
	str_copy(out->error, why, sizeof(out->error));
	out->run_would_fail = true;
	return -1;
}

int preview_feed(const struct config *cfg, const struct conn_config *conn, size_t max_rows, struct preview *out)
{
	memset(out, 0, sizeof(*out));
	struct fetch_result fetched = {0};
	const char *code = NULL;
	if (feed_fetch(cfg, conn, NULL, NULL, &fetched, &code) < 0)
		return fetch_failed(out, fetched.error);
	int rc = preview_read(cfg, conn, fetched.path, max_rows, out);
	fetch_cleanup(&fetched);
	return rc;
}

/* The document `conn add` would take for this feed read as `format`: every other member a default. */
static struct conn_config *bare_connection(const char *location, const struct feed_sniff *sniff, char *err,
                                           size_t errsize)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "name", "preview");
	cJSON *src = cJSON_AddObjectToObject(doc, "source");
	/* JSON lines are a json source, which tells them from one document by the same first bytes. */
	cJSON_AddStringToObject(src, "type", !sniff ? "csv" : str_eq(sniff->format, "ndjson") ? "json" : sniff->format);
	cJSON_AddStringToObject(src, "url", location);
	if (sniff && !encoding_is_utf8(sniff->encoding))
		cJSON_AddStringToObject(src, "encoding", sniff->encoding);
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	struct problems pr = {0};
	struct conn_config *conn = conn_parse(text, &pr);
	free(text);
	if (!conn)
		snprintf(err, errsize, "%s", pr.n ? pr.items[0] : "the feed cannot be previewed");
	problems_free(&pr);
	return conn;
}

int preview_bare_feed(const struct config *cfg, const char *location, size_t max_rows, struct preview *out)
{
	memset(out, 0, sizeof(*out));
	char err[1024];
	/* The download is the same whatever the format: fetch first, then look at what came. */
	struct conn_config *fetching = bare_connection(location, NULL, err, sizeof(err));
	if (!fetching)
		return fetch_failed(out, err);
	struct fetch_result fetched = {0};
	const char *code = NULL;
	int rc = feed_fetch(cfg, fetching, NULL, NULL, &fetched, &code);
	conn_free(fetching);
	if (rc < 0)
		return fetch_failed(out, fetched.error);
	struct feed_sniff sniff;
	struct conn_config *conn = NULL;
	if (feed_sniff(fetched.path, &sniff, err, sizeof(err)) == 0)
		conn = bare_connection(location, &sniff, err, sizeof(err));
	rc = conn ? preview_read(cfg, conn, fetched.path, max_rows, out) : fetch_failed(out, err);
	out->sniffed = conn != NULL;
	if (out->sniffed)
		str_copy(out->format, sniff.format, sizeof(out->format));
	conn_free(conn);
	fetch_cleanup(&fetched);
	return rc;
}

const char *preview_row_location(const struct preview_row *row, char buf[RECORD_PLACE_SIZE])
{
	return record_place(row->line, row->item, buf);
}

void preview_free(struct preview *p)
{
	for (size_t r = 0; r < p->n_rows; r++) {
		struct preview_row *row = &p->rows[r];
		for (size_t i = 0; i < p->n_columns; i++)
			free(row->values[i]);
		free(row->values);
		free(row->sku);
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
