/* Text cells, rules, bars and status symbols, in UTF-8 or ASCII. */
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/store.h"
#include "core/text.h"

const struct glyphs glyphs_utf8 = {
	.ok = "\xE2\x9C\x94", .errors = "\xE2\x96\xB2", .failed = "\xE2\x9C\x98", .running = "\xE2\x96\xB6",
	.queued = "\xE2\x80\xA6", .cancelled = "\xE2\x8A\x98", .never = "\xC2\xB7",
	.sort_up = "\xE2\x96\xB2", .sort_down = "\xE2\x96\xBC",
	.hline = "\xE2\x94\x80", .arrow = "\xE2\x86\x92", .bar_full = "\xE2\x96\x88", .bar_empty = "\xE2\x96\x91",
	.dot = "\xC2\xB7", .ascii = false,
};

const struct glyphs glyphs_ascii = {
	.ok = "+", .errors = "!", .failed = "x", .running = ">", .queued = ".", .cancelled = "-", .never = " ",
	.sort_up = "^", .sort_down = "v",
	.hline = "-", .arrow = ">", .bar_full = "#", .bar_empty = ".", .dot = "-", .ascii = true,
};

void draw_clean(const char *text, bool ascii, struct strbuf *out)
{
	struct strbuf safe = {0};
	text_sanitize(text ? text : "", &safe, 0);
	if (!ascii) {
		sb_add(out, safe.buf ? safe.buf : "", safe.len);
		sb_free(&safe);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)sb_str(&safe); *p; p++) {
		if (*p < 0x80)
			sb_addc(out, (char)*p);
		else if ((*p & 0xC0) != 0x80)   /* one '?' per character, none for continuation bytes */
			sb_addc(out, '?');
	}
	sb_free(&safe);
}

static void fit(const struct draw *d, const char *text, int width, struct strbuf *out)
{
	struct strbuf clean = {0};
	draw_clean(text, d->g->ascii, &clean);
	text_fit(sb_str(&clean), width > 0 ? (size_t)width : 0, d->g->ascii, out);
	sb_free(&clean);
}

int draw_span(const struct draw *d, int y, int x, int width, const char *text, attr_t attr)
{
	if (width <= 0)
		return 0;
	struct strbuf cell = {0};
	fit(d, text, width, &cell);
	wattrset(d->win, attr);
	mvwaddstr(d->win, y, x, sb_str(&cell));
	int used = (int)text_width(sb_str(&cell));
	sb_free(&cell);
	return used;
}

static void pad(const struct draw *d, int y, int x, int n)
{
	if (n > 0)
		mvwhline(d->win, y, x, ' ', n);
}

void draw_text(const struct draw *d, int y, int x, int width, const char *text, char align, attr_t attr)
{
	if (width <= 0)
		return;
	struct strbuf cell = {0};
	fit(d, text, width, &cell);
	int used = (int)text_width(sb_str(&cell));
	wattrset(d->win, attr);
	if (align == 'r') {
		pad(d, y, x, width - used);
		mvwaddstr(d->win, y, x + width - used, sb_str(&cell));
	} else {
		mvwaddstr(d->win, y, x, sb_str(&cell));
		pad(d, y, x + used, width - used);
	}
	sb_free(&cell);
}

static void repeat(const struct draw *d, int y, int x, int n, const char *glyph)
{
	struct strbuf sb = {0};
	for (int i = 0; i < n; i++)
		sb_adds(&sb, glyph);
	mvwaddstr(d->win, y, x, sb_str(&sb));
	sb_free(&sb);
}

void draw_rule(const struct draw *d, int y, const char *title)
{
	int width = getmaxx(d->win);
	wattrset(d->win, theme_attr(d->theme, ROLE_BORDER));
	repeat(d, y, 0, 2, d->g->hline);
	int x = 2;
	if (title && *title) {
		wattrset(d->win, theme_attr(d->theme, ROLE_NORMAL));
		mvwaddstr(d->win, y, x, " ");
		x += 1 + draw_span(d, y, x + 1, width - x - 2, title, theme_attr(d->theme, ROLE_NORMAL) | A_BOLD);
		wattrset(d->win, theme_attr(d->theme, ROLE_NORMAL));
		mvwaddstr(d->win, y, x++, " ");
	}
	wattrset(d->win, theme_attr(d->theme, ROLE_BORDER));
	if (width > x)
		repeat(d, y, x, width - x, d->g->hline);
}

void draw_bar(const struct draw *d, int y, int x, int width, double fraction, attr_t attr)
{
	int full = fraction < 0 ? 0 : fraction >= 1 ? width : (int)(fraction * width);
	wattrset(d->win, attr);
	repeat(d, y, x, full, d->g->bar_full);
	wattrset(d->win, theme_attr(d->theme, ROLE_DIM));
	repeat(d, y, x + full, width - full, d->g->bar_empty);
}

