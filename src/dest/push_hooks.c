/* The hooks of a push's HTTP client (see dest/push_hooks.h). */
#include "dest/push_hooks.h"

#include <string.h>

#include "core/util.h"
#include "dest/woo.h"

static void on_circuit(void *ud, const struct gate_circuit *c)
{
	struct push_hooks *p = ud;
	woo_circuit_changed(p->ctx, p->shop, c);
}

static void on_retry(void *ud, const struct http_request *r, int64_t delay_ms)
{
	struct push_hooks *p = ud;
	char what[300], wait[32];
	format_duration(delay_ms, wait, sizeof(wait));
	run_log(p->ctx, LOG_WARN, "%s %.*s: %s; retry %d of %d in %s", r->method, (int)strcspn(r->target, "?"),
	        r->target, http_outcome_text(r, what, sizeof(what)), http_retry_number(r), p->shop->opt.retries, wait);
	if (p->retried)
		p->retried(p->ud, r, delay_ms);
}

static bool on_stop_waiting(void *ud)
{
	struct push_hooks *p = ud;
	return run_should_stop(p->ctx);
}

struct http_hooks push_http_hooks(struct push_hooks *p)
{
	return (struct http_hooks){.ud = p, .circuit_changed = on_circuit, .retrying = on_retry,
	                           .stop_waiting = on_stop_waiting};
}
