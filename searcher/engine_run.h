/*
 * engine_run.h - what the search strategies of engine.c share: one
 * search's state, and reading Xapian's hits into ws_hits.  Each strategy
 * has a file of its own: engine_exact.c (Xapian's matches, checked where
 * Han units are approximate), engine_relax.c (most units, when nothing has
 * them all), engine_words.c (a question read as its words).  Private to
 * the searcher.
 */
#ifndef WS_SEARCH_ENGINE_RUN_H
#define WS_SEARCH_ENGINE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "match.h"
#include "qbuild.h"
#include "query.h"
#include "verify.h"
#include "xq.h"

/* What one search carries around. */
typedef struct run {
	ws_index *ix;
	const ws_request *req;
	ws_query *q;
	xq_enquire *enq;
	ws_matches matches; /* scratch, reused per passage */
	bool check;         /* candidates must be checked (ws_query_needs_check) */
	ws_verifier verifier; /* the check, inside Xapian's match (verify.h) */
	unsigned npositive; /* groups of positive text units */
	unsigned limit;     /* hits wanted (the request's, or all) */
	bool text_only;     /* a relaxed ranking counts units in the text only,
	                       not in the section's heading (questions) */
	char **err;
	xq_status xst;      /* the failed xq call's status, if one ended the run */
} run;

/* Record a failed xq call: its status, for ws_search's retry, and its
 * message under what.  Returns false. */
bool engine_failed(run *r, xq_status st, const char *what);

/* The data of hit i of hits, or false (see engine_failed). */
bool engine_hit_data(run *r, xq_hits *hits, size_t i, const char **data, size_t *len);

/* Run xq for hits [first, first + max) into *hits. */
bool engine_run_query(run *r, const xq_query *xq, unsigned first, unsigned max, xq_hits **hits);

/* Turn hits[0..n) into res->hits, ranks starting at rank0. */
bool engine_collect(run *r, xq_hits *hits, unsigned rank0, ws_result *res);

/* Hits [offset, offset + limit) of the candidates kept[0..nkept) into res. */
bool engine_collect_checked(run *r, xq_hits *hits, const size_t *kept, size_t nkept, ws_result *res);

/* Passages kept per file, for --per-doc and --files (collapse): a table
 * by file id, so that a check is one look-up however many are kept. */
struct engine_tally_slot {
	char id[64];
	size_t len;
	unsigned count; /* 0: an empty slot */
};
typedef struct engine_tally {
	struct engine_tally_slot *slots;
	size_t cap, n;
} engine_tally;

/* Would candidate i of hits exceed collapse passages of its file?  The
 * answer in *over; if not, the candidate is counted as kept.  False if
 * its file cannot be read (see engine_failed) or out of memory. */
bool engine_tally_take(run *r, xq_hits *hits, size_t i, unsigned collapse, engine_tally *t, bool *over);

void engine_tally_clear(engine_tally *t);

void engine_hit_clear(ws_hit *h);

/* Drop what earlier strategies found. */
void engine_result_clear(ws_result *res);

/* The strategies. */
bool engine_count(run *r, const xq_query *xq, ws_result *res);
bool engine_exact(run *r, const xq_query *xq, ws_result *res, bool *empty);
bool engine_checked(run *r, const xq_query *xq, ws_result *res, bool *empty);
bool engine_relax(run *r, const ws_filters *f, ws_result *res);
bool engine_words(run *r, const ws_filters *f, ws_result *res);

#endif
