#include "feed/mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "core/util.h"
#include "feed/jsoncheck.h"

/* Destination field <- canonical column, applied when "auto" is not false (see mapping.h). */
static const struct {
	const char *dest;
	const char *column;
} default_fields[] = {
	{PF_SKU, COL_SKU},
	{PF_NAME, COL_NAME},
	{PF_REGULAR_PRICE, COL_PRICE},
	{PF_SALE_PRICE, COL_SALE_PRICE},
	{PF_STOCK, COL_QUANTITY},
	{PF_STOCK_STATUS, COL_STOCK_STATUS},
	{"description", COL_DESCRIPTION},
	{"short_description", "short_description"},
	{PF_CATEGORIES, COL_CATEGORY},
	{PF_IMAGES, "image"},
	{"ean", "ean"},
	{"brand", "brand"},
	{"weight", "weight"},
};

#define CATEGORY_JOIN CATEGORY_PATH_JOIN
#define MIB ((size_t)1 << 20)

/* What a destination field's value goes through before it is stored. */
enum field_kind { KIND_TEXT, KIND_PRICE, KIND_STOCK, KIND_STOCK_STATUS, KIND_CATEGORY, KIND_IMAGES };

struct field_rule {
	char *dest;
	char *column;       /* canonical source column; NULL for a constant */
	char *constant;
	char *fallback;     /* "default": used when the column is missing or blank */
	char *separator;    /* between several values in one (split_token); NULL: one value */
	enum field_kind kind;
	bool automatic;     /* added by "auto" (or the categories default), not named in the document */
};

struct category_entry {
	char *path;         /* canonical: trimmed segments joined by " > " */
	char *target;
};

struct mapping {
	size_t n;
	struct field_rule rules[PRODUCT_MAX_FIELDS]; /* sorted by dest, so products fill in order */
	const struct field_rule *sku;
	char *split;        /* the category delimiter, trimmed (split_token) */
	char *category_separator; /* between several paths in one value (split_token); NULL: one path */
	char *category_fallback;
	size_t ncategories;
	struct category_entry *categories; /* sorted by path */
	const char **columns;
	char decimal;       /* of prices and quantities: '.' or ',', 0 = either (normalize_price) */
};

static enum field_kind kind_of(const char *dest)
{
	if (strcmp(dest, PF_REGULAR_PRICE) == 0 || strcmp(dest, PF_SALE_PRICE) == 0)
		return KIND_PRICE;
	if (strcmp(dest, PF_STOCK) == 0)
		return KIND_STOCK;
	if (strcmp(dest, PF_STOCK_STATUS) == 0)
		return KIND_STOCK_STATUS;
	if (strcmp(dest, PF_CATEGORIES) == 0)
		return KIND_CATEGORY;
	if (strcmp(dest, PF_IMAGES) == 0)
		return KIND_IMAGES;
	return KIND_TEXT;
}

static struct field_rule *find_rule(struct mapping *m, const char *dest)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->rules[i].dest, dest) == 0)
			return &m->rules[i];
	return NULL;
}

/* ---- categories ------------------------------------------------------------------------------------- */

static const char *skip_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return end;
}

static size_t put_bytes(char *out, size_t size, size_t at, const char *s, size_t n)
{
	if (at < size)
		memcpy(out + at, s, at + n < size ? n : size - at);
	return at + n;
}

/*
 * Splits on the delimiter, trims each segment, drops empty ones and joins them with " > " into out,
 * snprintf-style: writes what fits, always terminates, returns the full length.
 */
static size_t canonical_category(const char *split, const char *s, size_t len, char *out, size_t size)
{
	const char *end = s + len;
	size_t dl = strlen(split), o = 0;
	while (s < end) {
		const char *cut = memmem(s, (size_t)(end - s), split, dl);
		const char *seg_end = cut ? cut : end;
		const char *b = skip_blank(s, seg_end), *e = trim_end(b, seg_end);
		if (e > b) {
			if (o)
				o = put_bytes(out, size, o, CATEGORY_JOIN, strlen(CATEGORY_JOIN));
			o = put_bytes(out, size, o, b, (size_t)(e - b));
		}
		s = cut ? cut + dl : end;
	}
	out[o < size ? o : size - 1] = '\0';
	return o;
}

