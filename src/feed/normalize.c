#include "feed/normalize.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

/* ---- folding ---------------------------------------------------------------------------------------- */

/*
 * ASCII for U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), one byte per code point.
 * '_' is a separator (multiplication and division signs); capitals stand for two letters (see digraph).
 */
static const char latin_fold[] =
	"aaaaaaAceeeeiiiidnooooo_ouuuuyTS"   /* U+00C0 */
	"aaaaaaAceeeeiiiidnooooo_ouuuuyTy"   /* U+00E0 */
	"aaaaaaccccccccddddeeeeeeeeeegggg"   /* U+0100 */
	"gggghhhhiiiiiiiiiiIIjjkkklllllll"   /* U+0120 */
	"lllnnnnnnnnnooooooOOrrrrrrssssss"   /* U+0140 */
	"ssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  /* U+0160 */
_Static_assert(sizeof(latin_fold) - 1 == 0x180 - 0xC0, "one letter per code point U+00C0..U+017F");

static const char *digraph(char code)
{
	switch (code) {
	case 'A': return "ae";
	case 'T': return "th";
	case 'S': return "ss";
	case 'I': return "ij";
	case 'O': return "oe";
	default: return NULL;
	}
}

/* Decodes one UTF-8 sequence at p; *len is its length. Returns -1 (length 1) for an invalid byte. */
static int32_t utf8_decode(const unsigned char *p, size_t *len)
{
	*len = 1;
	if (p[0] < 0x80)
		return p[0];
	size_t want = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
	/* Stops at the terminating NUL, which is never a continuation byte. */
	if (utf8_valid_prefix((const char *)p, want) != want)
		return -1;
	int32_t cp = p[0] & (0x7F >> want);
	for (size_t k = 1; k < want; k++)
		cp = (cp << 6) | (p[k] & 0x3F);
	*len = want;
	return cp;
}

enum piece { PIECE_TEXT, PIECE_SEPARATOR, PIECE_NOTHING };

/*
 * What one code point becomes in a folded name: ASCII text, a separator, or nothing (combining marks,
 * so decomposed "a" + U+0306 folds like U+0103). Other scripts are kept as they are.
 */
