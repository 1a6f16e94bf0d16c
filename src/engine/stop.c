#include "engine/stop.h"

#include <stdarg.h>

/* The one path of every stop: `where` is the run error's line and detail (its code is the stop's). */
static void stop_vwith(struct run_ctx *ctx, struct stop *stop, struct run_error_info where, const char *status,
                       const char *code, const char *fmt, va_list ap)
{
	if (stopped(stop))
		return;
	sb_vaddf(&stop->why, fmt, ap);
	stop->status = status;
	if (code) {
		where.code = code;
		if (!where.detail)
			where.detail = stop->detail;
		run_error(ctx, &where, "%s", sb_str(&stop->why));
	}
}

void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop_vwith(ctx, stop, (struct run_error_info){0}, status, code, fmt, ap);
	va_end(ap);
}

void stop_with_detail(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code,
                      const char *detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop_vwith(ctx, stop, (struct run_error_info){.detail = detail}, status, code, fmt, ap);
	va_end(ap);
}

void stop_at_line(struct run_ctx *ctx, struct stop *stop, long line, const char *status, const char *code,
                  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop_vwith(ctx, stop, (struct run_error_info){.line = line}, status, code, fmt, ap);
	va_end(ap);
}

bool stopped(const struct stop *stop)
{
	return stop->status != NULL;
}
