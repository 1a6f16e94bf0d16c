/*
 * Notifications (issue 16): the rules that turn what happened into messages, and the outbox that delivers
 * them. Evaluating only records messages (one insert per channel and event, unique in the database, so every
 * process may evaluate and an event is sent once); delivering happens afterwards, from the worker's notifier
 * thread, `run --wait` or `notify deliver`, each attempt bounded by its channel's timeout, so a slow or dead
 * receiver never slows or fails a run.
 */
#ifndef FEEDSYNC_NOTIFY_NOTIFY_H
#define FEEDSYNC_NOTIFY_NOTIFY_H

#include <stdint.h>

#include "core/config.h"
#include "core/store.h"
#include "core/store_notify.h"
#include "notify/send.h"

/* After run_id's final status is committed: failed, errors over a share, N failures in a row, recovery. */
void notify_run_ended(struct store *s, int64_t run_id);
/* Runs whose heartbeat stopped for a channel's stuck_after_s, and shops whose circuit is open. */
void notify_watch(struct store *s);
/* Delivers due messages until none is due or budget_ms passed. How many attempts were made. */
int notify_deliver(struct store *s, const struct config *cfg, int64_t budget_ms);
/* `notify test`: one test message over the channel now, recorded in the outbox like any other. */
void notify_test(struct store *s, const struct config *cfg, const struct notify_channel *ch,
                 struct notify_attempt *out);

#endif
