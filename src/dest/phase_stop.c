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

void phase_wait_for_fences(struct run_ctx *ctx, const char *shop, int64_t until_ms, size_t n, const char *things,
                           const char *then)
{
	if (until_ms <= now_ms())
		return;
	char when[32];
	format_time(until_ms, when, sizeof(when));
	run_log(ctx, LOG_WARN, "%zu %s were in create requests of earlier runs that may still be executing in '%s' (a "
	        "worker that died, a request that timed out): %s after %s, so that what they made is found", n, things,
	        shop, then, when);
	while (now_ms() < until_ms && !run_should_stop(ctx)) {
		sleep_ms(HTTP_STOP_POLL_MS);
		run_tick(ctx);
	}
}
