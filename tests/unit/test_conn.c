/* conn: connection documents parsed, validated (every problem with its path) and normalized. */
#include "feed/conn.h"

#include "core/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURES "tests/fixtures/conn/"

static char *read_fixture(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), FIXTURES "%s", name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s: %s (run from the repository root)", path, strerror(errno));
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb);
}

static struct conn_config *parse_ok(const char *text)
{
	struct problems pr = {0};
	struct conn_config *c = conn_parse(text, &pr);
	char *all = problems_join(&pr, "  ");
	cr_assert_not_null(c, "unexpected problems:\n%s", all);
	cr_assert_eq(pr.n, 0);
	free(all);
	problems_free(&pr);
	return c;
}

/* Every problem, one per line. */
static char *parse_fail(const char *text)
{
	struct problems pr = {0};
	struct conn_config *c = conn_parse(text, &pr);
	cr_assert_null(c, "should not parse: %s", text);
	cr_assert_gt(pr.n, 0);
	char *all = problems_join(&pr, "");
	problems_free(&pr);
	return all;
}

static void expect_problem(const char *text, const char *message)
{
	char *all = parse_fail(text);
	cr_expect(strstr(all, message), "expected '%s' in:\n%s", message, all);
	free(all);
}

/* A valid document with `extra` spliced in among the top-level keys. */
static char *doc_with(const char *extra)
{
	return xasprintf("{\"name\": \"T\", \"source\": {\"type\": \"csv\", \"url\": \"feed.csv\"}%s%s}",
	                 *extra ? ", " : "", extra);
}

static void expect_problem_in(const char *extra, const char *message)
{
	char *text = doc_with(extra);
	expect_problem(text, message);
	free(text);
}

/* A valid document whose source has `extra` keys. */
static void expect_source_problem(const char *type, const char *url, const char *extra, const char *message)
{
	char *text = xasprintf("{\"name\": \"T\", \"source\": {\"type\": \"%s\", \"url\": \"%s\"%s%s}}", type, url,
	                       *extra ? ", " : "", extra);
	expect_problem(text, message);
	free(text);
}

static struct conn_config *source_ok(const char *type, const char *url, const char *extra)
{
	char *text = xasprintf("{\"name\": \"T\", \"source\": {\"type\": \"%s\", \"url\": \"%s\"%s%s}}", type, url,
	                       *extra ? ", " : "", extra);
	struct conn_config *c = parse_ok(text);
	free(text);
	return c;
}

/* ---- complete documents ---- */

Test(conn, full_document)
{
	char *text = read_fixture("full.json");
	struct conn_config *c = parse_ok(text);
	cr_assert_str_eq(c->name, "Acme CSV");
	cr_assert_not(c->active);
	cr_assert_str_eq(c->source_type, "csv");
	cr_assert_str_eq(c->url, "https://feeds.example.com/acme.csv");
	cr_assert_str_eq(c->source.format, "csv");
	cr_assert_eq(c->source.delimiter, ',');
	cr_assert_eq(c->source.enclosure, '"');
	cr_assert_str_eq(c->source.encoding, "utf-8");
	cr_assert_not(c->source.encoding_is_default);
	cr_assert_not(c->source.no_header);
	cr_assert_null(c->source.item_path);
	cr_assert_str_eq(c->required[0], "sku");
	cr_assert_str_eq(c->required[1], "price", "folded through the connection's and built-in aliases");
	cr_assert_str_eq(c->required[2], "name");
	cr_assert_null(c->required[3]);
	cr_assert_str_eq(c->auth_username, "acme");
	cr_assert_str_eq(c->auth_password_env, "ACME_FEED_PASSWORD");
	cr_assert_null(c->auth_token_env);
	char canon[64];
	cr_assert_str_eq(normalize_column(c->aliases, "COD ARTICOL", canon, sizeof(canon)), "sku");
	cr_assert_not_null(c->filter);
	cr_assert_not_null(c->mapping);
	char *desc = filter_describe(c->filter);
	cr_assert_str_eq(desc, "quantity gt 0");
	free(desc);
	cr_assert_str_eq(c->update_fields[0], "regular_price");
	cr_assert_str_eq(c->update_fields[1], "stock_quantity");
	cr_assert_null(c->update_fields[2]);
	cr_assert_not(c->create_missing);
	cr_assert_eq(c->missing_action, MISSING_STOCK_ZERO);
	cr_assert_eq(c->missing_after_days, 3);
	cr_assert_eq(c->missing_after_runs, 2);
	cr_assert_str_eq(c->schedule_text, "0,30 6-22 * * mon-fri");
	cr_assert_eq(c->schedule.kind, SCHEDULE_CRON);
	cr_assert_str_eq(c->dest_type, "file");
	cr_assert_str_eq(c->dest_path, "out/acme.jsonl");
	cr_assert_str_eq(c->dest_format, "jsonl", "from the file name");
	conn_free(c);
	free(text);
}

