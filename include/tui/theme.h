/*
 * Colour roles and the theme files that map them to colours: themes/NAME.ini with a [256] section for
 * 256-colour terminals and an [8] section for the others, each line "role = foreground background
 * [bold] [dim] [underline] [reverse]". Without colour (NO_COLOR, --no-color, a monochrome terminal) every
 * role has a fixed attribute, and screens never rely on colour alone.
 */
#ifndef FEEDSYNC_TUI_THEME_H
#define FEEDSYNC_TUI_THEME_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#define THEME_ROLES(_) \
	_(NORMAL, "normal") _(HEADER, "header") _(SELECTION, "selection") _(OK, "ok") _(WARN, "warn") \
	_(ERROR, "error") _(RUNNING, "running") _(DIM, "dim") _(BORDER, "border")

#define ROLE_ENUM(id, name) ROLE_##id,
enum role { THEME_ROLES(ROLE_ENUM) ROLE_COUNT };
#undef ROLE_ENUM

struct theme {
	attr_t attr[ROLE_COUNT];
	char path[4096];       /* the file read, "" when none */
};

/*
 * Sets up the roles for the current terminal (after initscr). With colour, reads the theme `name` from
 * ./themes, next to the binary (../share/feedsync/themes when installed, ../themes in a build directory),
 * then FEEDSYNC_PREFIX/share/feedsync/themes. Returns 0, or -1 with err saying why (the roles then fall
 * back to built-in colours, so the console still works; a missing "default" theme is not an error).
 */
int theme_init(struct theme *t, const char *name, bool color, char *err, size_t errsize);

static inline attr_t theme_attr(const struct theme *t, enum role r)
{
	return t->attr[r];
}

#endif
