/*
 * The file destination: the connection's whole catalog written as CSV (a header of every field name) or
 * JSON lines. It writes to a temp file beside the target and renames it into place on commit, so a reader
 * never sees half an export and a failed run leaves the previous export intact.
 *
 * The export shows what a shop would: a product retired with "delete" is left out of it, one retired with
 * "draft" has status "draft", one retired with "stock_zero" has stock_quantity "0". A retirement is recorded
 * once the export holding it is in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/store_plan.h"
#include "core/util.h"
#include "dest/dest.h"
#include "feed/product.h"

struct retiree {
	char *sku;
	enum missing_action action;
};

struct file_dest {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	char *path;
	char *tmp_path;
	FILE *out;
	bool csv;
	char **columns;
	size_t ncolumns;
	struct retiree *retirees;  /* retired in this session, in SKU order */
	size_t nretirees;
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

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The CSV column that flags products retired with `action`, when some product may need it. 0 or -1. */
static int add_flag_column(struct file_dest *f, enum missing_action action, const char *column)
{
	for (size_t i = 0; i < f->ncolumns; i++)
		if (str_eq(f->columns[i], column))
			return 0;
	int64_t retired = f->conn->missing_action == action
	                  ? 1 : store_retired_count(f->ctx->store, f->ctx->connection_id, missing_action_name(action));
	if (retired <= 0)
		return (int)retired;
	f->columns = xrealloc(f->columns, (f->ncolumns + 1) * sizeof(*f->columns));
	f->columns[f->ncolumns++] = xstrdup(column);
	qsort(f->columns, f->ncolumns, sizeof(*f->columns), by_text);
	return 0;
}

static int file_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
                     char *err, size_t errsize)
{
	(void)pending;
	struct file_dest *f = xcalloc(1, sizeof(*f));
	d->impl = f;
	f->ctx = ctx;
	f->conn = conn;
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
	if (store_product_field_names(ctx->store, ctx->connection_id, &f->columns, &f->ncolumns) < 0 ||
	    add_flag_column(f, MISSING_DRAFT, "status") < 0 || add_flag_column(f, MISSING_STOCK_ZERO, PF_STOCK) < 0) {
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

static int retiree_order(const void *key, const void *item)
{
	return strcmp(key, ((const struct retiree *)item)->sku);
}

/* How the product is retired: earlier (as stored) or in this session; MISSING_NONE when it is not. */
static enum missing_action retired_as(const struct file_dest *f, const struct pending_product *p)
{
	enum missing_action action = MISSING_NONE;
	if (missing_action_parse(p->retired, &action))
		return action;
	const struct retiree *r = bsearch_or_null(p->sku, f->retirees, f->nretirees, sizeof(*f->retirees), retiree_order);
	return r ? r->action : MISSING_NONE;
}

static int file_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct file_dest *f = d->impl;
	enum missing_action action = retired_as(f, p);
	if (action == MISSING_DELETE) {
		/* Not for sale, so no row: it leaves the count of rows to write, and the counters match the file. */
		run_add(f->ctx, RC_PUSH_QUEUED, -1);
		return 0;
	}
	char *flagged = action == MISSING_DRAFT ? product_json_with(p->data, "status", "draft", false)
	                : action == MISSING_STOCK_ZERO ? product_json_with(p->data, PF_STOCK, "0", false) : NULL;
	const char *json = flagged ? flagged : p->data;
	int rc = 0;
	if (f->csv) {
		rc = write_csv_row(f, json, err, errsize);
	} else {
		fputs(json, f->out);
		fputc('\n', f->out);
	}
	free(flagged);
	if (rc < 0)
		return -1;
	if (ferror(f->out))
		return write_failed(f, err, errsize);
	run_add(f->ctx, RC_PUSH_PROCESSED, 1);
	return 0;
}

/* Retirements come in SKU order, before the products: the export then flags them or leaves them out. */
static int file_retire(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize)
{
	(void)err;
	(void)errsize;
	struct file_dest *f = d->impl;
	if (action == MISSING_NONE)
		return 0;
	f->retirees = xrealloc(f->retirees, (f->nretirees + 1) * sizeof(*f->retirees));
	f->retirees[f->nretirees++] = (struct retiree){xstrdup(sku), action};
	return 0;
}

static int record_retirements(struct file_dest *f)
{
	struct store *s = f->ctx->store;
	if (!f->nretirees)
		return 0;
	int rc = store_begin(s);
	int64_t now = now_ms();
	for (size_t i = 0; rc == 0 && i < f->nretirees; i++)
		rc = store_product_set_retired(s, f->ctx->connection_id, f->retirees[i].sku,
		                               missing_action_name(f->retirees[i].action), now,
		                               f->retirees[i].action == MISSING_DELETE);
	if (rc == 0 && store_commit(s) == 0) {
		run_add(f->ctx, RC_RETIRED, (int64_t)f->nretirees);
		return 0;
	}
	store_rollback(s);
	return -1;
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
	if (store_products_mark_pushed(f->ctx->store, f->ctx->connection_id) < 0 || record_retirements(f) < 0) {
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
	for (size_t i = 0; i < f->nretirees; i++)
		free(f->retirees[i].sku);
	free(f->retirees);
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
	.retire = file_retire,
	.commit = file_commit,
	.close = file_close,
};
