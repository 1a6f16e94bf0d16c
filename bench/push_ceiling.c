/*
 * push_ceiling: the fake shop's own ceiling for the push benchmark (bench/push.sh). Replays what a push of a
 * catalog to an empty shop sends, built before the clock starts with feedsync's own payload functions: first the
 * categories and tags feedsync created (listed, then made one by one, a parent before its children, as feedsync
 * resolves a product's terms before it looks the product up); then per batch of products, in SKU order as
 * feedsync reads them, one lookup by SKU, one create batch and the lookup that checks it, with the category ids
 * feedsync resolved (the shop's terms it cached). CONCURRENCY threads send the batches, each over one kept-alive
 * connection, as feedsync's hygiene has it (no Expect: 100-continue, TCP_NODELAY, compressed answers accepted);
 * a thread sends one batch's three requests in turn, each once the one before is answered, as feedsync must (the
 * check of a create is made on its answer, and so finds the products it made); every answer is read whole.
 *
 * --naive sends them as a careless client does: a new handle, so a new connection, for every request,
 * "Expect: 100-continue" on bodies (libcurl itself now adds it only to large ones; older versions and other
 * HTTP stacks add it to any), Nagle's algorithm left on. --seconds S stops taking new requests after S
 * seconds, for clients or shops too slow to send everything in a benchmark.
 *
 *   push_ceiling --db FILE --conn ID --dest ID --url URL --user KEY:SECRET [--concurrency 4] [--batch-size 100]
 *                [--naive] [--seconds S]
 *
 * Prints "requests R products P seconds S products_per_s X requests_per_s Y"; exits 1 when a request fails
 * or is answered with anything but 200 (201 for a term made), 2 on bad arguments.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/store.h"
#include "core/store_terms.h"
#include "core/util.h"
#include "dest/woo_batch.h"
#include "feed/product.h"

#define MAX_THREADS 64

struct request {
	char *url;
	char *body;                    /* NULL: a GET */
	size_t body_len;
	long products;                 /* products it creates */
};

/* A term feedsync made in the shop, made again here: its parent's id is the one the shop gives in this replay. */
struct term {
	const char *taxonomy;
	char *name;
	int64_t id, parent;            /* as feedsync cached them */
	int64_t made_id;               /* the shop's answer here */
};

struct replay {
	const char *base_url, *user;
	bool naive;
	double deadline;               /* monotonic seconds, 0 when none */
	struct request *v;
	size_t n, cap;
	size_t *chains;                /* where each batch's requests begin in v */
	size_t nchains, chains_cap;
	atomic_size_t next;            /* the next chain to send */
	struct term *terms;
	size_t nterms;
	atomic_long requests, products, failed;
	pthread_mutex_t lock;
	char error[512];
};

/* The batch being gathered while the catalog is read. */
/* The shop's categories by path ("A > B"), read from the cache feedsync filled while it pushed: the ceiling sends
 * the ids feedsync sent. */
struct category_ids {
	char **paths;
	int64_t *ids;
	size_t n;
};

static void category_path(const struct shop_term *terms, size_t n, size_t at, struct strbuf *out)
{
	for (size_t i = 0; terms[at].parent && i < n; i++)
		if (terms[i].id == terms[at].parent) {
			category_path(terms, n, i, out);
			sb_adds(out, " > ");
			break;
		}
	woo_unescape_html(terms[at].name, out);
}

static int load_category_ids(struct store *s, int64_t dest, struct category_ids *c)
{
	struct shop_term *terms;
	size_t n;
	if (store_terms_load(s, dest, "categories", &terms, &n) < 0)
		return -1;
	c->paths = xcalloc(n ? n : 1, sizeof(*c->paths));
	c->ids = xcalloc(n ? n : 1, sizeof(*c->ids));
	for (size_t i = 0; i < n; i++) {
		struct strbuf path = {0};
		category_path(terms, n, i, &path);
		c->paths[i] = sb_detach(&path);
		c->ids[i] = terms[i].id;
	}
	c->n = n;
	shop_terms_free(terms, n);
	return 0;
}

