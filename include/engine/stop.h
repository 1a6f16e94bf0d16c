/*
 * Why a run cannot go on: each phase (import, push, reconcile, plan) records it here and the run ends with
 * this status and text. Empty while all is well.
 */
#ifndef FEEDSYNC_ENGINE_STOP_H
#define FEEDSYNC_ENGINE_STOP_H

#include <stdbool.h>

#include "core/util.h"
#include "engine/run.h"

struct stop {
	const char *status;      /* RUN_FAILED or RUN_CANCELLED; NULL while the run goes on */
	struct strbuf why;
	/* The detail of a run error that names none (not owned; NULL: none): while a feed that came as an HTML page
	 * is imported, its answer, which is what ends the run when it cannot be read. */
	const char *detail;
};

/* Records the reason (also as a run error with `code`, unless code is NULL); the first one wins. */
void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same with the failure's detail JSON (run_errors.detail; NULL: none), e.g. the HTTP answer that ended the run
 * (core/answer_detail.h). */
void stop_with_detail(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code,
                      const char *detail, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same for a problem at a line of the feed (0: none), which the run error then carries. */
void stop_at_line(struct run_ctx *ctx, struct stop *stop, long line, const char *status, const char *code,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
bool stopped(const struct stop *stop);

#endif