static char *canonical_category_dupn(const char *split, const char *s, size_t len)
{
	char *out = xmalloc(len + 1); /* joining with " > " can lengthen "A>B", so measure first */
	size_t need = canonical_category(split, s, len, out, len + 1);
	if (need > len) {
		out = xrealloc(out, need + 1);
		canonical_category(split, s, len, out, need + 1);
	}
	return out;
}

static char *canonical_category_dup(const char *split, const char *s)
{
	return canonical_category_dupn(split, s, strlen(s));
}

static int category_cmp(const void *a, const void *b)
{
	return strcmp(((const struct category_entry *)a)->path, ((const struct category_entry *)b)->path);
}

static const char *category_lookup(const struct mapping *m, const char *path)
{
	struct category_entry key = {.path = (char *)path};
	const struct category_entry *hit =
		bsearch_or_null(&key, m->categories, m->ncategories, sizeof(key), category_cmp);
	return hit ? hit->target : NULL;
}

static void compile_category_map(struct mapping *m, const cJSON *map, const char *path, struct problems *pr)
{
	char where[256];
	m->categories = xcalloc((size_t)cJSON_GetArraySize(map), sizeof(*m->categories));
	for (const cJSON *it = map ? map->child : NULL; it; it = it->next) {
		if (!cJSON_IsString(it)) {
			problems_add(pr, json_path(where, sizeof(where), path, it->string),
			             "must be a string (the destination category), not %s", json_kind(it));
			continue;
		}
		struct category_entry *e = &m->categories[m->ncategories++];
		e->path = canonical_category_dup(m->split, it->string);
		e->target = xstrdup(it->valuestring);
	}
	qsort(m->categories, m->ncategories, sizeof(*m->categories), category_cmp);
	for (size_t i = 1; i < m->ncategories; i++)
		if (strcmp(m->categories[i - 1].path, m->categories[i].path) == 0)
			problems_add(pr, path, "'%s' is listed twice (keys are compared with segments trimmed)",
			             m->categories[i].path);
}

/* ---- compiling -------------------------------------------------------------------------------------- */

/* The delimiter trimmed, so " > " also splits "A>B"; a delimiter of only spaces is kept as it is. */
static char *split_token(const char *delimiter)
{
	const char *end = delimiter + strlen(delimiter);
	const char *b = skip_blank(delimiter, end), *e = trim_end(b, end);
	return e > b ? xstrndup(b, (size_t)(e - b)) : xstrdup(delimiter);
}

/* "separator": what parts several values in one ("|"), trimmed as the delimiter is; NULL when absent. */
static char *separator_of(const cJSON *spec, const char *path, struct problems *pr)
{
	char where[256];
	const cJSON *sep = json_member(spec, "separator", cJSON_String, path, pr);
	if (!sep)
		return NULL;
	if (!*sep->valuestring) {
		problems_add(pr, json_path(where, sizeof(where), path, "separator"), "is empty (for example \"|\" or \",\")");
		return NULL;
	}
	return split_token(sep->valuestring);
}

/* Constants and defaults of prices and quantities are checked now rather than failing every row. */
static void check_fixed_value(enum field_kind kind, const char *value, const char *path, struct problems *pr)
{
	char number[160], currency[4];
	long long whole;
	if (kind == KIND_PRICE && normalize_price(value, 0, number, sizeof(number), currency) != PRICE_OK)
		problems_add(pr, path, "'%s' is not a number", value);
	else if (kind == KIND_STOCK && !normalize_integer(value, 0, &whole))
		problems_add(pr, path, "'%s' is not a whole number", value);
	else if (kind == KIND_STOCK_STATUS && !normalize_stock_status(value))
		problems_add(pr, path, "'%s' is not a stock status (in stock, out of stock, backorder)", value);
}