static void category_ids_free(struct category_ids *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c->ids);
}

/* The product with its category path replaced by the shop's id, as feedsync sends it; NULL when it has none. */
static char *with_category_id(const struct category_ids *c, const char *data)
{
	cJSON *product = cJSON_Parse(data);
	const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, "categories"));
	char *out = NULL;
	for (size_t i = 0; path && !out && i < c->n; i++)
		if (strcmp(c->paths[i], path) == 0) {
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)c->ids[i]);
			out = product_json_with(data, "categories", id, false);
		}
	cJSON_Delete(product);
	return out;
}

struct gather {
	struct replay *r;
	size_t batch_size;
	char **skus;
	size_t nskus;
	struct strbuf items;
	long skipped;
	struct category_ids categories;
};

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_request(struct replay *r, char *url, char *body, size_t body_len, long products)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = (struct request){url, body, body_len, products};
}

/* The lookup of the gathered SKUs, then their create batch: feedsync's order for products not yet known. */
static void emit_batch(struct gather *g)
{
	if (!g->nskus)
		return;
	struct replay *r = g->r;
	if (r->nchains == r->chains_cap) {
		r->chains_cap = r->chains_cap ? 2 * r->chains_cap : 1024;
		r->chains = xrealloc(r->chains, r->chains_cap * sizeof(*r->chains));
	}
	r->chains[r->nchains++] = r->n;
	char *lookup = woo_lookup_target((const char *const *)g->skus, g->nskus, 1);
	add_request(g->r, xasprintf("%s%s", g->r->base_url, lookup), NULL, 0, 0);
	char *target = woo_batch_target(0);
	struct strbuf body = {0};
	sb_adds(&body, "{\"create\":[");
	sb_add(&body, g->items.buf, g->items.len);
	sb_adds(&body, "]}");
	size_t len = body.len;
	add_request(g->r, xasprintf("%s%s", g->r->base_url, target), sb_detach(&body), len, (long)g->nskus);
	/* feedsync looks a create batch's SKUs up again, to find any the shop made twice (dest/woo.h). */
	add_request(g->r, xasprintf("%s%s", g->r->base_url, lookup), NULL, 0, 0);
	free(target);
	free(lookup);
	for (size_t i = 0; i < g->nskus; i++)
		free(g->skus[i]);
	g->nskus = 0;
	sb_reset(&g->items);
}

/* Products feedsync would refuse to send are left out here too. */
static int gather_product(void *ud, const char *sku, const char *data, int64_t hash)
{
	(void)hash;
	struct gather *g = ud;
	char err[512];
	size_t mark = g->items.len;
	if (g->nskus)
		sb_addc(&g->items, ',');
	char *resolved = with_category_id(&g->categories, data);
	int rc = woo_sku_searchable(sku) ? woo_item_payload(resolved ? resolved : data, 0, NULL, &g->items, err,
	                                                    sizeof(err)) : -1;
	free(resolved);
	if (rc < 0) {
		g->items.len = mark;
		if (g->items.buf)
			g->items.buf[mark] = '\0';
		g->skipped++;
		return 0;
	}
	g->skus[g->nskus++] = xstrdup(sku);
	if (g->nskus == g->batch_size)
		emit_batch(g);
	return 0;
}

static int term_order(const void *a, const void *b)
{
	int64_t x = ((const struct term *)a)->id, y = ((const struct term *)b)->id;
	return (x > y) - (x < y);
}