Test(conn, defaults_are_filled_in)
{
	struct conn_config *c = parse_ok("{\"name\": \"Min\", \"source\": {\"type\": \"json\", \"url\": \"http://x.test/p.json\"}}");
	cr_assert(c->active);
	cr_assert_eq(c->schedule.kind, SCHEDULE_MANUAL);
	cr_assert_str_eq(c->schedule_text, "manual");
	cr_assert(c->create_missing);
	cr_assert_eq(c->missing_action, MISSING_NONE);
	cr_assert_eq(c->missing_after_days, 0);
	cr_assert_eq(c->missing_after_runs, 0);
	cr_assert_null(c->update_fields);
	cr_assert_null(c->dest_type);
	cr_assert_str_eq(c->source.format, "json");
	cr_assert_eq(c->source.delimiter, 0);
	cr_assert_null(c->source.encoding);
	cr_assert_str_eq(c->required[0], "sku");
	cr_assert_null(c->required[1]);
	cr_assert_not_null(c->filter);
	cr_assert_not_null(c->mapping);
	char *json = conn_to_json(c);
	cJSON *doc = cJSON_Parse(json);
	cr_assert_not_null(doc);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "active")));
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "schedule")->valuestring, "manual");
	cJSON *update = cJSON_GetObjectItem(doc, "update");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(update, "create_missing")));
	cr_assert_str_eq(cJSON_GetObjectItem(update, "missing_action")->valuestring, "none");
	cJSON_Delete(doc);
	free(json);
	conn_free(c);
}

Test(conn, winmentor_defaults_and_name_trimmed)
{
	char *text = read_fixture("winmentor.json");
	struct conn_config *c = parse_ok(text);
	cr_assert_str_eq(c->name, "Depozit WinMentor");
	cr_assert_str_eq(c->source_type, "winmentor");
	cr_assert_str_eq(c->source.format, "csv");
	cr_assert_eq(c->source.delimiter, ';');
	cr_assert_str_eq(c->source.encoding, "windows-1250");
	cr_assert(c->source.encoding_is_default, "a BOM overrides it without a warning");
	cr_assert_str_eq(c->required[0], "sku");
	cr_assert_str_eq(c->required[1], "price");
	cr_assert_str_eq(c->required[2], "quantity");
	cr_assert_null(c->required[3]);
	char *json = conn_to_json(c);
	cJSON *doc = cJSON_Parse(json);
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "name")->valuestring, "Depozit WinMentor");
	cJSON *src = cJSON_GetObjectItem(doc, "source");
	cr_assert_str_eq(cJSON_GetObjectItem(src, "delimiter")->valuestring, ";");
	cr_assert_str_eq(cJSON_GetObjectItem(src, "encoding")->valuestring, "windows-1250");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(src, "required")), 3);
	cJSON_Delete(doc);

	/* the normalized document parses again to the same thing */
	struct conn_config *again = parse_ok(json);
	char *json2 = conn_to_json(again);
	cr_assert_str_eq(json, json2);
	free(json2);
	conn_free(again);
	free(json);
	conn_free(c);
	free(text);
}

Test(conn, winmentor_explicit_values_win)
{
	struct conn_config *c = source_ok("winmentor", "w.csv",
	                                  "\"delimiter\": \"\\t\", \"encoding\": \"iso-8859-2\", \"required\": [\"ean\"]");
	cr_assert_eq(c->source.delimiter, '\t');
	cr_assert_str_eq(c->source.encoding, "iso-8859-2");
	cr_assert_not(c->source.encoding_is_default);
	cr_assert_str_eq(c->required[0], "sku");
	cr_assert_str_eq(c->required[1], "ean");
	cr_assert_null(c->required[2]);
	conn_free(c);
}

