/*
 * The Shopify destination's push through the GraphQL Admin API (dest/shopify_api.h). Products are taken in
 * chunks: the SKUs the remote_products cache does not know are found with one productVariants search per
 * chunk, each product is written with productSet, and the chunk's stock goes in one inventorySetQuantities.
 * Every request waits for the shop's cost bucket (dest/cost_bucket.h) before it is sent.
 *
 * A productSet that creates is fenced before it is sent (core/store_fence.h): Shopify lets two variants hold
 * one SKU, and a shop goes on with a request whose client died, so a SKU another run fenced is looked up only
 * once that fence has ended.
 *
 * Grouped rows (core/store_groups.h) are one product each: their variants wait for the commit, then each group is
 * written with one productSet naming every variant the product keeps (productSet deletes the others), new
 * variants fenced under their SKUs; their stock goes in one inventorySetQuantities per chunk, several groups'
 * together. A variant still held by another product leaves it first: Shopify never moves a variant.
 *
 * A run pushing at least the shop's bulk_above products (grouped rows counted) writes the productSets of its
 * single products as the lines of one bulk mutation instead (dest/shopify_bulk.h), claimed with the first of
 * them: lookups and stock-only updates go as above, the rest when the push commits; a bulk operation an earlier
 * run left is read before anything is pushed. Groups stay synchronous, written once the operation has ended: a
 * group's productSet depends on what the shop holds when it is sent (the variants that must leave another
 * product first, those the product keeps) and its answer records every variant and the group's own row at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/store_dest.h"
#include "core/store_fence.h"
#include "core/store_groups.h"
#include "core/store_limits.h"
#include "core/store_plan.h"
#include "core/store_products.h"
#include "core/util.h"
#include "dest/dest.h"
#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/probe.h"
#include "dest/push_hooks.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "dest/shopify_bulk.h"
#include "dest/shopify_input.h"
#include "dest/shopify_meter.h"
#include "dest/woo_variations.h"

/* Documented costs (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): a mutation 10, the
 * primary location one object. */
#define MUTATION_COST 10
#define LOCATION_COST 1
/* THROTTLED answers in a row before the request fails: the bucket's wait has then been wrong every time. */
#define THROTTLED_TRIES 5
/* SKUs per productVariants search: Shopify returns 250 nodes at most; a search of a bucket still unknown (the
 * first request of the process) asks for few, so that it fits the smallest plan's bucket. */
#define LOOKUP_MAX 250
#define LOOKUP_UNKNOWN_BUCKET 25

static const char variants_document[] =
	"query FeedsyncVariantsBySku($query: String!, $first: Int!) { productVariants(first: $first, query: $query) "
	"{ nodes { id sku inventoryItem { id } product { id status } } } }";
/* The objects each node of variants_document selects: the variant, its inventoryItem and its product. */
#define VARIANT_NODE_OBJECTS 3
static const char product_set_document[] =
	"mutation FeedsyncProductSet($input: ProductSetInput!, $synchronous: Boolean!) { productSet(input: $input, "
	"synchronous: $synchronous) { product { id variants(first: 1) { nodes { id sku inventoryItem { id } } } } "
	"userErrors { field message code } } }";
/* A group's product: every variant comes back (up to GROUP_MAX) for the cache. */
static const char group_set_document[] =
	"mutation FeedsyncGroupSet($input: ProductSetInput!, $synchronous: Boolean!, $first: Int!) { productSet(input: "
	"$input, synchronous: $synchronous) { product { id variants(first: $first) { nodes { id sku inventoryItem { id } "
	"} } } userErrors { field message code } } }";
/* The objects each variant node of group_set_document selects: the variant and its inventoryItem. */
#define GROUP_NODE_OBJECTS 2
/* Variants of one group feedsync writes: the most one answer lists (Shopify takes 2048 a product); a bigger
 * group fails. */
#define GROUP_MAX LOOKUP_MAX
/* A variant that leaves a product (it moved to another group): the product keeps its other variants
 * (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/productVariantsBulkDelete). */
static const char variants_delete_document[] =
	"mutation FeedsyncVariantsDelete($productId: ID!, $variantsIds: [ID!]!) { productVariantsBulkDelete(productId: "
	"$productId, variantsIds: $variantsIds) { product { id } userErrors { field message code } } }";
static const char delete_document[] =
	"mutation FeedsyncProductDelete($input: ProductDeleteInput!) { productDelete(input: $input) "
	"{ deletedProductId userErrors { field message code } } }";
static const char inventory_document[] =
	"mutation FeedsyncInventorySet($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) "
	"{ inventoryAdjustmentGroup { id } userErrors { field message code } } }";

struct item {
	char *sku, *data;
	int64_t hash;
	bool returning;              /* back from retirement: every field is sent, and a draft is published */
	enum missing_action retire;  /* MISSING_NONE for a push */
	int64_t product, variant, inventory;   /* the numbers of its GIDs in the shop; 0 unknown */
	bool recheck;                /* another run fenced its SKU: looked up afresh, then that fence goes */
	bool done;                   /* counted: failed, skipped, or recorded */
	bool stock_pending;          /* written; its stock is still to be set */
	bool in_bulk;                /* its productSet is a line of the bulk operation: recorded from its result */
	long stock;
	bool creating;               /* not in the shop when it was written */
	bool in_sync;                /* a variant of a group this run writes, not pushed itself: named, unchanged */
	bool cached;                 /* its ids came from the cache */
};

/* A group whose variants this run pushes (core/store_groups.h): one product in the shop. */
struct group_ref {
	char *sku;                   /* its parent SKU */
	char *own;                   /* a feed row of the parent SKU's own: its fields over the derived ones */
	int64_t own_hash;
	bool republish;              /* a variant is back from retirement: a draft product is published */
};

struct pending_variant {
	char *sku;
	int64_t hash;
};

struct shopify {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct shop shop;
	struct shopify_site site;
	struct http_client *http;
	char *endpoint;
	struct probe p;
	struct phase_stop stop;
	struct push_hooks hooks;
	struct item *queue;
	size_t n;
	char *location;              /* the GID inventory goes to, once resolved */
	struct push_fence *fences;   /* other runs' creates that may still be executing, by lower-cased SKU */
	size_t nfences;
	int64_t fence_ms;
	char *const *fencing;        /* the SKUs of the create being sent */
	size_t nfencing;
	int64_t created, updated, failed;
	struct group_ref *groups;
	size_t ngroups;
	struct pending_variant *variants;   /* the variants pushed, written with their groups at the commit */
	size_t nvariants;
	char **absent;               /* variants searched before their groups were written, not found: not searched
	                              * again (sorted) */
	size_t nabsent;
	struct item *stocked;        /* variants written with their groups, their stock still to set: many groups' in
	                              * one inventorySetQuantities */
	size_t nstocked;
	char **parent_skus;          /* the connection's groups, in order */
	size_t nparent_skus;
	struct shopify_meter meter;
	struct shopify_bulk_session bulk_session;
	bool bulk_wanted;            /* the run is big enough: the bulk push is claimed with the first single products */
	struct shopify_bulk *bulk;   /* NULL: the push is synchronous */
};

static const cJSON *path_of(const cJSON *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		o = cJSON_GetObjectItemCaseSensitive(o, *keys);
	return o;
}

/* The number ending a GID, "gid://shopify/Product/42" → 42; 0 when it has none. */
static int64_t gid_number(const char *gid)
{
	const char *slash = gid ? strrchr(gid, '/') : NULL;
	return slash ? strtoll(slash + 1, NULL, 10) : 0;
}

static void gid_text(char *buf, size_t size, const char *kind, int64_t n)
{
	snprintf(buf, size, "gid://shopify/%s/%lld", kind, (long long)n);
}

/* ---- requests ---- */

