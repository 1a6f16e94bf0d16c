/*
 * The PostgreSQL backend of include/core/sqldb.h (libpq), for src/core/sqldb.c, which dispatches to it when a
 * handle was opened with a postgresql:// URL, and for its tests. Result codes and semantics are the SQLite
 * layer's: `?N` placeholders become `$N` when a statement is prepared, results are read in text format.
 */
#ifndef FEEDSYNC_CORE_SQLDB_PG_H
#define FEEDSYNC_CORE_SQLDB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_db;
struct pg_stmt;

bool pg_names_server(const char *target);
/* NULL with err set; the message never repeats the URL (it may carry a password). */
struct pg_db *pg_open(const char *url, char *err, size_t errsize);
void pg_close(struct pg_db *db);
const char *pg_errmsg(struct pg_db *db);
int pg_exec(struct pg_db *db, const char *sql);
bool pg_in_transaction(struct pg_db *db);
int64_t pg_last_insert_id(struct pg_db *db);
int pg_changes(struct pg_db *db);
int64_t pg_total_changes(struct pg_db *db);
bool pg_unique_violation(struct pg_db *db);

/* SQL with ?N (or bare ?) placeholders as $N, string literals and quoted names left alone; the caller frees. */
char *pg_placeholders(const char *sql, int *nparams);

int pg_prepare(struct pg_db *db, const char *sql, struct pg_stmt **st);
int pg_step(struct pg_stmt *st);
int pg_reset(struct pg_stmt *st);
int pg_clear_bindings(struct pg_stmt *st);
void pg_finalize(struct pg_stmt *st);
int pg_bind_parameter_count(struct pg_stmt *st);
int pg_bind_null(struct pg_stmt *st, int idx);
int pg_bind_int64(struct pg_stmt *st, int idx, int64_t v);
int pg_bind_double(struct pg_stmt *st, int idx, double v);
int pg_bind_text(struct pg_stmt *st, int idx, const char *text);
int pg_bind_blob(struct pg_stmt *st, int idx, const void *data, int len);
int64_t pg_column_int64(struct pg_stmt *st, int col);
double pg_column_double(struct pg_stmt *st, int col);
const unsigned char *pg_column_text(struct pg_stmt *st, int col);
const void *pg_column_blob(struct pg_stmt *st, int col);
int pg_column_bytes(struct pg_stmt *st, int col);
int pg_column_type(struct pg_stmt *st, int col);

int pg_copy_begin(struct pg_db *db, const char *sql);
void pg_copy_null(struct pg_db *db);
void pg_copy_int64(struct pg_db *db, int64_t v);
void pg_copy_double(struct pg_db *db, double v);
void pg_copy_text(struct pg_db *db, const char *text, size_t len);
void pg_copy_blob(struct pg_db *db, const void *data, size_t len);
int pg_copy_row(struct pg_db *db);
int pg_copy_end(struct pg_db *db, const char *abort_reason);

#endif
