/*
 * Feed bytes to UTF-8 text. A decoder converts any iconv encoding in a stream of chunks; a text reader
 * reads a feed file in chunks as UTF-8 (BOM skipped, other encodings converted), so every format parser
 * sees the same text whatever the file was written in.
 */
#ifndef FEEDSYNC_FEED_ENCODING_H
#define FEEDSYNC_FEED_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "feed/source.h"

/* True for NULL, "", "utf-8" and "utf8" in any case: the text needs no conversion. */
bool encoding_is_utf8(const char *name);

struct decoder;
/* NULL with err set when iconv does not know the encoding. */
struct decoder *decoder_open(const char *encoding, struct source_error *err);
/*
 * Converts in[0..len), appending UTF-8 to out. A multibyte sequence cut by the end of `in` is kept for
 * the next call; `last` says no call follows, so a cut sequence is then an error. Returns 0, or -1 with err
 * naming the line (counted over the text converted so far) of bytes the encoding does not allow.
 */
int decoder_convert(struct decoder *d, const char *in, size_t len, bool last, struct strbuf *out,
                    struct source_error *err);
void decoder_close(struct decoder *d); /* NULL-safe */

struct text_reader;
/*
 * `encoding` as in source_opts, unless the file starts with a byte-order mark (UTF-8, UTF-16 LE or BE): the
 * mark decides. NULL with err set ("cannot open PATH: reason", unknown encoding).
 */
struct text_reader *text_reader_open(const char *path, const char *encoding, struct source_error *err);
/* text_reader_open with the source's encoding; a BOM that overrides a declared one adds a warning to src. */
struct text_reader *source_text_open(struct source *src, const char *path, struct source_error *err);
/* Whether the text is decoded from another encoding or its encoding came from a byte-order mark: either way
 * the text is UTF-8 and an encoding it declares (XML) no longer holds. */
bool text_reader_converted(const struct text_reader *r);
/* Fills buf with up to size (> 0) bytes of UTF-8 text: the count, 0 at the end, -1 on a fatal error. */
long text_reader_read(struct text_reader *r, char *buf, size_t size, struct source_error *err);
/* Bytes of the file consumed so far, for progress. */
unsigned long long text_reader_bytes(const struct text_reader *r);
void text_reader_close(struct text_reader *r); /* NULL-safe */

#endif
