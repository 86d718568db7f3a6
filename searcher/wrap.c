/* wrap.c - line breaking with ICU's line break iterator (wrap.h). */
#include "wrap.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include "array.h"
#include "text.h"

struct ws_wrapper {
	UBreakIterator *bi;
};

ws_wrapper *ws_wrapper_new(char **err)
{
	UErrorCode st = U_ZERO_ERROR;
	ws_wrapper *w = calloc(1, sizeof *w);
	if (!w) {
		ws_fail(err, "out of memory");
		return NULL;
	}
	/* "zh": the Chinese tailoring of the line break rules */
	w->bi = ubrk_open(UBRK_LINE, "zh", NULL, 0, &st);
	if (U_FAILURE(st)) {
		ws_fail(err, "cannot set up line breaking: %s", u_errorName(st));
		free(w);
		return NULL;
	}
	return w;
}

void ws_wrapper_free(ws_wrapper *w)
{
	if (!w)
		return;
	ubrk_close(w->bi);
	free(w);
}


/* Characters that may not start a line (UAX #14 classes CL, CP, EX, IS,
 * NS): where a long word must be cut, the cut moves before them. */
static bool no_break_before(uint32_t c)
{
	int lb = u_getIntPropertyValue((UChar32)c, UCHAR_LINE_BREAK);
	return lb == U_LB_CLOSE_PUNCTUATION || lb == U_LB_CLOSE_PARENTHESIS || lb == U_LB_EXCLAMATION ||
	       lb == U_LB_INFIX_NUMERIC || lb == U_LB_NONSTARTER;
}

unsigned ws_wrap_fit(const char *s, size_t len, unsigned width, size_t *fit)
{
	size_t i = 0;
	unsigned w = 0;
	while (i < len) {
		size_t j = i;
		unsigned cw = (unsigned)ws_char_width(ws_utf8_next(s, len, &j));
		if (w + cw > width)
			break;
		w += cw;
		i = j;
	}
	*fit = i;
	return w;
}

typedef struct lines {
	ws_wline *v;
	size_t n, cap;
} lines;

static bool emit(lines *l, const char *s, size_t start, size_t end)
{
	/* spaces at either end of a line belong to the break */
	while (start < end) {
		size_t j = start;
		if (!ws_is_space(ws_utf8_next(s, end, &j)))
			break;
		start = j;
	}
	while (end > start) {
		size_t k = end - 1;
		while (k > start && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		size_t j = k;
		if (!ws_is_space(ws_utf8_next(s, end, &j)))
			break;
		end = k;
	}
	ws_wline *v = ws_array_grow(l->v, l->n, &l->cap, sizeof *v, 8);
	if (!v)
		return false;
	l->v = v;
	l->v[l->n++] = (ws_wline){start, end, (unsigned)ws_str_width(s + start, end - start)};
	return true;
}

/* Past the white space at s[from..to). */
static size_t skip_spaces(const char *s, size_t from, size_t to)
{
	while (from < to) {
		size_t j = from;
		if (!ws_is_space(ws_utf8_next(s, to, &j)))
			break;
		from = j;
	}
	return from;
}

/* Cut s[from..to) (one unbreakable run, wider than a line) into lines;
 * the last, partial piece's start goes to *rest. */
static bool cut_long(lines *l, const char *s, size_t from, size_t to, unsigned width, size_t *rest)
{
	for (;;) {
		size_t fit;
		ws_wrap_fit(s + from, to - from, width, &fit);
		if (from + fit >= to) {
			*rest = from;
			return true;
		}
		size_t at = from + fit;
		/* not before a closing mark, if a shorter piece can take it */
		for (int back = 0; back < 3 && at > from; back++) {
			size_t j = at;
			if (!no_break_before(ws_utf8_next(s, to, &j)))
				break;
			size_t k = at - 1;
			while (k > from && ((unsigned char)s[k] & 0xc0) == 0x80)
				k--;
			if (k == from)
				break;
			at = k;
		}
		if (!emit(l, s, from, at))
			return false;
		from = at;
	}
}

bool ws_wrap(ws_wrapper *w, const char *s, size_t len, unsigned width, ws_wline **out, size_t *n)
{
	UErrorCode st = U_ZERO_ERROR;
	lines l = {0};
	UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
	bool ok = false;

	*out = NULL;
	*n = 0;
	if (U_FAILURE(st))
		return false;
	ubrk_setUText(w->bi, ut, &st);
	if (U_FAILURE(st))
		goto out;
	/* Greedy: a line grows by whole segments (break to break; on a UTF-8
	 * UText the iterator's indexes are byte offsets). */
	size_t line = 0, last = 0; /* the line's start, its last break */
	int32_t b;
	ubrk_first(w->bi);
	while ((b = ubrk_next(w->bi)) != UBRK_DONE) {
		size_t at = (size_t)b;
		/* the segment's trailing spaces do not count against the line */
		size_t content = at;
		while (content > last) {
			size_t k = content - 1;
			while (k > last && ((unsigned char)s[k] & 0xc0) == 0x80)
				k--;
			size_t j = k;
			if (!ws_is_space(ws_utf8_next(s, content, &j)))
				break;
			content = k;
		}
		size_t lead = skip_spaces(s, line, content);
		if (ws_str_width(s + lead, content - lead) <= width) {
			last = at;
			continue;
		}
		if (last > line) {
			/* end the line at the last break, go on from there */
			if (!emit(&l, s, line, last))
				goto out;
			line = last;
			lead = skip_spaces(s, line, content);
			if (ws_str_width(s + lead, content - lead) <= width) {
				last = at;
				continue;
			}
		}
		/* one segment wider than a line */
		if (!cut_long(&l, s, lead, content, width, &line))
			goto out;
		last = at;
	}
	if (!emit(&l, s, line, len))
		goto out;
	if (l.n > 1 && l.v[l.n - 1].start == l.v[l.n - 1].end)
		l.n--; /* only spaces were left */
	ok = true;
out:
	utext_close(ut);
	if (ok) {
		*out = l.v;
		*n = l.n;
	} else {
		free(l.v);
	}
	return ok;
}
