#include "core/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 character whatever the locale; returns its length (0 at the end, -1 when invalid). */
static int decode(const char *s, wchar_t *wc)
{
	if (!*s)
		return 0;
	size_t n = utf8_valid_prefix(s, strnlen(s, 4));
	unsigned char c = (unsigned char)*s;
	int len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (n < (size_t)len)
		return -1;
	uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
	for (int i = 1; i < len; i++)
		cp = (cp << 6) | ((unsigned char)s[i] & 0x3F);
	*wc = (wchar_t)cp;
	return len;
}

static bool in_ranges(uint32_t cp, const uint32_t (*ranges)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

/*
 * Columns of one character. The C library knows best in a UTF-8 locale (ncurses asks it too); in other
 * locales it answers -1 for everything beyond ASCII, so the common zero-width and wide ranges decide.
 */
static int char_width(wchar_t wc)
{
	int w = wcwidth(wc);
	if (w >= 0)
		return w;
	static const uint32_t zero[][2] = {
		{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
		{0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
		{0xFE20, 0xFE2F},
	};
	static const uint32_t wide[][2] = {
		{0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
		{0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE30, 0xFE4F}, {0xFF00, 0xFF60},
		{0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
	};
	uint32_t cp = (uint32_t)wc;
	if (in_ranges(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

void text_sanitize(const char *s, struct strbuf *out, int keep_newlines)
{
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' && keep_newlines) {
			sb_addc(out, '\n');
			s++;
		} else if (c == '\n') {
			sb_adds(out, "\\n");
			s++;
		} else if (c == '\t') {
			sb_addc(out, ' ');
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			sb_addc(out, '^');
			sb_addc(out, c == 0x7f ? '?' : (char)(c + '@'));
			s++;
		} else if (c < 0x80) {
			sb_addc(out, (char)c);
			s++;
		} else {
			size_t n = utf8_valid_prefix(s, strnlen(s, 4));
			size_t len = n ? (size_t)((c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2) : 0;
			if (len && len <= n) {
				/* C1 controls (U+0080..U+009F) act as escapes on some terminals. */
				if (c == 0xC2 && (unsigned char)s[1] < 0xA0)
					sb_addf(out, "\\u%04X", (unsigned char)s[1]);
				else
					sb_add(out, s, len);
				s += len;
			} else {
				sb_addf(out, "\\x%02X", c);
				s++;
			}
		}
	}
}

size_t text_width(const char *s)
{
	size_t w = 0;
	wchar_t wc;
	int len;
	while ((len = decode(s, &wc)) != 0) {
		if (len < 0) {
			w++;
			s++;
			continue;
		}
		w += (size_t)char_width(wc);
		s += len;
	}
	return w;
}

void text_fit(const char *s, size_t width, int ascii, struct strbuf *out)
{
	if (text_width(s) <= width) {
		sb_adds(out, s);
		return;
	}
	if (width == 0)
		return;
	size_t used = 0;
	wchar_t wc;
	int len;
	while ((len = decode(s, &wc)) != 0) {
		int cw = len < 0 ? 1 : char_width(wc);
		if (used + (size_t)cw > width - 1)
			break;
		sb_add(out, s, len < 0 ? 1 : (size_t)len);
		used += (size_t)cw;
		s += len < 0 ? 1 : len;
	}
	sb_adds(out, ascii ? "~" : "\xE2\x80\xA6");
}

void csv_field(const char *s, struct strbuf *out)
{
	sb_addc(out, '"');
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')
		sb_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(out, '"');
		sb_addc(out, *s);
	}
	sb_addc(out, '"');
}
