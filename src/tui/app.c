/* The console's loop, screen stack, key dispatch, title and status lines (see app.h). */
#include "tui/app.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "engine/worker.h"
#include "tui/cmdline.h"
#include "tui/console_state.h"
#include "tui/dialog.h"
#include "tui/export.h"
#include "tui/run_actions.h"
#include "tui/runner.h"
#include "tui/screens.h"
#include "tui/table_view.h"
#include "tui/wizard.h"

#define TICK_MS 1000
#define MESSAGE_MS 10000
#define RECOVER_MS 30000
#define WHEEL_ROWS 3
#define RELOAD_SHARE 200

const enum action table_actions[] = {
	ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_FIRST, ACTION_LAST,
	ACTION_SORT_NEXT, ACTION_SORT_PREVIOUS, ACTION_SORT_REVERSE, ACTION_FILTER, ACTION_SEARCH_NEXT,
	ACTION_SEARCH_PREVIOUS, ACTION_QUICK_FILTER, ACTION_COLUMNS, ACTION_EXPORT, ACTION_MARK, ACTION_UNMARK_ALL,
	ACTION_NONE,
};

const enum action global_actions[] = {
	ACTION_SHOW_CONNECTIONS, ACTION_SHOW_RUNS, ACTION_SHOW_DESTINATIONS, ACTION_SHOW_STATS, ACTION_LATEST_FAILURE,
	ACTION_COMMAND, ACTION_HELP, ACTION_REDRAW, ACTION_BACK, ACTION_QUIT, ACTION_NONE,
};

/* A key must mean one action per screen: the screen's own, the list's and the global ones together. */
static int check_screen_keys(const struct keymap *km, const struct screen_ops *ops, bool list, char *err,
                             size_t errsize)
{
	const enum action *lists[] = {ops->actions, list ? table_actions : NULL, global_actions};
	enum action seen[ACTION_COUNT];
	int n = 0;
	for (size_t l = 0; l < ARRAY_LEN(lists); l++)
		for (const enum action *a = lists[l]; a && *a != ACTION_NONE; a++)
			seen[n++] = *a;
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			for (int k = 0; k < km->nkeys[seen[i]]; k++) {
				if (keymap_matches(km, seen[j], km->keys[seen[i]][k])) {
					char name[16];
					key_label(km->keys[seen[i]][k], name, sizeof(name));
					snprintf(err, errsize, "[keys]: '%s' is bound to both %s and %s on the %s screen", name,
					         actions[seen[i]].name, actions[seen[j]].name, ops->name);
					return -1;
				}
			}
		}
	}
	return 0;
}

