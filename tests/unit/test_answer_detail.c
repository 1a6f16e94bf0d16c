/* What a run error keeps of a failed HTTP answer (core/answer_detail.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer_detail.h"

static char *excerpt(const char *body, size_t len, const char *const *secrets)
{
	struct strbuf sb = {0};
	answer_excerpt(body, len, secrets, &sb);
	return sb_detach(&sb);
}

Test(answer_detail, excerpt_escapes_control_bytes_and_invalid_utf8)
{
	const char body[] = "<h1>Down</h1>\r\n\x1b[31mred\xff caf\xc3\xa9";
	char *e = excerpt(body, sizeof(body) - 1, NULL);
	cr_expect_str_eq(e, "<h1>Down</h1>^M\\n^[[31mred\\xFF caf\xc3\xa9");
	free(e);
}

Test(answer_detail, excerpt_is_bounded_and_never_cut_inside_a_character)
{
	struct strbuf big = {0};
	for (int i = 0; i < 3000; i++)
		sb_adds(&big, "\xc3\xa9"); /* é: two bytes */
	char *e = excerpt(big.buf, big.len, NULL);
	size_t n = strlen(e);
	cr_expect_leq(n, ANSWER_EXCERPT_MAX);
	cr_expect_geq(n, ANSWER_EXCERPT_MAX - 4);
	cr_expect_str_eq(e + n - 3, "…", "a cut excerpt says so");
	cr_expect_eq(strncmp(e, "\xc3\xa9\xc3\xa9", 4), 0);
	cJSON *s = cJSON_CreateString(e);
	char *printed = cJSON_PrintUnformatted(s);
	cr_expect(strstr(printed, "\\u") == NULL, "valid UTF-8 throughout: %.40s", printed);
	cJSON_free(printed);
	cJSON_Delete(s);
	free(e);
	e = excerpt("short", 5, NULL);
	cr_expect_str_eq(e, "short", "nothing added when nothing was cut");
	free(e);
	sb_free(&big);
}

Test(answer_detail, excerpt_blanks_secrets_even_across_the_cut)
{
	const char *const secrets[] = {"cs_topsecret", "ck_key", NULL};
	struct strbuf body = {0};
	sb_adds(&body, "url ?oauth_consumer_key=ck_key&x=cs_topsecret ");
	while (body.len < ANSWER_EXCERPT_MAX - 5)
		sb_addc(&body, 'x');
	sb_adds(&body, "cs_topsecret and more");
	char *e = excerpt(body.buf, body.len, secrets);
	cr_expect(strstr(e, "ck_key") == NULL && strstr(e, "cs_top") == NULL && strstr(e, "cs_t") == NULL,
	          "no secret, not even its start: %s", e + strlen(e) - 20);
	cr_expect(strstr(e, "oauth_consumer_key=***&x=***") != NULL);
	free(e);
	sb_free(&body);
}

Test(answer_detail, names_the_request_without_its_query_and_leaves_out_the_unknown)
{
	const char body[] = "<h1>Not Found</h1>";
	cJSON *d = answer_detail(&(struct answer){.method = "GET", .target = "/feeds/a.csv?token=t0p", .status = 404,
	                                          .content_type = "text/html", .body = body, .len = sizeof(body) - 1,
	                                          .excerpt = true});
	char *text = answer_detail_text(d);
	cr_expect_str_eq(text, "{\"method\":\"GET\",\"path\":\"/feeds/a.csv\",\"status\":404,\"content_type\":\"text/html\","
	                 "\"excerpt\":\"<h1>Not Found</h1>\"}");
	free(text);
	text = answer_detail_text(answer_detail(&(struct answer){.body = body, .len = sizeof(body) - 1}));
	cr_expect_str_eq(text, "{}", "no excerpt unless asked, nothing unknown");
	free(text);
}
