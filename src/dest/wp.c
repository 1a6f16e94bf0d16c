/* The WordPress destination: identity by SKU meta, batch/v1 writes, per-item results (see dest/wp.h). */
#include "dest/wp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_dest.h"
#include "core/store_fence.h"
#include "core/store_media.h"
#include "core/store_plan.h"
#include "core/util.h"
#include "dest/dest.h"
#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/push_hooks.h"
#include "dest/remote_window.h"
#include "dest/woo.h"
#include "dest/woo_batch.h"
#include "dest/woo_terms.h"
#include "dest/wp_api.h"
#include "dest/wp_media.h"
#include "feed/product.h"

/* The listing that finds posts by SKU: pages of the most WordPress gives at once. */
#define INDEX_PER_PAGE 100
#define INDEX_MAX_PAGES 100000
/* Every status a post of feedsync's can be in, the trash included: a trashed post is restored, not made again. */
#define EVERY_STATUS "publish,future,draft,pending,private,trash"

struct item {
	char *sku;
	char *data;                  /* the product's fields as stored */
	int64_t hash;
	enum missing_action retire;  /* MISSING_NONE for a push */
	bool republish;              /* back from a retirement: published again */
	bool looked_again;           /* its cached id was stale, and it was looked up again */
	bool find_again;             /* stale: to be looked up again */
	bool reattached;             /* its cached attachment was gone, and its image was to be uploaded again */
	int64_t remote_id;           /* 0: created by this request */
	char *image_url;             /* the featured image uploaded (site.images upload), NULL none */
	int64_t media_id;            /* its attachment in the site */
};

struct batch {
	struct wp *w;
	struct http_request req;
	struct item **items;
	size_t n;
	bool creates;                /* its creates are fenced */
	bool single;                 /* one request of its own, not batch/v1 */
};

struct wp {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct shop shop;
	struct wp_site site;
	struct gate *gate;
	struct http_client *http;
	struct woo_terms *terms;
	int batch_max;               /* 0 until discovered */
	bool no_batch;               /* the type's routes refuse batching: single requests */
	struct item **queue;         /* waiting for the next batch */
	size_t nqueue;
	int in_flight;
	struct remote_window window; /* the cached post ids, read a window of SKUs at a time */
	bool indexed;                /* the site's posts were listed into the cache in this run */
	bool reindexed;              /* listed again, for a cached id the site no longer had */
	bool by_slug;                /* the SKU meta key is not registered for REST: posts are found by wp_sku_slug */
	struct item **stale;         /* their cached post is gone: to look up again */
	size_t nstale;
	struct push_fence *fences;   /* other runs' creates that may still be executing */
	size_t nfences;
	int64_t fence_ms;
	struct phase_stop stop;      /* why the phase stops, once it does */
	struct push_hooks hooks;     /* of http */
	int64_t created, updated, failed, skipped, retired, absent;
};

/* ---- items and their outcomes ---- */

static void item_free(struct item *it)
{
	if (!it)
		return;
	free(it->sku);
	free(it->data);
	free(it->image_url);
	free(it);
}

static char *failure_detail(struct wp *w, const struct http_request *r, const struct item *it, const char *code,
                            const char *message, int item_status)
{
	const char *const secrets[] = {w->shop.key, w->shop.secret, NULL};
	struct woo_failure f = {.code = code, .message = message, .item_status = item_status,
	                        .action = it->retire ? (it->retire == MISSING_DELETE ? "delete" : "update")
	                                             : it->remote_id ? "update" : "create",
	                        .remote_id = it->remote_id, .excerpt = !item_status, .secrets = secrets};
	return r ? woo_failure_detail(r, &f) : NULL;
}

