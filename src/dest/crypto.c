/* dest/crypto.h over libsodium (https://doc.libsodium.org). */
#include "dest/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

_Static_assert(HMAC_SHA256_BYTES == crypto_auth_hmacsha256_BYTES, "HMAC size");
_Static_assert(CRYPTO_KEY_BYTES == crypto_secretbox_KEYBYTES && CRYPTO_KEY_BYTES == crypto_kdf_KEYBYTES &&
               CRYPTO_KEY_BYTES == crypto_stream_chacha20_ietf_KEYBYTES, "key size");
_Static_assert(BOX_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "nonce size");
_Static_assert(BOX_MAC_BYTES == crypto_secretbox_MACBYTES, "tag size");

static void start(void)
{
	/* Fails only without a random source, and nothing here is safe without one. */
	if (sodium_init() < 0) {
		fputs("feedsync: libsodium cannot start (no random source)\n", stderr);
		abort();
	}
}

/* sodium_init must run once before the random functions, and pushes call them from several threads. */
static void ready(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, start);
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[HMAC_SHA256_BYTES])
{
	ready();
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

void derive_key(const uint8_t master[CRYPTO_KEY_BYTES], uint64_t id, const char context[8],
                uint8_t out[CRYPTO_KEY_BYTES])
{
	ready();
	crypto_kdf_derive_from_key(out, CRYPTO_KEY_BYTES, id, context, master);
}

void box_seal(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[BOX_NONCE_BYTES], const void *plain,
              size_t len, uint8_t *out)
{
	ready();
	crypto_secretbox_easy(out, plain, len, nonce, key);
}

int box_open(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[BOX_NONCE_BYTES], const uint8_t *boxed,
             size_t boxed_len, uint8_t *out)
{
	ready();
	if (boxed_len < BOX_MAC_BYTES)
		return -1;
	return crypto_secretbox_open_easy(out, boxed, boxed_len, nonce, key) == 0 ? 0 : -1;
}

void chacha20_xor(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[12], uint32_t counter, uint8_t *buf,
                  size_t len)
{
	ready();
	crypto_stream_chacha20_ietf_xor_ic(buf, buf, len, nonce, counter, key);
}

size_t base64_encode(const void *data, size_t len, char *out)
{
	ready();
	sodium_bin2base64(out, base64_size(len), data, len, sodium_base64_VARIANT_ORIGINAL);
	return strlen(out);
}

bool equal_const_time(const void *a, const void *b, size_t len)
{
	ready();
	return sodium_memcmp(a, b, len) == 0;
}

void random_bytes(void *buf, size_t len)
{
	ready();
	randombytes_buf(buf, len);
}