static int check_keys(const struct keymap *km, char *err, size_t errsize)
{
	static const struct {
		const struct screen_ops *ops;
		bool list;
	} screens[] = {
		{&connections_screen_ops, true}, {&runs_screen_ops, true}, {&run_screen_ops, false},
		{&help_screen_ops, false}, {&destinations_screen_ops, true}, {&plan_screen_ops, false}, {&wizard_screen_ops, false},
		{&log_screen_ops, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(screens); i++)
		if (check_screen_keys(km, screens[i].ops, screens[i].list, err, errsize) < 0)
			return -1;
	return 0;
}

int app_check_keys(const struct config *cfg, char *err, size_t errsize)
{
	struct keymap km;
	if (keymap_load(&km, cfg, err, errsize) < 0)
		return -1;
	return check_keys(&km, err, errsize);
}

struct app *app_new(const struct config *cfg, struct store *store, bool color, bool ascii, char *err,
                    size_t errsize)
{
	struct app *app = xcalloc(1, sizeof(*app));
	app->cfg = cfg;
	app->store = store;
	app->readonly = cfg->readonly;
	app->mouse = cfg->mouse;
	app->g = ascii ? &glyphs_ascii : &glyphs_utf8;
	if (keymap_load(&app->keys, cfg, err, errsize) < 0 || check_keys(&app->keys, err, errsize) < 0) {
		free(app);
		return NULL;
	}
	char theme_err[512];
	if (theme_init(&app->theme, cfg->theme, color, theme_err, sizeof(theme_err)) < 0)
		app_message(app, ROLE_WARN, "%s", theme_err);
	app->views = store_views_open(store);
	app->runner = runner_new(cfg);
	app->cmdline = cmdline_new();
	char path[1024], problem[1400];
	console_state_path(path, sizeof(path));
	app->state = console_state_load(path, problem, sizeof(problem));
	if (problem[0])
		app_message(app, ROLE_WARN, "%s", problem);
	app->data_version = store_data_version(store);
	if (app->mouse) {
		mouseinterval(0);   /* a press selects at once: no waiting to tell clicks from double clicks */
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	}
	if (!app->readonly)
		worker_recover_stale(store, cfg);
	app->last_poll = app->last_tick = app->last_clock = app->last_recover = monotonic_ms();
	app_push(app, screen_connections_new(app));
	app->dirty = true;
	return app;
}

void app_free(struct app *app)
{
	if (!app)
		return;
	dialog_close(app);
	while (app->depth > 0)
		app_pop(app);
	runner_free(app->runner);
	cmdline_free(app->cmdline);
	char err[1400];
	if (console_state_save(app->state, err, sizeof(err)) < 0)
		fprintf(stderr, "feedsync: %s\n", err);   /* shown once the terminal is back */
	console_state_free(app->state);
	store_views_close(app->views);
	free(app);
}

struct screen *app_top(struct app *app)
{
	return app->depth ? app->stack[app->depth - 1] : NULL;
}

void app_push(struct app *app, struct screen *s)
{
	if (app->depth == APP_STACK_MAX) {   /* the oldest screen above the first one makes room */
		struct screen *old = app->stack[1];
		old->ops->free(old);
		memmove(&app->stack[1], &app->stack[2], (APP_STACK_MAX - 2) * sizeof(app->stack[0]));
		app->depth--;
	}
	app->stack[app->depth++] = s;
	if (s->table)
		console_state_apply(app->state, s->ops->name, s->table);
	s->ops->load(s);
	app->dirty = true;
}

void app_pop(struct app *app)
{
	struct screen *s = app_top(app);
	if (!s)
		return;
	app->depth--;
	s->ops->free(s);
	if (app_top(app))
		app_top(app)->ops->load(app_top(app));
	app->dirty = true;
}

void app_message(struct app *app, enum role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->message, sizeof(app->message), fmt, ap);
	va_end(ap);
	app->message_role = role;
	app->message_at = monotonic_ms();
	app->dirty = true;
}

void app_changed(struct app *app)
{
	struct screen *s = app_top(app);
	if (s)
		s->ops->load(s);
	app->dirty = true;
}

struct cell_ctx app_cell_ctx(const struct app *app)
{
	return (struct cell_ctx){.g = app->g, .now = now_ms(), .plain = false};
}

void app_key_hint(const struct app *app, enum action a, char *buf, size_t size)
{
	if (!keymap_first(&app->keys, a, buf, size))
		buf[0] = '\0';
}

/* ---- quitting ---- */

static void stop_runs_and_quit(struct app *app, int64_t arg)
{
	(void)arg;
	app_message(app, ROLE_WARN, "cancelling the runs started here...");
	app_draw(app);
	runner_stop(app->runner, app->store);
	app->quit = true;
}

void app_quit(struct app *app)
{
	int n = runner_in_flight(app->runner);
	if (n == 0) {
		app->quit = true;
		return;
	}
	dialog_confirm(app, stop_runs_and_quit, 0,
	               "%d run%s started in this console %s still working: cancel %s and quit?", n, n == 1 ? "" : "s",
	               n == 1 ? "is" : "are", n == 1 ? "it" : "them");
}

/* ---- list actions, the same for every list ---- */

static void filter_changed(struct app *app, const char *text)
{
	struct screen *s = app_top(app);
	if (s && s->table)
		table_set_filter(s->table, text);
}

/* The text stays the search of n/N, even when Esc drops the filter. */
static void filter_done(struct app *app, const char *text, bool accepted)
{
	if (*text)
		str_copy(app->search, text, sizeof(app->search));
	filter_changed(app, accepted ? text : "");
}

