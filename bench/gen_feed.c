/*
 * gen_feed: writes a realistic product CSV to stdout for the import benchmark.
 *
 *   gen_feed [--rows N] [--changed PCT] [--seed S] > feed.csv
 *
 * SKUs are unique and appear in shuffled order; names carry Romanian, German and French diacritics;
 * descriptions are always quoted and sometimes hold "" quotes and newlines. Everything about a product
 * is drawn from a generator seeded by its SKU, so --changed PCT writes the very same file except that
 * about PCT% of the products (chosen by SKU, spread over the file) have a new price and quantity.
 * The summary goes to stderr as "rows N changed K bytes B" for the driver to check counts against.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define DEFAULT_ROWS 1000000u
#define DEFAULT_SEED UINT64_C(20260101)
#define CHANGE_SALT UINT64_C(0x6368616e6765640a)

struct rng {
	uint64_t state;
};

/* splitmix64: tiny, fast, and good enough to make independent streams from nearby seeds. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static int rng_percent(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

#define PICK(r, list) ((list)[rng_below((r), ARRAY_LEN(list))])

static const char *const brands[] = {
	"Samsung", "Xiaomi", "Bosch", "Philips", "Arctic", "Tefal", "Braun", "Siemens", "Gorenje",
	"Moulinex", "Heinz & Söhne", "Électro-Ménager", "Nord, S.A.", "Vörwerk", "Ștefănescu Tools",
};

static const char *const nouns[] = {
	"Telefon mobil", "Căști wireless", "Șurubelniță electrică", "Mașină de spălat rufe", "Fierbător",
	"Cafetieră", "Kühlschrank", "Staubsauger", "Bohrmaschine", "Fön de păr", "Cuptor cu microunde",
	"Tastatură mecanică", "Écouteurs", "Cafetière à piston", "Râpe électrique", "Théière en fonte",
	"Lampă de birou", "Brățară fitness", "Trotinetă electrică", "Übertopf", "Wärmflasche", "Friteuză cu aer",
};

static const char *const qualifiers[] = {
	"Premium", "Pro", "Lite", "Ultra", "Max", "Mini", "Classic", "Édition limitée", "Größe XL", "negru",
	"alb", "roșu", "Grün", "bleu marine", "ediție 2026", "für Küche",
};

static const char *const sentences[] = {
	"Produs original, cu garanție 24 de luni.",
	"Livrare rapidă în toată țara, în 24-48 de ore.",
	"Material rezistent, ușor de curățat, potrivit pentru uz zilnic.",
	"Hochwertige Verarbeitung, langlebig und energieeffizient.",
	"Lieferumfang: Gerät, Netzteil, Bedienungsanleitung.",
	"Idéal pour la maison, le bureau ou les déplacements.",
	"Consommation réduite, silencieux, facile à ranger.",
	"Compatibil cu Android și iOS, conectare prin Bluetooth 5.3.",
	"Dimensiuni: 32 x 18 x 12 cm, greutate 1,4 kg.",
	"Include cablu USB-C, încărcător și husă de protecție.",
};

/* Descriptions that need their quotes doubled in CSV. */
static const char *const quoted_sentences[] = {
	"Ecran de 6,1\" OLED, luminozitate 1200 nits.",
	"Model \"Silent\" cu nivel de zgomot sub 40 dB.",
	"Bildschirm 15,6\" Full HD, entspiegelt.",
	"Surnommé \"le petit génie\" par nos clients.",
};

static const char *const categories[] = {
	"Electronice > Telefoane", "Electronice > Căști", "Electrocasnice > Bucătărie > Cafetiere",
	"Electrocasnice > Îngrijire personală", "Haushalt > Küche", "Haushalt > Bügeln & Nähen",
	"Maison > Cuisine > Théières", "Unelte > Electrice", "IT > Periferice > Tastaturi", "Sport > Trotinete",
};

/* Fields that would be misread unquoted are always quoted; others only pct% of the time. */
static void put_field(struct strbuf *row, const char *value, size_t len, int quote)
{
	if (memchr(value, ',', len) || memchr(value, '"', len) || memchr(value, '\n', len))
		quote = 1;
	if (!quote) {
		sb_add(row, value, len);
		return;
	}
	sb_addc(row, '"');
	for (const char *p = value, *end = value + len; p < end;) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		size_t run = q ? (size_t)(q - p + 1) : (size_t)(end - p);
		sb_add(row, p, run);
		if (q)
			sb_addc(row, '"');
		p += run;
	}
	sb_addc(row, '"');
}

static void put_cell(struct strbuf *row, const struct strbuf *value, int quote, char after)
{
	put_field(row, value->buf ? value->buf : "", value->len, quote);
	sb_addc(row, after);
}

static void make_description(struct rng *r, struct strbuf *out)
{
	unsigned n = 1 + rng_below(r, 2);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			sb_addc(out, rng_percent(r, 8) ? '\n' : ' ');
		sb_adds(out, rng_percent(r, 4) ? PICK(r, quoted_sentences) : PICK(r, sentences));
	}
}

/* EAN-13 with a valid check digit, derived from the SKU so it is unique too. */
static void make_ean(uint32_t sku, struct strbuf *out)
{
	char digits[14];
	snprintf(digits, sizeof(digits), "594%09" PRIu32, sku);
	unsigned sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (unsigned)(digits[i] - '0') * (i % 2 ? 3u : 1u);
	digits[12] = (char)('0' + (10 - sum % 10) % 10);
	digits[13] = '\0';
	sb_adds(out, digits);
}

