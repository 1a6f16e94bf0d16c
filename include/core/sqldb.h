/*
 * The one database interface every store module talks through. The backend is chosen when the database
 * opens; SQLite is the embedded default. Calls mirror SQLite's (same result codes, same column and bind
 * semantics) so that a statement loop reads the same on every backend and the SQLite layer stays a single
 * indirection. Only src/core/sqldb*.c see the engines' own headers.
 */
#ifndef FEEDSYNC_CORE_SQLDB_H
#define FEEDSYNC_CORE_SQLDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqldb;
struct sqldb_stmt;

/* Result codes of step, prepare and exec. Any value other than these three is an error (see sqldb_errmsg). */
enum {
	SQLDB_OK = 0,
	SQLDB_ROW = 100,
	SQLDB_DONE = 101,
};

/* What sqldb_column_type answers. */
enum sqldb_type { SQLDB_INTEGER = 1, SQLDB_FLOAT = 2, SQLDB_TEXT = 3, SQLDB_BLOB = 4, SQLDB_NULL = 5 };

enum sqldb_mode {
	SQLDB_READ_WRITE,   /* created when absent (file mode 0600), WAL, foreign keys on */
	SQLDB_READ_ONLY,    /* an existing database, never waits for the write lock */
};

/*
 * Opens `target`: a file path or ":memory:" (SQLite), or a postgresql:// URL (PostgreSQL, where mode and the
 * busy timeout do not apply). NULL with err set ("cannot open database PATH: ...", "cannot open the PostgreSQL
 * database: ...", never repeating a URL, which may carry a password).
 * Waits up to busy_timeout_ms for another connection's lock. A handle belongs to one thread.
 */
struct sqldb *sqldb_open(const char *target, enum sqldb_mode mode, int busy_timeout_ms, char *err,
                         size_t errsize);
void sqldb_close(struct sqldb *db);   /* NULL is fine */
/* Whether opening `target` would create it: a database file not there yet. */
bool sqldb_absent(const char *target);
/* The engine behind a handle, as `feedsync db status` names it: "sqlite" or "postgresql". */
const char *sqldb_backend(struct sqldb *db);
/* The message of the handle's last failure. */
const char *sqldb_errmsg(struct sqldb *db);
/* The SQL of a statement the handle holds prepared whose text contains `marker`, or NULL: lets tests check
 * the plan of the program's own statements. SQLite only (NULL on PostgreSQL). */
const char *sqldb_prepared_sql(struct sqldb *db, const char *marker);
/* The file the handle has open; NULL for an in-memory database. */
const char *sqldb_filename(struct sqldb *db);
/* What opens the same database again in another handle: the file, or the server's URL as it was given
 * (it may hold a password: never print it); NULL for an in-memory database. */
const char *sqldb_target(struct sqldb *db);

/* Runs one or more statements that return nothing. SQLDB_OK or an error code. */
int sqldb_exec(struct sqldb *db, const char *sql);
/* A statement run a few times and finalized soon. SQLDB_OK or an error code (*st is then NULL). */
int sqldb_prepare(struct sqldb *db, const char *sql, struct sqldb_stmt **st);
/* A statement kept for the life of the handle (the store's caches). */
int sqldb_prepare_persistent(struct sqldb *db, const char *sql, struct sqldb_stmt **st);
int sqldb_step(struct sqldb_stmt *st);
int sqldb_reset(struct sqldb_stmt *st);
int sqldb_clear_bindings(struct sqldb_stmt *st);
void sqldb_finalize(struct sqldb_stmt *st);   /* NULL is fine */
int sqldb_bind_parameter_count(struct sqldb_stmt *st);

/* Parameters are numbered from 1. Text and blobs are copied: the caller's buffer may go at once. */
int sqldb_bind_null(struct sqldb_stmt *st, int idx);
int sqldb_bind_int64(struct sqldb_stmt *st, int idx, int64_t v);
int sqldb_bind_double(struct sqldb_stmt *st, int idx, double v);
int sqldb_bind_text(struct sqldb_stmt *st, int idx, const char *text);
/*
 * Text not copied, for a hot loop: `text`, NUL-terminated at `len`, must stay as it is until the statement
 * is stepped and its bindings cleared (sqldb_clear_bindings).
 */
int sqldb_bind_text_static(struct sqldb_stmt *st, int idx, const char *text, int len);
int sqldb_bind_blob(struct sqldb_stmt *st, int idx, const void *data, int len);

/* Columns are numbered from 0; text and blobs stay valid until the next step, reset or finalize. */
int sqldb_column_int(struct sqldb_stmt *st, int col);
int64_t sqldb_column_int64(struct sqldb_stmt *st, int col);
double sqldb_column_double(struct sqldb_stmt *st, int col);
const unsigned char *sqldb_column_text(struct sqldb_stmt *st, int col);   /* NULL for NULL */
const void *sqldb_column_blob(struct sqldb_stmt *st, int col);
int sqldb_column_bytes(struct sqldb_stmt *st, int col);
int sqldb_column_type(struct sqldb_stmt *st, int col);

/* A write transaction (BEGIN IMMEDIATE on SQLite: the write lock is taken at once; BEGIN), COMMIT, ROLLBACK. */
int sqldb_begin(struct sqldb *db);
int sqldb_commit(struct sqldb *db);
int sqldb_rollback(struct sqldb *db);
bool sqldb_in_transaction(struct sqldb *db);

/* The id the last INSERT gave its row (PostgreSQL: lastval(), so only after an identity column was filled). */
int64_t sqldb_last_insert_id(struct sqldb *db);
/* Rows the last statement changed, and every row the handle changed since it opened. */
int sqldb_changes(struct sqldb *db);
int64_t sqldb_total_changes(struct sqldb *db);
/* Whether the last failure was a UNIQUE constraint saying no (the one-active-run index, a taken name). */
bool sqldb_unique_violation(struct sqldb *db);

/*
 * Bulk load, PostgreSQL only (SQLite refuses copy_begin: prepared inserts are as fast there):
 * copy_begin runs a `COPY table (columns) FROM STDIN` in text format; each row is its fields in column order,
 * added with the copy_* calls (escaped here) and sent by copy_row; copy_end finishes the COPY and answers
 * whether the server took every row, or, given abort_reason, cancels it (the rows sent go too) and fails.
 * While a COPY is open the handle runs nothing else. Memory holds one row; libpq sends as it fills.
 */
int sqldb_copy_begin(struct sqldb *db, const char *copy_sql);
void sqldb_copy_null(struct sqldb *db);
void sqldb_copy_int64(struct sqldb *db, int64_t v);
void sqldb_copy_double(struct sqldb *db, double v);
void sqldb_copy_text(struct sqldb *db, const char *text, size_t len);   /* valid UTF-8 without NUL */
void sqldb_copy_blob(struct sqldb *db, const void *data, size_t len);   /* into a bytea column */
int sqldb_copy_row(struct sqldb *db);
int sqldb_copy_end(struct sqldb *db, const char *abort_reason);

#endif
