/* WooCommerce payloads, targets and answers, without I/O (see dest/woo_batch.h). */
#include "dest/woo_batch.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dest/oauth.h"
#include "feed/conn.h"

/* ---- reading JSON text without building a tree ---- */

struct scan {
	const char *p, *end;
};

static void skip_space(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool eat(struct scan *s, char c)
{
	skip_space(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* Past the quote that closes the string whose text starts at p; NULL when it does not close. memchr leaps
 * where a loop over each character crawls, even over the short strings of an answer. */
static const char *string_end(const char *p, const char *end)
{
	for (const char *q = p;; q++) {
		q = memchr(q, '"', (size_t)(end - q));
		if (!q)
			return NULL;
		size_t backslashes = 0;
		while (q - backslashes > p && q[-1 - (ptrdiff_t)backslashes] == '\\')
			backslashes++;
		if (backslashes % 2 == 0)
			return q + 1;
	}
}

/* At a '"': moves past the string; [*start, *start + *len) is its raw (still escaped) text. */
static bool scan_string(struct scan *s, const char **start, size_t *len)
{
	if (!eat(s, '"'))
		return false;
	const char *q = string_end(s->p, s->end);
	if (!q)
		return false;
	*start = s->p;
	*len = (size_t)(q - 1 - s->p);
	s->p = q;
	return true;
}

static bool ends_scalar(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Any value: a string, a scalar up to the next delimiter, or an object or array by depth. Local pointers
 * keep the loop in registers: through s, every char read could have changed them. */
static bool skip_value(struct scan *s)
{
	skip_space(s);
	const char *p = s->p, *end = s->end;
	if (p >= end)
		return false;
	if (*p == '"') {
		const char *q = string_end(p + 1, end);
		if (q)
			s->p = q;
		return q != NULL;
	}
	if (*p != '{' && *p != '[') {
		while (p < end && !ends_scalar(*p))
			p++;
		bool any = p > s->p;
		s->p = p;
		return any;
	}
	int depth = 0;
	while (p < end) {
		char c = *p++;
		if (c == '"') {
			if (!(p = string_end(p, end)))
				return false;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			s->p = p;
			return true;
		}
	}
	return false;
}

enum field_kind { FIELD_TEXT, FIELD_PRICE, FIELD_INT, FIELD_STOCK, FIELD_BOOL, FIELD_IMAGES, FIELD_TERMS };

/* WooCommerce product fields feedsync can send; any other field becomes a meta_data entry. Sorted by name. */
static const struct {
	const char *name;
	enum field_kind kind;
} known_fields[] = {
	{"backorders", FIELD_TEXT},        {"button_text", FIELD_TEXT},      {"catalog_visibility", FIELD_TEXT},
	{"categories", FIELD_TERMS}   ,  {"date_on_sale_from", FIELD_TEXT}, {"date_on_sale_to", FIELD_TEXT},
	{"description", FIELD_TEXT},       {"downloadable", FIELD_BOOL},     {"external_url", FIELD_TEXT},
	{"featured", FIELD_BOOL},          {"images", FIELD_IMAGES},         {"low_stock_amount", FIELD_INT},
	{"manage_stock", FIELD_BOOL},      {"menu_order", FIELD_INT},        {"name", FIELD_TEXT},
	{"purchase_note", FIELD_TEXT},     {"regular_price", FIELD_PRICE},   {"reviews_allowed", FIELD_BOOL},
	{"sale_price", FIELD_PRICE},       {"shipping_class", FIELD_TEXT},   {"short_description", FIELD_TEXT},
	{"sku", FIELD_TEXT},               {"slug", FIELD_TEXT},             {"sold_individually", FIELD_BOOL},
	{"status", FIELD_TEXT},            {"stock_quantity", FIELD_STOCK},  {"stock_status", FIELD_TEXT},
	{"tags", FIELD_TERMS},             {"tax_class", FIELD_TEXT},        {"tax_status", FIELD_TEXT},
	{"type", FIELD_TEXT},              {"virtual", FIELD_BOOL},          {"weight", FIELD_TEXT},
};

static int field_kind(const char *name)
{
	size_t lo = 0, hi = ARRAY_LEN(known_fields);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, known_fields[mid].name);
		if (c == 0)
			return (int)known_fields[mid].kind;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static bool is_price(const char *v)
{
	if (!*v)
		return true; /* empty clears the price */
	const char *p = v;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == v)
		return false;
	if (*p == '.') {
		const char *frac = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == frac)
			return false;
	}
	return *p == '\0';
}

static int bool_value(const char *v)
{
	static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no", ""};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < ARRAY_LEN(no); i++)
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

/* "a|b, c" -> each trimmed piece, to fn. */
static void each_piece(const char *v, void (*fn)(struct strbuf *sb, const char *piece, size_t len, bool *first),
                       struct strbuf *sb)
{
	bool first = true;
	while (*v) {
		size_t len = strcspn(v, "|,");
		const char *start = v;
		size_t n = len;
		while (n && isspace((unsigned char)*start))
			start++, n--;
		while (n && isspace((unsigned char)start[n - 1]))
			n--;
		if (n)
			fn(sb, start, n, &first);
		v += len + (v[len] != '\0');
	}
}

static void add_image(struct strbuf *sb, const char *piece, size_t len, bool *first)
{
	char *url = xstrndup(piece, len);
	sb_adds(sb, *first ? "{\"src\":" : ",{\"src\":");
	sb_add_json_string(sb, url);
	sb_addc(sb, '}');
	free(url);
	*first = false;
}

static void add_name(struct strbuf *sb, const char *name)
{
	sb_add_json_string(sb, name);
	sb_addc(sb, ':');
}

/* Categories and tags go by id (WooCommerce ignores one given by name): "12,15" as dest/woo_terms.h resolves them. */
static int add_terms(struct strbuf *sb, const char *name, const char *v, char *err, size_t errsize)
{
	add_name(sb, name);
	sb_addc(sb, '[');
	for (const char *p = v; *p;) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p || id <= 0 || (*end && *end != ',')) {
			snprintf(err, errsize, "%s '%s' are not ids of the shop's %s", name, v, name);
			return -1;
		}
		sb_addf(sb, "%s{\"id\":%lld}", p == v ? "" : ",", id);
		p = *end ? end + 1 : end;
	}
	sb_addc(sb, ']');
	return 0;
}

/* An empty number is left out: WooCommerce would read it as 0. No terms are left out too: an empty list would
 * take the shop's own off the product. */
static bool sends_nothing(int kind, const char *v)
{
	return (kind == FIELD_INT || kind == FIELD_STOCK || kind == FIELD_TERMS) && !*v;
}

static int add_field(struct strbuf *sb, const char *name, const char *v, int kind, char *err, size_t errsize)
{
	int64_t n;
	int b;
	switch (kind) {
	case FIELD_PRICE:
	case FIELD_TEXT:
		if (kind == FIELD_PRICE && !is_price(v)) {
			snprintf(err, errsize, "%s '%s' is not a price like 19.99 (WooCommerce would silently empty it)",
			         name, v);
			return -1;
		}
		add_name(sb, name);
		sb_add_json_string(sb, v);
		return 0;
	case FIELD_INT:
	case FIELD_STOCK:
		if (!parse_int64(v, &n)) {
			snprintf(err, errsize, "%s '%s' is not a whole number", name, v);
			return -1;
		}
		add_name(sb, name);
		sb_addf(sb, "%lld", (long long)n);
		if (kind == FIELD_STOCK)
			sb_adds(sb, ",\"manage_stock\":true");
		return 0;
	case FIELD_BOOL:
		if ((b = bool_value(v)) < 0) {
			snprintf(err, errsize, "%s '%s' is not true or false", name, v);
			return -1;
		}
		add_name(sb, name);
		sb_adds(sb, b ? "true" : "false");
		return 0;
	case FIELD_IMAGES:
		sb_adds(sb, "\"images\":[");
		each_piece(v, add_image, sb);
		sb_addc(sb, ']');
		return 0;
	case FIELD_TERMS:
		return add_terms(sb, name, v, err, errsize);
	}
	return 0;
}

static bool wanted(const char *name, int64_t id, char *const *fields)
{
	return !id || update_sends(fields, name);
}

/* The stored product's members in order, each unescaped into name and value. */
struct members {
	struct scan s;
	bool started;
	struct strbuf name, value;
	bool text;                   /* the value is a string (others are not sent) */
};

/* The JSON string [raw, raw + len) unescaped into buf; cJSON decodes the rare ones holding escapes. */
static const char *unescape(const char *raw, size_t len, struct strbuf *buf)
{
	sb_reset(buf);
	if (!memchr(raw, '\\', len)) {
		sb_add(buf, raw, len);
		return sb_str(buf);
	}
	cJSON *text = cJSON_ParseWithLength(raw - 1, len + 2); /* with its quotes */
	sb_adds(buf, cJSON_IsString(text) ? text->valuestring : "");
	cJSON_Delete(text);
	return sb_str(buf);
}

/* 1 with the next member read, 0 after the last, -1 when the text is not a JSON object. */
static int members_next(struct members *m)
{
	if (!m->started) {
		m->started = true;
		if (!eat(&m->s, '{'))
			return -1;
		if (eat(&m->s, '}'))
			return 0;
	} else if (!eat(&m->s, ',')) {
		return eat(&m->s, '}') ? 0 : -1;
	}
	const char *name, *value = NULL;
	size_t name_len, value_len = 0;
	if (!scan_string(&m->s, &name, &name_len) || !eat(&m->s, ':'))
		return -1;
	skip_space(&m->s);
	m->text = m->s.p < m->s.end && *m->s.p == '"';
	if (m->text ? !scan_string(&m->s, &value, &value_len) : !skip_value(&m->s))
		return -1;
	unescape(name, name_len, &m->name);
	if (m->text)
		unescape(value, value_len, &m->value);
	return 1;
}

/* A field WooCommerce does not know travels as a meta_data entry. */
static void add_meta(struct strbuf *meta, const char *name, const char *v)
{
	sb_adds(meta, meta->len ? ",{\"key\":" : "{\"key\":");
	sb_add_json_string(meta, name);
	sb_adds(meta, ",\"value\":");
	sb_add_json_string(meta, v);
	sb_addc(meta, '}');
}

/* The members of the object opened at out[start], written straight from the stored text in one pass and
 * without a tree: this runs for every product pushed. 0, -1 (not an object), -2 (a value WooCommerce would
 * mangle; err says which). */
static int add_fields(struct members *m, int64_t id, char *const *fields, struct strbuf *out, size_t start,
                      struct strbuf *meta, char *err, size_t errsize)
{
	bool has_type = false;
	int rc, kind;
	while ((rc = members_next(m)) > 0) {
		const char *name = sb_str(&m->name), *v = sb_str(&m->value);
		if (!m->text || !wanted(name, id, fields))
			continue;
		if ((kind = field_kind(name)) < 0) {
			add_meta(meta, name, v);
			continue;
		}
		if (sends_nothing(kind, v))
			continue;
		has_type |= strcmp(name, "type") == 0;
		if (out->len > start)
			sb_addc(out, ',');
		if (add_field(out, name, v, kind, err, errsize) < 0)
			return -2;
	}
	if (rc < 0)
		return -1;
	if (!id && !has_type)
		sb_adds(out, out->len > start ? ",\"type\":\"simple\"" : "\"type\":\"simple\"");
	if (meta->len) {
		sb_adds(out, out->len > start ? ",\"meta_data\":[" : "\"meta_data\":[");
		sb_add(out, meta->buf, meta->len);
		sb_addc(out, ']');
	}
	return 0;
}

int woo_item_payload(const char *product_json, int64_t id, char *const *fields, struct strbuf *out, char *err,
                     size_t errsize)
{
	size_t start = out->len;
	struct members m = {.s = {product_json, product_json + strlen(product_json)}};
	struct strbuf meta = {0};
	sb_addc(out, '{');
	if (id)
		sb_addf(out, "\"id\":%lld", (long long)id);
	int rc = add_fields(&m, id, fields, out, start + 1, &meta, err, errsize);
	if (rc == -1)
		snprintf(err, errsize, "the stored product is not a JSON object");
	if (rc == 0) {
		sb_addc(out, '}');
	} else {
		out->len = start;
		out->buf[start] = '\0';
	}
	sb_free(&m.name);
	sb_free(&m.value);
	sb_free(&meta);
	return rc == 0 ? 0 : -1;
}

bool woo_sku_searchable(const char *sku)
{
	size_t len = strlen(sku);
	return len > 0 && !strchr(sku, ',') && !isspace((unsigned char)sku[0]) && !isspace((unsigned char)sku[len - 1]);
}

char *woo_lookup_target(const char *const *skus, size_t n, int page)
{
	struct strbuf sb = {0};
	sb_adds(&sb, WOO_API "/products?sku=");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(&sb, "%2C");
		url_encode(&sb, skus[i], strlen(skus[i]));
	}
	/* _fields (WordPress 4.9.8+; older ones ignore it) cuts each product from about 2 KB to what is read. */
	sb_addf(&sb, "&per_page=%d&page=%d&_fields=id,sku,parent_id", WOO_MAX_PER_PAGE, page);
	return sb_detach(&sb);
}

