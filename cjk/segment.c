/*
 * segment.c - turn one repaired chunk (UTF-16, see linefix.c) into terms.
 *
 * ICU's word break iterator gives segments; segments with status
 * UBRK_WORD_NONE (spaces, punctuation, symbols) make no terms.  Each
 * other segment is split into maximal pieces of Han and of non-Han
 * characters (a dictionary segment may mix Han and kana: 食べる):
 *   - Han pieces are appended to the current Han *run*, a maximal
 *     sequence of Han characters adjacent in the repaired text.  ICU may
 *     cut a run into several segments (鸿|沟); the run does not care.
 *     When the run ends it yields one CHAR (run of 1), or all its BIGRAMs
 *     plus a CJK_WORD for every piece of three or more characters and
 *     every lexicon word made of adjacent pieces (run of 2 or more), in
 *     position order, a bigram before the words at the same character.
 *   - a non-Han piece is one WORD (followed by its STEM) or NUMBER (when
 *     ICU calls it a number or it holds a digit once folded: "5g",
 *     "1835tbps", "99.7").
 * Every Han character and every WORD/NUMBER takes one position, also
 * when its term is dropped for being longer than CJK_MAX_TERM_BYTES.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>

#include "cjk_private.h"

/* Byte (in the original input) just after the character whose first
 * UTF-16 unit is u. */
static inline size_t cjk_seg_char_end(const cjk_analyzer *a, size_t u)
{
	size_t b = a->chunk_base + a->map[u];
	return b + cjk_utf8_len((unsigned char)a->text[b]);
}

/* Write units [from, to) as UTF-8 into a term text slot; returns bytes. */
static size_t cjk_seg_put_units(const cjk_analyzer *a, char *out, size_t from, size_t to)
{
	size_t o = 0;
	size_t i = from;
	while (i < to) {
		UChar32 c;
		U16_NEXT(a->u16, i, to, c);
		o += cjk_utf8_put(out + o, (uint32_t)c);
	}
	return o;
}

/* Emit the term made of units [from, to) of the repaired text. */
static bool cjk_seg_emit_units(cjk_analyzer *a, cjk_term_kind kind, uint32_t pos,
			       size_t from, size_t to, size_t start, size_t end)
{
	/* A UTF-16 unit is 1 to 3 UTF-8 bytes. */
	if (to - from > CJK_MAX_TERM_BYTES)
		return true;            /* certainly too long: dropped */
	char *out = cjk_termbuf_text(&a->tb, (to - from) * 3);
	if (!out)
		goto oom;
	size_t len = cjk_seg_put_units(a, out, from, to);
	if (len > CJK_MAX_TERM_BYTES)
		return true;
	if (!cjk_termbuf_push(&a->tb, len, kind, pos, start, end))
		goto oom;
	return true;
oom:
	cjk_analyzer_fail(a, "out of memory", 0);
	return false;
}

/* Units just after char k of the run. */
static inline size_t cjk_run_unit_end(const cjk_analyzer *a, size_t k)
{
	return k + 1 < a->run_n ? a->run_unit[k + 1] : a->run_end;
}

/* Lexicon words starting at char c, a piece boundary: the longest
 * concatenation of two or more adjacent pieces, of 3 to
 * CJK_LEXICON_MAX_CHARS chars, that the lexicon holds. */
static bool cjk_run_lexicon(cjk_analyzer *a, size_t c)
{
	size_t ends[CJK_LEXICON_MAX_CHARS + 1];
	size_t np = 0, k = c;
	while (k < a->run_n && a->run_piece[k] &&
	       k + a->run_piece[k] - c <= CJK_LEXICON_MAX_CHARS) {
		k += a->run_piece[k];
		ends[np++] = k;
	}
	char buf[CJK_LEXICON_MAX_CHARS * 4 + 1];
	for (size_t p = np; p >= 2; p--) {
		size_t last = ends[p - 1];      /* chars [c, last) */
		if (last - c < 3)
			break;
		size_t from = a->run_unit[c], to = cjk_run_unit_end(a, last - 1);
		size_t len = cjk_seg_put_units(a, buf, from, to);
		if (!cjk_lexicon_has(a->lexicon, buf, len))
			continue;
		return cjk_seg_emit_units(a, CJK_TERM_CJK_WORD, a->run_pos + (uint32_t)c,
					  from, to,
					  a->chunk_base + a->map[from],
					  cjk_seg_char_end(a, a->run_unit[last - 1]));
	}
	return true;
}

