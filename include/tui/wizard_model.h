/*
 * What the connection wizard edits, kept apart from drawing: the answers of each step, the connection
 * document they make (the same JSON `feedsync conn add` takes), its problems sorted by step, the sample
 * of the feed with its preview, and saving. No curses here: unit tests drive it without a terminal.
 *
 * A document loaded for an edit or a clone keeps the members the wizard has no question for (source
 * aliases and required columns, for example): the answers are written over it.
 */
#ifndef FEEDSYNC_TUI_WIZARD_MODEL_H
#define FEEDSYNC_TUI_WIZARD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/config.h"
#include "core/problems.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/preview.h"
#include "feed/fetch.h"
#include "feed/preset.h"
#include "feed/product.h"

enum wiz_step { WIZ_SOURCE, WIZ_PREVIEW, WIZ_MAPPING, WIZ_DESTINATION, WIZ_SCHEDULE, WIZ_REVIEW, WIZ_STEPS };
extern const char *const wiz_step_names[WIZ_STEPS];

enum wiz_mode { WIZ_NEW, WIZ_EDIT, WIZ_CLONE };

/* Labels and document names of the choices, each list NULL-terminated and parallel to its enum. */
enum wiz_source { WSRC_CSV, WSRC_JSON, WSRC_XML, WSRC_WINMENTOR, WSRC_SHOP, WSRC_COUNT };
extern const char *const wiz_source_labels[], *const wiz_source_types[];
enum wiz_auth { WAUTH_NONE, WAUTH_BASIC, WAUTH_TOKEN };
extern const char *const wiz_auth_labels[];
extern const char *const wiz_shop_statuses[];
enum wiz_map { WMAP_AUTO, WMAP_COLUMN, WMAP_CONSTANT, WMAP_NONE };
enum wiz_dest { WDEST_NONE, WDEST_FILE, WDEST_SHOP, WDEST_NEW_SHOP, WDEST_SITE };
extern const char *const wiz_dest_labels[], *const wiz_file_formats[], *const wiz_missing_actions[];
enum wiz_schedule { WSCHED_MANUAL, WSCHED_EVERY, WSCHED_DAILY, WSCHED_CRON };
extern const char *const wiz_schedule_labels[];

#define WIZ_SAMPLE_ROWS 100
#define WIZ_RULES_MAX 16
#define WIZ_CATEGORIES_MAX 200

struct wiz_rule {
	struct strbuf field;        /* a feed column */
	int op;                     /* index in filter_op_names */
	struct strbuf value;
};

/* A destination field and where its value comes from. */
struct wiz_field {
	char *dest;
	bool automatic;             /* one `auto` fills (mapping_auto_field) */
	enum wiz_map kind;          /* WMAP_AUTO only for automatic fields */
	struct strbuf column;       /* WMAP_COLUMN */
	struct strbuf value;        /* the constant (WMAP_CONSTANT) or the default when the column is empty */
	bool update;                /* listed in update.fields (when not every field is updated) */
	int suggestion;             /* the sample column auto reads for it (index in preview.columns), -1 none */
};

struct wiz_category {
	char *path;                 /* as the map's keys are compared (mapping_category_path) */
	struct strbuf target;       /* the destination category; empty = the path itself (or the default) */
};

struct wiz_shop {                /* a destination added with `feedsync dest add` */
	int64_t id;
	char *name;
	char *url;
	char *type;                  /* "wordpress" (a site for WDEST_SITE), anything else or NULL a shop */
};

struct wizard {
	enum wiz_mode mode;
	int64_t conn_id;            /* WIZ_EDIT: the connection replaced */
	cJSON *base;                /* the loaded document (an empty object for a new connection) */
	char *initial;              /* the document as opened, to tell unsaved changes */

	/* 1. source */
	struct strbuf name;
	int source;                 /* enum wiz_source */
	struct strbuf url, delimiter, enclosure, encoding, item_path;
	bool header;
	int auth;                   /* enum wiz_auth */
	struct strbuf auth_user, auth_password_env, auth_token_env;
	int source_shop;            /* WSRC_SHOP: index in shops, -1 none */
	int shop_status;            /* index in wiz_shop_statuses */

	/* 2. filters */
	bool match_any;
	struct wiz_rule rules[WIZ_RULES_MAX];
	size_t nrules;

	/* 3. mapping */
	char *preset;               /* the preset the document names ("hotel@1"), or NULL */
	struct wiz_field fields[PRODUCT_MAX_FIELDS];
	size_t nfields;
	enum wiz_map category_kind; /* where categories come from: WMAP_AUTO, WMAP_COLUMN or WMAP_NONE */
	struct strbuf category_column, category_delimiter, category_default;
	struct wiz_category categories[WIZ_CATEGORIES_MAX];
	size_t ncategories;
	bool category_update;       /* categories listed in update.fields */
	int category_suggestion;    /* the sample column auto reads categories from, -1 none */

	/* 4. destination and updates */
	int dest;                   /* enum wiz_dest */
	struct strbuf file_path;
	int file_format;            /* index in wiz_file_formats */
	int dest_shop;              /* WDEST_SHOP: index in shops, -1 none */
	int dest_site;              /* WDEST_SITE: index in sites, -1 none */
	struct strbuf shop_name, shop_url, shop_key, shop_secret;   /* WDEST_NEW_SHOP */
	bool shop_verify_tls;
	bool update_all;
	bool create_missing;
	int missing_action;         /* index in wiz_missing_actions */
	struct strbuf missing_days, missing_runs;

