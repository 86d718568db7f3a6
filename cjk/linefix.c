/*
 * linefix.c - decode one chunk of UTF-8 into the UTF-16 buffer ICU
 * segments, repairing the hard line breaks that PDF extraction leaves,
 * and keep a map from every UTF-16 unit back to its original byte.
 *
 * Rules, for a maximal run of ASCII whitespace (space, tab, CR, LF):
 *   - without a newline: one space;
 *   - with a newline, between two Han characters: nothing at all, so
 *     「未来\n峰会」 reads 未来峰会.  This holds for blank lines too
 *     ("数\n\n字", as in the 2022 white paper, where nearly every text
 *     line is followed by an empty one): the indexer splits passages
 *     before analysis, so inside the text given to the analyzer a
 *     whitespace run with newlines between Han characters is a broken
 *     word, never a paragraph break;
 *   - with a newline, after "<Latin letter>-" and before a lower-case
 *     Latin letter: nothing, and the hyphen goes too ("inter-\nnational"
 *     reads "international"); U+2010 HYPHEN and U+00AD SOFT HYPHEN count
 *     as '-' here;
 *   - any other run with a newline: one space.
 * Han-ish code points are folded on the way (cjk_fold_cp: NFKC for
 * compatibility ideographs and Kangxi radicals, Traditional ->
 * Simplified when enabled), so ICU's dictionary, the runs and the bigrams
 * all see the folded text.  Invalid UTF-8 becomes U+FFFD, one per bad
 * byte, which ICU never puts inside a word.
 */
#include <stdlib.h>

#include <unicode/utf16.h>

#include "cjk_private.h"

static inline bool cjk_is_ascii_ws(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

/* Latin letter for the hyphen rule: ASCII or Latin-1/Extended-A/B letters. */
static inline bool cjk_is_latin_letter(uint32_t c)
{
	if ((c | 0x20u) >= 'a' && (c | 0x20u) <= 'z')
		return true;
	return c >= 0xC0u && c < 0x250u && c != 0xD7u && c != 0xF7u;
}

static inline bool cjk_is_hyphen(uint32_t c)
{
	return c == '-' || c == 0x2010u || c == 0xADu;
}

static inline bool cjk_is_latin_lower(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return true;
	return c >= 0xDFu && c < 0x100u && c != 0xF7u;
}

/* Decode (and fold) the code point at s[0..n); 0 when n == 0. */
static inline uint32_t cjk_linefix_peek(cjk_analyzer *a, const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	size_t used;
	uint32_t c = cjk_utf8_get(s, n, &used);
	if (cjk_fold_applies(a, c))
		c = cjk_fold_cp(a, c);
	return c;
}

static bool cjk_linefix_reserve(cjk_analyzer *a, size_t units)
{
	if (units <= a->cap16)
		return true;
	size_t cap = a->cap16 ? a->cap16 : 4096;
	while (cap < units)
		cap *= 2;
	UChar *u = realloc(a->u16, cap * sizeof *u);
	if (!u)
		return false;
	a->u16 = u;
	uint32_t *m = realloc(a->map, cap * sizeof *m);
	if (!m)
		return false;
	a->map = m;
	a->cap16 = cap;
	return true;
}

/* See the file comment.  text[0..n) is one chunk; a->map gets cbytes
 * (offsets relative to text), a->map[a->n16] = n. */
bool cjk_linefix_run(cjk_analyzer *a, const char *text, size_t n)
{
	/* Every code point takes at least as many bytes as UTF-16 units,
	 * before and after folding (3-byte BMP -> at most 2 units). */
	if (!cjk_linefix_reserve(a, n + 1))
		return false;
	const unsigned char *s = (const unsigned char *)text;
	UChar *u = a->u16;
	uint32_t *map = a->map;
	size_t o = 0;                   /* units written */
	uint32_t last = 0, last2 = 0;   /* last two code points written */
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		if (b >= 0x80u) {
			size_t used;
			uint32_t c = cjk_utf8_get(s + i, n - i, &used);
			if (cjk_fold_applies(a, c))
				c = cjk_fold_cp(a, c);
			if (c < 0x10000u) {
				u[o] = (UChar)c;
				map[o++] = (uint32_t)i;
			} else {
				u[o] = U16_LEAD(c);
				map[o++] = (uint32_t)i;
				u[o] = U16_TRAIL(c);
				map[o++] = (uint32_t)i;
			}
			last2 = last;
			last = c;
			i += used;
			continue;
		}
		if (!cjk_is_ascii_ws(b)) {
			u[o] = b;
			map[o++] = (uint32_t)i;
			last2 = last;
			last = b;
			i++;
			continue;
		}
		size_t j = i;
		bool newline = false;
		while (j < n && cjk_is_ascii_ws(s[j])) {
			newline |= s[j] == '\n' || s[j] == '\r';
			j++;
		}
		if (newline) {
			uint32_t next = cjk_linefix_peek(a, s + j, n - j);
			if (cjk_is_han(last) && cjk_is_han(next)) {
				i = j;          /* no boundary at all */
				continue;
			}
			if (cjk_is_hyphen(last) && cjk_is_latin_letter(last2) && cjk_is_latin_lower(next)) {
				o--;            /* drop the hyphen too */
				last = last2;
				last2 = 0;
				i = j;
				continue;
			}
		}
		u[o] = ' ';
		map[o++] = (uint32_t)i;
		last2 = last;
		last = ' ';
		i = j;
	}
	map[o] = (uint32_t)n;
	a->n16 = o;
	return true;
}
