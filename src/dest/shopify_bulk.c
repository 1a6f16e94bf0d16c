/* The Shopify push's bulk path (see dest/shopify_bulk.h). */
#include "dest/shopify_bulk.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/store_bulk.h"
#include "core/util.h"
#include "dest/oauth.h"
#include "dest/probe.h"

/* Documented costs (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): a mutation 10, a
 * query of one object 1. */
#define MUTATION_COST 10
#define OBJECT_COST 1
/* The poll's backoff: from the first wait, half as long again each time, up to the last. */
#define POLL_FIRST_MS 200
#define POLL_MAX_MS 5000
/* Results recorded per transaction: one commit per result would cost more than the operation. */
#define RESULTS_PER_COMMIT 500
/* An operation the shop created this long before our claim is not ours (clocks differ by less). */
#define CLOCK_SLACK_MS (5 * 60 * 1000)

/* https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/stagedUploadsCreate */
static const char staged_document[] =
	"mutation FeedsyncStagedUpload($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) "
	"{ stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }";
/* https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/bulkOperationRunMutation */
static const char run_document[] =
	"mutation FeedsyncBulkRun($mutation: String!, $stagedUploadPath: String!) { bulkOperationRunMutation("
	"mutation: $mutation, stagedUploadPath: $stagedUploadPath) { bulkOperation { id status } "
	"userErrors { field message code } } }";
/* https://shopify.dev/docs/api/admin-graphql/2025-10/objects/BulkOperation */
#define OPERATION_FIELDS "id status errorCode objectCount url partialDataUrl createdAt"
static const char node_document[] =
	"query FeedsyncBulkOperation($id: ID!) { node(id: $id) { ... on BulkOperation { " OPERATION_FIELDS " } } }";
/* https://shopify.dev/docs/api/admin-graphql/2025-10/queries/currentBulkOperation */
static const char current_document[] =
	"query FeedsyncCurrentBulk { currentBulkOperation(type: MUTATION) { " OPERATION_FIELDS " } }";

struct shopify_bulk {
	struct shopify_bulk_session s;
	FILE *body;                 /* the multipart body of the upload, the lines inside it */
	char boundary[48];
	char *url;                  /* the staged target, NULL before the first line */
	char *path;                 /* its stagedUploadPath (the "key" parameter) */
	int64_t lines;
	bool asked;                 /* bulkOperationRunMutation was sent: the claim stays for the next run */
};

static const cJSON *member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *text_of(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(member(o, name));
}

static bool going_on(const struct shopify_bulk_session *s)
{
	return !phase_stopped(s->stop) && !run_should_stop(s->ctx);
}

/* The first userError's message, "" when there is none. */
static const char *first_user_error(const cJSON *payload)
{
	const char *m = text_of(cJSON_GetArrayItem(member(payload, "userErrors"), 0), "message");
	return m ? m : "";
}

/* ---- the operation ---- */