	/* 5. schedule */
	int schedule;               /* enum wiz_schedule */
	struct strbuf every_minutes, daily_at, cron;
	bool active;

	/* mapping presets to start from, set by wizard_set_presets, and the files of them that did not read */
	struct preset_set presets;
	struct problems preset_problems;

	/* destinations to choose from (store_dest_list), set by wizard_set_shops */
	struct wiz_shop *shops;     /* the WooCommerce shops */
	size_t nshops;
	struct wiz_shop *sites;     /* the WordPress sites */
	size_t nsites;

	/* the sample of the feed and what the pipeline makes of it */
	struct fetch_result sample;
	bool have_sample;
	struct preview preview;
	bool have_preview;
	char preview_error[1024];   /* why there is no preview (no sample yet, a problem of the document) */

	/* the document's problems, each "path: message", by wizard_validate */
	struct problems problems;
};

/* A wizard for a new connection: every answer at its default. */
struct wizard *wizard_new(void);
/*
 * Answers from a stored document: an edit of connection conn_id, or a clone (a copy named copy_name,
 * starting inactive). 0, or -1 with err set when the text is not a JSON object.
 */
int wizard_load(struct wizard *w, enum wiz_mode mode, int64_t conn_id, const char *document, const char *copy_name,
                char *err, size_t errsize);
void wizard_free(struct wizard *w);

/* An answer without the blanks around it. Caller frees. */
char *wizard_trimmed(const struct strbuf *sb);

/* The destinations to choose from, split by type into shops and sites; answers that name one by id or name are
 * matched to its list. Takes rows. */
void wizard_set_shops(struct wizard *w, struct wiz_shop *shops, size_t n);

/* The presets to choose from (preset_set_load's set and problems). Takes both. */
void wizard_set_presets(struct wizard *w, struct preset_set *set, struct problems *load);
/* The presets that fit the destination chosen (every one without a destination): up to max into out; how many. */
size_t wizard_fitting_presets(const struct wizard *w, const struct preset **out, size_t max);
/*
 * Names preset p in the document (NULL: none) and fills the mapping from it: each of its fields is listed,
 * and one not given a column or constant yet reads the sample column preset_match finds for it (when auto
 * would not read that one anyway), or else gets the preset's default as a constant; the SKU's column becomes
 * a source alias of sku instead. How many fields got a sample column. Refresh the preview after it.
 */
size_t wizard_apply_preset(struct wizard *w, const struct preset *p);

/* The connection document the answers make. Caller deletes. */
cJSON *wizard_document(const struct wizard *w);
/* The same as pretty JSON text. Caller frees. */
char *wizard_document_text(const struct wizard *w);
/* True when the answers differ from the document as opened. */
bool wizard_changed(const struct wizard *w);

/* Checks the document (conn_parse) and the answers outside it (a new shop's address): w->problems. */
void wizard_validate(struct wizard *w);
/* The step a problem ("path: message") belongs to, from its JSON path; WIZ_REVIEW when it has none. */
enum wiz_step wizard_problem_step(const char *problem);
/* How many of w->problems belong to step. */
size_t wizard_step_problems(const struct wizard *w, enum wiz_step step);

/*
 * Takes a fetched sample (res is cleared), proposes what the sample shows for answers left empty (the
 * CSV delimiter, an encoding other than UTF-8), and reads the preview. A failed fetch is kept as the error.
 */
void wizard_set_sample(struct wizard *w, const struct config *cfg, struct fetch_result *res);
/*
 * The answers of the steps up to `last` as a connection to read (named "sample"), so that a later step's
 * answers cannot stop a fetch or a preview. NULL with the problems added to pr.
 */
struct conn_config *wizard_partial_conn(const struct wizard *w, enum wiz_step last, struct problems *pr);
/* Reads the sample again with the current answers (filters, mapping, delimiter...): w->preview. */
void wizard_refresh_preview(struct wizard *w, const struct config *cfg);
/* Sample rows the filters let through (ok or failed later), of how many read. */
size_t wizard_rows_passing(const struct wizard *w, size_t *of);

/* The feed column auto would read for field f ("" when the sample has none, or no sample). */
const char *wizard_auto_column(const struct wizard *w, const char *dest);
/* Lists the distinct category paths of the sample (keeping targets already given). How many there are. */
size_t wizard_parse_categories(struct wizard *w);

/* The next n run times of the schedule answers after now (ms); how many (0 for manual), -1 with err. */
int wizard_next_runs(const struct wizard *w, int64_t now, int64_t *out, int n, char *err, size_t errsize);
/* The schedule text the answers make ("every 15m", "daily 02:00", ...). Caller frees. */
char *wizard_schedule_text(const struct wizard *w);

/* A plain summary of every answer, one line each, for the review step. */
void wizard_summary(const struct wizard *w, struct strbuf *out);

/*
 * Saves in one transaction: a new shop first (when asked), then the connection through conn_save (a name
 * or a source and destination already taken is refused). 0 with *conn_id set; -1 with err saying why (and
 * w->problems filled when the document is wrong).
 */
int wizard_save(struct wizard *w, struct store *s, const struct config *cfg, int64_t *conn_id, char *err,
                size_t errsize);

#endif
