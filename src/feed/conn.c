#include "feed/conn.h"

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "feed/group_spec.h"
#include "feed/jsoncheck.h"
#include "feed/preset.h"

#define NAME_MAX_CHARS 100
#define WINMENTOR_ENCODING "windows-1250"

static const char *const top_keys[] = {"name", "active", "preset", "source", "filters", "mapping", "group",
                                       "rules", "update", "schedule", "destination", NULL};
static const char *const source_keys[] = {"type", "url", "delimiter", "enclosure", "encoding", "header",
                                          "item_path", "aliases", "required", "auth", "destination", "status",
                                          "format", "decimal_separator", "currency", NULL};
/* password and token are known so they get their own message instead of "unknown key". */
static const char *const auth_keys[] = {"username", "password_env", "token_env", "password", "token", NULL};
static const char *const update_keys[] = {"fields", "create_missing", "missing_action", "missing_after_days",
                                          "missing_after_runs", NULL};
static const char *const destination_keys[] = {"type", "path", "format", "id", "name", NULL};
static const char *const shop_ref_keys[] = {"id", "name", NULL};
/* The product statuses WooCommerce 7.9 lists by (the enum of the products collection's status parameter). */
static const char *const shop_statuses[] = {"any", "publish", "draft", "pending", "private", "future", "trash",
                                            NULL};
/* A Shopify product's status (docs/api/admin-graphql/2025-10/enums/ProductStatus), lower-cased as the variants
 * query's product_status filter takes it. */
static const char *const shopify_statuses[] = {"any", "active", "draft", "archived", NULL};

static const struct {
	const char *type;
	const char *format;
} source_types[] = {{"csv", "csv"}, {"json", "json"}, {"xml", "xml"}, {"winmentor", "csv"},
                     {"woocommerce", "json"}, /* a shop is pulled into a JSON document (dest/woo_pull.h) */
                     {"shopify", "json"}};    /* ... and so is a Shopify shop (dest/shopify_pull.h) */

static const char *const missing_actions[] = {
	[MISSING_NONE] = "none", [MISSING_STOCK_ZERO] = "stock_zero", [MISSING_DRAFT] = "draft",
	[MISSING_DELETE] = "delete",
};

/* ---- helpers ---------------------------------------------------------------------------------------- */

/* Sets obj[key] to value unless the document already has a non-null value there. Takes value. */
static void fill_default(cJSON *obj, const char *key, cJSON *value)
{
	cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!old)
		cJSON_AddItemToObject(obj, key, value);
	else if (cJSON_IsNull(old))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_Delete(value);
}

static bool has_key(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return item && !cJSON_IsNull(item);
}

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return true;
	return false;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static char **strv_push(char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 2) * sizeof(*v));
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return v;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* ---- syntax ----------------------------------------------------------------------------------------- */

static cJSON *parse_document(const char *text, struct problems *pr)
{
	if (!text || !text[strspn(text, " \t\r\n")]) {
		problems_add(pr, NULL, "the document is empty (a connection is a JSON object)");
		return NULL;
	}
	if (str_starts_with(text, "\xEF\xBB\xBF"))
		text += 3; /* a byte order mark, as Windows editors write */
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithOpts(text, &end, true);
	if (!doc)
		json_syntax_problem(text, end ? end : text, NULL, pr);
	return doc;
}

/* ---- name, active, schedule ------------------------------------------------------------------------- */

static void parse_name(struct conn_config *c, struct problems *pr)
{
	const char *raw = json_required_string(c->doc, "name", "1 to 100 characters", "", pr);
	if (!raw)
		return;
	char *copy = xstrdup(raw);
	char *name = str_trim(copy);
	if (!*name)
		problems_add(pr, "name", "is blank (1 to 100 characters)");
	else if (!utf8_valid(name, strlen(name)))
		problems_add(pr, "name", "is not valid UTF-8");
	else if (has_control_chars(name))
		problems_add(pr, "name", "contains control characters (tabs or line breaks)");
	else if (utf8_chars(name) > NAME_MAX_CHARS)
		problems_add(pr, "name", "is %zu characters long; at most %d", utf8_chars(name), NAME_MAX_CHARS);
	c->name = xstrdup(name);
	cJSON_ReplaceItemInObjectCaseSensitive(c->doc, "name", cJSON_CreateString(name));
	free(copy);
}

