#include "engine/column_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/jsoncheck.h"
#include "feed/normalize.h"
#include "feed/product.h"

/* The feed's columns in the three spellings a check needs. */
struct feed_columns {
	const char *const *names; /* as the feed spells them, for messages */
	size_t n;
	char **canonical;         /* folded and aliased, as mappings and filters name them; NULL-terminated */
	char **folded;            /* folded only, for close matches; NULL-terminated */
	const char *where;        /* "the feed" or "the first item" */
	struct strbuf list;       /* "sku, name, Pret" */
};

static void feed_columns_init(struct feed_columns *fc, const struct conn_config *conn, const char *const *names,
                              size_t n, bool header)
{
	char buf[256];
	memset(fc, 0, sizeof(*fc));
	fc->names = names;
	fc->n = n;
	fc->where = header ? "the feed" : "the first item";
	fc->canonical = xcalloc(n + 1, sizeof(char *));
	fc->folded = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		fc->canonical[i] = xstrdup(normalize_column(conn->aliases, names[i], buf, sizeof(buf)));
		fc->folded[i] = xstrdup(normalize_fold(names[i], buf, sizeof(buf)));
		sb_addf(&fc->list, "%s%s", i ? ", " : "", names[i]);
	}
	if (!n)
		sb_adds(&fc->list, "(no columns)");
}

static void feed_columns_free(struct feed_columns *fc)
{
	for (size_t i = 0; i < fc->n; i++) {
		free(fc->canonical[i]);
		free(fc->folded[i]);
	}
	free(fc->canonical);
	free(fc->folded);
	sb_free(&fc->list);
}

/* The feed's spelling of the column whose canonical name is `canonical`, or NULL. */
static const char *column_named(const struct feed_columns *fc, const char *canonical)
{
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->canonical[i], canonical) == 0)
			return fc->names[i];
	return NULL;
}

static bool has_column(const struct feed_columns *fc, const char *canonical)
{
	return column_named(fc, canonical) != NULL;
}

/* A nested feed's number under the wanted name: `price.amount` or `price.value` for price. */
static const char *nested_match(const struct feed_columns *fc, const char *wanted)
{
	static const char *const members[] = {"amount", "value"};
	char name[256];
	for (size_t m = 0; m < ARRAY_LEN(members); m++) {
		snprintf(name, sizeof(name), "%s_%s", wanted, members[m]);
		const char *found = column_named(fc, name);
		if (found)
			return found;
	}
	return NULL;
}

/*
 * The feed's spelling of the column nearest to `wanted` (canonical), by its folded or its canonical name, or
 * else the nested shape of it.
 */
static const char *close_match(const struct feed_columns *fc, const char *wanted)
{
	char *const *lists[] = {fc->folded, fc->canonical};
	for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
		const char *guess = closest_word(wanted, (const char *const *)lists[l]);
		for (size_t i = 0; guess && i < fc->n; i++)
			if (lists[l][i] == guess)
				return fc->names[i];
	}
	return nested_match(fc, wanted);
}

/*
 * For a feed without a sku column, the column that likely holds it (an id), and the alias that reads it as
 * the SKU: only a suggestion, since an id is as often a database number as the SKU.
 */
static void add_sku_hint(struct strbuf *sb, const struct feed_columns *fc)
{
	static const char *const ids[] = {"id", "product_id", "item_id", "product_code"};
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		const char *found = column_named(fc, ids[i]);
		if (found) {
			sb_addf(sb, " (if `%s` holds the SKU, set \"source\": {\"aliases\": {\"%s\": \"sku\"}})", found, found);
			return;
		}
	}
}

/* " (did you mean `Pret`?)" when a feed column is close to `wanted`. */
static void add_hint(struct strbuf *sb, const struct feed_columns *fc, const char *wanted)
{
	const char *guess = close_match(fc, wanted);
	if (guess)
		sb_addf(sb, " (did you mean `%s`?)", guess);
}

/* "`price`" or "`price` (did you mean `Pret`?)". */
static void add_column(struct strbuf *sb, const struct feed_columns *fc, const char *wanted)
{
	sb_addf(sb, "`%s`", wanted);
	add_hint(sb, fc, wanted);
}

static char *missing_required(const struct conn_config *conn, const struct feed_columns *fc)
{
	struct strbuf missing = {0};
	size_t count = 0;
	for (char **req = conn->required; req && *req; req++)
		if (!has_column(fc, *req)) {
			sb_addf(&missing, "%s%s", count++ ? ", " : "", *req);
			size_t before = missing.len;
			add_hint(&missing, fc, *req);
			if (missing.len == before && strcmp(*req, COL_SKU) == 0)
				add_sku_hint(&missing, fc);
		}
	char *text = count ? xasprintf("missing required column%s: %s; %s has: %s", count > 1 ? "s" : "",
	                               sb_str(&missing), fc->where, sb_str(&fc->list))
	                   : NULL;
	sb_free(&missing);
	return text;
}

