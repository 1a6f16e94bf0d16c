/*
 * The few primitives the destinations need, so that feedsync links no crypto library: SHA-256 and
 * HMAC-SHA256 (OAuth 1.0a signatures, sealing stored secrets), ChaCha20 (encrypting secrets at rest),
 * base64 and random bytes from the kernel.
 */
#ifndef FEEDSYNC_DEST_CRYPTO_H
#define FEEDSYNC_DEST_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

struct sha256 {
	uint32_t state[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_final(struct sha256 *h, uint8_t out[SHA256_BYTES]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_BYTES]);
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[SHA256_BYTES]);

/* XORs buf with the ChaCha20 key stream (RFC 8439) starting at block `counter`. */
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t *buf, size_t len);

/* Standard base64 with padding; out needs base64_size(len) bytes. Returns the length written. */
#define base64_size(len) (4 * (((len) + 2) / 3) + 1)
size_t base64_encode(const void *data, size_t len, char *out);

/* Comparison whose time does not depend on where the inputs differ. */
bool equal_const_time(const void *a, const void *b, size_t len);
/* 0, or -1 with errno set. */
int random_bytes(void *buf, size_t len);

#endif
