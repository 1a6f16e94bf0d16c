/* product: sorted fields in an arena, hashing, JSON. */
#include "feed/product.h"

#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(product, set_keeps_fields_sorted_and_replaces)
{
	struct product p = {0};
	product_set(&p, "sku", "A1");
	product_set(&p, "name", "Pix");
	product_set(&p, "regular_price", "3.50");
	product_set(&p, "brand", "Bic");
	cr_assert_eq(p.n, 4);
	cr_assert_str_eq(p.fields[0].name, "brand");
	cr_assert_str_eq(p.fields[1].name, "name");
	cr_assert_str_eq(p.fields[2].name, "regular_price");
	cr_assert_str_eq(p.fields[3].name, "sku");
	product_set(&p, "name", "Pix albastru");
	cr_assert_eq(p.n, 4);
	cr_assert_str_eq(product_get(&p, "name"), "Pix albastru");
	cr_assert_str_eq(product_value(&p, 0), "Bic");
	cr_assert_null(product_get(&p, "weight"));
	product_set(&p, "weight", NULL);
	cr_assert_str_eq(product_get(&p, "weight"), "");
	product_free(&p);
}

Test(product, setn_takes_a_slice)
{
	struct product p = {0};
	const char *text = "  A1  ";
	product_setn(&p, "sku", text + 2, 2);
	cr_assert_str_eq(product_get(&p, "sku"), "A1");
	product_free(&p);
}

Test(product, setn_at_follows_its_field_whatever_the_hint)
{
	struct product p = {0};
	size_t hint = 7; /* past the fields: searched */
	product_set(&p, "sku", "A1");
	product_setn_at(&p, "regular_price", "3.50", 4, &hint);
	cr_assert_eq(hint, 0);
	product_set(&p, "name", "Pix"); /* moves regular_price to 1: the hint is stale */
	product_setn_at(&p, "regular_price", "4.00", 4, &hint);
	cr_assert_eq(hint, 1);
	product_setn_at(&p, "regular_price", "4.50", 4, &hint); /* the hint is right */
	cr_assert_eq(hint, 1);
	cr_assert_eq(p.n, 3);
	cr_assert_str_eq(product_get(&p, "regular_price"), "4.50");
	cr_assert_str_eq(product_get(&p, "name"), "Pix");
	cr_assert_str_eq(product_get(&p, "sku"), "A1");
	product_free(&p);
}

Test(product, value_from_the_same_product_survives_arena_growth)
{
	struct product p = {0};
	product_set(&p, "a", "short");
	for (int i = 0; i < 20; i++) {
		product_set(&p, "b", product_get(&p, "a")); /* the arena may move while copying */
		cr_assert_str_eq(product_get(&p, "b"), "short");
		char big[300];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		product_set(&p, "c", big);
	}
	product_free(&p);
}

Test(product, reset_keeps_memory_for_the_next_row)
{
	struct product p = {0};
	product_set(&p, "sku", "A1");
	product_set(&p, "description", "a long enough description to make the arena grow a bit more");
	char *buf = p.arena.buf;
	size_t cap = p.arena.cap;
	p.line = 7;
	product_reset(&p);
	cr_assert_eq(p.n, 0);
	cr_assert_eq(p.line, 0);
	cr_assert_null(product_get(&p, "sku"));
	product_set(&p, "sku", "B2");
	cr_assert_eq(p.arena.buf, buf, "no new allocation after a reset");
	cr_assert_eq(p.arena.cap, cap);
	product_free(&p);
	product_reset(&p); /* a freed product is an empty one */
	product_free(&p);
}

Test(product, hash_ignores_insertion_order)
{
	struct product a = {0}, b = {0};
	product_set(&a, "sku", "A1");
	product_set(&a, "name", "Pix");
	product_set(&a, "regular_price", "3.50");
	product_set(&b, "regular_price", "3.50");
	product_set(&b, "sku", "A1");
	product_set(&b, "name", "Pix");
	cr_assert_eq(product_hash(&a), product_hash(&b));
	product_set(&b, "name", "Pix ");
	cr_assert_neq(product_hash(&a), product_hash(&b));
	product_free(&a);
	product_free(&b);
}

Test(product, hash_separates_name_and_value)
{
	struct product a = {0}, b = {0}, c = {0}, d = {0};
	product_set(&a, "ab", "c");
	product_set(&b, "a", "bc");
	cr_assert_neq(product_hash(&a), product_hash(&b));
	/* ("x" = "", "y" = "z") against ("x" = "y", ...) style shifts across fields */
	product_set(&c, "x", "");
	product_set(&c, "y", "z");
	product_set(&d, "x", "y");
	product_set(&d, "z", "");
	cr_assert_neq(product_hash(&c), product_hash(&d));
	struct product empty = {0};
	cr_assert_eq(product_hash(&empty), HASH64_SEED);
	product_free(&a);
	product_free(&b);
	product_free(&c);
	product_free(&d);
}

Test(product, json_escapes_and_round_trips)
{
	struct product p = {0};
	product_set(&p, "sku", "A\"1\\");
	product_set(&p, "name", "Line1\nLine2\tTab\r\b\f\x01\x1f end");
	product_set(&p, "brand", "Ștefan € 😀");
	product_set(&p, "empty", "");
	char *json = product_to_json(&p);
	cr_assert_str_eq(json, "{\"brand\":\"Ștefan € 😀\",\"empty\":\"\","
	                       "\"name\":\"Line1\\nLine2\\tTab\\r\\b\\f\\u0001\\u001f end\",\"sku\":\"A\\\"1\\\\\"}");
	cJSON *doc = cJSON_Parse(json);
	cr_assert_not_null(doc);
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "sku")->valuestring, "A\"1\\");
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "name")->valuestring, product_get(&p, "name"));
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "brand")->valuestring, "Ștefan € 😀");
	cJSON_Delete(doc);
	free(json);

	struct product empty = {0};
	json = product_to_json(&empty);
	cr_assert_str_eq(json, "{}");
	free(json);
	product_free(&p);
}

Test(product, holds_the_maximum_number_of_fields)
{
	struct product p = {0};
	char names[PRODUCT_MAX_FIELDS][8];
	for (int i = PRODUCT_MAX_FIELDS - 1; i >= 0; i--) {
		snprintf(names[i], sizeof(names[i]), "f%02d", i);
		product_set(&p, names[i], names[i]);
	}
	cr_assert_eq(p.n, PRODUCT_MAX_FIELDS);
	for (int i = 0; i < PRODUCT_MAX_FIELDS; i++) {
		cr_assert_str_eq(p.fields[i].name, names[i]);
		cr_assert_str_eq(product_get(&p, names[i]), names[i]);
	}
	product_free(&p);
}

Test(product, adding_past_the_maximum_aborts, .signal = SIGABRT)
{
	struct product p = {0};
	char names[PRODUCT_MAX_FIELDS + 1][8];
	for (int i = 0; i <= PRODUCT_MAX_FIELDS; i++) {
		snprintf(names[i], sizeof(names[i]), "f%02d", i);
		product_set(&p, names[i], "x");
	}
}
