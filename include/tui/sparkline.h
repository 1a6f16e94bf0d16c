/*
 * A connection's last runs as one glyph each, oldest to newest: a completed run is a bar as high as its
 * duration against the longest of them (▁..█, or .:|# in ASCII); any other run shows its status symbol
 * (✘/x failed, ▲/! with errors, ▶/> running, …/. queued, ⊘/- cancelled), so the picture reads without colour.
 * With colour, each glyph also takes its status's role.
 */
#ifndef FEEDSYNC_TUI_SPARKLINE_H
#define FEEDSYNC_TUI_SPARKLINE_H

#include "core/store_stats.h"
#include "tui/draw.h"

/* The bar of value against max (the full height): ▁..█, or .:|# in ASCII; the lowest for 0. */
const char *sparkline_level(const struct glyphs *g, double value, double max);
/* The glyph of run i of h and its colour role. */
const char *sparkline_glyph(const struct glyphs *g, const struct recent_runs *h, int i, enum role *role);
/* The glyphs of every run of h, as text. */
void sparkline_text(const struct glyphs *g, const struct recent_runs *h, struct strbuf *out);
/*
 * A shop's last requests (recent_outcomes: '+' success, '-' failure) as a strip, ✔✔✘✔ or ++-+ in ASCII, with
 * each glyph's role. The text holds the newest `max` of them.
 */
const char *outcome_glyph(const struct glyphs *g, char outcome, enum role *role);
void outcomes_text(const struct glyphs *g, const char *outcomes, int max, struct strbuf *out);
/* The newest of them in columns [x, x + width) of row y, left-aligned, each in its role's colour. */
void outcomes_draw(const struct draw *d, int y, int x, int width, const char *outcomes);
/* The sparkline right-aligned in columns [x, x + width) of row y, each glyph in its role's colour. */
void sparkline_draw(const struct draw *d, int y, int x, int width, const struct recent_runs *h);

#endif
