/*
 * glossary_private.h - a loaded glossary, for glossary.c, which reads its
 * files, and cache.c, which keeps it between processes.
 */
#ifndef WENSOU_GLOSSARY_PRIVATE_H
#define WENSOU_GLOSSARY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glossary.h"

typedef struct form {
	char *text;       /* as written in the file; in an arena */
	char *plain;      /* text lower-cased, white space collapsed; in an arena */
	char *key;        /* see glossary.h: made when first compared; owned */
	uint64_t weak;    /* weak_key */
	uint32_t first;   /* the first character weak_key read, before the Han
	                     folding that weak holds it after (cache.c) */
	unsigned concept;
	size_t next_weak; /* the next form of the same weak key, + 1; 0: none */
} form;

/* Keys cost a normalisation and a stemming each, 1,700 of them a few
 * milliseconds that every one-shot search would pay: so a form's key is
 * made only when a query could spell it, which its weak key (cheap, and
 * the same for every spelling that normalises alike) tells. */
struct ws_glossary {
	form *forms;
	size_t n, cap;
	unsigned nconcepts;
	size_t *slots;    /* open addressing over forms by plain text: index + 1, 0 empty */
	size_t nslots;
	size_t *by_weak;  /* open addressing by weak key: the first form of
	                     the key (in the files' order), + 1; 0 empty */
	size_t nweak;
	cjk_stemmer *stemmer; /* made on first need */
	bool no_stemmer;      /* it could not be made */
	char **arenas;    /* one per file: the texts and plain texts of its
	                     forms; or the one cache read (cache.c) */
	size_t narenas;
	/* The stems of the forms' English words (stems.c): entries
	 * "word\0stem\0" in byte order of word, entry i at stems +
	 * stem_at[i]; stems in an arena, or in stems_own when made here */
	const char *stems;
	uint32_t *stem_at;
	size_t nstems, stem_bytes;
	char *stems_own;
};

/* Make g's stems (ws_glossary_stem) with a, the analyzer of the load:
 * each form analysed, its WORD terms and their STEM terms kept.  False
 * only when out of memory; an analysis that fails (libstemmer cannot be
 * loaded) leaves g without stems, and searches stem for themselves. */
bool ws_glossary_make_stems(ws_glossary *g, cjk_analyzer *a);

/* What the files paths[0..n) hold now (their names and bytes, hashed):
 * the identity a cache file of their glossary records. */
uint64_t ws_glossary_cache_ident(const char *const *paths, size_t n);

/* The glossary of the files paths[0..n), whose identity is ident, as a
 * cache file of an earlier load holds it, when one is there and still
 * theirs (of the same identity, and a folds the forms' first characters as
 * it did): a new glossary in *out, else false (and nothing in *out). */
bool ws_glossary_cache_load(const char *const *paths, size_t n, uint64_t ident, cjk_analyzer *a, ws_glossary **out);

/* Keep g, loaded from paths[0..n) of identity ident, for the next
 * process: written whole or not at all, and a failure costs nothing but
 * the next load's time. */
void ws_glossary_cache_store(const ws_glossary *g, const char *const *paths, size_t n, uint64_t ident);

#endif
