/*
 * Brings a feed to a local file. A remote body streams through a sink into a temp file, and a gzip body is
 * inflated on the way, so every later stage reads one plain local file whatever the transport did.
 */
#include "feed/fetch.h"

#include "core/answer_detail.h"
#include "core/util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifndef FEEDSYNC_VERSION
#define FEEDSYNC_VERSION "0.1"
#endif

#define DEFAULT_CONNECT_TIMEOUT_S 15
#define DEFAULT_TIMEOUT_S 600
#define DEFAULT_STALL_TIMEOUT_S 30
#define DEFAULT_MAX_BYTES (UINT64_C(2) << 30)
#define DEFAULT_MAX_REDIRECTS 5

#define INFLATE_CHUNK (64 * 1024)
#define LOCAL_READ_CHUNK (256 * 1024)
#define ERROR_BODY_MAX 4096 /* enough of an error page to find its message */
#define SUMMARY_MAX 200      /* longest excerpt of an error page shown in a message */
#define MAX_ECHOED_SECRETS 16

static const unsigned char gzip_magic[2] = {0x1f, 0x8b};

static int fail(struct fetch_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct fetch_result *res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- sink: bytes in, optionally gunzipped, out to a temp file ---- */

struct sink {
	struct fetch_result *res;  /* receives the error, and the path on success */
	const char *source;        /* redacted URL or path, for messages */
	const char *dir;
	uint64_t max_bytes;
	int fd;
	char path[PATH_MAX];       /* temp file; emptied once handed to res */
	uint64_t written;          /* plain bytes in the file */
	uint64_t gzip_in;          /* compressed bytes fed to zlib */
	unsigned char head[2];     /* the first bytes, held until they tell whether the body is gzip */
	size_t head_len;
	bool decided;
	bool gunzip;
	bool member_done;          /* zlib reached the end of a gzip member */
	bool head_only;            /* a sample: the rest of the feed is not wanted, a cut gzip stream is fine */
	bool failed;
	z_stream z;
	unsigned char *out;
};

static int sink_open(struct sink *s, struct fetch_result *res, const char *source, const char *dir,
		     uint64_t max_bytes)
{
	memset(s, 0, sizeof(*s));
	s->res = res;
	s->source = source;
	s->dir = dir;
	s->max_bytes = max_bytes;
	s->fd = -1;
	int n = snprintf(s->path, sizeof(s->path), "%s/feedsync-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(s->path)) {
		s->path[0] = '\0';
		return fail(res, "cannot create a temp file in %s: path too long", dir);
	}
	s->fd = mkstemp(s->path); /* mode 0600 */
	if (s->fd < 0) {
		int err = errno;
		s->path[0] = '\0';
		return fail(res, "cannot create a temp file in %s: %s", dir, strerror(err));
	}
	return 0;
}

static int sink_fail(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sink_fail(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->res->error, sizeof(s->res->error), fmt, ap);
	va_end(ap);
	s->failed = true;
	return -1;
}

static int sink_put(struct sink *s, const unsigned char *p, size_t n)
{
	if (n > s->max_bytes - s->written) {
		s->res->too_large = true;
		char limit[32];
		format_size_setting(s->max_bytes, limit, sizeof(limit));
		return sink_fail(s, "feed larger than the %s limit (http.max_download_bytes): %s", limit, s->source);
	}
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return sink_fail(s, "cannot write to temp dir %s: %s", s->dir,
					 strerror(w < 0 ? errno : ENOSPC));
		p += w;
		n -= (size_t)w;
		s->written += (uint64_t)w;
	}
	return 0;
}

static int sink_inflate(struct sink *s, const unsigned char *p, size_t n)
{
	s->z.next_in = (unsigned char *)p;
	s->z.avail_in = (uInt)n;
	s->gzip_in += n;
	for (;;) {
		if (s->member_done) {
			if (s->z.avail_in == 0)
				return 0;
			/* concatenated gzip members, as `cat a.gz b.gz` makes, are one valid gzip file */
			inflateReset(&s->z);
			s->member_done = false;
		}
		s->z.next_out = s->out;
		s->z.avail_out = INFLATE_CHUNK;
		int zrc = inflate(&s->z, Z_NO_FLUSH);
		size_t got = INFLATE_CHUNK - s->z.avail_out;
		if (got > 0 && sink_put(s, s->out, got) < 0)
			return -1;
		if (zrc == Z_STREAM_END) {
			s->member_done = true;
			continue;
		}
		if (zrc == Z_BUF_ERROR || (zrc == Z_OK && s->z.avail_in == 0 && s->z.avail_out > 0))
			return 0; /* wants more input */
		if (zrc != Z_OK)
			return sink_fail(s, "gzip data is corrupt near byte %llu (%s): %s",
					 (unsigned long long)(s->gzip_in - s->z.avail_in),
					 s->z.msg ? s->z.msg : "bad data", s->source);
	}
}

