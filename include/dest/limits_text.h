/* How a destination's shared limits (core/store_limits.h) read, in `dest show` and the console. */
#ifndef FEEDSYNC_DEST_LIMITS_TEXT_H
#define FEEDSYNC_DEST_LIMITS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/store_limits.h"

/* "3/4 8/s": whole tokens available of the bucket's size, and its refill rate; "no limit" without a rate. */
void limits_bucket_text(const struct limits_view *v, int64_t now, char *buf, size_t size);
/* "1/4": slots held by every process, of the cap. */
void limits_slots_text(const struct limits_view *v, char *buf, size_t size);

/* A Shopify shop's cost points at `now`: the reading refilled at its restore rate since, up to the maximum. */
double limits_cost_available(const struct cost_seen *c, int64_t now);
/* "850/1000 100/s": whole points available now of the bucket's maximum, and its restore rate. */
void limits_cost_text(const struct cost_seen *c, int64_t now, char *buf, size_t size);

#endif
