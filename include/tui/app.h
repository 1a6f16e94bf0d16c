/*
 * The console: a stack of screens over one store, a dialog at most on top, a status line, and a loop
 * that sleeps in getch until a key or the next refresh tick. Each screen is a struct of operations
 * (tig's view_ops); list screens hand their table to the app, which does moving, sorting, filtering,
 * the column chooser and export for all of them.
 *
 * The loop redraws only when something changed: a key, a resize, another connection's commit
 * (PRAGMA data_version, polled every [tui] refresh_ms, less often on a screen slow to reload), a clock on
 * screen ticking, or a list's relative time ("5s ago") reading differently, checked once a second.
 * Drawing goes through wnoutrefresh/doupdate, so only changed cells reach the terminal.
 */
#ifndef FEEDSYNC_TUI_APP_H
#define FEEDSYNC_TUI_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store.h"
#include "core/store_views.h"
#include "tui/draw.h"
#include "tui/keymap.h"
#include "tui/table.h"
#include "tui/theme.h"

#define APP_MIN_COLS 80
#define APP_MIN_LINES 24
#define APP_STACK_MAX 16

struct app;
struct screen;
struct dialog;

struct screen_ops {
	const char *name;
	/* This screen's own actions, ending with ACTION_NONE: matched before the list's and the global ones. */
	const enum action *actions;
	/* Reads what the screen shows from the store (on entry, and when the data changed). */
	void (*load)(struct screen *s);
	/* The body, rows y .. y + h - 1. */
	void (*draw)(struct screen *s, const struct draw *d, int y, int h);
	/* True when the action was handled. */
	bool (*act)(struct screen *s, enum action a);
	/* The title bar's text. */
	void (*title)(struct screen *s, struct strbuf *out);
	/* True while a clock on screen runs (the screen is redrawn every second). */
	bool (*ticking)(struct screen *s);
	/* Optional: keys the screen reads itself (a form), before any action; true when it took the key. */
	bool (*key)(struct screen *s, int key);
	/* Optional: the status line's text when there is no message, instead of the key hints. */
	void (*status)(struct screen *s, struct strbuf *out);
	/* Optional: how often a ticking screen is redrawn, in ms (0 = every second). */
	int tick_ms;
	void (*free)(struct screen *s);
};

struct screen {
	const struct screen_ops *ops;
	struct app *app;
	struct table *table;   /* a list screen's table, NULL otherwise */
};

struct app {
	const struct config *cfg;
	struct store *store;
	struct store_views *views;
	struct keymap keys;
	struct theme theme;
	const struct glyphs *g;
	bool readonly;
	bool mouse;

	struct screen *stack[APP_STACK_MAX];
	int depth;
	struct dialog *dialog;

	char search[128];          /* the last text typed after /, for n and N */
	struct cmdline *cmdline;   /* `:` commands and their history */
	struct console_state *state;   /* each list's sort, columns and filters, kept between sessions */

	char message[512];
	enum role message_role;
	int64_t message_at;        /* monotonic ms */

	struct runner *runner;
	int64_t data_version;
	int64_t last_poll, last_tick, last_clock, last_recover;   /* monotonic ms */
	int64_t reload_ms;         /* what the last reload for another connection's commit took (app_poll) */
	bool dirty;
	bool quit;
	bool too_small;   /* below APP_MIN_*: only quit works (as the last key found it) */
	/* Set by a signal handler (SIGTERM, SIGHUP): stop the runs in flight and quit. NULL = none. */
	const volatile sig_atomic_t *terminate;
};

/*
 * After initscr/newterm. color: colours wanted (not NO_COLOR or --no-color); ascii: --ascii or a
 * locale that is not UTF-8. NULL with err set when the [keys] settings are wrong.
 */
struct app *app_new(const struct config *cfg, struct store *store, bool color, bool ascii, char *err,
                    size_t errsize);
void app_free(struct app *app);
/* The [keys] settings as app_new reads them: 0, or -1 with err saying what is wrong (before curses starts). */
int app_check_keys(const struct config *cfg, char *err, size_t errsize);

/* The main loop: until the user quits. */
void app_run(struct app *app);
/* One key (as wgetch returns it), then whatever it changed. */
void app_key(struct app *app, int key);
/* Draws the whole screen into curses' buffers and sends the difference to the terminal. */
void app_draw(struct app *app);
/* Reloads the screen when another connection committed; called between keys. */
void app_poll(struct app *app);

/* Quits, first asking when runs started here are still working. */
void app_quit(struct app *app);

struct screen *app_top(struct app *app);
void app_push(struct app *app, struct screen *s);
void app_pop(struct app *app);

void app_message(struct app *app, enum role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reloads the screen on top after this process changed data (PRAGMA data_version ignores our own). */
void app_changed(struct app *app);

/* Cell context for formatting now. */
struct cell_ctx app_cell_ctx(const struct app *app);
/* The keys of an action as "k/Up" for hints; "" when unbound. */
void app_key_hint(const struct app *app, enum action a, char *buf, size_t size);

#endif
