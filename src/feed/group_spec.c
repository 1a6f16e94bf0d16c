/* The "group" shorthand of a connection (see feed/group_spec.h). */
#include "feed/group_spec.h"

#include <stdio.h>

#include "core/store_groups.h"
#include "core/util.h"
#include "feed/jsoncheck.h"

static const char *const group_keys[] = {"by", "options", NULL};
static const char *const option_keys[] = {"name", "column", NULL};

/* Adds NAME: {"column": column} to fields; false after a problem when the mapping fills NAME already. */
static bool add_field(cJSON *fields, const char *name, const char *column, const char *path, struct problems *pr)
{
	if (cJSON_GetObjectItemCaseSensitive(fields, name)) {
		problems_add(pr, path, "mapping.fields.%s maps it too: keep one of them", name);
		return false;
	}
	cJSON *source = cJSON_AddObjectToObject(fields, name);
	cJSON_AddStringToObject(source, "column", column);
	return true;
}

/* One entry of "options": a column named like its option, or {"name", "column"}. */
static bool add_option(cJSON *fields, const cJSON *opt, const char *path, struct problems *pr)
{
	const char *name = NULL, *column = NULL;
	if (cJSON_IsString(opt)) {
		name = column = opt->valuestring;
	} else if (cJSON_IsObject(opt)) {
		json_check_keys(opt, option_keys, path, pr);
		name = json_required_string(opt, "name", "the option's name in the shop, e.g. \"Size\"", path, pr);
		column = json_required_string(opt, "column", "the feed column holding its values", path, pr);
		if (!name || !column)
			return false;
	} else {
		problems_add(pr, path, "must be a column name or {\"name\", \"column\"}, not %s", json_kind(opt));
		return false;
	}
	if (!*name) {
		problems_add(pr, path, "an option needs a column name (the column whose values tell variants apart)");
		return false;
	}
	char field[256];
	snprintf(field, sizeof(field), GROUP_OPTION_PREFIX "%s", name);
	return add_field(fields, field, column, path, pr);
}

const cJSON *group_spec_mapping(const cJSON *doc, cJSON **owned, struct problems *pr)
{
	*owned = NULL;
	const cJSON *mapping = cJSON_GetObjectItemCaseSensitive(doc, "mapping");
	const cJSON *group = json_member(doc, "group", cJSON_Object, "", pr);
	if (!group)
		return mapping;
	json_check_keys(group, group_keys, "group", pr);
	const char *by = json_required_string(group, "by", "the column naming each row's group, e.g. \"item_group_id\"",
	                                      "group", pr);
	const cJSON *options = json_member(group, "options", cJSON_Array, "group", pr);
	if (!options && !cJSON_GetObjectItemCaseSensitive(group, "options"))
		problems_add(pr, "group.options", "required: the columns whose values tell a group's variants apart, "
		             "e.g. [\"size\", \"colour\"]");
	else if (options && cJSON_GetArraySize(options) == 0)
		problems_add(pr, "group.options", "lists no option: name at least one column whose values tell a group's "
		             "variants apart, e.g. [\"size\"]");
	if (!by || !options || cJSON_GetArraySize(options) == 0 || (mapping && !cJSON_IsObject(mapping)))
		return mapping;
	cJSON *copy = mapping ? cJSON_Duplicate(mapping, true) : cJSON_CreateObject();
	cJSON *fields = cJSON_GetObjectItemCaseSensitive(copy, "fields");
	if (!fields)
		fields = cJSON_AddObjectToObject(copy, "fields");
	bool ok = cJSON_IsObject(fields) && add_field(fields, GROUP_PARENT_FIELD, by, "group.by", pr);
	char path[64];
	for (int i = 0; ok && i < cJSON_GetArraySize(options); i++)
		ok = add_option(fields, cJSON_GetArrayItem(options, i), json_path_at(path, sizeof(path), "group.options",
		                (size_t)i), pr);
	if (!ok) {
		cJSON_Delete(copy);
		return mapping;
	}
	*owned = copy;
	return copy;
}
