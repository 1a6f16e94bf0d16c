/*
 * Destinations (shops) and what pushes remember about them: the remote id of each SKU, the health of the
 * last check, the circuit breaker's state and the batch size that works. Also the push bookkeeping on a
 * connection's products (what is pending, what was pushed). Part of the store: every query is here.
 */
#ifndef FEEDSYNC_CORE_STORE_DEST_H
#define FEEDSYNC_CORE_STORE_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

#define DEST_OUTCOMES_MAX 32   /* requests kept in a destination's recent_outcomes */

struct dest_row {
	int64_t id;
	char *name;
	char *type;                   /* "woocommerce" */
	char *base_url;
	char *auth;                   /* "auto" (Basic over https, OAuth 1.0a over http), "basic", "oauth" */
	bool verify_tls;
	char *ca_file;                /* certificates trusted instead of the system's, or NULL */
	char *key_env, *secret_env;   /* environment variables holding the credentials, or NULL */
	unsigned char *credentials;   /* sealed (dest/secret.h), NULL when taken from the environment */
	size_t credentials_len;
	char *credentials_hint;       /* masked consumer key, safe to show */
	char *options;                /* JSON object of tunables (dest/shop.h) */
	int64_t health_checked_at;    /* 0 = never checked */
	int health_ok;                /* 1, 0, or -1 when never checked */
	char *health_message;
	char circuit_state[16];       /* "closed", "open", "half-open" */
	int64_t circuit_reopen_at;    /* ms; when an open circuit lets a probe through */
	int consecutive_failures;
	int64_t circuit_since;        /* ms: the latest outage's first failure, 0 = none recorded */
	int64_t circuit_last_at;      /* ms: its last failure, and what it was */
	char *circuit_last;
	char recent_outcomes[DEST_OUTCOMES_MAX + 1];   /* the last requests, oldest first: '+' ok, '-' failed */
	int learned_batch_size;       /* 0 = nothing learned yet */
	int64_t created_at, updated_at;
};
void dest_row_free(struct dest_row *r);
void dest_rows_free(struct dest_row *rows, size_t n);

struct dest_fields {              /* what `dest add` and `dest edit` write */
	const char *name;
	const char *type;
	const char *base_url;
	const char *auth;
	bool verify_tls;
	const char *ca_file;
	const char *key_env, *secret_env;
	const unsigned char *credentials;
	size_t credentials_len;
	const char *credentials_hint;
	const char *options;
};

/* 0 ok; 1 when the name is taken (err says so); -1 error. */
int store_dest_insert(struct store *s, const struct dest_fields *f, int64_t *id, char *err, size_t errsize);
int store_dest_update(struct store *s, int64_t id, const struct dest_fields *f, char *err, size_t errsize);
/* 1 found, 0 not found, -1 error. */
int store_dest_get(struct store *s, int64_t id, struct dest_row *out);
int store_dest_find(struct store *s, const char *name, struct dest_row *out);
int store_dest_list(struct store *s, struct dest_row **rows, size_t *n);
/* 0 deleted, 1 not found, -1 error. */
int store_dest_delete(struct store *s, int64_t id);
int store_dest_set_health(struct store *s, int64_t id, bool ok, const char *message, int64_t at);
struct dest_circuit {
	const char *state;
	int64_t reopen_at;
	int failures;
	int64_t since, last_at;       /* the latest outage: its first and last failure, and what that was */
	const char *last;
	const char *outcomes;         /* the last requests (recent_outcomes), written with the circuit; NULL keeps */
};
int store_dest_set_circuit(struct store *s, int64_t id, const struct dest_circuit *c);
int store_dest_set_batch_size(struct store *s, int64_t id, int size);
/* Puts credentials sealed anew (dest/secret.h) in place of `was`, unless they changed since they were read:
 * a `dest edit` in between wins. 0 replaced, 1 changed meanwhile, -1 error. */
int store_dest_reseal(struct store *s, int64_t id, const unsigned char *was, size_t was_len,
                      const unsigned char *sealed, size_t sealed_len);
/* The destination's last requests alone, for a caller that writes them in its own transaction. */
int store_dest_set_outcomes(struct store *s, int64_t id, const char *outcomes);

/* ---- remote products: the shop's id for each SKU, per destination ---- */
struct remote_product {
	int64_t remote_id;
	int64_t parent_id;            /* 0 unless a variation */
	int64_t pushed_hash;          /* hash of the last payload the shop accepted */
	/* Shopify: remote_id is the product's, these its variant's and the variant's inventory item's (GID numbers) */
	int64_t variant_id;
	int64_t inventory_id;
};
/* 1 found, 0 not known, -1 error. */
int store_remote_get(struct store *s, int64_t dest_id, const char *sku, struct remote_product *out);
int store_remote_put(struct store *s, int64_t dest_id, const char *sku, const struct remote_product *r, int64_t now);
int store_remote_forget(struct store *s, int64_t dest_id, const char *sku);
int64_t store_remote_count(struct store *s, int64_t dest_id);
struct remote_row {
	char *sku;
	struct remote_product r;
};
/* Up to `limit` remote products of a destination whose SKU sorts at or after `from`, in SKU order: a push
 * walks its SKUs in the same order, so one query serves a page of products. */
int store_remote_page(struct store *s, int64_t dest_id, const char *from, int limit, struct remote_row **rows,
                      size_t *n);
void remote_rows_free(struct remote_row *rows, size_t n);

/* ---- push bookkeeping on a connection's products ---- */
struct pending_product {
	const char *sku;
	const char *data;          /* its fields, a JSON object of strings */
	int64_t hash;
	const char *retired;       /* still retired: the action it was retired with ("draft", ...), else NULL */
	const char *returning;     /* retired, then back in the feed: the action to undo on this push, else NULL */
};
typedef int (*pending_fn)(void *ud, const struct pending_product *p);
/*
 * Up to `limit` pending products (pushed hash differs from hash and not retired; every product when `all`)
 * whose SKU sorts after `after` ("" = from the start), in SKU order. Reading in pages keeps no statement
 * open while a destination records results, so each of its transactions commits at once. Returns the
 * number of rows in the page (fewer than limit: it was the last), or -1; fn returning non-zero skips the
 * rest of the page.
 */
int store_products_pending_page(struct store *s, int64_t conn_id, bool all, const char *after, int limit,
                                pending_fn fn, void *ud);
/*
 * Records that the product with this content hash reached the destination: its data becomes what the
 * destination last accepted (pushed_data), and a product back from retirement is restored.
 */
int store_product_set_pushed(struct store *s, int64_t conn_id, const char *sku, int64_t hash);

#endif
