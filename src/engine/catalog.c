#include "engine/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/*
 * The index is split into shards by the top bits of the SKU's key, each an open-addressing table that grows
 * on its own: a growing shard briefly needs its old and its new slots, so the peak stays near the index's
 * size instead of doubling it, and the catalog needs no count of its products before reading them.
 */
#define SHARD_BITS 8
#define SHARDS (1u << SHARD_BITS)
#define SHARD_MIN_CAP 16

/*
 * 16 bytes. The tag is the key without its shard bits, which every key of a shard shares, shifted up to
 * free bit 0 for "seen in this feed". A seen product's content hash is not needed any more, so value then
 * holds where it was seen, which a duplicate names: its item (JSON arrays, XML) shifted up with bit 0 set
 * (PLACE_ITEM), else its line shifted up. Tag 0 marks an empty slot.
 */
#define SEEN UINT64_C(1)
#define PLACE_ITEM UINT64_C(1)

struct slot {
	uint64_t tag;
	uint64_t value;            /* the content hash; once seen, the feed item or line */
};

struct shard {
	struct slot *slots;
	uint32_t cap;
	uint32_t count;
};

struct catalog {
	struct run_ctx *ctx;
	struct shard shards[SHARDS];
	size_t count;
	size_t seen;
	size_t batch_rows;
	size_t in_batch;           /* created and updated rows in the open batch */
	struct queued *queue;      /* those not written yet */
	size_t nqueued, queue_cap;
	struct strbuf text;        /* their values */
	struct store_settings saved; /* the handle's settings before the import's */
	bool tuned;
	bool state_index_deferred;  /* dropped for this first import, to be built when its rows are in */
};

/*
 * Created and updated products wait in the queue and are written in SKU order: the rows of a batch then
 * reach each B-tree page together, so a page is read and written once per batch rather than once per row
 * in feed order, which is random for most feeds.
 */
enum queued_text { QT_SKU, QT_NAME, QT_PRICE, QT_QUANTITY, QT_DATA, QT_COUNT };
#define NO_TEXT SIZE_MAX

struct queued {
	size_t text[QT_COUNT];     /* offsets into catalog.text; NO_TEXT for a field the product lacks */
	size_t data_len;
	uint64_t hash;
	long line;
	bool update;
};

/* Past this many bytes of values the queue is written out in the open transaction, without committing. */
#define QUEUE_MAX_BYTES ((size_t)8 << 20)

/*
 * FNV-1a leaves its top bits poorly mixed for keys that differ in the last bytes; the shard and the slot
 * come from them, so the key goes through murmur3's finalizer. A key never makes an empty tag.
 */
static uint64_t sku_key(const char *sku, size_t len)
{
	uint64_t h = hash64(sku, len, HASH64_SEED);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h << SHARD_BITS ? h : h | 2;
}

static struct shard *shard_of(struct catalog *c, uint64_t key)
{
	return &c->shards[key >> (64 - SHARD_BITS)];
}

static uint64_t tag_of(uint64_t key)
{
	return key << SHARD_BITS;
}

/* The tag mapped onto [0, cap) without a modulo, so that a shard can grow by a quarter. */
static uint32_t home_slot(const struct shard *sh, uint64_t tag)
{
	return (uint32_t)(((unsigned __int128)tag * sh->cap) >> 64);
}

static struct slot *find_slot(const struct shard *sh, uint64_t tag)
{
	uint32_t i = home_slot(sh, tag);
	while (sh->slots[i].tag && (sh->slots[i].tag & ~SEEN) != tag)
		i = i + 1 == sh->cap ? 0 : i + 1;
	return &sh->slots[i];
}

/* Growing by a quarter keeps the load between 0.6 and 0.75: 21 to 27 bytes a product. */
static void grow(struct shard *sh)
{
	struct shard old = *sh;
	sh->cap = old.cap ? old.cap + old.cap / 4 : SHARD_MIN_CAP;
	sh->slots = xcalloc(sh->cap, sizeof(*sh->slots));
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.slots[i].tag)
			*find_slot(sh, old.slots[i].tag & ~SEEN) = old.slots[i];
	free(old.slots);
}