/* Waits until `cost` fits the shop's bucket; false (the phase stopped) when it never can or the run stops. */
static bool pace(struct shopify *s, double cost)
{
	int rc = shopify_meter_pace(&s->meter, cost, s->p.req.elapsed_ms);
	if (rc == METER_NEVER_FITS)
		phase_stop(&s->stop, s->http, NULL, "a request costing %.0f points never fits the cost bucket of "
		           "'%s' (its maximum is smaller): nothing more was pushed", cost, s->shop.name);
	return rc == METER_SEND;
}

/* The largest search of SKUs that fits the shop's bucket. */
static size_t lookup_chunk(struct shopify *s)
{
	return (size_t)shopify_meter_fit(&s->meter, shopify_connection_cost(0, VARIANT_NODE_OBJECTS), VARIANT_NODE_OBJECTS,
	                                 LOOKUP_MAX, LOOKUP_UNKNOWN_BUCKET);
}

/* The create of s->fencing lasts until fence_ms after a send `in_ms` from now (written again before each send:
 * the bucket and the client's backoff may delay it past the first fence's end). */
static void fence_create(struct shopify *s, int64_t in_ms)
{
	for (size_t i = 0; i < s->nfencing; i++)
		if (store_fence_put(s->ctx->store, s->shop.id, s->fencing[i], s->ctx->run_id,
		                    now_ms() + in_ms + s->fence_ms) < 0)
			run_log(s->ctx, LOG_WARN, "the fence of %s's create cannot be extended: %s", s->fencing[i],
			        store_errmsg(s->ctx->store));
}

static void on_retry(void *ud, const struct http_request *r, int64_t delay_ms)
{
	(void)r;
	fence_create(ud, delay_ms);
}

/* Runs one operation (fence_skus: a create of those SKUs, fenced before each send and not retried once it may
 * have executed), waiting out THROTTLED answers and retrying transient failures; its data, or NULL with the phase
 * stopped or `why` set (a refusal of this request only). */
static const cJSON *ask_as(struct shopify *s, const char *document, const char *name, cJSON *variables,
                           double cost, char *const *fence_skus, size_t nfence, char *why, size_t why_size)
{
	char *body = shopify_request_text(document, name, variables);
	const cJSON *data = NULL;
	*why = 0;
	for (int tries = 0; tries < THROTTLED_TRIES && !data && !*why; tries++) {
		if (!pace(s, cost))
			break;
		s->fencing = fence_skus;
		s->nfencing = nfence;
		fence_create(s, 0);
		probe_retrying(s->http, &s->p, "POST", s->endpoint, body, nfence > 0, s->ctx);
		s->nfencing = 0;
		const struct http_request *r = &s->p.req;
		shopify_meter_learn(&s->meter, r->json);
		char code[64], message[400], outcome[200];
		bool refused = shopify_answer_error(r->json, code, sizeof(code), message, sizeof(message));
		if (refused && str_eq(code, "THROTTLED")) {
			/* The bucket learnt the shop's numbers; the next pace waits for what the shop says the request costs. */
			const cJSON *asked = path_of(r->json, (const char *const[]){"extensions", "cost", "requestedQueryCost", NULL});
			if (cJSON_IsNumber(asked) && asked->valuedouble > cost)
				cost = asked->valuedouble;
			continue;
		}
		if (r->outcome != HTTP_DONE || r->status != 200 || refused) {
			if (!refused)
				snprintf(message, sizeof(message), "%s", http_outcome_text(r, outcome, sizeof(outcome)));
			phase_stop(&s->stop, s->http, NULL, "'%s' refused %s: %s%s%s (HTTP %ld); nothing more was pushed",
			           s->shop.name, name, refused ? code : "", refused && *code ? ": " : "", message, r->status);
			break;
		}
		data = cJSON_GetObjectItemCaseSensitive(r->json, "data");
	}
	if (!data && !*why && !phase_stopped(&s->stop) && !run_should_stop(s->ctx))
		snprintf(why, why_size, "%s was throttled %d times in a row", name, THROTTLED_TRIES);
	free(body);
	return data;
}

/* A request that creates nothing. */
static const cJSON *ask(struct shopify *s, const char *document, const char *name, cJSON *variables, double cost,
                        char *why, size_t why_size)
{
	return ask_as(s, document, name, variables, cost, NULL, 0, why, why_size);
}

static bool going_on(struct shopify *s)
{
	return !phase_stopped(&s->stop) && !run_should_stop(s->ctx);
}

/* ---- outcomes ---- */

static void fail_item(struct shopify *s, struct item *it, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_item(struct shopify *s, struct item *it, const char *code, const char *fmt, ...)
{
	char message[800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	struct run_error_info info = {.sku = it->sku, .code = code};
	run_error(s->ctx, &info, "%s", message);
	if (it->retire) {
		run_add(s->ctx, RC_RETIRE_FAILED, 1);
	} else {
		run_add(s->ctx, RC_PUSH_FAILED, 1);
		run_add(s->ctx, RC_PUSH_PROCESSED, 1);
	}
	s->failed++;
	it->done = true;
	it->stock_pending = false;
}

/* The first userError as the item's failure, "field.path: message"; true when there was one. */
static bool user_errors(struct shopify *s, struct item *it, const cJSON *e)
{
	if (!e)
		return false;
	struct strbuf where = {0};
	const cJSON *part;
	cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(e, "field"))
		sb_addf(&where, "%s%s", sb_str(&where)[0] ? "." : "", cJSON_IsString(part) ? part->valuestring : "?");
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
	fail_item(s, it, code ? code : "userError", "'%s' refused product %s: %s%s%s", s->shop.name, it->sku,
	          sb_str(&where), sb_str(&where)[0] ? ": " : "", message ? message : "?");
	sb_free(&where);
	return true;
}

/* The product, its variant and inventory item as the shop holds them: into the cache, so the next push needs no
 * lookup. */
static void remember(struct shopify *s, const struct item *it)
{
	struct remote_product rp = {.remote_id = it->product, .pushed_hash = it->hash, .variant_id = it->variant,
	                            .inventory_id = it->inventory};
	if (store_remote_put(s->ctx->store, s->shop.id, it->sku, &rp, now_ms()) < 0)
		run_log(s->ctx, LOG_WARN, "product %s reached '%s' but its ids cannot be recorded: %s", it->sku,
		        s->shop.name, store_errmsg(s->ctx->store));
}

/* Everything the product of connection `conn` needed reached the shop. */
static void record_in(struct shopify *s, int64_t conn, struct item *it, bool created)
{
	if (store_product_set_pushed(s->ctx->store, conn, it->sku, it->hash) < 0)
		run_log(s->ctx, LOG_WARN, "product %s reached '%s' but cannot be recorded: %s", it->sku, s->shop.name,
		        store_errmsg(s->ctx->store));
	if (created)
		s->created++;
	else
		s->updated++;
	run_add(s->ctx, RC_PUSH_PROCESSED, 1);
	it->done = true;
}

static void record(struct shopify *s, struct item *it, bool created)
{
	record_in(s, s->ctx->connection_id, it, created);
}

/* ---- fences: creates that may still be executing in the shop ---- */

/* The chunk's SKUs that other runs fenced are looked up once those fences are answered or their time is up. */
static void wait_for_fences(struct shopify *s)
{
	if (!s->nfences)
		return;
	bool *wanted = xcalloc(s->nfences, sizeof(*wanted));
	for (size_t i = 0; i < s->n; i++) {
		const struct push_fence *f = push_fence_find(s->fences, s->nfences, s->queue[i].sku);
		if (!f)
			continue;
		s->queue[i].recheck = true;
		wanted[f - s->fences] = true;
	}
	phase_wait_for_fences(s->ctx, s->shop.name, s->shop.id, s->fences, s->nfences, wanted, "products",
	                      "they are looked up in the shop");
	free(wanted);
}

/* Other runs' fences whose SKUs were looked up afresh have done their work; so have those ended on SKUs this run
 * does not push, as any SKU the cache does not know is looked up before it is created. */
static void drop_fences(struct shopify *s, bool ended_too)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->queue[i].recheck)
			store_fence_drop_others(s->ctx->store, s->shop.id, s->queue[i].sku, s->ctx->run_id);
	for (size_t i = 0; ended_too && i < s->nfences; i++)
		if (s->fences[i].until_ms && s->fences[i].until_ms <= now_ms()) /* 0: gone already */
			store_fence_drop_others(s->ctx->store, s->shop.id, s->fences[i].sku, s->ctx->run_id);
}

