/*
 * glossary.h - concepts and their Chinese, English and abbreviated forms
 * (doc/glossary.md), so that a query for one form finds the others:
 * "digital economy" finds 数字经济, UNESCO finds 联合国教科文组织.
 *
 * The glossary lives in files both binaries read, not in the index:
 * Xapian 1.4 cannot serve a database's synonyms from a remote shard, and
 * users add their own files.  (The indexer gives the longer forms terms
 * of their own, formset.h, which only make searches cheaper.)  Forms are
 * compared by a key: the text normalised as
 * the index normalises it (NFKC case folding, Traditional to Simplified),
 * white space collapsed, each English word stemmed.
 */
#ifndef WENSOU_GLOSSARY_H
#define WENSOU_GLOSSARY_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"

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

/* The form text[0..len) spells (compared by key, see above): its index
 * in *form_index and *found true, or *found false if it spells none.
 * False when out of memory.  The keys of the forms compared are made on
 * the way and kept: a cache, not a change anyone can see. */
bool ws_glossary_find(const ws_glossary *g, cjk_analyzer *a, const char *text, size_t len, size_t *form_index,
                      bool *found);

/* The stem of word[0..len), an English word of one of g's forms as the
 * analyzer of its load emitted it (a WORD term), without prefix: owned by
 * g, *stem_len its bytes; NULL when no form has the word.  A
 * cjk_stem_memo_fn (ud is g): a search lends it to its analyzer, which
 * then loads libstemmer only for words no form has. */
const char *ws_glossary_stem(const void *g, const char *word, size_t len, size_t *stem_len);

/* The forms, 0 .. ws_glossary_nforms - 1, in the files' order: form k's
 * text as written (owned by g) and its concept's number.  Forms of one
 * concept share the number; the concept's first form comes first. */
size_t ws_glossary_nforms(const ws_glossary *g);
const char *ws_glossary_form(const ws_glossary *g, size_t k);
unsigned ws_glossary_concept(const ws_glossary *g, size_t k);

#endif
