/* WordPress site settings, post bodies and batch/v1 answers (dest/wp_api.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dest/wp_api.h"

static void site_of(const char *json, struct wp_site *site, size_t expected_problems)
{
	cJSON *o = cJSON_Parse(json);
	struct problems pr = {0};
	wp_site_read(o, site, &pr);
	cr_assert_eq(pr.n, expected_problems, "%zu problems", pr.n);
	problems_free(&pr);
	cJSON_Delete(o);
}

static char *body_text(const char *product, const struct wp_site *site, bool create, char *const *fields)
{
	cJSON *body;
	char err[256] = "";
	cr_assert_eq(wp_post_body(product, site, create, false, fields, &body, err, sizeof(err)), 0, "%s", err);
	char *printed = cJSON_PrintUnformatted(body);
	char *text = strdup(printed);
	cJSON_free(printed);
	cJSON_Delete(body);
	return text;
}

Test(wp_site, defaults_and_bad_members)
{
	struct wp_site site;
	site_of(NULL, &site, 0);
	cr_assert_str_eq(site.post_type, "posts");
	cr_assert_str_eq(site.status, "publish");
	cr_assert_str_eq(site.sku_meta, "feedsync_sku");
	cr_assert_null(site.image_meta);
	wp_site_free(&site);
	site_of("{\"status\": \"future\", \"post_type\": \"a b\", \"delete\": \"burn\", \"colour\": 1}", &site, 4);
	wp_site_free(&site);
}

Test(wp_site, images_are_meta_by_default_and_uploads_are_capped)
{
	struct wp_site site;
	site_of(NULL, &site, 0);
	cr_assert_not(site.upload_images);
	cr_assert_eq(site.image_max_bytes, (uint64_t)WP_DEFAULT_IMAGE_MAX_MB << 20);
	wp_site_free(&site);
	site_of("{\"images\": \"upload\", \"image_max_mb\": 3}", &site, 0);
	cr_assert(site.upload_images);
	cr_assert_eq(site.image_max_bytes, (uint64_t)3 << 20);
	wp_site_free(&site);
	site_of("{\"images\": \"sideload\", \"image_max_mb\": 0.5}", &site, 2);
	wp_site_free(&site);
}

Test(wp_post, the_first_image_of_a_list)
{
	char *url = wp_first_image("http://x/a.jpg|http://x/b.jpg");
	cr_assert_str_eq(url, "http://x/a.jpg");
	free(url);
	cr_assert_null(wp_first_image(""));
	cr_assert_null(wp_first_image(NULL));
}

Test(wp_post, a_create_sends_every_field_with_the_site_status_and_the_sku_meta)
{
	struct wp_site site;
	site_of("{\"author\": 7, \"image_meta\": \"image_url\", \"taxonomies\": [\"categories\"]}", &site, 0);
	char *text = body_text("{\"sku\": \"A-1\", \"name\": \"Deal\", \"description\": \"Text\", \"categories\": \"12,15\","
	                       " \"images\": \"a.jpg|b.jpg\", \"meta.price\": \"9.50\"}", &site, true, NULL);
	cr_assert(strstr(text, "\"meta\":{\"feedsync_sku\":\"A-1\",\"price\":\"9.50\",\"image_url\":\"a.jpg\"}"), "%s", text);
	cr_assert(strstr(text, "\"categories\":[12,15]"), "%s", text);
	cr_assert(strstr(text, "\"status\":\"publish\",\"author\":7"), "%s", text);
	free(text);
	wp_site_free(&site);
}

Test(wp_post, an_update_sends_only_the_fields_named_and_no_status)
{
	struct wp_site site;
	site_of(NULL, &site, 0);
	char *fields[] = {"name", NULL};
	char *text = body_text("{\"sku\": \"A-1\", \"name\": \"Deal\", \"description\": \"Text\"}", &site, false, fields);
	cr_assert_str_eq(text, "{\"title\":\"Deal\",\"meta\":{\"feedsync_sku\":\"A-1\"}}");
	free(text);
	wp_site_free(&site);
}

Test(wp_post, a_status_wordpress_does_not_know_is_refused)
{
	struct wp_site site;
	site_of(NULL, &site, 0);
	cJSON *body;
	char err[256];
	cr_assert_eq(wp_post_body("{\"sku\": \"A\", \"status\": \"live\"}", &site, true, false, NULL, &body, err,
	                          sizeof(err)), -1);
	cr_assert(strstr(err, "status 'live'"), "%s", err);
	wp_site_free(&site);
}

Test(wp_batch, the_announced_maximum)
{
	cJSON *o = cJSON_Parse("{\"endpoints\": [{\"methods\": [\"POST\"], \"args\": {\"requests\": {\"type\": "
	                       "\"array\", \"maxItems\": 50}}}]}");
	cr_assert_eq(wp_batch_max(o), 50);
	cJSON_Delete(o);
	cr_assert_eq(wp_batch_max(NULL), WP_DEFAULT_BATCH);
}

Test(wp_batch, each_slot_of_a_207_is_its_item)
{
	cJSON *answer = cJSON_Parse("{\"responses\": [{\"body\": {\"id\": 101}, \"status\": 201, \"headers\": {}},"
	                            "{\"body\": {\"code\": \"rest_post_invalid_id\", \"message\": \"Invalid post ID.\","
	                            " \"data\": {\"status\": 404}}, \"status\": 404, \"headers\": {}},"
	                            "{\"body\": {\"deleted\": true, \"previous\": {\"id\": 7}}, \"status\": 200}]}");
	struct wp_result res[4];
	cr_assert_eq(wp_batch_results(answer, 4, res), 0);
	cr_assert_eq(res[0].status, 201);
	cr_assert_eq(res[0].id, 101);
	cr_assert_eq(res[1].status, 404);
	cr_assert_str_eq(res[1].code, "rest_post_invalid_id");
	cr_assert_str_eq(res[1].message, "Invalid post ID.");
	cr_assert_eq(res[2].id, 7);
	cr_assert_eq(res[3].status, 0, "no slot");
	cJSON_Delete(answer);
	cr_assert_eq(wp_batch_results(NULL, 1, res), -1);
}

Test(wp_batch, the_request_text)
{
	cJSON *requests = cJSON_CreateArray();
	wp_batch_add(requests, "DELETE", strdup("/wp/v2/posts/3?force=true"), NULL);
	char *text = wp_batch_text(requests);
	cr_assert_str_eq(text, "{\"validation\":\"normal\",\"requests\":[{\"method\":\"DELETE\","
	                 "\"path\":\"/wp/v2/posts/3?force=true\"}]}");
	free(text);
}

Test(wp_post, the_sku_slug_keeps_what_sanitize_title_keeps)
{
	const char *cases[][2] = {{"ABC-1", "sku-abc-1"}, {"a b//c.", "sku-a-b-c"}, {"x_Y 9", "sku-x_y-9"}, {"--", "sku"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *slug = wp_sku_slug(cases[i][0]);
		cr_assert_str_eq(slug, cases[i][1], "%s", cases[i][0]);
		free(slug);
	}
}
