/* Channel settings as JSON (see notify/channel.h). */
#include "notify/channel.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

#define NOTIFY_EVENT_NAME(id, name) name,
const char *const notify_event_names[NE_COUNT] = {NOTIFY_EVENTS(NOTIFY_EVENT_NAME)};
#undef NOTIFY_EVENT_NAME

static const char *const KINDS[] = {"webhook", "command", "smtp", NULL};

bool notify_kind_valid(const char *kind)
{
	return str_in(kind, KINDS);
}

void notify_events_text(unsigned events, char *buf, size_t size)
{
	struct strbuf sb = {0};
	for (int e = 0; e < NE_COUNT; e++)
		if (events & NE_BIT(e))
			sb_addf(&sb, "%s%s", sb.len ? "," : "", notify_event_names[e]);
	str_copy(buf, sb_str(&sb), size);
	sb_free(&sb);
}

static int event_of(const char *name, size_t len)
{
	for (int e = 0; e < NE_COUNT; e++)
		if (strlen(notify_event_names[e]) == len && strncmp(notify_event_names[e], name, len) == 0)
			return e;
	return -1;
}

int notify_events_parse(const char *text, unsigned *events, char *err, size_t errsize)
{
	*events = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, ",");
		int e = event_of(p, len);
		if (e < 0) {
			snprintf(err, errsize, "unknown event '%.*s' (events: failed, errors, streak, stuck, circuit, recovery)",
			         (int)len, p);
			return -1;
		}
		*events |= NE_BIT(e);
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*events) {
		snprintf(err, errsize, "no event given");
		return -1;
	}
	return 0;
}

/* The integer members and their bounds, in one table for the parser and the writer. */
struct int_member {
	const char *name;
	size_t offset;
	int min, max;
};
static const struct int_member INTS[] = {
	{"streak", offsetof(struct notify_settings, streak), 1, 1000},
	{"stuck_after_s", offsetof(struct notify_settings, stuck_after_s), 1, 7 * 24 * 3600},
	{"limit", offsetof(struct notify_settings, limit), 0, 100000},
	{"per_s", offsetof(struct notify_settings, per_s), 1, 7 * 24 * 3600},
	{"attempts", offsetof(struct notify_settings, attempts), 1, 100},
	{"backoff_s", offsetof(struct notify_settings, backoff_s), 1, 24 * 3600},
	{"timeout_s", offsetof(struct notify_settings, timeout_s), 1, 600},
};
struct text_member {
	const char *name;
	size_t offset, size;
};
#define TEXT_MEMBER(field) \
	{#field, offsetof(struct notify_settings, field), sizeof(((struct notify_settings *)0)->field)}
static const struct text_member TEXTS[] = {
	TEXT_MEMBER(secret_env), TEXT_MEMBER(from), TEXT_MEMBER(to), TEXT_MEMBER(user),
	TEXT_MEMBER(subject), TEXT_MEMBER(body), TEXT_MEMBER(ca_file),
};

int notify_settings_parse(const char *json, struct notify_settings *out, char *err, size_t errsize)
{
	*out = (struct notify_settings){.events = NE_DEFAULT, .streak = 3, .stuck_after_s = 300, .per_s = 3600,
	                                .attempts = 5, .backoff_s = 30, .timeout_s = 10};
	cJSON *root = cJSON_Parse(json ? json : "{}");
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(err, errsize, "the channel's options are not a JSON object");
		return -1;
	}
	int rc = 0;
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(root, "on");
	if (cJSON_IsString(on))
		rc = notify_events_parse(on->valuestring, &out->events, err, errsize);
	const cJSON *share = cJSON_GetObjectItemCaseSensitive(root, "error_share");
	if (cJSON_IsNumber(share))
		out->error_share = share->valuedouble;
	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(INTS); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, INTS[i].name);
		if (!v)
			continue;
		if (!cJSON_IsNumber(v) || v->valuedouble < INTS[i].min || v->valuedouble > INTS[i].max) {
			snprintf(err, errsize, "%s: expected a number from %d to %d", INTS[i].name, INTS[i].min, INTS[i].max);
			rc = -1;
		} else {
			*(int *)((char *)out + INTS[i].offset) = v->valueint;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(TEXTS); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, TEXTS[i].name);
		if (cJSON_IsString(v))
			str_copy((char *)out + TEXTS[i].offset, v->valuestring, TEXTS[i].size);
	}
	out->starttls = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "starttls"));
	cJSON_Delete(root);
	return rc;
}

char *notify_settings_json(const struct notify_settings *s)
{
	cJSON *o = cJSON_CreateObject();
	char events[128];
	notify_events_text(s->events, events, sizeof(events));
	cJSON_AddStringToObject(o, "on", events);
	cJSON_AddNumberToObject(o, "error_share", s->error_share);
	for (size_t i = 0; i < ARRAY_LEN(INTS); i++)
		cJSON_AddNumberToObject(o, INTS[i].name, *(const int *)((const char *)s + INTS[i].offset));
	for (size_t i = 0; i < ARRAY_LEN(TEXTS); i++) {
		const char *v = (const char *)s + TEXTS[i].offset;
		if (*v)
			cJSON_AddStringToObject(o, TEXTS[i].name, v);
	}
	if (s->starttls)
		cJSON_AddTrueToObject(o, "starttls");
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}