static int sink_consume(struct sink *s, const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	return s->gunzip ? sink_inflate(s, p, n) : sink_put(s, p, n);
}

/* The magic alone decides: a server may already have decoded a .gz name, and gzip always starts with it. */
static int sink_decide(struct sink *s)
{
	s->decided = true;
	s->gunzip = s->head_len == 2 && memcmp(s->head, gzip_magic, 2) == 0;
	if (s->gunzip) {
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			return sink_fail(s, "cannot start gzip decoding: out of memory");
		s->out = xmalloc(INFLATE_CHUNK);
	}
	return sink_consume(s, s->head, s->head_len);
}

static int sink_write(struct sink *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (!s->decided) {
		while (n > 0 && s->head_len < sizeof(s->head)) {
			s->head[s->head_len++] = *p++;
			n--;
		}
		if (s->head_len < sizeof(s->head))
			return 0;
		if (sink_decide(s) < 0)
			return -1;
	}
	return sink_consume(s, p, n);
}

static void sink_release_zlib(struct sink *s)
{
	if (s->out)
		inflateEnd(&s->z);
	free(s->out);
	s->out = NULL;
}

/* Completes the file and hands it to res. */
static int sink_finish(struct sink *s)
{
	if (!s->decided && sink_decide(s) < 0)
		return -1;
	if (s->gunzip && !s->member_done && !s->head_only)
		return sink_fail(s, "gzip data truncated after %llu bytes: the download or file is incomplete (%s)",
				 (unsigned long long)s->gzip_in, s->source);
	int rc = close(s->fd);
	s->fd = -1;
	if (rc != 0)
		return sink_fail(s, "cannot write to temp dir %s: %s", s->dir, strerror(errno));
	sink_release_zlib(s);
	str_copy(s->res->path, s->path, sizeof(s->res->path));
	s->res->is_temp = true;
	s->res->bytes = s->written;
	s->res->head_only = s->head_only;
	s->path[0] = '\0';
	return 0;
}

/* Drops whatever sink_finish did not hand over, so a failed fetch leaves no partial file behind. */
static void sink_discard(struct sink *s)
{
	sink_release_zlib(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->path[0])
		unlink(s->path);
	s->path[0] = '\0';
}

/* ---- URL redaction ---- */

static const char *const secret_words[] = {
	"key", "secret", "token", "password", "pass", "pwd", "auth", "signature", "sig", "credential",
};

/* A word of the name (split on punctuation) that ends in a secret word: api_key, apiKey, access_token. */
static bool is_secret_param(const char *name, size_t len)
{
	if (len >= 9 && strncasecmp(name, "consumer_", 9) == 0)
		return true;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && isalnum((unsigned char)name[i]))
			i++;
		size_t wlen = i - start;
		for (size_t k = 0; wlen > 0 && k < ARRAY_LEN(secret_words); k++) {
			size_t slen = strlen(secret_words[k]);
			if (wlen >= slen && strncasecmp(name + i - slen, secret_words[k], slen) == 0)
				return true;
		}
		while (i < len && !isalnum((unsigned char)name[i]))
			i++;
	}
	return false;
}

/* Copies name=value pairs, hiding secret values, up to the end of the query ('#') or of the fragment. */
static const char *redact_params(struct strbuf *sb, const char *p, bool in_query)
{
	const char *ends_pair = in_query ? "&;#" : "&;";
	while (*p && !(in_query && *p == '#')) {
		size_t len = strcspn(p, ends_pair);
		const char *eq = memchr(p, '=', len);
		if (eq && is_secret_param(p, (size_t)(eq - p))) {
			sb_add(sb, p, (size_t)(eq - p) + 1);
			sb_adds(sb, "***");
		} else {
			sb_add(sb, p, len);
		}
		p += len;
		if (*p == '&' || *p == ';')
			sb_addc(sb, *p++);
	}
	return p;
}

