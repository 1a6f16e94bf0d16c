/*
 * A run's counters over time (run_samples), for the run detail's throughput picture: written by the run
 * context inside its counter flush (see engine/sampler.h for when), read back in time order.
 */
#ifndef FEEDSYNC_CORE_STORE_SAMPLES_H
#define FEEDSYNC_CORE_STORE_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* The most samples a run keeps (import.samples_cap at most, see engine/sampler.h). */
#define SAMPLES_READ_MAX 600

struct run_sample {
	int64_t t;                 /* ms since the run started */
	char phase[16];
	int64_t rows_read, push_processed;
	int batch_size;            /* the push's batch size then; 0 = no push yet */
	char circuit[16];          /* the shop's circuit then ("closed", "open", "half-open"); "" = no shop */
};

int store_sample_add(struct store *s, int64_t run_id, const struct run_sample *smp);
/* Drops every other sample of the run (the 2nd, 4th, ... in time order), keeping the first. */
int store_samples_thin(struct store *s, int64_t run_id);
/* The run's samples in time order, at most max of them (the first ones). The count, or -1. */
int store_samples_of_run(struct store *s, int64_t run_id, struct run_sample *out, int max);

#endif
