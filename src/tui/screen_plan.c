/*
 * A plan (`run --plan`): the products it would create, update field by field (old -> new) and retire, one
 * kind at a time, read a screenful at a time, and an Apply action that queues the run applying it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_plan.h"
#include "core/whoami.h"
#include "engine/plan.h"
#include "tui/dialog.h"
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
	int64_t top;                 /* the first item on screen, in the kind's SKU order */
	int page;                    /* items that fit, as last drawn */
	struct plan_item *items;     /* [top, top + nitems) */
	size_t nitems;
	char error[256];
};

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
	const struct plan_filter f = {.kind = kind_names[ps->kind]};
	if (store_plan_items(ps->base.app->store, ps->run_id, &f, ps->top, limit, &ps->items, &ps->nitems) < 0)
		snprintf(ps->error, sizeof(ps->error), "cannot read the plan: %s", store_errmsg(ps->base.app->store));
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
	if (ps->top >= ps->count[ps->kind])
		ps->top = ps->count[ps->kind] > 0 ? ps->count[ps->kind] - 1 : 0;
	read_items(ps);
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
	if (p->applied_run)
		snprintf(line, sizeof(line), "planned %s, applied by run %lld (%s)", made, (long long)p->applied_run,
		         p->applied_status);
	else
		snprintf(line, sizeof(line), "planned %s, not applied: A applies it unless the catalog changed since", made);
	draw_line(d, y + 1, 0, line, p->applied_run ? ROLE_OK : ROLE_DIM);
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

/* An item's lines from row y, at most `room`; returns how many it used. */
static int draw_item(const struct plan_item *it, const struct draw *d, int y, int room)
{
	char line[1024], missing[32];
	if (str_eq(it->kind, "retire")) {
		format_time(it->missing_since, missing, sizeof(missing));
		snprintf(line, sizeof(line), "%-20s %-10s missing since %s (%lld runs)  %s", it->sku, it->action, missing,
		         (long long)it->missing_runs, it->name ? it->name : "");
	} else {
		snprintf(line, sizeof(line), "%-20s %s", it->sku, it->name ? it->name : "");
	}
	draw_line(d, y, 0, line, ROLE_NORMAL);
	int used = 1;
	for (size_t c = 0; c < it->nchanges && used < room; c++, used++) {
		const struct plan_change *ch = &it->changes[c];
		struct strbuf text = {0};
		sb_addf(&text, "%-18s ", ch->field);
		plan_value_text(ch->old_value, ch->old_known, &text);
		sb_addf(&text, " %s ", d->g->arrow);
		plan_value_text(ch->new_value, true, &text);
		draw_line(d, y + used, 4, sb_str(&text), ROLE_DIM);
		sb_free(&text);
	}
	return used;
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
	if (ps->count[ps->kind] == 0) {
		draw_line(d, top, 0, "nothing of this kind", ROLE_DIM);
		return;
	}
	int row = 0;
	for (size_t i = 0; i < ps->nitems && row < room; i++)
		row += draw_item(&ps->items[i], d, top + row, room - row);
}

static void plan_title(struct screen *s, struct strbuf *out)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	sb_addf(out, "Plan of run %lld", (long long)ps->run_id);
}

/* ---- actions ---- */

static void scroll_to(struct plan_screen *ps, int64_t top)
{
	int64_t last = ps->count[ps->kind] - 1;
	if (top > last)
		top = last;
	if (top < 0)
		top = 0;
	if (top != ps->top) {
		ps->top = top;
		read_items(ps);
	}
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
	dialog_confirm(ps->base.app, apply_confirmed, ps->run_id,
	               "Apply the plan: create %lld, update %lld and retire %lld products?", (long long)p->creates,
	               (long long)p->updates, (long long)p->retires);
}

static bool plan_act(struct screen *s, enum action a)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	if (!ps->found)
		return false;
	int page = ps->page > 1 ? ps->page - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP: scroll_to(ps, ps->top - 1); break;
	case ACTION_MOVE_DOWN: scroll_to(ps, ps->top + 1); break;
	case ACTION_PAGE_UP: scroll_to(ps, ps->top - page); break;
	case ACTION_PAGE_DOWN: scroll_to(ps, ps->top + page); break;
	case ACTION_FIRST: scroll_to(ps, 0); break;
	case ACTION_LAST: scroll_to(ps, ps->count[ps->kind] - page); break;
	case ACTION_NEXT_KIND:
		ps->kind = (enum kind)((ps->kind + 1) % KIND_COUNT);
		ps->top = 0;
		read_items(ps);
		break;
	case ACTION_APPLY_PLAN: ask_apply(ps); break;
	default: return false;
	}
	return true;
}

static void plan_free(struct screen *s)
{
	struct plan_screen *ps = (struct plan_screen *)s;
	free_items(ps);
	free(ps);
}

static const enum action plan_actions[] = {
	ACTION_NEXT_KIND, ACTION_APPLY_PLAN, ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN,
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
