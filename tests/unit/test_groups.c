/* Grouped rows (issue 13): a connection's groups and their variants, and the parent derived from them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_groups.h"
#include "core/util.h"
#include "engine/catalog.h"
#include "dest/woo_variations.h"
#include "engine/group_parent.h"
#include "engine/run.h"
#include "store_test.h"

static char dir[] = "/tmp/fs-groups-XXXXXX";
static struct store *s;
static int64_t conn_id;

static void setup(void)
{
	s = test_store_open(dir, &conn_id);
}

static void teardown(void)
{
	test_store_remove(s, dir, "/tmp/fs-groups-XXXXXX");
}

TestSuite(groups, .init = setup, .fini = teardown);

struct row {
	const char *sku, *parent, *name, *price, *size, *colour, *brand;
};

/* One run that puts rows into the catalog as the pipeline does, through catalog_put. */
static void import(const struct row *rows, size_t n)
{
	int64_t run_id;
	struct run_row active, claimed;
	cr_assert_eq(store_run_enqueue(s, conn_id, "manual", 0, 1, false, &run_id, &active), 0);
	cr_assert_eq(store_run_claim(s, "test", run_id, &claimed), 1);
	struct config cfg;
	config_defaults(&cfg);
	struct run_ctx ctx;
	run_ctx_init(&ctx, s, &cfg, run_id, conn_id);
	ctx.quiet = true;
	char err[256];
	struct catalog *c = catalog_open(&ctx, err, sizeof(err));
	cr_assert_not_null(c, "%s", err);
	for (size_t i = 0; i < n; i++) {
		struct product p = {0};
		product_set(&p, PF_SKU, rows[i].sku);
		if (rows[i].parent)
			product_set(&p, GROUP_PARENT_FIELD, rows[i].parent);
		if (rows[i].name)
			product_set(&p, PF_NAME, rows[i].name);
		if (rows[i].price)
			product_set(&p, PF_REGULAR_PRICE, rows[i].price);
		if (rows[i].size)
			product_set(&p, GROUP_OPTION_PREFIX "size", rows[i].size);
		if (rows[i].colour)
			product_set(&p, GROUP_OPTION_PREFIX "colour", rows[i].colour);
		if (rows[i].brand)
			product_set(&p, "brand", rows[i].brand);
		p.line = (long)i + 2;
		long first = 0, first_item = 0;
		catalog_put(c, &p, &first, &first_item);
		product_free(&p);
	}
	catalog_close(c);
	run_finish(&ctx, RUN_COMPLETED, "done");
}

static const struct row TEES[] = {
	{"TEE-R-S", "TEE", "Tee Red S", "10.00", "S", "Red", "Acme"},
	{"TEE-R-M", "TEE", "Tee Red M", "12.50", "M", "Red", "Acme"},
	{"TEE-B-M", "TEE", "Tee Blue M", "11", "M", "Blue", "Acme"},
	{"MUG", NULL, "Mug", "5", NULL, NULL, "Acme"},
	{"CAP-1", "CAP", "Cap", "7", "One", NULL, "Other"},
};

struct collected {
	char skus[8][32];
	size_t n;
	struct group_parent parent;
};

static void collect(void *ud, const struct group_variant *v)
{
	struct collected *c = ud;
	cr_assert_lt(c->n, ARRAY_LEN(c->skus));
	snprintf(c->skus[c->n++], sizeof(c->skus[0]), "%s", v->sku);
	char err[256];
	cr_assert_eq(group_parent_add(&c->parent, v, err, sizeof(err)), 0, "%s", err);
}

Test(groups, a_group_streams_its_variants_in_sku_order_and_no_other_product)
{
	import(TEES, ARRAY_LEN(TEES));
	struct collected c = {0};
	group_parent_init(&c.parent);
	cr_assert_eq(store_group_variants_each(s, conn_id, "TEE", collect, &c), 0);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.skus[0], "TEE-B-M");
	cr_assert_str_eq(c.skus[1], "TEE-R-M");
	cr_assert_str_eq(c.skus[2], "TEE-R-S");
	group_parent_free(&c.parent);
}

Test(groups, the_parent_is_derived_from_its_variants)
{
	import(TEES, ARRAY_LEN(TEES));
	struct collected c = {0};
	group_parent_init(&c.parent);
	cr_assert_eq(store_group_variants_each(s, conn_id, "TEE", collect, &c), 0);
	struct group_parent *p = &c.parent;
	cr_assert_eq(p->variants, 3);
	cr_assert_str_eq(p->name, "Tee");
	cr_assert(p->has_price);
	cr_assert_float_eq(p->price_min, 10.0, 1e-9);
	cr_assert_float_eq(p->price_max, 12.5, 1e-9);
	char *shared = cJSON_PrintUnformatted(p->shared);
	cr_assert_str_eq(shared, "{\"brand\":\"Acme\"}", "shared: %s", shared);
	free(shared);
	char *options = cJSON_PrintUnformatted(p->options);
	cr_assert_str_eq(options, "{\"colour\":[\"Blue\",\"Red\"],\"size\":[\"M\",\"S\"]}", "options: %s", options);
	free(options);
	group_parent_free(p);
}

