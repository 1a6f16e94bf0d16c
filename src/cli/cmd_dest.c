/* feedsync dest add | list | show | edit | rm | test: shops that connections push to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <math.h>

#include "cli/cli.h"
#include "cli/help.h"
#include "cli/output.h"
#include "core/store_dest.h"
#include "core/store_limits.h"
#include "core/util.h"
#include "dest/dest_check.h"
#include "dest/dest_save.h"
#include "dest/dest_credentials.h"
#include "dest/limits_text.h"
#include "dest/secret.h"
#include "dest/shop.h"
#include "dest/shopify_api.h"
#include "dest/woo.h"

/* Command-line flags that set a tunable, and the option each sets. */
static const struct {
	const char *flag;
	const char *option;
} option_flags[] = {
	{"--concurrency", "concurrency"},   {"--batch-size", "batch_size"},
	{"--rate-limit", "rate_limit"},     {"--timeout", "timeout_s"},
	{"--retries", "retries"},           {"--backoff-ms", "backoff_ms"},
	{"--overrun", "overrun_s"},        {"--repair-duplicates", "repair_duplicates"},
	{"--circuit-threshold", "circuit_threshold"}, {"--circuit-open", "circuit_open_s"},
	{"--patience", "patience_s"},
};

/* Command-line flags of a WordPress site's or a Shopify shop's settings (options.site, dest/wp_api.h,
 * dest/shopify_api.h) that take a text value. */
static const struct {
	const char *flag;
	const char *option;
} site_flags[] = {
	{"--user", "user"}, {"--post-type", "post_type"}, {"--status", "status"}, {"--sku-meta", "sku_meta"},
	{"--image-meta", "image_meta"}, {"--images", "images"}, {"--delete", "delete"},
	{"--api-version", "api_version"}, {"--location", "location"},
};

struct dest_args {
	const char *target;          /* ID or NAME for edit, show, rm, test */
	const char *name, *url, *type, *auth;
	const char *key, *secret, *key_env, *secret_env;
	const char *ca_file;
	int verify_tls;              /* -1 unchanged */
	cJSON *options;              /* tunables set on the command line */
	cJSON *site;                 /* a WordPress site's settings set on the command line */
	const char *app_password, *app_password_env;
	const char *token, *token_env;   /* a Shopify shop's access token */
	bool json, force;
};

static int usage(const char *fmt, const char *arg)
{
	cli_usage(fmt, arg);
	help_print("dest", stderr);
	return EXIT_USAGE;
}

static int set_option(struct dest_args *a, const char *option, const char *value)
{
	char *end;
	double v = strtod(value, &end);
	if (!*value || *end)
		return usage("'%s' is not a number", value);
	cJSON_DeleteItemFromObjectCaseSensitive(a->options, option);
	cJSON_AddNumberToObject(a->options, option, v);
	return EXIT_OK;
}

