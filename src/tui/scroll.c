/* Scrolling text screens (see scroll.h). */
#include "tui/scroll.h"

#include <stdint.h>

const enum action scroll_actions[] = {
	ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_FIRST, ACTION_LAST, ACTION_NONE,
};

bool scroll_act(size_t *top, int rows, size_t nlines, enum action a)
{
	int64_t t = (int64_t)*top, page = rows > 1 ? rows - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP: t--; break;
	case ACTION_MOVE_DOWN: t++; break;
	case ACTION_PAGE_UP: t -= page; break;
	case ACTION_PAGE_DOWN: t += page; break;
	case ACTION_FIRST: t = 0; break;
	case ACTION_LAST: t = (int64_t)nlines; break;
	default: return false;
	}
	*top = t < 0 ? 0 : (size_t)t;
	return true;
}

void scroll_clamp(size_t *top, int rows, size_t nlines)
{
	if (*top + (size_t)rows > nlines)
		*top = nlines > (size_t)rows ? nlines - (size_t)rows : 0;
}