static enum piece fold_code_point(int32_t cp, const unsigned char *src, size_t len, char text[5])
{
	if (cp >= 0 && cp < 0x80) {
		if (!((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')))
			return PIECE_SEPARATOR;
		text[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		text[1] = '\0';
		return PIECE_TEXT;
	}
	if (cp >= 0x300 && cp <= 0x36F)
		return PIECE_NOTHING;
	if (cp >= 0xC0 && cp < 0x180) {
		char c = latin_fold[cp - 0xC0];
		if (c == '_')
			return PIECE_SEPARATOR;
		const char *two = digraph(c);
		text[0] = two ? two[0] : c;
		text[1] = two ? two[1] : '\0';
		text[2] = '\0';
		return PIECE_TEXT;
	}
	if (cp >= 0x218 && cp <= 0x21B) { /* Romanian S and T with comma below */
		text[0] = cp < 0x21A ? 's' : 't';
		text[1] = '\0';
		return PIECE_TEXT;
	}
	/* Invalid bytes, Latin-1 punctuation (NBSP, degree, ...), general punctuation, BOM, ideographic space. */
	if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0xFEFF || cp == 0x3000)
		return PIECE_SEPARATOR;
	memcpy(text, src, len);
	text[len] = '\0';
	return PIECE_TEXT;
}

char *normalize_fold(const char *in, char *out, size_t size)
{
	if (!size)
		return out;
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	bool gap = false;
	while (*p) {
		size_t len;
		int32_t cp = utf8_decode(p, &len);
		char text[5];
		enum piece kind = fold_code_point(cp, p, len, text);
		p += len;
		if (kind == PIECE_SEPARATOR)
			gap = o > 0; /* leading separators vanish; trailing ones are never written */
		if (kind != PIECE_TEXT)
			continue;
		size_t tl = strlen(text);
		if (o + gap + tl > size - 1)
			break;
		if (gap)
			out[o++] = '_';
		memcpy(out + o, text, tl);
		o += tl;
		gap = false;
	}
	out[o] = '\0';
	return out;
}

/* ---- aliases ---------------------------------------------------------------------------------------- */

struct alias {
	const char *from;
	const char *to;
};

/*
 * Folded header -> canonical column. "articol" alone is left out on purpose: Romanian exports use it
 * for the product's name as often as for its code.
 */
static struct alias builtin_aliases[] = {
	{"cod", "sku"}, {"code", "sku"}, {"cod_produs", "sku"}, {"cod_articol", "sku"},
	{"product_code", "sku"}, {"id_produs", "sku"},
	{"denumire", "name"}, {"nume", "name"}, {"title", "name"}, {"product_name", "name"},
	{"denumire_produs", "name"}, {"denumire_articol", "name"},
	{"pret", "price"}, {"pret_vanzare", "price"}, {"pret_cu_tva", "price"}, {"regular_price", "price"},
	{"pret_promo", "sale_price"}, {"pret_redus", "sale_price"}, {"special_price", "sale_price"},
	{"cantitate", "quantity"}, {"cantiate", "quantity"}, /* a frequent typo in WinMentor exports */
	{"stoc", "quantity"}, {"stock", "quantity"}, {"qty", "quantity"}, {"stock_quantity", "quantity"},
	{"categorie", "category"}, {"categories", "category"}, {"category_path", "category"},
	{"descriere", "description"},
	{"descriere_scurta", "short_description"},
	{"ean13", "ean"}, {"cod_bare", "ean"}, {"barcode", "ean"}, {"gtin", "ean"},
	{"producator", "brand"}, {"manufacturer", "brand"},
	{"greutate", "weight"},
	{"imagine", "image"}, {"image_url", "image"}, {"poza", "image"},
	{"images", "image"}, {"imagini", "image"}, /* a JSON list of image URLs */
	/* Google Merchant (RSS and Atom): g:price, g:brand, g:gtin, g:sale_price need none, see canonical_dup.
	 * Plain "id" and "product_type" mean other things in other feeds, so only their g: forms are aliased. */
	{"g_id", "sku"}, {"g_product_type", "category"}, {"availability", "stock_status"},
	{"image_link", "image"}, {"additional_image_link", "image"},
};

static pthread_once_t builtin_sorted_once = PTHREAD_ONCE_INIT;

static int alias_cmp(const void *a, const void *b)
{
	return strcmp(((const struct alias *)a)->from, ((const struct alias *)b)->from);
}

static void sort_builtin_aliases(void)
{
	qsort(builtin_aliases, ARRAY_LEN(builtin_aliases), sizeof(builtin_aliases[0]), alias_cmp);
}

static const char *alias_find(const struct alias *list, size_t n, const char *from)
{
	struct alias key = {.from = from};
	const struct alias *hit = bsearch(&key, list, n, sizeof(*list), alias_cmp);
	return hit ? hit->to : NULL;
}

struct alias_table {
	size_t n;
	struct alias *pairs; /* folded, sorted by from; strings owned */
};

static char *fold_dup(const char *s)
{
	size_t size = strlen(s) + 1; /* folding never lengthens a name */
	return normalize_fold(s, xmalloc(size), size);
}

struct alias_table *alias_table_new(const char *const *pairs)
{
	pthread_once(&builtin_sorted_once, sort_builtin_aliases);
	struct alias_table *t = xcalloc(1, sizeof(*t));
	size_t count = 0;
	while (pairs && pairs[2 * count] && pairs[2 * count + 1])
		count++;
	t->pairs = xcalloc(count, sizeof(*t->pairs));
	for (size_t i = 0; i < count; i++) {
		t->pairs[t->n].from = fold_dup(pairs[2 * i]);
		t->pairs[t->n].to = fold_dup(pairs[2 * i + 1]);
		t->n++;
	}
	qsort(t->pairs, t->n, sizeof(*t->pairs), alias_cmp);
	return t;
}

void alias_table_free(struct alias_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free((char *)t->pairs[i].from);
		free((char *)t->pairs[i].to);
	}
	free(t->pairs);
	free(t);
}

/* The connection's table first; its result still goes through the built-in one ("Pret final" -> "pret"
 * -> "price"). NULL when neither has the name. */
static const char *alias_of(const struct alias_table *t, const char *folded)
{
	const char *name = folded;
	const char *own = t ? alias_find(t->pairs, t->n, folded) : NULL;
	if (own)
		name = own;
	pthread_once(&builtin_sorted_once, sort_builtin_aliases);
	const char *builtin = alias_find(builtin_aliases, ARRAY_LEN(builtin_aliases), name);
	return builtin ? builtin : own;
}

static bool is_prefix_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && ((c >= '0' && c <= '9') || c == '-' ||
	                                                                         c == '.'));
}

