/* The WooCommerce destination: lookups, batches, per-item results (see dest/woo.h). */
#include "dest/woo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/store_dest.h"
#include "core/store_fence.h"
#include "core/store_groups.h"
#include "core/store_plan.h"
#include "core/util.h"
#include "dest/dest.h"
#include "dest/gate.h"
#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/push_hooks.h"
#include "dest/remote_window.h"
#include "dest/woo_batch.h"
#include "dest/woo_terms.h"
#include "dest/woo_variations.h"
#include "feed/product.h"

/* Results written per transaction: one commit per batch answer rather than one per product. */
#define RECORD_EVERY 256
/* Remote ids read per query, in SKU order as the catalog hands products over. */

struct item {
	char *sku;
	char *data;                  /* the product's fields as stored */
	int64_t hash;                /* its content hash in the catalog */
	uint64_t claim;              /* gate key of the lower-cased SKU, held while the item is in flight */
	int64_t remote_id, parent_id;
	char *payload;               /* the item's JSON object in the batch */
	int64_t payload_hash;
	bool found;                  /* a lookup found it */
	bool relooked;               /* looked up again after the shop refused its cached id */
	bool switched;               /* a create that the shop answered product_invalid_sku: now an update */
	enum missing_action retire;  /* not MISSING_NONE: a retirement, not a push */
	enum missing_action returning; /* a push that undoes this retirement */
	bool fenced;                 /* our fence on its SKU is written: its create may be executing in the shop */
	/* A create carrying it may have executed, or still be executing: it is parked until that must be over, and its
	 * fence stays after the run, so that the next one checks the shop for a late duplicate. */
	bool in_doubt;
	bool recheck;                /* another run's fence on it has ended: looked up afresh, then that fence goes */
	bool verify_only;            /* no product: a fenced SKU looked up only to find a duplicate */
	bool verifying;              /* just created: looked up again to see that the shop holds the SKU once */
	int64_t created_id;          /* the product its create made */
	int64_t parked_until;        /* parked: when the fence it waits for ends */
	int64_t *also;               /* more products with its SKU that a lookup found */
	size_t nalso;
	/* Grouped rows (dest/woo_variations.h): a variant names its group and goes to its parent's variations once
	 * the parent is in the shop (group_id); a parent is a variable product made from its group's variants. */
	char *group;
	char *attributes;            /* the "attributes" member of its payload; NULL none */
	int64_t group_id;
	bool parent;
	bool moving;                 /* a variant whose group changed: deleted from its old parent, then created */
};

struct items {
	struct item **v;
	size_t n, cap;
};

struct woo;

struct group_ref {               /* a group with a variant to push, or whose own row changed */
	char *sku;                   /* its parent's */
	bool republish;              /* a variant is back from a draft retirement: so is the parent */
	char *own;                   /* the feed's row with the parent's SKU, pending; NULL none */
	int64_t own_hash;
};

struct lookup {
	struct http_request req;     /* its ud points back here */
	struct woo *w;
	struct items items;
	int page;
};

/* What a batch item asks for, in the order a batch lists them. */
enum op { OP_CREATE, OP_UPDATE, OP_DELETE, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"create", "update", "delete"};

struct batch {
	struct http_request req;
	struct woo *w;
	int64_t parent_id;           /* 0: products/batch; else that product's variations/batch */
	struct items items;          /* creates, then updates, then deletes */
	size_t count[OP_COUNT];
	struct woo_result *results;  /* read from a 2xx answer, one per item */
	bool *found;
};

struct ready {                   /* items waiting for a batch to the same endpoint */
	int64_t parent_id;
	struct items items;
};

struct woo {
	struct run_ctx *ctx;
	const struct conn_config *conn;
	struct shop shop;
	struct gate *gate;
	struct http_client *http;
	struct woo_terms *terms;     /* category paths and tag names to ids */
	int batch_size;
	struct items to_look_up;
	struct ready *ready;         /* [0] is products/batch */
	size_t nready;
	struct items deferred;       /* SKUs another request to this shop is carrying right now */
	struct items recorded;       /* pushed, to be written to the store */
	struct remote_window window;
	int64_t in_flight;           /* items claimed and not yet settled */
	int lookups_in_flight;
	struct phase_stop stop;      /* why the phase stops, once it does */
	struct push_hooks hooks;     /* of http */
	bool closing;
	int64_t created, updated, unchanged, skipped, failed;
	int64_t retired, absent, retire_failed;   /* absent: nothing to retire, the shop lacks the product */
	struct push_fence *fences;   /* other runs' fences on this shop's SKUs, by lower-cased SKU */
	size_t nfences;
	bool *fence_seen;            /* fences[i]'s SKU came up in this run */
	struct items parked;         /* products whose SKU is fenced: they wait for the fence to end */
	int64_t parked_due;          /* the earliest end of their fences */
	int64_t fences_read_at;      /* when other runs' fences were last read (refresh_fences) */
	int64_t fence_ms;            /* how long a create request may be executing in the shop */
	int repairs_in_flight;
	int64_t duplicates;
	struct items variants;       /* held until their parents are pushed (woo_commit) */
	struct group_ref *groups;    /* their groups, each once after push_parents */
	size_t ngroups;
	char **parent_skus;          /* every group of the connection, sorted: a row with such a SKU is its parent's */
	size_t nparent_skus;
	enum missing_action retire_action;  /* the connection's rule, once this run retires: parents follow it */
};

/* ---- lists and items --------------------------------------------------------------------------------- */

static void items_add(struct items *l, struct item *it)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = it;
}

static void item_free(struct item *it)
{
	free(it->sku);
	free(it->data);
	free(it->payload);
	free(it->also);
	free(it->group);
	free(it->attributes);
	free(it);
}

/* The item leaves the push: its SKU may go out again in another request. */
static void release(struct woo *w, struct item *it)
{
	gate_unclaim(w->gate, it->claim);
	w->in_flight--;
	item_free(it);
}