static char *fixed_value(const cJSON *spec, const char *key, enum field_kind kind, const char *path,
                         struct problems *pr)
{
	char num[64], where[256];
	const cJSON *item = json_member(spec, key, JSON_SCALAR, path, pr);
	if (!item)
		return NULL;
	const char *text = json_scalar_text(item, num, sizeof(num));
	check_fixed_value(kind, text, json_path(where, sizeof(where), path, key), pr);
	return xstrdup(text);
}

static void compile_field(struct field_rule *r, const char *dest, const cJSON *spec,
                          const struct alias_table *aliases, const char *path, struct problems *pr)
{
	static const char *const keys[] = {"column", "constant", "default", "separator", NULL};
	r->dest = xstrdup(dest);
	r->kind = kind_of(dest);
	if (!cJSON_IsObject(spec)) {
		problems_add(pr, path, "must be an object like {\"column\": \"price\"} or {\"constant\": \"publish\"}, "
		             "not %s", json_kind(spec));
		return;
	}
	json_check_keys(spec, keys, path, pr);
	char where[256], canonical[256];
	const cJSON *column = json_member(spec, "column", cJSON_String, path, pr);
	r->constant = fixed_value(spec, "constant", r->kind, path, pr);
	r->fallback = fixed_value(spec, "default", r->kind, path, pr);
	r->separator = separator_of(spec, path, pr);
	if (column && !*column->valuestring)
		problems_add(pr, json_path(where, sizeof(where), path, "column"), "is empty (name a feed column)");
	else if (column)
		r->column = xstrdup(normalize_column(aliases, column->valuestring, canonical, sizeof(canonical)));
	bool has_column = cJSON_GetObjectItemCaseSensitive(spec, "column");
	bool has_constant = cJSON_GetObjectItemCaseSensitive(spec, "constant");
	if (has_column && has_constant)
		problems_add(pr, path, "has both column and constant; keep one");
	else if (!has_column && !has_constant)
		problems_add(pr, path, "needs a column (\"column\": \"price\") or a constant (\"constant\": \"publish\")");
}

static void add_rule_for(struct mapping *m, const char *dest, const char *column, bool automatic)
{
	struct field_rule *r = &m->rules[m->n++];
	r->dest = xstrdup(dest);
	r->column = xstrdup(column);
	r->kind = kind_of(dest);
	r->automatic = automatic;
}

static void compile_fields(struct mapping *m, const cJSON *fields, const struct alias_table *aliases,
                           const char *path, struct problems *pr)
{
	char where[256];
	int count = cJSON_GetArraySize(fields);
	if (count > PRODUCT_MAX_FIELDS) {
		problems_add(pr, path, "maps %d fields; at most %d", count, PRODUCT_MAX_FIELDS);
		return;
	}
	for (const cJSON *it = fields ? fields->child : NULL; it; it = it->next) {
		json_path(where, sizeof(where), path, it->string);
		if (!*it->string) {
			problems_add(pr, path, "a field name is empty");
			continue;
		}
		if (find_rule(m, it->string)) {
			problems_add(pr, path, "duplicate key '%s'", it->string);
			continue;
		}
		compile_field(&m->rules[m->n++], it->string, it, aliases, where, pr);
	}
}

static void add_default_fields(struct mapping *m)
{
	for (size_t i = 0; i < ARRAY_LEN(default_fields) && m->n < PRODUCT_MAX_FIELDS; i++)
		if (!find_rule(m, default_fields[i].dest))
			add_rule_for(m, default_fields[i].dest, default_fields[i].column, true);
}