/* ---- finding SKUs ---- */

static void from_cache(struct shopify *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->queue[i];
		struct remote_product rp = {0};
		if (it->recheck || store_remote_get(s->ctx->store, s->shop.id, it->sku, &rp) != 1)
			continue;
		/* A row from before variants were cached is looked up again for them. */
		if (rp.remote_id > 0 && rp.variant_id > 0 && rp.inventory_id > 0) {
			it->product = rp.remote_id;
			it->variant = rp.variant_id;
			it->inventory = rp.inventory_id;
			it->cached = true;
		}
	}
}

static int sku_order(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

static struct item *item_of(struct item **v, size_t n, const char *sku)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(v[i]->sku, sku))
			return v[i];
	return NULL;
}

/* One search for these SKUs; the nodes it returned, or -1. */
static int search(struct shopify *s, struct item **v, size_t n)
{
	char **skus = xcalloc(n, sizeof(*skus));
	for (size_t i = 0; i < n; i++)
		skus[i] = v[i]->sku;
	char *query = shopify_sku_query(skus, n);
	free(skus);
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddStringToObject(vars, "query", query);
	cJSON_AddNumberToObject(vars, "first", (double)n);
	free(query);
	char why[200];
	const cJSON *data = ask(s, variants_document, "FeedsyncVariantsBySku", vars,
	                        shopify_connection_cost((int)n, VARIANT_NODE_OBJECTS), why, sizeof(why));
	if (!data) {
		for (size_t i = 0; *why && i < n; i++)
			fail_item(s, v[i], "THROTTLED", "%s", why);
		return -1;
	}
	int got = 0;
	const cJSON *node;
	cJSON_ArrayForEach(node, path_of(data, (const char *const[]){"productVariants", "nodes", NULL})) {
		got++;
		struct item *it = item_of(v, n, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "sku")));
		if (!it || it->product) /* a SKU two variants hold already: the first is kept */
			continue;
		it->product = gid_number(cJSON_GetStringValue(path_of(node, (const char *const[]){"product", "id", NULL})));
		it->variant = gid_number(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "id")));
		it->inventory = gid_number(cJSON_GetStringValue(path_of(node, (const char *const[]){"inventoryItem", "id", NULL})));
	}
	return got;
}

/* The SKUs the cache does not know, searched in chunks that fit the bucket. A full page may have left SKUs out
 * (a SKU two variants hold takes two nodes): those go into the next search. False when the phase stopped. */
static bool look_up(struct shopify *s)
{
	struct item **want = xcalloc(s->n ? s->n : 1, sizeof(*want));
	size_t nwant = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!s->queue[i].product &&
		    !bsearch_or_null(s->queue[i].sku, s->absent, s->nabsent, sizeof(char *), sku_order))
			want[nwant++] = &s->queue[i];
	size_t at = 0;
	while (at < nwant && going_on(s)) {
		size_t n = lookup_chunk(s);
		if (n > nwant - at)
			n = nwant - at;
		int got = search(s, want + at, n);
		if (got < 0)
			break;
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			if (want[at + i]->product) {
				struct item *t = want[at + found];
				want[at + found++] = want[at + i];
				want[at + i] = t;
			}
		at += (size_t)got < n || !found ? n : found;
	}
	free(want);
	return going_on(s);
}

/* ---- writing ---- */

/* A productSet's answer (data.productSet): the item's ids, or its first userError as its failure; false then. */
static bool set_answer(struct shopify *s, struct item *it, const cJSON *set)
{
	if (user_errors(s, it, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(set, "userErrors"), 0)))
		return false;
	const cJSON *product = cJSON_GetObjectItemCaseSensitive(set, "product");
	it->product = gid_number(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, "id")));
	const cJSON *node;
	cJSON_ArrayForEach(node, path_of(product, (const char *const[]){"variants", "nodes", NULL}))
		if (str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "sku")), it->sku)) {
			it->variant = gid_number(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "id")));
			it->inventory = gid_number(cJSON_GetStringValue(path_of(node, (const char *const[]){"inventoryItem", "id", NULL})));
		}
	return true;
}

/* The productSet of an item as a line of the bulk operation; a create's stock rides in it (its inventory item
 * does not exist before), an update's goes with the chunk's inventorySetQuantities. */
static void bulk_item(struct shopify *s, struct item *it, cJSON *input, bool creating)
{
	cJSON *variant = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(input, "variants"), 0);
	if (creating && it->stock_pending && variant) {
		cJSON *q = cJSON_CreateObject();   /* ProductSetInventoryInput */
		cJSON_AddStringToObject(q, "locationId", s->location);
		cJSON_AddStringToObject(q, "name", "available");
		cJSON_AddNumberToObject(q, "quantity", (double)it->stock);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(variant, "inventoryQuantities"), q);
		it->stock_pending = false;
	}
	it->in_bulk = shopify_bulk_add(s->bulk, it->sku, it->hash, creating, input);
	if (!it->in_bulk)
		it->stock_pending = false;
}

/* productSet of one product; the item's stock is then pending unless it failed. */
static void write_item(struct shopify *s, struct item *it)
{
	bool creating = !it->product;
	if (it->done)
		return;
	if (creating && !s->conn->create_missing) {
		run_add(s->ctx, RC_PUSH_PROCESSED, 1);
		it->done = true;
		return;
	}
	char *const *update_fields = creating || it->returning ? NULL : s->conn->update_fields;
	cJSON *fields = cJSON_Parse(it->data ? it->data : "{}");
	char err[200];
	int stock = shopify_stock(fields, update_fields, &it->stock, err, sizeof(err));
	char pgid[96], vgid[96];
	gid_text(pgid, sizeof(pgid), "Product", it->product);
	gid_text(vgid, sizeof(vgid), "ProductVariant", it->variant);
	cJSON *input = stock < 0 ? NULL : shopify_set_input(creating ? NULL : pgid, it->variant ? vgid : NULL, it->sku,
	                                                     fields, update_fields);
	cJSON_Delete(fields);
	if (stock < 0) {
		fail_item(s, it, "bad_value", "product %s: %s", it->sku, err);
		return;
	}
	it->stock_pending = stock == 1;
	if (!input)
		return; /* an update of the stock alone */
	if (it->returning && !creating)
		cJSON_AddStringToObject(input, "status", "ACTIVE"); /* a draft is published again */
	int64_t fence_ms = s->bulk ? SHOPIFY_BULK_PATIENCE_MS + s->fence_ms : s->fence_ms;
	if (creating && store_fence_put(s->ctx->store, s->shop.id, it->sku, s->ctx->run_id, now_ms() + fence_ms) < 0) {
		cJSON_Delete(input);
		fail_item(s, it, "store", "product %s was not created: its create cannot be fenced (%s)", it->sku,
		          store_errmsg(s->ctx->store));
		return;
	}
	if (s->bulk) {
		bulk_item(s, it, input, creating);
		return;
	}
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddItemToObject(vars, "input", input);
	cJSON_AddBoolToObject(vars, "synchronous", true);
	char why[200];
	const cJSON *data = ask_as(s, product_set_document, "FeedsyncProductSet", vars, MUTATION_COST, &it->sku,
	                           creating, why, sizeof(why));
	/* A create without an answer may still be executing in the shop: its fence stays for later runs. */
	if (creating && !s->p.req.maybe_executed)
		store_fence_drop(s->ctx->store, s->shop.id, it->sku, s->ctx->run_id);
	if (!data) {
		if (*why)
			fail_item(s, it, "THROTTLED", "%s", why);
		it->stock_pending = false;
		return;
	}
	if (set_answer(s, it, cJSON_GetObjectItemCaseSensitive(data, "productSet")))
		remember(s, it);
}