static void release_all(struct woo *w, struct items *l)
{
	for (size_t i = 0; i < l->n; i++)
		release(w, l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void settled(struct woo *w)
{
	run_add(w->ctx, RC_PUSH_PROCESSED, 1);
}

/* A failed answer's detail for the run error (dest/woo_batch.h), with this shop's credentials kept out of it. */
static char *failure_detail(struct woo *w, const struct http_request *r, struct woo_failure f)
{
	const char *const secrets[] = {w->shop.key, w->shop.secret, NULL};
	f.secrets = secrets;
	return woo_failure_detail(r, &f);
}

static void fail_item(struct woo *w, struct item *it, const char *code, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A per-item failure: counted and reported, and the push goes on. */
static void fail_item(struct woo *w, struct item *it, const char *code, const char *detail, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	struct run_error_info info = {.sku = it->sku, .code = code, .detail = detail};
	run_error(w->ctx, &info, "%s", sb_str(&msg));
	sb_free(&msg);
	if (it->retire) {
		run_add(w->ctx, RC_RETIRE_FAILED, 1);
		w->retire_failed++;
	} else {
		run_add(w->ctx, RC_PUSH_FAILED, 1);
		settled(w);
		w->failed++;
	}
	release(w, it);
}

/* A deleted product is forgotten: should it come back, it is created again. */
static bool record_retirement(struct woo *w, const struct item *it, int64_t now)
{
	struct store *s = w->ctx->store;
	bool gone = it->retire == MISSING_DELETE;
	if (gone) {
		remote_window_forget(&w->window, it->sku);
		if (store_remote_forget(s, w->shop.id, it->sku) < 0)
			return false;
	}
	if (it->parent) {   /* not in the catalog: the retirement's payload is remembered, so it is sent once */
		struct remote_product rp = {.remote_id = it->remote_id, .pushed_hash = it->payload_hash};
		return gone || store_remote_put(s, w->shop.id, it->sku, &rp, now) == 0;
	}
	return store_product_set_retired(s, w->ctx->connection_id, it->sku, missing_action_name(it->retire), now,
	                                 gone) == 0;
}

/* What reached the shop is written in one transaction per RECORD_EVERY items, with the shop's last requests. */
static void write_recorded(struct woo *w)
{
	struct store *s = w->ctx->store;
	if (!w->recorded.n)
		return;
	bool tx = store_begin(s) == 0;
	int64_t now = now_ms();
	bool ok = tx;
	for (size_t i = 0; i < w->recorded.n && ok; i++) {
		struct item *it = w->recorded.v[i];
		struct remote_product rp = {.remote_id = it->remote_id, .parent_id = it->parent_id,
		                            .pushed_hash = it->payload_hash};
		ok = it->retire ? record_retirement(w, it, now)
		                : store_remote_put(s, w->shop.id, it->sku, &rp, now) == 0 &&
		                  ((it->parent && !it->hash) ||   /* a parent made only from its variants is not in the catalog */
		                   store_product_set_pushed(s, w->ctx->connection_id, it->sku, it->hash) == 0);
	}
	if (ok) {   /* the shop's last requests, for the destinations' strip, ride along */
		struct gate_circuit c;
		gate_circuit(w->gate, &c);
		ok = store_dest_set_outcomes(s, w->shop.id, c.outcomes) == 0;
	}
	if (ok && store_commit(s) == 0) {
		for (size_t i = 0; i < w->recorded.n; i++)
			release(w, w->recorded.v[i]);
	} else {
		/* The shop has them; the next run finds them by SKU and updates instead of creating. */
		char why[256];
		str_copy(why, store_errmsg(s), sizeof(why));
		store_rollback(s);
		for (size_t i = 0; i < w->recorded.n; i++) {
			struct item *it = w->recorded.v[i];
			run_log(w->ctx, LOG_WARN, "'%s' reached the shop (id %lld) but cannot be recorded: %s", it->sku,
			        (long long)it->remote_id, why);
			release(w, it);
		}
	}
	w->recorded.n = 0;
}

static void record(struct woo *w, struct item *it)
{
	if (it->retire)
		run_add(w->ctx, RC_RETIRED, 1);
	else
		settled(w);
	items_add(&w->recorded, it);
	if (w->recorded.n >= RECORD_EVERY)
		write_recorded(w);
}

/* ---- remote ids ------------------------------------------------------------------------------------- */

/* ---- batches ----------------------------------------------------------------------------------------- */

static void batch_done(struct http_request *r);

static bool read_batch_answer(struct http_request *r)
{
	struct batch *b = r->ud;
	size_t n = b->items.n;
	if (!b->results) {
		b->results = xmalloc(n * sizeof(*b->results));
		b->found = xmalloc(n * sizeof(*b->found));
	}
	return woo_batch_results(r->response.buf, r->response.len, b->count[OP_CREATE], b->count[OP_UPDATE], n,
	                         b->results, b->found) == 0;
}

static struct ready *ready_for(struct woo *w, int64_t parent_id)
{
	for (size_t i = 0; i < w->nready; i++)
		if (w->ready[i].parent_id == parent_id)
			return &w->ready[i];
	w->ready = xrealloc(w->ready, (w->nready + 1) * sizeof(*w->ready));
	struct ready *r = &w->ready[w->nready++];
	memset(r, 0, sizeof(*r));
	r->parent_id = parent_id;
	return r;
}

/* Once the phase stops, the run is told to stop or the destination closes, nothing new goes out. */
static bool sending_halted(struct woo *w)
{
	return phase_stopped(&w->stop) || w->closing || run_should_stop(w->ctx);
}

/* Releases the items of a request that is not to be sent: they stay pending. */
static bool sending_stopped(struct woo *w, struct item **v, size_t n)
{
	if (!sending_halted(w))
		return false;
	for (size_t i = 0; i < n; i++)
		release(w, v[i]);
	return true;
}

static enum op item_op(const struct item *it)
{
	return it->retire == MISSING_DELETE || it->moving ? OP_DELETE : it->remote_id ? OP_UPDATE : OP_CREATE;
}

/* ---- fences: creates that may still be executing in the shop (core/store_fence.h) ---------------------- */

static struct push_fence *fence_of(struct woo *w, const char *sku)
{
	return push_fence_find(w->fences, w->nfences, sku);
}

/* Written before the request goes out (sent `in_ms` from now), so that a retry after a crash knows what may still
 * be executing. */
static bool fence_creates(struct woo *w, struct item **v, size_t n, int64_t in_ms)
{
	struct store *s = w->ctx->store;
	int64_t until = now_ms() + in_ms + w->fence_ms;
	bool ok = store_begin(s) == 0;
	for (size_t i = 0; i < n && ok; i++)
		ok = store_fence_put(s, w->shop.id, v[i]->sku, w->ctx->run_id, until) == 0;
	if (ok && store_commit(s) == 0) {
		for (size_t i = 0; i < n; i++)
			v[i]->fenced = true;
		return true;
	}
	phase_stop(&w->stop, w->http, NULL, "cannot record which products are being created in '%s' (%s), and without that a crash could "
	           "create them twice; nothing more is sent", w->shop.name, store_errmsg(s));
	store_rollback(s);
	return false;
}

/* The shop is done with these items' request: their fences go. */
static void unfence(struct woo *w, struct item **v, size_t n)
{
	struct store *s = w->ctx->store;
	bool tx = false;
	for (size_t i = 0; i < n; i++) {
		struct item *it = v[i];
		if (!it->fenced || it->in_doubt)
			continue;
		if (!tx)
			tx = store_begin(s) == 0;
		/* A fence that cannot go only makes a later run look the SKU up again. */
		if (store_fence_drop(s, w->shop.id, it->sku, w->ctx->run_id) == 0)
			it->fenced = false;
	}
	if (tx && store_commit(s) < 0)
		store_rollback(s);
}

/* The item waits, holding its SKU, until `until` (see unpark_due). */
static void park(struct woo *w, struct item *it, int64_t until)
{
	it->parked_until = until;
	if (!w->parked.n || until < w->parked_due)
		w->parked_due = until;
	items_add(&w->parked, it);
}

/*
 * Once a batch's request has ended, its creates are unfenced; unless it may still be executing in the shop (no
 * answer came, see http.h): then they are fenced afresh, taken out of the batch and parked until that request
 * must be over, to be looked up before anything else is done with them.
 */
static void settle_fences(struct woo *w, struct batch *b)
{
	struct item **creates = b->items.v;
	size_t n = b->count[OP_CREATE];
	if (!n)
		return;
	if (!b->req.maybe_executed) {
		unfence(w, creates, n);
		return;
	}
	if (!fence_creates(w, creates, n, 0))
		return; /* the phase stops: nothing more goes to the shop */
	char wait[32];
	format_duration(w->fence_ms, wait, sizeof(wait));
	run_log(w->ctx, LOG_WARN, "%zu products were in a create request to '%s' that may still be executing (%s): "
	        "they are looked up again in %s, when it must be over, before anything else is sent for them", n,
	        w->shop.name, b->req.error, wait);
	int64_t until = now_ms() + w->fence_ms;
	for (size_t i = 0; i < n; i++) {
		creates[i]->in_doubt = true;
		park(w, creates[i], until);
	}
	memmove(b->items.v, b->items.v + n, (b->items.n - n) * sizeof(*b->items.v));
	b->items.n -= n;
	b->count[OP_CREATE] = 0;
}

static void send_batch(struct woo *w, int64_t parent_id, struct item **v, size_t n)
{
	if (sending_stopped(w, v, n))
		return;
	struct batch *b = xcalloc(1, sizeof(*b));
	b->w = w;
	b->parent_id = parent_id;
	struct strbuf body = {0};
	for (enum op op = 0; op < OP_COUNT; op++) {
		for (size_t i = 0; i < n; i++) {
			if (item_op(v[i]) != op)
				continue;
			if (b->count[op]++ == 0)
				sb_addf(&body, "%s\"%s\":[", body.len ? "]," : "{", op_names[op]);
			else
				sb_addc(&body, ',');
			sb_adds(&body, v[i]->payload);
			items_add(&b->items, v[i]);
		}
	}
	sb_adds(&body, "]}");
	if (b->count[OP_CREATE] && !fence_creates(w, b->items.v, b->count[OP_CREATE], 0)) {
		sb_free(&body);
		release_all(w, &b->items);
		free(b);
		return;
	}
	b->req.method = "POST";
	b->req.target = woo_batch_target(parent_id);
	b->req.body_len = body.len;
	b->req.body = sb_detach(&body);
	b->req.split_on_timeout = n > 1;
	b->req.once_executed = b->count[OP_CREATE] > 0;
	b->req.read_answer = read_batch_answer;
	b->req.done = batch_done;
	b->req.ud = b;
	http_submit(w->http, &b->req);
}

/* Full batches go out as they fill; `all` sends the rest too. */
static void flush_ready(struct woo *w, bool all)
{
	for (size_t i = 0; i < w->nready; i++) {
		struct items *l = &w->ready[i].items;
		size_t sent = 0, size = (size_t)w->batch_size;
		while (l->n - sent >= size || (all && l->n > sent)) {
			size_t n = l->n - sent < size ? l->n - sent : size;
			send_batch(w, w->ready[i].parent_id, l->v + sent, n);
			sent += n;
		}
		if (sent) {
			memmove(l->v, l->v + sent, (l->n - sent) * sizeof(*l->v));
			l->n -= sent;
		}
	}
}

/*
 * The item's JSON for a create (id 0: every field) or an update (the connection's update fields; every field
 * when it undoes a retirement; the retirement's own fields for a retirement).
 */
static bool build_payload(struct woo *w, struct item *it, int64_t id)
{
	char err[512];
	struct strbuf payload = {0};
	char *const *fields = id && !it->retire && !it->returning ? w->conn->update_fields : NULL;
	if (woo_item_payload(it->data, id, fields, &payload, err, sizeof(err)) < 0) {
		sb_free(&payload);
		fail_item(w, it, "bad_value", NULL, "%s", err);
		return false;
	}
	/* A parent always declares its options (a new value must be declared before a variation uses it); a
	 * variation names its own unless the update sends only some fields. */
	if (it->attributes && !it->retire && (it->parent || !id || !fields))
		woo_payload_splice(&payload, it->attributes);
	free(it->payload);
	it->payload_hash = (int64_t)hash64(payload.buf, payload.len, HASH64_SEED);
	if (it->parent && !it->retire) {
		/* Made afresh each run, a parent is sent when it changed, whether its first payload was a create. */
		uint64_t h = hash64(it->data, strlen(it->data), HASH64_SEED);
		it->payload_hash = (int64_t)hash64(it->attributes, strlen(it->attributes), h);
	}
	it->payload = sb_detach(&payload);
	return true;
}

static void plan_update(struct woo *w, struct item *it, int64_t cached_hash)
{
	if (!build_payload(w, it, it->remote_id))
		return;
	if (cached_hash && cached_hash == it->payload_hash) {
		/* The shop already has exactly this: nothing to send. */
		w->unchanged++;
		record(w, it);
		return;
	}
	items_add(&ready_for(w, it->parent_id)->items, it);
	flush_ready(w, false);
}

static void plan_create(struct woo *w, struct item *it)
{
	if (!w->conn->create_missing) {
		w->skipped++;
		settled(w);
		release(w, it);
		return;
	}
	it->remote_id = 0;
	it->parent_id = it->group_id;   /* a variant is created in its parent's variations */
	if (!build_payload(w, it, 0))
		return;
	items_add(&ready_for(w, it->parent_id)->items, it);
	flush_ready(w, false);
}

/* Draft and stock 0 are updates of the product the shop has; a deletion goes in the batch's delete list. A parent
 * retired so already (cached_hash) is left alone. */
static void plan_retire(struct woo *w, struct item *it, int64_t cached_hash)
{
	if (it->retire == MISSING_DELETE) {
		free(it->payload);
		it->payload = xasprintf("%lld", (long long)it->remote_id);
	} else if (!build_payload(w, it, it->remote_id)) {
		return;
	}
	if (it->parent && it->retire != MISSING_DELETE && cached_hash == it->payload_hash) {
		release(w, it);
		return;
	}
	items_add(&ready_for(w, it->parent_id)->items, it);
	flush_ready(w, false);
}

/* The shop does not have the product: there is nothing left to retire. */
static void retire_absent(struct woo *w, struct item *it)
{
	w->absent++;
	record(w, it);
}

/* ---- lookups by SKU ---------------------------------------------------------------------------------- */

static void lookup_done(struct http_request *r);
static void verified(struct woo *w, struct item *it);

/* A lookup that will not be answered: the products it was to check were created (their batch was answered), and
 * are recorded so; the others go back to pending. */
static void drop_lookup_items(struct woo *w, struct items *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct item *it = l->v[i];
		if (it->verifying) {
			it->found = false;
			verified(w, it);
		} else {
			release(w, it);
		}
	}
	l->n = 0;
}

static void send_lookup(struct woo *w, struct lookup *l)
{
	if (sending_halted(w)) {
		drop_lookup_items(w, &l->items);
		w->lookups_in_flight--;
		http_request_clear(&l->req);
		free(l->items.v);
		free(l);
		return;
	}
	const char **skus = xmalloc(l->items.n * sizeof(*skus));
	for (size_t i = 0; i < l->items.n; i++)
		skus[i] = l->items.v[i]->sku;
	l->req.method = "GET";
	l->req.urgent = true; /* batches wait for lookups: they go first */
	l->req.target = woo_lookup_target(skus, l->items.n, l->page);
	l->req.done = lookup_done;
	l->req.ud = l;
	free(skus);
	http_submit(w->http, &l->req);
}

static void flush_lookups(struct woo *w, bool all)
{
	while (w->to_look_up.n >= WOO_MAX_PER_PAGE || (all && w->to_look_up.n > 0)) {
		size_t n = w->to_look_up.n < WOO_MAX_PER_PAGE ? w->to_look_up.n : WOO_MAX_PER_PAGE;
		struct lookup *l = xcalloc(1, sizeof(*l));
		l->w = w;
		l->page = 1;
		for (size_t i = 0; i < n; i++)
			items_add(&l->items, w->to_look_up.v[i]);
		memmove(w->to_look_up.v, w->to_look_up.v + n, (w->to_look_up.n - n) * sizeof(*w->to_look_up.v));
		w->to_look_up.n -= n;
		w->lookups_in_flight++;
		send_lookup(w, l);
	}
}

static void look_up(struct woo *w, struct item *it)
{
	it->found = false;
	it->remote_id = it->parent_id = 0;
	items_add(&w->to_look_up, it);
	flush_lookups(w, false);
}

/* A product the shop holds with the item's SKU: the item's own, or one more (the oldest stays the item's). */
static void note_found(struct item *it, const struct woo_found *f)
{
	if (!it->found) {
		it->found = true;
		it->remote_id = f->id;
		it->parent_id = f->parent_id;
		return;
	}
	if (f->id == it->remote_id)
		return;
	int64_t other = f->id;
	if (f->id < it->remote_id) {
		other = it->remote_id;
		it->remote_id = f->id;
		it->parent_id = f->parent_id;
	}
	it->also = xrealloc(it->also, (it->nalso + 1) * sizeof(*it->also));
	it->also[it->nalso++] = other;
}

static void match_found(struct lookup *l)
{
	struct woo_found f;
	for (size_t i = 0; woo_list_item(l->req.json, i, &f); i++)
		for (size_t k = 0; k < l->items.n; k++)
			if (f.id > 0 && strcasecmp(l->items.v[k]->sku, f.sku) == 0)
				note_found(l->items.v[k], &f);
}

/* ---- duplicates ------------------------------------------------------------------------------------------ */

struct trash {
	struct http_request req;
	struct woo *w;
	char *sku;
	int64_t id;
};

static void trash_done(struct http_request *r)
{
	struct trash *t = r->ud;
	struct woo *w = t->w;
	struct woo_error e;
	if (r->outcome == HTTP_DONE && r->status == 200) {
		run_log(w->ctx, LOG_INFO, "moved product %lld, a duplicate of '%s', to the trash of '%s'", (long long)t->id,
		        t->sku, w->shop.name);
	} else {
		woo_answer_error(r, &e);
		run_log(w->ctx, LOG_WARN, "cannot move product %lld, a duplicate of '%s', to the trash: %s: %s; remove it "
		        "in the shop", (long long)t->id, t->sku, e.code, e.message);
	}
	w->repairs_in_flight--;
	free(t->sku);
	http_request_clear(&t->req);
	free(t);
}

/* DELETE without force: the trash keeps it for a person to restore, and a product in the trash holds no SKU. */
static void trash_product(struct woo *w, const char *sku, int64_t id)
{
	struct trash *t = xcalloc(1, sizeof(*t));
	t->w = w;
	t->sku = xstrdup(sku);
	t->id = id;
	t->req.method = "DELETE";
	t->req.target = xasprintf(WOO_API "/products/%lld", (long long)id);
	t->req.done = trash_done;
	t->req.ud = t;
	w->repairs_in_flight++;
	http_submit(w->http, &t->req);
}

/* Whether feedsync made the item's extra products: it created the SKU just now, or a create of it got no answer
 * (a killed worker, a timeout), which is when the shop's non-atomic SKU check lets two creates through. */
static bool made_by_us(const struct item *it)
{
	return it->verifying || it->recheck || it->verify_only || it->in_doubt;
}

/* The shop holds the item's SKU more than once: an error naming every id; the item keeps the oldest product, and
 * the others go to the trash when feedsync made them and the destination lets it repair. */
static void report_duplicates(struct woo *w, struct item *it)
{
	bool ours = made_by_us(it);
	bool repair = ours && w->shop.opt.repair_duplicates && it->parent_id == 0;
	struct strbuf ids = {0};
	sb_addf(&ids, "%lld", (long long)it->remote_id);
	for (size_t i = 0; i < it->nalso; i++)
		sb_addf(&ids, ", %lld", (long long)it->also[i]);
	const char *what = repair ? "feedsync keeps the oldest and moves the others to the trash"
	                   : !ours ? "not repaired: feedsync did not create them"
	                   : it->parent_id ? "not repaired: they are variations; remove the extra ones in the shop"
	                   : "not repaired (destination option repair_duplicates is 0): remove the extra ones in the shop";
	struct run_error_info info = {.sku = it->sku, .code = "duplicate_sku"};
	run_error(w->ctx, &info, "the shop holds SKU '%s' %zu times (ids %s): %s", it->sku, it->nalso + 1, sb_str(&ids),
	          what);
	sb_free(&ids);
	w->duplicates++;
	w->ctx->shop_faults++;
	for (size_t i = 0; repair && i < it->nalso; i++)
		trash_product(w, it->sku, it->also[i]);
	free(it->also);
	it->also = NULL;
	it->nalso = 0;
}

/* The check of a create: the shop holds the SKU once, as ours; or ours was one too many and went to the trash,
 * and the product kept gets the update. */
static void verified(struct woo *w, struct item *it)
{
	it->verifying = false;
	if (it->found && it->remote_id != it->created_id) {
		plan_update(w, it, 0);
		return;
	}
	it->remote_id = it->created_id;
	w->created++;
	record(w, it);
}

/* After a create batch, its products are looked up again: a SKU made twice is found while feedsync knows both. */
static void send_verification(struct woo *w, struct items *created)
{
	struct lookup *l = xcalloc(1, sizeof(*l));
	l->w = w;
	l->page = 1;
	l->items = *created;
	for (size_t i = 0; i < l->items.n; i++)
		l->items.v[i]->found = false;
	w->lookups_in_flight++;
	send_lookup(w, l);
}

/* Other runs' fences on the SKUs looked up afresh have done their work. */
static void drop_rechecked_fences(struct woo *w, const struct items *l)
{
	struct store *s = w->ctx->store;
	bool tx = false;
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i]->recheck)
			continue;
		if (!tx)
			tx = store_begin(s) == 0;
		store_fence_drop_others(s, w->shop.id, l->v[i]->sku, w->ctx->run_id);
	}
	if (tx && store_commit(s) < 0)
		store_rollback(s);
}

