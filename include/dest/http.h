/*
 * The shop HTTP client of one run: a libcurl multi handle that overlaps requests up to the destination's
 * concurrency over kept-alive connections, with easy handles reused, no "Expect: 100-continue", compressed
 * answers accepted and answers bounded in size. Authentication is the shop's (HTTP Basic, an OAuth 1.0a
 * signature made afresh for every attempt, or Shopify's X-Shopify-Access-Token header). Every attempt passes through the destination's gate
 * (dest/gate.h): concurrency and rate limits across the process, and the circuit breaker.
 *
 * Transient failures are retried here with exponential backoff and jitter (backoff_ms, then twice that...,
 * `retries` times): timeouts, connection failures and resets, 429 (after its Retry-After), 500, 502, 503,
 * 504, and 2xx answers that are not the JSON asked for (an HTML error page, a body cut short). A request
 * marked split_on_timeout completes at once on a timeout or 504 instead, so its owner can split it; one marked
 * once_executed is not retried after an attempt that may have executed, so its owner can look first.
 */
#ifndef FEEDSYNC_DEST_HTTP_H
#define FEEDSYNC_DEST_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/config.h"
#include "core/util.h"
#include "dest/gate.h"
#include "dest/shop.h"

/* Largest answer read; a page of 100 full products is about 200 KB. */
#define HTTP_MAX_RESPONSE_BYTES (64 * 1024 * 1024)
/* A stopping owner waits this long for the answers in flight (a cancel must hold within 2 s). */
#define HTTP_STOP_GRACE_MS 1000
#define HTTP_STOP_POLL_MS 100

struct curl_slist;

enum http_outcome {
	HTTP_DONE,            /* an answer arrived: see status (any status, after retries of transient ones) */
	HTTP_TIMED_OUT,       /* no whole answer in time */
	HTTP_NETWORK,         /* could not connect, or the connection broke */
	HTTP_TLS,             /* the certificate or the TLS handshake failed (never retried) */
	HTTP_BAD_RESPONSE,    /* a 2xx answer that is not JSON */
	HTTP_TOO_LARGE,       /* the answer exceeded HTTP_MAX_RESPONSE_BYTES */
	HTTP_CIRCUIT_OPEN,    /* not sent: the destination's circuit breaker is open beyond its patience */
	HTTP_CANCELLED,       /* dropped before it was sent (http_drop_queued), or abandoned in flight by a stopping
	                       * owner (then maybe_executed: the shop may run it still) */
};

struct http_request {
	/* Set by the owner before http_submit. */
	const char *method;            /* "GET", "POST", "PUT", "HEAD", "OPTIONS" */
	char *target;                  /* path and query after the base URL, percent-encoded; owned */
	char *body;                    /* JSON or NULL; owned */
	size_t body_len;               /* of body, or of body_file */
	/* Instead of body: the body streamed from this file (a media upload), from its start at every attempt and
	 * rewound whenever libcurl asks; owned (closed by http_request_clear). */
	FILE *body_file;
	/* target is an absolute URL off the shop (a Shopify staged upload, a bulk operation's result file): sent
	 * without the shop's credentials, which must never reach storage that is not the shop. */
	bool foreign;
	/* A 2xx answer's body goes to this file (truncated at every attempt) instead of memory, unbounded and not
	 * parsed (a bulk operation's JSONL); the caller's, left open. */
	FILE *answer_file;
	/* Sent besides the client's own (an upload's Content-Type and Content-Disposition); owned. */
	struct curl_slist *headers;
	bool split_on_timeout;
	bool no_retry;                 /* one attempt only (dest test) */
	bool urgent;                   /* goes before the requests already queued (work others wait for) */
	bool once_executed;            /* a create: not retried once an attempt may have executed (maybe_executed) */
	/* Reads a 2xx answer its own way (instead of parsing it into json); false when it is unreadable,
	 * which is retried as a transient failure. */
	bool (*read_answer)(struct http_request *r);
	void (*done)(struct http_request *r);
	void *ud;
	/* Filled in before done is called. */
	enum http_outcome outcome;
	long status;                   /* 0 when no answer */
	char content_type[96];         /* of the answer; "" when none came or it named none */
	struct strbuf response;
	cJSON *json;                   /* the parsed answer, when it is JSON */
	int64_t total, total_pages;    /* X-WP-Total, X-WP-TotalPages; -1 when absent */
	int attempts;
	/* The last attempt got no answer after it was sent (a timeout, a connection broken while waiting, a 504): the
	 * shop may have executed it, or be executing it still (PHP goes on whatever its client does). */
	bool maybe_executed;
	int64_t elapsed_ms;            /* of the last attempt */
	char error[256];               /* why it failed, for messages; never holds credentials */
	/* The client's. */
	int64_t not_before;            /* monotonic ms */
	int64_t retry_after_ms;
	bool too_large;
	bool held;                     /* its retries ran out in an outage: it waits for the circuit */
	int64_t held_at;               /* wall ms when it was last held, 0 never */
	int spent_attempts;            /* attempts before its current retry schedule began */
};

