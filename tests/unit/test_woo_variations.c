/* What the WooCommerce push sends for grouped rows (dest/woo_variations.h). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/util.h"
#include "dest/woo_variations.h"

Test(woo_variations, a_variant_loses_its_grouping_fields_and_names_its_options)
{
	char *data = xstrdup("{\"sku\":\"TEE-M\",\"parent_sku\":\"TEE\",\"option:size\":\"M\",\"option:colour\":\"\","
	                     "\"regular_price\":\"11.00\"}");
	char *attributes = NULL;
	char *group = woo_variant_split(&data, &attributes);
	cr_assert_str_eq(group, "TEE");
	cr_assert_str_eq(data, "{\"sku\":\"TEE-M\",\"regular_price\":\"11.00\"}");
	cr_assert_str_eq(attributes, "\"attributes\":[{\"name\":\"size\",\"option\":\"M\"}]", "an empty option is none");
	free(group);
	free(data);
	free(attributes);
}

Test(woo_variations, a_product_outside_a_group_is_left_alone)
{
	const char *cases[] = {"{\"sku\":\"MUG\"}", "{\"sku\":\"MUG\",\"parent_sku\":\"\"}", "not json"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *data = xstrdup(cases[i]), *attributes = NULL;
		cr_assert_null(woo_variant_split(&data, &attributes), "%s", cases[i]);
		cr_assert_str_eq(data, cases[i]);
		cr_assert_null(attributes);
		free(data);
	}
}

Test(woo_variations, members_are_spliced_into_the_payload_object)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "{\"id\":5}");
	woo_payload_splice(&sb, "\"attributes\":[]");
	cr_assert_str_eq(sb_str(&sb), "{\"id\":5,\"attributes\":[]}");
	sb_reset(&sb);
	sb_adds(&sb, "{}");
	woo_payload_splice(&sb, "\"attributes\":[]");
	cr_assert_str_eq(sb_str(&sb), "{\"attributes\":[]}");
	sb_free(&sb);
}
