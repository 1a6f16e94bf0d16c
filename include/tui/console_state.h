/*
 * What the console remembers between sessions, per list screen: the sort column and direction, the
 * visible columns, the text filter and the quick filter. Kept in $XDG_STATE_HOME/feedsync/console.state
 * (or ~/.local/state/feedsync/console.state), never in feedsync.ini, which stays the user's. The file is
 * written whole at quit, to a temporary file renamed over it, so a crash leaves the old one; a damaged
 * one is ignored with a message naming its line.
 *
 * [Connections]
 * sort = name desc
 * columns = id,name,source,dest
 * filter = acme
 * quick = failed
 */
#ifndef FEEDSYNC_TUI_CONSOLE_STATE_H
#define FEEDSYNC_TUI_CONSOLE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/table.h"

struct console_state;

/* The state file's path, from the environment; "" when neither XDG_STATE_HOME nor HOME says where. */
void console_state_path(char *buf, size_t size);
/* Reads path; a missing file is an empty state. *problem ("" when none) says why a file was ignored. */
struct console_state *console_state_load(const char *path, char *problem, size_t size);
void console_state_free(struct console_state *st);

/* Sets the table's sort, columns and filters to those remembered for screen (before it is first read). */
void console_state_apply(const struct console_state *st, const char *screen, struct table *t);
/* Keeps the table's settings as screen's. */
void console_state_remember(struct console_state *st, const char *screen, const struct table *t);
/* Writes the file when something changed since it was read: 0, or -1 with err. */
int console_state_save(struct console_state *st, char *err, size_t size);

#endif
