/* Why a destination's phase stops, and the end of its requests (see dest/phase_stop.h). */
#include "dest/phase_stop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void phase_stop(struct phase_stop *s, struct http_client *http, char *detail, const char *fmt, ...)
{
	if (phase_stopped(s)) {
		free(detail);
		return;
	}
	s->detail = detail;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	if (!*s->why) /* an empty reason would read as "goes on" */
		str_copy(s->why, "the push stopped", sizeof(s->why));
	http_drop_queued(http);
}

int phase_stop_report(const struct phase_stop *s, struct dest *d, char *err, size_t errsize)
{
	if (!phase_stopped(s))
		return 0;
	str_copy(err, s->why, errsize);
	d->detail = s->detail;
	return -1;
}

void phase_stop_free(struct phase_stop *s)
{
	free(s->detail);
	s->detail = NULL;
}

void phase_drain(struct http_client *http, struct run_ctx *ctx)
{
	if (!http)
		return;
	http_drop_queued(http);
	while (http_pending(http) > 0) {
		http_run(http, 200);
		run_tick(ctx);
	}
}

/* The latest end of the fences waited on (0 when all are gone), and how many of them are left. */
static int64_t latest_end(const struct push_fence *fences, size_t nfences, const bool *wanted, size_t *left)
{
	int64_t until = 0;
	*left = 0;
	for (size_t i = 0; i < nfences; i++) {
		if ((wanted && !wanted[i]) || !fences[i].until_ms)
			continue;
		++*left;
		if (fences[i].until_ms > until)
			until = fences[i].until_ms;
	}
	return until;
}

void phase_wait_for_fences(struct run_ctx *ctx, const char *shop, int64_t dest_id, struct push_fence *fences,
                           size_t nfences, const bool *wanted, const char *things, const char *then)
{
	size_t left;
	int64_t until = latest_end(fences, nfences, wanted, &left);
	if (until <= now_ms())
		return;
	char when[32];
	format_time(until, when, sizeof(when));
	run_log(ctx, LOG_WARN, "%zu %s were in create requests of other runs that may still be executing in '%s' (a "
	        "run pushing beside this one, a worker that died, a request that timed out): %s once they are answered, "
	        "at the latest after %s, so that what they made is found", left, things, shop, then, when);
	int64_t read_at = now_ms();
	while (now_ms() < until && !run_should_stop(ctx)) {
		sleep_ms(HTTP_STOP_POLL_MS);
		run_tick(ctx);
		if (now_ms() - read_at < FENCE_REREAD_MS)
			continue;
		read_at = now_ms();
		if (store_fences_refresh(ctx->store, dest_id, ctx->run_id, fences, nfences) == 0)
			until = latest_end(fences, nfences, wanted, &left);
	}
	if (!left)
		run_log(ctx, LOG_INFO, "the create requests of other runs on those %s were answered: %s now", things, then);
}
