/*
 * Drawing primitives shared by every screen. Text is made safe on the way (control characters shown,
 * never sent), cut to its cell with an ellipsis and padded, so a cell always covers exactly its width
 * and wide or combining characters cannot shift the columns after it. In ASCII mode, line drawing and
 * symbols use ASCII and any other character is shown as '?'.
 */
#ifndef FEEDSYNC_TUI_DRAW_H
#define FEEDSYNC_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/util.h"
#include "tui/theme.h"

struct glyphs {
	const char *ok, *errors, *failed, *running, *queued, *cancelled, *never;
	const char *sort_up, *sort_down;
	const char *hline, *arrow, *bar_full, *bar_empty, *dot;
	bool ascii;
};
extern const struct glyphs glyphs_utf8, glyphs_ascii;

struct draw {
	WINDOW *win;
	const struct theme *theme;
	const struct glyphs *g;
};

/* Writes text into columns [x, x + width) of row y: sanitised, cut with an ellipsis, padded with spaces. */
void draw_text(const struct draw *d, int y, int x, int width, const char *text, char align, attr_t attr);
/* As draw_text, without padding; returns the columns used. */
int draw_span(const struct draw *d, int y, int x, int width, const char *text, attr_t attr);
/* A separator line across the window with a title: "── Errors (3) ─────". */
void draw_rule(const struct draw *d, int y, const char *title);
/* "[#####.....]" filling width columns; fraction in 0..1, negative = unknown. */
void draw_bar(const struct draw *d, int y, int x, int width, double fraction, attr_t attr);

/* Text as it will be drawn: control characters visible, and ASCII only in ASCII mode. */
void draw_clean(const char *text, bool ascii, struct strbuf *out);
/*
 * Wraps text (lines separated by \n) to width columns, breaking after a space where it can, and calls
 * line(ud, i, text) for each wrapped line (as draw_clean makes it) when line is not NULL. Returns how many.
 */
int draw_wrap(const char *text, int width, bool ascii, void (*line)(void *ud, int i, const char *s), void *ud);

/* Whether hay holds needle, ASCII case folded (other characters match as they are). */
bool text_contains_folded(const char *hay, const char *needle);

/* A run status as the console shows it: symbol, word ("ok", "errors", ...) and role. */
const char *status_symbol(const struct glyphs *g, const char *status);
const char *status_word(const char *status);
enum role status_role(const char *status);

struct run_row;
/*
 * How far a run is: bytes while downloading and importing, items while pushing (-1 unknown). A finished
 * run: 1 when it completed (with errors or not), else what its last phase reached when it stopped (0 unknown).
 */
double run_progress(const struct run_row *r);

/* "12s ago", "5m ago", "3h ago", "2d ago"; "in 5m" for the future; "-" for 0. */
void format_age(int64_t at_ms, int64_t now, char *buf, size_t size);

#endif
