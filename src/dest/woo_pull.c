/* A WooCommerce shop's products pulled page by page into a JSON document (see dest/woo_pull.h). */
#include "dest/woo_pull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/http.h"
#include "dest/pull_file.h"
#include "dest/shop.h"
#include "dest/woo.h"
#include "dest/woo_batch.h"
#include "dest/woo_pull_rows.h"
#include "feed/jsoncheck.h"

/* Products without a SKU named in the log one by one; past this they are only counted. */
#define NO_SKU_LOGGED 10

/* ---- the pull ---------------------------------------------------------------------------------------- */

struct pull {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct fetch_result *res;
	const char **code;
	struct shop shop;
	struct http_client *http;
	struct http_request req;
	bool answered;
	const char *category_join;
	struct pull_file file;
	int64_t page;
	int64_t total, pages;        /* as the latest page said; -1 before one did */
	int64_t rows, products, no_sku;
	struct strbuf chunk;         /* the page being written */
	/* The variable products of the page, whose variations are read once its products are written. */
	struct woo_parent parents[WOO_MAX_PER_PAGE];
	size_t nparents;
	const struct woo_parent *parent; /* whose variations are being read; NULL while reading products */
	int64_t vpage, vpages;       /* the page of its variations, and their number (-1 before one said) */
	int64_t variations, variable, variation_pages;
};

#define fail(pull, why, ...) pull_fail((pull)->res, (pull)->code, (why), __VA_ARGS__)

/* "product 25 'Tee' (SKU V)". */
static const char *parent_name(const struct woo_parent *parent, char *buf, size_t size)
{
	snprintf(buf, size, *parent->sku ? "product %lld '%s' (SKU %s)" : "product %lld '%s'", (long long)parent->id,
	         parent->name, parent->sku);
	return buf;
}

/* "page 2 of 3 of 'Main shop'", "page 1 of the variations of product 25 'Tee' (SKU V) of 'Main shop'". */
static const char *page_name(const struct pull *p, char *buf, size_t size)
{
	int64_t page = p->parent ? p->vpage : p->page, pages = p->parent ? p->vpages : p->pages;
	char of[32] = "", whose[320] = "", parent[256];
	if (pages >= page)
		snprintf(of, sizeof(of), " of %lld", (long long)pages);
	if (p->parent)
		snprintf(whose, sizeof(whose), " of the variations of %s", parent_name(p->parent, parent, sizeof(parent)));
	snprintf(buf, size, "page %lld%s%s of '%s'", (long long)page, of, whose, p->shop.name);
	return buf;
}

static void on_circuit(void *ud, const struct gate_circuit *c)
{
	struct pull *p = ud;
	woo_circuit_changed(p->ctx, &p->shop, c);
}

static void on_retry(void *ud, const struct http_request *r, int64_t delay_ms)
{
	struct pull *p = ud;
	char what[300], wait[32], where[512];
	format_duration(delay_ms, wait, sizeof(wait));
	run_log(p->ctx, LOG_WARN, "%s: %s; retry %d of %d in %s", page_name(p, where, sizeof(where)),
	        http_outcome_text(r, what, sizeof(what)), http_retry_number(r), p->shop.opt.retries, wait);
}

/* A page in flight when the run is cancelled is given HTTP_STOP_GRACE_MS, not the shop's whole timeout. */
static bool on_stop_waiting(void *ud)
{
	struct pull *p = ud;
	return run_should_stop(p->ctx);
}

static int open_shop(struct pull *p)
{
	char err[1024];
	const struct conn_config *conn = p->conn;
	if (shop_load(p->ctx->store, p->ctx->cfg, conn->source_dest_id, conn->source_dest_name, &p->shop, err,
	              sizeof(err)) < 0)
		return fail(p, "bad_source", "%s", err);
	if (!woo_gate_open(&p->shop, p->ctx->store, err, sizeof(err)))
		return fail(p, "circuit_open", "%s; nothing was read", err);
	struct http_hooks hooks = {
	    .ud = p, .circuit_changed = on_circuit, .retrying = on_retry, .stop_waiting = on_stop_waiting};
	p->http = http_client_new(&p->shop, p->ctx->cfg, &hooks, err, sizeof(err));
	if (!p->http)
		return fail(p, "download_failed", "%s", err);
	return 0;
}

static int write_out(struct pull *p, const char *data, size_t len)
{
	return pull_file_failed(pull_file_write(&p->file, data, len), p->code);
}

/* ---- one list page ----------------------------------------------------------------------------------- */

static void page_answered(struct http_request *r)
{
	((struct pull *)r->ud)->answered = true;
}

/* Waits for the page; true when the run was told to stop meanwhile. A retry waiting its turn is dropped;
 * a request in flight is let finish, so the destination's gate gets its slot back. */
static bool wait_for_answer(struct pull *p)
{
	bool stop = false;
	while (!p->answered) {
		http_run(p->http, 100);
		run_tick(p->ctx);
		if (!stop && run_should_stop(p->ctx)) {
			stop = true;
			http_drop_queued(p->http);
		}
	}
	return stop;
}