static void compile_categories(struct mapping *m, const cJSON *cats, const struct alias_table *aliases,
                               const char *path, struct problems *pr)
{
	static const char *const keys[] = {"field", "delimiter", "separator", "map", "default", NULL};
	char where[256];
	json_check_keys(cats, keys, path, pr);
	const cJSON *delimiter = json_member(cats, "delimiter", cJSON_String, path, pr);
	const char *delim = delimiter ? delimiter->valuestring : CATEGORY_JOIN;
	if (!*delim) {
		problems_add(pr, json_path(where, sizeof(where), path, "delimiter"), "is empty (for example \" > \" or \"/\")");
		delim = CATEGORY_JOIN;
	}
	m->split = split_token(delim);
	m->category_separator = separator_of(cats, path, pr);
	if (m->category_separator && strstr(m->split, m->category_separator))
		problems_add(pr, json_path(where, sizeof(where), path, "separator"),
		             "'%s' is part of the delimiter '%s'; the separator parts paths, the delimiter their levels",
		             m->category_separator, m->split);
	compile_category_map(m, json_member(cats, "map", cJSON_Object, path, pr), json_path(where, sizeof(where), path, "map"), pr);
	const cJSON *fallback = json_member(cats, "default", cJSON_String, path, pr);
	m->category_fallback = fallback ? xstrdup(fallback->valuestring) : NULL;

	const cJSON *field = json_member(cats, "field", cJSON_String, path, pr);
	char canonical[256];
	normalize_column(aliases, field ? field->valuestring : COL_CATEGORY, canonical, sizeof(canonical));
	struct field_rule *r = find_rule(m, PF_CATEGORIES);
	if (r && !field)
		return; /* fields.categories says where the path comes from */
	if (r && r->column && strcmp(r->column, canonical) != 0)
		problems_add(pr, json_path(where, sizeof(where), path, "field"),
		             "'%s' conflicts with the column of fields.categories ('%s'); name the column once",
		             field->valuestring, r->column);
	else if (r && r->constant)
		problems_add(pr, json_path(where, sizeof(where), path, "field"),
		             "fields.categories is a constant; drop one of them");
	else if (!r && m->n == PRODUCT_MAX_FIELDS)
		problems_add(pr, json_path(where, sizeof(where), path, "field"),
		             "no room for categories: a product has at most %d fields", PRODUCT_MAX_FIELDS);
	else if (!r)
		add_rule_for(m, PF_CATEGORIES, canonical, !field);
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct field_rule *)a)->dest, ((const struct field_rule *)b)->dest);
}

/* The SKU's column first, then the others in field order. */
static void collect_columns(struct mapping *m)
{
	size_t n = 0;
	m->columns = xcalloc(m->n + 2, sizeof(*m->columns));
	for (size_t i = 0; i <= m->n; i++) {
		const char *c = i == 0 ? (m->sku ? m->sku->column : NULL) : m->rules[i - 1].column;
		bool seen = !c;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(m->columns[k], c) == 0;
		if (!seen)
			m->columns[n++] = c;
	}
}

static void compile_mapping(struct mapping *m, const cJSON *json, const struct alias_table *aliases,
                            const char *path, struct problems *pr)
{
	static const char *const keys[] = {"auto", "fields", "categories", NULL};
	char where[256];
	bool automatic = true;
	if (json) {
		json_check_keys(json, keys, path, pr);
		const cJSON *a = json_member(json, "auto", JSON_BOOL, path, pr);
		automatic = !a || cJSON_IsTrue(a);
		compile_fields(m, json_member(json, "fields", cJSON_Object, path, pr), aliases,
		               json_path(where, sizeof(where), path, "fields"), pr);
	}
	/* Named before automatic: when room runs out, the default fields give way. */
	const cJSON *cats = json ? json_member(json, "categories", cJSON_Object, path, pr) : NULL;
	if (cats)
		compile_categories(m, cats, aliases, json_path(where, sizeof(where), path, "categories"), pr);
	else
		m->split = split_token(CATEGORY_JOIN);
	if (automatic)
		add_default_fields(m);
	qsort(m->rules, m->n, sizeof(m->rules[0]), rule_cmp);
	m->sku = find_rule(m, PF_SKU);
	if (!m->sku)
		problems_add(pr, json_path(where, sizeof(where), path, "fields"),
		             "no sku: every product needs one; add \"sku\": {\"column\": \"sku\"} or remove \"auto\": false");
	collect_columns(m);
}

