/*
 * wrap.h - break text into lines that fit a terminal, where ICU's line
 * break iterator (UAX #14) allows: never before a closing mark (。，、）」
 * ；…), never after an opening one, between Han characters, after spaces.
 * Widths are terminal columns (text.h: East Asian Wide and Fullwidth
 * count two); offsets are UTF-8 bytes.
 */
#ifndef WS_SEARCH_WRAP_H
#define WS_SEARCH_WRAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ws_wrapper ws_wrapper;

/* One line: bytes [start, end) of the text, without the spaces at the
 * break (they belong to no line), and its width in columns. */
typedef struct ws_wline {
	size_t start, end;
	unsigned width;
} ws_wline;

/* A new wrapper (one ICU iterator, reused for every text), or NULL with a
 * malloc'd message in *err. */
ws_wrapper *ws_wrapper_new(char **err);
void ws_wrapper_free(ws_wrapper *w);

/* Break s[0..len) (valid UTF-8 without control characters) into lines of
 * at most width columns (width >= 4).  A word wider than a line is cut
 * between characters, where possible not before a closing mark.  The
 * lines go to a malloc'd array in *lines (*n of them; at least one, maybe
 * empty); false when out of memory or ICU fails. */
bool ws_wrap(ws_wrapper *w, const char *s, size_t len, unsigned width, ws_wline **lines, size_t *n);

/* Columns of the widest prefix of s[0..len) that fits in width columns:
 * its length in bytes goes to *fit (a whole character). */
unsigned ws_wrap_fit(const char *s, size_t len, unsigned width, size_t *fit);

#endif