static void parse_active(struct conn_config *c, struct problems *pr)
{
	const cJSON *active = json_member(c->doc, "active", JSON_BOOL, "", pr);
	c->active = !active || cJSON_IsTrue(active);
	fill_default(c->doc, "active", cJSON_CreateBool(c->active));
}

static void parse_schedule(struct conn_config *c, struct problems *pr)
{
	const cJSON *item = json_member(c->doc, "schedule", cJSON_String, "", pr);
	const char *text = item ? item->valuestring : "manual";
	char err[512];
	if (schedule_parse(text, &c->schedule, err, sizeof(err)) < 0)
		problems_add(pr, "schedule", "%s", err);
	c->schedule_text = xstrdup(text);
	fill_default(c->doc, "schedule", cJSON_CreateString(text));
}

/* Only its spelling: which presets exist is the saving process's to say (feed/preset.h). */
static void parse_preset(struct conn_config *c, struct problems *pr)
{
	const cJSON *item = json_member(c->doc, "preset", cJSON_String, "", pr);
	char name[PRESET_NAME_MAX + 1];
	int version;
	if (!item)
		return;
	if (!preset_ref_parse(item->valuestring, name, sizeof(name), &version))
		problems_add(pr, "preset", "'%s' is not a preset like \"hotel\" (the latest version) or \"hotel@2\" "
		             "(see 'feedsync presets list')", item->valuestring);
	else
		c->preset = xstrdup(item->valuestring);
}

/* ---- shops ------------------------------------------------------------------------------------------ */

/*
 * A shop or site added with `feedsync dest add`, by "id" or by "name" of obj (at JSON path `where`), for `role`
 * ("woocommerce source", "wordpress destination"). True with *id or *name set; false when it is a problem.
 */
static bool parse_shop_ref(const cJSON *obj, const char *where, const char *role, int64_t *id_out, char **name_out,
                           struct problems *pr)
{
	char path[64];
	const cJSON *id = json_member(obj, "id", cJSON_Number, where, pr);
	const cJSON *name = json_member(obj, "name", cJSON_String, where, pr);
	if (id && (id->valuedouble < 1 || id->valuedouble > 1e15 || id->valuedouble != (double)(int64_t)id->valuedouble))
		problems_add(pr, json_path(path, sizeof(path), where, "id"),
		             "must be a destination id like 3 (see 'feedsync dest list')");
	else if (id && name)
		problems_add(pr, where, "give the destination's id or its name, not both");
	else if (name && !*name->valuestring)
		problems_add(pr, json_path(path, sizeof(path), where, "name"), "is empty");
	else if (!id && !name && !has_key(obj, "id") && !has_key(obj, "name"))
		problems_add(pr, where, "a %s needs \"id\" or \"name\" of a destination "
		             "added with 'feedsync dest add'", role);
	else if (id || name) {
		*id_out = id ? (int64_t)id->valuedouble : 0;
		*name_out = name ? xstrdup(name->valuestring) : NULL;
		return true;
	}
	return false;
}

/* ---- source ----------------------------------------------------------------------------------------- */

static bool is_scheme(const char *s, size_t len)
{
	if (!len || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("+.-", s[i]))
			return false;
	return true;
}

