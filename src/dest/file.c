/*
 * The file destination: the connection's whole catalog written as CSV (a header of every field name) or
 * JSON lines. It writes to a temp file beside the target and renames it into place on commit, so a reader
 * never sees half an export and a failed run leaves the previous export intact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "dest/dest.h"

struct file_dest {
	struct run_ctx *ctx;
	char *path;
	char *tmp_path;
	FILE *out;
	bool csv;
	char **columns;
	size_t ncolumns;
};

static bool file_wants_all(const struct conn_config *conn)
{
	(void)conn;
	return true;
}

static void csv_cell(FILE *out, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

static int write_failed(struct file_dest *f, char *err, size_t errsize)
{
	snprintf(err, errsize, "cannot write %s: %s", f->tmp_path, strerror(errno));
	return -1;
}

static int file_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
                     char *err, size_t errsize)
{
	(void)pending;
	struct file_dest *f = xcalloc(1, sizeof(*f));
	d->impl = f;
	f->ctx = ctx;
	f->path = xstrdup(conn->dest_path);
	f->csv = !str_eq(conn->dest_format, "jsonl");
	f->tmp_path = xasprintf("%s.tmp-XXXXXX", f->path);
	mkdir_parents(f->path);
	int fd = mkstemp(f->tmp_path);
	if (fd < 0 || !(f->out = fdopen(fd, "w"))) {
		snprintf(err, errsize, "cannot create %s: %s", f->tmp_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(f->tmp_path);
		f->tmp_path = NULL;
		return -1;
	}
	if (!f->csv)
		return 0;
	if (store_product_field_names(ctx->store, ctx->connection_id, &f->columns, &f->ncolumns) < 0) {
		snprintf(err, errsize, "cannot list product fields: %s", store_errmsg(ctx->store));
		return -1;
	}
	for (size_t i = 0; i < f->ncolumns; i++) {
		if (i)
			fputc(',', f->out);
		csv_cell(f->out, f->columns[i]);
	}
	fputc('\n', f->out);
	return ferror(f->out) ? write_failed(f, err, errsize) : 0;
}

static int write_csv_row(struct file_dest *f, const char *json, char *err, size_t errsize)
{
	cJSON *obj = cJSON_Parse(json);
	if (!obj) {
		snprintf(err, errsize, "stored product is not valid JSON");
		return -1;
	}
	for (size_t i = 0; i < f->ncolumns; i++) {
		if (i)
			fputc(',', f->out);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->columns[i]);
		if (cJSON_IsString(v))
			csv_cell(f->out, v->valuestring);
	}
	fputc('\n', f->out);
	cJSON_Delete(obj);
	return 0;
}

static int file_push(struct dest *d, const char *sku, const char *json, int64_t hash, char *err, size_t errsize)
{
	(void)sku;
	(void)hash;
	struct file_dest *f = d->impl;
	if (f->csv) {
		if (write_csv_row(f, json, err, errsize) < 0)
			return -1;
	} else {
		fputs(json, f->out);
		fputc('\n', f->out);
	}
	if (ferror(f->out))
		return write_failed(f, err, errsize);
	run_add(f->ctx, RC_PUSH_PROCESSED, 1);
	return 0;
}

static int file_commit(struct dest *d, char *err, size_t errsize)
{
	struct file_dest *f = d->impl;
	if (fflush(f->out) != 0 || fsync(fileno(f->out)) != 0)
		return write_failed(f, err, errsize);
	int rc = fclose(f->out);
	f->out = NULL;
	if (rc != 0)
		return write_failed(f, err, errsize);
	if (rename(f->tmp_path, f->path) != 0) {
		snprintf(err, errsize, "cannot move the export into place at %s: %s", f->path, strerror(errno));
		return -1;
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	/* The export holds every product: all of them count as pushed once it is in place. */
	if (store_products_mark_pushed(f->ctx->store, f->ctx->connection_id) < 0) {
		snprintf(err, errsize, "cannot record the export: %s", store_errmsg(f->ctx->store));
		return -1;
	}
	return 0;
}

static void file_close(struct dest *d)
{
	struct file_dest *f = d->impl;
	if (!f)
		return;
	if (f->out)
		fclose(f->out);
	if (f->tmp_path)
		unlink(f->tmp_path);
	for (size_t i = 0; i < f->ncolumns; i++)
		free(f->columns[i]);
	free(f->columns);
	free(f->tmp_path);
	free(f->path);
	free(f);
	d->impl = NULL;
}

const struct dest_ops dest_file_ops = {
	.name = "file",
	.wants_all = file_wants_all,
	.open = file_open,
	.push = file_push,
	.commit = file_commit,
	.close = file_close,
};