/* The terms feedsync cached, each taxonomy's in the order the shop numbered them: a parent before its children. */
static int load_terms(struct replay *r, struct store *s, int64_t dest)
{
	static const char *const taxonomies[] = {"categories", "tags"};
	for (size_t t = 0; t < ARRAY_LEN(taxonomies); t++) {
		struct shop_term *got;
		size_t n;
		if (store_terms_load(s, dest, taxonomies[t], &got, &n) < 0)
			return -1;
		r->terms = xrealloc(r->terms, (r->nterms + n + 1) * sizeof(*r->terms));
		size_t first = r->nterms;
		for (size_t i = 0; i < n; i++) {
			struct strbuf name = {0};
			woo_unescape_html(got[i].name, &name);
			r->terms[r->nterms++] = (struct term){taxonomies[t], sb_detach(&name), got[i].id, got[i].parent, 0};
		}
		qsort(r->terms + first, n, sizeof(*r->terms), term_order);
		shop_terms_free(got, n);
	}
	return 0;
}

static int load_requests(struct replay *r, const char *db, int64_t conn, int64_t dest, size_t batch_size)
{
	char err[512];
	struct store *s = store_open_path(db, 5000, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "push_ceiling: %s: %s\n", db, err);
		return -1;
	}
	struct gather g = {.r = r, .batch_size = batch_size};
	g.skus = xcalloc(batch_size, sizeof(*g.skus));
	int rc = load_terms(r, s, dest);
	if (rc == 0)
		rc = load_category_ids(s, dest, &g.categories);
	if (rc == 0)
		rc = store_products_pending(s, conn, true, gather_product, &g);
	if (rc < 0)
		fprintf(stderr, "push_ceiling: cannot read the catalog of connection %lld in %s: %s\n", (long long)conn,
		        db, store_errmsg(s));
	emit_batch(&g);
	category_ids_free(&g.categories);
	free(g.skus);
	sb_free(&g.items);
	store_close(s);
	if (g.skipped)
		fprintf(stderr, "push_ceiling: %ld products left out (feedsync does not send them either)\n", g.skipped);
	return rc < 0 ? -1 : 0;
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

static size_t keep_answer(char *data, size_t size, size_t n, void *ud)
{
	sb_add(ud, data, size * n);
	return size * n;
}

static CURL *new_handle(const struct replay *r)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERPWD, r->user);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, r->naive ? 0L : 1L);
	if (!r->naive)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	return e;
}