static void check_url(const char *url, struct problems *pr)
{
	const char *sep = strstr(url, "://");
	if (!sep || !is_scheme(url, (size_t)(sep - url))) {
		if (has_control_chars(url))
			problems_add(pr, "source.url", "contains control characters");
		return; /* a file path */
	}
	size_t slen = (size_t)(sep - url);
	bool web = (slen == 4 && strncasecmp(url, "http", 4) == 0) || (slen == 5 && strncasecmp(url, "https", 5) == 0);
	bool file = slen == 4 && strncasecmp(url, "file", 4) == 0;
	if (!web && !file) {
		problems_add(pr, "source.url", "unsupported scheme '%.*s' (use http://, https://, file:// or a file path)",
		             (int)slen, url);
		return;
	}
	const char *host = sep + 3;
	size_t host_len = strcspn(host, "/?#");
	if (memchr(host, '@', host_len)) {
		problems_add(pr, "source.url", "has a user name or password in it; put the user name in "
		             "source.auth.username and the password in an environment variable named by "
		             "source.auth.password_env (or a token in source.auth.token_env)");
		return;
	}
	if (web && !host_len)
		problems_add(pr, "source.url", "has no host name (like https://example.com/feed.csv)");
	else if (web && (strpbrk(url, " ") || has_control_chars(url)))
		problems_add(pr, "source.url", "contains spaces or control characters; percent-encode them (%%20)");
	else if (file && ((host_len && strncasecmp(host, "localhost", host_len) != 0) || !host[host_len] ||
	                  !host[host_len + 1]))
		problems_add(pr, "source.url", "file URLs need an absolute path, like file:///srv/feeds/acme.csv");
}

/* Which options a source type has; an unknown type (already a problem) gets no more complaints. */
struct source_kind {
	bool csv_only_ok;     /* delimiter, enclosure, header */
	bool items_ok;        /* item_path */
	bool winmentor;
};

/* A one-character CSV option (delimiter, enclosure), defaulting to 0 (the reader's default). */
static char parse_char_option(const cJSON *src, const char *key, bool allowed, struct problems *pr)
{
	char where[64];
	const cJSON *item = json_member(src, key, cJSON_String, "source", pr);
	if (!item)
		return 0;
	json_path(where, sizeof(where), "source", key);
	const char *v = item->valuestring;
	if (!allowed)
		problems_add(pr, where, "only csv and winmentor sources have one");
	else if (strlen(v) != 1 || (unsigned char)v[0] >= 0x80 || v[0] == '\n' || v[0] == '\r')
		problems_add(pr, where, "must be one character, like \";\" or \"\\t\"");
	else
		return v[0];
	return 0;
}

static void parse_csv_options(struct conn_config *c, cJSON *src, struct source_kind kind, struct problems *pr)
{
	if (kind.winmentor)
		fill_default(src, "delimiter", cJSON_CreateString(";"));
	c->source.delimiter = parse_char_option(src, "delimiter", kind.csv_only_ok, pr);
	c->source.enclosure = parse_char_option(src, "enclosure", kind.csv_only_ok, pr);
	if (c->source.delimiter && c->source.delimiter == c->source.enclosure)
		problems_add(pr, "source.enclosure", "is the same character as the delimiter");
	const cJSON *header = json_member(src, "header", JSON_BOOL, "source", pr);
	if (header && !kind.csv_only_ok)
		problems_add(pr, "source.header", "only csv and winmentor sources have one");
	c->source.no_header = header && cJSON_IsFalse(header);

	const cJSON *item_path = json_member(src, "item_path", cJSON_String, "source", pr);
	if (item_path && !kind.items_ok)
		problems_add(pr, "source.item_path", "only json and xml sources have one");
	else if (item_path && !*item_path->valuestring)
		problems_add(pr, "source.item_path", "is empty (leave it out to find the items by themselves)");
	else if (item_path)
		c->source.item_path = item_path->valuestring;
}

/*
 * A json source's layout: "format": "ndjson" reads one object per line (without it the file name or the
 * first bytes decide). Lists (JSON arrays, a shop's categories) join with the category delimiter, so a list
 * of categories reads as one path of the mapping's kind.
 */