/* Emit the terms of the current Han run and empty it. */
static bool cjk_run_flush(cjk_analyzer *a)
{
	size_t n = a->run_n;
	if (n == 0)
		return true;
	bool ok = true;
	if (n == 1) {
		size_t u = a->run_unit[0];
		ok = cjk_seg_emit_units(a, CJK_TERM_CHAR, a->run_pos, u, a->run_end,
					a->chunk_base + a->map[u], cjk_seg_char_end(a, u));
		a->run_n = 0;
		return ok;
	}
	for (size_t c = 0; ok && c < n; c++) {
		size_t u = a->run_unit[c];
		size_t start = a->chunk_base + a->map[u];
		uint32_t pos = a->run_pos + (uint32_t)c;
		if (c + 1 < n)
			ok = cjk_seg_emit_units(a, CJK_TERM_BIGRAM, pos, u,
						cjk_run_unit_end(a, c + 1), start,
						cjk_seg_char_end(a, a->run_unit[c + 1]));
		size_t plen = a->words ? a->run_piece[c] : 0;
		if (ok && plen >= 3 && c + plen <= n)
			ok = cjk_seg_emit_units(a, CJK_TERM_CJK_WORD, pos, u,
						cjk_run_unit_end(a, c + plen - 1), start,
						cjk_seg_char_end(a, a->run_unit[c + plen - 1]));
		if (ok && plen && a->lexicon)
			ok = cjk_run_lexicon(a, c);
	}
	a->run_n = 0;
	return ok;
}

/* Append the Han piece of units [from, to) to the run, which it starts
 * anew unless it directly follows the run's last character. */
static bool cjk_run_add(cjk_analyzer *a, size_t from, size_t to)
{
	if (a->run_n && a->run_end != from && !cjk_run_flush(a))
		return false;
	if (a->run_n == 0)
		a->run_pos = a->pos;
	size_t first = a->run_n;
	size_t i = from;
	while (i < to) {
		a->run_unit[a->run_n] = (uint32_t)i;
		a->run_piece[a->run_n] = 0;
		a->run_n++;
		a->pos++;
		U16_FWD_1(a->u16, i, to);
	}
	size_t chars = a->run_n - first;
	a->run_piece[first] = (uint16_t)(chars > UINT16_MAX ? UINT16_MAX : chars);
	a->run_end = to;
	return true;
}

/* A WORD's stem is computed only for Latin-script words (every code
 * point below U+0280: ASCII and the Latin-1/Extended blocks). */
static bool cjk_seg_stemmable(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)w[i] >= 0xCAu)
			return false;
	return true;
}

