/*
 * A connection document (JSON) parsed and validated into what the engine runs. The format is documented
 * in README.md ("Connection documents"); data/ has one complete example per source type.
 *
 * {
 *   "name": "Acme CSV",                         required, unique, 1..100 characters
 *   "active": true,                             default true
 *   "preset": "hotel@2" | "hotel",              the mapping preset it is checked against (feed/preset.h),
 *                                               a version or the latest one
 *   "source": {
 *     "type": "csv" | "json" | "xml" | "winmentor" | "woocommerce",
 *     "url": "https://..." | "http://..." | "file:///abs/path" | "relative/or/absolute/path",
 *     "delimiter": ";",  "enclosure": "\"",  "encoding": "windows-1250",  "header": true,
 *     "item_path": "products",                  JSON array key / XML item element
 *     "format": "ndjson",                       JSON: one object per line (default: .jsonl/.ndjson or sniffed)
 *     "aliases": {"Cod articol": "sku"},        feed column -> canonical column
 *     "required": ["sku", "price"],             columns that must exist (sku always does)
 *     "decimal_separator": "," | ".",           of prices; default: either (see normalize_price)
 *     "currency": "RON",                        expected with prices; another one is warned about once a run
 *     "auth": {"username": "u", "password_env": "FEED_PASSWORD"} | {"token_env": "FEED_TOKEN"}
 *   },
 *   or, to read the products of a shop added with `feedsync dest add` (no url, encoding, auth or item_path):
 *   "source": {"type": "woocommerce", "destination": {"id": 3} | {"name": "Main shop"},
 *              "status": "any" | "publish" | "draft" | "pending" | "private" | "future" | "trash",   default any
 *              "aliases": ..., "required": ...},
 *   "filters": {"match": "all", "rules": [...]},                see feed/filter.h
 *   "mapping": {...},                                           see feed/mapping.h
 *   "rules": [{"set": "regular_price", "to": "price * 1.19"}, ...],   see feed/rules.h (after mapping, in order)
 *   "update": {
 *     "fields": ["regular_price", "stock_quantity"],            fields pushed on updates; default all
 *     "create_missing": true,                                   create products new to the destination
 *     "missing_action": "none" | "stock_zero" | "draft" | "delete",
 *     "missing_after_days": 3, "missing_after_runs": 0          when a product counts as gone
 *   },
 *   "schedule": "manual" | "every 15m" | "daily 02:00" | "<5-field cron>",   default manual
 *   "destination": {"type": "file", "path": "out/acme.csv", "format": "csv" | "jsonl"}  optional
 *                | {"type": "woocommerce", "id": 3} | {"type": "woocommerce", "name": "Main shop"}
 * }
 * A woocommerce destination refers to a shop added with `feedsync dest add` (credentials live there).
 * WinMentor sources default to delimiter ';', encoding windows-1250 and required sku, price, quantity.
 * A woocommerce source is pulled page by page into a JSON document (dest/woo_pull.h) read like a json source.
 * Secrets are never stored in the document: auth names environment variables.
 */
#ifndef FEEDSYNC_FEED_CONN_H
#define FEEDSYNC_FEED_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/problems.h"
#include "engine/schedule.h"
#include "feed/filter.h"
#include "feed/mapping.h"
#include "feed/normalize.h"
#include "feed/rules.h"
#include "feed/source.h"

/* The member of the document a woocommerce source is pulled into, which the JSON reader then walks. */
#define WOO_PULL_ITEM_PATH "products"

enum missing_action { MISSING_NONE, MISSING_STOCK_ZERO, MISSING_DRAFT, MISSING_DELETE };

struct conn_config {
	char *name;
	bool active;
	char *preset;              /* "hotel@2" or "hotel" as written, or NULL */
	/* source */
	char *source_type;         /* csv json xml winmentor woocommerce */
	char *url;                 /* woocommerce: "destination 3" or "destination 'Main shop'", for listings */
	struct source_opts source; /* pointers into this struct's own strings */
	char **required;           /* canonical column names, NULL-terminated; always holds "sku" */
	char *auth_username;
	char *auth_password_env;
	char *auth_token_env;
	int64_t source_dest_id;    /* woocommerce source: the shop's destination id, or 0 when it is named */
	char *source_dest_name;    /* woocommerce source: the destination's name, or NULL when given by id */
	char *source_status;       /* woocommerce source: the product status read ("any", "publish", ...) */
	char decimal_separator;    /* of prices: '.' or ',', 0 = either */
	char *currency;            /* ISO code prices are expected in, or NULL */
	struct alias_table *aliases;
	struct filter *filter;
	struct mapping *mapping;
	struct rules *rules;       /* NULL: none */
	/* update settings */
	char **update_fields;      /* NULL = all fields; NULL-terminated otherwise */
	bool create_missing;
	enum missing_action missing_action;
	int missing_after_days;
	int missing_after_runs;
	/* schedule */
	char *schedule_text;
	struct schedule schedule;
	/* destination: NULL type = catalog only */
	char *dest_type;           /* "file" or "woocommerce" */
	char *dest_path;           /* file */
	char *dest_format;         /* file: "csv" or "jsonl" */
	int64_t dest_id;           /* woocommerce: the destination's id, or 0 when it is named */
	char *dest_name;           /* woocommerce: the destination's name, or NULL when given by id */
	cJSON *doc;                /* the validated document, normalized (defaults filled in) */
};

/*
 * Parses and validates text. Every problem is added to `problems` with its JSON path; returns NULL when
 * there was any. Paths are kept as written: the CLI makes them absolute before storing.
 */
struct conn_config *conn_parse(const char *text, struct problems *problems);
void conn_free(struct conn_config *c);
/* The normalized document as pretty JSON; caller frees. */
char *conn_to_json(const struct conn_config *c);
/* Whether an update sends the field: it is in update.fields, or, when that lists none, it is not the SKU. */
bool update_sends(char *const *update_fields, const char *field);
/* "none", "stock_zero", "draft", "delete" and back; false for any other name. */
const char *missing_action_name(enum missing_action a);
bool missing_action_parse(const char *name, enum missing_action *out);

#endif
