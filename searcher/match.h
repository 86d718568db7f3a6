/*
 * match.h - where a query's units occur in a passage.  The passage text is
 * re-analysed with the same cjk analyzer the query was analysed with, so a
 * match here is exactly what the index matched:
 *   - a unit of several terms: a run of positions whose terms equal the
 *     unit's terms at the same relative positions (a single Han character
 *     term also matches a bigram or word starting with it);
 *   - a single unquoted Latin word: STEM terms equal to its stem, or the
 *     word itself;
 *   - any other single term: equal terms.
 * Field filters are never matched; excluded units only when asked.
 */
#ifndef WS_SEARCH_MATCH_H
#define WS_SEARCH_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cjk.h"
#include "query.h"

typedef struct ws_match {
	size_t start, end; /* byte range in the passage text */
	uint32_t line;     /* line of start in the file */
	unsigned group;    /* the unit's OR group */
	bool excluded;     /* a match of an excluded unit (only when asked) */
	const ws_unit *unit; /* the unit matched (the query's, borrowed) */
} ws_match;

typedef struct ws_matches {
	ws_match *v; /* sorted by start, then end */
	size_t n, cap;
} ws_matches;

/* Find the matches of q's positive text units (and, if with_excluded, of
 * its excluded ones, flagged) in text[0..len), whose first line is
 * first_line in its file.  Replaces out's contents.  Returns false with a
 * message in *err on an analysis failure or when out of memory. */
bool ws_match_passage(const ws_query *q, cjk_analyzer *a, const char *text, size_t len, uint32_t first_line,
                      bool with_excluded, ws_matches *out, char **err);

/* Remove the matches of excluded units; returns how many there were. */
size_t ws_matches_drop_excluded(ws_matches *m);

/* Number of distinct groups among the (positive) matches. */
unsigned ws_matches_groups(const ws_matches *m, unsigned ngroups);

void ws_matches_free(ws_matches *m);

#endif
