/* WordPress REST requests and answers, without I/O (see dest/wp_api.h). */
#include "dest/wp_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/conn.h"
#include "feed/jsoncheck.h"
#include "feed/product.h"

static const char *const site_keys[] = {"user", "allow_http", "post_type", "status", "author", "taxonomies",
                                        "sku_meta", "image_meta", "images", "image_max_mb", "delete", NULL};
static const char *const new_statuses[] = {"publish", "draft", "pending", NULL};
/* What the posts controller's status parameter takes (its enum, "trash" aside). */
static const char *const post_statuses[] = {"publish", "future", "draft", "pending", "private", NULL};

#define SITE "options.site"

/* A rest_base or a meta key: letters, digits, '_' and '-', as register_post_type and register_meta take them. */
static bool is_slug(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(s);
}

static char *slug_member(const cJSON *site, const char *key, const char *fallback, struct problems *pr)
{
	const cJSON *v = json_member(site, key, cJSON_String, SITE, pr);
	char where[64];
	if (v && !is_slug(v->valuestring)) {
		problems_add(pr, json_path(where, sizeof(where), SITE, key), "'%s' is not a name like \"posts\" (letters, "
		             "digits, _ and -)", v->valuestring);
		v = NULL;
	}
	return v ? xstrdup(v->valuestring) : fallback ? xstrdup(fallback) : NULL;
}

static void read_taxonomies(const cJSON *site, struct wp_site *out, struct problems *pr)
{
	const cJSON *list = json_member(site, "taxonomies", cJSON_Array, SITE, pr);
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		char where[64];
		json_path_at(where, sizeof(where), SITE ".taxonomies", n);
		if (!cJSON_IsString(it) || !is_slug(it->valuestring))
			problems_add(pr, where, "must be a taxonomy's rest_base like \"categories\"");
		else if (n == WP_MAX_TAXONOMIES)
			problems_add(pr, where, "at most %d taxonomies", WP_MAX_TAXONOMIES);
		else
			out->taxonomies[n++] = xstrdup(it->valuestring);
	}
}

void wp_site_read(const cJSON *site, struct wp_site *out, struct problems *pr)
{
	memset(out, 0, sizeof(*out));
	if (site)
		json_check_keys(site, site_keys, SITE, pr);
	const cJSON *user = json_member(site, "user", cJSON_String, SITE, pr);
	out->user = user && *user->valuestring ? xstrdup(user->valuestring) : NULL;
	out->allow_http = cJSON_IsTrue(json_member(site, "allow_http", JSON_BOOL, SITE, pr));
	out->post_type = slug_member(site, "post_type", "posts", pr);
	const cJSON *status = json_member(site, "status", cJSON_String, SITE, pr);
	if (status && !str_in(status->valuestring, new_statuses))
		problems_add(pr, SITE ".status", "must be publish, draft or pending, not '%s'", status->valuestring);
	out->status = xstrdup(status && str_in(status->valuestring, new_statuses) ? status->valuestring : "publish");
	const cJSON *author = json_member(site, "author", cJSON_Number, SITE, pr);
	if (author && (author->valuedouble < 0 || author->valuedouble != (double)(int64_t)author->valuedouble))
		problems_add(pr, SITE ".author", "must be a user id like 3");
	else if (author)
		out->author = (int64_t)author->valuedouble;
	read_taxonomies(site, out, pr);
	out->sku_meta = slug_member(site, "sku_meta", "feedsync_sku", pr);
	out->image_meta = slug_member(site, "image_meta", NULL, pr);
	const cJSON *images = json_member(site, "images", cJSON_String, SITE, pr);
	if (images && !str_eq(images->valuestring, "meta") && !str_eq(images->valuestring, "upload"))
		problems_add(pr, SITE ".images", "must be meta or upload, not '%s'", images->valuestring);
	out->upload_images = images && str_eq(images->valuestring, "upload");
	const cJSON *max_mb = json_member(site, "image_max_mb", cJSON_Number, SITE, pr);
	double mb = max_mb ? max_mb->valuedouble : WP_DEFAULT_IMAGE_MAX_MB;
	if (max_mb && (mb < 1 || mb > 4096 || mb != (double)(int64_t)mb))
		problems_add(pr, SITE ".image_max_mb", "must be a whole number of MiB from 1 to 4096, like 10");
	else
		out->image_max_bytes = (uint64_t)mb << 20;
	const cJSON *del = json_member(site, "delete", cJSON_String, SITE, pr);
	if (del && !str_eq(del->valuestring, "trash") && !str_eq(del->valuestring, "force"))
		problems_add(pr, SITE ".delete", "must be trash or force, not '%s'", del->valuestring);
	out->delete_force = del && str_eq(del->valuestring, "force");
}

