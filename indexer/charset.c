#include "charset.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

/* How much of a file detection looks at. */
#define SAMPLE_BYTES 65536
/* ucsdet's confidence (0..100) below which its answer is not taken. */
#define MIN_CONFIDENCE 20

bool ws_charset_known(const char *name)
{
	if (!name || !*name)
		return false;
	UErrorCode e = U_ZERO_ERROR;
	UConverter *c = ucnv_open(name, &e);
	bool ok = U_SUCCESS(e) && c;
	ucnv_close(c);
	return ok;
}

void ws_decoded_free(ws_decoded *d)
{
	free(d->text);
	d->text = NULL;
}

/* The to-Unicode callback: every sequence that cannot be decoded (illegal,
 * unassigned, irregular, truncated at the end) becomes one U+FFFD, and is
 * counted in *(size_t *)context. */
static void substitute_and_count(const void *context, UConverterToUnicodeArgs *args, const char *units,
                                 int32_t length, UConverterCallbackReason reason, UErrorCode *err)
{
	(void)units;
	(void)length;
	if (reason != UCNV_UNASSIGNED && reason != UCNV_ILLEGAL && reason != UCNV_IRREGULAR)
		return;
	size_t *replaced = (size_t *)(uintptr_t)context;
	(*replaced)++;
	static const UChar fffd[1] = {0xFFFD};
	*err = U_ZERO_ERROR;
	ucnv_cbToUWriteUChars(args, fffd, 1, 0, err);
}

/* Convert data[0..len) from encoding name to UTF-8 into out (text, len,
 * chars, replaced).  A leading U+FEFF (a byte-order mark the converter
 * left) is dropped.  Returns WS_CHARSET_OK, or WS_CHARSET_NOMEM (also
 * for a converter ICU cannot open, which the caller has ruled out). */
static ws_charset_result convert(const char *data, size_t len, const char *name, ws_decoded *out)
{
	ws_charset_result rc = WS_CHARSET_NOMEM;
	UErrorCode e = U_ZERO_ERROR;
	UConverter *src = ucnv_open(name, &e);
	UConverter *dst = U_SUCCESS(e) ? ucnv_open("UTF-8", &e) : NULL;
	size_t replaced = 0;
	if (U_SUCCESS(e))
		ucnv_setToUCallBack(src, substitute_and_count, &replaced, NULL, NULL, &e);
	char *buf = NULL;
	if (U_FAILURE(e))
		goto out;
	/* Chinese in a double-byte encoding takes half as many bytes again in
	 * UTF-8; the buffer grows when that is not enough. */
	size_t cap = len + len / 2 + 64;
	buf = malloc(cap + 1);
	if (!buf)
		goto out;
	UChar pivot[4096];
	UChar *psrc = pivot, *ptgt = pivot;
	const char *s = data;
	char *t = buf;
	UBool reset = 1;
	for (;;) {
		e = U_ZERO_ERROR;
		ucnv_convertEx(dst, src, &t, buf + cap, &s, data + len, pivot, &psrc, &ptgt, pivot + 4096, reset, 1, &e);
		reset = 0;
		if (e != U_BUFFER_OVERFLOW_ERROR)
			break;
		size_t used = (size_t)(t - buf);
		char *p = realloc(buf, cap * 2 + 1);
		if (!p)
			goto out;
		buf = p;
		cap *= 2;
		t = buf + used;
	}
	if (U_FAILURE(e))
		goto out;
	size_t n = (size_t)(t - buf);
	size_t from = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (from)
		memmove(buf, buf + from, n - from);
	n -= from;
	buf[n] = '\0';
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)buf[i] & 0xC0) != 0x80;
	out->text = buf;
	out->len = n;
	out->chars = chars;
	out->replaced = replaced;
	buf = NULL;
	rc = WS_CHARSET_OK;
out:
	free(buf);
	ucnv_close(src);
	ucnv_close(dst);
	return rc;
}

/* UTF-8 statistics (ICU's U8_NEXT decides): characters, valid sequences
 * of more than one byte, invalid sequences. */
static void utf8_stats(const char *data, size_t len, size_t *chars, size_t *multi, size_t *bad)
{
	const uint8_t *s = (const uint8_t *)data;
	int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	*chars = *multi = *bad = 0;
	while (i < n) {
		int32_t at = i;
		UChar32 c;
		U8_NEXT(s, i, n, c);
		(*chars)++;
		if (c < 0)
			(*bad)++;
		else if (i - at > 1)
			(*multi)++;
	}
}

/* A UTF-16 code unit that text in Chinese or English is made of: ASCII
 * and Latin-1 letters, general and CJK punctuation, CJK ideographs,
 * full-width forms (surrogate pairs are counted apart). */
