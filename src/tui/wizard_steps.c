/* The wizard's six steps: their fields, helps and what they draw besides fields (see wizard_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "feed/filter.h"
#include "feed/product.h"
#include "feed/source.h"
#include "wizard_internal.h"

/* Laid out for 80 columns: labels from column 2, values from column 18. */
#define LX 2
#define LW 16
#define VW 58
#define GRID_ROWS 8            /* the column titles and 7 rows */
#define GRID_CELL_MAX 14

const char *const wizard_step_short[WIZ_STEPS] = {"Source", "Preview", "Mapping", "Destination", "Schedule",
                                                  "Review"};

static const char *const delimiters[] = {",", ";", "\\t", "|", NULL};
static const char *const enclosures[] = {"\"", "'", NULL};
static const char *const encodings[] = {"utf-8", "windows-1250", "iso-8859-2", "windows-1252", "iso-8859-1", NULL};
static const char *const path_delimiters[] = {" > ", "/", "|", ">", ",", NULL};
static const char *const match_labels[] = {"all of the rules", "any of the rules", NULL};
static const char *const missing_labels[] = {"leave them", "set their stock to 0", "make them drafts",
                                             "delete them", NULL};

static int count(const char *const *list)
{
	int n = 0;
	while (list[n])
		n++;
	return n;
}

/* ---- item helpers ------------------------------------------------------------------------------------ */

static struct form_item *add(struct wizard_screen *ws, struct form_item it)
{
	return form_add(&ws->form, &it);
}

static struct form_item *text(struct wizard_screen *ws, int id, int row, const char *label, struct strbuf *sb,
                              const char *help)
{
	return add(ws, (struct form_item){.kind = FORM_TEXT, .id = id, .row = row, .x = LX, .label_width = LW,
	                                  .width = VW, .label = label, .help = help, .text = sb});
}

static struct form_item *choice(struct wizard_screen *ws, int id, int row, const char *label,
                                const char *const *options, int *value, const char *help)
{
	return add(ws, (struct form_item){.kind = FORM_CHOICE, .id = id, .row = row, .x = LX, .label_width = LW,
	                                  .width = 34, .label = label, .help = help, .options = options,
	                                  .noptions = count(options), .value = value});
}

static struct form_item *check(struct wizard_screen *ws, int id, int row, int x, const char *label, bool *value,
                               const char *help)
{
	return add(ws, (struct form_item){.kind = FORM_CHECK, .id = id, .row = row, .x = x, .width = 76 - x,
	                                  .label = label, .help = help, .check = value});
}

static struct form_item *button(struct wizard_screen *ws, int id, int row, int x, const char *label,
                                const char *help)
{
	return add(ws, (struct form_item){.kind = FORM_BUTTON, .id = id, .row = row, .x = x,
	                                  .width = (int)strlen(label) + 4, .label = label, .help = help});
}

static void note(struct wizard_screen *ws, int row, int x, const char *label, enum role role)
{
	add(ws, (struct form_item){.kind = FORM_NOTE, .row = row, .x = x, .width = 78 - x, .label = label,
	                           .role = role});
}

static void next_button(struct wizard_screen *ws, int row)
{
	if (ws->step + 1 < WIZ_STEPS)
		button(ws, ID_NEXT, row, LX, wizard_scratch_text(ws, "Next: %s", wiz_step_names[ws->step + 1]),
		       "The next step (C-n from any field); Esc goes back, keeping what you typed");
}

/* The sample's columns, for choosing a field; NULL when there is no sample. */
static const char *const *columns(const struct wizard *w, int *n)
{
	*n = w->have_preview ? (int)w->preview.n_columns : 0;
	return w->have_preview ? (const char *const *)w->preview.columns : NULL;
}

/* ---- 1. source --------------------------------------------------------------------------------------- */

static const char **shop_names(struct wizard_screen *ws, const struct wiz_shop *list, size_t n)
{
	const char **names = wizard_scratch_list(ws, n);
	for (size_t i = 0; i < n; i++)
		names[i] = wizard_scratch_text(ws, "%s (%s)", list[i].name, list[i].url);
	return names;
}

static int build_shop_source(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	if (!w->nshops)
		note(ws, row++, LX, "no shops yet: add one with 'feedsync dest add', or create one on step 4", ROLE_WARN);
	else
		choice(ws, ID_SOURCE_SHOP, row++, "Shop", shop_names(ws, w->shops, w->nshops), &w->source_shop,
		       "The shop whose products are read (a destination added with 'feedsync dest add')");
	choice(ws, ID_SHOP_STATUS, row++, "Product status", wiz_shop_statuses, &w->shop_status,
	       "Which of the shop's products are read, by their status");
	return row;
}

