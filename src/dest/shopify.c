/*
 * The Shopify destination's push, one product at a time through the GraphQL Admin API (dest/shopify_api.h):
 * a SKU is found with productVariants (the remote_products cache first), written with productSet, and every
 * request waits for the shop's cost bucket (dest/cost_bucket.h) before it is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_dest.h"
#include "core/util.h"
#include "dest/cost_bucket.h"
#include "dest/dest.h"
#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/probe.h"
#include "dest/push_hooks.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"

/* What a request is expected to cost before its answer says (the documented costs: a mutation 10, a
 * connection of n nodes 2 + n). */
#define LOOKUP_COST 5
#define SET_COST 10
/* THROTTLED answers in a row before the product fails: the bucket's wait has then been wrong every time. */
#define THROTTLED_TRIES 5

static const char variants_document[] =
	"query FeedsyncVariantsBySku($query: String!, $first: Int!) { productVariants(first: $first, query: $query) "
	"{ nodes { id sku inventoryItem { id } product { id status } } } }";
static const char product_set_document[] =
	"mutation FeedsyncProductSet($input: ProductSetInput!, $synchronous: Boolean!) { productSet(input: $input, "
	"synchronous: $synchronous) { product { id variants(first: 1) { nodes { id sku inventoryItem { id } } } } "
	"userErrors { field message code } } }";

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
	int64_t created, updated, failed;
};

/* The number ending a GID, "gid://shopify/Product/42" → 42; 0 when it has none. */
static int64_t gid_number(const char *gid)
{
	const char *slash = gid ? strrchr(gid, '/') : NULL;
	return slash ? strtoll(slash + 1, NULL, 10) : 0;
}

static const cJSON *path_of(const cJSON *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		o = cJSON_GetObjectItemCaseSensitive(o, *keys);
	return o;
}

/* Waits until `cost` fits the shop's bucket; false (the phase stopped) when it never can or the run stops. */
static bool pace(struct shopify *s, double cost)
{
	for (;;) {
		struct cost_bucket *b = cost_bucket_of(s->shop.base_url); /* takes the lock itself */
		cost_bucket_lock();
		int64_t wait = cost_bucket_wait_ms(b, cost, now_ms());
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

/* The bucket as the answer reports it. */
static void learn(struct shopify *s, const cJSON *answer)
{
	struct cost_reading reading;
	char err[160];
	if (!cost_reading_parse(answer, &reading, err, sizeof(err)))
		return;
	struct cost_bucket *b = cost_bucket_of(s->shop.base_url);
	cost_bucket_lock();
	cost_bucket_learn(b, &reading, now_ms());
	cost_bucket_unlock();
}

/* Runs one operation, waiting out THROTTLED answers; its data, or NULL with the phase stopped or `why` set
 * (a refusal of this request only). */
static const cJSON *ask(struct shopify *s, const char *document, const char *name, cJSON *variables, double cost,
                        char *why, size_t why_size)
{
	char *body = shopify_request_text(document, name, variables);
	const cJSON *data = NULL;
	*why = 0;
	for (int tries = 0; tries < THROTTLED_TRIES && !data && !*why; tries++) {
		if (!pace(s, cost))
			break;
		probe(s->http, &s->p, "POST", s->endpoint, body);
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

static const char *field(const cJSON *data, const char *const *names)
{
	for (; *names; names++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, *names));
		if (v && *v)
			return v;
	}
	return NULL;
}

static void fail_item(struct shopify *s, const char *sku, const char *code, const char *message)
{
	struct run_error_info info = {.sku = sku, .code = code};
	run_error(s->ctx, &info, "%s", message);
	run_add(s->ctx, RC_PUSH_FAILED, 1);
	run_add(s->ctx, RC_PUSH_PROCESSED, 1);
	s->failed++;
}

/* The product GID holding the SKU's variant in the shop: "" when none does; false when the lookup failed. */
static bool find_product(struct shopify *s, const char *sku, char *gid, size_t size)
{
	struct remote_product rp;
	*gid = 0;
	if (store_remote_get(s->ctx->store, s->shop.id, sku, &rp) == 1 && rp.remote_id) {
		snprintf(gid, size, "gid://shopify/Product/%lld", (long long)rp.remote_id);
		return true;
	}
	cJSON *vars = cJSON_CreateObject();
	char *query = xasprintf("sku:\"%s\"", sku);
	cJSON_AddStringToObject(vars, "query", query);
	cJSON_AddNumberToObject(vars, "first", 2);
	free(query);
	char why[200];
	const cJSON *data = ask(s, variants_document, "FeedsyncVariantsBySku", vars, LOOKUP_COST, why, sizeof(why));
	if (!data) {
		if (*why)
			fail_item(s, sku, "THROTTLED", why);
		return false;
	}
	const cJSON *node;
	cJSON_ArrayForEach(node, path_of(data, (const char *const[]){"productVariants", "nodes", NULL})) {
		const char *id = cJSON_GetStringValue(path_of(node, (const char *const[]){"product", "id", NULL}));
		if (id && str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "sku")), sku)) {
			str_copy(gid, id, size);
			break;
		}
	}
	return true;
}

