/*
 * PostgreSQL through libpq behind include/core/sqldb.h. A statement is prepared on the server once; a step
 * executes it on the first call with the bound parameters (text format, blobs binary) and then walks the
 * rows of the one result, which stays valid until the next reset, as a SQLite row does.
 */
#include "core/sqldb_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/sqldb.h"
#include "core/util.h"

#define SQLSTATE_UNIQUE_VIOLATION "23505"
#define TEXTOID_UNUSED_PARAM 25   /* text */
/* Any error result: callers only tell SQLDB_ROW and SQLDB_DONE from the rest. */
#define PG_ERROR 1

struct pg_db {
	PGconn *conn;
	char errmsg[512];
	char sqlstate[6];
	int changes;
	int64_t total_changes;
	unsigned next_name;   /* statements are named s1, s2, ... on the server, per connection */
	struct strbuf copy_row;   /* the COPY row being built; its fields end with a tab */
};

struct pg_stmt {
	struct pg_db *db;
	char name[16];
	int nparams;
	char **values;        /* NULL binds NULL */
	int *lengths, *formats;
	PGresult *result;     /* after the first step, until reset */
	int row;
	unsigned char *blob;  /* the last column_blob, unescaped */
	size_t blob_len;
};

bool pg_names_server(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

/* libpq's messages end with a newline and put hints on indented lines; ours are one line. */
static void set_error(struct pg_db *db, const char *msg, const PGresult *res)
{
	struct strbuf one = {0};
	for (const char *p = msg && *msg ? msg : "unknown PostgreSQL error"; *p; p++) {
		if (*p != '\n') {
			sb_addc(&one, *p == '\t' ? ' ' : *p);
			continue;
		}
		while (p[1] == '\t' || p[1] == ' ')
			p++;
		if (p[1])
			sb_adds(&one, "; ");
	}
	char *text = sb_detach(&one);
	str_copy(db->errmsg, text, sizeof(db->errmsg));
	free(text);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	str_copy(db->sqlstate, state ? state : "", sizeof(db->sqlstate));
}

struct pg_db *pg_open(const char *url, char *err, size_t errsize)
{
	PGconn *conn = PQconnectdb(url);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		struct pg_db tmp = {0};
		set_error(&tmp, conn ? PQerrorMessage(conn) : "out of memory", NULL);
		snprintf(err, errsize, "cannot open the PostgreSQL database: %s", tmp.errmsg);
		PQfinish(conn);
		return NULL;
	}
	struct pg_db *db = xcalloc(1, sizeof(*db));
	db->conn = conn;
	/* Notices ("table does not exist, skipping") would land on the user's terminal through libpq. */
	if (pg_exec(db, "SET client_min_messages = warning") != SQLDB_OK) {
		snprintf(err, errsize, "cannot set up the PostgreSQL session: %s", db->errmsg);
		pg_close(db);
		return NULL;
	}
	return db;
}

void pg_close(struct pg_db *db)
{
	sb_free(&db->copy_row);
	PQfinish(db->conn);
	free(db);
}

const char *pg_errmsg(struct pg_db *db)
{
	return db->errmsg[0] ? db->errmsg : "not an error";
}

/* Takes a command's result: 0 with the change count noted, or an error code with the message kept. */
static int take_result(struct pg_db *db, PGresult *res)
{
	ExecStatusType status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		set_error(db, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(db->conn), res);
		return PG_ERROR;
	}
	db->errmsg[0] = db->sqlstate[0] = '\0';
	db->changes = atoi(PQcmdTuples(res));
	db->total_changes += db->changes;
	return SQLDB_OK;
}

int pg_exec(struct pg_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = take_result(db, res);
	PQclear(res);
	return rc;
}

bool pg_in_transaction(struct pg_db *db)
{
	return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

int64_t pg_last_insert_id(struct pg_db *db)
{
	/* lastval() fails while no sequence was used yet, and a failure would abort the caller's transaction. */
	bool guarded = pg_in_transaction(db);
	if (guarded)
		PQclear(PQexec(db->conn, "SAVEPOINT sqldb_lastval"));
	PGresult *res = PQexec(db->conn, "SELECT lastval()");
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	int64_t id = ok ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (guarded)
		PQclear(PQexec(db->conn, ok ? "RELEASE SAVEPOINT sqldb_lastval"
		                            : "ROLLBACK TO SAVEPOINT sqldb_lastval; RELEASE SAVEPOINT sqldb_lastval"));
	return id;
}

int pg_changes(struct pg_db *db)
{
	return db->changes;
}

int64_t pg_total_changes(struct pg_db *db)
{
	return db->total_changes;
}

bool pg_unique_violation(struct pg_db *db)
{
	return strcmp(db->sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0;
}

char *pg_placeholders(const char *sql, int *nparams)
{
	struct strbuf out = {0};
	int bare = 0, highest = 0;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') {
			/* A literal or a quoted name, its doubled quotes included, copied as it is. */
			const char *end = p + 1;
			while (*end && !(*end == *p && end[1] != *p))
				end += *end == *p ? 2 : 1;
			if (*end)
				end++;
			sb_add(&out, p, (size_t)(end - p));
			p = end;
		} else if (*p == '?') {
			char *digits_end = (char *)p + 1;
			long n = p[1] >= '0' && p[1] <= '9' ? strtol(p + 1, &digits_end, 10) : ++bare;
			if (n > highest)
				highest = (int)n;
			sb_addf(&out, "$%ld", n);
			p = digits_end;
		} else {
			sb_add(&out, p, 1);
			p++;
		}
	}
	*nparams = highest;
	return sb_detach(&out);
}