static void parse_json_layout(struct conn_config *c, const cJSON *src, bool json, struct problems *pr)
{
	const cJSON *format = json_member(src, "format", cJSON_String, "source", pr);
	if (format && !json)
		problems_add(pr, "source.format", "only json sources have one (\"ndjson\": one object per line)");
	else if (format && strcmp(format->valuestring, "ndjson") != 0)
		problems_add(pr, "source.format", "must be \"ndjson\" (one JSON object per line), not '%s'; without it "
		             "a .jsonl or .ndjson file name or the first bytes decide", format->valuestring);
	else if (format && c->source.item_path)
		problems_add(pr, "source.item_path", "an ndjson feed has none: each line is an item");
	else if (format)
		c->source.format = "ndjson";
	const cJSON *categories = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->doc, "mapping"),
	                                                           "categories");
	const cJSON *delimiter = cJSON_GetObjectItemCaseSensitive(categories, "delimiter");
	if (cJSON_IsString(delimiter) && *delimiter->valuestring)
		c->source.list_join = delimiter->valuestring;
}

static void parse_encoding(struct conn_config *c, cJSON *src, bool winmentor, struct problems *pr)
{
	if (winmentor)
		fill_default(src, "encoding", cJSON_CreateString(WINMENTOR_ENCODING));
	const cJSON *enc = json_member(src, "encoding", cJSON_String, "source", pr);
	if (!enc)
		return;
	iconv_t cd = iconv_open("UTF-8", enc->valuestring);
	if (cd == (iconv_t)-1) {
		problems_add(pr, "source.encoding", "unknown encoding '%s' (for example utf-8, windows-1250, iso-8859-2)",
		             enc->valuestring);
		return;
	}
	iconv_close(cd);
	c->source.encoding = enc->valuestring;
	/* The stored document holds the default, so a declared windows-1250 reads the same as the default. */
	c->source.encoding_is_default = winmentor && strcasecmp(enc->valuestring, WINMENTOR_ENCODING) == 0;
}

static void parse_aliases(struct conn_config *c, const cJSON *src, struct problems *pr)
{
	const cJSON *aliases = json_member(src, "aliases", cJSON_Object, "source", pr);
	size_t n = 0;
	const char **pairs = xcalloc(2 * (size_t)cJSON_GetArraySize(aliases) + 1, sizeof(*pairs));
	char where[256];
	for (const cJSON *it = aliases ? aliases->child : NULL; it; it = it->next) {
		json_path(where, sizeof(where), "source.aliases", it->string);
		if (!*it->string)
			problems_add(pr, "source.aliases", "a feed column name is empty");
		else if (!cJSON_IsString(it) || !*it->valuestring)
			problems_add(pr, where, "must be a column name like \"sku\", not %s",
			             cJSON_IsString(it) ? "an empty string" : json_kind(it));
		else {
			pairs[n++] = it->string;
			pairs[n++] = it->valuestring;
		}
	}
	c->aliases = alias_table_new(pairs);
	free(pairs);
}

static void parse_required(struct conn_config *c, cJSON *src, bool winmentor, struct problems *pr)
{
	if (winmentor) {
		static const char *const winmentor_required[] = {COL_SKU, COL_PRICE, COL_QUANTITY};
		fill_default(src, "required", cJSON_CreateStringArray(winmentor_required, 3));
	}
	const cJSON *required = json_member(src, "required", cJSON_Array, "source", pr);
	size_t n = 0, i = 0;
	char where[64], canonical[256];
	c->required = strv_push(NULL, &n, COL_SKU);
	for (const cJSON *it = required ? required->child : NULL; it; it = it->next, i++) {
		json_path_at(where, sizeof(where), "source.required", i);
		if (!cJSON_IsString(it) || !*it->valuestring) {
			problems_add(pr, where, "must be a column name like \"price\", not %s",
			             cJSON_IsString(it) ? "an empty string" : json_kind(it));
			continue;
		}
		normalize_column(c->aliases, it->valuestring, canonical, sizeof(canonical));
		if (!strv_has(c->required, canonical))
			c->required = strv_push(c->required, &n, canonical);
	}
}

static bool is_env_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static char *env_name(const cJSON *auth, const char *key, struct problems *pr)
{
	char where[64];
	const cJSON *item = json_member(auth, key, cJSON_String, "source.auth", pr);
	if (!item)
		return NULL;
	if (!is_env_name(item->valuestring)) {
		problems_add(pr, json_path(where, sizeof(where), "source.auth", key),
		             "'%s' is not an environment variable name (letters, digits and _, like FEED_PASSWORD)",
		             item->valuestring);
		return NULL;
	}
	return xstrdup(item->valuestring);
}

