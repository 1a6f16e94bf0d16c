/* The wizard's model: answers to documents and back, problems by step, the sample, schedules and saving. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/store.h"
#include "core/store_dest.h"
#include "core/util.h"
#include "feed/conn.h"
#include "feed/filter.h"
#include "tui/wizard_model.h"

#define SAMPLE "tests/fixtures/wizard/products.csv"

static char *read_text(const char *path)
{
	char err[256];
	char *text = cli_read_file(path, err, sizeof(err));
	cr_assert_not_null(text, "%s", err);
	return text;
}

static void set(struct strbuf *sb, const char *text)
{
	sb_reset(sb);
	sb_adds(sb, text);
}

/* The document conn_parse makes of text (defaults filled in), or NULL with the problems in *why. */
static char *normalized(const char *text, char **why)
{
	struct problems pr = {0};
	struct conn_config *c = conn_parse(text, &pr);
	*why = problems_join(&pr, " ");
	problems_free(&pr);
	char *out = c ? conn_to_json(c) : NULL;
	conn_free(c);
	return out;
}

static const cJSON *at(const cJSON *doc, const char *a, const char *b)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(doc, a);
	return b ? cJSON_GetObjectItemCaseSensitive(item, b) : item;
}

static struct wizard *answered(void)
{
	struct wizard *w = wizard_new();
	set(&w->name, "Acme pens");
	set(&w->url, SAMPLE);
	set(&w->delimiter, ";");
	return w;
}

static void give_sample(struct wizard *w, const struct config *cfg)
{
	struct fetch_result res = {0};
	str_copy(res.path, SAMPLE, sizeof(res.path));
	wizard_set_sample(w, cfg, &res);
}

Test(wizard_model, problem_paths_belong_to_their_step)
{
	cr_assert_eq(wizard_problem_step("name: required"), WIZ_SOURCE);
	cr_assert_eq(wizard_problem_step("source.url: unsupported scheme 'ftp'"), WIZ_SOURCE);
	cr_assert_eq(wizard_problem_step("filters.rules[0].value: 'abc' is not a number"), WIZ_PREVIEW);
	cr_assert_eq(wizard_problem_step("columns: missing required column"), WIZ_PREVIEW);
	cr_assert_eq(wizard_problem_step("mapping.fields.regular_price.constant: 'x' is not a number"), WIZ_MAPPING);
	cr_assert_eq(wizard_problem_step("update.missing_after_days: must be a whole number"), WIZ_DESTINATION);
	cr_assert_eq(wizard_problem_step("destination.path: required"), WIZ_DESTINATION);
	cr_assert_eq(wizard_problem_step("schedule: cron needs 5 fields"), WIZ_SCHEDULE);
	cr_assert_eq(wizard_problem_step("invalid JSON at line 1"), WIZ_REVIEW);
	cr_assert_eq(wizard_problem_step("sourcery: x"), WIZ_REVIEW);
	cr_assert_eq(wizard_problem_step(""), WIZ_REVIEW);
}

Test(wizard_model, a_new_wizard_names_what_is_missing_on_step_one)
{
	struct wizard *w = wizard_new();
	wizard_validate(w);
	cr_assert_eq(wizard_step_problems(w, WIZ_SOURCE), 2, "name and url");
	cr_assert_eq(w->problems.n, 2);
	cr_assert_not(wizard_changed(w));
	set(&w->name, "x");
	cr_assert(wizard_changed(w));
	wizard_free(w);
}

