#include "engine/rows.h"

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

enum row_verdict row_stage_process(struct row_stage *st, const struct record *raw, struct row_error *err)
{
	if (raw->problem) {
		memset(err, 0, sizeof(*err));
		str_copy(err->code, "malformed_row", sizeof(err->code));
		str_copy(err->message, raw->problem, sizeof(err->message));
		return ROW_FAILED;
	}
	st->canonical = *raw;
	st->canonical.names = column_map_apply(st->columns, raw);
	if (st->conn->filter && !filter_match(st->conn->filter, &st->canonical))
		return ROW_SKIPPED;
	if (mapping_apply(st->conn->mapping, &st->canonical, st->max_value_bytes, &st->product, err) < 0)
		return ROW_FAILED;
	if (rules_apply(st->conn->rules, &st->product, &st->canonical, &st->rules, st->trace, st->trace_ctx, err) < 0)
		return ROW_FAILED;
	st->product.line = raw->line;
	return ROW_OK;
}

size_t rows_missing_columns(const struct conn_config *conn, const char *const *names, size_t n,
                            struct strbuf *missing, struct strbuf *found)
{
	char canon[256];
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		sb_addf(found, "%s%s", i ? ", " : "", names[i]);
	for (char **req = conn->required; req && *req; req++) {
		bool present = false;
		for (size_t i = 0; i < n && !present; i++)
			present = str_eq(normalize_column(conn->aliases, names[i], canon, sizeof(canon)), *req);
		if (!present) {
			sb_addf(missing, "%s%s", count ? ", " : "", *req);
			count++;
		}
	}
	return count;
}
