/*
 * A plan (`run --plan`): the products it would create, update field by field (old -> new) and retire, one
 * kind at a time, read a screenful at a time, and an Apply action that queues the run applying it.
 *
 * The review: a selected row, rows marked (m), and a filter (/) on SKU or name. Rows can be excluded from the
 * apply or put back: the marked ones, else the selected one (- and +), or every row the filter matches (X, I).
 * Exclusions are stored with the plan, so they hold whichever console or `plan apply` applies it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_plan.h"
#include "core/whoami.h"
#include "engine/plan.h"
#include "tui/dialog.h"
#include "tui/marks.h"
#include "tui/run_actions.h"
#include "tui/screens.h"

enum kind { KIND_CREATE, KIND_UPDATE, KIND_RETIRE, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = {"create", "update", "retire"};
static const char *const kind_titles[KIND_COUNT] = {"To create", "To update", "To retire"};

struct plan_screen {
	struct screen base;
	int64_t run_id;
	bool found;
	struct plan_row plan;
	enum kind kind;
	int64_t count[KIND_COUNT];
	char filter[128];            /* "" = every item of the kind */
	int64_t matched;             /* items of the kind the filter matches */
	int64_t top;                 /* the first item on screen, in the matched items' SKU order */
	int64_t sel;                 /* the selected item, in the same order */
	int page;                    /* items that fit, as last drawn */
	struct plan_item *items;     /* [top, top + nitems) */
	size_t nitems;
	struct marks marks;          /* SKUs, of any kind */
	char error[256];
};

static struct plan_filter shown(const struct plan_screen *ps)
{
	return (struct plan_filter){.kind = kind_names[ps->kind], .text = ps->filter};
}

static void free_items(struct plan_screen *ps)
{
	plan_items_free(ps->items, ps->nitems);
	ps->items = NULL;
	ps->nitems = 0;
}

static void read_items(struct plan_screen *ps)
{
	free_items(ps);
	int limit = ps->page > 0 ? ps->page : 50;
	const struct plan_filter f = shown(ps);
	if (store_plan_items(ps->base.app->store, ps->run_id, &f, ps->top, limit, &ps->items, &ps->nitems) < 0)
		snprintf(ps->error, sizeof(ps->error), "cannot read the plan: %s", store_errmsg(ps->base.app->store));
}

/*
 * What the kind and the filter show, counted and read again; the plan's header stays as it was read (it
 * counts every kind and the excluded items: 10 ms of a 100 000-item plan at each Tab or key typed).
 */
static void load_shown(struct plan_screen *ps)
{
	struct store *store = ps->base.app->store;
	const struct plan_filter f = shown(ps);
	ps->matched = store_plan_count(store, ps->run_id, &f);
	if (ps->matched < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot read the plan: %s", store_errmsg(store));
		ps->matched = 0;
	}
	int64_t last = ps->matched > 0 ? ps->matched - 1 : 0;
	ps->sel = ps->sel > last ? last : ps->sel;
	ps->top = ps->top > ps->sel ? ps->sel : ps->top;
	read_items(ps);
}

static void plan_load(struct screen *s)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	struct store *store = s->app->store;
	ps->error[0] = '\0';
	int rc = store_plan_get(store, ps->run_id, &ps->plan);
	ps->found = rc == 1;
	if (rc < 0)
		snprintf(ps->error, sizeof(ps->error), "cannot read the plan: %s", store_errmsg(store));
	if (!ps->found) {
		free_items(ps);
		return;
	}
	ps->count[KIND_CREATE] = ps->plan.creates;
	ps->count[KIND_UPDATE] = ps->plan.updates;
	ps->count[KIND_RETIRE] = ps->plan.retires;
	load_shown(ps);
}

/* ---- drawing ---- */

static void draw_line(const struct draw *d, int y, int indent, const char *text, enum role role)
{
	draw_text(d, y, 1 + indent, getmaxx(d->win) - 2 - indent, text, 'l', theme_attr(d->theme, role));
}