Test(conn, byte_order_mark_is_skipped)
{
	struct conn_config *c = parse_ok("\xEF\xBB\xBF{\"name\": \"T\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}");
	cr_assert_str_eq(c->name, "T");
	conn_free(c);
	expect_problem("\xEF\xBB\xBF{\n\"name\": x}", "invalid JSON at line 2, column 9, near 'x}'");
}

Test(conn, json_and_xml_sources)
{
	struct conn_config *c = source_ok("xml", "file:///srv/feeds/p.xml", "\"item_path\": \"product\"");
	cr_assert_str_eq(c->source.format, "xml");
	cr_assert_str_eq(c->source.item_path, "product");
	conn_free(c);
	c = source_ok("csv", "feed.csv", "\"header\": false, \"auth\": {\"token_env\": \"FEED_TOKEN\"}");
	cr_assert(c->source.no_header);
	cr_assert_str_eq(c->auth_token_env, "FEED_TOKEN");
	conn_free(c);
}

Test(conn, ndjson_format_and_the_list_join)
{
	struct conn_config *c = source_ok("json", "feed.txt", "\"format\": \"ndjson\"");
	cr_assert_str_eq(c->source.format, "ndjson");
	cr_assert_null(c->source.list_join, "no category delimiter: the reader's default");
	conn_free(c);
	c = parse_ok("{\"name\": \"T\", \"source\": {\"type\": \"json\", \"url\": \"f.json\"},"
	             " \"mapping\": {\"categories\": {\"delimiter\": \"/\"}}}");
	cr_assert_str_eq(c->source.format, "json");
	cr_assert_str_eq(c->source.list_join, "/", "lists join as the mapping splits categories");
	conn_free(c);
}

Test(conn, urls_accepted)
{
	const char *urls[] = {"http://example.com/feed.csv", "HTTPS://example.com:8443/a?b=c@d", "file:///abs/feed.csv",
	                      "file://localhost/abs/feed.csv", "relative/feed.csv", "/abs/feed with space.csv",
	                      "C:\\feeds\\x.csv"};
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *escaped = xstrdup(urls[i]);
		if (strchr(escaped, '\\')) {
			free(escaped);
			escaped = xstrdup("C:\\\\feeds\\\\x.csv");
		}
		struct conn_config *c = source_ok("csv", escaped, "");
		cr_expect_str_eq(c->url, urls[i]);
		conn_free(c);
		free(escaped);
	}
}

Test(conn, destination_format)
{
	char *text = doc_with("\"destination\": {\"type\": \"file\", \"path\": \"out/a.csv\"}");
	struct conn_config *c = parse_ok(text);
	cr_assert_str_eq(c->dest_format, "csv");
	conn_free(c);
	free(text);
	text = doc_with("\"destination\": {\"type\": \"file\", \"path\": \"out/a.txt\", \"format\": \"jsonl\"}");
	c = parse_ok(text);
	cr_assert_str_eq(c->dest_format, "jsonl");
	conn_free(c);
	free(text);
}

Test(conn, nulls_read_as_absent)
{
	char *text = doc_with("\"active\": null, \"filters\": null, \"mapping\": null, \"update\": null, "
	                      "\"schedule\": null, \"destination\": null");
	struct conn_config *c = parse_ok(text);
	cr_assert(c->active);
	cr_assert_eq(c->schedule.kind, SCHEDULE_MANUAL);
	char *json = conn_to_json(c);
	cJSON *doc = cJSON_Parse(json);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "active")));
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "schedule")->valuestring, "manual");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(doc, "update")));
	cJSON_Delete(doc);
	free(json);
	conn_free(c);
	free(text);
}

/* ---- syntax ---- */