/*
 * The name without its XML namespace prefixes ("g:price" -> "price", "g:shipping_g:price" -> "shipping_price":
 * a prefix starts the name or follows the '_' that joins a child to its parent), or NULL when it has none.
 */
static char *without_prefixes(const char *raw)
{
	char *out = NULL;
	size_t o = 0;
	for (size_t i = 0; raw[i];) {
		size_t k = i;
		if (i == 0 || raw[i - 1] == '_')
			while (is_prefix_char(raw[k], k == i))
				k++;
		if (k > i && raw[k] == ':' && raw[k + 1] && raw[k + 1] != ':' && raw[k + 1] != ' ') {
			if (!out) {
				out = xmalloc(strlen(raw) + 1);
				memcpy(out, raw, i);
				o = i;
			}
			i = k + 1;
			continue;
		}
		if (out)
			out[o++] = raw[i];
		i++;
	}
	if (out)
		out[o] = '\0';
	return out;
}

/*
 * The canonical name of a feed or mapping column; caller frees. A namespaced name ("g:price") is looked up
 * as it is first ("g:id" -> sku), then without its prefixes, so "g:price" and "price" name the same column.
 */
static char *canonical_dup(const struct alias_table *t, const char *raw)
{
	size_t size = strlen(raw) + 1; /* folding never lengthens a name */
	char *folded = normalize_fold(raw, xmalloc(size), size);
	const char *alias = alias_of(t, folded);
	char *bare = alias ? NULL : without_prefixes(raw);
	if (bare) {
		normalize_fold(bare, folded, size);
		alias = alias_of(t, folded);
		free(bare);
	}
	char *out = xstrdup(alias ? alias : folded);
	free(folded);
	return out;
}

char *normalize_column(const struct alias_table *t, const char *in, char *out, size_t size)
{
	char *canonical = canonical_dup(t, in);
	str_copy(out, canonical, size);
	free(canonical);
	return out;
}

/* ---- column maps ------------------------------------------------------------------------------------ */

struct column_entry {
	char *raw;
	char *canonical;
};

/*
 * The cache is per position and checked by content, not only by the names array's address: a source may
 * refill the same array with other names (JSON objects with varying keys), and a strcmp per column is
 * far cheaper than folding again.
 */
struct column_map {
	const struct alias_table *aliases;
	size_t n;
	struct column_entry *entries;
	const char **out;
};

struct column_map *column_map_new(const struct alias_table *t)
{
	struct column_map *m = xcalloc(1, sizeof(*m));
	m->aliases = t;
	return m;
}

void column_map_free(struct column_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->entries[i].raw);
		free(m->entries[i].canonical);
	}
	free(m->entries);
	free(m->out);
	free(m);
}

static void column_entry_set(struct column_entry *e, const struct alias_table *t, const char *raw)
{
	free(e->raw);
	free(e->canonical);
	e->raw = xstrdup(raw);
	e->canonical = canonical_dup(t, raw);
}

