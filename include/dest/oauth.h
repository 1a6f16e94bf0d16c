/*
 * OAuth 1.0a one-legged request signing, which is how WooCommerce authenticates clients over plain HTTP.
 * The string signed is WooCommerce's: the method, the URL without its query, then every query parameter and
 * the oauth_* ones sorted by name, each name=value percent-encoded and the whole list encoded again; the key
 * is the consumer secret followed by '&'. The vectors in tests/fixtures/woo were accepted by a real shop.
 */
#ifndef FEEDSYNC_DEST_OAUTH_H
#define FEEDSYNC_DEST_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

struct oauth_request {
	const char *method;           /* "GET", "POST", ... */
	const char *url;              /* scheme://host[:port]/path, optionally ?query (already percent-encoded) */
	const char *consumer_key;
	const char *consumer_secret;
	int64_t timestamp;            /* seconds since the epoch */
	const char *nonce;            /* unique per request: letters and digits */
};

/* The string to sign, appended to out. */
void oauth_base_string(const struct oauth_request *r, struct strbuf *out);
/* The HMAC-SHA256 signature of the base string, base64; out needs 45 bytes. */
void oauth_signature(const struct oauth_request *r, char out[45]);
/* r->url with oauth_consumer_key, oauth_nonce, oauth_signature_method, oauth_timestamp and oauth_signature
 * added to its query. The caller frees. */
char *oauth_signed_url(const struct oauth_request *r);
/* A fresh nonce: 32 hex digits from the kernel's random source; out needs 33 bytes. */
void oauth_nonce(char out[33]);

/* RFC 3986 percent-encoding (all but letters, digits and -._~), as PHP's rawurlencode, appended to sb. */
void url_encode(struct strbuf *sb, const char *s, size_t len);

#endif