static void draw_summary(struct plan_screen *ps, const struct draw *d, int y)
{
	const struct plan_row *p = &ps->plan;
	char line[640], made[32];
	format_time(p->created_at, made, sizeof(made));
	snprintf(line, sizeof(line), "connection %lld '%s' %s %s", (long long)p->connection_id, p->connection_name,
	         d->g->arrow, p->destination[0] ? p->destination : "catalog only");
	draw_line(d, y, 0, line, ROLE_NORMAL);
	if (p->applied_run) {
		char applied[32];
		format_time(p->applied_at, applied, sizeof(applied));
		snprintf(line, sizeof(line), "planned %s, applied by run %lld (%s), by %s at %s", made,
		         (long long)p->applied_run, p->applied_status, p->applier[0] ? p->applier : "(unknown)", applied);
	} else
		snprintf(line, sizeof(line), "planned %s, not applied: A applies it unless the catalog changed since", made);
	draw_line(d, y + 1, 0, line, p->applied_run ? ROLE_OK : ROLE_DIM);
	int64_t total = p->creates + p->updates + p->retires;
	struct strbuf review = {0};
	sb_addf(&review, "%s %lld of %lld changes (%lld excluded)", p->applied_run ? "applied" : "apply",
	        (long long)(total - p->excluded), (long long)total, (long long)p->excluded);
	if (ps->marks.n)
		sb_addf(&review, ", %zu marked", ps->marks.n);
	if (ps->filter[0])
		sb_addf(&review, ", filter '%s': %lld of %lld", ps->filter, (long long)ps->matched,
		        (long long)ps->count[ps->kind]);
	draw_line(d, y + 2, 0, sb_str(&review), p->excluded ? ROLE_WARN : ROLE_NORMAL);
	sb_free(&review);
}

/* "[To create 12]  To update 30  To retire 4": the kind on screen in brackets. */
static void draw_tabs(struct plan_screen *ps, const struct draw *d, int y)
{
	int x = 1, width = getmaxx(d->win) - 2;
	for (int k = 0; k < KIND_COUNT && x < width; k++) {
		char tab[64];
		snprintf(tab, sizeof(tab), k == (int)ps->kind ? "[%s %lld]" : " %s %lld ", kind_titles[k],
		         (long long)ps->count[k]);
		enum role role = k == (int)ps->kind ? ROLE_SELECTION : ROLE_NORMAL;
		x += draw_span(d, y, x, width - x, tab, theme_attr(d->theme, role)) + 1;
	}
}

/* The rows an item takes: its line and one per changed field, at most room. */
static int item_height(const struct plan_item *it, int room)
{
	int h = 1 + (int)it->nchanges;
	return h < room ? h : room;
}

/*
 * An item's lines from row y, at most `room`; returns how many it used. Its first two columns say, in
 * characters and not in colour only, whether it is marked ('*') and excluded ('x', and the word).
 */
static int draw_item(const struct plan_screen *ps, const struct plan_item *it, bool selected, const struct draw *d,
                     int y, int room)
{
	char missing[32];
	struct strbuf line = {0};
	sb_addf(&line, "%c%c ", marks_has(&ps->marks, it->sku) ? '*' : ' ', it->excluded ? 'x' : ' ');
	if (str_eq(it->kind, "retire")) {
		format_time(it->missing_since, missing, sizeof(missing));
		sb_addf(&line, "%-20s %-10s missing since %s (%lld runs)  %s", it->sku, it->action, missing,
		        (long long)it->missing_runs, it->name ? it->name : "");
	} else {
		sb_addf(&line, "%-20s %s", it->sku, it->name ? it->name : "");
	}
	if (it->excluded)
		sb_adds(&line, "  (excluded)");
	draw_line(d, y, 0, sb_str(&line), selected ? ROLE_SELECTION : it->excluded ? ROLE_DIM : ROLE_NORMAL);
	sb_free(&line);
	int used = 1;
	for (size_t c = 0; c < it->nchanges && used < room; c++, used++) {
		const struct plan_change *ch = &it->changes[c];
		struct strbuf text = {0};
		sb_addf(&text, "%-18s ", ch->field);
		plan_value_text(ch->old_value, ch->old_known, &text);
		sb_addf(&text, " %s ", d->g->arrow);
		plan_value_text(ch->new_value, true, &text);
		draw_line(d, y + used, 6, sb_str(&text), ROLE_DIM);
		sb_free(&text);
	}
	return used;
}

/* Scrolls so that the selected item is drawn whole: the items from top to it fit in room rows. */
static void keep_selected_visible(struct plan_screen *ps, int room)
{
	int64_t at = ps->sel - ps->top;
	if (at < 0 || at >= (int64_t)ps->nitems) {
		/* above: it becomes the first; below: the last of as many items as were on screen */
		ps->top = at < 0 || ps->nitems == 0 ? ps->sel : ps->sel - (int64_t)ps->nitems + 1;
		read_items(ps);
		at = ps->sel - ps->top;
		if (at >= (int64_t)ps->nitems)
			return;
	}
	int used = 0;
	for (int64_t i = 0; i <= at; i++)
		used += item_height(&ps->items[i], room);
	int64_t drop = 0;
	while (used > room && drop < at)
		used -= item_height(&ps->items[drop++], room);
	if (drop) {
		ps->top += drop;
		read_items(ps);
	}
}