/* --author 3, --image-max-mb 20, --taxonomies categories,tags: the site settings that are not plain text. */
static int set_site_value(struct dest_args *a, const char *flag, const char *value)
{
	static const struct {
		const char *flag, *option, *what;
	} numbers[] = {{"--author", "author", "a user id"}, {"--image-max-mb", "image_max_mb", "a number of MiB"},
	                {"--bulk-above", "bulk_above", "a number of products"}};
	for (size_t k = 0; k < ARRAY_LEN(numbers); k++) {
		if (!str_eq(flag, numbers[k].flag))
			continue;
		int64_t n;
		if (!parse_int64(value, &n) || n < 0) {
			char why[160];
			snprintf(why, sizeof(why), "%s '%s' is not %s", flag, value, numbers[k].what);
			return usage("%s", why);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(a->site, numbers[k].option);
		cJSON_AddNumberToObject(a->site, numbers[k].option, (double)n);
		return EXIT_OK;
	}
	cJSON *list = cJSON_AddArrayToObject(a->site, "taxonomies");
	char *copy = xstrdup(value), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(list, cJSON_CreateString(str_trim(t)));
	free(copy);
	return EXIT_OK;
}

static int parse_site_arg(int argc, char **argv, int *i, struct dest_args *a, bool *matched)
{
	bool missing = false;
	const char *v;
	*matched = true;
	for (size_t k = 0; k < ARRAY_LEN(site_flags); k++)
		if ((v = arg_value(argc, argv, i, site_flags[k].flag, &missing))) {
			cJSON_DeleteItemFromObjectCaseSensitive(a->site, site_flags[k].option);
			cJSON_AddStringToObject(a->site, site_flags[k].option, v);
			return EXIT_OK;
		}
	static const char *const valued[] = {"--author", "--image-max-mb", "--bulk-above", "--taxonomies"};
	for (size_t k = 0; k < ARRAY_LEN(valued) && !missing; k++)
		if ((v = arg_value(argc, argv, i, valued[k], &missing)))
			return set_site_value(a, valued[k], v);
	static const char *const secret_flags[] = {"--app-password", "--app-password-env", "--token", "--token-env"};
	const char **secret_slots[] = {&a->app_password, &a->app_password_env, &a->token, &a->token_env};
	for (size_t k = 0; k < ARRAY_LEN(secret_flags) && !missing; k++)
		if ((v = arg_value(argc, argv, i, secret_flags[k], &missing))) {
			*secret_slots[k] = v;
			return EXIT_OK;
		}
	if (missing)
		return usage("%s needs a value", argv[*i]);
	if (arg_is(argv[*i], "--allow-http")) {
		cJSON_AddBoolToObject(a->site, "allow_http", true);
		return EXIT_OK;
	}
	*matched = false;
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct dest_args *a)
{
	memset(a, 0, sizeof(*a));
	a->verify_tls = -1;
	a->options = cJSON_CreateObject();
	a->site = cJSON_CreateObject();
	for (int i = 0; i < argc; i++) {
		bool missing = false, site_arg;
		if (parse_site_arg(argc, argv, &i, a, &site_arg) != EXIT_OK)
			return EXIT_USAGE;
		if (site_arg)
			continue;
		const char *v = NULL;
		const char **slot = NULL;
		static const char *const flags[] = {"--name", "--url", "--type", "--auth", "--key", "--secret",
		                                    "--key-env", "--secret-env", "--ca-file"};
		const char **slots[] = {&a->name, &a->url, &a->type, &a->auth, &a->key, &a->secret, &a->key_env,
		                        &a->secret_env, &a->ca_file};
		for (size_t k = 0; k < ARRAY_LEN(flags) && !v && !missing; k++)
			if ((v = arg_value(argc, argv, &i, flags[k], &missing)))
				slot = slots[k];
		for (size_t k = 0; k < ARRAY_LEN(option_flags) && !v && !missing; k++)
			if ((v = arg_value(argc, argv, &i, option_flags[k].flag, &missing)) &&
			    set_option(a, option_flags[k].option, v) != EXIT_OK)
				return EXIT_USAGE;
		if (missing)
			return usage("%s needs a value", argv[i]);
		if (slot)
			*slot = v;
		else if (v)
			continue;
		else if (arg_is(argv[i], "--json"))
			a->json = true;
		else if (arg_is(argv[i], "--force"))
			a->force = true;
		else if (arg_is(argv[i], "--insecure"))
			a->verify_tls = 0;
		else if (arg_is(argv[i], "--verify-tls"))
			a->verify_tls = 1;
		else if (!a->target && argv[i][0] != '-')
			a->target = argv[i];
		else
			return usage("dest: unexpected argument '%s'", argv[i]);
	}
	return EXIT_OK;
}

/* ---- reading a destination --------------------------------------------------------------------------- */

static int get_dest(struct cli *cli, const char *arg, struct dest_row *row)
{
	if (!arg)
		return usage("%s", "which destination? give its id or name");
	int64_t id;
	int found = parse_id(arg, &id) ? store_dest_get(cli_store(cli), id, row)
	                               : store_dest_find(cli_store(cli), arg, row);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read destinations: %s", store_errmsg(cli_store(cli)));
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "no destination '%s' (see 'feedsync dest list')", arg);
	return EXIT_OK;
}

static bool uses_https(const struct dest_row *r)
{
	return r->base_url && strncasecmp(r->base_url, "https://", 8) == 0;
}

