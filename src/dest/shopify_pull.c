/* A Shopify shop's variants pulled page by page into a JSON document (see dest/shopify_pull.h). */
#include "dest/shopify_pull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "dest/http.h"
#include "dest/probe.h"
#include "dest/pull_file.h"
#include "dest/push_hooks.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "dest/shopify_input.h"
#include "dest/shopify_meter.h"
#include "dest/shopify_pull_rows.h"
#include "dest/woo.h"

/* Variants without a SKU named in the log one by one; past this they are only counted. */
#define NO_SKU_LOGGED 10
/* THROTTLED answers in a row before the pull fails: the bucket's wait has then been wrong every time. */
#define THROTTLED_TRIES 5
/* productVariantsCount selects one object (docs/api/admin-graphql/2025-10/queries/productVariantsCount); without
 * a limit it counts them all. */
#define COUNT_COST 1
static const char count_document[] =
	"query FeedsyncPullCount($query: String) { productVariantsCount(query: $query, limit: null) { count } }";

struct spull {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct fetch_result *res;
	const char **code;
	struct shop shop;
	struct shopify_site site;
	struct http_client *http;
	struct push_hooks hooks;
	struct shopify_meter meter;
	struct probe p;
	char *endpoint;
	struct pull_file file;
	const char *search;          /* the productVariants query of source.status; NULL for any */
	char *location;              /* the GID whose stock is read; NULL: the variants' totals */
	char *after;                 /* the cursor of the next page; NULL before the first */
	int64_t page, count;         /* count: the variants the shop said it has; -1 unknown */
	int64_t rows, no_sku, throttled;
	struct strbuf chunk;
};

#define fail(pull, why, ...) pull_fail((pull)->res, (pull)->code, (why), __VA_ARGS__)

/* "page 3 of 'Shop'", or the operation that is not a page: "FeedsyncLocations of 'Shop'". */
static const char *page_name(const struct spull *s, const char *operation, char *buf, size_t size)
{
	if (!str_starts_with(operation, "FeedsyncPullVariants"))
		snprintf(buf, size, "%s of '%s'", operation, s->shop.name);
	else
		snprintf(buf, size, "page %lld of '%s'", (long long)s->page, s->shop.name);
	return buf;
}

static int cancelled(struct spull *s, const char *operation)
{
	char where[300];
	s->res->cancelled = true;
	return fail(s, "cancelled", "cancelled at %s", page_name(s, operation, where, sizeof(where)));
}

/* The answer that ends the pull, for the run error's detail, with the token kept out of it. */
static void keep_answer(struct spull *s, const char *code, const char *message)
{
	pull_keep_answer(s->res, &s->p.req, code, message, (const char *const[]){s->shop.key, s->shop.secret, NULL});
}

/* The code outlives the pull: a GraphQL error code is one of these (docs/api/usage/response-codes), or "refused". */
static const char *failure_code(const struct http_request *r, const char *refused)
{
	static const char *const known[] = {"ACCESS_DENIED", "THROTTLED", "MAX_COST_EXCEEDED", "INTERNAL_SERVER_ERROR"};
	for (size_t i = 0; *refused && i < ARRAY_LEN(known); i++)
		if (str_eq(refused, known[i]))
			return known[i];
	if (*refused)
		return "refused";
	switch (r->outcome) {
	case HTTP_TIMED_OUT: return "timeout";
	case HTTP_NETWORK: return "network_error";
	case HTTP_TLS: return "tls_error";
	case HTTP_TOO_LARGE: return "response_too_large";
	case HTTP_CIRCUIT_OPEN: return "circuit_open";
	case HTTP_DONE: return r->status == 401 || r->status == 403 ? "credentials_refused" : "http_error";
	default: return "bad_response";
	}
}

