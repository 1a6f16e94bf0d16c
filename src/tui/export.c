/* Writing a list to CSV, reading it window by window through the same query the screen uses. */
#include "tui/export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define EXPORT_WINDOW 1000

static void write_header(const struct table *t, struct strbuf *line)
{
	int n = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (!t->shown[i])
			continue;
		if (n++)
			sb_addc(line, ',');
		csv_field(t->cols[i].name, line);
	}
	sb_addc(line, '\n');
}

static void write_row(const struct table *t, const struct cell_ctx *ctx, const void *row, struct strbuf *line)
{
	struct strbuf cell = {0};
	int n = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (!t->shown[i])
			continue;
		enum role role = ROLE_NORMAL;
		sb_reset(&cell);
		t->cols[i].format(row, ctx, &cell, &role);
		if (n++)
			sb_addc(line, ',');
		csv_field(sb_str(&cell), line);
	}
	sb_addc(line, '\n');
	sb_free(&cell);
}

int64_t table_export_csv(const struct table *t, const struct cell_ctx *ctx, const char *path, char *err,
                         size_t errsize)
{
	FILE *out = fopen(path, "w");
	if (!out) {
		snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	struct view_query q = table_query(t);
	struct strbuf line = {0};
	write_header(t, &line);
	int64_t written = 0;
	int rc = 0;
	for (;;) {
		void *rows;
		size_t n;
		rc = t->src->fetch(t->views, &q, written, EXPORT_WINDOW, -1, &rows, &n);
		if (rc < 0) {
			snprintf(err, errsize, "cannot read the rows: %s", store_views_errmsg(t->views));
			break;
		}
		for (size_t i = 0; i < n; i++)
			write_row(t, ctx, (const char *)rows + i * t->src->row_size, &line);
		t->src->free_rows(rows, n);
		fwrite(line.buf ? line.buf : "", 1, line.len, out);
		sb_reset(&line);
		written += (int64_t)n;
		if (n < EXPORT_WINDOW)
			break;
	}
	sb_free(&line);
	if (fclose(out) != 0 && rc == 0) {
		snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc < 0 ? -1 : written;
}