static void parse_auth(struct conn_config *c, const cJSON *src, struct problems *pr)
{
	const cJSON *auth = json_member(src, "auth", cJSON_Object, "source", pr);
	if (!auth)
		return;
	json_check_keys(auth, auth_keys, "source.auth", pr);
	if (has_key(auth, "password") || has_key(auth, "token"))
		problems_add(pr, has_key(auth, "password") ? "source.auth.password" : "source.auth.token",
		             "secrets are not stored in connection documents; put it in an environment variable and "
		             "name the variable in %s", has_key(auth, "password") ? "password_env" : "token_env");
	const cJSON *user = json_member(auth, "username", cJSON_String, "source.auth", pr);
	c->auth_username = user ? xstrdup(user->valuestring) : NULL;
	c->auth_password_env = env_name(auth, "password_env", pr);
	c->auth_token_env = env_name(auth, "token_env", pr);
	bool basic = has_key(auth, "username") || has_key(auth, "password_env");
	if (basic && has_key(auth, "token_env"))
		problems_add(pr, "source.auth", "use either username and password_env, or token_env");
	else if (has_key(auth, "username") && !has_key(auth, "password_env"))
		problems_add(pr, "source.auth.password_env", "required with username (the environment variable that "
		             "holds the password)");
	else if (has_key(auth, "password_env") && !has_key(auth, "username"))
		problems_add(pr, "source.auth.username", "required with password_env");
	else if (!basic && !has_key(auth, "token_env") && !has_key(auth, "password") && !has_key(auth, "token"))
		problems_add(pr, "source.auth", "is empty; give username and password_env, or token_env");
}

/* How prices are read: which decimal separator, which currency is expected (a warning when another comes). */
static void parse_price_options(struct conn_config *c, const cJSON *src, struct problems *pr)
{
	const cJSON *sep = json_member(src, "decimal_separator", cJSON_String, "source", pr);
	if (sep && strcmp(sep->valuestring, ".") != 0 && strcmp(sep->valuestring, ",") != 0)
		problems_add(pr, "source.decimal_separator", "must be \".\" or \",\" (leave it out to take either), "
		             "not '%s'", sep->valuestring);
	else if (sep)
		c->decimal_separator = sep->valuestring[0];
	const cJSON *cur = json_member(src, "currency", cJSON_String, "source", pr);
	const char *v = cur ? cur->valuestring : NULL;
	if (v && !(strlen(v) == 3 && isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]) &&
	           isupper((unsigned char)v[2])))
		problems_add(pr, "source.currency", "must be an ISO 4217 code in capitals, like \"RON\" or \"EUR\", "
		             "not '%s'", v);
	else if (v)
		c->currency = xstrdup(v);
}

/* The statuses of a shop's products a source may read, "a, b, c" as a message lists them. */
static void list_statuses(const char *const *statuses, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; statuses[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : ", ", statuses[i]);
}

/* A shop as the source (a WooCommerce or a Shopify one): which destination, which product status; the rest is
 * the JSON reader's. */
