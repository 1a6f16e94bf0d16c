/* A destination's shared limits as text (see dest/limits_text.h). */
#include "dest/limits_text.h"

#include <math.h>
#include <stdio.h>

#include "dest/cost_bucket.h"

void limits_bucket_text(const struct limits_view *v, int64_t now, char *buf, size_t size)
{
	if (v->rate <= 0)
		snprintf(buf, size, "no limit");
	else
		snprintf(buf, size, "%.0f/%.0f %g/s", floor(limits_tokens(v, now)), v->size, v->rate);
}

void limits_slots_text(const struct limits_view *v, char *buf, size_t size)
{
	snprintf(buf, size, "%d/%d", v->slots, v->concurrency);
}

double limits_cost_available(const struct cost_seen *c, int64_t now)
{
	struct cost_bucket b = {.known = c->known, .at_ms = c->seen_at,
	                        .last = {.maximum = c->maximum, .available = c->available,
	                                 .restore_rate = c->restore_rate}};
	return cost_bucket_available(&b, now);
}

void limits_cost_text(const struct cost_seen *c, int64_t now, char *buf, size_t size)
{
	snprintf(buf, size, "%.0f/%.0f %g/s", floor(limits_cost_available(c, now)), c->maximum, c->restore_rate);
}