static void fail_item(struct wp *w, struct item *it, const char *code, char *detail, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A per-item failure: counted and reported, and the push goes on. detail is taken over. */
static void fail_item(struct wp *w, struct item *it, const char *code, char *detail, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	struct run_error_info info = {.sku = it->sku, .code = code, .detail = detail};
	run_error(w->ctx, &info, "%s", sb_str(&msg));
	sb_free(&msg);
	free(detail);
	if (it->retire) {
		run_add(w->ctx, RC_RETIRE_FAILED, 1);
	} else {
		run_add(w->ctx, RC_PUSH_FAILED, 1);
		run_add(w->ctx, RC_PUSH_PROCESSED, 1);
		w->failed++;
	}
	item_free(it);
}

/* Why an answer stops the phase, naming the user for refused credentials; false when it does not. */
static bool stop_reason(struct wp *w, const struct http_request *r, enum woo_verdict v, const char *code,
                        const char *message, char *buf, size_t size)
{
	if (v != WOO_AUTH)
		return woo_stop_reason(&w->shop, r, v, buf, size);
	snprintf(buf, size, "the site refused user '%s' of destination '%s' (Application Password from %s): HTTP %ld "
	         "%s: %s; check it with 'feedsync dest test %lld'", w->site.user ? w->site.user : w->shop.key,
	         w->shop.name, w->shop.credentials_origin, r->status, code, message, (long long)w->shop.id);
	return true;
}

/* What reached the site, written in one transaction with the site's last requests. */
static void record(struct wp *w, struct item **v, size_t n)
{
	struct store *s = w->ctx->store;
	if (!n)
		return;
	bool ok = store_begin(s) == 0;
	int64_t now = now_ms();
	for (size_t i = 0; i < n && ok; i++) {
		struct item *it = v[i];
		bool gone = it->retire == MISSING_DELETE && w->site.delete_force;
		struct remote_product rp = {.remote_id = it->remote_id, .pushed_hash = it->hash};
		if (it->retire)
			ok = (!gone || store_remote_forget(s, w->shop.id, it->sku) == 0) &&
			     store_product_set_retired(s, w->ctx->connection_id, it->sku, missing_action_name(it->retire),
			                               now, gone) == 0;
		else
			ok = store_remote_put(s, w->shop.id, it->sku, &rp, now) == 0 &&
			     store_product_set_pushed(s, w->ctx->connection_id, it->sku, it->hash) == 0;
	}
	if (ok) {
		struct gate_circuit c;
		gate_circuit(w->gate, &c);
		ok = store_dest_set_outcomes(s, w->shop.id, c.outcomes) == 0;
	}
	if (!ok || store_commit(s) != 0) {
		/* The site has them; the next run finds them by SKU and updates instead of creating. */
		run_log(w->ctx, LOG_WARN, "%zu posts reached '%s' but cannot be recorded: %s", n, w->shop.name,
		        store_errmsg(s));
		store_rollback(s);
	}
	for (size_t i = 0; i < n; i++) {
		run_add(w->ctx, v[i]->retire ? RC_RETIRED : RC_PUSH_PROCESSED, 1);
		item_free(v[i]);
	}
}

/* ---- waiting for one request ---- */

static void request_done(struct http_request *r)
{
	*(bool *)r->ud = true;
}

/* Sends r before what is queued and waits for its answer, the run's heartbeat beating. */
static void exchange(struct wp *w, struct http_request *r)
{
	bool done = false;
	r->done = request_done;
	r->ud = &done;
	r->urgent = true;
	http_submit(w->http, r);
	while (!done) {
		http_run(w->http, HTTP_STOP_POLL_MS);
		run_tick(w->ctx);
	}
}

/* A request's failure as the phase's when it stops it; true then. */
static bool stopped_by(struct wp *w, const struct http_request *r)
{
	struct woo_error e;
	char why[1024];
	woo_answer_error(r, &e);
	if (!stop_reason(w, r, woo_verdict(r, 1), e.code, e.message, why, sizeof(why)))
		return false;
	struct item none = {0};
	phase_stop(&w->stop, w->http, failure_detail(w, r, &none, e.code, e.message, 0), "%s", why);
	return true;
}

/* The largest batch the site takes; single requests when it has no batch endpoint. */
static void discover_batch_size(struct wp *w)
{
	struct http_request r = {.method = "OPTIONS", .target = xstrdup(WP_BATCH)};
	exchange(w, &r);
	if (r.outcome == HTTP_DONE && r.status == 200 && r.json) {
		w->batch_max = wp_batch_max(r.json);
	} else if (!stopped_by(w, &r)) {
		w->batch_max = 1;
		w->no_batch = true;
		run_log(w->ctx, LOG_WARN, "'%s' has no batch endpoint (OPTIONS %s: HTTP %ld): one request per post",
		        w->shop.name, WP_BATCH, r.status);
	}
	if (w->batch_max > w->shop.opt.batch_size)
		w->batch_max = w->shop.opt.batch_size;
	w->ctx->batch_size = w->batch_max;
	http_request_clear(&r);
}

/* ---- finding posts by SKU ---- */

/* Other runs' creates may still be executing: their posts are listed once they are answered or their time is up. */
static void wait_for_fences(struct wp *w)
{
	phase_wait_for_fences(w->ctx, w->shop.name, w->shop.id, w->fences, w->nfences, NULL, "posts",
	                      "the site's posts are listed");
}

/* The SKU of a listed post, "" when its meta lacks the key (not registered for REST), NULL when it has none. */
static const char *listed_sku(const struct wp *w, const cJSON *post)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(post, "meta");
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(meta, w->site.sku_meta);
	if (!sku)
		return "";
	return cJSON_IsString(sku) && *sku->valuestring ? sku->valuestring : NULL;
}

static void meta_not_registered(struct wp *w)
{
	phase_stop(&w->stop, w->http, NULL, "the posts of '%s' (%s) do not show the meta key '%s': register it for the REST API "
	           "(register_post_meta with show_in_rest) so that feedsync finds its posts again; nothing more was "
	           "pushed", w->shop.name, w->site.post_type, w->site.sku_meta);
}

/*
 * Whether the type's schema shows the SKU meta key; where it does not, posts are found one by one by the slug
 * made of their SKU, which the push gives every post it writes. An unanswered question leaves the listing to
 * tell (meta_not_registered).
 */
