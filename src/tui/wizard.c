/* The wizard's screen: steps, keys, background work and saving (see wizard.h). */
#include "tui/wizard.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_dest.h"
#include "dest/dest_save.h"
#include "dest/secret.h"
#include "dest/shop.h"
#include "dest/woo_categories.h"
#include "engine/conn_save.h"
#include "engine/feed_fetch.h"
#include "feed/conn.h"
#include "feed/filter.h"
#include "tui/dialog.h"
#include "tui/screens.h"
#include "wizard_internal.h"

#define SPIN_MS 150
#define KEY_ESC 27

static const char *const spinner_frames[] = {"|", "/", "-", "\\"};

/* ---- per-frame allocations --------------------------------------------------------------------------- */

static void *scratch_keep(struct wizard_screen *ws, void *p)
{
	if (ws->nscratch == ws->capscratch) {
		ws->capscratch = ws->capscratch ? 2 * ws->capscratch : 64;
		ws->scratch = xrealloc(ws->scratch, ws->capscratch * sizeof(*ws->scratch));
	}
	ws->scratch[ws->nscratch++] = p;
	return p;
}

static void scratch_reset(struct wizard_screen *ws)
{
	for (size_t i = 0; i < ws->nscratch; i++)
		free(ws->scratch[i]);
	ws->nscratch = 0;
}

const char *wizard_scratch_text(struct wizard_screen *ws, const char *fmt, ...)
{
	struct strbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return scratch_keep(ws, sb_detach(&sb));
}

const char **wizard_scratch_list(struct wizard_screen *ws, size_t n)
{
	return scratch_keep(ws, xcalloc(n + 1, sizeof(const char *)));
}

/* The items of the current step, described afresh from the answers. */
static void rebuild(struct wizard_screen *ws)
{
	scratch_reset(ws);
	form_begin(&ws->form);
	wizard_build_step(ws);
}

/* ---- background work: the sample ---------------------------------------------------------------------- */

/* The head of a feed the sample reads: 100 rows of even wide products, without downloading all of it. */
#define SAMPLE_BYTES (4u << 20)

struct fetch_job {
	const struct config *cfg;
	struct conn_config *conn;
	atomic_bool cancel;
	struct fetch_result res;
	int rc;
};

static int fetch_progress(void *ud, uint64_t received, uint64_t total)
{
	(void)received, (void)total;
	return atomic_load(&((struct fetch_job *)ud)->cancel);
}

static void fetch_work(void *ud)
{
	struct fetch_job *job = ud;
	const char *code = NULL;
	job->rc = feed_fetch_head(job->cfg, job->conn, SAMPLE_BYTES, fetch_progress, job, &job->res, &code);
}

static void fetch_job_free(void *ud)
{
	struct fetch_job *job = ud;
	if (job->rc == 0)
		fetch_cleanup(&job->res);
	conn_free(job->conn);
	free(job);
}

static struct conn_config *source_only(const struct wizard *w, char *err, size_t errsize)
{
	struct problems pr = {0};
	struct conn_config *conn = wizard_partial_conn(w, WIZ_SOURCE, &pr);
	if (!conn)
		snprintf(err, errsize, "cannot fetch yet: %s", pr.n ? pr.items[0] : "the source is not complete");
	problems_free(&pr);
	return conn;
}

void wizard_start_fetch(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	if (ws->fetch)
		return;
	ws->fetch_role = ROLE_ERROR;
	if (w->source == WSRC_SHOP) {
		str_copy(ws->fetch_note, "a WooCommerce store is read page by page by its runs; the wizard takes no "
		         "sample of it (after saving: 'feedsync preview ID')", sizeof(ws->fetch_note));
		return;
	}
	struct conn_config *conn = source_only(w, ws->fetch_note, sizeof(ws->fetch_note));
	if (!conn)
		return;
	struct fetch_job *job = xcalloc(1, sizeof(*job));
	job->cfg = ws->base.app->cfg;
	job->conn = conn;
	job->rc = -1;
	atomic_init(&job->cancel, false);
	ws->fetch = task_start(fetch_work, job, fetch_job_free);
	if (!ws->fetch) {
		fetch_job_free(job);
		str_copy(ws->fetch_note, "cannot start a thread to fetch the sample", sizeof(ws->fetch_note));
		return;
	}
	ws->fetch_job = job;
	ws->fetch_role = ROLE_RUNNING;
	str_copy(ws->fetch_note, "fetching the sample... (Esc stops)", sizeof(ws->fetch_note));
}

