/* Form fields: keys and drawing (see form.h). */
#include "tui/form.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "tui/keymap.h"

#define LIST_ROWS 8
#define KEY_CTRL_U 21
#define KEY_ESC 27

void form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
	f->focus = -1;
}

void form_free(struct form *f)
{
	free(f->items);
	memset(f, 0, sizeof(*f));
}

void form_begin(struct form *f)
{
	f->n = 0;
}

struct form_item *form_add(struct form *f, const struct form_item *item)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 32;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	struct form_item *it = &f->items[f->n++];
	*it = *item;
	if (it->height < 1)
		it->height = 1;
	return it;
}

static bool focusable(const struct form_item *it)
{
	return it->kind != FORM_NOTE;
}

/* The focused item's index: the one with the focus id, else the first focusable one. -1 when none. */
static int focused_index(const struct form *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].id == f->focus && focusable(&f->items[i]))
			return (int)i;
	for (size_t i = 0; i < f->n; i++)
		if (focusable(&f->items[i]))
			return (int)i;
	return -1;
}

const struct form_item *form_focused(const struct form *f)
{
	int i = focused_index(f);
	return i < 0 ? NULL : &f->items[i];
}

static void focus_at(struct form *f, int i)
{
	f->focus = f->items[i].id;
	f->list_open = false;
	const struct form_item *it = &f->items[i];
	f->cursor = it->text ? it->text->len : 0;
}

void form_focus(struct form *f, int id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].id == id && focusable(&f->items[i])) {
			focus_at(f, (int)i);
			return;
		}
	f->focus = id;   /* an item not described yet: it takes the focus when it comes */
	f->cursor = SIZE_MAX;   /* at the end of its text */
	f->list_open = false;
}

static enum form_event move_focus(struct form *f, int step)
{
	int i = focused_index(f);
	if (i < 0)
		return FORM_IGNORED;
	int n = (int)f->n;
	for (int k = 1; k < n; k++) {   /* round and round: after the last field comes the first */
		int at = ((i + step * k) % n + n) % n;
		if (focusable(&f->items[at])) {
			focus_at(f, at);
			return FORM_MOVED;
		}
	}
	return FORM_MOVED;
}

/* ---- text -------------------------------------------------------------------------------------------- */

static size_t char_before(const char *s, size_t at)
{
	while (at > 0 && ((unsigned char)s[--at] & 0xC0) == 0x80)
		;
	return at;
}

static size_t char_after(const char *s, size_t len, size_t at)
{
	if (at < len)
		at++;
	while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
		at++;
	return at;
}

static void text_erase(struct strbuf *sb, size_t from, size_t to)
{
	memmove(sb->buf + from, sb->buf + to, sb->len - to + 1);
	sb->len -= to - from;
}

static void text_insert(struct strbuf *sb, size_t at, char c)
{
	sb_addc(sb, c);
	memmove(sb->buf + at + 1, sb->buf + at, sb->len - at - 1);
	sb->buf[at] = c;
}

static enum form_event text_key(struct form *f, struct form_item *it, int key)
{
	struct strbuf *sb = it->text;
	if (f->cursor > sb->len)
		f->cursor = sb->len;
	const char *s = sb_str(sb);
	switch (key) {
	case KEY_LEFT: f->cursor = char_before(s, f->cursor); return FORM_MOVED;
	case KEY_RIGHT: f->cursor = char_after(s, sb->len, f->cursor); return FORM_MOVED;
	case KEY_HOME: case 1: f->cursor = 0; return FORM_MOVED;
	case KEY_END: case 5: f->cursor = sb->len; return FORM_MOVED;
	case KEY_BACKSPACE:
		if (f->cursor == 0)
			return FORM_MOVED;
		size_t from = char_before(s, f->cursor);
		text_erase(sb, from, f->cursor);
		f->cursor = from;
		return FORM_EDITED;
	case KEY_DC:
		if (f->cursor < sb->len)
			text_erase(sb, f->cursor, char_after(s, sb->len, f->cursor));
		return FORM_EDITED;
	case KEY_CTRL_U:
		sb_reset(sb);
		f->cursor = 0;
		return FORM_EDITED;
	default:
		break;
	}
	if (key < ' ' || key >= 256 || key == 127)
		return FORM_IGNORED;
	text_insert(sb, f->cursor++, (char)key);
	return FORM_EDITED;
}

/* ---- choice lists ------------------------------------------------------------------------------------ */

