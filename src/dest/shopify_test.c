/* `feedsync dest test` of a Shopify shop (see dest/shopify.h). */
#include "dest/shopify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "dest/cost_bucket.h"

/* The scopes a sync needs (https://shopify.dev/docs/api/usage/access-scopes): products and their variants,
 * inventory quantities, and the locations they are counted at. */
static const char *const needed_scopes[] = {"write_products", "write_inventory", "read_locations"};

static const char shop_document[] =
	"query FeedsyncShop { shop { name myshopifyDomain } currentAppInstallation { accessScopes { handle } } }";

struct tester {
	const struct shop *shop;
	const struct shopify_site *site;
	struct http_client *http;
	struct probe p;
	struct woo_check *checks;
	char *endpoint;
	cJSON *scopes;     /* currentAppInstallation.accessScopes of the token's answer */
	struct cost_seen *seen;
};

static const cJSON *member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *text_of(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(member(o, key));
	return s ? s : "?";
}

static void ask(struct tester *t, const char *document, const char *name)
{
	char *body = shopify_request_text(document, name, NULL);
	probe(t->http, &t->p, "POST", t->endpoint, body);
	free(body);
	cost_seen_parse(t->p.req.json, now_ms(), t->seen);
}

/* What the shop said instead of data: "ACCESS_DENIED: ..." or the HTTP outcome. */
static void refusal(const struct probe *p, char *buf, size_t size)
{
	char code[64], message[400], outcome[96];
	if (shopify_answer_error(p->req.json, code, sizeof(code), message, sizeof(message)))
		snprintf(buf, size, "%s%s%s (HTTP %ld)", code, *code ? ": " : "", message, p->req.status);
	else
		snprintf(buf, size, "%s", http_outcome_text(&p->req, outcome, sizeof(outcome)));
}

/* The shop's cost bucket as its answer reports it: what the plan allows this app. */
static const char *bucket_text(const cJSON *answer, char *buf, size_t size)
{
	struct cost_reading reading;
	char err[160];
	if (cost_reading_parse(answer, &reading, err, sizeof(err)))
		snprintf(buf, size, "cost bucket %.0f of %.0f points, restoring %.0f a second", reading.available,
		         reading.maximum, reading.restore_rate);
	else
		snprintf(buf, size, "no cost reported: %s", err);
	return buf;
}

static void check_reach_and_tls(struct tester *t)
{
	struct woo_check *reach = &t->checks[SHOPIFY_CHECK_REACH], *tls = &t->checks[SHOPIFY_CHECK_TLS];
	ask(t, shop_document, "FeedsyncShop");
	const struct http_request *r = &t->p.req;
	if (r->outcome == HTTP_TLS) {
		check_set(reach, true, "the server answers at %s", t->shop->base_url);
		check_set(tls, false, "%s", r->error);
		if (t->shop->verify_tls)
			tls_hint_add(t->shop, tls->detail, sizeof(tls->detail));
		return;
	}
	/* A version no longer served, or a path that is not the API, is 404 {"errors": "Not Found"}. */
	char why[160];
	bool graphql = r->json && r->status != 404 && (member(r->json, "data") || member(r->json, "errors"));
	if (!probe_answered(&t->p))
		check_set(reach, false, "%s: %s", t->shop->base_url, r->error);
	else if (!graphql)
		check_set(reach, false, "%s answers, but not with the GraphQL Admin API at %s (HTTP %ld%s%s): is the URL "
		          "the shop's https://SHOP.myshopify.com address, and API version %s still supported?",
		          t->shop->base_url, t->endpoint, r->status, *r->content_type ? ", " : "", r->content_type,
		          t->site->api_version);
	else
		check_set(reach, true, "the GraphQL Admin API %s answers at %s%s (%lld ms; %s)", t->site->api_version,
		          t->shop->base_url, t->endpoint, (long long)r->elapsed_ms, bucket_text(r->json, why, sizeof(why)));
	if (strncasecmp(t->shop->base_url, "http://", 7) == 0)
		check_set(tls, true, "not used: plain http (--allow-http), the token travels unencrypted");
	else if (!t->shop->verify_tls)
		check_set(tls, true, "connected, but the certificate is NOT verified (--insecure)");
	else
		check_set(tls, true, "the certificate is valid");
}