static void describe_sample(struct wizard_screen *ws)
{
	const struct wizard *w = ws->w;
	const struct preview *p = &w->preview;
	ws->fetch_role = ROLE_OK;
	if (!w->have_preview) {
		ws->fetch_role = ROLE_ERROR;
		snprintf(ws->fetch_note, sizeof(ws->fetch_note), "fetched, but %s", w->preview_error);
	} else if (p->error[0] && !p->n_rows) {
		ws->fetch_role = ROLE_ERROR;
		snprintf(ws->fetch_note, sizeof(ws->fetch_note), "fetched, but unreadable: %s", p->error);
	} else {
		snprintf(ws->fetch_note, sizeof(ws->fetch_note), "sample: %zu rows, %zu columns%s%s%s", p->n_rows,
		         p->n_columns, w->sample.head_only ? " from the feed's first 4 MB" : "",
		         p->warnings.n ? ", with warnings (step 2)" : "", p->error[0] ? "; stopped early" : "");
	}
}

static void finish_fetch(struct wizard_screen *ws)
{
	struct fetch_job *job = ws->fetch_job;
	task_finish(ws->fetch);
	ws->fetch = NULL;
	ws->fetch_job = NULL;
	if (job->rc == 0) {
		wizard_set_sample(ws->w, ws->base.app->cfg, &job->res);
		wizard_validate(ws->w);
		describe_sample(ws);
	} else {
		ws->fetch_role = ROLE_ERROR;
		snprintf(ws->fetch_note, sizeof(ws->fetch_note), "%s", job->res.cancelled ? "fetch stopped" :
		         job->res.error[0] ? job->res.error : "the fetch failed");
		job->rc = -1;
	}
	fetch_job_free(job);
}

/* ---- background work: the shop ----------------------------------------------------------------------- */

enum probe_kind { PROBE_TEST, PROBE_CATEGORIES };

struct probe_job {
	const struct config *cfg;
	enum probe_kind kind;
	struct shop shop;
	struct woo_check checks[WOO_CHECK_COUNT];
	bool ok;
	char **paths;
	size_t npaths;
	char err[1024];
};

static void probe_work(void *ud)
{
	struct probe_job *job = ud;
	if (job->kind == PROBE_TEST)
		job->ok = woo_test(&job->shop, job->cfg, job->checks);
	else
		job->ok = woo_categories(&job->shop, job->cfg, &job->paths, &job->npaths, job->err, sizeof(job->err)) == 0;
}

static void probe_job_free(void *ud)
{
	struct probe_job *job = ud;
	shop_free(&job->shop);
	woo_categories_free(job->paths, job->npaths);
	free(job);
}

/* A shop typed into step 4 and not saved yet, opened as `dest test` opens a stored one. */
static int typed_shop(const struct wizard *w, const struct config *cfg, struct shop *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof(*out));
	char *url = wizard_trimmed(&w->shop_url);
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	if (!dest_url_valid(url)) {
		snprintf(err, errsize, "give the shop's address first, like https://shop.example.com");
		free(url);
		return -1;
	}
	out->key = wizard_trimmed(&w->shop_key);
	out->secret = wizard_trimmed(&w->shop_secret);
	if (!*out->key || !*out->secret) {
		snprintf(err, errsize, "give the consumer key and secret first");
		free(url);
		shop_free(out);
		return -1;
	}
	out->name = wizard_trimmed(&w->shop_name);
	out->base_url = url;
	out->auth = shop_auth_of("auto", url);
	out->verify_tls = w->shop_verify_tls;
	str_copy(out->circuit_state, "closed", sizeof(out->circuit_state));
	str_copy(out->credentials_origin, "the key and secret typed in the wizard", sizeof(out->credentials_origin));
	secret_mask(out->key, out->key_hint, sizeof(out->key_hint));
	shop_options_defaults(cfg, &out->opt);
	return 0;
}

