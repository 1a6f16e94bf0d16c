/*
 * replay_ceiling: a minimal client replaying a recorded push, the ceiling of bench/push_wp.sh. The fake site
 * recorded every request feedsync sent (fakewp --record: JSON lines of method, target and body); this program
 * loads them all before its clock starts, then CONCURRENCY threads send them in the recorded order, each over
 * one kept-alive connection with the hygiene feedsync has (no Expect: 100-continue, TCP_NODELAY), reading every
 * answer whole and judging nothing but its status. It waits on nothing between requests: no lookup result to
 * read, no payload to build, nothing to record: what is left is the site's own limit.
 *
 *   replay_ceiling --log FILE --url BASE --user USER:PASSWORD [--concurrency 4]
 *
 * Prints "requests R seconds S requests_per_s X"; exits 1 when a request fails or is answered with a status
 * of 400 or more, 2 on bad arguments.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

#define MAX_THREADS 64

struct request {
	char *method, *url, *body;
};

struct replay {
	const char *user;
	struct request *v;
	size_t n;
	atomic_size_t next;
	atomic_int failed;
	pthread_mutex_t lock;
	char error[512];              /* the first failure */
};

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *json_text(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? xstrdup(s) : NULL;
}

/* The recorded requests, with their targets made absolute on base. */
static int load(struct replay *r, const char *path, const char *base)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, vcap = 0;
	long lineno = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		cJSON *o = cJSON_Parse(line);
		char *method = json_text(o, "method"), *target = json_text(o, "target");
		if (!method || !target) {
			fprintf(stderr, "%s:%ld: not a recorded request (method, target, body)\n", path, lineno);
			free(method);
			free(target);
			cJSON_Delete(o);
			free(line);
			fclose(f);
			return -1;
		}
		if (r->n == vcap)
			r->v = xrealloc(r->v, (vcap = vcap ? vcap * 2 : 256) * sizeof(*r->v));
		char *body = json_text(o, "body");
		if (body && !*body) {
			free(body);
			body = NULL;
		}
		r->v[r->n++] = (struct request){method, xasprintf("%s%s", base, target), body};
		free(target);
		cJSON_Delete(o);
	}
	free(line);
	fclose(f);
	return 0;
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

static void note_failure(struct replay *r, const struct request *q, const char *what)
{
	atomic_fetch_add(&r->failed, 1);
	pthread_mutex_lock(&r->lock);
	if (!*r->error)
		snprintf(r->error, sizeof(r->error), "%s %.*s: %s", q->method, (int)strcspn(q->url, "?"), q->url, what);
	pthread_mutex_unlock(&r->lock);
}

static void *sender(void *ud)
{
	struct replay *r = ud;
	CURL *e = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERPWD, r->user);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	for (size_t i; (i = atomic_fetch_add(&r->next, 1)) < r->n && !atomic_load(&r->failed);) {
		const struct request *q = &r->v[i];
		curl_easy_setopt(e, CURLOPT_URL, q->url);
		if (q->body)
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
		else
			curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		/* After the body (or its absence) has set POST or GET: an OPTIONS or a DELETE is sent as recorded. */
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
		CURLcode rc = curl_easy_perform(e);
		long status = 0;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		char what[64];
		if (rc != CURLE_OK)
			note_failure(r, q, curl_easy_strerror(rc));
		else if (status >= 400)
			note_failure(r, q, (snprintf(what, sizeof(what), "HTTP %ld", status), what));
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(e);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: replay_ceiling --log FILE --url BASE --user USER:PASSWORD [--concurrency 4]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *log = NULL, *base = NULL;
	struct replay r = {.lock = PTHREAD_MUTEX_INITIALIZER};
	int threads = 4;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (str_eq(argv[i], "--log"))
			log = argv[i + 1];
		else if (str_eq(argv[i], "--url"))
			base = argv[i + 1];
		else if (str_eq(argv[i], "--user"))
			r.user = argv[i + 1];
		else if (str_eq(argv[i], "--concurrency"))
			threads = atoi(argv[i + 1]);
		else
			return usage();
	}
	if (!log || !base || !r.user || argc % 2 == 0 || threads < 1 || threads > MAX_THREADS)
		return usage();
	if (load(&r, log, base) < 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t tid[MAX_THREADS];
	double t0 = seconds_now();
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, sender, &r);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	double secs = seconds_now() - t0;
	curl_global_cleanup();
	int failed = atomic_load(&r.failed);
	if (failed)
		fprintf(stderr, "replay_ceiling: %d requests failed; the first: %s\n", failed, r.error);
	else
		printf("requests %zu seconds %.3f requests_per_s %.0f\n", r.n, secs, secs > 0 ? (double)r.n / secs : 0);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].method);
		free(r.v[i].url);
		free(r.v[i].body);
	}
	free(r.v);
	return failed ? 1 : 0;
}
