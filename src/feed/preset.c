/* Mapping presets: reading, choosing a version, matching feed columns, checking connections (see preset.h). */
#include "feed/preset.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data_dir.h"
#include "core/util.h"
#include "feed/conn.h"
#include "feed/jsoncheck.h"
#include "feed/mapping.h"

#define PRESET_FILE_MAX ((long)1 << 20)
#define VERSION_MAX 9999

static const char *const top_keys[] = {"name", "version", "title", "description", "destinations", "fields", NULL};
static const char *const field_keys[] = {"target", "meaning", "required", "sources", "default", "example", NULL};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > PRESET_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool preset_ref_parse(const char *ref, char *name, size_t size, int *version)
{
	const char *at = strchr(ref, '@');
	size_t len = at ? (size_t)(at - ref) : strlen(ref);
	if (!valid_name(ref, len) || len >= size)
		return false;
	*version = 0;
	if (at) {
		int64_t v;
		if (!parse_int64(at + 1, &v) || v < 1 || v > VERSION_MAX || at[1] == '+' || at[1] == '0')
			return false;
		*version = (int)v;
	}
	memcpy(name, ref, len);
	name[len] = '\0';
	return true;
}

const char *preset_label(const struct preset *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s@%d", p->name, p->version);
	return buf;
}

/* ---- parsing ----------------------------------------------------------------------------------------- */

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* A list of non-empty strings at obj.key; NULL-terminated, empty when absent. */
static char **string_list(const cJSON *obj, const char *key, const char *path, struct problems *pr)
{
	char where[128], at[160];
	const cJSON *list = json_member(obj, key, cJSON_Array, path, pr);
	char **v = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*v));
	size_t n = 0, i = 0;
	json_path(where, sizeof(where), path, key);
	for (const cJSON *it = list ? list->child : NULL; it; it = it->next, i++) {
		if (cJSON_IsString(it) && *it->valuestring)
			v[n++] = xstrdup(it->valuestring);
		else
			problems_add(pr, json_path_at(at, sizeof(at), where, i), "must be a non-empty string, not %s",
			             cJSON_IsString(it) ? "an empty one" : json_kind(it));
	}
	return v;
}

static char *optional_text(const cJSON *obj, const char *key, const char *path, struct problems *pr)
{
	char num[64];
	const cJSON *item = json_member(obj, key, JSON_SCALAR, path, pr);
	return item ? xstrdup(json_scalar_text(item, num, sizeof(num))) : NULL;
}

static void parse_field(struct preset *p, const cJSON *spec, const char *path, struct problems *pr)
{
	if (!cJSON_IsObject(spec)) {
		problems_add(pr, path, "must be an object like {\"target\": \"name\", \"sources\": [\"title\"]}, not %s",
		             json_kind(spec));
		return;
	}
	json_check_keys(spec, field_keys, path, pr);
	const char *target = json_required_string(spec, "target", "the destination field, like \"name\"", path, pr);
	if (!target)
		return;
	for (size_t i = 0; i < p->nfields; i++)
		if (str_eq(p->fields[i].target, target)) {
			problems_add(pr, path, "target '%s' is listed twice", target);
			return;
		}
	struct preset_field *f = &p->fields[p->nfields++];
	f->target = xstrdup(target);
	f->meaning = optional_text(spec, "meaning", path, pr);
	const cJSON *required = json_member(spec, "required", JSON_BOOL, path, pr);
	f->required = cJSON_IsTrue(required);
	f->sources = string_list(spec, "sources", path, pr);
	f->fallback = optional_text(spec, "default", path, pr);
	f->example = optional_text(spec, "example", path, pr);
}

static void parse_head(struct preset *p, const cJSON *doc, struct problems *pr)
{
	const char *name = json_required_string(doc, "name", "like \"hotel\"", "", pr);
	if (name && !valid_name(name, strlen(name)))
		problems_add(pr, "name", "'%s' must be 1 to %d of a-z, 0-9, '_' and '-'", name, PRESET_NAME_MAX);
	p->name = xstrdup(name ? name : "");
	const cJSON *version = json_member(doc, "version", cJSON_Number, "", pr);
	if (!version)
		problems_add(pr, "version", "required (a whole number from 1)");
	else if (version->valuedouble < 1 || version->valuedouble > VERSION_MAX ||
	         version->valuedouble != (double)(int)version->valuedouble)
		problems_add(pr, "version", "must be a whole number from 1 to %d", VERSION_MAX);
	else
		p->version = (int)version->valuedouble;
	p->title = optional_text(doc, "title", "", pr);
	p->description = optional_text(doc, "description", "", pr);
	p->destinations = string_list(doc, "destinations", "", pr);
	if (!p->destinations[0])
		problems_add(pr, "destinations", "lists no destination type (like [\"woocommerce\", \"file\"])");
}