static void check_sku_meta(struct wp *w)
{
	struct http_request r = {.method = "OPTIONS", .target = xasprintf(WP_API "/%s", w->site.post_type)};
	exchange(w, &r);
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "schema"), "properties"),
		"meta"), "properties");
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsObject(props) &&
	    !cJSON_GetObjectItemCaseSensitive(props, w->site.sku_meta)) {
		w->by_slug = true;
		run_log(w->ctx, LOG_WARN, "the %s of '%s' do not show the meta key '%s' in the REST API: posts are found "
		        "by a slug made of their SKU (sku-...), which replaces any slug mapped; register the key "
		        "(register_post_meta with show_in_rest) to find them by it", w->site.post_type, w->shop.name,
		        w->site.sku_meta);
	}
	http_request_clear(&r);
}

/* The post whose slug is the SKU's, by the site's exact slug query, into the cache: its id, 0 none, -1 stopped. */
static int64_t find_by_slug(struct wp *w, const char *sku)
{
	char *slug = wp_sku_slug(sku);
	struct http_request r = {.method = "GET"};
	r.target = xasprintf(WP_API "/%s?slug=%s&status=" EVERY_STATUS "&context=edit&_fields=id,slug",
	                     w->site.post_type, slug);
	exchange(w, &r);
	int64_t pid = 0;
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsArray(r.json)) {
		const cJSON *post;
		cJSON_ArrayForEach(post, r.json) {   /* the slug as the site keeps it, not a near one */
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(post, "id");
			if (str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(post, "slug")), slug) &&
			    cJSON_IsNumber(id) && id->valuedouble > 0)
				pid = (int64_t)id->valuedouble;
		}
		if (pid) {
			struct remote_product rp = {.remote_id = pid};
			store_remote_put(w->ctx->store, w->shop.id, sku, &rp, now_ms());
		}
	} else if (!stopped_by(w, &r)) {
		struct woo_error e;
		woo_answer_error(&r, &e);
		struct item none = {0};
		phase_stop(&w->stop, w->http, failure_detail(w, &r, &none, e.code, e.message, 0), "'%s' did not answer "
		           "which of its %s has the slug %s, which finds the post of %s (%s: %s); nothing more was pushed",
		           w->shop.name, w->site.post_type, slug, sku, e.code, e.message);
		pid = -1;
	} else {
		pid = -1;
	}
	http_request_clear(&r);
	free(slug);
	return pid;
}

/* One page of the listing into the cache: how many posts it held, or -1. */
static int index_page(struct wp *w, int page)
{
	struct http_request r = {.method = "GET"};
	r.target = xasprintf(WP_API "/%s?status=" EVERY_STATUS "&per_page=%d&page=%d&orderby=id&order=asc"
	                     "&context=edit&_fields=id,meta.%s", w->site.post_type, INDEX_PER_PAGE, page,
	                     w->site.sku_meta);
	exchange(w, &r);
	int got = -1;
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsArray(r.json)) {
		struct store *s = w->ctx->store;
		bool tx = store_begin(s) == 0;
		got = 0;
		const cJSON *post;
		cJSON_ArrayForEach(post, r.json) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(post, "id");
			const char *sku = listed_sku(w, post);
			got++;
			if (sku && !*sku) {
				meta_not_registered(w);
				break;
			}
			struct remote_product rp = {0};
			int64_t pid = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
			if (!sku || pid <= 0 || (store_remote_get(s, w->shop.id, sku, &rp) == 1 && rp.remote_id == pid))
				continue;
			rp = (struct remote_product){.remote_id = pid};
			store_remote_put(s, w->shop.id, sku, &rp, now_ms());
		}
		if (tx && store_commit(s) != 0)
			store_rollback(s);
	} else if (r.outcome == HTTP_DONE && r.status == 400 && page > 1) {
		got = 0; /* rest_post_invalid_page_number: the last page was full */
	} else if (!stopped_by(w, &r)) {
		struct woo_error e;
		woo_answer_error(&r, &e);
		struct item none = {0};
		phase_stop(&w->stop, w->http, failure_detail(w, &r, &none, e.code, e.message, 0), "'%s' did not list its %s, which "
		           "finds its posts by SKU (%s: %s); nothing more was pushed", w->shop.name, w->site.post_type,
		           e.code, e.message);
	}
	http_request_clear(&r);
	return got;
}

/* Once a run, before the first create: the site's posts of the type fill the cache. */
static void index_site(struct wp *w)
{
	if (w->indexed)
		return;
	w->indexed = true;
	wait_for_fences(w);
	if (run_should_stop(w->ctx))
		return;
	check_sku_meta(w);
	int got = w->by_slug ? 0 : INDEX_PER_PAGE;   /* a listing without the key tells no SKU */
	for (int page = 1; page <= INDEX_MAX_PAGES && got == INDEX_PER_PAGE && !phase_stopped(&w->stop); page++)
		got = index_page(w, page);
	for (size_t i = 0; i < w->nfences && !phase_stopped(&w->stop); i++)
		store_fence_drop_others(w->ctx->store, w->shop.id, w->fences[i].sku, w->ctx->run_id);
}

