/* `feedsync dest test` of a WordPress site (see dest/wp.h). */
#include "dest/wp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "dest/woo_batch.h"
#include "dest/wp_api.h"

struct tester {
	const struct shop *shop;
	const struct wp_site *site;
	struct http_client *http;
	struct probe p;
	struct woo_check *checks;
	const cJSON *user_caps;      /* of users/me, in p's answer while the permissions are checked */
	cJSON *me;
	char type_slug[64];
	cJSON *type_caps;
};

static const cJSON *member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The refusal in words: "rest_not_logged_in: You are not currently logged in." or what happened instead. */
static void refusal(const struct probe *p, char *buf, size_t size)
{
	struct woo_error e;
	woo_answer_error(&p->req, &e);
	snprintf(buf, size, "%s%s%s", e.code, *e.code ? ": " : "", e.message);
}

static bool answered_ok(const struct probe *p)
{
	return p->req.outcome == HTTP_DONE && p->req.status == 200 && p->req.json;
}

static void check_api(struct tester *t)
{
	struct woo_check *ck = &t->checks[WP_CHECK_API];
	probe(t->http, &t->p, "GET", "/wp-json/", NULL);
	const cJSON *namespaces = member(t->p.req.json, "namespaces");
	bool v2 = false, batch = false;
	const cJSON *ns;
	cJSON_ArrayForEach(ns, namespaces) {
		v2 |= str_eq(cJSON_GetStringValue(ns), "wp/v2");
		batch |= str_eq(cJSON_GetStringValue(ns), "batch/v1");
	}
	/* Bad credentials are refused on every REST request, the index included: the next check names them. */
	bool refused = (t->p.req.status == 401 || t->p.req.status == 403) && member(t->p.req.json, "code");
	if (!probe_answered(&t->p))
		check_set(ck, false, "%s: %s", t->shop->base_url, t->p.req.error);
	else if (refused)
		check_set(ck, true, "the WordPress REST API answers at %s/wp-json/ (it refused the credentials)",
		          t->shop->base_url);
	else if (!answered_ok(&t->p) || !v2)
		check_set(ck, false, "%s answers, but not with the WordPress REST API at /wp-json/ (HTTP %ld): is the URL the "
		      "site's home page, and are pretty permalinks on?", t->shop->base_url, t->p.req.status);
	else
		check_set(ck, true, "the WordPress REST API answers at %s/wp-json/ (%s)", t->shop->base_url,
		      batch ? "batch/v1 available" : "no batch/v1: one request per post");
}

static void check_auth(struct tester *t)
{
	struct woo_check *ck = &t->checks[WP_CHECK_AUTH];
	probe(t->http, &t->p, "GET", WP_API "/users/me?context=edit", NULL);
	char why[600];
	refusal(&t->p, why, sizeof(why));
	if (answered_ok(&t->p)) {
		t->me = cJSON_Duplicate(t->p.req.json, true);
		const cJSON *roles = member(t->me, "roles");
		check_set(ck, true, "user '%s' (%s, %s) accepted", t->shop->key,
		      cJSON_GetStringValue(member(t->me, "name")) ? cJSON_GetStringValue(member(t->me, "name")) : "?",
		      cJSON_GetStringValue(cJSON_GetArrayItem(roles, 0)) ? cJSON_GetStringValue(cJSON_GetArrayItem(roles, 0))
		                                                          : "no role");
		return;
	}
	bool plain = strncasecmp(t->shop->base_url, "http://", 7) == 0;
	check_set(ck, false, "user '%s' (Application Password from %s) refused: %s%s", t->shop->key,
	      t->shop->credentials_origin, why, plain && str_eq(cJSON_GetStringValue(member(t->p.req.json, "code")),
	                                                        "rest_not_logged_in")
	      ? " (WordPress ignores Application Passwords over plain http unless the site is a local environment: "
	        "use https)" : "");
}

static void check_type(struct tester *t)
{
	struct woo_check *ck = &t->checks[WP_CHECK_TYPE];
	probe(t->http, &t->p, "GET", WP_API "/types?context=edit", NULL);
	char why[600];
	refusal(&t->p, why, sizeof(why));
	if (!answered_ok(&t->p)) {
		check_set(ck, false, "the site did not list its post types for user '%s': %s", t->shop->key, why);
		return;
	}
	struct strbuf known = {0};
	const cJSON *type;
	cJSON_ArrayForEach(type, t->p.req.json) {
		const char *base = cJSON_GetStringValue(member(type, "rest_base"));
		if (str_eq(base, t->site->post_type)) {
			str_copy(t->type_slug, type->string, sizeof(t->type_slug));
			t->type_caps = cJSON_Duplicate(member(type, "capabilities"), true);
		}
		if (base)
			sb_addf(&known, "%s%s", known.len ? ", " : "", base);
	}
	if (*t->type_slug)
		check_set(ck, true, "post type '%s' (rest_base %s)", t->type_slug, t->site->post_type);
	else
		check_set(ck, false, "the site has no post type with rest_base '%s' (it has %s): set --post-type", t->site->post_type,
		      sb_str(&known));
	sb_free(&known);
}

/* Whether the user holds the type's capability `what` ("create_posts" is "edit_posts" for posts). */
static bool may(const struct tester *t, const char *what, const char **cap)
{
	*cap = cJSON_GetStringValue(member(t->type_caps, what));
	if (!*cap)
		*cap = what;
	return cJSON_IsTrue(member(member(t->me, "capabilities"), *cap));
}

