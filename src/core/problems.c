#include "core/problems.h"

#include <stdarg.h>
#include <stdlib.h>

#include "core/util.h"

void problems_add(struct problems *p, const char *path, const char *fmt, ...)
{
	struct strbuf sb = {0};
	if (path && *path)
		sb_addf(&sb, "%s: ", path);
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	p->items[p->n++] = sb_detach(&sb);
}

void problems_free(struct problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

char *problems_join(const struct problems *p, const char *indent)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < p->n; i++)
		sb_addf(&sb, "%s%s\n", indent ? indent : "", p->items[i]);
	return sb_detach(&sb);
}