static int build_csv_options(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	const char *sniffed = w->have_preview && w->preview.delimiter ?
		wizard_scratch_text(ws, " (the sample's: '%s')", w->preview.delimiter == '\t' ? "\\t" :
		                    wizard_scratch_text(ws, "%c", w->preview.delimiter)) : "";
	struct form_item *it = text(ws, ID_DELIMITER, row, "Delimiter", &w->delimiter,
	                            wizard_scratch_text(ws, "The CSV field separator; empty: sniffed%s. Enter lists "
	                                                ", ; \\t |", sniffed));
	it->width = 10;
	it->options = delimiters;
	it->noptions = count(delimiters);
	it = text(ws, ID_ENCLOSURE, row++, "Enclosure", &w->enclosure, "The CSV quote character; empty means \"");
	it->x = 34;
	it->label_width = 11;
	it->width = 8;
	it->options = enclosures;
	it->noptions = count(enclosures);
	it = text(ws, ID_ENCODING, row, "Encoding", &w->encoding,
	          "The feed's character set; empty: UTF-8 (not UTF-8: windows-1250 is proposed)");
	it->width = 16;
	it->options = encodings;
	it->noptions = count(encodings);
	check(ws, ID_HEADER, row++, 38, "The first line names the columns", &w->header,
	      "Space toggles; off: the columns are named col1, col2, ...");
	return row;
}

static int build_feed_source(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	text(ws, ID_URL, row++, "URL or path", &w->url,
	     "http(s):// address, file:// URL or path of the feed (relative: stored absolute)");
	if (w->source == WSRC_CSV || w->source == WSRC_WINMENTOR) {
		row = build_csv_options(ws, row);
	} else {
		text(ws, ID_ITEM_PATH, row++, "Item path", &w->item_path,
		     "JSON: key of the item array; XML: the repeated element; empty: found by itself");
		struct form_item *it = text(ws, ID_ENCODING, row++, "Encoding", &w->encoding,
		                            "The feed's character set; empty means UTF-8 (or what the XML declares)");
		it->width = 16;
		it->options = encodings;
		it->noptions = count(encodings);
	}
	choice(ws, ID_AUTH, row++, "Authentication", wiz_auth_labels, &w->auth,
	       "How the feed's server wants a login; secrets stay in environment variables");
	if (w->auth == WAUTH_BASIC) {
		text(ws, ID_AUTH_USER, row++, "User name", &w->auth_user, "The user name for HTTP Basic authentication");
		text(ws, ID_AUTH_PASSWORD, row++, "Password var", &w->auth_password_env,
		     "The environment variable holding the password (never stored itself)");
	} else if (w->auth == WAUTH_TOKEN) {
		text(ws, ID_AUTH_TOKEN, row++, "Token var", &w->auth_token_env,
		     "The environment variable holding the bearer token (never stored itself)");
	}
	return row;
}

/* What the sample's first bytes say it is, and which Type to choose when that is not the one chosen. */
static void sniff_note(struct wizard_screen *ws, int row)
{
	const struct preview *p = &ws->w->preview;
	const struct feed_sniff *sn = &p->sniff;
	const char *delimiter = !sn->delimiter ? "" : sn->delimiter == '\t' ? ", delimiter \\t" :
	                        wizard_scratch_text(ws, ", delimiter '%c'", sn->delimiter);
	if (source_find(sn->format) == source_find(p->format)) {
		note(ws, row, 20, wizard_scratch_text(ws, "sniffed: %s%s, %s%s%s", sn->format, delimiter, sn->encoding,
		                                      sn->bom ? " with a BOM" : "", sn->encoding_guessed ? " (not UTF-8)" : ""),
		     ROLE_DIM);
		return;
	}
	const char *type = str_eq(sn->format, "ndjson") ? "json" : sn->format;
	int i = 0;
	while (wiz_source_types[i] && !str_eq(wiz_source_types[i], type))
		i++;
	note(ws, row, 20, wizard_scratch_text(ws, "sniffed: %s; choose Type '%s'", sn->format,
	                                      wiz_source_types[i] ? wiz_source_labels[i] : sn->format), ROLE_WARN);
}

static void build_source(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	text(ws, ID_NAME, 0, "Name", &w->name, "The connection's name: unique, 1 to 100 characters");
	choice(ws, ID_TYPE, 1, "Type", wiz_source_labels, &w->source,
	       "What the feed is: Enter lists the types, Left/Right steps through them");
	int row = w->source == WSRC_SHOP ? build_shop_source(ws, 2) : build_feed_source(ws, 2);
	row++;
	button(ws, ID_FETCH, row, LX, "Fetch sample",
	       "Downloads the feed in the background (Esc stops it); step 2 shows 100 rows");
	const char *status = ws->fetch ? wizard_scratch_text(ws, "%s %s", wizard_spinner(ws), ws->fetch_note) :
	                     ws->fetch_note;
	note(ws, row++, 20, status, ws->fetch_role);
	if (w->have_preview && w->preview.n_columns) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < w->preview.n_columns; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "columns: ", w->preview.columns[i]);
		note(ws, row++, 20, wizard_scratch_text(ws, "%s", sb_str(&sb)), ROLE_DIM);
		sb_free(&sb);
	}
	if (w->have_preview && w->preview.sniff.format)
		sniff_note(ws, row++);
	next_button(ws, row + 1);
}

/* ---- 2. preview and filters -------------------------------------------------------------------------- */

static const char *row_detail(struct wizard_screen *ws)
{
	const struct preview *p = &ws->w->preview;
	if (!p->n_rows)
		return p->error[0] ? p->error : "the sample has no rows";
	const struct preview_row *r = &p->rows[ws->grid_row];
	const char *what = r->verdict == ROW_OK ? wizard_scratch_text(ws, "imported as %s", r->product_json) :
	                   r->verdict == ROW_SKIPPED ? "skipped by the filters" :
	                   wizard_scratch_text(ws, "would fail: %s", r->error_message);
	char where[RECORD_PLACE_SIZE];
	return wizard_scratch_text(ws, "%s (row %d of %zu): %s", preview_row_location(r, where), ws->grid_row + 1,
	                           p->n_rows, what);
}

