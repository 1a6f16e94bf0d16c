/*
 * The shop HTTP client (see dest/http.h). One libcurl multi handle per run; a slot per allowed concurrent
 * request, each with an easy handle that is reused for every request it carries, so connections stay alive.
 * Requests wait in a queue until their retry time and the destination's gate let them go.
 */
#include "dest/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dest/crypto.h"
#include "dest/oauth.h"
#include "dest/secret.h"
#include "feed/fetch.h"

#ifndef FEEDSYNC_VERSION
#define FEEDSYNC_VERSION "0.1"
#endif

/* The longest Retry-After honoured: a shop asking for more is treated as down for this run. */
#define MAX_RETRY_AFTER_MS (300 * 1000)

struct slot {
	CURL *easy;
	struct http_request *req;
	struct curl_slist *headers;    /* the client's and the request's own, for this attempt; NULL: the client's */
	char curl_error[CURL_ERROR_SIZE];
};

struct http_client {
	const struct shop *shop;
	struct http_hooks hooks;
	struct gate *gate;
	CURLM *multi;
	struct curl_slist *json_headers, *plain_headers;
	struct curl_slist *bare_headers;   /* without the shop's credentials: for foreign requests */
	char user_agent[256];
	long connect_timeout_s;
	struct slot *slots;
	struct http_request **finished;  /* answers collected, read once the slots are busy again */
	int nslots;
	int in_flight;
	struct http_request **queue;   /* FIFO of requests not yet sent */
	size_t queued, queue_cap;
	int64_t stop_seen_ms;          /* monotonic: when stop_waiting first said yes; 0 before */
};

/* ---- requests ---------------------------------------------------------------------------------------- */

void http_request_clear(struct http_request *r)
{
	free(r->target);
	free(r->body);
	if (r->body_file)
		fclose(r->body_file);
	curl_slist_free_all(r->headers);
	sb_free(&r->response);
	cJSON_Delete(r->json);
	void (*done)(struct http_request *) = r->done;
	void *ud = r->ud;
	memset(r, 0, sizeof(*r));
	r->done = done;
	r->ud = ud;
}

int http_retry_number(const struct http_request *r)
{
	return r->attempts - r->spent_attempts;
}

const char *http_outcome_text(const struct http_request *r, char *buf, size_t size)
{
	switch (r->outcome) {
	case HTTP_DONE:
		if (*r->error)
			snprintf(buf, size, "%s", r->error);
		else
			snprintf(buf, size, "HTTP %ld", r->status);
		break;
	case HTTP_CIRCUIT_OPEN:
		snprintf(buf, size, "not sent: the circuit breaker is open");
		break;
	case HTTP_CANCELLED:
		snprintf(buf, size, "not sent");
		break;
	default:
		snprintf(buf, size, "%s", r->error);
	}
	return buf;
}

static void reset_answer(struct http_request *r)
{
	sb_reset(&r->response);
	cJSON_Delete(r->json);
	r->json = NULL;
	r->status = 0;
	r->content_type[0] = '\0';
	r->total = r->total_pages = -1;
	r->retry_after_ms = -1;
	r->too_large = false;
	r->error[0] = '\0';
	if (r->answer_file) {
		fflush(r->answer_file);
		if (ftruncate(fileno(r->answer_file), 0) == 0)
			rewind(r->answer_file);
	}
}

/* ---- the queue --------------------------------------------------------------------------------------- */

void http_submit(struct http_client *c, struct http_request *r)
{
	if (c->queued == c->queue_cap) {
		c->queue_cap = c->queue_cap ? 2 * c->queue_cap : 64;
		c->queue = xrealloc(c->queue, c->queue_cap * sizeof(*c->queue));
	}
	if (!r->attempts)
		r->not_before = 0;
	size_t at = c->queued;
	if (r->urgent)
		for (at = 0; at < c->queued && c->queue[at]->urgent; at++)
			;
	memmove(&c->queue[at + 1], &c->queue[at], (c->queued - at) * sizeof(*c->queue));
	c->queue[at] = r;
	c->queued++;
}

static void unqueue(struct http_client *c, size_t i)
{
	memmove(&c->queue[i], &c->queue[i + 1], (c->queued - i - 1) * sizeof(*c->queue));
	c->queued--;
}

