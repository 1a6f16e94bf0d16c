#include "engine/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/*
 * Three parallel arrays instead of an array of structs: 8 + 8 + 4 bytes a slot with no padding.
 * key 0 marks an empty slot (a SKU that hashes to 0 is stored as 1). seen_line 0 = not in this feed yet.
 */
struct catalog {
	struct run_ctx *ctx;
	uint64_t *keys;
	uint64_t *hashes;
	uint32_t *seen_line;
	size_t cap;
	size_t count;
	size_t seen;
	size_t batch_rows;
	size_t in_batch;
};

static uint64_t sku_key(const char *sku, size_t len)
{
	uint64_t h = hash64(sku, len, HASH64_SEED);
	return h ? h : 1;
}

/* Maps the hash onto [0, cap) without a modulo, so cap need not be a power of two (saves memory). */
static size_t slot_of(uint64_t key, size_t cap)
{
	return (size_t)(((unsigned __int128)key * cap) >> 64);
}

static size_t find_slot(const struct catalog *c, uint64_t key)
{
	size_t i = slot_of(key, c->cap);
	while (c->keys[i] && c->keys[i] != key)
		i = i + 1 == c->cap ? 0 : i + 1;
	return i;
}

static void allocate(struct catalog *c, size_t cap)
{
	c->cap = cap;
	c->keys = xcalloc(cap, sizeof(*c->keys));
	c->hashes = xcalloc(cap, sizeof(*c->hashes));
	c->seen_line = xcalloc(cap, sizeof(*c->seen_line));
}

static void grow(struct catalog *c)
{
	struct catalog old = *c;
	allocate(c, old.cap + old.cap / 2);
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = find_slot(c, old.keys[i]);
		c->keys[j] = old.keys[i];
		c->hashes[j] = old.hashes[i];
		c->seen_line[j] = old.seen_line[i];
	}
	free(old.keys);
	free(old.hashes);
	free(old.seen_line);
}

/* Load factor 3/4 keeps linear probes short while the index stays near 27 bytes a product. */
static size_t insert_key(struct catalog *c, uint64_t key, uint64_t hash)
{
	if ((c->count + 1) * 4 > c->cap * 3)
		grow(c);
	size_t i = find_slot(c, key);
	if (!c->keys[i]) {
		c->keys[i] = key;
		c->count++;
	}
	c->hashes[i] = hash;
	return i;
}

static void load_row(void *ud, const char *sku, size_t len, int64_t hash, bool missing)
{
	(void)missing;
	insert_key(ud, sku_key(sku, len), (uint64_t)hash);
}

struct catalog *catalog_open(struct run_ctx *ctx, char *err, size_t errsize)
{
	struct catalog *c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	c->batch_rows = ctx->cfg && ctx->cfg->batch_rows > 0 ? (size_t)ctx->cfg->batch_rows : 10000;
	int64_t known = store_catalog_count(ctx->store, ctx->connection_id);
	if (known < 0) {
		snprintf(err, errsize, "cannot read the catalog: %s", store_errmsg(ctx->store));
		free(c);
		return NULL;
	}
	size_t want = (size_t)known * 4 / 3 + 1024;
	allocate(c, want);
	if (store_catalog_scan(ctx->store, ctx->connection_id, load_row, c) < 0) {
		snprintf(err, errsize, "cannot read the catalog: %s", store_errmsg(ctx->store));
		catalog_close(c);
		return NULL;
	}
	return c;
}

static int begin_if_needed(struct catalog *c)
{
	if (store_in_transaction(c->ctx->store))
		return 0;
	return store_begin(c->ctx->store);
}

int catalog_commit(struct catalog *c)
{
	c->in_batch = 0;
	if (!store_in_transaction(c->ctx->store))
		return 0;
	return store_commit(c->ctx->store);
}

