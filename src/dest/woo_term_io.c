/* Listing and creating a shop's product terms (see dest/woo_term_io.h). */
#include "dest/woo_term_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define PER_PAGE 100

const struct term_api woo_term_api = {WOO_API "/products/%s", "resource_id"};
const struct term_api wp_term_api = {"/wp-json/wp/v2/%s", "term_id"};

/* The collection path of the taxonomy, with the query given appended. */
static char *collection(const struct term_api *api, const char *taxonomy, const char *query)
{
	struct strbuf sb = {0};
	sb_addf(&sb, api->collection, taxonomy);
	sb_adds(&sb, query);
	return sb_detach(&sb);
}

static void request_done(struct http_request *r)
{
	*(int *)r->ud = 1;
}

/* Sends r first (others wait for its answer) and drives the client until it is answered. */
static void exchange(struct http_client *c, struct http_request *r, const struct term_wait *wait)
{
	int done = 0;
	r->done = request_done;
	r->ud = &done;
	r->urgent = true;
	http_submit(c, r);
	while (!done) {
		http_run(c, 100);
		if (wait && wait->ctx)
			run_tick(wait->ctx);
	}
}

static int64_t number(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* A term object of an answer into out; false when it has no id or name. */
static bool read_term(const cJSON *obj, struct shop_term *out)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
	int64_t id = number(obj, "id");
	if (id <= 0 || !cJSON_IsString(name))
		return false;
	*out = (struct shop_term){id, number(obj, "parent"), xstrdup(name->valuestring)};
	return true;
}

/* One page appended to *out: how many terms it held, or -1 with err set. */
static int read_page(struct http_client *c, const struct shop *shop, const struct term_api *api,
                     const char *taxonomy, int page,
                     const struct term_wait *wait, struct shop_term **out, size_t *n, char *err, size_t errsize)
{
	struct http_request r = {0};
	r.method = "GET";
	char query[96];
	snprintf(query, sizeof(query), "?per_page=%d&page=%d&_fields=id,name,parent", PER_PAGE, page);
	r.target = collection(api, taxonomy, query);
	exchange(c, &r, wait);
	int got = -1;
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsArray(r.json)) {
		got = 0;
		*out = xrealloc(*out, (*n + (size_t)cJSON_GetArraySize(r.json) + 1) * sizeof(**out));
		const cJSON *it;
		cJSON_ArrayForEach(it, r.json) {
			if (read_term(it, &(*out)[*n]))
				(*n)++;
			got++;
		}
	} else {
		struct woo_error e;
		char outcome[128];
		woo_answer_error(&r, &e);
		snprintf(err, errsize, "%s did not list its %s (%s): %s%s%s", shop->base_url, taxonomy,
		         http_outcome_text(&r, outcome, sizeof(outcome)), e.code, *e.code ? ": " : "", e.message);
	}
	http_request_clear(&r);
	return got;
}

int woo_term_list(struct http_client *c, const struct shop *shop, const struct term_api *api, const char *taxonomy,
                  int max_pages,
                  const struct term_wait *wait, struct shop_term **out, size_t *n, char *err, size_t errsize)
{
	*out = NULL;
	*n = 0;
	int got = PER_PAGE;
	for (int page = 1; page <= max_pages && got == PER_PAGE; page++)
		got = read_page(c, shop, api, taxonomy, page, wait, out, n, err, errsize);
	if (got >= 0)
		return 0;
	shop_terms_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int woo_term_create(struct http_client *c, const struct term_api *api, const char *taxonomy, const char *name,
                    int64_t parent,
                    const struct term_wait *wait, struct shop_term *out, struct woo_error *refusal,
                    struct http_request *stop)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	if (parent)
		cJSON_AddNumberToObject(body, "parent", (double)parent);
	char *text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	struct http_request r = {0};
	r.method = "POST";
	r.target = collection(api, taxonomy, "");
	r.body = xstrdup(text);
	r.body_len = strlen(text);
	cJSON_free(text);
	exchange(c, &r, wait);
	bool made = r.outcome == HTTP_DONE && r.status >= 200 && r.status <= 299 && read_term(r.json, out);
	if (!made) {
		woo_answer_error(&r, refusal);
		/* Made meanwhile by another run, or by a request of ours that timed out: that term is the one. */
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(r.json, "data");
		int64_t existing = str_eq(refusal->code, "term_exists") ? number(data, api->exists_key) : 0;
		if (existing > 0) {
			*out = (struct shop_term){existing, parent, xstrdup(name)};
			made = true;
		}
	}
	enum woo_verdict v = made ? WOO_ITEMS : woo_verdict(&r, 1);
	if (stop && (v == WOO_AUTH || v == WOO_TLS || v == WOO_UNAVAILABLE)) {
		*stop = r;
		return -1;
	}
	http_request_clear(&r);
	return made ? 0 : -1;
}