const char **column_map_apply(struct column_map *m, const struct record *rec)
{
	if (rec->n > m->n || !m->out) {
		size_t n = rec->n > m->n ? rec->n : m->n;
		m->entries = xrealloc(m->entries, (n ? n : 1) * sizeof(*m->entries));
		memset(m->entries + m->n, 0, (n - m->n) * sizeof(*m->entries));
		m->out = xrealloc(m->out, (n ? n : 1) * sizeof(*m->out));
		m->n = n;
	}
	for (size_t i = 0; i < rec->n; i++) {
		struct column_entry *e = &m->entries[i];
		if (!e->raw || strcmp(e->raw, rec->names[i]) != 0)
			column_entry_set(e, m->aliases, rec->names[i]);
		m->out[i] = e->canonical;
	}
	return m->out;
}

/* ---- numbers ---------------------------------------------------------------------------------------- */

/* Longest number text accepted; anything longer is not a price or a quantity. */
#define NUMBER_MAX 128

/*
 * Copies the number's characters to buf as digits, '.', ',' and ' ' (no-break spaces count as spaces,
 * as spreadsheets write them between thousands). Returns the length, or -1 for any other character.
 */
static int squeeze_number(const char *s, size_t len, char *buf)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o >= NUMBER_MAX)
			return -1;
		if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == ' ') {
			buf[o++] = (char)c;
		} else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
			buf[o++] = ' ';
			i += 1;
		} else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		           (unsigned char)s[i + 2] == 0xAF) {
			buf[o++] = ' ';
			i += 2;
		} else {
			return -1;
		}
	}
	buf[o] = '\0';
	return (int)o;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/*
 * Picks the decimal and thousands separators. decimal '.' or ',' (source.decimal_separator) fixes the decimal
 * separator, which may appear once, and makes the other one the thousands separator. Without it: when both
 * '.' and ',' appear, the last one is the decimal separator and may appear once; a single '.' or ',' is always
 * the decimal separator, so "1,234" is 1.234, never 1234: guessing from the digit count would read "1,234" and
 * "1,23" differently. One kind repeated ("1.234.567") is a thousands separator. Spaces are thousands
 * separators and do not mix with '.' or ',' in that role.
 */
static bool pick_separators(const char *s, char decimal, char *dec, char *thou)
{
	size_t dots = count_char(s, '.'), commas = count_char(s, ','), spaces = count_char(s, ' ');
	*dec = *thou = 0;
	if (decimal) {
		char other = decimal == '.' ? ',' : '.';
		*dec = decimal;
		*thou = count_char(s, other) ? other : spaces ? ' ' : 0;
		return count_char(s, decimal) <= 1 && !(spaces && *thou == other);
	}
	if (dots && commas) {
		*dec = strrchr(s, '.') > strrchr(s, ',') ? '.' : ',';
		*thou = *dec == '.' ? ',' : '.';
		return count_char(s, *dec) == 1 && !spaces;
	}
	if (dots + commas == 1) {
		*dec = dots ? '.' : ',';
		*thou = spaces ? ' ' : 0;
		return true;
	}
	if (dots + commas > 1) {
		*thou = dots ? '.' : ',';
		return !spaces;
	}
	*thou = spaces ? ' ' : 0;
	return true;
}

/* Digits in groups: the first of 1-3 digits, the rest of exactly 3, joined by thou (0 = plain digits). */
static bool valid_integer_part(const char *s, size_t len, char thou)
{
	size_t group = 0, groups = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == thou && thou) {
			if (group == 0 || (groups == 0 ? group > 3 : group != 3))
				return false;
			groups++;
			group = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			group++;
		} else {
			return false;
		}
	}
	return groups == 0 || group == 3;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

static size_t skip_space(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
		i++;
	return i;
}

/* The length of in when it is already in normal form ("1234.50", "0.5", "7"), else 0. */
static size_t normal_form(const char *in)
{
	size_t i = 0;
	while (in[i] >= '0' && in[i] <= '9')
		i++;
	if (i == 0 || (in[0] == '0' && i > 1))
		return 0;
	if (in[i] == '.') {
		size_t first = ++i;
		while (in[i] >= '0' && in[i] <= '9')
			i++;
		if (i == first)
			return 0;
	}
	return in[i] ? 0 : i;
}