static void note_failure(struct replay *r, const struct request *q, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note_failure(struct replay *r, const struct request *q, const char *fmt, ...)
{
	atomic_fetch_add(&r->failed, 1);
	pthread_mutex_lock(&r->lock);
	if (!*r->error) {
		int len = snprintf(r->error, sizeof(r->error), "%s %.*s: ", q->body ? "POST" : "GET",
		                   (int)strcspn(q->url, "?"), q->url);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->error + len, sizeof(r->error) - (size_t)len, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&r->lock);
}

/* One sender's connection: the headers feedsync sends (every request asks for JSON, a body says it is JSON) and,
 * unless naive, the handle kept for every request. */
struct sender {
	struct replay *r;
	struct curl_slist *get, *post;
	CURL *kept;
};

static void sender_open(struct sender *s, struct replay *r)
{
	s->r = r;
	s->get = curl_slist_append(NULL, "Accept: application/json");
	s->post = curl_slist_append(NULL, "Accept: application/json");
	s->post = curl_slist_append(s->post, "Content-Type: application/json");
	s->post = curl_slist_append(s->post, r->naive ? "Expect: 100-continue" : "Expect:");
	s->kept = r->naive ? NULL : new_handle(r);
}

static void sender_close(struct sender *s)
{
	if (s->kept)
		curl_easy_cleanup(s->kept);
	curl_slist_free_all(s->get);
	curl_slist_free_all(s->post);
}

/* Sends q and reads its answer whole, into `answer` unless that is NULL; true when it is `expected`. */
static bool sender_send(struct sender *s, const struct request *q, long expected, struct strbuf *answer)
{
	struct replay *r = s->r;
	CURL *e = s->kept ? s->kept : new_handle(r);
	if (!e) {
		note_failure(r, q, "cannot make a curl handle");
		return false;
	}
	curl_easy_setopt(e, CURLOPT_URL, q->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->body ? s->post : s->get);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, answer ? keep_answer : discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, answer);
	if (q->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	CURLcode rc = curl_easy_perform(e);
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (!s->kept)
		curl_easy_cleanup(e);
	if (rc != CURLE_OK) {
		note_failure(r, q, "%s", curl_easy_strerror(rc));
		return false;
	}
	if (status != expected) {
		note_failure(r, q, "HTTP %ld", status);
		return false;
	}
	atomic_fetch_add(&r->requests, 1);
	atomic_fetch_add(&r->products, q->products);
	return true;
}

/* The shop's id, in this replay, of the term feedsync knew as `id`; 0 (the top) for none. */
static int64_t made_id(const struct replay *r, const char *taxonomy, int64_t id)
{
	for (size_t i = 0; id && i < r->nterms; i++)
		if (r->terms[i].id == id && r->terms[i].taxonomy == taxonomy)
			return r->terms[i].made_id;
	return 0;
}

/* The terms of a listing's page that feedsync found in the shop (it made the others): their ids here. How many
 * the page held. */
static int note_listed(struct replay *r, const char *taxonomy, const struct strbuf *answer)
{
	cJSON *page = cJSON_ParseWithLength(answer->buf, answer->len);
	const cJSON *listed;
	cJSON_ArrayForEach(listed, page) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(listed, "id");
		const cJSON *parent = cJSON_GetObjectItemCaseSensitive(listed, "parent");
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(listed, "name"));
		struct strbuf plain = {0};
		woo_unescape_html(name ? name : "", &plain);
		for (size_t i = 0; cJSON_IsNumber(id) && i < r->nterms; i++) {
			struct term *t = &r->terms[i];
			int64_t parent_id = cJSON_IsNumber(parent) ? (int64_t)parent->valuedouble : 0;
			if (t->taxonomy == taxonomy && !t->made_id && strcmp(t->name, sb_str(&plain)) == 0 &&
			    made_id(r, taxonomy, t->parent) == parent_id)
				t->made_id = (int64_t)id->valuedouble;
		}
		sb_free(&plain);
	}
	int n = cJSON_GetArraySize(page);
	cJSON_Delete(page);
	return n;
}

/* The terms, one at a time over one connection, as feedsync makes them: each taxonomy listed first, then what the
 * shop lacks made; the products wait for them. Bodies are built on the clock, as feedsync builds them. */
static void make_terms(struct replay *r)
{
	struct sender s;
	sender_open(&s, r);
	struct strbuf answer = {0};
	for (size_t i = 0; i < r->nterms; i++) {
		struct term *t = &r->terms[i];
		for (int page = 1, got = WOO_MAX_PER_PAGE; got == WOO_MAX_PER_PAGE && (i == 0 ||
		     r->terms[i - 1].taxonomy != t->taxonomy); page++) {
			struct request list = {xasprintf("%s" WOO_API "/products/%s?per_page=%d&page=%d&_fields=id,name,parent",
			                                 r->base_url, t->taxonomy, WOO_MAX_PER_PAGE, page), NULL, 0, 0};
			sb_reset(&answer);
			got = sender_send(&s, &list, 200, &answer) ? note_listed(r, t->taxonomy, &answer) : 0;
			free(list.url);
		}
		if (t->made_id)
			continue;
		cJSON *body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "name", t->name);
		int64_t parent = made_id(r, t->taxonomy, t->parent);
		if (parent)
			cJSON_AddNumberToObject(body, "parent", (double)parent);
		char *text = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
		struct request make = {xasprintf("%s" WOO_API "/products/%s", r->base_url, t->taxonomy), text, strlen(text),
		                       0};
		sb_reset(&answer);
		if (sender_send(&s, &make, 201, &answer)) {
			cJSON *made = cJSON_ParseWithLength(answer.buf, answer.len);
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(made, "id");
			t->made_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
			cJSON_Delete(made);
		}
		free(make.url);
		cJSON_free(text);
	}
	sb_free(&answer);
	sender_close(&s);
}