/* A lookup that could not be made leaves a verification undone (the create stands) and a fenced SKU for later. */
static bool lookup_failed_quietly(struct woo *w, struct item *it)
{
	if (it->verify_only) {
		release(w, it);
		return true;
	}
	if (it->verifying) {
		run_log(w->ctx, LOG_WARN, "'%s' was created (id %lld), but the shop could not be asked whether it holds it "
		        "twice", it->sku, (long long)it->created_id);
		it->found = false;
		verified(w, it);
		return true;
	}
	return false;
}

static void fatal_from_answer(struct woo *w, const struct http_request *r, enum woo_verdict v);

static void lookup_done(struct http_request *r)
{
	struct lookup *l = r->ud;
	struct woo *w = l->w;
	enum woo_verdict v = woo_verdict(r, 1);
	if (v == WOO_ITEMS && !cJSON_IsArray(r->json))
		v = WOO_FAIL_ALL;
	if (v == WOO_ITEMS) {
		match_found(l);
		if (r->total_pages > l->page) {
			/* More results than a page: only a shop with duplicate SKUs answers so. */
			http_request_clear(&l->req);
			l->page++;
			send_lookup(w, l);
			return;
		}
	}
	w->lookups_in_flight--;
	if (v == WOO_ITEMS) {
		drop_rechecked_fences(w, &l->items);
		for (size_t i = 0; i < l->items.n; i++) {
			struct item *it = l->items.v[i];
			if (it->nalso)
				report_duplicates(w, it);
			if (it->verify_only)
				release(w, it);
			else if (it->verifying)
				verified(w, it);
			else if (it->retire && it->found)
				plan_retire(w, it, 0);
			else if (it->retire)
				retire_absent(w, it);
			else if (it->found)
				plan_update(w, it, 0);
			else
				plan_create(w, it);
		}
	} else if (v == WOO_FAIL_ALL) {
		struct woo_error e;
		woo_answer_error(r, &e);
		char *detail = failure_detail(w, r, (struct woo_failure){.code = e.code, .message = e.message,
		                                                         .action = "lookup", .excerpt = true});
		for (size_t i = 0; i < l->items.n; i++)
			if (!lookup_failed_quietly(w, l->items.v[i]))
				fail_item(w, l->items.v[i], e.code, detail, "cannot look the SKU up in the shop: %s", e.message);
		free(detail);
	} else {
		fatal_from_answer(w, r, v);
		drop_lookup_items(w, &l->items);
	}
	free(l->items.v);
	http_request_clear(&l->req);
	free(l);
}

