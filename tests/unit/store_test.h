/* A fresh store in a temporary directory with one connection "A", for the suites that need a catalog. */
#ifndef FEEDSYNC_TEST_STORE_TEST_H
#define FEEDSYNC_TEST_STORE_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"

/* dir is a mkdtemp template ("/tmp/fs-x-XXXXXX"), filled in with the directory made. */
static inline struct store *test_store_open(char *dir, int64_t *conn_id)
{
	cr_assert_not_null(mkdtemp(dir));
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/t.db", dir);
	struct store *s = store_open_path(path, 1000, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	struct conn_fields f = {.name = "A", .active = true, .source_type = "csv", .source_url = "/a.csv",
	                        .schedule = "manual", .document = "{}"};
	cr_assert_eq(store_conn_insert(s, &f, conn_id, err, sizeof(err)), 0);
	return s;
}

/* Removes a test's directory and puts its template back for the next test. */
static inline void test_dir_remove(char *dir, const char *template)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	strcpy(dir, template);
}

/* Closes the store and removes its directory. */
static inline void test_store_remove(struct store *s, char *dir, const char *template)
{
	store_close(s);
	test_dir_remove(dir, template);
}

#endif