/* The post's id for the item, 0 when the site has none. */
static int64_t find_post(struct wp *w, struct item *it)
{
	struct remote_product rp;
	int found = remote_window_get(&w->window, it->sku, &rp);
	if (found != 1 && !w->indexed) {
		index_site(w);
		remote_window_reset(&w->window);   /* the listing filled the cache */
		found = remote_window_get(&w->window, it->sku, &rp);
	}
	if (found != 1 && w->by_slug && !phase_stopped(&w->stop)) {
		int64_t pid = find_by_slug(w, it->sku);
		return pid > 0 ? pid : 0;
	}
	return found == 1 ? rp.remote_id : 0;
}

/* ---- batches ---- */

static void batch_done(struct http_request *r);

/* The batch itself, once its items are dealt with. */
static void batch_free(struct batch *b)
{
	http_request_clear(&b->req);
	free(b->items);
	free(b);
}

/* The SKUs a batch creates are fenced, in one transaction committed before it is sent: a crash meanwhile leaves
 * them to be looked up, never created twice. False, the phase stopped, when that cannot be written. */
static bool fence(struct wp *w, struct batch *b)
{
	struct store *s = w->ctx->store;
	int64_t until = now_ms() + w->fence_ms;
	bool ok = store_begin(s) == 0;
	for (size_t i = 0; i < b->n && ok; i++)
		if (!b->items[i]->remote_id && !b->items[i]->retire)
			ok = store_fence_put(s, w->shop.id, b->items[i]->sku, w->ctx->run_id, until) == 0;
	if (ok && store_commit(s) == 0)
		return true;
	phase_stop(&w->stop, w->http, NULL, "cannot record which posts are being created in '%s' (%s), and without "
	           "that a crash could create them twice; nothing more is sent", w->shop.name, store_errmsg(s));
	store_rollback(s);
	return false;
}

/* The site is done with a batch: its fences go, in one transaction. One that cannot go only makes a later run
 * look the SKU up again. */
static void unfence(struct wp *w, struct batch *b)
{
	struct store *s = w->ctx->store;
	bool tx = store_begin(s) == 0;
	for (size_t i = 0; i < b->n; i++)
		if (!b->items[i]->retire)
			store_fence_drop(s, w->shop.id, b->items[i]->sku, w->ctx->run_id);
	if (tx && store_commit(s) != 0)
		store_rollback(s);
}

/* The sub-request of an item: its method, path and body. -1 when its body cannot be made (it failed). */
static int item_request(struct wp *w, struct item *it, const char **method, char **path, cJSON **body)
{
	char err[512];
	*body = NULL;
	if (it->retire == MISSING_DELETE) {
		*method = "DELETE";
		char *p = wp_post_path(&w->site, it->remote_id);
		*path = w->site.delete_force ? xasprintf("%s?force=true&_fields=id", p) : xasprintf("%s?_fields=id", p);
		free(p);
		return 0;
	}
	char *p = wp_post_path(&w->site, it->remote_id);
	*path = xasprintf("%s?_fields=id,meta.%s", p, w->site.sku_meta);
	free(p);
	*method = it->remote_id ? "PUT" : "POST";
	if (it->retire == MISSING_DRAFT) {
		*body = cJSON_CreateObject();
		cJSON_AddStringToObject(*body, "status", "draft");
		return 0;
	}
	bool every_field = !it->remote_id || it->republish;
	if (wp_post_body(it->data, &w->site, !it->remote_id, it->republish,
	                 every_field ? NULL : w->conn->update_fields, body, err, sizeof(err)) == 0) {
		if (it->media_id)
			cJSON_AddNumberToObject(*body, "featured_media", (double)it->media_id);
		if (w->by_slug) {   /* the slug is the post's identity: never another one */
			cJSON_DeleteItemFromObjectCaseSensitive(*body, "slug");
			char *slug = wp_sku_slug(it->sku);
			cJSON_AddStringToObject(*body, "slug", slug);
			free(slug);
		}
		return 0;
	}
	free(*path);
	fail_item(w, it, "bad_value", NULL, "%s", err);
	return -1;
}

static void send_batch(struct wp *w, struct item **v, size_t n)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	b->w = w;
	b->items = xcalloc(n, sizeof(*b->items));
	b->single = w->no_batch;
	cJSON *requests = cJSON_CreateArray();
	const char *method = NULL;
	char *path = NULL;
	cJSON *body = NULL;
	for (size_t i = 0; i < n; i++) {
		if (item_request(w, v[i], &method, &path, &body) < 0)
			continue;
		b->creates |= !v[i]->remote_id && !v[i]->retire;
		b->items[b->n++] = v[i];
		if (b->single)
			break;
		wp_batch_add(requests, method, path, body);
	}
	if (!b->n) {
		cJSON_Delete(requests);
		free(b->items);
		free(b);
		return;
	}
	if (b->single) {
		cJSON_Delete(requests);
		b->req.method = method;
		b->req.target = xasprintf("/wp-json%s", path);
		free(path);
		if (body) {
			char *printed = cJSON_PrintUnformatted(body);
			b->req.body = xstrdup(printed);
			cJSON_free(printed);
			cJSON_Delete(body);
		}
	} else {
		b->req.method = "POST";
		b->req.target = xstrdup(WP_BATCH);
		b->req.body = wp_batch_text(requests);
	}
	b->req.body_len = b->req.body ? strlen(b->req.body) : 0;
	b->req.once_executed = b->creates;
	b->req.done = batch_done;
	b->req.ud = b;
	if (b->creates && !fence(w, b)) {
		for (size_t i = 0; i < b->n; i++)
			item_free(b->items[i]); /* stays pending */
		batch_free(b);
		return;
	}
	w->in_flight++;
	http_submit(w->http, &b->req);
}

