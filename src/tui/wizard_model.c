/* The wizard's answers, the document they make, its problems, the sample and saving (see wizard_model.h). */
#include "tui/wizard_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dest/dest_save.h"
#include "engine/conn_save.h"
#include "engine/schedule.h"
#include "feed/conn.h"
#include "feed/encoding.h"
#include "feed/filter.h"
#include "feed/jsoncheck.h"
#include "feed/mapping.h"
#include "feed/preset.h"
#include "feed/sniff.h"

#define CATEGORY_DELIMITER " > "

const char *const wiz_step_names[WIZ_STEPS] = {
	"Source", "Preview & filter", "Mapping", "Destination", "Schedule", "Review & save",
};
/* JSON lines and RSS, Atom or Google Merchant feeds need no type of their own: their readers tell them apart. */
const char *const wiz_source_labels[] = {"CSV feed", "JSON or NDJSON feed", "XML, RSS or Atom feed", "WinMentor CSV",
                                         "WooCommerce store", NULL};
const char *const wiz_source_types[] = {"csv", "json", "xml", "winmentor", "woocommerce", NULL};
const char *const wiz_auth_labels[] = {"none", "user name and password", "bearer token", NULL};
const char *const wiz_shop_statuses[] = {"any", "publish", "draft", "pending", "private", "future", "trash", NULL};
const char *const wiz_dest_labels[] = {"none (catalog only)", "file export", "WooCommerce shop",
                                       "new WooCommerce shop", "WordPress site", NULL};
const char *const wiz_file_formats[] = {"csv", "jsonl", NULL};
const char *const wiz_missing_actions[] = {"none", "stock_zero", "draft", "delete", NULL};
const char *const wiz_schedule_labels[] = {"manual", "every N minutes", "daily at a time", "cron expression", NULL};

/* ---- small helpers ----------------------------------------------------------------------------------- */

static void set_text(struct strbuf *sb, const char *text)
{
	sb_reset(sb);
	sb_adds(sb, text ? text : "");
}

char *wizard_trimmed(const struct strbuf *sb)
{
	char *copy = xstrdup(sb_str(sb));
	char *t = str_trim(copy);
	char *out = xstrdup(t);
	free(copy);
	return out;
}

static bool blank(const struct strbuf *sb)
{
	const char *s = sb_str(sb);
	return !s[strspn(s, " \t")];
}

static const char *member_text(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool member_bool(const cJSON *obj, const char *key, bool fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}

/* A scalar member as text ("" when absent): numbers written as they read. */
static void member_scalar(const cJSON *obj, const char *key, struct strbuf *out)
{
	char num[64];
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	set_text(out, cJSON_IsString(item) || cJSON_IsNumber(item) ? json_scalar_text(item, num, sizeof(num)) : "");
}

static int index_of(const char *const *list, const char *name, int fallback)
{
	for (int i = 0; name && list[i]; i++)
		if (str_eq(list[i], name))
			return i;
	return fallback;
}

/* Sets obj[key], keeping the member's place when it is already there. Takes item. */
static void put(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

static void put_text(cJSON *obj, const char *key, const struct strbuf *sb)
{
	char *t = wizard_trimmed(sb);
	if (*t)
		put(obj, key, cJSON_CreateString(t));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	free(t);
}

/* A whole number as a JSON number; anything else as the text, for conn_parse to name. */
static void put_count(cJSON *obj, const char *key, const struct strbuf *sb)
{
	char *t = wizard_trimmed(sb);
	int64_t n;
	if (!*t)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	else if (parse_int64(t, &n))
		put(obj, key, cJSON_CreateNumber((double)n));
	else
		put(obj, key, cJSON_CreateString(t));
	free(t);
}

/* A copy of base[key] when it is an object, else a new one. */
static cJSON *object_from(const cJSON *base, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(base, key);
	return cJSON_IsObject(item) ? cJSON_Duplicate(item, true) : cJSON_CreateObject();
}

/* "\t" and "tab" mean the tab character, which a form field cannot take. */
static void put_char_option(cJSON *obj, const char *key, const struct strbuf *sb)
{
	const char *v = sb_str(sb);
	if (str_eq(v, "\\t") || strcasecmp(v, "tab") == 0)
		put(obj, key, cJSON_CreateString("\t"));
	else if (*v)
		put(obj, key, cJSON_CreateString(v));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
}

static void char_option_text(const char *v, struct strbuf *out)
{
	set_text(out, str_eq(v, "\t") ? "\\t" : v);
}

/* ---- creating, loading, freeing ---------------------------------------------------------------------- */

static struct wiz_field *add_field(struct wizard *w, const char *dest, bool automatic)
{
	if (w->nfields == PRODUCT_MAX_FIELDS)
		return NULL;
	struct wiz_field *f = &w->fields[w->nfields++];
	f->dest = xstrdup(dest);
	f->automatic = automatic;
	f->kind = automatic ? WMAP_AUTO : WMAP_NONE;
	f->update = true;
	f->suggestion = -1;
	return f;
}

static struct wiz_field *find_field(struct wizard *w, const char *dest)
{
	for (size_t i = 0; i < w->nfields; i++)
		if (str_eq(w->fields[i].dest, dest))
			return &w->fields[i];
	return NULL;
}

/* Every field auto fills (categories have their own section), then status, which shops want set. */
static void default_fields(struct wizard *w)
{
	const char *dest;
	for (size_t i = 0; (dest = mapping_auto_field(i, NULL)); i++)
		if (!str_eq(dest, PF_CATEGORIES))
			add_field(w, dest, true);
	add_field(w, "status", false);
}

struct wizard *wizard_new(void)
{
	struct wizard *w = xcalloc(1, sizeof(*w));
	w->base = cJSON_CreateObject();
	w->header = true;
	w->source_shop = w->dest_shop = w->dest_site = -1;
	default_fields(w);
	w->category_kind = WMAP_AUTO;
	w->category_suggestion = -1;
	w->category_update = true;
	set_text(&w->category_delimiter, CATEGORY_DELIMITER);
	w->shop_verify_tls = true;
	w->update_all = true;
	w->create_missing = true;
	set_text(&w->missing_days, "0");
	set_text(&w->missing_runs, "0");
	set_text(&w->every_minutes, "60");
	set_text(&w->daily_at, "02:00");
	set_text(&w->cron, "0 6-22 * * mon-fri");
	w->active = true;
	str_copy(w->preview_error, "no sample yet: fetch one on step 1", sizeof(w->preview_error));
	w->initial = wizard_document_text(w);
	return w;
}

static void load_source(struct wizard *w, const cJSON *src)
{
	w->source = index_of(wiz_source_types, member_text(src, "type"), WSRC_CSV);
	set_text(&w->url, member_text(src, "url"));
	char_option_text(member_text(src, "delimiter") ? member_text(src, "delimiter") : "", &w->delimiter);
	char_option_text(member_text(src, "enclosure") ? member_text(src, "enclosure") : "", &w->enclosure);
	set_text(&w->encoding, member_text(src, "encoding"));
	set_text(&w->item_path, member_text(src, "item_path"));
	w->header = member_bool(src, "header", true);
	w->shop_status = index_of(wiz_shop_statuses, member_text(src, "status"), 0);
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(src, "auth");
	w->auth = member_text(auth, "token_env") ? WAUTH_TOKEN : cJSON_IsObject(auth) ? WAUTH_BASIC : WAUTH_NONE;
	set_text(&w->auth_user, member_text(auth, "username"));
	set_text(&w->auth_password_env, member_text(auth, "password_env"));
	set_text(&w->auth_token_env, member_text(auth, "token_env"));
}

static void load_filters(struct wizard *w, const cJSON *filters)
{
	w->match_any = str_eq(member_text(filters, "match"), "any");
	const cJSON *rule;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(filters, "rules")) {
		if (w->nrules == WIZ_RULES_MAX)
			break;
		struct wiz_rule *r = &w->rules[w->nrules++];
		set_text(&r->field, member_text(rule, "field"));
		r->op = index_of(filter_op_names, member_text(rule, "op"), 0);
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(rule, "value");
		if (cJSON_IsArray(value)) {   /* "in": one comma-separated text, which conn_parse also takes */
			char num[64];
			const cJSON *it;
			sb_reset(&r->value);
			cJSON_ArrayForEach(it, value)
				sb_addf(&r->value, "%s%s", r->value.len ? ", " : "", json_scalar_text(it, num, sizeof(num)));
		} else {
			member_scalar(rule, "value", &r->value);
		}
	}
}

static void load_field_spec(struct wiz_field *f, const cJSON *spec)
{
	if (cJSON_GetObjectItemCaseSensitive(spec, "constant")) {
		f->kind = WMAP_CONSTANT;
		member_scalar(spec, "constant", &f->value);
		return;
	}
	f->kind = WMAP_COLUMN;
	set_text(&f->column, member_text(spec, "column"));
	member_scalar(spec, "default", &f->value);
}

static void load_categories(struct wizard *w, const cJSON *mapping, bool automatic)
{
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(mapping, "categories");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(mapping, "fields"),
	                                                     PF_CATEGORIES);
	w->category_kind = automatic || cJSON_IsObject(cats) ? WMAP_AUTO : WMAP_NONE;
	const char *column = member_text(cats, "field") ? member_text(cats, "field") : member_text(spec, "column");
	if (column) {
		w->category_kind = WMAP_COLUMN;
		set_text(&w->category_column, column);
	}
	const char *delimiter = member_text(cats, "delimiter");
	set_text(&w->category_delimiter, delimiter ? delimiter : CATEGORY_DELIMITER);
	set_text(&w->category_default, member_text(cats, "default"));
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cats, "map")) {
		if (w->ncategories == WIZ_CATEGORIES_MAX || !cJSON_IsString(it))
			continue;
		struct wiz_category *c = &w->categories[w->ncategories++];
		c->path = mapping_category_path(sb_str(&w->category_delimiter), it->string);
		set_text(&c->target, it->valuestring);
	}
}