static int build_sample(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	int row = 0;
	if (ws->fetch) {
		note(ws, row++, LX, wizard_scratch_text(ws, "%s the sample is on its way...", wizard_spinner(ws)),
		     ROLE_RUNNING);
		return row;
	}
	if (!w->have_preview) {
		note(ws, row++, LX, w->preview_error, ROLE_WARN);
		note(ws, row++, LX, "Esc goes back to step 1 to fetch one", ROLE_DIM);
		return row;
	}
	if (ws->grid_row >= (int)w->preview.n_rows)   /* a new sample can be shorter */
		ws->grid_row = ws->grid_top = 0;
	add(ws, (struct form_item){.kind = FORM_AREA, .id = ID_GRID, .row = 0, .height = GRID_ROWS, .x = LX,
	                           .help = "The sample as the pipeline sees it: Up/Down rows, Left/Right columns"});
	row = GRID_ROWS;
	note(ws, row++, LX, row_detail(ws), ROLE_NORMAL);
	for (size_t i = 0; i < w->preview.warnings.n; i++)
		note(ws, row++, LX, wizard_scratch_text(ws, "warning: %s", w->preview.warnings.items[i]), ROLE_WARN);
	if (w->preview.error[0] && w->preview.n_rows)
		note(ws, row++, LX, wizard_scratch_text(ws, "the sample stops early: %s", w->preview.error), ROLE_WARN);
	return row;
}

static void build_rule(struct wizard_screen *ws, size_t i, int row)
{
	struct wizard *w = ws->w;
	struct wiz_rule *r = &w->rules[i];
	int id = ID_RULE + 4 * (int)i, ncols;
	const char *const *cols = columns(w, &ncols);
	add(ws, (struct form_item){.kind = FORM_TEXT, .id = id, .row = row, .x = LX, .width = 24, .text = &r->field,
	                           .options = cols, .noptions = ncols,
	                           .help = "The column the rule reads: Enter lists the sample's columns"});
	add(ws, (struct form_item){.kind = FORM_CHOICE, .id = id + 1, .row = row, .x = 27, .width = 16,
	                           .options = filter_op_names, .noptions = count(filter_op_names), .value = &r->op,
	                           .help = "eq ne equal; contains ignores case; gt gte lt lte: numbers; in: a comma list"});
	const char *op = filter_op_names[r->op];
	if (!str_eq(op, "empty") && !str_eq(op, "not_empty"))
		add(ws, (struct form_item){.kind = FORM_TEXT, .id = id + 2, .row = row, .x = 44, .width = 26,
		                           .text = &r->value, .help = "The value compared with (for in: A, B, C)"});
	add(ws, (struct form_item){.kind = FORM_BUTTON, .id = id + 3, .row = row, .x = 71, .width = 5, .label = "x",
	                           .help = "Removes this rule"});
}

static void build_preview(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	int row = build_sample(ws) + 1;
	size_t of, pass = wizard_rows_passing(w, &of);
	if (w->have_preview)
		note(ws, row++, LX, wizard_scratch_text(ws, "The filters let %zu of %zu sample rows through (%zu skipped, "
		                                        "%zu fail later)", pass, of, of - pass, w->preview.failed), ROLE_OK);
	add(ws, (struct form_item){.kind = FORM_CHOICE, .id = ID_MATCH, .row = row++, .x = LX, .label_width = LW,
	                           .width = 22, .label = "Rows must match", .options = match_labels, .noptions = 2,
	                           .current = w->match_any,
	                           .help = "A row is imported when it matches all the rules, or any of them"});
	if (w->nrules)
		note(ws, row++, LX, "FIELD                     OPERATOR          VALUE", ROLE_DIM);
	for (size_t i = 0; i < w->nrules; i++)
		build_rule(ws, i, row++);
	button(ws, ID_ADD_RULE, row, LX, "Add a rule", "A new filter rule: field, operator, value");
	next_button(ws, row + 1);
}

/* ---- 3. mapping -------------------------------------------------------------------------------------- */

/*
 * Where a field's value comes from, as a list: [auto: COLUMN], (none), [(constant)], the sample's columns,
 * and the answer's column when the sample lacks it. *current is the answer's place in it.
 */
static const char **source_options(struct wizard_screen *ws, const char *dest, bool automatic, bool constant,
                                   enum wiz_map kind, const struct strbuf *column, int *n, int *current)
{
	int ncols;
	const char *const *cols = columns(ws->w, &ncols);
	const char **opts = wizard_scratch_list(ws, (size_t)ncols + 4);
	int k = 0;
	if (automatic) {
		const char *col = wizard_auto_column(ws->w, dest);
		opts[k++] = *col ? wizard_scratch_text(ws, "auto: %s", col) :
		            ws->w->have_preview ? "auto (not in the sample)" : "auto (the column of its name)";
	}
	int none = k;
	opts[k++] = "(none)";
	if (constant)
		opts[k++] = "(constant)";
	*current = kind == WMAP_AUTO ? 0 : kind == WMAP_NONE ? none : kind == WMAP_CONSTANT ? none + 1 : -1;
	for (int i = 0; i < ncols; i++) {
		if (kind == WMAP_COLUMN && str_eq(cols[i], sb_str(column)))
			*current = k;
		opts[k++] = cols[i];
	}
	if (*current < 0) {
		*current = k;
		opts[k++] = wizard_scratch_text(ws, "%s", sb_str(column));
	}
	*n = k;
	return opts;
}

