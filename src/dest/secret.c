/*
 * Sealed credentials: "fsk2" | nonce (24) | libsodium secret box (Poly1305 tag, XSalsa20 ciphertext), under a
 * key derived from the 32-byte key in the key file (64 hex digits), so one file serves every destination of a
 * database. Credentials sealed before libsodium ("fsk1" | nonce (12) | ChaCha20 ciphertext | HMAC-SHA256 over
 * all before it, with cipher and MAC keys derived by HMAC from the same key file) still open; their owner
 * seals them again (secret_is_current).
 */
#include "dest/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "dest/crypto.h"

#define MAGIC_LEN 4
#define KEY_LEN CRYPTO_KEY_BYTES
#define V1_NONCE_LEN 12
#define V1_OVERHEAD (MAGIC_LEN + V1_NONCE_LEN + HMAC_SHA256_BYTES)
#define V2_OVERHEAD (MAGIC_LEN + BOX_NONCE_BYTES + BOX_MAC_BYTES)

void secret_key_path(const struct config *cfg, char *out, size_t size)
{
	if (*cfg->credentials_key_file)
		str_copy(out, cfg->credentials_key_file, size);
	else
		snprintf(out, size, "%s.key", cfg->db_path);
}

static int parse_key(const char *text, uint8_t key[KEY_LEN])
{
	for (int i = 0; i < KEY_LEN; i++) {
		unsigned v;
		if (sscanf(text + 2 * i, "%2x", &v) != 1)
			return -1;
		key[i] = (uint8_t)v;
	}
	return 0;
}

