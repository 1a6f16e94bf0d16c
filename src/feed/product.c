#include "feed/product.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

void product_reset(struct product *p)
{
	p->n = 0;
	p->line = 0;
	p->item = 0;
	p->currency[0] = '\0';
	sb_reset(&p->arena);
}

void product_free(struct product *p)
{
	sb_free(&p->arena);
	p->n = 0;
}

/* Index of the field called name, or where it would go; *found says which. */
static size_t field_slot(const struct product *p, const char *name, bool *found)
{
	*found = false;
	/* Mappings add fields in name order: appending is the common case and costs one comparison. */
	if (p->n == 0 || strcmp(p->fields[p->n - 1].name, name) < 0)
		return p->n;
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->fields[mid].name, name);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sets field i (found: it holds a value; else a new field called name goes there). */
static void store_at(struct product *p, size_t i, bool found, const char *name, const char *value, size_t len)
{
	if (!found) {
		/* mapping_compile caps the fields a mapping can produce, so this is a programming error. */
		if (p->n == PRODUCT_MAX_FIELDS) {
			fprintf(stderr, "feedsync: product has more than %d fields (adding %s)\n", PRODUCT_MAX_FIELDS,
			        name);
			abort();
		}
		memmove(&p->fields[i + 1], &p->fields[i], (p->n - i) * sizeof(p->fields[0]));
		p->fields[i].name = name;
		p->n++;
	}
	/* A value copied from this product lives in the arena, which may move as it grows. */
	uintptr_t base = (uintptr_t)p->arena.buf, at = (uintptr_t)value;
	bool inside = p->arena.buf && at >= base && at < base + p->arena.len;
	sb_reserve(&p->arena, len + 1);
	if (inside)
		value = p->arena.buf + (at - base);
	/* A replaced value stays in the arena until the next reset: replacing is rare. */
	p->fields[i].off = p->arena.len;
	/* The value and its NUL in one copy (sb_add then sb_addc reserved twice), for every field of every row;
	 * sb_reserve left room for the strbuf's own NUL after them. */
	char *to = p->arena.buf + p->arena.len;
	memcpy(to, value, len);
	to[len] = to[len + 1] = '\0';
	p->arena.len += len + 1;
}

void product_setn(struct product *p, const char *name, const char *value, size_t len)
{
	bool found;
	size_t i = field_slot(p, name, &found);
	store_at(p, i, found, name, value, len);
}

void product_setn_at(struct product *p, const char *name, const char *value, size_t len, size_t *hint)
{
	bool found = *hint < p->n && strcmp(p->fields[*hint].name, name) == 0;
	size_t i = found ? *hint : field_slot(p, name, &found);
	store_at(p, i, found, name, value, len);
	*hint = i;
}

void product_set(struct product *p, const char *name, const char *value)
{
	product_setn(p, name, value ? value : "", value ? strlen(value) : 0);
}

const char *product_value(const struct product *p, size_t i)
{
	return p->arena.buf + p->fields[i].off;
}

const char *product_get(const struct product *p, const char *name)
{
	bool found;
	size_t i = field_slot(p, name, &found);
	return found ? product_value(p, i) : NULL;
}

/*
 * Eight bytes a step instead of FNV-1a's one: every row of every import is hashed, and the byte loop was a
 * tenth of an unchanged re-import. Each step, (h ^ word) * odd then h ^= h >> 32, is a bijection of h, so
 * texts that differ in one word never collide; the last step folds in the length, which keeps "ab","c"
 * apart from "a","bc".
 */
#define HASH_MULTIPLIER UINT64_C(0x9e3779b97f4a7c15)

static uint64_t hash_step(uint64_t h, uint64_t word)
{
	h = (h ^ word) * HASH_MULTIPLIER;
	return h ^ (h >> 32);
}

static uint64_t hash_text(uint64_t h, const char *s)
{
	size_t len = strlen(s);
	uint64_t word;
	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&word, s, 8);
		h = hash_step(h, word);
	}
	word = 0;
	memcpy(&word, s, len);
	return hash_step(h, word ^ ((uint64_t)len << 56) ^ UINT64_C(0x8000000000000000));
}

uint64_t product_hash(const struct product *p)
{
	uint64_t h = HASH64_SEED;
	for (size_t i = 0; i < p->n; i++) {
		h = hash_text(h, p->fields[i].name);
		h = hash_text(h, product_value(p, i));
	}
	return h;
}

void product_json_add(const struct product *p, struct strbuf *out)
{
	sb_reserve(out, p->arena.len + p->n * 24 + 2);
	sb_addc(out, '{');
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			sb_addc(out, ',');
		sb_add_json_string(out, p->fields[i].name);
		sb_addc(out, ':');
		sb_add_json_string(out, product_value(p, i));
	}
	sb_addc(out, '}');
}

char *product_to_json(const struct product *p)
{
	struct strbuf sb = {0};
	product_json_add(p, &sb);
	return sb_detach(&sb);
}

char *product_json_with(const char *json, const char *name, const char *value, bool keep)
{
	cJSON *obj = cJSON_Parse(json);
	if (!cJSON_IsObject(obj) || (keep && cJSON_GetObjectItemCaseSensitive(obj, name))) {
		cJSON_Delete(obj);
		return xstrdup(json);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
	cJSON_AddStringToObject(obj, name, value);
	char *printed = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	char *out = xstrdup(printed);
	cJSON_free(printed);
	return out;
}