/* What place `index` of such a list means: a kind (and for a column its name), or -1 for the answer's own
 * column that the sample lacks (nothing changes). */
static int source_chosen(const struct wizard *w, bool automatic, bool constant, int index, const char **column)
{
	int none = automatic ? 1 : 0, first_column = none + 1 + constant;
	int ncols = w->have_preview ? (int)w->preview.n_columns : 0;
	*column = NULL;
	if (automatic && index == 0)
		return WMAP_AUTO;
	if (index == none)
		return WMAP_NONE;
	if (constant && index == none + 1)
		return WMAP_CONSTANT;
	if (index - first_column >= ncols)
		return -1;
	*column = w->preview.columns[index - first_column];
	return WMAP_COLUMN;
}

static int build_fields(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	note(ws, row++, LX, "FIELD             SOURCE                           DEFAULT OR VALUE", ROLE_DIM);
	for (size_t i = 0; i < w->nfields; i++) {
		struct wiz_field *f = &w->fields[i];
		int n, current, id = ID_FIELD + 2 * (int)i;
		const char **opts = source_options(ws, f->dest, f->automatic, true, f->kind, &f->column, &n, &current);
		add(ws, (struct form_item){.kind = FORM_CHOICE, .id = id, .row = row, .x = LX, .label_width = 18,
		                           .width = 32, .label = f->dest, .options = opts, .noptions = n,
		                           .current = current,
		                           .help = wizard_scratch_text(ws, "Where %s comes from: auto (by name), a column, a "
		                                                       "constant or none", f->dest)});
		if (f->kind == WMAP_COLUMN || f->kind == WMAP_CONSTANT) {
			bool constant = f->kind == WMAP_CONSTANT;
			add(ws, (struct form_item){.kind = FORM_TEXT, .id = id + 1, .row = row, .x = 53, .label_width = 3,
			                           .width = 22, .label = constant ? "=" : "or", .text = &f->value,
			                           .help = constant ? "The value every product gets" :
			                                   "A default for rows whose column is empty (optional)"});
		}
		row++;
	}
	return row;
}

static void category_column(struct wizard_screen *ws, int row)
{
	const struct wizard *w = ws->w;
	int n, current;
	const char **opts = source_options(ws, PF_CATEGORIES, true, false, w->category_kind, &w->category_column, &n,
	                                   &current);
	add(ws, (struct form_item){.kind = FORM_CHOICE, .id = ID_CAT_COLUMN, .row = row, .x = LX, .label_width = LW,
	                           .width = 32, .label = "Category column", .options = opts, .noptions = n,
	                           .current = current,
	                           .help = "The feed column that holds each product's category path"});
}

static int build_categories(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	note(ws, row++, LX, "Categories", ROLE_NORMAL);
	category_column(ws, row++);
	struct form_item *it = text(ws, ID_CAT_DELIMITER, row++, "Path delimiter", &w->category_delimiter,
	                            "What separates the levels of a path (\"Office > Pens\"); Enter lists some");
	it->width = 10;
	it->options = path_delimiters;
	it->noptions = count(path_delimiters);
	button(ws, ID_CAT_PARSE, row, LX, "Parse sample", "Lists the distinct category paths of the sample below");
	button(ws, ID_CAT_FETCH, row++, 22, "Fetch shop categories",
	       "Asks the WooCommerce shop of step 4 for its categories, to pick targets from");
	const char *status = ws->probe && ws->category_role == ROLE_RUNNING ?
		wizard_scratch_text(ws, "%s %s", wizard_spinner(ws), ws->category_note) : ws->category_note;
	if (*status)
		note(ws, row++, LX, status, ws->category_role);
	for (size_t i = 0; i < w->ncategories; i++) {
		struct wiz_category *c = &w->categories[i];
		add(ws, (struct form_item){.kind = FORM_TEXT, .id = ID_CATEGORY + (int)i, .row = row++, .x = LX,
		                           .label_width = 36, .width = 38, .label = c->path, .text = &c->target,
		                           .options = (const char *const *)ws->shop_categories,
		                           .noptions = (int)ws->nshop_categories,
		                           .help = wizard_scratch_text(ws, "The destination category for '%s' (empty: the "
		                                                       "path itself)%s", c->path, ws->nshop_categories ?
		                                                       "; Enter lists the shop's" : "")});
	}
	text(ws, ID_CAT_DEFAULT, row++, "Other paths", &w->category_default,
	     "The category of paths not listed above (empty: each keeps its own path)");
	return row;
}

#define PRESETS_SHOWN 64

/* The presets that fit the destination: "(none)", each as "hotel@1  Hotel", and the document's own when it
 * is not among them. *current is the document's place in the list. */
