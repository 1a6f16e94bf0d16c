#include "engine/stop.h"

#include <stdarg.h>

static void stop_vwith(struct run_ctx *ctx, struct stop *stop, long line, const char *status, const char *code,
                       const char *fmt, va_list ap)
{
	if (stopped(stop))
		return;
	sb_vaddf(&stop->why, fmt, ap);
	stop->status = status;
	if (code) {
		struct run_error_info info = {.line = line, .code = code};
		run_error(ctx, &info, "%s", sb_str(&stop->why));
	}
}

void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop_vwith(ctx, stop, 0, status, code, fmt, ap);
	va_end(ap);
}

void stop_at_line(struct run_ctx *ctx, struct stop *stop, long line, const char *status, const char *code,
                  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop_vwith(ctx, stop, line, status, code, fmt, ap);
	va_end(ap);
}

bool stopped(const struct stop *stop)
{
	return stop->status != NULL;
}