/* ---- batch answers ----------------------------------------------------------------------------------- */

static void moved(struct woo *w, struct item *it);

static void item_error(struct woo *w, struct batch *b, struct item *it, const struct woo_result *res, enum op op)
{
	const char *code = res->error.code;
	bool create = op == OP_CREATE;
	if (create && str_eq(code, "product_invalid_sku") && res->resource_id > 0 && !it->switched) {
		/* The product exists (a crash, a race, another tool): update it instead. */
		it->switched = true;
		it->remote_id = res->resource_id;
		it->parent_id = it->group_id;
		plan_update(w, it, 0);
		return;
	}
	if (!create && !it->relooked && (str_eq(code, "woocommerce_rest_product_invalid_id") ||
	                                 str_eq(code, "woocommerce_rest_invalid_product_id"))) {
		/* The id we had is gone or is a variation's: ask the shop again (a move ends: the lookup decides). */
		it->relooked = true;
		it->moving = false;
		store_remote_forget(w->ctx->store, w->shop.id, it->sku);
		remote_window_forget(&w->window, it->sku);
		look_up(w, it);
		return;
	}
	char *detail = failure_detail(w, &b->req, (struct woo_failure){.code = code, .message = res->error.message,
	                              .item_status = res->item_status, .action = op_names[op],
	                              .remote_id = create ? 0 : it->remote_id});
	fail_item(w, it, code, detail, "the shop refused to %s '%s': %s", it->retire ? "retire" : op_names[op], it->sku,
	          res->error.message);
	free(detail);
}

static void read_results(struct woo *w, struct batch *b)
{
	struct items created = {0};
	for (size_t i = 0; i < b->items.n; i++) {
		struct item *it = b->items.v[i];
		enum op op = i < b->count[OP_CREATE] ? OP_CREATE
		             : i < b->count[OP_CREATE] + b->count[OP_UPDATE] ? OP_UPDATE : OP_DELETE;
		const struct woo_result *res = &b->results[i];
		if (!b->found[i]) {
			fail_item(w, it, "no_result", NULL, "the shop's answer says nothing about '%s'; the next run looks "
			          "it up again", it->sku);
		} else if (!res->ok) {
			item_error(w, b, it, res, op);
		} else {
			if (it->moving) {
				moved(w, it);
				continue;
			}
			if (op == OP_CREATE) {
				it->remote_id = it->created_id = res->id;
				it->parent_id = res->parent_id ? res->parent_id : it->group_id;   /* variations answer none */
				it->verifying = true;
				items_add(&created, it);
				continue;
			}
			if (it->retire)
				w->retired++;
			else
				w->updated++;
			record(w, it);
		}
	}
	write_recorded(w);
	if (created.n)
		send_verification(w, &created);
}

static void learn_batch_size(struct woo *w, int size, const char *why)
{
	if (size >= w->batch_size)
		return;
	run_log(w->ctx, LOG_WARN, "%s: sending %d products per request to '%s' from now on", why, size, w->shop.name);
	w->batch_size = size;
	w->ctx->batch_size = size;
	if (store_dest_set_batch_size(w->ctx->store, w->shop.id, size) < 0)
		run_log(w->ctx, LOG_WARN, "cannot remember the batch size: %s", store_errmsg(w->ctx->store));
}

static void resend_in_chunks(struct woo *w, struct batch *b, size_t chunk)
{
	for (size_t at = 0; at < b->items.n; at += chunk)
		send_batch(w, b->parent_id, b->items.v + at, b->items.n - at < chunk ? b->items.n - at : chunk);
}

static void fatal_from_answer(struct woo *w, const struct http_request *r, enum woo_verdict v)
{
	char why[1024];
	if (!woo_stop_reason(&w->shop, r, v, why, sizeof(why)))
		return;
	struct woo_error e;
	woo_answer_error(r, &e);
	phase_stop(&w->stop, w->http, failure_detail(w, r, (struct woo_failure){.code = e.code, .message = e.message, .excerpt = true}),
	           "%s%s", why, v == WOO_UNAVAILABLE ? "; the products not pushed stay pending for the next run" : "");
}

static void batch_done(struct http_request *r)
{
	struct batch *b = r->ud;
	struct woo *w = b->w;
	enum woo_verdict v = woo_verdict(r, b->items.n);
	if (v == WOO_ITEMS && !b->results)
		v = WOO_FAIL_ALL; /* a 2xx without a body */
	size_t sent = b->items.n, half = woo_split_point(sent);
	char why[160];
	if (v == WOO_HALVE || v == WOO_SPLIT) {
		/* Creates parked by settle_fences go out later in batches of this size too. */
		if (v == WOO_HALVE)
			snprintf(why, sizeof(why), "the shop refused %zu items in one request (HTTP 413)", sent);
		else
			snprintf(why, sizeof(why), "the shop timed out on %zu items in one request (%s)", sent,
			         r->outcome == HTTP_TIMED_OUT ? "no answer in time" : "HTTP 504");
		learn_batch_size(w, (int)half, why);
	}
	settle_fences(w, b);
	switch (b->items.n ? v : WOO_DROPPED) {
	case WOO_ITEMS:
		read_results(w, b);
		break;
	case WOO_HALVE:
	case WOO_SPLIT:
		resend_in_chunks(w, b, half);
		break;
	case WOO_FAIL_ALL: {
		struct woo_error e;
		woo_answer_error(r, &e);
		char *detail = failure_detail(w, r, (struct woo_failure){.code = e.code, .message = e.message,
		                                                         .excerpt = true});
		for (size_t i = 0; i < b->items.n; i++)
			fail_item(w, b->items.v[i], e.code, detail, "cannot push '%s': %s", b->items.v[i]->sku, e.message);
		free(detail);
		break;
	}
	case WOO_DROPPED:
		release_all(w, &b->items);
		break;
	default:
		fatal_from_answer(w, r, v);
		release_all(w, &b->items);
	}
	free(b->items.v);
	free(b->results);
	free(b->found);
	http_request_clear(&b->req);
	free(b);
}