static void load_mapping(struct wizard *w, const cJSON *mapping)
{
	bool automatic = member_bool(mapping, "auto", true);
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(mapping, "fields");
	for (size_t i = 0; i < w->nfields; i++)
		w->fields[i].kind = automatic && w->fields[i].automatic ? WMAP_AUTO : WMAP_NONE;
	const cJSON *spec;
	cJSON_ArrayForEach(spec, fields) {
		/* A categories column belongs to the categories section; a categories constant is a plain field. */
		if (str_eq(spec->string, PF_CATEGORIES) && !cJSON_GetObjectItemCaseSensitive(spec, "constant"))
			continue;
		struct wiz_field *f = find_field(w, spec->string);
		if (!f)
			f = add_field(w, spec->string, false);
		if (f)
			load_field_spec(f, spec);
	}
	load_categories(w, mapping, automatic);
	if (find_field(w, PF_CATEGORIES))
		w->category_kind = WMAP_NONE;
}

static void load_update(struct wizard *w, const cJSON *update)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(update, "fields");
	w->update_all = !cJSON_IsArray(fields);
	if (!w->update_all) {
		for (size_t i = 0; i < w->nfields; i++)
			w->fields[i].update = false;
		w->category_update = false;
		const cJSON *it;
		cJSON_ArrayForEach(it, fields) {
			struct wiz_field *f = cJSON_IsString(it) ? find_field(w, it->valuestring) : NULL;
			if (f)
				f->update = true;
			else if (cJSON_IsString(it) && str_eq(it->valuestring, PF_CATEGORIES))
				w->category_update = true;
		}
	}
	w->create_missing = member_bool(update, "create_missing", true);
	w->missing_action = index_of(wiz_missing_actions, member_text(update, "missing_action"), 0);
	member_scalar(update, "missing_after_days", &w->missing_days);
	member_scalar(update, "missing_after_runs", &w->missing_runs);
}

/* "every 15m" and "every 2h" as minutes; anything else a schedule can say is kept as its text. */
static void load_schedule(struct wizard *w, const char *text)
{
	struct schedule s;
	char err[512];
	w->schedule = WSCHED_MANUAL;
	if (!text || schedule_parse(text, &s, err, sizeof(err)) < 0) {
		if (text && !str_eq(text, "manual")) {
			w->schedule = WSCHED_CRON;
			set_text(&w->cron, text);
		}
		return;
	}
	if (s.kind == SCHEDULE_EVERY && s.every_ms % 60000 == 0) {
		w->schedule = WSCHED_EVERY;
		sb_reset(&w->every_minutes);
		sb_addf(&w->every_minutes, "%lld", (long long)(s.every_ms / 60000));
	} else if (s.kind == SCHEDULE_DAILY) {
		w->schedule = WSCHED_DAILY;
		sb_reset(&w->daily_at);
		sb_addf(&w->daily_at, "%02d:%02d", s.daily_minute / 60, s.daily_minute % 60);
	} else if (s.kind != SCHEDULE_MANUAL) {
		w->schedule = WSCHED_CRON;
		set_text(&w->cron, text);
	}
}

static void load_destination(struct wizard *w, const cJSON *dest)
{
	const char *type = member_text(dest, "type");
	w->dest = str_eq(type, "file") ? WDEST_FILE : str_eq(type, "woocommerce") ? WDEST_SHOP :
	          str_eq(type, "wordpress") ? WDEST_SITE : WDEST_NONE;
	set_text(&w->file_path, member_text(dest, "path"));
	w->file_format = index_of(wiz_file_formats, member_text(dest, "format"), 0);
}

