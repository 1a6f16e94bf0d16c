/*
 * A run's throughput over time, from its samples (run_samples): the import's rows/s and the push's items/s
 * per column of a sparkline, with the peak and the last rate, the push's batch size at its start and end,
 * and how long the shop's circuit was open, so that a shop that slowed down shows its cliff.
 */
#ifndef FEEDSYNC_TUI_THROUGHPUT_H
#define FEEDSYNC_TUI_THROUGHPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store_samples.h"

#define THROUGHPUT_COLUMNS_MAX 64

enum throughput_kind { THROUGHPUT_IMPORT, THROUGHPUT_PUSH };

struct throughput {
	int n;                                    /* columns; 0 = the phase has no two samples */
	double rate[THROUGHPUT_COLUMNS_MAX];      /* per second, the average over the column's time */
	bool circuit_open[THROUGHPUT_COLUMNS_MAX];/* the circuit was not closed at some sample of the column */
	double peak, last;
	int batch_first, batch_last;              /* 0 = unknown */
	int64_t open_ms;                          /* time between samples that found the circuit not closed */
};

/* The phase's intervals between consecutive samples, averaged into at most `columns` columns. */
void throughput_of(const struct run_sample *s, int n, enum throughput_kind kind, int columns,
                   struct throughput *out);
/* A rate in at most 5 characters: 7, 120, 4.2k, 52k, 1.3M. */
void throughput_number(double v, char *buf, size_t size);

#endif
