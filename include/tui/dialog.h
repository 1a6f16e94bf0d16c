/*
 * What sits on top of a screen for a moment: a yes/no question or a line of input in the status line,
 * a scrollable text (an error in full) or the column chooser in a box. One at a time; keys go to it
 * first.
 */
#ifndef FEEDSYNC_TUI_DIALOG_H
#define FEEDSYNC_TUI_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/app.h"

typedef void (*confirm_fn)(struct app *app, int64_t arg);
/* Text typed so far (change) or the final text (done; accepted false on Esc). */
typedef void (*prompt_change_fn)(struct app *app, const char *text);
typedef void (*prompt_done_fn)(struct app *app, const char *text, bool accepted);

void dialog_confirm(struct app *app, confirm_fn yes, int64_t arg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* change may be NULL; it runs once typing pauses (see dialog_flush), not for every key. */
void dialog_prompt(struct app *app, const char *label, const char *initial, prompt_change_fn change,
                   prompt_done_fn done);
/* text: lines separated by \n, wrapped to the box. */
/* Keys a prompt does not edit with (Up, Down, Tab): may change the text; true when it took the key. */
typedef bool (*prompt_key_fn)(struct app *app, int key, struct strbuf *text);
/* Gives the prompt just opened those keys (a command line's history and completion). */
void dialog_prompt_keys(struct app *app, prompt_key_fn keys);
void dialog_pager(struct app *app, const char *title, const char *text);
void dialog_columns(struct app *app, struct table *t);

void dialog_key(struct app *app, int key);
/* Applies a change typed into a prompt that is still waiting. */
void dialog_flush(struct app *app);
/* A box over the body (rows top .. bottom), and the status line for questions and prompts. */
void dialog_draw_box(struct app *app, const struct draw *d, int top, int bottom);
bool dialog_draw_status(struct app *app, const struct draw *d, int y);
/* A yes/no question wrapped over rows top .. bottom, for a screen too small for the status line to hold it. */
void dialog_draw_question(struct app *app, const struct draw *d, int top, int bottom);
void dialog_close(struct app *app);

#endif
