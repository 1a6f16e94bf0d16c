/*
 * A form: fields on rows (text, choice list, checkbox, button, note), one focused at a time, with a one-line
 * help for the focused one. Immediate mode: the owner describes the items afresh before each key and each
 * frame (form_begin, then form_add), pointing them at its own data; the form keeps only the focus (by item
 * id), the scroll, the text cursor and an open choice list. So a field that appears or goes away leaves the
 * focus where it was, and a resize redraws everything from the data, intact.
 *
 * Keys: Tab, Down and Enter (on a text) go to the next field (after the last, the first); Shift-Tab and Up
 * to the previous one; in a text, typing edits, Left/Right/Home/End move, Backspace/Delete erase, C-u
 * clears; on a choice, Enter or Space opens the list (Up/Down/PgUp/PgDn; typing selects the first option
 * starting with what was typed; Enter chooses, Tab chooses and goes to the next field, Esc closes), typing
 * opens it the same way, and Left/Right step through it; Space or Enter toggles a checkbox and presses a
 * button. An area
 * is the owner's: it gets the arrows and pages while focused.
 */
#ifndef FEEDSYNC_TUI_FORM_H
#define FEEDSYNC_TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "tui/draw.h"
#include "tui/theme.h"

enum form_kind { FORM_TEXT, FORM_CHOICE, FORM_CHECK, FORM_BUTTON, FORM_NOTE, FORM_AREA };

struct form_item {
	enum form_kind kind;
	int id;                      /* stable from frame to frame: the focus follows it */
	int row, height;             /* form rows (height 0 = 1) */
	int x;                       /* where the label starts */
	int label_width;             /* columns for the label, 0 = none */
	int width;                   /* columns of the value */
	const char *label;
	const char *help;            /* shown while focused */
	struct strbuf *text;         /* TEXT; with options it is a combo: typed, or picked from the list */
	bool secret;                 /* TEXT shown as stars */
	const char *const *options;  /* CHOICE (and combo) */
	int noptions;
	int *value;                  /* CHOICE: the chosen index; NULL: the choice is reported (FORM_CHOSEN) */
	int current;                 /* CHOICE without value: the index shown */
	bool *check;                 /* CHECK */
	enum role role;              /* NOTE */
};

enum form_event {
	FORM_IGNORED,    /* not a key of the form: the owner's */
	FORM_MOVED,      /* the focus or a list moved */
	FORM_EDITED,     /* a text, a choice with a value, or a checkbox changed */
	FORM_CHOSEN,     /* a choice without value: event_id, event_index */
	FORM_PRESSED,    /* a button: event_id */
};

struct form {
	struct form_item *items;
	size_t n, cap;
	int focus;                   /* the focused item's id; -1 = the first focusable */
	int top;                     /* the first row on screen */
	int rows;                    /* rows on screen, as last drawn */
	size_t cursor;               /* in the focused text, bytes */
	bool list_open;              /* the focused choice's list */
	int list_at, list_top;
	char typed[16];              /* typed since the list opened, to select by prefix */
	size_t ntyped;
	int event_id, event_index;
};

void form_init(struct form *f);
void form_free(struct form *f);
/* Starts a new description of the items (the focus stays). */
void form_begin(struct form *f);
/* Adds an item (copied); returns it for the caller to adjust. */
struct form_item *form_add(struct form *f, const struct form_item *item);

/* The key as the form takes it; FORM_IGNORED when it is the owner's. */
enum form_event form_key(struct form *f, int key);
/* Draws rows [f->top, f->top + h) at screen rows y.., scrolled to show the focus. */
void form_draw(struct form *f, const struct draw *d, int y, int h);
/* The open choice list, if any, over what form_draw and its owner drew there (the same y and h): last. */
void form_draw_list(struct form *f, const struct draw *d, int y, int h);
/* The focused item, NULL when none. */
const struct form_item *form_focused(const struct form *f);
void form_focus(struct form *f, int id);
/* Where an area item was drawn (its first screen row), -1 when it is off screen. */
int form_screen_row(const struct form *f, int id, int y);

#endif