Test(conn, invalid_json_names_line_and_column)
{
	char *text = read_fixture("broken.json");
	char *all = parse_fail(text);
	cr_assert_str_eq(all, "invalid JSON at line 6, column 2, near '}'\n");
	free(all);
	free(text);
	expect_problem("{\"name\": \"x\",\n  \"source\": tru}", "invalid JSON at line 2, column 13, near 'tru}'");
	expect_problem("{\"name\": \"Știință\", \"x\" 1}", "invalid JSON at line 1, column 25, near '1}'");
	expect_problem("{\"a\": 1, }", "invalid JSON at line 1, column 10, near '}'");
	expect_problem("{\"a\": \"x}", "invalid JSON: the document ends too early at line 1, column 10");
	expect_problem("{\"a\": [1, 2}", "invalid JSON at line 1, column 12, near '}'");
	expect_problem("{\"name\": \"x\"", "invalid JSON: the document ends too early at line 1, column 13");
	expect_problem("{\"name\": \"x\"} trailing", "invalid JSON at line 1, column 15, near 'trailing'");
	expect_problem("", "the document is empty");
	expect_problem(" \n ", "the document is empty");
	struct problems pr = {0};
	cr_assert_null(conn_parse(NULL, &pr));
	cr_assert_eq(pr.n, 1);
	problems_free(&pr);
	expect_problem("[1]", "the document must be a JSON object ({\"name\": ..., \"source\": ...}), not an array");
}

/* ---- validation: every problem, with its path ---- */

Test(conn, problems_are_all_collected)
{
	char *all = parse_fail("{\"shedule\": \"daily 02:00\", \"active\": \"yes\","
	                       "\"source\": {\"type\": \"ftp\", \"url\": \"\"},"
	                       "\"filters\": {\"rules\": [{\"field\": \"q\", \"op\": \"greater\", \"value\": 1}]},"
	                       "\"mapping\": {\"auto\": 1},"
	                       "\"update\": {\"missing_action\": \"remove\"},"
	                       "\"schedule\": \"every 0m\","
	                       "\"destination\": {\"type\": \"file\", \"path\": \"x\", \"format\": \"xlsx\"}}");
	const char *want[] = {
		"unknown key 'shedule' (did you mean 'schedule'?)",
		"name: required (1 to 100 characters)",
		"active: must be true or false, not a string",
		"source.type: must be one of csv, json, xml, winmentor, woocommerce, shopify, not 'ftp'",
		"source.url: required (http://, https://, file:// or a file path)",
		"filters.rules[0].op: unknown operator 'greater'",
		"mapping.auto: must be true or false, not a number",
		"update.missing_action: must be one of none, stock_zero, draft, delete, not 'remove'",
		"schedule: 'every 0m' is too short; the shortest interval is 1 minute",
		"destination.format: must be csv or jsonl, not 'xlsx'",
	};
	size_t lines = 0;
	for (const char *p = all; *p; p++)
		lines += *p == '\n';
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(strstr(all, want[i]), "expected '%s' in:\n%s", want[i], all);
	cr_expect_eq(lines, sizeof(want) / sizeof(want[0]), "exactly these problems:\n%s", all);
	free(all);
}

Test(conn, unknown_keys_everywhere)
{
	expect_problem_in("\"foo\": 1", "unknown key 'foo' (known keys: name, active, preset, source, filters, mapping, "
	                                "group, rules, update, schedule, destination)");
	expect_problem_in("\"Name\": \"x\"", "unknown key 'Name' (did you mean 'name'?)");
	expect_problem_in("\"filter\": {}", "unknown key 'filter' (did you mean 'filters'?)");
	expect_problem_in("\"name\": \"again\"", "duplicate key 'name'");
	expect_source_problem("csv", "a.csv", "\"urll\": \"x\"", "source: unknown key 'urll' (did you mean 'url'?)");
	expect_source_problem("csv", "a.csv", "\"delimeter\": \";\"", "source: unknown key 'delimeter' (did you mean 'delimiter'?)");
	expect_problem_in("\"update\": {\"missing_actions\": \"none\"}", "update: unknown key 'missing_actions' (did you mean 'missing_action'?)");
	expect_problem_in("\"destination\": {\"type\": \"file\", \"path\": \"x\", \"fmt\": \"csv\"}", "destination: unknown key 'fmt'");
	expect_source_problem("csv", "a.csv", "\"auth\": {\"user\": \"u\", \"password_env\": \"P\"}",
	                      "source.auth: unknown key 'user'");
}