/* ---- the flow ---------------------------------------------------------------------------------------- */

static struct item *new_item(const char *sku, char *data, int64_t hash);


/* Whether another run fenced the item's SKU: the item is then looked up afresh, after the fence ends (it waits
 * parked until then). */
static bool fenced_by_others(struct woo *w, struct item *it)
{
	struct push_fence *f = fence_of(w, it->sku);
	if (!f)
		return false;
	w->fence_seen[f - w->fences] = true;
	it->recheck = true;
	it->parked_until = f->until_ms;
	return true;
}

/* WooCommerce sets a variation's parent once and keeps it ("Update parent ID just once", the variations
 * controller), so a variant moved to another group in the feed is deleted from its old parent (a batch deletes
 * for good, which frees its SKU); the answer creates it in the new parent (moved). */
static void plan_move(struct woo *w, struct item *it)
{
	it->moving = true;
	free(it->payload);
	it->payload = xasprintf("%lld", (long long)it->remote_id);
	items_add(&ready_for(w, it->parent_id)->items, it);
	flush_ready(w, false);
}

/* The variant left its old parent: its cached id goes (a crash now leaves it to be looked up and created), and it
 * is created in its group's parent. */
static void moved(struct woo *w, struct item *it)
{
	it->moving = false;
	store_remote_forget(w->ctx->store, w->shop.id, it->sku);
	remote_window_forget(&w->window, it->sku);
	run_log(w->ctx, LOG_INFO, "'%s' moved to the group of '%s': deleted from its old parent, created in the new one",
	        it->sku, it->group);
	plan_create(w, it);
}

static void admit(struct woo *w, struct item *it)
{
	if (!gate_claim(w->gate, it->claim)) {
		items_add(&w->deferred, it);
		return;
	}
	w->in_flight++;
	if (it->verify_only || fenced_by_others(w, it)) {
		if (it->parked_until > now_ms())
			park(w, it, it->parked_until);
		else
			look_up(w, it);
		return;
	}
	struct remote_product cached;
	int known = remote_window_get(&w->window, it->sku, &cached);
	if (known == 1 && cached.remote_id > 0) {
		it->remote_id = cached.remote_id;
		it->parent_id = cached.parent_id;
		if (it->retire)
			plan_retire(w, it, cached.pushed_hash);
		else if (it->group_id && it->parent_id && it->parent_id != it->group_id)
			plan_move(w, it);
		else
			plan_update(w, it, cached.pushed_hash);
	} else if (it->retire && !woo_sku_searchable(it->sku)) {
		retire_absent(w, it); /* never pushed (woo_push refuses such SKUs), and not to be looked up */
	} else {
		look_up(w, it);
	}
}

/*
 * Another run's fence mostly ends long before its time is up: its request was answered (a run pushing beside
 * this one unfences each batch as it goes), or another run looked the SKU up. Read again every
 * FENCE_REREAD_MS, items waiting on a fence that went are due at once; a verification of one has nothing
 * left to find.
 */
static void refresh_fences(struct woo *w)
{
	int64_t now = now_ms();
	if (!w->parked.n || now - w->fences_read_at < FENCE_REREAD_MS)
		return;
	w->fences_read_at = now;
	if (store_fences_refresh(w->ctx->store, w->shop.id, w->ctx->run_id, w->fences, w->nfences) < 0)
		return; /* the fences last their whole time, as read at the start */
	size_t kept = 0;
	for (size_t i = 0; i < w->parked.n; i++) {
		struct item *it = w->parked.v[i];
		if (it->recheck && !it->in_doubt) {
			const struct push_fence *f = fence_of(w, it->sku);
			it->parked_until = f ? f->until_ms : 0;
			if (it->verify_only && !it->parked_until) {
				release(w, it);
				continue;
			}
		}
		w->parked.v[kept++] = it;
	}
	w->parked.n = kept;
	w->parked_due = now; /* unpark_due finds the earliest end again */
}

/* Parked items whose fence has ended are looked up. */
static void unpark_due(struct woo *w)
{
	refresh_fences(w);
	int64_t now = now_ms();
	if (!w->parked.n || now < w->parked_due)
		return; /* called for every product handed over: nothing to walk before the first fence ends */
	size_t kept = 0;
	for (size_t i = 0; i < w->parked.n; i++) {
		struct item *it = w->parked.v[i];
		if (it->parked_until <= now) {
			look_up(w, it);
			continue;
		}
		if (!kept || it->parked_until < w->parked_due)
			w->parked_due = it->parked_until;
		w->parked.v[kept++] = it;
	}
	w->parked.n = kept;
}

/* Fences left by other runs on SKUs this run did not bring up (gone from the feed, pushed already): the shop is
 * asked about them too, so that a duplicate made by a dead worker's request is found. */
static void verify_leftover_fences(struct woo *w)
{
	/* Unread, they are all verified: only a fence read again ends at 0. */
	store_fences_refresh(w->ctx->store, w->shop.id, w->ctx->run_id, w->fences, w->nfences);
	w->fences_read_at = now_ms();
	for (size_t i = 0; i < w->nfences; i++) {
		if (w->fence_seen[i] || !w->fences[i].until_ms)
			continue; /* brought up, or gone: its request was answered */
		struct item *it = new_item(w->fences[i].sku, xstrdup("{}"), 0);
		it->verify_only = it->recheck = true;
		it->parked_until = w->fences[i].until_ms;
		admit(w, it);
	}
}

static void admit_deferred(struct woo *w)
{
	struct items waiting = w->deferred;
	memset(&w->deferred, 0, sizeof(w->deferred));
	for (size_t i = 0; i < waiting.n; i++)
		admit(w, waiting.v[i]);
	free(waiting.v);
}

static int64_t backlog_limit(const struct woo *w)
{
	return (int64_t)w->batch_size * w->shop.opt.concurrency * 2 + WOO_MAX_PER_PAGE;
}

/* Lets transfers progress; waits while too much is in flight, so memory stays bounded, unless told to stop. */
static void pump(struct woo *w)
{
	http_run(w->http, 0);
	while (!phase_stopped(&w->stop) && w->in_flight >= backlog_limit(w) && !run_should_stop(w->ctx)) {
		if (http_pending(w->http) == 0) {
			/* What holds the backlog waits for company: partial batches, unwritten results. */
			write_recorded(w);
			flush_lookups(w, true);
			flush_ready(w, true);
			if (http_pending(w->http) == 0)
				break;
		}
		http_run(w->http, 100);
		run_tick(w->ctx);
	}
	if (w->deferred.n)
		admit_deferred(w);
	unpark_due(w);
}

static struct item *new_item(const char *sku, char *data, int64_t hash)
{
	struct item *it = xcalloc(1, sizeof(*it));
	it->sku = xstrdup(sku);
	it->data = data;
	it->hash = hash;
	it->claim = gate_sku_key(sku);
	return it;
}

/* A product that fails before anything is sent for it: counted and reported, and the push goes on. */
static void refuse(struct woo *w, struct item *it, const char *code, const char *message)
{
	struct run_error_info info = {.sku = it->sku, .code = code};
	run_error(w->ctx, &info, "%s", message);
	run_add(w->ctx, RC_PUSH_FAILED, 1);
	settled(w);
	w->failed++;
	item_free(it);
}

/* -1 with err and the failure's detail set once the phase cannot go on, else 0. */
/* Admits the item, then lets transfers progress; -1 with err once the phase cannot go on. */
static int hand_over(struct dest *d, struct item *it, char *err, size_t errsize)
{
	struct woo *w = d->impl;
	struct woo_error refusal;
	if (phase_stopped(&w->stop) || run_should_stop(w->ctx)) {
		item_free(it); /* stays pending */
	} else if (!it->retire && !woo_sku_searchable(it->sku)) {
		snprintf(refusal.message, sizeof(refusal.message), "the SKU '%s' has a comma or surrounding spaces: "
		         "WooCommerce cannot find it by SKU, so it is not pushed (it could be created twice)", it->sku);
		refuse(w, it, "unsearchable_sku", refusal.message);
	} else if (!it->retire && woo_terms_resolve(w->terms, &it->data, it->returning != MISSING_NONE, &refusal) < 0) {
		const struct http_request *stop = woo_terms_stop_answer(w->terms);
		if (stop)
			fatal_from_answer(w, stop, woo_verdict(stop, 1));
		if (stop || run_should_stop(w->ctx))
			item_free(it); /* its terms were dropped unasked, or never made: it stays pending */
		else
			refuse(w, it, refusal.code, refusal.message);
	} else {
		admit(w, it);
	}
	if (!phase_stopped(&w->stop))
		pump(w);
	return phase_stop_report(&w->stop, d, err, errsize);
}