/* "2026-12-07T15:00:00Z" as wall ms; 0 when it is not such a time. */
static int64_t iso_ms(const char *t)
{
	struct tm tm = {0};
	if (!t || sscanf(t, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	                 &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000;
}

/* Sleeps ms in slices, the heartbeat beating; false when the run is told to stop. */
static bool nap(const struct shopify_bulk_session *s, int64_t ms)
{
	for (int64_t end = now_ms() + ms; now_ms() < end;) {
		if (run_should_stop(s->ctx))
			return false;
		int64_t left = end - now_ms();
		sleep_ms(left < HTTP_STOP_POLL_MS ? left : HTTP_STOP_POLL_MS);
		run_tick(s->ctx);
	}
	return !run_should_stop(s->ctx);
}

/* Polls the operation until it is over; a copy of its last state (caller deletes), or NULL when the run
 * stopped, the phase stopped, or the patience ran out (the operation then stays recorded). */
static cJSON *wait_for(const struct shopify_bulk_session *s, const char *id)
{
	int64_t start = now_ms(), wait = POLL_FIRST_MS;
	for (;;) {
		cJSON *vars = cJSON_CreateObject();
		cJSON_AddStringToObject(vars, "id", id);
		char why[200];
		const cJSON *data = s->io.ask(s->io.ud, node_document, "FeedsyncBulkOperation", vars, OBJECT_COST, why,
		                              sizeof(why));
		const cJSON *op = member(data, "node");
		const char *status = text_of(op, "status");
		if (!data && !going_on(s))
			return NULL;
		if (data && !status) {
			phase_stop(s->stop, s->http, NULL, "'%s' does not know the bulk operation %s that this push recorded: "
			           "its products stay pending", s->shop->name, id);
			return NULL;
		}
		if (status && !str_eq(status, "CREATED") && !str_eq(status, "RUNNING") && !str_eq(status, "CANCELING"))
			return cJSON_Duplicate(op, true);
		if (now_ms() - start > SHOPIFY_BULK_PATIENCE_MS) {
			phase_stop(s->stop, s->http, NULL, "the bulk operation %s of '%s' is still %s after %lld min: the next "
			           "run reads its results", id, s->shop->name, status ? status : "unread",
			           (long long)(SHOPIFY_BULK_PATIENCE_MS / 60000));
			return NULL;
		}
		if (!nap(s, wait))
			return NULL;
		wait = wait * 3 / 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 3 / 2;
	}
}

/* The result file is JSONL, the upload's answer XML: neither is parsed as JSON. */
static bool accept_any(struct http_request *r)
{
	(void)r;
	return true;
}

/* One result line: {"data": {"productSet": ...}, "__lineNumber": N} or {"errors": [...], "__lineNumber": N}. */
static void record_line(const struct shopify_bulk_session *s, const struct bulk_op *op, const char *text)
{
	cJSON *line = cJSON_Parse(text);
	const cJSON *n = member(line, "__lineNumber");
	char sku[512];
	int64_t hash;
	bool creating, failed;
	if (cJSON_IsNumber(n) &&
	    store_bulk_line_get(s->ctx->store, s->shop->id, (int64_t)n->valuedouble, sku, sizeof(sku), &hash,
	                        &creating, &failed) == 1) {
		const cJSON *set = member(member(line, "data"), "productSet");
		const char *error = text_of(cJSON_GetArrayItem(member(line, "errors"), 0), "message");
		s->io.outcome(s->io.ud, op->connection_id, sku, hash, creating, failed, cJSON_IsObject(set) ? set : NULL,
		              error ? error : "the line has no productSet result");
	}
	cJSON_Delete(line);
}

/* Downloads the result file (streamed to disk) and records each line; the lines read, or -1 (phase stopped). */
static int64_t read_results(const struct shopify_bulk_session *s, const struct bulk_op *op, const char *url)
{
	FILE *f = tmpfile();
	if (!f) {
		phase_stop(s->stop, s->http, NULL, "the results of the bulk operation %s cannot be kept: no temporary "
		           "file", op->operation_id);
		return -1;
	}
	struct probe p = {0};
	struct http_request *r = probe_begin(&p);
	r->method = "GET";
	r->target = xstrdup(url);
	r->foreign = true;
	r->answer_file = f;
	r->read_answer = accept_any;
	probe_send(s->http, &p, s->ctx);
	char outcome[200];
	int64_t n = -1;
	if (r->outcome != HTTP_DONE || r->status != 200) {
		if (going_on(s))
			phase_stop(s->stop, s->http, NULL, "the results of the bulk operation %s of '%s' cannot be read: %s "
			           "(HTTP %ld); its products stay pending", op->operation_id, s->shop->name,
			           http_outcome_text(r, outcome, sizeof(outcome)), r->status);
	} else {
		rewind(f);
		char *text = NULL;
		size_t cap = 0;
		n = 0;
		struct store *st = s->ctx->store;
		bool own = !store_in_transaction(st);
		while (getline(&text, &cap, f) > 0) {
			if (own && n % RESULTS_PER_COMMIT == 0 && store_begin(st) < 0)
				own = false;
			record_line(s, op, text);
			if (own && ++n % RESULTS_PER_COMMIT == 0 && store_commit(st) < 0)
				store_rollback(st);
			n += !own;
		}
		if (own && n % RESULTS_PER_COMMIT && store_commit(st) < 0)
			store_rollback(st);
		free(text);
	}
	http_request_clear(&p.req);
	fclose(f);
	return n;
}

/* The operation is over: its results recorded, the cause named when it did not complete (this run's stops its
 * phase; an earlier run's is logged, its products pushed again by this one), its claim gone. */
static void finish(const struct shopify_bulk_session *s, const struct bulk_op *op, const cJSON *state,
                   int64_t lines)
{
	bool ours = op->run_id == s->ctx->run_id;
	const char *status = text_of(state, "status");
	const char *url = text_of(state, "url") ? text_of(state, "url") : text_of(state, "partialDataUrl");
	const char *code = text_of(state, "errorCode");
	int64_t got = url ? read_results(s, op, url) : 0;
	if (got < 0)
		return; /* the claim stays: the next run reads them */
	char why[400];
	snprintf(why, sizeof(why), "the bulk operation %s of '%s' ended %s%s%s: %lld of its %lld lines went through, "
	         "the rest stay pending", op->operation_id, s->shop->name, status, code ? ", " : "", code ? code : "",
	         (long long)got, (long long)lines);
	if (!str_eq(status, "COMPLETED") && ours)
		phase_stop(s->stop, s->http, NULL, "%s", why);
	else if (!str_eq(status, "COMPLETED"))
		run_log(s->ctx, LOG_WARN, "%s", why);
	else
		run_log(s->ctx, LOG_INFO, "the bulk operation %s of '%s' completed: %lld results for %lld lines",
		        op->operation_id, s->shop->name, (long long)got, (long long)lines);
	if (store_bulk_end(s->ctx->store, s->shop->id, op->run_id) < 0)
		run_log(s->ctx, LOG_WARN, "the bulk operation %s of '%s' is over but stays recorded: %s",
		        op->operation_id, s->shop->name, store_errmsg(s->ctx->store));
}

/* The shop's current bulk mutation when it is the one a claim asked for before it could record its id. */
static bool adopt_current(const struct shopify_bulk_session *s, struct bulk_op *op)
{
	char why[200];
	const cJSON *data = s->io.ask(s->io.ud, current_document, "FeedsyncCurrentBulk", NULL, OBJECT_COST, why,
	                              sizeof(why));
	const cJSON *current = member(data, "currentBulkOperation");
	const char *id = text_of(current, "id");
	if (!id || iso_ms(text_of(current, "createdAt")) < op->started_at - CLOCK_SLACK_MS)
		return false;
	str_copy(op->operation_id, id, sizeof(op->operation_id));
	store_bulk_started(s->ctx->store, s->shop->id, id);
	return true;
}

void shopify_bulk_resume(const struct shopify_bulk_session *s)
{
	struct bulk_op op;
	if (store_bulk_get(s->ctx->store, s->shop->id, &op) != 1 || op.run_id == s->ctx->run_id ||
	    store_bulk_run_alive(s->ctx->store, op.run_id) != 0)
		return;
	if (!*op.operation_id && !adopt_current(s, &op)) {
		if (going_on(s))
			store_bulk_end(s->ctx->store, s->shop->id, op.run_id); /* never asked for: its products stay pending */
		return;
	}
	run_log(s->ctx, LOG_INFO, "reading the bulk operation %s that run %lld left in '%s'", op.operation_id,
	        (long long)op.run_id, s->shop->name);
	cJSON *state = wait_for(s, op.operation_id);
	if (state)
		finish(s, &op, state, store_bulk_lines(s->ctx->store, s->shop->id));
	cJSON_Delete(state);
}

/* ---- this run's operation ---- */

/* stagedUploadsCreate, and the multipart body's parts up to the file's bytes; false with the phase stopped. */
static bool stage(struct shopify_bulk *b)
{
	const struct shopify_bulk_session *s = &b->s;
	cJSON *vars = cJSON_CreateObject();
	cJSON *in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "resource", "BULK_MUTATION_VARIABLES");
	cJSON_AddStringToObject(in, "filename", "feedsync-products.jsonl");
	cJSON_AddStringToObject(in, "mimeType", "text/jsonl");
	cJSON_AddStringToObject(in, "httpMethod", "POST");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(vars, "input"), in);
	char why[200];
	const cJSON *data = s->io.ask(s->io.ud, staged_document, "FeedsyncStagedUpload", vars, MUTATION_COST, why,
	                              sizeof(why));
	const cJSON *staged = member(data, "stagedUploadsCreate");
	const cJSON *target = cJSON_GetArrayItem(member(staged, "stagedTargets"), 0);
	const char *url = text_of(target, "url");
	b->body = url ? tmpfile() : NULL;
	if (!b->body) {
		if (going_on(s))
			phase_stop(s->stop, s->http, NULL, "'%s' gave no staged upload for the bulk push: %s; nothing was "
			           "pushed", s->shop->name, !data ? why : *first_user_error(staged) ? first_user_error(staged)
			                                                               : url ? "no temporary file" : "no target");
		return false;
	}
	b->url = xstrdup(url);
	const cJSON *param;
	cJSON_ArrayForEach(param, member(target, "parameters")) {
		const char *name = text_of(param, "name"), *value = text_of(param, "value");
		if (!name || !value)
			continue;
		if (str_eq(name, "key"))
			b->path = xstrdup(value);
		fprintf(b->body, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", b->boundary, name,
		        value);
	}
	fprintf(b->body, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"feedsync-products.jsonl\""
	        "\r\nContent-Type: text/jsonl\r\n\r\n", b->boundary);
	if (!b->path)
		phase_stop(s->stop, s->http, NULL, "'%s' gave a staged upload without its key: nothing was pushed",
		           s->shop->name);
	return b->path != NULL;
}