char *woo_batch_target(int64_t parent_id)
{
	if (parent_id)
		return xasprintf(WOO_API "/products/%lld/variations/batch", (long long)parent_id);
	return xstrdup(WOO_API "/products/batch");
}

enum woo_verdict woo_verdict(const struct http_request *r, size_t items)
{
	switch (r->outcome) {
	case HTTP_CANCELLED:
		return WOO_DROPPED;
	case HTTP_CIRCUIT_OPEN:
		return WOO_UNAVAILABLE;
	case HTTP_TLS:
		return WOO_TLS;
	case HTTP_TIMED_OUT:
		return items > 1 ? WOO_SPLIT : WOO_FAIL_ALL;
	case HTTP_DONE:
		break;
	default:
		return WOO_FAIL_ALL;
	}
	if (r->status >= 200 && r->status <= 299)
		return WOO_ITEMS;
	if (r->status == 401 || r->status == 403)
		return WOO_AUTH;
	if (r->status == 413 && items > 1)
		return WOO_HALVE;
	if (r->status == 504 && items > 1)
		return WOO_SPLIT;
	return WOO_FAIL_ALL;
}

size_t woo_split_point(size_t n)
{
	return (n + 1) / 2;
}

void woo_unescape_html(const char *text, struct strbuf *out)
{
	static const struct {
		const char *entity;
		char c;
	} entities[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#039;", '\''}, {"&#39;", '\''}, {"&amp;", '&'}};
	while (*text) {
		size_t i = 0;
		if (*text == '&')
			while (i < ARRAY_LEN(entities) && !str_starts_with(text, entities[i].entity))
				i++;
		if (*text == '&' && i < ARRAY_LEN(entities)) {
			sb_addc(out, entities[i].c);
			text += strlen(entities[i].entity);
		} else {
			sb_addc(out, *text++);
		}
	}
}

/* WooCommerce escapes some messages as HTML ("/products/&lt;product_id&gt;/..."). */
static void copy_message(char *out, size_t size, const char *text)
{
	struct strbuf plain = {0};
	woo_unescape_html(text, &plain);
	str_copy(out, sb_str(&plain), size);
	sb_free(&plain);
}

static bool read_error(const cJSON *obj, struct woo_error *out)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
	const cJSON *message = cJSON_GetObjectItemCaseSensitive(obj, "message");
	if (!cJSON_IsString(code) || !cJSON_IsString(message))
		return false;
	str_copy(out->code, code->valuestring, sizeof(out->code));
	copy_message(out->message, sizeof(out->message), message->valuestring);
	return true;
}

