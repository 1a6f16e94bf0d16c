/*
 * Shop credentials at rest. Stored credentials are sealed (libsodium's secret box: XSalsa20-Poly1305) with a
 * key kept in a file beside the database, created with mode 0600 on first use (push.credentials_key_file
 * names another place); a destination can instead name environment variables, and then nothing secret is
 * stored at all.
 * Only masked forms (ck_…a1b2) are ever shown.
 */
#ifndef FEEDSYNC_DEST_SECRET_H
#define FEEDSYNC_DEST_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* The key file in effect: push.credentials_key_file, else the database path followed by ".key". */
void secret_key_path(const struct config *cfg, char *out, size_t size);
/* Seals plain into *blob (caller frees), creating the key file when there is none. 0, or -1 with err set. */
int secret_seal(const struct config *cfg, const char *plain, unsigned char **blob, size_t *blob_len, char *err,
                size_t errsize);
/* Opens a sealed blob into *plain (caller frees with secret_free). 0, or -1 with err set. */
int secret_unseal(const struct config *cfg, const unsigned char *blob, size_t blob_len, char **plain, char *err,
                  size_t errsize);
/* False for a blob in an older format, which secret_unseal still opens: seal its secret again and store that. */
bool secret_is_current(const unsigned char *blob, size_t blob_len);
/* Wipes and frees a secret. */
void secret_free(char *plain);
/* "ck_…a1b2": the prefix up to an early '_' and the last four characters (none for short secrets). */
void secret_mask(const char *secret, char *out, size_t size);

#endif