static int choice_value(const struct form_item *it)
{
	if (it->kind == FORM_TEXT) {
		for (int i = 0; i < it->noptions; i++)
			if (str_eq(it->options[i], sb_str(it->text)))
				return i;
		return 0;
	}
	return it->value ? *it->value : it->current;
}

static enum form_event choose(struct form *f, struct form_item *it, int index)
{
	f->list_open = false;
	if (index < 0 || index >= it->noptions)
		return FORM_MOVED;
	if (it->kind == FORM_TEXT) {
		sb_reset(it->text);
		sb_adds(it->text, it->options[index]);
		f->cursor = it->text->len;
		return FORM_EDITED;
	}
	if (it->value) {
		*it->value = index;
		return FORM_EDITED;
	}
	f->event_id = it->id;
	f->event_index = index;
	return FORM_CHOSEN;
}

static void open_list(struct form *f, const struct form_item *it)
{
	if (it->noptions <= 0)
		return;
	f->list_open = true;
	f->ntyped = 0;
	f->list_at = choice_value(it);
	if (f->list_at < 0 || f->list_at >= it->noptions)
		f->list_at = 0;
	f->list_top = f->list_at >= LIST_ROWS ? f->list_at - LIST_ROWS + 1 : 0;
}

static int find_prefix(const struct form_item *it, const char *prefix, size_t len)
{
	for (int i = 0; i < it->noptions; i++)
		if (strncasecmp(it->options[i], prefix, len) == 0)
			return i;
	return -1;
}

/*
 * Typing in an open list selects the first option that starts with what was typed since it opened ("no"
 * reaches not_contains); a key that matches nothing so starts the prefix again. Where nothing matches,
 * the selection stays.
 */
static int type_ahead(struct form *f, const struct form_item *it, int at, int key)
{
	if (f->ntyped + 1 < sizeof(f->typed))
		f->typed[f->ntyped++] = (char)key;
	int i = find_prefix(it, f->typed, f->ntyped);
	if (i < 0) {
		f->typed[0] = (char)key;
		f->ntyped = 1;
		i = find_prefix(it, f->typed, 1);
	}
	return i < 0 ? at : i;
}

static enum form_event list_key(struct form *f, struct form_item *it, int key)
{
	int at = f->list_at;
	switch (key) {
	case KEY_UP: at--; break;
	case KEY_DOWN: at++; break;
	case KEY_PPAGE: at -= LIST_ROWS; break;
	case KEY_NPAGE: at += LIST_ROWS; break;
	case KEY_HOME: at = 0; break;
	case KEY_END: at = it->noptions - 1; break;
	case '\n': case ' ': return choose(f, it, at);
	case '\t': {   /* chooses and goes on to the next field, as typing "g" Tab in an operator does */
		enum form_event ev = choose(f, it, at);
		move_focus(f, 1);
		return ev;
	}
	case KEY_ESC: f->list_open = false; return FORM_MOVED;
	default:
		if (key > ' ' && key < 127)
			at = type_ahead(f, it, at, key);
		break;
	}
	if (at >= it->noptions)
		at = it->noptions - 1;
	if (at < 0)
		at = 0;
	f->list_at = at;
	if (at < f->list_top)
		f->list_top = at;
	if (at >= f->list_top + LIST_ROWS)
		f->list_top = at - LIST_ROWS + 1;
	return FORM_MOVED;
}

static enum form_event choice_key(struct form *f, struct form_item *it, int key)
{
	int v = choice_value(it);
	switch (key) {
	case '\n': case ' ':
		open_list(f, it);
		return FORM_MOVED;
	case KEY_LEFT:
		return v > 0 ? choose(f, it, v - 1) : FORM_MOVED;
	case KEY_RIGHT:
		return v + 1 < it->noptions ? choose(f, it, v + 1) : FORM_MOVED;
	default:
		if (key > ' ' && key < 127 && it->noptions > 0) {   /* the list opens: what typing picks shows */
			open_list(f, it);
			return list_key(f, it, key);
		}
		return FORM_IGNORED;
	}
}

/* ---- keys -------------------------------------------------------------------------------------------- */