static const char *scheme_end(const char *url)
{
	const char *p = url;
	if (!isalpha((unsigned char)*p))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0 ? p + 3 : NULL;
}

void fetch_redact_url(const char *url, char *buf, size_t size)
{
	const char *authority = url ? scheme_end(url) : NULL;
	if (!authority) {
		str_copy(buf, url ? url : "", size);
		return;
	}
	struct strbuf sb = {0};
	size_t alen = strcspn(authority, "/?#");
	const char *at = memrchr(authority, '@', alen);
	sb_add(&sb, url, (size_t)(authority - url));
	if (at)
		sb_adds(&sb, "***@");
	const char *p = at ? at + 1 : authority;
	size_t plen = strcspn(p, "?#");
	sb_add(&sb, p, plen);
	p += plen;
	if (*p == '?') {
		sb_addc(&sb, *p++);
		p = redact_params(&sb, p, true);
	}
	if (*p == '#') {
		sb_addc(&sb, *p++);
		redact_params(&sb, p, false);
	}
	str_copy(buf, sb_str(&sb), size);
	sb_free(&sb);
}

/* ---- error pages ---- */

static const char *const inline_tags[] = {"a", "b", "i", "em", "strong", "span", "code", "small", "u", "font", "tt"};

static bool is_inline_tag(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(inline_tags); i++)
		if (strcmp(name, inline_tags[i]) == 0)
			return true;
	return false;
}

/* Index just past the "</name ...>" that closes a script or style element, or len. */
static size_t skip_raw_text(const char *s, size_t len, size_t i, const char *name)
{
	size_t nlen = strlen(name);
	for (; i + 2 + nlen <= len; i++) {
		if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nlen) == 0) {
			const char *end = memchr(s + i, '>', len - i);
			return end ? (size_t)(end - s) + 1 : len;
		}
	}
	return len;
}

/* The text of a markup body: tags that start a block become line breaks, scripts and styles vanish. */
static void strip_markup(const char *s, size_t len, struct strbuf *out)
{
	size_t i = 0;
	while (i < len) {
		if (s[i] != '<') {
			sb_addc(out, s[i++]);
			continue;
		}
		if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			const char *end = memmem(s + i, len - i, "-->", 3);
			i = end ? (size_t)(end - s) + 3 : len;
			continue;
		}
		const char *end = memchr(s + i, '>', len - i);
		if (!end)
			break;
		bool closing = s[i + 1] == '/';
		char name[16];
		size_t n = 0, j = i + 1 + closing;
		while (j < len && isalnum((unsigned char)s[j]) && n + 1 < sizeof(name))
			name[n++] = (char)tolower((unsigned char)s[j++]);
		name[n] = '\0';
		i = (size_t)(end - s) + 1;
		if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
			i = skip_raw_text(s, len, i, name);
		if (!is_inline_tag(name))
			sb_addc(out, '\n');
	}
}

/* Length of the valid UTF-8 character at s, 0 when it is not one. */
static size_t utf8_char_len(const char *s, size_t len)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	return n > 0 && n <= len && utf8_valid_prefix(s, n) == n ? n : 0;
}