static void parse_shop_source(struct conn_config *c, cJSON *src, const char *type, struct problems *pr)
{
	static const char *const not_here[] = {"url", "encoding", "auth"};
	const char *const *statuses = str_eq(type, "shopify") ? shopify_statuses : shop_statuses;
	char where[64], role[64];
	snprintf(role, sizeof(role), "%s source", type);
	for (size_t i = 0; i < ARRAY_LEN(not_here); i++)
		if (has_key(src, not_here[i]))
			problems_add(pr, json_path(where, sizeof(where), "source", not_here[i]), "a %s has "
			             "none: it reads the shop named by source.destination, as JSON, with its credentials", role);
	const cJSON *dest = json_member(src, "destination", cJSON_Object, "source", pr);
	if (!dest && !has_key(src, "destination"))
		problems_add(pr, "source.destination", "required: {\"id\": N} or {\"name\": \"...\"} of the shop to read, "
		             "a destination added with 'feedsync dest add'");
	if (dest) {
		json_check_keys(dest, shop_ref_keys, "source.destination", pr);
		if (parse_shop_ref(dest, "source.destination", role, &c->source_dest_id, &c->source_dest_name, pr))
			c->url = c->source_dest_name ? xasprintf("destination '%s'", c->source_dest_name)
			                             : xasprintf("destination %lld", (long long)c->source_dest_id);
	}
	const cJSON *status = json_member(src, "status", cJSON_String, "source", pr);
	const char *wanted = status ? status->valuestring : statuses[0];
	size_t i = 0;
	while (statuses[i] && strcmp(statuses[i], wanted) != 0)
		i++;
	char names[128];
	list_statuses(statuses, names, sizeof(names));
	if (!statuses[i])
		problems_add(pr, "source.status", "must be one of %s, not '%s'", names, wanted);
	c->source_status = xstrdup(wanted);
	fill_default(src, "status", cJSON_CreateString(wanted));
	c->source.item_path = WOO_PULL_ITEM_PATH;
}

static const char *parse_source_type(struct conn_config *c, const cJSON *src, struct problems *pr)
{
	const char *type = json_required_string(src, "type", "csv, json, xml, winmentor, woocommerce or shopify", "source",
	                                        pr);
	for (size_t i = 0; type && i < ARRAY_LEN(source_types); i++)
		if (strcmp(type, source_types[i].type) == 0) {
			c->source_type = xstrdup(type);
			c->source.format = source_types[i].format;
			return type;
		}
	if (type)
		problems_add(pr, "source.type", "must be one of csv, json, xml, winmentor, woocommerce, shopify, not '%s'",
		             type);
	return NULL;
}

static void parse_source(struct conn_config *c, struct problems *pr)
{
	cJSON *src = (cJSON *)json_member(c->doc, "source", cJSON_Object, "", pr);
	if (!src) {
		if (!has_key(c->doc, "source"))
			problems_add(pr, "source", "required (an object with type and url)");
		c->aliases = alias_table_new(NULL); /* filters and mappings are still checked */
		return;
	}
	json_check_keys(src, source_keys, "source", pr);
	const char *type = parse_source_type(c, src, pr);
	bool csv = str_eq(c->source.format, "csv");
	bool shop = str_eq(type, "woocommerce") || str_eq(type, "shopify");
	struct source_kind kind = {
		.csv_only_ok = !type || csv,
		.items_ok = !type || (!csv && !shop),
		.winmentor = str_eq(type, "winmentor"),
	};
	if (shop) {
		parse_shop_source(c, src, type, pr);
	} else {
		const char *url = json_required_string(src, "url", "http://, https://, file:// or a file path", "source",
		                                       pr);
		if (url) {
			check_url(url, pr);
			c->url = xstrdup(url);
		}
		if (type && (has_key(src, "destination") || has_key(src, "status")))
			problems_add(pr, has_key(src, "destination") ? "source.destination" : "source.status",
			             "only woocommerce and shopify sources have one");
	}
	parse_csv_options(c, src, kind, pr);
	parse_json_layout(c, src, str_eq(type, "json"), pr);
	parse_encoding(c, src, kind.winmentor, pr);
	parse_aliases(c, src, pr);
	parse_required(c, src, kind.winmentor, pr);
	parse_auth(c, src, pr);
	parse_price_options(c, src, pr);
}

/* ---- update, destination ---------------------------------------------------------------------------- */

static int parse_count(const cJSON *obj, const char *key, int max, struct problems *pr)
{
	char where[64];
	const cJSON *item = json_member(obj, key, cJSON_Number, "update", pr);
	if (!item)
		return 0;
	double v = item->valuedouble;
	if (v < 0 || v > max || v != (double)(int)v) {
		problems_add(pr, json_path(where, sizeof(where), "update", key), "must be a whole number from 0 to %d",
		             max);
		return 0;
	}
	return (int)v;
}

