/* A destination's credentials opened and tunables resolved (see dest/shop.h). */
#include "dest/shop.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"
#include "dest/secret.h"
#include "feed/jsoncheck.h"

#define DEFAULT_TIMEOUT_S 120
#define DEFAULT_CIRCUIT_THRESHOLD 5
/* PHP goes on with a request after nginx or the client gave up on it, up to its own limits. */
#define DEFAULT_OVERRUN_S 60
#define DEFAULT_CIRCUIT_OPEN_S 60
/* A restart of the shop's PHP, or a deploy, takes a minute or two. */
#define DEFAULT_PATIENCE_S 300

/* Each tunable once: name, whether it takes fractions, bounds. */
#define OPTIONS(_) \
	_(concurrency, false, 1, 64) \
	_(batch_size, false, 1, 100) \
	_(rate_limit, true, 0, 10000) \
	_(timeout_s, false, 1, 3600) \
	_(overrun_s, false, 0, 86400) \
	_(repair_duplicates, false, 0, 1) \
	_(retries, false, 0, 20) \
	_(backoff_ms, false, 0, 600000) \
	_(circuit_threshold, false, 1, 1000) \
	_(circuit_open_s, false, 1, 86400) \
	_(patience_s, false, 0, 86400)

static const struct option_spec {
	const char *name;
	size_t offset;
	bool is_double;
	double min, max;
} specs[] = {
#define SPEC(name, dbl, lo, hi) {#name, offsetof(struct shop_options, name), dbl, lo, hi},
	OPTIONS(SPEC)
#undef SPEC
};

#define NAME(name, dbl, lo, hi) #name,
const char *const shop_option_names[] = {OPTIONS(NAME) NULL};

void shop_options_defaults(const struct config *cfg, struct shop_options *o)
{
	o->concurrency = cfg->push_concurrency;
	o->batch_size = cfg->push_batch_size;
	o->rate_limit = 0;
	o->timeout_s = cfg->timeout_s < DEFAULT_TIMEOUT_S ? cfg->timeout_s : DEFAULT_TIMEOUT_S;
	o->overrun_s = DEFAULT_OVERRUN_S;
	o->repair_duplicates = 1;
	o->retries = cfg->push_retries;
	o->backoff_ms = cfg->push_backoff_ms;
	o->circuit_threshold = DEFAULT_CIRCUIT_THRESHOLD;
	o->circuit_open_s = DEFAULT_CIRCUIT_OPEN_S;
	o->patience_s = DEFAULT_PATIENCE_S;
}

void shop_options_read(const cJSON *obj, struct shop_options *o, struct problems *pr)
{
	if (!obj)
		return;
	/* "site" holds a destination type's own settings (dest/wp_api.h), read by that destination. */
	static const char *const keys[] = {OPTIONS(NAME) "site", NULL};
	json_check_keys(obj, keys, "options", pr);
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		const struct option_spec *s = &specs[i];
		const cJSON *item = json_member(obj, s->name, cJSON_Number, "options", pr);
		if (!item)
			continue;
		double v = item->valuedouble;
		char where[64];
		json_path(where, sizeof(where), "options", s->name);
		if (v < s->min || v > s->max || (!s->is_double && v != (double)(int)v)) {
			problems_add(pr, where, "must be a %s from %g to %g", s->is_double ? "number" : "whole number",
			             s->min, s->max);
			continue;
		}
		char *field = (char *)o + s->offset;
		if (s->is_double)
			*(double *)field = v;
		else
			*(int *)field = (int)v;
	}
}

enum shop_auth shop_auth_of(const char *auth, const char *base_url)
{
	if (str_eq(auth, "basic"))
		return SHOP_AUTH_BASIC;
	if (str_eq(auth, "oauth"))
		return SHOP_AUTH_OAUTH;
	if (str_eq(auth, "token"))
		return SHOP_AUTH_TOKEN;
	return base_url && strncasecmp(base_url, "https://", 8) == 0 ? SHOP_AUTH_BASIC : SHOP_AUTH_OAUTH;
}

