/*
 * verify.h - the check that makes an approximate Xapian match exact.
 * Han terms are indexed without positions (schema.h), so for a unit such
 * as 数字人民币 Xapian finds passages holding all its bigrams anywhere.
 * The verifier, run on each candidate inside the match (an xq decider),
 * keeps only passages where every positive group has a unit that really
 * occurs and no excluded unit does.  A unit that is one Han run costs a
 * plain scan of the text (cjk_text_has_han_run); any other approximate
 * unit (Han mixed with Latin, several runs) re-analyses the passage with
 * the matcher.
 */
#ifndef WS_SEARCH_VERIFY_H
#define WS_SEARCH_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"
#include "match.h"
#include "query.h"

typedef struct ws_verifier {
	const ws_query *q;     /* borrowed */
	cjk_analyzer *a;       /* borrowed */
	unsigned npositive;    /* groups of positive text units */
	bool full;             /* some unit needs the matcher */
	ws_matches matches;    /* scratch for the matcher */
	unsigned checked, accepted; /* passages seen, passed */
	char *err;             /* first failure (malloc'd), or NULL */
} ws_verifier;

/* Prepare v for q (analysed) and a; both must outlive v. */
void ws_verifier_init(ws_verifier *v, const ws_query *q, cjk_analyzer *a);

/* True if the passage text[0..len) (first line first_line) holds the
 * query.  On a failure answers false and keeps the message in v->err. */
bool ws_verify_text(ws_verifier *v, const char *text, size_t len);

/* ws_verify_text on a passage's document data (schema.h), read without
 * parsing: the xq_decider_fn the engine hands to Xapian. */
bool ws_verify_data(void *v, const char *data, size_t len);

void ws_verifier_free(ws_verifier *v);

#endif
