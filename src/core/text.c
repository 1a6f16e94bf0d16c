#include "core/text.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 character; returns its length (0 at the end, -1 when invalid). */
static int decode(const char *s, wchar_t *wc)
{
	size_t n = utf8_valid_prefix(s, strnlen(s, 4));
	if (!*s)
		return 0;
	if (n == 0)
		return -1;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t len = mbrtowc(wc, s, n, &st);
	if (len == (size_t)-1 || len == (size_t)-2) {
		/* Not a UTF-8 locale: count each byte sequence as one column. */
		unsigned char c = (unsigned char)*s;
		*wc = L'?';
		return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	}
	return (int)len;
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
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
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
		int cw = len < 0 ? 1 : wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (used + (size_t)cw > width - 1)
			break;
		sb_add(out, s, len < 0 ? 1 : (size_t)len);
		used += (size_t)cw;
		s += len < 0 ? 1 : len;
	}
	sb_adds(out, ascii ? "~" : "\xE2\x80\xA6");
}