static void flush(struct wp *w, bool all)
{
	while (!phase_stopped(&w->stop) && w->nqueue && (all || w->nqueue >= (size_t)w->batch_max)) {
		size_t n = w->nqueue < (size_t)w->batch_max ? w->nqueue : (size_t)w->batch_max;
		if (w->no_batch)
			n = 1;
		send_batch(w, w->queue, n);
		memmove(w->queue, w->queue + n, (w->nqueue - n) * sizeof(*w->queue));
		w->nqueue -= n;
	}
}

static void enqueue(struct wp *w, struct item *it)
{
	if (!w->batch_max)
		discover_batch_size(w);
	if (phase_stopped(&w->stop)) {
		item_free(it);
		return;
	}
	w->queue = xrealloc(w->queue, (w->nqueue + 1) * sizeof(*w->queue));
	w->queue[w->nqueue++] = it;
	flush(w, false);
}

/* One item's result. Successes are gathered into done for one transaction. */
static void item_result(struct wp *w, struct batch *b, struct item *it, const struct wp_result *res,
                        struct item **done, size_t *ndone)
{
	if (res->status >= 200 && res->status <= 299) {
		if (!it->remote_id && !it->retire) {
			it->remote_id = res->id;
			w->created++;
		} else if (!it->retire) {
			w->updated++;
		}
		done[(*ndone)++] = it;
		return;
	}
	if (str_eq(res->code, "rest_batch_not_allowed")) {
		if (!w->no_batch)
			run_log(w->ctx, LOG_INFO, "'%s' does not batch %s: one request per post", w->shop.name,
			        w->site.post_type);
		w->no_batch = true;
		w->queue = xrealloc(w->queue, (w->nqueue + 1) * sizeof(*w->queue));
		w->queue[w->nqueue++] = it;
		return;
	}
	if (it->retire == MISSING_DELETE && (res->status == 404 || res->status == 410)) {
		w->absent++;
		done[(*ndone)++] = it; /* gone already, or in the trash already */
		return;
	}
	if (str_eq(res->code, "rest_post_invalid_id") && !it->looked_again) {
		/* Deleted in the site since it was cached: looked up afresh (outside this callback), else created. */
		store_remote_forget(w->ctx->store, w->shop.id, it->sku);
		remote_window_forget(&w->window, it->sku);
		it->looked_again = it->find_again = true;
		w->stale = xrealloc(w->stale, (w->nstale + 1) * sizeof(*w->stale));
		w->stale[w->nstale++] = it;
		return;
	}
	if (str_eq(res->code, "rest_invalid_featured_media") && it->image_url && !it->reattached) {
		/* Its attachment was deleted from the media library since it was cached: the image is uploaded again
		 * (outside this callback) and the post sent again with it. */
		store_media_forget(w->ctx->store, w->shop.id, it->image_url);
		free(it->image_url);
		it->image_url = NULL;
		it->media_id = 0;
		it->reattached = true;
		w->stale = xrealloc(w->stale, (w->nstale + 1) * sizeof(*w->stale));
		w->stale[w->nstale++] = it;
		return;
	}
	char why[1024];
	enum woo_verdict v = res->status == 401 || res->status == 403 ? WOO_AUTH : WOO_ITEMS;
	struct http_request as_item = b->req;
	as_item.status = res->status;
	if (stop_reason(w, &as_item, v, res->code, res->message, why, sizeof(why))) {
		phase_stop(&w->stop, w->http, failure_detail(w, &b->req, it, res->code, res->message, res->status), "%s", why);
		item_free(it); /* stays pending */
		return;
	}
	fail_item(w, it, res->code, failure_detail(w, &b->req, it, res->code, res->message, res->status),
	          "'%s' refused %s: HTTP %d %s: %s", w->shop.name, it->sku, res->status, res->code, res->message);
}

static void read_results(struct wp *w, struct batch *b)
{
	struct wp_result *res = xcalloc(b->n, sizeof(*res));
	if (b->single)
		wp_single_result(b->req.status, b->req.json, &res[0]);
	if (!b->single && wp_batch_results(b->req.json, b->n, res) < 0) {
		for (size_t i = 0; i < b->n; i++)
			fail_item(w, b->items[i], "bad_answer", failure_detail(w, &b->req, b->items[i], "bad_answer",
			          "not a batch answer", 0), "'%s' answered the batch with something that is not a batch "
			          "answer (HTTP %ld)", w->shop.name, b->req.status);
		free(res);
		return;
	}
	struct item **done = xcalloc(b->n, sizeof(*done));
	size_t ndone = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (res[i].status == 0)
			fail_item(w, b->items[i], "no_result", NULL, "'%s' gave no result for %s in its batch answer",
			          w->shop.name, b->items[i]->sku);
		else
			item_result(w, b, b->items[i], &res[i], done, &ndone);
	}
	if (b->creates && !w->by_slug) /* the meta key must come back, or the next run cannot find these posts */
		for (size_t i = 0; i < b->n && !phase_stopped(&w->stop); i++)
			if (res[i].status == 201 &&
			    !cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res[i].body, "meta"),
			                                      w->site.sku_meta))
				meta_not_registered(w);
	record(w, done, ndone);
	free(done);
	free(res);
}