static const char **preset_options(struct wizard_screen *ws, int *n, int *current)
{
	const struct wizard *w = ws->w;
	const struct preset *fit[PRESETS_SHOWN];
	size_t nfit = wizard_fitting_presets(w, fit, PRESETS_SHOWN);
	const char **opts = wizard_scratch_list(ws, nfit + 2);
	char label[PRESET_NAME_MAX + 16];
	int k = 0;
	*current = w->preset ? -1 : 0;
	opts[k++] = "(none)";
	for (size_t i = 0; i < nfit; i++) {
		preset_label(fit[i], label, sizeof(label));
		if (str_eq(label, w->preset))
			*current = k;
		opts[k++] = wizard_scratch_text(ws, "%s  %s", label, fit[i]->title ? fit[i]->title : "");
	}
	if (*current < 0) {
		*current = k;
		opts[k++] = wizard_scratch_text(ws, "%s (%s)", w->preset, preset_find(&w->presets, w->preset) ?
		                                "not for this destination" : "not found");
	}
	*n = k;
	return opts;
}

/* The first preset file that did not read, by its name alone ("mine.json: invalid JSON at line 2, ..."), so
 * the reason fits 80 columns; the status line of the choice names the directory. */
static const char *preset_problem_note(struct wizard_screen *ws)
{
	const struct problems *pr = &ws->w->preset_problems;
	const char *text = pr->items[0], *sep = strstr(text, ": ");
	const char *name = text;
	for (const char *p = text; sep && p < sep; p++)
		if (*p == '/')
			name = p + 1;
	const char *more = pr->n > 1 ? wizard_scratch_text(ws, " (and %zu more)", pr->n - 1) : "";
	return wizard_scratch_text(ws, "preset file %s%s", name, more);
}

static int build_preset(struct wizard_screen *ws, int row)
{
	const struct wizard *w = ws->w;
	int n, current;
	const char **opts = preset_options(ws, &n, &current);
	add(ws, (struct form_item){.kind = FORM_CHOICE, .id = ID_PRESET, .row = row++, .x = LX, .label_width = LW,
	                           .width = 34, .label = "Preset", .options = opts, .noptions = n, .current = current,
	                           .help = "The product type's fields (feedsync presets list): choosing one fills them "
	                                   "from the sample's columns and checks the mapping against it; your own "
	                                   "are in $XDG_CONFIG_HOME/feedsync/presets"});
	if (ws->preset_note[0])
		note(ws, row++, LX, ws->preset_note, ROLE_DIM);
	else if (w->preset_problems.n)
		note(ws, row++, LX, preset_problem_note(ws), ROLE_WARN);
	return row;
}

static void apply_preset_choice(struct wizard_screen *ws, int index)
{
	struct wizard *w = ws->w;
	const struct preset *fit[PRESETS_SHOWN];
	size_t nfit = wizard_fitting_presets(w, fit, PRESETS_SHOWN);
	if (index < 0 || (size_t)index > nfit)
		return;   /* the document's own preset, kept */
	const struct preset *p = index ? fit[index - 1] : NULL;
	size_t matched = wizard_apply_preset(w, p);
	char label[PRESET_NAME_MAX + 16];
	if (!p)
		ws->preset_note[0] = '\0';
	else
		snprintf(ws->preset_note, sizeof(ws->preset_note), "%s: %zu of its %zu fields found in the sample%s",
		         preset_label(p, label, sizeof(label)), matched, p->nfields,
		         w->have_preview ? "" : " (no sample yet: fetch one on step 1)");
}

static void build_mapping(struct wizard_screen *ws)
{
	int row = build_fields(ws, build_preset(ws, 0)) + 1;
	if (ws->w->category_kind == WMAP_NONE)
		category_column(ws, row++);
	else
		row = build_categories(ws, row);
	next_button(ws, row + 1);
}

static void apply_field_choice(struct wizard *w, size_t i, int index)
{
	struct wiz_field *f = &w->fields[i];
	const char *column;
	int kind = source_chosen(w, f->automatic, true, index, &column);
	if (kind < 0)
		return;
	if ((kind == WMAP_CONSTANT) != (f->kind == WMAP_CONSTANT))
		sb_reset(&f->value);   /* a constant is no default, nor the other way round */
	f->kind = (enum wiz_map)kind;
	if (column) {
		sb_reset(&f->column);
		sb_adds(&f->column, column);
	}
}

static void apply_category_choice(struct wizard *w, int index)
{
	const char *column;
	int kind = source_chosen(w, true, false, index, &column);
	if (kind < 0)
		return;
	w->category_kind = (enum wiz_map)kind;
	if (column) {
		sb_reset(&w->category_column);
		sb_adds(&w->category_column, column);
	}
}

void wizard_apply_choice(struct wizard_screen *ws, int id, int index)
{
	struct wizard *w = ws->w;
	if (id == ID_MATCH)
		w->match_any = index == 1;
	else if (id == ID_PRESET)
		apply_preset_choice(ws, index);
	else if (id == ID_CAT_COLUMN)
		apply_category_choice(w, index);
	else if (id >= ID_FIELD && id < ID_CATEGORY && (id - ID_FIELD) % 2 == 0 && (size_t)(id - ID_FIELD) / 2 < w->nfields)
		apply_field_choice(w, (size_t)(id - ID_FIELD) / 2, index);
}

/* ---- 4. destination and updates ---------------------------------------------------------------------- */