/* The location inventory goes to: the one the destination names (a GID as it is, a name among the shop's), else
 * the shop's primary location. False with the phase stopped when it cannot be found. */
static bool resolve_location(struct shopify *s)
{
	if (s->location)
		return true;
	const char *wanted = s->site.location;
	if (wanted && str_starts_with(wanted, "gid://shopify/Location/")) {
		s->location = xstrdup(wanted);
		return true;
	}
	char why[200];
	const cJSON *data = wanted
		? ask(s, shopify_locations_document, "FeedsyncLocations", NULL, shopify_connection_cost(250, 1), why,
		      sizeof(why))
		: ask(s, shopify_primary_location_document, "FeedsyncPrimaryLocation", NULL, LOCATION_COST, why,
		      sizeof(why));
	const cJSON *loc = wanted ? shopify_find_location(path_of(data, (const char *const[]){"locations", "nodes", NULL}),
	                                                  wanted)
	                          : cJSON_GetObjectItemCaseSensitive(data, "location");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(loc, "id"));
	if (id) {
		s->location = xstrdup(id);
		return true;
	}
	if (going_on(s))
		phase_stop(&s->stop, s->http, NULL, "'%s' has no location %s%s%s for the stock%s%s (see `feedsync dest test`); "
		           "nothing more was pushed", s->shop.name, wanted ? "'" : "primary", wanted ? wanted : "",
		           wanted ? "'" : "", *why ? ": " : "", why);
	return false;
}

/* The index a userError of inventorySetQuantities names: field ["input", "quantities", "N", ...]. */
static int quantity_index(const cJSON *e)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
	const char *n = cJSON_GetStringValue(cJSON_GetArrayItem(f, 2));
	return n && str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(f, 1)), "quantities") ? atoi(n) : -1;
}

/*
 * The chunk's stock in one inventorySetQuantities. The mutation is atomic (one refused quantity sets none), so
 * the items it refuses fail and the rest are sent again once.
 */
static void set_stock(struct shopify *s)
{
	for (int round = 0; round < 2 && going_on(s); round++) {
		struct item **v = xcalloc(s->n ? s->n : 1, sizeof(*v));
		size_t n = 0;
		for (size_t i = 0; i < s->n; i++)
			if (s->queue[i].stock_pending && !s->queue[i].done)
				v[n++] = &s->queue[i];
		if (!n || !resolve_location(s)) {
			free(v);
			return;
		}
		cJSON *input = cJSON_CreateObject();
		cJSON_AddStringToObject(input, "name", "available");
		cJSON_AddStringToObject(input, "reason", "correction");
		cJSON_AddBoolToObject(input, "ignoreCompareQuantity", true);
		cJSON *quantities = cJSON_AddArrayToObject(input, "quantities");
		for (size_t i = 0; i < n; i++) {
			char gid[96];
			gid_text(gid, sizeof(gid), "InventoryItem", v[i]->inventory);
			cJSON *q = cJSON_CreateObject();
			cJSON_AddStringToObject(q, "inventoryItemId", gid);
			cJSON_AddStringToObject(q, "locationId", s->location);
			cJSON_AddNumberToObject(q, "quantity", (double)v[i]->stock);
			cJSON_AddItemToArray(quantities, q);
		}
		cJSON *vars = cJSON_CreateObject();
		cJSON_AddItemToObject(vars, "input", input);
		char why[200];
		const cJSON *data = ask(s, inventory_document, "FeedsyncInventorySet", vars, MUTATION_COST, why, sizeof(why));
		const cJSON *errors = path_of(data, (const char *const[]){"inventorySetQuantities", "userErrors", NULL});
		const cJSON *e;
		cJSON_ArrayForEach(e, errors) {
			int at = quantity_index(e);
			if (at >= 0 && (size_t)at < n && !v[at]->done)
				user_errors(s, v[at], e);
		}
		for (size_t i = 0; i < n; i++) {
			if (!data && *why)
				fail_item(s, v[i], "THROTTLED", "%s", why);
			else if (data && !cJSON_GetArraySize(errors))
				v[i]->stock_pending = false;
			else if (data && round == 1 && !v[i]->done)
				fail_item(s, v[i], "stock_refused", "'%s' refused the stock of %s with others' in one "
				          "inventorySetQuantities", s->shop.name, v[i]->sku);
		}
		free(v);
		if (!data || !cJSON_GetArraySize(errors))
			return;
	}
}

/* ---- the chunk ---- */

static void item_free(struct item *it)
{
	free(it->sku);
	free(it->data);
}

/* The queue's SKUs found in the shop: other runs' fences waited out, the cache read, the rest looked up. False
 * when the phase stopped. */
static bool find_queue(struct shopify *s)
{
	wait_for_fences(s);
	if (!going_on(s))
		return false;
	from_cache(s);
	if (!look_up(s))
		return false;
	drop_fences(s, false);
	return true;
}

/* The queue's stock, then each written item recorded; an item of a bulk line that failed meanwhile (its stock
 * refused) is marked so in the operation, the others are recorded from its result. */
static void finish_queue(struct shopify *s)
{
	set_stock(s);
	for (size_t i = 0; i < s->n && going_on(s); i++) {
		struct item *it = &s->queue[i];
		if (it->in_bulk && it->done)
			shopify_bulk_failed(s->bulk, it->sku);
		else if (!it->done && !it->in_sync && !it->stock_pending && it->product && !it->in_bulk)
			record(s, it, it->creating);
	}
}

static void clear_queue(struct shopify *s)
{
	for (size_t i = 0; i < s->n; i++)
		item_free(&s->queue[i]); /* what was not done stays pending */
	s->n = 0;
}

static const char *group_owning(struct shopify *s, int64_t product, const char *except);
static bool leave_other_product(struct shopify *s, struct item *it, const char *group);

static void flush(struct shopify *s)
{
	/* Not claimed at the open: a run of groups alone (synchronous) would hold the shop's bulk push for nothing. */
	if (s->bulk_wanted && s->n) {
		s->bulk_wanted = false;
		s->bulk = shopify_bulk_open(&s->bulk_session);
	}
	/* A bulk create's stock names the location in its line. */
	if (s->n && find_queue(s) && (!s->bulk || resolve_location(s))) {
		/* Bulk lines touch only the disk and the database: one transaction for the chunk's. */
		bool tx = s->bulk && !store_in_transaction(s->ctx->store) && store_begin(s->ctx->store) == 0;
		for (size_t i = 0; i < s->n && going_on(s); i++) {
			struct item *it = &s->queue[i];
			/* A productSet on a group's product naming this variant alone would delete the group's others. */
			if (it->product && group_owning(s, it->product, NULL) && !leave_other_product(s, it, NULL)) {
				it->done = true; /* failed, or the phase stopped: never recorded as pushed */
				continue;
			}
			it->creating = !it->product;
			write_item(s, it);
		}
		if (tx && store_commit(s->ctx->store) < 0)
			store_rollback(s->ctx->store);
		finish_queue(s);
	}
	clear_queue(s);
}

/* ---- groups: one product with options, one variant per row ---- */

static bool retire_with(struct shopify *s, struct item *it, const char *document, const char *name,
                        const char *root, cJSON *vars);

static int pending_order(const void *key, const void *v)
{
	return strcmp(key, ((const struct pending_variant *)v)->sku);
}