/* Cleans one line into out: control characters dropped, spaces collapsed, invalid UTF-8 shown as '?'. */
static void clean_line(const char *s, size_t len, struct strbuf *out)
{
	sb_reset(out);
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = utf8_char_len(s + i, len - i);
		if (c == ' ' || c == '\t') {
			if (out->len > 0 && out->buf[out->len - 1] != ' ')
				sb_addc(out, ' ');
		} else if (n == 0) {
			sb_addc(out, '?');
		} else if (c >= 0x20 && c != 0x7f) {
			sb_add(out, s + i, n);
		}
		i += n ? n : 1;
	}
	while (out->len > 0 && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

/* A line that only repeats the status ("404", "Not Found", "404 Not Found") says nothing new. */
static bool repeats_status(const char *line, long status, const char *reason)
{
	char code[24], code_reason[96];
	snprintf(code, sizeof(code), "%ld", status);
	snprintf(code_reason, sizeof(code_reason), "%ld %s", status, reason);
	return strcmp(line, code) == 0 || strcasecmp(line, code_reason) == 0 ||
	       (*reason && strcasecmp(line, reason) == 0);
}

/* The first informative line of an error body, shortened to SUMMARY_MAX bytes; "" for binary bodies. */
static void summarize_body(const char *body, size_t len, const char *content_type, long status,
			   const char *reason, char *out, size_t size)
{
	out[0] = '\0';
	if (len == 0 || memchr(body, '\0', len))
		return;
	struct strbuf text = {0}, line = {0};
	size_t lead = strspn(body, " \t\r\n");
	bool markup = (content_type && (strstr(content_type, "html") || strstr(content_type, "xml"))) ||
		      (lead < len && body[lead] == '<');
	if (markup)
		strip_markup(body, len, &text);
	else
		sb_add(&text, body, len);
	const char *p = sb_str(&text);
	while (*p) {
		size_t n = strcspn(p, "\r\n");
		clean_line(p, n, &line);
		if (line.len > 0 && !repeats_status(line.buf, status, reason))
			break;
		sb_reset(&line);
		p += n + strspn(p + n, "\r\n");
	}
	if (line.len > SUMMARY_MAX) {
		size_t cut = SUMMARY_MAX;
		while (cut > 0 && ((unsigned char)line.buf[cut] & 0xc0) == 0x80)
			cut--;
		line.len = cut;
		sb_adds(&line, "...");
	}
	str_copy(out, sb_str(&line), size);
	sb_free(&text);
	sb_free(&line);
}

static const char *standard_reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* ---- http(s) ---- */

struct transfer {
	struct sink sink;
	struct fetch_result *res;
	const struct fetch_opts *opts;
	const char *url;           /* as given: it may hold credentials */
	const char *shown_url;
	long status;               /* of the last status line: the final response once the body flows */
	char reason[64];
	struct strbuf error_body;  /* the start of a non-2xx body */
	bool error_body_full;
	uint64_t last_received;
	int64_t last_data_ms;      /* when bytes last arrived */
	bool stalled;
};

static bool status_ok(long status)
{
	return status >= 200 && status < 300;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nitems;
	if (n > 5 && memcmp(buf, "HTTP/", 5) == 0) {
		char line[128];
		size_t len = n < sizeof(line) ? n : sizeof(line) - 1;
		memcpy(line, buf, len);
		line[len] = '\0';
		char *rest = strchr(line, ' ');
		t->status = rest ? strtol(rest, &rest, 10) : 0;
		str_copy(t->reason, rest ? str_trim(rest) : "", sizeof(t->reason));
	}
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;
	if (status_ok(t->status)) {
		if (sink_write(&t->sink, data, n) < 0)
			return 0;
		if (t->opts->head_bytes && t->sink.written >= t->opts->head_bytes) {
			t->sink.head_only = true;
			return 0;   /* enough for a sample: stop the transfer here */
		}
		return n;
	}
	size_t room = ERROR_BODY_MAX - t->error_body.len;
	sb_add(&t->error_body, data, n < room ? n : room);
	if (t->error_body.len < ERROR_BODY_MAX)
		return n;
	t->error_body_full = true;
	return 0; /* the rest of an error page is not worth waiting for */
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	struct transfer *t = ud;
	int64_t now = monotonic_ms();
	if ((uint64_t)dlnow != t->last_received || t->last_data_ms == 0) {
		t->last_received = (uint64_t)dlnow;
		t->last_data_ms = now;
	} else if (now - t->last_data_ms >= t->opts->stall_timeout_s * 1000) {
		/* CURLOPT_LOW_SPEED_TIME averages over several seconds, so it would fire late after a burst */
		t->stalled = true;
		return 1;
	}
	if (!t->opts->progress)
		return 0;
	if (t->opts->progress(t->opts->progress_ud, (uint64_t)dlnow, (uint64_t)dltotal) != 0) {
		t->res->cancelled = true;
		return 1;
	}
	return 0;
}

static void restrict_protocols(CURL *curl)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

static void set_credentials(CURL *curl, const struct fetch_opts *o)
{
	if (o->bearer_token && *o->bearer_token) {
		curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, o->bearer_token);
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
	} else if (o->username && *o->username) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, o->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, o->password ? o->password : "");
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
}

static void configure(CURL *curl, const char *url, struct transfer *t, struct curl_slist *headers,
		      char *curl_error)
{
	const struct fetch_opts *o = t->opts;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	restrict_protocols(curl);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, o->max_redirects);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, o->timeout_s);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 128L * 1024);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	set_credentials(curl, o);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
}

