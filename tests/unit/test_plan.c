/* Plans: field-by-field differences of two products, and the store's plans (items by kind, apply once). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/store_plan.h"
#include "core/util.h"
#include "engine/plan.h"
#include "store_test.h"

/* ---- plan_diff ---- */

/* "field:old>new" per difference, old "?" when unknown and "-" when absent. */
static int describe(void *ud, const char *field, const char *old_value, const char *new_value, bool old_known)
{
	struct strbuf *sb = ud;
	sb_addf(sb, "%s%s:%s>%s", sb->len ? " " : "", field, !old_known ? "?" : old_value ? old_value : "-",
	        new_value ? new_value : "-");
	return 0;
}

static char *diff(const char *before, const char *after, char *const *fields, int expect_count)
{
	struct strbuf sb = {0};
	cr_expect_eq(plan_diff(before, after, fields, describe, &sb), expect_count);
	return sb_detach(&sb);
}

Test(plan, changed_added_and_removed_fields_in_name_order)
{
	char *d = diff("{\"sku\":\"A\",\"name\":\"Tea\",\"regular_price\":\"10.00\",\"weight\":\"1\"}",
	               "{\"sku\":\"A\",\"name\":\"Tea\",\"regular_price\":\"12.50\",\"color\":\"red\"}", NULL, 3);
	cr_expect_str_eq(d, "color:->red regular_price:10.00>12.50 weight:1>-");
	free(d);
}

Test(plan, equal_products_and_the_sku_are_no_difference)
{
	char *d = diff("{\"sku\":\"A\",\"name\":\"Tea\"}", "{\"name\":\"Tea\",\"sku\":\"B\"}", NULL, 0);
	cr_expect_str_eq(d, "");
	free(d);
}

Test(plan, only_the_fields_asked_for)
{
	char *const fields[] = {"regular_price", "stock_quantity", NULL};
	char *d = diff("{\"name\":\"Tea\",\"regular_price\":\"1\",\"stock_quantity\":\"3\"}",
	               "{\"name\":\"Coffee\",\"regular_price\":\"2\",\"stock_quantity\":\"3\"}", fields, 1);
	cr_expect_str_eq(d, "regular_price:1>2");
	free(d);
}

Test(plan, unknown_old_product_lists_every_new_field)
{
	char *d = diff(NULL, "{\"sku\":\"A\",\"name\":\"Tea\",\"regular_price\":\"\"}", NULL, 2);
	cr_expect_str_eq(d, "name:?>Tea regular_price:?>");
	free(d);
}

Test(plan, products_that_are_not_objects_are_errors)
{
	struct strbuf sb = {0};
	cr_expect_eq(plan_diff("[1]", "{}", NULL, describe, &sb), -1);
	cr_expect_eq(plan_diff("{}", "not json", NULL, describe, &sb), -1);
	cr_expect_eq(sb.len, 0);
	sb_free(&sb);
}

static int refuse(void *ud, const char *field, const char *old_value, const char *new_value, bool old_known)
{
	(void)ud, (void)field, (void)old_value, (void)new_value, (void)old_known;
	return -1;
}

Test(plan, a_callback_can_stop_it)
{
	cr_expect_eq(plan_diff("{\"a\":\"1\"}", "{\"a\":\"2\"}", NULL, refuse, NULL), -1);
}

/* ---- the store's plans ---- */

static char dir[] = "/tmp/fs-plan-XXXXXX";
static struct store *s;
static int64_t conn_id;

static void setup(void)
{
	s = test_store_open(dir, &conn_id);
}

static void teardown(void)
{
	test_store_remove(s, dir, "/tmp/fs-plan-XXXXXX");
}

TestSuite(store_plan, .init = setup, .fini = teardown);

static void put_product(const char *sku, int64_t hash)
{
	struct product_write w = {.conn_id = conn_id, .sku = sku, .name = sku, .data = "{}", .hash = hash, .run_id = 1,
	                          .now = 1};
	cr_assert_eq(store_product_insert(s, &w), 0);
}

