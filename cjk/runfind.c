/*
 * runfind.c - is a run of Han characters in a text, as the analyzer would
 * read it?  The index keeps Han bigrams without positions, so a searcher
 * confirms a candidate passage by scanning its text: no break iterator,
 * no allocation.  The reading must be linefix.c's exactly: folding, and a
 * whitespace run holding a newline between two Han characters is no
 * boundary.  Every other whitespace run and every non-Han code point ends
 * a Han run.
 *
 * Why segment.c's runs are exactly these:
 *   - ICU gives every assigned Han character a word status, whatever
 *     surrounds it, and segment.c joins Han pieces of adjacent segments;
 *     any non-Han code point left in the repaired text (punctuation,
 *     U+FFFD, a variation selector, a space) is either a token of its own
 *     or skipped, and both end the run;
 *   - a code point that cjk_is_han takes but that ICU's Unicode version
 *     leaves unassigned (the gaps U+FA6E, U+2A6E0.. in the blocks
 *     cjk_is_han takes whole) is a segment with no word status, which
 *     segment.c skips: it ends the run too (cjk_is_run_han);
 *   - chunks: a cut at a safe point (chunk.c) is a boundary anyway, but a
 *     hard cut (over a megabyte without one) may fall inside a run, which
 *     linefix.c and segment.c then end there.  So the text is scanned
 *     chunk by chunk, with the same cuts (cjk_chunk_end) and a fresh
 *     state for each, as linefix.c starts each chunk afresh.
 */
#include <unicode/uchar.h>

#include "cjk_private.h"

static inline bool cjk_rf_is_ws(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

/* The code point at s[0..n), n >= 1, folded; its length in *used. */
static inline uint32_t cjk_rf_get(cjk_analyzer *a, const unsigned char *s, size_t n, size_t *used)
{
	if (s[0] < 0x80u) {
		*used = 1;
		return s[0];
	}
	uint32_t c = cjk_utf8_get(s, n, used);
	return cjk_fold_applies(a, c) ? cjk_fold_cp(a, c) : c;
}

/* The longest k < m with han[0..k) == han[m-k..m): how much of a partial
 * match survives a mismatch.  Quadratic in m, which is a query's run. */
static size_t cjk_rf_border(const uint32_t *han, size_t m)
{
	for (size_t k = m - 1; k > 0; k--) {
		size_t i = 0;
		while (i < k && han[i] == han[m - k + i])
			i++;
		if (i == k)
			return k;
	}
	return 0;
}

/* Start of the match ending at byte end: n Han characters back, over the
 * whitespace gaps of broken lines that a run may hold. */
static size_t cjk_rf_start(const unsigned char *s, size_t end, size_t n)
{
	size_t j = end;
	while (n > 0 && j > 0) {
		j--;
		if (cjk_rf_is_ws(s[j]))
			continue;
		while (j > 0 && (s[j] & 0xC0u) == 0x80u)
			j--;
		n--;
	}
	return j;
}

/* The next Han character of a run in s[*i..end), folded, as linefix.c
 * reads a chunk: *i moves past it (and past the white space of a broken
 * line before it).  0 where a run ends instead: white space that is no
 * broken line, or a code point that is no Han of a run.  *last is the
 * last character read (linefix's "last"), ' ' after a boundary. */
static inline uint32_t cjk_rf_next(cjk_analyzer *a, const unsigned char *s, size_t *i, size_t end, uint32_t *last)
{
	size_t used;
	if (cjk_rf_is_ws(s[*i])) {
		size_t j = *i;
		bool newline = false;
		while (j < end && cjk_rf_is_ws(s[j])) {
			newline |= s[j] == '\n' || s[j] == '\r';
			j++;
		}
		/* linefix.c's test, with cjk_is_han: an unassigned "Han" code
		 * point there has already ended the run. */
		*i = j;
		if (!(newline && j < end && cjk_is_han(*last) && cjk_is_han(cjk_rf_get(a, s + j, end - j, &used)))) {
			*last = ' ';
			return 0;
		}
		/* a broken line: the run goes on */
	}
	uint32_t c = cjk_rf_get(a, s + *i, end - *i, &used);
	*i += used;
	*last = c;
	return cjk_is_run_han(c) ? c : 0;
}

/* Scan the chunk [i, end) of s with a fresh state, as linefix.c reads a
 * chunk.  Adds the occurrences to *count; false when found said stop. */
static bool cjk_rf_chunk(cjk_analyzer *a, const unsigned char *s, size_t i, size_t end,
			 const uint32_t *han, size_t n, cjk_run_found_fn *found, void *ud,
			 size_t *count)
{
	size_t m = 0;                   /* han[0..m) ends at the last character read */
	uint32_t last = 0;
	while (i < end) {
		uint32_t c = cjk_rf_next(a, s, &i, end, &last);
		if (!c) {
			m = 0;
			continue;
		}
		while (han[m] != c && m > 0)
			m = cjk_rf_border(han, m);
		if (han[m] != c || ++m < n)
			continue;
		(*count)++;
		if (found && !found(ud, cjk_rf_start(s, i, n), i))
			return false;
		m = cjk_rf_border(han, m); /* occurrences may overlap: 哈哈 twice in 哈哈哈 */
	}
	return true;
}

size_t cjk_text_find_han_runs(cjk_analyzer *a, const char *text, size_t len, const uint32_t *han, size_t n,
			      cjk_run_found_fn *found, void *ud)
{
	if (n < 2 || !text)
		return 0;
	const unsigned char *s = (const unsigned char *)text;
	size_t count = 0;
	/* A text under CJK_CHUNK_TARGET * 5/4 bytes is one chunk: one call. */
	for (size_t start = 0; start < len;) {
		size_t end = cjk_chunk_end(text, len, start);
		if (!cjk_rf_chunk(a, s, start, end, han, n, found, ud, &count))
			break;
		start = end;
	}
	return count;
}

static bool cjk_rf_first(void *ud, size_t start, size_t end)
{
	(void)ud, (void)start, (void)end;
	return false;
}

bool cjk_text_has_han_run(cjk_analyzer *a, const char *text, size_t len, const uint32_t *han, size_t n)
{
	return cjk_text_find_han_runs(a, text, len, han, n, cjk_rf_first, NULL) > 0;
}

void cjk_text_han_chars(cjk_analyzer *a, const char *text, size_t len, cjk_han_char_fn *fn, void *ud)
{
	if (!text)
		return;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t start = 0; start < len;) {
		size_t end = cjk_chunk_end(text, len, start), i = start;
		uint32_t last = 0;
		bool in_run = false;
		while (i < end) {
			uint32_t c = cjk_rf_next(a, s, &i, end, &last);
			if (c || in_run)
				fn(ud, c);
			in_run = c != 0;
		}
		if (in_run)
			fn(ud, 0);
		start = end;
	}
}