static void parse_fields(struct preset *p, const cJSON *doc, struct problems *pr)
{
	char where[64];
	const cJSON *fields = json_member(doc, "fields", cJSON_Array, "", pr);
	int count = cJSON_GetArraySize(fields);
	if (!count) {
		problems_add(pr, "fields", "required: the target fields, like [{\"target\": \"sku\", \"required\": true}]");
		return;
	}
	p->fields = xcalloc((size_t)count, sizeof(*p->fields));
	size_t i = 0;
	for (const cJSON *it = fields->child; it; it = it->next, i++)
		parse_field(p, it, json_path_at(where, sizeof(where), "fields", i), pr);
}

struct preset *preset_parse(const char *text, const char *file, struct problems *pr)
{
	struct problems mine = {0};
	struct preset *p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(file);
	const char *end = NULL;
	p->doc = cJSON_ParseWithOpts(text, &end, true);
	if (!p->doc) {
		json_syntax_problem(text, end ? end : text, NULL, &mine);
	} else if (!cJSON_IsObject(p->doc)) {
		problems_add(&mine, NULL, "a preset must be a JSON object ({\"name\": ..., \"fields\": [...]}), not %s",
		             json_kind(p->doc));
	} else {
		json_check_keys(p->doc, top_keys, "", &mine);
		parse_head(p, p->doc, &mine);
		parse_fields(p, p->doc, &mine);
	}
	for (size_t i = 0; i < mine.n; i++)
		problems_add(pr, file, "%s", mine.items[i]);
	bool bad = mine.n > 0;
	problems_free(&mine);
	if (bad) {
		preset_free(p);
		return NULL;
	}
	return p;
}

void preset_free(struct preset *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfields; i++) {
		struct preset_field *f = &p->fields[i];
		free(f->target);
		free(f->meaning);
		strv_free(f->sources);
		free(f->fallback);
		free(f->example);
	}
	free(p->fields);
	free(p->name);
	free(p->title);
	free(p->description);
	strv_free(p->destinations);
	free(p->file);
	cJSON_Delete(p->doc);
	free(p);
}

/* ---- sets -------------------------------------------------------------------------------------------- */

