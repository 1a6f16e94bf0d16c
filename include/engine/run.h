/*
 * The run context: the only way a phase reports. It keeps counters in memory and flushes them (with the
 * heartbeat) to SQLite a few times a second and at every phase change, with a sample of them for the run's
 * throughput picture at most once a second (run_samples); stores errors up to the cap (the total
 * is always right, details past the cap go to the log); writes log lines; and answers "should I stop?"
 * from the run's cancel flag and the process's shutdown deadline. Every line and error carries the run id.
 */
#ifndef FEEDSYNC_ENGINE_RUN_H
#define FEEDSYNC_ENGINE_RUN_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store.h"
#include "engine/sampler.h"

const char *run_phase_name(enum run_phase p);

struct run_ctx {
	struct store *store;           /* this thread's handle */
	const struct config *cfg;
	int64_t run_id;
	int64_t connection_id;
	enum run_phase phase;
	int64_t counters[RC_COUNT];
	int64_t errors_total;
	int64_t errors_stored;
	int64_t shop_faults;           /* errors in the destination's data that no counter holds (a SKU held twice) */
	int64_t started_ms;            /* monotonic */
	int64_t last_flush_ms;         /* monotonic */
	int64_t last_cancel_check_ms;  /* monotonic */
	bool cancel_seen;
	bool lost;                     /* another process failed the run as lost: stop, record nothing more */
	bool quiet;                    /* no copy of log lines to the process log */
	/* What the push reports for the run's samples: its batch size (0 = no push) and the shop's circuit. */
	int batch_size;
	char circuit[16];
	struct sampler sampler;
	/* Set by the owner (worker, `run --wait`) when the process is shutting down: after this monotonic
	 * time the run stops at its next safe point. 0 = no deadline. */
	const _Atomic int64_t *stop_deadline;
	/* Optional: called after each flush, e.g. to draw a progress line. */
	void (*on_flush)(const struct run_ctx *ctx, void *ud);
	void *on_flush_ud;
};

void run_ctx_init(struct run_ctx *ctx, struct store *store, const struct config *cfg, int64_t run_id,
                  int64_t connection_id);
void run_set_phase(struct run_ctx *ctx, enum run_phase phase);
void run_add(struct run_ctx *ctx, enum run_counter c, int64_t delta);
void run_set(struct run_ctx *ctx, enum run_counter c, int64_t value);
/* Flushes when the flush interval passed; call between rows or batches. */
void run_tick(struct run_ctx *ctx);
void run_flush(struct run_ctx *ctx);

struct run_error_info {
	int64_t line;        /* 0 = none */
	const char *sku;
	const char *column;
	const char *code;    /* short machine code: bad_price, duplicate_sku, http_404, ... */
	const char *detail;  /* JSON or NULL */
};
void run_error(struct run_ctx *ctx, const struct run_error_info *info, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void run_log(struct run_ctx *ctx, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True once a cancel was requested or the shutdown deadline passed. Cheap: reads SQLite at most 5x/s. */
bool run_should_stop(struct run_ctx *ctx);
/* Why run_should_stop said yes: a cancel request, the worker shutting down, or the run failed as lost. */
const char *run_stop_reason(const struct run_ctx *ctx);

/* Final status and summary; flushes everything. */
void run_finish(struct run_ctx *ctx, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
