/* A stored run error told for people (see error_text.h). */
#include "tui/error_text.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* WooCommerce prefixes every code with this; the short line drops it to leave room for the message. */
#define WOO_CODE_PREFIX "woocommerce_rest_"

/* What the detail JSON says, by the keys the push writes; NULL / 0 when absent. */
struct detail {
	cJSON *json;
	long http_status, item_status;
	const char *code, *method, *path, *content_type, *excerpt;
};

/* The keys read into struct detail; every other key is shown as `key: value`. */
static const char *const known_keys[] = {
	"status", "http_status", "item_status", "code", "method", "path", "endpoint", "content_type", "excerpt",
};

static const char *member_text(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) && item->valuestring[0] ? item->valuestring : NULL;
}

static long member_number(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(item) ? (long)item->valuedouble : 0;
}

static void detail_read(const struct run_error_row *e, struct detail *d)
{
	memset(d, 0, sizeof(*d));
	d->json = e->detail ? cJSON_Parse(e->detail) : NULL;
	if (!cJSON_IsObject(d->json))
		return;
	d->http_status = member_number(d->json, "status");
	if (!d->http_status)
		d->http_status = member_number(d->json, "http_status");
	d->item_status = member_number(d->json, "item_status");
	d->code = member_text(d->json, "code");
	d->method = member_text(d->json, "method");
	d->path = member_text(d->json, "path");
	if (!d->path)
		d->path = member_text(d->json, "endpoint");
	d->content_type = member_text(d->json, "content_type");
	d->excerpt = member_text(d->json, "excerpt");
}

static const char *error_code(const struct run_error_row *e, const struct detail *d)
{
	return d->code ? d->code : e->code;
}

/*
 * "HTTP 401", "item 400", or both when the request itself did not succeed: a per-item refusal comes
 * inside an HTTP 200 answer, which says nothing worth the room.
 */
static void add_statuses(const struct detail *d, struct strbuf *out)
{
	const char *sep = "";
	if (d->http_status && (!d->item_status || d->http_status >= 300)) {
		sb_addf(out, "%sHTTP %ld", sep, d->http_status);
		sep = " ";
	}
	if (d->item_status)
		sb_addf(out, "%sitem %ld", sep, d->item_status);
}

void error_text_line(const struct run_error_row *e, struct strbuf *out)
{
	struct detail d;
	detail_read(e, &d);
	char at[32];
	format_time(e->at, at, sizeof(at));
	sb_addf(out, "%s ", at + 11);
	if (e->line)
		sb_addf(out, "line %lld ", (long long)e->line);
	if (e->sku[0])
		sb_addf(out, "sku %s ", e->sku);
	if (e->column[0])
		sb_addf(out, "%s ", e->column);
	size_t before = out->len;
	add_statuses(&d, out);
	if (out->len > before)
		sb_addc(out, ' ');
	const char *code = error_code(e, &d);
	if (strncmp(code, WOO_CODE_PREFIX, strlen(WOO_CODE_PREFIX)) == 0)
		code += strlen(WOO_CODE_PREFIX);
	sb_addf(out, "%s: %s", code, e->message ? e->message : "");
	cJSON_Delete(d.json);
}

/* "POST /wp-json/wc/v3/products/batch", or whichever half is known. */
static void add_request(const struct detail *d, struct strbuf *out)
{
	sb_addf(out, "%s%s%s", d->method ? d->method : "", d->method && d->path ? " " : "", d->path ? d->path : "");
}

static bool is_known_key(const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(known_keys); i++)
		if (str_eq(known_keys[i], key))
			return true;
	return false;
}

/* The detail keys nobody named: `key: value`, the value as JSON unless it is a string. */
static void add_other_keys(const struct detail *d, struct strbuf *out)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, d->json) {
		if (!item->string || is_known_key(item->string))
			continue;
		if (cJSON_IsString(item)) {
			sb_addf(out, "%s: %s\n", item->string, item->valuestring);
			continue;
		}
		char *value = cJSON_PrintUnformatted(item);
		sb_addf(out, "%s: %s\n", item->string, value ? value : "?");
		cJSON_free(value);
	}
}

void error_text_fields(const struct run_error_row *e, struct strbuf *out)
{
	struct detail d;
	detail_read(e, &d);
	sb_addf(out, "Code: %s\n", error_code(e, &d));
	if (e->sku[0])
		sb_addf(out, "SKU: %s\n", e->sku);
	if (e->line)
		sb_addf(out, "Line: %lld\n", (long long)e->line);
	if (e->column[0])
		sb_addf(out, "Column: %s\n", e->column);
	struct strbuf statuses = {0};
	add_statuses(&d, &statuses);
	if (statuses.len)
		sb_addf(out, "Status: %s\n", sb_str(&statuses));
	sb_free(&statuses);
	if (d.method || d.path) {
		sb_adds(out, "Method/Path: ");
		add_request(&d, out);
		sb_addc(out, '\n');
	}
	if (d.content_type)
		sb_addf(out, "Content-Type: %s\n", d.content_type);
	if (d.excerpt)
		sb_addf(out, "Excerpt: %s\n", d.excerpt);
	if (cJSON_IsObject(d.json))
		add_other_keys(&d, out);
	else if (e->detail)
		sb_addf(out, "Detail: %s\n", e->detail);   /* not JSON after all: shown as it is */
	sb_addf(out, "Message: %s\n", e->message ? e->message : "");
	cJSON_Delete(d.json);
}

void error_text_copy(int64_t run_id, const struct run_error_row *e, struct strbuf *out)
{
	struct detail d;
	detail_read(e, &d);
	struct strbuf raw = {0};
	sb_addf(&raw, "run %lld: %s", (long long)run_id, error_code(e, &d));
	if (e->sku[0])
		sb_addf(&raw, " sku %s", e->sku);
	if (e->line)
		sb_addf(&raw, " line %lld", (long long)e->line);
	if (e->column[0])
		sb_addf(&raw, " column %s", e->column);
	if (d.http_status)
		sb_addf(&raw, " HTTP %ld", d.http_status);
	if (d.item_status)
		sb_addf(&raw, " item %ld", d.item_status);
	if (d.method || d.path) {
		sb_addc(&raw, ' ');
		add_request(&d, &raw);
	}
	sb_addf(&raw, ": %s", e->message ? e->message : "");
	if (d.excerpt)
		sb_addf(&raw, " (response: %s)", d.excerpt);
	text_sanitize(sb_str(&raw), out, false);
	sb_free(&raw);
	cJSON_Delete(d.json);
}
