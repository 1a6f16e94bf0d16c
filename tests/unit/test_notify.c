/* Notifications: the {{field}} templates and their sanitising, a channel's settings, the webhook signature. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"
#include "notify/message.h"
#include "notify/send.h"

static const char PAYLOAD[] =
	"{\"event\":\"failed\",\"run\":{\"id\":42,\"share\":12.5,\"summary\":\"bad\\r\\nBcc: x@example.com\"},"
	"\"connection\":{\"name\":\"Deals\"}}";

Test(notify_render, fields_by_path_numbers_and_unknown_ones)
{
	char *s = notify_render("{{ connection.name }} run {{run.id}} ({{run.share}}%) {{event}}{{nope}}{{run.nope.x}}!",
	                        PAYLOAD);
	cr_expect_str_eq(s, "Deals run 42 (12.5%) failed!");
	free(s);
	s = notify_render("no fields, {{ unclosed", PAYLOAD);
	cr_expect_str_eq(s, "no fields, {{ unclosed");
	free(s);
}

Test(notify_render, values_cannot_break_a_line)
{
	char *s = notify_render("Subject: {{run.summary}}", PAYLOAD);
	cr_expect_str_eq(s, "Subject: bad  Bcc: x@example.com", "a value's CR LF would start a header: %s", s);
	free(s);
}

Test(notify_sanitise, cuts_on_a_utf8_boundary)
{
	char buf[7];
	notify_sanitise("ab\tc\xc8\x9b", buf, sizeof(buf));   /* "ab c" then a 2-byte letter that fits */
	cr_expect_str_eq(buf, "ab c\xc8\x9b");
	char small[5];
	notify_sanitise("abc\xc8\x9b", small, sizeof(small));   /* the letter's first byte alone is dropped */
	cr_expect_str_eq(small, "abc");
}

Test(notify_settings, defaults_round_trip_and_bad_values)
{
	struct notify_settings s, back;
	char err[256];
	cr_assert_eq(notify_settings_parse("{}", &s, err, sizeof(err)), 0);
	cr_expect_eq(s.events, NE_DEFAULT);
	cr_expect_eq(s.streak, 3);
	cr_expect_eq(s.attempts, 5);
	cr_expect_eq(s.limit, 0, "no rate limit unless asked");
	s.events = NE_BIT(NE_ERRORS) | NE_BIT(NE_STREAK);
	s.error_share = 12.5;
	s.limit = 10;
	strcpy(s.to, "a@example.com,b@example.com");
	s.starttls = true;
	char *json = notify_settings_json(&s);
	cr_assert_eq(notify_settings_parse(json, &back, err, sizeof(err)), 0, "%s", err);
	free(json);
	cr_expect_eq(back.events, s.events);
	cr_expect_eq(back.error_share, 12.5);
	cr_expect_eq(back.limit, 10);
	cr_expect_str_eq(back.to, "a@example.com,b@example.com");
	cr_expect(back.starttls);
	cr_expect_eq(notify_settings_parse("{\"attempts\": 0}", &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "attempts") != NULL, "%s", err);
	cr_expect_eq(notify_settings_parse("{\"on\": \"failed,often\"}", &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "'often'") != NULL, "%s", err);
}

Test(notify_events, text_and_parse)
{
	unsigned e;
	char err[128], text[128];
	cr_assert_eq(notify_events_parse("recovery,failed", &e, err, sizeof(err)), 0);
	notify_events_text(e, text, sizeof(text));
	cr_expect_str_eq(text, "failed,recovery", "in the declared order");
	cr_expect_eq(notify_events_parse("", &e, err, sizeof(err)), -1);
}

Test(notify_signature, hmac_sha256_over_timestamp_and_body)
{
	char sig[160];
	notify_signature("whsec", 1700000000, "{\"a\":1}", sig, sizeof(sig));
	/* python3: hmac.new(b"whsec", b'1700000000.{"a":1}', hashlib.sha256).hexdigest() */
	cr_expect_str_eq(sig, "t=1700000000,v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
}

Test(notify_render, json_values_are_escaped_for_a_webhook_body)
{
	char *s = notify_render_json("{\"t\": \"{{connection.name}} {{run.summary}}\", \"id\": {{run.id}}}",
	                             "{\"connection\":{\"name\":\"a\\\"b\\\\c\"},\"run\":{\"id\":7,\"summary\":\"x\\ny\"}}");
	cr_expect_str_eq(s, "{\"t\": \"a\\\"b\\\\c x y\", \"id\": 7}");
	free(s);
}
