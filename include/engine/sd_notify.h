/*
 * The service manager protocol of sd_notify(3), without libsystemd: `feedsync worker` under systemd
 * (Type=notify, WatchdogSec=) says when it is ready, that it is alive, and that it is stopping.
 */
#ifndef FEEDSYNC_ENGINE_SD_NOTIFY_H
#define FEEDSYNC_ENGINE_SD_NOTIFY_H

#include <stdint.h>

/* Sends state ("READY=1", "WATCHDOG=1", ...) to $NOTIFY_SOCKET: 1 sent, 0 no socket set, -1 failed. */
int sd_notify_send(const char *state);
/* How often to send WATCHDOG=1, in ms: half of $WATCHDOG_USEC when it is meant for this process
 * ($WATCHDOG_PID unset or ours), else 0. */
int64_t sd_watchdog_interval_ms(void);

#endif
