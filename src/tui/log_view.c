/*
 * A run's log on a screen of its own (L from the run detail): the last LOG_VIEW_KEPT lines, a lowest
 * level to show, long lines wrapped or cut and scrolled sideways, / to find a text with n/N, and follow
 * mode: while at the end, new lines of a live run appear; scrolling up stops following, F or End
 * resumes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/dialog.h"
#include "tui/screens.h"

#define LOG_VIEW_KEPT 20000   /* lines in memory; `feedsync runs log ID` has them all */
#define HSCROLL_STEP 8

static const char *const levels[] = {"debug", "info", "warn", "error"};

struct log_screen {
	struct screen base;
	int64_t run_id;
	char title[160];
	bool live;                       /* the run is queued or running */

	struct run_event_row *events;    /* oldest first */
	size_t nevents;
	int64_t last_id;
	bool cut;                        /* older lines are not in memory */

	size_t *shown;                   /* indexes of the events at or above the level, in order */
	size_t nshown;
	int level;                       /* the lowest level shown, an index in levels */

	bool follow, wrap;
	size_t top;                      /* the first shown line on screen when not following */
	int hscroll;                     /* columns cut on the left when not wrapping */
	int64_t match;                   /* the shown line the last search found, -1 = none */
	int rows, width;                 /* as last drawn */
};

static int level_of(const char *level)
{
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (str_eq(levels[i], level))
			return (int)i;
	return 1;   /* an unknown level counts as info */
}

static void line_text(const struct run_event_row *ev, struct strbuf *out)
{
	char at[32];
	format_time(ev->at, at, sizeof(at));
	sb_addf(out, "%s %-5s %s", at + 11, ev->level, ev->message ? ev->message : "");
}

static void add_shown(struct log_screen *ls, size_t from)
{
	ls->shown = xrealloc(ls->shown, (ls->nevents + 1) * sizeof(*ls->shown));
	for (size_t i = from; i < ls->nevents; i++)
		if (level_of(ls->events[i].level) >= ls->level)
			ls->shown[ls->nshown++] = i;
}

static void refilter(struct log_screen *ls)
{
	ls->nshown = 0;
	ls->match = -1;
	add_shown(ls, 0);
	if (ls->top >= ls->nshown)
		ls->top = ls->nshown ? ls->nshown - 1 : 0;
}

/* New lines since the last read; the first read starts LOG_VIEW_KEPT lines before the end. */
static void read_new(struct log_screen *ls)
{
	struct app *app = ls->base.app;
	int64_t after = ls->last_id;
	if (after == 0) {
		if (store_views_log_tail(app->views, ls->run_id, LOG_VIEW_KEPT, &after) < 0)
			return;
		ls->cut = after > 0;
	}
	struct run_event_row *ev;
	size_t n;
	if (store_run_events(app->store, ls->run_id, after, LOG_VIEW_KEPT, &ev, &n) < 0)
		return;
	size_t from = ls->nevents;
	if (n) {
		ls->events = xrealloc(ls->events, (ls->nevents + n) * sizeof(*ls->events));
		memcpy(ls->events + ls->nevents, ev, n * sizeof(*ev));   /* the messages move over with the rows */
		ls->nevents += n;
		ls->last_id = ls->events[ls->nevents - 1].id;
	}
	free(ev);
	if (ls->nevents <= LOG_VIEW_KEPT) {
		add_shown(ls, from);
		return;
	}
	size_t drop = ls->nevents - LOG_VIEW_KEPT;   /* the oldest lines make room */
	run_event_rows_free(ls->events, drop);
	memmove(ls->events, ls->events + drop, (ls->nevents - drop) * sizeof(*ls->events));
	ls->nevents -= drop;
	ls->cut = true;
	ls->top = ls->top > drop ? ls->top - drop : 0;
	refilter(ls);
}

static void log_load(struct screen *s)
{
	struct log_screen *ls = (struct log_screen *)s;
	struct run_row run;
	if (store_run_get(s->app->store, ls->run_id, &run) == 1) {
		ls->live = run_status_active(run.status);
		snprintf(ls->title, sizeof(ls->title), "Log of run %lld of %s", (long long)ls->run_id, run.connection_name);
	}
	read_new(ls);
}

/* ---- drawing ---- */

/* How many rows a shown line takes. */
static int rows_of(struct log_screen *ls, size_t shown, bool ascii)
{
	if (!ls->wrap)
		return 1;
	struct strbuf sb = {0};
	line_text(&ls->events[ls->shown[shown]], &sb);
	int n = draw_wrap(sb_str(&sb), ls->width, ascii, NULL, NULL);
	sb_free(&sb);
	return n;
}