/* The group of parent SKU sku among those this run pushes; products come in SKU order, so mostly the last. */
static struct group_ref *note_group(struct woo *w, const char *sku)
{
	if (!w->ngroups || !str_eq(w->groups[w->ngroups - 1].sku, sku)) {
		w->groups = xrealloc(w->groups, (w->ngroups + 1) * sizeof(*w->groups));
		w->groups[w->ngroups++] = (struct group_ref){.sku = xstrdup(sku)};
	}
	return &w->groups[w->ngroups - 1];
}

static int parent_order(const void *key, const void *sku)
{
	return strcmp(key, *(char *const *)sku);
}

/* A variant whose cached parent is not its group's (it moved in the feed): that old parent is pushed too, rebuilt
 * from the variants it keeps, so that it stops offering the leaver's options. */
static void note_group_left(struct woo *w, const struct item *it)
{
	struct remote_product cached, group = {0};
	if (remote_window_get(&w->window, it->sku, &cached) != 1 || !cached.parent_id)
		return;
	if (remote_window_get(&w->window, it->group, &group) < 0 || group.remote_id == cached.parent_id)
		return;
	for (size_t i = 0; i < w->nparent_skus; i++) {
		struct remote_product old;
		if (store_remote_get(w->ctx->store, w->shop.id, w->parent_skus[i], &old) == 1 &&
		    old.remote_id == cached.parent_id) {
			note_group(w, w->parent_skus[i]);
			return;
		}
	}
}

static int woo_push(struct dest *d, const struct pending_product *p, char *err, size_t errsize)
{
	struct item *it = new_item(p->sku, xstrdup(p->data), p->hash);
	missing_action_parse(p->returning, &it->returning);
	if (it->returning == MISSING_DRAFT) {
		char *published = product_json_with(it->data, "status", "publish", true);
		free(it->data);
		it->data = published;
	}
	struct woo *w = d->impl;
	it->group = woo_variant_split(&it->data, &it->attributes);
	if (it->group) {
		/* A variation needs its parent's id: it waits until the parents are pushed (woo_commit). */
		note_group(w, it->group)->republish |= it->returning == MISSING_DRAFT;
		note_group_left(w, it);
		items_add(&w->variants, it);
	} else if (bsearch_or_null(it->sku, w->parent_skus, w->nparent_skus, sizeof(char *), parent_order)) {
		/* The group's own row: its fields go into the parent, pushed with the group. */
		struct group_ref *g = note_group(w, it->sku);
		free(g->own);
		g->own = it->data;
		g->own_hash = it->hash;
		it->data = NULL;
		item_free(it);
	} else {
		return hand_over(d, it, err, errsize);
	}
	return phase_stop_report(&w->stop, d, err, errsize);
}

/* A retirement is an item whose data holds what to change: an update's fields, or nothing for a delete. */
static struct item *retirement(const char *sku, enum missing_action action)
{
	static const char *const change[] = {[MISSING_STOCK_ZERO] = "{\"stock_quantity\":\"0\"}",
	                                     [MISSING_DRAFT] = "{\"status\":\"draft\"}", [MISSING_DELETE] = "{}"};
	struct item *it = new_item(sku, xstrdup(change[action]), 0);
	it->retire = action;
	return it;
}

static int woo_retire(struct dest *d, const char *sku, enum missing_action action, char *err, size_t errsize)
{
	if (action == MISSING_NONE)
		return 0;
	((struct woo *)d->impl)->retire_action = action;
	return hand_over(d, retirement(sku, action), err, errsize);
}

/* Parked items wait for their fences, in slices short enough to see a stop request. */
static void wait_for_fences(struct woo *w)
{
	int64_t wait = w->parked_due - now_ms();
	sleep_ms(wait < 1 ? 1 : wait < HTTP_STOP_POLL_MS ? wait : HTTP_STOP_POLL_MS);
}

/* Drains what is queued and in flight; true when a stop request ended it. */
static bool drain(struct woo *w)
{
	while (!phase_stopped(&w->stop) && (w->in_flight > 0 || w->deferred.n > 0 || w->repairs_in_flight > 0)) {
		if (run_should_stop(w->ctx))
			return true;
		unpark_due(w);
		flush_lookups(w, true);
		if (!w->lookups_in_flight)
			flush_ready(w, true);
		if (http_pending(w->http) == 0 && w->parked.n)
			wait_for_fences(w);
		http_run(w->http, HTTP_STOP_POLL_MS);
		write_recorded(w);
		run_tick(w->ctx);
		if (w->deferred.n)
			admit_deferred(w);
	}
	write_recorded(w);
	return false;
}

static int group_order(const void *a, const void *b)
{
	return strcmp(((const struct group_ref *)a)->sku, ((const struct group_ref *)b)->sku);
}

/* The parents of the groups whose variants are pending, built afresh from their live variants: each is created, or
 * updated when what it would send changed. They count among the products pushed. */
static void push_parents(struct dest *d)
{
	struct woo *w = d->impl;
	qsort(w->groups, w->ngroups, sizeof(*w->groups), group_order);
	size_t unique = 0;
	for (size_t i = 0; i < w->ngroups; i++) {
		struct group_ref *kept = unique ? &w->groups[unique - 1] : NULL;
		if (kept && str_eq(kept->sku, w->groups[i].sku)) {
			kept->republish |= w->groups[i].republish;
			if (!kept->own) {
				kept->own = w->groups[i].own;
				kept->own_hash = w->groups[i].own_hash;
			} else {
				free(w->groups[i].own);
			}
			free(w->groups[i].sku);
		} else {
			w->groups[unique++] = w->groups[i];
		}
	}
	w->ngroups = unique;
	for (size_t i = 0; i < unique; i++)
		if (!w->groups[i].own)   /* a parent with a row of its own is counted as that row */
			run_add(w->ctx, RC_PUSH_QUEUED, 1);
	char err[1024];
	for (size_t i = 0; i < unique && !phase_stopped(&w->stop) && !run_should_stop(w->ctx); i++) {
		char *data, *attributes;
		const struct group_ref *g = &w->groups[i];
		int rc = woo_parent_build(w->ctx->store, w->ctx->connection_id, g->sku, g->own, &data, &attributes, err,
		                          sizeof(err));
		if (rc != 0) {
			if (rc < 0)
				phase_stop(&w->stop, w->http, NULL, "%s", err);
			else
				settled(w);   /* every variant failed or went: there is nothing to make it of */
			continue;
		}
		struct item *it = new_item(g->sku, data, g->own_hash);
		if (g->republish) {
			it->data = product_json_with(data, "status", "publish", true);
			it->returning = MISSING_DRAFT;
			free(data);
		}
		it->attributes = attributes;
		it->parent = true;
		hand_over(d, it, err, sizeof(err));
	}
}

/* The held variants, now that their parents are pushed: one whose parent is not in the shop fails. */
static void push_variants(struct dest *d)
{
	struct woo *w = d->impl;
	char err[1024];
	size_t i = 0;
	for (; i < w->variants.n && !phase_stopped(&w->stop) && !run_should_stop(w->ctx); i++) {
		struct item *it = w->variants.v[i];
		struct remote_product parent = {0};
		if (store_remote_get(w->ctx->store, w->shop.id, it->group, &parent) < 0) {
			phase_stop(&w->stop, w->http, NULL, "cannot read the shop's id of '%s': %s", it->group, store_errmsg(w->ctx->store));
			break;
		}
		if (parent.remote_id <= 0) {
			snprintf(err, sizeof(err), "its parent product '%s' is not in the shop (see its error), so the "
			         "variation cannot be pushed", it->group);
			refuse(w, it, "parent_missing", err);
			continue;
		}
		it->group_id = parent.remote_id;
		hand_over(d, it, err, sizeof(err));
	}
	for (; i < w->variants.n; i++)
		item_free(w->variants.v[i]);   /* stay pending */
	w->variants.n = 0;
}

