/*
 * qbuild.h - from a parsed query to an xq_query: cjk analysis of each text
 * unit, then the Xapian query with its exclusions and filters.
 */
#ifndef WS_SEARCH_QBUILD_H
#define WS_SEARCH_QBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"
#include "index.h"
#include "query.h"
#include "xq.h"

/* A single Han character unit expands to at most this many terms. */
#define WS_PREFIX_EXPANSION 100

/* Filters given as command-line options (0 / NULL: not given). */
typedef struct ws_filters {
	int year;
	int since, until;
	const char *const *sources; /* OR'ed */
	size_t nsources;
	const struct ws_glossary *glossary; /* sources match any form of the concept named; NULL: none */
} ws_filters;

/* Analyse every text unit of q with a (configured like the index): fills
 * terms and stem (not the weights: ws_query_find_words).  Fails with a message if the query has nothing
 * to search for (only punctuation) and no filter (filters may be in q or,
 * when has_filters is true, given as options). */
bool ws_query_analyse(ws_query *q, cjk_analyzer *a, bool has_filters, char **err);

/* The words of each Han run of three characters or more that the index
 * holds as words (CJK_TERM_CJK_WORD: where the analyzer's dictionary
 * found them in the text) become the unit's weights, which rank the
 * passages holding them higher.  Call after ws_query_analyse, which
 * leaves them out so that a search never loads ICU's dictionary.  A
 * failed read of the index leaves its status in *xst. */
bool ws_query_find_words(ws_query *q, xq_db *db, xq_status *xst, char **err);

/* Each positive Han run unit that is a glossary form every shard of ix
 * indexes (ws_index_has_form) is searched as that form's one term
 * (u->form, and H + it in the section's heading) instead of the AND of
 * its bigrams: the same passages, one posting list, and no check (the
 * unit is no longer approx).  So is a concept's English form of several
 * words in the text, instead of its phrase (formset.h).  Call after
 * ws_query_analyse.  A failed read of the index leaves its status in
 * *xst. */
bool ws_query_find_forms(ws_query *q, ws_index *ix, xq_status *xst, char **err);

/* A word whose stem indexes exactly the passages the word does, as often
 * (an acronym: "oecd" and "Zoecd"), is searched as its stem weighted
 * twice rather than as the OR of the two (the same scores, one posting
 * list instead of two): sets u->stem_is_word where the index's
 * frequencies say so.  Not over remote shards, where each look-up is a
 * round trip.  A failed read of the index leaves its status in *xst. */
bool ws_query_find_stems(ws_query *q, ws_index *ix, xq_status *xst, char **err);

/* True if some text unit is approx (query.h): the Xapian query may then
 * match more than the query means, and the excluded approx units are left
 * out of it; each candidate must be checked with ws_match_passage. */
bool ws_query_needs_check(const ws_query *q);

/* As-you-type: the last text unit, when it is a single Latin word or
 * number, matches every word it starts (its stem no longer counts).
 * Call after ws_query_analyse. */
void ws_query_mark_partial(ws_query *q);

/* Number of groups of positive (not excluded) text units with terms: the
 * units that relaxation counts. */
unsigned ws_query_positive_groups(const ws_query *q);

/* Build the Xapian query: the positive groups AND'ed (OR'ed if relaxed),
 * minus the excluded units, filtered by the query's fields and f.  If the
 * filters can match nothing (a source: no indexed source contains), sets
 * *none and stores no query.  Otherwise stores a new query in *out. */
bool ws_query_build(const ws_query *q, const ws_filters *f, ws_index *ix, bool relaxed, xq_query **out,
                    bool *none, char **err);

#endif
