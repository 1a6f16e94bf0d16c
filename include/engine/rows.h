/*
 * One feed row through the transform stages, the same for an import and a preview:
 * malformed? -> canonical column names -> filter -> map (validate SKU, price, quantity) -> product.
 */
#ifndef FEEDSYNC_ENGINE_ROWS_H
#define FEEDSYNC_ENGINE_ROWS_H

#include <stddef.h>

#include "feed/conn.h"
#include "feed/mapping.h"
#include "feed/product.h"
#include "feed/record.h"

enum row_verdict { ROW_OK, ROW_SKIPPED, ROW_FAILED };

struct row_stage {
	const struct conn_config *conn;
	struct column_map *columns;
	size_t max_value_bytes;
	struct record canonical;      /* the last row with canonical names */
	struct product product;       /* filled for ROW_OK */
};

void row_stage_init(struct row_stage *st, const struct conn_config *conn, size_t max_value_bytes);
void row_stage_free(struct row_stage *st);
/* For ROW_FAILED, err says why (a malformed row has code "malformed_row"). */
enum row_verdict row_stage_process(struct row_stage *st, const struct record *raw, struct row_error *err);

/*
 * "item 12: " for a row of a JSON array feed, whose line tells no items apart when the feed is one line;
 * "" for other rows. Every message about a row starts with it.
 */
#define ROWS_ITEM_PREFIX 32
const char *rows_item_prefix(const struct record *raw, char buf[ROWS_ITEM_PREFIX]);

#endif
