/*
 * A notification channel's settings: which events it sends (its rules) and how it delivers them, kept as the
 * JSON `options` column of notify_channels. One parser and one writer, so that the CLI, the evaluator and the
 * deliverer read the same defaults.
 */
#ifndef FEEDSYNC_NOTIFY_CHANNEL_H
#define FEEDSYNC_NOTIFY_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/store_notify.h"

/* The events a channel can send, as they are named in `--on` and in the payload's "event". */
#define NOTIFY_EVENTS(_) \
	_(FAILED, "failed") \
	_(ERRORS, "errors") \
	_(STREAK, "streak") \
	_(STUCK, "stuck") \
	_(CIRCUIT, "circuit") \
	_(RECOVERY, "recovery")
#define NOTIFY_EVENT_ENUM(id, name) NE_##id,
enum notify_event { NOTIFY_EVENTS(NOTIFY_EVENT_ENUM) NE_COUNT };
#undef NOTIFY_EVENT_ENUM
extern const char *const notify_event_names[NE_COUNT];
#define NE_BIT(e) (1u << (e))
/* The events a channel sends when `--on` is not given. */
#define NE_DEFAULT (NE_BIT(NE_FAILED) | NE_BIT(NE_STUCK) | NE_BIT(NE_CIRCUIT) | NE_BIT(NE_RECOVERY))

struct notify_settings {
	unsigned events;              /* NE_BIT()s */
	double error_share;           /* errors: the share of rows or items that failed, in percent, at least */
	int streak;                   /* streak: this many failed runs in a row */
	int stuck_after_s;            /* stuck: a running run whose heartbeat is older */
	int limit, per_s;             /* at most `limit` messages per `per_s` seconds (0 = no limit) */
	int attempts;                 /* delivery attempts before giving up */
	int backoff_s;                /* the first retry's delay, doubled each time */
	int timeout_s;                /* one attempt's bound */
	char secret_env[128];         /* the variable holding the signing key / SMTP password, "" = sealed or none */
	char from[256], to[1024];     /* e-mail: the sender, the recipients (comma-separated) */
	char user[256];               /* e-mail: the SMTP login */
	bool starttls;                /* e-mail: require STARTTLS on smtp:// */
	char ca_file[512];            /* certificates trusted instead of the system's (a private CA), "" = system */
	char subject[512], body[4096];   /* templates ("" = the defaults) */
};

/* Defaults, then what `json` sets. 0, or -1 with err naming the bad member. */
int notify_settings_parse(const char *json, struct notify_settings *out, char *err, size_t errsize);
/* The options column for *s (caller frees). */
char *notify_settings_json(const struct notify_settings *s);
/* "failed,stuck" (the events of a mask) into buf. */
void notify_events_text(unsigned events, char *buf, size_t size);
/* Parses "failed,errors": 0 with *events set, or -1 with err naming the unknown event. */
int notify_events_parse(const char *text, unsigned *events, char *err, size_t errsize);
/* Whether a channel kind is one feedsync delivers: "webhook", "command", "smtp". */
bool notify_kind_valid(const char *kind);

#endif