int http_pending(const struct http_client *c)
{
	return (int)c->queued + c->in_flight;
}

int http_in_flight(const struct http_client *c)
{
	return c->in_flight;
}

static void complete(struct http_request *r, enum http_outcome outcome)
{
	r->outcome = outcome;
	if (r->done)
		r->done(r);
}

void http_drop_queued(struct http_client *c)
{
	while (c->queued > 0) {
		struct http_request *r = c->queue[0];
		unqueue(c, 0);
		complete(r, HTTP_CANCELLED);
	}
}

/* ---- the client -------------------------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct http_request *r = ud;
	size_t len = size * n;
	if (r->answer_file)
		return fwrite(data, 1, len, r->answer_file);
	if (r->response.len + len > HTTP_MAX_RESPONSE_BYTES) {
		r->too_large = true;
		return 0;
	}
	sb_add(&r->response, data, len);
	return len;
}

/* Seconds, or an HTTP date. */
static int64_t parse_retry_after(const char *v)
{
	int64_t seconds;
	char copy[64];
	str_copy(copy, v, sizeof(copy));
	char *t = str_trim(copy);
	if (parse_int64(t, &seconds))
		return seconds < 0 ? 0 : seconds * 1000;
	time_t when = curl_getdate(t, NULL);
	if (when < 0)
		return -1;
	int64_t ms = (int64_t)when * 1000 - now_ms();
	return ms < 0 ? 0 : ms;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct http_request *r = ud;
	size_t len = size * n;
	char line[256];
	if (len >= sizeof(line))
		return len;
	memcpy(line, data, len);
	line[len] = '\0';
	char *colon = strchr(line, ':');
	if (!colon)
		return len;
	*colon = '\0';
	char *value = str_trim(colon + 1);
	int64_t v;
	if (strcasecmp(line, "X-WP-Total") == 0 && parse_int64(value, &v))
		r->total = v;
	else if (strcasecmp(line, "X-WP-TotalPages") == 0 && parse_int64(value, &v))
		r->total_pages = v;
	else if (strcasecmp(line, "Retry-After") == 0)
		r->retry_after_ms = parse_retry_after(value);
	return len;
}

/* A body streamed from its file: curl asks for a buffer's worth at a time, so no upload is held in memory. */
static size_t on_read_body(char *buf, size_t size, size_t n, void *ud)
{
	FILE *f = ud;
	size_t got = fread(buf, 1, size * n, f);
	return got == 0 && ferror(f) ? CURL_READFUNC_ABORT : got;
}

/* curl rewinds the body when it must send it again on the same attempt (a redirect, an authentication round). */
static int on_seek_body(void *ud, curl_off_t offset, int origin)
{
	return fseeko(ud, (off_t)offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

static void setup_easy(struct http_client *c, struct slot *s)
{
	const struct shop *shop = c->shop;
	CURL *e = s->easy;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->curl_error);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)shop->opt.timeout_s);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_RESPONSE_BYTES);
	/* An API answer that redirects (http to https, a moved shop) is reported, not followed with the body. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, shop->verify_tls ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, shop->verify_tls ? 2L : 0L);
	if (shop->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, shop->ca_file);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read_body);
	curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek_body);
	if (shop->auth == SHOP_AUTH_BASIC) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, shop->key);
		curl_easy_setopt(e, CURLOPT_PASSWORD, shop->secret);
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
}

struct http_client *http_client_new(const struct shop *shop, const struct config *cfg,
                                    const struct http_hooks *hooks, char *err, size_t errsize)
{
	fetch_global_init();
	struct http_client *c = xcalloc(1, sizeof(*c));
	c->shop = shop;
	if (hooks)
		c->hooks = *hooks;
	c->gate = gate_get(shop->id);
	c->multi = curl_multi_init();
	if (!c->multi) {
		snprintf(err, errsize, "cannot start libcurl");
		free(c);
		return NULL;
	}
	c->nslots = shop->opt.concurrency;
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->nslots);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->nslots);
	snprintf(c->user_agent, sizeof(c->user_agent), "%s",
	         *cfg->user_agent ? cfg->user_agent : "feedsync/" FEEDSYNC_VERSION);
	c->connect_timeout_s = cfg->connect_timeout_s;
	/* "Expect:" off: curl would wait for a 100 Continue on large bodies, 40 ms a request on loopback. */
	c->plain_headers = curl_slist_append(NULL, "Accept: application/json");
	c->plain_headers = curl_slist_append(c->plain_headers, "Expect:");
	c->json_headers = curl_slist_append(NULL, "Accept: application/json");
	c->json_headers = curl_slist_append(c->json_headers, "Expect:");
	c->json_headers = curl_slist_append(c->json_headers, "Content-Type: application/json");
	c->bare_headers = curl_slist_append(NULL, "Expect:");
	if (shop->auth == SHOP_AUTH_TOKEN) {
		char *token = xasprintf("X-Shopify-Access-Token: %s", shop->secret);
		c->plain_headers = curl_slist_append(c->plain_headers, token);
		c->json_headers = curl_slist_append(c->json_headers, token);
		secret_free(token);
	}
	c->slots = xcalloc((size_t)c->nslots, sizeof(*c->slots));
	c->finished = xcalloc((size_t)c->nslots, sizeof(*c->finished));
	for (int i = 0; i < c->nslots; i++) {
		c->slots[i].easy = curl_easy_init();
		setup_easy(c, &c->slots[i]);
	}
	return c;
}

