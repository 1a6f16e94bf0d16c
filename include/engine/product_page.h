/*
 * One product's page, the same for `feedsync products CONN --sku S` and the console: its fields next to the
 * values its destination last accepted, its state, remote id and last error, and its history across runs
 * (first seen, last changed, last pushed, every stored error, missing, retired), newest first.
 */
#ifndef FEEDSYNC_ENGINE_PRODUCT_PAGE_H
#define FEEDSYNC_ENGINE_PRODUCT_PAGE_H

#include "core/store_products.h"
#include "core/util.h"

/* The most errors a page lists (the newest). */
#define PRODUCT_PAGE_ERRORS 50

struct product_event {
	int64_t run_id;          /* 0: not tied to one run (missing, retired) */
	int64_t at;              /* ms */
	const char *what;        /* "first seen", "changed", "pushed", "failed", "error", "missing", "retired" */
	char detail[512];
};

struct product_page {
	struct product_detail d;
	struct product_error *errors;
	size_t nerrors;
	struct product_event *events;   /* newest first */
	size_t nevents;
};

/* Reads the page of `sku`: 1 found, 0 no such product, -1 error (store_errmsg says why). */
int product_page_read(struct store *s, int64_t conn_id, const char *sku, struct product_page *out);
void product_page_free(struct product_page *p);
/* The page as text; feed values with their control characters made visible. */
void product_page_text(const struct product_page *p, struct strbuf *out);

#endif
