/*
 * chunk.c - where to cut a long text so that memory stays bounded.
 *
 * A cut must not change the terms: it goes only where every rule of the
 * analysis already sees a boundary, so that the text on each side
 * analyses the same alone as together:
 *   - just after CJK sentence punctuation (。，；：！？、), which ends any
 *     Han run and any ICU word, and after which a newline is a space
 *     whatever follows;
 *   - just after a run of ASCII whitespace that either holds no newline
 *     (plain spaces: a word boundary) or follows an ASCII character other
 *     than '-' (a newline there is a space whatever follows).
 * A cut is searched from CJK_CHUNK_TARGET bytes on.  If none turns up
 * before CJK_CHUNK_HARD bytes (a megabyte without punctuation or spaces:
 * only junk or pathological input), the chunk is cut at a character
 * boundary: a Han run cut there loses the one bigram across the cut (and
 * may segment differently near it), a Latin word is split in two.
 */
#include <string.h>

#include "cjk_private.h"

static inline bool cjk_chunk_is_ws(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

/* True if text[q-3..q) is one of the CJK punctuation marks above. */
static bool cjk_chunk_after_punct(const unsigned char *s, size_t q)
{
	if (q < 3)
		return false;
	const unsigned char *p = s + q - 3;
	if (p[0] == 0xE3u && p[1] == 0x80u)             /* U+3001 、 U+3002 。 */
		return p[2] == 0x81u || p[2] == 0x82u;
	if (p[0] == 0xEFu && p[1] == 0xBCu)             /* full-width ！，：；？ */
		return p[2] == 0x81u || p[2] == 0x8Cu || p[2] == 0x9Au ||
		       p[2] == 0x9Bu || p[2] == 0x9Fu;
	return false;
}

/* Byte offset where the chunk starting at byte start ends (see above). */
size_t cjk_chunk_end(const char *text, size_t len, size_t start)
{
	if (len - start <= CJK_CHUNK_TARGET + CJK_CHUNK_TARGET / 4)
		return len;
	const unsigned char *s = (const unsigned char *)text;
	size_t limit = len - start <= CJK_CHUNK_HARD ? len : start + CJK_CHUNK_HARD;
	size_t q = start + CJK_CHUNK_TARGET;
	for (; q < limit; q++) {
		if (cjk_chunk_after_punct(s, q))
			return q;
		if (!cjk_chunk_is_ws(s[q - 1]) || cjk_chunk_is_ws(s[q]))
			continue;
		/* q ends a whitespace run: find where it began (each run is
		 * walked back once, so the search stays linear). */
		size_t r = q - 1;
		bool newline = false;
		while (r > start && cjk_chunk_is_ws(s[r - 1])) {
			newline |= s[r] == '\n' || s[r] == '\r';
			r--;
		}
		newline |= s[r] == '\n' || s[r] == '\r';
		if (!newline)
			return q;
		if (r > start && s[r - 1] < 0x80u && s[r - 1] != '-')
			return q;
	}
	if (limit == len)
		return len;
	/* Hard cut: step back to a character boundary (at most 3 bytes). */
	q = limit;
	for (int k = 0; k < 3 && (s[q] & 0xC0u) == 0x80u; k++)
		q--;
	return q;
}