enum form_event form_key(struct form *f, int key)
{
	key = key_normalize(key);
	int i = focused_index(f);
	if (i < 0)
		return FORM_IGNORED;
	struct form_item *it = &f->items[i];
	f->focus = it->id;
	if (f->list_open)
		return list_key(f, it, key);
	if (it->kind == FORM_AREA && key != '\t' && key != KEY_BTAB)
		return FORM_IGNORED;
	switch (key) {
	case '\t': case KEY_DOWN: return move_focus(f, 1);
	case KEY_BTAB: case KEY_UP: return move_focus(f, -1);
	default: break;
	}
	switch (it->kind) {
	case FORM_TEXT:
		if (key == '\n' && it->noptions > 0) {
			open_list(f, it);
			return FORM_MOVED;
		}
		if (key == '\n')
			return move_focus(f, 1);
		return text_key(f, it, key);
	case FORM_CHOICE:
		return choice_key(f, it, key);
	case FORM_CHECK:
		if (key != ' ' && key != '\n')
			return FORM_IGNORED;
		*it->check = !*it->check;
		return FORM_EDITED;
	case FORM_BUTTON:
		if (key != ' ' && key != '\n')
			return FORM_IGNORED;
		f->event_id = it->id;
		return FORM_PRESSED;
	default:
		return FORM_IGNORED;
	}
}

/* ---- drawing ----------------------------------------------------------------------------------------- */

/* The text as shown: stars for a secret, and the part around the cursor when it is longer than width. */
static void visible_text(const struct form_item *it, size_t cursor, bool focused, int width, struct strbuf *out)
{
	const char *s = sb_str(it->text);
	struct strbuf shown = {0};
	if (cursor > it->text->len)
		cursor = it->text->len;
	if (it->secret) {
		for (size_t k = 0; s[k]; k++)
			if (((unsigned char)s[k] & 0xC0) != 0x80)
				sb_addc(&shown, '*');
		size_t chars = 0;
		for (size_t k = 0; k < cursor && s[k]; k++)
			chars += ((unsigned char)s[k] & 0xC0) != 0x80;
		cursor = chars;
		s = sb_str(&shown);
	}
	size_t start = 0;
	if (focused) {
		char *head = xstrndup(s, cursor);
		while (start < cursor && (int)text_width(head + start) >= width)
			start = char_after(head, cursor, start);
		free(head);
	}
	sb_adds(out, s + start);
	sb_free(&shown);
}

static const char *list_mark(const struct draw *d)
{
	return d->g->ascii ? "v]" : "\xE2\x96\xBE]";
}

static void draw_value(const struct form *f, const struct form_item *it, bool focused, const struct draw *d, int y,
                       int x)
{
	attr_t normal = theme_attr(d->theme, ROLE_NORMAL);
	attr_t attr = focused ? theme_attr(d->theme, ROLE_SELECTION) : normal;
	struct strbuf sb = {0};
	int w = it->width;
	switch (it->kind) {
	case FORM_TEXT: {
		/* A combo (a text with a list) ends like a choice, "▾]": the list mark, then the bracket. */
		int end = it->noptions > 0 ? 2 : 1;
		draw_span(d, y, x, 1, "[", normal);
		visible_text(it, f->cursor, focused, w - 1 - end, &sb);
		draw_text(d, y, x + 1, w - 1 - end, sb_str(&sb), 'l', attr);
		draw_span(d, y, x + w - end, end, end == 2 ? list_mark(d) : "]", normal);
		break;
	}
	case FORM_CHOICE: {
		int v = choice_value(it);
		sb_addf(&sb, "%s", v >= 0 && v < it->noptions ? it->options[v] : "(none)");
		draw_span(d, y, x, 1, "[", normal);
		draw_text(d, y, x + 1, w - 3, sb_str(&sb), 'l', attr);
		draw_span(d, y, x + w - 2, 2, list_mark(d), normal);
		break;
	}
	case FORM_CHECK:
		sb_addf(&sb, "[%s] %s", *it->check ? "x" : " ", it->label ? it->label : "");
		draw_text(d, y, x, w, sb_str(&sb), 'l', attr);
		break;
	case FORM_BUTTON:
		sb_addf(&sb, "< %s >", it->label ? it->label : "");
		draw_text(d, y, x, w, sb_str(&sb), 'l', focused ? attr : normal | A_BOLD);
		break;
	case FORM_NOTE:
		draw_text(d, y, x, w, it->label ? it->label : "", 'l', theme_attr(d->theme, it->role));
		break;
	default:
		break;
	}
	sb_free(&sb);
}

/* The last row any item of the form takes. */
static int last_row(const struct form *f)
{
	int last = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].row + f->items[i].height - 1 > last)
			last = f->items[i].row + f->items[i].height - 1;
	return last;
}

