/* Notification payloads and templates (see notify/message.h). */
#include "notify/message.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

/* How much of a run's first error a message carries: enough to recognise it, not a response body. */
#define ERROR_EXCERPT 300
/* How many held messages a summary lists by their text. */
#define SUMMARY_LISTED 10

const char NOTIFY_DEFAULT_SUBJECT[] = "[feedsync] {{text}}";
const char NOTIFY_DEFAULT_BODY[] =
	"{{text}}\n"
	"\n"
	"event:      {{event}}\n"
	"connection: {{connection.name}} ({{connection.id}})\n"
	"run:        {{run.id}} {{run.status}} (trigger {{run.trigger}})\n"
	"summary:    {{run.summary}}\n"
	"first error: {{run.first_error}}\n"
	"time:       {{time}}\n"
	"\n"
	"{{hint}}\n";

void notify_sanitise(const char *text, char *buf, size_t size)
{
	if (!size)
		return;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && n + 1 < size; p++)
		buf[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
	buf[n] = '\0';
	buf[utf8_valid_prefix(buf, n)] = '\0';
}

static void add_iso_time(cJSON *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, key, buf);
}

static void add_clean(cJSON *o, const char *key, const char *text, size_t max)
{
	char buf[1024];
	notify_sanitise(text, buf, max < sizeof(buf) ? max + 1 : sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

static cJSON *payload_start(const char *event, int64_t now)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event", event);
	add_iso_time(o, "time", now);
	return o;
}

static char *payload_finish(cJSON *o, const char *text, const char *hint)
{
	add_clean(o, "text", text, 512);
	cJSON_AddStringToObject(o, "hint", hint);
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *copy = xstrdup(out);
	cJSON_free(out);
	return copy;
}

static const char *event_words(const char *event)
{
	static const struct { const char *event, *words; } WORDS[] = {
		{"failed", "failed"}, {"errors", "completed with errors"}, {"streak", "failed again"},
		{"stuck", "is stuck"}, {"recovery", "recovered"},
	};
	for (size_t i = 0; i < ARRAY_LEN(WORDS); i++)
		if (str_eq(event, WORDS[i].event))
			return WORDS[i].words;
	return event;
}

char *notify_payload_run(const struct run_row *r, const struct notify_run_facts *f, int64_t now)
{
	cJSON *o = payload_start(f->event, now);
	cJSON *conn = cJSON_AddObjectToObject(o, "connection");
	cJSON_AddNumberToObject(conn, "id", (double)r->connection_id);
	add_clean(conn, "name", r->connection_name, 128);
	cJSON *run = cJSON_AddObjectToObject(o, "run");
	cJSON_AddNumberToObject(run, "id", (double)r->id);
	cJSON_AddStringToObject(run, "status", r->status);
	cJSON_AddStringToObject(run, "trigger", r->trigger);
	cJSON_AddStringToObject(run, "phase", r->phase);
	cJSON_AddNumberToObject(run, "attempt", r->attempt);
	add_iso_time(run, "started_at", r->started_at);
	add_iso_time(run, "finished_at", r->finished_at);
	add_iso_time(run, "heartbeat_at", r->heartbeat_at);
	cJSON *counters = cJSON_AddObjectToObject(run, "counters");
	for (int c = 0; c < RC_COUNT; c++)
		cJSON_AddNumberToObject(counters, run_counter_columns[c], (double)r->counters[c]);
	cJSON_AddNumberToObject(run, "errors_total", (double)r->errors_total);
	add_clean(run, "summary", r->summary, ERROR_EXCERPT);
	add_clean(run, "first_error", f->first_error, ERROR_EXCERPT);
	cJSON_AddNumberToObject(o, "error_share", f->error_share);
	cJSON_AddNumberToObject(o, "failures_in_a_row", (double)f->failures_in_a_row);
	char text[512], hint[128];
	if (str_eq(f->event, "streak"))
		snprintf(text, sizeof(text), "%s failed %lld times in a row (run %lld)", r->connection_name,
		         (long long)f->failures_in_a_row, (long long)r->id);
	else if (str_eq(f->event, "errors"))
		snprintf(text, sizeof(text), "%s completed with errors: %.1f%% failed (run %lld)", r->connection_name,
		         f->error_share, (long long)r->id);
	else
		snprintf(text, sizeof(text), "%s %s (run %lld)", r->connection_name, event_words(f->event),
		         (long long)r->id);
	snprintf(hint, sizeof(hint), "feedsync runs show %lld", (long long)r->id);
	return payload_finish(o, text, hint);
}

char *notify_payload_circuit(int64_t dest_id, const char *dest_name, int64_t since, const char *last_failure,
                             int64_t now)
{
	cJSON *o = payload_start("circuit", now);
	cJSON *dest = cJSON_AddObjectToObject(o, "destination");
	cJSON_AddNumberToObject(dest, "id", (double)dest_id);
	add_clean(dest, "name", dest_name, 128);
	add_iso_time(dest, "failing_since", since);
	add_clean(dest, "last_failure", last_failure, ERROR_EXCERPT);
	char text[512], hint[128];
	snprintf(text, sizeof(text), "the circuit to %s opened: pushes wait until it answers again", dest_name);
	snprintf(hint, sizeof(hint), "feedsync dest show %lld", (long long)dest_id);
	return payload_finish(o, text, hint);
}

char *notify_payload_test(const char *channel_name, int64_t now)
{
	cJSON *o = payload_start("test", now);
	char text[512];
	snprintf(text, sizeof(text), "a test message from feedsync's channel %s", channel_name);
	return payload_finish(o, text, "feedsync notify log");
}

char *notify_payload_summary(const struct notify_message *held, size_t n, int64_t total, int64_t now)
{
	cJSON *o = payload_start("summary", now);
	cJSON_AddNumberToObject(o, "held", (double)total);
	cJSON *events = cJSON_AddArrayToObject(o, "events");
	for (size_t i = 0; i < n && i < SUMMARY_LISTED; i++) {
		cJSON *p = cJSON_Parse(held[i].payload);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "text");
		cJSON_AddItemToArray(events, cJSON_CreateString(cJSON_IsString(t) ? t->valuestring : held[i].event));
		cJSON_Delete(p);
	}
	char text[512];
	snprintf(text, sizeof(text), "and %lld more: notifications held by the rate limit", (long long)total);
	return payload_finish(o, text, "feedsync notify log");
}

