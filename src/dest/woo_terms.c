/* Category paths and tag names to the shop's term ids (see dest/woo_terms.h). */
#include "dest/woo_terms.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_terms.h"
#include "core/util.h"
#include "dest/woo_term_io.h"
#include "feed/mapping.h"

/* 50 000 terms: far beyond a shop's categories, and a bound on a listing that never ends. */
#define MAX_PAGES 500

struct term {
	int64_t id, parent;
	char *key;                  /* the name as compared (term_key) */
};

struct refusal {
	char *path;                 /* as compared: keys joined by " > " */
	struct woo_error error;
};

struct taxonomy {
	const char *name;           /* the product field and the endpoint: "categories", "tags" */
	const char *singular;       /* for messages */
	bool hierarchical;
	const char *separator;      /* between several paths or names in one value; NULL: one per value */
	bool wanted;                /* a create or an update may send the field */
	bool loaded;                /* the cache was read from the store */
	bool listed;                /* the shop listed its terms in this run */
	struct term *terms;
	size_t n, cap;
	size_t *slots;              /* open addressing over (parent, key): index + 1, 0 when free */
	size_t nslots;
	struct refusal *refusals;   /* terms the shop refused in this run: not asked for again */
	size_t nrefusals;
};

struct woo_terms {
	struct run_ctx *ctx;
	const struct shop *shop;
	struct http_client *http;
	const struct term_api *api;
	struct taxonomy tax[TERMS_MAX_TAXONOMIES];
	size_t ntax;
	/* A term's answer that stops the push (refused credentials, ...): every later term would be refused too,
	 * and the products' own requests with it. */
	struct http_request stop;
	bool stopped;
};

/* ---- names as WooCommerce compares them ---- */

/* Entities decoded, ASCII lower-cased (MySQL's collation also folds other letters: not done here). */
static char *term_key(const char *name, size_t len)
{
	char *raw = xstrndup(name, len);
	struct strbuf sb = {0};
	woo_unescape_html(raw, &sb);
	free(raw);
	for (size_t i = 0; i < sb.len; i++)
		sb.buf[i] = (char)tolower((unsigned char)sb.buf[i]);
	return sb_detach(&sb);
}

static size_t slot_of(const struct taxonomy *x, int64_t parent, const char *key)
{
	uint64_t h = hash64(key, strlen(key), HASH64_SEED ^ (uint64_t)parent);
	return (size_t)(h & (x->nslots - 1));
}

static void index_term(struct taxonomy *x, size_t i)
{
	size_t at = slot_of(x, x->terms[i].parent, x->terms[i].key);
	while (x->slots[at])
		at = (at + 1) & (x->nslots - 1);
	x->slots[at] = i + 1;
}

static struct term *find(const struct taxonomy *x, int64_t parent, const char *key)
{
	if (!x->nslots)
		return NULL;
	for (size_t at = slot_of(x, parent, key); x->slots[at]; at = (at + 1) & (x->nslots - 1)) {
		struct term *t = &x->terms[x->slots[at] - 1];
		if (t->parent == parent && strcmp(t->key, key) == 0)
			return t;
	}
	return NULL;
}

static void add_term(struct taxonomy *x, const struct shop_term *st)
{
	char *key = term_key(st->name, strlen(st->name));
	int64_t parent = x->hierarchical ? st->parent : 0;
	struct term *same = find(x, parent, key);
	if (same) { /* a name twice under one parent (made before WooCommerce refused that): the first counts */
		free(key);
		return;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->terms = xrealloc(x->terms, x->cap * sizeof(*x->terms));
	}
	x->terms[x->n++] = (struct term){st->id, parent, key};
	if (2 * x->n > x->nslots) {
		free(x->slots);
		x->nslots = x->nslots ? 2 * x->nslots : 256;
		x->slots = xcalloc(x->nslots, sizeof(*x->slots));
		for (size_t i = 0; i < x->n; i++)
			index_term(x, i);
	} else {
		index_term(x, x->n - 1);
	}
}

static void clear_terms(struct taxonomy *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->terms[i].key);
	x->n = 0;
	if (x->slots)
		memset(x->slots, 0, x->nslots * sizeof(*x->slots));
}

static void add_all(struct taxonomy *x, const struct shop_term *terms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_term(x, &terms[i]);
}

/* ---- the cache and the shop ---- */

