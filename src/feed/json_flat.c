/*
 * Flattens one parsed JSON item into dotted-path columns (feed/json_flat.h). Every string lives in one arena
 * per item (text) and entries keep offsets into it, so growing the arena never leaves a pointer dangling;
 * the record's arrays are filled from the offsets once the item is done.
 */
#include "feed/json_flat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "core/util.h"
#include "feed/mapping.h"
#include "feed/normalize.h"
#include "formats.h"

#define NO_OFFSET SIZE_MAX
#define SHOWN_PATH 120 /* bytes of a path quoted in a problem */
#define MAX_REPEATS_WARNED 16 /* distinct repeated keys a run warns about; past them, renamed in silence */

struct flat_entry {
	size_t name;       /* offset in text of the dotted path */
	size_t wild;       /* offset of the path with every index as '*', or NO_OFFSET outside indexed arrays */
	const char *value; /* in the parsed item, or NULL when the value is in text at value_off */
	size_t value_off;
	const char *join;  /* between this value and others of the same wildcard path */
	bool merged;       /* already joined into its wildcard column */
};

struct json_flat {
	char *list_join;
	struct strbuf text;       /* names and built values, each NUL-terminated */
	struct strbuf path, wild; /* of the value being walked */
	struct flat_entry *entries;
	size_t n, cap;
	char **numbers; /* the item's number texts, in document order, which is cJSON's order too */
	size_t n_numbers, numbers_cap, next_number;
	const char **names, **values;
	size_t out_cap;
	bool failed;
	char problem[320];
	struct strbuf renamed;    /* the segment of a repeated key: KEY_2 */
	struct problems *warnings;
	const struct record *rec; /* the item being flattened, for the place a warning names */
	char *warned[MAX_REPEATS_WARNED]; /* the dotted paths repeated keys were warned about as ("d.w_2") */
	size_t n_warned;
};

struct json_flat *json_flat_new(const char *list_join, struct problems *warnings)
{
	struct json_flat *f = xcalloc(1, sizeof(*f));
	f->list_join = xstrdup(list_join && *list_join ? list_join : CATEGORY_PATH_JOIN);
	f->warnings = warnings;
	return f;
}

void json_flat_free(struct json_flat *f)
{
	if (!f)
		return;
	free(f->list_join);
	sb_free(&f->text);
	sb_free(&f->path);
	sb_free(&f->wild);
	free(f->entries);
	free(f->numbers);
	free(f->names);
	free(f->values);
	sb_free(&f->renamed);
	for (size_t i = 0; i < f->n_warned; i++)
		free(f->warned[i]);
	free(f);
}

/*
 * cJSON keeps numbers only as doubles ("12.50" would come back as 12.5): finds each number's text instead
 * and terminates it in place. Outside strings, a digit or '-' can only start a number in valid JSON.
 */
static void cut_numbers(struct json_flat *f, char *text, size_t len)
{
	f->n_numbers = f->next_number = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				i += text[i] == '\\';
			continue;
		}
		if (c != '-' && (c < '0' || c > '9'))
			continue;
		f->numbers = array_grow(f->numbers, &f->numbers_cap, f->n_numbers + 1, sizeof(*f->numbers));
		f->numbers[f->n_numbers++] = text + i;
		while (i < len && text[i] && strchr("+-.eE0123456789", text[i]))
			i++;
		text[i] = '\0'; /* a ',', '}', ']' or space: nothing the scan needs again */
	}
}

/* The text a scalar becomes; numbers are taken in order, so call it once per number, in document order. */
static const char *scalar_text(struct json_flat *f, const cJSON *v)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return f->next_number < f->n_numbers ? f->numbers[f->next_number++] : "";
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	return ""; /* null */
}

static bool is_scalar(const cJSON *v)
{
	return !cJSON_IsObject(v) && !cJSON_IsArray(v);
}

/* The first limit reached makes the row malformed: what happened, then where. */
static void fail(struct json_flat *f, const char *what, const char *path)
{
	if (f->failed)
		return;
	f->failed = true;
	size_t len = strlen(path), shown = utf8_valid_prefix(path, len < SHOWN_PATH ? len : SHOWN_PATH);
	snprintf(f->problem, sizeof(f->problem), "the item %s (at '%.*s%s')", what, (int)shown, path,
	         shown < len ? "..." : "");
}

static void fail_columns(struct json_flat *f, const char *path)
{
	char what[96];
	snprintf(what, sizeof(what), "has more than %d columns once its nested values are flattened",
	         JSON_FLAT_MAX_COLUMNS);
	fail(f, what, path);
}