static bool past_deadline(const struct replay *r)
{
	return r->deadline > 0 && seconds_now() >= r->deadline;
}

/* Takes the next batch and sends its requests in turn, each on the answer to the one before. */
static void *send_batches(void *arg)
{
	struct replay *r = arg;
	struct sender s;
	sender_open(&s, r);
	for (;;) {
		size_t c = atomic_fetch_add(&r->next, 1);
		if (c >= r->nchains || past_deadline(r))
			break;
		size_t end = c + 1 < r->nchains ? r->chains[c + 1] : r->n;
		for (size_t i = r->chains[c]; i < end && !past_deadline(r); i++)
			if (!sender_send(&s, &r->v[i], 200, NULL))
				break; /* the rest of the batch hangs on this answer */
	}
	sender_close(&s);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: push_ceiling --db FILE --conn ID --dest ID --url URL --user KEY:SECRET [--concurrency N] "
	                "[--batch-size N] [--naive] [--seconds S]\n");
	return 2;
}

static bool parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s && parse_int64(s, out) && *out >= min && *out <= max;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *url = NULL, *user = NULL;
	int64_t conn = 0, dest = 0, concurrency = 4, batch_size = WOO_MAX_BATCH, seconds = 0;
	bool naive = false;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;
		if (str_eq(argv[i], "--naive")) {
			naive = true;
			continue;
		}
		if (str_eq(argv[i], "--db"))
			db = v;
		else if (str_eq(argv[i], "--url"))
			url = v;
		else if (str_eq(argv[i], "--user"))
			user = v;
		else if (str_eq(argv[i], "--conn"))
			ok = parse_count(v, 1, INT64_MAX, &conn);
		else if (str_eq(argv[i], "--dest"))
			ok = parse_count(v, 1, INT64_MAX, &dest);
		else if (str_eq(argv[i], "--concurrency"))
			ok = parse_count(v, 1, MAX_THREADS, &concurrency);
		else if (str_eq(argv[i], "--batch-size"))
			ok = parse_count(v, 1, WOO_MAX_BATCH, &batch_size);
		else if (str_eq(argv[i], "--seconds"))
			ok = parse_count(v, 1, 3600, &seconds);
		else
			ok = false;
		if (!ok || !v)
			return usage();
		i++;
	}
	if (!db || !url || !user || !conn || !dest)
		return usage();

	struct replay r = {.base_url = url, .user = user, .naive = naive};
	pthread_mutex_init(&r.lock, NULL);
	if (load_requests(&r, db, conn, dest, (size_t)batch_size) < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t threads[MAX_THREADS];
	double t0 = seconds_now();
	if (seconds)
		r.deadline = t0 + (double)seconds;
	make_terms(&r);
	for (int64_t i = 0; i < concurrency; i++)
		pthread_create(&threads[i], NULL, send_batches, &r);
	for (int64_t i = 0; i < concurrency; i++)
		pthread_join(threads[i], NULL);
	double secs = seconds_now() - t0;

	long requests = atomic_load(&r.requests), products = atomic_load(&r.products);
	printf("requests %ld products %ld seconds %.3f products_per_s %.0f requests_per_s %.0f\n", requests, products,
	       secs, secs > 0 ? (double)products / secs : 0.0, secs > 0 ? (double)requests / secs : 0.0);
	long failed = atomic_load(&r.failed);
	if (failed)
		fprintf(stderr, "push_ceiling: %ld requests failed; the first: %s\n", failed, r.error);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].url);
		free(r.v[i].body);
	}
	free(r.v);
	free(r.chains);
	for (size_t i = 0; i < r.nterms; i++)
		free(r.terms[i].name);
	free(r.terms);
	pthread_mutex_destroy(&r.lock);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