int wizard_load(struct wizard *w, enum wiz_mode mode, int64_t conn_id, const char *document, const char *copy_name,
                char *err, size_t errsize)
{
	cJSON *doc = cJSON_Parse(document ? document : "");
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		snprintf(err, errsize, "the stored document of connection %lld is not a JSON object", (long long)conn_id);
		return -1;
	}
	const char *type = member_text(cJSON_GetObjectItemCaseSensitive(doc, "source"), "type");
	if (type && index_of(wiz_source_types, type, -1) < 0) {
		/* It would be saved back as a CSV feed, the first type the wizard offers. */
		snprintf(err, errsize, "the wizard does not edit %s sources yet: change connection %lld with 'feedsync conn "
		         "edit %lld --file F' (its document: 'feedsync conn export %lld')", type, (long long)conn_id,
		         (long long)conn_id, (long long)conn_id);
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_Delete(w->base);
	w->base = doc;
	w->mode = mode;
	w->conn_id = conn_id;
	set_text(&w->name, mode == WIZ_CLONE ? copy_name : member_text(doc, "name"));
	/* A copy shares its source and destination: it must not start running on the original's schedule. */
	w->active = mode == WIZ_CLONE ? false : member_bool(doc, "active", true);
	free(w->preset);
	w->preset = member_text(doc, "preset") ? xstrdup(member_text(doc, "preset")) : NULL;
	load_source(w, cJSON_GetObjectItemCaseSensitive(doc, "source"));
	load_filters(w, cJSON_GetObjectItemCaseSensitive(doc, "filters"));
	load_mapping(w, cJSON_GetObjectItemCaseSensitive(doc, "mapping"));
	load_update(w, cJSON_GetObjectItemCaseSensitive(doc, "update"));
	load_schedule(w, member_text(doc, "schedule"));
	load_destination(w, cJSON_GetObjectItemCaseSensitive(doc, "destination"));
	free(w->initial);
	w->initial = wizard_document_text(w);
	return 0;
}

static void free_shop_list(struct wiz_shop *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].url);
		free(list[i].type);
	}
	free(list);
}

static void free_shops(struct wizard *w)
{
	free_shop_list(w->shops, w->nshops);
	free_shop_list(w->sites, w->nsites);
}

void wizard_free(struct wizard *w)
{
	if (!w)
		return;
	struct strbuf *texts[] = {
		&w->name, &w->url, &w->delimiter, &w->enclosure, &w->encoding, &w->item_path, &w->auth_user,
		&w->auth_password_env, &w->auth_token_env, &w->category_column, &w->category_delimiter,
		&w->category_default, &w->file_path, &w->shop_name, &w->shop_url, &w->shop_key, &w->shop_secret,
		&w->missing_days, &w->missing_runs, &w->every_minutes, &w->daily_at, &w->cron,
	};
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		sb_free(texts[i]);
	for (size_t i = 0; i < w->nrules; i++) {
		sb_free(&w->rules[i].field);
		sb_free(&w->rules[i].value);
	}
	for (size_t i = 0; i < w->nfields; i++) {
		free(w->fields[i].dest);
		sb_free(&w->fields[i].column);
		sb_free(&w->fields[i].value);
	}
	for (size_t i = 0; i < w->ncategories; i++) {
		free(w->categories[i].path);
		sb_free(&w->categories[i].target);
	}
	free_shops(w);
	free(w->preset);
	preset_set_free(&w->presets);
	problems_free(&w->preset_problems);
	if (w->have_sample)
		fetch_cleanup(&w->sample);
	if (w->have_preview)
		preview_free(&w->preview);
	problems_free(&w->problems);
	cJSON_Delete(w->base);
	free(w->initial);
	free(w);
}

/* The destination a {"id": N} or {"name": N} reference names: its index in the list, or -1. */
static int shop_index(const struct wiz_shop *list, size_t n, const cJSON *ref)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(ref, "id");
	const char *name = member_text(ref, "name");
	for (size_t i = 0; i < n; i++)
		if ((cJSON_IsNumber(id) && (int64_t)id->valuedouble == list[i].id) || str_eq(name, list[i].name))
			return (int)i;
	return -1;
}

void wizard_set_shops(struct wizard *w, struct wiz_shop *rows, size_t n)
{
	free_shops(w);
	w->shops = xcalloc(n ? n : 1, sizeof(*w->shops));
	w->sites = xcalloc(n ? n : 1, sizeof(*w->sites));
	w->nshops = w->nsites = 0;
	for (size_t i = 0; i < n; i++) {
		if (str_eq(rows[i].type, "wordpress"))
			w->sites[w->nsites++] = rows[i];
		else
			w->shops[w->nshops++] = rows[i];
	}
	free(rows);
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(w->base, "source");
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(w->base, "destination");
	w->source_shop = shop_index(w->shops, w->nshops, cJSON_GetObjectItemCaseSensitive(src, "destination"));
	if (w->dest == WDEST_SHOP)
		w->dest_shop = shop_index(w->shops, w->nshops, dest);
	if (w->dest == WDEST_SITE)
		w->dest_site = shop_index(w->sites, w->nsites, dest);
	/* A shop named in the document is now chosen by id: that is no change of the user's. */
	free(w->initial);
	w->initial = wizard_document_text(w);
}

/* ---- the document ------------------------------------------------------------------------------------ */

/* ---- presets ----------------------------------------------------------------------------------------- */

void wizard_set_presets(struct wizard *w, struct preset_set *set, struct problems *load)
{
	preset_set_free(&w->presets);
	problems_free(&w->preset_problems);
	w->presets = *set;
	w->preset_problems = *load;
	memset(set, 0, sizeof(*set));
	memset(load, 0, sizeof(*load));
}

/* The destination type a preset must fit, or NULL while there is no destination. */
static const char *dest_type(const struct wizard *w)
{
	switch (w->dest) {
	case WDEST_FILE: return "file";
	case WDEST_SHOP:
	case WDEST_NEW_SHOP: return "woocommerce";
	case WDEST_SITE: return "wordpress";
	default: return NULL;
	}
}

size_t wizard_fitting_presets(const struct wizard *w, const struct preset **out, size_t max)
{
	const char *type = dest_type(w);
	size_t n = 0;
	for (size_t i = 0; i < w->presets.n && n < max; i++)
		if (!type || preset_fits(w->presets.items[i], type))
			out[n++] = w->presets.items[i];
	return n;
}

/* The feed's aliases, which matching applies as the pipeline does; NULL when the source answers do not parse. */
static struct conn_config *source_conn(const struct wizard *w)
{
	struct problems pr = {0};
	struct conn_config *conn = wizard_partial_conn(w, WIZ_SOURCE, &pr);
	problems_free(&pr);
	return conn;
}