/* Why a request failed, in words: the shop's refusal (a missing scope named), else what the client saw. */
static int request_failed(struct spull *s, const char *operation, const char *code, const char *message)
{
	const struct http_request *r = &s->p.req;
	char where[300], outcome[300];
	page_name(s, operation, where, sizeof(where));
	const char *why = failure_code(r, code);
	keep_answer(s, why, message);
	if (r->outcome == HTTP_DONE && (r->status == 401 || r->status == 403))
		return fail(s, why, "%s: the shop refused the access token %s (HTTP %ld: %s); check it with "
		            "'feedsync dest test %lld'", where, s->shop.key_hint, r->status, message, (long long)s->shop.id);
	if (str_eq(code, "ACCESS_DENIED"))
		return fail(s, why, "%s: %s (the app needs read_products%s to be a source)", where, message,
		            s->location ? ", read_inventory and read_locations" : "");
	if (*code)
		return fail(s, why, "%s: refused with %s: %s", where, code, message);
	if (r->outcome == HTTP_DONE && r->status == 200)
		return fail(s, "bad_response", "%s: HTTP 200 with %s instead of a GraphQL answer", where,
		            r->json ? "JSON without data" : "an answer that is not JSON");
	if (r->outcome == HTTP_DONE && !r->json)
		return fail(s, why, "%s: HTTP %ld with %s instead of JSON, after %d attempts", where, r->status,
		            str_starts_with(r->content_type, "text/html") ? "an HTML page" : "an answer", r->attempts);
	return fail(s, why, "%s: %s", where, http_outcome_text(r, outcome, sizeof(outcome)));
}

/* Runs one query, paced by the bucket, THROTTLED answers waited out: its data, or NULL with the pull failed. */
static const cJSON *ask(struct spull *s, const char *document, const char *operation, cJSON *variables, double cost)
{
	char *body = shopify_request_text(document, operation, variables);
	const cJSON *data = NULL;
	int rc = 0;
	for (int tries = 0; !data && rc == 0; tries++) {
		char where[300];
		if (tries == THROTTLED_TRIES) {
			rc = fail(s, "THROTTLED", "%s was throttled %d times in a row by '%s'",
			          page_name(s, operation, where, sizeof(where)), THROTTLED_TRIES, s->shop.name);
			break;
		}
		int paced = shopify_meter_pace(&s->meter, cost, s->p.req.elapsed_ms);
		if (paced == METER_STOPPED) {
			rc = cancelled(s, operation);
			break;
		}
		if (paced == METER_NEVER_FITS) {
			rc = fail(s, "MAX_COST_EXCEEDED", "%s costs %.0f points, more than the cost bucket of '%s' holds",
			          page_name(s, operation, where, sizeof(where)), cost, s->shop.name);
			break;
		}
		probe_retrying(s->http, &s->p, "POST", s->endpoint, body, false, s->ctx);
		if (run_should_stop(s->ctx)) {
			rc = cancelled(s, operation);
			break;
		}
		const struct http_request *r = &s->p.req;
		s->res->wire_bytes += r->response.len;
		shopify_meter_learn(&s->meter, r->json);
		char code[64] = "", message[400] = "";
		bool refused = shopify_answer_error(r->json, code, sizeof(code), message, sizeof(message));
		if (refused && str_eq(code, "THROTTLED")) {
			/* The bucket learnt the shop's numbers; the next pace waits for what the shop says it costs. */
			const cJSON *asked = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "extensions"), "cost"),
				"requestedQueryCost");
			if (cJSON_IsNumber(asked) && asked->valuedouble > cost)
				cost = asked->valuedouble;
			s->throttled++;
			run_log(s->ctx, LOG_WARN, "%s was throttled; waiting for the cost bucket",
			        page_name(s, operation, where, sizeof(where)));
			continue;
		}
		data = cJSON_GetObjectItemCaseSensitive(r->json, "data");
		if (r->outcome != HTTP_DONE || r->status != 200 || refused || !cJSON_IsObject(data)) {
			data = NULL;
			rc = request_failed(s, operation, code, message);
		}
	}
	free(body);
	return data;
}

/* ---- setting up ---- */

