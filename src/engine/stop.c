#include "engine/stop.h"

#include <stdarg.h>

void stop_with(struct run_ctx *ctx, struct stop *stop, const char *status, const char *code, const char *fmt, ...)
{
	if (stopped(stop))
		return;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&stop->why, fmt, ap);
	va_end(ap);
	stop->status = status;
	if (code) {
		struct run_error_info info = {.code = code};
		run_error(ctx, &info, "%s", sb_str(&stop->why));
	}
}

bool stopped(const struct stop *stop)
{
	return stop->status != NULL;
}