Test(conn, name_rules)
{
	expect_problem("{\"source\": {\"type\": \"csv\", \"url\": \"a\"}}", "name: required (1 to 100 characters)");
	expect_problem("{\"name\": \"\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}", "name: required");
	expect_problem("{\"name\": \"   \", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}", "name: is blank");
	expect_problem("{\"name\": 5, \"source\": {\"type\": \"csv\", \"url\": \"a\"}}", "name: must be a string, not a number");
	expect_problem("{\"name\": \"a\\tb\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}",
	               "name: contains control characters");
	struct strbuf sb = {0};
	sb_adds(&sb, "{\"name\": \"");
	for (int i = 0; i < 100; i++)
		sb_adds(&sb, "ș"); /* 100 characters, 200 bytes: fine */
	sb_adds(&sb, "\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}");
	struct conn_config *c = parse_ok(sb.buf);
	conn_free(c);
	sb_reset(&sb);
	sb_adds(&sb, "{\"name\": \"");
	for (int i = 0; i < 101; i++)
		sb_adds(&sb, "x");
	sb_adds(&sb, "\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}");
	expect_problem(sb.buf, "name: is 101 characters long; at most 100");
	sb_free(&sb);
	expect_problem("{\"name\": \"\xff\", \"source\": {\"type\": \"csv\", \"url\": \"a\"}}", "name: is not valid UTF-8");
}

Test(conn, source_problems)
{
	expect_problem("{\"name\": \"T\"}", "source: required (an object with type and url)");
	expect_problem("{\"name\": \"T\", \"source\": \"feed.csv\"}", "source: must be an object, not a string");
	expect_problem("{\"name\": \"T\", \"source\": {\"url\": \"a\"}}", "source.type: required (csv, json, xml, winmentor, woocommerce or shopify)");
	expect_problem("{\"name\": \"T\", \"source\": {\"type\": \"csv\"}}", "source.url: required");
	expect_source_problem("csv", "a", "\"delimiter\": \";;\"", "source.delimiter: must be one character, like \";\" or \"\\t\"");
	expect_source_problem("csv", "a", "\"delimiter\": \"\"", "source.delimiter: must be one character");
	expect_source_problem("csv", "a", "\"delimiter\": 59", "source.delimiter: must be a string, not a number");
	expect_source_problem("csv", "a", "\"enclosure\": \";\", \"delimiter\": \";\"",
	                      "source.enclosure: is the same character as the delimiter");
	expect_source_problem("json", "a", "\"delimiter\": \";\"", "source.delimiter: only csv and winmentor sources have one");
	expect_source_problem("xml", "a", "\"header\": true", "source.header: only csv and winmentor sources have one");
	expect_source_problem("csv", "a", "\"header\": \"yes\"", "source.header: must be true or false, not a string");
	expect_source_problem("csv", "a", "\"item_path\": \"x\"", "source.item_path: only json and xml sources have one");
	expect_source_problem("json", "a", "\"item_path\": \"\"", "source.item_path: is empty");
	expect_source_problem("json", "a", "\"format\": \"jsonl\"", "source.format: must be \"ndjson\"");
	expect_source_problem("xml", "a", "\"format\": \"ndjson\"", "source.format: only json sources have one");
	expect_source_problem("json", "a", "\"format\": \"ndjson\", \"item_path\": \"p\"",
	                      "source.item_path: an ndjson feed has none: each line is an item");
	expect_source_problem("csv", "a", "\"encoding\": \"klingon-8\"",
	                      "source.encoding: unknown encoding 'klingon-8' (for example utf-8, windows-1250, iso-8859-2)");
	expect_source_problem("csv", "a", "\"aliases\": []", "source.aliases: must be an object, not an array");
	expect_source_problem("csv", "a", "\"aliases\": {\"Cod\": 1}", "source.aliases.Cod: must be a column name like \"sku\", not a number");
	expect_source_problem("csv", "a", "\"aliases\": {\"Cod\": \"\"}", "source.aliases.Cod: must be a column name like \"sku\", not an empty string");
	expect_source_problem("csv", "a", "\"aliases\": {\"\": \"sku\"}", "source.aliases: a feed column name is empty");
	expect_source_problem("csv", "a", "\"required\": \"sku\"", "source.required: must be an array, not a string");
	expect_source_problem("csv", "a", "\"required\": [\"sku\", 3]", "source.required[1]: must be a column name like \"price\", not a number");
}