static int build_test(struct wizard_screen *ws, int row)
{
	button(ws, ID_TEST, row, LX, "Test connection",
	       "Checks reachability, TLS, authentication and permissions, in the background");
	if (ws->ntest_notes == 1) {   /* under way, or why it could not start */
		bool running = ws->probe && ws->test_roles[0] == ROLE_RUNNING;
		note(ws, row, 22, running ? wizard_scratch_text(ws, "%s %s", wizard_spinner(ws), ws->test_notes[0]) :
		     ws->test_notes[0], ws->test_roles[0]);
		return row + 1;
	}
	for (int i = 0; i < ws->ntest_notes; i++)
		note(ws, row + 1 + i, LX + 2, ws->test_notes[i], ws->test_roles[i]);
	return row + 1 + ws->ntest_notes;
}

static int build_shop(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	if (w->dest == WDEST_SHOP) {
		if (!w->nshops)
			note(ws, row++, LX, "no shops yet: choose 'new WooCommerce shop' above", ROLE_WARN);
		else
			choice(ws, ID_DEST_SHOP, row++, "Shop", shop_names(ws, w->shops, w->nshops), &w->dest_shop,
			       "The shop products are pushed to (a destination added before)");
		return build_test(ws, row);
	}
	text(ws, ID_SHOP_NAME, row++, "Shop name", &w->shop_name, "A name for the new shop, unique among destinations");
	text(ws, ID_SHOP_URL, row++, "Shop URL", &w->shop_url, "The shop's address, like https://shop.example.com");
	text(ws, ID_SHOP_KEY, row++, "Consumer key", &w->shop_key,
	     "The consumer key (ck_...), from WooCommerce > Settings > Advanced > REST API");
	text(ws, ID_SHOP_SECRET, row++, "Consumer secret", &w->shop_secret,
	     "The consumer secret (cs_...): stored encrypted, never shown")->secret = true;
	check(ws, ID_SHOP_TLS, row++, LX, "Verify the shop's TLS certificate", &w->shop_verify_tls,
	      "Space toggles; off only for a staging shop with a self-signed certificate");
	return build_test(ws, row);
}

/* A WordPress site is added with its post type and Application Password by 'feedsync dest add': the wizard only
 * chooses one, and 'feedsync dest test' checks it. */
static int build_site(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	if (!w->nsites)
		note(ws, row++, LX, "no WordPress sites yet: add one with 'feedsync dest add --type wordpress'", ROLE_WARN);
	else
		choice(ws, ID_DEST_SITE, row++, "Site", shop_names(ws, w->sites, w->nsites), &w->dest_site,
		       "The WordPress site posts are pushed to ('feedsync dest test NAME' checks it)");
	return row;
}

static int build_updates(struct wizard_screen *ws, int row)
{
	struct wizard *w = ws->w;
	note(ws, row++, LX, "When products are updated", ROLE_NORMAL);
	check(ws, ID_UPDATE_ALL, row++, LX, "Update every field", &w->update_all,
	      "Space toggles; off: choose below which fields an update sends");
	if (!w->update_all) {
		int k = 0;   /* two columns of checkboxes */
		for (size_t i = 0; i < w->nfields; i++) {
			if (w->fields[i].kind == WMAP_NONE)
				continue;
			check(ws, ID_UPDATE_FIELD + (int)i, row + k / 2, LX + 2 + 38 * (k % 2), w->fields[i].dest,
			      &w->fields[i].update, "Space toggles whether updates send this field");
			k++;
		}
		if (w->category_kind != WMAP_NONE) {
			check(ws, ID_UPDATE_FIELD + (int)w->nfields, row + k / 2, LX + 2 + 38 * (k % 2), "categories",
			      &w->category_update, "Space toggles whether updates send the categories");
			k++;
		}
		row += (k + 1) / 2;
	}
	check(ws, ID_CREATE_MISSING, row++, LX, "Create products the destination does not have", &w->create_missing,
	      "Space toggles; off: only products that exist are updated");
	choice(ws, ID_MISSING_ACTION, row++, "Gone from feed", missing_labels, &w->missing_action,
	       "What happens to products no longer in the feed");
	struct form_item *it = text(ws, ID_MISSING_DAYS, row, "after days", &w->missing_days,
	                            "How many days a product must be gone first (0: no condition on days)");
	it->width = 8;
	it = text(ws, ID_MISSING_RUNS, row++, "and runs", &w->missing_runs,
	          "And in how many runs it must be gone too (0: no condition on runs)");
	it->x = 34;
	it->label_width = 9;
	it->width = 8;
	return row;
}

static void build_destination(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	choice(ws, ID_DEST, 0, "Destination", wiz_dest_labels, &w->dest,
	       "Where products go: catalog only, a file, a WooCommerce shop or a WordPress site");
	int row = 1;
	if (w->dest == WDEST_FILE) {
		text(ws, ID_FILE_PATH, row++, "File path", &w->file_path,
		     "The file written at each run (its directory is made); relative: stored absolute");
		choice(ws, ID_FILE_FORMAT, row++, "Format", wiz_file_formats, &w->file_format,
		       "csv: one row a product; jsonl: one JSON object a line");
	} else if (w->dest == WDEST_SHOP || w->dest == WDEST_NEW_SHOP) {
		row = build_shop(ws, row);
	} else if (w->dest == WDEST_SITE) {
		row = build_site(ws, row);
	}
	row = build_updates(ws, row + 1);
	next_button(ws, row + 1);
}