Test(wizard_model, answers_make_a_document_conn_add_accepts)
{
	struct wizard *w = answered();
	w->nrules = 1;
	set(&w->rules[0].field, "Cantitate");
	w->rules[0].op = 4;   /* gt */
	cr_assert_str_eq(filter_op_names[w->rules[0].op], "gt");
	set(&w->rules[0].value, "0");
	struct wiz_field *status = &w->fields[w->nfields - 1];
	cr_assert_str_eq(status->dest, "status");
	status->kind = WMAP_CONSTANT;
	set(&status->value, "publish");
	w->dest = WDEST_FILE;
	set(&w->file_path, "out/pens.csv");
	w->schedule = WSCHED_EVERY;
	set(&w->every_minutes, "15");
	w->ncategories = 1;
	w->categories[0].path = xstrdup("Birou > Pixuri");
	set(&w->categories[0].target, "Pens");
	wizard_validate(w);
	cr_assert_eq(w->problems.n, 0, "%s", w->problems.n ? w->problems.items[0] : "");

	cJSON *doc = wizard_document(w);
	cr_assert_str_eq(at(doc, "name", NULL)->valuestring, "Acme pens");
	cr_assert_str_eq(at(doc, "source", "delimiter")->valuestring, ";");
	cr_assert_str_eq(at(doc, "schedule", NULL)->valuestring, "every 15m");
	cr_assert_str_eq(at(doc, "destination", "path")->valuestring, "out/pens.csv");
	cr_assert_null(at(doc, "mapping", "auto"), "every other field stays automatic, the default");
	cr_assert_str_eq(at(at(doc, "mapping", "fields"), "status", "constant")->valuestring, "publish");
	cr_assert_str_eq(at(at(doc, "mapping", "categories"), "map", "Birou > Pixuri")->valuestring, "Pens");
	const cJSON *rule = cJSON_GetArrayItem(at(doc, "filters", "rules"), 0);
	cr_assert_str_eq(at(rule, "op", NULL)->valuestring, "gt");
	cJSON_Delete(doc);
	wizard_free(w);
}

Test(wizard_model, switching_off_an_automatic_field_lists_the_others)
{
	struct wizard *w = answered();
	for (size_t i = 0; i < w->nfields; i++)
		if (str_eq(w->fields[i].dest, "description"))
			w->fields[i].kind = WMAP_NONE;
	cJSON *doc = wizard_document(w);
	const cJSON *fields = at(doc, "mapping", "fields");
	cr_assert(cJSON_IsFalse(at(doc, "mapping", "auto")));
	cr_assert_str_eq(at(fields, "regular_price", "column")->valuestring, "price");
	cr_assert_null(at(fields, "description", NULL));
	cr_assert_not_null(at(doc, "mapping", "categories"), "categories still come from the category column");
	cJSON_Delete(doc);
	wizard_validate(w);
	cr_assert_eq(w->problems.n, 0, "%s", w->problems.n ? w->problems.items[0] : "");
	wizard_free(w);
}

Test(wizard_model, a_tab_delimiter_is_written_as_the_character)
{
	struct wizard *w = answered();
	set(&w->delimiter, "\\t");
	cJSON *doc = wizard_document(w);
	cr_assert_str_eq(at(doc, "source", "delimiter")->valuestring, "\t");
	cJSON_Delete(doc);
	wizard_free(w);
}

/* Loading a stored document and writing it back changes nothing conn_parse sees. */
static void assert_round_trip(const char *path)
{
	char *text = read_text(path), *why = NULL, *why2 = NULL;
	char *before = normalized(text, &why);
	cr_assert_not_null(before, "%s: %s", path, why);
	struct wizard *w = wizard_new();
	char err[256];
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 7, before, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(wizard_changed(w), "%s: loading is not a change", path);
	char *again = wizard_document_text(w);
	char *after = normalized(again, &why2);
	cr_assert_not_null(after, "%s: the wizard's document: %s", path, why2);
	cJSON *a = cJSON_Parse(before), *b = cJSON_Parse(after);
	cr_assert(cJSON_Compare(a, b, true), "%s changed:\n%s\n--\n%s", path, before, after);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(text);
	free(why);
	free(why2);
	free(before);
	free(again);
	free(after);
	wizard_free(w);
}

Test(wizard_model, stored_documents_round_trip)
{
	assert_round_trip("data/connections/supplier-csv.json");
	assert_round_trip("data/connections/affiliate-json.json");
	assert_round_trip("data/connections/catalog-xml.json");
	assert_round_trip("data/connections/google-merchant-xml.json");
	assert_round_trip("data/connections/winmentor.json");
	assert_round_trip("data/connections/nested-json.json");
	assert_round_trip("data/connections/lines-ndjson.json");
	assert_round_trip("tests/fixtures/conn/full.json");
	assert_round_trip("tests/fixtures/conn/winmentor.json");
}

