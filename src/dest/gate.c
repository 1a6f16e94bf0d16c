/* Per-destination limits and circuit breaker, shared by every run of the process (see dest/gate.h). */
#include "dest/gate.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/store_limits.h"
#include "core/util.h"

/*
 * A shared gate syncs with the database at most this often while it is used (to renew its lease, learn that
 * another process waits for a slot or changed the circuit), and sooner only for a slot or tokens it lacks.
 */
#define SYNC_MS 100
/* A slot refused by the other processes is asked for again after this long. */
#define SLOT_RETRY_MS 10
/* Tokens are taken in blocks of this much of the rate, and the ones not spent within TOKEN_KEEP_MS are dropped,
 * so a process never sends in a burst what it took long ago. */
#define TOKEN_BLOCK_MS 100
#define TOKEN_KEEP_MS 1000
/* A lease outlives the longest request by this much: a slot in flight is never leased twice. */
#define LEASE_MARGIN_MS 2000

enum circuit { CLOSED, OPEN, HALF_OPEN };
static const char *const circuit_names[] = {[CLOSED] = "closed", [OPEN] = "open", [HALF_OPEN] = "half-open"};

struct gate {
	int64_t dest_id;
	struct gate *next;
	struct gate_limits limits;
	int in_flight;
	double tokens;
	int64_t refilled_at;
	enum circuit circuit;
	int64_t reopen_at;
	int failures;
	int64_t counted_at;          /* when the last failure that counted came */
	int64_t succeeded_at;        /* the last success */
	int64_t since, last_at, opened_at;   /* the latest outage (gate_circuit) */
	char last[200];
	char outcomes[DEST_OUTCOMES_MAX + 1];
	bool probe_in_flight;
	/* Limits shared with every process on the database (gate_share); false: this process's alone. */
	bool shared;
	int leased;                  /* the slots its lease holds */
	bool contended;              /* at the last sync, another process waited for a slot */
	int64_t lease_ms;
	int64_t synced_at;           /* wall ms of the last sync */
	int64_t sync_again_at;       /* a refused slot or token is not asked for before */
	int64_t tokens_at;           /* when the tokens in hand were taken */
	/* The stored circuit as last read: what changes it since was written by a process, maybe another. */
	char seen_circuit[16];
	int64_t seen_reopen_at;
	/* claimed SKU keys: linear probing, 0 = empty slot */
	uint64_t *claims;
	size_t claims_cap, claims_n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate *gates;
/* The handle every shared gate of the process syncs through, under `lock`, and who holds the leases. */
static struct store *shared_store;
static char holder[128];

struct gate *gate_get(int64_t dest_id)
{
	pthread_mutex_lock(&lock);
	struct gate *g = gates;
	while (g && g->dest_id != dest_id)
		g = g->next;
	if (!g) {
		/* Deliberately never freed: runs of any thread may hold it until the process ends. */
		g = xcalloc(1, sizeof(*g));
		g->dest_id = dest_id;
		g->limits.concurrency = 1;
		g->limits.threshold = 5;
		g->refilled_at = -1;
		g->next = gates;
		gates = g;
	}
	pthread_mutex_unlock(&lock);
	return g;
}

static enum circuit circuit_from(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(circuit_names); i++)
		if (str_eq(name, circuit_names[i]))
			return (enum circuit)i;
	return CLOSED;
}

void gate_configure(struct gate *g, const struct gate_limits *limits, const struct gate_circuit *stored)
{
	pthread_mutex_lock(&lock);
	bool fresh = g->refilled_at < 0;
	g->limits = *limits;
	if (g->limits.concurrency < 1)
		g->limits.concurrency = 1;
	if (fresh) {
		g->tokens = g->limits.concurrency;
		g->refilled_at = monotonic_ms();
		if (stored) {
			g->circuit = circuit_from(stored->state);
			/* A probe that a dead process had in flight never comes back: count it as open. */
			if (g->circuit == HALF_OPEN)
				g->circuit = OPEN;
			g->reopen_at = stored->reopen_at;
			g->failures = stored->failures;
			/* An outage whose start was not recorded is timed from now. */
			g->since = stored->since ? stored->since : now_ms();
			g->last_at = stored->last_at;
			str_copy(g->last, stored->last, sizeof(g->last));
			str_copy(g->outcomes, stored->outcomes, sizeof(g->outcomes));
			str_copy(g->seen_circuit, stored->state, sizeof(g->seen_circuit));
			g->seen_reopen_at = stored->reopen_at;
			g->opened_at = g->circuit == CLOSED ? 0 : now_ms();
		}
	}
	pthread_mutex_unlock(&lock);
}