void woo_answer_error(const struct http_request *r, struct woo_error *out)
{
	static const char *const codes[] = {
		[HTTP_DONE] = NULL, [HTTP_TIMED_OUT] = "timeout", [HTTP_NETWORK] = "network_error",
		[HTTP_TLS] = "tls_error", [HTTP_BAD_RESPONSE] = "bad_response", [HTTP_TOO_LARGE] = "response_too_large",
		[HTTP_CIRCUIT_OPEN] = "circuit_open", [HTTP_CANCELLED] = "not_sent",
	};
	if (r->outcome == HTTP_DONE && read_error(r->json, out))
		return;
	char text[300];
	if (r->outcome == HTTP_DONE) {
		snprintf(out->code, sizeof(out->code), "http_%ld", r->status);
		const char *body = sb_str(&r->response);
		body += strspn(body, " \t\r\n");
		snprintf(out->message, sizeof(out->message), "the shop answered HTTP %ld%s", r->status,
		         *body == '<' ? " with an HTML error page" : "");
	} else {
		str_copy(out->code, codes[r->outcome], sizeof(out->code));
		str_copy(out->message, http_outcome_text(r, text, sizeof(text)), sizeof(out->message));
	}
	if (r->attempts > 1) {
		size_t len = strlen(out->message);
		snprintf(out->message + len, sizeof(out->message) - len, " (after %d attempts)", r->attempts);
	}
}