static struct slot *insert_key(struct catalog *c, uint64_t key, uint64_t hash)
{
	struct shard *sh = shard_of(c, key);
	if (((uint64_t)sh->count + 1) * 4 > (uint64_t)sh->cap * 3)
		grow(sh);
	struct slot *s = find_slot(sh, tag_of(key));
	if (!s->tag) {
		s->tag = tag_of(key);
		sh->count++;
		c->count++;
	}
	s->value = hash;
	return s;
}

/* NULL when the SKU is not in the index. */
static struct slot *lookup(struct catalog *c, uint64_t key)
{
	struct shard *sh = shard_of(c, key);
	if (!sh->cap)
		return NULL;
	struct slot *s = find_slot(sh, tag_of(key));
	return s->tag ? s : NULL;
}

static void load_row(void *ud, const char *sku, size_t len, int64_t hash, bool missing)
{
	(void)missing;
	insert_key(ud, sku_key(sku, len), (uint64_t)hash);
}

/*
 * Loading a big catalog is two jobs of about the same size: stepping SQLite through the table and filling
 * the index. A loader thread does the first on a handle of its own and hands the keys over in chunks.
 */
#define LOAD_CHUNK 8192
#define LOAD_CHUNKS 4

struct load_chunk {
	size_t n;
	uint64_t keys[LOAD_CHUNK];
	uint64_t hashes[LOAD_CHUNK];
};

struct loader {
	struct store *store;          /* the loader thread's handle */
	int64_t conn_id;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct load_chunk chunks[LOAD_CHUNKS];
	size_t produced, consumed;    /* chunk n is chunks[n % LOAD_CHUNKS] */
	struct load_chunk *filling;   /* the loader's, not handed over yet */
	bool done;
	int rc;
};

static void hand_over(struct loader *l, bool done)
{
	pthread_mutex_lock(&l->lock);
	if (l->filling)
		l->produced++;
	l->filling = NULL;
	l->done = done;
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
}

static void queue_row(void *ud, const char *sku, size_t len, int64_t hash, bool missing)
{
	(void)missing;
	struct loader *l = ud;
	if (!l->filling) {
		pthread_mutex_lock(&l->lock);
		while (l->produced - l->consumed == LOAD_CHUNKS)
			pthread_cond_wait(&l->changed, &l->lock);
		l->filling = &l->chunks[l->produced % LOAD_CHUNKS];
		pthread_mutex_unlock(&l->lock);
		l->filling->n = 0;
	}
	struct load_chunk *ch = l->filling;
	ch->keys[ch->n] = sku_key(sku, len);
	ch->hashes[ch->n++] = (uint64_t)hash;
	if (ch->n == LOAD_CHUNK)
		hand_over(l, false);
}

static void *load_thread(void *arg)
{
	struct loader *l = arg;
	l->rc = store_catalog_scan(l->store, l->conn_id, queue_row, l);
	hand_over(l, true);
	return NULL;
}

/* The next chunk to insert after letting go of the last one (NULL at first); NULL once all are in. */
static struct load_chunk *next_chunk(struct loader *l, struct load_chunk *last)
{
	pthread_mutex_lock(&l->lock);
	if (last) {
		l->consumed++;
		pthread_cond_broadcast(&l->changed);
	}
	while (l->produced == l->consumed && !l->done)
		pthread_cond_wait(&l->changed, &l->lock);
	struct load_chunk *ch = l->produced > l->consumed ? &l->chunks[l->consumed % LOAD_CHUNKS] : NULL;
	pthread_mutex_unlock(&l->lock);
	return ch;
}

static int load_alongside(struct catalog *c, struct store *reader, char *err, size_t errsize)
{
	struct loader *l = xcalloc(1, sizeof(*l));
	l->store = reader;
	l->conn_id = c->ctx->connection_id;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->changed, NULL);
	pthread_t tid;
	int rc = pthread_create(&tid, NULL, load_thread, l);
	if (rc != 0) {
		snprintf(err, errsize, "cannot start the catalog loader: %s", strerror(rc));
	} else {
		for (struct load_chunk *ch = next_chunk(l, NULL); ch; ch = next_chunk(l, ch))
			for (size_t i = 0; i < ch->n; i++)
				insert_key(c, ch->keys[i], ch->hashes[i]);
		pthread_join(tid, NULL);
		rc = l->rc;
		if (rc < 0)
			snprintf(err, errsize, "cannot read the catalog: %s", store_errmsg(reader));
	}
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->changed);
	free(l);
	return rc == 0 ? 0 : -1;
}

