/* Delivery attempts over webhooks, commands and SMTP (see notify/send.h). */
#include "notify/send.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "dest/crypto.h"
#include "dest/secret.h"
#include "feed/fetch.h"
#include "notify/message.h"

void notify_signature(const char *key, int64_t timestamp, const char *body, char *out, size_t size)
{
	struct strbuf signed_text = {0};
	sb_addf(&signed_text, "%lld.%s", (long long)timestamp, body);
	uint8_t mac[HMAC_SHA256_BYTES];
	hmac_sha256(key, strlen(key), signed_text.buf, signed_text.len, mac);
	sb_free(&signed_text);
	char hex[2 * HMAC_SHA256_BYTES + 1];
	for (int i = 0; i < HMAC_SHA256_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	snprintf(out, size, "t=%lld,v1=%s", (long long)timestamp, hex);
}

static void fail_with(struct notify_attempt *out, bool retry, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_with(struct notify_attempt *out, bool retry, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	out->ok = false;
	out->retry = retry;
}

/* The channel's secret: from its variable, or unsealed; NULL when it has none, or with out->error set when it
 * has one that cannot be read. */
static char *channel_secret(const struct config *cfg, const struct notify_channel *ch,
                            const struct notify_settings *set, struct notify_attempt *out)
{
	if (set->secret_env[0]) {
		const char *v = getenv(set->secret_env);
		if (!v || !*v) {
			fail_with(out, true, "the variable %s that holds the channel's secret is not set", set->secret_env);
			return NULL;
		}
		return xstrdup(v);
	}
	if (!ch->secret)
		return NULL;
	char *plain = NULL, err[256];
	if (secret_unseal(cfg, ch->secret, ch->secret_len, &plain, err, sizeof(err)) < 0) {
		fail_with(out, false, "cannot open the channel's sealed secret: %s", err);
		return NULL;
	}
	return plain;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static CURL *curl_for(const char *url, const struct notify_settings *set)
{
	fetch_global_init();
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)set->timeout_s);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)set->timeout_s);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	if (set->ca_file[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, set->ca_file);
	return e;
}

static void curl_failed(struct notify_attempt *out, CURLcode rc, const char *target)
{
	bool permanent = rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
	fail_with(out, !permanent, "%s: %s", target, curl_easy_strerror(rc));
}