Test(wizard_model, an_ndjson_format_stays_with_json_and_goes_with_another_type)
{
	static const char doc[] = "{\"name\": \"lines\", \"source\": {\"type\": \"json\", \"url\": \"f.txt\", "
	                          "\"format\": \"ndjson\"}}";
	struct wizard *w = wizard_new();
	char err[256];
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 7, doc, NULL, err, sizeof(err)), 0, "%s", err);
	cJSON *out = wizard_document(w);
	cr_assert_str_eq(at(out, "source", "format")->valuestring, "ndjson");
	cJSON_Delete(out);
	w->source = WSRC_XML;
	out = wizard_document(w);
	cr_assert_null(at(out, "source", "format"), "xml sources have no format");
	cJSON_Delete(out);
	wizard_free(w);
}

/* A source the wizard has no step for would be saved back as a CSV feed: it is not opened at all. */
Test(wizard_model, a_source_it_cannot_edit_is_refused_not_turned_into_csv)
{
	static const char doc[] = "{\"name\": \"S\", \"source\": {\"type\": \"shopify\", \"destination\": {\"id\": 2}}}";
	struct wizard *w = wizard_new();
	char err[256] = "";
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 9, doc, NULL, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "the wizard does not edit shopify sources yet: change connection 9 with "
	                      "'feedsync conn edit 9 --file F' (its document: 'feedsync conn export 9')");
	wizard_free(w);
}

Test(wizard_model, shops_named_in_a_document_are_chosen_from_the_list)
{
	struct wizard *w = wizard_new();
	char err[256];
	const char *doc = "{\"name\": \"Pull\", \"source\": {\"type\": \"woocommerce\", \"destination\": {\"name\": "
	                  "\"B\"}, \"status\": \"publish\"}, \"destination\": {\"type\": \"woocommerce\", \"id\": 1}}";
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 4, doc, NULL, err, sizeof(err)), 0, "%s", err);
	struct wiz_shop *shops = xcalloc(2, sizeof(*shops));
	shops[0] = (struct wiz_shop){1, xstrdup("A"), xstrdup("https://a.example.com"), xstrdup("woocommerce")};
	shops[1] = (struct wiz_shop){2, xstrdup("B"), xstrdup("https://b.example.com"), NULL};
	wizard_set_shops(w, shops, 2);
	cr_assert_eq(w->source, WSRC_SHOP);
	cr_assert_eq(w->source_shop, 1);
	cr_assert_str_eq(wiz_shop_statuses[w->shop_status], "publish");
	cr_assert_eq(w->dest, WDEST_SHOP);
	cr_assert_eq(w->dest_shop, 0);
	cr_assert_not(wizard_changed(w));
	cJSON *out = wizard_document(w);
	cr_assert_eq((int64_t)at(at(out, "source", "destination"), "id", NULL)->valuedouble, 2, "by id now");
	cr_assert_null(at(out, "source", "url"));
	cJSON_Delete(out);
	wizard_validate(w);
	cr_assert_eq(w->problems.n, 0, "%s", w->problems.n ? w->problems.items[0] : "");
	wizard_free(w);
}

Test(wizard_model, a_clone_takes_a_new_name_and_starts_inactive)
{
	struct wizard *w = wizard_new();
	char err[256];
	const char *doc = "{\"name\": \"Acme\", \"active\": true, \"source\": {\"type\": \"csv\", \"url\": \"/a.csv\"}}";
	cr_assert_eq(wizard_load(w, WIZ_CLONE, 3, doc, "Acme (copy)", err, sizeof(err)), 0);
	cr_assert_str_eq(sb_str(&w->name), "Acme (copy)");
	cr_assert_not(w->active);
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 3, "[1]", NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a JSON object"));
	wizard_free(w);
}