/* The number in in[0, len) with the decimal separator decimal (0: either, see pick_separators). */
static bool read_decimal(const char *in, size_t len, char decimal, char *out, size_t size)
{
	size_t b = skip_space(in, 0, len);
	while (len > b && (in[len - 1] == ' ' || (in[len - 1] >= '\t' && in[len - 1] <= '\r')))
		len--;
	bool negative = b < len && in[b] == '-';
	if (b < len && (in[b] == '-' || in[b] == '+'))
		b++;
	char buf[NUMBER_MAX + 1], dec, thou;
	int n = squeeze_number(in + b, len - b, buf);
	if (n <= 0 || !pick_separators(buf, decimal, &dec, &thou))
		return false;
	const char *point = dec ? strchr(buf, dec) : NULL;
	size_t int_len = point ? (size_t)(point - buf) : (size_t)n;
	size_t frac_len = point ? (size_t)n - int_len - 1 : 0;
	if (point && !all_digits(point + 1, frac_len))
		return false;
	if (int_len > 0 && !valid_integer_part(buf, int_len, thou))
		return false; /* int_len == 0 only before a decimal point: ".5" */

	char digits[NUMBER_MAX + 1];
	size_t d = 0;
	for (size_t i = 0; i < int_len; i++)
		if (buf[i] != thou)
			digits[d++] = buf[i];
	size_t lead = 0;
	while (lead + 1 < d && digits[lead] == '0')
		lead++;
	size_t need = negative + (d ? d - lead : 1) + (point ? 1 + frac_len : 0);
	if (need + 1 > size)
		return false;
	char *o = out;
	if (negative)
		*o++ = '-';
	if (d) {
		memcpy(o, digits + lead, d - lead);
		o += d - lead;
	} else {
		*o++ = '0';
	}
	if (point) {
		*o++ = '.';
		memcpy(o, point + 1, frac_len);
		o += frac_len;
	}
	*o = '\0';
	return true;
}

/*
 * Copies in when it is already in normal form. Most feeds write their prices and stocks that way: every row
 * of every import comes through here. With ',' as the decimal separator, "1.234" is not in normal form.
 */
static bool copy_normal_form(const char *in, char decimal, char *out, size_t size)
{
	size_t plain = decimal == ',' ? 0 : normal_form(in);
	if (!plain || plain > NUMBER_MAX || plain >= size)
		return false;
	memcpy(out, in, plain + 1);
	return true;
}

bool normalize_number(const char *in, char decimal, char *out, size_t size)
{
	return copy_normal_form(in, decimal, out, size) || read_decimal(in, strlen(in), decimal, out, size);
}

bool normalize_decimal(const char *in, char *out, size_t size)
{
	return normalize_number(in, 0, out, size);
}