static int open_shop(struct spull *s)
{
	char err[1024];
	const struct conn_config *conn = s->conn;
	struct run_ctx *ctx = s->ctx;
	if (shop_load(ctx->store, ctx->cfg, conn->source_dest_id, conn->source_dest_name, &s->shop, err,
	              sizeof(err)) < 0 ||
	    shopify_site_load(ctx->store, &s->shop, "source", &s->site, err, sizeof(err)) < 0)
		return fail(s, "bad_source", "%s", err);
	if (!woo_gate_open(&s->shop, ctx->store, err, sizeof(err)))
		return fail(s, "circuit_open", "%s; nothing was read", err);
	s->meter = (struct shopify_meter){.ctx = ctx, .shop = &s->shop};
	s->hooks = (struct push_hooks){.ctx = ctx, .shop = &s->shop};
	struct http_hooks hooks = push_http_hooks(&s->hooks);
	s->http = http_client_new(&s->shop, ctx->cfg, &hooks, err, sizeof(err));
	if (!s->http)
		return fail(s, "download_failed", "%s", err);
	s->endpoint = shopify_graphql_path(&s->site);
	s->search = shopify_pull_search(conn->source_status);
	return 0;
}

/* The location whose stock is read: the destination's (a GID as it is, a name among the shop's); none: totals. */
static int resolve_location(struct spull *s)
{
	const char *wanted = s->site.location;
	if (!wanted)
		return 0;
	if (str_starts_with(wanted, "gid://shopify/Location/")) {
		s->location = xstrdup(wanted);
		return 0;
	}
	const cJSON *data = ask(s, shopify_locations_document, "FeedsyncLocations", NULL,
	                        shopify_connection_cost(250, 1));
	if (!data)
		return -1;
	const cJSON *loc = shopify_find_location(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "locations"), "nodes"), wanted);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(loc, "id"));
	if (!id)
		return fail(s, "bad_source", "'%s' has no location '%s' to read the stock of (see `feedsync dest test "
		            "%lld`); nothing was read", s->shop.name, wanted, (long long)s->shop.id);
	s->location = xstrdup(id);
	return 0;
}

static int count_variants(struct spull *s)
{
	cJSON *vars = cJSON_CreateObject();
	if (s->search)
		cJSON_AddStringToObject(vars, "query", s->search);
	const cJSON *data = ask(s, count_document, "FeedsyncPullCount", vars, COUNT_COST);
	if (!data)
		return -1;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "productVariantsCount"),
	                                                  "count");
	s->count = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : -1;
	if (s->count >= 0)
		run_log(s->ctx, LOG_INFO, "'%s' has %lld variants (status %s)", s->shop.name, (long long)s->count,
		        s->conn->source_status);
	return 0;
}

/* ---- pages ---- */

static const char *text_of(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "";
}

static void skip_row(struct spull *s, const cJSON *variant)
{
	run_add(s->ctx, RC_ROWS_READ, 1);
	run_add(s->ctx, RC_SKIPPED, 1);
	if (++s->no_sku > NO_SKU_LOGGED)
		return;
	const cJSON *product = cJSON_GetObjectItemCaseSensitive(variant, "product");
	run_log(s->ctx, LOG_WARN, "skipped variant %s '%s' of product '%s' of '%s': it has no SKU%s",
	        text_of(variant, "id"), text_of(variant, "title"), text_of(product, "title"), s->shop.name,
	        s->no_sku == NO_SKU_LOGGED ? " (further ones are only counted)" : "");
}

static void progress(struct spull *s, bool more)
{
	int64_t done = (int64_t)s->res->bytes, seen = s->rows + s->no_sku;
	int64_t total = done;
	if (more && s->count > seen && seen > 0)
		total = done / seen * s->count;
	run_set(s->ctx, RC_BYTES_DONE, done);
	run_set(s->ctx, RC_BYTES_TOTAL, total);
	run_tick(s->ctx);
}