static void record_response(CURL *curl, struct fetch_result *res)
{
	char *type = NULL;
	curl_off_t wire = 0, declared = -1;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->http_status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
	res->content_length = declared;
	curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &wire);
	res->wire_bytes = wire > 0 ? (uint64_t)wire : 0;
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
		str_copy(res->content_type, type, sizeof(res->content_type));
}

/* The credentials an error page may echo: the password and token sent, and the URL's password and secret query
 * values (see fetch_redact_url). */
struct echoed_secrets {
	char *v[MAX_ECHOED_SECRETS + 1];   /* copies, NULL-terminated */
	size_t n;
};

static void echo_add(struct echoed_secrets *e, const char *s, size_t len)
{
	if (!s || len == 0 || e->n == MAX_ECHOED_SECRETS)
		return;
	e->v[e->n++] = xstrndup(s, len);
}

static void echoed_secrets_of(const char *url, const struct fetch_opts *o, struct echoed_secrets *e)
{
	memset(e, 0, sizeof(*e));
	if (o->password)
		echo_add(e, o->password, strlen(o->password));
	if (o->bearer_token)
		echo_add(e, o->bearer_token, strlen(o->bearer_token));
	const char *authority = scheme_end(url);
	if (!authority)
		return;
	size_t alen = strcspn(authority, "/?#");
	const char *at = memrchr(authority, '@', alen);
	const char *colon = at ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
	if (colon)
		echo_add(e, colon + 1, (size_t)(at - colon - 1));
	const char *p = strchr(authority, '?');
	for (p = p ? p + 1 : ""; *p && *p != '#';) {
		size_t len = strcspn(p, "&;#");
		const char *eq = memchr(p, '=', len);
		if (eq && is_secret_param(p, (size_t)(eq - p)))
			echo_add(e, eq + 1, (size_t)(p + len - eq - 1));
		p += len;
		if (*p == '&' || *p == ';')
			p++;
	}
}

static void echoed_secrets_free(struct echoed_secrets *e)
{
	for (size_t i = 0; i < e->n; i++) {
		explicit_bzero(e->v[i], strlen(e->v[i]));
		free(e->v[i]);
	}
}

void fetch_set_detail(struct fetch_result *res, const char *json)
{
	if (strlen(json) < sizeof(res->detail))
		str_copy(res->detail, json, sizeof(res->detail));
}

/* The detail of an answer: the request as shown (no credentials) and the start of the page. */
static void keep_answer(struct transfer *t, const char *body, size_t len)
{
	struct fetch_result *res = t->res;
	const char *authority = scheme_end(t->shown_url);
	const char *path = authority ? authority + strcspn(authority, "/?#") : NULL;
	struct echoed_secrets secrets;
	echoed_secrets_of(t->url, t->opts, &secrets);
	cJSON *d = answer_detail(&(struct answer){.method = "GET", .target = path && *path == '/' ? path : NULL,
	                                          .status = res->http_status, .content_type = res->content_type,
	                                          .body = body, .len = len, .excerpt = true,
	                                          .secrets = (const char *const *)secrets.v});
	char *text = answer_detail_text(d);
	fetch_set_detail(res, text);
	free(text);
	echoed_secrets_free(&secrets);
}

static int http_status_error(struct transfer *t)
{
	struct fetch_result *res = t->res;
	keep_answer(t, t->error_body.buf, t->error_body.len);
	const char *reason = t->reason[0] ? t->reason : standard_reason(res->http_status);
	char summary[SUMMARY_MAX + 8];
	summarize_body(sb_str(&t->error_body), t->error_body.len, res->content_type, res->http_status, reason,
		       summary, sizeof(summary));
	return fail(res, "HTTP %ld%s%s from %s%s%s", res->http_status, *reason ? " " : "", reason, t->shown_url,
		    *summary ? ": " : "", summary);
}

/* A page where a feed was expected is kept in case the feed cannot be read: its start is read back from the file. */
static void keep_html_answer(struct transfer *t)
{
	if (!strcasestr(t->res->content_type, "html"))
		return;
	char head[ERROR_BODY_MAX];
	int fd = open(t->res->path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, head, sizeof(head), 0) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0)
		keep_answer(t, head, (size_t)n);
}

