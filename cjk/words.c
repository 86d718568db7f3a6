/* words.c - a text's words as ICU's dictionary segments them, for the
 * searcher's reading of a question (searcher/question.c): the analyzer
 * itself indexes bigrams and long words, not this segmentation. */
#include "cjk_private.h"

#include <stdlib.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>

int cjk_words(cjk_analyzer *a, const char *text, size_t len, cjk_word_fn *fn, void *ud)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n16 = 0;
	if (len > INT32_MAX / 2)
		return -1;
	u_strFromUTF8(NULL, 0, &n16, text, (int32_t)len, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return -1;
	st = U_ZERO_ERROR;
	UChar *u = malloc(((size_t)n16 + 1) * sizeof *u);
	char *w = malloc((size_t)n16 * 3 + 4);
	int rc = -1;
	if (!u || !w)
		goto out;
	u_strFromUTF8(u, n16 + 1, NULL, text, (int32_t)len, &st);
	if (U_FAILURE(st))
		goto out;
	if (!cjk_brk(a))
		goto out;
	ubrk_setText(a->brk, u, n16, &st);
	if (U_FAILURE(st))
		goto out;
	rc = 0;
	int32_t from = ubrk_first(a->brk);
	for (int32_t to = ubrk_next(a->brk); to != UBRK_DONE; from = to, to = ubrk_next(a->brk)) {
		if (ubrk_getRuleStatus(a->brk) < UBRK_WORD_NONE_LIMIT)
			continue; /* spaces and punctuation */
		int32_t wl = 0;
		st = U_ZERO_ERROR;
		u_strToUTF8(w, (int32_t)((size_t)n16 * 3 + 4), &wl, u + from, to - from, &st);
		if (U_FAILURE(st)) {
			rc = -1;
			break;
		}
		if (!fn(w, (size_t)wl, ud))
			break;
		rc++;
	}
out:
	free(u);
	free(w);
	return rc;
}