/* The group a product's fields name, NULL for a product in none; caller frees. */
static char *group_of(const char *data)
{
	cJSON *fields = cJSON_Parse(data ? data : "{}");
	const char *group = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, GROUP_PARENT_FIELD));
	char *out = group && *group ? xstrdup(group) : NULL;
	cJSON_Delete(fields);
	return out;
}

/* Products come in SKU order, so a group is mostly the last one noted. */
static struct group_ref *note_group(struct shopify *s, const char *sku)
{
	if (!s->ngroups || !str_eq(s->groups[s->ngroups - 1].sku, sku)) {
		s->groups = xrealloc(s->groups, (s->ngroups + 1) * sizeof(*s->groups));
		s->groups[s->ngroups++] = (struct group_ref){.sku = xstrdup(sku)};
	}
	return &s->groups[s->ngroups - 1];
}

struct loading {
	struct shopify *s;
	const char *leaving;         /* a variant retired now: left out */
	size_t over;                 /* live variants beyond GROUP_MAX */
};

/* A variant into the queue: one this run pushes with its hash, any other (a retired one the shop keeps too) as in
 * sync. */
static void load_variant(void *ud, const struct group_variant *v)
{
	struct loading *l = ud;
	struct shopify *s = l->s;
	if ((l->leaving && str_eq(v->sku, l->leaving)) || (v->retired && str_eq(v->retired, "delete")))
		return;
	if (s->n == GROUP_MAX) {
		l->over++;
		return;
	}
	const struct pending_variant *p = bsearch_or_null(v->sku, s->variants, s->nvariants, sizeof(*s->variants),
	                                                  pending_order);
	s->queue[s->n++] = (struct item){.sku = xstrdup(v->sku), .data = xstrdup(v->data ? v->data : "{}"),
	                                 .hash = p ? p->hash : 0, .in_sync = !p};
}

/* The product a cached row names, 0 when none does. */
static int64_t cached_product(struct shopify *s, const char *sku)
{
	struct remote_product rp = {0};
	return store_remote_get(s->ctx->store, s->shop.id, sku, &rp) == 1 && rp.remote_id > 0 ? rp.remote_id : 0;
}

/* The group (other than `except`) whose product this is, NULL when none of the connection's is. */
static const char *group_owning(struct shopify *s, int64_t product, const char *except)
{
	for (size_t i = 0; i < s->nparent_skus; i++)
		if (!str_eq(s->parent_skus[i], except) && cached_product(s, s->parent_skus[i]) == product)
			return s->parent_skus[i];
	return NULL;
}

/* The group's product: the one its cache row names, else the one holding a variant of its (found after a crash,
 * or a single product turned into the group's: it keeps its id and takes the group's options). 0: none yet. */
static int64_t group_product(struct shopify *s, const char *group)
{
	int64_t product = cached_product(s, group);
	for (size_t i = 0; i < s->n && !product; i++)
		if (s->queue[i].product && !group_owning(s, s->queue[i].product, group))
			product = s->queue[i].product;
	return product;
}

/* A variant held by another product leaves it first (Shopify never moves a variant between products): that
 * product is deleted when it was a single product, else the variant is deleted from it; the variant is then
 * created in its group's product, or as a single product of its own (group NULL). False when it could not leave:
 * it is then not to be written. */
static bool leave_other_product(struct shopify *s, struct item *it, const char *group)
{
	char pgid[96], vgid[96];
	gid_text(pgid, sizeof(pgid), "Product", it->product);
	gid_text(vgid, sizeof(vgid), "ProductVariant", it->variant);
	const char *owner = group_owning(s, it->product, group);
	cJSON *vars = cJSON_CreateObject();
	bool left;
	if (owner) {
		cJSON_AddStringToObject(vars, "productId", pgid);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(vars, "variantsIds"), cJSON_CreateString(vgid));
		left = retire_with(s, it, variants_delete_document, "FeedsyncVariantsDelete", "productVariantsBulkDelete",
		                   vars);
	} else {
		cJSON_AddStringToObject(cJSON_AddObjectToObject(vars, "input"), "id", pgid);
		left = retire_with(s, it, delete_document, "FeedsyncProductDelete", "productDelete", vars);
	}
	if (!left)
		return false;
	if (group)
		run_log(s->ctx, LOG_INFO, "'%s' moved to the group of '%s': deleted from %s%s%s, created in its product",
		        it->sku, group, owner ? "the product of '" : "its single product", owner ? owner : "",
		        owner ? "'" : "");
	else
		run_log(s->ctx, LOG_INFO, "'%s' left the group of '%s': deleted from its product, created as a product "
		        "of its own", it->sku, owner);
	store_remote_forget(s->ctx->store, s->shop.id, it->sku);
	it->product = it->variant = it->inventory = 0;
	it->cached = false;
	return true;
}

/* Every variant the group pushes fails with the shop's refusal of the whole (the mutation is atomic); the
 * refusal is logged too, for a retirement that rebuilt the group. */
static void group_refused(struct shopify *s, const char *group, const cJSON *e)
{
	const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
	const char *at = cJSON_GetStringValue(cJSON_GetArrayItem(field, 2));
	int index = at && str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(field, 1)), "variants") ? atoi(at) : -1;
	run_log(s->ctx, LOG_WARN, "'%s' refused the product of group %s: %s (variant %s)", s->shop.name, group,
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")),
	        index >= 0 && (size_t)index < s->n ? s->queue[index].sku : "?");
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->queue[i];
		if (it->done || it->in_sync)
			continue;
		if ((int)i == index)
			user_errors(s, it, e);
		else
			fail_item(s, it, "group_refused", "'%s' refused the product of %s's group with %s", s->shop.name,
			          it->sku, index >= 0 && (size_t)index < s->n ? s->queue[index].sku : "its other variants");
	}
}

/* The variants and their product as the shop answered: into the cache, the group's row naming the product. */
static void group_written(struct shopify *s, const char *group, const cJSON *product)
{
	int64_t id = gid_number(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, "id")));
	const cJSON *node;
	cJSON_ArrayForEach(node, path_of(product, (const char *const[]){"variants", "nodes", NULL})) {
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "sku"));
		for (size_t i = 0; i < s->n; i++) {
			struct item *it = &s->queue[i];
			if (!str_eq(it->sku, sku) || it->done)
				continue;
			int64_t variant = gid_number(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "id")));
			bool known = it->cached && it->product == id && it->variant == variant;
			it->product = id;
			it->variant = variant;
			it->inventory = gid_number(cJSON_GetStringValue(path_of(node, (const char *const[]){"inventoryItem", "id", NULL})));
			if (!known || !it->in_sync)
				remember(s, it);
		}
	}
	struct remote_product rp = {.remote_id = id};
	if (store_remote_put(s->ctx->store, s->shop.id, group, &rp, now_ms()) < 0)
		run_log(s->ctx, LOG_WARN, "the product of group %s reached '%s' but its id cannot be recorded: %s", group,
		        s->shop.name, store_errmsg(s->ctx->store));
}

/* The fields of the group's product: derived from its live variants, its own row's over them. */
static cJSON *group_fields(struct shopify *s, const struct group_ref *g)
{
	char *data = NULL, *attributes = NULL, err[400];
	int rc = woo_parent_build(s->ctx->store, s->ctx->connection_id, g->sku, g->own, &data, &attributes, err,
	                          sizeof(err));
	free(attributes);
	if (rc < 0)
		phase_stop(&s->stop, s->http, NULL, "%s", err);
	cJSON *fields = rc == 0 ? cJSON_Parse(data) : NULL;
	free(data);
	return fields ? fields : cJSON_CreateObject();
}

/*
 * One productSet of the group's product with every variant in the queue (those it does not name are deleted):
 * the variants that are new are fenced before it is sent. True when the shop took it.
 */
