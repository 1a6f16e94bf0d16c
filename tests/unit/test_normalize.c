/* normalize: header folding, aliases, column maps, decimal, price and integer parsing, stock statuses. */
#include "feed/normalize.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static const char *fold(const char *in)
{
	static char out[256];
	return normalize_fold(in, out, sizeof(out));
}

static const char *column(const struct alias_table *t, const char *in)
{
	static char out[256];
	return normalize_column(t, in, out, sizeof(out));
}

/* ---- folding ---- */

Test(normalize, fold_trims_lowers_and_joins_separators)
{
	cr_assert_str_eq(fold("  Product Name  "), "product_name");
	cr_assert_str_eq(fold("Stock-Quantity"), "stock_quantity");
	cr_assert_str_eq(fold("a . b -- c"), "a_b_c");
	cr_assert_str_eq(fold("__sku__"), "sku");
	cr_assert_str_eq(fold("Preț (RON)"), "pret_ron");
	cr_assert_str_eq(fold("EAN13"), "ean13");
	cr_assert_str_eq(fold(""), "");
	cr_assert_str_eq(fold(" - . "), "");
}

Test(normalize, fold_romanian_diacritics_both_forms)
{
	/* comma below (U+0218..U+021B) and cedilla (U+015E, U+015F, U+0162, U+0163) */
	cr_assert_str_eq(fold("Ștoc Țară"), "stoc_tara");
	cr_assert_str_eq(fold("ștoc țară"), "stoc_tara");
	cr_assert_str_eq(fold("Ştoc Ţară"), "stoc_tara");
	cr_assert_str_eq(fold("ştoc ţară"), "stoc_tara");
	cr_assert_str_eq(fold("Cantitate în stoc"), "cantitate_in_stoc");
	cr_assert_str_eq(fold("DESCRIERE SCURTĂ"), "descriere_scurta");
	cr_assert_str_eq(fold("Preţ vânzare"), "pret_vanzare");
}

Test(normalize, fold_latin1_and_extended_a)
{
	cr_assert_str_eq(fold("Größe"), "grosse");
	cr_assert_str_eq(fold("Æble Œuvre ĳs"), "aeble_oeuvre_ijs");
	cr_assert_str_eq(fold("Ñandú"), "nandu");
	cr_assert_str_eq(fold("Þorn"), "thorn");
	cr_assert_str_eq(fold("Łódź"), "lodz");
	cr_assert_str_eq(fold("Čeština Ďábel Ěř"), "cestina_dabel_er");
	cr_assert_str_eq(fold("ÀÁÂÃÄÅ àáâãäå"), "aaaaaa_aaaaaa");
	cr_assert_str_eq(fold("Ÿÿ"), "yy");
	cr_assert_str_eq(fold("ſ"), "s");
	cr_assert_str_eq(fold("2×3÷4"), "2_3_4"); /* the two symbols among the letters are separators */
}

Test(normalize, fold_punctuation_and_other_scripts)
{
	cr_assert_str_eq(fold("price\xC2\xA0(EUR)"), "price_eur");          /* no-break space */
	cr_assert_str_eq(fold("price \xE2\x80\x93 net"), "price_net");      /* en dash */
	cr_assert_str_eq(fold("\xEF\xBB\xBFsku"), "sku");                   /* BOM */
	cr_assert_str_eq(fold("a\xCC\x86lt"), "alt");                       /* combining breve */
	cr_assert_str_eq(fold("Цена"), "Цена");                             /* kept as is */
	cr_assert_str_eq(fold("ok\xFFok"), "ok_ok");                        /* invalid byte */
	cr_assert_str_eq(fold("x\xC3"), "x");                               /* truncated sequence */
}

Test(normalize, fold_truncates_on_whole_pieces)
{
	char out[6];
	cr_assert_str_eq(normalize_fold("abc def", out, sizeof(out)), "abc_d");
	cr_assert_str_eq(normalize_fold("ab  ", out, sizeof(out)), "ab");
	char tiny[4];
	cr_assert_str_eq(normalize_fold("abЦ", tiny, sizeof(tiny)), "ab"); /* no half character */
	char one[1];
	cr_assert_str_eq(normalize_fold("abc", one, sizeof(one)), "");
}

/* ---- aliases ---- */