/* A sanitised string, with '"' and '\\' escaped when it goes inside a JSON string. */
static void add_value(struct strbuf *out, const char *clean, bool json)
{
	for (const char *p = clean; *p; p++) {
		if (json && (*p == '"' || *p == '\\'))
			sb_addc(out, '\\');
		sb_addc(out, *p);
	}
}

/* The value at a dotted path as text: strings as they are, numbers without a fraction when they have none. */
static void field_text(const cJSON *root, const char *path, size_t len, bool json, struct strbuf *out)
{
	const cJSON *v = root;
	while (v && len) {
		size_t part = 0;
		while (part < len && path[part] != '.')
			part++;
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)part, path);
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, key) : NULL;
		path += part;
		len -= part;
		if (len) {
			path++;
			len--;
		}
	}
	char clean[1024];
	if (cJSON_IsString(v)) {
		notify_sanitise(v->valuestring, clean, sizeof(clean));
		add_value(out, clean, json);
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			sb_addf(out, "%lld", (long long)v->valuedouble);
		else
			sb_addf(out, "%.1f", v->valuedouble);
	}
}

static char *render(const char *tmpl, const char *payload, bool json)
{
	cJSON *root = cJSON_Parse(payload);
	struct strbuf out = {0};
	for (const char *p = tmpl; *p;) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!close) {
			sb_adds(&out, p);
			break;
		}
		sb_add(&out, p, (size_t)(open - p));
		const char *name = open + 2;
		while (*name == ' ')
			name++;
		const char *end = close;
		while (end > name && end[-1] == ' ')
			end--;
		field_text(root, name, (size_t)(end - name), json, &out);
		p = close + 2;
	}
	cJSON_Delete(root);
	return sb_detach(&out);
}

char *notify_render(const char *tmpl, const char *payload)
{
	return render(tmpl, payload, false);
}

char *notify_render_json(const char *tmpl, const char *payload)
{
	return render(tmpl, payload, true);
}
