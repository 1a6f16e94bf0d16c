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
 * A run pushing at least the shop's bulk_above products writes its productSets as the lines of one bulk
 * mutation instead (dest/shopify_bulk.h): lookups and stock-only updates go as above, the rest when the push
 * commits; a bulk operation an earlier run left is read before anything is pushed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/store_dest.h"
#include "core/store_fence.h"
#include "core/store_limits.h"
#include "core/store_plan.h"
#include "core/util.h"
#include "dest/cost_bucket.h"
#include "dest/dest.h"
#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/probe.h"
#include "dest/push_hooks.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "dest/shopify_bulk.h"
#include "dest/shopify_input.h"

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
/* How often a push records the shop's bucket for other processes (dest show, consoles): a glance needs no more,
 * and a write per request would add a commit to each. The last reading is recorded when the push ends. */
#define COST_SAVE_MS 1000

static const char variants_document[] =
	"query FeedsyncVariantsBySku($query: String!, $first: Int!) { productVariants(first: $first, query: $query) "
	"{ nodes { id sku inventoryItem { id } product { id status } } } }";
/* The objects each node of variants_document selects: the variant, its inventoryItem and its product. */
#define VARIANT_NODE_OBJECTS 3
static const char product_set_document[] =
	"mutation FeedsyncProductSet($input: ProductSetInput!, $synchronous: Boolean!) { productSet(input: $input, "
	"synchronous: $synchronous) { product { id variants(first: 1) { nodes { id sku inventoryItem { id } } } } "
	"userErrors { field message code } } }";
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
	const char *fencing;         /* the SKU of the create being sent, NULL when none is */
	int64_t created, updated, failed;
	struct cost_seen cost;       /* the shop's last reading of its bucket */
	bool cost_unsaved;           /* ... not recorded yet */
	int64_t cost_saved_at;
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

/*
 * Waits until `cost` fits the shop's bucket; false (the phase stopped) when it never can or the run stops. The
 * shop read its bucket before its answer travelled back, so our picture is ahead of the shop's by what restores
 * in a round trip (plus the tenth it rounds to): that much more is waited for, short of the maximum.
 */
static bool pace(struct shopify *s, double cost)
{
	for (;;) {
		struct cost_bucket *b = cost_bucket_of(s->shop.base_url); /* takes the lock itself */
		cost_bucket_lock();
		double ahead = b->known ? b->last.restore_rate * (double)s->p.req.elapsed_ms / 1000.0 + 0.1 : 0;
		if (b->known && cost <= b->last.maximum && cost + ahead > b->last.maximum)
			ahead = b->last.maximum - cost;
		int64_t wait = cost_bucket_wait_ms(b, cost + ahead, now_ms());
		if (wait == 0)
			cost_bucket_spend(b, cost, now_ms());
		cost_bucket_unlock();
		if (wait == 0)
			return true;
		if (wait == COST_NEVER_FITS) {
			phase_stop(&s->stop, s->http, NULL, "a request costing %.0f points never fits the cost bucket of "
			           "'%s' (its maximum is smaller): nothing more was pushed", cost, s->shop.name);
			return false;
		}
		if (run_should_stop(s->ctx))
			return false;
		sleep_ms(wait < HTTP_STOP_POLL_MS ? wait : HTTP_STOP_POLL_MS);
		run_tick(s->ctx);
	}
}

/* The shop's last reading, where other processes read it. */
static void save_cost(struct shopify *s)
{
	if (!s->cost_unsaved)
		return;
	s->cost_unsaved = false;
	s->cost_saved_at = s->cost.seen_at;
	if (store_cost_seen_put(s->ctx->store, s->shop.id, &s->cost) < 0)
		run_log(s->ctx, LOG_WARN, "the cost bucket of '%s' cannot be recorded: %s", s->shop.name,
		        store_errmsg(s->ctx->store));
}

/* The bucket as the answer reports it. */
static void learn(struct shopify *s, const cJSON *answer)
{
	int64_t now = now_ms();
	if (!cost_seen_parse(answer, now, &s->cost))
		return;
	struct cost_reading reading = {s->cost.maximum, s->cost.available, s->cost.restore_rate};
	struct cost_bucket *b = cost_bucket_of(s->shop.base_url);
	cost_bucket_lock();
	cost_bucket_learn(b, &reading, now);
	cost_bucket_unlock();
	s->cost_unsaved = true;
	if (now - s->cost_saved_at >= COST_SAVE_MS)
		save_cost(s);
}