static void search(struct app *app, struct table *t, int dir)
{
	if (!app->search[0]) {
		app_message(app, ROLE_WARN, "nothing to search for yet: type it after /");
		return;
	}
	struct cell_ctx ctx = app_cell_ctx(app);
	bool wrapped;
	int64_t index = table_search(t, app->search, dir, t->cursor, &ctx, &wrapped);
	if (index < 0) {
		app_message(app, ROLE_WARN, "no row holds '%s'", app->search);
		return;
	}
	int64_t was = t->cursor;
	table_move_to(t, index);
	if (index == was)
		app_message(app, ROLE_DIM, "only this row holds '%s'", app->search);
	else if (wrapped)
		app_message(app, ROLE_DIM, "search went round to the %s", dir > 0 ? "top" : "bottom");
}

static void toggle_mark(struct app *app, struct table *t)
{
	char clear[16];
	table_toggle_mark(t);
	table_move(t, 1);
	app_key_hint(app, ACTION_UNMARK_ALL, clear, sizeof(clear));
	app_message(app, ROLE_DIM, "%zu marked%s%s%s", t->nmarks, clear[0] ? " (" : "", clear, clear[0] ? " clears)" : "");
}

static void export_done(struct app *app, const char *path, bool accepted)
{
	struct screen *s = app_top(app);
	if (!accepted || !*path || !s || !s->table)
		return;
	char err[512];
	struct cell_ctx ctx = app_cell_ctx(app);
	ctx.plain = true;
	int64_t rows = table_export_csv(s->table, &ctx, path, err, sizeof(err));
	if (rows < 0)
		app_message(app, ROLE_ERROR, "%s", err);
	else
		app_message(app, ROLE_OK, "wrote %lld row%s to %s", (long long)rows, rows == 1 ? "" : "s", path);
}

static bool table_act(struct app *app, struct screen *s, enum action a)
{
	struct table *t = s->table;
	switch (a) {
	case ACTION_MOVE_UP: table_move(t, -1); break;
	case ACTION_MOVE_DOWN: table_move(t, 1); break;
	case ACTION_PAGE_UP: table_move(t, -t->page); break;
	case ACTION_PAGE_DOWN: table_move(t, t->page); break;
	case ACTION_FIRST: table_move_to(t, 0); break;
	case ACTION_LAST: table_move_to(t, t->matched - 1); break;
	case ACTION_SORT_NEXT: table_sort_next(t); break;
	case ACTION_SORT_PREVIOUS: table_sort_previous(t); break;
	case ACTION_SORT_REVERSE: table_sort_reverse(t); break;
	case ACTION_SEARCH_NEXT: search(app, t, 1); break;
	case ACTION_SEARCH_PREVIOUS: search(app, t, -1); break;
	case ACTION_MARK: toggle_mark(app, t); break;
	case ACTION_UNMARK_ALL: table_clear_marks(t); break;
	case ACTION_QUICK_FILTER: table_next_quick(t); break;
	case ACTION_FILTER: dialog_prompt(app, "/", t->filter, filter_changed, filter_done); break;
	case ACTION_COLUMNS: dialog_columns(app, t); break;
	case ACTION_EXPORT: {
		char name[128];
		snprintf(name, sizeof(name), "feedsync-%s.csv", s->ops->name);
		for (char *p = name; *p; p++)
			*p = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		dialog_prompt(app, "Write CSV to: ", name, NULL, export_done);
		break;
	}
	default:
		return false;
	}
	return true;
}

static void global_act(struct app *app, enum action a)
{
	switch (a) {
	case ACTION_SHOW_CONNECTIONS:
		while (app->depth > 1)
			app_pop(app);
		break;
	case ACTION_SHOW_RUNS:
		if (app_top(app)->ops != &runs_screen_ops || app_top(app)->table->connection_id)
			app_push(app, screen_runs_new(app, 0, NULL));
		break;
	case ACTION_SHOW_DESTINATIONS:
		if (app_top(app)->ops != &destinations_screen_ops)
			app_push(app, screen_destinations_new(app));
		break;
	case ACTION_LATEST_FAILURE:
		run_action_open_latest_problem(app);
		break;
	case ACTION_COMMAND:
		cmdline_open(app);
		break;
	case ACTION_SHOW_STATS:
		if (app_top(app)->ops != &stats_screen_ops)
			app_push(app, screen_stats_new(app));
		break;
	case ACTION_HELP:
		if (app_top(app)->ops != &help_screen_ops)
			app_push(app, screen_help_new(app, app_top(app)));
		break;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		app_changed(app);
		break;
	case ACTION_BACK:
		if (app->depth > 1)
			app_pop(app);
		else
			app_quit(app);
		break;
	case ACTION_QUIT:
		app_quit(app);
		break;
	default:
		break;
	}
}