/* Fills field f from preset field pf unless it has a column or a constant already; true when a sample column
 * was chosen. */
static bool prefill_field(struct wiz_field *f, const struct preset_field *pf, int match, const char *column)
{
	if (f->kind == WMAP_COLUMN || f->kind == WMAP_CONSTANT)
		return false;
	if (match >= 0 && !(f->kind == WMAP_AUTO && f->suggestion == match)) {
		f->kind = WMAP_COLUMN;
		set_text(&f->column, column);
		set_text(&f->value, pf->fallback);
	} else if (match < 0 && pf->fallback && !(f->kind == WMAP_AUTO && f->suggestion >= 0)) {
		f->kind = WMAP_CONSTANT;
		set_text(&f->value, pf->fallback);
	}
	return match >= 0;
}

/*
 * The SKU is whichever column aliases make `sku` (source.required always holds it), so a feed's own SKU column
 * becomes an alias, as the missing-sku message advises, and auto reads it.
 */
static bool prefill_sku(struct wizard *w, const struct wiz_field *f, int match, const char *column)
{
	if (match < 0 || (f && (f->kind == WMAP_COLUMN || f->kind == WMAP_CONSTANT)))
		return false;
	if (f && f->kind == WMAP_AUTO && f->suggestion == match)
		return true;
	cJSON *src = cJSON_GetObjectItemCaseSensitive(w->base, "source");
	if (!cJSON_IsObject(src))
		put(w->base, "source", src = cJSON_CreateObject());
	cJSON *aliases = cJSON_GetObjectItemCaseSensitive(src, "aliases");
	if (!cJSON_IsObject(aliases))
		put(src, "aliases", aliases = cJSON_CreateObject());
	put(aliases, column, cJSON_CreateString(COL_SKU));
	return true;
}

static bool prefill_categories(struct wizard *w, int match, const char *column)
{
	if (match < 0 || w->category_kind == WMAP_COLUMN)
		return false;
	if (w->category_kind == WMAP_NONE || w->category_suggestion != match) {
		w->category_kind = WMAP_COLUMN;
		set_text(&w->category_column, column);
	}
	return true;
}

size_t wizard_apply_preset(struct wizard *w, const struct preset *p)
{
	free(w->preset);
	w->preset = NULL;
	if (!p)
		return 0;
	char label[PRESET_NAME_MAX + 16];
	w->preset = xstrdup(preset_label(p, label, sizeof(label)));
	struct conn_config *conn = source_conn(w);
	const char *const *names = (const char *const *)w->preview.columns;
	size_t ncolumns = w->have_preview ? w->preview.n_columns : 0, matched = 0;
	for (size_t i = 0; i < p->nfields; i++) {
		const struct preset_field *pf = &p->fields[i];
		int match = preset_match(pf, conn ? conn->aliases : NULL, names, ncolumns);
		const char *column = match >= 0 ? names[match] : NULL;
		if (str_eq(pf->target, PF_CATEGORIES)) {
			matched += prefill_categories(w, match, column);
			continue;
		}
		struct wiz_field *f = find_field(w, pf->target);
		if (str_eq(pf->target, PF_SKU)) {
			matched += prefill_sku(w, f, match, column);
			continue;
		}
		if (!f)
			f = add_field(w, pf->target, false);
		if (f)
			matched += prefill_field(f, pf, match, column);
	}
	conn_free(conn);
	return matched;
}

static cJSON *shop_ref(const struct wiz_shop *list, size_t n, int index, const cJSON *fallback)
{
	if (index >= 0 && (size_t)index < n) {
		cJSON *ref = cJSON_CreateObject();
		cJSON_AddNumberToObject(ref, "id", (double)list[index].id);
		return ref;
	}
	return cJSON_IsObject(fallback) ? cJSON_Duplicate(fallback, true) : cJSON_CreateObject();
}

static void put_auth(const struct wizard *w, cJSON *src)
{
	if (w->auth == WAUTH_NONE) {
		cJSON_DeleteItemFromObjectCaseSensitive(src, "auth");
		return;
	}
	cJSON *auth = cJSON_CreateObject();
	if (w->auth == WAUTH_BASIC) {
		put_text(auth, "username", &w->auth_user);
		put_text(auth, "password_env", &w->auth_password_env);
	} else {
		put_text(auth, "token_env", &w->auth_token_env);
	}
	put(src, "auth", auth);
}