static void plan_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	if (!ps->found) {
		draw_line(d, y, 0, ps->error[0] ? ps->error : "this run made no plan (only `run --plan` runs do)",
		          ps->error[0] ? ROLE_ERROR : ROLE_WARN);
		return;
	}
	draw_summary(ps, d, y);
	draw_tabs(ps, d, y + 3);
	int top = y + 5, room = h - 5;
	if (room < 1)
		return;
	if (ps->page != room) {
		ps->page = room;   /* a screenful of one-line items at most */
		read_items(ps);
	}
	if (ps->error[0]) {
		draw_line(d, top, 0, ps->error, ROLE_ERROR);
		return;
	}
	if (ps->matched == 0) {
		draw_line(d, top, 0, ps->filter[0] ? "nothing of this kind matches the filter" : "nothing of this kind",
		          ROLE_DIM);
		return;
	}
	keep_selected_visible(ps, room);
	int row = 0;
	for (size_t i = 0; i < ps->nitems && row < room; i++)
		row += draw_item(ps, &ps->items[i], ps->top + (int64_t)i == ps->sel, d, top + row, room - row);
}

static void plan_title(struct screen *s, struct strbuf *out)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	sb_addf(out, "Plan of run %lld", (long long)ps->run_id);
}

/* ---- actions ---- */

static void select_item(struct plan_screen *ps, int64_t sel)
{
	int64_t last = ps->matched - 1;
	ps->sel = sel > last ? last : sel;
	if (ps->sel < 0)
		ps->sel = 0;
}

static const struct plan_item *selected_item(const struct plan_screen *ps)
{
	int64_t at = ps->sel - ps->top;
	return at >= 0 && at < (int64_t)ps->nitems ? &ps->items[at] : NULL;
}

static struct plan_screen *plan_on_top(struct app *app)
{
	struct screen *s = app_top(app);
	return s && s->ops == &plan_screen_ops ? (struct plan_screen *)s : NULL;
}

static void filter_changed(struct app *app, const char *text)
{
	struct plan_screen *ps = plan_on_top(app);
	if (!ps)
		return;
	str_copy(ps->filter, text, sizeof(ps->filter));
	ps->top = ps->sel = 0;
	load_shown(ps);
}

static void filter_done(struct app *app, const char *text, bool accepted)
{
	filter_changed(app, accepted ? text : "");
}

/* Excludes or includes back the marked rows, else the selected one, or (matching) every row the filter matches. */
static void set_excluded(struct plan_screen *ps, bool excluded, bool matching)
{
	struct app *app = ps->base.app;
	if (!plan_selectable(&ps->plan)) {
		app_message(app, ROLE_ERROR, "a file export writes the whole catalog: rows cannot be left out of it");
		return;
	}
	const struct plan_item *it = selected_item(ps);
	char *one = it ? it->sku : NULL;
	char *const *skus = matching ? NULL : ps->marks.n ? ps->marks.keys : &one;
	size_t n = matching ? 0 : ps->marks.n ? ps->marks.n : 1;
	if (!matching && !ps->marks.n && !one)
		return;
	const struct plan_filter f = shown(ps);
	int64_t changed = store_plan_set_excluded(app->store, ps->run_id, &f, skus, n, excluded);
	if (changed == -2) {
		app_message(app, ROLE_ERROR, "refused: run %lld already applies this plan", (long long)ps->plan.applied_run);
	} else if (changed < 0) {
		app_message(app, ROLE_ERROR, "cannot change the plan: %s", store_errmsg(app->store));
	} else {
		app_message(app, ROLE_OK, "%s %lld row%s", excluded ? "excluded" : "included", (long long)changed,
		            changed == 1 ? "" : "s");
		if (!matching)
			marks_clear(&ps->marks);
	}
	app_changed(app);
}

static void toggle_mark(struct plan_screen *ps)
{
	const struct plan_item *it = selected_item(ps);
	if (!it)
		return;
	marks_toggle(&ps->marks, it->sku);
	select_item(ps, ps->sel + 1);
}

