/* A group's parent product, derived from its variants (core/group_parent.h). */
#include "engine/group_parent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/product.h"

/* Fields that belong to each variant, never to the parent. */
static bool variant_only(const char *field)
{
	static const char *const own[] = {PF_SKU, PF_NAME, PF_REGULAR_PRICE, PF_SALE_PRICE, PF_STOCK,
	                                  PF_STOCK_STATUS, GROUP_PARENT_FIELD};
	for (size_t i = 0; i < ARRAY_LEN(own); i++)
		if (str_eq(field, own[i]))
			return true;
	return str_starts_with(field, GROUP_OPTION_PREFIX);
}

void group_parent_init(struct group_parent *p)
{
	memset(p, 0, sizeof(*p));
	p->shared = cJSON_CreateObject();
	p->options = cJSON_CreateObject();
}

void group_parent_free(struct group_parent *p)
{
	free(p->name);
	cJSON_Delete(p->shared);
	cJSON_Delete(p->options);
	memset(p, 0, sizeof(*p));
}

/* Cuts the parent's name back to the whole words it shares with name ("Tee Red S", "Tee Blue M" -> "Tee"). */
static void keep_common_words(struct group_parent *p, const char *name)
{
	size_t n = 0, last_word_end = 0;
	while (p->name[n] && p->name[n] == name[n]) {
		n++;
		if (p->name[n] == ' ' || (p->name[n] == '\0' && (name[n] == ' ' || name[n] == '\0')))
			last_word_end = n;
	}
	if (last_word_end > 0)
		p->name[last_word_end] = '\0';   /* no common word: the first variant's name stands */
}

static void add_name(struct group_parent *p, const char *name)
{
	if (!name || !*name)
		return;
	if (!p->name)
		p->name = xstrdup(name);
	else
		keep_common_words(p, name);
}

static void add_price(struct group_parent *p, const char *price)
{
	char *end;
	double v = price ? strtod(price, &end) : 0;
	if (!price || end == price)
		return;
	if (!p->has_price || v < p->price_min)
		p->price_min = v;
	if (!p->has_price || v > p->price_max)
		p->price_max = v;
	p->has_price = true;
}

static void add_option(struct group_parent *p, const char *option, const cJSON *value)
{
	cJSON *values = cJSON_GetObjectItemCaseSensitive(p->options, option);
	if (!values)
		values = cJSON_AddArrayToObject(p->options, option);
	const cJSON *seen;
	cJSON_ArrayForEach(seen, values)
		if (cJSON_Compare(seen, value, true))
			return;
	cJSON_AddItemToArray(values, cJSON_Duplicate(value, true));
}

/* The shared fields are the first variant's, less every field a later variant lacks or gives otherwise. */
static void keep_shared(struct group_parent *p, const cJSON *fields)
{
	cJSON *f = p->shared->child;
	while (f) {
		cJSON *next = f->next;
		const cJSON *mine = cJSON_GetObjectItemCaseSensitive(fields, f->string);
		if (!mine || !cJSON_Compare(f, mine, true))
			cJSON_Delete(cJSON_DetachItemViaPointer(p->shared, f));
		f = next;
	}
}

int group_parent_add(struct group_parent *p, const struct group_variant *v, char *err, size_t errsize)
{
	cJSON *fields = cJSON_Parse(v->data ? v->data : "");
	if (!cJSON_IsObject(fields)) {
		cJSON_Delete(fields);
		snprintf(err, errsize, "variant %s: stored fields are not a JSON object", v->sku);
		return -1;
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, fields) {
		if (str_starts_with(f->string, GROUP_OPTION_PREFIX))
			add_option(p, f->string + strlen(GROUP_OPTION_PREFIX), f);
		else if (p->variants == 0 && !variant_only(f->string))
			cJSON_AddItemToObject(p->shared, f->string, cJSON_Duplicate(f, true));
	}
	if (p->variants > 0)
		keep_shared(p, fields);
	cJSON_Delete(fields);
	add_name(p, v->name);
	add_price(p, v->price);
	p->variants++;
	return 0;
}