/* Tokens accrue at `rate` per second up to one per allowed concurrent request. */
static int64_t take_token(struct gate *g)
{
	if (g->limits.rate <= 0)
		return 0;
	int64_t mono = monotonic_ms();
	g->tokens += (double)(mono - g->refilled_at) * g->limits.rate / 1000.0;
	if (g->tokens > g->limits.concurrency)
		g->tokens = g->limits.concurrency;
	g->refilled_at = mono;
	if (g->tokens >= 1) {
		g->tokens -= 1;
		return 0;
	}
	int64_t wait = (int64_t)((1 - g->tokens) * 1000.0 / g->limits.rate) + 1;
	return wait;
}

static bool beyond_patience(const struct gate *g, int64_t when)
{
	return when > g->since + g->limits.patience_ms;
}

static bool refuses(const struct gate *g, int64_t now)
{
	return g->circuit == OPEN && now < g->reopen_at && beyond_patience(g, g->reopen_at);
}

/* ---- limits shared through the database --------------------------------------------------------------- */

/*
 * Another process opened or closed the circuit: follow it (an open one's probe time is the latest known). Only a
 * change since the last read counts: the stored state lags this gate's own changes until its caller stores them.
 */
static void adopt_circuit(struct gate *g, const struct limits_grant *gr, int64_t now)
{
	if (!*gr->circuit_state ||
	    (str_eq(gr->circuit_state, g->seen_circuit) && gr->circuit_reopen_at == g->seen_reopen_at))
		return;
	str_copy(g->seen_circuit, gr->circuit_state, sizeof(g->seen_circuit));
	g->seen_reopen_at = gr->circuit_reopen_at;
	if (str_eq(gr->circuit_state, circuit_names[g->circuit]))
		return;
	if (circuit_from(gr->circuit_state) == CLOSED) {
		if (g->circuit == OPEN) {
			g->circuit = CLOSED;
			g->failures = 0;
		}
		return;
	}
	if (g->circuit != CLOSED && g->reopen_at >= gr->circuit_reopen_at)
		return;
	g->circuit = OPEN;
	g->reopen_at = gr->circuit_reopen_at;
	g->failures = gr->failures;
	g->since = gr->circuit_since ? gr->circuit_since : now;
	g->last_at = gr->circuit_last_at;
	str_copy(g->last, gr->circuit_last, sizeof(g->last));
	if (!g->opened_at)
		g->opened_at = now;
}

static int token_block(const struct gate *g)
{
	int block = (int)(g->limits.rate * TOKEN_BLOCK_MS / 1000.0);
	return block < 1 ? 1 : block;
}

/* Holds `want` slots (at least those in flight) and takes `tokens` more tokens, as the others leave them. */
static void sync_shared(struct gate *g, int64_t now, int want, int tokens)
{
	int block = token_block(g);
	struct limits_ask ask = {.dest_id = g->dest_id, .holder = holder, .now = now, .lease_ms = g->lease_ms,
	                         .concurrency = g->limits.concurrency, .rate = g->limits.rate,
	                         .size = block > g->limits.concurrency ? block : g->limits.concurrency,
	                         .in_flight = g->in_flight, .want = want, .tokens = tokens};
	struct limits_grant gr;
	if (store_limits_sync(shared_store, &ask, &gr) < 0) {
		log_msg(LOG_WARN, "destination %lld: cannot share its limits through the database (%s): this process "
		        "keeps to them alone", (long long)g->dest_id, store_errmsg(shared_store));
		g->shared = false;
		g->tokens = 0;
		g->refilled_at = monotonic_ms();
		return;
	}
	g->leased = gr.slots;
	g->contended = gr.contended;
	g->synced_at = now;
	g->sync_again_at = want > gr.slots ? now + SLOT_RETRY_MS : 0;
	if (tokens) {
		g->tokens += gr.tokens;
		g->tokens_at = now;
		if (gr.tokens < tokens && now + gr.token_wait_ms > g->sync_again_at)
			g->sync_again_at = now + gr.token_wait_ms;
	}
	adopt_circuit(g, &gr, now);
}

static void sync_if_due(struct gate *g, int64_t now)
{
	if (g->limits.rate > 0 && now - g->tokens_at > TOKEN_KEEP_MS)
		g->tokens = 0;
	bool need_slot = g->in_flight >= g->leased && g->leased < g->limits.concurrency;
	bool need_token = g->limits.rate > 0 && g->tokens < 1;
	bool stale = now - g->synced_at >= SYNC_MS;
	if (!stale && (!(need_slot || need_token) || now < g->sync_again_at))
		return;
	/* Every slot at once, kept while the process sends: one sync, not one a request (others trim it to a share). */
	int want = need_slot ? g->limits.concurrency : (g->leased > g->in_flight ? g->leased : g->in_flight);
	sync_shared(g, now, want, need_token ? token_block(g) : 0);
}