/* The first of the lines before `end` that fill at most h rows (at least the line before end). */
static size_t first_fitting(struct log_screen *ls, size_t end, int h, bool ascii)
{
	size_t top = end;
	for (int used = 0; top > 0;) {
		used += rows_of(ls, top - 1, ascii);
		if (used > h)
			break;
		top--;
	}
	if (top == end && top > 0)
		top--;   /* that line alone is taller than h: it shows from its start */
	return top;
}

/* The first line to show so that the last one ends the screen. */
static size_t top_for_end(struct log_screen *ls, int h, bool ascii)
{
	return first_fitting(ls, ls->nshown, h, ascii);
}

struct wrapped_row {
	const struct draw *d;
	int y, rows_left;
	attr_t attr;
};

static void draw_piece(void *ud, int i, const char *piece)
{
	struct wrapped_row *w = ud;
	if (i < w->rows_left)
		draw_text(w->d, w->y + i, 1, getmaxx(w->d->win) - 2, piece, 'l', w->attr);
}

/* Skips `columns` characters: sideways scrolling moves by characters. */
static const char *skip_columns(const char *s, int columns)
{
	for (; *s && columns > 0; columns--)
		do
			s++;
		while (((unsigned char)*s & 0xC0) == 0x80);
	return s;
}

static void draw_lines(struct log_screen *ls, const struct draw *d, int y, int h)
{
	struct strbuf sb = {0}, clean = {0};
	for (size_t i = ls->top; i < ls->nshown && h > 0; i++) {
		const struct run_event_row *ev = &ls->events[ls->shown[i]];
		int level = level_of(ev->level);
		enum role role = (int64_t)i == ls->match ? ROLE_SELECTION : level == 3 ? ROLE_ERROR
		               : level == 2 ? ROLE_WARN : level == 0 ? ROLE_DIM : ROLE_NORMAL;
		attr_t attr = theme_attr(d->theme, role);
		sb_reset(&sb);
		line_text(ev, &sb);
		if ((int64_t)i == ls->match)   /* the line found, told apart without colour too */
			draw_text(d, y, 0, 1, ">", 'l', attr | A_BOLD);
		if (ls->wrap) {
			struct wrapped_row w = {d, y, h, attr};
			int n = draw_wrap(sb_str(&sb), ls->width, d->g->ascii, draw_piece, &w);
			y += n;
			h -= n;
			continue;
		}
		sb_reset(&clean);
		draw_clean(sb_str(&sb), d->g->ascii, &clean);
		draw_text(d, y++, 1, ls->width, skip_columns(sb_str(&clean), ls->hscroll), 'l', attr);
		h--;
	}
	sb_free(&sb);
	sb_free(&clean);
}

static void log_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct log_screen *ls = (struct log_screen *)s;
	ls->rows = h - 1;
	ls->width = getmaxx(d->win) - 2;
	if (ls->follow)
		ls->top = top_for_end(ls, ls->rows, d->g->ascii);
	char key[16], title[256];
	app_key_hint(s->app, ACTION_FOLLOW, key, sizeof(key));
	int n = snprintf(title, sizeof(title), "%s%zu lines", ls->cut ? "the last " : "", ls->nshown);
	if (ls->level > 0)
		n += snprintf(title + n, sizeof(title) - (size_t)n, " at %s or above", levels[ls->level]);
	if (ls->follow)
		n += snprintf(title + n, sizeof(title) - (size_t)n, ", %s", ls->live ? "following" : "at the end");
	else
		n += snprintf(title + n, sizeof(title) - (size_t)n, ", from line %zu, paused (%s follows)", ls->top + 1, key);
	if (!ls->wrap && ls->hscroll)
		snprintf(title + n, sizeof(title) - (size_t)n, ", +%d columns", ls->hscroll);
	draw_rule(d, y, title);
	if (ls->nshown == 0)
		draw_text(d, y + 1, 1, ls->width, ls->nevents ? "no line at this level" : "no log lines yet", 'l',
		          theme_attr(d->theme, ROLE_DIM));
	draw_lines(ls, d, y + 1, ls->rows);
}

static void log_title(struct screen *s, struct strbuf *out)
{
	struct log_screen *ls = (struct log_screen *)s;
	sb_adds(out, ls->title[0] ? ls->title : "Log");
}

/* ---- moving and searching ---- */

static void scroll_to(struct log_screen *ls, int64_t top)
{
	size_t last = top_for_end(ls, ls->rows > 0 ? ls->rows : 1, ls->base.app->g->ascii);
	if (top < 0)
		top = 0;
	ls->follow = top >= (int64_t)last;   /* at the end it follows again, as tail -f */
	ls->top = ls->follow ? last : (size_t)top;
}

