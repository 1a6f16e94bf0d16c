/* Reading a shop's category tree (see woo_categories.h). */
#include "dest/woo_categories.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/http.h"
#include "dest/woo_term_io.h"

/* Enough for 2000 categories; a shop with more is cut there. */
#define MAX_PAGES 20
#define PATH_DEPTH 16

struct tree {
	struct shop_term *items;
	size_t n;
};

static const struct shop_term *find(const struct tree *t, int64_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].id == id)
			return &t->items[i];
	return NULL;
}

static char *path_of(const struct tree *t, const struct shop_term *c)
{
	const struct shop_term *chain[PATH_DEPTH];
	int depth = 0;
	for (; c && depth < PATH_DEPTH; c = c->parent ? find(t, c->parent) : NULL)
		chain[depth++] = c;
	struct strbuf sb = {0};
	while (depth-- > 0) {
		sb_adds(&sb, sb.len ? " > " : "");
		woo_unescape_html(chain[depth]->name, &sb); /* the shop answers "Pens &amp; Co" */
	}
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
	int rc = woo_term_list(c, shop, &woo_term_api, "categories", MAX_PAGES, NULL, &t.items, &t.n, err, errsize);
	http_client_free(c);
	if (rc == 0) {
		*paths = xcalloc(t.n ? t.n : 1, sizeof(char *));
		for (size_t i = 0; i < t.n; i++)
			(*paths)[i] = path_of(&t, &t.items[i]);
		*n = t.n;
		qsort(*paths, *n, sizeof(char *), path_cmp);
	}
	shop_terms_free(t.items, t.n);
	return rc;
}

void woo_categories_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