static bool write_group(struct shopify *s, const struct group_ref *g, int64_t product)
{
	bool creating = !product;
	char *const *uf = creating || g->republish ? NULL : s->conn->update_fields;
	cJSON *parent = group_fields(s, g);
	struct shopify_variant_in *vin = xcalloc(s->n, sizeof(*vin));
	cJSON **fields = xcalloc(s->n, sizeof(*fields));
	char (*vgid)[96] = xcalloc(s->n, sizeof(*vgid));
	char **fenced = xcalloc(s->n, sizeof(*fenced));
	size_t nfenced = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->queue[i];
		it->creating = !it->variant;
		fields[i] = cJSON_Parse(it->data);
		gid_text(vgid[i], sizeof(vgid[i]), "ProductVariant", it->variant);
		vin[i] = (struct shopify_variant_in){.sku = it->sku, .fields = fields[i], .changed = !it->in_sync,
		                                     .variant_gid = it->variant ? vgid[i] : NULL};
		char err[200];
		int stock = it->in_sync ? 0 : shopify_stock(fields[i], it->creating ? NULL : uf, &it->stock, err, sizeof(err));
		if (stock < 0)
			fail_item(s, it, "bad_value", "product %s: %s", it->sku, err); /* named still: it stays in the shop */
		it->stock_pending = stock == 1;
		if (it->creating)
			fenced[nfenced++] = it->sku;
	}
	char pgid[96];
	gid_text(pgid, sizeof(pgid), "Product", product);
	cJSON *input = shopify_group_input(creating ? NULL : pgid, parent, vin, s->n, uf);
	if (g->republish && !creating)
		cJSON_AddStringToObject(input, "status", "ACTIVE"); /* a draft is published again */
	cJSON_Delete(parent);
	for (size_t i = 0; i < s->n; i++)
		cJSON_Delete(fields[i]);
	free(fields);
	free(vin);
	bool ok = true;
	for (size_t i = 0; i < nfenced && ok; i++)
		ok = store_fence_put(s->ctx->store, s->shop.id, fenced[i], s->ctx->run_id, now_ms() + s->fence_ms) == 0;
	const cJSON *data = NULL;
	char why[200] = "";
	if (!ok) {
		cJSON_Delete(input);
		snprintf(why, sizeof(why), "the group's product was not written: its creates cannot be fenced (%s)",
		         store_errmsg(s->ctx->store));
	} else {
		cJSON *vars = cJSON_CreateObject();
		cJSON_AddItemToObject(vars, "input", input);
		cJSON_AddBoolToObject(vars, "synchronous", true);
		cJSON_AddNumberToObject(vars, "first", (double)s->n);
		data = ask_as(s, group_set_document, "FeedsyncGroupSet", vars,
		              MUTATION_COST + shopify_connection_cost((int)s->n, GROUP_NODE_OBJECTS), fenced, nfenced, why,
		              sizeof(why));
		/* A create without an answer may still be executing in the shop: its fences stay for later runs. */
		for (size_t i = 0; i < nfenced && !s->p.req.maybe_executed; i++)
			store_fence_drop(s->ctx->store, s->shop.id, fenced[i], s->ctx->run_id);
	}
	free(fenced);
	free(vgid);
	const cJSON *set = cJSON_GetObjectItemCaseSensitive(data, "productSet");
	const cJSON *refusal = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(set, "userErrors"), 0);
	for (size_t i = 0; i < s->n && !data && *why; i++)
		if (!s->queue[i].in_sync)
			fail_item(s, &s->queue[i], ok ? "THROTTLED" : "store", "%s", why);
	if (refusal)
		group_refused(s, g->sku, refusal);
	if (!data || refusal) {
		for (size_t i = 0; i < s->n; i++)
			s->queue[i].stock_pending = false;
		return false;
	}
	group_written(s, g->sku, cJSON_GetObjectItemCaseSensitive(set, "product"));
	return true;
}

/* Loads the group's variants into the queue, but `leaving` and those deleted when retired; false (the queue
 * empty) when there are none or it cannot. */
static bool load_group(struct shopify *s, const char *group, const char *leaving)
{
	struct loading l = {.s = s, .leaving = leaving};
	if (store_group_members_each(s->ctx->store, s->ctx->connection_id, group, load_variant, &l) < 0) {
		phase_stop(&s->stop, s->http, NULL, "cannot read the variants of group %s: %s; nothing more was pushed",
		           group, store_errmsg(s->ctx->store));
		clear_queue(s);
		return false;
	}
	for (size_t i = 0; l.over && i < s->n; i++)
		if (!s->queue[i].in_sync)
			fail_item(s, &s->queue[i], "too_many_variants", "group %s has %zu variants: feedsync writes at most %d "
			          "in one product", group, s->n + l.over, GROUP_MAX);
	if (l.over)
		clear_queue(s);
	return s->n > 0;
}

/* The variants the productSet does not name: those still in another product (one this run does not push, or
 * that could not leave it), and those this run does not push that are not in the shop. */
static void keep_named(struct shopify *s, int64_t product)
{
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->queue[i];
		if ((it->product && it->product != product) || (it->in_sync && !it->variant))
			item_free(it);
		else
			s->queue[kept++] = *it;
	}
	s->n = kept;
}

/* The stock of the variants written (the queue) and not set yet, set and recorded. */
static void flush_stocked(struct shopify *s)
{
	struct item *queue = s->queue;
	size_t n = s->n;
	s->queue = s->stocked;
	s->n = s->nstocked;
	finish_queue(s);
	clear_queue(s);
	s->stocked = s->queue;
	s->nstocked = 0;
	s->queue = queue;
	s->n = n;
}

/* The queue's variants that the run pushes wait for their stock with other groups' (what is set alone in the
 * queue is stocked in one request per chunk of LOOKUP_MAX). */
static void stock_later(struct shopify *s)
{
	size_t moving = 0;
	for (size_t i = 0; i < s->n; i++)
		moving += !s->queue[i].in_sync && !s->queue[i].done;
	if (!s->stocked)
		s->stocked = xcalloc(LOOKUP_MAX, sizeof(*s->stocked));
	if (s->nstocked + moving > LOOKUP_MAX)
		flush_stocked(s);
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->queue[i];
		if (it->in_sync || it->done)
			continue;
		s->stocked[s->nstocked++] = *it;
		it->sku = it->data = NULL;  /* the stocked copy owns them */
	}
}

/* The group's product written with its variants (live ones but `leaving`, and retired ones the shop keeps):
 * 1 when the shop took it, 0 when there was nothing to write, -1 when it failed. */
static int push_group(struct shopify *s, const struct group_ref *g, const char *leaving)
{
	int rc = -1;
	if (!load_group(s, g->sku, leaving) || !find_queue(s)) {
		clear_queue(s);
		return rc;
	}
	int64_t product = group_product(s, g->sku);
	for (size_t i = 0; i < s->n && going_on(s); i++)
		if (!s->queue[i].in_sync && s->queue[i].product && s->queue[i].product != product)
			leave_other_product(s, &s->queue[i], g->sku);
	keep_named(s, product);
	bool any = false;
	for (size_t i = 0; i < s->n; i++)
		any |= !s->queue[i].done && !s->queue[i].in_sync;
	if (!going_on(s)) {
		rc = -1;
	} else if (!any && !leaving && !g->own) {
		rc = 0;
	} else if (!product && !s->conn->create_missing) {
		for (size_t i = 0; i < s->n; i++)
			if (!s->queue[i].in_sync)
				run_add(s->ctx, RC_PUSH_PROCESSED, 1);
		rc = 0;
	} else if (s->n && write_group(s, g, product)) {
		stock_later(s);
		rc = 1;
	}
	clear_queue(s);
	return rc;
}