/* The shop of step 4: chosen from the list, or typed. 0, or -1 with err saying what is missing. */
static int chosen_shop(struct wizard_screen *ws, struct shop *out, char *err, size_t errsize)
{
	struct wizard *w = ws->w;
	const struct config *cfg = ws->base.app->cfg;
	if (w->dest == WDEST_NEW_SHOP)
		return typed_shop(w, cfg, out, err, errsize);
	if (w->dest != WDEST_SHOP || w->dest_shop < 0 || (size_t)w->dest_shop >= w->nshops) {
		snprintf(err, errsize, "choose the WooCommerce shop on step 4 (Destination) first");
		return -1;
	}
	return shop_load(ws->base.app->store, cfg, w->shops[w->dest_shop].id, NULL, out, err, errsize);
}

static bool start_probe(struct wizard_screen *ws, enum probe_kind kind, char *note, size_t size, enum role *role)
{
	*role = ROLE_ERROR;
	if (ws->probe) {
		str_copy(note, "the shop is still being asked; wait for the answer", size);
		return false;
	}
	struct probe_job *job = xcalloc(1, sizeof(*job));
	job->cfg = ws->base.app->cfg;
	job->kind = kind;
	if (chosen_shop(ws, &job->shop, note, size) < 0) {
		probe_job_free(job);
		return false;
	}
	ws->probe = task_start(probe_work, job, probe_job_free);
	if (!ws->probe) {
		probe_job_free(job);
		str_copy(note, "cannot start a thread to ask the shop", size);
		return false;
	}
	ws->probe_job = job;
	*role = ROLE_RUNNING;
	return true;
}

void wizard_start_test(struct wizard_screen *ws)
{
	ws->ntest_notes = 1;
	if (start_probe(ws, PROBE_TEST, ws->test_notes[0], sizeof(ws->test_notes[0]), &ws->test_roles[0]))
		str_copy(ws->test_notes[0], "testing the shop...", sizeof(ws->test_notes[0]));
}

void wizard_start_categories(struct wizard_screen *ws)
{
	if (start_probe(ws, PROBE_CATEGORIES, ws->category_note, sizeof(ws->category_note), &ws->category_role))
		str_copy(ws->category_note, "asking the shop for its categories...", sizeof(ws->category_note));
}

static void finish_test(struct wizard_screen *ws, struct probe_job *job)
{
	ws->ntest_notes = WOO_CHECK_COUNT;
	for (int i = 0; i < WOO_CHECK_COUNT; i++) {
		const struct woo_check *c = &job->checks[i];
		snprintf(ws->test_notes[i], sizeof(ws->test_notes[i]), "%-15s %-7s %s", c->name,
		         check_word(c), c->detail);
		ws->test_roles[i] = c->verdict == 1 ? (c->warning ? ROLE_WARN : ROLE_OK) : c->verdict == 0 ? ROLE_ERROR :
		                    ROLE_DIM;
	}
	/* A stored shop keeps its health, as `feedsync dest test` records it. */
	if (job->shop.id > 0) {
		char summary[700] = "all checks passed";
		for (int i = 0; i < WOO_CHECK_COUNT; i++)
			if (job->checks[i].verdict == 0) {
				snprintf(summary, sizeof(summary), "%s failed: %s", job->checks[i].name, job->checks[i].detail);
				break;
			}
		store_dest_set_health(ws->base.app->store, job->shop.id, job->ok, summary, now_ms());
	}
}

static void finish_categories(struct wizard_screen *ws, struct probe_job *job)
{
	if (!job->ok) {
		ws->category_role = ROLE_ERROR;
		snprintf(ws->category_note, sizeof(ws->category_note), "cannot fetch the shop's categories: %s", job->err);
		return;
	}
	woo_categories_free(ws->shop_categories, ws->nshop_categories);
	ws->shop_categories = job->paths;
	ws->nshop_categories = job->npaths;
	job->paths = NULL;
	job->npaths = 0;
	ws->category_role = ROLE_OK;
	snprintf(ws->category_note, sizeof(ws->category_note), "the shop has %zu categories: Enter on a target "
	         "lists them", ws->nshop_categories);
}

static void finish_probe(struct wizard_screen *ws)
{
	struct probe_job *job = ws->probe_job;
	task_finish(ws->probe);
	ws->probe = NULL;
	ws->probe_job = NULL;
	if (job->kind == PROBE_TEST)
		finish_test(ws, job);
	else
		finish_categories(ws, job);
	probe_job_free(job);
}

bool wizard_busy(const struct wizard_screen *ws)
{
	return ws->fetch || ws->probe;
}

