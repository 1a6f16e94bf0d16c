/* WooCommerce variable products from grouped rows (see dest/woo_variations.h). */
#include "dest/woo_variations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_groups.h"
#include "engine/group_parent.h"
#include "feed/product.h"

static char *member_text(const char *name, cJSON *value)
{
	char *json = cJSON_PrintUnformatted(value);
	char *member = xasprintf("\"%s\":%s", name, json);
	free(json);
	return member;
}

char *woo_variant_split(char **data, char **attributes)
{
	cJSON *fields = cJSON_Parse(*data);
	const char *group = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, GROUP_PARENT_FIELD));
	if (!cJSON_IsObject(fields) || !group || !*group) {
		cJSON_Delete(fields);
		return NULL;
	}
	char *parent = xstrdup(group);
	cJSON *attrs = cJSON_CreateArray();
	cJSON *f = fields->child;
	while (f) {
		cJSON *next = f->next;
		if (str_starts_with(f->string, GROUP_OPTION_PREFIX) && cJSON_IsString(f) && *f->valuestring) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "name", f->string + strlen(GROUP_OPTION_PREFIX));
			cJSON_AddStringToObject(a, "option", f->valuestring);
			cJSON_AddItemToArray(attrs, a);
		}
		if (str_eq(f->string, GROUP_PARENT_FIELD) || str_starts_with(f->string, GROUP_OPTION_PREFIX))
			cJSON_Delete(cJSON_DetachItemViaPointer(fields, f));
		f = next;
	}
	free(*data);
	*data = cJSON_PrintUnformatted(fields);
	*attributes = member_text("attributes", attrs);
	cJSON_Delete(attrs);
	cJSON_Delete(fields);
	return parent;
}

struct building {
	struct group_parent parent;
	char *err;
	size_t errsize;
	int rc;
};

static void add_variant(void *ud, const struct group_variant *v)
{
	struct building *b = ud;
	if (b->rc == 0 && group_parent_add(&b->parent, v, b->err, b->errsize) < 0)
		b->rc = -1;
}

/* [{"name": "size", "options": ["S", "M"], "variation": true, "visible": true}, ...] in first-seen order. */
static cJSON *parent_attributes(const struct group_parent *p)
{
	cJSON *attrs = cJSON_CreateArray();
	const cJSON *opt;
	cJSON_ArrayForEach(opt, p->options) {
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "name", opt->string);
		cJSON_AddItemToObject(a, "options", cJSON_Duplicate(opt, true));
		cJSON_AddBoolToObject(a, "variation", true);
		cJSON_AddBoolToObject(a, "visible", true);
		cJSON_AddItemToArray(attrs, a);
	}
	return attrs;
}

/* The parent row's own fields over the derived ones. */
static void take_own_fields(cJSON *fields, const char *own)
{
	cJSON *row = own ? cJSON_Parse(own) : NULL;
	const cJSON *f;
	cJSON_ArrayForEach(f, row) {
		if (cJSON_IsString(f) && *f->valuestring && !str_eq(f->string, GROUP_PARENT_FIELD) &&
		    !str_starts_with(f->string, GROUP_OPTION_PREFIX) && !str_eq(f->string, "type")) {
			cJSON_DeleteItemFromObjectCaseSensitive(fields, f->string);
			cJSON_AddStringToObject(fields, f->string, f->valuestring);
		}
	}
	cJSON_Delete(row);
}

int woo_parent_build(struct store *s, int64_t conn_id, const char *parent_sku, const char *own, char **data,
                     char **attributes, char *err, size_t errsize)
{
	struct building b = {.err = err, .errsize = errsize};
	group_parent_init(&b.parent);
	if (store_group_variants_each(s, conn_id, parent_sku, add_variant, &b) < 0) {
		snprintf(err, errsize, "cannot read the variants of '%s': %s", parent_sku, store_errmsg(s));
		b.rc = -1;
	}
	if (b.rc == 0 && b.parent.variants == 0)
		b.rc = 1;
	if (b.rc == 0) {
		cJSON *fields = cJSON_Duplicate(b.parent.shared, true);
		cJSON_AddStringToObject(fields, PF_SKU, parent_sku);
		cJSON_AddStringToObject(fields, PF_NAME, b.parent.name ? b.parent.name : parent_sku);
		cJSON_AddStringToObject(fields, "type", "variable");
		take_own_fields(fields, own);
		*data = cJSON_PrintUnformatted(fields);
		cJSON_Delete(fields);
		cJSON *attrs = parent_attributes(&b.parent);
		*attributes = member_text("attributes", attrs);
		cJSON_Delete(attrs);
	}
	group_parent_free(&b.parent);
	return b.rc;
}

void woo_payload_splice(struct strbuf *payload, const char *members)
{
	if (!payload->len || payload->buf[payload->len - 1] != '}')
		return;
	payload->len--;
	bool empty = payload->len > 0 && payload->buf[payload->len - 1] == '{';
	if (!empty)
		sb_addc(payload, ',');
	sb_adds(payload, members);
	sb_addc(payload, '}');
}
