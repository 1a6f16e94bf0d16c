/*
 * What every conversation of a run with a Shopify shop shares (the push, dest/shopify.h, and the pull,
 * dest/shopify_pull.h): the destination's shop settings read and checked to be a Shopify shop's, and the pacing
 * of requests by the process's cost bucket of the shop (dest/cost_bucket.h), learnt from each answer and
 * recorded for other processes (dest show, consoles) at most once a second and when the run is done.
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_METER_H
#define FEEDSYNC_DEST_SHOPIFY_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/store_limits.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "engine/run.h"

/* The shop settings of destination shop->id; -1 with err set when it is not a Shopify shop (`role` says what
 * the connection wanted of it: "destination", "source") or its options are bad. */
int shopify_site_load(struct store *st, const struct shop *shop, const char *role, struct shopify_site *out,
                      char *err, size_t errsize);

struct shopify_meter {
	struct run_ctx *ctx;
	const struct shop *shop;
	struct cost_seen cost;       /* the shop's last reading of its bucket */
	bool cost_unsaved;           /* ... not recorded yet */
	int64_t cost_saved_at;
};

enum { METER_SEND = 0, METER_NEVER_FITS = -1, METER_STOPPED = 1 };
/*
 * Waits until a request of `cost` fits the bucket and takes it out: METER_SEND; METER_NEVER_FITS when it never
 * can (the shop's maximum is smaller), METER_STOPPED when the run was told to stop meanwhile. The shop read its
 * bucket before its answer travelled back, so our picture is ahead of the shop's by what restores in a round
 * trip (last_elapsed_ms, the previous request's, plus the tenth it rounds to): that much more is waited for,
 * short of the maximum.
 */
int shopify_meter_pace(struct shopify_meter *m, double cost, int64_t last_elapsed_ms);
/* The bucket as an answer reports it (nothing when it reports none). */
void shopify_meter_learn(struct shopify_meter *m, const cJSON *answer);
/* Records the last reading not recorded yet. */
void shopify_meter_save(struct shopify_meter *m);
/* The largest `first` of a request costing base + first * per_node that fits the shop's bucket, at most `most`;
 * `unknown` while the process has not seen the bucket. */
int shopify_meter_fit(const struct shopify_meter *m, double base, int per_node, int most, int unknown);

#endif