/* The action a key means on screen s: its own first, then the list's, then the global ones. */
static enum action lookup(const struct app *app, const struct screen *s, int key)
{
	const enum action *lists[] = {s->ops->actions, s->table ? table_actions : NULL, global_actions};
	for (size_t l = 0; l < ARRAY_LEN(lists); l++)
		for (const enum action *a = lists[l]; a && *a != ACTION_NONE; a++)
			if (keymap_matches(&app->keys, *a, key))
				return *a;
	return ACTION_NONE;
}

static void perform(struct app *app, enum action a)
{
	struct screen *s = app_top(app);
	if ((actions[a].flags & ACTION_CHANGES) && app->readonly) {
		app_message(app, ROLE_WARN, "read-only console: %s is not available", actions[a].name);
		return;
	}
	if (s->ops->act && s->ops->act(s, a))
		return;
	if (s->table && table_act(app, s, a))
		return;
	global_act(app, a);
}

static void mouse_event(struct app *app)
{
	MEVENT ev;
	struct screen *s = app_top(app);
	if (getmouse(&ev) != OK || app->dialog || !s)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		enum action a = ev.bstate & BUTTON4_PRESSED ? ACTION_MOVE_UP : ACTION_MOVE_DOWN;
		for (int i = 0; i < WHEEL_ROWS; i++)
			perform(app, a);
		return;
	}
	if ((ev.bstate & BUTTON1_PRESSED) && s->table)
		table_view_click(s->table, ev.y, ev.x);
}

/*
 * Back from the first screen quits, but only on a character key (q): Esc arrives alone when a slow link
 * splits an arrow key, and Backspace is held past the end of what was typed; neither should end the
 * console.
 */
static bool is_deliberate_quit(int key)
{
	key = key_normalize(key);
	return key != 27 && key != KEY_BACKSPACE;
}

static bool terminal_too_small(void)
{
	int lines, cols;
	getmaxyx(stdscr, lines, cols);
	return lines < APP_MIN_LINES || cols < APP_MIN_COLS;
}

/*
 * While "terminal too small" hides the screen, a key must not act on what cannot be seen: only quit
 * works, and its question (runs in flight) is the one dialog shown there. A dialog open when the
 * terminal shrank is dropped, as Esc would.
 */
static void too_small_key(struct app *app, int key)
{
	if (key == KEY_MOUSE) {
		MEVENT ev;
		getmouse(&ev);   /* taken off the queue, and ignored */
		return;
	}
	if (app->dialog) {
		dialog_key(app, key);
		return;
	}
	if (keymap_matches(&app->keys, ACTION_QUIT, key))
		app_quit(app);
}

void app_key(struct app *app, int key)
{
	app->dirty = true;
	bool was_small = app->too_small;
	app->too_small = terminal_too_small();
	if (app->too_small && !was_small)
		dialog_close(app);
	if (key == KEY_RESIZE)
		return;
	if (app->too_small) {
		too_small_key(app, key);
		return;
	}
	if (key == KEY_MOUSE) {
		mouse_event(app);
		return;
	}
	if (app->dialog) {
		dialog_key(app, key);
		return;
	}
	app->message[0] = '\0';
	struct screen *s = app_top(app);
	if (s->ops->key && s->ops->key(s, key))
		return;
	enum action a = lookup(app, s, key);
	if (a == ACTION_BACK && app->depth == 1 && !is_deliberate_quit(key))
		return;
	if (a != ACTION_NONE)
		perform(app, a);
}

/* ---- drawing ---- */

static void draw_title(struct app *app, const struct draw *d, struct screen *s)
{
	int width = getmaxx(d->win);
	attr_t attr = theme_attr(&app->theme, ROLE_HEADER);
	wattrset(d->win, attr);
	mvwhline(d->win, 0, 0, ' ', width);
	struct strbuf left = {0}, right = {0};
	sb_adds(&left, " feedsync");
	if (app->readonly)
		sb_adds(&left, " (read-only)");
	sb_addf(&left, " %s ", app->g->arrow);
	s->ops->title(s, &left);
	if (s->table)
		table_view_summary(s->table, app->g, &right);
	sb_addc(&right, ' ');
	int rw = (int)text_width(sb_str(&right));
	if (rw > width / 2)
		rw = width / 2;
	draw_span(d, 0, 0, width - rw - 1, sb_str(&left), attr);
	draw_text(d, 0, width - rw, rw, sb_str(&right), 'r', attr);
	sb_free(&left);
	sb_free(&right);
}