const char *wizard_spinner(const struct wizard_screen *ws)
{
	return spinner_frames[ws->spin % ARRAY_LEN(spinner_frames)];
}

/* Called between keys: takes in finished work; true while some still runs (the spinner turns). */
static bool wizard_ticking(struct screen *s)
{
	struct wizard_screen *ws = (struct wizard_screen *)s;
	if (ws->fetch && task_done(ws->fetch)) {
		finish_fetch(ws);
		s->app->dirty = true;
	}
	if (ws->probe && task_done(ws->probe)) {
		finish_probe(ws);
		s->app->dirty = true;
	}
	return wizard_busy(ws);
}

/* ---- moving between steps, leaving, saving ---------------------------------------------------------- */

static void go_to(struct wizard_screen *ws, int step)
{
	if (step < 0 || step >= WIZ_STEPS || step == (int)ws->step)
		return;
	struct wizard *w = ws->w;
	/* Leaving the source for the first time: the sample the next steps show is fetched on the way. */
	if (ws->step == WIZ_SOURCE && step > WIZ_SOURCE && !w->have_sample && !ws->fetch && w->source != WSRC_SHOP)
		wizard_start_fetch(ws);
	ws->focus[ws->step] = ws->form.focus;
	ws->step = (enum wiz_step)step;
	form_focus(&ws->form, ws->focus[step]);
	ws->form.top = 0;
	ws->form.list_open = false;
	ws->review_top = 0;
	wizard_validate(w);
}

static void leave_confirmed(struct app *app, int64_t arg)
{
	(void)arg;
	app_pop(app);
	app_message(app, ROLE_DIM, "left the wizard; nothing was saved");
}

static void quit_confirmed(struct app *app, int64_t arg)
{
	(void)arg;
	app_quit(app);
}

static void leave(struct wizard_screen *ws)
{
	struct app *app = ws->base.app;
	if (wizard_changed(ws->w))
		dialog_confirm(app, leave_confirmed, 0, "Leave the wizard? The connection is not saved; what you typed "
		               "is lost");
	else
		app_pop(app);
}

static void save(struct wizard_screen *ws)
{
	struct app *app = ws->base.app;
	struct wizard *w = ws->w;
	if (wizard_busy(ws)) {
		str_copy(ws->save_note, "wait for the fetch or the shop check to finish", sizeof(ws->save_note));
		go_to(ws, WIZ_REVIEW);
		return;
	}
	int64_t id = 0;
	char err[1024];
	if (wizard_save(w, app->store, app->cfg, &id, err, sizeof(err)) < 0) {
		str_copy(ws->save_note, err, sizeof(ws->save_note));
		go_to(ws, WIZ_REVIEW);
		form_focus(&ws->form, ID_SAVE);
		return;
	}
	char *name = wizard_trimmed(&w->name);
	bool edit = w->mode == WIZ_EDIT;
	app_pop(app);   /* frees the wizard: nothing of it is touched after this */
	struct screen *under = app_top(app);
	if (under && under->table && under->ops == &connections_screen_ops)
		table_select_id(under->table, id);   /* so that r runs it, as the message says */
	app_message(app, ROLE_OK, "%s connection %lld '%s'%s", edit ? "saved" : "created", (long long)id, name,
	            edit ? "" : " (run it with r)");
	free(name);
}

/* ---- keys -------------------------------------------------------------------------------------------- */

static void edited(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	if (ws->step <= WIZ_MAPPING && w->have_sample)
		wizard_refresh_preview(w, ws->base.app->cfg);
	if (ws->step == WIZ_DESTINATION)
		ws->ntest_notes = 0;   /* the last test was of other answers */
	ws->save_note[0] = '\0';
	wizard_validate(w);
}

static void pressed(struct wizard_screen *ws, int id);

static bool form_event(struct wizard_screen *ws, enum form_event ev)
{
	switch (ev) {
	case FORM_IGNORED:
		return false;
	case FORM_EDITED:
		edited(ws);
		break;
	case FORM_CHOSEN:
		wizard_apply_choice(ws, ws->form.event_id, ws->form.event_index);
		edited(ws);
		break;
	case FORM_PRESSED:
		pressed(ws, ws->form.event_id);
		break;
	default:
		break;
	}
	return true;
}

