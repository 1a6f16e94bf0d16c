/*
 * One feed row through the transform stages, the same for an import and a preview:
 * canonical column names -> malformed? -> filter -> map (validate SKU, price, quantity) -> rules -> product.
 */
#ifndef FEEDSYNC_ENGINE_ROWS_H
#define FEEDSYNC_ENGINE_ROWS_H

#include <stddef.h>

#include "feed/conn.h"
#include "feed/mapping.h"
#include "feed/product.h"
#include "feed/record.h"
#include "feed/rules.h"

enum row_verdict { ROW_OK, ROW_SKIPPED, ROW_FAILED };

struct row_stage {
	const struct conn_config *conn;
	struct column_map *columns;
	size_t max_value_bytes;
	struct record canonical;      /* the last row with canonical names */
	struct product product;       /* filled for ROW_OK */
	struct rules_state rules;     /* kept from row to row by the rules */
	rules_trace_fn trace;         /* NULL, or a preview's hook that sees each rule's step */
	void *trace_ctx;
};

void row_stage_init(struct row_stage *st, const struct conn_config *conn, size_t max_value_bytes);
void row_stage_free(struct row_stage *st);
/* For ROW_FAILED, err says why (a malformed row has code "malformed_row"). */
enum row_verdict row_stage_process(struct row_stage *st, const struct record *raw, struct row_error *err);

/*
 * The SKU of the row last processed, whatever its verdict, when it has one that is readable: a ragged row's
 * value in the sku column, an invalid-UTF-8 row's when the bad bytes are elsewhere. NULL otherwise.
 */
const char *row_stage_sku(const struct row_stage *st);

/* The error of a row (at `where`: "line 12") whose SKU an earlier one (at first_where) had: the first one wins. */
void row_duplicate_error(struct row_error *err, const char *sku, const char *where, const char *first_where);

/*
 * "item 12: " for a row of a JSON array or XML feed, whose line tells no items apart when the feed is one
 * line; "" for other rows. Every message about a row starts with it.
 */
#define ROWS_ITEM_PREFIX 32
const char *rows_item_prefix(const struct record *raw, char buf[ROWS_ITEM_PREFIX]);

#endif