/* Fills the index from the database, alongside when it is a file, on the run's handle otherwise. */
static int load(struct catalog *c, char *err, size_t errsize)
{
	struct store *s = c->ctx->store;
	int busy_ms = c->ctx->cfg ? c->ctx->cfg->busy_timeout_ms : 5000;
	struct store *reader = store_catalog_reader(s, busy_ms, err, errsize);
	if (reader) {
		int rc = load_alongside(c, reader, err, errsize);
		store_close(reader);
		return rc;
	}
	if (*err)
		return -1;
	if (store_catalog_scan(s, c->ctx->connection_id, load_row, c) == 0)
		return 0;
	snprintf(err, errsize, "cannot read the catalog: %s", store_errmsg(s));
	return -1;
}

struct catalog *catalog_open(struct run_ctx *ctx, char *err, size_t errsize)
{
	struct catalog *c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	c->batch_rows = ctx->cfg && ctx->cfg->batch_rows > 0 ? (size_t)ctx->cfg->batch_rows : 10000;
	c->tuned = store_import_settings(ctx->store, &c->saved) == 0;
	if (load(c, err, errsize) < 0) {
		catalog_close(c);
		return NULL;
	}
	if (c->count == 0) {
		int deferred = store_catalog_defer_state_index(ctx->store);
		if (deferred < 0) {
			snprintf(err, errsize, "cannot prepare the catalog: %s", store_errmsg(ctx->store));
			catalog_close(c);
			return NULL;
		}
		c->state_index_deferred = deferred == 1;
	}
	return c;
}

int catalog_end_import(struct catalog *c)
{
	if (!c->state_index_deferred)
		return 0;
	c->state_index_deferred = false;
	/* A batch that failed to write left its transaction open for its error to be read: it is lost already. */
	if (store_in_transaction(c->ctx->store))
		store_rollback(c->ctx->store);
	return store_catalog_restore_state_index(c->ctx->store);
}

static int begin_if_needed(struct catalog *c)
{
	if (store_in_transaction(c->ctx->store))
		return 0;
	return store_begin(c->ctx->store);
}

static size_t add_text(struct strbuf *sb, const char *s)
{
	if (!s)
		return NO_TEXT;
	size_t off = sb->len;
	sb_add(sb, s, strlen(s) + 1);
	return off;
}

static void queue_product(struct catalog *c, const struct product *p, uint64_t hash, bool update)
{
	if (c->nqueued == c->queue_cap) {
		c->queue_cap = c->queue_cap ? c->queue_cap * 2 : 1024;
		c->queue = xrealloc(c->queue, c->queue_cap * sizeof(*c->queue));
	}
	struct queued *q = &c->queue[c->nqueued++];
	q->text[QT_SKU] = add_text(&c->text, product_get(p, PF_SKU));
	q->text[QT_NAME] = add_text(&c->text, product_get(p, PF_NAME));
	q->text[QT_PRICE] = add_text(&c->text, product_get(p, PF_REGULAR_PRICE));
	q->text[QT_QUANTITY] = add_text(&c->text, product_get(p, PF_STOCK));
	q->text[QT_DATA] = c->text.len;
	product_json_add(p, &c->text);
	q->data_len = c->text.len - q->text[QT_DATA];
	sb_addc(&c->text, '\0');
	q->hash = hash;
	q->line = p->line;
	q->update = update;
}

static const char *queued_text(const struct catalog *c, const struct queued *q, enum queued_text t)
{
	return q->text[t] == NO_TEXT ? NULL : c->text.buf + q->text[t];
}

static int by_sku(const void *a, const void *b, void *text)
{
	const char *base = text;
	return strcmp(base + ((const struct queued *)a)->text[QT_SKU], base + ((const struct queued *)b)->text[QT_SKU]);
}