/* Takes a leased slot's token from those in hand; how long to wait when there is none (0: go). */
static int64_t take_shared(struct gate *g, int64_t now)
{
	int64_t again = g->sync_again_at > now ? g->sync_again_at - now : 1;
	if (g->in_flight >= g->leased)
		return again;
	if (g->limits.rate <= 0)
		return 0;
	if (g->tokens < 1)
		return again;
	g->tokens -= 1;
	return 0;
}

/* Slots held but not in flight go back: to another process that waits for one, or as a client ends. */
static void give_back_idle(struct gate *g, int64_t now)
{
	if (g->shared && g->leased > g->in_flight)
		sync_shared(g, now, g->in_flight, 0);
}

void gate_share(struct gate *g, struct store *like, int64_t request_timeout_ms)
{
	pthread_mutex_lock(&lock);
	if (!shared_store) {
		char err[256], host[64] = "";
		shared_store = store_open_like(like, err, sizeof(err));
		if (!shared_store)
			log_msg(LOG_WARN, "cannot share destination limits through the database (%s): each process keeps "
			        "to them alone", err);
		gethostname(host, sizeof(host) - 1);
		snprintf(holder, sizeof(holder), "%s:%ld", *host ? host : "localhost", (long)getpid());
	}
	g->shared = shared_store != NULL;
	g->lease_ms = request_timeout_ms + LEASE_MARGIN_MS;
	pthread_mutex_unlock(&lock);
}

void gate_settle(struct gate *g)
{
	pthread_mutex_lock(&lock);
	give_back_idle(g, now_ms());
	pthread_mutex_unlock(&lock);
}

/* ---- the circuit --------------------------------------------------------------------------------------- */

bool gate_refuses(struct gate *g, int64_t now)
{
	pthread_mutex_lock(&lock);
	bool r = refuses(g, now);
	pthread_mutex_unlock(&lock);
	return r;
}