/* The largest search of SKUs that fits the shop's bucket. */
static size_t lookup_chunk(struct shopify *s)
{
	struct cost_bucket *b = cost_bucket_of(s->shop.base_url);
	cost_bucket_lock();
	double maximum = b->known ? b->last.maximum : 0;
	cost_bucket_unlock();
	if (maximum <= 0)
		return LOOKUP_UNKNOWN_BUCKET;
	double fit = (maximum - shopify_connection_cost(0, VARIANT_NODE_OBJECTS)) / VARIANT_NODE_OBJECTS;
	return fit >= LOOKUP_MAX ? LOOKUP_MAX : fit >= 1 ? (size_t)fit : 1;
}

/* The create of s->fencing lasts until fence_ms after a send `in_ms` from now (written again before each send:
 * the bucket and the client's backoff may delay it past the first fence's end). */
static void fence_create(struct shopify *s, int64_t in_ms)
{
	if (s->fencing &&
	    store_fence_put(s->ctx->store, s->shop.id, s->fencing, s->ctx->run_id, now_ms() + in_ms + s->fence_ms) < 0)
		run_log(s->ctx, LOG_WARN, "the fence of %s's create cannot be extended: %s", s->fencing,
		        store_errmsg(s->ctx->store));
}

static void on_retry(void *ud, const struct http_request *r, int64_t delay_ms)
{
	(void)r;
	fence_create(ud, delay_ms);
}

/* Runs one operation (fence_sku: a create of that SKU, fenced before each send and not retried once it may have
 * executed), waiting out THROTTLED answers and retrying transient failures; its data, or NULL with the phase
 * stopped or `why` set (a refusal of this request only). */
static const cJSON *ask_as(struct shopify *s, const char *document, const char *name, cJSON *variables,
                           double cost, const char *fence_sku, char *why, size_t why_size)
{
	char *body = shopify_request_text(document, name, variables);
	const cJSON *data = NULL;
	*why = 0;
	for (int tries = 0; tries < THROTTLED_TRIES && !data && !*why; tries++) {
		if (!pace(s, cost))
			break;
		s->fencing = fence_sku;
		fence_create(s, 0);
		probe_retrying(s->http, &s->p, "POST", s->endpoint, body, fence_sku != NULL, s->ctx);
		s->fencing = NULL;
		const struct http_request *r = &s->p.req;
		learn(s, r->json);
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
	return ask_as(s, document, name, variables, cost, NULL, why, why_size);
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

static int fence_order(const void *key, const void *fence)
{
	return strcasecmp(key, ((const struct push_fence *)fence)->sku);
}

/* The chunk's SKUs that other runs fenced are looked up once the last of those fences has ended. */
static void wait_for_fences(struct shopify *s)
{
	int64_t until = 0;
	size_t fenced = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct push_fence *f = bsearch_or_null(s->queue[i].sku, s->fences, s->nfences, sizeof(*s->fences),
		                                             fence_order);
		if (!f)
			continue;
		s->queue[i].recheck = true;
		fenced++;
		if (f->until_ms > until)
			until = f->until_ms;
	}
	phase_wait_for_fences(s->ctx, s->shop.name, until, fenced, "products", "they are looked up in the shop");
}

/* Other runs' fences whose SKUs were looked up afresh have done their work; so have those ended on SKUs this run
 * does not push, as any SKU the cache does not know is looked up before it is created. */
static void drop_fences(struct shopify *s, bool ended_too)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->queue[i].recheck)
			store_fence_drop_others(s->ctx->store, s->shop.id, s->queue[i].sku, s->ctx->run_id);
	for (size_t i = 0; ended_too && i < s->nfences; i++)
		if (s->fences[i].until_ms <= now_ms())
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
		}
	}
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
		if (!s->queue[i].product)
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
	const cJSON *data = ask_as(s, product_set_document, "FeedsyncProductSet", vars, MUTATION_COST,
	                           creating ? it->sku : NULL, why, sizeof(why));
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

static void flush(struct shopify *s)
{
	if (!s->n)
		return;
	wait_for_fences(s);
	if (going_on(s)) {
		from_cache(s);
		/* A bulk create's stock names the location in its line. */
		if (look_up(s) && (!s->bulk || resolve_location(s))) {
			drop_fences(s, false);
			bool *created = xcalloc(s->n, sizeof(*created));
			/* Bulk lines touch only the disk and the database: one transaction for the chunk's. */
			bool tx = s->bulk && !store_in_transaction(s->ctx->store) && store_begin(s->ctx->store) == 0;
			for (size_t i = 0; i < s->n && going_on(s); i++) {
				created[i] = !s->queue[i].product;
				write_item(s, &s->queue[i]);
			}
			if (tx && store_commit(s->ctx->store) < 0)
				store_rollback(s->ctx->store);
			set_stock(s);
			for (size_t i = 0; i < s->n && going_on(s); i++)
				if (s->queue[i].in_bulk && s->queue[i].done)
					shopify_bulk_failed(s->bulk, s->queue[i].sku);
				else if (!s->queue[i].done && !s->queue[i].stock_pending && s->queue[i].product &&
				         !s->queue[i].in_bulk)
					record(s, &s->queue[i], created[i]);
			free(created);
		}
	}
	for (size_t i = 0; i < s->n; i++)
		item_free(&s->queue[i]); /* what was not done stays pending */
	s->n = 0;
}

