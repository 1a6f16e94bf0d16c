/*
 * What `feedsync dest test` is made of, for every kind of destination: one request at a time, sent once and
 * waited for, and the verdict of each check in words.
 */
#ifndef FEEDSYNC_DEST_PROBE_H
#define FEEDSYNC_DEST_PROBE_H

#include <stdbool.h>

#include "dest/http.h"
#include "engine/run.h"

/* One check of a destination (the name says "woo" for history: every destination's checks are these). */
struct woo_check {
	const char *name;          /* "reachability", "tls", "authentication", "permissions", ... */
	int verdict;               /* 1 passed, 0 failed, -1 not checked (an earlier check failed) */
	char detail[512];
	bool warning;              /* passed, but with something the user should know (detail says what) */
};

/* Names the checks, each "not checked" until it runs. */
void checks_init(struct woo_check *checks, const char *const *names, int n);
/* The verdict and its words. */
void check_set(struct woo_check *ck, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Passed, with a warning in its words. */
void check_warn(struct woo_check *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict in a word: "ok", "warning", "FAILED" or "skipped". */
const char *check_word(const struct woo_check *ck);
/* True when every check passed. */
bool checks_passed(const struct woo_check *checks, int n);

struct probe {
	struct http_request req;
	bool done;
};
/* Sends one request (no retry) and waits for its answer, in p->req; the previous one is cleared first. */
void probe(struct http_client *c, struct probe *p, const char *method, const char *target, const char *body);
/* The same for a push: transient failures are retried as the shop's options say (a create is not retried once
 * an attempt may have executed: see http.h), the run's heartbeat beating while it waits. */
void probe_retrying(struct http_client *c, struct probe *p, const char *method, const char *target,
                    const char *body, bool creates, struct run_ctx *ctx);
/* The request of p, cleared, for its owner to fill where probe_retrying's arguments do not say enough (a body
 * streamed from a file, a foreign URL); then probe_send sends it as probe_retrying does. */
struct http_request *probe_begin(struct probe *p);
void probe_send(struct http_client *c, struct probe *p, struct run_ctx *ctx);
/* Whether the server answered (even with something that is not JSON). */
bool probe_answered(const struct probe *p);

/* Appends to a TLS failure's words how to trust the shop's certificate (a private CA, or --insecure). */
void tls_hint_add(const struct shop *shop, char *buf, size_t size);

#endif
