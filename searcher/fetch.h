/*
 * fetch.h - the whole passage of a hit, read back from the index (the
 * prompt's "show"): found among its file's passages by its lines (and
 * page), made display-ready as snippets are, the query's matches lit.
 */
#ifndef WS_SEARCH_FETCH_H
#define WS_SEARCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "index.h"
#include "snippet.h"

/* Fill out with hit h's passage and the matches of query[0..qlen) in it.
 * False with a malloc'd message in *err when the passage is no longer in
 * the index (reindexed since) or on failure. */
bool ws_fetch_passage(ws_index *ix, const ws_hit *h, const char *query, size_t qlen, ws_snippet *out, char **err);

#endif
