/*
 * The stats screen: per connection and per shop, what the runs of the last 30 days did (the figures of
 * `feedsync stats`), read again when the data changes, at most every STATS_RELOAD_MS (or RELOAD_SHARE times
 * what the last reading cost): a run in progress commits a few times a second, and a month of runs takes
 * tens of milliseconds to sum. Failures are
 * coloured, and named by their share in the text, so they read without colour too.
 *
 * Summing 100k runs takes longer than a frame, so it is done in slices (a stats_job), STEP_BUDGET_MS of
 * them per frame, one frame every STEP_TICK_MS: the screen opens at once, saying the figures are being
 * computed (or, reading them again, showing the previous ones), and keys work meanwhile.
 */
#include <stdlib.h>

#include "core/store_stats.h"
#include "tui/screens.h"
#include "tui/scroll.h"

#define STATS_DAYS 30
#define DAY_MS (24LL * 3600 * 1000)
#define STATS_RELOAD_MS 3000
#define STEP_BUDGET_MS 6.0   /* of a 16 ms frame: what the drawing leaves */
#define STEP_TICK_MS 20
/* A reload costs what its steps did: reading again no sooner than this many times that keeps the screen's
 * share of a core near 0.5% (as the console's polling does for the other screens) while runs land. */
#define RELOAD_SHARE 200

struct stats_screen;

/* What a line of the screen shows. */
enum line_kind { LINE_RULE, LINE_HEADER, LINE_ROW, LINE_NONE, LINE_BLANK, LINE_PENDING };

struct line {
	enum line_kind kind;
	const struct stats_row *row;   /* LINE_ROW */
	const char *title;             /* LINE_RULE */
	size_t count;                  /* LINE_RULE: rows in the section */
	const struct stats_screen *screen;   /* LINE_PENDING: its progress */
};

struct stats_screen {
	struct screen base;
	struct stats stats;            /* as shown */
	struct stats_job job;          /* the figures being read, while computing */
	bool computing;
	bool shown;                    /* stats holds figures read to the end */
	struct line *lines;
	size_t nlines;
	size_t top;
	int rows;                      /* as last drawn */
	int64_t loaded_at;             /* monotonic ms; 0 = never */
	int64_t reload_ms;             /* the interval between reloads: STATS_RELOAD_MS at least */
	bool stale;                    /* the data changed since, and is read again once reload_ms passed */
};

static void add_line(struct stats_screen *ss, struct line l)
{
	ss->lines = xrealloc(ss->lines, (ss->nlines + 1) * sizeof(*ss->lines));
	ss->lines[ss->nlines++] = l;
}

static void add_section(struct stats_screen *ss, const char *title, const struct stats_row *rows, size_t n)
{
	add_line(ss, (struct line){.kind = LINE_RULE, .title = title, .count = n});
	add_line(ss, (struct line){.kind = n ? LINE_HEADER : LINE_NONE});
	for (size_t i = 0; i < n; i++)
		add_line(ss, (struct line){.kind = LINE_ROW, .row = &rows[i]});
}

static void build_lines(struct stats_screen *ss)
{
	ss->nlines = 0;
	if (!ss->shown) {
		add_line(ss, (struct line){.kind = LINE_PENDING, .screen = ss});
		return;
	}
	add_section(ss, "Connections", ss->stats.conns, ss->stats.nconns);
	add_line(ss, (struct line){.kind = LINE_BLANK});
	add_section(ss, "Destinations", ss->stats.dests, ss->stats.ndests);
}

/* Starts reading the figures again; the ones shown stay until the new ones are complete. */
static void reload(struct stats_screen *ss)
{
	struct screen *s = &ss->base;
	ss->loaded_at = monotonic_ms();
	ss->stale = false;
	ss->computing = stats_job_start(s->app->store, now_ms() - STATS_DAYS * DAY_MS, 0, &ss->job) == 0;
	if (!ss->computing)
		app_message(s->app, ROLE_ERROR, "cannot read the runs' stats: %s", store_errmsg(s->app->store));
}

/* A frame's share of the reading; the figures replace the shown ones once complete. */
static void compute_step(struct stats_screen *ss)
{
	struct screen *s = &ss->base;
	int rc = stats_job_step(s->app->store, &ss->job, STEP_BUDGET_MS);
	if (rc == 0)
		return;
	ss->computing = false;
	int64_t share = (int64_t)(ss->job.spent_ms * RELOAD_SHARE);
	ss->reload_ms = share > STATS_RELOAD_MS ? share : STATS_RELOAD_MS;
	stats_free(&ss->stats);
	if (rc < 0) {
		app_message(s->app, ROLE_ERROR, "cannot read the runs' stats: %s", store_errmsg(s->app->store));
		stats_job_free(&ss->job);
	} else {
		stats_job_take(&ss->job, &ss->stats);
	}
	ss->shown = true;
	build_lines(ss);
}

static bool reload_due(const struct stats_screen *ss)
{
	return !ss->loaded_at || monotonic_ms() - ss->loaded_at >= ss->reload_ms;
}

static void stats_load(struct screen *s)
{
	struct stats_screen *ss = (struct stats_screen *)s;
	if (reload_due(ss) && !ss->computing)
		reload(ss);
	else
		ss->stale = true;   /* a reading under way finishes first: restarted, a long one would never end */
	build_lines(ss);
}

