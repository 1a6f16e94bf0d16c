/*
 * The catalog product by product: each one's state (new, changed, in_sync, failed, missing, retired; defined
 * in src/core/product_sql.h and README.md), its remote id, what its destination last accepted, its last
 * error and its history across runs. For `feedsync products` and the console's Products screen.
 */
#ifndef FEEDSYNC_CORE_STORE_PRODUCTS_H
#define FEEDSYNC_CORE_STORE_PRODUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* The states as stored in queries, ending with NULL. */
extern const char *const product_states[];
bool product_state_valid(const char *state);

struct product_row {
	char *sku;
	char *name;              /* NULL when the feed gave none */
	char *price;
	int64_t quantity;
	bool has_quantity;
	char state[16];
	int64_t remote_id;       /* in the connection's shop; 0 = not known */
	int64_t failed_run;      /* the run whose push of it last failed; 0 = none since the last accepted push */
	char *last_error;        /* that run's error for it; NULL = none */
	int64_t rowid;
	char *parent_sku;        /* a variant's group (core/store_groups.h); NULL otherwise */
};
void product_row_free(struct product_row *r);
void product_rows_free(struct product_row *rows, size_t n);

struct product_query {
	int64_t connection_id;
	const char *state;       /* NULL = any */
	int limit;               /* 0 = all */
};
/* A connection's products in SKU order, handed to fn one by one as they are read (fn must not write). 0 or -1. */
typedef void (*product_fn)(void *ud, const struct product_row *row);
int store_products_each(struct store *s, const struct product_query *q, product_fn fn, void *ud);
/* How many products the query would list without its limit; -1 on error. */
int64_t store_products_count(struct store *s, const struct product_query *q);

/* One product in full. */
struct product_detail {
	struct product_row row;
	char *data;              /* its fields as JSON */
	char *pushed_data;       /* what the destination last accepted, JSON; NULL = nothing (or not kept) */
	char *retired_action;
	int64_t line;            /* in the feed that last changed it */
	int64_t first_seen_run, first_seen_at;
	int64_t changed_run, changed_at;
	int64_t pushed_run, pushed_at;   /* pushed_at: when that run ended (or last beat) */
	int64_t missing_since, missing_runs;
	int64_t retired_at;
};
void product_detail_free(struct product_detail *d);
/* 1 found, 0 no such SKU, -1 error. */
int store_product_get(struct store *s, int64_t conn_id, const char *sku, struct product_detail *out);

/* A stored error of a product, in any run of its connection. */
struct product_error {
	int64_t run_id, at, line;
	char phase[32];
	char code[64];
	char *message;
};
void product_errors_free(struct product_error *e, size_t n);
/* The product's errors across runs, newest first, at most `limit`. 0 or -1. */
int store_product_errors(struct store *s, int64_t conn_id, const char *sku, int limit, struct product_error **out,
                         size_t *n);

/* Connection `name`'s id: 1 found, 0 none, -1 error. */
int store_conn_find(struct store *s, const char *name, int64_t *id);

#endif
