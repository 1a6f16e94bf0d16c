#include "engine/plan.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_plan.h"
#include "core/util.h"
#include "engine/deliver.h"
#include "engine/reconcile.h"
#include "feed/product.h"

/* Products recorded as accepted at a time when a connection without a destination applies a plan. */
#define ACCEPT_PAGE_ROWS 512

/* ---- field-by-field differences ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The field names of both products, sorted, each once; they point into the trees. */
static size_t field_names(const cJSON *a, const cJSON *b, const char ***out)
{
	size_t n = 0;
	for (const cJSON *tree = a; tree; tree = tree == a ? b : NULL)
		for (const cJSON *f = tree->child; f; f = f->next)
			n++;
	const char **names = xmalloc((n ? n : 1) * sizeof(*names));
	n = 0;
	for (const cJSON *tree = a; tree; tree = tree == a ? b : NULL)
		for (const cJSON *f = tree->child; f; f = f->next)
			names[n++] = f->string;
	qsort(names, n, sizeof(*names), by_name);
	size_t unique = 0;
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || strcmp(names[unique - 1], names[i]) != 0)
			names[unique++] = names[i];
	*out = names;
	return unique;
}

static const char *string_member(const cJSON *obj, const char *name)
{
	return obj ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name)) : NULL;
}

int plan_diff(const char *old_json, const char *new_json, char *const *fields, plan_diff_fn fn, void *ud)
{
	cJSON *before = old_json ? cJSON_Parse(old_json) : NULL;
	cJSON *after = cJSON_Parse(new_json);
	int changed = -1;
	if (cJSON_IsObject(after) && (!old_json || cJSON_IsObject(before))) {
		const char **names;
		size_t n = field_names(after, before, &names);
		changed = 0;
		for (size_t i = 0; i < n && changed >= 0; i++) {
			const char *was = string_member(before, names[i]), *is = string_member(after, names[i]);
			if (!update_sends(fields, names[i]) || (before ? str_eq(was, is) : !is))
				continue;
			changed = fn(ud, names[i], was, is, before != NULL) < 0 ? -1 : changed + 1;
		}
		free(names);
	}
	cJSON_Delete(before);
	cJSON_Delete(after);
	return changed;
}

/* ---- making a plan ---- */

struct change {
	char *field, *old_value, *new_value;
	bool old_known;
};

struct maker {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	bool shop;                             /* WooCommerce: an update sends only update.fields */
	const struct stale_product *retiring;  /* in SKU order */
	size_t nretiring;
	struct change *changes;
	size_t nchanges, cap;
	struct plan_counts *counts;
	bool failed;
};

static int collect(void *ud, const char *field, const char *old_value, const char *new_value, bool old_known)
{
	struct maker *m = ud;
	if (m->nchanges == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->changes = xrealloc(m->changes, m->cap * sizeof(*m->changes));
	}
	m->changes[m->nchanges++] = (struct change){xstrdup(field), old_value ? xstrdup(old_value) : NULL,
	                                            new_value ? xstrdup(new_value) : NULL, old_known};
	return 0;
}

static void changes_clear(struct maker *m)
{
	for (size_t i = 0; i < m->nchanges; i++) {
		free(m->changes[i].field);
		free(m->changes[i].old_value);
		free(m->changes[i].new_value);
	}
	m->nchanges = 0;
}

static int stale_order(const void *key, const void *item)
{
	return strcmp(key, ((const struct stale_product *)item)->sku);
}

/* The stored product with field `name` set (left as it is when keep and it has one); NULL stays NULL. */
static char *set_field(char *json, const char *name, const char *value, bool keep)
{
	if (!json)
		return NULL;
	char *out = product_json_with(json, name, value, keep);
	free(json);
	return out;
}

static int add_update(struct maker *m, const struct plan_candidate *c)
{
	struct store *s = m->ctx->store;
	enum missing_action back = MISSING_NONE;
	missing_action_parse(c->returning, &back);
	char *before = c->pushed_data ? xstrdup(c->pushed_data) : NULL;
	char *after = xstrdup(c->data);
	/* A retired product back in the feed: the shop has it retired, and the push undoes that. */
	if (back == MISSING_DRAFT) {
		before = set_field(before, "status", "draft", false);
		if (m->shop) /* a file export just drops the flag */
			after = set_field(after, "status", "publish", true);
	} else if (back == MISSING_STOCK_ZERO) {
		before = set_field(before, PF_STOCK, "0", false);
	}
	char *const *fields = m->shop && back == MISSING_NONE ? m->conn->update_fields : NULL;
	int n = plan_diff(before, after, fields, collect, m);
	int rc = n < 0 ? -1 : 0;
	if (n > 0) {
		struct plan_item_write item = {.kind = "update", .sku = c->sku, .name = c->name, .hash = c->hash};
		rc = store_plan_add_item(s, m->ctx->run_id, &item);
		for (size_t i = 0; rc == 0 && i < m->nchanges; i++)
			rc = store_plan_add_change(s, m->ctx->run_id, c->sku, m->changes[i].field, m->changes[i].old_value,
			                           m->changes[i].new_value, m->changes[i].old_known);
		m->counts->updates++;
	}
	changes_clear(m);
	free(before);
	free(after);
	return rc;
}