/* ---- 5. schedule ------------------------------------------------------------------------------------- */

static void build_schedule(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	choice(ws, ID_SCHEDULE, 0, "Runs", wiz_schedule_labels, &w->schedule,
	       "Runs by itself only while 'feedsync worker' runs; the console runs no schedules");
	int row = 1;
	struct form_item *it = NULL;
	if (w->schedule == WSCHED_EVERY)
		it = text(ws, ID_EVERY, row++, "Every minutes", &w->every_minutes, "How many minutes between runs");
	else if (w->schedule == WSCHED_DAILY)
		it = text(ws, ID_DAILY, row++, "At (HH:MM)", &w->daily_at, "The time of day, local time, like 02:00");
	else if (w->schedule == WSCHED_CRON)
		text(ws, ID_CRON, row++, "Cron", &w->cron,
		     "Five fields: minute hour day-of-month month day-of-week (0,30 6-22 * * mon-fri)");
	if (it)
		it->width = 10;
	check(ws, ID_ACTIVE, row++, LX, "Active: runs on its schedule", &w->active,
	      "Space toggles; inactive: it runs only when started (a copy starts inactive)");
	row++;
	int64_t next[3];
	char err[512];
	int n = wizard_next_runs(w, now_ms(), next, 3, err, sizeof(err));
	if (n < 0) {
		note(ws, row++, LX, wizard_scratch_text(ws, "%s", err), ROLE_ERROR);
	} else if (n == 0) {
		note(ws, row++, LX, "Manual: it runs when started (r on the connections screen, or feedsync run ID)",
		     ROLE_DIM);
	} else {
		note(ws, row++, LX, "The next runs:", ROLE_NORMAL);
		for (int i = 0; i < n; i++) {
			char at[32];
			format_time(next[i], at, sizeof(at));
			note(ws, row++, LX + 2, wizard_scratch_text(ws, "%s", at), ROLE_NORMAL);
		}
	}
	next_button(ws, row + 1);
}

/* ---- 6. review --------------------------------------------------------------------------------------- */

static void review_text(struct wizard_screen *ws, struct strbuf *out)
{
	const struct wizard *w = ws->w;
	if (ws->save_note[0])
		sb_addf(out, "%s\n", ws->save_note);
	if (!w->problems.n && !ws->save_note[0])
		sb_adds(out, "No problems: ready to save.\n");
	for (int step = 0; step < WIZ_STEPS; step++)
		for (size_t i = 0; i < w->problems.n; i++)
			if ((int)wizard_problem_step(w->problems.items[i]) == step)
				sb_addf(out, "Step %d %s: %s\n", step + 1, wiz_step_names[step], w->problems.items[i]);
	sb_adds(out, "\n");
	wizard_summary(w, out);
	char *doc = wizard_document_text(w);
	sb_addf(out, "\nThe document saved (as 'feedsync conn add' takes it):\n%s\n", doc);
	free(doc);
}

static void build_review(struct wizard_screen *ws)
{
	const struct wizard *w = ws->w;
	button(ws, ID_SAVE, 0, LX, "Save", "Saves the connection in one transaction (C-s does it from any step)");
	const char *status = ws->save_note[0] ? "not saved: why is below" :
	                     w->problems.n ? wizard_scratch_text(ws, "%zu problem%s to fix first, listed below",
	                                                         w->problems.n, w->problems.n == 1 ? "" : "s") :
	                     "ready to save";
	note(ws, 0, 12, status, ws->save_note[0] || w->problems.n ? ROLE_ERROR : ROLE_OK);
	add(ws, (struct form_item){.kind = FORM_AREA, .id = ID_REVIEW, .row = 1, .x = LX,
	                           .help = "Everything the connection will do: Up/Down/PgUp/PgDn scroll"});
}

void wizard_build_step(struct wizard_screen *ws)
{
	switch (ws->step) {
	case WIZ_SOURCE: build_source(ws); break;
	case WIZ_PREVIEW: build_preview(ws); break;
	case WIZ_MAPPING: build_mapping(ws); break;
	case WIZ_DESTINATION: build_destination(ws); break;
	case WIZ_SCHEDULE: build_schedule(ws); break;
	default: build_review(ws); break;
	}
}

/* ---- areas: the sample grid and the review ----------------------------------------------------------- */

static int cell_width(const char *title)
{
	int w = (int)text_width(title) + 1;
	return w < 7 ? 7 : w > GRID_CELL_MAX ? GRID_CELL_MAX : w;
}