/* One page: 1 when another follows, 0 after the last, -1 when the pull stops (failed or cancelled). */
static int pull_page(struct spull *s)
{
	bool at = s->location != NULL;
	int first = shopify_meter_fit(&s->meter, shopify_pull_cost(0, at), shopify_pull_node_objects(at),
	                              SHOPIFY_PULL_MAX_FIRST, SHOPIFY_PULL_UNKNOWN_FIRST);
	cJSON *vars = shopify_pull_variables(first, s->after, s->search, s->location);
	const cJSON *data = ask(s, shopify_pull_document(at), shopify_pull_operation(at), vars,
	                        shopify_pull_cost(first, at));
	if (!data)
		return -1;
	const cJSON *conn = cJSON_GetObjectItemCaseSensitive(data, "productVariants");
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(conn, "nodes");
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(conn, "pageInfo");
	const char *cursor = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "endCursor"));
	bool more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "hasNextPage"));
	if (!cJSON_IsArray(nodes) || (more && !cursor)) {
		char where[300];
		keep_answer(s, "bad_response", "no productVariants nodes and pageInfo");
		return fail(s, "bad_response", "%s: the answer has no productVariants %s",
		            page_name(s, shopify_pull_operation(at), where, sizeof(where)),
		            cJSON_IsArray(nodes) ? "pageInfo.endCursor to go on from" : "nodes");
	}
	sb_reset(&s->chunk);
	const cJSON *node;
	cJSON_ArrayForEach(node, nodes) {
		if (!shopify_pull_sku(node)) {
			skip_row(s, node);
			continue;
		}
		if (s->rows++)
			sb_adds(&s->chunk, ",\n");
		shopify_pull_row(node, &s->chunk);
	}
	if (s->chunk.len && pull_file_failed(pull_file_write(&s->file, s->chunk.buf, s->chunk.len), s->code) < 0)
		return -1;
	free(s->after);
	s->after = more ? xstrdup(cursor) : NULL;
	progress(s, more);
	return more && cJSON_GetArraySize(nodes) > 0;
}

static void log_start(struct spull *s)
{
	const struct shop *sh = &s->shop;
	run_log(s->ctx, LOG_INFO, "pulling the variants of '%s' (%s, Admin API %s, token %s%s), status %s, stock %s%s",
	        sh->name, sh->base_url, s->site.api_version, sh->key_hint, sh->verify_tls ? "" : ", TLS NOT VERIFIED",
	        s->conn->source_status, s->location ? "at " : "of all locations", s->location ? s->location : "");
}

static void log_end(struct spull *s)
{
	run_log(s->ctx, LOG_INFO, "pulled %lld variants in %lld pages from '%s'%s", (long long)s->rows,
	        (long long)s->page, s->shop.name, s->throttled ? " (throttled pages were waited out)" : "");
	if (s->no_sku)
		run_log(s->ctx, LOG_WARN, "variants of '%s' skipped for want of a SKU: %lld", s->shop.name,
		        (long long)s->no_sku);
}

int shopify_pull(struct run_ctx *ctx, const struct conn_config *conn, struct fetch_result *res, const char **code)
{
	memset(res, 0, sizeof(*res));
	struct spull s = {.ctx = ctx, .conn = conn, .res = res, .code = code, .count = -1};
	int rc = open_shop(&s);
	if (rc == 0)
		rc = resolve_location(&s);
	if (rc == 0)
		rc = pull_file_failed(pull_file_open(&s.file, ctx->cfg, res, s.shop.name), code);
	if (rc == 0) {
		log_start(&s);
		rc = count_variants(&s);
	}
	if (rc == 0)
		for (s.page = 1; (rc = pull_page(&s)) == 1; s.page++)
			;
	if (rc == 0)
		rc = pull_file_failed(pull_file_close(&s.file), code);
	pull_file_abandon(&s.file);
	if (rc == 0)
		log_end(&s);
	else
		fetch_cleanup(res);
	shopify_meter_save(&s.meter);
	http_request_clear(&s.p.req);
	http_client_free(s.http);
	free(s.endpoint);
	free(s.location);
	free(s.after);
	shopify_site_free(&s.site);
	shop_free(&s.shop);
	sb_free(&s.chunk);
	return rc;
}