const char *shop_auth_name(enum shop_auth auth)
{
	return auth == SHOP_AUTH_BASIC ? "basic" : auth == SHOP_AUTH_TOKEN ? "token" : "oauth1";
}

static char *env_value(const char *name, const char *what, const char *dest, char *err, size_t errsize)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		snprintf(err, errsize, "the %s of destination '%s' comes from the environment variable %s, which is "
		         "not set", what, dest, name);
		return NULL;
	}
	return xstrdup(v);
}

/* The user a WordPress Application Password belongs to: not a secret, so kept in the site options. */
static char *site_user(const struct dest_row *row)
{
	cJSON *options = cJSON_Parse(row->options ? row->options : "{}");
	const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(options, "site"), "user"));
	char *out = user ? xstrdup(user) : NULL;
	cJSON_Delete(options);
	return out;
}

/* Credentials sealed in an older format are sealed again on first use. They opened either way, so a failure
 * here is only logged: the next use tries again. */
static void reseal(struct store *s, const struct config *cfg, const struct dest_row *row, const char *plain)
{
	unsigned char *blob;
	size_t len;
	char err[512];
	int rc = secret_seal(cfg, plain, &blob, &len, err, sizeof(err));
	if (rc == 0) {
		rc = store_dest_reseal(s, row->id, row->credentials, row->credentials_len, blob, len);
		if (rc < 0)
			str_copy(err, store_errmsg(s), sizeof(err));
		free(blob);
	}
	if (rc < 0)
		log_msg(LOG_WARN, "destination '%s': cannot seal its credentials again in the current format: %s",
		        row->name, err);
	else if (rc == 0)
		log_msg(LOG_INFO, "destination '%s': stored credentials sealed again in the current format", row->name);
}

static int open_credentials(struct store *s, const struct dest_row *row, const struct config *cfg,
                            struct shop *out, char *err, size_t errsize)
{
	if (out->auth == SHOP_AUTH_TOKEN && row->secret_env) {
		snprintf(out->credentials_origin, sizeof(out->credentials_origin), "environment variable %s",
		         row->secret_env);
		out->key = xstrdup(SHOP_TOKEN_HEADER);
		out->secret = env_value(row->secret_env, "access token", row->name, err, errsize);
		return out->secret ? 0 : -1;
	}
	if (!row->key_env && row->secret_env && (out->key = site_user(row))) {
		snprintf(out->credentials_origin, sizeof(out->credentials_origin), "environment variable %s",
		         row->secret_env);
		out->secret = env_value(row->secret_env, "Application Password", row->name, err, errsize);
		return out->secret ? 0 : -1;
	}
	if (row->key_env || row->secret_env) {
		snprintf(out->credentials_origin, sizeof(out->credentials_origin), "environment variables %s and %s",
		         row->key_env ? row->key_env : "?", row->secret_env ? row->secret_env : "?");
		if (!row->key_env || !row->secret_env) {
			snprintf(err, errsize, "destination '%s' names only one of the two credential environment "
			         "variables; set both with 'feedsync dest edit'", row->name);
			return -1;
		}
		out->key = env_value(row->key_env, "consumer key", row->name, err, errsize);
		out->secret = out->key ? env_value(row->secret_env, "consumer secret", row->name, err, errsize) : NULL;
		return out->secret ? 0 : -1;
	}
	str_copy(out->credentials_origin, "stored credentials", sizeof(out->credentials_origin));
	if (!row->credentials) {
		snprintf(err, errsize, "destination '%s' has no credentials; add them with 'feedsync dest edit %lld "
		         "--key CK --secret CS' (or --key-env and --secret-env)", row->name, (long long)row->id);
		return -1;
	}
	char *plain, why[512];
	if (secret_unseal(cfg, row->credentials, row->credentials_len, &plain, why, sizeof(why)) < 0) {
		snprintf(err, errsize, "destination '%s': %s", row->name, why);
		return -1;
	}
	if (!secret_is_current(row->credentials, row->credentials_len))
		reseal(s, cfg, row, plain);
	char *nl = strchr(plain, '\n');
	if (nl) {
		out->key = xstrndup(plain, (size_t)(nl - plain));
		out->secret = xstrdup(nl + 1);
	}
	secret_free(plain);
	if (!nl) {
		snprintf(err, errsize, "the stored credentials of destination '%s' are damaged; set them again with "
		         "'feedsync dest edit'", row->name);
		return -1;
	}
	return 0;
}

