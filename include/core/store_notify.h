/*
 * Notifications as stored (issue 16): the channels with their rules, and the outbox of messages with their
 * delivery state. The outbox is the exactly-once record: a message is unique per (channel, event key), so
 * every process may evaluate the same run end, stuck run or open circuit and only the first insert counts.
 */
#ifndef FEEDSYNC_CORE_STORE_NOTIFY_H
#define FEEDSYNC_CORE_STORE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct notify_channel {
	int64_t id;
	char *name;
	int64_t connection_id;      /* 0 = every connection */
	char *kind;                 /* "webhook", "command", "smtp" */
	char *target;               /* the URL, or the command's argv as a JSON array */
	char *options;              /* JSON: the rules and delivery settings (notify/channel.h) */
	unsigned char *secret;      /* sealed signing key or SMTP password; NULL = none stored */
	size_t secret_len;
	bool enabled;
	int64_t created_at, updated_at;
};
void notify_channel_free(struct notify_channel *c);
void notify_channels_free(struct notify_channel *c, size_t n);

/* 0 with *id set; 1 when the name is taken (err says so); -1 error. */
int store_notify_channel_insert(struct store *s, const struct notify_channel *c, int64_t *id, char *err,
                                size_t errsize);
/* Every field but created_at, by c->id. 0, 1 name taken, -1 error. */
int store_notify_channel_update(struct store *s, const struct notify_channel *c, char *err, size_t errsize);
/* By id, or by name when `ref` is not a number. 1 found, 0 not found, -1 error. */
int store_notify_channel_get(struct store *s, const char *ref, struct notify_channel *out);
/* 0 deleted, 1 not found, -1 error. */
int store_notify_channel_delete(struct store *s, int64_t id);
/* All channels by id (enabled_for < 0), or the enabled ones that watch connection enabled_for (its own and the
 * global ones; 0 = the global ones only). */
int store_notify_channels(struct store *s, int64_t enabled_for, struct notify_channel **out, size_t *n);

/* Outbox statuses: waiting or retrying, delivered, given up, held by the rate limit, counted in a summary. */
#define NOTIFY_PENDING "pending"
#define NOTIFY_SENT "sent"
#define NOTIFY_FAILED "failed"
#define NOTIFY_HELD "held"
#define NOTIFY_SUMMARISED "summarised"

struct notify_message {
	int64_t id, channel_id, run_id, connection_id;
	char channel_name[128];
	char event[16];
	char event_key[128];
	char status[16];
	char *payload;              /* the JSON body, made when the event was recorded */
	int attempts;
	int64_t next_attempt_at, created_at, sent_at;
	char last_error[512];
};
void notify_message_clear(struct notify_message *m);   /* frees what one message holds */
void notify_messages_free(struct notify_message *m, size_t n);

/* Records a message made at `now`, due at due_at: 1 recorded (its id is sqldb_last_insert_id), 0 when the
 * channel already has the key, -1 error. */
int store_notify_enqueue(struct store *s, int64_t channel_id, const char *event_key, const char *event,
                         int64_t run_id, int64_t conn_id, const char *payload, int64_t now, int64_t due_at);
/* 1 found (free with notify_message_clear), 0 not found, -1 error. */
int store_notify_get(struct store *s, int64_t id, struct notify_message *out);
/* Takes the oldest message due at `now`, moving it lease_ms ahead so no other process takes it while this one
 * delivers. 1 (*out filled, free with notify_message_clear), 0 none due, -1 error. */
int store_notify_claim(struct store *s, int64_t now, int64_t lease_ms, struct notify_message *out);
/* The outcome of an attempt: status, attempts so far, when it is due again, why it failed ("" = no error). */
int store_notify_mark(struct store *s, int64_t id, const char *status, int attempts, int64_t next_attempt_at,
                      const char *last_error, int64_t now);
/* Messages of the channel sent at or after `since`; -1 on error. */
int64_t store_notify_sent_since(struct store *s, int64_t channel_id, int64_t since);
/* The held messages of a channel, oldest first, at most limit (0 = all). */
int store_notify_held(struct store *s, int64_t channel_id, int limit, struct notify_message **out, size_t *n);
/* Marks the channel's held messages up to max_id summarised. 0 or -1. */
int store_notify_summarise(struct store *s, int64_t channel_id, int64_t max_id, int64_t now);
/* The newest messages (of channel_id and about run_id; 0 = any), at most limit. */
int store_notify_log(struct store *s, int64_t channel_id, int64_t run_id, int limit, struct notify_message **out,
                     size_t *n);
/* Deletes the messages done with (sent, given up, summarised) whose last attempt was before `before`: how
 * many, or -1. */
int store_notify_prune(struct store *s, int64_t before);
/* The event of the channel's newest message about a connection, other than summaries: 1 found, 0 none, -1. */
int store_notify_last_event(struct store *s, int64_t channel_id, int64_t conn_id, char *event, size_t size);

/* How many of the connection's finished runs up to run_id failed in a row, newest first; -1 on error. */
int64_t store_notify_failed_streak(struct store *s, int64_t conn_id, int64_t run_id);
/* The text of the run's first stored error, "" when none: 1, 0, -1. */
int store_notify_first_error(struct store *s, int64_t run_id, char *buf, size_t size);
/* The runs failed as lost (store_run_recover_stale) at finished_at: ids into *ids (caller frees). */
int store_notify_lost_runs(struct store *s, int64_t finished_at, int64_t **ids, size_t *n);
/* Running runs whose heartbeat is older than `before`, oldest first (run rows; free the array). */
int store_notify_stuck_runs(struct store *s, int64_t before, struct run_row **out, size_t *n);

#endif