int pg_prepare(struct pg_db *db, const char *sql, struct pg_stmt **out)
{
	*out = NULL;
	int nparams;
	char *text = pg_placeholders(sql, &nparams);
	struct pg_stmt *st = xcalloc(1, sizeof(*st));
	st->db = db;
	snprintf(st->name, sizeof(st->name), "s%u", ++db->next_name);
	/* SQLite lets a numbered parameter go unused (a statement sharing its binding code with another); the
	 * server cannot infer such a parameter's type, so it is declared text, the others left to inference. */
	Oid *types = xcalloc((size_t)nparams + 1, sizeof(*types));
	for (int i = 1; i <= nparams; i++) {
		char ref[16];
		int n = snprintf(ref, sizeof(ref), "$%d", i);
		const char *p = text;
		while ((p = strstr(p, ref)) && p[n] >= '0' && p[n] <= '9')
			p += n;
		if (!p)
			types[i - 1] = TEXTOID_UNUSED_PARAM;
	}
	PGresult *res = PQprepare(db->conn, st->name, text, nparams, types);
	free(types);
	free(text);
	int rc = take_result(db, res);
	PQclear(res);
	if (rc != SQLDB_OK) {
		free(st);
		return rc;
	}
	st->nparams = nparams;
	st->values = xcalloc((size_t)nparams + 1, sizeof(*st->values));
	st->lengths = xcalloc((size_t)nparams + 1, sizeof(*st->lengths));
	st->formats = xcalloc((size_t)nparams + 1, sizeof(*st->formats));
	st->row = -1;
	*out = st;
	return SQLDB_OK;
}

int pg_step(struct pg_stmt *st)
{
	if (!st->result) {
		st->result = PQexecPrepared(st->db->conn, st->name, st->nparams, (const char *const *)st->values,
		                            st->lengths, st->formats, 0);
		int rc = take_result(st->db, st->result);
		if (rc != SQLDB_OK) {
			PQclear(st->result);
			st->result = NULL;
			return rc;
		}
	}
	if (PQresultStatus(st->result) != PGRES_TUPLES_OK || st->row + 1 >= PQntuples(st->result))
		return SQLDB_DONE;
	st->row++;
	return SQLDB_ROW;
}

int pg_reset(struct pg_stmt *st)
{
	PQclear(st->result);
	st->result = NULL;
	st->row = -1;
	return SQLDB_OK;
}

int pg_clear_bindings(struct pg_stmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = st->formats[i] = 0;
	}
	return SQLDB_OK;
}

void pg_finalize(struct pg_stmt *st)
{
	pg_reset(st);
	pg_clear_bindings(st);
	char sql[32];
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
	PQclear(PQexec(st->db->conn, sql));
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->blob);
	free(st);
}

int pg_bind_parameter_count(struct pg_stmt *st)
{
	return st->nparams;
}

/* Replaces parameter idx (from 1) with a copy of len bytes; format 1 is binary. */
static int bind(struct pg_stmt *st, int idx, const void *data, size_t len, int format)
{
	if (idx < 1 || idx > st->nparams)
		return PG_ERROR;
	free(st->values[idx - 1]);
	st->values[idx - 1] = NULL;
	if (data) {
		st->values[idx - 1] = xmalloc(len + 1);
		memcpy(st->values[idx - 1], data, len);
		st->values[idx - 1][len] = '\0';
	}
	st->lengths[idx - 1] = (int)len;
	st->formats[idx - 1] = format;
	return SQLDB_OK;
}

int pg_bind_null(struct pg_stmt *st, int idx)
{
	return bind(st, idx, NULL, 0, 0);
}

int pg_bind_int64(struct pg_stmt *st, int idx, int64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%" PRId64, v);
	return bind(st, idx, text, (size_t)n, 0);
}

int pg_bind_double(struct pg_stmt *st, int idx, double v)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%.17g", v);   /* round-trips every double */
	return bind(st, idx, text, (size_t)n, 0);
}

int pg_bind_text(struct pg_stmt *st, int idx, const char *text)
{
	return text ? bind(st, idx, text, strlen(text), 0) : pg_bind_null(st, idx);
}

int pg_bind_blob(struct pg_stmt *st, int idx, const void *data, int len)
{
	return bind(st, idx, data ? data : "", (size_t)len, 1);
}

static bool has_value(struct pg_stmt *st, int col)
{
	return st->result && st->row >= 0 && col >= 0 && col < PQnfields(st->result) &&
	       !PQgetisnull(st->result, st->row, col);
}