static void add_rule(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	if (w->nrules == WIZ_RULES_MAX)
		return;
	struct wiz_rule *r = &w->rules[w->nrules];
	memset(r, 0, sizeof(*r));
	/* contains "" lets every row through: a rule just added changes nothing until it is filled in. */
	for (int op = 0; filter_op_names[op]; op++)
		if (str_eq(filter_op_names[op], "contains"))
			r->op = op;
	if (w->have_preview && w->preview.n_columns)
		sb_adds(&r->field, w->preview.columns[0]);
	form_focus(&ws->form, ID_RULE + 4 * (int)w->nrules);
	w->nrules++;
}

static void remove_rule(struct wizard_screen *ws, size_t i)
{
	struct wizard *w = ws->w;
	if (i >= w->nrules)
		return;
	sb_free(&w->rules[i].field);
	sb_free(&w->rules[i].value);
	memmove(&w->rules[i], &w->rules[i + 1], (w->nrules - i - 1) * sizeof(w->rules[0]));
	w->nrules--;
	form_focus(&ws->form, w->nrules ? ID_RULE + 4 * (int)(i < w->nrules ? i : w->nrules - 1) : ID_ADD_RULE);
}

static void parse_categories(struct wizard_screen *ws)
{
	struct wizard *w = ws->w;
	size_t n = wizard_parse_categories(w);
	ws->category_role = n ? ROLE_OK : ROLE_WARN;
	if (!w->have_preview)
		snprintf(ws->category_note, sizeof(ws->category_note), "no sample to parse: fetch one on step 1");
	else if (!n)
		snprintf(ws->category_note, sizeof(ws->category_note), "no category paths: choose the category column");
	else
		snprintf(ws->category_note, sizeof(ws->category_note), "%zu category path%s: give each a destination "
		         "category (empty keeps the path)", n, n == 1 ? "" : "s");
}

static void pressed(struct wizard_screen *ws, int id)
{
	if (id >= ID_RULE && id < ID_FIELD && (id - ID_RULE) % 4 == 3) {
		remove_rule(ws, (size_t)(id - ID_RULE) / 4);
		edited(ws);
		return;
	}
	switch (id) {
	case ID_NEXT: go_to(ws, ws->step + 1); break;
	case ID_FETCH: wizard_start_fetch(ws); break;
	case ID_ADD_RULE: add_rule(ws); edited(ws); break;
	case ID_CAT_PARSE: parse_categories(ws); edited(ws); break;
	case ID_CAT_FETCH: wizard_start_categories(ws); break;
	case ID_TEST: wizard_start_test(ws); break;
	case ID_SAVE: save(ws); break;
	default: break;
	}
}

static void escape(struct wizard_screen *ws)
{
	if (ws->fetch_job && ws->step == WIZ_SOURCE) {   /* where the spinner turns */
		atomic_store(&ws->fetch_job->cancel, true);
		str_copy(ws->fetch_note, "stopping the fetch...", sizeof(ws->fetch_note));
	} else if (ws->step > WIZ_SOURCE) {
		go_to(ws, ws->step - 1);
	} else {
		leave(ws);
	}
}

static void ask_quit(struct wizard_screen *ws)
{
	struct app *app = ws->base.app;
	if (wizard_changed(ws->w))
		dialog_confirm(app, quit_confirmed, 0, "Quit? The connection in the wizard is not saved");
	else
		app_quit(app);
}

/* Every key is the wizard's but help and redraw: a typed '1' or 'q' must not leave the form. */
static bool wizard_key(struct screen *s, int key)
{
	struct wizard_screen *ws = (struct wizard_screen *)s;
	const struct keymap *km = &s->app->keys;
	if (key == KEY_RESIZE || key == KEY_MOUSE)
		return false;
	rebuild(ws);
	if (key == KEY_ESC && !ws->form.list_open) {
		escape(ws);
		return true;
	}
	if (form_event(ws, form_key(&ws->form, key)))
		return true;
	const struct form_item *it = form_focused(&ws->form);
	if (it && it->kind == FORM_AREA && wizard_area_key(ws, key))
		return true;
	if (keymap_matches(km, ACTION_NEXT_STEP, key))
		go_to(ws, ws->step + 1);
	else if (keymap_matches(km, ACTION_PREVIOUS_STEP, key))
		go_to(ws, ws->step - 1);
	else if (keymap_matches(km, ACTION_SAVE, key))
		save(ws);
	else if (keymap_matches(km, ACTION_QUIT, key))
		ask_quit(ws);
	else if (keymap_matches(km, ACTION_HELP, key) || keymap_matches(km, ACTION_REDRAW, key))
		return false;
	return true;
}

