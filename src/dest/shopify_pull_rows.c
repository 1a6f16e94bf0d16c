/* Shopify's variant nodes as canonical rows (see dest/shopify_pull_rows.h). */
#include "dest/shopify_pull_rows.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest/shopify_input.h"
#include "dest/woo_pull_rows.h"
#include "feed/normalize.h"

/* ProductVariant and Product fields as of 2025-10 (docs/api/admin-graphql/2025-10/objects/ProductVariant, .../
 * objects/Product); sortKey ID keeps the order fixed while the pull pages, a variant created meanwhile landing
 * after the others. */
#define PAGE_HEAD "($first: Int!, $after: String, $query: String"
#define PAGE_CONNECTION "productVariants(first: $first, after: $after, query: $query, sortKey: ID) " \
	"{ pageInfo { hasNextPage endCursor } nodes { id sku title price compareAtPrice "
#define PAGE_TAIL "selectedOptions { name value } image { url } product { id handle title status productType " \
	"vendor tags descriptionHtml featuredMedia { preview { image { url } } } } } } }"
static const char totals_document[] =
	"query FeedsyncPullVariants" PAGE_HEAD ") { " PAGE_CONNECTION "inventoryQuantity " PAGE_TAIL;
/* inventoryLevel(locationId:) and its "available" quantity (docs/api/admin-graphql/2025-10/objects/InventoryItem,
 * .../objects/InventoryLevel). */
static const char location_document[] =
	"query FeedsyncPullVariantsAt" PAGE_HEAD ", $location: ID!) { " PAGE_CONNECTION
	"inventoryItem { inventoryLevel(locationId: $location) { quantities(names: [\"available\"]) { name quantity } } } "
	PAGE_TAIL;
/* Objects per node: the variant, selectedOptions, image, product, featuredMedia, its preview and image; the
 * stock at a location adds inventoryItem, inventoryLevel and quantities. */
#define TOTALS_OBJECTS 7
#define LOCATION_OBJECTS 10
#define PAGE_INFO_COST 1
#define DEFAULT_TITLE "Default Title"
#define TAG_JOIN ", "
#define OPTION_JOIN ", "

const char *shopify_pull_document(bool at_location)
{
	return at_location ? location_document : totals_document;
}

const char *shopify_pull_operation(bool at_location)
{
	return at_location ? "FeedsyncPullVariantsAt" : "FeedsyncPullVariants";
}

int shopify_pull_node_objects(bool at_location)
{
	return at_location ? LOCATION_OBJECTS : TOTALS_OBJECTS;
}

double shopify_pull_cost(int first, bool at_location)
{
	return shopify_connection_cost(first, shopify_pull_node_objects(at_location)) + PAGE_INFO_COST;
}

const char *shopify_pull_search(const char *status)
{
	static const char *const searches[][2] = {{"active", "product_status:active"},
	                                          {"draft", "product_status:draft"},
	                                          {"archived", "product_status:archived"}};
	for (size_t i = 0; status && i < ARRAY_LEN(searches); i++)
		if (str_eq(status, searches[i][0]))
			return searches[i][1];
	return NULL;
}

cJSON *shopify_pull_variables(int first, const char *after, const char *query, const char *location)
{
	cJSON *v = cJSON_CreateObject();
	cJSON_AddNumberToObject(v, "first", first);
	if (after)
		cJSON_AddStringToObject(v, "after", after);
	if (query)
		cJSON_AddStringToObject(v, "query", query);
	if (location)
		cJSON_AddStringToObject(v, "location", location);
	return v;
}

/* ---- rows ---- */

static const cJSON *member(const cJSON *o, const char *const *path)
{
	for (; o && *path; path++)
		o = cJSON_GetObjectItemCaseSensitive(o, *path);
	return o;
}

static const char *text_at(const cJSON *o, const char *const *path)
{
	const char *s = cJSON_GetStringValue(member(o, path));
	return s ? s : "";
}

#define TEXT(o, ...) text_at((o), (const char *const[]){__VA_ARGS__, NULL})

const char *shopify_pull_sku(const cJSON *variant)
{
	const char *sku = TEXT(variant, "sku");
	return sku[strspn(sku, " \t\r\n")] ? sku : NULL;
}

static void add_text(struct strbuf *out, bool *first, const char *column, const char *text)
{
	if (*text)
		pull_row_member(out, first, column, text);
}

static void add_whole(struct strbuf *out, bool *first, const char *column, const cJSON *n)
{
	char text[32];
	if (!cJSON_IsNumber(n))
		return;
	snprintf(text, sizeof(text), "%lld", (long long)n->valuedouble);
	pull_row_member(out, first, column, text);
}

