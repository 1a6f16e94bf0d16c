/*
 * Brings a feed to a local file: http(s) with libcurl into a temp file, file:// URLs and plain paths read
 * in place. gzip (Content-Encoding, a .gz name or the gzip magic) is inflated while streaming.
 * Credentials never appear in messages: URLs are shown through fetch_redact_url.
 */
#ifndef FEEDSYNC_FEED_FETCH_H
#define FEEDSYNC_FEED_FETCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called as bytes arrive (total 0 when unknown). Returning non-zero aborts the download (cancel). */
typedef int (*fetch_progress_fn)(void *ud, uint64_t received, uint64_t total);

struct fetch_opts {
	long connect_timeout_s;   /* 0 = 15 */
	long timeout_s;           /* whole transfer; 0 = 600 */
	long stall_timeout_s;     /* abort when under 1 byte/s for this long; 0 = 30 */
	uint64_t max_bytes;       /* after inflation; 0 = 2 GiB */
	uint64_t head_bytes;      /* > 0: a sample: stop once this much (after inflation) is kept; res->head_only */
	long max_redirects;       /* 0 = 5 */
	const char *temp_dir;     /* NULL = $TMPDIR or /tmp */
	const char *user_agent;   /* NULL = "feedsync/<version>" */
	const char *username;     /* HTTP Basic, optional */
	const char *password;
	const char *bearer_token; /* optional */
	fetch_progress_fn progress;
	void *progress_ud;
};

/* Room for a detail with a whole excerpt, escaped, and the request's members. */
#define FETCH_DETAIL_MAX 8192

struct fetch_result {
	char path[PATH_MAX];      /* local file to parse */
	bool is_temp;             /* path must be removed with fetch_cleanup */
	uint64_t bytes;           /* bytes written to path (after inflation) */
	uint64_t wire_bytes;      /* bytes received from the network or read from disk */
	long http_status;         /* 0 for local files */
	char content_type[128];
	int64_t content_length;   /* as the HTTP answer declared it; -1 unknown */
	bool too_large;           /* stopped at max_bytes */
	bool cancelled;           /* the progress callback asked to stop */
	bool head_only;           /* head_bytes reached: the file holds the feed's beginning, its last line cut */
	char error[1024];         /* set when fetch_to_file fails: cause, redacted URL, HTTP status,
	                           * and for an error page the first line of its body */
	/* With error, for a failed HTTP answer, and for a 2xx answer that is an HTML page (a login page, an error
	 * page sent as 200) where a feed was expected: its run_errors.detail JSON (core/answer_detail.h: method,
	 * path, status, content_type, and an excerpt of the body with the request's credentials blanked); "" none. */
	char detail[FETCH_DETAIL_MAX];
};

int fetch_to_file(const char *url, const struct fetch_opts *opts, struct fetch_result *res);
void fetch_cleanup(struct fetch_result *res); /* removes the temp file, if any */
/* Keeps the detail JSON of a failure in res->detail; left out ("") should it not fit. */
void fetch_set_detail(struct fetch_result *res, const char *json);

/* Copies url to buf with user:password@ and secret-looking query values (key, secret, token,
 * password, pass, pwd, auth, signature, consumer_*) replaced by "***". */
void fetch_redact_url(const char *url, char *buf, size_t size);

/* Global libcurl init, once per process before any thread starts. */
void fetch_global_init(void);

#endif
