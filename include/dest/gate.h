/*
 * What every request to one destination passes through, shared by all runs of the process: the limit of
 * requests in flight, the requests-per-second limit (a token bucket), and the circuit breaker.
 *
 * The circuit opens after `threshold` consecutive transient failures (timeouts, resets, 429, 5xx); while it
 * is open nothing is sent. Once its reopen time passes it lets one probe through (half-open): success
 * closes it, failure opens it again. Its state is seeded from the destination row and every change is
 * reported to the caller, who stores it so that every console shows it.
 */
#ifndef FEEDSYNC_DEST_GATE_H
#define FEEDSYNC_DEST_GATE_H

#include <stdbool.h>
#include <stdint.h>

struct gate;

struct gate_limits {
	int concurrency;          /* requests in flight at once */
	double rate;              /* requests per second; 0 = no limit */
	int threshold;            /* consecutive transient failures that open the circuit */
	int64_t open_ms;          /* how long it stays open before a probe */
};

struct gate_circuit {
	char state[16];           /* "closed", "open", "half-open" */
	int64_t reopen_at;        /* ms since the epoch; 0 when closed */
	int failures;             /* consecutive transient failures */
};

/* The gate of a destination, made on first use; it lives as long as the process. */
struct gate *gate_get(int64_t dest_id);
/* Applies the destination's limits; the stored circuit state is taken only when the gate is new. */
void gate_configure(struct gate *g, const struct gate_limits *limits, const struct gate_circuit *stored);

enum gate_verdict {
	GATE_GO,                  /* send now: a slot is taken, give it back with gate_release */
	GATE_WAIT,                /* ask again after *wait_ms */
	GATE_OPEN,                /* the circuit is open: do not send */
};
/* now is wall-clock ms (reopen times are stored and shared between processes). */
enum gate_verdict gate_admit(struct gate *g, int64_t now, int64_t *wait_ms);

enum gate_result { GATE_SUCCESS, GATE_TRANSIENT_FAILURE, GATE_NEUTRAL };
/* Gives the slot back and counts the result; true when the circuit changed (*circuit says how). */
bool gate_release(struct gate *g, int64_t now, enum gate_result result, struct gate_circuit *circuit);
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