static void load_cache(struct woo_terms *t, struct taxonomy *x)
{
	struct shop_term *cached;
	size_t n;
	x->loaded = true;
	if (store_terms_load(t->ctx->store, t->shop->id, x->name, &cached, &n) < 0) {
		run_log(t->ctx, LOG_WARN, "cannot read the cached %s of '%s' (%s): they are listed from the shop",
		        x->name, t->shop->name, store_errmsg(t->ctx->store));
		return;
	}
	add_all(x, cached, n);
	shop_terms_free(cached, n);
}

/* Once a run, when a name is not known: the shop's terms replace the cache. */
static void list_shop(struct woo_terms *t, struct taxonomy *x)
{
	struct shop_term *listed;
	size_t n;
	char err[512];
	struct term_wait wait = {t->ctx};
	x->listed = true;
	if (woo_term_list(t->http, t->shop, t->api, x->name, MAX_PAGES, &wait, &listed, &n, err, sizeof(err)) < 0) {
		/* Creating is still safe: a term the shop has is answered term_exists, with its id. */
		run_log(t->ctx, LOG_WARN, "%s; the %s not known here are created, or found as they are created", err,
		        x->name);
		return;
	}
	clear_terms(x);
	add_all(x, listed, n);
	if (store_terms_replace(t->ctx->store, t->shop->id, x->name, listed, n) < 0)
		run_log(t->ctx, LOG_WARN, "cannot cache the %s of '%s': %s", x->name, t->shop->name,
		        store_errmsg(t->ctx->store));
	shop_terms_free(listed, n);
}

static const struct refusal *refused(const struct taxonomy *x, const char *path)
{
	for (size_t i = 0; i < x->nrefusals; i++)
		if (strcmp(x->refusals[i].path, path) == 0)
			return &x->refusals[i];
	return NULL;
}

/* The term made in the shop (or found there as it was made), or NULL with the refusal remembered. */
static const struct term *create(struct woo_terms *t, struct taxonomy *x, const char *name, int64_t parent,
                                 const char *path, const char *shown)
{
	struct shop_term made;
	struct woo_error e;
	struct term_wait wait = {t->ctx};
	if (woo_term_create(t->http, t->api, x->name, name, parent, &wait, &made, &e, t->stopped ? NULL : &t->stop) < 0) {
		t->stopped = t->stopped || t->stop.method;
		x->refusals = xrealloc(x->refusals, (x->nrefusals + 1) * sizeof(*x->refusals));
		x->refusals[x->nrefusals++] = (struct refusal){xstrdup(path), e};
		return NULL;
	}
	run_log(t->ctx, LOG_INFO, "%s '%s' is in '%s' as id %lld", x->singular, shown, t->shop->name,
	        (long long)made.id);
	if (store_term_put(t->ctx->store, t->shop->id, x->name, &made) < 0)
		run_log(t->ctx, LOG_WARN, "cannot cache %s '%s': %s", x->singular, shown, store_errmsg(t->ctx->store));
	add_term(x, &made);
	char *key = term_key(made.name, strlen(made.name));
	const struct term *found = find(x, x->hierarchical ? made.parent : 0, key);
	free(key);
	free(made.name);
	return found;
}

/* ---- values ---- */

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return len > 0 && len < 19;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* The next piece of [*s, end) up to sep (NULL: all of it), trimmed; *s moves past it. */
static void next_piece(const char **s, const char *end, const char *sep, const char **piece, size_t *len)
{
	const char *cut = sep && *sep ? memmem(*s, (size_t)(end - *s), sep, strlen(sep)) : NULL;
	*piece = *s;
	*len = (size_t)((cut ? cut : end) - *s);
	*s = cut ? cut + strlen(sep) : end;
	trim(piece, len);
}

/* The id of the leaf of one path (or of one tag name), made with its parents when missing; -1 with err. */
static int64_t resolve_path(struct woo_terms *t, struct taxonomy *x, const char *path, size_t len,
                            struct woo_error *err)
{
	if (all_digits(path, len))
		return strtoll(path, NULL, 10);
	const char *s = path, *end = path + len;
	char *shown = xstrndup(path, len);
	struct strbuf seen = {0};        /* the keys so far, as refusals are remembered */
	int64_t parent = 0;
	while (s < end && parent >= 0) {
		const char *seg;
		size_t seg_len;
		next_piece(&s, end, x->hierarchical ? CATEGORY_PATH_JOIN : NULL, &seg, &seg_len);
		if (!seg_len)
			continue;
		char *key = term_key(seg, seg_len);
		sb_addf(&seen, "%s%s", seen.len ? CATEGORY_PATH_JOIN : "", key);
		const struct term *found = find(x, parent, key);
		if (!found && !x->listed) {
			list_shop(t, x);
			found = find(x, parent, key);
		}
		const struct refusal *r = found ? NULL : refused(x, sb_str(&seen));
		char *name = found || r ? NULL : xstrndup(seg, seg_len);
		if (name)
			found = create(t, x, name, parent, sb_str(&seen), shown);
		if (!found && !r)
			r = refused(x, sb_str(&seen));
		if (found) {
			parent = found->id;
		} else {
			str_copy(err->code, r->error.code, sizeof(err->code));
			snprintf(err->message, sizeof(err->message), "the shop refused to create %s '%.*s' of '%s': %s",
			         x->singular, (int)seg_len, seg, shown, r->error.message);
			parent = -1;
		}
		free(name);
		free(key);
	}
	free(shown);
	sb_free(&seen);
	return parent;
}

