/*
 * snippet.h - a short, display-ready excerpt of a passage around its
 * densest cluster of matches, with the matches as byte ranges in it.
 *
 * The excerpt is about WS_SNIPPET_CHARS characters, cut at sentence
 * punctuation or spaces where possible, with "…" where text was cut.  Hard
 * line breaks are removed between wide (CJK) characters and become one
 * space otherwise; runs of spaces collapse; control characters (C0, C1,
 * ESC, DEL, bidi controls) are dropped; invalid UTF-8 becomes U+FFFD.  The
 * snippet is therefore always valid UTF-8 and safe on a terminal.
 */
#ifndef WS_SEARCH_SNIPPET_H
#define WS_SEARCH_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

#include "match.h"

#define WS_SNIPPET_CHARS 100

typedef struct ws_range {
	size_t start, end; /* byte offsets, [start, end) */
} ws_range;

typedef struct ws_snippet {
	char *text;    /* NUL-terminated; owned */
	size_t len;
	ws_range *hl;  /* highlights in text: sorted, disjoint, non-empty; owned */
	size_t nhl;
} ws_snippet;

/* Make the snippet of text[0..len) for the matches m[0..nm) (sorted by
 * start, as ws_match_passage leaves them; none gives the passage's start).
 * Returns false only when out of memory. */
bool ws_snippet_make(const char *text, size_t len, const ws_match *m, size_t nm, ws_snippet *out);

/* The same for a passage whose first head bytes are its section's
 * heading lines (schema.h's WS_DATA_HEAD): the heading is left out, being
 * the hit's section, unless only it matches; then it leads, never run
 * into the text after it. */
bool ws_snippet_make_passage(const char *text, size_t len, size_t head, const ws_match *m, size_t nm,
                             ws_snippet *out);

/* The same for the whole of text: the passage display-ready, as a
 * snippet is, with every match highlighted (the prompt's "show"). */
bool ws_snippet_make_whole(const char *text, size_t len, const ws_match *m, size_t nm, ws_snippet *out);

void ws_snippet_free(ws_snippet *s);

#endif
