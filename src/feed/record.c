#include <stdio.h>
#include <string.h>

#include "feed/record.h"

/* Called for every mapped field of every row: the first byte turns most columns away without a strcmp. */
const char *record_get(const struct record *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->names[i][0] == name[0] && strcmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

const char *record_place(long line, long item, char buf[RECORD_PLACE_SIZE])
{
	if (item > 0)
		snprintf(buf, RECORD_PLACE_SIZE, "item %ld", item);
	else
		snprintf(buf, RECORD_PLACE_SIZE, "line %ld", line);
	return buf;
}