static const char *tls_text(const struct dest_row *r)
{
	if (!uses_https(r))
		return "not used (plain http)";
	return r->verify_tls ? "verified" : "NOT VERIFIED (--insecure)";
}

static cJSON *dest_to_json(const struct dest_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "type", r->type);
	cJSON_AddStringToObject(o, "base_url", r->base_url ? r->base_url : "");
	cJSON_AddStringToObject(o, "auth", r->auth ? r->auth : "auto");
	cJSON_AddStringToObject(o, "auth_in_use", shop_auth_name(shop_auth_of(r->auth, r->base_url)));
	cJSON_AddBoolToObject(o, "verify_tls", r->verify_tls);
	cJSON_AddStringToObject(o, "tls", tls_text(r));
	if (r->ca_file)
		cJSON_AddStringToObject(o, "ca_file", r->ca_file);
	else
		cJSON_AddNullToObject(o, "ca_file");
	cJSON *cred = cJSON_AddObjectToObject(o, "credentials");
	bool env = r->key_env || r->secret_env;
	cJSON_AddStringToObject(cred, "source", env ? "environment" : r->credentials ? "stored" : "none");
	if (env) {
		cJSON_AddStringToObject(cred, "key_env", r->key_env ? r->key_env : "");
		cJSON_AddStringToObject(cred, "secret_env", r->secret_env ? r->secret_env : "");
	} else if (r->credentials_hint) {
		cJSON_AddStringToObject(cred, "key", r->credentials_hint);
	}
	cJSON *options = cJSON_Parse(r->options ? r->options : "{}");
	cJSON_AddItemToObject(o, "options", options ? options : cJSON_CreateObject());
	/* The effective values of every option 'dest add --type shopify' takes, defaults included, so a script
	 * need not know them. */
	struct shopify_site site;
	char err[512];
	if (str_eq(r->type, "shopify") && shopify_site_of(r->options, r->name, &site, err, sizeof(err)) == 0) {
		cJSON_AddStringToObject(o, "api_version", site.api_version);
		if (site.location)
			cJSON_AddStringToObject(o, "location", site.location);
		else
			cJSON_AddNullToObject(o, "location");
		cJSON_AddBoolToObject(o, "allow_http", site.allow_http);
		cJSON_AddNumberToObject(o, "bulk_above", (double)site.bulk_above);
		shopify_site_free(&site);
	}
	if (r->learned_batch_size)
		cJSON_AddNumberToObject(o, "learned_batch_size", r->learned_batch_size);
	else
		cJSON_AddNullToObject(o, "learned_batch_size");
	cJSON *circuit = cJSON_AddObjectToObject(o, "circuit");
	cJSON_AddStringToObject(circuit, "state", r->circuit_state);
	cJSON_AddNumberToObject(circuit, "reopen_at", (double)r->circuit_reopen_at);
	cJSON_AddNumberToObject(circuit, "consecutive_failures", r->consecutive_failures);
	cJSON_AddNumberToObject(circuit, "since", (double)r->circuit_since);
	cJSON_AddNumberToObject(circuit, "last_failure_at", (double)r->circuit_last_at);
	cJSON_AddStringToObject(circuit, "last_failure", r->circuit_last ? r->circuit_last : "");
	cJSON *health = cJSON_AddObjectToObject(o, "health");
	if (r->health_ok < 0)
		cJSON_AddNullToObject(health, "ok");
	else
		cJSON_AddBoolToObject(health, "ok", r->health_ok);
	cJSON_AddNumberToObject(health, "checked_at", (double)r->health_checked_at);
	cJSON_AddStringToObject(health, "message", r->health_message ? r->health_message : "");
	cJSON_AddNumberToObject(o, "created_at", (double)r->created_at);
	cJSON_AddNumberToObject(o, "updated_at", (double)r->updated_at);
	return o;
}

static void health_text(const struct dest_row *r, char *buf, size_t size)
{
	char at[32];
	if (r->health_ok < 0)
		snprintf(buf, size, "never checked ('feedsync dest test %lld')", (long long)r->id);
	else
		snprintf(buf, size, "%s at %s: %s", r->health_ok ? "ok" : "FAILED", when(r->health_checked_at, at, sizeof(at)),
		         r->health_message ? r->health_message : "");
}