static void batch_done(struct http_request *r)
{
	struct batch *b = r->ud;
	struct wp *w = b->w;
	w->in_flight--;
	enum woo_verdict v = woo_verdict(r, 1);
	if (b->creates && !r->maybe_executed)
		unfence(w, b);
	struct woo_error e;
	woo_answer_error(r, &e);
	char why[1024];
	if (v == WOO_DROPPED || phase_stopped(&w->stop)) {
		for (size_t i = 0; i < b->n; i++)
			item_free(b->items[i]); /* stays pending */
	} else if (v == WOO_ITEMS || (b->single && r->outcome == HTTP_DONE && r->status >= 400 && r->status != 401 &&
	                              r->status != 403 && r->json)) {
		read_results(w, b);
	} else if (stop_reason(w, r, v, e.code, e.message, why, sizeof(why))) {
		phase_stop(&w->stop, w->http, failure_detail(w, r, b->items[0], e.code, e.message, 0), "%s", why);
		for (size_t i = 0; i < b->n; i++)
			item_free(b->items[i]);
	} else {
		char outcome[128];
		http_outcome_text(r, outcome, sizeof(outcome));
		for (size_t i = 0; i < b->n; i++)
			fail_item(w, b->items[i], r->maybe_executed ? "may_still_execute" : e.code,
			          failure_detail(w, r, b->items[i], e.code, e.message, 0), "'%s': %s for %s%s", w->shop.name,
			          outcome, b->items[i]->sku, r->maybe_executed && b->creates
			          ? " (the create may still be executing: it is fenced, and looked up before the next try)" : "");
	}
	batch_free(b);
}

/* ---- the destination ---- */

static int attach_image(struct wp *w, struct item *it, bool every_field);

/* The items whose cached post or attachment was gone: the site's posts are listed once more (the image uploaded
 * again), then each is sent again. */
static void resolve_stale(struct wp *w)
{
	for (size_t i = 0; i < w->nstale; i++) {   /* an exchange below may add to the list */
		struct item *it = w->stale[i];
		if (it->find_again && !phase_stopped(&w->stop)) {
			if (!w->reindexed) {
				w->reindexed = true;
				w->indexed = false;
			}
			it->find_again = false;
			it->remote_id = find_post(w, it);
		}
		if (phase_stopped(&w->stop)) {
			item_free(it);
		} else if (it->retire && !it->remote_id) {
			w->absent++;
			record(w, &it, 1);
		} else if (!it->reattached || it->media_id ||
		           attach_image(w, it, !it->remote_id || it->republish) == 0) {
			enqueue(w, it);
		}
	}
	w->nstale = 0;
}

static void pump(struct wp *w)
{
	resolve_stale(w);
	while (!phase_stopped(&w->stop) && w->in_flight >= w->shop.opt.concurrency && !run_should_stop(w->ctx)) {
		http_run(w->http, HTTP_STOP_POLL_MS);
		run_tick(w->ctx);
	}
	http_run(w->http, 0);
}

/* ---- featured images (site.images upload) ---- */

/* The download of an image beats the run's heartbeat, and stops for a cancel. */
static int image_progress(void *ud, uint64_t received, uint64_t total)
{
	(void)received;
	(void)total;
	struct run_ctx *ctx = ud;
	run_tick(ctx);
	return run_should_stop(ctx) ? 1 : 0;
}

/* The image at url uploaded to the site's media library: its attachment id, or 0 when the item failed (taken)
 * or the phase stopped. */
static int64_t upload_image(struct wp *w, struct item *it, const char *url)
{
	struct fetch_result image;
	const char *code = NULL;
	char why[1536];
	if (wp_media_download(url, w->site.image_max_bytes, w->ctx->cfg, image_progress, w->ctx, &image, &code, why,
	                      sizeof(why)) < 0) {
		if (image.cancelled)
			item_free(it); /* stays pending */
		else
			fail_item(w, it, code, *image.detail ? xstrdup(image.detail) : NULL, "%s", why);
		return 0;
	}
	struct http_request r = {0};
	int rc = wp_media_request(url, &image, &r, why, sizeof(why));
	fetch_cleanup(&image);   /* the request holds the file open */
	if (rc < 0) {
		fail_item(w, it, "image_unreadable", NULL, "%s", why);
		return 0;
	}
	exchange(w, &r);
	int64_t id = wp_media_id(&r);
	char shown[2048];
	fetch_redact_url(url, shown, sizeof(shown));
	if (id) {
		run_log(w->ctx, LOG_INFO, "image %s uploaded to the media library of '%s': attachment %lld", shown,
		        w->shop.name, (long long)id);
	} else if (!stopped_by(w, &r)) {
		struct woo_error e;
		woo_answer_error(&r, &e);
		fail_item(w, it, e.code, failure_detail(w, &r, it, e.code, e.message, 0), "'%s' did not take the image %s "
		          "of %s into its media library: %s: %s", w->shop.name, shown, it->sku, e.code, e.message);
	} else {
		item_free(it); /* stays pending */
	}
	http_request_clear(&r);
	return id;
}

