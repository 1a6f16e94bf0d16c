/* Questions, prompts, the text pager and the column chooser (see dialog.h). */
#include "tui/dialog.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

enum dialog_kind { DIALOG_CONFIRM, DIALOG_PROMPT, DIALOG_PAGER, DIALOG_COLUMNS };

struct dialog {
	enum dialog_kind kind;
	struct strbuf title;       /* the question, the prompt's label, the pager's title */
	struct strbuf text;        /* what is typed, or the pager's text */
	confirm_fn yes;
	int64_t arg;
	prompt_change_fn change;
	prompt_done_fn done;
	prompt_key_fn keys;
	bool changed;              /* typed text not yet passed to change */
	int scroll;                /* pager: first line shown */
	int page;                  /* pager: lines shown, as last drawn */
	int lines;                 /* pager: wrapped lines, as last drawn */
	struct {                   /* pager: the text wrapped once per width, not at every frame (1000 errors: 8 ms) */
		char **line;
		int n, cap, width;
	} wrapped;
	int cursor;                /* column chooser */
	struct table *table;
};

static void free_wrapped(struct dialog *d)
{
	for (int i = 0; i < d->wrapped.n; i++)
		free(d->wrapped.line[i]);
	free(d->wrapped.line);
	memset(&d->wrapped, 0, sizeof(d->wrapped));
}

static struct dialog *open_dialog(struct app *app, enum dialog_kind kind)
{
	dialog_close(app);
	struct dialog *d = xcalloc(1, sizeof(*d));
	d->kind = kind;
	app->dialog = d;
	app->dirty = true;
	return d;
}

void dialog_close(struct app *app)
{
	struct dialog *d = app->dialog;
	if (!d)
		return;
	sb_free(&d->title);
	sb_free(&d->text);
	free_wrapped(d);
	free(d);
	app->dialog = NULL;
	app->dirty = true;
}

void dialog_confirm(struct app *app, confirm_fn yes, int64_t arg, const char *fmt, ...)
{
	struct dialog *d = open_dialog(app, DIALOG_CONFIRM);
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&d->title, fmt, ap);
	va_end(ap);
	d->yes = yes;
	d->arg = arg;
}

void dialog_prompt(struct app *app, const char *label, const char *initial, prompt_change_fn change,
                   prompt_done_fn done)
{
	struct dialog *d = open_dialog(app, DIALOG_PROMPT);
	sb_adds(&d->title, label);
	sb_adds(&d->text, initial ? initial : "");
	d->change = change;
	d->done = done;
}

void dialog_prompt_keys(struct app *app, prompt_key_fn keys)
{
	if (app->dialog && app->dialog->kind == DIALOG_PROMPT)
		app->dialog->keys = keys;
}

void dialog_pager(struct app *app, const char *title, const char *text)
{
	struct dialog *d = open_dialog(app, DIALOG_PAGER);
	sb_adds(&d->title, title);
	sb_adds(&d->text, text);
}

void dialog_columns(struct app *app, struct table *t)
{
	struct dialog *d = open_dialog(app, DIALOG_COLUMNS);
	sb_adds(&d->title, "Columns");
	d->table = t;
}

/* ---- keys ---- */

static void confirm_key(struct app *app, struct dialog *d, int key)
{
	if (key != 'y' && key != 'Y' && key != 'n' && key != 'N' && key != 27 && key != 'q')
		return;
	confirm_fn yes = key == 'y' || key == 'Y' ? d->yes : NULL;
	int64_t arg = d->arg;
	dialog_close(app);
	if (yes)
		yes(app, arg);
	else
		app_message(app, ROLE_DIM, "nothing done");
}

static void drop_last_char(struct strbuf *sb)
{
	while (sb->len > 0 && ((unsigned char)sb->buf[sb->len - 1] & 0xC0) == 0x80)
		sb->len--;
	if (sb->len > 0)
		sb->len--;
	if (sb->buf)
		sb->buf[sb->len] = '\0';
}

static void prompt_key(struct app *app, struct dialog *d, int key)
{
	key = key_normalize(key);
	if (key == '\n' || key == 27) {
		dialog_flush(app);
		char *text = sb_detach(&d->text);
		prompt_done_fn done = d->done;
		dialog_close(app);
		if (done)
			done(app, text, key == '\n');
		free(text);
		return;
	}
	if (d->keys && d->keys(app, key, &d->text))
		;   /* the text is the handler's */
	else if (key == KEY_BACKSPACE)
		drop_last_char(&d->text);
	else if (key == 21)   /* C-u, as in a shell */
		sb_reset(&d->text);
	else if (key >= ' ' && key < 256 && key != 127)
		sb_addc(&d->text, (char)key);
	else
		return;
	d->changed = true;
}