static void send_webhook(const struct config *cfg, const struct notify_channel *ch,
                         const struct notify_settings *set, const struct notify_message *m,
                         struct notify_attempt *out)
{
	char url[1024];
	fetch_redact_url(ch->target, url, sizeof(url));
	char *key = channel_secret(cfg, ch, set, out);
	if (!key && out->error[0])
		return;
	CURL *e = curl_for(ch->target, set);
	if (!e) {
		secret_free(key);
		fail_with(out, true, "cannot start an HTTP request");
		return;
	}
	struct curl_slist *h = NULL;
	char line[256];
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");   /* DESIGN.md section 8: no 100-continue round trip */
	h = curl_slist_append(h, "User-Agent: feedsync/" FEEDSYNC_VERSION);
	snprintf(line, sizeof(line), "X-Feedsync-Event: %s", m->event);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Feedsync-Delivery: %lld", (long long)m->id);
	h = curl_slist_append(h, line);
	/* A body template shapes the JSON a receiver expects (Slack's {"text": ...}); the payload otherwise. */
	char *body = set->body[0] ? notify_render_json(set->body, m->payload) : xstrdup(m->payload);
	if (key) {
		char sig[160];
		notify_signature(key, now_ms() / 1000, body, sig, sizeof(sig));
		snprintf(line, sizeof(line), "X-Feedsync-Signature: %s", sig);
		h = curl_slist_append(h, line);
		secret_free(key);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	CURLcode rc = curl_easy_perform(e);
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	free(body);
	curl_easy_cleanup(e);
	if (rc != CURLE_OK)
		curl_failed(out, rc, url);
	else if (status >= 200 && status < 300)
		out->ok = true;
	else
		fail_with(out, status >= 500 || status == 429 || status == 408, "%s answered HTTP %ld", url, status);
}

/* ---- command ---- */

/* The command's environment: enough to run, and what the message is about; never the worker's own variables,
 * which may hold a shop's credentials. */
static char **command_env(const struct notify_message *m, const char *subject)
{
	static const char *const KEEP[] = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"};
	char **env = xcalloc(ARRAY_LEN(KEEP) + 6, sizeof(*env));
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(KEEP); i++) {
		const char *v = getenv(KEEP[i]);
		if (v)
			env[n++] = xasprintf("%s=%s", KEEP[i], v);
	}
	env[n++] = xasprintf("FEEDSYNC_EVENT=%s", m->event);
	env[n++] = xasprintf("FEEDSYNC_SUBJECT=%s", subject);
	env[n++] = xasprintf("FEEDSYNC_RUN_ID=%lld", (long long)m->run_id);
	env[n++] = xasprintf("FEEDSYNC_CONNECTION_ID=%lld", (long long)m->connection_id);
	env[n++] = xasprintf("FEEDSYNC_DELIVERY=%lld", (long long)m->id);
	return env;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The argv stored as a JSON array of strings; NULL when it is not one. */
static char **command_argv(const char *target)
{
	cJSON *arr = cJSON_Parse(target);
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
	char **argv = n ? xcalloc((size_t)n + 1, sizeof(*argv)) : NULL;
	for (int i = 0; i < n; i++) {
		const cJSON *a = cJSON_GetArrayItem(arr, i);
		if (!cJSON_IsString(a)) {
			free_strv(argv);
			argv = NULL;
			break;
		}
		argv[i] = xstrdup(a->valuestring);
	}
	cJSON_Delete(arr);
	return argv;
}

/* A file holding text, at offset 0, for a child's stdin; -1 on error. */
static int memfd_with(const char *name, const char *text)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits for the child up to timeout_ms, then kills its process group: the exit status, or -1 when killed. */
static int wait_bounded(pid_t pid, int timeout_ms)
{
	int64_t until = monotonic_ms() + timeout_ms;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (monotonic_ms() >= until) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(10);
	}
}

/* The first line of what the command wrote to stderr, for the message's last_error. */
static void first_output_line(int fd, char *buf, size_t size)
{
	buf[0] = '\0';
	char raw[256];
	ssize_t n = pread(fd, raw, sizeof(raw) - 1, 0);
	if (n <= 0)
		return;
	raw[n] = '\0';
	raw[strcspn(raw, "\n")] = '\0';
	notify_sanitise(raw, buf, size);
}

static void send_command(const struct notify_channel *ch, const struct notify_settings *set,
                         const struct notify_message *m, struct notify_attempt *out)
{
	char **argv = command_argv(ch->target);
	if (!argv) {
		fail_with(out, false, "the channel's command is not a list of arguments");
		return;
	}
	char *subject = notify_render(set->subject[0] ? set->subject : NOTIFY_DEFAULT_SUBJECT, m->payload);
	char **env = command_env(m, subject);
	free(subject);
	int in = memfd_with("feedsync-notify-in", m->payload);
	int err = memfd_create("feedsync-notify-err", MFD_CLOEXEC);
	pid_t pid = in >= 0 && err >= 0 ? fork() : -1;
	if (pid == 0) {
		/* Only async-signal-safe calls from here: the worker has other threads. */
		setpgid(0, 0);
		int null = open("/dev/null", O_WRONLY);
		dup2(in, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execvpe(argv[0], argv, env);
		_exit(127);
	}
	int status = pid > 0 ? wait_bounded(pid, set->timeout_s * 1000) : -2;
	char said[200] = "";
	if (err >= 0)
		first_output_line(err, said, sizeof(said));
	if (status == -2)
		fail_with(out, true, "cannot start %s: %s", argv[0], strerror(errno));
	else if (status == -1)
		fail_with(out, true, "%s did not finish within %d s: killed", argv[0], set->timeout_s);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		out->ok = true;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fail_with(out, false, "cannot run %s (exit 127)", argv[0]);
	else
		fail_with(out, true, "%s exited %d%s%s", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		          said[0] ? ": " : "", said);
	if (in >= 0)
		close(in);
	if (err >= 0)
		close(err);
	free_strv(argv);
	free_strv(env);
}

/* ---- e-mail ---- */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t take = u->len - u->off < size * n ? u->len - u->off : size * n;
	memcpy(buf, u->data + u->off, take);
	u->off += take;
	return take;
}