/* productSet's input: the one variant feedsync's product is, and its title on a create. */
static cJSON *product_input(const char *gid, const char *sku, const cJSON *fields)
{
	cJSON *in = cJSON_CreateObject();
	if (*gid)
		cJSON_AddStringToObject(in, "id", gid);
	const char *title = field(fields, (const char *const[]){"title", "name", NULL});
	if (title)
		cJSON_AddStringToObject(in, "title", title);
	const char *type = field(fields, (const char *const[]){"product_type", "category", NULL});
	if (type)
		cJSON_AddStringToObject(in, "productType", type);
	cJSON *option = cJSON_CreateObject();
	cJSON_AddStringToObject(option, "name", "Title");
	cJSON *values = cJSON_AddArrayToObject(option, "values");
	cJSON *value = cJSON_CreateObject();
	cJSON_AddStringToObject(value, "name", "Default Title");
	cJSON_AddItemToArray(values, value);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "productOptions"), option);
	cJSON *variant = cJSON_CreateObject();
	cJSON *chosen = cJSON_CreateObject();
	cJSON_AddStringToObject(chosen, "optionName", "Title");
	cJSON_AddStringToObject(chosen, "name", "Default Title");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(variant, "optionValues"), chosen);
	cJSON_AddStringToObject(variant, "sku", sku);
	const char *price = field(fields, (const char *const[]){"price", "regular_price", NULL});
	if (price)
		cJSON_AddStringToObject(variant, "price", price);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "variants"), variant);
	return in;
}

/* userErrors as one item failure: "field.path: message". True when there were any. */
static bool user_errors(struct shopify *s, const char *sku, const cJSON *errors)
{
	const cJSON *e = cJSON_GetArrayItem(errors, 0);
	if (!e)
		return false;
	struct strbuf where = {0};
	const cJSON *part;
	cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(e, "field"))
		sb_addf(&where, "%s%s", sb_str(&where)[0] ? "." : "", cJSON_IsString(part) ? part->valuestring : "?");
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
	char text[600];
	snprintf(text, sizeof(text), "'%s' refused product %s: %s%s%s", s->shop.name, sku, sb_str(&where),
	         sb_str(&where)[0] ? ": " : "", message ? message : "?");
	fail_item(s, sku, code ? code : "userError", text);
	sb_free(&where);
	return true;
}

static int shopify_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	char gid[128];
	if (!find_product(s, p->sku, gid, sizeof(gid)))
		return phase_stop_report(&s->stop, d, err, errsize);
	if (!*gid && !s->conn->create_missing) {
		run_add(s->ctx, RC_PUSH_PROCESSED, 1);
		return 0;
	}
	cJSON *fields = cJSON_Parse(p->data ? p->data : "{}");
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddItemToObject(vars, "input", product_input(gid, p->sku, fields));
	cJSON_AddBoolToObject(vars, "synchronous", true);
	cJSON_Delete(fields);
	char why[200];
	const cJSON *data = ask(s, product_set_document, "FeedsyncProductSet", vars, SET_COST, why, sizeof(why));
	if (!data) {
		if (*why)
			fail_item(s, p->sku, "THROTTLED", why);
		return phase_stop_report(&s->stop, d, err, errsize);
	}
	const cJSON *set = cJSON_GetObjectItemCaseSensitive(data, "productSet");
	if (user_errors(s, p->sku, cJSON_GetObjectItemCaseSensitive(set, "userErrors")))
		return 0;
	const char *id = cJSON_GetStringValue(path_of(set, (const char *const[]){"product", "id", NULL}));
	struct remote_product rp = {.remote_id = gid_number(id), .pushed_hash = p->hash};
	if (store_remote_put(s->ctx->store, s->shop.id, p->sku, &rp, now_ms()) < 0 ||
	    store_product_set_pushed(s->ctx->store, s->ctx->connection_id, p->sku, p->hash) < 0)
		run_log(s->ctx, LOG_WARN, "product %s reached '%s' but cannot be recorded: %s", p->sku, s->shop.name,
		        store_errmsg(s->ctx->store));
	if (*gid)
		s->updated++;
	else
		s->created++;
	run_add(s->ctx, RC_PUSH_PROCESSED, 1);
	return 0;
}

static int shopify_retire(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	(void)action, (void)err, (void)errsize;
	struct run_error_info info = {.sku = sku, .code = "not_supported"};
	run_error(s->ctx, &info, "retiring a product in a Shopify shop is not built yet");
	run_add(s->ctx, RC_RETIRE_FAILED, 1);
	return 0;
}

static int shopify_commit(struct dest *d, char *err, size_t errsize)
{
	struct shopify *s = d->impl;
	run_log(s->ctx, LOG_INFO, "'%s': %lld created, %lld updated, %lld failed", s->shop.name,
	        (long long)s->created, (long long)s->updated, (long long)s->failed);
	if (phase_stop_report(&s->stop, d, err, errsize) < 0)
		return -1;
	return run_should_stop(s->ctx) ? 1 : 0;
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
	s->hooks = (struct push_hooks){.ctx = ctx, .shop = &s->shop};
	struct http_hooks hooks = push_http_hooks(&s->hooks);
	s->http = http_client_new(&s->shop, ctx->cfg, &hooks, err, errsize);
	if (!s->http)
		return -1;
	s->endpoint = shopify_graphql_path(&s->site);
	run_log(ctx, LOG_INFO, "sending %lld products to '%s' (%s, Admin API %s%s)", (long long)pending, s->shop.name,
	        s->shop.base_url, s->site.api_version, s->shop.verify_tls ? "" : ", TLS NOT VERIFIED");
	return 0;
}

static void shopify_close(struct dest *d)
{
	struct shopify *s = d->impl;
	if (!s)
		return;
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