struct shopify_bulk *shopify_bulk_open(const struct shopify_bulk_session *session)
{
	int claimed = store_bulk_claim(session->ctx->store, session->shop->id, session->ctx->connection_id,
	                               session->ctx->run_id, now_ms());
	struct bulk_op op;
	if (claimed != 1) {
		if (claimed == 0 && store_bulk_get(session->ctx->store, session->shop->id, &op) == 1)
			run_log(session->ctx, LOG_INFO, "run %lld's bulk operation in '%s' is not over: this push goes "
			        "product by product", (long long)op.run_id, session->shop->name);
		else
			run_log(session->ctx, LOG_WARN, "the bulk push to '%s' cannot be claimed (%s): this push goes "
			        "product by product", session->shop->name, store_errmsg(session->ctx->store));
		return NULL;
	}
	struct shopify_bulk *b = xcalloc(1, sizeof(*b));
	b->s = *session;
	char nonce[33];
	oauth_nonce(nonce); /* random hex: no line of the file holds it */
	snprintf(b->boundary, sizeof(b->boundary), "feedsync-%s", nonce);
	stage(b); /* now, not at the first line: that is written inside a transaction, which waits for no shop */
	return b;
}

bool shopify_bulk_add(struct shopify_bulk *b, const char *sku, int64_t hash, bool creating, cJSON *input)
{
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddItemToObject(vars, "input", input);
	cJSON_AddBoolToObject(vars, "synchronous", true);
	bool ok = b->body != NULL && b->path != NULL;
	char *line = ok ? cJSON_PrintUnformatted(vars) : NULL;
	cJSON_Delete(vars);
	if (!ok)
		return false;
	const struct shopify_bulk_session *s = &b->s;
	ok = fputs(line, b->body) >= 0 && fputc('\n', b->body) != EOF;
	cJSON_free(line);
	if (!ok) {
		phase_stop(s->stop, s->http, NULL, "the bulk push to '%s' cannot write its file (the disk full?): nothing "
		           "was pushed", s->shop->name);
		return false;
	}
	if (store_bulk_line_put(s->ctx->store, s->shop->id, b->lines, sku, hash, creating) < 0) {
		phase_stop(s->stop, s->http, NULL, "the bulk push to '%s' cannot record its line for %s: %s; nothing was "
		           "pushed", s->shop->name, sku, store_errmsg(s->ctx->store));
		return false;
	}
	b->lines++;
	return true;
}

