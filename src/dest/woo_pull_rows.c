/* Products and variations of a WooCommerce list answer as canonical rows (see dest/woo_pull_rows.h). */
#include "dest/woo_pull_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dest/oauth.h"
#include "dest/woo_batch.h"
#include "feed/normalize.h"

/* Only what becomes a column: a page of 100 whole products is about 200 KB, this about a fifth of it. */
#define PULL_FIELDS "id,sku,name,type,status,regular_price,sale_price,stock_quantity,categories,images," \
                    "description,short_description,weight"
#define VARIATION_FIELDS "id,sku,status,regular_price,sale_price,stock_quantity,image,attributes,description,weight"
/* The stored text, not the view context's wpautop rendering (see the header). */
#define LIST_QUERY "&orderby=id&order=asc&context=edit&_fields="
#define DEFAULT_CATEGORY_JOIN " > "
#define IMAGE_JOIN "|"
#define OPTION_JOIN ", "

/* ---- targets ----------------------------------------------------------------------------------------- */

char *woo_pull_target(const char *status, int64_t page)
{
	struct strbuf sb = {0};
	const char *s = status && *status ? status : "any";
	sb_addf(&sb, WOO_API "/products?per_page=%d&page=%lld&status=", WOO_MAX_PER_PAGE, (long long)page);
	url_encode(&sb, s, strlen(s));
	sb_adds(&sb, LIST_QUERY PULL_FIELDS);
	return sb_detach(&sb);
}

char *woo_pull_variations_target(int64_t parent_id, int64_t page)
{
	return xasprintf(WOO_API "/products/%lld/variations?per_page=%d&page=%lld" LIST_QUERY VARIATION_FIELDS,
	                 (long long)parent_id, WOO_MAX_PER_PAGE, (long long)page);
}

bool woo_pull_more(int64_t page, size_t n, int64_t pages)
{
	if (n == 0)
		return false;
	if (pages >= 0)
		return page < pages;
	return n >= WOO_MAX_PER_PAGE;
}

/* ---- writing an object ------------------------------------------------------------------------------- */

/* WooCommerce member -> canonical column, for the members that are text or numbers. A variation's name and
 * type are made, not read: it has neither in WooCommerce 7.9. */
static const struct {
	const char *member;
	const char *column;
	bool product_only;
} plain_members[] = {
	{"sku", COL_SKU, false},
	{"name", COL_NAME, true},
	{"regular_price", COL_PRICE, false},
	{"sale_price", COL_SALE_PRICE, false},
	{"stock_quantity", COL_QUANTITY, false},
	{"description", COL_DESCRIPTION, false},
	{"short_description", "short_description", false},
	{"weight", "weight", false},
	{"id", "id", false},
	{"type", "type", true},
	{"status", "status", false},
};

void pull_row_member(struct strbuf *out, bool *first, const char *column, const char *text)
{
	if (!*first)
		sb_addc(out, ',');
	*first = false;
	sb_add_json_string(out, column);
	sb_addc(out, ':');
	sb_add_json_string(out, text);
}

/* A number as WooCommerce means it: stock and ids are whole. */
static void add_number(struct strbuf *out, bool *first, const char *column, double v)
{
	char text[64];
	if (v == (double)(long long)v)
		snprintf(text, sizeof(text), "%lld", (long long)v);
	else
		snprintf(text, sizeof(text), "%.17g", v);
	pull_row_member(out, first, column, text);
}

static void add_plain_members(struct strbuf *out, bool *first, const cJSON *item, bool variation)
{
	for (size_t i = 0; i < ARRAY_LEN(plain_members); i++) {
		if (variation && plain_members[i].product_only)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, plain_members[i].member);
		if (cJSON_IsString(v))
			pull_row_member(out, first, plain_members[i].column, v->valuestring);
		else if (cJSON_IsNumber(v))
			add_number(out, first, plain_members[i].column, v->valuedouble);
	}
}

/* The `key` member of each object of an array, each as "<label>: " (when label names a member) and the value,
 * joined into joined; the count of values. */
static size_t join_members(struct strbuf *joined, const cJSON *array, const char *label, const char *key,
                           const char *join)
{
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, array) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, key);
		if (!cJSON_IsString(v) || !*v->valuestring)
			continue;
		if (n++)
			sb_adds(joined, join);
		const cJSON *l = label ? cJSON_GetObjectItemCaseSensitive(it, label) : NULL;
		if (cJSON_IsString(l) && *l->valuestring)
			sb_addf(joined, "%s: ", l->valuestring);
		sb_adds(joined, v->valuestring);
	}
	return n;
}

