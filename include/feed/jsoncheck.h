/*
 * Helpers for validating JSON documents (connections, filters, mappings) into problems with JSON paths,
 * so every validator reports wrong types, unknown keys and typos in the same words.
 */
#ifndef FEEDSYNC_FEED_JSONCHECK_H
#define FEEDSYNC_FEED_JSONCHECK_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct problems;

/* Type masks for json_member: cJSON type bits, plus both booleans as one. */
#define JSON_BOOL (cJSON_True | cJSON_False)
#define JSON_SCALAR (cJSON_String | cJSON_Number)

/* "a string", "a number", "true or false", "null", "an array", "an object". */
const char *json_kind(const cJSON *item);
/* "base.key", or "key" when base is empty or NULL. Returns buf. */
const char *json_path(char *buf, size_t size, const char *base, const char *key);
/* "base[i]". Returns buf. */
const char *json_path_at(char *buf, size_t size, const char *base, size_t i);

/* The word of `allowed` (NULL-terminated) nearest to key, when it is one or two edits away (one for short
 * words), ASCII case ignored; NULL otherwise. For "did you mean" hints. */
const char *closest_word(const char *key, const char *const *allowed);

/*
 * Adds "path: unknown key 'shedule' (did you mean 'schedule'?)" for every key of obj not in allowed
 * (NULL-terminated), and "path: duplicate key 'name'" for repeats: cJSON keeps both and reads the first.
 */
void json_check_keys(const cJSON *obj, const char *const *allowed, const char *path, struct problems *pr);

/*
 * obj's member `key` when its type is in `types` (a mask of cJSON type bits). NULL when absent or JSON
 * null (null reads as absent), and NULL with "path.key: must be a string, not a number" when the type is
 * wrong.
 */
const cJSON *json_member(const cJSON *obj, const char *key, int types, const char *path, struct problems *pr);

/*
 * A member that must be a non-empty string: NULL after "path.key: required (hint)" when absent, null or
 * empty, or after the wrong-type problem.
 */
const char *json_required_string(const cJSON *obj, const char *key, const char *hint, const char *path,
                                 struct problems *pr);

/* The text of a string, or a number written the shortest way that reads back exactly ("12.5", "3"). */
const char *json_scalar_text(const cJSON *item, char *buf, size_t size);

/*
 * Where cJSON stopped reading text (at: its end pointer), as a problem under path: "invalid JSON at line 3,
 * column 7, near '...'", or that the text ends too early (a missing }, ] or quote).
 */
void json_syntax_problem(const char *text, const char *at, const char *path, struct problems *pr);

#endif
