/*
 * han.c - which code points are Han ideographs, i.e. form runs and
 * bigrams.
 */
#include "cjk.h"

#include <stdint.h>

#include <unicode/utf8.h>

/* Han ideographs: the CJK Unified Ideographs block and its extensions
 * A to H, the compatibility ideographs, and U+3007 〇 (IDEOGRAPHIC NUMBER
 * ZERO, Script=Han), which Chinese writes inside numbers and dates
 * (二〇二二年) and ICU already treats as ideographic.  Kangxi and
 * supplementary radicals are not here: the analyzer folds them (NFKC)
 * to the unified ideographs before asking. */
bool cjk_is_han(uint32_t c)
{
	if (c < 0x3007u)
		return false;
	if (c >= 0x4E00u && c <= 0x9FFFu)      /* Unified Ideographs */
		return true;
	if (c >= 0x3400u && c <= 0x4DBFu)      /* Extension A */
		return true;
	if (c == 0x3007u)                      /* 〇 */
		return true;
	if (c >= 0xF900u && c <= 0xFAFFu)      /* Compatibility Ideographs */
		return true;
	if (c >= 0x20000u && c <= 0x2EBEFu)    /* Extensions B to F */
		return true;
	if (c >= 0x2F800u && c <= 0x2FA1Fu)    /* Compatibility Supplement */
		return true;
	if (c >= 0x30000u && c <= 0x323AFu)    /* Extensions G, H */
		return true;
	return false;
}

void cjk_han_pairs(const char *text, size_t len, cjk_pair_fn *fn, void *ud)
{
	/* the previous character's start, or -1 when it was not Han */
	int32_t i = 0, prev = -1, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	while (i < n) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, n, c);
		bool han = c >= 0 && cjk_is_han((uint32_t)c);
		if (han && prev >= 0)
			fn(ud, (size_t)prev, (size_t)(i - prev));
		prev = han ? start : -1;
	}
}
