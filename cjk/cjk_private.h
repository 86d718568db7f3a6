/*
 * cjk_private.h - internals of the cjk library, shared by its .c files
 * only.  Never included from another folder.
 *
 * Units used below, always named in the field's comment:
 *   - "byte":  a UTF-8 byte offset into the caller's original input;
 *   - "cbyte": a UTF-8 byte offset relative to the start of the current
 *              chunk (uint32_t: a chunk is at most CJK_CHUNK_HARD bytes);
 *   - "unit":  a UTF-16 code unit index into the repaired chunk buffer;
 *   - "char":  a code point index into a Han run.
 */
#ifndef WENSOU_CJK_PRIVATE_H
#define WENSOU_CJK_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utrans.h>

#include "cjk.h"

/* Chunking (bytes): a chunk ends at the first safe point after
 * CJK_CHUNK_TARGET bytes, or at a character boundary after CJK_CHUNK_HARD
 * bytes when no safe point turns up. */
#define CJK_CHUNK_TARGET (64u * 1024u)
#define CJK_CHUNK_HARD (1024u * 1024u)

/* Longest lexicon word considered, in chars. */
#define CJK_LEXICON_MAX_CHARS 8

/* ---- per-code-point folding cache (normalize.c) ---- */

/* Folding of one Han-ish code point: NFKC casefold (compatibility
 * ideographs, Kangxi radicals) then, if enabled, Traditional ->
 * Simplified; kept only when the result is exactly one code point. */
typedef struct cjk_fold_cache {
	uint32_t *bmp;          /* [c - CJK_FOLD_BMP_LO] -> folded + 1; 0 = not yet known */
	uint32_t *hash_keys;    /* supplementary code points; 0 = empty slot */
	uint32_t *hash_vals;    /* their folded code points */
	size_t hash_cap, hash_used;
	bool complete;          /* loaded from a fold table: whatever is not in it folds to itself */
} cjk_fold_cache;

#define CJK_FOLD_BMP_LO 0x2E80u
#define CJK_FOLD_BMP_HI 0xFAFFu /* inclusive */

/* ---- lexicon (lexicon.c) ---- */

typedef struct cjk_lexicon cjk_lexicon;

/* ---- terms of one chunk (termbuf.c) ---- */

typedef struct cjk_term_rec {
	size_t start, end;   /* bytes, [start, end) in the original input */
	uint32_t text_off;   /* offset of the NUL-terminated text in the arena */
	uint32_t pos;
	uint32_t line;
	uint16_t len;        /* bytes of text */
	uint8_t kind;        /* cjk_term_kind */
} cjk_term_rec;

typedef struct cjk_termbuf {
	cjk_term_rec *terms;
	size_t n, cap, next; /* next: index of the next term to hand out */
	char *arena;
	size_t arena_len, arena_cap;
} cjk_termbuf;

/* Han in the sense of runs (runfind.c's file comment): what cjk_is_han
 * takes and ICU's Unicode version assigns.  Below U+A000 every code point
 * cjk_is_han takes is assigned since Unicode 14 (ICU >= 72 is required),
 * which spares the common case the property lookup. */
static inline bool cjk_is_run_han(uint32_t c)
{
	if (!cjk_is_han(c))
		return false;
	return c <= 0x9FFFu || u_charType((UChar32)c) != U_UNASSIGNED;
}

/* ---- the analyzer ---- */

/* The calls of ICU's transliterator (libicui18n, loaded on first need:
 * normalize.c), typed as ICU's headers declare them. */
typedef struct cjk_t2s_api {
	__typeof__(utrans_close) *close;
	__typeof__(utrans_transUChars) *trans_uchars;
} cjk_t2s_api;

struct cjk_analyzer {
	cjk_options opts;             /* lexicon_path not kept (NULL) */
	char err[256];