static void add_hint(const struct app *app, enum action a, struct strbuf *out)
{
	char key[16];
	if (app->readonly && (actions[a].flags & ACTION_CHANGES))
		return;
	if (keymap_first(&app->keys, a, key, sizeof(key)))
		sb_addf(out, "%s%s %s", out->len ? "  " : "", key, actions[a].name);
}

/*
 * The screen's actions that fit in `room` columns, in order, into *left: how many of them fitted, or all
 * (INT_MAX) when none was left out.
 */
static int fit_actions(struct app *app, struct screen *s, int room, struct strbuf *left)
{
	int fitted = 0;
	sb_reset(left);
	for (const enum action *a = s->ops->actions; *a != ACTION_NONE; a++) {
		if (actions[*a].group == GROUP_MOVE && *a != ACTION_OPEN)
			continue;
		size_t len = left->len;
		add_hint(app, *a, left);
		if ((int)text_width(sb_str(left)) > room) {
			left->len = len;
			left->buf[len] = '\0';
			return fitted;
		}
		fitted += left->len > len;
	}
	return INT_MAX;
}

static void right_hints(struct app *app, struct screen *s, bool filter, struct strbuf *right)
{
	sb_reset(right);
	add_hint(app, ACTION_LATEST_FAILURE, right);
	if (filter && s->table)
		add_hint(app, ACTION_FILTER, right);
	add_hint(app, ACTION_HELP, right);
	add_hint(app, ACTION_BACK, right);
}

/* A screen's first actions (open, run, new) are worth more than the "/ filter" hint that every list has. */
#define HINTS_FIRST 3

/* "Enter open  r run_now  ...      / filter  ? help  q back": the screen's actions while they fit. */
static void draw_hints(struct app *app, const struct draw *d, struct screen *s, int y)
{
	int width = getmaxx(d->win);
	struct strbuf left = {0}, right = {0};
	right_hints(app, s, true, &right);
	int fitted = fit_actions(app, s, width - (int)text_width(sb_str(&right)) - 2, &left);
	if (fitted < HINTS_FIRST && s->table) {
		right_hints(app, s, false, &right);
		fit_actions(app, s, width - (int)text_width(sb_str(&right)) - 2, &left);
	}
	attr_t attr = theme_attr(&app->theme, ROLE_DIM);
	draw_text(d, y, 0, width, sb_str(&left), 'l', attr);
	int rw = (int)text_width(sb_str(&right));
	draw_text(d, y, width - rw, rw, sb_str(&right), 'l', attr);
	sb_free(&left);
	sb_free(&right);
}

static void draw_status(struct app *app, const struct draw *d, struct screen *s, int y)
{
	if (dialog_draw_status(app, d, y))
		return;
	if (app->message[0]) {
		draw_text(d, y, 0, getmaxx(d->win), app->message, 'l', theme_attr(&app->theme, app->message_role));
	} else if (s->ops->status) {
		struct strbuf text = {0};
		s->ops->status(s, &text);
		draw_text(d, y, 0, getmaxx(d->win), sb_str(&text), 'l', theme_attr(&app->theme, ROLE_DIM));
		sb_free(&text);
	} else {
		draw_hints(app, d, s, y);
	}
}

static void draw_too_small(struct app *app, const struct draw *d, int lines, int cols)
{
	char msg[160];
	snprintf(msg, sizeof(msg), "terminal too small: %dx%d, the console needs at least %dx%d", cols, lines,
	         APP_MIN_COLS, APP_MIN_LINES);
	int y = lines / 2;
	draw_text(d, y > 0 ? y - 1 : 0, 0, cols, msg, 'l', theme_attr(&app->theme, ROLE_WARN));
	char quit[16];
	app_key_hint(app, ACTION_QUIT, quit, sizeof(quit));
	snprintf(msg, sizeof(msg), "enlarge the window, or press %s to quit", quit);
	if (lines > 1)
		draw_text(d, y, 0, cols, msg, 'l', theme_attr(&app->theme, ROLE_DIM));
}