/* A finished plan-only run with one item of each kind; returns its id. */
static int64_t make_plan(void)
{
	int64_t run_id;
	struct run_row active, claimed;
	cr_assert_eq(store_run_enqueue(s, conn_id, "manual", 0, 1, true, &run_id, &active), 0);
	cr_assert_eq(store_run_claim(s, "test", run_id, &claimed), 1);
	put_product("C1", 1);
	put_product("U1", 2);
	cr_assert_eq(store_begin(s), 0);
	cr_assert_eq(store_plan_insert(s, run_id, conn_id, "file out.csv", 5), 0);
	struct plan_item_write c = {.kind = "create", .sku = "C1", .name = "New", .hash = 1};
	struct plan_item_write u = {.kind = "update", .sku = "U1", .name = "Changed", .hash = 2};
	struct plan_item_write r = {.kind = "retire", .sku = "R1", .name = "Gone", .action = "draft",
	                            .missing_since = 1000, .missing_runs = 2};
	cr_assert_eq(store_plan_add_item(s, run_id, &c), 0);
	cr_assert_eq(store_plan_add_item(s, run_id, &u), 0);
	cr_assert_eq(store_plan_add_item(s, run_id, &r), 0);
	cr_assert_eq(store_plan_add_change(s, run_id, "U1", "regular_price", "1.00", "2.00", true), 0);
	cr_assert_eq(store_plan_add_change(s, run_id, "U1", "name", NULL, "Changed", false), 0);
	char stamp[160];
	cr_assert_eq(store_catalog_stamp(s, conn_id, stamp, sizeof(stamp)), 0);
	cr_assert_eq(store_plan_set_stamp(s, run_id, stamp), 0);
	cr_assert_eq(store_commit(s), 0);
	cr_assert_eq(store_run_finish(s, run_id, RUN_COMPLETED, "plan", 6), 0);
	return run_id;
}

/* An apply of everything the review left in, by a tester. */
static const struct plan_apply whole = {.applier = "tester@box"};

static int count_page(void *ud, const struct pending_product *p)
{
	(void)p;
	++*(int *)ud;
	return 0;
}

