/*
 * The help screen: the keys of the screen it was opened from, generated from the bindings in effect.
 * Descriptions wrap under themselves, so every word shows at 80 columns; the screen scrolls.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/screens.h"
#include "tui/scroll.h"

#define KEYS_COLUMN 16

struct help_line {
	char *keys;          /* an action's keys, NULL for a title or a sentence */
	char *text;
};

struct help_screen {
	struct screen base;
	struct help_line *lines;
	size_t nlines;
	char **wrapped;      /* the lines as drawn, wrapped_width wide */
	size_t nwrapped;
	int wrapped_width;
	size_t top;
	int rows;            /* as last drawn */
	char *of;            /* the screen's name */
};

static void add_entry(struct help_screen *hs, const char *keys, const char *text)
{
	hs->lines = xrealloc(hs->lines, (hs->nlines + 1) * sizeof(*hs->lines));
	hs->lines[hs->nlines++] = (struct help_line){keys ? xstrdup(keys) : NULL, xstrdup(text)};
}

static void add_line(struct help_screen *hs, const char *text)
{
	add_entry(hs, NULL, text);
}

static bool listed(const enum action *list, enum action a)
{
	for (; list && *list != ACTION_NONE; list++)
		if (*list == a)
			return true;
	return false;
}

/* One section per group, actions in the order the screen lists them. */
static void build(struct help_screen *hs, const struct screen *of)
{
	const struct app *app = hs->base.app;
	const enum action *lists[] = {of->ops->actions, of->table ? table_actions : NULL, global_actions};
	static const enum action_group order[] = {GROUP_ACT, GROUP_MOVE, GROUP_TABLE, GROUP_GLOBAL};
	struct strbuf sb = {0};
	sb_addf(&sb, "Keys on the %s screen; [name] is the action's key in feedsync.ini, section [keys]",
	        of->ops->name);
	add_line(hs, sb_str(&sb));
	if (app->readonly)
		add_line(hs, "Read-only console: the actions that change data are off.");
	for (size_t g = 0; g < ARRAY_LEN(order); g++) {
		bool header = false;
		for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
			for (const enum action *a = lists[l]; a && *a != ACTION_NONE; a++) {
				if (actions[*a].group != order[g] || (l > 0 && listed(of->ops->actions, *a)))
					continue;
				if (app->readonly && (actions[*a].flags & ACTION_CHANGES))
					continue;
				if (!header) {
					add_line(hs, "");
					add_line(hs, action_group_titles[order[g]]);
					header = true;
				}
				struct strbuf keys = {0};
				keymap_describe(&app->keys, *a, &keys);
				sb_reset(&sb);
				sb_addf(&sb, "%s [%s]", actions[*a].help, actions[*a].name);
				add_entry(hs, keys.len ? sb_str(&keys) : "(no key)", sb_str(&sb));
				sb_free(&keys);
			}
		}
	}
	sb_free(&sb);
}

static void help_load(struct screen *s)
{
	(void)s;
}

static void free_wrapped(struct help_screen *hs)
{
	for (size_t i = 0; i < hs->nwrapped; i++)
		free(hs->wrapped[i]);
	free(hs->wrapped);
	hs->wrapped = NULL;
	hs->nwrapped = 0;
}

struct wrapping {
	struct help_screen *hs;
	const char *lead;    /* the keys before the first piece */
	int indent;          /* columns before the description */
};

static void add_wrapped(void *ud, int i, const char *piece)
{
	struct wrapping *w = ud;
	struct strbuf sb = {0};
	if (w->lead)
		sb_addf(&sb, "  %-*s %s", w->indent - 3, i == 0 ? w->lead : "", piece);
	else
		sb_adds(&sb, piece);
	w->hs->wrapped = xrealloc(w->hs->wrapped, (w->hs->nwrapped + 1) * sizeof(*w->hs->wrapped));
	w->hs->wrapped[w->hs->nwrapped++] = sb_detach(&sb);
}

/* "  KEYS             description", the description wrapped under itself, for a window width wide. */
static void wrap_lines(struct help_screen *hs, int width, bool ascii)
{
	free_wrapped(hs);
	hs->wrapped_width = width;
	for (size_t i = 0; i < hs->nlines; i++) {
		const struct help_line *l = &hs->lines[i];
		size_t keys = l->keys ? strlen(l->keys) : 0;
		struct wrapping w = {hs, l->keys, l->keys ? 3 + (int)(keys > KEYS_COLUMN ? keys : KEYS_COLUMN) : 0};
		int room = width - w.indent;
		draw_wrap(l->text, room > 10 ? room : 10, ascii, add_wrapped, &w);
	}
}

static void help_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct help_screen *hs = (struct help_screen *)s;
	int width = getmaxx(d->win) - 2;
	if (width != hs->wrapped_width)
		wrap_lines(hs, width, d->g->ascii);
	hs->rows = h;
	scroll_clamp(&hs->top, h, hs->nwrapped);
	for (int i = 0; i < h && hs->top + (size_t)i < hs->nwrapped; i++) {
		const char *line = hs->wrapped[hs->top + (size_t)i];
		bool title = line[0] && line[0] != ' ';
		attr_t attr = theme_attr(d->theme, ROLE_NORMAL) | (title ? A_BOLD : 0);
		draw_text(d, y + i, 1, width, line, 'l', attr);
	}
}

static bool help_act(struct screen *s, enum action a)
{
	struct help_screen *hs = (struct help_screen *)s;
	return scroll_act(&hs->top, hs->rows, hs->nwrapped, a);
}

static void help_title(struct screen *s, struct strbuf *out)
{
	sb_addf(out, "Help: %s", ((struct help_screen *)s)->of);
}

static void help_free(struct screen *s)
{
	struct help_screen *hs = (struct help_screen *)s;
	for (size_t i = 0; i < hs->nlines; i++) {
		free(hs->lines[i].keys);
		free(hs->lines[i].text);
	}
	free(hs->lines);
	free_wrapped(hs);
	free(hs->of);
	free(hs);
}

const struct screen_ops help_screen_ops = {
	.name = "Help",
	.actions = scroll_actions,
	.load = help_load,
	.draw = help_draw,
	.act = help_act,
	.title = help_title,
	.free = help_free,
};

struct screen *screen_help_new(struct app *app, const struct screen *of)
{
	struct help_screen *hs = xcalloc(1, sizeof(*hs));
	hs->base.ops = &help_screen_ops;
	hs->base.app = app;
	hs->of = xstrdup(of->ops->name);
	build(hs, of);
	wrap_lines(hs, getmaxx(stdscr) - 2, app->g->ascii);   /* keys typed ahead scroll before the first frame */
	return &hs->base;
}
