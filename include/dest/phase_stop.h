/*
 * Why a destination's phase stops, shared by the WooCommerce and WordPress pushes: the first reason given wins
 * (a later failure is a consequence of it), the answer behind it is kept as the run error's detail, and the
 * requests not yet sent are dropped at once so nothing more reaches the shop. The session's end drains what
 * is in flight the same way for both.
 */
#ifndef FEEDSYNC_DEST_PHASE_STOP_H
#define FEEDSYNC_DEST_PHASE_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store_fence.h"
#include "dest/dest.h"
#include "dest/http.h"
#include "engine/run.h"

struct phase_stop {
	char why[1024];   /* empty while the phase goes on */
	char *detail;     /* the answer that stopped it (woo_failure_detail); NULL: none */
};

/* Stops the phase for the reason given, with detail (taken over, may be NULL); a phase stopped already keeps
 * its first reason and detail is freed. What http has queued is dropped. */
void phase_stop(struct phase_stop *s, struct http_client *http, char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool phase_stopped(const struct phase_stop *s)
{
	return *s->why != '\0';
}

/* 0 while the phase goes on; else -1 with err set to the reason and d->detail to its detail (valid until
 * phase_stop_free). */
int phase_stop_report(const struct phase_stop *s, struct dest *d, char *err, size_t errsize);

void phase_stop_free(struct phase_stop *s);

/* At a session's end: the queued requests are dropped and those in flight finish (their callbacks record
 * them), the run's heartbeat beating; for a run told to stop the client abandons them after
 * HTTP_STOP_GRACE_MS (http_hooks.stop_waiting), their creates staying fenced as for a timeout. */
void phase_drain(struct http_client *http, struct run_ctx *ctx);

/* While other runs' fences on the session's `things` last (fences[i] of those with wanted[i], or of all when wanted
 * is NULL): logs that `then` happens after them, and waits, reading them again every FENCE_REREAD_MS (most end
 * early: their requests were answered), the run's heartbeat beating, or until the run is told to stop. */
void phase_wait_for_fences(struct run_ctx *ctx, const char *shop, int64_t dest_id, struct push_fence *fences,
                           size_t nfences, const bool *wanted, const char *things, const char *then);

#endif