Test(store_plan, items_by_kind_with_their_changes)
{
	int64_t plan_run = make_plan();
	struct plan_row plan;
	cr_assert_eq(store_plan_get(s, plan_run, &plan), 1);
	cr_expect_eq(plan.creates + plan.updates + plan.retires, 3);
	cr_expect_str_eq(plan.destination, "file out.csv");
	cr_expect_str_eq(plan.connection_name, "A");
	cr_expect_eq(plan.applied_run, 0);
	cr_expect_eq(store_plan_count(s, plan_run, &(struct plan_filter){.kind = "update"}), 1);
	cr_expect_eq(store_plan_count(s, plan_run, NULL), 3);
	struct plan_item *items;
	size_t n;
	cr_assert_eq(store_plan_items(s, plan_run, &(struct plan_filter){.kind = "update"}, 0, 10, &items, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(items[0].nchanges, 2);
	cr_expect_str_eq(items[0].changes[0].field, "name");
	cr_expect_not(items[0].changes[0].old_known);
	cr_expect_str_eq(items[0].changes[1].old_value, "1.00");
	cr_expect_str_eq(items[0].changes[1].new_value, "2.00");
	plan_items_free(items, n);
	/* Every kind, in SKU order, a page at a time. */
	cr_assert_eq(store_plan_items(s, plan_run, NULL, 1, 1, &items, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(items[0].sku, "R1");
	cr_expect_str_eq(items[0].action, "draft");
	cr_expect_eq(items[0].missing_runs, 2);
	cr_expect_eq(items[0].nchanges, 0);
	plan_items_free(items, n);
	cr_expect_eq(store_plan_get(s, plan_run + 100, &plan), 0);
}

/* A kind's page counts that kind's items only, in SKU order, whatever lies between them. */
Test(store_plan, a_page_of_one_kind_skips_the_others)
{
	int64_t plan_run = make_plan();
	const char *creates[] = {"C2", "C3", "C4"};
	cr_assert_eq(store_begin(s), 0);
	for (size_t i = 0; i < ARRAY_LEN(creates); i++) {
		struct plan_item_write c = {.kind = "create", .sku = creates[i], .name = creates[i], .hash = 1};
		cr_assert_eq(store_plan_add_item(s, plan_run, &c), 0);
	}
	struct plan_item_write u = {.kind = "update", .sku = "C25", .name = "between", .hash = 2};
	cr_assert_eq(store_plan_add_item(s, plan_run, &u), 0);
	cr_assert_eq(store_commit(s), 0);
	struct plan_item *items;
	size_t n;
	struct plan_filter creates_only = {.kind = "create"};
	cr_assert_eq(store_plan_items(s, plan_run, &creates_only, 2, 2, &items, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(items[0].sku, "C3");
	cr_expect_str_eq(items[1].sku, "C4");
	cr_expect_str_eq(items[1].kind, "create");
	cr_expect_str_eq(items[1].name, "C4");
	plan_items_free(items, n);
	/* The text and the excluded items narrow the kind's page the same way. */
	struct plan_filter typed = {.kind = "create", .text = "c4"};
	cr_assert_eq(store_plan_items(s, plan_run, &typed, 0, 10, &items, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(items[0].sku, "C4");
	plan_items_free(items, n);
	char *c3[] = {"C3"};
	cr_assert_eq(store_plan_set_excluded(s, plan_run, NULL, c3, 1, true), 1);
	struct plan_filter included = {.kind = "create", .included_only = true};
	cr_assert_eq(store_plan_items(s, plan_run, &included, 1, 2, &items, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(items[0].sku, "C2");
	cr_expect_str_eq(items[1].sku, "C4");
	plan_items_free(items, n);
}

Test(store_plan, applied_once_and_never_after_the_catalog_changed)
{
	int64_t plan_run = make_plan();
	int64_t run_id = 0, applied_by = 0;
	struct run_row active;
	cr_assert_eq(store_plan_enqueue_apply(s, plan_run, &whole, &run_id, &active, &applied_by), 0);
	struct run_row r;
	cr_assert_eq(store_run_get(s, run_id, &r), 1);
	cr_expect_eq(r.plan_run, plan_run);
	cr_expect_str_eq(r.trigger, "plan");
	int64_t other;
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run, &whole, &other, &active, &applied_by), 2);
	cr_expect_eq(applied_by, run_id);
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run + 100, &whole, &other, &active, &applied_by), 4);
}

Test(store_plan, a_changed_catalog_or_an_active_run_refuses_the_apply)
{
	int64_t plan_run = make_plan();
	int64_t run_id, applied_by, busy;
	struct run_row active;
	cr_assert_eq(store_run_enqueue(s, conn_id, "manual", 0, 1, false, &busy, &active), 0);
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run, &whole, &run_id, &active, &applied_by), 1);
	cr_expect_eq(active.id, busy);
	char outcome[32];
	cr_assert_eq(store_run_request_cancel(s, busy, outcome, sizeof(outcome)), 0);
	put_product("LATE", 9);
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run, &whole, &run_id, &active, &applied_by), 3);
}

Test(store_plan, excluded_by_sku_or_by_filter_and_included_back)
{
	int64_t plan_run = make_plan();
	char *skus[] = {"C1", "R1"};
	cr_expect_eq(store_plan_set_excluded(s, plan_run, NULL, skus, 2, true), 2);
	cr_expect_eq(store_plan_set_excluded(s, plan_run, NULL, skus, 1, true), 0, "already excluded");
	struct plan_row plan;
	cr_assert_eq(store_plan_get(s, plan_run, &plan), 1);
	cr_expect_eq(plan.excluded, 2);
	cr_expect_eq(store_plan_count(s, plan_run, &(struct plan_filter){.included_only = true}), 1);
	/* A filter: the text in SKU or name, whatever its case. */
	const struct plan_filter changed = {.text = "cHaNg"};
	cr_expect_eq(store_plan_count(s, plan_run, &changed), 1);
	cr_expect_eq(store_plan_set_excluded(s, plan_run, &changed, NULL, 0, true), 1);
	cr_expect_eq(store_plan_set_excluded(s, plan_run, &(struct plan_filter){.kind = "create"}, NULL, 0, false), 1);
	struct plan_item *items;
	size_t n;
	cr_assert_eq(store_plan_items(s, plan_run, NULL, 0, 10, &items, &n), 0);
	cr_assert_eq(n, 3);
	cr_expect_not(items[0].excluded, "C1 back in");
	cr_expect(items[1].excluded, "R1");
	cr_expect(items[2].excluded, "U1");
	plan_items_free(items, n);
	/* What an apply reads leaves the excluded items out. */
	int pushed = 0;
	cr_expect_eq(store_plan_products_page(s, plan_run, NULL, 10, count_page, &pushed), 1);
	cr_expect_eq(pushed, 1, "C1 only");
	struct stale_product *retirees;
	char action[16];
	cr_assert_eq(store_plan_retirees(s, plan_run, &retirees, &n, action), 0);
	cr_expect_eq(n, 0);
	stale_products_free(retirees, n);
}

Test(store_plan, an_applied_plan_keeps_its_selection_and_who_applied_it)
{
	int64_t plan_run = make_plan();
	int64_t run_id, applied_by;
	struct run_row active;
	cr_assert_eq(store_plan_enqueue_apply(s, plan_run, &whole, &run_id, &active, &applied_by), 0);
	struct plan_row plan;
	cr_assert_eq(store_plan_get(s, plan_run, &plan), 1);
	cr_expect_str_eq(plan.applier, "tester@box");
	cr_expect_gt(plan.applied_at, 0);
	char *sku = "C1";
	cr_expect_eq(store_plan_set_excluded(s, plan_run, NULL, &sku, 1, true), -2);
	cr_expect_eq(store_plan_count(s, plan_run, &(struct plan_filter){.included_only = true}), 3);
}

Test(store_plan, only_or_except_skus_unknown_ones_refuse_and_change_nothing)
{
	int64_t plan_run = make_plan();
	int64_t run_id, applied_by;
	struct run_row active;
	struct strbuf unknown = {0};
	char *skus[] = {"U1", "NOPE", "GONE"};
	struct plan_apply req = {.applier = "t@h", .select = PLAN_SELECT_ONLY, .skus = skus, .nskus = 3,
	                         .unknown = &unknown};
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run, &req, &run_id, &active, &applied_by), 5);
	cr_expect_eq(unknown.len, strlen("NOPE") + 1 + strlen("GONE") + 1);
	cr_expect_str_eq(sb_str(&unknown), "NOPE");
	sb_free(&unknown);
	struct plan_row plan;
	cr_assert_eq(store_plan_get(s, plan_run, &plan), 1);
	cr_expect_eq(plan.excluded, 0);
	cr_expect_eq(plan.applied_run, 0);
	/* Every item excluded: nothing to apply. */
	req.select = PLAN_SELECT_EXCEPT;
	char *all[] = {"C1", "U1", "R1"};
	req.skus = all;
	cr_expect_eq(store_plan_enqueue_apply(s, plan_run, &req, &run_id, &active, &applied_by), 6);
	req.select = PLAN_SELECT_ONLY;
	req.nskus = 1;
	cr_assert_eq(store_plan_enqueue_apply(s, plan_run, &req, &run_id, &active, &applied_by), 0);
	cr_assert_eq(store_plan_get(s, plan_run, &plan), 1);
	cr_expect_eq(plan.excluded, 2, "U1 and R1 left out");
	cr_expect_eq(plan.applied_run, run_id);
}