/* The header lists may hold an access token: wiped before they go. */
static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *h = list; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(list);
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	gate_settle(c->gate);
	for (int i = 0; i < c->nslots; i++) {
		if (c->slots[i].req)
			curl_multi_remove_handle(c->multi, c->slots[i].easy);
		curl_easy_cleanup(c->slots[i].easy);
		free_headers(c->slots[i].headers);
	}
	curl_multi_cleanup(c->multi);
	free_headers(c->json_headers);
	free_headers(c->plain_headers);
	free_headers(c->bare_headers);
	free(c->slots);
	free(c->finished);
	free(c->queue);
	free(c);
}

/* ---- one attempt ------------------------------------------------------------------------------------- */

static char *attempt_url(struct http_client *c, const struct http_request *r)
{
	if (r->foreign)
		return xstrdup(r->target);
	char *url = xasprintf("%s%s", c->shop->base_url, r->target);
	if (c->shop->auth != SHOP_AUTH_OAUTH)
		return url;
	char nonce[33];
	oauth_nonce(nonce);
	struct oauth_request o = {
		.method = r->method,
		.url = url,
		.consumer_key = c->shop->key,
		.consumer_secret = c->shop->secret,
		.timestamp = (int64_t)time(NULL),
		.nonce = nonce,
	};
	char *signed_url = oauth_signed_url(&o);
	free(url);
	return signed_url;
}

/* The attempt's headers: the client's, then the request's own (NULL: the client's list as it is). */
static struct curl_slist *attempt_headers(struct slot *s, struct curl_slist *base, const struct curl_slist *own)
{
	if (!own)
		return base;
	for (const struct curl_slist *h = base; h; h = h->next)
		s->headers = curl_slist_append(s->headers, h->data);
	for (const struct curl_slist *h = own; h; h = h->next)
		s->headers = curl_slist_append(s->headers, h->data);
	return s->headers;
}

/* The slot's attempt is over: its handle leaves the multi and the slot is free. */
static void release_slot(struct http_client *c, struct slot *s)
{
	curl_multi_remove_handle(c->multi, s->easy);
	free_headers(s->headers);
	s->headers = NULL;
	s->req = NULL;
	c->in_flight--;
}