static cJSON *source_document(const struct wizard *w)
{
	static const char *const feed_only[] = {"url", "delimiter", "enclosure", "encoding", "header", "item_path",
	                                        "auth", "format"};
	cJSON *src = object_from(w->base, "source");
	put(src, "type", cJSON_CreateString(wiz_source_types[w->source]));
	if (w->source == WSRC_SHOP) {
		for (size_t i = 0; i < ARRAY_LEN(feed_only); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(src, feed_only[i]);
		put(src, "destination", shop_ref(w->shops, w->nshops, w->source_shop,
		                                 cJSON_GetObjectItemCaseSensitive(src, "destination")));
		put(src, "status", cJSON_CreateString(wiz_shop_statuses[w->shop_status]));
		return src;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(src, "destination");
	cJSON_DeleteItemFromObjectCaseSensitive(src, "status");
	put_text(src, "url", &w->url);
	if (w->source != WSRC_JSON)
		cJSON_DeleteItemFromObjectCaseSensitive(src, "format"); /* "ndjson", kept from the document for json */
	bool csv = w->source == WSRC_CSV || w->source == WSRC_WINMENTOR;
	if (csv) {
		put_char_option(src, "delimiter", &w->delimiter);
		put_char_option(src, "enclosure", &w->enclosure);
		if (!w->header || cJSON_GetObjectItemCaseSensitive(src, "header"))
			put(src, "header", cJSON_CreateBool(w->header));
		cJSON_DeleteItemFromObjectCaseSensitive(src, "item_path");
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(src, "delimiter");
		cJSON_DeleteItemFromObjectCaseSensitive(src, "enclosure");
		cJSON_DeleteItemFromObjectCaseSensitive(src, "header");
		put_text(src, "item_path", &w->item_path);
	}
	put_text(src, "encoding", &w->encoding);
	put_auth(w, src);
	return src;
}

static cJSON *filters_document(const struct wizard *w)
{
	if (!w->nrules)
		return NULL;
	cJSON *filters = cJSON_CreateObject();
	cJSON_AddStringToObject(filters, "match", w->match_any ? "any" : "all");
	cJSON *rules = cJSON_AddArrayToObject(filters, "rules");
	for (size_t i = 0; i < w->nrules; i++) {
		const struct wiz_rule *r = &w->rules[i];
		cJSON *rule = cJSON_CreateObject();
		put_text(rule, "field", &r->field);
		cJSON_AddStringToObject(rule, "op", filter_op_names[r->op]);
		if (!str_eq(filter_op_names[r->op], "empty") && !str_eq(filter_op_names[r->op], "not_empty"))
			cJSON_AddStringToObject(rule, "value", sb_str(&r->value));
		cJSON_AddItemToArray(rules, rule);
	}
	return filters;
}

/* auto stays on unless a field it would fill is switched off (then every field is listed). */
static bool mapping_automatic(const struct wizard *w)
{
	for (size_t i = 0; i < w->nfields; i++)
		if (w->fields[i].automatic && w->fields[i].kind == WMAP_NONE)
			return false;
	return w->category_kind != WMAP_NONE;
}

static const char *auto_source_column(const char *dest)
{
	const char *dest_i, *column = NULL;
	for (size_t i = 0; (dest_i = mapping_auto_field(i, &column)); i++)
		if (str_eq(dest_i, dest))
			return column;
	return dest;
}

static cJSON *field_spec(const struct wiz_field *f, bool automatic)
{
	cJSON *spec = cJSON_CreateObject();
	switch (f->kind) {
	case WMAP_AUTO:
		if (automatic) {
			cJSON_Delete(spec);
			return NULL;
		}
		cJSON_AddStringToObject(spec, "column", auto_source_column(f->dest));
		break;
	case WMAP_COLUMN:
		put_text(spec, "column", &f->column);
		if (!cJSON_GetObjectItemCaseSensitive(spec, "column"))
			cJSON_AddStringToObject(spec, "column", "");
		put_text(spec, "default", &f->value);
		break;
	case WMAP_CONSTANT:
		cJSON_AddStringToObject(spec, "constant", sb_str(&f->value));
		break;
	default:
		cJSON_Delete(spec);
		return NULL;
	}
	return spec;
}

/* The loaded document's mapping, or one of its members. */
static const cJSON *base_mapping(const struct wizard *w, const char *key)
{
	const cJSON *mapping = cJSON_GetObjectItemCaseSensitive(w->base, "mapping");
	return key ? cJSON_GetObjectItemCaseSensitive(mapping, key) : mapping;
}

static cJSON *categories_document(const struct wizard *w, bool automatic)
{
	if (w->category_kind == WMAP_NONE)
		return NULL;
	const cJSON *had = base_mapping(w, "categories");
	bool default_delimiter = str_eq(sb_str(&w->category_delimiter), CATEGORY_DELIMITER);
	bool mapped = false;
	for (size_t i = 0; i < w->ncategories && !mapped; i++)
		mapped = !blank(&w->categories[i].target);
	if (!had && automatic && w->category_kind == WMAP_AUTO && default_delimiter && !mapped &&
	    blank(&w->category_default))
		return NULL;
	cJSON *cats = cJSON_IsObject(had) ? cJSON_Duplicate(had, true) : cJSON_CreateObject();
	if (w->category_kind == WMAP_COLUMN) {
		put_text(cats, "field", &w->category_column);
		if (!cJSON_GetObjectItemCaseSensitive(cats, "field"))
			cJSON_AddStringToObject(cats, "field", "");
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(cats, "field");
	}
	if (!default_delimiter || cJSON_GetObjectItemCaseSensitive(cats, "delimiter"))
		put(cats, "delimiter", cJSON_CreateString(sb_str(&w->category_delimiter)));
	cJSON_DeleteItemFromObjectCaseSensitive(cats, "map");
	if (mapped) {
		cJSON *map = cJSON_AddObjectToObject(cats, "map");
		for (size_t i = 0; i < w->ncategories; i++)
			if (!blank(&w->categories[i].target))
				put_text(map, w->categories[i].path, &w->categories[i].target);
	}
	put_text(cats, "default", &w->category_default);
	return cats;
}

static cJSON *mapping_document(const struct wizard *w)
{
	bool automatic = mapping_automatic(w);
	cJSON *fields = cJSON_CreateObject();
	for (size_t i = 0; i < w->nfields; i++) {
		cJSON *spec = field_spec(&w->fields[i], automatic);
		if (spec)
			cJSON_AddItemToObject(fields, w->fields[i].dest, spec);
	}
	cJSON *cats = categories_document(w, automatic);
	const cJSON *had = base_mapping(w, NULL);
	if (!had && automatic && !fields->child && !cats) {
		cJSON_Delete(fields);
		return NULL;
	}
	cJSON *mapping = cJSON_IsObject(had) ? cJSON_Duplicate(had, true) : cJSON_CreateObject();
	if (!automatic || cJSON_GetObjectItemCaseSensitive(mapping, "auto"))
		put(mapping, "auto", cJSON_CreateBool(automatic));
	if (fields->child) {
		put(mapping, "fields", fields);
	} else {
		cJSON_Delete(fields);
		cJSON_DeleteItemFromObjectCaseSensitive(mapping, "fields");
	}
	if (cats)
		put(mapping, "categories", cats);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(mapping, "categories");
	return mapping;
}

static cJSON *update_document(const struct wizard *w)
{
	cJSON *update = object_from(w->base, "update");
	if (w->update_all) {
		cJSON_DeleteItemFromObjectCaseSensitive(update, "fields");
	} else {
		cJSON *fields = cJSON_CreateArray();
		for (size_t i = 0; i < w->nfields; i++)
			if (w->fields[i].kind != WMAP_NONE && w->fields[i].update)
				cJSON_AddItemToArray(fields, cJSON_CreateString(w->fields[i].dest));
		if (w->category_kind != WMAP_NONE && w->category_update)
			cJSON_AddItemToArray(fields, cJSON_CreateString(PF_CATEGORIES));
		put(update, "fields", fields);
	}
	put(update, "create_missing", cJSON_CreateBool(w->create_missing));
	put(update, "missing_action", cJSON_CreateString(wiz_missing_actions[w->missing_action]));
	put_count(update, "missing_after_days", &w->missing_days);
	put_count(update, "missing_after_runs", &w->missing_runs);
	return update;
}

static cJSON *destination_document(const struct wizard *w)
{
	cJSON *dest = cJSON_CreateObject();
	switch (w->dest) {
	case WDEST_FILE:
		cJSON_AddStringToObject(dest, "type", "file");
		put_text(dest, "path", &w->file_path);
		cJSON_AddStringToObject(dest, "format", wiz_file_formats[w->file_format]);
		break;
	case WDEST_SHOP:
	case WDEST_SITE: {
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(w->base, "destination");
		cJSON *ref = w->dest == WDEST_SITE ? shop_ref(w->sites, w->nsites, w->dest_site, was) :
		             shop_ref(w->shops, w->nshops, w->dest_shop, was);
		cJSON_DeleteItemFromObjectCaseSensitive(ref, "path");
		cJSON_DeleteItemFromObjectCaseSensitive(ref, "format");
		put(ref, "type", cJSON_CreateString(dest_type(w)));
		cJSON_Delete(dest);
		return ref;
	}
	case WDEST_NEW_SHOP:   /* by name until saving creates the shop and knows its id */
		cJSON_AddStringToObject(dest, "type", "woocommerce");
		put_text(dest, "name", &w->shop_name);
		break;
	default:
		cJSON_Delete(dest);
		return NULL;
	}
	return dest;
}

char *wizard_schedule_text(const struct wizard *w)
{
	char *t;
	switch (w->schedule) {
	case WSCHED_EVERY:
		t = wizard_trimmed(&w->every_minutes);
		break;
	case WSCHED_DAILY: {
		char *at = wizard_trimmed(&w->daily_at);
		t = xasprintf("daily %s", at);
		free(at);
		return t;
	}
	case WSCHED_CRON:
		return wizard_trimmed(&w->cron);
	default:
		return xstrdup("manual");
	}
	char *text = xasprintf("every %sm", t);
	free(t);
	return text;
}

static void put_or_delete(cJSON *doc, const char *key, cJSON *item)
{
	if (item)
		put(doc, key, item);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
}

cJSON *wizard_document(const struct wizard *w)
{
	cJSON *doc = cJSON_Duplicate(w->base, true);
	put_text(doc, "name", &w->name);
	put(doc, "active", cJSON_CreateBool(w->active));
	put_or_delete(doc, "preset", w->preset ? cJSON_CreateString(w->preset) : NULL);
	put(doc, "source", source_document(w));
	put_or_delete(doc, "filters", filters_document(w));
	put_or_delete(doc, "mapping", mapping_document(w));
	put(doc, "update", update_document(w));
	char *schedule = wizard_schedule_text(w);
	put(doc, "schedule", cJSON_CreateString(schedule));
	free(schedule);
	put_or_delete(doc, "destination", destination_document(w));
	return doc;
}

static char *print_json(const cJSON *doc)
{
	char *printed = cJSON_Print(doc);
	char *out = xstrdup(printed ? printed : "{}");
	cJSON_free(printed);
	return out;
}

char *wizard_document_text(const struct wizard *w)
{
	cJSON *doc = wizard_document(w);
	char *text = print_json(doc);
	cJSON_Delete(doc);
	return text;
}

bool wizard_changed(const struct wizard *w)
{
	char *now = wizard_document_text(w);
	bool changed = !str_eq(now, w->initial);
	free(now);
	return changed;
}

/* ---- problems ---------------------------------------------------------------------------------------- */

enum wiz_step wizard_problem_step(const char *problem)
{
	static const struct {
		const char *prefix;
		enum wiz_step step;
	} steps[] = {
		{"name", WIZ_SOURCE}, {"source", WIZ_SOURCE}, {"filters", WIZ_PREVIEW}, {"columns", WIZ_PREVIEW},
		{"mapping", WIZ_MAPPING}, {"preset", WIZ_MAPPING}, {"update", WIZ_DESTINATION}, {"destination", WIZ_DESTINATION},
		{"schedule", WIZ_SCHEDULE}, {"active", WIZ_SCHEDULE},
	};
	size_t len = strspn(problem, "abcdefghijklmnopqrstuvwxyz_");
	if (!len || !strchr(".[:", problem[len]))
		return WIZ_REVIEW;
	for (size_t i = 0; i < ARRAY_LEN(steps); i++)
		if (strlen(steps[i].prefix) == len && strncmp(problem, steps[i].prefix, len) == 0)
			return steps[i].step;
	return WIZ_REVIEW;
}

size_t wizard_step_problems(const struct wizard *w, enum wiz_step step)
{
	size_t n = 0;
	for (size_t i = 0; i < w->problems.n; i++)
		n += wizard_problem_step(w->problems.items[i]) == step;
	return n;
}

/* What the document cannot say about a shop to be created: its address and credentials. */
static void check_new_shop(const struct wizard *w, struct problems *pr)
{
	if (w->dest != WDEST_NEW_SHOP)
		return;
	char *url = wizard_trimmed(&w->shop_url);
	if (!*url)
		problems_add(pr, "destination.url", "the new shop's address is required (like https://shop.example.com)");
	else if (!dest_url_valid(url))
		problems_add(pr, "destination.url", "'%s' is not a shop address like https://shop.example.com (no user, "
		             "query or spaces)", url);
	free(url);
	if (blank(&w->shop_key) || blank(&w->shop_secret))
		problems_add(pr, "destination.key", "the new shop needs its REST API consumer key and secret "
		             "(WooCommerce > Settings > Advanced > REST API)");
}

void wizard_validate(struct wizard *w)
{
	problems_free(&w->problems);
	char *text = wizard_document_text(w);
	struct conn_config *conn = conn_parse(text, &w->problems);
	free(text);
	if (conn) /* with a sample, a required field the feed has no column for is a problem of this step */
		preset_check_named(&w->presets, &w->preset_problems, conn, (const char *const *)w->preview.columns,
		                   w->have_preview ? w->preview.n_columns : 0, &w->problems);
	conn_free(conn);
	check_new_shop(w, &w->problems);
}

/* ---- the sample -------------------------------------------------------------------------------------- */

static void find_suggestions(struct wizard *w, const struct conn_config *conn)
{
	const char *const *names = (const char *const *)w->preview.columns;
	for (size_t i = 0; i < w->nfields; i++)
		w->fields[i].suggestion = mapping_suggest(conn->aliases, w->fields[i].dest, names, w->preview.n_columns);
	w->category_suggestion = mapping_suggest(conn->aliases, PF_CATEGORIES, names, w->preview.n_columns);
}

struct conn_config *wizard_partial_conn(const struct wizard *w, enum wiz_step last, struct problems *pr)
{
	static const struct {
		const char *member;
		enum wiz_step step;
	} members[] = {
		{"filters", WIZ_PREVIEW}, {"mapping", WIZ_MAPPING}, {"update", WIZ_DESTINATION},
		{"destination", WIZ_DESTINATION}, {"schedule", WIZ_SCHEDULE}, {"active", WIZ_SCHEDULE},
	};
	cJSON *doc = wizard_document(w);
	put(doc, "name", cJSON_CreateString("sample"));
	for (size_t i = 0; i < ARRAY_LEN(members); i++)
		if (members[i].step > last)
			cJSON_DeleteItemFromObjectCaseSensitive(doc, members[i].member);
	char *text = print_json(doc);
	cJSON_Delete(doc);
	struct conn_config *conn = conn_parse(text, pr);
	free(text);
	return conn;
}

void wizard_refresh_preview(struct wizard *w, const struct config *cfg)
{
	if (w->have_preview)
		preview_free(&w->preview);
	w->have_preview = false;
	if (!w->have_sample) {
		if (!w->preview_error[0])
			str_copy(w->preview_error, "no sample yet: fetch one on step 1", sizeof(w->preview_error));
		return;
	}
	struct problems pr = {0};
	struct conn_config *conn = wizard_partial_conn(w, WIZ_MAPPING, &pr);
	if (!conn) {
		snprintf(w->preview_error, sizeof(w->preview_error), "the sample cannot be read until this is fixed: %s",
		         pr.n ? pr.items[0] : "the document is not valid");
	} else {
		preview_read(cfg, conn, w->sample.path, WIZ_SAMPLE_ROWS, &w->preview);
		w->have_preview = true;
		w->preview_error[0] = '\0';
		find_suggestions(w, conn);
	}
	problems_free(&pr);
	conn_free(conn);
}

void wizard_set_sample(struct wizard *w, const struct config *cfg, struct fetch_result *res)
{
	if (w->have_sample)
		fetch_cleanup(&w->sample);
	w->sample = *res;
	memset(res, 0, sizeof(*res));
	w->have_sample = true;
	bool feed = w->source != WSRC_SHOP;
	struct feed_sniff sniff;
	char err[512];
	if (feed && blank(&w->encoding) && w->source != WSRC_WINMENTOR &&
	    feed_sniff(w->sample.path, &sniff, err, sizeof(err)) == 0 && !encoding_is_utf8(sniff.encoding))
		set_text(&w->encoding, sniff.encoding);
	wizard_refresh_preview(w, cfg);
	if (w->source == WSRC_CSV && blank(&w->delimiter) && w->have_preview && w->preview.delimiter) {
		/* The delimiter a run would sniff anyway: showing it is no change to ask about when leaving. */
		bool untouched = !wizard_changed(w);
		char d[2] = {w->preview.delimiter, '\0'};
		char_option_text(d, &w->delimiter);
		wizard_refresh_preview(w, cfg);
		if (untouched) {
			free(w->initial);
			w->initial = wizard_document_text(w);
		}
	}
}

size_t wizard_rows_passing(const struct wizard *w, size_t *of)
{
	*of = w->have_preview ? w->preview.n_rows : 0;
	return w->have_preview ? w->preview.n_rows - w->preview.skipped : 0;
}

const char *wizard_auto_column(const struct wizard *w, const char *dest)
{
	int i = str_eq(dest, PF_CATEGORIES) ? w->category_suggestion : -1;
	const struct wiz_field *f = NULL;
	for (size_t k = 0; k < w->nfields && !f; k++)
		if (str_eq(w->fields[k].dest, dest))
			f = &w->fields[k];
	if (f)
		i = f->suggestion;
	return w->have_preview && i >= 0 && (size_t)i < w->preview.n_columns ? w->preview.columns[i] : "";
}

/* The sample column categories come from: the one chosen (by its name as the feed writes it, or folded), or
 * the one auto reads. */
static int category_column_index(const struct wizard *w)
{
	if (w->category_kind == WMAP_AUTO)
		return w->category_suggestion;
	for (size_t i = 0; w->category_kind == WMAP_COLUMN && i < w->preview.n_columns; i++)
		if (strcasecmp(w->preview.columns[i], sb_str(&w->category_column)) == 0)
			return (int)i;
	return -1;
}

static int category_cmp(const void *a, const void *b)
{
	return strcmp(((const struct wiz_category *)a)->path, ((const struct wiz_category *)b)->path);
}

size_t wizard_parse_categories(struct wizard *w)
{
	int col = w->have_preview ? category_column_index(w) : -1;
	for (size_t r = 0; col >= 0 && r < w->preview.n_rows; r++) {
		char *path = mapping_category_path(sb_str(&w->category_delimiter), w->preview.rows[r].values[col]);
		bool known = !*path;
		for (size_t i = 0; i < w->ncategories && !known; i++)
			known = str_eq(w->categories[i].path, path);
		if (!known && w->ncategories < WIZ_CATEGORIES_MAX) {
			struct wiz_category *c = &w->categories[w->ncategories++];
			memset(c, 0, sizeof(*c));
			c->path = path;
			path = NULL;
		}
		free(path);
	}
	qsort(w->categories, w->ncategories, sizeof(w->categories[0]), category_cmp);
	return w->ncategories;
}

/* ---- schedule, summary ------------------------------------------------------------------------------- */

int wizard_next_runs(const struct wizard *w, int64_t now, int64_t *out, int n, char *err, size_t errsize)
{
	char *text = wizard_schedule_text(w);
	struct schedule s;
	int rc = schedule_parse(text, &s, err, errsize);
	free(text);
	if (rc < 0)
		return -1;
	int count = 0;
	int64_t at = now, last = 0;
	while (count < n && s.kind != SCHEDULE_MANUAL) {
		int64_t next = schedule_next(&s, at, last);
		if (next < 0)
			break;
		out[count++] = next;
		at = last = next;
	}
	return count;
}

static void summary_source(const struct wizard *w, struct strbuf *out)
{
	sb_addf(out, "Name:         %s\n", sb_str(&w->name));
	if (w->source == WSRC_SHOP) {
		bool chosen = w->source_shop >= 0 && (size_t)w->source_shop < w->nshops;
		sb_addf(out, "Source:       %s %s, products with status %s\n", wiz_source_labels[w->source],
		        chosen ? w->shops[w->source_shop].name : "(none chosen)", wiz_shop_statuses[w->shop_status]);
		return;
	}
	sb_addf(out, "Source:       %s %s\n", wiz_source_labels[w->source], sb_str(&w->url));
	if (w->source == WSRC_CSV || w->source == WSRC_WINMENTOR)
		sb_addf(out, "              delimiter %s, enclosure %s, encoding %s, %s\n",
		        blank(&w->delimiter) ? "sniffed" : sb_str(&w->delimiter),
		        blank(&w->enclosure) ? "\"" : sb_str(&w->enclosure),
		        blank(&w->encoding) ? "default" : sb_str(&w->encoding), w->header ? "header row" : "no header row");
	if (w->auth != WAUTH_NONE)
		sb_addf(out, "              authentication: %s\n", wiz_auth_labels[w->auth]);
}

static void summary_filters(const struct wizard *w, struct strbuf *out)
{
	if (!w->nrules)
		sb_adds(out, "Filters:      none, every row is imported\n");
	for (size_t i = 0; i < w->nrules; i++)
		sb_addf(out, "%s%s %s %s\n", i ? (w->match_any ? "          or  " : "          and ") : "Filters:      ",
		        sb_str(&w->rules[i].field), filter_op_names[w->rules[i].op], sb_str(&w->rules[i].value));
	size_t of, pass = wizard_rows_passing(w, &of);
	if (w->have_preview)
		sb_addf(out, "              %zu of %zu sample rows pass\n", pass, of);
}

static void summary_mapping(const struct wizard *w, struct strbuf *out)
{
	if (w->preset)
		sb_addf(out, "Preset:       %s\n", w->preset);
	sb_adds(out, "Mapping:     ");
	size_t shown = 0, unknown = 0;
	for (size_t i = 0; i < w->nfields; i++) {
		const struct wiz_field *f = &w->fields[i];
		const char *col = f->kind == WMAP_AUTO ? wizard_auto_column(w, f->dest) : "";
		if (f->kind == WMAP_NONE || (f->kind == WMAP_AUTO && !*col)) {
			unknown += f->kind == WMAP_AUTO && !w->have_preview;
			continue;
		}
		sb_addf(out, "%s %s", shown++ ? "," : "", f->dest);
		if (f->kind == WMAP_CONSTANT)
			sb_addf(out, "='%s'", sb_str(&f->value));
		else
			sb_addf(out, "<-%s", f->kind == WMAP_AUTO ? col : sb_str(&f->column));
	}
	if (unknown)
		sb_addf(out, "%s %zu field%s from the columns of the same names", shown ? ", and" : "", unknown,
		        unknown == 1 ? "" : "s");
	sb_addc(out, '\n');
	if (w->category_kind != WMAP_NONE)
		sb_addf(out, "Categories:   from %s, split on '%s', %zu path%s listed\n",
		        w->category_kind == WMAP_COLUMN ? sb_str(&w->category_column) : "the category column",
		        sb_str(&w->category_delimiter), w->ncategories, w->ncategories == 1 ? "" : "s");
}

static void summary_destination(const struct wizard *w, struct strbuf *out)
{
	switch (w->dest) {
	case WDEST_FILE:
		sb_addf(out, "Destination:  file %s (%s)\n", sb_str(&w->file_path), wiz_file_formats[w->file_format]);
		break;
	case WDEST_SHOP:
		sb_addf(out, "Destination:  WooCommerce shop %s\n", w->dest_shop >= 0 && (size_t)w->dest_shop < w->nshops ?
		        w->shops[w->dest_shop].name : "(none chosen)");
		break;
	case WDEST_NEW_SHOP:
		sb_addf(out, "Destination:  new WooCommerce shop %s at %s\n", sb_str(&w->shop_name), sb_str(&w->shop_url));
		break;
	case WDEST_SITE:
		sb_addf(out, "Destination:  WordPress site %s\n", w->dest_site >= 0 && (size_t)w->dest_site < w->nsites ?
		        w->sites[w->dest_site].name : "(none chosen)");
		break;
	default:
		sb_adds(out, "Destination:  none (the catalog only)\n");
	}
	sb_addf(out, "Updates:      %s, %s new products, missing products: %s after %s day(s) / %s run(s)\n",
	        w->update_all ? "every field" : "chosen fields", w->create_missing ? "create" : "do not create",
	        wiz_missing_actions[w->missing_action], sb_str(&w->missing_days), sb_str(&w->missing_runs));
}

void wizard_summary(const struct wizard *w, struct strbuf *out)
{
	summary_source(w, out);
	summary_filters(w, out);
	summary_mapping(w, out);
	summary_destination(w, out);
	char *schedule = wizard_schedule_text(w);
	sb_addf(out, "Schedule:     %s, %s\n", schedule, w->active ? "active" : "inactive");
	free(schedule);
}

/* ---- saving ------------------------------------------------------------------------------------------ */

static int create_shop(struct wizard *w, struct store *s, const struct config *cfg, int64_t *id, char *err,
                       size_t errsize)
{
	char *name = wizard_trimmed(&w->shop_name), *url = wizard_trimmed(&w->shop_url);
	char *key = wizard_trimmed(&w->shop_key), *secret = wizard_trimmed(&w->shop_secret);
	struct dest_changes c = {
		.name = name, .url = url, .verify_tls = w->shop_verify_tls, .key = key, .secret = secret,
	};
	char why[512];
	int rc = 0;
	if (dest_save(s, cfg, &c, NULL, id, why, sizeof(why)) != DEST_SAVED) {
		snprintf(err, errsize, "not saved: the new shop: %s", why);
		rc = -1;
	}
	free(name);
	free(url);
	free(key);
	free(secret);
	return rc;
}

static int save_document(struct wizard *w, struct store *s, int64_t shop_id, int64_t *conn_id, char *err,
                         size_t errsize)
{
	cJSON *doc = wizard_document(w);
	if (w->dest == WDEST_NEW_SHOP) {
		cJSON *dest = cJSON_CreateObject();
		cJSON_AddStringToObject(dest, "type", "woocommerce");
		cJSON_AddNumberToObject(dest, "id", (double)shop_id);
		put(doc, "destination", dest);
	}
	char *text = print_json(doc);
	cJSON_Delete(doc);
	struct conn_save cs = {.id = w->mode == WIZ_EDIT ? w->conn_id : 0, .unique_route = true};
	enum conn_save_result r = conn_save(s, text, &cs);
	free(text);
	int rc = 0;
	if (r == CONN_SAVE_INVALID) {
		problems_free(&w->problems);
		w->problems = cs.problems;
		memset(&cs.problems, 0, sizeof(cs.problems));
		snprintf(err, errsize, "not saved: the document has %zu problem%s", w->problems.n,
		         w->problems.n == 1 ? "" : "s");
		rc = -1;
	} else if (r != CONN_SAVED) {
		snprintf(err, errsize, "not saved: %s", cs.err);
		rc = -1;
	} else {
		*conn_id = cs.id;
	}
	problems_free(&cs.problems);
	return rc;
}

int wizard_save(struct wizard *w, struct store *s, const struct config *cfg, int64_t *conn_id, char *err,
                size_t errsize)
{
	wizard_validate(w);
	if (w->problems.n) {
		snprintf(err, errsize, "not saved: %zu problem%s to fix first (listed by step)", w->problems.n,
		         w->problems.n == 1 ? "" : "s");
		return -1;
	}
	if (store_begin(s) < 0) {
		snprintf(err, errsize, "not saved: cannot start a transaction: %s", store_errmsg(s));
		return -1;
	}
	int64_t shop_id = 0;
	int rc = w->dest == WDEST_NEW_SHOP ? create_shop(w, s, cfg, &shop_id, err, errsize) : 0;
	if (rc == 0)
		rc = save_document(w, s, shop_id, conn_id, err, errsize);
	if (rc == 0 && store_commit(s) < 0) {
		snprintf(err, errsize, "not saved: %s", store_errmsg(s));
		rc = -1;
	}
	if (rc < 0)
		store_rollback(s);
	else {
		free(w->initial);
		w->initial = wizard_document_text(w);
	}
	return rc;
}
