/* Checking and writing destinations (see dest_save.h). */
#include "dest/dest_save.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/problems.h"
#include "core/util.h"
#include "dest/secret.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "dest/wp_api.h"

bool dest_url_valid(const char *url)
{
	bool web = strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
	const char *host = web ? strstr(url, "://") + 3 : NULL;
	size_t host_len = host ? strcspn(host, "/?#") : 0;
	const char *colon = host ? memchr(host, ':', host_len) : NULL;
	bool port_ok = !colon || (colon + 1 < host + host_len &&
	                          strspn(colon + 1, "0123456789") == (size_t)(host + host_len - colon - 1));
	return web && host_len > 0 && port_ok && !memchr(host, '@', host_len) && !strpbrk(url, "?# \t\r\n");
}

static bool is_env_name(const char *s)
{
	if (!*s || (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && *s != '_'))
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

/* The options object: the stored one with the given tunables over it. */
static char *merged_options(const char *stored, const cJSON *given)
{
	cJSON *o = cJSON_Parse(stored ? stored : "{}");
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	for (const cJSON *it = given ? given->child : NULL; it; it = it->next) {
		cJSON *stored_site = cJSON_GetObjectItemCaseSensitive(o, "site");
		if (str_eq(it->string, "site") && cJSON_IsObject(stored_site) && cJSON_IsObject(it)) {
			/* The site settings change one by one, as the tunables do. */
			for (const cJSON *m = it->child; m; m = m->next) {
				cJSON_DeleteItemFromObjectCaseSensitive(stored_site, m->string);
				cJSON_AddItemToObject(stored_site, m->string, cJSON_Duplicate(m, true));
			}
			continue;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
		cJSON_AddItemToObject(o, it->string, cJSON_Duplicate(it, true));
	}
	char *text = cJSON_PrintUnformatted(o);
	char *out = xstrdup(text);
	cJSON_free(text);
	cJSON_Delete(o);
	return out;
}

/* What the fields point into while they are checked and written. */
struct held {
	char url[4096];
	unsigned char *blob;
	size_t blob_len;
	char hint[64];
	char *options;
	char ca_file[PATH_MAX];
};

static enum dest_save_result invalid(char *err, size_t errsize, const char *fmt, const char *arg)
{
	snprintf(err, errsize, fmt, arg);
	return DEST_SAVE_INVALID;
}

/* DEST_SAVED when there are no problems; else DEST_SAVE_INVALID with "bad WHAT options:" and the list. */
static enum dest_save_result problems_verdict(struct problems *pr, const char *what, char *err, size_t errsize)
{
	if (!pr->n)
		return DEST_SAVED;
	char *list = problems_join(pr, "  ");
	snprintf(err, errsize, "bad %s options:\n%s", what, list);
	free(list);
	problems_free(pr);
	return DEST_SAVE_INVALID;
}

static enum dest_save_result check_options(const struct config *cfg, const char *options, char *err,
                                           size_t errsize)
{
	struct problems pr = {0};
	cJSON *opts = cJSON_Parse(options);
	struct shop_options o;
	shop_options_defaults(cfg, &o);
	shop_options_read(opts, &o, &pr);
	cJSON_Delete(opts);
	return problems_verdict(&pr, "destination", err, errsize);
}

/* A WordPress site: Basic with an Application Password, over https unless the destination opts in. */
static enum dest_save_result check_site(const struct config *cfg, const struct dest_changes *c,
                                        const struct dest_fields *f, char *err, size_t errsize)
{
	cJSON *options = cJSON_Parse(f->options);
	struct problems pr = {0};
	struct wp_site site;
	wp_site_read(cJSON_GetObjectItemCaseSensitive(options, "site"), &site, &pr);
	cJSON_Delete(options);
	bool allow_http = site.allow_http, has_user = site.user != NULL;
	wp_site_free(&site);
	if (pr.n)
		return problems_verdict(&pr, "site", err, errsize);
	if (!str_eq(f->auth, "basic"))
		return invalid(err, errsize, "--auth '%s': a WordPress site takes an Application Password (basic)", f->auth);
	if (strncasecmp(f->base_url, "http://", 7) == 0 && !allow_http)
		return invalid(err, errsize, "--url '%s': WordPress accepts Application Passwords only over https (a site "
		               "in a local environment aside); use an https:// address, or --allow-http for such a site",
		               f->base_url);
	if (c->key_env)
		return invalid(err, errsize, "%s", "a WordPress site names its user with --user, and its password with "
		               "--app-password or --app-password-env");
	if (c->secret_env && !is_env_name(c->secret_env))
		return invalid(err, errsize, "'%s' is not an environment variable name", c->secret_env);
	if (f->secret_env ? !has_user : !f->credentials && !(c->key && c->secret))
		return invalid(err, errsize, "%s", "the site's credentials are missing: --user U with --app-password PW "
		               "(or - to read it from standard input) or --app-password-env VAR");
	return check_options(cfg, f->options, err, errsize);
}

/* A Shopify shop: an access token (sealed, or from one variable), over https unless the destination opts in. */
static enum dest_save_result check_shopify(const struct config *cfg, const struct dest_changes *c,
                                           const struct dest_fields *f, char *err, size_t errsize)
{
	cJSON *options = cJSON_Parse(f->options);
	struct problems pr = {0};
	struct shopify_site site;
	shopify_site_read(cJSON_GetObjectItemCaseSensitive(options, "site"), &site, &pr);
	cJSON_Delete(options);
	bool allow_http = site.allow_http;
	shopify_site_free(&site);
	if (pr.n)
		return problems_verdict(&pr, "shop", err, errsize);
	if (!str_eq(f->auth, "token"))
		return invalid(err, errsize, "--auth '%s': a Shopify shop takes an Admin API access token (token)", f->auth);
	if (strncasecmp(f->base_url, "http://", 7) == 0 && !allow_http)
		return invalid(err, errsize, "--url '%s': the Admin API is served over https only; use the shop's "
		               "https://SHOP.myshopify.com address (--allow-http is for test servers)", f->base_url);
	if (c->key_env || f->key_env)
		return invalid(err, errsize, "%s", "a Shopify shop takes its access token with --token or --token-env");
	if (c->secret_env && !is_env_name(c->secret_env))
		return invalid(err, errsize, "'%s' is not an environment variable name", c->secret_env);
	if (c->secret && !*c->secret)
		return invalid(err, errsize, "%s", "the access token must not be empty");
	if (!f->secret_env && !f->credentials && !c->secret)
		return invalid(err, errsize, "%s", "the shop's access token is missing: --token TOKEN (or - to read it from "
		               "standard input) or --token-env VAR");
	return check_options(cfg, f->options, err, errsize);
}

static enum dest_save_result check_fields(const struct config *cfg, const struct dest_changes *c,
                                          const struct dest_fields *f, char *err, size_t errsize)
{
	if (!f->name || !*f->name)
		return invalid(err, errsize, "%s", "a destination needs --name");
	if (!f->base_url || !dest_url_valid(f->base_url))
		return invalid(err, errsize, "--url '%s' is not a shop address like https://shop.example.com (no user, "
		               "query or spaces)", f->base_url ? f->base_url : "");
	bool wp = str_eq(f->type, "wordpress"), shopify = str_eq(f->type, "shopify");
	if (!str_eq(f->type, "woocommerce") && !wp && !shopify)
		return invalid(err, errsize, "--type '%s': destinations are woocommerce or shopify shops, or wordpress sites "
		               "(files are set in the connection)", f->type);
	if (wp)
		return check_site(cfg, c, f, err, errsize);
	if (shopify)
		return check_shopify(cfg, c, f, err, errsize);
	if (!str_eq(f->auth, "auto") && !str_eq(f->auth, "basic") && !str_eq(f->auth, "oauth"))
		return invalid(err, errsize, "--auth '%s': use auto, basic or oauth", f->auth);
	if ((c->key_env || c->secret_env) && (c->key || c->secret))
		return invalid(err, errsize, "%s", "give the credentials either as --key/--secret or as "
		               "--key-env/--secret-env");
	if ((c->key_env && !is_env_name(c->key_env)) || (c->secret_env && !is_env_name(c->secret_env)))
		return invalid(err, errsize, "'%s' is not an environment variable name",
		               c->key_env && !is_env_name(c->key_env) ? c->key_env : c->secret_env);
	if (!!f->key_env != !!f->secret_env)
		return invalid(err, errsize, "%s", "give both --key-env and --secret-env");
	if (!f->key_env && !f->credentials && !(c->key && c->secret))
		return invalid(err, errsize, "%s", "the shop's credentials are missing: --key CK --secret CS, or "
		               "--key-env VAR --secret-env VAR");
	return check_options(cfg, f->options, err, errsize);
}

/* A CA file given is stored as an absolute path, so that runs from any directory find it. */
static enum dest_save_result resolve_ca_file(const struct dest_changes *c, struct dest_fields *f, struct held *h,
                                             char *err, size_t errsize)
{
	if (!c->ca_file || !*c->ca_file)
		return DEST_SAVED;
	if (!realpath(c->ca_file, h->ca_file) || access(h->ca_file, R_OK) != 0) {
		snprintf(err, errsize, "--ca-file '%s': cannot read it (%s)", c->ca_file, strerror(errno));
		return DEST_SAVE_INVALID;
	}
	f->ca_file = h->ca_file;
	return DEST_SAVED;
}

/* Seals new key and secret (creating the key file on first use). */
static enum dest_save_result seal_credentials(const struct config *cfg, const struct dest_changes *c,
                                              struct dest_fields *f, struct held *h, char *err, size_t errsize)
{
	if (!c->key && !c->secret)
		return DEST_SAVED;
	if (!c->key || !c->secret)
		return invalid(err, errsize, "%s", "give both --key and --secret");
	if (!*c->key || !*c->secret)
		return invalid(err, errsize, "%s", "the consumer key and secret must not be empty");
	char *plain = xasprintf("%s\n%s", c->key, c->secret);
	int rc = secret_seal(cfg, plain, &h->blob, &h->blob_len, err, errsize);
	secret_free(plain);
	if (rc < 0)
		return DEST_SAVE_FAILED;
	/* A token has no public half to show: its own mask tells which one it is. */
	secret_mask(str_eq(f->auth, "token") ? c->secret : c->key, h->hint, sizeof(h->hint));
	f->credentials = h->blob;
	f->credentials_len = h->blob_len;
	f->credentials_hint = h->hint;
	f->key_env = f->secret_env = NULL;
	return DEST_SAVED;
}

/* How a new destination of the type authenticates unless told: what its platform accepts. */
static const char *default_auth(const char *type)
{
	if (str_eq(type, "wordpress"))
		return "basic";
	return str_eq(type, "shopify") ? "token" : "auto";
}

static struct dest_fields merge(const struct dest_changes *c, const struct dest_row *old, struct held *h)
{
	struct dest_fields f = {
		.name = c->name ? c->name : old ? old->name : NULL,
		.type = c->type ? c->type : old ? old->type : "woocommerce",
		.base_url = c->url ? c->url : old ? old->base_url : NULL,
		.auth = c->auth ? c->auth : old ? old->auth : default_auth(c->type),
		.verify_tls = c->verify_tls >= 0 ? c->verify_tls : old ? old->verify_tls : true,
		.ca_file = c->ca_file ? (*c->ca_file ? c->ca_file : NULL) : old ? old->ca_file : NULL,
		.key_env = old ? old->key_env : NULL,
		.secret_env = old ? old->secret_env : NULL,
		.credentials = old ? old->credentials : NULL,
		.credentials_len = old ? old->credentials_len : 0,
		.credentials_hint = old ? old->credentials_hint : NULL,
	};
	if (c->key_env || c->secret_env) {
		f.key_env = c->key_env ? c->key_env : f.key_env;
		f.secret_env = c->secret_env ? c->secret_env : f.secret_env;
		f.credentials = NULL;
		f.credentials_len = 0;
		f.credentials_hint = NULL;
	}
	h->options = merged_options(old ? old->options : NULL, c->options);
	f.options = h->options;
	if (f.base_url) {
		str_copy(h->url, f.base_url, sizeof(h->url));
		size_t len = strlen(h->url);
		while (len > 0 && h->url[len - 1] == '/')
			h->url[--len] = '\0';
		f.base_url = h->url;
	}
	return f;
}

enum dest_save_result dest_save(struct store *s, const struct config *cfg, const struct dest_changes *c,
                                const struct dest_row *old, int64_t *id, char *err, size_t errsize)
{
	struct held h = {0};
	struct dest_fields f = merge(c, old, &h);
	enum dest_save_result r = check_fields(cfg, c, &f, err, errsize);
	if (r == DEST_SAVED)
		r = resolve_ca_file(c, &f, &h, err, errsize);
	if (r == DEST_SAVED)
		r = seal_credentials(cfg, c, &f, &h, err, errsize);
	*id = old ? old->id : 0;
	if (r == DEST_SAVED) {
		int saved = old ? store_dest_update(s, *id, &f, err, errsize) : store_dest_insert(s, &f, id, err, errsize);
		if (saved != 0)
			r = DEST_SAVE_FAILED;
	}
	free(h.blob);
	free(h.options);
	return r;
}