void shopify_bulk_failed(struct shopify_bulk *b, const char *sku)
{
	if (store_bulk_line_failed(b->s.ctx->store, b->s.shop->id, sku) < 0)
		run_log(b->s.ctx, LOG_WARN, "product %s failed, but its bulk line cannot say so: %s", sku,
		        store_errmsg(b->s.ctx->store));
}

/* The multipart body to the staged target, without the shop's token; false with the phase stopped. */
static bool upload(struct shopify_bulk *b)
{
	const struct shopify_bulk_session *s = &b->s;
	fprintf(b->body, "\r\n--%s--\r\n", b->boundary);
	if (fflush(b->body) != 0) {
		phase_stop(s->stop, s->http, NULL, "the bulk push to '%s' cannot write its file: nothing was pushed",
		           s->shop->name);
		return false;
	}
	struct probe p = {0};
	struct http_request *r = probe_begin(&p);
	r->method = "POST";
	r->target = xstrdup(b->url);
	r->foreign = true;
	r->body_len = (size_t)ftello(b->body);
	r->body_file = b->body;   /* taken over: closed with the request */
	b->body = NULL;
	char *type = xasprintf("Content-Type: multipart/form-data; boundary=%s", b->boundary);
	r->headers = curl_slist_append(NULL, type);
	free(type);
	r->read_answer = accept_any;
	probe_send(s->http, &p, s->ctx);
	char outcome[200];
	bool ok = r->outcome == HTTP_DONE && r->status >= 200 && r->status <= 299;
	if (!ok && going_on(s))
		phase_stop(s->stop, s->http, NULL, "the staged upload of the bulk push to '%s' was refused: %s (HTTP %ld); "
		           "nothing was pushed, the products stay pending", s->shop->name,
		           http_outcome_text(r, outcome, sizeof(outcome)), r->status);
	http_request_clear(&p.req);
	return ok;
}