static bool plausible_unit(unsigned u)
{
	return u == 0x09 || u == 0x0A || u == 0x0C || u == 0x0D || (u >= 0x20 && u <= 0x7E) ||
	       (u >= 0xA0 && u <= 0xFF) || (u >= 0x2010 && u <= 0x206F) || (u >= 0x3000 && u <= 0x303F) ||
	       (u >= 0x4E00 && u <= 0x9FFF) || (u >= 0xFF00 && u <= 0xFFEF);
}

typedef struct u16_score {
	size_t units, plausible, nul;
	size_t high_zero; /* units 0x01..0xFF: ASCII, Latin-1 */
	size_t low_zero;  /* units 0xXX00 (but U+3000 and U+4E00): ASCII read in the wrong byte order */
} u16_score;

static void score_utf16(const uint8_t *p, size_t n, bool be, u16_score *s)
{
	memset(s, 0, sizeof *s);
	size_t units = n / 2;
	for (size_t i = 0; i < units; i++) {
		unsigned u = be ? (unsigned)p[2 * i] << 8 | p[2 * i + 1] : (unsigned)p[2 * i + 1] << 8 | p[2 * i];
		s->units++;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
			unsigned v = be ? (unsigned)p[2 * i + 2] << 8 | p[2 * i + 3]
			                : (unsigned)p[2 * i + 3] << 8 | p[2 * i + 2];
			if (v >= 0xDC00 && v <= 0xDFFF) {
				s->units++;
				s->plausible += 2;
				i++;
			}
			continue;
		}
		if (u == 0)
			s->nul++;
		else if (u < 0x100)
			s->high_zero++;
		else if ((u & 0xFF) == 0 && u != 0x3000 && u != 0x4E00)
			s->low_zero++;
		s->plausible += plausible_unit(u);
	}
}

/* Text in that byte order: no NUL unit, 98% plausible units, and not
 * the look of ASCII read the wrong way round. */
static bool good_utf16(const u16_score *s)
{
	return s->units >= 16 && s->nul == 0 && s->plausible * 50 >= s->units * 49 &&
	       s->low_zero <= s->high_zero * 2 + s->units / 20;
}

/* "UTF-16LE" or "UTF-16BE" when data is surely UTF-16 without a byte-order
 * mark (an even length, and text in one byte order only), else NULL;
 * *maybe is set when one byte order nearly reads as text. */
static const char *sure_utf16(const char *data, size_t len, bool *maybe)
{
	*maybe = false;
	size_t n = len < SAMPLE_BYTES ? len : SAMPLE_BYTES;
	u16_score le, be;
	score_utf16((const uint8_t *)data, n - n % 2, false, &le);
	score_utf16((const uint8_t *)data, n - n % 2, true, &be);
	*maybe = le.plausible * 10 >= le.units * 8 || be.plausible * 10 >= be.units * 8;
	if (len % 2 || len < 32)
		return NULL;
	bool gl = good_utf16(&le), gb = good_utf16(&be);
	if (gl && !gb)
		return "UTF-16LE";
	if (gb && !gl)
		return "UTF-16BE";
	return NULL;
}

/* NUL bytes in the sample, and whether nearly all of them fall on even
 * or nearly all on odd offsets (the mark of UTF-16). */
static size_t count_nuls(const char *data, size_t len, bool *one_parity)
{
	size_t n = len < SAMPLE_BYTES ? len : SAMPLE_BYTES, par[2] = {0, 0};
	for (size_t i = 0; i < n; i++)
		if (!data[i])
			par[i & 1]++;
	size_t all = par[0] + par[1];
	*one_parity = all && (par[0] * 10 >= all * 9 || par[1] * 10 >= all * 9);
	return all;
}

/* ucsdet's best answer among the encodings detected here (GB18030, which
 * covers GBK and GB2312, and Big5), when confident: name copied into
 * out->encoding.  Returns whether one was taken. */
static bool detect(const char *data, size_t len, ws_decoded *out)
{
	UErrorCode e = U_ZERO_ERROR;
	UCharsetDetector *csd = ucsdet_open(&e);
	int32_t n = len < SAMPLE_BYTES ? (int32_t)len : SAMPLE_BYTES;
	if (U_SUCCESS(e))
		ucsdet_setText(csd, data, n, &e);
	int32_t nm = 0;
	const UCharsetMatch **m = U_SUCCESS(e) ? ucsdet_detectAll(csd, &nm, &e) : NULL;
	bool taken = false;
	int32_t best = -1;
	for (int32_t i = 0; U_SUCCESS(e) && m && i < nm; i++) {
		const char *name = ucsdet_getName(m[i], &e);
		int32_t conf = ucsdet_getConfidence(m[i], &e);
		if (U_FAILURE(e) || !name)
			break;
		if (best < 0)
			best = conf;
		if (strcmp(name, "GB18030") != 0 && strcmp(name, "Big5") != 0)
			continue;
		/* the first of ours is our best: taken when confident, and
		 * not far behind an encoding we do not read (Korean or Japanese
		 * text reads as garbage Chinese) */
		if (conf >= MIN_CONFIDENCE && conf + 30 >= best) {
			snprintf(out->encoding, sizeof out->encoding, "%s", name);
			out->confidence = conf;
			taken = true;
		}
		break;
	}
	ucsdet_close(csd);
	return taken;
}

