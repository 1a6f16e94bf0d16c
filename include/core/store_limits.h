/*
 * A destination's limits shared by every process on the database: its token bucket (requests per second) and
 * its concurrency slots. Each process holds its slots in one lease that it renews as it syncs, so the slots of a
 * process that died come back when its lease expires. A process syncs a few times a second at most (dest/gate.c
 * keeps the fast path in memory); each sync is one short write transaction. Part of the store: every query is here.
 */
#ifndef FEEDSYNC_CORE_STORE_LIMITS_H
#define FEEDSYNC_CORE_STORE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct limits_ask {
	int64_t dest_id;
	const char *holder;           /* the process: "host:pid" */
	int64_t now;                  /* ms since the epoch */
	int64_t lease_ms;             /* how long the lease holds after this sync */
	int concurrency;              /* the slots all processes hold at most */
	double rate, size;            /* tokens a second (0 = no limit) and the most the bucket holds */
	int in_flight;                /* slots in use: kept whatever the others want */
	int want;                     /* slots wanted (at least in_flight; 0 gives the lease up) */
	int tokens;                   /* tokens wanted now */
};

struct limits_grant {
	int slots;                    /* the slots the process now holds */
	int tokens;                   /* tokens taken */
	int64_t token_wait_ms;        /* when fewer than asked: until the next one accrues */
	bool contended;               /* another process waits for a slot */
	/* The destination's stored circuit, which another process may have changed. */
	char circuit_state[16];
	int64_t circuit_reopen_at, circuit_since, circuit_last_at;
	int failures;
	char circuit_last[200];
};

/* 0 or -1. Inside the caller's transaction when one is open, else in a transaction of its own. */
int store_limits_sync(struct store *s, const struct limits_ask *ask, struct limits_grant *grant);

/*
 * A Shopify shop's query-cost bucket as the last answer a process read reported it (dest/cost_bucket.h keeps
 * each process's own picture; this is what the others can read).
 */
struct cost_seen {
	bool known;                   /* an answer reported it (else the rest is 0) */
	double maximum, available;    /* points: the bucket's size, and what was left when seen */
	double restore_rate;          /* points a second */
	int64_t seen_at;              /* ms since the epoch */
};
/* Records the shop's reading of destination dest_id. 0 or -1. */
int store_cost_seen_put(struct store *s, int64_t dest_id, const struct cost_seen *c);

/* What `dest show` and the console show of a destination's shared limits. */
struct limits_view {
	bool known;                   /* a process has used them (else the rest is 0) */
	double tokens;                /* in the bucket at refilled_at (limits_tokens: at any time after) */
	int64_t refilled_at;
	double size, rate;            /* the most the bucket holds, and how many tokens a second it gains */
	int slots, concurrency;       /* slots held by leases live when read, and the cap */
	int holders;                  /* processes holding or waiting for slots */
	struct cost_seen cost;        /* a Shopify shop's cost bucket */
};
int store_limits_view(struct store *s, int64_t dest_id, int64_t now, struct limits_view *v);
/* The tokens in the bucket at `now`. */
double limits_tokens(const struct limits_view *v, int64_t now);

/* Another handle on the database of s, for a caller shared by threads that each have their own. */
struct store *store_open_like(struct store *s, char *err, size_t errsize);

#endif
