/* Scrolling a screen of text lines (help, stats) by the moving actions. */
#ifndef FEEDSYNC_TUI_SCROLL_H
#define FEEDSYNC_TUI_SCROLL_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/actions.h"

/* The moving actions, ending with ACTION_NONE. */
extern const enum action scroll_actions[];

/*
 * Moves *top, the first of nlines shown in rows rows, by a moving action; false for any other action.
 * It may go past the last page: scroll_clamp keeps the last page full when drawing.
 */
bool scroll_act(size_t *top, int rows, size_t nlines, enum action a);
/* *top so that rows rows starting there show as many of nlines as they can. */
void scroll_clamp(size_t *top, int rows, size_t nlines);

#endif
