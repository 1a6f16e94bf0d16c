/* Shared by the wizard's screen (wizard.c) and its steps (wizard_steps.c); not a public interface. */
#ifndef FEEDSYNC_TUI_WIZARD_INTERNAL_H
#define FEEDSYNC_TUI_WIZARD_INTERNAL_H

#include <stdbool.h>

#include "dest/woo.h"
#include "tui/form.h"
#include "tui/task.h"
#include "tui/wizard.h"

/* Item ids: a range per step, and per repeated row (rule i, field i, category i). */
enum {
	ID_NEXT = 1,
	ID_NAME = 100, ID_TYPE, ID_URL, ID_SOURCE_SHOP, ID_SHOP_STATUS, ID_DELIMITER, ID_ENCLOSURE, ID_ENCODING,
	ID_HEADER, ID_ITEM_PATH, ID_AUTH, ID_AUTH_USER, ID_AUTH_PASSWORD, ID_AUTH_TOKEN, ID_FETCH,
	ID_GRID = 200, ID_MATCH, ID_ADD_RULE,
	ID_PRESET = 300, ID_CAT_COLUMN, ID_CAT_DELIMITER, ID_CAT_PARSE, ID_CAT_FETCH, ID_CAT_DEFAULT,
	ID_DEST = 400, ID_FILE_PATH, ID_FILE_FORMAT, ID_DEST_SHOP, ID_DEST_SITE, ID_SHOP_NAME, ID_SHOP_URL, ID_SHOP_KEY,
	ID_SHOP_SECRET, ID_SHOP_TLS, ID_TEST, ID_UPDATE_ALL, ID_CREATE_MISSING, ID_MISSING_ACTION, ID_MISSING_DAYS,
	ID_MISSING_RUNS,
	ID_SCHEDULE = 500, ID_EVERY, ID_DAILY, ID_CRON, ID_ACTIVE,
	ID_SAVE = 600, ID_REVIEW,
	ID_RULE = 1000,          /* + 4 i + 0 field, 1 op, 2 value, 3 remove */
	ID_FIELD = 2000,         /* + 2 i + 0 source, 1 value */
	ID_CATEGORY = 3000,      /* + i */
	ID_UPDATE_FIELD = 4000,  /* + i; + nfields for categories */
};

struct fetch_job;
struct probe_job;

struct wizard_screen {
	struct screen base;
	struct wizard *w;
	enum wiz_step step;
	struct form form;
	int focus[WIZ_STEPS];        /* each step's focus, kept while on another step */

	/* strings and lists the items of this frame point to, freed when the next frame is described */
	void **scratch;
	size_t nscratch, capscratch;

	struct task *fetch;
	struct fetch_job *fetch_job;
	char fetch_note[1024];
	enum role fetch_role;

	struct task *probe;
	struct probe_job *probe_job;
	char test_notes[WOO_CHECK_COUNT][640];
	enum role test_roles[WOO_CHECK_COUNT];
	int ntest_notes;
	char preset_note[256];       /* what choosing a preset filled */
	char category_note[1024];
	enum role category_role;
	char **shop_categories;      /* fetched from the shop, for the category targets */
	size_t nshop_categories;

	char save_note[1024];
	int spin;
	int grid_top, grid_row, grid_col;
	int review_top;
};

/* wizard_steps.c: describes the step's items into ws->form; draws what items do not (the sample grid,
 * the review). */
void wizard_build_step(struct wizard_screen *ws);
void wizard_draw_extras(struct wizard_screen *ws, const struct draw *d, int y, int h);
/* Arrows and pages on an area (the grid, the review): true when taken. */
bool wizard_area_key(struct wizard_screen *ws, int key);
/* A choice reported by the form (FORM_CHOSEN): applies it to the answers. */
void wizard_apply_choice(struct wizard_screen *ws, int id, int index);
/* The short name of each step, for the step bar. */
extern const char *const wizard_step_short[WIZ_STEPS];

/* Per-frame allocations: a copy of text, or a list of n pointers, freed with the frame. */
const char *wizard_scratch_text(struct wizard_screen *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char **wizard_scratch_list(struct wizard_screen *ws, size_t n);

/* wizard.c: what buttons start. */
void wizard_start_fetch(struct wizard_screen *ws);
void wizard_start_test(struct wizard_screen *ws);
void wizard_start_categories(struct wizard_screen *ws);
bool wizard_busy(const struct wizard_screen *ws);
const char *wizard_spinner(const struct wizard_screen *ws);

#endif
