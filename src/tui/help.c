/* The help screen: the keys of the screen it was opened from, generated from the bindings in effect. */
#include <stdlib.h>

#include "tui/screens.h"
#include "tui/scroll.h"

struct help_screen {
	struct screen base;
	char **lines;
	size_t nlines;
	size_t top;
	int rows;            /* as last drawn */
	char *of;            /* the screen's name */
};

static void add_line(struct help_screen *hs, const char *text)
{
	hs->lines = xrealloc(hs->lines, (hs->nlines + 1) * sizeof(*hs->lines));
	hs->lines[hs->nlines++] = xstrdup(text);
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
				sb_addf(&sb, "  %-16s %s [%s]", keys.len ? sb_str(&keys) : "(no key)", actions[*a].help,
				        actions[*a].name);
				add_line(hs, sb_str(&sb));
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

static void help_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct help_screen *hs = (struct help_screen *)s;
	hs->rows = h;
	scroll_clamp(&hs->top, h, hs->nlines);
	for (int i = 0; i < h && hs->top + (size_t)i < hs->nlines; i++) {
		const char *line = hs->lines[hs->top + (size_t)i];
		bool title = line[0] && line[0] != ' ';
		attr_t attr = theme_attr(d->theme, ROLE_NORMAL) | (title ? A_BOLD : 0);
		draw_text(d, y + i, 1, getmaxx(d->win) - 2, line, 'l', attr);
	}
}

static bool help_act(struct screen *s, enum action a)
{
	struct help_screen *hs = (struct help_screen *)s;
	return scroll_act(&hs->top, hs->rows, hs->nlines, a);
}

static void help_title(struct screen *s, struct strbuf *out)
{
	sb_addf(out, "Help: %s", ((struct help_screen *)s)->of);
}

static void help_free(struct screen *s)
{
	struct help_screen *hs = (struct help_screen *)s;
	for (size_t i = 0; i < hs->nlines; i++)
		free(hs->lines[i]);
	free(hs->lines);
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
	return &hs->base;
}