static void check_token(struct tester *t)
{
	struct woo_check *ck = &t->checks[SHOPIFY_CHECK_TOKEN];
	const cJSON *data = member(t->p.req.json, "data");
	const cJSON *shop = member(data, "shop");
	char why[600];
	refusal(&t->p, why, sizeof(why));
	if (t->p.req.status == 200 && cJSON_IsObject(shop)) {
		t->scopes = cJSON_Duplicate(member(member(data, "currentAppInstallation"), "accessScopes"), true);
		check_set(ck, true, "access token %s accepted by shop '%s' (%s)", t->shop->key_hint, text_of(shop, "name"),
		          text_of(shop, "myshopifyDomain"));
		return;
	}
	check_set(ck, false, "access token %s (from %s) refused: %s", t->shop->key_hint, t->shop->credentials_origin,
	          why);
}

static void check_scopes(struct tester *t)
{
	struct strbuf missing = {0};
	for (size_t i = 0; i < ARRAY_LEN(needed_scopes); i++) {
		bool held = false;
		const cJSON *scope;
		cJSON_ArrayForEach(scope, t->scopes)
			held |= str_eq(cJSON_GetStringValue(member(scope, "handle")), needed_scopes[i]);
		if (!held)
			sb_addf(&missing, "%s%s", missing.len ? ", " : "", needed_scopes[i]);
	}
	struct woo_check *ck = &t->checks[SHOPIFY_CHECK_SCOPES];
	if (missing.len)
		check_set(ck, false, "the app's token lacks the scope%s %s: grant %s in the app's Admin API access "
		          "scopes and install it again", strchr(sb_str(&missing), ',') ? "s" : "", sb_str(&missing),
		          sb_str(&missing));
	else
		check_set(ck, true, "write_products, write_inventory and read_locations granted");
	sb_free(&missing);
}

static void check_location(struct tester *t)
{
	struct woo_check *ck = &t->checks[SHOPIFY_CHECK_LOCATION];
	const char *wanted = t->site->location;
	if (wanted)
		ask(t, shopify_locations_document, "FeedsyncLocations");
	else
		ask(t, shopify_primary_location_document, "FeedsyncPrimaryLocation");
	const cJSON *data = member(t->p.req.json, "data");
	const cJSON *nodes = member(member(data, "locations"), "nodes");
	const cJSON *loc = wanted ? shopify_find_location(nodes, wanted) : member(data, "location");
	char why[600];
	refusal(&t->p, why, sizeof(why));
	if (t->p.req.status != 200 || (wanted ? !cJSON_IsArray(nodes) : !data)) {
		check_set(ck, false, "the shop did not list its locations: %s", why);
	} else if (!cJSON_IsObject(loc)) {
		struct strbuf known = {0};
		const cJSON *node;
		cJSON_ArrayForEach(node, nodes)
			sb_addf(&known, "%s%s (%s)", known.len ? ", " : "", text_of(node, "name"), text_of(node, "id"));
		if (wanted)
			check_set(ck, false, "the shop has no location '%s' (it has %s): set --location", wanted,
			          known.len ? sb_str(&known) : "none");
		else
			check_set(ck, false, "the shop has no primary location: set --location");
		sb_free(&known);
	} else if (!cJSON_IsTrue(member(loc, "isActive"))) {
		check_set(ck, false, "location '%s' (%s) is not active: inventory cannot be stocked there; activate it or "
		          "set --location", text_of(loc, "name"), text_of(loc, "id"));
	} else {
		check_set(ck, true, "inventory goes to '%s' (%s%s)", text_of(loc, "name"), text_of(loc, "id"),
		          wanted ? "" : ", the primary location");
	}
}

bool shopify_test(const struct shop *shop, const struct shopify_site *site, const struct config *cfg,
                  struct woo_check checks[SHOPIFY_CHECK_COUNT], struct cost_seen *seen)
{
	static const char *const names[] = {"reachability", "tls", "token", "scopes", "location"};
	checks_init(checks, names, SHOPIFY_CHECK_COUNT);
	*seen = (struct cost_seen){0};
	struct tester t = {.shop = shop, .site = site, .checks = checks, .endpoint = shopify_graphql_path(site),
	                   .seen = seen};
	char err[256];
	t.http = http_client_new(shop, cfg, NULL, err, sizeof(err));
	if (!t.http) {
		check_set(&checks[SHOPIFY_CHECK_REACH], false, "%s", err);
		free(t.endpoint);
		return false;
	}
	check_reach_and_tls(&t);
	void (*const steps[])(struct tester *) = {check_token, check_scopes, check_location};
	for (size_t i = 0; i < ARRAY_LEN(steps) && checks[SHOPIFY_CHECK_TOKEN + i - 1].verdict == 1 &&
	     checks[SHOPIFY_CHECK_REACH].verdict == 1; i++)
		steps[i](&t);
	http_request_clear(&t.p.req);
	http_client_free(t.http);
	cJSON_Delete(t.scopes);
	free(t.endpoint);
	return checks_passed(checks, SHOPIFY_CHECK_COUNT);
}
