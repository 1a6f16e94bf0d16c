/*
 * Plan mode ("staging first"). A plan-only run (`feedsync run ID --plan`) downloads and imports as usual and
 * marks missing products, then, instead of pushing, stores what the push and the retirement would do
 * (core/store_plan.h): products to create (the destination never accepted them), products to update with
 * each field's old -> new (old = what the destination last accepted, products.pushed_data), and products to
 * retire. Nothing reaches the destination. `feedsync plan apply` queues a run (trigger "plan") that skips
 * the download and the import and pushes exactly the plan's items, refused once the catalog changed.
 *
 * Against a WooCommerce destination an update lists only the connection's update.fields (what would be
 * sent), creates are left out when update.create_missing is false, and a product back from retirement lists
 * every field with the retirement undone (status draft -> publish, stock_quantity 0 -> N). A connection
 * without a destination gets plans too: applying one records its products as accepted, so the next plan
 * lists what changed since.
 */
#ifndef FEEDSYNC_ENGINE_PLAN_H
#define FEEDSYNC_ENGINE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/util.h"
#include "engine/run.h"
#include "engine/stop.h"
#include "feed/conn.h"

/*
 * One difference between two products: old_value NULL when the old product lacks the field (or old_known is
 * false: the old product is unknown), new_value NULL when the new one lacks it. 0, or -1 to stop.
 */
typedef int (*plan_diff_fn)(void *ud, const char *field, const char *old_value, const char *new_value,
                            bool old_known);
/*
 * Compares two products stored as JSON objects of strings, field by field in name order. old_json NULL
 * means the old product is unknown: each field of the new one is reported with old_known false. fields:
 * only these (NULL-terminated), or NULL for every field but the SKU. Returns how many fields differ, or -1
 * when a product is not a JSON object or fn stopped.
 */
int plan_diff(const char *old_json, const char *new_json, char *const *fields, plan_diff_fn fn, void *ud);
/* A changed field's value as the CLI and the console show it: "(old value unknown)", "(none)", "\"\"". */
void plan_value_text(const char *value, bool known, struct strbuf *out);

struct plan_counts {
	int64_t creates, updates, retires;
	int64_t not_created;       /* new to a shop whose connection does not create (update.create_missing) */
};
/* Stores the plan of this run; `retire` when the feed was trusted (see engine/reconcile.h). */
void plan_make(struct run_ctx *ctx, const struct conn_config *conn, bool retire, struct plan_counts *out,
               struct stop *stop);
/*
 * Whether the review may leave items of this plan out. Not for a file destination: its export writes the
 * whole catalog, so an item left out would be written all the same.
 */
struct plan_row;
bool plan_selectable(const struct plan_row *plan);
/* Executes a run queued by `feedsync plan apply`: the plan of run plan_run, pushed but its excluded items. */
const char *plan_apply_execute(struct run_ctx *ctx, const struct conn_config *conn, int64_t plan_run);

#endif