/* bulkOperationRunMutation over the uploaded file; its id recorded. False with the phase stopped. */
static bool start(struct shopify_bulk *b, struct bulk_op *op)
{
	const struct shopify_bulk_session *s = &b->s;
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddStringToObject(vars, "mutation", s->mutation);
	cJSON_AddStringToObject(vars, "stagedUploadPath", b->path);
	char why[200];
	b->asked = true;
	const cJSON *data = s->io.ask(s->io.ud, run_document, "FeedsyncBulkRun", vars, MUTATION_COST, why,
	                              sizeof(why));
	const cJSON *run = member(data, "bulkOperationRunMutation");
	const char *id = text_of(member(run, "bulkOperation"), "id");
	if (!id) {
		b->asked = !data && !going_on(s); /* an answer lost: it may have started, the next run looks */
		if (going_on(s) || data)
			phase_stop(s->stop, s->http, NULL, "'%s' did not start the bulk push: %s; nothing was pushed, the "
			           "products stay pending", s->shop->name, data ? first_user_error(run) : why);
		return false;
	}
	str_copy(op->operation_id, id, sizeof(op->operation_id));
	if (store_bulk_started(s->ctx->store, s->shop->id, id) < 0)
		run_log(s->ctx, LOG_WARN, "the bulk operation %s of '%s' cannot be recorded (%s): a later run finds it "
		        "as the shop's current one", id, s->shop->name, store_errmsg(s->ctx->store));
	run_log(s->ctx, LOG_INFO, "the bulk operation %s of '%s' runs productSet over %lld lines", id, s->shop->name,
	        (long long)b->lines);
	return true;
}

void shopify_bulk_run(struct shopify_bulk *b)
{
	const struct shopify_bulk_session *s = &b->s;
	struct bulk_op op;
	if (!b->lines || !going_on(s) || store_bulk_get(s->ctx->store, s->shop->id, &op) != 1)
		return;
	if (!upload(b) || !start(b, &op))
		return;
	cJSON *state = wait_for(s, op.operation_id);
	if (state)
		finish(s, &op, state, b->lines);
	cJSON_Delete(state);
}

void shopify_bulk_free(struct shopify_bulk *b)
{
	if (!b)
		return;
	struct bulk_op op;
	if (!b->asked && store_bulk_get(b->s.ctx->store, b->s.shop->id, &op) == 1 && op.run_id == b->s.ctx->run_id)
		store_bulk_end(b->s.ctx->store, b->s.shop->id, op.run_id);
	if (b->body)
		fclose(b->body);
	free(b->url);
	free(b->path);
	free(b);
}