Test(normalize, builtin_aliases)
{
	static const char *const cases[][2] = {
		{"Cod", "sku"}, {"CODE", "sku"}, {"Cod produs", "sku"}, {"Cod articol", "sku"},
		{"product_code", "sku"}, {"SKU", "sku"}, {"ID Produs", "sku"},
		{"Denumire", "name"}, {"Nume", "name"}, {"Title", "name"}, {"Product Name", "name"},
		{"Denumire produs", "name"},
		{"Preț", "price"}, {"Price", "price"}, {"Preț vânzare", "price"}, {"Preț cu TVA", "price"},
		{"regular_price", "price"},
		{"Preț promo", "sale_price"}, {"Preț redus", "sale_price"}, {"Sale Price", "sale_price"},
		{"special_price", "sale_price"},
		{"Cantitate", "quantity"}, {"Cantiate", "quantity"}, {"Stoc", "quantity"}, {"Stock", "quantity"},
		{"Qty", "quantity"}, {"quantity", "quantity"}, {"stock_quantity", "quantity"},
		{"Categorie", "category"}, {"Categories", "category"}, {"category path", "category"},
		{"Descriere", "description"}, {"Description", "description"},
		{"Descriere scurtă", "short_description"}, {"Short description", "short_description"},
		{"EAN", "ean"}, {"EAN13", "ean"}, {"Cod de bare", "cod_de_bare"}, {"Cod bare", "ean"},
		{"Barcode", "ean"}, {"GTIN", "ean"},
		{"Brand", "brand"}, {"Producător", "brand"}, {"Manufacturer", "brand"},
		{"Greutate", "weight"}, {"Weight", "weight"},
		{"Imagine", "image"}, {"Image URL", "image"}, {"Poză", "image"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(column(NULL, cases[i][0]), cases[i][1], "%s", cases[i][0]);
}

Test(normalize, aliases_are_not_greedy)
{
	cr_assert_str_eq(column(NULL, "Articol"), "articol");     /* name or code: ambiguous, left alone */
	cr_assert_str_eq(column(NULL, "Cod client"), "cod_client");
	cr_assert_str_eq(column(NULL, "Preț achiziție"), "pret_achizitie");
	cr_assert_str_eq(column(NULL, "Stoc minim"), "stoc_minim");
	cr_assert_str_eq(column(NULL, "Codes"), "codes");
}

Test(normalize, connection_aliases_first_then_builtin)
{
	const char *pairs[] = {"Cod Intern", "sku", "Preț final", "Pret", "Stoc", "stoc_magazin", "Nr. art.", "SKU", NULL};
	struct alias_table *t = alias_table_new(pairs);
	cr_assert_str_eq(column(t, "cod intern"), "sku");
	cr_assert_str_eq(column(t, "PREȚ FINAL"), "price");        /* its target goes through the built-ins */
	cr_assert_str_eq(column(t, "Stoc"), "stoc_magazin");       /* the connection wins over the built-in */
	cr_assert_str_eq(column(t, "nr art"), "sku");              /* keys and targets are folded */
	cr_assert_str_eq(column(t, "Cantitate"), "quantity");      /* built-ins still apply */
	alias_table_free(t);
	alias_table_free(NULL);
	struct alias_table *empty = alias_table_new(NULL);
	cr_assert_str_eq(column(empty, "Cod"), "sku");
	alias_table_free(empty);
}

Test(normalize, column_output_truncated)
{
	char out[4];
	cr_assert_str_eq(normalize_column(NULL, "qty", out, sizeof(out)), "qua");
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char out2[1024];
	cr_assert_eq(strlen(normalize_column(NULL, big, out2, sizeof(out2))), sizeof(big) - 1);
}

/* ---- column maps ---- */

Test(normalize, column_map_caches_and_follows_changes)
{
	struct column_map *m = column_map_new(NULL);
	const char *names[] = {"Cod", "Denumire", "Cantiate"};
	const char *values[] = {"A1", "Pix", "3"};
	struct record rec = {.n = 3, .names = names, .values = values, .line = 2};
	const char **out = column_map_apply(m, &rec);
	cr_assert_str_eq(out[0], "sku");
	cr_assert_str_eq(out[1], "name");
	cr_assert_str_eq(out[2], "quantity");
	const char *first = out[1];
	out = column_map_apply(m, &rec);
	cr_assert_eq(out[1], first, "an unchanged header is not folded again");

	/* A source that refills the same array with other names (JSON objects) gets the new names. */
	char reused[16] = "Preț";
	names[1] = reused;
	out = column_map_apply(m, &rec);
	cr_assert_str_eq(out[1], "price");
	strcpy(reused, "Stoc");
	out = column_map_apply(m, &rec);
	cr_assert_str_eq(out[1], "quantity");

	const char *more[] = {"a", "b", "c", "d", "e"};
	const char *vals[] = {"", "", "", "", ""};
	struct record wide = {.n = 5, .names = more, .values = vals};
	out = column_map_apply(m, &wide);
	cr_assert_str_eq(out[4], "e");
	struct record none = {.n = 0};
	cr_assert_not_null(column_map_apply(m, &none));
	column_map_free(m);
	column_map_free(NULL);
}

Test(normalize, column_map_uses_connection_aliases)
{
	const char *pairs[] = {"Cod articol furnizor", "sku", NULL};
	struct alias_table *t = alias_table_new(pairs);
	struct column_map *m = column_map_new(t);
	const char *names[] = {"Cod Articol Furnizor"};
	const char *values[] = {"X"};
	struct record rec = {.n = 1, .names = names, .values = values};
	cr_assert_str_eq(column_map_apply(m, &rec)[0], "sku");
	column_map_free(m);
	alias_table_free(t);
}

/* ---- decimals ---- */

static void expect_decimal(const char *in, const char *want)
{
	char out[64];
	cr_expect(normalize_decimal(in, out, sizeof(out)), "'%s' should parse", in);
	cr_expect_str_eq(out, want, "'%s'", in);
}

static void expect_not_decimal(const char *in)
{
	char out[64] = "";
	cr_expect_not(normalize_decimal(in, out, sizeof(out)), "'%s' should not parse (got %s)", in, out);
}

Test(normalize, decimal_accepts_both_separators)
{
	expect_decimal("12,50", "12.50");
	expect_decimal("12.50", "12.50");
	expect_decimal("1.234,56", "1234.56");
	expect_decimal("1,234.56", "1234.56");
	expect_decimal("1 234,56", "1234.56");
	expect_decimal("1\xC2\xA0" "234,56", "1234.56");      /* no-break space, as spreadsheets write it */
	expect_decimal("1\xE2\x80\xAF" "234,56", "1234.56");  /* narrow no-break space */
	expect_decimal("1.234.567,89", "1234567.89");
	expect_decimal("1,234,567.89", "1234567.89");
	expect_decimal("1 234 567", "1234567");
	expect_decimal("1.234.567", "1234567");               /* one kind repeated: thousands */
	expect_decimal("-3", "-3");
	expect_decimal("+3", "3");
	expect_decimal("  7 ", "7");
	expect_decimal("\t7\n", "7");
	expect_decimal(".5", "0.5");
	expect_decimal(",5", "0.5");
	expect_decimal("-,5", "-0.5");
	expect_decimal("0", "0");
	expect_decimal("007", "7");
	expect_decimal("00.50", "0.50");                      /* trailing zeros are kept */
	expect_decimal("12.000", "12.000");
	expect_decimal("123456789012345678901234567890", "123456789012345678901234567890");
}

Test(normalize, decimal_single_separator_is_always_decimal)
{
	/* Documented rule: a lone '.' or ',' is the decimal separator whatever follows it. */
	expect_decimal("1,234", "1.234");
	expect_decimal("1.234", "1.234");
	expect_decimal("1234,5", "1234.5");
}

Test(normalize, decimal_rejects_junk_and_ambiguity)
{
	expect_not_decimal("");
	expect_not_decimal("   ");
	expect_not_decimal("abc");
	expect_not_decimal("-");
	expect_not_decimal("+");
	expect_not_decimal(".");
	expect_not_decimal("5.");                 /* a separator needs digits after it */
	expect_not_decimal("12,50 lei");          /* strict: units and currencies are junk */
	expect_not_decimal("lei 12");
	expect_not_decimal("$12");
	expect_not_decimal("12%");
	expect_not_decimal("1e5");                /* no exponents */
	expect_not_decimal("1.2.3,4,5");          /* the decimal separator appears twice */
	expect_not_decimal("1,2,3");              /* thousands groups must have 3 digits */
	expect_not_decimal("1234.567,89");        /* the first group has at most 3 digits */
	expect_not_decimal("1.23.456");
	expect_not_decimal("12 34");
	expect_not_decimal("1 234.567,8");        /* two kinds of thousands separator */
	expect_not_decimal("1,234.567,8");
	expect_not_decimal("1..2");
	expect_not_decimal("--3");
	expect_not_decimal("- 3");
	expect_not_decimal("3-");
	expect_not_decimal("1\t234");
	expect_not_decimal("0x10");
	expect_not_decimal("inf");
	expect_not_decimal("7\xC2\xA0");          /* a trailing no-break space reads as a dangling group */
}

Test(normalize, decimal_output_size_and_length_limits)
{
	char small[4];
	cr_assert(normalize_decimal("123", small, sizeof(small)));
	cr_assert_str_eq(small, "123");
	cr_assert_not(normalize_decimal("1234", small, sizeof(small)));
	char out[512], big[200];
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_not(normalize_decimal(big, out, sizeof(out)), "longer than any price or quantity");
}

Test(normalize, integers)
{
	long long v = 0;
	cr_assert(normalize_integer("12", 0, &v));
	cr_assert_eq(v, 12);
	cr_assert(normalize_integer("12.0", 0, &v));
	cr_assert_eq(v, 12);
	cr_assert(normalize_integer("12,00", 0, &v));
	cr_assert_eq(v, 12);
	cr_assert(normalize_integer("-3", 0, &v));
	cr_assert_eq(v, -3);
	cr_assert(normalize_integer(" 1 500 ", 0, &v));
	cr_assert_eq(v, 1500);
	cr_assert(normalize_integer("1.234.567", 0, &v));
	cr_assert_eq(v, 1234567);
	cr_assert(normalize_integer("9223372036854775807", 0, &v));
	cr_assert_eq(v, 9223372036854775807LL);
	v = 42;
	cr_assert_not(normalize_integer("12.5", 0, &v));
	cr_assert_not(normalize_integer("1,234", 0, &v));   /* a lone separator is a decimal: 1.234 */
	cr_assert_not(normalize_integer("abc", 0, &v));
	cr_assert_not(normalize_integer("", 0, &v));
	cr_assert_not(normalize_integer("9223372036854775808", 0, &v));
	cr_assert_eq(v, 42, "untouched on failure");
}

Test(normalize, integers_with_a_decimal_separator)
{
	long long v = 0;
	cr_assert(normalize_integer("1.000", ',', &v));
	cr_assert_eq(v, 1000, "with ',' a '.' groups thousands");
	cr_assert(normalize_integer("12,00", ',', &v));
	cr_assert_eq(v, 12);
	cr_assert(normalize_integer("1,000", '.', &v));
	cr_assert_eq(v, 1000, "with '.' a ',' groups thousands");
	cr_assert(normalize_integer("7", ',', &v));
	cr_assert_eq(v, 7);
	cr_assert_not(normalize_integer("1,5", ',', &v), "a quantity is a whole number");
	cr_assert_not(normalize_integer("1,5", '.', &v), "',' groups three digits");
	cr_assert_not(normalize_integer("1.5", '.', &v));
}

Test(normalize, price_problems_say_why)
{
	char why[128];
	normalize_price_problem(PRICE_NOT_NUMBER, 0, why, sizeof(why));
	cr_expect_str_eq(why, "is not a number");
	normalize_price_problem(PRICE_TWO_CURRENCIES, 0, why, sizeof(why));
	cr_expect_str_eq(why, "has a currency on both sides of the number");
	normalize_price_problem(PRICE_OTHER_SEPARATOR, ',', why, sizeof(why));
	cr_expect_str_eq(why, "does not read with ',' as the decimal separator (source.decimal_separator)");
}

/* ---- namespaced names (XML) ---- */

Test(normalize, google_merchant_names_need_no_mapping)
{
	static const char *const cases[][2] = {
		{"g:id", "sku"}, {"title", "name"}, {"g:title", "name"}, {"g:price", "price"},
		{"g:sale_price", "sale_price"}, {"g:availability", "stock_status"}, {"g:image_link", "image"},
		{"g:additional_image_link", "image"}, {"g:product_type", "category"}, {"g:gtin", "ean"},
		{"g:brand", "brand"}, {"g:item_group_id", "item_group_id"}, {"g:shipping_g:price", "shipping_price"},
		{"description", "description"}, {"link", "link"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(column(NULL, cases[i][0]), cases[i][1], "%s", cases[i][0]);
}

Test(normalize, prefix_is_only_an_xml_prefix)
{
	cr_expect_str_eq(column(NULL, "id"), "id", "plain id is no SKU: only g:id is");
	cr_expect_str_eq(column(NULL, "product_type"), "product_type", "plain product_type is no category");
	cr_expect_str_eq(column(NULL, "Note: price"), "note_price", "a colon before a space is no prefix");
	cr_expect_str_eq(column(NULL, "a::b"), "a_b");
	cr_expect_str_eq(column(NULL, "x:color"), "color");
}

Test(normalize, prefixed_and_bare_names_meet_in_connection_aliases)
{
	const char *pairs[] = {"g:color", "colour", "mpn", "sku", NULL};
	struct alias_table *t = alias_table_new(pairs);
	cr_expect_str_eq(column(t, "g:color"), "colour");
	cr_expect_str_eq(column(t, "color"), "color", "the alias is on the prefixed name");
	cr_expect_str_eq(column(t, "g:mpn"), "sku", "a bare alias reaches the prefixed name");
	alias_table_free(t);
}

/* ---- prices ---- */

static void expect_price(const char *in, char decimal, const char *want, const char *currency)
{
	char out[64] = "", cur[4] = "x";
	cr_expect_eq(normalize_price(in, decimal, out, sizeof(out), cur), PRICE_OK, "'%s' should parse", in);
	cr_expect_str_eq(out, want, "'%s'", in);
	cr_expect_str_eq(cur, currency, "currency of '%s'", in);
}

static void expect_price_fails(const char *in, char decimal, enum price_read want)
{
	char out[64] = "", cur[4];
	cr_expect_eq(normalize_price(in, decimal, out, sizeof(out), cur), want, "'%s' (got %s)", in, out);
}

Test(normalize, price_with_a_currency_before_or_after)
{
	expect_price("12.00", 0, "12.00", "");
	expect_price("12.00 RON", 0, "12.00", "RON");
	expect_price("\xe2\x82\xac" "12.50", 0, "12.50", "EUR");
	expect_price("1.234,50 lei", 0, "1234.50", "RON");
	expect_price("1.234,50 Lei", 0, "1234.50", "RON");
	expect_price("$12", 0, "12", "USD");
	expect_price("12 EUR", 0, "12", "EUR");
	expect_price("12EUR", 0, "12", "EUR");
	expect_price(" EUR 1 234,5 ", 0, "1234.5", "EUR");
	expect_price("\xc2\xa3" " 7", 0, "7", "GBP");
	expect_price("99,90 z\xc5\x82", 0, "99.90", "PLN");
	expect_price("-3 RON", 0, "-3", "RON");
}

Test(normalize, price_rejects_what_is_not_one_price)
{
	expect_price_fails("$12 EUR", 0, PRICE_TWO_CURRENCIES);
	expect_price_fails("12 apples", 0, PRICE_NOT_NUMBER);
	expect_price_fails("12 ron", 0, PRICE_NOT_NUMBER); /* codes in capitals only */
	expect_price_fails("12 kr", 0, PRICE_NOT_NUMBER);  /* SEK, NOK or DKK? */
	expect_price_fails("RON", 0, PRICE_NOT_NUMBER);
	expect_price_fails("12 RON EUR", 0, PRICE_NOT_NUMBER);
	expect_price_fails("1.2.3,4.5", 0, PRICE_NOT_NUMBER);
	expect_price_fails("", 0, PRICE_NOT_NUMBER);
}

Test(normalize, price_decimal_separator_fixed_per_source)
{
	expect_price("1.234", 0, "1.234", ""); /* either: a lone separator is the decimal one */
	expect_price("1,234", 0, "1.234", "");
	expect_price("1.234", ',', "1234", "");
	expect_price("1.234,50", ',', "1234.50", "");
	expect_price("12,5 RON", ',', "12.5", "RON");
	expect_price("1,234", '.', "1234", "");
	expect_price("1,234.50", '.', "1234.50", "");
	expect_price("12.00", '.', "12.00", "");
	expect_price_fails("1,234.50", ',', PRICE_OTHER_SEPARATOR);
	expect_price_fails("12.50", ',', PRICE_OTHER_SEPARATOR);
	expect_price_fails("1.234,50", '.', PRICE_OTHER_SEPARATOR);
	expect_price_fails("1,2,3", ',', PRICE_NOT_NUMBER);
}

/* ---- stock statuses ---- */

Test(normalize, stock_status_from_availability)
{
	cr_expect_str_eq(normalize_stock_status("in stock"), "instock");
	cr_expect_str_eq(normalize_stock_status("In Stock"), "instock");
	cr_expect_str_eq(normalize_stock_status("in_stock"), "instock");
	cr_expect_str_eq(normalize_stock_status("out of stock"), "outofstock");
	cr_expect_str_eq(normalize_stock_status("preorder"), "onbackorder");
	cr_expect_str_eq(normalize_stock_status("backorder"), "onbackorder");
	cr_expect_str_eq(normalize_stock_status("onbackorder"), "onbackorder");
	cr_expect_str_eq(normalize_stock_status("În stoc"), "instock");
	cr_expect_null(normalize_stock_status("maybe"));
	cr_expect_null(normalize_stock_status(""));
}