static void check_caps(struct tester *t)
{
	const char *create, *publish;
	bool can_create = may(t, "create_posts", &create);
	bool publishes = str_eq(t->site->status, "publish");
	bool can_publish = !publishes || may(t, "publish_posts", &publish);
	struct woo_check *ck = &t->checks[WP_CHECK_CAPS];
	if (!can_create)
		check_set(ck, false, "user '%s' cannot create %s (needs the capability %s): give it a role that can", t->shop->key,
		      t->site->post_type, create);
	else if (!can_publish)
		check_set(ck, false, "user '%s' can create %s but not publish them (needs %s): give it a role that can, or set "
		      "--status draft or pending", t->shop->key, t->site->post_type, publish);
	else if (t->site->upload_images && !cJSON_IsTrue(member(member(t->me, "capabilities"), "upload_files")))
		check_set(ck, false, "user '%s' cannot upload images to the media library (needs upload_files): give it a "
		          "role that can, or set --images meta", t->shop->key);
	else
		check_set(ck, true, "user '%s' can create%s %s%s", t->shop->key, publishes ? " and publish" : "",
		      t->site->post_type, t->site->upload_images ? " and upload images" : "");
}

static void check_taxonomies(struct tester *t)
{
	struct woo_check *ck = &t->checks[WP_CHECK_TAXONOMIES];
	if (!t->site->taxonomies[0]) {
		check_set(ck, true, "none to fill");
		return;
	}
	char *target = xasprintf(WP_API "/taxonomies?type=%s", t->type_slug);
	probe(t->http, &t->p, "GET", target, NULL);
	free(target);
	char why[600];
	refusal(&t->p, why, sizeof(why));
	if (!answered_ok(&t->p)) {
		check_set(ck, false, "the site did not list the taxonomies of %s: %s", t->site->post_type, why);
		return;
	}
	struct strbuf missing = {0}, known = {0};
	const cJSON *tax;
	cJSON_ArrayForEach(tax, t->p.req.json)
		sb_addf(&known, "%s%s", known.len ? ", " : "", cJSON_GetStringValue(member(tax, "rest_base")) ?
		        cJSON_GetStringValue(member(tax, "rest_base")) : "?");
	for (size_t i = 0; t->site->taxonomies[i]; i++) {
		bool found = false;
		cJSON_ArrayForEach(tax, t->p.req.json)
			found |= str_eq(cJSON_GetStringValue(member(tax, "rest_base")), t->site->taxonomies[i]);
		if (!found)
			sb_addf(&missing, "%s%s", missing.len ? ", " : "", t->site->taxonomies[i]);
	}
	if (missing.len)
		check_set(ck, false, "%s has no taxonomy %s (it has %s)", t->site->post_type, sb_str(&missing),
		      known.len ? sb_str(&known) : "none");
	else
		check_set(ck, true, "%s has every taxonomy to fill", t->site->post_type);
	sb_free(&missing);
	sb_free(&known);
}

static void check_meta(struct tester *t)
{
	struct woo_check *ck = &t->checks[WP_CHECK_META];
	char *target = xasprintf("/wp-json/wp/v2/%s", t->site->post_type);
	probe(t->http, &t->p, "OPTIONS", target, NULL);
	free(target);
	const cJSON *meta = member(member(member(member(t->p.req.json, "schema"), "properties"), "meta"), "properties");
	if (t->site->image_meta && !member(meta, t->site->image_meta)) {
		check_set(ck, false, "%s do not show the meta key '%s' in the REST API: register it with "
		          "register_post_meta('%s', '%s', ['show_in_rest' => true, 'single' => true, 'type' => 'string'])",
		          t->site->post_type, t->site->image_meta, t->type_slug, t->site->image_meta);
		return;
	}
	if (!member(meta, t->site->sku_meta)) {   /* the push finds posts by their slug instead (dest/wp.h) */
		check_warn(ck, "%s do not show the meta key '%s' in the REST API: posts are found by a slug made of "
		           "the SKU, which replaces any slug mapped; register_post_meta('%s', '%s', ['show_in_rest' => "
		           "true, 'single' => true, 'type' => 'string']) finds them by the key", t->site->post_type,
		           t->site->sku_meta, t->type_slug, t->site->sku_meta);
		return;
	}
	check_set(ck, true, "meta key '%s' holds the SKU%s%s", t->site->sku_meta, t->site->image_meta ? ", the image goes to " : "",
	      t->site->image_meta ? t->site->image_meta : "");
}

bool wp_test(const struct shop *shop, const struct wp_site *site, const struct config *cfg,
             struct woo_check checks[WP_CHECK_COUNT])
{
	static const char *const names[] = {"rest api", "authentication", "post type", "permissions", "taxonomies",
	                                    "sku meta"};
	checks_init(checks, names, WP_CHECK_COUNT);
	struct tester t = {.shop = shop, .site = site, .checks = checks};
	char err[256];
	t.http = http_client_new(shop, cfg, NULL, err, sizeof(err));
	if (!t.http) {
		check_set(&checks[WP_CHECK_API], false, "%s", err);
		return false;
	}
	void (*const steps[])(struct tester *) = {check_api, check_auth, check_type, check_caps, check_taxonomies,
	                                          check_meta};
	for (size_t i = 0; i < ARRAY_LEN(steps) && (i == 0 || checks[i - 1].verdict == 1); i++)
		steps[i](&t);
	http_request_clear(&t.p.req);
	http_client_free(t.http);
	cJSON_Delete(t.me);
	cJSON_Delete(t.type_caps);
	return checks_passed(checks, WP_CHECK_COUNT);
}