/* A field that auto fills only when the feed has its column, but whose absence matters: the price, and
 * what update.fields sends to a shop. */
static bool expected(const struct conn_config *conn, const char *dest)
{
	return strcmp(dest, PF_REGULAR_PRICE) == 0 ||
	       (str_eq(conn->dest_type, "woocommerce") && conn->update_fields && update_sends(conn->update_fields, dest));
}

static void check_mapping(const struct conn_config *conn, const struct feed_columns *fc, struct problems *out)
{
	struct mapping_source s;
	for (size_t i = 0; mapping_source_of(conn->mapping, i, &s); i++) {
		if (!s.column || has_column(fc, s.column) || (s.automatic && !expected(conn, s.dest)))
			continue;
		struct strbuf sb = {0};
		add_column(&sb, fc, s.column);
		if (s.fallback)
			problems_add(out, "mapping", "%s reads column %s, which %s lacks: every product gets its default "
			             "'%s'; %s has: %s", s.dest, sb_str(&sb), fc->where, s.fallback, fc->where,
			             sb_str(&fc->list));
		else
			problems_add(out, "mapping", "%s reads column %s%s, which %s lacks: products are imported without "
			             "%s; %s has: %s", s.dest, sb_str(&sb), s.automatic ? " by default" : "", fc->where, s.dest,
			             fc->where, sb_str(&fc->list));
		sb_free(&sb);
	}
}

/* update.fields sends a field that nothing maps (auto is off and fields does not name it). */
static void check_update_fields(const struct conn_config *conn, struct problems *out)
{
	if (!str_eq(conn->dest_type, "woocommerce"))
		return;
	for (char **f = conn->update_fields; f && *f; f++) {
		struct mapping_source s;
		bool mapped = false;
		for (size_t i = 0; !mapped && mapping_source_of(conn->mapping, i, &s); i++)
			mapped = strcmp(s.dest, *f) == 0;
		if (!mapped)
			problems_add(out, "update.fields", "sends %s, but the mapping fills it from no column or constant, "
			             "so updates leave it as the shop has it", *f);
	}
}

static void check_filters(const struct conn_config *conn, const struct feed_columns *fc, struct problems *out)
{
	const char *field;
	for (size_t i = 0; conn->filter && (field = filter_field(conn->filter, i)); i++) {
		bool reported = false;
		for (size_t k = 0; k < i && !reported; k++)
			reported = strcmp(filter_field(conn->filter, k), field) == 0;
		if (reported || has_column(fc, field))
			continue;
		struct strbuf sb = {0};
		add_column(&sb, fc, field);
		problems_add(out, "filters", "a rule reads column %s, which %s lacks: it reads as empty for every row; "
		             "%s has: %s", sb_str(&sb), fc->where, fc->where, sb_str(&fc->list));
		sb_free(&sb);
	}
}

/* The column the images field reads: every column of that name is read, joined with '|'. */
static const char *images_column(const struct mapping *m)
{
	struct mapping_source src;
	for (size_t i = 0; mapping_source_of(m, i, &src); i++)
		if (strcmp(src.dest, PF_IMAGES) == 0)
			return src.column;
	return NULL;
}

/* Two columns under one canonical name ("Cod" and "SKU" are both sku): only the first is ever read. */
static void check_repeats(const struct conn_config *conn, const struct feed_columns *fc, struct problems *out)
{
	const char *images = images_column(conn->mapping);
	for (size_t i = 1; i < fc->n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(fc->canonical[k], fc->canonical[i]) == 0 && !(images && str_eq(images, fc->canonical[i]))) {
				problems_add(out, "columns", "column %zu `%s` and column %zu `%s` both read as `%s`: only "
				             "column %zu is read (name one of them in source.aliases)", k + 1, fc->names[k],
				             i + 1, fc->names[i], fc->canonical[i], k + 1);
				break;
			}
}

void column_check(const struct conn_config *conn, const char *const *names, size_t n, bool header,
                  struct column_report *out)
{
	memset(out, 0, sizeof(*out));
	struct feed_columns fc;
	feed_columns_init(&fc, conn, names, n, header);
	out->missing_required = missing_required(conn, &fc);
	check_repeats(conn, &fc, &out->warnings);
	check_mapping(conn, &fc, &out->warnings);
	check_update_fields(conn, &out->warnings);
	check_filters(conn, &fc, &out->warnings);
	feed_columns_free(&fc);
}

void column_report_free(struct column_report *r)
{
	free(r->missing_required);
	problems_free(&r->warnings);
	memset(r, 0, sizeof(*r));
}