static int read_key(const char *path, uint8_t key[KEY_LEN], char *err, size_t errsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsize, "cannot read the credentials key file %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st = {0};
	if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
		close(fd);
		snprintf(err, errsize, "the credentials key file %s can be read by other users (mode %04o); "
		         "run: chmod 600 %s", path, (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	char text[2 * KEY_LEN + 2] = "";
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	int bad = n < 2 * KEY_LEN || parse_key(text, key) < 0;
	explicit_bzero(text, sizeof(text));
	if (bad) {
		snprintf(err, errsize, "the credentials key file %s is damaged (expected 64 hex digits)", path);
		return -1;
	}
	return 0;
}

/* Written beside the target and linked into place, so two processes starting at once agree on one key. */
static int create_key(const char *path, char *err, size_t errsize)
{
	uint8_t key[KEY_LEN];
	char text[2 * KEY_LEN + 2];
	random_bytes(key, sizeof(key));
	for (int i = 0; i < KEY_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[2 * KEY_LEN] = '\n';
	char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	mkdir_parents(path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, text, 2 * KEY_LEN + 1) == 2 * KEY_LEN + 1 && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (ok && link(tmp, path) != 0 && errno != EEXIST)
		ok = false;
	int saved = errno;
	unlink(tmp);
	free(tmp);
	memset(key, 0, sizeof(key));
	memset(text, 0, sizeof(text));
	if (!ok) {
		snprintf(err, errsize, "cannot create the credentials key file %s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

static int load_master(const struct config *cfg, bool create, uint8_t master[KEY_LEN], char *err, size_t errsize)
{
	char path[4200];
	secret_key_path(cfg, path, sizeof(path));
	if (create && access(path, F_OK) != 0 && create_key(path, err, errsize) < 0)
		return -1;
	return read_key(path, master, err, errsize);
}

static void box_key(const uint8_t master[KEY_LEN], uint8_t key[KEY_LEN])
{
	derive_key(master, 1, "fsk2seal", key);
}

static int open_v2(const uint8_t master[KEY_LEN], const unsigned char *blob, size_t blob_len, uint8_t *out)
{
	uint8_t key[KEY_LEN];
	box_key(master, key);
	const unsigned char *nonce = blob + MAGIC_LEN;
	int rc = box_open(key, nonce, nonce + BOX_NONCE_BYTES, blob_len - MAGIC_LEN - BOX_NONCE_BYTES, out);
	explicit_bzero(key, sizeof(key));
	return rc;
}

static int open_v1(const uint8_t master[KEY_LEN], const unsigned char *blob, size_t blob_len, uint8_t *out)
{
	uint8_t cipher[HMAC_SHA256_BYTES], mac[HMAC_SHA256_BYTES], tag[HMAC_SHA256_BYTES];
	size_t len = blob_len - V1_OVERHEAD;
	hmac_sha256(master, KEY_LEN, "feedsync mac", 12, mac);
	hmac_sha256(mac, sizeof(mac), blob, MAGIC_LEN + V1_NONCE_LEN + len, tag);
	int rc = equal_const_time(tag, blob + blob_len - HMAC_SHA256_BYTES, HMAC_SHA256_BYTES) ? 0 : -1;
	if (rc == 0) {
		hmac_sha256(master, KEY_LEN, "feedsync cipher", 15, cipher);
		memcpy(out, blob + MAGIC_LEN + V1_NONCE_LEN, len);
		chacha20_xor(cipher, blob + MAGIC_LEN, 1, out, len);
	}
	explicit_bzero(cipher, sizeof(cipher));
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

/* Newest first: secret_seal writes formats[0]. */
static const struct format {
	char magic[MAGIC_LEN + 1];
	size_t overhead;
	int (*open)(const uint8_t master[KEY_LEN], const unsigned char *blob, size_t blob_len, uint8_t *out);
} formats[] = {
	{"fsk2", V2_OVERHEAD, open_v2},
	{"fsk1", V1_OVERHEAD, open_v1},
};

static const struct format *format_of(const unsigned char *blob, size_t blob_len)
{
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (blob_len >= formats[i].overhead && memcmp(blob, formats[i].magic, MAGIC_LEN) == 0)
			return &formats[i];
	return NULL;
}

bool secret_is_current(const unsigned char *blob, size_t blob_len)
{
	return format_of(blob, blob_len) == &formats[0];
}

int secret_seal(const struct config *cfg, const char *plain, unsigned char **blob, size_t *blob_len, char *err,
                size_t errsize)
{
	uint8_t master[KEY_LEN], key[KEY_LEN];
	if (load_master(cfg, true, master, err, errsize) < 0)
		return -1;
	box_key(master, key);
	explicit_bzero(master, sizeof(master));
	size_t len = strlen(plain);
	uint8_t *out = xmalloc(len + V2_OVERHEAD);
	memcpy(out, formats[0].magic, MAGIC_LEN);
	random_bytes(out + MAGIC_LEN, BOX_NONCE_BYTES);
	box_seal(key, out + MAGIC_LEN, plain, len, out + MAGIC_LEN + BOX_NONCE_BYTES);
	explicit_bzero(key, sizeof(key));
	*blob = out;
	*blob_len = len + V2_OVERHEAD;
	return 0;
}

int secret_unseal(const struct config *cfg, const unsigned char *blob, size_t blob_len, char **plain, char *err,
                  size_t errsize)
{
	*plain = NULL;
	const struct format *f = format_of(blob, blob_len);
	if (!f) {
		snprintf(err, errsize, "the stored credentials are damaged; set them again with 'feedsync dest edit'");
		return -1;
	}
	uint8_t master[KEY_LEN];
	if (load_master(cfg, false, master, err, errsize) < 0)
		return -1;
	size_t len = blob_len - f->overhead;
	char *out = xmalloc(len + 1);
	int rc = f->open(master, blob, blob_len, (uint8_t *)out);
	explicit_bzero(master, sizeof(master));
	if (rc < 0) {
		free(out);
		char path[4200];
		secret_key_path(cfg, path, sizeof(path));
		snprintf(err, errsize, "the stored credentials were not sealed with the key in %s (a different key "
		         "file?) or were changed since; set them again with 'feedsync dest edit'", path);
		return -1;
	}
	out[len] = '\0';
	*plain = out;
	return 0;
}

void secret_free(char *plain)
{
	if (!plain)
		return;
	explicit_bzero(plain, strlen(plain));
	free(plain);
}

void secret_mask(const char *secret, char *out, size_t size)
{
	size_t len = secret ? strlen(secret) : 0;
	const char *underscore = secret ? memchr(secret, '_', len < 4 ? len : 4) : NULL;
	size_t prefix = underscore ? (size_t)(underscore - secret) + 1 : 0;
	/* Short secrets show nothing of themselves: four characters of eight would give half away. */
	size_t tail = len >= 12 ? 4 : 0;
	snprintf(out, size, "%.*s\u2026%.*s", (int)prefix, secret ? secret : "", (int)tail,
	         secret ? secret + len - tail : "");
}
