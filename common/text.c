/* text.c - UTF-8, display width and control-character helpers. */
#include "text.h"

#include <unicode/utf8.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "strbuf.h"

uint32_t ws_utf8_next(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i;
	uint32_t c;
	size_t n;

	if (p[0] < 0x80) {
		*i += 1;
		return p[0];
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		goto bad;
	}
	if (left < n)
		goto bad;
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (p[k] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*i += n;
	return c;
bad:
	*i += 1;
	return 0xfffd;
}

size_t ws_utf8_encode(uint32_t c, char buf[4])
{
	size_t n = 0;
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = 0xFFFD;
	U8_APPEND_UNSAFE(buf, n, c);
	return n;
}

bool ws_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;
	while (i < len) {
		/* ASCII a word at a time: most of what is checked */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, u + i, 8);
			if (w & 0x8080808080808080u)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		size_t at = i;
		UChar32 c;
		U8_NEXT(u, i, len, c);
		if (c < 0) {
			if (bad)
				*bad = at;
			return false;
		}
	}
	return true;
}

size_t ws_utf8_count(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len) {
		ws_utf8_next(s, len, &i);
		n++;
	}
	return n;
}

bool ws_parse_decimal(const char *s, size_t max_digits, unsigned long long *out)
{
	size_t len = strlen(s), i = 0, n = 0;
	unsigned long long v = 0;
	while (i < len) {
		uint32_t c = ws_utf8_next(s, len, &i);
		if (u_charType((UChar32)c) != U_DECIMAL_DIGIT_NUMBER || ++n > max_digits)
			return false;
		v = v * 10 + (unsigned long long)u_charDigitValue((UChar32)c);
	}
	*out = v;
	return n > 0;
}

bool ws_is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x80 && u_isUWhiteSpace((UChar32)c));
}

bool ws_is_wide(uint32_t c)
{
	if (c < 0x1100)
		return false;
	int w = u_getIntPropertyValue((UChar32)c, UCHAR_EAST_ASIAN_WIDTH);
	return w == U_EA_WIDE || w == U_EA_FULLWIDTH;
}

int ws_char_width(uint32_t c)
{
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c == 0 || ws_is_unsafe(c))
		return 0;
	int8_t type = u_charType((UChar32)c);
	if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR)
		return 0;
	return ws_is_wide(c) ? 2 : 1;
}

size_t ws_str_width(const char *s, size_t len)
{
	size_t i = 0, w = 0;
	while (i < len)
		w += (size_t)ws_char_width(ws_utf8_next(s, len, &i));
	return w;
}

bool ws_is_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c;
}

char *ws_sanitize(const char *s, size_t len)
{
	strbuf sb = STRBUF_INIT;
	size_t i = 0;
	bool ok = strbuf_reserve(&sb, len);

	while (ok && i < len) {
		uint32_t c = ws_utf8_next(s, len, &i);
		char buf[4];
		if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f') {
			if (sb.len && sb.data[sb.len - 1] != ' ')
				ok = strbuf_appendc(&sb, ' ');
		} else if (!ws_is_unsafe(c)) {
			ok = strbuf_append(&sb, buf, ws_utf8_encode(c, buf));
		}
	}
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	if (!sb.data)
		return strdup("");
	return strbuf_detach(&sb);
}

char *ws_shown(const char *s, size_t len, size_t max)
{
	size_t cut = 0;
	for (size_t n = 0; cut < len && n < max; n++)
		ws_utf8_next(s, len, &cut);
	char *safe = ws_sanitize(s, cut);
	if (!safe || cut == len)
		return safe;
	char *t = ws_strdupf("%s…", safe);
	free(safe);
	return t;
}

bool ws_fail(char **err, const char *fmt, ...)
{
	if (!err || *err)
		return false;
	va_list ap;
	va_start(ap, fmt);
	*err = ws_vstrdupf(fmt, ap);
	va_end(ap);
	return false;
}

bool ws_parse_year(const char *s, size_t n, int *out)
{
	char buf[64];
	unsigned long long v;
	if (n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!ws_parse_decimal(buf, 4, &v) || v < 1000)
		return false;
	*out = (int)v;
	return true;
}
