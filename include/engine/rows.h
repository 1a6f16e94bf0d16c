/*
 * One feed row through the transform stages, the same for an import and a preview:
 * malformed? -> canonical column names -> filter -> map (validate SKU, price, quantity) -> rules -> product.
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
 * Required columns (canonical names) that the feed's columns lack, comma-separated into missing;
 * the feed's own column names into found. Returns how many are missing.
 */
size_t rows_missing_columns(const struct conn_config *conn, const char *const *names, size_t n,
                            struct strbuf *missing, struct strbuf *found);

#endif
