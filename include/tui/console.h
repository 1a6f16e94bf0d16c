/* `feedsync` (or `feedsync console`): the full-screen console on this terminal. */
#ifndef FEEDSYNC_TUI_CONSOLE_H
#define FEEDSYNC_TUI_CONSOLE_H

#include <stdbool.h>

#include "core/config.h"
#include "core/store.h"

/*
 * Runs until the user quits; returns the process exit code. Lines the engine logs to stderr meanwhile
 * are held back and printed once the screen is restored. color: false for NO_COLOR or --no-color.
 */
int console_main(const struct config *cfg, struct store *store, bool color);

/*
 * The [keys] settings as the console reads them (tui/app.h app_check_keys): EXIT_OK, or EXIT_USAGE with
 * "FILE: [keys] ..." on stderr. `feedsync config` checks with it too, so it never shows keys as fine that
 * the console then refuses.
 */
int console_check_keys(const struct config *cfg);

/* True when the locale's character set is UTF-8; otherwise the console draws ASCII only. */
bool console_locale_utf8(void);

#endif