Test(conn, price_options)
{
	struct conn_config *c = source_ok("csv", "a", "\"decimal_separator\": \",\", \"currency\": \"RON\"");
	cr_assert_eq(c->decimal_separator, ',');
	cr_assert_str_eq(c->currency, "RON");
	conn_free(c);
	c = source_ok("xml", "a", "");
	cr_assert_eq(c->decimal_separator, 0, "either separator by default");
	cr_assert_null(c->currency);
	conn_free(c);
	expect_source_problem("csv", "a", "\"decimal_separator\": \";\"",
	                      "source.decimal_separator: must be \".\" or \",\" (leave it out to take either), not ';'");
	expect_source_problem("csv", "a", "\"decimal_separator\": 44", "source.decimal_separator: must be a string");
	expect_source_problem("json", "a", "\"currency\": \"lei\"",
	                      "source.currency: must be an ISO 4217 code in capitals, like \"RON\" or \"EUR\", not 'lei'");
}

Test(conn, url_problems)
{
	expect_source_problem("csv", "ftp://example.com/a.csv", "",
	                      "source.url: unsupported scheme 'ftp' (use http://, https://, file:// or a file path)");
	expect_source_problem("csv", "https://user:secret@example.com/a.csv", "",
	                      "source.url: has a user name or password in it; put the user name in source.auth.username "
	                      "and the password in an environment variable named by source.auth.password_env");
	expect_source_problem("csv", "http://user@example.com/a.csv", "", "source.url: has a user name or password in it");
	expect_source_problem("csv", "https:///a.csv", "", "source.url: has no host name");
	expect_source_problem("csv", "https://example.com/my feed.csv", "",
	                      "source.url: contains spaces or control characters; percent-encode them (%20)");
	expect_source_problem("csv", "file://server/share/a.csv", "", "source.url: file URLs need an absolute path, like file:///srv/feeds/acme.csv");
	expect_source_problem("csv", "file://", "", "file URLs need an absolute path");
	expect_source_problem("csv", "file:///", "", "file URLs need an absolute path");
	expect_source_problem("csv", "feed\\u0001.csv", "", "source.url: contains control characters");
}

Test(conn, auth_problems)
{
	expect_source_problem("csv", "a", "\"auth\": {\"username\": \"u\", \"password\": \"hunter2\"}",
	                      "source.auth.password: secrets are not stored in connection documents; put it in an "
	                      "environment variable and name the variable in password_env");
	expect_source_problem("csv", "a", "\"auth\": {\"token\": \"abc\"}", "source.auth.token: secrets are not stored");
	expect_source_problem("csv", "a", "\"auth\": {\"username\": \"u\"}",
	                      "source.auth.password_env: required with username");
	expect_source_problem("csv", "a", "\"auth\": {\"password_env\": \"P\"}",
	                      "source.auth.username: required with password_env");
	expect_source_problem("csv", "a", "\"auth\": {\"username\": \"u\", \"password_env\": \"P\", \"token_env\": \"T\"}",
	                      "source.auth: use either username and password_env, or token_env");
	expect_source_problem("csv", "a", "\"auth\": {}", "source.auth: is empty; give username and password_env, or token_env");
	expect_source_problem("csv", "a", "\"auth\": {\"token_env\": \"MY-TOKEN\"}",
	                      "source.auth.token_env: 'MY-TOKEN' is not an environment variable name");
	expect_source_problem("csv", "a", "\"auth\": {\"token_env\": \"1TOKEN\"}", "is not an environment variable name");
	expect_source_problem("csv", "a", "\"auth\": \"u:p\"", "source.auth: must be an object, not a string");
}