Test(wizard_model, schedules_and_their_next_runs)
{
	struct wizard *w = wizard_new();
	int64_t next[3];
	char err[512], *text;
	cr_assert_eq(wizard_next_runs(w, 1000000, next, 3, err, sizeof(err)), 0, "manual never runs by itself");
	w->schedule = WSCHED_EVERY;
	set(&w->every_minutes, "10");
	cr_assert_eq(wizard_next_runs(w, 1000000, next, 3, err, sizeof(err)), 3);
	cr_assert_eq(next[1] - next[0], 600000);
	cr_assert_eq(next[2] - next[1], 600000);
	w->schedule = WSCHED_DAILY;
	set(&w->daily_at, "02:30");
	cr_assert_str_eq((text = wizard_schedule_text(w)), "daily 02:30");
	free(text);
	cr_assert_eq(wizard_next_runs(w, 1000000, next, 3, err, sizeof(err)), 3);
	cr_assert_eq(next[1] - next[0], 86400000);
	w->schedule = WSCHED_CRON;
	set(&w->cron, "61 * * * *");
	cr_assert_eq(wizard_next_runs(w, 1000000, next, 3, err, sizeof(err)), -1);
	wizard_validate(w);
	cr_assert_gt(wizard_step_problems(w, WIZ_SCHEDULE), 0);
	wizard_free(w);

	w = wizard_new();
	char err2[256];
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 1, "{\"name\": \"a\", \"schedule\": \"every 2h\"}", NULL, err2,
	                         sizeof(err2)), 0);
	cr_assert_eq(w->schedule, WSCHED_EVERY);
	cr_assert_str_eq(sb_str(&w->every_minutes), "120");
	wizard_free(w);
}

Test(wizard_model, the_sample_proposes_the_delimiter_and_suggests_columns)
{
	struct config cfg;
	config_defaults(&cfg);
	struct wizard *w = wizard_new();
	set(&w->name, "s");
	set(&w->url, SAMPLE);
	give_sample(w, &cfg);
	cr_assert(w->have_preview, "%s", w->preview_error);
	cr_assert_str_eq(sb_str(&w->delimiter), ";", "sniffed");
	cr_assert_eq(w->preview.n_rows, 5);
	cr_assert_str_eq(wizard_auto_column(w, "regular_price"), "Pret", "pret is an alias of price");
	cr_assert_str_eq(wizard_auto_column(w, "sku"), "Cod");
	cr_assert_str_eq(wizard_auto_column(w, "categories"), "Categorie");
	cr_assert_str_eq(wizard_auto_column(w, "brand"), "");
	size_t of, pass = wizard_rows_passing(w, &of);
	cr_assert_eq(pass, 5);
	cr_assert_eq(of, 5);
	cr_assert_eq(w->preview.failed, 1, "B2's price is abc");

	w->nrules = 1;
	set(&w->rules[0].field, "Cantitate");
	w->rules[0].op = 4;
	set(&w->rules[0].value, "0");
	wizard_refresh_preview(w, &cfg);
	cr_assert_eq(wizard_rows_passing(w, &of), 4, "A2 has no stock");

	cr_assert_eq(wizard_parse_categories(w), 3);
	cr_assert_str_eq(w->categories[0].path, "Birou > Caiete");
	cr_assert_str_eq(w->categories[2].path, "Electronice > Telefoane");
	set(&w->categories[1].target, "Pens");
	cr_assert_eq(wizard_parse_categories(w), 3, "parsing again keeps what is there");
	cr_assert_str_eq(sb_str(&w->categories[1].target), "Pens");
	struct strbuf sum = {0};
	wizard_summary(w, &sum);
	cr_assert(strstr(sb_str(&sum), "4 of 5 sample rows pass"), "%s", sb_str(&sum));
	cr_assert(strstr(sb_str(&sum), "regular_price<-Pret"), "%s", sb_str(&sum));
	sb_free(&sum);
	wizard_free(w);
}

/* ---- saving ---- */

static char dir[] = "/tmp/fs-wizard-XXXXXX";
static struct store *s;
static struct config cfg;