/* A header value as RFC 2047 wants it: as it is in ASCII, base64 words otherwise. */
static void add_header_text(struct strbuf *sb, const char *text)
{
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		ascii = ascii && *p < 0x80;
	if (ascii) {
		sb_adds(sb, text);
		return;
	}
	/* Words of at most 45 bytes of input keep each encoded word under 75 characters; cut on UTF-8 starts. */
	for (const char *p = text; *p;) {
		size_t take = strlen(p) < 45 ? strlen(p) : 45;
		while (take < strlen(p) && take > 1 && ((unsigned char)p[take] & 0xc0) == 0x80)
			take--;
		char enc[base64_size(45)];
		base64_encode(p, take, enc);
		sb_addf(sb, "%s=?UTF-8?B?%s?=", p == text ? "" : "\r\n ", enc);
		p += take;
	}
}

/* The message: headers, then the body with every line ended by CRLF. */
static char *mail_text(const struct notify_settings *set, const struct notify_message *m)
{
	char *subject = notify_render(set->subject[0] ? set->subject : NOTIFY_DEFAULT_SUBJECT, m->payload);
	char *body = notify_render(set->body[0] ? set->body : NOTIFY_DEFAULT_BODY, m->payload);
	char date[64], host[128] = "localhost";
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gethostname(host, sizeof(host) - 1);
	struct strbuf sb = {0};
	sb_addf(&sb, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date, set->from, set->to);
	add_header_text(&sb, subject);
	sb_addf(&sb, "\r\nMessage-ID: <feedsync.%lld.%lld@%s>\r\nMIME-Version: 1.0\r\n"
	        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
	        (long long)m->id, (long long)m->created_at, host);
	for (const char *p = body; *p; p++) {
		if (*p == '\n')
			sb_addc(&sb, '\r');
		sb_addc(&sb, *p);
	}
	free(subject);
	free(body);
	return sb_detach(&sb);
}

static void send_mail(const struct config *cfg, const struct notify_channel *ch, const struct notify_settings *set,
                      const struct notify_message *m, struct notify_attempt *out)
{
	char *password = set->user[0] ? channel_secret(cfg, ch, set, out) : NULL;
	if (!password && out->error[0])
		return;
	CURL *e = curl_for(ch->target, set);
	if (!e) {
		secret_free(password);
		fail_with(out, true, "cannot start an SMTP session");
		return;
	}
	char from[300];
	snprintf(from, sizeof(from), "<%s>", set->from);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	struct curl_slist *rcpt = NULL;
	for (const char *p = set->to; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, ","), keep = len;
		while (keep && p[keep - 1] == ' ')
			keep--;
		char one[300];
		snprintf(one, sizeof(one), "<%.*s>", (int)keep, p);
		if (keep)
			rcpt = curl_slist_append(rcpt, one);
		p += len;
		if (*p == ',')
			p++;
	}
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	if (set->starttls)
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (password) {
		curl_easy_setopt(e, CURLOPT_USERNAME, set->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, password);
	}
	char *text = mail_text(set, m);
	struct upload u = {text, strlen(text), 0};
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(e, CURLOPT_READDATA, &u);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	CURLcode rc = curl_easy_perform(e);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(e);
	secret_free(password);
	free(text);
	char url[1024];
	fetch_redact_url(ch->target, url, sizeof(url));
	if (rc != CURLE_OK)
		curl_failed(out, rc, url);
	else
		out->ok = true;
}

void notify_send(const struct config *cfg, const struct notify_channel *ch, const struct notify_settings *set,
                 const struct notify_message *m, struct notify_attempt *out)
{
	*out = (struct notify_attempt){0};
	if (str_eq(ch->kind, "webhook"))
		send_webhook(cfg, ch, set, m, out);
	else if (str_eq(ch->kind, "command"))
		send_command(ch, set, m, out);
	else if (str_eq(ch->kind, "smtp"))
		send_mail(cfg, ch, set, m, out);
	else
		fail_with(out, false, "unknown channel kind '%s'", ch->kind);
}