static void quit(struct app *app)
{
	dialog_close(app);
	app_quit(app);
}

static void pager_key(struct app *app, struct dialog *d, int key)
{
	const struct keymap *km = &app->keys;
	int max = d->lines - d->page > 0 ? d->lines - d->page : 0;
	if (keymap_matches(km, ACTION_MOVE_UP, key))
		d->scroll--;
	else if (keymap_matches(km, ACTION_MOVE_DOWN, key))
		d->scroll++;
	else if (keymap_matches(km, ACTION_PAGE_UP, key))
		d->scroll -= d->page;
	else if (keymap_matches(km, ACTION_PAGE_DOWN, key))
		d->scroll += d->page;
	else if (keymap_matches(km, ACTION_FIRST, key))
		d->scroll = 0;
	else if (keymap_matches(km, ACTION_LAST, key))
		d->scroll = max;
	else if (keymap_matches(km, ACTION_BACK, key) || key_normalize(key) == '\n')
		dialog_close(app);
	else if (keymap_matches(km, ACTION_QUIT, key))
		quit(app);
	if (app->dialog) {
		if (d->scroll > max)
			d->scroll = max;
		if (d->scroll < 0)
			d->scroll = 0;
	}
}

static void columns_key(struct app *app, struct dialog *d, int key)
{
	const struct keymap *km = &app->keys;
	if (keymap_matches(km, ACTION_MOVE_UP, key) && d->cursor > 0)
		d->cursor--;
	else if (keymap_matches(km, ACTION_MOVE_DOWN, key) && d->cursor < d->table->ncols - 1)
		d->cursor++;
	else if (key == ' ' || key_normalize(key) == '\n')
		table_toggle_column(d->table, d->cursor);
	else if (keymap_matches(km, ACTION_BACK, key) || keymap_matches(km, ACTION_COLUMNS, key))
		dialog_close(app);
	else if (keymap_matches(km, ACTION_QUIT, key))
		quit(app);
}

void dialog_key(struct app *app, int key)
{
	struct dialog *d = app->dialog;
	app->dirty = true;
	switch (d->kind) {
	case DIALOG_CONFIRM:
		confirm_key(app, d, key);
		break;
	case DIALOG_PROMPT:
		prompt_key(app, d, key);
		break;
	case DIALOG_PAGER:
		pager_key(app, d, key);
		break;
	case DIALOG_COLUMNS:
		columns_key(app, d, key);
		break;
	}
}

void dialog_flush(struct app *app)
{
	struct dialog *d = app->dialog;
	if (!d || d->kind != DIALOG_PROMPT || !d->changed)
		return;
	d->changed = false;
	if (d->change)
		d->change(app, sb_str(&d->text));
}

/* ---- drawing ---- */

struct pager_draw {
	const struct draw *d;
	int first, top, rows, width;
};

static void pager_line(void *ud, int i, const char *s)
{
	struct pager_draw *p = ud;
	if (i >= p->first && i < p->first + p->rows)
		draw_text(p->d, p->top + i - p->first, 1, p->width, s, 'l', theme_attr(p->d->theme, ROLE_NORMAL));
}

void dialog_draw_question(struct app *app, const struct draw *d, int top, int bottom)
{
	struct dialog *dlg = app->dialog;
	if (!dlg || dlg->kind != DIALOG_CONFIRM || bottom < top)
		return;
	struct strbuf q = {0};
	sb_addf(&q, "%s (y/n)", sb_str(&dlg->title));
	struct pager_draw p = {d, 0, top, bottom - top + 1, getmaxx(d->win) - 2};
	draw_wrap(sb_str(&q), p.width, app->g->ascii, pager_line, &p);
	sb_free(&q);
}

static void clear_rows(const struct draw *d, int top, int bottom)
{
	wattrset(d->win, theme_attr(d->theme, ROLE_NORMAL));
	for (int y = top; y <= bottom; y++)
		mvwhline(d->win, y, 0, ' ', getmaxx(d->win));
}

static void keep_line(void *ud, int i, const char *s)
{
	struct dialog *dlg = ud;
	(void)i;
	if (dlg->wrapped.n == dlg->wrapped.cap) {
		dlg->wrapped.cap = dlg->wrapped.cap ? 2 * dlg->wrapped.cap : 64;
		dlg->wrapped.line = xrealloc(dlg->wrapped.line, (size_t)dlg->wrapped.cap * sizeof(*dlg->wrapped.line));
	}
	dlg->wrapped.line[dlg->wrapped.n++] = xstrdup(s);
}