static void parse_update_fields(struct conn_config *c, const cJSON *update, struct problems *pr)
{
	const cJSON *fields = json_member(update, "fields", cJSON_Array, "update", pr);
	if (!fields)
		return;
	if (!fields->child)
		problems_add(pr, "update.fields", "is empty; list at least one field, or leave it out to update every field");
	size_t n = 0, i = 0;
	char where[64];
	for (const cJSON *it = fields->child; it; it = it->next, i++) {
		json_path_at(where, sizeof(where), "update.fields", i);
		if (!cJSON_IsString(it) || !*it->valuestring)
			problems_add(pr, where, "must be a field name like \"regular_price\", not %s",
			             cJSON_IsString(it) ? "an empty string" : json_kind(it));
		else if (strv_has(c->update_fields, it->valuestring))
			problems_add(pr, where, "'%s' is listed twice", it->valuestring);
		else
			c->update_fields = strv_push(c->update_fields, &n, it->valuestring);
	}
}

static void parse_update(struct conn_config *c, struct problems *pr)
{
	if (!has_key(c->doc, "update"))
		fill_default(c->doc, "update", cJSON_CreateObject());
	cJSON *update = (cJSON *)json_member(c->doc, "update", cJSON_Object, "", pr);
	if (!update)
		return;
	json_check_keys(update, update_keys, "update", pr);
	parse_update_fields(c, update, pr);
	const cJSON *create = json_member(update, "create_missing", JSON_BOOL, "update", pr);
	c->create_missing = !create || cJSON_IsTrue(create);
	fill_default(update, "create_missing", cJSON_CreateBool(c->create_missing));

	const cJSON *action = json_member(update, "missing_action", cJSON_String, "update", pr);
	c->missing_action = MISSING_NONE;
	if (action && !missing_action_parse(action->valuestring, &c->missing_action))
		problems_add(pr, "update.missing_action", "must be one of none, stock_zero, draft, delete, not '%s'",
		             action->valuestring);
	fill_default(update, "missing_action", cJSON_CreateString(missing_actions[c->missing_action]));
	c->missing_after_days = parse_count(update, "missing_after_days", 3650, pr);
	c->missing_after_runs = parse_count(update, "missing_after_runs", 1000, pr);
}

static void parse_shop_destination(struct conn_config *c, const cJSON *dest, struct problems *pr)
{
	if (has_key(dest, "path") || has_key(dest, "format"))
		problems_add(pr, has_key(dest, "path") ? "destination.path" : "destination.format",
		             "only file destinations have one");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dest, "type"));
	char role[64];
	snprintf(role, sizeof(role), "%s destination", type ? type : "shop");
	if (parse_shop_ref(dest, "destination", role, &c->dest_id, &c->dest_name, pr))
		c->dest_type = xstrdup(type);
	/* A post has no stock to set to zero: refused here rather than failing every retirement later. */
	if (str_eq(type, "wordpress") && c->missing_action == MISSING_STOCK_ZERO)
		problems_add(pr, "update.missing_action", "stock_zero is not for a wordpress destination (a post has no "
		             "stock): use draft or delete");
}

static void parse_destination(struct conn_config *c, struct problems *pr)
{
	cJSON *dest = (cJSON *)json_member(c->doc, "destination", cJSON_Object, "", pr);
	if (!dest)
		return;
	json_check_keys(dest, destination_keys, "destination", pr);
	const char *type = json_required_string(dest, "type", "file, woocommerce, wordpress or shopify", "destination", pr);
	if (str_eq(type, "woocommerce") || str_eq(type, "wordpress") || str_eq(type, "shopify")) {
		parse_shop_destination(c, dest, pr);
		return;
	}
	if (type && strcmp(type, "file") != 0)
		problems_add(pr, "destination.type", "must be file, woocommerce, wordpress or shopify, not '%s'", type);
	if (has_key(dest, "id") || has_key(dest, "name"))
		problems_add(pr, has_key(dest, "id") ? "destination.id" : "destination.name",
		             "only woocommerce destinations have one");
	const char *path = json_required_string(dest, "path", "where to write, like out/acme.csv", "destination", pr);
	const cJSON *format = json_member(dest, "format", cJSON_String, "destination", pr);
	if (format && strcmp(format->valuestring, "csv") != 0 && strcmp(format->valuestring, "jsonl") != 0)
		problems_add(pr, "destination.format", "must be csv or jsonl, not '%s'", format->valuestring);
	if (!type || !path)
		return;
	/* Without a format, the file name says which: .jsonl and .ndjson are JSON lines, anything else CSV. */
	bool lines = str_ends_with(path, ".jsonl") || str_ends_with(path, ".ndjson");
	const char *fmt = format ? format->valuestring : lines ? "jsonl" : "csv";
	c->dest_type = xstrdup(type);
	c->dest_path = xstrdup(path);
	c->dest_format = xstrdup(fmt);
	fill_default(dest, "format", cJSON_CreateString(fmt));
}