static int timeout_error(CURL *curl, struct transfer *t)
{
	curl_off_t connected = 0, total = 0;
	curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total);
	const struct fetch_opts *o = t->opts;
	if (connected == 0 && !t->stalled)
		return fail(t->res, "could not connect to %s within %ld s (http.connect_timeout_s)", t->shown_url,
			    o->connect_timeout_s);
	if (!t->stalled && total + 500000 >= (curl_off_t)o->timeout_s * 1000000) /* curl may stop a hair early */
		return fail(t->res, "download from %s did not finish within %ld s (http.timeout_s)", t->shown_url,
			    o->timeout_s);
	return fail(t->res, "timed out after %ld s with no data from %s (http.stall_timeout_s)", o->stall_timeout_s,
		    t->shown_url);
}

static int transfer_outcome(CURL *curl, struct transfer *t, CURLcode rc, const char *curl_error)
{
	struct fetch_result *res = t->res;
	if (t->sink.failed)
		return -1;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && (t->error_body_full || t->sink.head_only))) {
		if (!status_ok(res->http_status))
			return http_status_error(t);
		if (sink_finish(&t->sink) < 0)
			return -1;
		keep_html_answer(t);
		return 0;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK && res->cancelled)
		return fail(res, "download cancelled: %s", t->shown_url);
	if (rc == CURLE_OPERATION_TIMEDOUT || (rc == CURLE_ABORTED_BY_CALLBACK && t->stalled))
		return timeout_error(curl, t);
	const char *why = curl_error[0] ? curl_error : curl_easy_strerror(rc);
	if (rc == CURLE_TOO_MANY_REDIRECTS)
		return fail(res, "cannot fetch %s: %s (http.max_redirects)", t->shown_url, why);
	return fail(res, "cannot fetch %s: %s", t->shown_url, why);
}