static void note_totals(struct pull *p)
{
	const struct http_request *r = &p->req;
	if (p->page == 1 && r->total >= 0)
		run_log(p->ctx, LOG_INFO, "'%s' has %lld products (status %s) in %lld pages", p->shop.name,
		        (long long)r->total, p->conn->source_status, (long long)r->total_pages);
	else if (r->total >= 0 && p->total >= 0 && r->total != p->total)
		run_log(p->ctx, LOG_WARN, "the number of products in '%s' changed during the pull (%lld, now %lld): "
		        "a product deleted meanwhile can make another one missed this time", p->shop.name,
		        (long long)p->total, (long long)r->total);
	p->total = r->total;
	p->pages = r->total_pages;
}

/* The SKU is the row's identity in the catalog: without one it cannot be imported. */
static void skip_row(struct pull *p, const cJSON *item)
{
	run_add(p->ctx, RC_ROWS_READ, 1);
	run_add(p->ctx, RC_SKIPPED, 1);
	if (++p->no_sku > NO_SKU_LOGGED)
		return;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
	long long item_id = cJSON_IsNumber(id) ? (long long)id->valuedouble : 0LL;
	const char *later = p->no_sku == NO_SKU_LOGGED ? " (further ones are only counted)" : "";
	char parent[256];
	if (p->parent) {
		run_log(p->ctx, LOG_WARN, "skipped variation %lld of %s of '%s': it has no SKU of its own%s", item_id,
		        parent_name(p->parent, parent, sizeof(parent)), p->shop.name, later);
		return;
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
	run_log(p->ctx, LOG_WARN, "skipped product %lld '%s' of '%s': it has no SKU%s", item_id,
	        cJSON_IsString(name) ? name->valuestring : "", p->shop.name, later);
}

/* One item of the page as a row of the chunk; false when it was skipped. */
static bool add_row(struct pull *p, const cJSON *item)
{
	bool kept = p->parent ? woo_pull_variation_sku(item, p->parent) != NULL : woo_pull_sku(item) != NULL;
	if (!kept) {
		skip_row(p, item);
		return false;
	}
	if (p->rows++)
		sb_adds(&p->chunk, ",\n");
	if (p->parent)
		woo_pull_variation(item, p->parent, &p->chunk);
	else
		woo_pull_product(item, p->category_join, &p->chunk);
	return true;
}

/* Writes the rows of the page's items out: *n items, *kept of them rows. 0, or -1 on failure. */
static int write_rows(struct pull *p, size_t *n, size_t *kept)
{
	sb_reset(&p->chunk);
	*n = *kept = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, p->req.json) {
		(*n)++;
		*kept += add_row(p, item);
		if (!p->parent && p->nparents < ARRAY_LEN(p->parents) &&
		    woo_pull_parent(item, p->category_join, &p->parents[p->nparents]))
			p->nparents++;
	}
	return p->chunk.len ? write_out(p, p->chunk.buf, p->chunk.len) : 0;
}

static const char *failure_code(const struct http_request *r, enum woo_verdict v)
{
	switch (v) {
	case WOO_AUTH: return "credentials_refused";
	case WOO_UNAVAILABLE: return "circuit_open";
	case WOO_TLS: return "tls_error";
	default: break;
	}
	switch (r->outcome) {
	case HTTP_TIMED_OUT: return "timeout";
	case HTTP_NETWORK: return "network_error";
	case HTTP_TOO_LARGE: return "response_too_large";
	case HTTP_DONE: return r->status >= 200 && r->status <= 299 ? "bad_response" : "http_error";
	default: return "bad_response";
	}
}

/* The answer that ends the pull, for the run error's detail, with the shop's credentials kept out of it. */
static void keep_answer(struct pull *p, const struct woo_error *e)
{
	const char *const secrets[] = {p->shop.key, p->shop.secret, NULL};
	pull_keep_answer(p->res, &p->req, e->code, e->message, secrets);
}

static int page_failed(struct pull *p, enum woo_verdict v)
{
	const struct http_request *r = &p->req;
	const char *code = failure_code(r, v);
	char where[512], why[1024];
	page_name(p, where, sizeof(where));
	struct woo_error e;
	woo_answer_error(r, &e);
	keep_answer(p, &e);
	if (v == WOO_ITEMS)
		return fail(p, code, "%s: the shop answered HTTP %ld with %s instead of a list of %s", where,
		            r->status, json_kind(r->json), p->parent ? "variations" : "products");
	if (woo_stop_reason(&p->shop, r, v, why, sizeof(why)))
		return fail(p, code, "%s: %s", where, why);
	if (r->outcome == HTTP_DONE && !str_starts_with(e.code, "http_"))
		return fail(p, code, "%s: HTTP %ld %s: %s", where, r->status, e.code, e.message);
	return fail(p, code, "%s: %s", where, e.message);
}

static int cancelled(struct pull *p)
{
	char where[512];
	p->res->cancelled = true;
	return fail(p, "cancelled", "cancelled at %s", page_name(p, where, sizeof(where)));
}

