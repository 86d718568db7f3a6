/*
 * tally.h - how many passages and documents a search matches in all, and
 * per year or per source (--by-year, --by-source, the header line of
 * terminal output).  Counts come from the engine (ws_search), which
 * counts as --count and --files do, so they always agree with those:
 * per year or source from one pass counting each file's passages
 * (WS_MODE_FILE_COUNTS) and the files' records, or, over remote shards,
 * from --files and a --count per bucket.
 */
#ifndef WS_SEARCH_TALLY_H
#define WS_SEARCH_TALLY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "index.h"
#include "print.h"

typedef enum ws_tally_key {
	WS_TALLY_YEAR,
	WS_TALLY_SOURCE,
} ws_tally_key;

typedef struct ws_bucket {
	int year;        /* WS_TALLY_YEAR: the year, 0 for unknown */
	char *source;    /* WS_TALLY_SOURCE: the source as the index has it,
	                    NULL for unknown; owned */
	unsigned passages, documents;
} ws_bucket;

typedef struct ws_tally {
	ws_tally_key key;
	ws_bucket *v;    /* years ascending (unknown last), or sources by
	                    passages, most first (unknown last) */
	size_t n;
	unsigned passages, documents; /* in all */
} ws_tally;

/* Past this many candidates the terminal's header counts them without
 * checking each or counting their documents (ws_request.count_max). */
#define WS_TOTALS_EXACT_MAX 500

/* The totals of the search req whose page of hits is page: exact counts
 * of passages and documents (none of req's limit, offset or per-doc),
 * from page alone when it holds every hit.  A relaxed page has the
 * engine's estimate.  Past WS_TOTALS_EXACT_MAX candidates, an exact query
 * has exact passages and no documents (0), and one whose candidates need
 * a check an estimate: the page's candidates that passed the check, and
 * of the others the share the page expects to pass.  False with *err on failure. */
bool ws_tally_totals(ws_index *ix, const ws_request *req, const ws_result *page, ws_term_totals *out, char **err);

/* Count req's matches by key into out (free with ws_tally_free).  A
 * search that matches nothing (or only in part: relaxed) gives no
 * buckets and zero totals.  False with *err on failure. */
bool ws_tally_by(ws_index *ix, const ws_request *req, ws_tally_key key, ws_tally *out, char **err);

void ws_tally_free(ws_tally *t);

#endif
