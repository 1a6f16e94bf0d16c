/*
 * What every request to one destination passes through, shared by all runs of the process: the limit of
 * requests in flight, the requests-per-second limit (a token bucket), and the circuit breaker.
 *
 * The circuit opens after `threshold` transient failures (timeouts, resets, 429, 5xx) in a row, where
 * failures less than `window_ms` apart count once (requests in flight together bring the same news), or
 * when a request failed through its whole retry schedule while nothing else succeeded (gate_hold). While
 * it is open nothing is sent; once its reopen time passes it lets one probe through (half-open): success
 * closes it, failure opens it again. Requests wait for the probe (GATE_WAIT) as long as it comes within
 * `patience_ms` of the outage's first failure: the last probe is made as the patience ends, and after
 * that they are refused (GATE_OPEN). Its state is seeded from the destination row and every change is
 * reported to the caller, who stores it so that every console shows it.
 */
#ifndef FEEDSYNC_DEST_GATE_H
#define FEEDSYNC_DEST_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store_dest.h"

struct gate;

struct gate_limits {
	int concurrency;          /* requests in flight at once */
	double rate;              /* requests per second; 0 = no limit */
	int threshold;            /* transient failures in a row (counted once per window) that open the circuit */
	int64_t window_ms;        /* failures closer together than this count once */
	int64_t open_ms;          /* how long it stays open before a probe */
	int64_t patience_ms;      /* how long after an outage's first failure requests wait for it to end */
};

struct gate_circuit {
	char state[16];           /* "closed", "open", "half-open" */
	int64_t reopen_at;        /* ms since the epoch; 0 when closed */
	int failures;             /* transient failures in a row, counted once per window */
	/* The latest outage, kept after it ended until the next one begins: its first transient failure,
	 * its last one and what that was ("POST /wp-json/wc/v3/products/batch: HTTP 502"). ms since the epoch. */
	int64_t since, last_at;
	char last[200];
	int64_t opened_at;        /* when the circuit first opened in it; 0 when it did not */
	/* The last requests' results, oldest first: '+' success, '-' transient failure (a 4xx tells nothing). */
	char outcomes[DEST_OUTCOMES_MAX + 1];
};

/* Appends outcome c to the text ring of the last DEST_OUTCOMES_MAX, dropping the oldest when full. */
void outcomes_push(char ring[DEST_OUTCOMES_MAX + 1], char c);

/* The gate of a destination, made on first use; it lives as long as the process. */
struct gate *gate_get(int64_t dest_id);
/* Applies the destination's limits; the stored circuit state is taken only when the gate is new. */
void gate_configure(struct gate *g, const struct gate_limits *limits, const struct gate_circuit *stored);

/*
 * Makes the gate keep its limits with every process on the database of `like` (core/store_limits.h): the slots
 * and the requests per second are claimed there, in blocks, and a circuit another process opened or closed is
 * followed. A slot is leased for the longest a request may take plus a margin, so a process that dies gives its
 * slots back when the lease expires. Without it (tests, `dest test`) the limits are this process's alone.
 */
void gate_share(struct gate *g, struct store *like, int64_t request_timeout_ms);
/* Gives slots held but not in flight back to the other processes (a client that ends). */
void gate_settle(struct gate *g);

enum gate_verdict {
	GATE_GO,                  /* send now: a slot is taken, give it back with gate_release */
	GATE_WAIT,                /* ask again after *wait_ms (a slot, a token, or the open circuit's probe) */
	GATE_OPEN,                /* the circuit is open and its probe comes after the patience: do not send */
};
/* now is wall-clock ms (reopen times are stored and shared between processes). */
enum gate_verdict gate_admit(struct gate *g, int64_t now, int64_t *wait_ms);

enum gate_result { GATE_SUCCESS, GATE_TRANSIENT_FAILURE, GATE_NEUTRAL };
/* Gives the slot back and counts the result (`what` names a failure for messages; NULL otherwise); true when
 * the circuit changed (*circuit says how). */
bool gate_release(struct gate *g, int64_t now, enum gate_result result, const char *what,
                  struct gate_circuit *circuit);
/*
 * A request failed transiently through its whole retry schedule. True when it is to wait for the circuit:
 * the circuit is not closed, or the shop has failed everything for longer than one window (then the circuit
 * opens; *changed says so), the shop rather than the request being at fault. False when other requests
 * succeed meanwhile, and for a request held before (at held_at, 0 never) that failed again after the shop
 * answered others: the request itself fails.
 */
bool gate_hold(struct gate *g, int64_t now, int64_t held_at, bool *changed, struct gate_circuit *circuit);
/* True when the circuit is open and its probe comes after the patience: requests are refused, not held. */
bool gate_refuses(struct gate *g, int64_t now);
void gate_circuit(struct gate *g, struct gate_circuit *out);

/*
 * SKUs in requests to the destination from any run of the process, by a hash of the lower-cased SKU
 * (WooCommerce SKUs are unique regardless of case). A SKU in two requests at once can be created twice.
 * gate_claim is false when the SKU is already claimed.
 */
uint64_t gate_sku_key(const char *sku);
bool gate_claim(struct gate *g, uint64_t key);
void gate_unclaim(struct gate *g, uint64_t key);

#endif