struct queue_write {
	struct catalog *c;
	int64_t now;
};

static void queued_write(void *ud, size_t i, struct product_write *w)
{
	const struct queue_write *qw = ud;
	const struct catalog *c = qw->c;
	const struct queued *q = &c->queue[i];
	*w = (struct product_write){
		.conn_id = c->ctx->connection_id,
		.sku = queued_text(c, q, QT_SKU),
		.name = queued_text(c, q, QT_NAME),
		.price = queued_text(c, q, QT_PRICE),
		.quantity = queued_text(c, q, QT_QUANTITY),
		.data = queued_text(c, q, QT_DATA),
		.data_len = q->data_len,
		.hash = (int64_t)q->hash,
		.line = q->line,
		.run_id = c->ctx->run_id,
		.now = qw->now,
		.known = q->update,
	};
}

/* Writes the queue in SKU order into the open batch's transaction, which it starts when needed. */
static int write_queue(struct catalog *c)
{
	if (!c->nqueued)
		return 0;
	qsort_r(c->queue, c->nqueued, sizeof(*c->queue), by_sku, c->text.buf);
	struct queue_write qw = {.c = c, .now = now_ms()};
	int rc = begin_if_needed(c);
	if (rc == 0)
		rc = store_products_write(c->ctx->store, c->nqueued, queued_write, &qw);
	c->nqueued = 0;
	sb_reset(&c->text);
	return rc;
}

/* After a failed write the transaction stays open, so the caller can still read the store's error. */
int catalog_commit(struct catalog *c)
{
	int rc = write_queue(c);
	c->in_batch = 0;
	if (rc == 0 && store_in_transaction(c->ctx->store))
		rc = store_commit(c->ctx->store);
	return rc;
}

enum catalog_outcome catalog_put(struct catalog *c, const struct product *p, long *first_line, long *first_item)
{
	const char *sku = product_get(p, PF_SKU);
	uint64_t key = sku_key(sku, strlen(sku));
	uint64_t hash = product_hash(p);
	struct slot *s = lookup(c, key);
	if (s && s->tag & SEEN) {
		long place = (long)(s->value >> 1);
		*first_item = s->value & PLACE_ITEM ? place : 0;
		*first_line = s->value & PLACE_ITEM ? 0 : place;
		return CATALOG_DUPLICATE;
	}
	bool known = s != NULL;
	bool changed = !known || s->value != hash;
	if (!known)
		s = insert_key(c, key, hash);
	s->tag |= SEEN;
	s->value = p->item > 0 ? (uint64_t)p->item << 1 | PLACE_ITEM : (uint64_t)p->line << 1;
	c->seen++;
	if (!changed)
		return CATALOG_UNCHANGED;
	queue_product(c, p, hash, known);
	int rc = 0;
	if (++c->in_batch >= c->batch_rows)
		rc = catalog_commit(c);
	else if (c->text.len >= QUEUE_MAX_BYTES)
		rc = write_queue(c);
	if (rc < 0)
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

bool catalog_seen(struct catalog *c, const char *sku)
{
	const struct slot *s = lookup(c, sku_key(sku, strlen(sku)));
	return s && s->tag & SEEN;
}

size_t catalog_memory_bytes(const struct catalog *c)
{
	size_t slots = 0;
	for (size_t i = 0; i < SHARDS; i++)
		slots += c->shards[i].cap;
	return slots * sizeof(struct slot);
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
	const struct slot *s = lookup(m->c, sku_key(sku, len));
	bool seen = s && s->tag & SEEN;
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
	if (rc == 0)
		rc = store_products_set_missing(s, c->ctx->connection_id, m.to_mark.buf, m.to_mark.len, m.to_clear.buf,
		                                m.to_clear.len, now_ms());
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
	catalog_end_import(c);
	if (c->tuned)
		store_restore_settings(c->ctx->store, &c->saved);
	for (size_t i = 0; i < SHARDS; i++)
		free(c->shards[i].slots);
	free(c->queue);
	sb_free(&c->text);
	free(c);
}
