/*
 * One delivery attempt of one message over its channel: a webhook POST signed with HMAC-SHA256, a command run
 * with the payload on stdin (argv as configured, never a shell), or an e-mail through SMTP (libcurl). Each is
 * bounded by the channel's timeout; the answer says whether trying again could help.
 */
#ifndef FEEDSYNC_NOTIFY_SEND_H
#define FEEDSYNC_NOTIFY_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store_notify.h"
#include "notify/channel.h"

struct notify_attempt {
	bool ok;
	bool retry;                 /* a timeout, a 5xx or 429, a refused connection: worth another attempt */
	char error[512];            /* why it failed, without the secret */
};

void notify_send(const struct config *cfg, const struct notify_channel *ch, const struct notify_settings *set,
                 const struct notify_message *m, struct notify_attempt *out);

/* The signature header's value for a body sent at `timestamp` (seconds): "t=TS,v1=HEX", the HMAC-SHA256 with
 * `key` of "TS.BODY". The one place a notification is signed. */
void notify_signature(const char *key, int64_t timestamp, const char *body, char *out, size_t size);

#endif