static void circuit_text(const struct dest_row *r, char *buf, size_t size)
{
	char at[32], since[32], last[32];
	if (str_eq(r->circuit_state, "closed"))
		snprintf(buf, size, "closed%s", r->consecutive_failures ? " (recent transient failures)" : "");
	else
		snprintf(buf, size, "%s after %d transient failures in a row, probe after %s; failing since %s, last at "
		         "%s: %s", r->circuit_state, r->consecutive_failures, when(r->circuit_reopen_at, at, sizeof(at)),
		         when(r->circuit_since, since, sizeof(since)), when(r->circuit_last_at, last, sizeof(last)),
		         r->circuit_last ? r->circuit_last : "?");
}

/* The last check's verdict, unless the circuit says the shop is failing now: "open since 14:02:11". */
static void health_cell(const struct dest_row *r, char *buf, size_t size)
{
	char since[32];
	if (!str_eq(r->circuit_state, "closed"))
		snprintf(buf, size, "%s since %s", r->circuit_state, when(r->circuit_since, since, sizeof(since)));
	else
		snprintf(buf, size, "%s", r->health_ok < 0 ? "-" : r->health_ok ? "ok" : "FAILED");
}

static cJSON *limits_to_json(const struct limits_view *v)
{
	if (!v->known)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tokens", floor(limits_tokens(v, now_ms()) * 100) / 100);
	cJSON_AddNumberToObject(o, "size", v->size);
	cJSON_AddNumberToObject(o, "rate", v->rate);
	cJSON_AddNumberToObject(o, "slots", v->slots);
	cJSON_AddNumberToObject(o, "concurrency", v->concurrency);
	cJSON_AddNumberToObject(o, "holders", v->holders);
	return o;
}

/* A Shopify shop's cost bucket as its last answer reported it, refilled to now. */
static cJSON *cost_to_json(const struct cost_seen *c)
{
	if (!c->known)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "available", floor(limits_cost_available(c, now_ms()) * 100) / 100);
	cJSON_AddNumberToObject(o, "maximum", c->maximum);
	cJSON_AddNumberToObject(o, "restore_rate", c->restore_rate);
	cJSON_AddNumberToObject(o, "reported_available", c->available);
	cJSON_AddNumberToObject(o, "seen_at", (double)c->seen_at);
	return o;
}

static void print_cost(const struct cost_seen *c)
{
	char bucket[64], at[32];
	if (!c->known) {
		printf("  cost bucket:  not reported yet (every answer of the shop reports it)\n");
		return;
	}
	limits_cost_text(c, now_ms(), bucket, sizeof(bucket));
	printf("  cost bucket:  %s (points available/maximum, restored per second; the shop reported %.0f at %s)\n",
	       bucket, c->available, when(c->seen_at, at, sizeof(at)));
}

/* The bucket and the slots shared by every process, as the last of them left them. */
static void print_limits(const struct limits_view *v)
{
	char bucket[64], slots[32];
	if (!v->known) {
		printf("  limits:       nothing sent yet\n");
		return;
	}
	limits_bucket_text(v, now_ms(), bucket, sizeof(bucket));
	limits_slots_text(v, slots, sizeof(slots));
	if (v->rate > 0)
		printf("  bucket:       %s (tokens available/size, refill per second)\n", bucket);
	else
		printf("  bucket:       no rate limit\n");
	printf("  in flight:    %s slots held by %d process%s\n", slots, v->holders, v->holders == 1 ? "" : "es");
}

/* The pinned Admin API version and where inventory goes. */
static void print_shopify(const struct dest_row *r)
{
	struct shopify_site site;
	char err[512];
	if (shopify_site_of(r->options, r->name, &site, err, sizeof(err)) < 0) {
		printf("  shop:         %s\n", err);
		return;
	}
	printf("  api version:  %s\n", site.api_version);
	printf("  location:     %s\n", site.location ? site.location : "the shop's primary location");
	if (site.bulk_above)
		printf("  bulk above:   %lld products a run\n", (long long)site.bulk_above);
	else
		printf("  bulk above:   never (every push is synchronous)\n");
	shopify_site_free(&site);
}

