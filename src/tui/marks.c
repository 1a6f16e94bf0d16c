#include "tui/marks.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static int by_key(const void *key, const void *item)
{
	return strcmp(key, *(char *const *)item);
}

static char **find(const struct marks *m, const char *key)
{
	return bsearch_or_null(key, m->keys, m->n, sizeof(*m->keys), by_key);
}

bool marks_has(const struct marks *m, const char *key)
{
	return find(m, key) != NULL;
}

void marks_toggle(struct marks *m, const char *key)
{
	char **found = find(m, key);
	if (found) {
		size_t at = (size_t)(found - m->keys);
		free(m->keys[at]);
		memmove(&m->keys[at], &m->keys[at + 1], (m->n - at - 1) * sizeof(*m->keys));
		m->n--;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->keys = xrealloc(m->keys, m->cap * sizeof(*m->keys));
	}
	/* a linear search for the place: moving the keys after it costs as much anyway */
	size_t at = 0;
	while (at < m->n && strcmp(m->keys[at], key) < 0)
		at++;
	memmove(&m->keys[at + 1], &m->keys[at], (m->n - at) * sizeof(*m->keys));
	m->keys[at] = xstrdup(key);
	m->n++;
}

void marks_clear(struct marks *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}
