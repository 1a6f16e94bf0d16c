/*
 * Mapping presets: what a destination product type (a deal, a hotel, a plain shop product ...) holds, as a
 * versioned JSON document the mapping starts from and is checked against (README.md, "Mapping presets").
 *
 * {
 *   "name": "hotel",                         [a-z0-9_-], 1..32 characters
 *   "version": 2,                            a whole number from 1
 *   "title": "Hotel", "description": "...",
 *   "destinations": ["wordpress", "file"],   the destination types it fits, as their names
 *   "fields": [{
 *     "target": "name",                      a destination field of the mapping (mapping.fields.NAME)
 *     "meaning": "The hotel's name",
 *     "required": true,                      default false
 *     "sources": ["hotel_name", "title"],    column names feeds use for it, best first (for suggestions)
 *     "default": "publish", "example": "Hotel Cismigiu"      both optional
 *   }, ...]
 * }
 * The shipped presets live in data/presets (share/feedsync/presets when installed, see core/data_dir.h);
 * the user's in $XDG_CONFIG_HOME/feedsync/presets (~/.config/feedsync/presets) add to them, and one of the
 * same name and version replaces the shipped one. A file that does not read is a problem naming the file
 * (and, for bad JSON, the line and column), never skipped in silence.
 */
#ifndef FEEDSYNC_FEED_PRESET_H
#define FEEDSYNC_FEED_PRESET_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/problems.h"
#include "feed/normalize.h"

#define PRESET_NAME_MAX 32

struct conn_config;

struct preset_field {
	char *target;
	char *meaning;
	char **sources;            /* NULL-terminated */
	bool required;
	char *fallback;            /* "default", or NULL */
	char *example;             /* or NULL */
};

struct preset {
	char *name;
	int version;
	char *title;
	char *description;
	char **destinations;       /* NULL-terminated */
	struct preset_field *fields;
	size_t nfields;
	char *file;                /* where it was read */
	bool user;                 /* from the user's directory */
	cJSON *doc;                /* the document as read */
};

struct preset_set {
	struct preset **items;     /* by name, then version */
	size_t n;
};

/* One document read from `file` (for messages). NULL with every problem added as "FILE: path: what". */
struct preset *preset_parse(const char *text, const char *file, struct problems *pr);
void preset_free(struct preset *p);

/* Adds every *.json of dir, in name order; user presets replace shipped ones of the same name and version. */
void preset_set_add_dir(struct preset_set *set, const char *dir, bool user, struct problems *pr);
/* The shipped presets, then the user's. Problems say which files did not read. */
void preset_set_load(struct preset_set *set, struct problems *pr);
void preset_set_free(struct preset_set *set);

/* "hotel" or "hotel@2" into name (at least PRESET_NAME_MAX + 1 bytes) and *version (0: the latest). */
bool preset_ref_parse(const char *ref, char *name, size_t size, int *version);
/* The preset ref names (the latest version for a bare name); NULL when there is none. */
const struct preset *preset_find(const struct preset_set *set, const char *ref);
/* Whether destination type (a name: "woocommerce") is one the preset fits. */
bool preset_fits(const struct preset *p, const char *dest_type);
/* "hotel@2", for messages. Returns buf. */
const char *preset_label(const struct preset *p, char *buf, size_t size);

/*
 * Which of a feed's column names holds target field f: the first name that one of its sources (tried in
 * order, then the target's own name) matches, compared as canonical columns (normalize_column: case,
 * diacritics, spaces and dashes folded; aliases applied) with underscores ignored. -1 when none does.
 */
int preset_match(const struct preset_field *f, const struct alias_table *aliases, const char *const *names,
                 size_t n);

/*
 * Checks connection c against p: a destination type it does not fit, fields its mapping names that p does not
 * have, and required fields nothing fills. With the feed's column names (n > 0) a required field read from a
 * column the feed lacks (and without a default) is one too. Problems carry JSON paths ("mapping.fields.x").
 */
void preset_check(const struct preset *p, const struct conn_config *c, const char *const *columns, size_t n,
                  struct problems *pr);
/* The same for the preset c names (none: nothing to check) among set; one that is not there is a problem,
 * with the files that did not read (load, may be NULL). */
void preset_check_named(const struct preset_set *set, const struct problems *load, const struct conn_config *c,
                        const char *const *columns, size_t n, struct problems *pr);
/* preset_check_named over the presets loaded now (preset_set_load). */
void preset_check_conn(const struct conn_config *c, const char *const *columns, size_t n, struct problems *pr);

#endif
