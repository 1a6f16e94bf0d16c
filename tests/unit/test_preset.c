/* preset: reading preset documents, user presets over shipped ones, versions, column matching, checks. */
#include "feed/preset.h"

#include "core/util.h"
#include "feed/conn.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char hotel_v2[] =
	"{\"name\": \"hotel\", \"version\": 2, \"title\": \"My hotel\", \"destinations\": [\"wordpress\", \"file\"],\n"
	" \"fields\": [{\"target\": \"sku\", \"required\": true, \"sources\": [\"hotel_id\"]},\n"
	"            {\"target\": \"name\", \"required\": true, \"sources\": [\"hotel_name\", \"title\"]},\n"
	"            {\"target\": \"url\", \"sources\": [\"deep_link\"]},\n"
	"            {\"target\": \"stars\", \"sources\": [\"star_rating\"], \"default\": \"3\"}]}\n";

static char *all_problems(const struct problems *pr)
{
	return problems_join(pr, "  ");
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(path);
}

static char *temp_dir(void)
{
	char *dir = xstrdup("/tmp/feedsync-preset-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void remove_dir(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void load_shipped(struct preset_set *set)
{
	struct problems pr = {0};
	preset_set_add_dir(set, "data/presets", false, &pr);
	char *text = all_problems(&pr);
	cr_assert_eq(pr.n, 0, "the shipped presets do not read:\n%s", text);
	free(text);
	problems_free(&pr);
}

Test(preset, parses_a_document)
{
	struct problems pr = {0};
	struct preset *p = preset_parse(hotel_v2, "hotel.json", &pr);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "hotel");
	cr_assert_eq(p->version, 2);
	cr_assert_eq(p->nfields, 4);
	cr_assert(p->fields[1].required);
	cr_assert_str_eq(p->fields[1].sources[1], "title");
	cr_assert_null(p->fields[1].sources[2]);
	cr_assert_str_eq(p->fields[3].fallback, "3");
	cr_assert(preset_fits(p, "file"));
	cr_assert_not(preset_fits(p, "woocommerce"));
	preset_free(p);
}

Test(preset, bad_json_names_the_file_line_and_column)
{
	struct problems pr = {0};
	cr_assert_null(preset_parse("{\"name\": \"x\",\n \"version\": 1,,\n}", "/u/x.json", &pr));
	cr_assert_eq(pr.n, 1);
	cr_assert(strstr(pr.items[0], "/u/x.json: invalid JSON at line 2, column 15"), "%s", pr.items[0]);
	problems_free(&pr);
	cr_assert_null(preset_parse("{\"name\": \"x\", \"fields\": [", "/u/cut.json", &pr));
	cr_assert(strstr(pr.items[0], "/u/cut.json: invalid JSON: the document ends too early"), "%s", pr.items[0]);
	problems_free(&pr);
}

Test(preset, every_problem_of_a_document_has_its_path)
{
	struct problems pr = {0};
	cr_assert_null(preset_parse("{\"name\": \"Hotel!\", \"version\": 0, \"destinations\": [],"
	                            " \"fields\": [{\"target\": \"sku\"}, {\"sources\": [\"x\"]}, {\"target\": \"sku\"},"
	                            " {\"target\": \"a\", \"sorces\": []}]}", "h.json", &pr));
	char *text = all_problems(&pr);
	cr_assert(strstr(text, "h.json: name: 'Hotel!' must be 1 to 32 of a-z"), "%s", text);
	cr_assert(strstr(text, "h.json: version: must be a whole number from 1"), "%s", text);
	cr_assert(strstr(text, "h.json: destinations: lists no destination type"), "%s", text);
	cr_assert(strstr(text, "h.json: fields[1].target: required"), "%s", text);
	cr_assert(strstr(text, "h.json: fields[2]: target 'sku' is listed twice"), "%s", text);
	cr_assert(strstr(text, "h.json: fields[3]: unknown key 'sorces' (did you mean 'sources'?)"), "%s", text);
	free(text);
	problems_free(&pr);
}

Test(preset, the_shipped_presets_read_and_fit_a_file_export)
{
	static const char *const names[] = {"deal", "fashion", "furniture", "hotel", "listing", "product"};
	struct preset_set set = {0};
	load_shipped(&set);
	cr_assert_eq(set.n, ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const struct preset *p = preset_find(&set, names[i]);
		cr_assert_not_null(p, "%s", names[i]);
		cr_assert(preset_fits(p, "file"), "%s", names[i]);
		cr_assert_str_eq(p->fields[0].target, "sku", "%s: the SKU comes first", names[i]);
		cr_assert(p->fields[0].required, "%s", names[i]);
	}
	cr_assert(preset_fits(preset_find(&set, "product"), "woocommerce"));
	cr_assert_not(preset_fits(preset_find(&set, "hotel"), "woocommerce"));
	preset_set_free(&set);
}

Test(preset, user_presets_add_versions_and_replace_the_same_version)
{
	char *dir = temp_dir();
	write_file(dir, "hotel-2.json", hotel_v2);
	write_file(dir, "hotel-1.json", "{\"name\": \"hotel\", \"version\": 1, \"title\": \"Mine\", \"destinations\": "
	                                "[\"woocommerce\"], \"fields\": [{\"target\": \"sku\"}]}");
	write_file(dir, "notes.txt", "not a preset");
	struct preset_set set = {0};
	struct problems pr = {0};
	load_shipped(&set);
	preset_set_add_dir(&set, dir, true, &pr);
	cr_assert_eq(pr.n, 0);
	const struct preset *latest = preset_find(&set, "hotel");
	cr_assert_eq(latest->version, 2);
	cr_assert(latest->user);
	const struct preset *one = preset_find(&set, "hotel@1");
	cr_assert_str_eq(one->title, "Mine");
	cr_assert(one->user);
	cr_assert(str_ends_with(one->file, "/hotel-1.json"));
	cr_assert_null(preset_find(&set, "hotel@3"));
	cr_assert_null(preset_find(&set, "nothing"));
	cr_assert_eq(preset_find(&set, "deal@1")->version, 1);
	preset_set_free(&set);
	remove_dir(dir);
}

Test(preset, a_bad_user_file_is_reported_not_skipped)
{
	char *dir = temp_dir();
	write_file(dir, "a.json", hotel_v2);
	write_file(dir, "b.json", hotel_v2);
	write_file(dir, "c.json", "{\"name\": \"x\", \"version\": 1, \"destinations\": [\"file\"], \"fields\": [}");
	struct preset_set set = {0};
	struct problems pr = {0};
	preset_set_add_dir(&set, dir, true, &pr);
	char *text = all_problems(&pr);
	cr_assert_eq(pr.n, 2, "%s", text);
	cr_assert(strstr(text, "/b.json: hotel@2 is defined already in "), "%s", text);
	cr_assert(strstr(text, "/c.json: invalid JSON at line 1, column 66"), "%s", text);
	cr_assert_eq(set.n, 1);
	free(text);
	problems_free(&pr);
	preset_set_free(&set);
	remove_dir(dir);
}

Test(preset, a_missing_user_directory_is_no_problem)
{
	struct preset_set set = {0};
	struct problems pr = {0};
	preset_set_add_dir(&set, "/nonexistent/feedsync/presets", true, &pr);
	cr_assert_eq(pr.n, 0);
	preset_set_add_dir(&set, "/nonexistent/shipped", false, &pr);
	cr_assert_eq(pr.n, 1);
	problems_free(&pr);
}

Test(preset, reads_its_directories_from_xdg_config_home)
{
	char *xdg = temp_dir();
	char *dir = xasprintf("%s/feedsync/presets", xdg);
	char *file = xasprintf("%s/hotel.json", dir);
	cr_assert_eq(mkdir_parents(file), 0);
	free(file);
	write_file(dir, "hotel.json", hotel_v2);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	struct preset_set set = {0};
	struct problems pr = {0};
	preset_set_load(&set, &pr);
	cr_assert_eq(pr.n, 0);
	cr_assert_str_eq(preset_find(&set, "hotel")->title, "My hotel");
	cr_assert_str_eq(preset_find(&set, "hotel@1")->title, "Hotel");
	preset_set_free(&set);
	unsetenv("XDG_CONFIG_HOME");
	free(dir);
	remove_dir(xdg);
}

Test(preset, references_name_a_version_or_the_latest)
{
	char name[PRESET_NAME_MAX + 1];
	int version;
	cr_assert(preset_ref_parse("hotel", name, sizeof(name), &version));
	cr_assert_str_eq(name, "hotel");
	cr_assert_eq(version, 0);
	cr_assert(preset_ref_parse("my-deals_2@12", name, sizeof(name), &version));
	cr_assert_str_eq(name, "my-deals_2");
	cr_assert_eq(version, 12);
	static const char *const bad[] = {"", "Hotel", "hotel@", "hotel@0", "hotel@02", "hotel@x", "hotel@+2",
	                                  "ho tel", "@2", "hotel@2@3", "a-name-much-longer-than-thirty-two-chars"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		cr_assert_not(preset_ref_parse(bad[i], name, sizeof(name), &version), "'%s'", bad[i]);
}

Test(preset, matching_folds_case_punctuation_and_aliases)
{
	struct problems pr = {0};
	struct preset *p = preset_parse(hotel_v2, "hotel.json", &pr);
	static const char *const feed[] = {"Deep-Link", "HOTEL ID", "Star.Rating", "g:title"};
	cr_assert_eq(preset_match(&p->fields[0], NULL, feed, 4), 1);   /* hotel_id */
	cr_assert_eq(preset_match(&p->fields[1], NULL, feed, 4), 3);   /* title, through its alias */
	cr_assert_eq(preset_match(&p->fields[2], NULL, feed, 4), 0);   /* deep_link */
	cr_assert_eq(preset_match(&p->fields[3], NULL, feed, 4), 2);   /* star_rating */
	static const char *const other[] = {"Stars", "deeplink"};
	cr_assert_eq(preset_match(&p->fields[3], NULL, other, 2), 0, "the target's own name matches too");
	cr_assert_eq(preset_match(&p->fields[2], NULL, other, 2), 1, "underscores do not count");
	cr_assert_eq(preset_match(&p->fields[0], NULL, other, 2), -1);
	static const char *const both[] = {"title", "Hotel_Name"};
	cr_assert_eq(preset_match(&p->fields[1], NULL, both, 2), 1, "sources are tried in their order");
	preset_free(p);
}

static struct conn_config *conn_with(const char *mapping, const char *destination)
{
	char *text = xasprintf("{\"name\": \"c\", \"preset\": \"hotel@2\", \"source\": {\"type\": \"csv\", \"url\": "
	                       "\"feed.csv\"}, \"mapping\": %s, \"destination\": %s}", mapping, destination);
	struct problems pr = {0};
	struct conn_config *c = conn_parse(text, &pr);
	cr_assert_not_null(c, "%s", pr.n ? pr.items[0] : "");
	free(text);
	return c;
}

Test(preset, checks_fields_required_unknown_and_the_destination)
{
	struct problems pr = {0};
	struct preset *p = preset_parse(hotel_v2, "hotel.json", &pr);
	struct conn_config *c = conn_with("{\"fields\": {\"url\": {\"column\": \"deep_link\"}, \"starz\": "
	                                  "{\"column\": \"s\"}, \"city\": {\"constant\": \"Cluj\"}}}",
	                                  "{\"type\": \"file\", \"path\": \"out.csv\"}");
	preset_check(p, c, NULL, 0, &pr);
	char *text = all_problems(&pr);
	cr_assert_eq(pr.n, 2, "%s", text);
	cr_assert(strstr(text, "mapping.fields.starz: 'starz' is not a field of preset hotel@2 (did you mean "
	                       "'stars'?)"), "%s", text);
	cr_assert(strstr(text, "mapping.fields.city: 'city' is not a field of preset hotel@2 (see 'feedsync presets "
	                       "show hotel@2')"), "%s", text);
	free(text);
	problems_free(&pr);

	static const char *const feed[] = {"sku", "title"};
	preset_check(p, c, feed, 2, &pr);
	text = all_problems(&pr);
	cr_assert_eq(pr.n, 2, "auto reads name from title, which the feed has:\n%s", text);
	free(text);
	problems_free(&pr);
	static const char *const bare[] = {"sku", "price"};
	preset_check(p, c, bare, 2, &pr);
	text = all_problems(&pr);
	cr_assert(strstr(text, "mapping.fields.name: preset hotel@2 requires 'name', but the feed has no column 'name' "
	                       "(which auto reads it from)"), "%s", text);
	free(text);
	problems_free(&pr);
	conn_free(c);

	c = conn_with("{\"auto\": false, \"fields\": {\"sku\": {\"column\": \"id\"}}}",
	              "{\"type\": \"woocommerce\", \"id\": 3}");
	preset_check(p, c, NULL, 0, &pr);
	text = all_problems(&pr);
	cr_assert_eq(pr.n, 2, "%s", text);
	cr_assert(strstr(text, "preset: hotel@2 is for 'wordpress', 'file' destinations, not woocommerce"), "%s", text);
	cr_assert(strstr(text, "mapping.fields.name: preset hotel@2 requires 'name'; map it from a column such as "
	                       "'hotel_name', 'title' or give it a constant"), "%s", text);
	free(text);
	problems_free(&pr);
	conn_free(c);
	preset_free(p);
}

Test(preset, a_rule_can_fill_a_required_field)
{
	struct problems pr = {0};
	struct preset *p = preset_parse(hotel_v2, "hotel.json", &pr);
	char *text = xasprintf("{\"name\": \"c\", \"preset\": \"hotel\", \"source\": {\"type\": \"csv\", \"url\": \"f.csv\"},"
	                       " \"mapping\": {\"auto\": false, \"fields\": {\"sku\": {\"column\": \"id\"}, \"url\": "
	                       "{\"column\": \"u\"}}}, \"rules\": [{\"set\": \"name\", \"template\": \"{id} {u}\"}]}");
	struct conn_config *c = conn_parse(text, &pr);
	cr_assert_not_null(c, "%s", pr.n ? pr.items[0] : "");
	preset_check(p, c, NULL, 0, &pr);
	cr_assert_eq(pr.n, 0, "%s", pr.n ? pr.items[0] : "");
	conn_free(c);
	free(text);
	preset_free(p);
}

Test(preset, a_connection_spells_its_preset)
{
	struct problems pr = {0};
	cr_assert_null(conn_parse("{\"name\": \"c\", \"preset\": \"Hotel 2\", \"source\": {\"type\": \"csv\", \"url\": "
	                          "\"f.csv\"}}", &pr));
	cr_assert_eq(pr.n, 1);
	cr_assert(strstr(pr.items[0], "preset: 'Hotel 2' is not a preset like \"hotel\""), "%s", pr.items[0]);
	problems_free(&pr);
}
