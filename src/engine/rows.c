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
	rules_state_free(&st->rules);
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

/* The feed's name of the first column whose value is not UTF-8 (what such a row's problem is about), or "". */
static const char *bad_utf8_column(const struct record *raw)
{
	for (size_t i = 0; i < raw->n; i++) {
		size_t len = strlen(raw->values[i]);
		if (utf8_valid_prefix(raw->values[i], len) != len)
			return raw->names[i];
	}
	return "";
}

enum row_verdict row_stage_process(struct row_stage *st, const struct record *raw, struct row_error *err)
{
	/* Names first, even for a malformed row: its SKU, when readable, still says which product it was. */
	st->canonical = *raw;
	st->canonical.names = column_map_apply(st->columns, raw);
	if (raw->problem) {
		memset(err, 0, sizeof(*err));
		str_copy(err->code, "malformed_row", sizeof(err->code));
		str_copy(err->column, bad_utf8_column(raw), sizeof(err->column));
		str_copy(err->message, raw->problem, sizeof(err->message));
		return row_failed(raw, err);
	}
	struct filter_problem why;
	switch (filter_match(st->conn->filter, &st->canonical, &why)) {
	case FILTER_PASS: break;
	case FILTER_SKIP: return ROW_SKIPPED;
	case FILTER_UNREADABLE:
		/* Neither kept nor skipped in silence: a number the filter cannot read is the feed's problem. */
		memset(err, 0, sizeof(*err));
		str_copy(err->code, "bad_filter_value", sizeof(err->code));
		str_copy(err->column, why.column, sizeof(err->column));
		str_copy(err->message, why.message, sizeof(err->message));
		return row_failed(raw, err);
	}
	if (mapping_apply(st->conn->mapping, &st->canonical, st->max_value_bytes, &st->product, err) < 0)
		return row_failed(raw, err);
	if (rules_apply(st->conn->rules, &st->product, &st->canonical, &st->rules, st->trace, st->trace_ctx, err) < 0)
		return row_failed(raw, err);
	st->product.line = raw->line;
	st->product.item = raw->item;
	return ROW_OK;
}

const char *row_stage_sku(const struct row_stage *st)
{
	const char *sku = record_get(&st->canonical, "sku");
	if (!sku || !*sku || utf8_valid_prefix(sku, strlen(sku)) != strlen(sku))
		return NULL;
	return sku;
}

void row_duplicate_error(struct row_error *err, const char *sku, const char *where, const char *first_where)
{
	str_copy(err->column, "sku", sizeof(err->column));
	str_copy(err->code, "duplicate_sku", sizeof(err->code));
	snprintf(err->message, sizeof(err->message), "duplicate SKU '%s' on %s: already on %s, the first one is kept",
	         sku, where, first_where);
}