/* ---- what a failure keeps ---- */

char *woo_failure_detail(const struct http_request *r, const struct woo_failure *f)
{
	cJSON *d = answer_detail(&(struct answer){.method = r->method, .target = r->target, .status = r->status,
	                                          .content_type = r->content_type, .body = r->response.buf,
	                                          .len = r->response.len, .excerpt = f->excerpt, .secrets = f->secrets});
	if (f->code && *f->code)
		cJSON_AddStringToObject(d, "code", f->code);
	if (f->message && *f->message)
		cJSON_AddStringToObject(d, "message", f->message);
	if (f->item_status)
		cJSON_AddNumberToObject(d, "item_status", f->item_status);
	if (f->action)
		cJSON_AddStringToObject(d, "action", f->action);
	if (f->remote_id)
		cJSON_AddNumberToObject(d, "remote_id", (double)f->remote_id);
	if (r->attempts > 1)
		cJSON_AddNumberToObject(d, "attempts", r->attempts);
	return answer_detail_text(d);
}

static int64_t int_member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* ---- reading batch answers ---- */

static bool key_is(const char *key, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(key, want, len) == 0;
}

static int64_t scan_int(struct scan *s)
{
	skip_space(s);
	char *end;
	double v = strtod(s->p, &end);
	return end > s->p && end <= s->end ? (int64_t)v : 0;
}

