/*
 * The connection member `"group": {"by": "COLUMN", "options": ["size", {"name": "Colour", "column": "culoare"}]}`:
 * shorthand for the mapping fields of grouped rows (core/store_groups.h), `parent_sku` from column `by` and
 * `option:NAME` from each option's column (a string names both). Either form works; the shorthand says in one
 * place what makes a group, and one of its fields mapped again in mapping.fields is a problem, not a silent pick.
 */
#ifndef FEEDSYNC_FEED_GROUP_SPEC_H
#define FEEDSYNC_FEED_GROUP_SPEC_H

#include <cjson/cJSON.h>

#include "core/problems.h"

/*
 * The mapping to compile for the connection document doc: doc's own "mapping" (not copied) when doc has no
 * "group", else a copy of it with the group's fields added, which *owned is set to (caller deletes). Problems
 * of "group" are added to pr with their JSON paths; the mapping is then doc's own.
 */
const cJSON *group_spec_mapping(const cJSON *doc, cJSON **owned, struct problems *pr);

#endif
