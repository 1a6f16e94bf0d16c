/* The console's remembered settings, read and written (see console_state.h). */
#include "tui/console_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCREENS_MAX 8
#define LINE_MAX_LEN 1024

struct screen_state {
	char screen[32];
	char sort[32];            /* a column name; "" = the screen's own default */
	bool descending;
	char columns[512];        /* visible column names, comma separated; "" = the default columns */
	char filter[128];
	char quick[16];           /* a quick_filter_names entry; "" = all */
};

struct console_state {
	char path[1024];
	struct screen_state screens[SCREENS_MAX];
	int n;
	bool changed;
};

void console_state_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0] == '/')   /* a relative one is to be ignored, as the XDG specification asks */
		snprintf(buf, size, "%s/feedsync/console.state", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, size, "%s/.local/state/feedsync/console.state", home);
	else
		buf[0] = '\0';
}

static struct screen_state *find(struct console_state *st, const char *screen, bool add)
{
	for (int i = 0; i < st->n; i++)
		if (str_eq(st->screens[i].screen, screen))
			return &st->screens[i];
	if (!add || st->n == SCREENS_MAX)
		return NULL;
	struct screen_state *s = &st->screens[st->n++];
	memset(s, 0, sizeof(*s));
	str_copy(s->screen, screen, sizeof(s->screen));
	return s;
}

/* One value into s; false when the key is unknown or the value does not fit. */
static bool set_value(struct screen_state *s, const char *key, const char *value)
{
	char *copy = xstrdup(value);
	bool ok = true;
	if (str_eq(key, "sort")) {
		char *dir = strchr(copy, ' ');
		if (dir)
			*dir++ = '\0';
		ok = (!dir || str_eq(dir, "asc") || str_eq(dir, "desc")) &&
		     str_copy(s->sort, copy, sizeof(s->sort)) < sizeof(s->sort);
		s->descending = dir && str_eq(dir, "desc");
	} else if (str_eq(key, "columns")) {
		ok = str_copy(s->columns, value, sizeof(s->columns)) < sizeof(s->columns);
	} else if (str_eq(key, "filter")) {
		ok = str_copy(s->filter, value, sizeof(s->filter)) < sizeof(s->filter);
	} else if (str_eq(key, "quick")) {
		ok = false;
		for (int q = QUICK_ALL; q < QUICK_COUNT && !ok; q++)
			ok = str_eq(quick_filter_names[q], value);
		if (ok)
			str_copy(s->quick, value, sizeof(s->quick));
	} else {
		ok = false;
	}
	free(copy);
	return ok;
}

/* 0, or the number of the first line that cannot be read. */
static int parse(struct console_state *st, FILE *f)
{
	char line[LINE_MAX_LEN];
	struct screen_state *cur = NULL;
	for (int lineno = 1; fgets(line, sizeof(line), f); lineno++) {
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n')
			return lineno;   /* longer than anything the console writes */
		char *s = str_trim(line);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end[1] || end == s + 1)
				return lineno;
			*end = '\0';
			if (!(cur = find(st, s + 1, true)))
				return lineno;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!cur || !eq)
			return lineno;
		*eq = '\0';
		if (!set_value(cur, str_trim(s), str_trim(eq + 1)))
			return lineno;
	}
	return 0;
}

struct console_state *console_state_load(const char *path, char *problem, size_t size)
{
	struct console_state *st = xcalloc(1, sizeof(*st));
	str_copy(st->path, path, sizeof(st->path));
	problem[0] = '\0';
	if (!*path)
		return st;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			snprintf(problem, size, "console state unreadable (%s), defaults used: %s", strerror(errno), path);
		return st;
	}
	int bad = parse(st, f);
	bool failed = ferror(f);
	fclose(f);
	if (bad || failed) {
		if (bad)
			snprintf(problem, size, "console state damaged at line %d, ignored (defaults used): %s", bad, path);
		else
			snprintf(problem, size, "console state unreadable (a read error), defaults used: %s", path);
		st->n = 0;
		st->changed = true;   /* the next quit writes a good one over it */
	}
	return st;
}

