/* Small helpers every module uses: checked allocation, a growable string buffer, time. */
#ifndef FEEDSYNC_CORE_UTIL_H
#define FEEDSYNC_CORE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failures abort with a message: there is no sensible recovery for a CLI or a worker. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated byte buffer. Zero-initialised is a valid empty buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void sb_reserve(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* caller owns the result ("" when empty); buffer becomes empty */
void sb_free(struct strbuf *sb);
const char *sb_str(const struct strbuf *sb); /* never NULL */
/* Appends s as a quoted JSON string (hot paths build JSON without a cJSON tree). */
void sb_add_json_string(struct strbuf *sb, const char *s);

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);
bool str_eq(const char *a, const char *b);            /* NULL-safe */
bool str_in(const char *s, const char *const *list);   /* list NULL-terminated */
/* bsearch that also takes an empty array, which may then be NULL (bsearch itself must never see one). */
void *bsearch_or_null(const void *key, const void *base, size_t n, size_t size,
                      int (*compare)(const void *, const void *));
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
char *str_trim(char *s);                                /* in place, returns s advanced */

/* Creates the missing directories above `path` (mkdir -p of its dirname). 0, or -1 with errno set. */
int mkdir_parents(const char *path);

int64_t now_ms(void);        /* wall clock, milliseconds since the epoch */
int64_t monotonic_ms(void);  /* for intervals */
void sleep_ms(int64_t ms);
/* "2026-11-23 07:39:12" in local time; buf at least 20 bytes. */
void format_time(int64_t epoch_ms, char *buf, size_t size);
/* "1h 02m", "3m 05s", "4.2s" */
void format_duration(int64_t ms, char *buf, size_t size);
/* "1.2 MB", "512 B" */
void format_bytes(uint64_t bytes, char *buf, size_t size);
/* A size as feedsync.ini writes it: "64m", "1g", "512k" (powers of 1024), else the plain number of bytes. */
void format_size_setting(uint64_t bytes, char *buf, size_t size);

/* 64-bit FNV-1a, seedable so hashes can be chained over several fields. */
#define HASH64_SEED UINT64_C(0xcbf29ce484222325)
uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* Returns the length of the longest valid UTF-8 prefix of s[0..len). */
size_t utf8_valid_prefix(const char *s, size_t len);
bool utf8_valid(const char *s, size_t len);

/* Parses a whole decimal integer; false on junk, overflow or empty input. */
bool parse_int64(const char *s, int64_t *out);

#endif