void app_draw(struct app *app)
{
	dialog_flush(app);
	struct draw d = {stdscr, &app->theme, app->g};
	int lines, cols;
	getmaxyx(stdscr, lines, cols);
	wattrset(stdscr, theme_attr(&app->theme, ROLE_NORMAL));
	werase(stdscr);
	struct screen *s = app_top(app);
	if (terminal_too_small()) {
		draw_too_small(app, &d, lines, cols);
		dialog_draw_question(app, &d, lines / 2 + 2, lines - 1);
	} else {
		s->ops->draw(s, &d, 1, lines - 2);
		if (s->table)   /* what the user last saw of each list is what the next session starts with */
			console_state_remember(app->state, s->ops->name, s->table);
		draw_title(app, &d, s);
		dialog_draw_box(app, &d, 2, lines - 3);
		draw_status(app, &d, s, lines - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
	app->dirty = false;
}

/* ---- the loop ---- */

static int64_t tick_ms(const struct screen *s)
{
	return s->ops->tick_ms > 0 ? s->ops->tick_ms : TICK_MS;
}

/*
 * Another connection's commits are looked for every refresh_ms, but a screen whose reload is slow (a million
 * products counted: 45 ms) is reloaded at most once in RELOAD_SHARE times what its last reload took, so
 * that a run committing four times a second elsewhere keeps the console well under 1% of a core.
 */
static int64_t poll_interval(const struct app *app)
{
	int64_t backoff = app->reload_ms * RELOAD_SHARE;
	return backoff > app->cfg->refresh_ms ? backoff : app->cfg->refresh_ms;
}

void app_poll(struct app *app)
{
	int64_t now = monotonic_ms();
	struct screen *s = app_top(app);
	if (now - app->last_poll >= poll_interval(app)) {
		app->last_poll = now;
		int64_t v = store_data_version(app->store);
		if (v != app->data_version) {
			app->data_version = v;
			app_changed(app);
			app->reload_ms = monotonic_ms() - now;
		}
		runner_in_flight(app->runner);   /* joins the threads of finished runs */
	}
	if (s->ops->ticking && s->ops->ticking(s) && now - app->last_tick >= tick_ms(s)) {
		app->last_tick = now;
		app->dirty = true;
	}
	if (s->table && now - app->last_clock >= TICK_MS) {
		app->last_clock = now;
		struct cell_ctx ctx = app_cell_ctx(app);
		if (table_view_cells_changed(s->table, &ctx))
			app->dirty = true;
	}
	if (app->message[0] && now - app->message_at >= MESSAGE_MS) {
		app->message[0] = '\0';
		app->dirty = true;
	}
	if (!app->readonly && now - app->last_recover >= RECOVER_MS) {
		app->last_recover = now;
		worker_recover_stale(app->store, app->cfg);
	}
}

static int until_next_wakeup(struct app *app)
{
	int64_t now = monotonic_ms();
	int64_t wait = app->last_poll + poll_interval(app) - now;
	struct screen *s = app_top(app);
	if (s->ops->ticking && s->ops->ticking(s) && app->last_tick + tick_ms(s) - now < wait)
		wait = app->last_tick + tick_ms(s) - now;
	if (s->table && app->last_clock + TICK_MS - now < wait)
		wait = app->last_clock + TICK_MS - now;
	if (app->message[0] && app->message_at + MESSAGE_MS - now < wait)
		wait = app->message_at + MESSAGE_MS - now;
	return wait < 10 ? 10 : (int)wait;
}

void app_run(struct app *app)
{
	app->dirty = true;
	while (!app->quit) {
		if (app->terminate && *app->terminate) {
			runner_stop(app->runner, app->store);
			break;
		}
		if (app->dirty)
			app_draw(app);
		wtimeout(stdscr, until_next_wakeup(app));
		int key = wgetch(stdscr);
		if (key != ERR) {
			app_key(app, key);
			/* Keys typed ahead are handled before the next frame (a fast typist filters once). */
			wtimeout(stdscr, 0);
			while (!app->quit && (key = wgetch(stdscr)) != ERR)
				app_key(app, key);
		}
		if (!app->quit)
			app_poll(app);
	}
}