static int write_product(struct catalog *c, const struct product *p, uint64_t hash, bool update)
{
	char *json = product_to_json(p);
	struct product_write w = {
		.conn_id = c->ctx->connection_id,
		.sku = product_get(p, PF_SKU),
		.name = product_get(p, PF_NAME),
		.price = product_get(p, PF_REGULAR_PRICE),
		.quantity = product_get(p, PF_STOCK),
		.data = json,
		.hash = (int64_t)hash,
		.line = p->line,
		.run_id = c->ctx->run_id,
		.now = now_ms(),
	};
	int rc = -1;
	if (begin_if_needed(c) == 0) {
		if (update) {
			/* A 64-bit SKU hash collision would land here with no row to update: insert instead. */
			int changed = store_product_update(c->ctx->store, &w);
			rc = changed > 0 ? 0 : changed == 0 ? store_product_insert(c->ctx->store, &w) : -1;
		} else {
			rc = store_product_insert(c->ctx->store, &w);
		}
	}
	free(json);
	if (++c->in_batch >= c->batch_rows && rc == 0)
		rc = catalog_commit(c);
	return rc;
}

enum catalog_outcome catalog_put(struct catalog *c, const struct product *p, long *first_line)
{
	const char *sku = product_get(p, PF_SKU);
	uint64_t key = sku_key(sku, strlen(sku));
	uint64_t hash = product_hash(p);
	size_t i = find_slot(c, key);
	if (c->keys[i] && c->seen_line[i]) {
		*first_line = c->seen_line[i];
		return CATALOG_DUPLICATE;
	}
	bool known = c->keys[i] != 0;
	bool changed = !known || c->hashes[i] != hash;
	if (!known)
		i = insert_key(c, key, hash);
	else
		c->hashes[i] = hash;
	c->seen_line[i] = p->line > 0 && p->line < UINT32_MAX ? (uint32_t)p->line : 1;
	c->seen++;
	if (!changed)
		return CATALOG_UNCHANGED;
	if (write_product(c, p, hash, known) < 0)
		return CATALOG_ERROR;
	return known ? CATALOG_UPDATED : CATALOG_CREATED;
}

size_t catalog_size(const struct catalog *c)
{
	return c->count;
}

size_t catalog_unseen(const struct catalog *c)
{
	return c->count - c->seen;
}

size_t catalog_memory_bytes(const struct catalog *c)
{
	return c->cap * (sizeof(*c->keys) + sizeof(*c->hashes) + sizeof(*c->seen_line));
}

struct missing_scan {
	struct catalog *c;
	struct strbuf to_mark;    /* NUL-separated SKUs */
	struct strbuf to_clear;
	size_t marked;
};

static void classify(void *ud, const char *sku, size_t len, int64_t hash, bool missing)
{
	(void)hash;
	struct missing_scan *m = ud;
	size_t i = find_slot(m->c, sku_key(sku, len));
	bool seen = m->c->keys[i] && m->c->seen_line[i];
	if (!seen) {
		sb_add(&m->to_mark, sku, len + 1);
		m->marked++;
	} else if (missing) {
		sb_add(&m->to_clear, sku, len + 1);
	}
}

/* Writes are collected first: changing rows under a running SELECT of the same table is not safe. */
int64_t catalog_mark_missing(struct catalog *c)
{
	struct store *s = c->ctx->store;
	if (catalog_unseen(c) == 0 && !store_catalog_has_missing(s, c->ctx->connection_id))
		return 0;
	struct missing_scan m = {.c = c};
	int rc = catalog_commit(c);
	if (rc == 0)
		rc = store_catalog_scan(s, c->ctx->connection_id, classify, &m);
	if (rc == 0)
		rc = store_begin(s);
	int64_t now = now_ms();
	for (size_t off = 0; rc == 0 && off < m.to_mark.len; off += strlen(m.to_mark.buf + off) + 1)
		rc = store_product_mark_missing(s, c->ctx->connection_id, m.to_mark.buf + off, now);
	for (size_t off = 0; rc == 0 && off < m.to_clear.len; off += strlen(m.to_clear.buf + off) + 1)
		rc = store_product_clear_missing(s, c->ctx->connection_id, m.to_clear.buf + off);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	sb_free(&m.to_mark);
	sb_free(&m.to_clear);
	return rc == 0 ? (int64_t)m.marked : -1;
}

void catalog_close(struct catalog *c)
{
	if (!c)
		return;
	catalog_commit(c);
	free(c->keys);
	free(c->hashes);
	free(c->seen_line);
	free(c);
}
