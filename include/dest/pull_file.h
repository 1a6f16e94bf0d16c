/*
 * The temp file a shop's pull writes its rows into as they arrive (dest/woo_pull.h, dest/shopify_pull.h): one
 * JSON document, {"products": [{...}, ...]}, that the JSON source then reads with item_path WOO_PULL_ITEM_PATH.
 * Memory holds one page at a time; the file is capped by http.max_download_bytes like any download. And how a
 * pull that fails says so: res->error in words, a machine code, and the answer behind it as the detail.
 */
#ifndef FEEDSYNC_DEST_PULL_FILE_H
#define FEEDSYNC_DEST_PULL_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "dest/http.h"
#include "feed/fetch.h"

struct pull_file {
	FILE *out;
	uint64_t max_bytes;
	struct fetch_result *res;    /* its path, is_temp and bytes; its error on failure */
	const char *shop;            /* named in the error of a pull over the size limit */
};

/* Each returns NULL, or the machine code of the failure with res->error set ("write_failed", "too_large"). */
/* Creates the temp file (mode 0600, in cfg's temp_dir, else $TMPDIR, else /tmp) and writes the head. */
const char *pull_file_open(struct pull_file *f, const struct config *cfg, struct fetch_result *res,
                           const char *shop);
const char *pull_file_write(struct pull_file *f, const char *data, size_t len);
/* Writes the tail and closes the file. */
const char *pull_file_close(struct pull_file *f);
/* Closes the file if it is still open (after a failure; fetch_cleanup removes it). */
void pull_file_abandon(struct pull_file *f);

/* A failed pull: res->error set from fmt, *code_out = code; -1. */
int pull_fail(struct fetch_result *res, const char **code_out, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* -1 with *code_out = code when a pull_file_* call failed (code not NULL), else 0. */
int pull_file_failed(const char *code, const char **code_out);
/* The answer r that ends a pull as the run error's detail (code, message, an excerpt of the body), every one of
 * `secrets` (NULL-terminated) kept out of it. */
void pull_keep_answer(struct fetch_result *res, const struct http_request *r, const char *code, const char *message,
                      const char *const *secrets);

#endif