/* The non-Han piece of units [from, to) with ICU rule status st. */
static bool cjk_seg_token(cjk_analyzer *a, size_t from, size_t to, int32_t st)
{
	if (!cjk_run_flush(a))
		return false;
	uint32_t pos = a->pos++;
	long len = cjk_fold_word(a, a->u16 + from, to - from);
	if (len < 0)
		return false;
	if (len > (long)CJK_MAX_TERM_BYTES)
		a->dropped_words++;
	if (len == 0 || len > (long)CJK_MAX_TERM_BYTES)
		return true;
	const char *w = a->scratch8;
	cjk_term_kind kind = CJK_TERM_WORD;
	if (st >= UBRK_WORD_NUMBER && st < UBRK_WORD_NUMBER_LIMIT) {
		kind = CJK_TERM_NUMBER;
	} else {
		for (long i = 0; i < len; i++)
			if (w[i] >= '0' && w[i] <= '9') {
				kind = CJK_TERM_NUMBER;
				break;
			}
	}
	size_t last = to - 1;                   /* first unit of the last char */
	if (last > from && U16_IS_TRAIL(a->u16[last]) && U16_IS_LEAD(a->u16[last - 1]))
		last--;
	size_t start = a->chunk_base + a->map[from];
	size_t end = cjk_seg_char_end(a, last);
	char *out = cjk_termbuf_text(&a->tb, (size_t)len);
	if (!out)
		goto oom;
	memcpy(out, w, (size_t)len);
	if (!cjk_termbuf_push(&a->tb, (size_t)len, kind, pos, start, end))
		goto oom;
	if (kind != CJK_TERM_WORD || !a->opts.stem_english || a->no_stems || !cjk_seg_stemmable(w, (size_t)len))
		return true;
	size_t slen = 0;
	const char *stem = a->stem_memo ? a->stem_memo(a->stem_memo_ud, w, (size_t)len, &slen) : NULL;
	if (!stem && !a->stemmer) {
		const char *why = NULL;
		if (!(a->stemmer = cjk_stemmer_new(&why))) {
			cjk_analyzer_fail(a, why, 0);
			return false;
		}
	}
	if (!stem && !(stem = cjk_stemmer_stem(a->stemmer, w, (size_t)len, &slen)))
		goto oom;
	if (slen + 1 > CJK_MAX_TERM_BYTES)
		return true;
	out = cjk_termbuf_text(&a->tb, slen + 1);
	if (!out)
		goto oom;
	out[0] = 'Z';
	memcpy(out + 1, stem, slen);
	if (!cjk_termbuf_push(&a->tb, slen + 1, CJK_TERM_STEM, pos, start, end))
		goto oom;
	return true;
oom:
	cjk_analyzer_fail(a, "out of memory", 0);
	return false;
}

static bool cjk_run_reserve(cjk_analyzer *a, size_t chars)
{
	if (chars <= a->run_cap)
		return true;
	uint32_t *u = realloc(a->run_unit, chars * sizeof *u);
	if (!u)
		return false;
	a->run_unit = u;
	uint16_t *p = realloc(a->run_piece, chars * sizeof *p);
	if (!p)
		return false;
	a->run_piece = p;
	a->run_cap = chars;
	return true;
}

/* The end of the stretch of u[i..to) whose code points all answer is_han
 * as the first does (the answer in *han). */
static size_t cjk_seg_stretch(const UChar *u, size_t i, size_t to, bool (*is_han)(uint32_t), bool *han)
{
	UChar32 c;
	U16_NEXT(u, i, to, c);
	*han = is_han((uint32_t)c);
	while (i < to) {
		size_t k = i;
		U16_NEXT(u, k, to, c);
		if (is_han((uint32_t)c) != *han)
			break;
		i = k;
	}
	return i;
}

/* Split segment [from, to) into Han and non-Han pieces. */
static bool cjk_seg_segment(cjk_analyzer *a, size_t from, size_t to, int32_t st)
{
	for (size_t i = from; i < to;) {
		size_t piece = i;
		bool han;
		i = cjk_seg_stretch(a->u16, i, to, cjk_is_han, &han);
		bool ok = han ? cjk_run_add(a, piece, i) : cjk_seg_token(a, piece, i, st);
		if (!ok)
			return false;
	}
	return true;
}