/* GETs a list page into p->req.json, an array; 0, or -1 when the pull stops (failed or cancelled). */
static int get_list(struct pull *p, char *target)
{
	struct http_request *r = &p->req;
	http_request_clear(r);
	if (run_should_stop(p->ctx)) {
		free(target);
		return cancelled(p);
	}
	r->method = "GET";
	r->target = target;
	r->done = page_answered;
	r->ud = p;
	p->answered = false;
	http_submit(p->http, r);
	if (wait_for_answer(p))
		return cancelled(p);
	p->res->wire_bytes += r->response.len;
	enum woo_verdict v = woo_verdict(r, 1);
	if (v == WOO_ITEMS && cJSON_IsArray(r->json))
		return 0;
	return page_failed(p, v);
}

/* One page of the variations of p->parent: 1 when another follows, 0 after the last, -1 when the pull stops. */
static int pull_variations_page(struct pull *p)
{
	if (get_list(p, woo_pull_variations_target(p->parent->id, p->vpage)) < 0)
		return -1;
	p->vpages = p->req.total_pages;
	size_t n, kept;
	if (write_rows(p, &n, &kept) < 0)
		return -1;
	p->variations += (int64_t)kept;
	p->variation_pages++;
	return woo_pull_more(p->vpage, n, p->vpages);
}

/* The variations of the page's variable products, each list paged as the products are; 0, or -1. */
static int pull_variations(struct pull *p)
{
	int rc = 0;
	for (size_t i = 0; i < p->nparents && rc == 0; i++) {
		p->parent = &p->parents[i];
		p->vpages = -1;
		p->variable++;
		for (p->vpage = 1; (rc = pull_variations_page(p)) == 1; p->vpage++)
			;
	}
	p->parent = NULL;
	for (size_t i = 0; i < p->nparents; i++)
		woo_parent_free(&p->parents[i]);
	p->nparents = 0;
	return rc;
}

/* One page of products, then the variations of its variable ones: 1 when another page follows, 0 after the
 * last, -1 when the pull stops (failed or cancelled). */
static int pull_page(struct pull *p)
{
	if (get_list(p, woo_pull_target(p->conn->source_status, p->page)) < 0)
		return -1;
	note_totals(p);
	size_t n, kept;
	int rc = write_rows(p, &n, &kept);
	p->products += (int64_t)kept;
	bool more = woo_pull_more(p->page, n, p->pages);
	if (rc == 0)
		rc = pull_variations(p);
	if (rc < 0)
		return -1;
	int64_t done = (int64_t)p->res->bytes;
	run_set(p->ctx, RC_BYTES_DONE, done);
	run_set(p->ctx, RC_BYTES_TOTAL, more && p->pages > p->page ? done / p->page * p->pages : done);
	run_tick(p->ctx);
	return more;
}

static void log_start(struct pull *p)
{
	const struct shop *s = &p->shop;
	run_log(p->ctx, LOG_INFO, "pulling the products of '%s' (%s, %s, consumer key %s%s), status %s, %d a page",
	        s->name, s->base_url, shop_auth_name(s->auth), s->key_hint, s->verify_tls ? "" : ", TLS NOT VERIFIED",
	        p->conn->source_status, WOO_MAX_PER_PAGE);
}

static void log_end(struct pull *p)
{
	run_log(p->ctx, LOG_INFO, "pulled %lld products in %lld pages from '%s'", (long long)p->products,
	        (long long)p->page, p->shop.name);
	if (p->variable)
		run_log(p->ctx, LOG_INFO, "pulled %lld variations of %lld variable products in %lld pages from '%s'",
		        (long long)p->variations, (long long)p->variable, (long long)p->variation_pages, p->shop.name);
	if (p->no_sku)
		run_log(p->ctx, LOG_WARN, "products of '%s' skipped for want of a SKU: %lld", p->shop.name,
		        (long long)p->no_sku);
}

int woo_pull(struct run_ctx *ctx, const struct conn_config *conn, struct fetch_result *res, const char **code)
{
	memset(res, 0, sizeof(*res));
	struct pull p = {.ctx = ctx, .conn = conn, .res = res, .code = code, .total = -1, .pages = -1,
	                 .category_join = conn->source.list_join};
	int rc = open_shop(&p);
	if (rc == 0)
		rc = pull_file_failed(pull_file_open(&p.file, ctx->cfg, res, p.shop.name), code);
	if (rc == 0) {
		log_start(&p);
		for (p.page = 1; (rc = pull_page(&p)) == 1; p.page++)
			;
	}
	if (rc == 0)
		rc = pull_file_failed(pull_file_close(&p.file), code);
	pull_file_abandon(&p.file);
	if (rc == 0)
		log_end(&p);
	else
		fetch_cleanup(res);
	http_request_clear(&p.req);
	for (size_t i = 0; i < p.nparents; i++)
		woo_parent_free(&p.parents[i]);
	http_client_free(p.http);
	shop_free(&p.shop);
	sb_free(&p.chunk);
	return rc;
}