void wp_site_free(struct wp_site *site)
{
	free(site->user);
	free(site->post_type);
	free(site->status);
	for (size_t i = 0; site->taxonomies[i]; i++)
		free(site->taxonomies[i]);
	free(site->sku_meta);
	free(site->image_meta);
	memset(site, 0, sizeof(*site));
}

int wp_site_of(const char *options, const char *dest_name, struct wp_site *out, char *err, size_t errsize)
{
	cJSON *o = cJSON_Parse(options ? options : "{}");
	struct problems pr = {0};
	wp_site_read(cJSON_GetObjectItemCaseSensitive(o, "site"), out, &pr);
	cJSON_Delete(o);
	if (!pr.n)
		return 0;
	char *list = problems_join(&pr, "  ");
	snprintf(err, errsize, "destination '%s' has bad site options:\n%s", dest_name, list);
	free(list);
	problems_free(&pr);
	wp_site_free(out);
	return -1;
}

char *wp_post_path(const struct wp_site *site, int64_t id)
{
	if (id > 0)
		return xasprintf("/wp/v2/%s/%lld", site->post_type, (long long)id);
	return xasprintf("/wp/v2/%s", site->post_type);
}

/* ---- a post's body ---- */

struct post_source {
	const cJSON *product;
	bool create;
	char *const *fields;
};

/* The product's value for a post field: its own name first, then the WooCommerce-shaped one; NULL when the
 * product has neither, or an update does not send it. */
static const char *value_of(const struct post_source *s, const char *name, const char *alias)
{
	const char *names[] = {name, alias};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const char *v = names[i] ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->product, names[i]))
		                         : NULL;
		if (v)
			return s->create || update_sends(s->fields, names[i]) ? v : NULL;
	}
	return NULL;
}

/* "12,15" to [12, 15]; false when a piece is not a term id. */
static bool id_list(const char *text, cJSON *out)
{
	for (const char *s = text; *s;) {
		char *end;
		long long id = strtoll(s, &end, 10);
		if (end == s || id <= 0 || (*end && *end != ','))
			return false;
		cJSON_AddItemToArray(out, cJSON_CreateNumber((double)id));
		s = *end ? end + 1 : end;
	}
	return true;
}

char *wp_first_image(const char *images)
{
	size_t len = images ? strcspn(images, "|") : 0;
	return len ? xstrndup(images, len) : NULL;
}

/* The product's image list as a post of it sends it. */
static const char *images_of(const struct post_source *s)
{
	return value_of(s, "image", PF_IMAGES);
}

char *wp_post_image(const char *product_json, bool create, char *const *fields)
{
	cJSON *product = cJSON_Parse(product_json);
	struct post_source s = {product, create, fields};
	char *url = wp_first_image(images_of(&s));
	cJSON_Delete(product);
	return url;
}

static int add_terms(const struct post_source *s, const struct wp_site *site, cJSON *body, char *err, size_t errsize)
{
	for (size_t i = 0; site->taxonomies[i]; i++) {
		const char *ids = value_of(s, site->taxonomies[i], NULL);
		if (!ids || !*ids)
			continue; /* an empty list would take the post's own terms off it */
		cJSON *arr = cJSON_AddArrayToObject(body, site->taxonomies[i]);
		if (!id_list(ids, arr)) {
			snprintf(err, errsize, "%s '%s' is not a list of term ids", site->taxonomies[i], ids);
			return -1;
		}
	}
	return 0;
}

static void add_meta(const struct post_source *s, const struct wp_site *site, const char *sku, cJSON *body)
{
	cJSON *meta = cJSON_AddObjectToObject(body, "meta");
	cJSON_AddStringToObject(meta, site->sku_meta, sku);
	const cJSON *f;
	cJSON_ArrayForEach(f, s->product) {
		if (cJSON_IsString(f) && str_starts_with(f->string, "meta.") && f->string[5] &&
		    (s->create || update_sends(s->fields, f->string)))
			cJSON_AddStringToObject(meta, f->string + 5, f->valuestring);
	}
	const char *images = site->image_meta ? images_of(s) : NULL;
	if (images) {   /* an emptied image empties the key */
		char *url = wp_first_image(images);
		cJSON_AddStringToObject(meta, site->image_meta, url ? url : "");
		free(url);
	}
}

