/* What the format files (csv.c, json.c, xml.c) and the decoder share with the registry in source.c. */
#ifndef FEEDSYNC_FEED_FORMATS_H
#define FEEDSYNC_FEED_FORMATS_H

#include <stddef.h>

#include "feed/source.h"

extern const struct source_ops csv_source_ops;
extern const struct source_ops json_source_ops;
extern const struct source_ops xml_source_ops;

#define DEFAULT_MAX_FIELD_BYTES ((size_t)64 << 20)

/* Sets err to the formatted message at `line` (0: none) and returns -1, so callers can `return source_fail(...)`. */
int source_fail(struct source_error *err, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Grows p, an array of *cap elements of elem bytes, to hold need (doubling); new elements are zeroed. */
void *array_grow_slow(void *p, size_t *cap, size_t need, size_t elem);
static inline void *array_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? p : array_grow_slow(p, cap, need, elem);
}

/* opts->max_field_bytes, or the default when 0. */
size_t source_max_field(const struct source *src);

/*
 * When value[0..len) is not UTF-8, writes a record problem naming the column and the 1-based byte of the
 * first bad byte into buf and returns buf; returns NULL when the value is valid.
 */
const char *source_check_utf8(char *buf, size_t size, const char *column, const char *value, size_t len);

#endif