static bool search_from(struct log_screen *ls, const char *text, int dir, int64_t from)
{
	struct strbuf sb = {0};
	bool found = false;
	int64_t n = (int64_t)ls->nshown;
	for (int64_t step = 0; step < n && !found; step++) {
		int64_t i = ((from + dir * step) % n + n) % n;
		sb_reset(&sb);
		line_text(&ls->events[ls->shown[i]], &sb);
		if (text_contains_folded(sb_str(&sb), text)) {
			found = true;
			ls->match = i;
		}
	}
	sb_free(&sb);
	if (found) {   /* the line found in the middle of the screen, or as low as the end allows */
		bool ascii = ls->base.app->g->ascii;
		size_t top = first_fitting(ls, (size_t)ls->match + 1, ls->rows / 2 + 1, ascii);
		size_t last = top_for_end(ls, ls->rows, ascii);
		ls->top = top < last ? top : last;
		ls->follow = false;
	}
	return found;
}

static void search_changed(struct app *app, const char *text)
{
	struct log_screen *ls = (struct log_screen *)app_top(app);
	if (*text && ls->base.ops == &log_screen_ops)
		search_from(ls, text, 1, ls->match >= 0 ? ls->match : (int64_t)ls->top);
}

static void search_done(struct app *app, const char *text, bool accepted)
{
	(void)accepted;   /* Esc too keeps the line found while typing */
	struct log_screen *ls = (struct log_screen *)app_top(app);
	if (!*text || ls->base.ops != &log_screen_ops)
		return;
	str_copy(app->search, text, sizeof(app->search));
	if (!search_from(ls, text, 1, ls->match >= 0 ? ls->match : (int64_t)ls->top))
		app_message(app, ROLE_WARN, "no line holds '%s'", text);
}

static void search_again(struct log_screen *ls, int dir)
{
	struct app *app = ls->base.app;
	int64_t from = ls->match >= 0 ? ls->match + dir : (int64_t)ls->top;
	if (!app->search[0])
		app_message(app, ROLE_WARN, "nothing to search for yet: type it after /");
	else if (!search_from(ls, app->search, dir, from))
		app_message(app, ROLE_WARN, "no line holds '%s'", app->search);
}

static bool log_act(struct screen *s, enum action a)
{
	struct log_screen *ls = (struct log_screen *)s;
	int64_t page = ls->rows > 1 ? ls->rows - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP: scroll_to(ls, (int64_t)ls->top - 1); break;
	case ACTION_MOVE_DOWN: scroll_to(ls, (int64_t)ls->top + 1); break;
	case ACTION_PAGE_UP: scroll_to(ls, (int64_t)ls->top - page); break;
	case ACTION_PAGE_DOWN: scroll_to(ls, (int64_t)ls->top + page); break;
	case ACTION_FIRST: ls->follow = false; ls->top = 0; break;
	case ACTION_LAST:
	case ACTION_FOLLOW: ls->follow = true; break;
	case ACTION_SCROLL_LEFT: ls->hscroll = ls->hscroll > HSCROLL_STEP ? ls->hscroll - HSCROLL_STEP : 0; break;
	case ACTION_SCROLL_RIGHT: ls->hscroll += ls->wrap ? 0 : HSCROLL_STEP; break;
	case ACTION_WRAP: ls->wrap = !ls->wrap; ls->hscroll = 0; break;
	case ACTION_LOG_LEVEL:
		ls->level = (ls->level + 1) % (int)ARRAY_LEN(levels);
		refilter(ls);
		break;
	case ACTION_SEARCH: dialog_prompt(s->app, "/", "", search_changed, search_done); break;
	case ACTION_SEARCH_NEXT: search_again(ls, 1); break;
	case ACTION_SEARCH_PREVIOUS: search_again(ls, -1); break;
	default: return false;
	}
	return true;
}

static bool log_ticking(struct screen *s)
{
	return ((struct log_screen *)s)->live;
}

static void log_free(struct screen *s)
{
	struct log_screen *ls = (struct log_screen *)s;
	run_event_rows_free(ls->events, ls->nevents);
	free(ls->shown);
	free(ls);
}

static const enum action log_actions[] = {
	ACTION_SEARCH, ACTION_SEARCH_NEXT, ACTION_SEARCH_PREVIOUS, ACTION_LOG_LEVEL, ACTION_WRAP, ACTION_FOLLOW,
	ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_FIRST, ACTION_LAST,
	ACTION_SCROLL_LEFT, ACTION_SCROLL_RIGHT, ACTION_NONE,
};

const struct screen_ops log_screen_ops = {
	.name = "Log",
	.actions = log_actions,
	.load = log_load,
	.draw = log_draw,
	.act = log_act,
	.title = log_title,
	.ticking = log_ticking,
	.free = log_free,
};

struct screen *screen_log_new(struct app *app, int64_t run_id)
{
	struct log_screen *ls = xcalloc(1, sizeof(*ls));
	ls->base.ops = &log_screen_ops;
	ls->base.app = app;
	ls->run_id = run_id;
	ls->follow = true;
	ls->wrap = true;
	ls->match = -1;
	return &ls->base;
}
