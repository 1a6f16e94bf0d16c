/*
 * feedsync presets list [--json] | presets show NAME[@VERSION] [--json]: the mapping presets (feed/preset.h),
 * shipped and the user's. A preset file that does not read is named on stderr with why; `list` then exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/util.h"
#include "feed/preset.h"

static const char *origin(const struct preset *p)
{
	return p->user ? "user" : "shipped";
}

static char *joined(char *const *v)
{
	struct strbuf sb = {0};
	for (size_t i = 0; v && v[i]; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", v[i]);
	return sb_detach(&sb);
}

static size_t required_count(const struct preset *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nfields; i++)
		n += p->fields[i].required;
	return n;
}

static bool is_latest(const struct preset_set *set, size_t i)
{
	return i + 1 == set->n || !str_eq(set->items[i + 1]->name, set->items[i]->name);
}

static void report_load_problems(const struct problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		fprintf(stderr, "feedsync: preset %s\n", pr->items[i]);
}

static cJSON *strings_json(char *const *v)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}

static cJSON *summary_json(const struct preset_set *set, size_t i)
{
	const struct preset *p = set->items[i];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddNumberToObject(o, "version", p->version);
	cJSON_AddBoolToObject(o, "latest", is_latest(set, i));
	cJSON_AddStringToObject(o, "title", p->title ? p->title : "");
	cJSON_AddItemToObject(o, "destinations", strings_json(p->destinations));
	cJSON_AddNumberToObject(o, "fields", (double)p->nfields);
	cJSON *required = cJSON_AddArrayToObject(o, "required");
	for (size_t k = 0; k < p->nfields; k++)
		if (p->fields[k].required)
			cJSON_AddItemToArray(required, cJSON_CreateString(p->fields[k].target));
	cJSON_AddStringToObject(o, "origin", origin(p));
	cJSON_AddStringToObject(o, "file", p->file);
	return o;
}

static void list_text(const struct preset_set *set)
{
	static const char *const headers[] = {"PRESET", "TITLE", "FIELDS", "REQUIRED", "DESTINATIONS", "FROM"};
	struct text_table t;
	tt_init(&t, ARRAY_LEN(headers), headers, "llrrll");
	for (size_t i = 0; i < set->n; i++) {
		const struct preset *p = set->items[i];
		char label[PRESET_NAME_MAX + 16], fields[16], required[16];
		preset_label(p, label, sizeof(label));
		snprintf(fields, sizeof(fields), "%zu", p->nfields);
		snprintf(required, sizeof(required), "%zu", required_count(p));
		char *dests = joined(p->destinations);
		char *from = xasprintf("%s %s", origin(p), p->file);
		const char *cells[] = {label, p->title ? p->title : "", fields, required, dests, from};
		tt_add(&t, cells);
		free(dests);
		free(from);
	}
	tt_print(&t, stdout);
	tt_free(&t);
}

static void show_text(const struct preset_set *set, const struct preset *p)
{
	char label[PRESET_NAME_MAX + 16];
	char *dests = joined(p->destinations);
	printf("%s  %s\n", preset_label(p, label, sizeof(label)), p->title ? p->title : "");
	if (p->description)
		printf("%s\n", p->description);
	printf("destinations: %s\nfrom: %s %s\nversions:", dests, origin(p), p->file);
	for (size_t i = 0; i < set->n; i++)
		if (str_eq(set->items[i]->name, p->name))
			printf(" %d", set->items[i]->version);
	printf("\n\n");
	free(dests);
	static const char *const headers[] = {"FIELD", "REQUIRED", "DEFAULT", "EXAMPLE", "MEANING"};
	struct text_table t;
	tt_init(&t, ARRAY_LEN(headers), headers, "lllll");
	for (size_t i = 0; i < p->nfields; i++) {
		const struct preset_field *f = &p->fields[i];
		const char *cells[] = {f->target, f->required ? "yes" : "", f->fallback ? f->fallback : "",
		                       f->example ? f->example : "", f->meaning ? f->meaning : ""};
		tt_add(&t, cells);
	}
	tt_print(&t, stdout);
	tt_free(&t);
	printf("\nfeed columns each field is suggested from:\n");
	for (size_t i = 0; i < p->nfields; i++) {
		char *sources = joined(p->fields[i].sources);
		printf("  %s: %s\n", p->fields[i].target, *sources ? sources : "(its own name)");
		free(sources);
	}
}

static cJSON *show_json(const struct preset_set *set, const struct preset *p)
{
	cJSON *o = cJSON_Duplicate(p->doc, true);
	cJSON_AddStringToObject(o, "origin", origin(p));
	cJSON_AddStringToObject(o, "file", p->file);
	cJSON *versions = cJSON_AddArrayToObject(o, "versions");
	for (size_t i = 0; i < set->n; i++)
		if (str_eq(set->items[i]->name, p->name))
			cJSON_AddItemToArray(versions, cJSON_CreateNumber(set->items[i]->version));
	return o;
}

static int list(const struct preset_set *set, const struct problems *load, bool json)
{
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < set->n; i++)
			cJSON_AddItemToArray(arr, summary_json(set, i));
		json_print(arr, stdout);
	} else if (set->n) {
		list_text(set);
	} else {
		printf("no presets\n");
	}
	return load->n ? EXIT_FAILED : EXIT_OK;
}

static int show(const struct preset_set *set, const char *ref, bool json)
{
	const struct preset *p = preset_find(set, ref);
	if (!p) {
		char name[PRESET_NAME_MAX + 1];
		int version;
		if (!preset_ref_parse(ref, name, sizeof(name), &version))
			return cli_usage("presets show: '%s' is not a preset like hotel or hotel@2", ref);
		return cli_fail(EXIT_NOT_FOUND, "no preset '%s' (see 'feedsync presets list')", ref);
	}
	if (json)
		json_print(show_json(set, p), stdout);
	else
		show_text(set, p);
	return EXIT_OK;
}

int cmd_presets(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	bool json = false;
	const char *sub = argc > 0 && argv[0][0] != '-' ? argv[0] : "list";
	int skip = argc > 0 && argv[0][0] != '-';
	const char *ref;
	struct cli_flag flags[] = {{"--json", &json}, {NULL, NULL}};
	if (!str_eq(sub, "list") && !str_eq(sub, "show"))
		return cli_usage("presets: unknown command '%s' (usage: feedsync presets list | show NAME[@VERSION] "
		                 "[--json])", sub);
	int rc = cli_parse_flags(argc - skip, argv + skip, str_eq(sub, "list") ? "presets list" : "presets show",
	                         flags, &ref);
	if (rc != EXIT_OK)
		return rc;
	if (str_eq(sub, "list") && ref)
		return cli_usage("presets list: unexpected argument '%s'", ref);
	if (str_eq(sub, "show") && !ref)
		return cli_usage("presets show: which preset? (usage: feedsync presets show NAME[@VERSION] [--json])");
	struct preset_set set = {0};
	struct problems load = {0};
	preset_set_load(&set, &load);
	report_load_problems(&load);
	rc = str_eq(sub, "list") ? list(&set, &load, json) : show(&set, ref, json);
	problems_free(&load);
	preset_set_free(&set);
	return rc;
}