/* The item's first image as the post's featured_media: uploaded once per distinct URL (store_media), so that
 * posts and runs that show the same image share its attachment. 0, or -1 when the item failed (it is taken) or
 * the phase stopped. */
static int attach_image(struct wp *w, struct item *it, bool every_field)
{
	char *url = wp_post_image(it->data, every_field, w->conn->update_fields);
	if (!url)
		return 0;
	int64_t id = 0;
	int cached = store_media_get(w->ctx->store, w->shop.id, url, &id);
	if (cached != 1) {
		id = upload_image(w, it, url);
		if (id && store_media_put(w->ctx->store, w->shop.id, url, id, now_ms()) < 0)
			run_log(w->ctx, LOG_WARN, "attachment %lld of '%s' cannot be recorded (%s): the next run uploads the "
			        "image again", (long long)id, w->shop.name, store_errmsg(w->ctx->store));
	}
	if (!id) {
		free(url);
		return -1;
	}
	it->image_url = url;
	it->media_id = id;
	return 0;
}

static struct item *new_item(const char *sku, const char *data, int64_t hash)
{
	struct item *it = xcalloc(1, sizeof(*it));
	it->sku = xstrdup(sku);
	it->data = data ? xstrdup(data) : NULL;
	it->hash = hash;
	return it;
}

static int wp_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct wp *w = d->impl;
	struct item *it = new_item(p->sku, p->data, p->hash);
	it->republish = p->returning != NULL;
	it->remote_id = find_post(w, it);
	if (phase_stopped(&w->stop) || run_should_stop(w->ctx)) {
		item_free(it);
		return phase_stop_report(&w->stop, d, err, errsize);
	}
	if (!it->remote_id && !w->conn->create_missing) {
		w->skipped++;
		run_add(w->ctx, RC_PUSH_PROCESSED, 1);
		item_free(it);
		return 0;
	}
	struct woo_error refusal;
	bool every_field = !it->remote_id || it->republish;
	if (w->terms && woo_terms_resolve(w->terms, &it->data, every_field, &refusal) < 0) {
		const struct http_request *stop = woo_terms_stop_answer(w->terms);
		if (stop && stopped_by(w, stop))
			item_free(it); /* its terms were never made: it stays pending */
		else
			fail_item(w, it, refusal.code, NULL, "%s", refusal.message);
		return phase_stop_report(&w->stop, d, err, errsize);
	}
	if (w->site.upload_images && attach_image(w, it, every_field) < 0)
		return phase_stop_report(&w->stop, d, err, errsize);
	enqueue(w, it);
	pump(w);
	return phase_stop_report(&w->stop, d, err, errsize);
}

static int wp_retire(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize)
{
	struct wp *w = d->impl;
	struct item *it = new_item(sku, NULL, 0);
	it->retire = action;
	if (action == MISSING_STOCK_ZERO) {
		fail_item(w, it, "not_supported", NULL, "a WordPress post has no stock: use missing_action draft or delete");
		return 0;
	}
	it->remote_id = find_post(w, it);
	if (!phase_stopped(&w->stop) && !it->remote_id) {
		w->absent++;
		record(w, &it, 1);
		return 0;
	}
	if (phase_stopped(&w->stop)) {
		item_free(it);
		return phase_stop_report(&w->stop, d, err, errsize);
	}
	w->retired++;
	enqueue(w, it);
	pump(w);
	return phase_stop_report(&w->stop, d, err, errsize);
}

static int wp_commit(struct dest *d, char *err, size_t errsize)
{
	struct wp *w = d->impl;
	bool stopped = false;
	while (!phase_stopped(&w->stop) && (w->nqueue || w->nstale || w->in_flight > 0)) {
		if (run_should_stop(w->ctx)) {
			stopped = true;
			break;
		}
		resolve_stale(w);
		flush(w, true);
		http_run(w->http, HTTP_STOP_POLL_MS);
		run_tick(w->ctx);
	}
	run_log(w->ctx, LOG_INFO, "'%s': %lld created, %lld updated, %lld failed", w->shop.name, (long long)w->created,
	        (long long)w->updated, (long long)w->failed);
	if (w->skipped)
		run_log(w->ctx, LOG_INFO, "%lld products are not in the site and were not created "
		        "(update.create_missing is false)", (long long)w->skipped);
	if (w->retired || w->absent)
		run_log(w->ctx, LOG_INFO, "'%s': %lld retired, %lld not in the site (nothing to retire)", w->shop.name,
		        (long long)w->retired, (long long)w->absent);
	if (phase_stop_report(&w->stop, d, err, errsize) < 0)
		return -1;
	return stopped ? 1 : 0;
}

