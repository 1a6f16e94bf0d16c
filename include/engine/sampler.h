/*
 * When a run takes a sample of its counters (run_samples): at a counter flush, at most once per interval
 * (first 1 s), and never more than `cap` kept per run (import.samples_cap). On reaching the cap every other sample is dropped
 * and the interval doubles, so a run of any length keeps an evenly spaced picture in bounded space.
 */
#ifndef FEEDSYNC_ENGINE_SAMPLER_H
#define FEEDSYNC_ENGINE_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#define SAMPLER_FIRST_INTERVAL_MS 1000
#define SAMPLER_CAP 600   /* without a configuration */

struct sampler {
	int cap;                 /* even, >= 2 */
	int count;               /* samples kept */
	int64_t interval_ms;
	int64_t next_ms;         /* the earliest time of the next sample, ms since the run started */
};

void sampler_init(struct sampler *s, int cap);
/* Whether a flush at t (ms since the run started) takes a sample. */
bool sampler_due(const struct sampler *s, int64_t t);
/* Counts a sample taken at t. True when the cap is reached: the caller drops every other sample now. */
bool sampler_taken(struct sampler *s, int64_t t);

#endif
