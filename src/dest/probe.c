/* Requests and verdicts of destination checks (see dest/probe.h). */
#include "dest/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

void checks_init(struct woo_check *checks, const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		checks[i].name = names[i];
		checks[i].verdict = -1;
		checks[i].warning = false;
		str_copy(checks[i].detail, "not checked: an earlier check failed", sizeof(checks[i].detail));
	}
}

void check_set(struct woo_check *ck, bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ck->detail, sizeof(ck->detail), fmt, ap);
	va_end(ap);
	ck->verdict = ok;
}

void check_warn(struct woo_check *ck, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ck->detail, sizeof(ck->detail), fmt, ap);
	va_end(ap);
	ck->verdict = 1;
	ck->warning = true;
}

const char *check_word(const struct woo_check *ck)
{
	return ck->verdict == 1 ? (ck->warning ? "warning" : "ok") : ck->verdict == 0 ? "FAILED" : "skipped";
}

bool checks_passed(const struct woo_check *checks, int n)
{
	bool all = true;
	for (int i = 0; i < n; i++)
		all &= checks[i].verdict == 1;
	return all;
}

static void probe_done(struct http_request *r)
{
	((struct probe *)r->ud)->done = true;
}

struct http_request *probe_begin(struct probe *p)
{
	http_request_clear(&p->req);
	p->done = false;
	p->req.done = probe_done;
	p->req.ud = p;
	return &p->req;
}

/* The request of p, cleared first. */
static void prepare(struct probe *p, const char *method, const char *target, const char *body)
{
	probe_begin(p);
	p->req.method = method;
	p->req.target = xstrdup(target);
	p->req.body = body ? xstrdup(body) : NULL;
	p->req.body_len = body ? strlen(body) : 0;
}

void probe(struct http_client *c, struct probe *p, const char *method, const char *target, const char *body)
{
	prepare(p, method, target, body);
	p->req.no_retry = true;
	http_submit(c, &p->req);
	while (!p->done)
		http_run(c, 1000);
}

void probe_retrying(struct http_client *c, struct probe *p, const char *method, const char *target,
                    const char *body, bool creates, struct run_ctx *ctx)
{
	prepare(p, method, target, body);
	p->req.once_executed = creates;
	probe_send(c, p, ctx);
}

void probe_send(struct http_client *c, struct probe *p, struct run_ctx *ctx)
{
	http_submit(c, &p->req);
	while (!p->done) {
		http_run(c, HTTP_STOP_POLL_MS);
		run_tick(ctx);
	}
}

bool probe_answered(const struct probe *p)
{
	return p->req.outcome == HTTP_DONE || p->req.outcome == HTTP_BAD_RESPONSE;
}

void tls_hint_add(const struct shop *shop, char *buf, size_t size)
{
	char who[160];
	if (shop->id)
		snprintf(who, sizeof(who), "%lld", (long long)shop->id);
	else
		snprintf(who, sizeof(who), "\"%s\"", shop->name);
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, " (a certificate from a private CA: 'feedsync dest edit %s --ca-file CA.pem'%s; "
	         "a staging shop with a self-signed one: 'feedsync dest edit %s --insecure')", who,
	         shop->id ? "" : " once saved", who);
}