static void start(struct http_client *c, struct slot *s, struct http_request *r)
{
	CURL *e = s->easy;
	reset_answer(r);
	if (r->held) {
		r->held = false;
		r->spent_attempts = r->attempts;
	}
	r->attempts++;
	s->req = r;
	s->curl_error[0] = '\0';
	char *url = attempt_url(c, r);
	curl_easy_setopt(e, CURLOPT_URL, url);
	explicit_bzero(url, strlen(url));
	free(url);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	if (c->shop->auth == SHOP_AUTH_BASIC)
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, r->foreign ? CURLAUTH_NONE : (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	bool head = str_eq(r->method, "HEAD"), get = str_eq(r->method, "GET");
	if (get || head) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(e, CURLOPT_NOBODY, head ? 1L : 0L);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		                 attempt_headers(s, r->foreign ? c->bare_headers : c->plain_headers, r->headers));
	} else {
		curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		if (r->body_file) {
			rewind(r->body_file);   /* a retry sends the whole file again */
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);   /* NULL: the body comes from the read callback */
			curl_easy_setopt(e, CURLOPT_READDATA, r->body_file);
			curl_easy_setopt(e, CURLOPT_SEEKDATA, r->body_file);
		} else {
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		}
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, str_eq(r->method, "POST") ? NULL : r->method);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		                 attempt_headers(s, r->foreign ? c->bare_headers : r->body_file ? c->plain_headers
		                                                                                 : c->json_headers,
		                                 r->headers));
	}
	curl_multi_add_handle(c->multi, e);
	c->in_flight++;
}

/* What an attempt's end means: finished for good, or to be tried again. */
enum verdict { FINISHED, RETRY };

static bool transient_status(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static bool transient_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return true;
	default:
		return false;
	}
}

/* The shop's answer is JSON unless it says otherwise: a 2xx that does not parse is a broken answer. */
static bool parse_answer(struct http_request *r)
{
	if (str_eq(r->method, "HEAD") || r->response.len == 0)
		return !r->answer_file || fflush(r->answer_file) == 0;
	bool success = r->status >= 200 && r->status <= 299;
	if (success && r->read_answer) {
		if (r->read_answer(r))
			return true;
	} else {
		r->json = cJSON_ParseWithLength(r->response.buf, r->response.len);
		if (r->json || !success)
			return true;
	}
	const char *body = sb_str(&r->response);
	body += strspn(body, " \t\r\n");
	snprintf(r->error, sizeof(r->error), "the shop answered HTTP %ld with %s", r->status,
	         *body == '<' ? "an HTML page instead of JSON" : "JSON that does not parse (cut short?)");
	return false;
}

/* Why curl failed, in words that never carry the URL (it holds OAuth parameters). */
static void describe_failure(struct http_client *c, const struct slot *s, CURLcode rc, struct http_request *r)
{
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(r->error, sizeof(r->error), "no answer within %d s", c->shop->opt.timeout_s);
	else if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(r->error, sizeof(r->error), "the answer is larger than %d MB", HTTP_MAX_RESPONSE_BYTES >> 20);
	else if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR)
		snprintf(r->error, sizeof(r->error), "the connection was reset or closed (%s)",
		         *s->curl_error ? s->curl_error : curl_easy_strerror(rc));
	else if (tls_failure(rc))
		snprintf(r->error, sizeof(r->error), "TLS failed: %s", *s->curl_error ? s->curl_error :
		         curl_easy_strerror(rc));
	else
		snprintf(r->error, sizeof(r->error), "%s", *s->curl_error ? s->curl_error : curl_easy_strerror(rc));
	char *q = strchr(r->error, '?');
	if (q)
		*q = '\0';
}

static enum gate_result classify(struct http_client *c, const struct slot *s, struct http_request *r, CURLcode rc,
                                 enum http_outcome *outcome, bool *retry)
{
	*retry = false;
	r->maybe_executed = rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	                    rc == CURLE_PARTIAL_FILE;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &r->status);
		char *type = NULL;
		if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
			str_copy(r->content_type, type, sizeof(r->content_type));
		r->maybe_executed = r->status == 504;
		*outcome = HTTP_DONE;
		if (!parse_answer(r)) {
			*outcome = HTTP_BAD_RESPONSE;
			*retry = true;
			return GATE_TRANSIENT_FAILURE;
		}
		if (transient_status(r->status)) {
			const char *body = sb_str(&r->response);
			body += strspn(body, " \t\r\n");
			snprintf(r->error, sizeof(r->error), "HTTP %ld%s", r->status,
			         *body == '<' ? " with an HTML page" : "");
			/* A 504 on a batch that will be split says the batch is too slow, not that the shop is down. */
			*retry = !(r->status == 504 && r->split_on_timeout);
			return *retry ? GATE_TRANSIENT_FAILURE : GATE_NEUTRAL;
		}
		return r->status >= 200 && r->status < 400 ? GATE_SUCCESS : GATE_NEUTRAL;
	}
	describe_failure(c, s, rc, r);
	if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		*outcome = HTTP_TOO_LARGE;
		return GATE_NEUTRAL;
	}
	if (tls_failure(rc)) {
		*outcome = HTTP_TLS;
		return GATE_NEUTRAL;
	}
	*outcome = rc == CURLE_OPERATION_TIMEDOUT ? HTTP_TIMED_OUT : HTTP_NETWORK;
	bool split = rc == CURLE_OPERATION_TIMEDOUT && r->split_on_timeout;
	*retry = transient_curl(rc) && !split;
	return *retry ? GATE_TRANSIENT_FAILURE : GATE_NEUTRAL;
}