static void draw_grid(struct wizard_screen *ws, const struct draw *d, int y, int rows)
{
	const struct preview *p = &ws->w->preview;
	int width = getmaxx(d->win) - 1;
	bool focused = form_focused(&ws->form) && form_focused(&ws->form)->id == ID_GRID;
	attr_t normal = theme_attr(d->theme, ROLE_NORMAL), head = normal | A_BOLD;
	int x = LX;
	draw_text(d, y, x, 6, "LINE", 'r', head);
	draw_text(d, y, x + 7, 8, "RESULT", 'l', head);
	int first_x = x + 16, last_col = ws->grid_col;
	for (size_t c = (size_t)ws->grid_col, cx = (size_t)first_x; c < p->n_columns; c++) {
		int w = cell_width(p->columns[c]);
		if ((int)cx + w > width)
			break;
		draw_text(d, y, (int)cx, w - 1, p->columns[c], 'l', head);
		cx += (size_t)w;
		last_col = (int)c;
	}
	if ((size_t)last_col + 1 < p->n_columns || ws->grid_col > 0)
		draw_text(d, y, width - 12, 12, wizard_scratch_text(ws, "cols %d-%d/%zu", ws->grid_col + 1, last_col + 1,
		                                                    p->n_columns), 'r', theme_attr(d->theme, ROLE_DIM));
	for (int r = 0; r < rows - 1 && ws->grid_top + r < (int)p->n_rows; r++) {
		int i = ws->grid_top + r;
		const struct preview_row *row = &p->rows[i];
		bool selected = i == ws->grid_row;
		attr_t attr = selected && focused ? theme_attr(d->theme, ROLE_SELECTION) : normal;
		enum role role = row->verdict == ROW_OK ? ROLE_OK : row->verdict == ROW_SKIPPED ? ROLE_DIM : ROLE_ERROR;
		draw_text(d, y + 1 + r, x - 1, 1, selected ? ">" : " ", 'l', normal);
		draw_text(d, y + 1 + r, x, 6, wizard_scratch_text(ws, "%ld", row->line), 'r', attr);
		draw_text(d, y + 1 + r, x + 7, 8, row->verdict == ROW_OK ? "ok" : row->verdict == ROW_SKIPPED ? "skipped" :
		          "FAILED", 'l', selected && focused ? attr : theme_attr(d->theme, role));
		int cx = first_x;
		for (int c = ws->grid_col; c <= last_col; c++) {
			int w = cell_width(p->columns[c]);
			draw_text(d, y + 1 + r, cx, w - 1, row->values[c], 'l', attr);
			cx += w;
		}
	}
}

struct review_draw {
	struct wizard_screen *ws;
	const struct draw *d;
	int y, rows, width;
};

static void review_line(void *ud, int i, const char *text)
{
	struct review_draw *r = ud;
	int row = i - r->ws->review_top;
	bool problem = str_starts_with(text, "Step ") || str_starts_with(text, "not saved");
	if (row >= 0 && row < r->rows)
		draw_text(r->d, r->y + row, LX, r->width, text, 'l', theme_attr(r->d->theme, problem ? ROLE_ERROR :
		                                                                  ROLE_NORMAL));
}

static void draw_review(struct wizard_screen *ws, const struct draw *d, int y, int rows)
{
	struct strbuf sb = {0};
	review_text(ws, &sb);
	struct review_draw r = {ws, d, y, rows, getmaxx(d->win) - 2 * LX};
	int lines = draw_wrap(sb_str(&sb), r.width, d->g->ascii, NULL, NULL);
	if (ws->review_top > lines - rows)
		ws->review_top = lines - rows > 0 ? lines - rows : 0;
	draw_wrap(sb_str(&sb), r.width, d->g->ascii, review_line, &r);
	sb_free(&sb);
}

void wizard_draw_extras(struct wizard_screen *ws, const struct draw *d, int y, int h)
{
	int id = ws->step == WIZ_PREVIEW ? ID_GRID : ws->step == WIZ_REVIEW ? ID_REVIEW : 0;
	int at = id ? form_screen_row(&ws->form, id, y) : -1;
	if (at < 0)
		return;
	if (id == ID_GRID && ws->w->have_preview)
		draw_grid(ws, d, at, GRID_ROWS < y + h - at ? GRID_ROWS : y + h - at);
	else if (id == ID_REVIEW)
		draw_review(ws, d, at, y + h - at);
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool wizard_area_key(struct wizard_screen *ws, int key)
{
	int page = GRID_ROWS - 1;
	if (ws->step == WIZ_REVIEW) {
		int delta = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 : key == KEY_PPAGE ? -10 : key == KEY_NPAGE ? 10 : 0;
		if (key == KEY_HOME)
			ws->review_top = 0;
		else if (!delta)
			return false;
		ws->review_top = clamp(ws->review_top + delta, 0, 500);
		return true;
	}
	const struct preview *p = &ws->w->preview;
	int rows = (int)p->n_rows, cols = (int)p->n_columns;
	switch (key) {
	case KEY_UP: ws->grid_row--; break;
	case KEY_DOWN: ws->grid_row++; break;
	case KEY_PPAGE: ws->grid_row -= page; break;
	case KEY_NPAGE: ws->grid_row += page; break;
	case KEY_HOME: ws->grid_row = 0; break;
	case KEY_END: ws->grid_row = rows - 1; break;
	case KEY_LEFT: ws->grid_col--; break;
	case KEY_RIGHT: ws->grid_col++; break;
	default: return false;
	}
	ws->grid_row = clamp(ws->grid_row, 0, rows > 0 ? rows - 1 : 0);
	ws->grid_col = clamp(ws->grid_col, 0, cols > 0 ? cols - 1 : 0);
	if (ws->grid_row < ws->grid_top)
		ws->grid_top = ws->grid_row;
	if (ws->grid_row >= ws->grid_top + page)
		ws->grid_top = ws->grid_row - page + 1;
	return true;
}