/* Frees what the request owns (target, body, body file, headers, answer) and clears it for reuse. */
void http_request_clear(struct http_request *r);
/* Which retry of its current retry schedule the request's next attempt is (1 for the first). */
int http_retry_number(const struct http_request *r);
/* "HTTP 503", "timed out after 30 s", ...: one phrase for messages. */
const char *http_outcome_text(const struct http_request *r, char *buf, size_t size);

struct http_hooks {
	void *ud;
	/* The destination's circuit changed state: store it. */
	void (*circuit_changed)(void *ud, const struct gate_circuit *circuit);
	/* A transient failure will be retried after delay_ms: log it. */
	void (*retrying)(void *ud, const struct http_request *r, int64_t delay_ms);
	/* Whether the owner is to stop (a cancelled run). Once it says so the client waits for nothing: requests not
	 * sent (a retry's backoff, the gate's limits, an open circuit) are dropped (HTTP_CANCELLED) at once, and
	 * those in flight get HTTP_STOP_GRACE_MS to answer, then are abandoned (HTTP_CANCELLED, maybe_executed).
	 * Asked at least every HTTP_STOP_POLL_MS while http_run waits. May be NULL. */
	bool (*stop_waiting)(void *ud);
};

struct http_client;

/* NULL with err set when libcurl cannot be set up. */
struct http_client *http_client_new(const struct shop *shop, const struct config *cfg,
                                    const struct http_hooks *hooks, char *err, size_t errsize);
void http_client_free(struct http_client *c);
/*
 * Queues a request; it is sent as soon as the gate lets it. During an outage (the gate's circuit open) requests
 * wait for the shop instead of failing: a request whose retries ran out on what a shop that is down answers
 * (502, 503, 504, 429, timeouts, no connection) while the shop failed everything waits for the circuit too
 * (gate_hold), and goes again with its retries anew once the circuit lets it. A 500 or an answer that is not
 * JSON is the request's own: it fails. Only once the destination's patience is spent do waiting requests
 * complete, with HTTP_CIRCUIT_OPEN.
 */
void http_submit(struct http_client *c, struct http_request *r);
/*
 * Drives transfers for at most timeout_ms (0: do what can be done without waiting; -1: until none is
 * left), calling each finished request's done (which may submit more). With a timeout it returns as soon
 * as requests have finished, so that the caller can hand over more work without leaving slots idle.
 * Returns how many requests are still queued or in flight.
 */
int http_run(struct http_client *c, int timeout_ms);
int http_pending(const struct http_client *c);
int http_in_flight(const struct http_client *c);
/* Completes every request not yet sent with HTTP_CANCELLED; those in flight finish normally. */
void http_drop_queued(struct http_client *c);

#endif
