/*
 * floor_import FEED.csv DB: the bare floor of a full import. Parses the feed with libcsv and upserts every
 * row into a fresh SQLite database through one prepared statement, in 10 000-row transactions, with the
 * pragmas feedsync uses. Each row stores its fields as a JSON object, about the bytes feedsync stores.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "floor.h"

#define BATCH_ROWS 10000

static const char SCHEMA[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA temp_store = MEMORY;"
	"CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, price TEXT, quantity INTEGER, data TEXT);";

static const char UPSERT[] =
	"INSERT INTO products(sku, name, price, quantity, data) VALUES(?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(sku) DO UPDATE SET name = excluded.name, price = excluded.price,"
	" quantity = excluded.quantity, data = excluded.data";

enum column { COL_SKU, COL_NAME, COL_PRICE, COL_QUANTITY, COL_COUNT };
static const char *const column_names[COL_COUNT] = {"sku", "name", "price", "quantity"};

struct import {
	sqlite3 *db;
	sqlite3_stmt *upsert;
	struct strbuf header;  /* the header's names, NUL-separated */
	size_t names[FLOOR_MAX_FIELDS];
	size_t nnames;
	int col[COL_COUNT];
	struct strbuf data;
	long rows;
	long in_batch;
	int failed;
};

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	fprintf(stderr, "floor_import: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	return -1;
}

static void json_string(struct strbuf *sb, const char *s, size_t len)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"' || c == '\\')
			sb_addc(sb, '\\');
		if (c == '\n')
			sb_add(sb, "\\n", 2);
		else
			sb_addc(sb, c);
	}
	sb_addc(sb, '"');
}

static void read_header(struct import *im, const struct floor_record *r)
{
	for (int c = 0; c < COL_COUNT; c++)
		im->col[c] = -1;
	for (size_t i = 0; i < r->n; i++) {
		im->names[i] = im->header.len;
		sb_add(&im->header, floor_field(r, i), r->len[i] + 1);
		for (int c = 0; c < COL_COUNT; c++)
			if (str_eq(floor_field(r, i), column_names[c]))
				im->col[c] = (int)i;
	}
	im->nnames = r->n;
	if (im->col[COL_SKU] < 0) {
		fprintf(stderr, "floor_import: the header has no sku column\n");
		im->failed = 1;
	}
}

static void bind_column(struct import *im, const struct floor_record *r, int param, enum column c)
{
	int i = im->col[c];
	if (i < 0 || (size_t)i >= r->n)
		sqlite3_bind_null(im->upsert, param);
	else if (c == COL_QUANTITY)
		sqlite3_bind_int64(im->upsert, param, strtoll(floor_field(r, (size_t)i), NULL, 10));
	else
		sqlite3_bind_text(im->upsert, param, floor_field(r, (size_t)i), (int)r->len[i], SQLITE_STATIC);
}

static int commit_batch(struct import *im)
{
	if (!im->in_batch)
		return 0;
	im->in_batch = 0;
	return exec(im->db, "COMMIT");
}

static void upsert_record(const struct floor_record *r, void *ud)
{
	struct import *im = ud;
	if (im->failed)
		return;
	if (!im->nnames) {
		read_header(im, r);
		return;
	}
	sb_reset(&im->data);
	sb_addc(&im->data, '{');
	for (size_t i = 0; i < r->n && i < im->nnames; i++) {
		if (i)
			sb_addc(&im->data, ',');
		const char *name = im->header.buf + im->names[i];
		json_string(&im->data, name, strlen(name));
		sb_addc(&im->data, ':');
		json_string(&im->data, floor_field(r, i), r->len[i]);
	}
	sb_addc(&im->data, '}');

	if (!im->in_batch && exec(im->db, "BEGIN") < 0) {
		im->failed = 1;
		return;
	}
	bind_column(im, r, 1, COL_SKU);
	bind_column(im, r, 2, COL_NAME);
	bind_column(im, r, 3, COL_PRICE);
	bind_column(im, r, 4, COL_QUANTITY);
	sqlite3_bind_text(im->upsert, 5, im->data.buf, (int)im->data.len, SQLITE_STATIC);
	if (sqlite3_step(im->upsert) != SQLITE_DONE) {
		fprintf(stderr, "floor_import: row %ld: %s\n", im->rows + 1, sqlite3_errmsg(im->db));
		im->failed = 1;
	}
	sqlite3_reset(im->upsert);
	im->rows++;
	if (++im->in_batch == BATCH_ROWS && commit_batch(im) < 0)
		im->failed = 1;
}

/* A fresh database: the floor never measures an upsert onto rows left by an earlier run. */
static sqlite3 *open_fresh(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "floor_import: cannot open %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (exec(db, SCHEMA) < 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor_import FEED.csv DB\n");
		return 2;
	}
	double start = floor_seconds();
	struct import im = {.db = open_fresh(argv[2])};
	if (!im.db)
		return 1;
	if (sqlite3_prepare_v2(im.db, UPSERT, -1, &im.upsert, NULL) != SQLITE_OK) {
		fprintf(stderr, "floor_import: %s\n", sqlite3_errmsg(im.db));
		sqlite3_close(im.db);
		return 1;
	}
	long records = floor_read_csv(argv[1], upsert_record, &im);
	if (commit_batch(&im) < 0)
		im.failed = 1;
	double seconds = floor_seconds() - start;
	sqlite3_finalize(im.upsert);
	sqlite3_close(im.db);
	sb_free(&im.header);
	sb_free(&im.data);
	if (records < 1 || im.failed)
		return 1;
	floor_report(im.rows, seconds);
	return 0;
}