static char *read_small_file(const char *path, struct problems *pr)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		problems_add(pr, path, "cannot read it: %s", strerror(errno));
		return NULL;
	}
	struct strbuf sb = {0};
	char buf[16384];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len <= (size_t)PRESET_FILE_MAX)
		sb_add(&sb, buf, n);
	bool failed = ferror(f);
	fclose(f);
	if (failed || sb.len > (size_t)PRESET_FILE_MAX) {
		if (failed)
			problems_add(pr, path, "cannot read it: %s", strerror(errno));
		else
			problems_add(pr, path, "is larger than %ld KiB; a preset is a small document", PRESET_FILE_MAX >> 10);
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

static int preset_cmp(const void *a, const void *b)
{
	const struct preset *x = *(const struct preset *const *)a, *y = *(const struct preset *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->version > y->version) - (x->version < y->version);
}

/* Takes p: replaces a shipped preset of its name and version, refuses a second one from the same place. */
static void set_put(struct preset_set *set, struct preset *p, struct problems *pr)
{
	for (size_t i = 0; i < set->n; i++) {
		struct preset *old = set->items[i];
		if (!str_eq(old->name, p->name) || old->version != p->version)
			continue;
		if (old->user == p->user) {
			problems_add(pr, p->file, "%s@%d is defined already in %s; this file is not used", p->name,
			             p->version, old->file);
			preset_free(p);
		} else {
			preset_free(old);
			set->items[i] = p;
		}
		return;
	}
	set->items = xrealloc(set->items, (set->n + 1) * sizeof(*set->items));
	set->items[set->n++] = p;
	qsort(set->items, set->n, sizeof(*set->items), preset_cmp);
}

static int json_file(const struct dirent *e)
{
	return e->d_name[0] != '.' && str_ends_with(e->d_name, ".json");
}

void preset_set_add_dir(struct preset_set *set, const char *dir, bool user, struct problems *pr)
{
	struct dirent **names;
	int n = scandir(dir, &names, json_file, alphasort);
	if (n < 0) {
		if (!(user && errno == ENOENT)) /* the user's directory is there only once someone makes it */
			problems_add(pr, dir, "cannot list the presets: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		char *text = read_small_file(path, pr);
		struct preset *p = text ? preset_parse(text, path, pr) : NULL;
		if (p) {
			p->user = user;
			set_put(set, p, pr);
		}
		free(text);
		free(path);
		free(names[i]);
	}
	free(names);
}

void preset_set_load(struct preset_set *set, struct problems *pr)
{
	char dir[PATH_MAX], real[PATH_MAX];
	if (data_path_find("data/presets", "presets", dir, sizeof(dir))) /* named plainly, without "build/../" */
		preset_set_add_dir(set, realpath(dir, real) ? real : dir, false, pr);
	else
		problems_add(pr, NULL, "the shipped presets are not installed (data/presets, or share/feedsync/presets "
		             "next to the program)");
	char *user = user_config_path("presets");
	if (user)
		preset_set_add_dir(set, user, true, pr);
	free(user);
}

void preset_set_free(struct preset_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		preset_free(set->items[i]);
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

const struct preset *preset_find(const struct preset_set *set, const char *ref)
{
	char name[PRESET_NAME_MAX + 1];
	int version;
	if (!ref || !preset_ref_parse(ref, name, sizeof(name), &version))
		return NULL;
	const struct preset *found = NULL;
	for (size_t i = 0; i < set->n; i++) /* versions ascend: the last of the name is the latest */
		if (str_eq(set->items[i]->name, name) && (!version || set->items[i]->version == version))
			found = set->items[i];
	return found;
}

bool preset_fits(const struct preset *p, const char *dest_type)
{
	return str_in(dest_type, (const char *const *)p->destinations);
}

/* ---- matching ---------------------------------------------------------------------------------------- */

/* A name as matching compares it: its canonical column without underscores ("Hotel-Name" -> "hotelname"). */
static char *match_key(const struct alias_table *aliases, const char *name, char *out, size_t size)
{
	normalize_column(aliases, name, out, size);
	char *w = out;
	for (const char *r = out; *r; r++)
		if (*r != '_')
			*w++ = *r;
	*w = '\0';
	return out;
}

static int find_name(const struct alias_table *aliases, const char *wanted, const char *const *names, size_t n)
{
	char want[256], have[256];
	match_key(aliases, wanted, want, sizeof(want));
	for (size_t i = 0; *want && i < n; i++)
		if (str_eq(match_key(aliases, names[i], have, sizeof(have)), want))
			return (int)i;
	return -1;
}

int preset_match(const struct preset_field *f, const struct alias_table *aliases, const char *const *names,
                 size_t n)
{
	for (char **s = f->sources; s && *s; s++) {
		int i = find_name(aliases, *s, names, n);
		if (i >= 0)
			return i;
	}
	return find_name(aliases, f->target, names, n);
}

/* ---- checking ---------------------------------------------------------------------------------------- */

static void join_list(struct strbuf *sb, char *const *v, size_t max)
{
	for (size_t i = 0; v && v[i] && i < max; i++)
		sb_addf(sb, "%s'%s'", i ? ", " : "", v[i]);
}

static void check_destination(const struct preset *p, const struct conn_config *c, const char *label,
                              struct problems *pr)
{
	if (!c->dest_type || preset_fits(p, c->dest_type))
		return;
	struct strbuf fits = {0};
	join_list(&fits, p->destinations, (size_t)-1);
	problems_add(pr, "preset", "%s is for %s destinations, not %s; choose another preset or destination", label,
	             sb_str(&fits), c->dest_type);
	sb_free(&fits);
}

static void check_unknown(const struct preset *p, const struct conn_config *c, const char *label,
                          struct problems *pr)
{
	const char **targets = xcalloc(p->nfields + 1, sizeof(*targets));
	for (size_t i = 0; i < p->nfields; i++)
		targets[i] = p->fields[i].target;
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->doc, "mapping"),
	                                                       "fields");
	char where[256];
	for (const cJSON *it = fields ? fields->child : NULL; it; it = it->next) {
		if (str_in(it->string, targets))
			continue;
		const char *near = closest_word(it->string, targets);
		json_path(where, sizeof(where), "mapping.fields", it->string);
		if (near)
			problems_add(pr, where, "'%s' is not a field of preset %s (did you mean '%s'?)", it->string, label, near);
		else
			problems_add(pr, where, "'%s' is not a field of preset %s (see 'feedsync presets show %s')",
			             it->string, label, label);
	}
	free(targets);
}

/* Whether a rule sets the field ("rules": [{"set": ...}]). */
static bool rule_sets(const struct conn_config *c, const char *target)
{
	const cJSON *rule;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(c->doc, "rules")) {
		const cJSON *set = cJSON_GetObjectItemCaseSensitive(rule, "set");
		if (cJSON_IsString(set) && str_eq(set->valuestring, target))
			return true;
	}
	return false;
}