Test(conn, update_problems)
{
	expect_problem_in("\"update\": []", "update: must be an object, not an array");
	expect_problem_in("\"update\": {\"fields\": []}", "update.fields: is empty; list at least one field");
	expect_problem_in("\"update\": {\"fields\": [\"a\", \"a\"]}", "update.fields[1]: 'a' is listed twice");
	expect_problem_in("\"update\": {\"fields\": [\"a\", 1]}", "update.fields[1]: must be a field name like \"regular_price\", not a number");
	expect_problem_in("\"update\": {\"fields\": \"all\"}", "update.fields: must be an array, not a string");
	expect_problem_in("\"update\": {\"create_missing\": 1}", "update.create_missing: must be true or false, not a number");
	expect_problem_in("\"update\": {\"missing_action\": 1}", "update.missing_action: must be a string, not a number");
	expect_problem_in("\"update\": {\"missing_after_days\": -1}", "update.missing_after_days: must be a whole number from 0 to 3650");
	expect_problem_in("\"update\": {\"missing_after_days\": 1.5}", "update.missing_after_days: must be a whole number");
	expect_problem_in("\"update\": {\"missing_after_runs\": 1001}", "update.missing_after_runs: must be a whole number from 0 to 1000");
	expect_problem_in("\"update\": {\"missing_after_runs\": \"3\"}", "update.missing_after_runs: must be a number, not a string");
	const char *actions[] = {"none", "stock_zero", "draft", "delete"};
	for (int i = 0; i < 4; i++) {
		char *extra = xasprintf("\"update\": {\"missing_action\": \"%s\"}", actions[i]);
		char *text = doc_with(extra);
		struct conn_config *c = parse_ok(text);
		cr_assert_eq((int)c->missing_action, i);
		conn_free(c);
		free(text);
		free(extra);
	}
}

Test(conn, schedule_and_destination_problems)
{
	expect_problem_in("\"schedule\": \"sometimes\"", "schedule: 'sometimes' is not a schedule (accepted: manual");
	expect_problem_in("\"schedule\": 15", "schedule: must be a string, not a number");
	expect_problem_in("\"schedule\": \"61 * * * *\"", "schedule: minute field '61' of '61 * * * *' is out of range 0-59");
	expect_problem_in("\"destination\": \"out.csv\"", "destination: must be an object, not a string");
	expect_problem_in("\"destination\": {\"type\": \"woocommerce\", \"path\": \"x\"}", "destination.path: only file destinations have one");
	expect_problem_in("\"destination\": {\"path\": \"x\"}", "destination.type: required (file, woocommerce, wordpress or shopify)");
	expect_problem_in("\"destination\": {\"type\": \"file\"}", "destination.path: required (where to write, like out/acme.csv)");
	char *text = doc_with("\"schedule\": \"Every 2h\"");
	struct conn_config *c = parse_ok(text);
	cr_assert_eq(c->schedule.kind, SCHEDULE_EVERY);
	cr_assert_str_eq(c->schedule_text, "Every 2h");
	conn_free(c);
	free(text);
}

Test(conn, filter_and_mapping_use_the_connection_aliases)
{
	char *text = xasprintf("{\"name\": \"T\", \"source\": {\"type\": \"csv\", \"url\": \"a\", "
	                       "\"aliases\": {\"Stoc magazin\": \"quantity\", \"Cod furnizor\": \"supplier_code\"}},"
	                       "\"filters\": {\"rules\": [{\"field\": \"STOC MAGAZIN\", \"op\": \"gt\", \"value\": 0}]},"
	                       "\"mapping\": {\"fields\": {\"ean\": {\"column\": \"Cod furnizor\"}}}}");
	struct conn_config *c = parse_ok(text);
	char *desc = filter_describe(c->filter);
	cr_assert_str_eq(desc, "quantity gt 0");
	free(desc);
	bool found = false;
	for (const char *const *col = mapping_columns(c->mapping); *col; col++)
		found = found || strcmp(*col, "supplier_code") == 0;
	cr_assert(found);
	conn_free(c);
	free(text);
	conn_free(NULL);
}

Test(conn, problems_keep_earlier_entries)
{
	struct problems pr = {0};
	problems_add(&pr, "earlier", "kept");
	char *text = doc_with("");
	struct conn_config *c = conn_parse(text, &pr);
	cr_assert_not_null(c, "problems from before the call do not fail this document");
	cr_assert_eq(pr.n, 1);
	conn_free(c);
	free(text);
	problems_free(&pr);
}