/* "A > B|C" to "12,15" in out; -1 with err. */
static int resolve_value(struct woo_terms *t, struct taxonomy *x, const char *value, struct strbuf *out,
                         struct woo_error *err)
{
	const char *s = value, *end = value + strlen(value);
	while (s < end) {
		const char *piece;
		size_t len;
		next_piece(&s, end, x->separator, &piece, &len);
		if (!len)
			continue;
		int64_t id = resolve_path(t, x, piece, len, err);
		if (id < 0)
			return -1;
		if (id > 0)
			sb_addf(out, "%s%lld", out->len ? "," : "", (long long)id);
	}
	return 0;
}

int woo_terms_resolve(struct woo_terms *t, char **product_json, bool every_field, struct woo_error *err)
{
	cJSON *product = NULL;
	int rc = 0;
	for (size_t i = 0; i < t->ntax && rc == 0; i++) {
		struct taxonomy *x = &t->tax[i];
		char quoted[32];
		snprintf(quoted, sizeof(quoted), "\"%s\"", x->name);
		if (!(x->wanted || every_field) || !strstr(*product_json, quoted))
			continue; /* most products: no parse */
		if (!product && !(product = cJSON_Parse(*product_json)))
			break;
		const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, x->name));
		if (!value)
			continue;
		if (!x->loaded)
			load_cache(t, x);
		struct strbuf ids = {0};
		rc = resolve_value(t, x, value, &ids, err);
		if (rc == 0)
			cJSON_ReplaceItemInObjectCaseSensitive(product, x->name, cJSON_CreateString(sb_str(&ids)));
		sb_free(&ids);
	}
	if (product && rc == 0) {
		char *printed = cJSON_PrintUnformatted(product);
		free(*product_json);
		*product_json = xstrdup(printed);
		cJSON_free(printed);
	}
	cJSON_Delete(product);
	return rc;
}

struct woo_terms *woo_terms_open_for(struct run_ctx *ctx, const struct shop *shop, struct http_client *http,
                                     const struct conn_config *conn, const struct term_api *api,
                                     const struct term_taxonomy *list, size_t n)
{
	struct woo_terms *t = xcalloc(1, sizeof(*t));
	t->ctx = ctx;
	t->shop = shop;
	t->http = http;
	t->api = api;
	t->ntax = n < TERMS_MAX_TAXONOMIES ? n : TERMS_MAX_TAXONOMIES;
	for (size_t i = 0; i < t->ntax; i++) {
		struct taxonomy *x = &t->tax[i];
		*x = (struct taxonomy){.name = list[i].name, .singular = list[i].singular,
		                       .hierarchical = list[i].hierarchical};
		x->separator = conn->mapping ? mapping_separator(conn->mapping, x->name) : NULL;
		x->wanted = conn->create_missing || update_sends(conn->update_fields, x->name);
	}
	return t;
}

struct woo_terms *woo_terms_open(struct run_ctx *ctx, const struct shop *shop, struct http_client *http,
                                 const struct conn_config *conn)
{
	static const struct term_taxonomy product_terms[] = {{PF_CATEGORIES, "category", true}, {"tags", "tag", false}};
	return woo_terms_open_for(ctx, shop, http, conn, &woo_term_api, product_terms, ARRAY_LEN(product_terms));
}

void woo_terms_free(struct woo_terms *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ntax; i++) {
		struct taxonomy *x = &t->tax[i];
		clear_terms(x);
		free(x->terms);
		free(x->slots);
		for (size_t k = 0; k < x->nrefusals; k++)
			free(x->refusals[k].path);
		free(x->refusals);
	}
	http_request_clear(&t->stop);
	free(t);
}

const struct http_request *woo_terms_stop_answer(const struct woo_terms *t)
{
	return t && t->stopped ? &t->stop : NULL;
}