int wp_post_body(const char *product_json, const struct wp_site *site, bool create, bool republish,
                 char *const *fields, cJSON **out, char *err, size_t errsize)
{
	*out = NULL;
	cJSON *product = cJSON_Parse(product_json);
	const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, PF_SKU));
	if (!cJSON_IsObject(product) || !sku) {
		snprintf(err, errsize, "the product's fields are not an object with a SKU");
		cJSON_Delete(product);
		return -1;
	}
	struct post_source s = {product, create, fields};
	static const char *const text_fields[][2] = {
		{"title", PF_NAME}, {"content", "description"}, {"excerpt", "short_description"}, {"slug", NULL},
		{"date", NULL},
	};
	cJSON *body = cJSON_CreateObject();
	for (size_t i = 0; i < ARRAY_LEN(text_fields); i++) {
		const char *v = value_of(&s, text_fields[i][0], text_fields[i][1]);
		if (v)
			cJSON_AddStringToObject(body, text_fields[i][0], v);
	}
	const char *status = republish ? site->status : value_of(&s, "status", NULL);
	if (!status && create)
		status = site->status;
	int rc = 0;
	if (status && !str_in(status, post_statuses)) {
		snprintf(err, errsize, "status '%s' is not one of publish, future, draft, pending, private", status);
		rc = -1;
	} else if (status) {
		cJSON_AddStringToObject(body, "status", status);
	}
	if (create && site->author > 0)
		cJSON_AddNumberToObject(body, "author", (double)site->author);
	if (rc == 0)
		rc = add_terms(&s, site, body, err, errsize);
	add_meta(&s, site, sku, body);
	cJSON_Delete(product);
	if (rc < 0)
		cJSON_Delete(body);
	else
		*out = body;
	return rc;
}

char *wp_sku_slug(const char *sku)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "sku-");
	for (const char *p = sku; *p; p++) {
		char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		bool kept = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
		if (kept)
			sb_addf(&sb, "%c", c);
		else if (sb_str(&sb)[sb.len - 1] != '-')
			sb_adds(&sb, "-");
	}
	while (sb.len > 3 && sb_str(&sb)[sb.len - 1] == '-')
		sb.len--;
	char *out = xstrndup(sb_str(&sb), sb.len);
	sb_free(&sb);
	return out;
}

/* ---- batches ---- */

int wp_batch_max(const cJSON *options_answer)
{
	const cJSON *endpoints = cJSON_GetObjectItemCaseSensitive(options_answer, "endpoints");
	const cJSON *ep;
	cJSON_ArrayForEach(ep, endpoints) {
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(ep, "args");
		const cJSON *requests = cJSON_GetObjectItemCaseSensitive(args, "requests");
		const cJSON *max = cJSON_GetObjectItemCaseSensitive(requests, "maxItems");
		if (cJSON_IsNumber(max) && max->valuedouble >= 1)
			return max->valuedouble > 1000 ? 1000 : (int)max->valuedouble;
	}
	return WP_DEFAULT_BATCH;
}

void wp_batch_add(cJSON *requests, const char *method, char *path, cJSON *body)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "method", method);
	cJSON_AddStringToObject(r, "path", path);
	free(path);
	if (body)
		cJSON_AddItemToObject(r, "body", body);
	cJSON_AddItemToArray(requests, r);
}

char *wp_batch_text(cJSON *requests)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "validation", "normal");
	cJSON_AddItemToObject(o, "requests", requests);
	char *printed = cJSON_PrintUnformatted(o);
	char *text = xstrdup(printed);
	cJSON_free(printed);
	cJSON_Delete(o);
	return text;
}

void wp_single_result(long status, const cJSON *body, struct wp_result *out)
{
	memset(out, 0, sizeof(*out));
	out->status = (int)status;
	out->body = body;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
	const cJSON *previous = cJSON_GetObjectItemCaseSensitive(body, "previous");
	if (!cJSON_IsNumber(id)) /* a post deleted for good answers {"deleted": true, "previous": {...}} */
		id = cJSON_GetObjectItemCaseSensitive(previous, "id");
	if (status >= 200 && status <= 299) {
		out->id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
		return;
	}
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "code"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "message"));
	str_copy(out->code, code ? code : "http_error", sizeof(out->code));
	if (message)
		str_copy(out->message, message, sizeof(out->message));
	else
		snprintf(out->message, sizeof(out->message), "HTTP %ld", status);
}

int wp_batch_results(const cJSON *answer, size_t n, struct wp_result *out)
{
	const cJSON *responses = cJSON_GetObjectItemCaseSensitive(answer, "responses");
	if (!cJSON_IsArray(responses))
		return -1;
	memset(out, 0, n * sizeof(*out));
	size_t i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, responses) {
		if (i == n)
			break;
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status");
		if (cJSON_IsNumber(status))
			wp_single_result((long)status->valuedouble, cJSON_GetObjectItemCaseSensitive(r, "body"), &out[i]);
		i++;
	}
	return 0;
}