/* ---- entry points ----------------------------------------------------------------------------------- */

struct conn_config *conn_parse(const char *text, struct problems *problems)
{
	size_t before = problems->n;
	cJSON *doc = parse_document(text, problems);
	if (!doc)
		return NULL;
	if (!cJSON_IsObject(doc)) {
		problems_add(problems, NULL, "the document must be a JSON object ({\"name\": ..., \"source\": ...}), not %s",
		             json_kind(doc));
		cJSON_Delete(doc);
		return NULL;
	}
	struct conn_config *c = xcalloc(1, sizeof(*c));
	c->doc = doc;
	json_check_keys(doc, top_keys, "", problems);
	parse_name(c, problems);
	parse_active(c, problems);
	parse_source(c, problems);
	c->filter = filter_compile(cJSON_GetObjectItemCaseSensitive(doc, "filters"), c->aliases, "filters", problems);
	filter_set_decimal_separator(c->filter, c->decimal_separator);
	cJSON *grouped;   /* the mapping with the "group" shorthand's fields (feed/group_spec.h) */
	c->mapping = mapping_compile(group_spec_mapping(doc, &grouped, problems), c->aliases, "mapping", problems);
	cJSON_Delete(grouped);
	if (c->mapping) { /* rules read the mapping's fields: without it, its own problems say enough */
		mapping_set_decimal_separator(c->mapping, c->decimal_separator);
		c->rules = rules_compile(cJSON_GetObjectItemCaseSensitive(doc, "rules"), c->mapping, c->aliases,
		                         c->required, "rules", problems);
	}
	parse_update(c, problems);
	parse_schedule(c, problems);
	parse_preset(c, problems);
	parse_destination(c, problems);
	if (problems->n > before) {
		conn_free(c);
		return NULL;
	}
	return c;
}

void conn_free(struct conn_config *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->source_type);
	free(c->url);
	free(c->source_dest_name);
	free(c->source_status);
	free(c->currency);
	strv_free(c->required);
	free(c->auth_username);
	free(c->auth_password_env);
	free(c->auth_token_env);
	alias_table_free(c->aliases);
	filter_free(c->filter);
	mapping_free(c->mapping);
	rules_free(c->rules);
	strv_free(c->update_fields);
	free(c->schedule_text);
	free(c->preset);
	free(c->dest_type);
	free(c->dest_path);
	free(c->dest_format);
	free(c->dest_name);
	cJSON_Delete(c->doc);
	free(c);
}

bool update_sends(char *const *update_fields, const char *field)
{
	if (!update_fields)
		return strcmp(field, "sku") != 0;
	for (; *update_fields; update_fields++)
		if (strcmp(*update_fields, field) == 0)
			return true;
	return false;
}

const char *missing_action_name(enum missing_action a)
{
	return missing_actions[a];
}

bool missing_action_parse(const char *name, enum missing_action *out)
{
	for (size_t i = 0; name && i < ARRAY_LEN(missing_actions); i++)
		if (strcmp(name, missing_actions[i]) == 0) {
			*out = (enum missing_action)i;
			return true;
		}
	return false;
}

char *conn_to_json(const struct conn_config *c)
{
	char *printed = cJSON_Print(c->doc);
	if (!printed)
		return xstrdup("{}");
	char *out = xstrdup(printed);
	cJSON_free(printed);
	return out;
}
