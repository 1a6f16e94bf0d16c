#include "feed/jsoncheck.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "core/util.h"

static const struct {
	int type;
	const char *words;
} kinds[] = {
	{cJSON_String, "a string"}, {cJSON_Number, "a number"}, {JSON_BOOL, "true or false"},
	{cJSON_NULL, "null"},       {cJSON_Array, "an array"},  {cJSON_Object, "an object"},
};

const char *json_kind(const cJSON *item)
{
	for (size_t i = 0; item && i < ARRAY_LEN(kinds); i++)
		if (item->type & 0xFF & kinds[i].type)
			return kinds[i].words;
	return "nothing";
}

const char *json_path(char *buf, size_t size, const char *base, const char *key)
{
	if (base && *base)
		snprintf(buf, size, "%s.%s", base, key);
	else
		snprintf(buf, size, "%s", key);
	return buf;
}

const char *json_path_at(char *buf, size_t size, const char *base, size_t i)
{
	snprintf(buf, size, "%s[%zu]", base ? base : "", i);
	return buf;
}

/* Levenshtein distance, ASCII case ignored, so "Name" and "shedule" get a suggestion. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *closest_word(const char *key, const char *const *allowed)
{
	const char *best = NULL;
	size_t best_d = strlen(key) <= 3 ? 1 : 2;
	for (const char *const *k = allowed; *k; k++) {
		size_t d = edit_distance(key, *k);
		if (d <= best_d) {
			best = *k;
			best_d = d;
		}
	}
	return best;
}

static bool key_allowed(const char *key, const char *const *allowed)
{
	for (const char *const *k = allowed; *k; k++)
		if (strcmp(key, *k) == 0)
			return true;
	return false;
}

static void report_unknown_key(const char *key, const char *const *allowed, const char *path,
                               struct problems *pr)
{
	const char *guess = closest_word(key, allowed);
	if (guess) {
		problems_add(pr, path, "unknown key '%s' (did you mean '%s'?)", key, guess);
		return;
	}
	struct strbuf list = {0};
	for (const char *const *k = allowed; *k; k++)
		sb_addf(&list, "%s%s", k == allowed ? "" : ", ", *k);
	problems_add(pr, path, "unknown key '%s' (known keys: %s)", key, sb_str(&list));
	sb_free(&list);
}

void json_check_keys(const cJSON *obj, const char *const *allowed, const char *path, struct problems *pr)
{
	for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
		if (!key_allowed(it->string, allowed)) {
			report_unknown_key(it->string, allowed, path, pr);
			continue;
		}
		for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
			if (strcmp(prev->string, it->string) == 0) {
				problems_add(pr, path, "duplicate key '%s'", it->string);
				break;
			}
	}
}

static void add_expected_kinds(struct strbuf *sb, int types)
{
	size_t listed = 0;
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if ((types & kinds[i].type) == kinds[i].type)
			sb_addf(sb, "%s%s", listed++ ? " or " : "", kinds[i].words);
}

const cJSON *json_member(const cJSON *obj, const char *key, int types, const char *path, struct problems *pr)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item || cJSON_IsNull(item))
		return NULL;
	if (item->type & 0xFF & types)
		return item;
	char where[256];
	struct strbuf want = {0};
	add_expected_kinds(&want, types);
	problems_add(pr, json_path(where, sizeof(where), path, key), "must be %s, not %s", sb_str(&want),
	             json_kind(item));
	sb_free(&want);
	return NULL;
}

const char *json_required_string(const cJSON *obj, const char *key, const char *hint, const char *path,
                                 struct problems *pr)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (item && !cJSON_IsNull(item) && !cJSON_IsString(item)) {
		json_member(obj, key, cJSON_String, path, pr);
		return NULL;
	}
	if (!item || cJSON_IsNull(item) || !*item->valuestring) {
		char where[256];
		problems_add(pr, json_path(where, sizeof(where), path, key), "required (%s)", hint);
		return NULL;
	}
	return item->valuestring;
}

const char *json_scalar_text(const cJSON *item, char *buf, size_t size)
{
	if (cJSON_IsString(item))
		return item->valuestring;
	double d = item->valuedouble;
	/* The same rule as cJSON's printer: 15 digits unless they do not read back as the same number. */
	snprintf(buf, size, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, size, "%.17g", d);
	return buf;
}

/* How many brackets text leaves open, and whether it stops inside a string. */
static int open_brackets(const char *text, bool *in_string)
{
	int depth = 0;
	*in_string = false;
	for (const char *p = text; *p; p++) {
		if (*in_string && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			*in_string = !*in_string;
		else if (!*in_string && (*p == '{' || *p == '['))
			depth++;
		else if (!*in_string && (*p == '}' || *p == ']'))
			depth--;
	}
	return depth;
}

void json_syntax_problem(const char *text, const char *at, const char *path, struct problems *pr)
{
	bool in_string;
	int depth = open_brackets(text, &in_string);
	/* cJSON points at the end both for a cut document and for some errors on the last token. */
	bool early = in_string || (!*at && depth > 0);
	if (early)
		at = text + strlen(text);
	else /* cJSON can point just past the offending token: back onto it */
		while (at > text && (!*at || isspace((unsigned char)*at)))
			at--;
	long line = 1, column = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			line++;
			column = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			column++;
		}
	}
	if (early) {
		problems_add(pr, path, "invalid JSON: the document ends too early at line %ld, column %ld "
		             "(a missing }, ] or quote?)", line, column);
		return;
	}
	size_t n = strcspn(at, "\r\n");
	n = utf8_valid_prefix(at, n < 20 ? n : 20);
	problems_add(pr, path, "invalid JSON at line %ld, column %ld, near '%.*s'", line, column, (int)n, at);
}
