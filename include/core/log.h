/*
 * The process log: startup, worker and daemon messages, one "2026-11-23 07:39:12 WARN message" line each.
 * Runs log to SQLite (run_events) instead. Safe to call from any thread; before log_init, messages of
 * level info and above go to stderr. When stderr is the systemd journal ($JOURNAL_STREAM), lines carry a
 * "<N>" syslog priority instead of the time.
 */
#ifndef FEEDSYNC_CORE_LOG_H
#define FEEDSYNC_CORE_LOG_H

#include "core/config.h" /* enum log_level */

/* path NULL or "" means stderr; a file is appended to. Returns -1 with errno set if it cannot be opened,
 * leaving the previous destination in place. */
int log_init(enum log_level level, const char *path);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the log file again by its name, after logrotate moved it (SIGHUP); -1 keeps the old one. */
int log_reopen(void);
/* Closes the log file; later messages go to stderr. */
void log_close(void);

#endif
