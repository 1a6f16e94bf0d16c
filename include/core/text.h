/* Text from feeds, shops and servers made safe and measurable for a terminal. */
#ifndef FEEDSYNC_CORE_TEXT_H
#define FEEDSYNC_CORE_TEXT_H

#include <stddef.h>

#include "core/util.h"

/*
 * Appends s to out with control characters made visible (ESC as "^[", newline as "\n" when
 * keep_newlines is false) and invalid UTF-8 bytes as "\xNN", so a feed can never send escape sequences
 * to the terminal.
 */
void text_sanitize(const char *s, struct strbuf *out, int keep_newlines);
/* Display columns of valid UTF-8 text (wide characters count 2, combining marks 0). */
size_t text_width(const char *s);
/* Appends at most `width` columns of s, ending with "…" (or "~" when ascii) when cut. */
void text_fit(const char *s, size_t width, int ascii, struct strbuf *out);
/*
 * Appends s as one CSV field, always quoted; a cell that starts with = + - @ gets a leading ' so a
 * spreadsheet shows it as text instead of running it as a formula.
 */
void csv_field(const char *s, struct strbuf *out);

#endif