static ws_charset_result decode_as(const char *data, size_t len, const char *name, const char *how,
                                   ws_decoded *out, const char **why)
{
	if (name != out->encoding)
		snprintf(out->encoding, sizeof out->encoding, "%s", name);
	out->how = how;
	ws_charset_result rc = convert(data, len, name, out);
	if (rc != WS_CHARSET_OK) {
		*why = "out of memory";
		return rc;
	}
	/* over 10% undecodable: the wrong encoding, or not text */
	if (out->replaced * 10 > out->chars) {
		ws_decoded_free(out);
		*why = "mostly undecodable (over 10% of the characters are invalid)";
		return WS_CHARSET_DAMAGED;
	}
	return WS_CHARSET_OK;
}

ws_charset_result ws_charset_decode(const char *data, size_t len, const char *pin, ws_decoded *out,
                                    const char **why)
{
	memset(out, 0, sizeof *out);
	out->confidence = -1;
	const char *dummy;
	if (!why)
		why = &dummy;
	if (pin)
		return decode_as(data, len, pin, "pinned", out, why);

	/* a byte-order mark; UTF-32LE's begins like UTF-16LE's */
	static const struct { const char *bom; size_t n; const char *name; } boms[] = {
		{"\xEF\xBB\xBF", 3, "UTF-8"},
		{"\xFF\xFE\0\0", 4, "UTF-32LE"},
		{"\0\0\xFE\xFF", 4, "UTF-32BE"},
		{"\xFF\xFE", 2, "UTF-16LE"},
		{"\xFE\xFF", 2, "UTF-16BE"},
	};
	for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++) {
		if (len < boms[i].n || memcmp(data, boms[i].bom, boms[i].n) != 0)
			continue;
		if (i > 0)
			return decode_as(data + boms[i].n, len - boms[i].n, boms[i].name, "byte-order mark", out, why);
		/* UTF-8 with a BOM: read as it is when valid */
		size_t chars, multi, bad;
		utf8_stats(data + 3, len - 3, &chars, &multi, &bad);
		if (!bad) {
			snprintf(out->encoding, sizeof out->encoding, "UTF-8");
			out->how = "byte-order mark";
			out->len = len;
			out->skip = 3;
			return WS_CHARSET_OK;
		}
		return decode_as(data + 3, len - 3, "UTF-8", "byte-order mark", out, why);
	}

	/* UTF-16 without a byte-order mark only where it has NUL bytes (its
	 * ASCII, newlines included): CJK alone in UTF-16 is too much like
	 * Shift_JIS or GBK read two bytes at a time */
	bool one_parity;
	if (count_nuls(data, len, &one_parity)) {
		bool maybe;
		const char *u16 = sure_utf16(data, len, &maybe);
		if (u16)
			return decode_as(data, len, u16, "detected", out, why);
		if (one_parity && maybe) {
			*why = "looks like UTF-16 without a byte-order mark, but not surely: add one, or pin the "
			       "\"encoding\" in wensou-meta.json";
			return WS_CHARSET_UNSURE;
		}
		*why = "binary file (NUL bytes or control characters)";
		return WS_CHARSET_BINARY;
	}

	size_t chars, multi, bad;
	utf8_stats(data, len, &chars, &multi, &bad);
	if (!bad) {
		snprintf(out->encoding, sizeof out->encoding, "UTF-8");
		out->how = "valid";
		out->len = len;
		return WS_CHARSET_OK;
	}
	/* a few bad bytes among many good sequences: UTF-8 (ucsdet's own
	 * rule for UTF-8) */
	if (multi > bad * 10)
		return decode_as(data, len, "UTF-8", "mostly valid", out, why);
	if (detect(data, len, out))
		return decode_as(data, len, out->encoding, "detected", out, why);
	/* mostly ASCII with a stray byte or two (a Latin-1 quote) */
	if (bad * 100 <= chars)
		return decode_as(data, len, "UTF-8", "mostly valid", out, why);
	*why = "not text in an encoding wensou can tell (UTF-8, UTF-16, GB18030, Big5): pin the \"encoding\" in "
	       "wensou-meta.json";
	return WS_CHARSET_UNSURE;
}
