/* OAuth 1.0a signing as WooCommerce verifies it (see include/dest/oauth.h). */
#include "dest/oauth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/crypto.h"

struct param {
	char *name;
	char *value;
};

void url_encode(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	sb_reserve(sb, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			sb_addc(sb, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			sb_add(sb, esc, 3);
		}
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* As PHP fills $_GET: %XX decoded and '+' read as a space. */
static char *query_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len && (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static size_t parse_query(const char *query, struct param **params)
{
	size_t n = 0;
	*params = NULL;
	while (query && *query) {
		size_t len = strcspn(query, "&");
		if (len > 0) {
			const char *eq = memchr(query, '=', len);
			size_t name_len = eq ? (size_t)(eq - query) : len;
			*params = xrealloc(*params, (n + 1) * sizeof(**params));
			(*params)[n].name = query_decode(query, name_len);
			(*params)[n].value = eq ? query_decode(eq + 1, len - name_len - 1) : xstrdup("");
			n++;
		}
		query += len + (query[len] == '&');
	}
	return n;
}

static int param_order(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static void add_param(struct param **params, size_t *n, const char *name, const char *value)
{
	*params = xrealloc(*params, (*n + 1) * sizeof(**params));
	(*params)[*n].name = xstrdup(name);
	(*params)[*n].value = xstrdup(value);
	(*n)++;
}

static void oauth_params(const struct oauth_request *r, char stamp[24], struct param **extra, size_t *n)
{
	snprintf(stamp, 24, "%lld", (long long)r->timestamp);
	add_param(extra, n, "oauth_consumer_key", r->consumer_key);
	add_param(extra, n, "oauth_nonce", r->nonce);
	add_param(extra, n, "oauth_signature_method", "HMAC-SHA256");
	add_param(extra, n, "oauth_timestamp", stamp);
}

void oauth_base_string(const struct oauth_request *r, struct strbuf *out)
{
	const char *q = strchr(r->url, '?');
	size_t url_len = q ? (size_t)(q - r->url) : strlen(r->url);
	struct param *params;
	size_t n = parse_query(q ? q + 1 : NULL, &params);
	char stamp[24];
	oauth_params(r, stamp, &params, &n);
	qsort(params, n, sizeof(*params), param_order);

	struct strbuf pairs = {0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&pairs, '&');
		url_encode(&pairs, params[i].name, strlen(params[i].name));
		sb_addc(&pairs, '=');
		url_encode(&pairs, params[i].value, strlen(params[i].value));
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
	sb_adds(out, r->method);
	sb_addc(out, '&');
	url_encode(out, r->url, url_len);
	sb_addc(out, '&');
	url_encode(out, pairs.buf ? pairs.buf : "", pairs.len);
	sb_free(&pairs);
}

void oauth_signature(const struct oauth_request *r, char out[45])
{
	struct strbuf base = {0}, key = {0};
	oauth_base_string(r, &base);
	sb_addf(&key, "%s&", r->consumer_secret);
	uint8_t mac[HMAC_SHA256_BYTES];
	hmac_sha256(key.buf, key.len, base.buf, base.len, mac);
	base64_encode(mac, sizeof(mac), out);
	sb_free(&base);
	sb_free(&key);
}

char *oauth_signed_url(const struct oauth_request *r)
{
	char signature[45];
	oauth_signature(r, signature);
	struct strbuf sb = {0};
	sb_adds(&sb, r->url);
	sb_addc(&sb, strchr(r->url, '?') ? '&' : '?');
	sb_adds(&sb, "oauth_consumer_key=");
	url_encode(&sb, r->consumer_key, strlen(r->consumer_key));
	sb_adds(&sb, "&oauth_nonce=");
	url_encode(&sb, r->nonce, strlen(r->nonce));
	sb_addf(&sb, "&oauth_signature_method=HMAC-SHA256&oauth_timestamp=%lld&oauth_signature=",
	        (long long)r->timestamp);
	url_encode(&sb, signature, strlen(signature));
	return sb_detach(&sb);
}

void oauth_nonce(char out[33])
{
	uint8_t raw[16];
	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}