/* Retiring makes the parents of groups left without a live variant retire too, by the same rule. */
static void retire_parents(struct dest *d)
{
	struct woo *w = d->impl;
	if (w->retire_action == MISSING_STOCK_ZERO)
		return;   /* a variable product is out of stock once its variations are */
	struct { char **skus; size_t n; } e;
	if (store_group_skus(w->ctx->store, w->ctx->connection_id, true, &e.skus, &e.n) < 0)
		run_log(w->ctx, LOG_WARN, "cannot read the groups to retire their parents: %s", store_errmsg(w->ctx->store));
	char err[1024];
	for (size_t i = 0; i < e.n; i++) {
		struct remote_product rp = {0};
		if (!phase_stopped(&w->stop) && store_remote_get(w->ctx->store, w->shop.id, e.skus[i], &rp) == 1 &&
		    rp.remote_id > 0) {
			struct item *it = retirement(e.skus[i], w->retire_action);
			it->parent = true;
			hand_over(d, it, err, sizeof(err));
		}
		free(e.skus[i]);
	}
	free(e.skus);
}

/* Drains what is queued and in flight, then pushes the groups: parents first, then their variations, then retires
 * the parents left empty. A stop request ends it: what was not sent stays pending, and woo_close waits briefly for
 * the answers in flight (see http_hooks.stop_waiting). */
static int woo_commit(struct dest *d, char *err, size_t errsize)
{
	struct woo *w = d->impl;
	verify_leftover_fences(w);
	bool stopped = drain(w);
	if (!stopped && w->variants.n) {
		push_parents(d);
		stopped = drain(w);
		if (!stopped)
			push_variants(d);
		stopped = stopped || drain(w);
	}
	if (!stopped && !phase_stopped(&w->stop) && w->retire_action != MISSING_NONE) {
		retire_parents(d);
		stopped = drain(w);
	}
	run_log(w->ctx, LOG_INFO, "'%s': %lld created, %lld updated, %lld already up to date, %lld failed",
	        w->shop.name, (long long)w->created, (long long)w->updated, (long long)w->unchanged,
	        (long long)w->failed);
	if (w->skipped)
		run_log(w->ctx, LOG_INFO, "%lld products are not in the shop and were not created "
		        "(update.create_missing is false)", (long long)w->skipped);
	if (w->retired || w->absent || w->retire_failed)
		run_log(w->ctx, LOG_INFO, "'%s': %lld retired, %lld not in the shop (nothing to retire), %lld failed to "
		        "retire", w->shop.name, (long long)w->retired, (long long)w->absent, (long long)w->retire_failed);
	if (w->duplicates)
		run_log(w->ctx, LOG_WARN, "'%s' holds %lld SKUs more than once (see feedsync runs errors %lld)",
		        w->shop.name, (long long)w->duplicates, (long long)w->ctx->run_id);
	if (phase_stop_report(&w->stop, d, err, errsize) < 0)
		return -1;
	return stopped ? 1 : 0;
}

/* ---- hooks, open, close ------------------------------------------------------------------------------ */

/* Every attempt may execute: the fences of a create batch last until the next attempt may have ended. */
static void on_retry(void *ud, const struct http_request *r, int64_t delay_ms)
{
	struct woo *w = ud;
	if (r->done == batch_done) {
		struct batch *b = r->ud;
		if (b->count[OP_CREATE])
			fence_creates(w, b->items.v, b->count[OP_CREATE], delay_ms);
	}
}

/* Other runs' fences on this shop: the creates of a dead or timed-out run that may still be executing. */
static int load_fences(struct woo *w, char *err, size_t errsize)
{
	struct run_ctx *ctx = w->ctx;
	w->fence_ms = ((int64_t)w->shop.opt.timeout_s + w->shop.opt.overrun_s) * 1000;
	if (store_fences_of_others(ctx->store, w->shop.id, ctx->run_id, &w->fences, &w->nfences) < 0) {
		snprintf(err, errsize, "cannot read which creates of earlier runs may still be executing in '%s': %s; "
		         "nothing was pushed", w->shop.name, store_errmsg(ctx->store));
		return -1;
	}
	w->fence_seen = xcalloc(w->nfences ? w->nfences : 1, sizeof(*w->fence_seen));
	if (!w->nfences)
		return 0;
	int64_t until = 0, now = now_ms();
	size_t waiting = 0;
	for (size_t i = 0; i < w->nfences; i++) {
		if (w->fences[i].until_ms > now)
			waiting++;
		if (w->fences[i].until_ms > until)
			until = w->fences[i].until_ms;
	}
	char when[32];
	format_time(until, when, sizeof(when));
	run_log(ctx, LOG_WARN, "%zu products were in create requests of earlier runs that may still be executing in "
	        "'%s' (a worker that died, a request that timed out): each is looked up again before anything is sent "
	        "for it%s%s%s, and one the shop holds twice is reported", w->nfences, w->shop.name,
	        waiting ? ", after its request's time is up (at the latest " : "", waiting ? when : "",
	        waiting ? ")" : "");
	return 0;
}

static int woo_open(struct dest *d, const struct conn_config *conn, struct run_ctx *ctx, int64_t pending,
                    char *err, size_t errsize)
{
	struct woo *w = xcalloc(1, sizeof(*w));
	d->impl = w;
	w->ctx = ctx;
	w->conn = conn;
	if (shop_load(ctx->store, ctx->cfg, conn->dest_id, conn->dest_name, &w->shop, err, errsize) < 0)
		return -1;
	remote_window_init(&w->window, ctx->store, w->shop.id);
	const struct shop_options *o = &w->shop.opt;
	w->gate = woo_gate_open(&w->shop, ctx->store, err, errsize);
	if (!w->gate) {
		size_t len = strlen(err);
		snprintf(err + len, errsize - len, "; nothing was pushed");
		return -1;
	}
	w->batch_size = o->batch_size;
	if (w->shop.learned_batch_size > 0 && w->shop.learned_batch_size < w->batch_size)
		w->batch_size = w->shop.learned_batch_size;
	ctx->batch_size = w->batch_size;
	str_copy(ctx->circuit, w->shop.circuit_state, sizeof(ctx->circuit));
	w->hooks = (struct push_hooks){.ctx = ctx, .shop = &w->shop, .retried = on_retry, .ud = w};
	struct http_hooks hooks = push_http_hooks(&w->hooks);
	w->http = http_client_new(&w->shop, ctx->cfg, &hooks, err, errsize);
	if (!w->http)
		return -1;
	w->terms = woo_terms_open(ctx, &w->shop, w->http, conn);
	ready_for(w, 0);
	run_log(ctx, LOG_INFO, "sending %lld products to '%s' (%s, %s, consumer key %s%s): %d per request, %d at once",
	        (long long)pending, w->shop.name, w->shop.base_url, shop_auth_name(w->shop.auth), w->shop.key_hint,
	        w->shop.verify_tls ? "" : ", TLS NOT VERIFIED", w->batch_size, o->concurrency);
	if (store_group_skus(ctx->store, ctx->connection_id, false, &w->parent_skus, &w->nparent_skus) < 0) {
		snprintf(err, errsize, "cannot read the connection's groups of variants: %s; nothing was pushed",
		         store_errmsg(ctx->store));
		return -1;
	}
	return load_fences(w, err, errsize);
}

static void woo_close(struct dest *d)
{
	struct woo *w = d->impl;
	if (!w)
		return;
	if (w->http) {
		w->closing = true;
		phase_drain(w->http, w->ctx);
		write_recorded(w);
	}
	release_all(w, &w->to_look_up);
	release_all(w, &w->parked);
	push_fences_free(w->fences, w->nfences);
	free(w->fence_seen);
	for (size_t i = 0; i < w->nready; i++)
		release_all(w, &w->ready[i].items);
	free(w->ready);
	for (size_t i = 0; i < w->deferred.n; i++)
		item_free(w->deferred.v[i]);
	free(w->deferred.v);
	for (size_t i = 0; i < w->variants.n; i++)
		item_free(w->variants.v[i]);
	free(w->variants.v);
	for (size_t i = 0; i < w->ngroups; i++) {
		free(w->groups[i].sku);
		free(w->groups[i].own);
	}
	free(w->groups);
	for (size_t i = 0; i < w->nparent_skus; i++)
		free(w->parent_skus[i]);
	free(w->parent_skus);
	free(w->recorded.v);
	remote_window_free(&w->window);
	woo_terms_free(w->terms);
	http_client_free(w->http);
	shop_free(&w->shop);
	phase_stop_free(&w->stop);
	free(w);
	d->impl = NULL;
	d->detail = NULL;
}

const struct dest_ops dest_woo_ops = {
	.name = "woocommerce",
	.wants_all = dest_changed_only,
	.open = woo_open,
	.push = woo_push,
	.retire = woo_retire,
	.commit = woo_commit,
	.close = woo_close,
};

/* ---- shared with the pull (dest/woo_pull.h) ---------------------------------------------------------- */

static void circuit_open_text(const struct shop *shop, const struct gate_circuit *c, char *buf, size_t size)
{
	char since[32], last[32], reopen[32];
	format_time(c->since, since, sizeof(since));
	format_time(c->last_at, last, sizeof(last));
	format_time(c->reopen_at, reopen, sizeof(reopen));
	snprintf(buf, size, "destination '%s' is unavailable: it has failed since %s (last at %s: %s); its circuit "
	         "breaker opened after %d transient failures in a row and stays open until %s, beyond the patience of "
	         "%d s (patience_s) from the first failure", shop->name, since, last, *c->last ? c->last : "?",
	         c->failures, reopen, shop->opt.patience_s);
}

