/* Shared by store_plan.c and store_plan_select.c only: how a plan_filter reaches SQL. */
#ifndef FEEDSYNC_CORE_STORE_PLAN_SQL_H
#define FEEDSYNC_CORE_STORE_PLAN_SQL_H

#include "store_internal.h"

#include "core/store_plan.h"

/* An item of plan_items matched by a filter bound as parameters kind, text and included_only (bind_filter). */
#define PLAN_ITEM_MATCHES(kind, text, included_only) \
	" (" kind " IS NULL OR kind = " kind ")" \
	" AND (" text " IS NULL OR instr(lower(sku || ' ' || coalesce(name, '')), lower(" text ")) > 0)" \
	" AND (" included_only " = 0 OR NOT excluded)"

/* Runs sql with ?1 = id and ?2 = text: its single integer for a query (-1 on error), else 0 or -1. */
int64_t id_and_text(struct store *s, const char *sql, int64_t id, const char *text);
/* Binds f (NULL = every item) to the three parameters from first on. */
void bind_plan_filter(struct sqldb_stmt *st, int first, const struct plan_filter *f);
/* Inside the apply's transaction: stores an ONLY or EXCEPT selection. 0, 1 SKUs unknown (req->unknown), -1. */
int plan_select_for_apply(struct store *s, int64_t plan_run, const struct plan_apply *req);

#endif
