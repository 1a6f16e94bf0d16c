/* Sparklines of recent runs (see sparkline.h). */
#include "tui/sparkline.h"

#include "core/store.h"

static const char *const levels_utf8[] = {
	"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
	"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
};
static const char *const levels_ascii[] = {".", ":", "|", "#"};

const char *sparkline_glyph(const struct glyphs *g, const struct recent_runs *h, int i, enum role *role)
{
	const struct recent_run *r = &h->runs[i];
	*role = status_role(r->status);
	if (!str_eq(r->status, RUN_COMPLETED))
		return status_symbol(g, r->status);
	const char *const *levels = g->ascii ? levels_ascii : levels_utf8;
	int n = g->ascii ? (int)ARRAY_LEN(levels_ascii) : (int)ARRAY_LEN(levels_utf8);
	/* The longest run is full height; the rest round up, so a run of any length shows. */
	int level = h->max_duration_ms > 0 ? (int)((r->duration_ms * n + h->max_duration_ms - 1) / h->max_duration_ms) : n;
	if (level < 1)
		level = 1;
	return levels[(level > n ? n : level) - 1];
}

void sparkline_text(const struct glyphs *g, const struct recent_runs *h, struct strbuf *out)
{
	enum role role;
	for (int i = 0; i < h->n; i++)
		sb_adds(out, sparkline_glyph(g, h, i, &role));
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