/* What a shop that is down or restarting answers: nginx's 502/503/504, a 429, no answer at all. A 500 or an
 * answer that is not JSON comes from PHP running the request: the request's own trouble, not an outage. */
static bool outage_sign(const struct http_request *r)
{
	if (r->outcome == HTTP_TIMED_OUT || r->outcome == HTTP_NETWORK)
		return true;
	return r->outcome == HTTP_DONE && transient_status(r->status) && r->status != 500;
}

/* backoff, 2x, 4x ... plus up to a quarter more, so that clients that failed together do not retry together. */
static int64_t retry_delay(const struct http_client *c, const struct http_request *r)
{
	if (r->status == 429 && r->retry_after_ms >= 0)
		return r->retry_after_ms;
	int64_t base = c->shop->opt.backoff_ms;
	for (int i = 1; i < http_retry_number(r) && base < MAX_RETRY_AFTER_MS; i++)
		base *= 2;
	uint32_t noise = 0;
	random_bytes(&noise, sizeof(noise));
	return base + (base > 0 ? (int64_t)(noise % (uint32_t)(base / 4 + 1)) : 0);
}

static void circuit_changed(struct http_client *c, const struct gate_circuit *circuit)
{
	if (c->hooks.circuit_changed)
		c->hooks.circuit_changed(c->hooks.ud, circuit);
}

/* Frees the slot; returns the request when it is finished for good, NULL when it was queued again (to retry,
 * or held for the circuit). */
static struct http_request *finish(struct http_client *c, struct slot *s, CURLcode rc)
{
	struct http_request *r = s->req;
	double seconds = 0;
	curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME, &seconds);
	r->elapsed_ms = (int64_t)(seconds * 1000);
	enum http_outcome outcome;
	bool retry;
	enum gate_result result = classify(c, s, r, rc, &outcome, &retry);
	release_slot(c, s);
	r->outcome = outcome;
	if (r->once_executed && r->maybe_executed)
		retry = false; /* the owner looks before it sends again */
	int64_t now = now_ms();
	char what[sizeof(((struct gate_circuit *)0)->last)] = "";
	if (result == GATE_TRANSIENT_FAILURE) {
		char text[300];
		snprintf(what, sizeof(what), "%s %.*s: %s", r->method, (int)strcspn(r->target, "?"), r->target,
		         http_outcome_text(r, text, sizeof(text)));
	}
	struct gate_circuit circuit;
	if (gate_release(c->gate, now, result, *what ? what : NULL, &circuit))
		circuit_changed(c, &circuit);
	int64_t delay = retry ? retry_delay(c, r) : 0;
	if (!retry || r->no_retry || delay > MAX_RETRY_AFTER_MS)
		return r;
	if (http_retry_number(r) <= c->shop->opt.retries) {
		if (c->hooks.retrying)
			c->hooks.retrying(c->hooks.ud, r, delay);
		r->not_before = monotonic_ms() + delay;
		http_submit(c, r);
		return NULL;
	}
	bool changed;
	if (!outage_sign(r) || !gate_hold(c->gate, now, r->held_at, &changed, &circuit))
		return r;
	if (changed)
		circuit_changed(c, &circuit);
	r->held = true;
	r->held_at = now;
	r->not_before = 0;
	http_submit(c, r);
	return NULL;
}

/* ---- the loop ---------------------------------------------------------------------------------------- */

