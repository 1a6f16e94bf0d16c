/*
 * Sealed credentials: "fsk1" | nonce (12) | ChaCha20 ciphertext | HMAC-SHA256 tag (32) over all before it.
 * The cipher and MAC keys are derived from the 32-byte key in the key file (64 hex digits), so one file
 * serves every destination of a database.
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

#define MAGIC "fsk1"
#define MAGIC_LEN 4
#define NONCE_LEN 12
#define KEY_LEN 32
#define OVERHEAD (MAGIC_LEN + NONCE_LEN + SHA256_BYTES)

struct keys {
	uint8_t cipher[SHA256_BYTES];
	uint8_t mac[SHA256_BYTES];
};

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
	if (random_bytes(key, sizeof(key)) < 0) {
		snprintf(err, errsize, "cannot make a credentials key: %s", strerror(errno));
		return -1;
	}
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

static int load_keys(const struct config *cfg, bool create, struct keys *k, char *err, size_t errsize)
{
	char path[4200];
	secret_key_path(cfg, path, sizeof(path));
	if (create && access(path, F_OK) != 0 && create_key(path, err, errsize) < 0)
		return -1;
	uint8_t master[KEY_LEN];
	if (read_key(path, master, err, errsize) < 0)
		return -1;
	hmac_sha256(master, sizeof(master), "feedsync cipher", 15, k->cipher);
	hmac_sha256(master, sizeof(master), "feedsync mac", 12, k->mac);
	memset(master, 0, sizeof(master));
	return 0;
}

int secret_seal(const struct config *cfg, const char *plain, unsigned char **blob, size_t *blob_len, char *err,
                size_t errsize)
{
	struct keys k;
	if (load_keys(cfg, true, &k, err, errsize) < 0)
		return -1;
	size_t len = strlen(plain);
	uint8_t *out = xmalloc(len + OVERHEAD);
	memcpy(out, MAGIC, MAGIC_LEN);
	if (random_bytes(out + MAGIC_LEN, NONCE_LEN) < 0) {
		snprintf(err, errsize, "cannot make a nonce: %s", strerror(errno));
		free(out);
		return -1;
	}
	uint8_t *body = out + MAGIC_LEN + NONCE_LEN;
	memcpy(body, plain, len);
	chacha20_xor(k.cipher, out + MAGIC_LEN, 1, body, len);
	hmac_sha256(k.mac, sizeof(k.mac), out, MAGIC_LEN + NONCE_LEN + len, body + len);
	memset(&k, 0, sizeof(k));
	*blob = out;
	*blob_len = len + OVERHEAD;
	return 0;
}

int secret_unseal(const struct config *cfg, const unsigned char *blob, size_t blob_len, char **plain, char *err,
                  size_t errsize)
{
	*plain = NULL;
	if (blob_len < OVERHEAD || memcmp(blob, MAGIC, MAGIC_LEN) != 0) {
		snprintf(err, errsize, "the stored credentials are damaged; set them again with 'feedsync dest edit'");
		return -1;
	}
	struct keys k;
	if (load_keys(cfg, false, &k, err, errsize) < 0)
		return -1;
	size_t len = blob_len - OVERHEAD;
	uint8_t tag[SHA256_BYTES];
	hmac_sha256(k.mac, sizeof(k.mac), blob, MAGIC_LEN + NONCE_LEN + len, tag);
	if (!equal_const_time(tag, blob + blob_len - SHA256_BYTES, SHA256_BYTES)) {
		char path[4200];
		secret_key_path(cfg, path, sizeof(path));
		snprintf(err, errsize, "the stored credentials were not sealed with the key in %s (a different key "
		         "file?); set them again with 'feedsync dest edit'", path);
		memset(&k, 0, sizeof(k));
		return -1;
	}
	char *out = xmalloc(len + 1);
	memcpy(out, blob + MAGIC_LEN + NONCE_LEN, len);
	chacha20_xor(k.cipher, blob + MAGIC_LEN, 1, (uint8_t *)out, len);
	out[len] = '\0';
	memset(&k, 0, sizeof(k));
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