static void open_store(void)
{
	cr_assert_not_null(mkdtemp(dir));
	config_defaults(&cfg);
	snprintf(cfg.db_path, sizeof(cfg.db_path), "%s/t.db", dir);
	char err[256];
	s = store_open_path(cfg.db_path, 1000, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
}

static void close_store(void)
{
	store_close(s);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	strcpy(dir, "/tmp/fs-wizard-XXXXXX");
}

static int save(struct wizard *w, int64_t *id, char *err, size_t size)
{
	return wizard_save(w, s, &cfg, id, err, size);
}

Test(wizard_save, refuses_a_taken_name_and_a_taken_route, .init = open_store, .fini = close_store)
{
	char err[1024];
	int64_t id = 0, other = 0;
	struct wizard *w = answered();
	w->dest = WDEST_FILE;
	set(&w->file_path, "/tmp/out.csv");
	cr_assert_eq(save(w, &id, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(id, 1);
	cr_assert_not(wizard_changed(w), "saved");
	wizard_free(w);

	w = answered();
	cr_assert_eq(save(w, &other, err, sizeof(err)), -1);
	cr_assert(strstr(err, "the name 'Acme pens' is already used by connection 1"), "%s", err);
	set(&w->name, "Acme pens 2");
	w->dest = WDEST_FILE;
	set(&w->file_path, "/tmp/out.csv");
	cr_assert_eq(save(w, &other, err, sizeof(err)), -1);
	cr_assert(strstr(err, "connection 1 'Acme pens' already takes"), "%s", err);
	set(&w->file_path, "/tmp/other.csv");
	cr_assert_eq(save(w, &other, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(other, 2);
	wizard_free(w);

	struct conn_row row;
	cr_assert_eq(store_conn_get(s, 1, &row), 1);
	w = wizard_new();
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 1, row.document, NULL, err, sizeof(err)), 0);
	conn_row_free(&row);
	set(&w->name, "Acme renamed");
	cr_assert_eq(save(w, &id, err, sizeof(err)), 0, "an edit keeps its own route: %s", err);
	cr_assert_eq(id, 1);
	cr_assert_eq(store_conn_get(s, 1, &row), 1);
	cr_assert_str_eq(row.name, "Acme renamed");
	conn_row_free(&row);
	wizard_free(w);
}

Test(wizard_save, a_document_with_problems_is_not_saved, .init = open_store, .fini = close_store)
{
	char err[1024];
	int64_t id = 0;
	struct wizard *w = answered();
	set(&w->url, "ftp://example.com/feed.csv");
	cr_assert_eq(save(w, &id, err, sizeof(err)), -1);
	cr_assert(strstr(err, "1 problem to fix first"), "%s", err);
	cr_assert_eq(wizard_step_problems(w, WIZ_SOURCE), 1);
	cr_assert(strstr(w->problems.items[0], "source.url: unsupported scheme 'ftp'"), "%s", w->problems.items[0]);
	struct conn_row *rows;
	size_t n;
	cr_assert_eq(store_conn_list(s, &rows, &n), 0);
	cr_assert_eq(n, 0);
	conn_rows_free(rows, n);
	wizard_free(w);
}

Test(wizard_save, a_new_shop_is_created_with_the_connection, .init = open_store, .fini = close_store)
{
	char err[1024];
	int64_t id = 0;
	struct wizard *w = answered();
	w->dest = WDEST_NEW_SHOP;
	set(&w->shop_name, "Main shop");
	set(&w->shop_url, "not a url");
	wizard_validate(w);
	cr_assert_eq(wizard_step_problems(w, WIZ_DESTINATION), 2, "the address and the credentials");
	set(&w->shop_url, "https://shop.example.com/");
	set(&w->shop_key, "ck_0123456789");
	set(&w->shop_secret, "cs_secret");
	cr_assert_eq(save(w, &id, err, sizeof(err)), 0, "%s", err);
	struct dest_row shop;
	cr_assert_eq(store_dest_find(s, "Main shop", &shop), 1);
	cr_assert_str_eq(shop.base_url, "https://shop.example.com");
	struct conn_row row;
	cr_assert_eq(store_conn_get(s, id, &row), 1);
	cJSON *doc = cJSON_Parse(row.document);
	cr_assert_eq((int64_t)at(doc, "destination", "id")->valuedouble, shop.id);
	cJSON_Delete(doc);
	conn_row_free(&row);
	dest_row_free(&shop);
	wizard_free(w);

	/* The shop's name is taken now: the connection is not saved either. */
	w = answered();
	set(&w->name, "Second");
	w->dest = WDEST_NEW_SHOP;
	set(&w->shop_name, "Main shop");
	set(&w->shop_url, "https://other.example.com");
	set(&w->shop_key, "ck_1");
	set(&w->shop_secret, "cs_1");
	cr_assert_eq(save(w, &id, err, sizeof(err)), -1);
	cr_assert(strstr(err, "the new shop"), "%s", err);
	struct conn_row *rows;
	size_t n;
	cr_assert_eq(store_conn_list(s, &rows, &n), 0);
	cr_assert_eq(n, 1, "rolled back");
	conn_rows_free(rows, n);
	wizard_free(w);
}

/* ---- presets ---- */

static struct wiz_field *field_named(struct wizard *w, const char *dest)
{
	for (size_t i = 0; i < w->nfields; i++)
		if (str_eq(w->fields[i].dest, dest))
			return &w->fields[i];
	cr_assert_fail("no field %s", dest);
	return NULL;
}

static void give_presets(struct wizard *w)
{
	struct preset_set set = {0};
	struct problems load = {0};
	preset_set_add_dir(&set, "data/presets", false, &load);
	cr_assert_eq(load.n, 0);
	wizard_set_presets(w, &set, &load);
}

Test(wizard_model, a_preset_fills_the_mapping_from_the_sample)
{
	struct config cfg;
	config_defaults(&cfg);
	struct wizard *w = wizard_new();
	set(&w->name, "Hotels");
	set(&w->url, "tests/fixtures/presets/hotels.csv");
	struct fetch_result res = {0};
	str_copy(res.path, "tests/fixtures/presets/hotels.csv", sizeof(res.path));
	wizard_set_sample(w, &cfg, &res);
	cr_assert(w->have_preview, "%s", w->preview_error);
	give_presets(w);
	w->dest = WDEST_FILE;
	set(&w->file_path, "/tmp/hotels-out.csv");

	const struct preset *fit[16];
	cr_assert_eq(wizard_fitting_presets(w, fit, 16), 6, "every preset fits a file export");
	w->dest = WDEST_SHOP;
	size_t n = wizard_fitting_presets(w, fit, 16);
	cr_assert_eq(n, 4, "hotel and listing are not for a WooCommerce shop");
	for (size_t i = 0; i < n; i++)
		cr_assert(!str_eq(fit[i]->name, "hotel") && !str_eq(fit[i]->name, "listing"));
	w->dest = WDEST_FILE;

	const struct preset *hotel = preset_find(&w->presets, "hotel");
	cr_assert_eq(wizard_apply_preset(w, hotel), 9, "every column of the sample is a hotel field");
	cr_assert_eq(field_named(w, "sku")->kind, WMAP_AUTO, "the SKU's column is an alias of sku");
	cJSON *doc = wizard_document(w);
	cr_assert_str_eq(cJSON_GetStringValue(at(at(doc, "source", "aliases"), "hotel_id", NULL)), "sku");
	cJSON_Delete(doc);
	cr_assert_str_eq(sb_str(&field_named(w, "name")->column), "Hotel Name");
	cr_assert_str_eq(sb_str(&field_named(w, "url")->column), "Deep-Link");
	cr_assert_str_eq(sb_str(&field_named(w, "stars")->column), "Star Rating");
	cr_assert_str_eq(sb_str(&field_named(w, "regular_price")->column), "search_price");
	cr_assert_eq(field_named(w, "description")->kind, WMAP_AUTO, "auto reads Description already");
	cr_assert_eq(field_named(w, "status")->kind, WMAP_CONSTANT, "no column: the preset's default");
	cr_assert_str_eq(sb_str(&field_named(w, "status")->value), "publish");
	cr_assert_eq(field_named(w, "board")->kind, WMAP_NONE, "listed, for the user to choose");

	doc = wizard_document(w);
	cr_assert_str_eq(cJSON_GetStringValue(at(doc, "preset", NULL)), "hotel@1");
	cJSON_Delete(doc);
	wizard_refresh_preview(w, &cfg);
	cr_assert_str_eq(wizard_auto_column(w, "sku"), "hotel_id");
	wizard_validate(w);
	char *all = problems_join(&w->problems, " ");
	cr_assert_eq(w->problems.n, 0, "%s", all);
	free(all);
	cr_assert_eq(w->preview.failed, 0);
	cr_assert_not(w->preview.run_would_fail);

	w->dest = WDEST_NEW_SHOP;
	set(&w->shop_name, "Main shop");
	wizard_validate(w);
	bool found = false;
	for (size_t i = 0; i < w->problems.n; i++)
		if (strstr(w->problems.items[i], "preset: hotel@1 is for 'wordpress', 'file' destinations, not woocommerce")) {
			found = true;
			cr_assert_eq(wizard_problem_step(w->problems.items[i]), WIZ_MAPPING);
		}
	cr_assert(found, "the destination that does not fit is a problem of the mapping step");

	wizard_apply_preset(w, NULL);
	doc = wizard_document(w);
	cr_assert_null(at(doc, "preset", NULL));
	cJSON_Delete(doc);
	wizard_free(w);
}

Test(wizard_model, a_stored_preset_is_kept)
{
	struct wizard *w = wizard_new();
	char err[128];
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 4, "{\"name\": \"x\", \"preset\": \"deal@1\", \"source\": {\"type\": "
	                         "\"csv\", \"url\": \"f.csv\"}}", NULL, err, sizeof(err)), 0);
	cr_assert_str_eq(w->preset, "deal@1");
	cr_assert_not(wizard_changed(w));
	struct strbuf sum = {0};
	wizard_summary(w, &sum);
	cr_assert(strstr(sb_str(&sum), "Preset:       deal@1"), "%s", sb_str(&sum));
	sb_free(&sum);
	wizard_free(w);
}

Test(wizard_model, a_wordpress_site_is_chosen_apart_from_the_shops)
{
	struct wizard *w = wizard_new();
	char err[256];
	const char *doc = "{\"name\": \"Deals\", \"source\": {\"type\": \"csv\", \"url\": \"/d.csv\"}, "
	                  "\"destination\": {\"type\": \"wordpress\", \"id\": 7}}";
	cr_assert_eq(wizard_load(w, WIZ_EDIT, 4, doc, NULL, err, sizeof(err)), 0, "%s", err);
	struct wiz_shop *rows = xcalloc(3, sizeof(*rows));
	rows[0] = (struct wiz_shop){5, xstrdup("Shop"), xstrdup("https://shop.example.com"), xstrdup("woocommerce")};
	rows[1] = (struct wiz_shop){6, xstrdup("Blog"), xstrdup("https://blog.example.com"), xstrdup("wordpress")};
	rows[2] = (struct wiz_shop){7, xstrdup("Deals"), xstrdup("https://deals.example.com"), xstrdup("wordpress")};
	wizard_set_shops(w, rows, 3);
	cr_assert_eq(w->nshops, 1, "a site is no shop to push products to or read them from");
	cr_assert_eq(w->nsites, 2);
	cr_assert_eq(w->dest, WDEST_SITE);
	cr_assert_eq(w->dest_site, 1);
	cr_assert_not(wizard_changed(w));
	give_presets(w);
	const struct preset *fit[16];
	size_t n = wizard_fitting_presets(w, fit, 16);
	cr_assert_eq(n, 5, "deal, fashion, furniture, hotel and listing fit a WordPress site");
	for (size_t i = 0; i < n; i++)
		cr_assert(!str_eq(fit[i]->name, "product"), "a plain shop product is not for a WordPress site");
	w->dest_site = 0;
	cJSON *out = wizard_document(w);
	cr_assert_str_eq(cJSON_GetStringValue(at(out, "destination", "type")), "wordpress");
	cr_assert_eq((int64_t)at(out, "destination", "id")->valuedouble, 6);
	cJSON_Delete(out);
	wizard_free(w);
}