static size_t add_text(struct json_flat *f, const char *s, size_t len)
{
	size_t at = f->text.len;
	sb_add(&f->text, s, len);
	sb_addc(&f->text, '\0');
	return at;
}

static struct flat_entry *add_entry(struct json_flat *f, const char *join)
{
	if (f->n == JSON_FLAT_MAX_COLUMNS) {
		fail_columns(f, f->path.buf);
		return NULL;
	}
	f->entries = array_grow(f->entries, &f->cap, f->n + 1, sizeof(*f->entries));
	struct flat_entry *e = &f->entries[f->n++];
	*e = (struct flat_entry){.name = add_text(f, f->path.buf, f->path.len), .wild = NO_OFFSET, .join = join};
	if (strcmp(f->path.buf, f->wild.buf) != 0)
		e->wild = add_text(f, f->wild.buf, f->wild.len);
	return e;
}

static void check_utf8(struct json_flat *f, const char *value)
{
	if (f->failed || !*value)
		return;
	const char *bad = source_check_utf8(f->problem, sizeof(f->problem), f->path.buf, value, strlen(value));
	f->failed = bad != NULL;
}

static void add_scalar(struct json_flat *f, const cJSON *v, const char *join)
{
	struct flat_entry *e = add_entry(f, join);
	if (!e)
		return;
	e->value = scalar_text(f, v);
	if (cJSON_IsString(v))
		check_utf8(f, e->value);
}

/* An array of scalars: one column, its non-empty values joined. */
static void add_list(struct json_flat *f, const cJSON *array, const char *join)
{
	struct flat_entry *e = add_entry(f, join);
	if (!e)
		return;
	e->value_off = f->text.len;
	bool first = true;
	for (const cJSON *v = array->child; v; v = v->next) {
		const char *s = scalar_text(f, v);
		if (cJSON_IsString(v))
			check_utf8(f, s);
		if (!*s)
			continue;
		if (!first)
			sb_adds(&f->text, join);
		sb_adds(&f->text, s);
		first = false;
	}
	sb_addc(&f->text, '\0');
}

/* Appends ".seg" (or "seg" at the top) to path; returns the length to cut back to. */
static size_t push(struct strbuf *path, const char *seg)
{
	size_t at = path->len;
	if (at)
		sb_addc(path, '.');
	sb_adds(path, seg);
	return at;
}

static void pop(struct strbuf *path, size_t at)
{
	path->len = at;
	path->buf[at] = '\0';
}

/* "|" for a list named like an image column, else the list join. */
static const char *join_for(const struct json_flat *f, const char *name)
{
	char canonical[64];
	normalize_column(NULL, name, canonical, sizeof(canonical));
	return strcmp(canonical, "image") == 0 ? JSON_IMAGE_JOIN : f->list_join;
}

static void walk(struct json_flat *f, const cJSON *v, int depth, const char *join);

static bool has_key(const cJSON *obj, const char *key)
{
	for (const cJSON *k = obj->child; k; k = k->next)
		if (strcmp(k->string, key) == 0)
			return true;
	return false;
}

/* Once a run for each path a repeated key is read as, in a CSV header's words, naming the item (or line). */
static void warn_repeat(struct json_flat *f, const char *key, size_t at, size_t first)
{
	if (!f->warnings || f->n_warned == MAX_REPEATS_WARNED)
		return;
	const char *dot = f->path.len ? "." : "";
	char *renamed = xasprintf("%s%s%s", f->path.buf, dot, f->renamed.buf);
	for (size_t i = 0; i < f->n_warned; i++)
		if (strcmp(f->warned[i], renamed) == 0) {
			free(renamed);
			return;
		}
	char place[RECORD_PLACE_SIZE];
	problems_add(f->warnings, "columns", "%s: key %zu `%s%s%s` repeats key %zu; read it as `%s`",
	             record_place(f->rec->line, f->rec->item, place), at, f->path.buf, dot, key, first, renamed);
	f->warned[f->n_warned++] = renamed;
}

/*
 * The segment member c of object obj is read under: its key, or, when an earlier member has the same key
 * (which every lookup would find instead), KEY_2 (KEY_3 for the third: the first suffix no member has), as
 * a CSV header that repeats a name is read. Valid until the next call.
 */
static const char *member_key(struct json_flat *f, const cJSON *obj, const cJSON *c)
{
	size_t at = 1, first = 0, seen = 0;
	for (const cJSON *k = obj->child; k != c; k = k->next, at++)
		if (strcmp(k->string, c->string) == 0 && seen++ == 0)
			first = at;
	if (!seen)
		return c->string;
	size_t suffix = seen + 1;
	do {
		sb_reset(&f->renamed);
		sb_addf(&f->renamed, "%s_%zu", c->string, suffix++);
	} while (has_key(obj, f->renamed.buf));
	warn_repeat(f, c->string, at, first);
	return f->renamed.buf;
}

