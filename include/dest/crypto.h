/*
 * The cryptography the destinations use, all of it libsodium's: HMAC-SHA256 (OAuth 1.0a signatures),
 * secret boxes (XSalsa20-Poly1305, stored credentials) under keys derived from one master key, base64 and
 * random bytes. The ChaCha20 stream is here only to open credentials sealed before feedsync used libsodium.
 * This is the one file that includes sodium.h, so the library is initialised before its first use.
 */
#ifndef FEEDSYNC_DEST_CRYPTO_H
#define FEEDSYNC_DEST_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HMAC_SHA256_BYTES 32
#define CRYPTO_KEY_BYTES 32
#define BOX_NONCE_BYTES 24
#define BOX_MAC_BYTES 16

/* Keys of any length, as RFC 2104 allows. */
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[HMAC_SHA256_BYTES]);

/* Subkey `id` of a master key, for the purpose named by `context` (exactly 8 characters). */
void derive_key(const uint8_t master[CRYPTO_KEY_BYTES], uint64_t id, const char context[8],
                uint8_t out[CRYPTO_KEY_BYTES]);
/* out receives BOX_MAC_BYTES + len bytes: the tag, then the ciphertext. */
void box_seal(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[BOX_NONCE_BYTES], const void *plain,
              size_t len, uint8_t *out);
/* out receives boxed_len - BOX_MAC_BYTES bytes. 0, or -1 (nothing written) when the tag does not match:
 * another key, or a changed box. */
int box_open(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[BOX_NONCE_BYTES], const uint8_t *boxed,
             size_t boxed_len, uint8_t *out);

/* XORs buf with the ChaCha20 key stream (RFC 8439) starting at block `counter`. */
void chacha20_xor(const uint8_t key[CRYPTO_KEY_BYTES], const uint8_t nonce[12], uint32_t counter, uint8_t *buf,
                  size_t len);

/* Standard base64 with padding; out needs base64_size(len) bytes. Returns the length written. */
#define base64_size(len) (4 * (((len) + 2) / 3) + 1)
size_t base64_encode(const void *data, size_t len, char *out);

/* Comparison whose time does not depend on where the inputs differ. */
bool equal_const_time(const void *a, const void *b, size_t len);
/* From the kernel's random source; cannot fail. */
void random_bytes(void *buf, size_t len);

#endif
