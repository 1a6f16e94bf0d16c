/* Grouped rows checked in a preview (see engine/group_check.h). */
#include "engine/group_check.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "core/store_groups.h"
#include "core/util.h"
#include "feed/mapping.h"

static bool has_value(const cJSON *product, const char *field)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(product, field));
	return v && *v;
}

/* How many previewed rows are in a group, and how many of those have a value for option field `field`. */
static void count_rows(const struct preview *p, const char *field, size_t *grouped, size_t *valued)
{
	*grouped = *valued = 0;
	for (size_t i = 0; i < p->n_rows; i++) {
		const struct preview_row *row = &p->rows[i];
		if (row->verdict != ROW_OK || !row->product_json)
			continue;
		cJSON *product = cJSON_Parse(row->product_json);
		if (has_value(product, GROUP_PARENT_FIELD)) {
			(*grouped)++;
			*valued += has_value(product, field);
		}
		cJSON_Delete(product);
	}
}

void group_check(const struct conn_config *conn, const struct preview *p, struct problems *warnings)
{
	struct mapping_source s;
	for (size_t i = 0; conn->mapping && mapping_source_of(conn->mapping, i, &s); i++) {
		if (!str_starts_with(s.dest, GROUP_OPTION_PREFIX))
			continue;
		size_t grouped, valued;
		count_rows(p, s.dest, &grouped, &valued);
		if (grouped && !valued)
			problems_add(warnings, "group.options", "option '%s' (column %s) has no value in any of the %zu "
			             "grouped rows read: it cannot tell a group's variants apart", s.dest +
			             strlen(GROUP_OPTION_PREFIX), s.column ? s.column : "(a constant)", grouped);
	}
}