/* Computing, the screen ticks every STEP_TICK_MS; stale, once the reload is due (seen at the next poll). */
static bool stats_ticking(struct screen *s)
{
	struct stats_screen *ss = (struct stats_screen *)s;
	return ss->computing || (ss->stale && reload_due(ss));
}

/* Column widths: the name takes what the figures leave. */
static const int figure_width[STATS_COLUMNS] = {0, 8, 6, 8, 8, 8, 8, 8};

static void draw_cells(const struct draw *d, int y, const char *const *text, const attr_t *attr)
{
	int width = getmaxx(d->win), figures = 0;
	for (int k = 1; k < STATS_COLUMNS; k++)
		figures += figure_width[k] + 1;
	int x = 1, name = width - 2 - figures;
	draw_text(d, y, 0, 1, "", 'l', theme_attr(d->theme, ROLE_NORMAL));
	for (int k = 0; k < STATS_COLUMNS; k++) {
		int w = k ? figure_width[k] : name;
		draw_text(d, y, x, w, text[k], stats_align[k], attr[k]);
		x += w;
		if (x < width)
			draw_text(d, y, x++, 1, "", 'l', theme_attr(d->theme, ROLE_NORMAL));
	}
	if (x < width)
		draw_text(d, y, x, width - x, "", 'l', theme_attr(d->theme, ROLE_NORMAL));
}

static void draw_row(const struct draw *d, int y, const struct stats_row *r)
{
	struct stats_cells c;
	stats_row_cells(r, STATS_DAYS, &c);
	const char *text[STATS_COLUMNS];
	attr_t attr[STATS_COLUMNS];
	for (int k = 0; k < STATS_COLUMNS; k++) {
		text[k] = c.text[k];
		attr[k] = theme_attr(d->theme, ROLE_NORMAL);
	}
	double rate = stats_failure_rate(r);
	attr[2] = theme_attr(d->theme, rate >= 0.5 ? ROLE_ERROR : rate > 0 ? ROLE_WARN : ROLE_OK);
	draw_cells(d, y, text, attr);
}

static void draw_line(const struct draw *d, int y, const struct line *l)
{
	attr_t normal = theme_attr(d->theme, ROLE_NORMAL);
	switch (l->kind) {
	case LINE_RULE: {
		char title[64];
		snprintf(title, sizeof(title), "%s (%zu)", l->title, l->count);
		draw_rule(d, y, title);
		break;
	}
	case LINE_HEADER: {
		attr_t attr[STATS_COLUMNS];
		for (int k = 0; k < STATS_COLUMNS; k++)
			attr[k] = theme_attr(d->theme, ROLE_HEADER);
		draw_cells(d, y, stats_headers, attr);
		break;
	}
	case LINE_ROW: draw_row(d, y, l->row); break;
	case LINE_NONE: draw_text(d, y, 0, getmaxx(d->win), " no runs in the last 30 days", 'l',
		                      theme_attr(d->theme, ROLE_DIM)); break;
	case LINE_BLANK: draw_text(d, y, 0, getmaxx(d->win), "", 'l', normal); break;
	case LINE_PENDING: {
		const struct stats_screen *ss = l->screen;
		char text[96];
		snprintf(text, sizeof(text), " computing the figures of the last %d days... %.0f%%", STATS_DAYS,
		         100.0 * stats_job_progress(&ss->job));
		draw_text(d, y, 0, getmaxx(d->win), text, 'l', theme_attr(d->theme, ROLE_DIM));
		break;
	}
	}
}

static void stats_draw(struct screen *s, const struct draw *d, int y, int h)
{
	struct stats_screen *ss = (struct stats_screen *)s;
	if (ss->stale && reload_due(ss) && !ss->computing)
		reload(ss);
	if (ss->computing)
		compute_step(ss);
	ss->rows = h;
	scroll_clamp(&ss->top, h, ss->nlines);
	for (int i = 0; i < h; i++) {
		size_t k = ss->top + (size_t)i;
		if (k < ss->nlines)
			draw_line(d, y + i, &ss->lines[k]);
		else
			draw_text(d, y + i, 0, getmaxx(d->win), "", 'l', theme_attr(d->theme, ROLE_NORMAL));
	}
}

static bool stats_act(struct screen *s, enum action a)
{
	struct stats_screen *ss = (struct stats_screen *)s;
	return scroll_act(&ss->top, ss->rows, ss->nlines, a);
}

static void stats_title(struct screen *s, struct strbuf *out)
{
	const struct stats_screen *ss = (const struct stats_screen *)s;
	sb_addf(out, "Stats, last %d days%s", STATS_DAYS, ss->computing && ss->shown ? " (updating...)" : "");
}

static void stats_screen_free(struct screen *s)
{
	struct stats_screen *ss = (struct stats_screen *)s;
	stats_free(&ss->stats);
	if (ss->computing)
		stats_job_free(&ss->job);
	free(ss->lines);
	free(ss);
}

const struct screen_ops stats_screen_ops = {
	.name = "Stats",
	.actions = scroll_actions,
	.load = stats_load,
	.draw = stats_draw,
	.act = stats_act,
	.title = stats_title,
	.ticking = stats_ticking,
	.tick_ms = STEP_TICK_MS,
	.free = stats_screen_free,
};

struct screen *screen_stats_new(struct app *app)
{
	struct stats_screen *ss = xcalloc(1, sizeof(*ss));
	ss->base.ops = &stats_screen_ops;
	ss->base.app = app;
	ss->reload_ms = STATS_RELOAD_MS;
	return &ss->base;
}
