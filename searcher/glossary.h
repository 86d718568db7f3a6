/*
 * glossary.h - concepts and their Chinese, English and abbreviated forms
 * (doc/glossary.md), so that a query for one form finds the others:
 * "digital economy" finds 数字经济, UNESCO finds 联合国教科文组织.
 *
 * The glossary lives with the searcher, not in the index: Xapian 1.4
 * cannot serve a database's synonyms from a remote shard, and users add
 * their own files.  Forms are compared by a key: the text normalised as
 * the index normalises it (NFKC case folding, Traditional to Simplified),
 * white space collapsed, each English word stemmed.
 */
#ifndef WS_SEARCH_GLOSSARY_H
#define WS_SEARCH_GLOSSARY_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"
#include "query.h"

typedef struct ws_glossary ws_glossary;

/* Load the glossary files paths[0..n) (a missing file is skipped, a file
 * that cannot be read or holds a malformed line is an error naming it and
 * the line).  a normalises the forms.  Stores a new glossary in *out
 * (never NULL on success, possibly empty). */
bool ws_glossary_load(const char *const *paths, size_t n, cjk_analyzer *a, ws_glossary **out, char **err);

/* The files a search reads, in order: $WENSOU_GLOSSARY (files separated
 * by ':') if set; else the glossary shipped with wensou (beside the
 * program in a build tree, else WENSOU_DATADIR/glossary), then the user's
 * ($XDG_CONFIG_HOME/wensou/glossary.txt), then glossary.txt in each index
 * folder of dbs[0..ndbs).  Stores a malloc'd array of malloc'd paths in
 * *out and their number in *n.  False only when out of memory. */
bool ws_glossary_paths(const char *const *dbs, size_t ndbs, char ***out, size_t *n);

/* ws_glossary_load of ws_glossary_paths. */
bool ws_glossary_open(const char *const *dbs, size_t ndbs, cjk_analyzer *a, ws_glossary **out, char **err);

/* Every form of the concept text spells (text's own among them), as
 * malloc'd strings in a malloc'd array *forms of *n; none when text is no
 * form.  False when out of memory (what was stored is still the
 * caller's to free). */
bool ws_glossary_forms(const ws_glossary *g, cjk_analyzer *a, const char *text, char ***forms, size_t *n);

void ws_glossary_free(ws_glossary *g);

/* Number of concepts. */
size_t ws_glossary_size(const ws_glossary *g);

/* Expand q (parsed, not yet analysed) through g: each run of one or more
 * consecutive plain units (unquoted, not excluded, not joined by OR) that
 * spells a form of a concept becomes one group of that text and the
 * concept's other forms (flagged synonym), longest runs first.  False
 * with a message in *err when out of memory. */
bool ws_glossary_expand(const ws_glossary *g, cjk_analyzer *a, ws_query *q, char **err);

#endif