static int add_candidate(void *ud, const struct plan_candidate *c)
{
	struct maker *m = ud;
	if (bsearch_or_null(c->sku, m->retiring, m->nretiring, sizeof(*m->retiring), stale_order))
		return 0;
	int rc = 0;
	if (c->pushed) {
		rc = add_update(m, c);
	} else if (m->shop && !m->conn->create_missing) {
		m->counts->not_created++;
	} else {
		struct plan_item_write item = {.kind = "create", .sku = c->sku, .name = c->name, .hash = c->hash};
		rc = store_plan_add_item(m->ctx->store, m->ctx->run_id, &item);
		m->counts->creates++;
	}
	m->failed = rc < 0;
	return m->failed;
}

static int add_retirements(struct maker *m)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < m->nretiring; i++) {
		const struct stale_product *p = &m->retiring[i];
		struct plan_item_write item = {.kind = "retire", .sku = p->sku, .name = p->name,
		                               .action = missing_action_name(m->conn->missing_action),
		                               .missing_since = p->missing_since, .missing_runs = p->missing_runs};
		rc = store_plan_add_item(m->ctx->store, m->ctx->run_id, &item);
	}
	m->counts->retires = (int64_t)m->nretiring;
	return rc;
}

/* The plan and the catalog's stamp, in one transaction. */
static int store_plan(struct maker *m)
{
	struct run_ctx *ctx = m->ctx;
	struct store *s = ctx->store;
	char *dest = deliver_destination_name(m->conn);
	int rc = store_begin(s);
	if (rc == 0)
		rc = store_plan_insert(s, ctx->run_id, ctx->connection_id, *dest ? dest : NULL, now_ms());
	free(dest);
	if (rc == 0)
		rc = add_retirements(m);
	if (rc == 0)
		rc = store_plan_candidates(s, ctx->connection_id, add_candidate, m);
	char stamp[160];
	if (rc == 0 && !m->failed)
		rc = store_catalog_stamp(s, ctx->connection_id, stamp, sizeof(stamp));
	if (rc == 0 && !m->failed)
		rc = store_plan_set_stamp(s, ctx->run_id, stamp);
	if (rc == 0 && !m->failed)
		rc = store_commit(s);
	return rc == 0 && !m->failed ? 0 : -1;
}

void plan_make(struct run_ctx *ctx, const struct conn_config *conn, bool retire, struct plan_counts *out,
               struct stop *stop)
{
	memset(out, 0, sizeof(*out));
	struct maker m = {.ctx = ctx, .conn = conn, .shop = conn->dest_type && !str_eq(conn->dest_type, "file"),
	                  .counts = out};
	struct stale_product *stale = NULL;
	size_t nstale = 0;
	int rc = retire ? reconcile_stale(ctx->store, ctx->connection_id, conn, now_ms(), &stale, &nstale) : 0;
	m.retiring = stale;
	m.nretiring = nstale;
	if (rc == 0)
		rc = store_plan(&m);
	if (rc < 0) {
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot store the plan: %s", store_errmsg(ctx->store));
		store_rollback(ctx->store);
	} else {
		run_log(ctx, LOG_INFO, "plan: %lld to create, %lld to update, %lld to retire; nothing was pushed "
		        "(see 'feedsync plan show %lld', then 'feedsync plan apply %lld')", (long long)out->creates,
		        (long long)out->updates, (long long)out->retires, (long long)ctx->run_id, (long long)ctx->run_id);
		if (out->not_created)
			run_log(ctx, LOG_INFO, "%lld products new to the shop are left out: update.create_missing is false",
			        (long long)out->not_created);
	}
	free(m.changes);
	stale_products_free(stale, nstale);
}

/* ---- applying a plan ---- */

