/*
 * Saving a connection document: the one path behind `feedsync conn add`, `conn edit`, `conn clone` and the
 * console's wizard. The text is parsed and validated (feed/conn.h, and against the preset it names,
 * feed/preset.h), relative paths are made absolute (resolved where the saving process runs), the columns
 * lists need are filled from it, and the row is written; nothing is written when anything is wrong.
 */
#ifndef FEEDSYNC_ENGINE_CONN_SAVE_H
#define FEEDSYNC_ENGINE_CONN_SAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/problems.h"
#include "core/store.h"

enum conn_save_result {
	CONN_SAVED,            /* written; cs->id is the connection's id */
	CONN_SAVE_INVALID,     /* the document is wrong: cs->problems lists why, each with its JSON path */
	CONN_SAVE_REFUSED,     /* the name is taken, or (unique_route) the route exists: cs->err says which */
	CONN_SAVE_FAILED,      /* the database failed: cs->err */
};

struct conn_save {
	int64_t id;                 /* in: the connection to replace, 0 for a new one; out: the saved one */
	bool unique_route;          /* refuse a document whose source and destination another connection has */
	struct problems problems;   /* CONN_SAVE_INVALID; the caller frees with problems_free */
	char err[512];              /* CONN_SAVE_REFUSED and CONN_SAVE_FAILED */
};

/*
 * Validates and writes `text`. Inside a transaction the caller opened, the writes join it (so a destination
 * created beforehand commits or rolls back with the connection); otherwise the function commits its own.
 * A connection with no destination has no route: catalog-only copies of a feed are never refused.
 */
enum conn_save_result conn_save(struct store *s, const char *text, struct conn_save *cs);

/* A free name for a copy of connection `base`: "Acme (copy)", then "Acme (copy 2)", ... Caller frees. */
char *conn_copy_name(struct store *s, const char *base);

#endif