static struct slot *free_slot(struct http_client *c)
{
	for (int i = 0; i < c->nslots; i++)
		if (!c->slots[i].req)
			return &c->slots[i];
	return NULL;
}

/* Starts what may start; returns how long until something else may (-1: nothing is waiting). */
static int64_t start_ready(struct http_client *c)
{
	int64_t wait = -1, mono = monotonic_ms();
	if (c->stop_seen_ms)
		return wait; /* a retry queued as the stop came does not go out */
	size_t i = 0;
	while (i < c->queued) {
		struct http_request *r = c->queue[i];
		struct slot *s = free_slot(c);
		if (!s)
			return wait;
		if (r->not_before > mono) {
			int64_t w = r->not_before - mono;
			wait = wait < 0 || w < wait ? w : wait;
			i++;
			continue;
		}
		int64_t gate_wait;
		enum gate_verdict v = gate_admit(c->gate, now_ms(), &gate_wait);
		if (v == GATE_WAIT)
			return wait < 0 || gate_wait < wait ? gate_wait : wait;
		unqueue(c, i);
		if (v == GATE_OPEN)
			complete(r, HTTP_CIRCUIT_OPEN);
		else
			start(c, s, r);
	}
	return wait;
}

/* Returns how many requests finished for good (their done was called). */
static int collect_finished(struct http_client *c)
{
	CURLMsg *msg;
	int left, n = 0;
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct slot *s;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		struct http_request *r = finish(c, s, msg->data.result);
		if (r)
			c->finished[n++] = r;
	}
	/* The freed slots go back to work before the answers are read, and their requests go out now (a handle
	 * added to the multi sends nothing until it is driven): the shop need not wait while we read. */
	if (n) {
		start_ready(c);
		int running;
		curl_multi_perform(c->multi, &running);
	}
	for (int i = 0; i < n; i++)
		complete(c->finished[i], c->finished[i]->outcome);
	return n;
}

/* The requests in flight get no answer now: their slots go back and each completes as HTTP_CANCELLED, sent, so
 * possibly executing still. */
static void abandon_in_flight(struct http_client *c)
{
	int n = 0;
	struct gate_circuit circuit;
	for (int i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slots[i];
		struct http_request *r = s->req;
		if (!r)
			continue;
		release_slot(c, s);
		gate_release(c->gate, now_ms(), GATE_NEUTRAL, NULL, &circuit);
		r->maybe_executed = true;
		snprintf(r->error, sizeof(r->error), "no answer within %d ms of the stop request: abandoned",
		         HTTP_STOP_GRACE_MS);
		r->outcome = HTTP_CANCELLED;
		c->finished[n++] = r;
	}
	for (int i = 0; i < n; i++)
		complete(c->finished[i], HTTP_CANCELLED);
}

/* A run told to stop waits for nothing: not an outage, a backoff or the gate, and an answer only briefly. */
static void stop_if_asked(struct http_client *c)
{
	if (!c->stop_seen_ms) {
		if (!c->hooks.stop_waiting || !c->hooks.stop_waiting(c->hooks.ud))
			return;
		c->stop_seen_ms = monotonic_ms();
	}
	http_drop_queued(c);
	if (c->in_flight && monotonic_ms() - c->stop_seen_ms >= HTTP_STOP_GRACE_MS)
		abandon_in_flight(c);
}

int http_run(struct http_client *c, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
	for (;;) {
		stop_if_asked(c);
		int64_t wait = start_ready(c);
		int running;
		curl_multi_perform(c->multi, &running);
		/* Back to the caller once answers came: it has the next requests to build while these fly. */
		bool answered = collect_finished(c) > 0 && timeout_ms >= 0;
		if (http_pending(c) == 0 || answered)
			return http_pending(c);
		int64_t left = deadline < 0 ? 1000 : deadline - monotonic_ms();
		if (left <= 0)
			return http_pending(c);
		if (wait >= 0 && wait < left)
			left = wait;
		int64_t most = c->hooks.stop_waiting ? HTTP_STOP_POLL_MS : 1000;
		/* curl_multi_poll wakes as soon as a transfer has something to do. */
		curl_multi_poll(c->multi, NULL, 0, (int)(left > most ? most : left), NULL);
	}
}