	UBreakIterator *brk;          /* reused for every chunk (ubrk_setText); cjk_brk */
	const UNormalizer2 *nfkc_cf;  /* owned by ICU; cjk_nfkc */
	UTransliterator *t2s;         /* opened on first need; NULL before */
	cjk_t2s_api t2s_api;          /* libicui18n's calls, loaded with t2s */
	cjk_stemmer *stemmer;         /* made at the first English word the memo lacks (stem_english) */
	bool no_stems;                /* cjk_analyzer_set_stemming(a, false) */
	cjk_stem_memo_fn *stem_memo;  /* cjk_analyzer_set_stem_memo; NULL: none */
	const void *stem_memo_ud;
	cjk_fold_cache fold;
	cjk_lexicon *lexicon;         /* NULL for none */

	/* input */
	const char *text;
	size_t len;                   /* bytes */
	size_t chunk_base;            /* byte offset of the current chunk */
	size_t next_chunk;            /* byte offset of the next chunk */
	uint32_t pos;                 /* the next position to give */
	unsigned dropped_words;       /* words over CJK_MAX_TERM_BYTES since the reset */
	size_t line_off;              /* byte offset up to which newlines are counted */
	uint32_t line;                /* line number at line_off */

	/* repaired chunk: u16[i] came from original cbyte map[i] */
	UChar *u16;
	uint32_t *map;                /* cbyte per unit; map[n16] = chunk length */
	size_t n16, cap16;            /* units */

	/* the Han run being collected */
	uint32_t *run_unit;           /* unit where char k of the run starts */
	uint16_t *run_piece;          /* chars of the ICU piece starting at char k, 0 if none */
	size_t run_n;                 /* chars */
	size_t run_end;               /* unit just after the run's last char */
	uint32_t run_pos;             /* position of char 0 */
	size_t run_cap;               /* chars */

	/* scratch for word normalisation */
	UChar *scratch16;
	size_t scratch16_cap;         /* units */
	char *scratch8;
	size_t scratch8_cap;          /* bytes */

	cjk_termbuf tb;
	bool failed;
	bool words;                   /* dictionary words wanted (see cjk_analyzer_reset_without_words) */
};

/* analyzer.c */
void cjk_analyzer_fail(cjk_analyzer *a, const char *what, int icu_status);

/* a's word break iterator and NFKC_Casefold normaliser, opened on first
 * call; NULL when ICU cannot open them (a failed, with the message). */
UBreakIterator *cjk_brk(cjk_analyzer *a);
const UNormalizer2 *cjk_nfkc(cjk_analyzer *a);

/* chunk.c: byte offset where the chunk starting at byte start ends. */
size_t cjk_chunk_end(const char *text, size_t len, size_t start);

/* linefix.c: decode text[0..n) (one chunk) into a->u16/a->map with
 * line-break repair and Han folding.  Returns false on allocation
 * failure. */
bool cjk_linefix_run(cjk_analyzer *a, const char *text, size_t n);

/* normalize.c */
bool cjk_fold_init(cjk_fold_cache *fc);
void cjk_fold_free(cjk_fold_cache *fc);
/* Folded code point of c, which is in a Han-ish range (see
 * cjk_fold_applies); c itself when no single-code-point folding exists. */
uint32_t cjk_fold_cp(cjk_analyzer *a, uint32_t c);
/* Load a table from cjk_fold_table_export into the cache (complete from
 * then on).  False when out of memory or the table is malformed. */
bool cjk_fold_load(cjk_fold_cache *fc, const char *table, size_t len);
/* True if c may change under cjk_fold_cp with the analyzer's options. */
static inline bool cjk_fold_applies(const cjk_analyzer *a, uint32_t c)
{
	if (c < CJK_FOLD_BMP_LO)
		return false;
	if (c <= 0x2FDFu)                       /* radicals, Kangxi radicals */
		return true;
	if (c >= 0xF900u && c <= 0xFAFFu)        /* compatibility ideographs */
		return true;
	if (c >= 0x2F800u && c <= 0x2FA1Fu)      /* compatibility supplement */
		return true;
	if (!a->opts.fold_traditional)
		return false;
	return (c >= 0x3400u && c <= 0x9FFFu) || (c >= 0x20000u && c <= 0x323AFu);
}
/* NFKC-casefold units u16[0..n) into a->scratch8 (NUL-terminated);
 * returns its length in bytes, or -1 on failure (message set). */