struct mapping *mapping_compile(const cJSON *json, const struct alias_table *aliases, const char *path,
                                struct problems *problems)
{
	size_t before = problems->n;
	struct mapping *m = xcalloc(1, sizeof(*m));
	if (json && cJSON_IsNull(json))
		json = NULL;
	if (json && !cJSON_IsObject(json))
		problems_add(problems, path, "must be an object like {\"fields\": {...}}, not %s", json_kind(json));
	else
		compile_mapping(m, json, aliases, path, problems);
	if (problems->n > before) {
		mapping_free(m);
		return NULL;
	}
	return m;
}

void mapping_free(struct mapping *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->rules[i].dest);
		free(m->rules[i].column);
		free(m->rules[i].constant);
		free(m->rules[i].fallback);
		free(m->rules[i].separator);
	}
	for (size_t i = 0; i < m->ncategories; i++) {
		free(m->categories[i].path);
		free(m->categories[i].target);
	}
	free(m->categories);
	free(m->split);
	free(m->category_separator);
	free(m->category_fallback);
	free(m->columns);
	free(m);
}

void mapping_set_decimal_separator(struct mapping *m, char decimal)
{
	m->decimal = decimal;
}

const char *mapping_separator(const struct mapping *m, const char *dest)
{
	const struct field_rule *r = find_rule((struct mapping *)m, dest);
	if (strcmp(dest, PF_CATEGORIES) == 0 && m->category_separator)
		return m->category_separator;
	return r ? r->separator : NULL;
}

const char *const *mapping_columns(const struct mapping *m)
{
	return m->columns;
}

bool mapping_source_of(const struct mapping *m, size_t i, struct mapping_source *out)
{
	if (i >= m->n)
		return false;
	const struct field_rule *r = &m->rules[i];
	*out = (struct mapping_source){.dest = r->dest, .column = r->column, .fallback = r->fallback,
	                               .automatic = r->automatic};
	return true;
}

const char *mapping_auto_field(size_t i, const char **column)
{
	if (i >= ARRAY_LEN(default_fields))
		return NULL;
	if (column)
		*column = default_fields[i].column;
	return default_fields[i].dest;
}

int mapping_suggest(const struct alias_table *aliases, const char *dest, const char *const *names, size_t n)
{
	const char *wanted = NULL;
	for (size_t i = 0; i < ARRAY_LEN(default_fields) && !wanted; i++)
		if (strcmp(default_fields[i].dest, dest) == 0)
			wanted = default_fields[i].column;
	char canonical[256];
	for (size_t i = 0; wanted && i < n; i++)
		if (strcmp(normalize_column(aliases, names[i], canonical, sizeof(canonical)), wanted) == 0)
			return (int)i;
	return -1;
}

char *mapping_category_path(const char *delimiter, const char *value)
{
	char *split = split_token(delimiter && *delimiter ? delimiter : CATEGORY_JOIN);
	char *path = canonical_category_dup(split, value);
	free(split);
	return path;
}

/* ---- applying --------------------------------------------------------------------------------------- */

