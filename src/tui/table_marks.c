/* Marked rows of a table, kept by id (see table.h): a short list, as a person marks them one by one. */
#include <stdlib.h>
#include <string.h>

#include "tui/table.h"

bool table_is_marked(const struct table *t, int64_t id)
{
	for (size_t i = 0; i < t->nmarks; i++)
		if (t->marks[i] == id)
			return true;
	return false;
}

void table_toggle_mark(struct table *t)
{
	const void *row = table_selected(t);
	if (!row)
		return;
	int64_t id = t->src->row_id(row);
	for (size_t i = 0; i < t->nmarks; i++) {
		if (t->marks[i] == id) {
			memmove(t->marks + i, t->marks + i + 1, (t->nmarks - i - 1) * sizeof(*t->marks));
			t->nmarks--;
			return;
		}
	}
	if (t->nmarks == t->cap_marks) {
		t->cap_marks = t->cap_marks ? t->cap_marks * 2 : 16;
		t->marks = xrealloc(t->marks, t->cap_marks * sizeof(*t->marks));
	}
	t->marks[t->nmarks++] = id;
}

void table_clear_marks(struct table *t)
{
	t->nmarks = 0;
}
