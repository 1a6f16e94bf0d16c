/* Sparklines of recent runs and strips of a shop's last requests (see sparkline.h). */
#include "tui/sparkline.h"

#include <string.h>

#include "core/store.h"

static const char *const levels_utf8[] = {
	"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
	"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
};
static const char *const levels_ascii[] = {".", ":", "|", "#"};

const char *sparkline_level(const struct glyphs *g, double value, double max)
{
	const char *const *levels = g->ascii ? levels_ascii : levels_utf8;
	int n = g->ascii ? (int)ARRAY_LEN(levels_ascii) : (int)ARRAY_LEN(levels_utf8);
	/* The highest value is full height; the rest round up, so any value above zero shows. */
	double scaled = max > 0 ? value * n / max : n;
	int level = (int)scaled;
	if (level < scaled)
		level++;
	if (level < 1)
		level = 1;
	return levels[(level > n ? n : level) - 1];
}

const char *sparkline_glyph(const struct glyphs *g, const struct recent_runs *h, int i, enum role *role)
{
	const struct recent_run *r = &h->runs[i];
	*role = status_role(r->status);
	if (!str_eq(r->status, RUN_COMPLETED))
		return status_symbol(g, r->status);
	return sparkline_level(g, (double)r->duration_ms, (double)h->max_duration_ms);
}

void sparkline_text(const struct glyphs *g, const struct recent_runs *h, struct strbuf *out)
{
	enum role role;
	for (int i = 0; i < h->n; i++)
		sb_adds(out, sparkline_glyph(g, h, i, &role));
}

const char *outcome_glyph(const struct glyphs *g, char outcome, enum role *role)
{
	bool ok = outcome == '+';
	*role = ok ? ROLE_OK : ROLE_ERROR;
	return ok ? g->ok : g->ascii ? "-" : g->failed;
}

/* The first of the newest `max` outcomes. */
static const char *newest(const char *outcomes, int max)
{
	size_t n = strlen(outcomes);
	return max >= 0 && n > (size_t)max ? outcomes + n - (size_t)max : outcomes;
}

void outcomes_text(const struct glyphs *g, const char *outcomes, int max, struct strbuf *out)
{
	enum role role;
	for (const char *p = newest(outcomes, max); *p; p++)
		sb_adds(out, outcome_glyph(g, *p, &role));
}

void outcomes_draw(const struct draw *d, int y, int x, int width, const char *outcomes)
{
	for (const char *p = newest(outcomes, width); *p; p++) {
		enum role role;
		const char *glyph = outcome_glyph(d->g, *p, &role);
		wattrset(d->win, theme_attr(d->theme, role));
		mvwaddstr(d->win, y, x++, glyph);
	}
}

void sparkline_draw(const struct draw *d, int y, int x, int width, const struct recent_runs *h)
{
	int first = h->n > width ? h->n - width : 0;   /* the newest runs when there is no room for all */
	int col = x + width - (h->n - first);
	wattrset(d->win, theme_attr(d->theme, ROLE_NORMAL));
	mvwhline(d->win, y, x, ' ', col - x);
	for (int i = first; i < h->n; i++) {
		enum role role;
		const char *glyph = sparkline_glyph(d->g, h, i, &role);
		wattrset(d->win, theme_attr(d->theme, role));
		mvwaddstr(d->win, y, col++, glyph);
	}
}