void console_state_free(struct console_state *st)
{
	free(st);
}

static int column_named(const struct table *t, const char *name, size_t len)
{
	for (int i = 0; i < t->ncols; i++)
		if (strlen(t->cols[i].name) == len && strncmp(t->cols[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Names the state has that the screen no longer has are skipped: a newer console may rename a column. */
void console_state_apply(const struct console_state *st, const char *screen, struct table *t)
{
	const struct screen_state *s = find((struct console_state *)st, screen, false);
	if (!s)
		return;
	bool shown[TABLE_COLS_MAX] = {false}, any = false;
	for (const char *p = s->columns; *p;) {
		size_t len = strcspn(p, ",");
		int col = column_named(t, p, len);
		if (col >= 0)
			shown[col] = any = true;
		p += len + (p[len] == ',');
	}
	if (any)
		memcpy(t->shown, shown, sizeof(shown));
	int sort = s->sort[0] ? column_named(t, s->sort, strlen(s->sort)) : -1;
	if (sort >= 0 && t->cols[sort].field >= 0) {
		t->sort_col = sort;
		t->descending = s->descending;
	}
	str_copy(t->filter, s->filter, sizeof(t->filter));
	for (int q = QUICK_ALL; q < QUICK_COUNT; q++)
		if (str_eq(quick_filter_names[q], s->quick) && store_views_has_quick(t->src->view, (enum quick_filter)q))
			t->quick = (enum quick_filter)q;
}

static bool same(const struct screen_state *a, const struct screen_state *b)
{
	return str_eq(a->sort, b->sort) && a->descending == b->descending && str_eq(a->columns, b->columns) &&
	       str_eq(a->filter, b->filter) && str_eq(a->quick, b->quick);
}

void console_state_remember(struct console_state *st, const char *screen, const struct table *t)
{
	struct screen_state now = {0};
	str_copy(now.screen, screen, sizeof(now.screen));
	str_copy(now.sort, t->cols[t->sort_col].name, sizeof(now.sort));
	now.descending = t->descending;
	struct strbuf cols = {0};
	for (int i = 0; i < t->ncols; i++)
		if (t->shown[i])
			sb_addf(&cols, "%s%s", cols.len ? "," : "", t->cols[i].name);
	str_copy(now.columns, sb_str(&cols), sizeof(now.columns));
	sb_free(&cols);
	str_copy(now.filter, t->filter, sizeof(now.filter));
	str_copy(now.quick, t->quick == QUICK_ALL ? "" : quick_filter_names[t->quick], sizeof(now.quick));
	struct screen_state *s = find(st, screen, true);
	if (s && !same(s, &now)) {
		*s = now;
		st->changed = true;
	}
}

static void write_state(const struct console_state *st, FILE *f)
{
	fprintf(f, "# The console's settings per screen, written by the console when it quits.\n");
	for (int i = 0; i < st->n; i++) {
		const struct screen_state *s = &st->screens[i];
		fprintf(f, "\n[%s]\nsort = %s %s\ncolumns = %s\n", s->screen, s->sort, s->descending ? "desc" : "asc",
		        s->columns);
		if (s->filter[0])
			fprintf(f, "filter = %s\n", s->filter);
		if (s->quick[0])
			fprintf(f, "quick = %s\n", s->quick);
	}
}

int console_state_save(struct console_state *st, char *err, size_t size)
{
	if (!st->changed || !st->path[0])
		return 0;
	char *tmp = xasprintf("%s.%ld.tmp", st->path, (long)getpid());
	FILE *f = NULL;
	int rc = -1;
	if (mkdir_parents(st->path) < 0 || !(f = fopen(tmp, "w"))) {
		snprintf(err, size, "cannot write the console state %s: %s", st->path, strerror(errno));
		free(tmp);
		return -1;
	}
	write_state(st, f);
	bool written = fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) == 0 && written && rename(tmp, st->path) == 0)
		rc = 0;
	else
		snprintf(err, size, "cannot write the console state %s: %s", st->path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	else
		st->changed = false;
	free(tmp);
	return rc;
}