enum gate_verdict gate_admit(struct gate *g, int64_t now, int64_t *wait_ms)
{
	enum gate_verdict v = GATE_GO;
	bool probe = false;
	*wait_ms = 0;
	pthread_mutex_lock(&lock);
	if (g->shared)
		sync_if_due(g, now);
	if (refuses(g, now)) {
		v = GATE_OPEN;
	} else if (g->circuit == OPEN && now < g->reopen_at) {
		v = GATE_WAIT;
		*wait_ms = g->reopen_at - now;
	} else if (g->circuit != CLOSED) {
		/* One probe at a time decides whether the shop is back. */
		if (g->probe_in_flight) {
			v = GATE_WAIT;
			*wait_ms = 20;
		} else {
			probe = true;
		}
	}
	if (v == GATE_GO && g->in_flight >= g->limits.concurrency) {
		v = GATE_WAIT;
		*wait_ms = 10;
	}
	if (v == GATE_GO && (*wait_ms = g->shared ? take_shared(g, now) : take_token(g)) > 0)
		v = GATE_WAIT;
	if (v == GATE_GO) {
		g->in_flight++;
		if (probe) {
			g->circuit = HALF_OPEN;
			g->probe_in_flight = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return v;
}

static void describe(const struct gate *g, struct gate_circuit *out)
{
	str_copy(out->state, circuit_names[g->circuit], sizeof(out->state));
	out->reopen_at = g->circuit == CLOSED ? 0 : g->reopen_at;
	out->failures = g->failures;
	out->since = g->since;
	out->last_at = g->last_at;
	str_copy(out->last, g->last, sizeof(out->last));
	out->opened_at = g->opened_at;
	str_copy(out->outcomes, g->outcomes, sizeof(out->outcomes));
}

void outcomes_push(char ring[DEST_OUTCOMES_MAX + 1], char c)
{
	size_t n = strnlen(ring, DEST_OUTCOMES_MAX);
	if (n == DEST_OUTCOMES_MAX) {
		memmove(ring, ring + 1, n - 1);
		n--;
	}
	ring[n] = c;
	ring[n + 1] = '\0';
}

/* The last probe within the patience is made as it ends: an outage that ends just before is still ridden out. */
static void open_circuit(struct gate *g, int64_t now)
{
	g->circuit = OPEN;
	if (!g->opened_at)
		g->opened_at = now;
	g->reopen_at = now + g->limits.open_ms;
	int64_t patience_ends = g->since + g->limits.patience_ms;
	if (now < patience_ends && g->reopen_at > patience_ends)
		g->reopen_at = patience_ends;
}

static void count_failure(struct gate *g, int64_t now, const char *what)
{
	if (g->failures == 0) {
		g->since = now;
		g->opened_at = 0;
		g->failures = 1;
		g->counted_at = now;
	} else if (now - g->counted_at >= g->limits.window_ms) {
		g->failures++;
		g->counted_at = now;
	}
	g->last_at = now;
	str_copy(g->last, what ? what : "a transient failure", sizeof(g->last));
}

bool gate_release(struct gate *g, int64_t now, enum gate_result result, const char *what,
                  struct gate_circuit *circuit)
{
	pthread_mutex_lock(&lock);
	enum circuit before = g->circuit;
	int failures_before = g->failures;
	if (g->in_flight > 0)
		g->in_flight--;
	bool was_probe = g->circuit == HALF_OPEN && g->probe_in_flight;
	if (was_probe && result != GATE_NEUTRAL)
		g->probe_in_flight = false;
	if (result != GATE_NEUTRAL)
		outcomes_push(g->outcomes, result == GATE_SUCCESS ? '+' : '-');
	if (result == GATE_SUCCESS) {
		g->failures = 0;
		g->succeeded_at = now;
		g->circuit = CLOSED;
	} else if (result == GATE_TRANSIENT_FAILURE) {
		count_failure(g, now, what);
		if (was_probe || (g->circuit == CLOSED && g->failures >= g->limits.threshold))
			open_circuit(g, now);
	} else if (was_probe) {
		g->probe_in_flight = false; /* a 4xx tells nothing about the shop's health: let another probe go */
	}
	bool changed = g->circuit != before || (g->failures == 0) != (failures_before == 0);
	if (g->contended)
		give_back_idle(g, now);
	describe(g, circuit);
	pthread_mutex_unlock(&lock);
	return changed;
}

bool gate_hold(struct gate *g, int64_t now, int64_t held_at, bool *changed, struct gate_circuit *circuit)
{
	pthread_mutex_lock(&lock);
	*changed = false;
	bool hold = g->circuit != CLOSED;
	/* Two failures counted are a window apart with no success between them. */
	if (!hold && g->failures >= 2 && (!held_at || g->succeeded_at < held_at)) {
		open_circuit(g, now);
		hold = *changed = true;
	}
	describe(g, circuit);
	pthread_mutex_unlock(&lock);
	return hold;
}

void gate_circuit(struct gate *g, struct gate_circuit *out)
{
	pthread_mutex_lock(&lock);
	describe(g, out);
	pthread_mutex_unlock(&lock);
}

uint64_t gate_sku_key(const char *sku)
{
	uint64_t h = HASH64_SEED;
	for (; *sku; sku++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*sku);
		h = hash64(&c, 1, h);
	}
	return h ? h : 1;
}

static size_t claim_slot(const struct gate *g, uint64_t key)
{
	size_t mask = g->claims_cap - 1, i = (size_t)(key * UINT64_C(0x9E3779B97F4A7C15) >> 17) & mask;
	while (g->claims[i] && g->claims[i] != key)
		i = (i + 1) & mask;
	return i;
}

static void grow_claims(struct gate *g)
{
	uint64_t *old = g->claims;
	size_t old_cap = g->claims_cap;
	g->claims_cap = old_cap ? 2 * old_cap : 256;
	g->claims = xcalloc(g->claims_cap, sizeof(*g->claims));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			g->claims[claim_slot(g, old[i])] = old[i];
	free(old);
}

bool gate_claim(struct gate *g, uint64_t key)
{
	pthread_mutex_lock(&lock);
	if (2 * (g->claims_n + 1) > g->claims_cap)
		grow_claims(g);
	size_t i = claim_slot(g, key);
	bool free_slot = g->claims[i] == 0;
	if (free_slot) {
		g->claims[i] = key;
		g->claims_n++;
	}
	pthread_mutex_unlock(&lock);
	return free_slot;
}

/* Backward-shift deletion keeps every remaining key reachable from its home slot. */
void gate_unclaim(struct gate *g, uint64_t key)
{
	pthread_mutex_lock(&lock);
	if (g->claims_cap) {
		size_t mask = g->claims_cap - 1, i = claim_slot(g, key);
		if (g->claims[i] == key) {
			g->claims[i] = 0;
			g->claims_n--;
			for (size_t j = (i + 1) & mask; g->claims[j]; j = (j + 1) & mask) {
				size_t home = (size_t)(g->claims[j] * UINT64_C(0x9E3779B97F4A7C15) >> 17) & mask;
				bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
				if (movable) {
					g->claims[i] = g->claims[j];
					g->claims[j] = 0;
					i = j;
				}
			}
		}
	}
	pthread_mutex_unlock(&lock);
}
