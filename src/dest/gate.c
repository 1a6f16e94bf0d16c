/* Per-destination limits and circuit breaker, shared by every run of the process (see dest/gate.h). */
#include "dest/gate.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

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
	/* claimed SKU keys: linear probing, 0 = empty slot */
	uint64_t *claims;
	size_t claims_cap, claims_n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate *gates;

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
	if (v == GATE_GO && (*wait_ms = take_token(g)) > 0)
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