static void print_dest(const struct dest_row *r, const struct limits_view *limits)
{
	char cred[256], health[768], circuit[512];
	dest_credentials_text(r, cred, sizeof(cred));
	health_text(r, health, sizeof(health));
	circuit_text(r, circuit, sizeof(circuit));
	enum shop_auth auth = shop_auth_of(r->auth, r->base_url);
	printf("destination %lld: %s (%s)\n", (long long)r->id, r->name, r->type);
	printf("  url:          %s\n", r->base_url);
	printf("  auth:         %s%s\n", shop_auth_name(auth), str_eq(r->auth, "auto") ? " (auto: from the URL's scheme)" : "");
	printf("  tls:          %s\n", tls_text(r));
	if (str_eq(r->type, "shopify"))
		print_shopify(r);
	if (r->ca_file)
		printf("  ca file:      %s\n", r->ca_file);
	printf("  credentials:  %s\n", cred);
	printf("  options:      %s\n", r->options && strcmp(r->options, "{}") ? r->options : "defaults ([push] in feedsync.ini)");
	if (r->learned_batch_size)
		printf("  batch size:   %d (learned: the shop refused or timed out on more)\n", r->learned_batch_size);
	printf("  circuit:      %s\n", circuit);
	printf("  requests:     %s\n", *r->recent_outcomes ? r->recent_outcomes : "none yet");
	print_limits(limits);
	if (str_eq(r->type, "shopify"))
		print_cost(&limits->cost);
	printf("  health:       %s\n", health);
	if (auth == SHOP_AUTH_BASIC && !uses_https(r))
		printf("  warning:      Basic authentication over plain http sends the secret unencrypted\n");
}

