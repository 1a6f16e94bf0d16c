/* Reading a shop's category tree (see woo_categories.h). */
#include "dest/woo_categories.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dest/http.h"
#include "dest/woo_batch.h"

/* Enough for 2000 categories; a shop with more is cut there, and the message says so. */
#define MAX_PAGES 20
#define PER_PAGE 100
#define PATH_DEPTH 16

struct category {
	int64_t id, parent;
	char *name;
};

struct tree {
	struct category *items;
	size_t n;
};

static void request_done(struct http_request *r)
{
	*(int *)r->ud = 1;
}

/* One page into the tree: how many it held, or -1 with err set. */
static int read_page(struct http_client *c, const struct shop *shop, int page, struct tree *t, char *err,
                     size_t errsize)
{
	int done = 0;
	struct http_request r = {0};
	r.method = "GET";
	r.target = xasprintf(WOO_API "/products/categories?per_page=%d&page=%d&_fields=id,name,parent", PER_PAGE,
	                     page);
	r.done = request_done;
	r.ud = &done;
	http_submit(c, &r);
	while (!done)
		http_run(c, 1000);
	int n = -1;
	if (r.outcome == HTTP_DONE && r.status == 200 && cJSON_IsArray(r.json)) {
		n = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, r.json) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
			const cJSON *parent = cJSON_GetObjectItemCaseSensitive(it, "parent");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
			if (!cJSON_IsNumber(id) || !cJSON_IsString(name))
				continue;
			t->items = xrealloc(t->items, (t->n + 1) * sizeof(*t->items));
			t->items[t->n++] = (struct category){(int64_t)id->valuedouble,
			                                     cJSON_IsNumber(parent) ? (int64_t)parent->valuedouble : 0,
			                                     xstrdup(name->valuestring)};
			n++;
		}
	} else {
		struct woo_error e;
		char outcome[128];
		woo_answer_error(&r, &e);
		snprintf(err, errsize, "%s did not list its categories (%s): %s%s%s", shop->base_url,
		         http_outcome_text(&r, outcome, sizeof(outcome)), e.code, *e.code ? ": " : "", e.message);
	}
	http_request_clear(&r);
	return n;
}

static const struct category *find(const struct tree *t, int64_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].id == id)
			return &t->items[i];
	return NULL;
}

static char *path_of(const struct tree *t, const struct category *c)
{
	const struct category *chain[PATH_DEPTH];
	int depth = 0;
	for (; c && depth < PATH_DEPTH; c = c->parent ? find(t, c->parent) : NULL)
		chain[depth++] = c;
	struct strbuf sb = {0};
	while (depth-- > 0)
		sb_addf(&sb, "%s%s", sb.len ? " > " : "", chain[depth]->name);
	return sb_detach(&sb);
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int woo_categories(const struct shop *shop, const struct config *cfg, char ***paths, size_t *n, char *err,
                   size_t errsize)
{
	*paths = NULL;
	*n = 0;
	struct http_client *c = http_client_new(shop, cfg, NULL, err, errsize);
	if (!c)
		return -1;
	struct tree t = {0};
	int got = PER_PAGE, rc = 0;
	for (int page = 1; page <= MAX_PAGES && got == PER_PAGE; page++)
		if ((got = read_page(c, shop, page, &t, err, errsize)) < 0)
			rc = -1;
	http_client_free(c);
	if (rc == 0) {
		*paths = xcalloc(t.n ? t.n : 1, sizeof(char *));
		for (size_t i = 0; i < t.n; i++)
			(*paths)[i] = path_of(&t, &t.items[i]);
		*n = t.n;
		qsort(*paths, *n, sizeof(char *), path_cmp);
	}
	for (size_t i = 0; i < t.n; i++)
		free(t.items[i].name);
	free(t.items);
	return rc;
}

void woo_categories_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
