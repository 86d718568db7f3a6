/*
 * expand.h - a query expanded through the glossary (glossary.h): a run
 * of query units that spells a form of a concept also looks for the
 * concept's other forms.
 */
#ifndef WS_SEARCH_EXPAND_H
#define WS_SEARCH_EXPAND_H

#include <stdbool.h>

#include "cjk.h"
#include "glossary.h"
#include "query.h"

/* Expand q (parsed, not yet analysed) through g: each run of one or more
 * consecutive plain units (unquoted, not excluded, not joined by OR) that
 * spells a form of a concept becomes one group of that text and the
 * concept's other forms (flagged synonym), longest runs first.  False
 * with a message in *err when out of memory. */
bool ws_glossary_expand(const ws_glossary *g, cjk_analyzer *a, ws_query *q, char **err);

#endif