/* ---- drawing ----------------------------------------------------------------------------------------- */

static void draw_step_bar(struct wizard_screen *ws, const struct draw *d, int y)
{
	int x = 1, width = getmaxx(d->win);
	for (int i = 0; i < WIZ_STEPS; i++) {
		bool here = i == (int)ws->step;
		size_t problems = wizard_step_problems(ws->w, (enum wiz_step)i);
		const char *text = wizard_scratch_text(ws, "%s%d %s%s%s", here ? "[" : " ", i + 1, wizard_step_short[i],
		                                       problems ? "!" : "", here ? "]" : " ");
		attr_t attr = theme_attr(d->theme, here ? ROLE_SELECTION : problems ? ROLE_WARN : ROLE_NORMAL);
		x += draw_span(d, y, x, width - x, text, attr) + 1;
	}
}

static void draw_problem_line(struct wizard_screen *ws, const struct draw *d, int y)
{
	const struct wizard *w = ws->w;
	int width = getmaxx(d->win);
	size_t n = wizard_step_problems(w, ws->step);
	if (ws->step == WIZ_REVIEW || !n) {
		draw_text(d, y, 1, width - 2, ws->step == WIZ_REVIEW ? "" : "no problems on this step", 'l',
		          theme_attr(d->theme, ROLE_DIM));
		return;
	}
	for (size_t i = 0; i < w->problems.n; i++)
		if (wizard_problem_step(w->problems.items[i]) == ws->step) {
			const char *text = wizard_scratch_text(ws, "! %s%s", w->problems.items[i],
			                                       n > 1 ? wizard_scratch_text(ws, " (and %zu more)", n - 1) : "");
			draw_text(d, y, 1, width - 2, text, 'l', theme_attr(d->theme, ROLE_ERROR));
			return;
		}
}

/* The first key of an action that typing cannot mean (F1 rather than '?'), for the hints. */
static void special_key(const struct app *app, enum action a, char *buf, size_t size)
{
	const struct keymap *km = &app->keys;
	for (int i = 0; i < km->nkeys[a]; i++)
		if (km->keys[a][i] < ' ' || km->keys[a][i] > '~') {
			key_label(km->keys[a][i], buf, size);
			return;
		}
	app_key_hint(app, a, buf, size);
}

static void draw_hints(struct wizard_screen *ws, const struct draw *d, int y)
{
	char next[16], prev[16], save_key[16], help[16];
	const struct app *app = ws->base.app;
	special_key(app, ACTION_NEXT_STEP, next, sizeof(next));
	special_key(app, ACTION_PREVIOUS_STEP, prev, sizeof(prev));
	special_key(app, ACTION_SAVE, save_key, sizeof(save_key));
	special_key(app, ACTION_HELP, help, sizeof(help));
	const char *text = wizard_scratch_text(ws, "Tab/S-Tab field  Enter choose  %s next step  Esc/%s back  %s save  "
	                                       "%s help", next, prev, save_key, help);
	draw_text(d, y, 1, getmaxx(d->win) - 2, text, 'l', theme_attr(d->theme, ROLE_DIM));
}

static void wizard_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct wizard_screen *ws = (struct wizard_screen *)s;
	wizard_ticking(s);
	rebuild(ws);
	ws->spin = (int)(monotonic_ms() / SPIN_MS);
	draw_step_bar(ws, d, y);
	int form_rows = h - 3;
	form_draw(&ws->form, d, y + 1, form_rows);
	wizard_draw_extras(ws, d, y + 1, form_rows);
	form_draw_list(&ws->form, d, y + 1, form_rows);   /* over the sample's grid, not under it */
	draw_problem_line(ws, d, y + h - 2);
	draw_hints(ws, d, y + h - 1);
}

static void wizard_status(struct screen *s, struct strbuf *out)
{
	struct wizard_screen *ws = (struct wizard_screen *)s;
	const struct form_item *it = form_focused(&ws->form);
	sb_adds(out, it && it->help ? it->help : "");
}