Test(groups, a_field_one_variant_gives_otherwise_is_not_shared)
{
	struct group_parent p;
	group_parent_init(&p);
	char err[256];
	struct group_variant a = {.sku = "A", .name = "Lamp", .data = "{\"brand\":\"X\",\"weight\":\"1\"}"};
	struct group_variant b = {.sku = "B", .name = "Lamp", .data = "{\"brand\":\"Y\",\"weight\":\"1\"}"};
	struct group_variant c = {.sku = "C", .name = "Lamp", .data = "{\"brand\":\"X\"}"};
	cr_assert_eq(group_parent_add(&p, &a, err, sizeof(err)), 0);
	cr_assert_eq(group_parent_add(&p, &b, err, sizeof(err)), 0);
	cr_assert_eq(cJSON_GetArraySize(p.shared), 1);
	cr_assert_eq(group_parent_add(&p, &c, err, sizeof(err)), 0);
	cr_assert_eq(cJSON_GetArraySize(p.shared), 0);
	cr_assert_str_eq(p.name, "Lamp");
	cr_assert_not(p.has_price);
	group_parent_free(&p);
}

Test(groups, names_sharing_no_whole_word_keep_the_first_variants_name)
{
	struct group_parent p;
	group_parent_init(&p);
	char err[256];
	struct group_variant a = {.sku = "A", .name = "Teapot", .data = "{}"};
	struct group_variant b = {.sku = "B", .name = "Tea set", .data = "{}"};
	cr_assert_eq(group_parent_add(&p, &a, err, sizeof(err)), 0);
	cr_assert_eq(group_parent_add(&p, &b, err, sizeof(err)), 0);
	cr_assert_str_eq(p.name, "Teapot");
	group_parent_free(&p);
}

Test(groups, a_variant_whose_data_is_not_an_object_is_named_in_the_error)
{
	struct group_parent p;
	group_parent_init(&p);
	char err[256];
	struct group_variant v = {.sku = "BROKEN-1", .data = "[1]"};
	cr_assert_eq(group_parent_add(&p, &v, err, sizeof(err)), -1);
	cr_assert(strstr(err, "BROKEN-1"), "%s", err);
	group_parent_free(&p);
}

struct group_seen {
	char list[256];
};

static void list_group(void *ud, const char *parent_sku, int64_t variants)
{
	struct group_seen *g = ud;
	size_t len = strlen(g->list);
	snprintf(g->list + len, sizeof(g->list) - len, "%s=%lld ", parent_sku, (long long)variants);
}

Test(groups, groups_are_listed_with_their_live_variant_counts)
{
	import(TEES, ARRAY_LEN(TEES));
	struct group_seen g = {{0}};
	cr_assert_eq(store_groups_each(s, conn_id, list_group, &g), 0);
	cr_assert_str_eq(g.list, "CAP=1 TEE=3 ");
}

Test(groups, a_retired_variant_leaves_its_group_and_an_emptied_group_counts_zero)
{
	import(TEES, ARRAY_LEN(TEES));
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(store_db(s),
	                                "UPDATE products SET retired_at = 1 WHERE sku IN ('CAP-1', 'TEE-R-S')", &st), SQLDB_OK);
	cr_assert_eq(sqldb_step(st), SQLDB_DONE);
	sqldb_finalize(st);
	struct group_seen g = {{0}};
	cr_assert_eq(store_groups_each(s, conn_id, list_group, &g), 0);
	cr_assert_str_eq(g.list, "CAP=0 TEE=2 ");
	struct collected c = {0};
	group_parent_init(&c.parent);
	cr_assert_eq(store_group_variants_each(s, conn_id, "TEE", collect, &c), 0);
	cr_assert_eq(c.n, 2);
	group_parent_free(&c.parent);
}

Test(groups, the_variant_lookup_walks_the_parent_index)
{
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(store_db(s),
	                                "EXPLAIN QUERY PLAN SELECT sku FROM products WHERE connection_id = 1"
	                                " AND parent_sku = 'TEE' ORDER BY sku", &st), SQLDB_OK);
	bool indexed = false;
	while (sqldb_step(st) == SQLDB_ROW)
		indexed |= strstr((const char *)sqldb_column_text(st, 3), "products_by_parent") != NULL;
	sqldb_finalize(st);
	cr_assert(indexed);
}

/* The WooCommerce parent (dest/woo_variations.h): a variable product with the shared fields and every option. */
Test(groups, the_woocommerce_parent_is_a_variable_product_declaring_its_options)
{
	import(TEES, ARRAY_LEN(TEES));
	char *data = NULL, *attributes = NULL, err[256];
	cr_assert_eq(woo_parent_build(s, conn_id, "TEE", NULL, &data, &attributes, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(data, "{\"brand\":\"Acme\",\"sku\":\"TEE\",\"name\":\"Tee\",\"type\":\"variable\"}");
	cr_assert_str_eq(attributes, "\"attributes\":[{\"name\":\"colour\",\"options\":[\"Blue\",\"Red\"],\"variation\":true,"
	                 "\"visible\":true},{\"name\":\"size\",\"options\":[\"M\",\"S\"],\"variation\":true,\"visible\":true}]");
	free(data);
	free(attributes);
	cr_assert_eq(woo_parent_build(s, conn_id, "NONE", NULL, &data, &attributes, err, sizeof(err)), 1, "no live variant");
}
