/* A list of validation problems, each "json.path: what is wrong (what is accepted)". */
#ifndef FEEDSYNC_CORE_PROBLEMS_H
#define FEEDSYNC_CORE_PROBLEMS_H

#include <stddef.h>

struct problems {
	size_t n;
	char **items;
};

void problems_add(struct problems *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void problems_free(struct problems *p);
/* All problems, one per line, each prefixed by `indent`; caller frees. */
char *problems_join(const struct problems *p, const char *indent);

#endif