static int shopify_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	if (!s->queue)
		s->queue = xcalloc(LOOKUP_MAX, sizeof(*s->queue));
	s->queue[s->n++] = (struct item){.sku = xstrdup(p->sku), .data = xstrdup(p->data ? p->data : "{}"),
	                                 .hash = p->hash, .returning = p->returning != NULL};
	if (s->n == LOOKUP_MAX)
		flush(s);
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

/*
 * draft: productSet sets the product's status; delete: productDelete, and the cache forgets it; stock_zero: its
 * stock is set to 0 (the session's queue is empty: retirements come before the first push).
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
		it->stock = 0;
		it->stock_pending = true;
		s->queue[s->n++] = *it;
		set_stock(s);
		*it = s->queue[0];
		s->n = 0;
		if (!it->done && !it->stock_pending && going_on(s))
			retired(s, it, false);
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
	if (!it.product)
		retired(s, &it, action == MISSING_DELETE); /* not in the shop: nothing to retire there */
	else
		retire_item(s, &it);
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

static int read_site(struct shopify *s, char *err, size_t errsize)
{
	struct dest_row row;
	if (store_dest_get(s->ctx->store, s->shop.id, &row) != 1) {
		snprintf(err, errsize, "cannot read destination '%s': %s", s->shop.name, store_errmsg(s->ctx->store));
		return -1;
	}
	int rc = 0;
	if (!str_eq(row.type, "shopify")) {
		snprintf(err, errsize, "destination '%s' is a %s destination, not a shopify one: set the connection's "
		         "destination type to %s", row.name, row.type, row.type);
		rc = -1;
	} else {
		rc = shopify_site_of(row.options, row.name, &s->site, err, errsize);
	}
	dest_row_free(&row);
	return rc;
}

static int shopify_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
                        char *err, size_t errsize)
{
	struct shopify *s = xcalloc(1, sizeof(*s));
	d->impl = s;
	s->ctx = ctx;
	s->conn = conn;
	if (shop_load(ctx->store, ctx->cfg, conn->dest_id, conn->dest_name, &s->shop, err, errsize) < 0 ||
	    read_site(s, err, errsize) < 0)
		return -1;
	s->hooks = (struct push_hooks){.ctx = ctx, .shop = &s->shop, .retried = on_retry, .ud = s};
	struct http_hooks hooks = push_http_hooks(&s->hooks);
	s->http = http_client_new(&s->shop, ctx->cfg, &hooks, err, errsize);
	if (!s->http)
		return -1;
	s->fence_ms = ((int64_t)s->shop.opt.timeout_s + s->shop.opt.overrun_s) * 1000;
	s->endpoint = shopify_graphql_path(&s->site);
	run_log(ctx, LOG_INFO, "sending %lld products to '%s' (%s, Admin API %s%s)", (long long)pending, s->shop.name,
	        s->shop.base_url, s->site.api_version, s->shop.verify_tls ? "" : ", TLS NOT VERIFIED");
	struct shopify_bulk_session bulk = {ctx, s->http, &s->shop, &s->stop, product_set_document,
	                                    {s, bulk_ask, bulk_outcome}};
	/* Before the fences are read: an operation read to its end takes its creates' fences with it. */
	shopify_bulk_resume(&bulk);
	if (phase_stop_report(&s->stop, d, err, errsize) < 0)
		return -1;
	if (store_fences_of_others(ctx->store, s->shop.id, ctx->run_id, &s->fences, &s->nfences) < 0) {
		snprintf(err, errsize, "cannot read which creates of earlier runs may still be executing in '%s': %s; "
		         "nothing was pushed", s->shop.name, store_errmsg(ctx->store));
		return -1;
	}
	if (s->site.bulk_above && pending >= s->site.bulk_above)
		s->bulk = shopify_bulk_open(&bulk);
	return phase_stop_report(&s->stop, d, err, errsize);
}

static void shopify_close(struct dest *d)
{
	struct shopify *s = d->impl;
	if (!s)
		return;
	shopify_bulk_free(s->bulk);
	save_cost(s);
	for (size_t i = 0; i < s->n; i++)
		item_free(&s->queue[i]);
	free(s->queue);
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
