/*
 * pagenum.c - recognise page furniture left by PDF extraction: lines that
 * hold only a page number.
 *
 * Accepted, with any spaces (ASCII, tab, U+3000) around and inside:
 *   N            1 to 4 ASCII or full-width digits ("8", " 31 ", "2021":
 *                a year-like line is accepted too; the caller decides)
 *   - N -        the number between dashes (-, –, —, −, －)
 *   第 N 页      also 第N頁
 *   Page N       case-insensitive, optionally "of M"; also "p. N"
 *   roman        a canonical roman numeral from 1 to 100 (i, iv, xii,
 *                XLII), all lower or all upper case
 * Anything else is text: "数字经济 8", "2021年", "Chapter 3".
 */
#include <string.h>

#include "cjk_private.h"

typedef struct cjk_scan {
	const unsigned char *s;
	size_t i, n;   /* bytes */
} cjk_scan;

/* The code point at the cursor (0 at the end), and its length in bytes. */
static uint32_t cjk_scan_peek(const cjk_scan *sc, size_t *used)
{
	if (sc->i >= sc->n) {
		*used = 0;
		return 0;
	}
	return cjk_utf8_get(sc->s + sc->i, sc->n - sc->i, used);
}

static bool cjk_scan_is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == 0x3000u || c == 0xA0u;
}

static void cjk_scan_spaces(cjk_scan *sc)
{
	size_t used;
	while (cjk_scan_is_space(cjk_scan_peek(sc, &used)))
		sc->i += used;
}

/* Consume c if it is next. */
static bool cjk_scan_take(cjk_scan *sc, uint32_t c)
{
	size_t used;
	if (cjk_scan_peek(sc, &used) != c || used == 0)
		return false;
	sc->i += used;
	return true;
}

static bool cjk_scan_is_dash(uint32_t c)
{
	return c == '-' || c == 0x2013u || c == 0x2014u || c == 0x2212u || c == 0xFF0Du;
}

/* Consume 1 to 4 ASCII or full-width digits. */
static bool cjk_scan_number(cjk_scan *sc)
{
	size_t digits = 0, used;
	for (;;) {
		uint32_t c = cjk_scan_peek(sc, &used);
		if (!((c >= '0' && c <= '9') || (c >= 0xFF10u && c <= 0xFF19u)))
			break;
		sc->i += used;
		digits++;
	}
	return digits >= 1 && digits <= 4;
}

/* Consume a case-insensitive ASCII word. */
static bool cjk_scan_word(cjk_scan *sc, const char *w)
{
	size_t n = strlen(w);
	if (sc->n - sc->i < n)
		return false;
	for (size_t k = 0; k < n; k++)
		if ((sc->s[sc->i + k] | 0x20u) != (unsigned char)w[k])
			return false;
	sc->i += n;
	return true;
}

static bool cjk_scan_at_end(cjk_scan *sc)
{
	cjk_scan_spaces(sc);
	return sc->i == sc->n;
}

/* A canonical roman numeral of value 1..100 spelled by the whole of
 * s[0..n), all lower or all upper case. */
static bool cjk_is_roman(const unsigned char *s, size_t n)
{
	static const char *const tens[] = { "", "x", "xx", "xxx", "xl", "l", "lx", "lxx", "lxxx", "xc" };
	static const char *const ones[] = { "", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix" };
	if (n == 0 || n > 8)
		return false;
	char low[9];
	bool upper = s[0] >= 'A' && s[0] <= 'Z';
	for (size_t k = 0; k < n; k++) {
		bool u = s[k] >= 'A' && s[k] <= 'Z';
		if (u != upper)
			return false;
		low[k] = (char)(s[k] | 0x20u);
	}
	low[n] = '\0';
	if (strcmp(low, "c") == 0)
		return true;
	for (int t = 0; t < 10; t++) {
		size_t tl = strlen(tens[t]);
		if (strncmp(low, tens[t], tl) != 0)
			continue;
		for (int o = 0; o < 10; o++)
			if ((t || o) && strcmp(low + tl, ones[o]) == 0)
				return true;
	}
	return false;
}

bool cjk_line_is_page_number(const char *line, size_t len)
{
	if (!line)
		return false;
	cjk_scan sc = { (const unsigned char *)line, 0, len };
	cjk_scan_spaces(&sc);
	size_t begin = sc.i;

	/* N, - N - */
	size_t used;
	uint32_t c = cjk_scan_peek(&sc, &used);
	if (cjk_scan_is_dash(c)) {
		sc.i += used;
		cjk_scan_spaces(&sc);
		if (!cjk_scan_number(&sc))
			return false;
		cjk_scan_spaces(&sc);
		if (!cjk_scan_is_dash(cjk_scan_peek(&sc, &used)))
			return false;
		sc.i += used;
		return cjk_scan_at_end(&sc);
	}
	if (cjk_scan_number(&sc))
		return cjk_scan_at_end(&sc);
	sc.i = begin;

	/* 第 N 页 */
	if (cjk_scan_take(&sc, 0x7B2Cu)) {                  /* 第 */
		cjk_scan_spaces(&sc);
		if (!cjk_scan_number(&sc))
			return false;
		cjk_scan_spaces(&sc);
		if (!cjk_scan_take(&sc, 0x9875u) && !cjk_scan_take(&sc, 0x9801u)) /* 页 頁 */
			return false;
		return cjk_scan_at_end(&sc);
	}

	/* Page N [of M], p. N */
	if (cjk_scan_word(&sc, "page") || cjk_scan_word(&sc, "p.")) {
		cjk_scan_spaces(&sc);
		if (!cjk_scan_number(&sc))
			return false;
		cjk_scan_spaces(&sc);
		if (cjk_scan_word(&sc, "of")) {
			cjk_scan_spaces(&sc);
			if (!cjk_scan_number(&sc))
				return false;
		}
		return cjk_scan_at_end(&sc);
	}

	/* roman numerals */
	while (sc.i < sc.n && ((sc.s[sc.i] | 0x20u) >= 'a' && (sc.s[sc.i] | 0x20u) <= 'z'))
		sc.i++;
	size_t letters = sc.i - begin;
	return cjk_scan_at_end(&sc) && cjk_is_roman(sc.s + begin, letters);
}