static void wizard_title(struct screen *s, struct strbuf *out)
{
	const struct wizard_screen *ws = (const struct wizard_screen *)s;
	const struct wizard *w = ws->w;
	if (w->mode == WIZ_EDIT)
		sb_addf(out, "Edit connection %lld", (long long)w->conn_id);
	else if (w->mode == WIZ_CLONE)
		sb_addf(out, "Copy of connection %lld", (long long)w->conn_id);
	else
		sb_adds(out, "New connection");
	sb_addf(out, ": step %d of %d, %s", ws->step + 1, WIZ_STEPS, wiz_step_names[ws->step]);
}

static void wizard_load_screen(struct screen *s)
{
	(void)s;   /* the answers are the user's: another process's commit changes none of them */
}

static void wizard_free_screen(struct screen *s)
{
	struct wizard_screen *ws = (struct wizard_screen *)s;
	if (ws->fetch_job)
		atomic_store(&ws->fetch_job->cancel, true);
	task_abandon(ws->fetch);
	task_abandon(ws->probe);
	scratch_reset(ws);
	free(ws->scratch);
	form_free(&ws->form);
	woo_categories_free(ws->shop_categories, ws->nshop_categories);
	wizard_free(ws->w);
	free(ws);
}

static const enum action wizard_actions[] = {ACTION_NEXT_STEP, ACTION_PREVIOUS_STEP, ACTION_SAVE, ACTION_NONE};

const struct screen_ops wizard_screen_ops = {
	.name = "Wizard",
	.actions = wizard_actions,
	.load = wizard_load_screen,
	.draw = wizard_draw,
	.title = wizard_title,
	.ticking = wizard_ticking,
	.key = wizard_key,
	.status = wizard_status,
	.tick_ms = SPIN_MS,
	.free = wizard_free_screen,
};

/* ---- opening ----------------------------------------------------------------------------------------- */

static void load_shops(struct app *app, struct wizard *w)
{
	struct dest_row *rows;
	size_t n;
	if (store_dest_list(app->store, &rows, &n) < 0) {
		app_message(app, ROLE_WARN, "cannot list the shops: %s", store_errmsg(app->store));
		return;
	}
	struct wiz_shop *shops = xcalloc(n ? n : 1, sizeof(*shops));
	for (size_t i = 0; i < n; i++)
		shops[i] = (struct wiz_shop){rows[i].id, xstrdup(rows[i].name), xstrdup(rows[i].base_url),
		                             xstrdup(rows[i].type)};
	dest_rows_free(rows, n);
	wizard_set_shops(w, shops, n);
}

static int load_connection(struct app *app, struct wizard *w, enum wiz_mode mode, int64_t conn_id)
{
	struct conn_row row;
	int found = store_conn_get(app->store, conn_id, &row);
	if (found != 1) {
		app_message(app, ROLE_ERROR, found ? "cannot read connection %lld: %s" : "no connection %lld%s",
		            (long long)conn_id, found ? store_errmsg(app->store) : "");
		return -1;
	}
	char err[256];
	char *copy_name = mode == WIZ_CLONE ? conn_copy_name(app->store, row.name) : NULL;
	int rc = wizard_load(w, mode, conn_id, row.document, copy_name, err, sizeof(err));
	if (rc < 0)
		app_message(app, ROLE_ERROR, "%s", err);
	free(copy_name);
	conn_row_free(&row);
	return rc;
}

struct screen *screen_wizard_new(struct app *app, enum wiz_mode mode, int64_t conn_id)
{
	struct wizard *w = wizard_new();
	if (mode != WIZ_NEW && load_connection(app, w, mode, conn_id) < 0) {
		wizard_free(w);
		return NULL;
	}
	load_shops(app, w);
	struct preset_set presets = {0};
	struct problems load = {0};
	preset_set_load(&presets, &load);
	wizard_set_presets(w, &presets, &load);
	wizard_validate(w);
	struct wizard_screen *ws = xcalloc(1, sizeof(*ws));
	ws->base.ops = &wizard_screen_ops;
	ws->base.app = app;
	ws->w = w;
	form_init(&ws->form);
	for (int i = 0; i < WIZ_STEPS; i++)
		ws->focus[i] = -1;
	/* An edit or a copy shows its feed at once: the sample comes while the first step is read. */
	if (mode != WIZ_NEW && w->source != WSRC_SHOP)
		wizard_start_fetch(ws);
	return &ws->base;
}