bool normalize_integer(const char *in, char decimal, long long *out)
{
	char buf[NUMBER_MAX + 2];
	if (!normalize_number(in, decimal, buf, sizeof(buf)))
		return false;
	char *point = strchr(buf, '.');
	if (point) {
		for (const char *f = point + 1; *f; f++)
			if (*f != '0')
				return false;
		*point = '\0';
	}
	errno = 0;
	char *end;
	long long v = strtoll(buf, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* ---- prices ----------------------------------------------------------------------------------------- */

/*
 * Currency signs and words feeds write, with their ISO 4217 code. '$' is taken as USD: a feed in another
 * dollar writes its code (CAD, AUD). Signs shared by several currencies (kr, ¥) are left out: they are
 * ambiguous, so a price carrying one does not parse.
 */
static const struct {
	const char *sign;
	const char *code;
} currency_signs[] = {
	{"\xe2\x82\xac", "EUR"}, {"$", "USD"}, {"\xc2\xa3", "GBP"}, {"lei", "RON"}, {"z\xc5\x82", "PLN"},
	{"K\xc4\x8d", "CZK"}, {"Ft", "HUF"}, {"\xd0\xbb\xd0\xb2", "BGN"}, {"\xe2\x82\xb4", "UAH"},
};

/* The currency written at s[0, len) when the whole of it is one: a sign ("€", "lei") or three capitals. */
static const char *currency_code(const char *s, size_t len, char iso[4])
{
	for (size_t i = 0; i < ARRAY_LEN(currency_signs); i++)
		if (strlen(currency_signs[i].sign) == len && strncasecmp(s, currency_signs[i].sign, len) == 0)
			return currency_signs[i].code;
	if (len != 3) /* ISO 4217 codes in capitals only: "12 pcs" is not a price in PCS */
		return NULL;
	for (size_t i = 0; i < 3; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return NULL;
	memcpy(iso, s, 3);
	iso[3] = '\0';
	return iso;
}

/* Where the text before the number ends: the first digit, sign, separator or space. */
static size_t leading_word(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && !(s[i] >= '0' && s[i] <= '9') && !strchr("+-., \t", s[i]))
		i++;
	return i;
}

/* Where the text after the number starts: after the last digit, or the separator ending "12,-". */
static size_t trailing_word(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && !(s[i - 1] >= '0' && s[i - 1] <= '9') && !strchr("., \t", s[i - 1]))
		i--;
	return i;
}

enum price_read normalize_price(const char *in, char decimal, char *out, size_t size, char currency[4])
{
	currency[0] = '\0';
	if (copy_normal_form(in, decimal, out, size))
		return PRICE_OK;
	size_t len = strlen(in), b = skip_space(in, 0, len);
	while (len > b && (in[len - 1] == ' ' || (in[len - 1] >= '\t' && in[len - 1] <= '\r')))
		len--;
	char iso[2][4];
	size_t before = leading_word(in + b, len - b), after = trailing_word(in + b, len - b);
	if (after < before)
		return PRICE_NOT_NUMBER; /* no digit at all */
	const char *lead = before ? currency_code(in + b, before, iso[0]) : NULL;
	const char *trail = after < len - b ? currency_code(in + b + after, len - b - after, iso[1]) : NULL;
	if ((before && !lead) || (after < len - b && !trail))
		return PRICE_NOT_NUMBER;
	if (lead && trail)
		return PRICE_TWO_CURRENCIES; /* "$12 EUR": which one? */
	if (!read_decimal(in + b + before, after - before, decimal, out, size))
		return decimal && read_decimal(in + b + before, after - before, 0, out, size) ? PRICE_OTHER_SEPARATOR
		                                                                               : PRICE_NOT_NUMBER;
	str_copy(currency, lead ? lead : trail ? trail : "", 4);
	return PRICE_OK;
}

void normalize_price_problem(enum price_read read, char decimal, char *out, size_t size)
{
	switch (read) {
	case PRICE_OK: snprintf(out, size, "is a number"); break;
	case PRICE_NOT_NUMBER: snprintf(out, size, "is not a number"); break;
	case PRICE_TWO_CURRENCIES: snprintf(out, size, "has a currency on both sides of the number"); break;
	case PRICE_OTHER_SEPARATOR:
		snprintf(out, size, "does not read with '%c' as the decimal separator (source.decimal_separator)", decimal);
		break;
	}
}

/* ---- stock status ----------------------------------------------------------------------------------- */

/* Folded availability -> WooCommerce's stock_status. Google Merchant's values, WooCommerce's own, Romanian. */
static const struct alias stock_statuses[] = {
	{"backorder", "onbackorder"}, {"in_stock", "instock"}, {"instock", "instock"}, {"on_backorder", "onbackorder"},
	{"onbackorder", "onbackorder"}, {"out_of_stock", "outofstock"}, {"outofstock", "outofstock"},
	{"preorder", "onbackorder"}, {"pre_order", "onbackorder"}, {"in_stoc", "instock"}, {"stoc_epuizat", "outofstock"},
};

const char *normalize_stock_status(const char *in)
{
	char folded[32];
	normalize_fold(in, folded, sizeof(folded));
	for (size_t i = 0; i < ARRAY_LEN(stock_statuses); i++)
		if (strcmp(folded, stock_statuses[i].from) == 0)
			return stock_statuses[i].to;
	return NULL;
}
