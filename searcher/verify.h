/*
 * verify.h - the check that makes an approximate Xapian match exact.
 * Han terms are indexed without positions (schema.h), so for a unit such
 * as 数字人民币 Xapian finds passages holding all its bigrams anywhere.
 * The verifier, run on each candidate inside the match (an xq decider),
 * keeps only passages where every positive group has a unit that really
 * occurs and no excluded unit does.  A unit that is one Han run costs a
 * plain scan of the text (cjk_text_has_han_run); only where that cannot
 * tell (any other approximate unit: Han mixed with Latin, several runs; a
 * group whose runs are absent but which has other units) is the passage
 * re-analysed with the matcher.
 */
#ifndef WS_SEARCH_VERIFY_H
#define WS_SEARCH_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"
#include "match.h"
#include "query.h"
#include "strbuf.h"

typedef struct ws_verifier {
	const ws_query *q;     /* borrowed */
	cjk_analyzer *a;       /* borrowed */
	unsigned npositive;    /* groups of positive text units */
	ws_matches matches;    /* scratch for the matcher */
	strbuf view;           /* scratch for ws_verify_view */
	unsigned checked, accepted; /* passages seen, passed */
	char *err;             /* first failure (malloc'd), or NULL */
} ws_verifier;

/* Prepare v for q (analysed) and a; both must outlive v. */
void ws_verifier_init(ws_verifier *v, const ws_query *q, cjk_analyzer *a);

/* True if the passage text[0..len) (first line first_line) holds the
 * query.  On a failure answers false and keeps the message in v->err. */
bool ws_verify_text(ws_verifier *v, const char *text, size_t len);

/* What a unit of the query is looked for in, of a passage's document data
 * (schema.h), read without parsing: the heading of the passage's own
 * section (where the text does not begin with it), then its text.  Valid
 * until the next call; *n gets its length. */
const char *ws_verify_view(ws_verifier *v, const char *data, size_t len, size_t *n);

/* ws_verify_text on ws_verify_view of a passage's data: the
 * xq_decider_fn the engine hands to Xapian. */
bool ws_verify_data(void *v, const char *data, size_t len);

/* For ranking a relaxed search, which needs to know how many units each
 * candidate holds.  How unit i of the query can be told present: */
typedef enum ws_presence {
	WS_PRESENCE_NONE,    /* not a text unit to look for (a field, empty) */
	WS_PRESENCE_TERMS,   /* one of its terms (its only term or its stem) is
	                        in the passage: ws_unit_terms */
	WS_PRESENCE_RUN,     /* its Han run is in the text: ws_verify_unit */
	WS_PRESENCE_MATCHER, /* only the matcher can say: ws_verify_groups */
} ws_presence;

ws_presence ws_unit_presence(const ws_unit *u);

/* The terms whose presence means unit u's (WS_PRESENCE_TERMS): up to two,
 * into t[] and len[]; returns how many. */
size_t ws_unit_terms(const ws_unit *u, const char *t[2], size_t len[2]);

/* Whether the Han run of unit u (WS_PRESENCE_RUN) is in text[0..len). */
bool ws_verify_unit(ws_verifier *v, const ws_unit *u, const char *text, size_t len);

/* From the presence of every unit (present[i] for q->units[i]): how many
 * positive groups a passage holds, and whether it holds an excluded
 * unit. */
void ws_verify_tally(const ws_verifier *v, const bool *present, unsigned *groups, bool *vetoed);

/* The same with the matcher, on the passage text[0..len).  False (message
 * in v->err) on a failure. */
bool ws_verify_groups(ws_verifier *v, const char *text, size_t len, unsigned *groups, bool *vetoed);

void ws_verifier_free(ws_verifier *v);

#endif
