#include "engine/rows.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "feed/filter.h"

void row_stage_init(struct row_stage *st, const struct conn_config *conn, size_t max_value_bytes)
{
	memset(st, 0, sizeof(*st));
	st->conn = conn;
	st->columns = column_map_new(conn->aliases);
	st->max_value_bytes = max_value_bytes;
}

void row_stage_free(struct row_stage *st)
{
	column_map_free(st->columns);
	product_free(&st->product);
	memset(st, 0, sizeof(*st));
}

const char *rows_item_prefix(const struct record *raw, char buf[ROWS_ITEM_PREFIX])
{
	if (raw->item <= 0)
		return "";
	snprintf(buf, ROWS_ITEM_PREFIX, "item %ld: ", raw->item);
	return buf;
}

static enum row_verdict row_failed(const struct record *raw, struct row_error *err)
{
	char item[ROWS_ITEM_PREFIX], msg[sizeof(err->message)];
	snprintf(msg, sizeof(msg), "%s%s", rows_item_prefix(raw, item), err->message);
	str_copy(err->message, msg, sizeof(err->message));
	return ROW_FAILED;
}

enum row_verdict row_stage_process(struct row_stage *st, const struct record *raw, struct row_error *err)
{
	if (raw->problem) {
		memset(err, 0, sizeof(*err));
		str_copy(err->code, "malformed_row", sizeof(err->code));
		str_copy(err->message, raw->problem, sizeof(err->message));
		return row_failed(raw, err);
	}
	st->canonical = *raw;
	st->canonical.names = column_map_apply(st->columns, raw);
	if (st->conn->filter && !filter_match(st->conn->filter, &st->canonical))
		return ROW_SKIPPED;
	if (mapping_apply(st->conn->mapping, &st->canonical, st->max_value_bytes, &st->product, err) < 0)
		return row_failed(raw, err);
	st->product.line = raw->line;
	return ROW_OK;
}
