/* Helpers shared by the feed source suites (csv, json, xml, encoding). */
#ifndef FEEDSYNC_TEST_FEED_TEST_H
#define FEEDSYNC_TEST_FEED_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/record.h"
#include "feed/source.h"

#define FEEDS "tests/fixtures/feeds/"

/* Opens a fixture (or any path) and fails the test when it does not open. */
static inline struct source *open_ok(const char *path, const struct source_opts *opts)
{
	struct source_error err = {0};
	struct source *src = source_open(path, opts, &err);
	cr_assert_not_null(src, "open %s: %s", path, err.message);
	return src;
}

/* The next row, which must exist. */
static inline void next_ok(struct source *src, struct record *rec)
{
	struct source_error err = {0};
	int rc = source_next(src, rec, &err);
	cr_assert_eq(rc, 1, "expected a row, got %d (line %ld: %s)", rc, err.line, err.message);
}

static inline void expect_end(struct source *src)
{
	struct record rec;
	struct source_error err = {0};
	int rc = source_next(src, &rec, &err);
	cr_assert_eq(rc, 0, "expected the end, got %d (line %ld: %s)", rc, err.line, err.message);
}

/* Reads rows until the fatal error that must come; returns the rows read before it. */
static inline long expect_fatal(struct source *src, struct source_error *err)
{
	struct record rec;
	long rows = 0;
	int rc;
	while ((rc = source_next(src, &rec, err)) == 1)
		rows++;
	cr_assert_eq(rc, -1, "expected a fatal error after %ld rows", rows);
	return rows;
}

static inline void expect_value(const struct record *rec, const char *name, const char *want)
{
	const char *got = record_get(rec, name);
	cr_assert_not_null(got, "line %ld has no column '%s'", rec->line, name);
	cr_assert_str_eq(got, want, "line %ld column '%s'", rec->line, name);
}

/* A private directory for generated inputs; remove with remove_work_dir. */
static inline void make_work_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/feedsync-feed-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static inline void remove_work_dir(const char *dir, const char *file)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	unlink(path);
	rmdir(dir);
}

static inline void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

#endif