/* The group's own row is counted as pushed with its group. */
static void own_row_done(struct shopify *s, const struct group_ref *g, int written)
{
	if (!g->own)
		return;
	if (written > 0 && store_product_set_pushed(s->ctx->store, s->ctx->connection_id, g->sku, g->own_hash) < 0)
		run_log(s->ctx, LOG_WARN, "group %s reached '%s' but its own row cannot be recorded: %s", g->sku,
		        s->shop.name, store_errmsg(s->ctx->store));
	if (written < 0)
		run_add(s->ctx, RC_PUSH_FAILED, 1);
	run_add(s->ctx, RC_PUSH_PROCESSED, 1);
}

static int group_order(const void *a, const void *b)
{
	return strcmp(((const struct group_ref *)a)->sku, ((const struct group_ref *)b)->sku);
}

static int pending_variant_order(const void *a, const void *b)
{
	return strcmp(((const struct pending_variant *)a)->sku, ((const struct pending_variant *)b)->sku);
}

static int text_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pushed variants the cache does not know, searched in chunks before their groups are written, as single
 * products are: those found go into the cache, those not found are not searched again by their group. */
static void find_variants(struct shopify *s)
{
	for (size_t at = 0; at < s->nvariants && going_on(s);) {
		for (; at < s->nvariants && s->n < LOOKUP_MAX; at++)
			s->queue[s->n++] = (struct item){.sku = xstrdup(s->variants[at].sku)};
		bool found = find_queue(s);
		for (size_t i = 0; found && i < s->n; i++) {
			struct item *it = &s->queue[i];
			if (it->product && !it->cached) {
				remember(s, it);
			} else if (!it->product) {
				s->absent = xrealloc(s->absent, (s->nabsent + 1) * sizeof(*s->absent));
				s->absent[s->nabsent++] = xstrdup(it->sku);
			}
		}
		clear_queue(s);
	}
	qsort(s->absent, s->nabsent, sizeof(*s->absent), text_order);
}

/* The groups whose variants (or own row) this run pushes, each written once. */
static void push_groups(struct shopify *s)
{
	qsort(s->variants, s->nvariants, sizeof(*s->variants), pending_variant_order);
	find_variants(s);
	qsort(s->groups, s->ngroups, sizeof(*s->groups), group_order);
	for (size_t i = 0; i < s->ngroups; i++) {
		struct group_ref *g = &s->groups[i];
		while (i + 1 < s->ngroups && str_eq(g->sku, s->groups[i + 1].sku)) {
			struct group_ref *twin = &s->groups[++i];
			twin->republish |= g->republish;
			if (!twin->own) {
				twin->own = g->own;
				twin->own_hash = g->own_hash;
				g->own = NULL;
			}
			g = twin;
		}
		if (going_on(s))
			own_row_done(s, g, push_group(s, g, NULL));
	}
	if (s->nstocked && going_on(s))
		flush_stocked(s);
}

static int shopify_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	if (!s->queue)
		s->queue = xcalloc(LOOKUP_MAX, sizeof(*s->queue));
	char *group = group_of(p->data);
	if (group) {
		/* Written with its group at the commit: productSet names every variant of a product at once. */
		note_group(s, group)->republish |= p->returning != NULL;
		s->variants = xrealloc(s->variants, (s->nvariants + 1) * sizeof(*s->variants));
		s->variants[s->nvariants++] = (struct pending_variant){.sku = xstrdup(p->sku), .hash = p->hash};
		free(group);
	} else if (bsearch_or_null(p->sku, s->parent_skus, s->nparent_skus, sizeof(char *), sku_order)) {
		struct group_ref *g = note_group(s, p->sku);
		free(g->own);
		g->own = xstrdup(p->data ? p->data : "{}");
		g->own_hash = p->hash;
	} else {
		s->queue[s->n++] = (struct item){.sku = xstrdup(p->sku), .data = xstrdup(p->data ? p->data : "{}"),
		                                 .hash = p->hash, .returning = p->returning != NULL};
		if (s->n == LOOKUP_MAX)
			flush(s);
	}
	return phase_stop_report(&s->stop, d, err, errsize);
}

/* ---- retirement ---- */

/* The retirement reached the shop (or the shop has no such product): recorded on the product. */
static void retired(struct shopify *s, struct item *it, bool gone)
{
	struct store *st = s->ctx->store;
	if ((gone && store_remote_forget(st, s->shop.id, it->sku) < 0) ||
	    store_product_set_retired(st, s->ctx->connection_id, it->sku, missing_action_name(it->retire), now_ms(),
	                              gone) < 0)
		run_log(s->ctx, LOG_WARN, "product %s was retired in '%s' but cannot be recorded: %s", it->sku,
		        s->shop.name, store_errmsg(st));
	run_add(s->ctx, RC_RETIRED, 1);
}

/* A mutation retiring one product; true when the shop did it (a userError fails the item). */
static bool retire_with(struct shopify *s, struct item *it, const char *document, const char *name,
                        const char *root, cJSON *vars)
{
	char why[200];
	const cJSON *data = ask(s, document, name, vars, MUTATION_COST, why, sizeof(why));
	if (!data) {
		if (*why)
			fail_item(s, it, "THROTTLED", "%s", why);
		return false;
	}
	return !user_errors(s, it, cJSON_GetArrayItem(
		path_of(data, (const char *const[]){root, "userErrors", NULL}), 0));
}

/* Its stock set to 0 (the session's queue is empty: retirements come before the first push). */
static void retire_stock(struct shopify *s, struct item *it)
{
	it->stock = 0;
	it->stock_pending = true;
	s->queue[s->n++] = *it;
	set_stock(s);
	*it = s->queue[0];
	s->n = 0;
	if (!it->done && !it->stock_pending && going_on(s))
		retired(s, it, false);
}

/*
 * draft: productSet sets the product's status; delete: productDelete, and the cache forgets it; stock_zero: its
 * stock is set to 0.
 */
static void retire_item(struct shopify *s, struct item *it)
{
	char gid[96];
	gid_text(gid, sizeof(gid), "Product", it->product);
	cJSON *vars = cJSON_CreateObject();
	cJSON *input = cJSON_AddObjectToObject(vars, "input");
	cJSON_AddStringToObject(input, "id", gid);
	if (it->retire == MISSING_DRAFT) {
		cJSON_AddStringToObject(input, "status", "DRAFT");
		cJSON_AddBoolToObject(vars, "synchronous", true);
		if (retire_with(s, it, product_set_document, "FeedsyncProductSet", "productSet", vars))
			retired(s, it, false);
	} else if (it->retire == MISSING_DELETE) {
		if (retire_with(s, it, delete_document, "FeedsyncProductDelete", "productDelete", vars))
			retired(s, it, true);
	} else {
		cJSON_Delete(vars);
		retire_stock(s, it);
	}
}

static void count_variant(void *ud, const struct group_variant *v)
{
	(void)v;
	++*(size_t *)ud;
}

/* The group of a product of the connection, NULL when it is in none; caller frees. */
static char *group_of_sku(struct shopify *s, const char *sku)
{
	struct product_detail d;
	if (store_product_get(s->ctx->store, s->ctx->connection_id, sku, &d) != 1)
		return NULL;
	char *group = group_of(d.data);
	product_detail_free(&d);
	return group;
}

/*
 * A variant gone from the feed, by the rule: delete rebuilds its group's product without it (productSet deletes
 * the variants it does not name); draft and stock_zero set its stock to 0 (Shopify has no status per variant).
 * The last live variant of a group retires the whole product: delete deletes it, draft makes it a draft.
 */
