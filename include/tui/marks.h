/* Rows marked in a list, by key (a plan's rows by SKU): a sorted set of strings. */
#ifndef FEEDSYNC_TUI_MARKS_H
#define FEEDSYNC_TUI_MARKS_H

#include <stdbool.h>
#include <stddef.h>

struct marks {
	char **keys;                  /* sorted, owned */
	size_t n, cap;
};
bool marks_has(const struct marks *m, const char *key);
/* Marks key, or unmarks it when it was marked. */
void marks_toggle(struct marks *m, const char *key);
void marks_clear(struct marks *m);

#endif
