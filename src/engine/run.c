#include "engine/run.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/store_samples.h"
#include "core/util.h"

#define FLUSH_INTERVAL_MS 250
#define CANCEL_CHECK_INTERVAL_MS 200

static const char *const LEVEL_NAMES[] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info", [LOG_WARN] = "warn", [LOG_ERROR] = "error",
};

const char *run_phase_name(enum run_phase p)
{
	return p < PHASE_COUNT ? run_phases[p] : "";
}

void run_ctx_init(struct run_ctx *ctx, struct store *store, const struct config *cfg, int64_t run_id,
                  int64_t connection_id)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = store;
	ctx->cfg = cfg;
	ctx->run_id = run_id;
	ctx->connection_id = connection_id;
	ctx->started_ms = monotonic_ms();
	ctx->last_flush_ms = ctx->started_ms;
	sampler_init(&ctx->sampler, cfg ? cfg->samples_cap : SAMPLER_CAP);
}

/* The run stopped beating for longer than stale_after_s (a paused or stalled process) and another process
 * failed it as lost; it may already be retried, so this execution must stop and leave the verdict alone. */
static void note_lost(struct run_ctx *ctx)
{
	if (ctx->lost)
		return;
	ctx->lost = true;
	run_log(ctx, LOG_WARN, "this run was failed as lost while its worker was not beating (worker.stale_after_s):"
	        " stopping here without recording an outcome");
}

static int take_sample(struct run_ctx *ctx, int64_t t)
{
	struct run_sample smp = {.t = t, .rows_read = ctx->counters[RC_ROWS_READ],
	                         .push_processed = ctx->counters[RC_PUSH_PROCESSED], .batch_size = ctx->batch_size};
	str_copy(smp.phase, run_phase_name(ctx->phase), sizeof(smp.phase));
	str_copy(smp.circuit, ctx->circuit, sizeof(smp.circuit));
	if (store_sample_add(ctx->store, ctx->run_id, &smp) < 0)
		return -1;
	return sampler_taken(&ctx->sampler, t) ? store_samples_thin(ctx->store, ctx->run_id) : 0;
}

/* The counters, and a sample of them when one is due, in one transaction: the caller's when it has one. */
void run_flush(struct run_ctx *ctx)
{
	int64_t t = monotonic_ms() - ctx->started_ms;
	bool sample = sampler_due(&ctx->sampler, t);
	bool own_tx = sample && !store_in_transaction(ctx->store) && store_begin(ctx->store) == 0;
	int rc = store_run_flush(ctx->store, ctx->run_id, run_phase_name(ctx->phase), ctx->counters,
	                         ctx->errors_total, now_ms());
	if (rc == 0 && sample)
		rc = take_sample(ctx, t);
	if (own_tx && (rc < 0 || store_commit(ctx->store) < 0)) {
		store_rollback(ctx->store);
		rc = -1;
	}
	if (rc < 0)
		log_msg(LOG_WARN, "run %lld: cannot save progress: %s", (long long)ctx->run_id,
		        store_errmsg(ctx->store));
	else if (rc == 1)
		note_lost(ctx);
	ctx->last_flush_ms = monotonic_ms();
	if (ctx->on_flush)
		ctx->on_flush(ctx, ctx->on_flush_ud);
}

void run_tick(struct run_ctx *ctx)
{
	if (monotonic_ms() - ctx->last_flush_ms >= FLUSH_INTERVAL_MS)
		run_flush(ctx);
}

void run_set_phase(struct run_ctx *ctx, enum run_phase phase)
{
	ctx->phase = phase;
	run_log(ctx, LOG_INFO, "phase %s", run_phase_name(phase));
	run_flush(ctx);
}

void run_add(struct run_ctx *ctx, enum run_counter c, int64_t delta)
{
	ctx->counters[c] += delta;
}

void run_set(struct run_ctx *ctx, enum run_counter c, int64_t value)
{
	ctx->counters[c] = value;
}

static void vlog_line(struct run_ctx *ctx, enum log_level level, const char *fmt, va_list ap)
{
	struct strbuf sb = {0};
	sb_vaddf(&sb, fmt, ap);
	if (store_run_event_insert(ctx->store, ctx->run_id, now_ms(), LEVEL_NAMES[level], sb_str(&sb)) < 0)
		log_msg(LOG_WARN, "run %lld: cannot save log line: %s", (long long)ctx->run_id,
		        store_errmsg(ctx->store));
	if (!ctx->quiet)
		log_msg(level, "run %lld: %s", (long long)ctx->run_id, sb_str(&sb));
	sb_free(&sb);
}

void run_log(struct run_ctx *ctx, enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_line(ctx, level, fmt, ap);
	va_end(ap);
}

void run_error(struct run_ctx *ctx, const struct run_error_info *info, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);

	ctx->errors_total++;
	int cap = ctx->cfg ? ctx->cfg->error_cap : 1000;
	if (ctx->errors_stored < cap) {
		if (store_run_error_insert(ctx->store, ctx->run_id, now_ms(), run_phase_name(ctx->phase), info->line,
		                           info->sku, info->column, info->code, sb_str(&msg), info->detail) == 0)
			ctx->errors_stored++;
		if (ctx->errors_stored == cap)
			run_log(ctx, LOG_WARN, "error cap of %d reached: further errors go to this log only "
			        "(import.error_cap)", cap);
	} else {
		run_log(ctx, LOG_WARN, "line %lld%s%s: %s: %s", (long long)info->line, info->sku ? " sku " : "",
		        info->sku ? info->sku : "", info->code, sb_str(&msg));
	}
	sb_free(&msg);
}

bool run_should_stop(struct run_ctx *ctx)
{
	if (ctx->lost)
		return true;
	int64_t now = monotonic_ms();
	if (ctx->stop_deadline) {
		int64_t deadline = atomic_load(ctx->stop_deadline);
		if (deadline && now >= deadline)
			return true;
	}
	if (ctx->cancel_seen)
		return true;
	if (now - ctx->last_cancel_check_ms >= CANCEL_CHECK_INTERVAL_MS) {
		ctx->last_cancel_check_ms = now;
		bool requested = false;
		if (store_run_cancel_requested(ctx->store, ctx->run_id, &requested) == 0 && requested) {
			ctx->cancel_seen = true;
			/* Tells the operator the request arrived while the run still awaits answers in flight. */
			run_log(ctx, LOG_INFO, "cancel requested: stopping");
		}
	}
	return ctx->cancel_seen;
}

const char *run_stop_reason(const struct run_ctx *ctx)
{
	if (ctx->lost)
		return "stopped: the run was failed as lost";
	return ctx->cancel_seen ? "cancelled by request" : "stopped: the worker is shutting down";
}

void run_finish(struct run_ctx *ctx, const char *status, const char *fmt, ...)
{
	struct strbuf summary = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&summary, fmt, ap);
	va_end(ap);
	run_flush(ctx);
	if (!ctx->lost) {
		run_log(ctx, str_eq(status, RUN_FAILED) ? LOG_ERROR : LOG_INFO, "%s: %s", status, sb_str(&summary));
		int rc = store_run_finish(ctx->store, ctx->run_id, status, sb_str(&summary), now_ms());
		if (rc < 0)
			log_msg(LOG_ERROR, "run %lld: cannot save final status %s: %s", (long long)ctx->run_id, status,
			        store_errmsg(ctx->store));
		else if (rc == 1)
			note_lost(ctx);
	}
	sb_free(&summary);
}
