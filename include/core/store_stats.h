/*
 * Run history in aggregate, for pictures and the stats screen: the last runs of some connections (the
 * connections screen's sparkline) and, per connection or per destination, what the runs of the last days
 * did. Both are one SQL statement over the indexes sync_runs already has, whatever the number of runs.
 */
#ifndef FEEDSYNC_CORE_STORE_STATS_H
#define FEEDSYNC_CORE_STORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

#define RECENT_RUNS_MAX 12

/* One run as a sparkline draws it. */
struct recent_run {
	char status[24];
	int64_t duration_ms;   /* finished (or, while running, last heartbeat) minus started; 0 not started */
};

/* A connection's last runs, oldest first. */
struct recent_runs {
	int64_t connection_id;
	int n;
	struct recent_run runs[RECENT_RUNS_MAX];
	int64_t max_duration_ms;   /* the longest of them: the sparkline's full height */
};

/*
 * The last `per_conn` (at most RECENT_RUNS_MAX) runs of each of the n connections, in one query: out[i]
 * is ids[i]'s (n = 0 when it never ran). 0 or -1.
 */
int store_recent_runs(struct store *s, const int64_t *ids, size_t n, int per_conn, struct recent_runs *out);

/* What the runs started since a time did, for one connection or one destination. */
struct stats_row {
	int64_t id;
	char *name;
	int64_t runs, failed;              /* failed: status failed */
	int64_t finished;                  /* runs with a duration */
	int64_t median_ms, p95_ms;         /* of the finished runs' durations (nearest rank); 0 when none */
	int64_t created, updated, retired; /* products */
};

struct stats {
	struct stats_row *conns, *dests;   /* sorted by name */
	size_t nconns, ndests;
};
void stats_free(struct stats *st);

/*
 * The runs started at or after since_ms, by connection and by the shop each connection pushes to (the
 * connections without a shop are in the first list only). Two index-only passes over sync_runs: the counts
 * by connection, then the durations in (connection, duration) order, whose ranks give each connection's
 * median and p95 as they stream by; a shop's are read from its connections' durations, kept for that.
 * One snapshot, one pass. 0 or -1 (the store's error message says why).
 */
int store_stats(struct store *s, int64_t since_ms, struct stats *out);

/*
 * The same figures in slices, for a console that must draw a frame every few milliseconds: each slice is a
 * range of connection ids read in its own snapshot (a connection's figures agree with themselves; two
 * connections' may be a commit apart), and the shops' medians are ranked once every slice is in.
 */
#define STATS_FIRST_SPAN 64

struct stats_dest_sum {
	int64_t *durations;
	size_t n, cap;
};

struct stats_job {
	int64_t since;
	int64_t first_id, next_id, last_id;   /* the connection ids: all, the next slice's first, the last */
	int64_t span;                          /* ids per slice */
	bool fixed_span;                       /* else sized to the step's budget */
	bool done;                             /* out is complete and sorted */
	double spent_ms;                       /* in its steps, all told */
	struct stats out;                      /* in id order until done */
	size_t *dest_of;                       /* per out.conns: its shop in out.dests, SIZE_MAX none */
	struct stats_dest_sum *sums;           /* per out.dests: its connections' durations */
};

/* span: ids per slice, 0 = sized to each step's budget. Cheap (reads the id range). 0 or -1. */
int stats_job_start(struct store *s, int64_t since_ms, int64_t span, struct stats_job *job);
/* Slices until budget_ms would be overrun (one at least): 1 when done, 0 when more is to do, -1 on error. */
int stats_job_step(struct store *s, struct stats_job *job, double budget_ms);
/* The share of the connection ids read so far, 0..1. */
double stats_job_progress(const struct stats_job *job);
/* Moves a done job's figures to out (to stats_free) and frees the job. */
void stats_job_take(struct stats_job *job, struct stats *out);
void stats_job_free(struct stats_job *job);

/* A stats row as text, the same in `feedsync stats` and the console: over `days` days. */
#define STATS_COLUMNS 8
extern const char *const stats_headers[STATS_COLUMNS];   /* NAME RUNS/DAY FAILED MEDIAN P95 CREATED ... */
extern const char stats_align[STATS_COLUMNS + 1];
struct stats_cells {
	char text[STATS_COLUMNS][32];
};
void stats_row_cells(const struct stats_row *r, int days, struct stats_cells *out);
/* Failed runs as a share of all, 0..1. */
double stats_failure_rate(const struct stats_row *r);

#endif