int64_t pg_column_int64(struct pg_stmt *st, int col)
{
	if (!has_value(st, col))
		return 0;
	const char *v = PQgetvalue(st->result, st->row, col);
	/* Booleans come as t/f; SQLite code reads them as 1/0. */
	if (v[0] == 't' && !v[1])
		return 1;
	return strtoll(v, NULL, 10);
}

double pg_column_double(struct pg_stmt *st, int col)
{
	return has_value(st, col) ? strtod(PQgetvalue(st->result, st->row, col), NULL) : 0;
}

const unsigned char *pg_column_text(struct pg_stmt *st, int col)
{
	return has_value(st, col) ? (const unsigned char *)PQgetvalue(st->result, st->row, col) : NULL;
}

const void *pg_column_blob(struct pg_stmt *st, int col)
{
	if (!has_value(st, col))
		return NULL;
	free(st->blob);
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(st->result, st->row, col),
	                                     &st->blob_len);
	st->blob = raw ? xmalloc(st->blob_len + 1) : NULL;
	if (raw) {
		memcpy(st->blob, raw, st->blob_len);
		PQfreemem(raw);
	}
	return st->blob;
}

int pg_column_bytes(struct pg_stmt *st, int col)
{
	if (!has_value(st, col))
		return 0;
	/* bytea arrives hex-escaped ("\x0a0b"): its length is that of the bytes, as column_blob returns them. */
	if (PQftype(st->result, col) == 17) {
		pg_column_blob(st, col);
		return (int)st->blob_len;
	}
	return PQgetlength(st->result, st->row, col);
}

int pg_column_type(struct pg_stmt *st, int col)
{
	if (!has_value(st, col))
		return SQLDB_NULL;
	switch (PQftype(st->result, col)) {
	case 16: case 20: case 21: case 23:   /* bool, int8, int2, int4 */
		return SQLDB_INTEGER;
	case 700: case 701: case 1700:        /* float4, float8, numeric */
		return SQLDB_FLOAT;
	case 17:                              /* bytea */
		return SQLDB_BLOB;
	default:
		return SQLDB_TEXT;
	}
}

/*
 * COPY FROM STDIN in text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"):
 * fields end with a tab, a row with a newline, NULL is \N, and a backslash, tab, newline or carriage return
 * inside a value is backslash-escaped. libpq buffers what PQputCopyData is given, so a row is one call.
 */
int pg_copy_begin(struct pg_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = SQLDB_OK;
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = PG_ERROR;
		if (take_result(db, res) == SQLDB_OK)
			set_error(db, "the statement did not start a COPY FROM STDIN", res);
	}
	PQclear(res);
	sb_reset(&db->copy_row);
	return rc;
}

void pg_copy_null(struct pg_db *db)
{
	sb_add(&db->copy_row, "\\N\t", 3);
}

void pg_copy_int64(struct pg_db *db, int64_t v)
{
	sb_addf(&db->copy_row, "%" PRId64 "\t", v);
}

void pg_copy_double(struct pg_db *db, double v)
{
	sb_addf(&db->copy_row, "%.17g\t", v);   /* round-trips every double */
}

void pg_copy_text(struct pg_db *db, const char *text, size_t len)
{
	struct strbuf *row = &db->copy_row;
	sb_reserve(row, len + 1);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : NULL;
		if (esc)
			sb_add(row, esc, 2);
		else
			sb_addc(row, c);
	}
	sb_addc(row, '\t');
}

/* bytea's hex form, its backslash escaped for the text format: \\x0a1b. */
void pg_copy_blob(struct pg_db *db, const void *data, size_t len)
{
	static const char HEX[] = "0123456789abcdef";
	struct strbuf *row = &db->copy_row;
	sb_reserve(row, 2 * len + 4);
	sb_add(row, "\\\\x", 3);
	for (size_t i = 0; i < len; i++) {
		unsigned char b = ((const unsigned char *)data)[i];
		sb_addc(row, HEX[b >> 4]);
		sb_addc(row, HEX[b & 15]);
	}
	sb_addc(row, '\t');
}

int pg_copy_row(struct pg_db *db)
{
	struct strbuf *row = &db->copy_row;
	if (row->len)
		row->buf[row->len - 1] = '\n';   /* the last field's tab */
	int ok = row->len ? PQputCopyData(db->conn, row->buf, (int)row->len) : 1;
	sb_reset(row);
	if (ok != 1) {
		set_error(db, PQerrorMessage(db->conn), NULL);
		return PG_ERROR;
	}
	return SQLDB_OK;
}

int pg_copy_end(struct pg_db *db, const char *abort_reason)
{
	sb_reset(&db->copy_row);
	int rc = PQputCopyEnd(db->conn, abort_reason) == 1 ? SQLDB_OK : PG_ERROR;
	if (rc != SQLDB_OK)
		set_error(db, PQerrorMessage(db->conn), NULL);
	/* The COPY's outcome, then the end of its results. */
	for (PGresult *res; (res = PQgetResult(db->conn)) != NULL; PQclear(res))
		if (rc == SQLDB_OK && take_result(db, res) != SQLDB_OK)
			rc = PG_ERROR;
	return abort_reason ? PG_ERROR : rc;
}