/* The joined members as one column; nothing when there is none. */
static void add_joined(struct strbuf *out, bool *first, const char *column, const cJSON *array, const char *label,
                       const char *key, const char *join)
{
	struct strbuf joined = {0};
	if (join_members(&joined, array, label, key, join))
		pull_row_member(out, first, column, joined.buf);
	sb_free(&joined);
}

static const char *member_text(const cJSON *item, const char *member)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, member);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- products ---------------------------------------------------------------------------------------- */

const char *woo_pull_sku(const cJSON *product)
{
	const char *sku = member_text(product, "sku");
	return sku[strspn(sku, " \t\r\n")] ? sku : NULL;
}

static const char *join_or_default(const char *category_join)
{
	return category_join ? category_join : DEFAULT_CATEGORY_JOIN;
}

bool woo_pull_product(const cJSON *product, const char *category_join, struct strbuf *out)
{
	if (!woo_pull_sku(product))
		return false;
	bool first = true;
	sb_addc(out, '{');
	add_plain_members(out, &first, product, false);
	add_joined(out, &first, COL_CATEGORY, cJSON_GetObjectItemCaseSensitive(product, "categories"), NULL, "name",
	           join_or_default(category_join));
	add_joined(out, &first, "image", cJSON_GetObjectItemCaseSensitive(product, "images"), NULL, "src", IMAGE_JOIN);
	sb_addc(out, '}');
	return true;
}

/* ---- variations -------------------------------------------------------------------------------------- */

bool woo_pull_parent(const cJSON *product, const char *category_join, struct woo_parent *parent)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(product, "id");
	if (strcmp(member_text(product, "type"), "variable") != 0 || !cJSON_IsNumber(id) || id->valuedouble < 1)
		return false;
	struct strbuf category = {0};
	join_members(&category, cJSON_GetObjectItemCaseSensitive(product, "categories"), NULL, "name",
	             join_or_default(category_join));
	const char *sku = woo_pull_sku(product);
	*parent = (struct woo_parent){.id = (int64_t)id->valuedouble, .sku = xstrdup(sku ? sku : ""),
	                              .name = xstrdup(member_text(product, "name")), .category = sb_detach(&category)};
	return true;
}

void woo_parent_free(struct woo_parent *parent)
{
	free(parent->sku);
	free(parent->name);
	free(parent->category);
	*parent = (struct woo_parent){0};
}

const char *woo_pull_variation_sku(const cJSON *variation, const struct woo_parent *parent)
{
	const char *sku = woo_pull_sku(variation);
	return sku && strcasecmp(sku, parent->sku) != 0 ? sku : NULL;
}

/* "Tee - M, Red", as WooCommerce titles a variation. */
static void add_variation_name(struct strbuf *out, bool *first, const cJSON *attributes, const char *parent_name)
{
	struct strbuf options = {0};
	char *name = join_members(&options, attributes, NULL, "option", OPTION_JOIN)
	                     ? xasprintf("%s - %s", parent_name, options.buf) : xstrdup(parent_name);
	pull_row_member(out, first, COL_NAME, name);
	free(name);
	sb_free(&options);
}

/* Each option in a column of its own, "attribute:Size": "M", for grouping the rows again (feed/group_spec.h). */
static void add_options(struct strbuf *out, bool *first, const cJSON *attributes)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, attributes) {
		const char *name = member_text(a, "name"), *option = member_text(a, "option");
		if (!*name || !*option)
			continue;
		char *column = xasprintf(WOO_PULL_OPTION_PREFIX "%s", name);
		pull_row_member(out, first, column, option);
		free(column);
	}
}

bool woo_pull_variation(const cJSON *variation, const struct woo_parent *parent, struct strbuf *out)
{
	if (!woo_pull_variation_sku(variation, parent))
		return false;
	const cJSON *attributes = cJSON_GetObjectItemCaseSensitive(variation, "attributes");
	const cJSON *image = cJSON_GetObjectItemCaseSensitive(variation, "image");
	bool first = true;
	sb_addc(out, '{');
	add_plain_members(out, &first, variation, true);
	pull_row_member(out, &first, "type", "variation");
	add_variation_name(out, &first, attributes, parent->name);
	if (*parent->category)
		pull_row_member(out, &first, COL_CATEGORY, parent->category);
	if (*member_text(image, "src"))
		pull_row_member(out, &first, "image", member_text(image, "src"));
	add_joined(out, &first, "attributes", attributes, "name", "option", OPTION_JOIN);
	add_options(out, &first, attributes);
	pull_row_member(out, &first, "parent_sku", parent->sku);
	add_number(out, &first, "parent_id", (double)parent->id);
	sb_addc(out, '}');
	return true;
}