struct gate *woo_gate_open(const struct shop *shop, struct store *s, char *err, size_t errsize)
{
	const struct shop_options *o = &shop->opt;
	struct gate *g = gate_get(shop->id);
	/* Failures less than the first retry delay apart are the same news. */
	struct gate_limits limits = {.concurrency = o->concurrency, .rate = o->rate_limit,
	                             .threshold = o->circuit_threshold, .window_ms = o->backoff_ms,
	                             .open_ms = (int64_t)o->circuit_open_s * 1000,
	                             .patience_ms = (int64_t)o->patience_s * 1000};
	struct gate_circuit stored = {.reopen_at = shop->circuit_reopen_at, .failures = shop->consecutive_failures,
	                              .since = shop->circuit_since, .last_at = shop->circuit_last_at};
	str_copy(stored.state, shop->circuit_state, sizeof(stored.state));
	str_copy(stored.last, shop->circuit_last, sizeof(stored.last));
	str_copy(stored.outcomes, shop->recent_outcomes, sizeof(stored.outcomes));
	gate_configure(g, &limits, &stored);
	if (s)
		gate_share(g, s, (int64_t)o->timeout_s * 1000);
	if (!gate_refuses(g, now_ms()))
		return g;
	struct gate_circuit c;
	gate_circuit(g, &c);
	circuit_open_text(shop, &c, err, errsize);
	return NULL;
}

void woo_circuit_changed(struct run_ctx *ctx, const struct shop *shop, const struct gate_circuit *c)
{
	struct dest_circuit stored = {.state = c->state, .reopen_at = c->reopen_at, .failures = c->failures,
	                              .since = c->since, .last_at = c->last_at, .last = c->last,
	                              .outcomes = c->outcomes};
	str_copy(ctx->circuit, c->state, sizeof(ctx->circuit));
	if (store_dest_set_circuit(ctx->store, shop->id, &stored) < 0)
		run_log(ctx, LOG_WARN, "cannot store the circuit state: %s", store_errmsg(ctx->store));
	char since[32], last[32], when[32], waited[32], open_for[32];
	format_time(c->since, since, sizeof(since));
	format_time(c->last_at, last, sizeof(last));
	if (!str_eq(c->state, "closed") && c->reopen_at) {
		format_time(c->reopen_at, when, sizeof(when));
		bool waited_for = c->reopen_at <= c->since + (int64_t)shop->opt.patience_s * 1000;
		run_log(ctx, LOG_WARN, "'%s': circuit breaker %s after %d transient failures in a row since %s (last at "
		        "%s: %s); %s the probe at %s (patience %d s from the first failure)", shop->name, c->state,
		        c->failures, since, last, c->last, waited_for ? "requests wait for" : "the patience ends before",
		        when, shop->opt.patience_s);
	} else if (str_eq(c->state, "closed") && c->opened_at) {
		format_duration(now_ms() - c->since, waited, sizeof(waited));
		format_duration(now_ms() - c->opened_at, open_for, sizeof(open_for));
		run_log(ctx, LOG_INFO, "'%s' answers again: the outage lasted from %s to %s (last failure: %s); "
		        "requests waited %s for it, the circuit breaker open for %s", shop->name, since, last, c->last,
		        waited, open_for);
	}
}

/* Appends how to trust the shop's certificate, naming the destination by its id (by its name when the wizard
 * tests a shop not saved yet). */
bool woo_stop_reason(const struct shop *shop, const struct http_request *r, enum woo_verdict v, char *buf,
                     size_t size)
{
	struct woo_error e;
	struct gate_circuit circuit;
	switch (v) {
	case WOO_AUTH:
		woo_answer_error(r, &e);
		snprintf(buf, size, "the shop refused the credentials of destination '%s' (consumer key %s, from %s): "
		         "HTTP %ld %s: %s; check them with 'feedsync dest test %lld'", shop->name, shop->key_hint,
		         shop->credentials_origin, r->status, e.code, e.message, (long long)shop->id);
		return true;
	case WOO_UNAVAILABLE:
		gate_circuit(gate_get(shop->id), &circuit);
		circuit_open_text(shop, &circuit, buf, size);
		return true;
	case WOO_TLS:
		snprintf(buf, size, "cannot talk to destination '%s' securely: %s", shop->name, r->error);
		if (shop->verify_tls)
			tls_hint_add(shop, buf, size);
		return true;
	default:
		return false;
	}
}

/* ---- dest test --------------------------------------------------------------------------------------- */

static void check_reach_and_tls(const struct shop *shop, struct probe *p, struct woo_check *checks)
{
	bool https = strncasecmp(shop->base_url, "https://", 8) == 0;
	if (p->req.outcome == HTTP_TLS) {
		check_set(&checks[WOO_CHECK_REACH], true, "the server answers at %s", shop->base_url);
		check_set(&checks[WOO_CHECK_TLS], false, "%s", p->req.error);
		if (shop->verify_tls)
			tls_hint_add(shop, checks[WOO_CHECK_TLS].detail, sizeof(checks[WOO_CHECK_TLS].detail));
		return;
	}
	if (!probe_answered(p)) {
		check_set(&checks[WOO_CHECK_REACH], false, "%s: %s", shop->base_url, p->req.error);
		return;
	}
	if (p->req.status == 404 || (p->req.status == 200 && !p->req.json))
		check_set(&checks[WOO_CHECK_REACH], false, "%s answers, but not with the WordPress REST API at /wp-json/ "
		      "(HTTP %ld): is the URL the shop's home page?", shop->base_url, p->req.status);
	else
		check_set(&checks[WOO_CHECK_REACH], true, "the WordPress REST API answers at %s/wp-json/ (%lld ms)",
		      shop->base_url, (long long)p->req.elapsed_ms);
	if (!https)
		check_set(&checks[WOO_CHECK_TLS], true, "not used: plain http, so requests are signed with OAuth 1.0a and "
		      "travel unencrypted");
	else if (!shop->verify_tls)
		check_set(&checks[WOO_CHECK_TLS], true, "connected, but the certificate is NOT verified (--insecure)");
	else
		check_set(&checks[WOO_CHECK_TLS], true, "the certificate is valid");
}

static void describe_refusal(const struct probe *p, struct woo_error *e)
{
	woo_answer_error(&p->req, e);
}

bool woo_test(const struct shop *shop, const struct config *cfg, struct woo_check checks[WOO_CHECK_COUNT])
{
	static const char *const names[] = {"reachability", "tls", "authentication", "permissions"};
	checks_init(checks, names, WOO_CHECK_COUNT);
	char err[256];
	struct http_client *c = http_client_new(shop, cfg, NULL, err, sizeof(err));
	if (!c) {
		check_set(&checks[WOO_CHECK_REACH], false, "%s", err);
		return false;
	}
	struct probe p = {0};
	probe(c, &p, "GET", "/wp-json/", NULL);
	check_reach_and_tls(shop, &p, checks);
	struct woo_error e;
	if (checks[WOO_CHECK_REACH].verdict == 1 && checks[WOO_CHECK_TLS].verdict == 1) {
		probe(c, &p, "GET", WOO_API "/products?per_page=1", NULL);
		describe_refusal(&p, &e);
		if (probe_answered(&p) && p.req.status == 200)
			check_set(&checks[WOO_CHECK_AUTH], true, "consumer key %s accepted (%s)", shop->key_hint,
			      shop_auth_name(shop->auth));
		else if (probe_answered(&p) && p.req.status == 404)
			check_set(&checks[WOO_CHECK_AUTH], false, "no WooCommerce REST API at %s/wp-json/wc/v3 (is WooCommerce "
			      "active?): %s", shop->base_url, e.message);
		else
			check_set(&checks[WOO_CHECK_AUTH], false, "consumer key %s (%s, %s) refused: %s: %s", shop->key_hint,
			      shop_auth_name(shop->auth), shop->credentials_origin, e.code, e.message);
	}
	if (checks[WOO_CHECK_AUTH].verdict == 1) {
		/* An empty batch changes nothing but needs write permission. */
		probe(c, &p, "POST", WOO_API "/products/batch", "{}");
		describe_refusal(&p, &e);
		if (probe_answered(&p) && p.req.status == 200)
			check_set(&checks[WOO_CHECK_WRITE], true, "read_write: the key can change products");
		else
			check_set(&checks[WOO_CHECK_WRITE], false, "the key cannot change products (%s: %s); give it Read/Write "
			      "permission in WooCommerce > Settings > Advanced > REST API", e.code, e.message);
	}
	http_request_clear(&p.req);
	http_client_free(c);
	return checks_passed(checks, WOO_CHECK_COUNT);
}