/* The words of units [from, to) as ICU's word break iterator finds them. */
static bool cjk_seg_break(cjk_analyzer *a, size_t from, size_t to)
{
	UErrorCode st = U_ZERO_ERROR;
	if (!cjk_brk(a))
		return false;
	ubrk_setText(a->brk, a->u16 + from, (int32_t)(to - from), &st);
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "ubrk_setText", st);
		return false;
	}
	int32_t b = ubrk_first(a->brk);
	for (int32_t e = ubrk_next(a->brk); e != UBRK_DONE; b = e, e = ubrk_next(a->brk)) {
		int32_t rs = ubrk_getRuleStatus(a->brk);
		if (rs < UBRK_WORD_NONE_LIMIT)
			continue;
		if (!cjk_seg_segment(a, from + (size_t)b, from + (size_t)e, rs))
			return false;
	}
	return true;
}

/* Does ICU's dictionary read code point c other than as one of our Han
 * runs (kana, Thai and the other scripts written without spaces, Han
 * characters that are not run characters: 々, radicals)?  Then the
 * dictionary cannot be left out without changing the terms. */
static bool cjk_seg_other_dictionary(uint32_t c)
{
	if (c < 0x0E00u || cjk_is_run_han(c))
		return false;
	UScriptCode sc = uscript_getScript((UChar32)c, &(UErrorCode){U_ZERO_ERROR});
	return sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA ||
	       u_getIntPropertyValue((UChar32)c, UCHAR_WORD_BREAK) == U_WB_KATAKANA ||
	       u_getIntPropertyValue((UChar32)c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT ||
	       c == 0xFF9Eu || c == 0xFF9Fu;
}

/* Characters ICU's rules attach to the character before them (WB4). */
static bool cjk_seg_attaches(UChar32 c)
{
	int32_t wb = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
	return wb == U_WB_EXTEND || wb == U_WB_FORMAT || wb == U_WB_ZWJ;
}

/* Without dictionary words.  ICU's rules break on both sides of a Han
 * character, but for what WB4 attaches to it, which the dictionary's
 * segment carries as a piece of its own: so Han stretches become runs
 * directly, the characters attached to their end a piece, and only the
 * rest meets the break iterator.  False with *fallback set where the
 * chunk holds text only the dictionary reads (cjk_seg_other_dictionary)
 * or a ZWJ. */
static bool cjk_seg_without_words(cjk_analyzer *a, bool *fallback)
{
	const UChar *u = a->u16;
	size_t n = a->n16;
	*fallback = false;
	for (size_t i = 0; i < n;) {
		UChar32 c;
		U16_NEXT(u, i, n, c);
		/* ZWJ: ICU joins Han, ZWJ and a pictograph into one segment
		 * without word status (WB3c), which drops the run */
		if (c == 0x200D || cjk_seg_other_dictionary((uint32_t)c)) {
			*fallback = true;
			return false;
		}
	}
	bool after_han = false;
	for (size_t i = 0; i < n;) {
		size_t from = i;
		bool han;
		i = cjk_seg_stretch(u, i, n, cjk_is_run_han, &han);
		UChar32 c;
		if (han) {
			if (!cjk_run_add(a, from, i))
				return false;
			after_han = true;
			continue;
		}
		size_t rest = from;
		if (after_han) {
			for (size_t k = rest; k < i;) {
				U16_NEXT(u, k, i, c);
				if (!cjk_seg_attaches(c))
					break;
				rest = k;
			}
		}
		if (rest > from && !cjk_seg_token(a, from, rest, UBRK_WORD_IDEO))
			return false;
		if (rest < i && !cjk_seg_break(a, rest, i))
			return false;
		after_han = false;
	}
	return true;
}

bool cjk_segment_run(cjk_analyzer *a)
{
	if (a->n16 == 0)
		return true;
	if (a->n16 > INT32_MAX || !cjk_run_reserve(a, a->n16)) {
		cjk_analyzer_fail(a, "out of memory", 0);
		return false;
	}
	a->run_n = 0;
	if (!a->words) {
		bool fallback;
		if (cjk_seg_without_words(a, &fallback))
			return cjk_run_flush(a);
		if (!fallback)
			return false;
	}
	if (!cjk_seg_break(a, 0, a->n16))
		return false;
	return cjk_run_flush(a);
}