const char *status_symbol(const struct glyphs *g, const char *status)
{
	if (str_eq(status, RUN_COMPLETED))
		return g->ok;
	if (str_eq(status, RUN_COMPLETED_WITH_ERRORS))
		return g->errors;
	if (str_eq(status, RUN_FAILED))
		return g->failed;
	if (str_eq(status, RUN_RUNNING))
		return g->running;
	if (str_eq(status, RUN_QUEUED))
		return g->queued;
	if (str_eq(status, RUN_CANCELLED))
		return g->cancelled;
	return g->never;
}

const char *status_word(const char *status)
{
	if (!status || !*status)
		return "never";
	if (str_eq(status, RUN_COMPLETED))
		return "ok";
	if (str_eq(status, RUN_COMPLETED_WITH_ERRORS))
		return "errors";
	return status;
}

enum role status_role(const char *status)
{
	if (str_eq(status, RUN_COMPLETED))
		return ROLE_OK;
	if (str_eq(status, RUN_COMPLETED_WITH_ERRORS))
		return ROLE_WARN;
	if (str_eq(status, RUN_FAILED))
		return ROLE_ERROR;
	if (str_eq(status, RUN_RUNNING) || str_eq(status, RUN_QUEUED))
		return ROLE_RUNNING;
	return ROLE_DIM;
}

static double phase_progress(const struct run_row *r)
{
	const int64_t *c = r->counters;
	if (str_eq(r->phase, "pushing") && c[RC_PUSH_QUEUED] > 0)
		return (double)(c[RC_PUSH_PROCESSED] + c[RC_PUSH_FAILED]) / (double)c[RC_PUSH_QUEUED];
	if (c[RC_BYTES_TOTAL] > 0 && (str_eq(r->phase, "download") || str_eq(r->phase, "local_import")))
		return (double)c[RC_BYTES_DONE] / (double)c[RC_BYTES_TOTAL];
	return -1;
}

double run_progress(const struct run_row *r)
{
	if (run_status_active(r->status))
		return phase_progress(r);
	if (str_eq(r->status, RUN_COMPLETED) || str_eq(r->status, RUN_COMPLETED_WITH_ERRORS))
		return 1;   /* every row went through; the failed ones are counted apart */
	double reached = phase_progress(r);
	return reached < 0 ? 0 : reached;
}

void format_age(int64_t at_ms, int64_t now, char *buf, size_t size)
{
	if (!at_ms) {
		snprintf(buf, size, "-");
		return;
	}
	int64_t s = (now > at_ms ? now - at_ms : at_ms - now) / 1000;
	const char *fmt = now >= at_ms ? "%lld%s ago" : "in %lld%s";
	if (s < 60)
		snprintf(buf, size, fmt, (long long)s, "s");
	else if (s < 3600)
		snprintf(buf, size, fmt, (long long)(s / 60), "m");
	else if (s < 86400)
		snprintf(buf, size, fmt, (long long)(s / 3600), "h");
	else
		snprintf(buf, size, fmt, (long long)(s / 86400), "d");
}

/* Bytes of the longest prefix of s that fits in width columns, preferring to break after a space. */
static size_t wrap_point(const char *s, int width)
{
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t pos = 0, last_space = 0;
	int used = 0;
	while (s[pos]) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + pos, strlen(s + pos), &st);
		int w = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&st, 0, sizeof(st));
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		if (used + w > width)
			break;
		used += w;
		pos += n;
		if (wc == L' ')
			last_space = pos;
	}
	if (!s[pos])
		return pos;
	if (last_space > pos / 2)
		return last_space;
	return pos ? pos : 1;
}

int draw_wrap(const char *text, int width, bool ascii, void (*line)(void *ud, int i, const char *s), void *ud)
{
	int count = 0;
	const char *p = text;
	struct strbuf raw = {0}, clean = {0};
	while (*p || p == text) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		sb_reset(&raw);
		sb_add(&raw, p, len);
		sb_reset(&clean);
		draw_clean(sb_str(&raw), ascii, &clean);
		const char *s = sb_str(&clean);
		do {
			size_t cut = wrap_point(s, width);
			char *piece = xstrndup(s, cut);
			if (line)
				line(ud, count, piece);
			free(piece);
			count++;
			s += cut;
		} while (*s);
		if (!nl)
			break;
		p = nl + 1;
	}
	sb_free(&raw);
	sb_free(&clean);
	return count;
}

static char fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool text_contains_folded(const char *hay, const char *needle)
{
	for (; *hay; hay++) {
		size_t i = 0;
		while (needle[i] && fold(hay[i]) == fold(needle[i]))
			i++;
		if (!needle[i])
			return true;
	}
	return false;
}