static int read_site(struct wp *w, char *err, size_t errsize)
{
	struct dest_row row;
	if (store_dest_get(w->ctx->store, w->shop.id, &row) != 1) {
		snprintf(err, errsize, "cannot read destination '%s': %s", w->shop.name, store_errmsg(w->ctx->store));
		return -1;
	}
	int rc = 0;
	if (!str_eq(row.type, "wordpress")) {
		snprintf(err, errsize, "destination '%s' is a %s destination, not a wordpress one: set the connection's "
		         "destination type to %s", row.name, row.type, row.type);
		rc = -1;
	} else {
		rc = wp_site_of(row.options, row.name, &w->site, err, errsize);
	}
	dest_row_free(&row);
	return rc;
}

/* The resolver of the taxonomies to fill, told by the site which of them are hierarchical. */
static int open_terms(struct wp *w, char *err, size_t errsize)
{
	struct http_request r = {.method = "GET", .target = xstrdup(WP_API "/taxonomies")};
	exchange(w, &r);
	int rc = 0;
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsObject(r.json)) {
		struct term_taxonomy list[WP_MAX_TAXONOMIES];
		size_t n = 0;
		for (; w->site.taxonomies[n]; n++) {
			bool hierarchical = false;
			const cJSON *tax;
			cJSON_ArrayForEach(tax, r.json)
				if (str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tax, "rest_base")),
				           w->site.taxonomies[n]))
					hierarchical = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tax, "hierarchical"));
			list[n] = (struct term_taxonomy){w->site.taxonomies[n], "term", hierarchical};
		}
		w->terms = woo_terms_open_for(w->ctx, &w->shop, w->http, w->conn, &wp_term_api, list, n);
	} else {
		struct woo_error e;
		woo_answer_error(&r, &e);
		snprintf(err, errsize, "'%s' did not list its taxonomies (%s: %s); nothing was pushed", w->shop.name,
		         e.code, e.message);
		rc = -1;
	}
	http_request_clear(&r);
	return rc;
}

static int wp_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending, char *err,
                   size_t errsize)
{
	struct wp *w = xcalloc(1, sizeof(*w));
	d->impl = w;
	w->ctx = ctx;
	w->conn = conn;
	if (shop_load(ctx->store, ctx->cfg, conn->dest_id, conn->dest_name, &w->shop, err, errsize) < 0 ||
	    read_site(w, err, errsize) < 0)
		return -1;
	remote_window_init(&w->window, ctx->store, w->shop.id);
	w->gate = woo_gate_open(&w->shop, ctx->store, err, errsize);
	if (!w->gate) {
		size_t len = strlen(err);
		snprintf(err + len, errsize - len, "; nothing was pushed");
		return -1;
	}
	str_copy(ctx->circuit, w->shop.circuit_state, sizeof(ctx->circuit));
	w->hooks = (struct push_hooks){.ctx = ctx, .shop = &w->shop};
	struct http_hooks hooks = push_http_hooks(&w->hooks);
	w->http = http_client_new(&w->shop, ctx->cfg, &hooks, err, errsize);
	if (!w->http)
		return -1;
	if (w->site.taxonomies[0] && open_terms(w, err, errsize) < 0)
		return -1;
	w->fence_ms = ((int64_t)w->shop.opt.timeout_s + w->shop.opt.overrun_s) * 1000;
	if (store_fences_of_others(ctx->store, w->shop.id, ctx->run_id, &w->fences, &w->nfences) < 0) {
		snprintf(err, errsize, "cannot read which creates of earlier runs may still be executing in '%s': %s; "
		         "nothing was pushed", w->shop.name, store_errmsg(ctx->store));
		return -1;
	}
	run_log(ctx, LOG_INFO, "sending %lld products to '%s' (%s, %s as user %s%s): %d at once", (long long)pending,
	        w->shop.name, w->shop.base_url, w->site.post_type, w->shop.key,
	        w->shop.verify_tls ? "" : ", TLS NOT VERIFIED", w->shop.opt.concurrency);
	return 0;
}

static void wp_close(struct dest *d)
{
	struct wp *w = d->impl;
	if (!w)
		return;
	phase_drain(w->http, w->ctx);
	for (size_t i = 0; i < w->nqueue; i++)
		item_free(w->queue[i]);
	free(w->queue);
	for (size_t i = 0; i < w->nstale; i++)
		item_free(w->stale[i]);
	free(w->stale);
	push_fences_free(w->fences, w->nfences);
	remote_window_free(&w->window);
	woo_terms_free(w->terms);
	http_client_free(w->http);
	wp_site_free(&w->site);
	shop_free(&w->shop);
	phase_stop_free(&w->stop);
	free(w);
	d->impl = NULL;
	d->detail = NULL;
}

const struct dest_ops dest_wp_ops = {
	.name = "wordpress",
	.wants_all = dest_changed_only,
	.open = wp_open,
	.push = wp_push,
	.retire = wp_retire,
	.commit = wp_commit,
	.close = wp_close,
};