static int row_fail(struct row_error *err, const char *column, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int row_fail(struct row_error *err, const char *column, const char *code, const char *fmt, ...)
{
	str_copy(err->column, column, sizeof(err->column));
	str_copy(err->code, code, sizeof(err->code));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* A value quoted in a message: at most 40 bytes, cut on a character boundary. */
static void excerpt(const char *s, size_t len, char out[48])
{
	size_t n = len <= 40 ? len : utf8_valid_prefix(s, 40);
	memcpy(out, s, n);
	str_copy(out + n, n < len ? "..." : "", 4);
}

static int store_price(const struct mapping *m, const struct field_rule *r, const char *source, const char *v,
                       size_t len, struct product *p, struct row_error *err)
{
	char number[160], shown[48], currency[4];
	const char *what = strcmp(r->dest, PF_SALE_PRICE) == 0 ? "sale price" : "price";
	enum price_read read = normalize_price(v, m->decimal, number, sizeof(number), currency);
	if (read != PRICE_OK) {
		char why[128];
		excerpt(v, len, shown);
		normalize_price_problem(read, m->decimal, why, sizeof(why));
		return row_fail(err, source, "bad_price", "%s '%s' in column %s %s", what, shown, source, why);
	}
	if (number[0] == '-') {
		excerpt(v, len, shown);
		return row_fail(err, source, "bad_price", "%s '%s' in column %s is negative", what, shown, source);
	}
	if (*currency)
		str_copy(p->currency, currency, sizeof(p->currency));
	product_set(p, r->dest, number);
	return 0;
}

static int store_stock(const struct mapping *m, const struct field_rule *r, const char *source, const char *v,
                       size_t len, struct product *p, struct row_error *err)
{
	char number[32], shown[48];
	long long whole;
	if (!normalize_integer(v, m->decimal, &whole)) {
		excerpt(v, len, shown);
		return row_fail(err, source, "bad_quantity", "quantity '%s' in column %s is not a whole number", shown,
		                source);
	}
	snprintf(number, sizeof(number), "%lld", whole);
	product_set(p, r->dest, number);
	return 0;
}

static int store_stock_status(const struct field_rule *r, const char *source, const char *v, size_t len,
                              struct product *p, struct row_error *err)
{
	char shown[48];
	const char *status = normalize_stock_status(v);
	if (!status) {
		excerpt(v, len, shown);
		return row_fail(err, source, "bad_stock_status", "stock status '%s' in column %s is none of in stock, out "
		                "of stock, preorder, backorder", shown, source);
	}
	product_set(p, r->dest, status);
	return 0;
}

/*
 * Images from every column of that name, joined by '|': a feed may name several columns image through the
 * aliases (Google Merchant's image_link and additional_image_link).
 */
static void store_images(const struct field_rule *r, const struct record *rec, const char *v, size_t len,
                         struct product *p)
{
	size_t columns = 0;
	for (size_t i = 0; r->column && i < rec->n; i++)
		columns += strcmp(rec->names[i], r->column) == 0;
	if (columns <= 1) { /* the common case, without a buffer: v is the column or the default */
		if (v)
			product_setn(p, r->dest, v, len);
		return;
	}
	struct strbuf joined = {0};
	for (size_t i = 0; i < rec->n; i++) {
		if (strcmp(rec->names[i], r->column) != 0)
			continue;
		const char *end = rec->values[i] + strlen(rec->values[i]);
		const char *b = skip_blank(rec->values[i], end), *e = trim_end(b, end);
		if (e > b)
			sb_addf(&joined, "%s%.*s", joined.len ? "|" : "", (int)(e - b), b);
	}
	if (!joined.len && v) /* the default */
		sb_add(&joined, v, len);
	if (joined.len)
		product_setn(p, r->dest, sb_str(&joined), joined.len);
	sb_free(&joined);
}

/* One path's destination: its entry in the map, else the default, else the path itself; NULL for none. */
static const char *category_target(const struct mapping *m, const char *path, size_t len)
{
	const char *target = category_lookup(m, path);
	return target ? target : m->category_fallback ? m->category_fallback : len ? path : NULL;
}

static void store_one_category(const struct mapping *m, const struct field_rule *r, const char *v, size_t len,
                               struct product *p)
{
	/* A stack buffer keeps the hot loop free of allocations; only huge paths go to the heap. */
	char stack[1024];
	char *path = stack;
	size_t need = canonical_category(m->split, v, len, stack, sizeof(stack));
	if (need >= sizeof(stack)) {
		path = xmalloc(need + 1);
		canonical_category(m->split, v, len, path, need + 1);
	}
	const char *target = category_target(m, path, need);
	if (target)
		product_set(p, r->dest, target);
	if (path != stack)
		free(path);
}

/* Several paths, each mapped on its own; the targets joined by the separator, empty ones left out. */
static void store_categories(const struct mapping *m, const struct field_rule *r, const char *v, size_t len,
                             struct product *p)
{
	const char *sep = m->category_separator, *end = v + len;
	size_t sep_len = strlen(sep);
	struct strbuf joined = {0};
	bool any = false;
	for (const char *s = v;;) {
		const char *cut = memmem(s, (size_t)(end - s), sep, sep_len);
		char *path = canonical_category_dupn(m->split, s, (size_t)((cut ? cut : end) - s));
		const char *target = *path ? category_target(m, path, strlen(path)) : NULL;
		if (target && *target)
			sb_addf(&joined, "%s%s", joined.len ? sep : "", target);
		any = any || target;
		free(path);
		if (!cut)
			break;
		s = cut + sep_len;
	}
	if (any)
		product_setn(p, r->dest, sb_str(&joined), joined.len);
	else if (m->category_fallback)
		product_set(p, r->dest, m->category_fallback);
	sb_free(&joined);
}

static void store_category(const struct mapping *m, const struct field_rule *r, const char *v, size_t len,
                           struct product *p)
{
	if (m->category_separator)
		store_categories(m, r, v, len, p);
	else
		store_one_category(m, r, v, len, p);
}

/* The rule's value, trimmed, or its default when that is blank; NULL when there is nothing to store. */
static const char *rule_value(const struct field_rule *r, const struct record *rec, size_t *len)
{
	const char *v = r->column ? record_get(rec, r->column) : r->constant;
	if (v) {
		const char *end = v + strlen(v);
		v = skip_blank(v, end);
		end = trim_end(v, end);
		if (v < end) {
			*len = (size_t)(end - v);
			return v;
		}
	}
	*len = r->fallback ? strlen(r->fallback) : 0;
	return r->fallback;
}

static int apply_rule(const struct mapping *m, const struct field_rule *r, const struct record *rec,
                      size_t max_value_bytes, struct product *p, struct row_error *err)
{
	const char *source = r->column ? r->column : r->dest;
	size_t len;
	const char *v = rule_value(r, rec, &len);
	if (!v && r->kind != KIND_IMAGES) /* images has more columns to look at than the first */
		return 0;
	if (len > max_value_bytes) {
		char size[32], limit[32];
		format_bytes(len, size, sizeof(size));
		format_size_setting(max_value_bytes, limit, sizeof(limit));
		return row_fail(err, source, "value_too_long", "column %s is %s; the limit is %s (import.max_value_bytes)",
		                source, size, limit);
	}
	switch (r->kind) {
	case KIND_PRICE: return store_price(m, r, source, v, len, p, err);
	case KIND_STOCK: return store_stock(m, r, source, v, len, p, err);
	case KIND_STOCK_STATUS: return store_stock_status(r, source, v, len, p, err);
	case KIND_CATEGORY: store_category(m, r, v, len, p); return 0;
	case KIND_IMAGES: store_images(r, rec, v, len, p); return 0;
	default: product_setn(p, r->dest, v, len); return 0;
	}
}

int mapping_apply(const struct mapping *m, const struct record *rec, size_t max_value_bytes,
                  struct product *p, struct row_error *err)
{
	product_reset(p);
	p->line = rec->line;
	if (!max_value_bytes)
		max_value_bytes = MIB;
	/* The SKU first: a row without one fails as missing_sku whatever else is wrong with it. */
	size_t len;
	if (!rule_value(m->sku, rec, &len)) {
		const char *source = m->sku->column ? m->sku->column : m->sku->dest;
		bool present = !m->sku->column || record_get(rec, m->sku->column);
		return row_fail(err, source, "missing_sku", "row has no SKU (column %s is %s)", source,
		                present ? "empty" : "missing");
	}
	for (size_t i = 0; i < m->n; i++)
		if (apply_rule(m, &m->rules[i], rec, max_value_bytes, p, err) < 0)
			return -1;
	return 0;
}