static void walk_member(struct json_flat *f, const cJSON *v, const char *seg, const char *wild_seg, int depth,
                        const char *join)
{
	size_t p = push(&f->path, seg), w = push(&f->wild, wild_seg);
	walk(f, v, depth, join);
	pop(&f->path, p);
	pop(&f->wild, w);
}

static void walk(struct json_flat *f, const cJSON *v, int depth, const char *join)
{
	if (f->failed)
		return;
	if (is_scalar(v)) {
		add_scalar(f, v, join);
		return;
	}
	bool list = cJSON_IsArray(v);
	for (const cJSON *c = v->child; list && c; c = c->next)
		list = is_scalar(c);
	if (list) {
		add_list(f, v, join);
		return;
	}
	if (depth == JSON_FLAT_MAX_DEPTH) {
		char what[64];
		snprintf(what, sizeof(what), "is nested deeper than %d levels", JSON_FLAT_MAX_DEPTH);
		fail(f, what, f->path.buf);
		return;
	}
	int i = 0;
	char index[16];
	for (const cJSON *c = v->child; c && !f->failed; c = c->next, i++) {
		if (cJSON_IsArray(v)) {
			snprintf(index, sizeof(index), "%d", i);
			walk_member(f, c, index, "*", depth + 1, join);
		} else {
			const char *key = member_key(f, v, c);
			walk_member(f, c, key, key, depth + 1, cJSON_IsArray(c) ? join_for(f, c->string) : join);
		}
	}
}

static const char *entry_value(const struct json_flat *f, const struct flat_entry *e)
{
	return e->value ? e->value : f->text.buf + e->value_off;
}

/* One column per wildcard path: the non-empty values of every match, in document order, joined. */
static void add_wildcards(struct json_flat *f)
{
	size_t leaves = f->n;
	for (size_t i = 0; i < leaves && !f->failed; i++) {
		if (f->entries[i].wild == NO_OFFSET || f->entries[i].merged)
			continue;
		if (f->n == JSON_FLAT_MAX_COLUMNS) {
			fail_columns(f, f->text.buf + f->entries[i].wild);
			return;
		}
		size_t value_off = f->text.len;
		bool first = true;
		for (size_t k = i; k < leaves; k++) {
			struct flat_entry *e = &f->entries[k];
			if (e->wild == NO_OFFSET || e->merged ||
			    strcmp(f->text.buf + e->wild, f->text.buf + f->entries[i].wild) != 0)
				continue;
			e->merged = true;
			const char *s = entry_value(f, e);
			if (!*s)
				continue;
			size_t len = strlen(s), join_len = first ? 0 : strlen(e->join);
			/* s may live in text: with room made first, appending cannot move it. */
			sb_reserve(&f->text, join_len + len);
			s = entry_value(f, e);
			sb_add(&f->text, e->join ? e->join : "", join_len);
			sb_add(&f->text, s, len);
			first = false;
		}
		sb_addc(&f->text, '\0');
		f->entries = array_grow(f->entries, &f->cap, f->n + 1, sizeof(*f->entries));
		f->entries[f->n++] = (struct flat_entry){.name = f->entries[i].wild, .wild = NO_OFFSET,
		                                         .value_off = value_off};
	}
}

void json_flat_item(struct json_flat *f, const cJSON *item, char *text, size_t len, struct record *rec)
{
	f->n = 0;
	f->failed = false;
	sb_reset(&f->text);
	sb_reset(&f->path);
	sb_reset(&f->wild);
	sb_adds(&f->path, "");
	sb_adds(&f->wild, "");
	cut_numbers(f, text, len);
	f->rec = rec;
	for (const cJSON *c = item->child; c && !f->failed; c = c->next) {
		const char *key = member_key(f, item, c);
		walk_member(f, c, key, key, 0, cJSON_IsArray(c) ? join_for(f, c->string) : f->list_join);
	}
	add_wildcards(f);
	if (f->n > f->out_cap) {
		f->out_cap = f->n * 2;
		f->names = xrealloc(f->names, f->out_cap * sizeof(*f->names));
		f->values = xrealloc(f->values, f->out_cap * sizeof(*f->values));
	}
	for (size_t i = 0; i < f->n; i++) {
		f->names[i] = f->text.buf + f->entries[i].name;
		f->values[i] = entry_value(f, &f->entries[i]);
	}
	rec->n = f->failed ? 0 : f->n;
	rec->names = f->names;
	rec->values = f->values;
	rec->problem = f->failed ? f->problem : NULL;
}