long cjk_fold_word(cjk_analyzer *a, const UChar *u16, size_t n);

/* lexicon.c */
cjk_lexicon *cjk_lexicon_load(cjk_analyzer *a, const char *path);
void cjk_lexicon_free(cjk_lexicon *lex);
bool cjk_lexicon_has(const cjk_lexicon *lex, const char *word, size_t len);

/* segment.c: analyse the repaired chunk into a->tb.  False on failure. */
bool cjk_segment_run(cjk_analyzer *a);

/* termbuf.c */
void cjk_termbuf_clear(cjk_termbuf *tb);
void cjk_termbuf_free(cjk_termbuf *tb);
/* Reserve room for a term whose text is at most max_len bytes; returns
 * the place to write the text, or NULL on allocation failure. */
char *cjk_termbuf_text(cjk_termbuf *tb, size_t max_len);
/* Append a term whose text (len bytes) was written at the place returned
 * by the last cjk_termbuf_text.  False on allocation failure. */
bool cjk_termbuf_push(cjk_termbuf *tb, size_t len, cjk_term_kind kind,
		      uint32_t pos, size_t start, size_t end);

/* utf.c-like helpers, inline */
static inline size_t cjk_utf8_put(char *out, uint32_t c)
{
	if (c < 0x80u) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800u) {
		out[0] = (char)(0xC0u | (c >> 6));
		out[1] = (char)(0x80u | (c & 0x3Fu));
		return 2;
	}
	if (c < 0x10000u) {
		out[0] = (char)(0xE0u | (c >> 12));
		out[1] = (char)(0x80u | ((c >> 6) & 0x3Fu));
		out[2] = (char)(0x80u | (c & 0x3Fu));
		return 3;
	}
	out[0] = (char)(0xF0u | (c >> 18));
	out[1] = (char)(0x80u | ((c >> 12) & 0x3Fu));
	out[2] = (char)(0x80u | ((c >> 6) & 0x3Fu));
	out[3] = (char)(0x80u | (c & 0x3Fu));
	return 4;
}

/* Decode one UTF-8 character at s[0..n), n >= 1.  Stores its length in
 * bytes in *used (1 for an invalid byte, which decodes as U+FFFD). */
static inline uint32_t cjk_utf8_get(const unsigned char *s, size_t n, size_t *used)
{
	uint32_t b = s[0];
	if (b < 0x80u) {
		*used = 1;
		return b;
	}
	if (b >= 0xC2u && b <= 0xDFu) {
		if (n >= 2 && (s[1] & 0xC0u) == 0x80u) {
			*used = 2;
			return ((b & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		}
	} else if (b >= 0xE0u && b <= 0xEFu) {
		if (n >= 3 && (s[1] & 0xC0u) == 0x80u && (s[2] & 0xC0u) == 0x80u) {
			uint32_t c = ((b & 0x0Fu) << 12) | ((uint32_t)(s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
			if (c >= 0x800u && (c < 0xD800u || c > 0xDFFFu)) {
				*used = 3;
				return c;
			}
		}
	} else if (b >= 0xF0u && b <= 0xF4u) {
		if (n >= 4 && (s[1] & 0xC0u) == 0x80u && (s[2] & 0xC0u) == 0x80u &&
		    (s[3] & 0xC0u) == 0x80u) {
			uint32_t c = ((b & 0x07u) << 18) | ((uint32_t)(s[1] & 0x3Fu) << 12) |
				     ((uint32_t)(s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
			if (c >= 0x10000u && c <= 0x10FFFFu) {
				*used = 4;
				return c;
			}
		}
	}
	*used = 1;
	return 0xFFFDu;
}

/* Bytes of the UTF-8 sequence starting with lead byte b, for characters
 * the decoder accepted (an invalid byte decodes as one U+FFFD of 1 byte). */
static inline size_t cjk_utf8_len(unsigned char b)
{
	if (b < 0xC2u)
		return 1;
	if (b < 0xE0u)
		return 2;
	if (b < 0xF0u)
		return 3;
	return b <= 0xF4u ? 4 : 1;
}

#endif /* WENSOU_CJK_PRIVATE_H */
