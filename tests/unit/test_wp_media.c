/* The file name and answer of a WordPress media upload (dest/wp_media.h). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "dest/wp_media.h"

static void expect_name(const char *url, const char *type, const char *expected)
{
	char *name = wp_media_filename(url, type);
	cr_assert_str_eq(name, expected, "%s (%s)", url, type);
	free(name);
}

Test(wp_media, a_file_name_is_the_last_segment_of_the_url_path)
{
	expect_name("https://cdn.example/p/a.jpg?w=800#top", "image/jpeg", "a.jpg");
	expect_name("https://cdn.example/p/Photo.PNG", "", "Photo.PNG");
}

Test(wp_media, a_name_without_an_image_extension_takes_its_type_s)
{
	expect_name("https://cdn.example/img?id=7", "image/webp", "img.webp");
	expect_name("https://cdn.example/", "image/png", "image.png");
	expect_name("https://cdn.example", "image/gif", "image.gif");
	expect_name("https://cdn.example/raw", "", "raw");
}

Test(wp_media, characters_a_header_or_a_file_system_would_mangle_become_dashes)
{
	expect_name("https://cdn.example/a%20b\"c;d.jpg", "image/jpeg", "a-20b-c-d.jpg");
	expect_name("https://cdn.example/..", "image/jpeg", "image.jpg");
}

Test(wp_media, the_attachment_id_comes_only_from_a_201)
{
	struct http_request r = {.outcome = HTTP_DONE, .status = 201};
	r.json = cJSON_Parse("{\"id\": 123, \"source_url\": \"http://x/a.jpg\"}");
	cr_assert_eq(wp_media_id(&r), 123);
	r.status = 200;
	cr_assert_eq(wp_media_id(&r), 0);
	cJSON_Delete(r.json);
	r.json = cJSON_Parse("{\"code\": \"rest_upload_no_data\"}");
	r.status = 201;
	cr_assert_eq(wp_media_id(&r), 0);
	cJSON_Delete(r.json);
}
