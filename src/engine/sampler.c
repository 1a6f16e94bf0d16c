/* When a run samples its counters (see sampler.h). */
#include "engine/sampler.h"

void sampler_init(struct sampler *s, int cap)
{
	s->cap = cap < 2 ? 2 : cap - cap % 2;
	s->count = 0;
	s->interval_ms = SAMPLER_FIRST_INTERVAL_MS;
	s->next_ms = 0;
}

bool sampler_due(const struct sampler *s, int64_t t)
{
	return t >= s->next_ms;
}

bool sampler_taken(struct sampler *s, int64_t t)
{
	s->count++;
	bool thin = s->count >= s->cap;
	if (thin) {
		/* The 1st, 3rd, 5th... stay: half of them, twice as far apart. */
		s->count -= s->count / 2;
		s->interval_ms *= 2;
	}
	s->next_ms = t + s->interval_ms;
	return thin;
}