static bool plan_still_holds(struct run_ctx *ctx, int64_t plan_run, struct plan_row *plan, struct stop *stop)
{
	char now[160];
	int found = store_plan_get(ctx->store, plan_run, plan);
	if (found == 1 && store_catalog_stamp(ctx->store, ctx->connection_id, now, sizeof(now)) < 0)
		found = -1;
	if (found < 0)
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot read the plan: %s", store_errmsg(ctx->store));
	else if (found == 0)
		stop_with(ctx, stop, RUN_FAILED, "no_plan", "run %lld has no plan", (long long)plan_run);
	else if (!str_eq(now, plan->stamp))
		stop_with(ctx, stop, RUN_FAILED, "plan_outdated", "the catalog changed since the plan of run %lld was made: "
		          "nothing was applied; make a new plan with 'feedsync run %lld --plan'", (long long)plan_run,
		          (long long)ctx->connection_id);
	return !stopped(stop);
}

struct accept {
	struct run_ctx *ctx;
	char *last_sku;
	int64_t accepted;
	bool failed;
};

static int accept_one(void *ud, const struct pending_product *p)
{
	struct accept *a = ud;
	free(a->last_sku);
	a->last_sku = xstrdup(p->sku);
	a->failed = store_product_set_pushed(a->ctx->store, a->ctx->connection_id, p->sku, p->hash) < 0;
	a->accepted += !a->failed;
	return a->failed;
}

/* Without a destination, applying a plan records its products as accepted: the next plan starts from them. */
static int64_t accept_plan(struct run_ctx *ctx, int64_t plan_run, struct stop *stop)
{
	struct accept a = {.ctx = ctx};
	int rc = store_begin(ctx->store), n = ACCEPT_PAGE_ROWS;
	while (rc == 0 && n == ACCEPT_PAGE_ROWS && !a.failed)
		n = store_plan_products_page(ctx->store, plan_run, a.last_sku, ACCEPT_PAGE_ROWS, accept_one, &a);
	if (rc < 0 || n < 0 || a.failed || store_commit(ctx->store) < 0) {
		stop_with(ctx, stop, RUN_FAILED, "database_error", "cannot record the plan's products: %s",
		          store_errmsg(ctx->store));
		store_rollback(ctx->store);
		a.accepted = 0;
	}
	free(a.last_sku);
	return a.accepted;
}

const char *plan_apply_execute(struct run_ctx *ctx, const struct conn_config *conn, int64_t plan_run)
{
	struct stop stop = {0};
	struct strbuf summary = {0};
	run_set_phase(ctx, PHASE_PUSHING);
	run_log(ctx, LOG_INFO, "applying the plan of run %lld", (long long)plan_run);
	struct stale_product *retirees = NULL;
	size_t n = 0;
	char action[16] = "";
	int64_t accepted = 0;
	struct plan_row plan = {0};
	if (plan_still_holds(ctx, plan_run, &plan, &stop) &&
	    store_plan_retirees(ctx->store, plan_run, &retirees, &n, action) < 0)
		stop_with(ctx, &stop, RUN_FAILED, "database_error", "cannot read the plan: %s", store_errmsg(ctx->store));
	if (!stopped(&stop) && conn->dest_type) {
		struct delivery what = {.products = DELIVER_PLAN, .plan_run = plan_run, .retire = retirees, .nretire = n};
		missing_action_parse(action, &what.action);
		deliver(ctx, conn, &what, &stop);
	} else if (!stopped(&stop)) {
		accepted = accept_plan(ctx, plan_run, &stop);
	}
	stale_products_free(retirees, n);
	if (stopped(&stop))
		sb_addf(&summary, "%s (in %s)", sb_str(&stop.why), run_phase_name(ctx->phase));
	else
		sb_addf(&summary, "applied the plan of run %lld", (long long)plan_run);
	if (!stopped(&stop) && plan.excluded)
		sb_addf(&summary, " without its %lld excluded items (left pending)", (long long)plan.excluded);
	if (accepted)
		sb_addf(&summary, "; %lld products accepted (no destination)", (long long)accepted);
	deliver_summary_pushed(ctx->counters, &summary);
	deliver_summary_retired(ctx->counters, &summary);
	const int64_t *c = ctx->counters;
	const char *status = stop.status ? stop.status
	                     : c[RC_PUSH_FAILED] || c[RC_RETIRE_FAILED] || ctx->shop_faults ? RUN_COMPLETED_WITH_ERRORS : RUN_COMPLETED;
	run_finish(ctx, status, "%s", sb_str(&summary));
	sb_free(&summary);
	sb_free(&stop.why);
	return status;
}

bool plan_selectable(const struct plan_row *plan)
{
	return !str_starts_with(plan->destination, "file ");
}

void plan_value_text(const char *value, bool known, struct strbuf *sb)
{
	if (!known)
		sb_adds(sb, "(old value unknown)");
	else if (!value)
		sb_adds(sb, "(none)");
	else if (!*value)
		sb_adds(sb, "\"\"");
	else
		sb_adds(sb, value);
}