static int dest_list(struct cli *cli, bool json)
{
	struct dest_row *rows;
	size_t n;
	if (store_dest_list(cli_store(cli), &rows, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot list destinations: %s", store_errmsg(cli_store(cli)));
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, dest_to_json(&rows[i]));
		json_print(arr, stdout);
	} else if (n == 0) {
		printf("no destinations yet: add a shop with 'feedsync dest add --name N --url URL --key CK --secret CS'\n");
	} else {
		static const char *const headers[] = {"ID", "NAME", "TYPE", "URL", "AUTH", "TLS", "CREDENTIALS",
		                                      "CIRCUIT", "HEALTH"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(headers), headers, "rllllllll");
		for (size_t i = 0; i < n; i++) {
			const struct dest_row *r = &rows[i];
			char id[24], cred[256], health[64];
			snprintf(id, sizeof(id), "%lld", (long long)r->id);
			if (r->key_env || r->secret_env)
				snprintf(cred, sizeof(cred), "env %s", r->key_env ? r->key_env : r->secret_env);
			else
				snprintf(cred, sizeof(cred), "%s", r->credentials_hint ? r->credentials_hint : "none");
			health_cell(r, health, sizeof(health));
			const char *cells[] = {id, r->name, r->type, r->base_url,
			                       shop_auth_name(shop_auth_of(r->auth, r->base_url)), tls_text(r), cred,
			                       r->circuit_state, health};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
	}
	dest_rows_free(rows, n);
	return EXIT_OK;
}

static int dest_show(struct cli *cli, const struct dest_args *a)
{
	struct dest_row row;
	int rc = get_dest(cli, a->target, &row);
	if (rc != EXIT_OK)
		return rc;
	struct limits_view limits;
	if (store_limits_view(cli_store(cli), row.id, now_ms(), &limits) < 0) {
		int failed = cli_fail(EXIT_FAILED, "cannot read the limits of destination %lld: %s", (long long)row.id,
		                      store_errmsg(cli_store(cli)));
		dest_row_free(&row);
		return failed;
	}
	if (a->json) {
		cJSON *o = dest_to_json(&row);
		cJSON_AddStringToObject(o, "recent_outcomes", row.recent_outcomes);
		cJSON_AddItemToObject(o, "limits", limits_to_json(&limits));
		if (str_eq(row.type, "shopify"))
			cJSON_AddItemToObject(o, "cost_bucket", cost_to_json(&limits.cost));
		json_print(o, stdout);
	} else {
		print_dest(&row, &limits);
	}
	dest_row_free(&row);
	return EXIT_OK;
}

/* ---- add and edit ------------------------------------------------------------------------------------ */

static int save_dest(struct cli *cli, struct dest_args *a, struct dest_row *old)
{
	const char *type = a->type ? a->type : old ? old->type : "woocommerce";
	if ((a->token || a->token_env) && !str_eq(type, "shopify"))
		return usage("--token and --token-env are a shopify destination's, not a %s one's", type);
	const char *given_secret = a->app_password ? a->app_password : a->token ? a->token : a->secret;
	char *secret = given_secret ? cli_read_secret(given_secret) : NULL;
	/* A new password alone belongs to the user stored. */
	cJSON *stored = old ? cJSON_Parse(old->options ? old->options : "{}") : NULL;
	const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a->site, "user"));
	if (!user)
		user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(stored, "site"), "user"));
	struct dest_changes c = {
		.name = a->name, .url = a->url, .type = a->type, .auth = a->auth, .verify_tls = a->verify_tls,
		.ca_file = a->ca_file,
		.key = a->app_password ? user : a->token ? SHOP_TOKEN_HEADER : a->key, .secret = secret,
		.key_env = a->key_env,
		.secret_env = a->app_password_env ? a->app_password_env : a->token_env ? a->token_env : a->secret_env,
		.options = a->options,
	};
	if (a->site->child)
		cJSON_AddItemReferenceToObject(a->options, "site", a->site);
	int64_t id;
	char err[1024] = "";
	enum dest_save_result r = dest_save(cli_store(cli), &cli->cfg, &c, old, &id, err, sizeof(err));
	secret_free(secret);
	cJSON_Delete(stored);
	if (r == DEST_SAVE_INVALID)
		return usage("%s", err);
	if (r != DEST_SAVED)
		return cli_fail(EXIT_FAILED, "%s; nothing was saved", err);
	struct dest_row row;
	if (store_dest_get(cli_store(cli), id, &row) != 1)
		return cli_fail(EXIT_FAILED, "destination %lld was saved but cannot be read back", (long long)id);
	if (a->json) {
		json_print(dest_to_json(&row), stdout);
	} else {
		printf("%s destination %lld '%s' (%s, %s, TLS %s)\n", old ? "updated" : "created", (long long)id, row.name,
		       row.base_url, shop_auth_name(shop_auth_of(row.auth, row.base_url)), tls_text(&row));
		if (!old)
			printf("check it with: feedsync dest test %lld\n", (long long)id);
	}
	dest_row_free(&row);
	return EXIT_OK;
}

static int dest_edit(struct cli *cli, struct dest_args *a)
{
	struct dest_row row;
	int rc = get_dest(cli, a->target, &row);
	if (rc != EXIT_OK)
		return rc;
	rc = save_dest(cli, a, &row);
	dest_row_free(&row);
	return rc;
}

/* ---- rm and test ------------------------------------------------------------------------------------- */

/* Whether a `part` of a document (its destination, or a shop source's "destination") of d's type names d. */
static bool names_dest(const cJSON *part, const cJSON *ref, const struct dest_row *d)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(ref, "id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ref, "name");
	return cJSON_IsString(type) && str_eq(type->valuestring, d->type) &&
	       ((cJSON_IsNumber(id) && (int64_t)id->valuedouble == d->id) ||
	        (cJSON_IsString(name) && str_eq(name->valuestring, d->name)));
}