/* One item: id, parent_id and error matter; the rest of the product is skipped. */
static bool scan_item(struct scan *s, struct woo_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!eat(s, '{')) {
		str_copy(out->error.code, "bad_result", sizeof(out->error.code));
		str_copy(out->error.message, "the shop's answer for this item is not an object", sizeof(out->error.message));
		return skip_value(s);
	}
	bool error = false;
	if (eat(s, '}'))
		goto done;
	do {
		const char *key, *value;
		size_t len;
		if (!scan_string(s, &key, &len) || !eat(s, ':'))
			return false;
		skip_space(s);
		value = s->p;
		if (key_is(key, len, "id"))
			out->id = scan_int(s);
		else if (key_is(key, len, "parent_id"))
			out->parent_id = scan_int(s);
		if (!skip_value(s))
			return false;
		if (key_is(key, len, "error")) {
			cJSON *e = cJSON_ParseWithLength(value, (size_t)(s->p - value));
			error = true;
			if (!read_error(e, &out->error))
				str_copy(out->error.code, "item_error", sizeof(out->error.code));
			const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "data");
			out->item_status = (int)int_member(data, "status");
			out->resource_id = int_member(data, "resource_id");
			cJSON_Delete(e);
		}
	} while (eat(s, ','));
	if (!eat(s, '}'))
		return false;
done:
	out->ok = !error && out->id > 0;
	if (!error && !out->ok) {
		str_copy(out->error.code, "no_id", sizeof(out->error.code));
		str_copy(out->error.message, "the shop's answer has no id for this item", sizeof(out->error.message));
	}
	return true;
}

static bool scan_list(struct scan *s, size_t first, size_t count, struct woo_result *out, bool *found)
{
	if (!eat(s, '['))
		return skip_value(s);
	if (eat(s, ']'))
		return true;
	size_t i = 0;
	do {
		struct woo_result item;
		if (!scan_item(s, &item))
			return false;
		if (i < count) {
			out[first + i] = item;
			found[first + i] = true;
		}
		i++;
	} while (eat(s, ','));
	return eat(s, ']');
}

int woo_batch_results(const char *json, size_t len, size_t ncreate, size_t nupdate, size_t n, struct woo_result *out,
                      bool *found)
{
	memset(found, 0, n * sizeof(*found));
	struct scan s = {json, json + len};
	if (!eat(&s, '{'))
		return -1;
	if (eat(&s, '}'))
		return 0;
	do {
		const char *key;
		size_t klen;
		if (!scan_string(&s, &key, &klen) || !eat(&s, ':'))
			return -1;
		bool ok;
		if (key_is(key, klen, "create"))
			ok = scan_list(&s, 0, ncreate, out, found);
		else if (key_is(key, klen, "update"))
			ok = scan_list(&s, ncreate, nupdate, out, found);
		else if (key_is(key, klen, "delete"))
			ok = scan_list(&s, ncreate + nupdate, n - ncreate - nupdate, out, found);
		else
			ok = skip_value(&s);
		if (!ok)
			return -1;
	} while (eat(&s, ','));
	if (!eat(&s, '}'))
		return -1;
	skip_space(&s);
	return s.p == s.end ? 0 : -1;
}

bool woo_list_item(const cJSON *answer, size_t i, struct woo_found *out)
{
	const cJSON *item = cJSON_IsArray(answer) ? cJSON_GetArrayItem(answer, (int)i) : NULL;
	if (!cJSON_IsObject(item))
		return false;
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(item, "sku");
	out->sku = cJSON_IsString(sku) ? sku->valuestring : "";
	out->id = int_member(item, "id");
	out->parent_id = int_member(item, "parent_id");
	return true;
}