static void draw_pager(struct app *app, struct dialog *dlg, const struct draw *d, int top, int bottom)
{
	int width = getmaxx(d->win) - 2;
	clear_rows(d, top, bottom);
	draw_rule(d, top, sb_str(&dlg->title));
	dlg->page = bottom - top - 1;
	if (!dlg->wrapped.line || dlg->wrapped.width != width) {
		free_wrapped(dlg);
		dlg->wrapped.width = width;
		draw_wrap(sb_str(&dlg->text), width, app->g->ascii, keep_line, dlg);
	}
	dlg->lines = dlg->wrapped.n;
	for (int i = 0; i < dlg->page && dlg->scroll + i < dlg->lines; i++)
		draw_text(d, top + 1 + i, 1, width, dlg->wrapped.line[dlg->scroll + i], 'l', theme_attr(d->theme, ROLE_NORMAL));
	char hint[128], up[16], close[16];
	app_key_hint(app, ACTION_MOVE_UP, up, sizeof(up));
	app_key_hint(app, ACTION_BACK, close, sizeof(close));
	int last = dlg->scroll + dlg->page < dlg->lines ? dlg->scroll + dlg->page : dlg->lines;
	snprintf(hint, sizeof(hint), "lines %d-%d of %d  %s/PgUp/PgDn scroll  %s close", dlg->lines ? dlg->scroll + 1 : 0,
	         last, dlg->lines, up, close);
	draw_rule(d, bottom, hint);
}

static void draw_columns(struct app *app, struct dialog *dlg, const struct draw *d, int top, int bottom)
{
	const struct table *t = dlg->table;
	int rows = t->ncols + 2;
	if (top + rows < bottom)
		bottom = top + rows;
	clear_rows(d, top, bottom);
	draw_rule(d, top, "Columns: Space shows or hides, Esc closes");
	for (int i = 0; i < t->ncols && top + 1 + i < bottom; i++) {
		char line[128];
		snprintf(line, sizeof(line), "[%s] %-12s %s", t->shown[i] ? "x" : " ", t->cols[i].name,
		         t->cols[i].field >= 0 ? "sortable" : "");
		attr_t attr = theme_attr(d->theme, i == dlg->cursor ? ROLE_SELECTION : ROLE_NORMAL);
		draw_text(d, top + 1 + i, 2, 40, line, 'l', attr);
	}
	(void)app;
	draw_rule(d, bottom, NULL);
}

void dialog_draw_box(struct app *app, const struct draw *d, int top, int bottom)
{
	struct dialog *dlg = app->dialog;
	if (!dlg || bottom - top < 3)
		return;
	if (dlg->kind == DIALOG_PAGER)
		draw_pager(app, dlg, d, top, bottom);
	else if (dlg->kind == DIALOG_COLUMNS)
		draw_columns(app, dlg, d, top, bottom);
}

bool dialog_draw_status(struct app *app, const struct draw *d, int y)
{
	struct dialog *dlg = app->dialog;
	int width = getmaxx(d->win);
	if (!dlg || (dlg->kind != DIALOG_CONFIRM && dlg->kind != DIALOG_PROMPT))
		return false;
	if (dlg->kind == DIALOG_CONFIRM) {
		struct strbuf q = {0};
		sb_addf(&q, "%s (y/n)", sb_str(&dlg->title));
		draw_text(d, y, 0, width, sb_str(&q), 'l', theme_attr(d->theme, ROLE_WARN));
		sb_free(&q);
		return true;
	}
	attr_t attr = theme_attr(d->theme, ROLE_NORMAL);
	wattrset(d->win, attr);
	mvwhline(d->win, y, 0, ' ', width);
	int x = draw_span(d, y, 0, width, sb_str(&dlg->title), attr | A_BOLD);
	/* The end of a long input stays visible. */
	const char *text = sb_str(&dlg->text);
	int room = width - x - 2;
	while (room > 0 && (int)text_width(text) > room) {
		text++;
		while (((unsigned char)*text & 0xC0) == 0x80)
			text++;
	}
	x += draw_span(d, y, x, room, text, attr);
	draw_span(d, y, x, 1, d->g->ascii ? "_" : "\xE2\x96\x8F", attr | A_BLINK);
	(void)app;
	return true;
}