int shop_open(struct store *s, const struct dest_row *row, const struct config *cfg, struct shop *out, char *err,
              size_t errsize)
{
	memset(out, 0, sizeof(*out));
	out->id = row->id;
	out->name = xstrdup(row->name);
	out->base_url = xstrdup(row->base_url ? row->base_url : "");
	size_t len = strlen(out->base_url);
	while (len > 0 && out->base_url[len - 1] == '/')
		out->base_url[--len] = '\0';
	out->auth = shop_auth_of(row->auth, out->base_url);
	out->verify_tls = row->verify_tls;
	out->ca_file = row->ca_file ? xstrdup(row->ca_file) : NULL;
	out->learned_batch_size = row->learned_batch_size;
	str_copy(out->circuit_state, row->circuit_state, sizeof(out->circuit_state));
	out->circuit_reopen_at = row->circuit_reopen_at;
	out->consecutive_failures = row->consecutive_failures;
	out->circuit_since = row->circuit_since;
	out->circuit_last_at = row->circuit_last_at;
	str_copy(out->circuit_last, row->circuit_last ? row->circuit_last : "", sizeof(out->circuit_last));
	str_copy(out->recent_outcomes, row->recent_outcomes, sizeof(out->recent_outcomes));
	shop_options_defaults(cfg, &out->opt);
	struct problems pr = {0};
	cJSON *options = cJSON_Parse(row->options ? row->options : "{}");
	shop_options_read(options, &out->opt, &pr);
	cJSON_Delete(options);
	if (pr.n) {
		char *list = problems_join(&pr, "  ");
		snprintf(err, errsize, "destination '%s' has bad options:\n%s", row->name, list);
		free(list);
		problems_free(&pr);
		shop_free(out);
		return -1;
	}
	if (open_credentials(s, row, cfg, out, err, errsize) < 0) {
		shop_free(out);
		return -1;
	}
	/* A token has no public half: its own mask tells which one it is. */
	secret_mask(out->auth == SHOP_AUTH_TOKEN ? out->secret : out->key, out->key_hint, sizeof(out->key_hint));
	return 0;
}

int shop_load(struct store *s, const struct config *cfg, int64_t id, const char *name, struct shop *out, char *err,
              size_t errsize)
{
	struct dest_row row;
	memset(out, 0, sizeof(*out));
	int found = id ? store_dest_get(s, id, &row) : store_dest_find(s, name, &row);
	if (found != 1) {
		if (found == 0 && id)
			snprintf(err, errsize, "there is no destination %lld (see 'feedsync dest list')", (long long)id);
		else if (found == 0)
			snprintf(err, errsize, "there is no destination named '%s' (see 'feedsync dest list')", name);
		else
			snprintf(err, errsize, "cannot read the destination: %s", store_errmsg(s));
		return -1;
	}
	int rc = shop_open(s, &row, cfg, out, err, errsize);
	dest_row_free(&row);
	return rc;
}

void shop_free(struct shop *shop)
{
	if (!shop)
		return;
	free(shop->name);
	free(shop->base_url);
	free(shop->ca_file);
	secret_free(shop->key);
	secret_free(shop->secret);
	memset(shop, 0, sizeof(*shop));
}