static void retire_variant(struct shopify *s, struct item *it, const char *group)
{
	size_t live = 0;
	store_group_variants_each(s->ctx->store, s->ctx->connection_id, group, count_variant, &live);
	bool last = live <= 1;
	int64_t product = cached_product(s, group);
	if (last && it->retire != MISSING_STOCK_ZERO) {
		it->product = product ? product : it->product;
		retire_item(s, it);
		if (it->retire == MISSING_DELETE && !it->done)
			store_remote_forget(s->ctx->store, s->shop.id, group);
	} else if (it->retire == MISSING_DELETE) {
		struct group_ref g = {.sku = (char *)group};
		if (push_group(s, &g, it->sku) > 0)
			retired(s, it, true);
		else if (going_on(s))
			fail_item(s, it, "retire_failed", "%s was not deleted from the product of group %s (see the log)",
			          it->sku, group);
	} else {
		retire_stock(s, it);
	}
}

static int shopify_retire(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	if (!s->queue)
		s->queue = xcalloc(LOOKUP_MAX, sizeof(*s->queue));
	struct item it = {.sku = xstrdup(sku), .retire = action};
	struct item *v = &it;
	struct remote_product rp = {0};
	if (store_remote_get(s->ctx->store, s->shop.id, sku, &rp) == 1 && rp.remote_id > 0 && rp.variant_id > 0 &&
	    rp.inventory_id > 0) {
		it.product = rp.remote_id;
		it.variant = rp.variant_id;
		it.inventory = rp.inventory_id;
	} else if (search(s, &v, 1) < 0) {
		free(it.sku);
		return phase_stop_report(&s->stop, d, err, errsize);
	}
	char *group = it.product ? group_of_sku(s, sku) : NULL;
	if (!it.product)
		retired(s, &it, action == MISSING_DELETE); /* not in the shop: nothing to retire there */
	else if (group)
		retire_variant(s, &it, group);
	else
		retire_item(s, &it);
	free(group);
	free(it.sku);
	return phase_stop_report(&s->stop, d, err, errsize);
}

static int shopify_commit(struct dest *d, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	flush(s);
	if (s->bulk)
		shopify_bulk_run(s->bulk);
	if (going_on(s))
		push_groups(s);
	if (going_on(s))
		drop_fences(s, true);
	run_log(s->ctx, LOG_INFO, "'%s': %lld created, %lld updated, %lld failed", s->shop.name,
	        (long long)s->created, (long long)s->updated, (long long)s->failed);
	if (phase_stop_report(&s->stop, d, err, errsize) < 0)
		return -1;
	return run_should_stop(s->ctx) ? 1 : 0;
}

/* ---- the bulk path's hooks ---- */

static const cJSON *bulk_ask(void *ud, const char *document, const char *name, cJSON *variables, double cost,
                             char *why, size_t why_size)
{
	return ask(ud, document, name, variables, cost, why, why_size);
}

/* A line's result, recorded as the synchronous productSet's answer is; a result that does not name the line's SKU
 * is not this line's (an operation adopted after a crash that was not ours) and records nothing. */
static void bulk_outcome(void *ud, int64_t conn, const char *sku, int64_t hash, bool creating, bool failed,
                         const cJSON *set, const char *error)
{
	struct shopify *s = ud;
	/* A product that failed already keeps its ids with no pushed hash: it is pending, and counted once. */
	struct item it = {.sku = (char *)sku, .hash = failed ? 0 : hash};
	if (failed) {
		if (set && !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(set, "userErrors")) &&
		    set_answer(s, &it, set) && it.variant)
			remember(s, &it);
	} else if (!set)
		fail_item(s, &it, "bulk", "'%s' did not write product %s in the bulk operation: %s", s->shop.name, sku,
		          error);
	else if (set_answer(s, &it, set) && !it.variant)
		run_log(s->ctx, LOG_WARN, "a bulk result for %s in '%s' names another SKU: not recorded", sku,
		        s->shop.name);
	else if (!it.done) {
		remember(s, &it);
		record_in(s, conn, &it, creating);
	}
}

static int shopify_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
                        char *err, size_t errsize)
{
	struct shopify *s = xcalloc(1, sizeof(*s));
	d->impl = s;
	s->ctx = ctx;
	s->conn = conn;
	if (shop_load(ctx->store, ctx->cfg, conn->dest_id, conn->dest_name, &s->shop, err, errsize) < 0 ||
	    shopify_site_load(ctx->store, &s->shop, "destination", &s->site, err, errsize) < 0)
		return -1;
	s->meter = (struct shopify_meter){.ctx = ctx, .shop = &s->shop};
	s->hooks = (struct push_hooks){.ctx = ctx, .shop = &s->shop, .retried = on_retry, .ud = s};
	struct http_hooks hooks = push_http_hooks(&s->hooks);
	s->http = http_client_new(&s->shop, ctx->cfg, &hooks, err, errsize);
	if (!s->http)
		return -1;
	s->fence_ms = ((int64_t)s->shop.opt.timeout_s + s->shop.opt.overrun_s) * 1000;
	s->endpoint = shopify_graphql_path(&s->site);
	run_log(ctx, LOG_INFO, "sending %lld products to '%s' (%s, Admin API %s%s)", (long long)pending, s->shop.name,
	        s->shop.base_url, s->site.api_version, s->shop.verify_tls ? "" : ", TLS NOT VERIFIED");
	s->bulk_session = (struct shopify_bulk_session){ctx, s->http, &s->shop, &s->stop, product_set_document,
	                                                {s, bulk_ask, bulk_outcome}};
	/* Before the fences are read: an operation read to its end takes its creates' fences with it. */
	shopify_bulk_resume(&s->bulk_session);
	if (phase_stop_report(&s->stop, d, err, errsize) < 0)
		return -1;
	if (store_fences_of_others(ctx->store, s->shop.id, ctx->run_id, &s->fences, &s->nfences) < 0) {
		snprintf(err, errsize, "cannot read which creates of earlier runs may still be executing in '%s': %s; "
		         "nothing was pushed", s->shop.name, store_errmsg(ctx->store));
		return -1;
	}
	if (store_group_skus(ctx->store, ctx->connection_id, false, &s->parent_skus, &s->nparent_skus) < 0) {
		snprintf(err, errsize, "cannot read the connection's groups of variants: %s; nothing was pushed",
		         store_errmsg(ctx->store));
		return -1;
	}
	s->bulk_wanted = s->site.bulk_above && pending >= s->site.bulk_above;
	return phase_stop_report(&s->stop, d, err, errsize);
}

static void shopify_close(struct dest *d)
{
	struct shopify *s = d->impl;
	if (!s)
		return;
	shopify_bulk_free(s->bulk);
	shopify_meter_save(&s->meter);
	for (size_t i = 0; i < s->n; i++)
		item_free(&s->queue[i]);
	free(s->queue);
	for (size_t i = 0; i < s->nstocked; i++)
		item_free(&s->stocked[i]);
	for (size_t i = 0; i < s->nabsent; i++)
		free(s->absent[i]);
	free(s->absent);
	free(s->stocked);
	for (size_t i = 0; i < s->ngroups; i++) {
		free(s->groups[i].sku);
		free(s->groups[i].own);
	}
	free(s->groups);
	for (size_t i = 0; i < s->nvariants; i++)
		free(s->variants[i].sku);
	free(s->variants);
	for (size_t i = 0; i < s->nparent_skus; i++)
		free(s->parent_skus[i]);
	free(s->parent_skus);
	free(s->location);
	push_fences_free(s->fences, s->nfences);
	http_request_clear(&s->p.req);
	http_client_free(s->http);
	free(s->endpoint);
	shopify_site_free(&s->site);
	shop_free(&s->shop);
	phase_stop_free(&s->stop);
	free(s);
	d->impl = NULL;
	d->detail = NULL;
}

const struct dest_ops dest_shopify_ops = {
	.name = "shopify",
	.wants_all = dest_changed_only,
	.open = shopify_open,
	.push = shopify_push,
	.retire = shopify_retire,
	.commit = shopify_commit,
	.close = shopify_close,
};