/* A product with Shopify's single default option ("Title" / "Default Title") has no options of its own. */
static bool has_options(const cJSON *variant)
{
	const cJSON *options = cJSON_GetObjectItemCaseSensitive(variant, "selectedOptions");
	const cJSON *only = cJSON_GetArrayItem(options, 0);
	return cJSON_GetArraySize(options) > 1 ||
	       (only && !str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(only, "value")), DEFAULT_TITLE));
}

static void add_name(struct strbuf *out, bool *first, const cJSON *variant)
{
	const char *product = TEXT(variant, "product", "title"), *title = TEXT(variant, "title");
	if (!*title || str_eq(title, DEFAULT_TITLE)) {
		add_text(out, first, COL_NAME, product);
		return;
	}
	char *name = xasprintf("%s - %s", product, title);
	pull_row_member(out, first, COL_NAME, name);
	free(name);
}

/* Shopify's price is what the variant sells at; a compare-at price above it is the regular price of a sale. */
static void add_prices(struct strbuf *out, bool *first, const cJSON *variant)
{
	const char *price = TEXT(variant, "price"), *compare = TEXT(variant, "compareAtPrice");
	if (*compare && *price && strtod(compare, NULL) > strtod(price, NULL)) {
		pull_row_member(out, first, COL_PRICE, compare);
		pull_row_member(out, first, COL_SALE_PRICE, price);
	} else {
		add_text(out, first, COL_PRICE, price);
	}
}

static void add_quantity(struct strbuf *out, bool *first, const cJSON *variant)
{
	const cJSON *level = member(variant, (const char *const[]){"inventoryItem", "inventoryLevel", NULL});
	if (!cJSON_HasObjectItem(variant, "inventoryItem")) {
		add_whole(out, first, COL_QUANTITY, cJSON_GetObjectItemCaseSensitive(variant, "inventoryQuantity"));
		return;
	}
	const cJSON *q;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(level, "quantities"))
		if (str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "name")), "available"))
			add_whole(out, first, COL_QUANTITY, cJSON_GetObjectItemCaseSensitive(q, "quantity"));
	if (!cJSON_IsObject(level)) /* the item is not stocked at that location */
		pull_row_member(out, first, COL_QUANTITY, "0");
}

static void add_tags(struct strbuf *out, bool *first, const cJSON *tags)
{
	struct strbuf joined = {0};
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
		if (cJSON_IsString(t) && *t->valuestring)
			sb_addf(&joined, "%s%s", joined.len ? TAG_JOIN : "", t->valuestring);
	add_text(out, first, "tags", sb_str(&joined));
	sb_free(&joined);
}

/* "ACTIVE" -> "active", as the pull's source.status names it. */
static void add_status(struct strbuf *out, bool *first, const char *status)
{
	char lower[32];
	size_t i = 0;
	for (; status[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)status[i]);
	lower[i] = '\0';
	add_text(out, first, "status", lower);
}

static void add_options(struct strbuf *out, bool *first, const cJSON *variant)
{
	struct strbuf joined = {0};
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(variant, "selectedOptions")) {
		const char *name = TEXT(o, "name"), *value = TEXT(o, "value");
		if (!*name || !*value)
			continue;
		sb_addf(&joined, "%s%s: %s", joined.len ? OPTION_JOIN : "", name, value);
		char *column = xasprintf(WOO_PULL_OPTION_PREFIX "%s", name);
		pull_row_member(out, first, column, value);
		free(column);
	}
	add_text(out, first, "attributes", sb_str(&joined));
	sb_free(&joined);
}

bool shopify_pull_row(const cJSON *variant, struct strbuf *out)
{
	const char *sku = shopify_pull_sku(variant);
	if (!sku)
		return false;
	const cJSON *product = cJSON_GetObjectItemCaseSensitive(variant, "product");
	bool first = true;
	sb_addc(out, '{');
	pull_row_member(out, &first, COL_SKU, sku);
	add_name(out, &first, variant);
	add_prices(out, &first, variant);
	add_quantity(out, &first, variant);
	add_text(out, &first, COL_CATEGORY, TEXT(product, "productType"));
	add_text(out, &first, "product_type", TEXT(product, "productType"));
	add_text(out, &first, "vendor", TEXT(product, "vendor"));
	add_tags(out, &first, cJSON_GetObjectItemCaseSensitive(product, "tags"));
	add_text(out, &first, COL_DESCRIPTION, TEXT(product, "descriptionHtml"));
	const char *image = TEXT(variant, "image", "url");
	add_text(out, &first, "image", *image ? image : TEXT(product, "featuredMedia", "preview", "image", "url"));
	add_status(out, &first, TEXT(product, "status"));
	add_text(out, &first, "id", TEXT(variant, "id"));
	add_text(out, &first, "product_id", TEXT(product, "id"));
	add_text(out, &first, "handle", TEXT(product, "handle"));
	if (has_options(variant)) {
		add_text(out, &first, "parent_sku", TEXT(product, "handle"));
		add_options(out, &first, variant);
	}
	sb_addc(out, '}');
	return true;
}
