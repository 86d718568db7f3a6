/*
 * formset.h - the glossary's forms that the index holds as terms of their
 * own (schema.h, WS_PREFIX_FORM): Chinese ones of three characters or
 * more, and English ones of two words or more.
 *
 * A Han run is indexed as bigrams without positions, so a search for
 * 全球数字契约 reads the postings of its five bigrams, ANDs them and checks
 * every candidate's text: at a gigabyte the AND of long lists is most of
 * a topic query's time, and a glossary expands one query into several
 * such runs.  So the indexer also gives a passage one term for each
 * glossary form of three Han characters or more that its text holds,
 * read exactly as the searcher's check reads it (cjk_text_han_chars), and
 * records in each shard which forms every passage of the shard was
 * indexed with (WS_META_FORMS).  An English form of several words is a
 * phrase, whose position lists cost a search more than its postings
 * (half a millisecond for a phrase that is nowhere): the indexer gives
 * it a term too, where the phrase would match (its words at consecutive
 * positions).  A searcher uses a form's term only when
 * every shard it searches lists the form: other glossaries, older
 * indexes and shards it cannot read the list of are searched as before.
 */
#ifndef WENSOU_FORMSET_H
#define WENSOU_FORMSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cjk.h"
#include "glossary.h"
#include "schema.h"

/* Forms of more characters are not indexed (none of the shipped
 * glossary's comes near). */
#define WS_FORM_MAX_CHARS 24
#define WS_FORM_MIN_CHARS 3
#define WS_FORM_MAX_WORDS 8

typedef struct ws_formset ws_formset;

/* The forms of g (NULL: none) that are one Han run of WS_FORM_MIN_CHARS
 * to WS_FORM_MAX_CHARS characters, as a read with a (configured as the
 * index's analysis) folds them, or 2 to WS_FORM_MAX_WORDS words (WORD and
 * NUMBER terms at consecutive positions, nothing else), as a analyses
 * them, joined by one space.  A new set in *out; false only when out of
 * memory. */
bool ws_formset_new(const ws_glossary *g, cjk_analyzer *a, ws_formset **out);
void ws_formset_free(ws_formset *fs);

/* Number of forms, and form k's folded text (owned by fs; *len its bytes). */
size_t ws_formset_size(const ws_formset *fs);
const char *ws_formset_form(const ws_formset *fs, size_t k, size_t *len);

/* Call fn(ud, k) for each occurrence in text[0..len) of each form k of fs,
 * where cjk_text_find_han_runs would find it (overlapping ones too).  a
 * is the analyzer of the text's analysis; fs is only read, so threads may
 * share it. */
typedef void ws_form_found_fn(void *ud, size_t k);
void ws_formset_scan(const ws_formset *fs, cjk_analyzer *a, const char *text, size_t len, ws_form_found_fn *fn,
                     void *ud);

/* The words of a passage's analysis (WORD and NUMBER terms, in order of
 * position) seen so far, for ws_formset_word. */
typedef struct ws_form_words {
	char word[WS_FORM_MAX_WORDS][WS_TERM_MAX_BYTES];
	size_t len[WS_FORM_MAX_WORDS];
	uint32_t pos[WS_FORM_MAX_WORDS];
	size_t n;
} ws_form_words;

void ws_form_words_reset(ws_form_words *w);

/* The next word of a passage, at pos: fn(ud, k) for each form k of fs of
 * several words that ends there, its words at consecutive positions (a
 * phrase search's match). */
void ws_formset_word(const ws_formset *fs, ws_form_words *w, const char *word, size_t len, uint32_t pos,
                     ws_form_found_fn *fn, void *ud);

/* The list a shard records (WS_META_FORMS): the forms one per line, in
 * byte order, with a newline before the first and after each.  With list
 * (a shard's list, or NULL for a shard with no passages yet) only the
 * forms in both: a shard's passages of older runs have only the terms of
 * their forms.  A new malloc'd string ("" when there are none), NULL when
 * out of memory. */
char *ws_formset_list(const ws_formset *fs, const char *list);

/* Does list (a WS_META_FORMS value of len bytes) hold form[0..n)? */
bool ws_forms_list_has(const char *list, size_t len, const char *form, size_t n);

#endif
