/* Theme files: colour roles to curses colour pairs and attributes. */
#define INI_HANDLER_LINENO 1   /* as Debian's libinih is built (see config.c) */
#include "tui/theme.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/data_dir.h"
#include "core/util.h"

#define ROLE_NAME(id, name) [ROLE_##id] = name,
static const char *const role_names[ROLE_COUNT] = {THEME_ROLES(ROLE_NAME)};
#undef ROLE_NAME

/* Without colour: one attribute per role. Statuses also carry a symbol, so plain text stays readable. */
static const attr_t mono[ROLE_COUNT] = {
	[ROLE_NORMAL] = A_NORMAL, [ROLE_HEADER] = A_BOLD | A_UNDERLINE, [ROLE_SELECTION] = A_REVERSE,
	[ROLE_OK] = A_NORMAL, [ROLE_WARN] = A_BOLD, [ROLE_ERROR] = A_BOLD, [ROLE_RUNNING] = A_BOLD,
	[ROLE_DIM] = A_DIM, [ROLE_BORDER] = A_NORMAL,
};

struct style {
	short fg, bg;
	attr_t attr;
	bool set;
};

/* When no theme file can be found: the 8 basic colours, enough to tell statuses apart. */
static const struct style fallback[ROLE_COUNT] = {
	[ROLE_NORMAL] = {-1, -1, A_NORMAL, true}, [ROLE_HEADER] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, true},
	[ROLE_SELECTION] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, true}, [ROLE_OK] = {COLOR_GREEN, -1, A_NORMAL, true},
	[ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD, true}, [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, true},
	[ROLE_RUNNING] = {COLOR_CYAN, -1, A_BOLD, true}, [ROLE_DIM] = {-1, -1, A_DIM, true},
	[ROLE_BORDER] = {COLOR_BLUE, -1, A_NORMAL, true},
};

static const struct {
	const char *name;
	short color;
} color_names[] = {
	{"default", -1}, {"black", COLOR_BLACK}, {"red", COLOR_RED}, {"green", COLOR_GREEN},
	{"yellow", COLOR_YELLOW}, {"blue", COLOR_BLUE}, {"magenta", COLOR_MAGENTA}, {"cyan", COLOR_CYAN},
	{"white", COLOR_WHITE},
};

static const struct {
	const char *name;
	attr_t attr;
} attr_names[] = {
	{"bold", A_BOLD}, {"dim", A_DIM}, {"underline", A_UNDERLINE}, {"reverse", A_REVERSE},
};

struct parse {
	const char *section;        /* the one this terminal uses: "256" or "8" */
	int colors;
	struct style style[ROLE_COUNT];
	bool section_seen;
	char *err;
	size_t errsize;
	const char *path;
};

static bool parse_color(const char *word, int colors, short *out)
{
	for (size_t i = 0; i < ARRAY_LEN(color_names); i++) {
		if (strcasecmp(word, color_names[i].name) == 0) {
			*out = color_names[i].color;
			return true;
		}
	}
	int64_t n;
	if (parse_int64(word, &n) && n >= 0 && n < colors && n < 256) {
		*out = (short)n;
		return true;
	}
	return false;
}

static bool parse_attr(const char *word, attr_t *attr)
{
	for (size_t i = 0; i < ARRAY_LEN(attr_names); i++) {
		if (strcasecmp(word, attr_names[i].name) == 0) {
			*attr |= attr_names[i].attr;
			return true;
		}
	}
	return false;
}

/* "foreground background [attributes]" */
static bool parse_style(const char *value, int colors, struct style *st, const char **bad)
{
	char *copy = xstrdup(value), *save = NULL;
	struct style out = {-1, -1, A_NORMAL, true};
	int n = 0;
	bool ok = true;
	for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0)
			ok = parse_color(w, colors, &out.fg);
		else if (n == 1)
			ok = parse_color(w, colors, &out.bg);
		else
			ok = parse_attr(w, &out.attr);
		if (!ok)
			*bad = value + (w - copy);
	}
	free(copy);
	if (ok && n < 2) {
		*bad = value;
		ok = false;
	}
	if (ok)
		*st = out;
	return ok;
}

static int role_index(const char *name)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (str_eq(role_names[r], name))
			return r;
	return -1;
}

static int on_line(void *user, const char *section, const char *name, const char *value, int lineno)
{
	struct parse *p = user;
	if (!str_eq(section, p->section) && (str_eq(section, "256") || str_eq(section, "8")))
		return 1;
	if (!str_eq(section, p->section)) {
		snprintf(p->err, p->errsize, "%s:%d: unknown section [%s] (256 or 8)", p->path, lineno, section);
		return 0;
	}
	p->section_seen = true;
	int r = role_index(name);
	if (r < 0) {
		snprintf(p->err, p->errsize, "%s:%d: unknown role '%s' (normal, header, selection, ok, warn, error,"
		         " running, dim, border)", p->path, lineno, name);
		return 0;
	}
	const char *bad = value;
	if (!parse_style(value, p->colors, &p->style[r], &bad)) {
		snprintf(p->err, p->errsize, "%s:%d: %s = '%s': expected \"foreground background [bold] [dim]"
		         " [underline] [reverse]\" with colours by name or 0..%d (at '%s')", p->path, lineno, name,
		         value, p->colors - 1, bad);
		return 0;
	}
	return 1;
}

/* A theme by name: ./themes, or next to the binary (core/data_dir.h). */
static bool find_theme(const char *name, char *path, size_t size)
{
	char *file = xasprintf("themes/%s.ini", name);
	bool found = data_path_find(file, file, path, size);
	free(file);
	return found;
}

static void apply(struct theme *t, const struct style *style)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct style *st = style[r].set ? &style[r] : &fallback[r];
		init_pair((short)(r + 1), st->fg, st->bg);
		t->attr[r] = COLOR_PAIR(r + 1) | st->attr;
	}
}

static int load_file(struct theme *t, char *err, size_t errsize)
{
	struct parse p = {.section = COLORS >= 256 ? "256" : "8", .colors = COLORS, .err = err,
	                  .errsize = errsize, .path = t->path};
	int rc = ini_parse(t->path, on_line, &p);
	if (rc < 0) {
		snprintf(err, errsize, "theme %s: cannot read it", t->path);
		return -1;
	}
	if (rc > 0) {
		if (!*err)
			snprintf(err, errsize, "%s:%d: expected [section] or role = colours", t->path, rc);
		return -1;
	}
	if (!p.section_seen) {
		snprintf(err, errsize, "theme %s has no [%s] section", t->path, p.section);
		return -1;
	}
	apply(t, p.style);
	return 0;
}

int theme_init(struct theme *t, const char *name, bool color, char *err, size_t errsize)
{
	memset(t, 0, sizeof(*t));
	err[0] = '\0';
	memcpy(t->attr, mono, sizeof(mono));
	if (!color || !has_colors() || start_color() == ERR)
		return 0;
	use_default_colors();
	if (!*name || strchr(name, '/')) {
		snprintf(err, errsize, "theme '%s': expected a file name without '/'; using built-in colours", name);
	} else if (!find_theme(name, t->path, sizeof(t->path))) {
		/* The built-in colours stand in for the default theme when its file is not installed. */
		if (!str_eq(name, "default"))
			snprintf(err, errsize, "theme '%s' not found (themes/%s.ini, or share/feedsync/themes next to"
			         " the program); using built-in colours", name, name);
	} else if (load_file(t, err, errsize) == 0) {
		return 0;
	}
	t->path[0] = '\0';
	apply(t, fallback);
	return *err ? -1 : 0;
}