static int fetch_http(const char *url, const char *shown_url, const struct fetch_opts *o, struct fetch_result *res)
{
	struct transfer t = {.res = res, .opts = o, .url = url, .shown_url = shown_url};
	if (sink_open(&t.sink, res, shown_url, o->temp_dir, o->max_bytes) < 0)
		return -1;
	CURL *curl = curl_easy_init();
	if (!curl) {
		sink_discard(&t.sink);
		return fail(res, "cannot fetch %s: libcurl failed to start", shown_url);
	}
	char curl_error[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
	configure(curl, url, &t, headers, curl_error);
	CURLcode rc = curl_easy_perform(curl);
	record_response(curl, res);
	int ret = transfer_outcome(curl, &t, rc, curl_error);
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	sb_free(&t.error_body);
	sink_discard(&t.sink);
	return ret;
}

/* ---- local files ---- */

static int report_progress(const struct fetch_opts *o, struct fetch_result *res, uint64_t done, uint64_t total)
{
	if (o->progress && o->progress(o->progress_ud, done, total) != 0) {
		res->cancelled = true;
		return -1;
	}
	return 0;
}

static int inflate_local(int fd, const char *path, uint64_t size, const struct fetch_opts *o,
			 struct fetch_result *res)
{
	struct sink sink;
	if (sink_open(&sink, res, path, o->temp_dir, o->max_bytes) < 0)
		return -1;
	unsigned char *buf = xmalloc(LOCAL_READ_CHUNK);
	int ret = 0;
	for (;;) {
		ssize_t n = read(fd, buf, LOCAL_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(res, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			ret = sink_finish(&sink);
			break;
		}
		res->wire_bytes += (uint64_t)n;
		if (sink_write(&sink, buf, (size_t)n) < 0) {
			ret = -1;
			break;
		}
		if (report_progress(o, res, res->wire_bytes, size) < 0) {
			ret = fail(res, "cancelled while unpacking %s", path);
			break;
		}
	}
	free(buf);
	sink_discard(&sink);
	return ret;
}

static int fetch_local(const char *path, const struct fetch_opts *o, struct fetch_result *res)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(res, "cannot read %s: %s", path, strerror(errno));
	struct stat st;
	unsigned char magic[2];
	ssize_t got = 0;
	int ret = 0;
	if (fstat(fd, &st) != 0)
		ret = fail(res, "cannot read %s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		ret = fail(res, "cannot read %s: it is a directory, not a feed file", path);
	else if (!S_ISREG(st.st_mode))
		ret = fail(res, "cannot read %s: not a regular file", path);
	else if ((got = pread(fd, magic, sizeof(magic), 0)) < 0)
		ret = fail(res, "cannot read %s: %s", path, strerror(errno));
	else if (got == 2 && memcmp(magic, gzip_magic, 2) == 0)
		ret = inflate_local(fd, path, (uint64_t)st.st_size, o, res);
	else if (str_copy(res->path, path, sizeof(res->path)) >= sizeof(res->path))
		ret = fail(res, "cannot read %s: path too long", path);
	else {
		res->bytes = res->wire_bytes = (uint64_t)st.st_size;
		if (report_progress(o, res, res->bytes, res->bytes) < 0)
			ret = fail(res, "cancelled while reading %s", path);
	}
	close(fd);
	if (ret != 0)
		res->path[0] = '\0';
	return ret;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* file:///path and file://localhost/path to a percent-decoded path; the query and fragment are dropped. */
static int file_url_path(const char *url, char *path, size_t size, struct fetch_result *res)
{
	const char *p = url + strlen("file://");
	size_t hlen = strcspn(p, "/");
	if (hlen > 0 && !(hlen == 9 && strncasecmp(p, "localhost", 9) == 0))
		return fail(res, "cannot read %s: a file:// URL must name a local path (file:///path)", url);
	p += hlen;
	size_t n = 0, end = strcspn(p, "?#");
	for (size_t i = 0; i < end; i++) {
		char c = p[i];
		if (c == '%' && i + 2 < end + 1 && hex_value(p[i + 1]) >= 0 && hex_value(p[i + 2]) >= 0) {
			c = (char)(hex_value(p[i + 1]) * 16 + hex_value(p[i + 2]));
			i += 2;
			if (c == '\0')
				return fail(res, "cannot read %s: the path contains %%00", url);
		}
		if (n + 1 >= size)
			return fail(res, "cannot read %s: path too long", url);
		path[n++] = c;
	}
	path[n] = '\0';
	if (n == 0)
		return fail(res, "cannot read %s: no path in the URL", url);
	return 0;
}

/* ---- entry points ---- */

static bool has_scheme(const char *url, const char *scheme)
{
	return strncasecmp(url, scheme, strlen(scheme)) == 0;
}

static struct fetch_opts resolve_opts(const struct fetch_opts *given)
{
	struct fetch_opts o = {0};
	if (given)
		o = *given;
	if (o.connect_timeout_s <= 0)
		o.connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
	if (o.timeout_s <= 0)
		o.timeout_s = DEFAULT_TIMEOUT_S;
	if (o.stall_timeout_s <= 0)
		o.stall_timeout_s = DEFAULT_STALL_TIMEOUT_S;
	if (o.max_bytes == 0)
		o.max_bytes = DEFAULT_MAX_BYTES;
	if (o.max_redirects <= 0)
		o.max_redirects = DEFAULT_MAX_REDIRECTS;
	if (!o.temp_dir || !*o.temp_dir)
		o.temp_dir = getenv("TMPDIR");
	if (!o.temp_dir || !*o.temp_dir)
		o.temp_dir = "/tmp";
	if (!o.user_agent || !*o.user_agent)
		o.user_agent = "feedsync/" FEEDSYNC_VERSION;
	return o;
}

int fetch_to_file(const char *url, const struct fetch_opts *opts, struct fetch_result *res)
{
	memset(res, 0, sizeof(*res));
	res->content_length = -1;
	if (!url || !*url)
		return fail(res, "no feed URL or path given");
	struct fetch_opts o = resolve_opts(opts);
	if (has_scheme(url, "http://") || has_scheme(url, "https://")) {
		char shown[2048];
		fetch_redact_url(url, shown, sizeof(shown));
		fetch_global_init();
		return fetch_http(url, shown, &o, res);
	}
	if (has_scheme(url, "file://")) {
		char path[PATH_MAX];
		if (file_url_path(url, path, sizeof(path), res) < 0)
			return -1;
		return fetch_local(path, &o, res);
	}
	if (scheme_end(url)) {
		char shown[2048];
		fetch_redact_url(url, shown, sizeof(shown));
		return fail(res, "cannot fetch %s: only http, https and file URLs are supported", shown);
	}
	return fetch_local(url, &o, res);
}

void fetch_cleanup(struct fetch_result *res)
{
	if (res->is_temp && res->path[0])
		unlink(res->path);
	res->is_temp = false;
	res->path[0] = '\0';
}

static void init_curl_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_curl_once);
}
