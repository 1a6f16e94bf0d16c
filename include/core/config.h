/*
 * feedsync.ini, read with inih. Lookup order: --config FILE, $FEEDSYNC_CONFIG, ./feedsync.ini,
 * $XDG_CONFIG_HOME/feedsync/feedsync.ini (or ~/.config/feedsync/feedsync.ini), then built-in defaults.
 * An unknown section or key, or a bad value, is an error naming file:line and what is accepted.
 * The program never writes this file.
 *
 * Every key is declared once in the CONFIG_KEYS table (config.c) with its type, default, bounds and
 * help; the shipped feedsync.ini documents the same keys.
 */
#ifndef FEEDSYNC_CORE_CONFIG_H
#define FEEDSYNC_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tui/actions.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct config {
	char source_path[4096];      /* the file read, "" when built-in defaults */

	/* [database] */
	char db_path[4096];          /* path = "": see default_db_path (core/data_dir.h) */
	int busy_timeout_ms;         /* busy_timeout_ms = 5000 */

	/* [worker] */
	int worker_threads;          /* threads = 2 (1..64) */
	int poll_interval_ms;        /* poll_interval_ms = 1000 */
	int heartbeat_interval_s;    /* heartbeat_interval_s = 5 */
	int stale_after_s;           /* stale_after_s = 60: a running run without heartbeat for this long is lost */
	int shutdown_grace_s;        /* shutdown_grace_s = 10 */

	/* [http] */
	int connect_timeout_s;       /* connect_timeout_s = 15 */
	int timeout_s;               /* timeout_s = 600 */
	int stall_timeout_s;         /* stall_timeout_s = 30 */
	int64_t max_download_bytes;  /* max_download_bytes = 2147483648 (suffixes k, m, g accepted) */
	int max_redirects;           /* max_redirects = 5 */
	char user_agent[256];        /* user_agent = "" (feedsync/<version>) */

	/* [import] */
	char temp_dir[4096];         /* temp_dir = "" ($TMPDIR or /tmp) */
	int batch_rows;              /* batch_rows = 10000: rows per catalog transaction */
	int error_cap;               /* error_cap = 1000: errors stored per run; the total is always counted */
	int samples_cap;             /* samples_cap = 600: run_samples kept per run */
	int64_t max_field_bytes;     /* max_field_bytes = 64m */
	int64_t max_value_bytes;     /* max_value_bytes = 1m: longest mapped value */
	int max_shrink_percent;      /* max_shrink_percent = 50: feeds that shrink more skip reconcile */

	/* [push] */
	int push_batch_size;         /* batch_size = 100 (1..100) */
	int push_concurrency;        /* concurrency = 4 */
	int push_retries;            /* retries = 3 */
	int push_backoff_ms;         /* backoff_ms = 1000: first retry delay, doubled each time */
	char credentials_key_file[4096]; /* credentials_key_file = "" (the database path + ".key") */

	/* [tui] */
	int refresh_ms;              /* refresh_ms = 500 */
	int escape_delay_ms;         /* escape_delay_ms = 300: Esc alone, or the start of a key split by the link */
	char theme[64];              /* theme = default */
	bool readonly;               /* readonly = false */
	bool mouse;                  /* mouse = false */
	bool ascii;                  /* ascii = false */
	bool use_worker;             /* use_worker = false: runs started in the console go to a worker daemon */

	/* [keys]: the keys of each console action, space separated (see tui/actions.h) */
	char keys[ACTION_COUNT][64];

	/* [log] */
	enum log_level log_level;    /* level = info */
	char log_file[4096];         /* file = "" (stderr) */
};

void config_defaults(struct config *cfg);
/*
 * Loads per the lookup order (explicit may be NULL). Returns 0, or -1 with err holding every problem,
 * one per line, each "file:line: message". An explicit file that does not exist is an error.
 */
int config_load(struct config *cfg, const char *explicit_path, char *err, size_t errsize);
/* Every key with its value in effect, as ini text (for `feedsync config`). */
void config_print(const struct config *cfg, FILE *out);

#endif
