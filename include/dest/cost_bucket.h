/*
 * Shopify's GraphQL Admin API meters each shop with a leaky bucket of query cost points: a request spends its
 * cost, the bucket refills at restoreRate points a second up to maximumAvailable, and a request that does not
 * fit is THROTTLED. Every answer reports the bucket in extensions.cost.throttleStatus
 * (https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits). This keeps our own picture of the
 * bucket from those readings so a request can wait until it fits instead of being refused, and so a request that
 * can never fit is refused here rather than retried forever.
 *
 * Times are monotonic milliseconds passed in by the caller, so the arithmetic is testable without sleeping.
 */
#ifndef FEEDSYNC_DEST_COST_BUCKET_H
#define FEEDSYNC_DEST_COST_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/store_limits.h"

/* One throttleStatus as the shop reported it. */
struct cost_reading {
	double maximum;            /* maximumAvailable */
	double available;          /* currentlyAvailable */
	double restore_rate;       /* restoreRate, points a second */
};

struct cost_bucket {
	bool known;                /* false until the first reading: nothing is assumed about the shop */
	struct cost_reading last;  /* the last reading, as spent since */
	int64_t at_ms;             /* when `last` held */
};

/* Reads extensions.cost.throttleStatus of a GraphQL answer; false (and why in err) when it is absent or bad. */
bool cost_reading_parse(const cJSON *answer, struct cost_reading *out, char *err, size_t errsz);

/* Reads the throttleStatus of an answer received at at_ms as the store keeps it; false when it has none. */
bool cost_seen_parse(const cJSON *answer, int64_t at_ms, struct cost_seen *out);

/* Takes a reading the shop reported at now_ms as the truth. */
void cost_bucket_learn(struct cost_bucket *b, const struct cost_reading *r, int64_t now_ms);
/* Points available at now_ms: the last reading refilled at the restore rate, capped at the maximum. */
double cost_bucket_available(const struct cost_bucket *b, int64_t now_ms);

enum { COST_NEVER_FITS = -1 };
/*
 * How long to wait before a request of `cost` points fits: 0 now (also while the bucket is still unknown),
 * COST_NEVER_FITS when cost exceeds the maximum (or nothing restores), else milliseconds, rounded up.
 */
int64_t cost_bucket_wait_ms(const struct cost_bucket *b, double cost, int64_t now_ms);
/* Takes `cost` points out of the bucket at now_ms, ahead of the shop's own reading in the answer. */
void cost_bucket_spend(struct cost_bucket *b, double cost, int64_t now_ms);

/*
 * The one bucket of a shop for the whole process, so concurrent runs to the same shop share it. The key is the
 * shop's host. The pointer stays valid for the life of the process; hold cost_bucket_lock around every use.
 * NULL when the table of shops is full.
 */
struct cost_bucket *cost_bucket_of(const char *shop);
void cost_bucket_lock(void);
void cost_bucket_unlock(void);

#endif