struct offer {
	uint32_t cents;
	uint32_t quantity;
};

/*
 * The change has its own generator, so a changed product draws the same name, category and quoting as in
 * the original file. Returns whether this product's offer changed.
 */
static int maybe_change(struct offer *o, uint32_t sku, uint64_t seed, unsigned pct)
{
	struct rng r = {seed ^ CHANGE_SALT ^ ((uint64_t)sku << 20)};
	if (rng_below(&r, 10000) >= pct * 100)
		return 0;
	uint32_t delta = 1 + rng_below(&r, o->cents / 5 + 100);
	o->cents = rng_percent(&r, 50) && o->cents > delta + 50 ? o->cents - delta : o->cents + delta;
	o->quantity = (o->quantity + 1 + rng_below(&r, 500)) % 501;
	return 1;
}

struct cells {
	struct strbuf name, description, price, quantity, category, brand, ean, sku;
};

static void cells_reset(struct cells *c)
{
	sb_reset(&c->name);
	sb_reset(&c->description);
	sb_reset(&c->price);
	sb_reset(&c->quantity);
	sb_reset(&c->category);
	sb_reset(&c->brand);
	sb_reset(&c->ean);
	sb_reset(&c->sku);
}

static void cells_free(struct cells *c)
{
	sb_free(&c->name);
	sb_free(&c->description);
	sb_free(&c->price);
	sb_free(&c->quantity);
	sb_free(&c->category);
	sb_free(&c->brand);
	sb_free(&c->ean);
	sb_free(&c->sku);
}

/* Returns whether the product's offer was changed. */
static int write_row(struct strbuf *row, struct cells *c, uint32_t sku, uint64_t seed, unsigned changed_pct)
{
	struct rng r = {seed ^ ((uint64_t)sku << 24) ^ sku};
	cells_reset(c);
	const char *brand = PICK(&r, brands);
	sb_addf(&c->sku, "SKU-%08" PRIu32, sku);
	sb_addf(&c->name, "%s %s %s X%03u", brand, PICK(&r, nouns), PICK(&r, qualifiers), rng_below(&r, 1000));
	make_description(&r, &c->description);
	struct offer o = {50 + rng_below(&r, 999950), rng_below(&r, 501)};
	int changed = maybe_change(&o, sku, seed, changed_pct);
	sb_addf(&c->price, "%" PRIu32 ".%02" PRIu32, o.cents / 100, o.cents % 100);
	sb_addf(&c->quantity, "%" PRIu32, o.quantity);
	sb_adds(&c->category, PICK(&r, categories));
	sb_adds(&c->brand, brand);
	make_ean(sku, &c->ean);

	sb_reset(row);
	put_cell(row, &c->sku, rng_percent(&r, 10), ',');
	put_cell(row, &c->name, rng_percent(&r, 85), ',');
	put_cell(row, &c->description, 1, ',');
	put_cell(row, &c->price, rng_percent(&r, 10), ',');
	put_cell(row, &c->quantity, rng_percent(&r, 10), ',');
	put_cell(row, &c->category, rng_percent(&r, 85), ',');
	put_cell(row, &c->brand, rng_percent(&r, 50), ',');
	put_cell(row, &c->ean, 0, '\n');
	return changed;
}

/* Fisher-Yates over 0..n-1: the file order of the SKUs. */
static uint32_t *shuffled(uint32_t n, uint64_t seed)
{
	uint32_t *order = xmalloc((size_t)n * sizeof(*order));
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	struct rng r = {seed};
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = rng_below(&r, i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	return order;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_feed [--rows N] [--changed PCT] [--seed S] > feed.csv\n");
	return 2;
}

static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
	int64_t v;
	if (!s || !parse_int64(s, &v) || v < 0 || (uint64_t)v > max)
		return 0;
	*out = (uint64_t)v;
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t rows = DEFAULT_ROWS, pct = 0, seed = DEFAULT_SEED;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int ok = 0;
		if (str_eq(argv[i], "--rows"))
			ok = parse_count(v, 99999999, &rows) && rows > 0;
		else if (str_eq(argv[i], "--changed"))
			ok = parse_count(v, 100, &pct);
		else if (str_eq(argv[i], "--seed"))
			ok = parse_count(v, INT64_MAX, &seed);
		if (!ok)
			return usage();
		i++;
	}

	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	static const char header[] = "sku,name,description,price,quantity,category,brand,ean\n";
	fwrite(header, 1, sizeof(header) - 1, stdout);

	uint32_t *order = shuffled((uint32_t)rows, seed);
	struct strbuf row = {0};
	struct cells cells = {0};
	uint64_t changed = 0, bytes = sizeof(header) - 1;
	for (uint32_t i = 0; i < rows; i++) {
		changed += (uint64_t)write_row(&row, &cells, order[i], seed, (unsigned)pct);
		fwrite(row.buf, 1, row.len, stdout);
		bytes += row.len;
	}
	free(order);
	sb_free(&row);
	cells_free(&cells);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen_feed: cannot write the feed");
		return 1;
	}
	fprintf(stderr, "rows %" PRIu64 " changed %" PRIu64 " bytes %" PRIu64 "\n", rows, changed, bytes);
	return 0;
}