/*
 * Scrolls so the focused item (and its list) is on screen, with the row below it when there is one: that is
 * where a button's outcome is written ("3 category paths"), which would else appear out of sight.
 */
static void scroll_to_focus(struct form *f, int h)
{
	const struct form_item *it = form_focused(f);
	if (!it)
		return;
	int bottom = it->row + it->height - 1;
	if (bottom < last_row(f) && it->height < h)
		bottom++;
	if (bottom >= f->top + h)
		f->top = bottom - h + 1 < it->row ? bottom - h + 1 : it->row;   /* a tall item shows its top */
	if (it->row < f->top)
		f->top = it->row;
	if (f->top < 0)
		f->top = 0;
}

static void draw_list(struct form *f, const struct form_item *it, const struct draw *d, int y, int h)
{
	int rows = it->noptions < LIST_ROWS ? it->noptions : LIST_ROWS;
	int width = 8;
	for (int i = 0; i < it->noptions; i++)
		if ((int)text_width(it->options[i]) + 4 > width)
			width = (int)text_width(it->options[i]) + 4;
	int cols = getmaxx(d->win);
	int x = it->x + it->label_width;
	if (width > cols - 2)
		width = cols - 2;
	if (x + width > cols)
		x = cols - width;
	int at = y + it->row - f->top + 1;
	if (at + rows + 2 > y + h && at - rows - 3 >= y)
		at -= rows + 3;   /* no room below: above the field */
	attr_t normal = theme_attr(d->theme, ROLE_NORMAL), border = theme_attr(d->theme, ROLE_BORDER);
	struct strbuf line = {0};
	for (int k = 0; k < width - 2; k++)
		sb_adds(&line, d->g->hline);
	draw_text(d, at, x, 1, "+", 'l', border);
	draw_text(d, at, x + 1, width - 2, sb_str(&line), 'l', border);
	draw_text(d, at, x + width - 1, 1, "+", 'l', border);
	for (int r = 0; r < rows; r++) {
		int i = f->list_top + r;
		draw_text(d, at + 1 + r, x, 1, "|", 'l', border);
		draw_text(d, at + 1 + r, x + 1, width - 2, i < it->noptions ? it->options[i] : "", 'l',
		          i == f->list_at ? theme_attr(d->theme, ROLE_SELECTION) : normal);
		draw_text(d, at + 1 + r, x + width - 1, 1, "|", 'l', border);
	}
	char pos[32];
	snprintf(pos, sizeof(pos), " %d/%d ", f->list_at + 1, it->noptions);
	draw_text(d, at + rows + 1, x, 1, "+", 'l', border);
	draw_text(d, at + rows + 1, x + 1, width - 2, sb_str(&line), 'l', border);
	draw_text(d, at + rows + 1, x + 1, (int)strlen(pos), pos, 'l', normal);
	draw_text(d, at + rows + 1, x + width - 1, 1, "+", 'l', border);
	sb_free(&line);
}

void form_draw(struct form *f, const struct draw *d, int y, int h)
{
	f->rows = h;
	scroll_to_focus(f, h);
	const struct form_item *focused = form_focused(f);
	attr_t normal = theme_attr(d->theme, ROLE_NORMAL);
	for (size_t i = 0; i < f->n; i++) {
		const struct form_item *it = &f->items[i];
		int row = it->row - f->top;
		if (row < 0 || row >= h || it->kind == FORM_AREA)
			continue;
		bool is_focus = it == focused;
		if (is_focus && it->x > 0)
			draw_text(d, y + row, it->x - 1, 1, ">", 'l', normal | A_BOLD);
		if (it->label_width > 0 && it->kind != FORM_CHECK && it->kind != FORM_BUTTON)
			draw_text(d, y + row, it->x, it->label_width, it->label, 'l', normal | (is_focus ? A_BOLD : 0));
		draw_value(f, it, is_focus, d, y + row, it->x + it->label_width);
	}
}

void form_draw_list(struct form *f, const struct draw *d, int y, int h)
{
	const struct form_item *focused = form_focused(f);
	if (f->list_open && focused)
		draw_list(f, focused, d, y, h);
}

int form_screen_row(const struct form *f, int id, int y)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].id == id) {
			int row = f->items[i].row - f->top;
			return row >= 0 && row < f->rows ? y + row : -1;
		}
	return -1;
}