static bool mapped_source(const struct conn_config *c, const char *target, struct mapping_source *out)
{
	for (size_t i = 0; c->mapping && mapping_source_of(c->mapping, i, out); i++)
		if (str_eq(out->dest, target))
			return true;
	return false;
}

static bool feed_has(const struct conn_config *c, const char *column, const char *const *columns, size_t n)
{
	char canonical[256];
	for (size_t i = 0; i < n; i++)
		if (str_eq(normalize_column(c->aliases, columns[i], canonical, sizeof(canonical)), column))
			return true;
	return false;
}

static void check_required(const struct preset *p, const struct conn_config *c, const char *const *columns,
                           size_t n, const char *label, struct problems *pr)
{
	char where[256];
	for (size_t i = 0; i < p->nfields; i++) {
		const struct preset_field *f = &p->fields[i];
		struct mapping_source src;
		if (!f->required || rule_sets(c, f->target))
			continue;
		json_path(where, sizeof(where), "mapping.fields", f->target);
		if (!mapped_source(c, f->target, &src)) {
			struct strbuf seen = {0};
			join_list(&seen, f->sources, 3);
			problems_add(pr, where, "preset %s requires '%s'%s%s%s; map it from a column%s%s or give it a constant",
			             label, f->target, f->meaning ? " (" : "", f->meaning ? f->meaning : "",
			             f->meaning ? ")" : "", seen.len ? " such as " : "", sb_str(&seen));
			sb_free(&seen);
		} else if (n && src.column && !src.fallback && !feed_has(c, src.column, columns, n)) {
			problems_add(pr, where, "preset %s requires '%s', but the feed has no column '%s'%s", label, f->target,
			             src.column, src.automatic ? " (which auto reads it from)" : "");
		}
	}
}

void preset_check(const struct preset *p, const struct conn_config *c, const char *const *columns, size_t n,
                  struct problems *pr)
{
	char label[PRESET_NAME_MAX + 16];
	preset_label(p, label, sizeof(label));
	check_destination(p, c, label, pr);
	check_unknown(p, c, label, pr);
	check_required(p, c, columns, n, label, pr);
}

void preset_check_named(const struct preset_set *set, const struct problems *load, const struct conn_config *c,
                        const char *const *columns, size_t n, struct problems *pr)
{
	if (!c->preset)
		return;
	const struct preset *p = preset_find(set, c->preset);
	if (p) {
		preset_check(p, c, columns, n, pr);
		return;
	}
	struct strbuf names = {0};
	char label[PRESET_NAME_MAX + 16];
	for (size_t i = 0; i < set->n; i++)
		sb_addf(&names, "%s%s", i ? ", " : "", preset_label(set->items[i], label, sizeof(label)));
	problems_add(pr, "preset", "no preset '%s' (there are: %s)", c->preset, names.len ? sb_str(&names) : "none");
	for (size_t i = 0; load && i < load->n; i++)
		problems_add(pr, "preset", "%s", load->items[i]);
	sb_free(&names);
}

void preset_check_conn(const struct conn_config *c, const char *const *columns, size_t n, struct problems *pr)
{
	if (!c->preset)
		return;
	struct preset_set set = {0};
	struct problems load = {0};
	preset_set_load(&set, &load);
	preset_check_named(&set, &load, c, columns, n, pr);
	problems_free(&load);
	preset_set_free(&set);
}