static void apply_confirmed(struct app *app, int64_t plan_run)
{
	int64_t run_id = 0, applied_by = 0;
	struct run_row active;
	char applier[128];
	whoami(applier, sizeof(applier));
	const struct plan_apply req = {.applier = applier, .select = PLAN_SELECT_REVIEWED};
	switch (store_plan_enqueue_apply(app->store, plan_run, &req, &run_id, &active, &applied_by)) {
	case 0:
		run_action_launch(app, run_id);
		app_push(app, screen_run_new(app, run_id));
		break;
	case 1:
		app_message(app, ROLE_ERROR, "refused: the connection has an active run %lld (%s); cancel it or wait",
		            (long long)active.id, active.status);
		break;
	case 2:
		app_message(app, ROLE_ERROR, "refused: run %lld already applies this plan", (long long)applied_by);
		break;
	case 3:
		app_message(app, ROLE_ERROR, "refused: the catalog changed since the plan was made; make a new plan");
		break;
	case 4:
		app_message(app, ROLE_ERROR, "run %lld has no plan", (long long)plan_run);
		break;
	case 6:
		app_message(app, ROLE_ERROR, "refused: every row is excluded, nothing to apply");
		break;
	default:
		app_message(app, ROLE_ERROR, "cannot apply the plan: %s", store_errmsg(app->store));
	}
	app_changed(app);
}

static void ask_apply(struct plan_screen *ps)
{
	const struct plan_row *p = &ps->plan;
	if (p->applied_run) {
		app_message(ps->base.app, ROLE_ERROR, "refused: run %lld already applies this plan",
		            (long long)p->applied_run);
		return;
	}
	int64_t total = p->creates + p->updates + p->retires;
	dialog_confirm(ps->base.app, apply_confirmed, ps->run_id,
	               "Apply the plan: apply %lld of %lld changes (%lld excluded)?", (long long)(total - p->excluded),
	               (long long)total, (long long)p->excluded);
}

static bool plan_act(struct screen *s, enum action a)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	if (!ps->found)
		return false;
	int page = ps->page > 1 ? ps->page - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP: select_item(ps, ps->sel - 1); break;
	case ACTION_MOVE_DOWN: select_item(ps, ps->sel + 1); break;
	case ACTION_PAGE_UP: select_item(ps, ps->sel - page); break;
	case ACTION_PAGE_DOWN: select_item(ps, ps->sel + page); break;
	case ACTION_FIRST: select_item(ps, 0); break;
	case ACTION_LAST: select_item(ps, ps->matched - 1); break;
	case ACTION_NEXT_KIND:
		ps->kind = (enum kind)((ps->kind + 1) % KIND_COUNT);
		ps->top = ps->sel = 0;
		load_shown(ps);
		break;
	case ACTION_FILTER: dialog_prompt(s->app, "/", ps->filter, filter_changed, filter_done); break;
	case ACTION_MARK: toggle_mark(ps); break;
	case ACTION_EXCLUDE: set_excluded(ps, true, false); break;
	case ACTION_INCLUDE: set_excluded(ps, false, false); break;
	case ACTION_EXCLUDE_MATCHING: set_excluded(ps, true, true); break;
	case ACTION_INCLUDE_MATCHING: set_excluded(ps, false, true); break;
	case ACTION_APPLY_PLAN: ask_apply(ps); break;
	default: return false;
	}
	return true;
}

static void plan_free(struct screen *s)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	free_items(ps);
	marks_clear(&ps->marks);
	free(ps);
}

/* In the order of the status line's hints, which end where the width does: Apply first. */
static const enum action plan_actions[] = {
	ACTION_APPLY_PLAN, ACTION_MARK, ACTION_EXCLUDE, ACTION_INCLUDE, ACTION_FILTER, ACTION_EXCLUDE_MATCHING,
	ACTION_INCLUDE_MATCHING, ACTION_NEXT_KIND, ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN,
	ACTION_FIRST, ACTION_LAST, ACTION_NONE,
};

const struct screen_ops plan_screen_ops = {
	.name = "Plan",
	.actions = plan_actions,
	.load = plan_load,
	.draw = plan_draw,
	.act = plan_act,
	.title = plan_title,
	.free = plan_free,
};

struct screen *screen_plan_new(struct app *app, int64_t run_id)
{
	struct plan_screen *ps = xcalloc(1, sizeof(*ps));
	ps->base.ops = &plan_screen_ops;
	ps->base.app = app;
	ps->run_id = run_id;
	return &ps->base;
}

void plan_action_open(struct app *app, const struct run_row *r)
{
	if (!r->plan_only) {
		app_message(app, ROLE_WARN, "run %lld made no plan: plans come from `feedsync run ID --plan`",
		            (long long)r->id);
		return;
	}
	app_push(app, screen_plan_new(app, r->id));
}