/* Connections whose document names this destination (to push to or to read from), as "3 'Acme'" pieces. */
static void users_of(struct cli *cli, const struct dest_row *d, struct strbuf *out)
{
	struct conn_row *rows;
	size_t n;
	if (store_conn_list(cli_store(cli), &rows, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		cJSON *doc = cJSON_Parse(rows[i].document);
		const cJSON *dest = cJSON_GetObjectItemCaseSensitive(doc, "destination");
		const cJSON *source = cJSON_GetObjectItemCaseSensitive(doc, "source");
		if (names_dest(dest, dest, d) ||
		    names_dest(source, cJSON_GetObjectItemCaseSensitive(source, "destination"), d))
			sb_addf(out, "%s%lld '%s'", out->len ? ", " : "", (long long)rows[i].id, rows[i].name);
		cJSON_Delete(doc);
	}
	conn_rows_free(rows, n);
}

static int dest_rm(struct cli *cli, const struct dest_args *a)
{
	struct dest_row row;
	int rc = get_dest(cli, a->target, &row);
	if (rc != EXIT_OK)
		return rc;
	struct strbuf users = {0};
	users_of(cli, &row, &users);
	if (users.len && !a->force) {
		rc = cli_fail(EXIT_REFUSED, "destination %lld '%s' is used by connection %s; change those first, or "
		              "remove it anyway with --force", (long long)row.id, row.name, sb_str(&users));
	} else if (store_dest_delete(cli_store(cli), row.id) < 0) {
		rc = cli_fail(EXIT_FAILED, "cannot remove destination %lld: %s", (long long)row.id,
		              store_errmsg(cli_store(cli)));
	} else {
		printf("removed destination %lld '%s'%s\n", (long long)row.id, row.name,
		       users.len ? " (connections that push to it will fail until changed)" : "");
	}
	sb_free(&users);
	dest_row_free(&row);
	return rc;
}

static void print_checks(const struct dest_row *row, const struct woo_check *checks, int n, bool ok, bool json)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "destination", (double)row->id);
		cJSON_AddBoolToObject(o, "ok", ok);
		cJSON *arr = cJSON_AddArrayToObject(o, "checks");
		for (int i = 0; i < n; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "name", checks[i].name);
			if (checks[i].verdict < 0)
				cJSON_AddNullToObject(c, "ok");
			else
				cJSON_AddBoolToObject(c, "ok", checks[i].verdict == 1);
			if (checks[i].warning)
				cJSON_AddTrueToObject(c, "warning");
			cJSON_AddStringToObject(c, "detail", checks[i].detail);
			cJSON_AddItemToArray(arr, c);
		}
		json_print(o, stdout);
		return;
	}
	printf("destination %lld '%s' (%s)\n", (long long)row->id, row->name, row->base_url);
	for (int i = 0; i < n; i++)
		printf("  %-15s %-7s %s\n", checks[i].name, check_word(&checks[i]), checks[i].detail);
}

static int dest_test(struct cli *cli, const struct dest_args *a)
{
	struct dest_row row;
	int rc = get_dest(cli, a->target, &row);
	if (rc != EXIT_OK)
		return rc;
	struct dest_check check;
	dest_check_run(cli_store(cli), &cli->cfg, &row, &check);
	if (!check.opened) {
		rc = cli_fail(EXIT_FAILED, "%s", check.summary);
	} else {
		print_checks(&row, check.checks, check.nchecks, check.ok, a->json);
		if (!check.ok && !a->json)
			fprintf(stderr, "feedsync: destination %lld '%s': %s\n", (long long)row.id, row.name, check.summary);
		rc = check.ok ? EXIT_OK : EXIT_FAILED;
	}
	dest_row_free(&row);
	return rc;
}

int cmd_dest(struct cli *cli, int argc, char **argv)
{
	if (argc < 1) {
		help_print("dest", stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[0];
	struct dest_args a;
	int rc = parse_args(argc - 1, argv + 1, &a);
	if (rc == EXIT_OK) {
		if (str_eq(sub, "add"))
			rc = a.target ? usage("dest add: unexpected argument '%s'", a.target) : save_dest(cli, &a, NULL);
		else if (str_eq(sub, "edit"))
			rc = dest_edit(cli, &a);
		else if (str_eq(sub, "list"))
			rc = dest_list(cli, a.json);
		else if (str_eq(sub, "show"))
			rc = dest_show(cli, &a);
		else if (str_eq(sub, "rm"))
			rc = dest_rm(cli, &a);
		else if (str_eq(sub, "test"))
			rc = dest_test(cli, &a);
		else
			rc = usage("unknown dest command '%s'", sub);
	}
	cJSON_Delete(a.options);
	cJSON_Delete(a.site);
	return rc;
}
