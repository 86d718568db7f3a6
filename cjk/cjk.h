/*
 * cjk.h - text analysis for mixed Chinese and English, shared by the
 * indexer and the searcher so that both see exactly the same terms.
 *
 * Pipeline for a text (UTF-8 bytes):
 *   1. line-break repair: a newline between two CJK characters is no
 *      boundary; "inter-\nnational" joins; any other newline is a space.
 *   2. word segmentation with ICU's word break iterator (locale "zh").
 *   3. per token: NFKC case folding (full-width ＯＥＣＤ２０２４ -> oecd2024),
 *      optional Traditional -> Simplified folding of Han characters.
 *   4. terms: see cjk_term_kind.
 *
 * Offsets: every byte offset in this API is a UTF-8 byte offset into the
 * caller's original input, never into the repaired or normalised text.
 * Lines are 1-based, counted from the first_line the caller gives.
 *
 * Positions: one shared counter per text.  Each Han character advances it
 * by one; each Latin word or number advances it by one.  A bigram and a
 * dictionary word take the position of their first character.  So the
 * positional terms of a unit, in order, are at consecutive positions
 * exactly where the unit occurs as written: a phrase query over them is an
 * exact match.
 */
#ifndef WENSOU_CJK_H
#define WENSOU_CJK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cjk_term_kind {
	/* A Latin (or other alphabetic script) word, NFKC-casefolded: "oecd".
	 * Positional. */
	CJK_TERM_WORD,
	/* A number or alphanumeric token kept whole: "2024", "99.7", "1835tbps".
	 * Positional. */
	CJK_TERM_NUMBER,
	/* The libstemmer "english" stem of a WORD, with the "Z" prefix:
	 * "Zgovern".  Not positional (pos is that of its word). */
	CJK_TERM_STEM,
	/* Two adjacent Han characters of one run: "鸿沟".  Positional.  Every
	 * run of two or more Han characters yields all its bigrams, so any
	 * substring of length >= 2 is a phrase of bigrams whatever the
	 * dictionary did.  (A two-character dictionary word is the same term as
	 * the bigram at its position and is not emitted twice.) */
	CJK_TERM_BIGRAM,
	/* A Han run of exactly one character: "国" in "A国B".  Positional. */
	CJK_TERM_CHAR,
	/* An ICU dictionary word of three or more Han characters ("可持续发展"),
	 * or one merged from the domain lexicon.  Positional at its first
	 * character.  Adds ranking weight; redundant with the bigrams for
	 * matching, so query-side phrase building skips it. */
	CJK_TERM_CJK_WORD,
} cjk_term_kind;

typedef struct cjk_term {
	/* NUL-terminated term text.  Owned by the analyzer; valid until the
	 * next cjk_analyzer_next/reset/free on it. */
	const char *text;
	size_t len;          /* bytes in text, at most CJK_MAX_TERM_BYTES */
	cjk_term_kind kind;
	uint32_t pos;        /* position, starting at 1 for each reset */
	size_t start, end;   /* byte range [start, end) in the original input */
	uint32_t line;       /* line of start in the original input */
} cjk_term;

/* Terms longer than this (in bytes, after normalisation) are dropped. */
#define CJK_MAX_TERM_BYTES 200

typedef struct cjk_options {
	bool fold_traditional; /* map Traditional Han to Simplified (default true) */
	bool stem_english;     /* emit CJK_TERM_STEM terms (default true) */
	const char *lexicon_path; /* optional word list, one term per line; NULL for none */
	/* The complete folding table from cjk_fold_table_export, or NULL.
	 * With it the analyzer never opens ICU's Traditional -> Simplified
	 * transliterator, which costs ~25 ms: too much for a searcher started
	 * once per query.  The analyzer copies what it needs. */
	const char *fold_table;
	size_t fold_table_len;
} cjk_options;

/* Fills opts with the defaults. */
void cjk_options_default(cjk_options *opts);

typedef struct cjk_analyzer cjk_analyzer;

/* A new analyzer.  It is not thread-safe; use one per thread.  On failure
 * returns NULL and, if err is not NULL, stores a malloc'd message in *err
 * (free with free()). */
cjk_analyzer *cjk_analyzer_new(const cjk_options *opts, char **err);
void cjk_analyzer_free(cjk_analyzer *a);

/* Start analysing text[0..len).  The analyzer does not copy text: it must
 * stay valid and unchanged until the last cjk_analyzer_next.  Invalid UTF-8
 * is treated as U+FFFD (never a crash, never a term).  Memory used is
 * bounded whatever len is: long texts are worked through in chunks. */
void cjk_analyzer_reset(cjk_analyzer *a, const char *text, size_t len, uint32_t first_line);

/* As cjk_analyzer_reset, but the analysis leaves out CJK_TERM_CJK_WORD
 * terms and never runs ICU's dictionary: Han runs go straight to their
 * bigrams (and single characters), and only the text between them goes
 * through the word break iterator.  Every other term is the same, at the
 * same position, offsets and line.  Several times faster on Chinese text:
 * for finding a query's terms in a passage, where dictionary words are
 * redundant with the bigrams. */
void cjk_analyzer_reset_without_words(cjk_analyzer *a, const char *text, size_t len, uint32_t first_line);

/* How many words (non-Han pieces: a WORD or NUMBER) the analysis since
 * the last reset dropped for being longer than CJK_MAX_TERM_BYTES: each
 * took its position, but no term, so no index holds it and a query cannot
 * search for it.  (A long Han piece keeps its bigrams.) */
unsigned cjk_analyzer_dropped_words(const cjk_analyzer *a);

/* The next term, in order of start offset (a WORD's STEM directly follows
 * it; the BIGRAM/CJK_WORD terms of a Han run come in position order).
 * Returns 1 and fills *t, 0 at the end of the text, or -1 on an ICU or
 * memory failure (message in cjk_analyzer_error). */
int cjk_analyzer_next(cjk_analyzer *a, cjk_term *t);

/* Message of the last failure ("" if none).  Owned by a. */
const char *cjk_analyzer_error(const cjk_analyzer *a);

/* Normalise a short string the way terms are normalised (NFKC casefold and,
 * if enabled, Traditional -> Simplified), e.g. for comparing a --source
 * argument with stored sources.  Returns a new malloc'd NUL-terminated
 * string (free()), or NULL on failure. */
char *cjk_normalize(cjk_analyzer *a, const char *text, size_t len);

/* English (Porter2) stems through libstemmer, which is loaded on first
 * need (dynlib.h): a search with no English word never maps it.  An
 * analyzer makes its own; the glossary keys its English forms with one. */
typedef struct cjk_stemmer cjk_stemmer;

/* A new stemmer (cjk_stemmer_free), or NULL with *err (static storage)
 * saying why: libstemmer cannot be loaded, or memory ran out. */
cjk_stemmer *cjk_stemmer_new(const char **err);
void cjk_stemmer_free(cjk_stemmer *st);

/* The stem of word[0..len), without prefix: owned by st and valid until
 * its next call, *stem_len its bytes.  NULL when out of memory. */
const char *cjk_stemmer_stem(cjk_stemmer *st, const char *word, size_t len, size_t *stem_len);

/* Whether the analyses from now on give WORD terms their STEM terms,
 * where the options ask for them (stem_english): on when made.  A caller
 * that reads no stems turns them off, and the analyzer then has no reason
 * to load libstemmer.  Returns the setting it replaces. */
bool cjk_analyzer_set_stemming(cjk_analyzer *a, bool on);

/* Stems the analyzer takes instead of asking libstemmer, which it then
 * need not load: fn(ud, word, len, &stem_len) gives the stem of word[0..len)
 * (a WORD term's text) without prefix, or NULL when it does not know it.
 * The glossary lends its forms' stems this way, so that a Chinese query
 * whose concept has English forms never loads libstemmer.  fn and ud are
 * borrowed until replaced (fn NULL: none). */
typedef const char *cjk_stem_memo_fn(const void *ud, const char *word, size_t len, size_t *stem_len);
void cjk_analyzer_set_stem_memo(cjk_analyzer *a, cjk_stem_memo_fn *fn, const void *ud);

/* The analyzer's whole per-code-point folding (NFKC for compatibility
 * ideographs and radicals, and Traditional -> Simplified when enabled), as
 * UTF-8 pairs "from to" for every Han-ish code point that changes,
 * concatenated.  Computed with ICU (~0.1 s); the indexer stores it in the
 * index so that searchers load it instead (cjk_options.fold_table).
 * Returns a new malloc'd string (free()), *len its length; NULL on failure
 * (message in cjk_analyzer_error). */
char *cjk_fold_table_export(cjk_analyzer *a, size_t *len);

/* True if the line (without its newline) is page furniture from PDF
 * extraction: only a page number ("12", " 8 ", "- 3 -", "第 3 页", "iv"). */
bool cjk_line_is_page_number(const char *line, size_t len);

/* Bytes held by the analyzer's own buffers (ICU's caches not counted):
 * for tests and benchmarks that check memory stays bounded whatever the
 * input length. */
size_t cjk_analyzer_memory(const cjk_analyzer *a);

/* True if text[0..len), read exactly as the analyzer reads it (line-break
 * repair, folding), holds the Han characters han[0..n) contiguously in one
 * Han run: where the analyzer emits the BIGRAM terms han[0]han[1],
 * han[1]han[2], ... at consecutive positions.  han[] are folded code
 * points, as in bigram terms; n < 2 gives false.  A linear scan with no
 * break iterator and no allocation, far cheaper than analysing the text:
 * the searcher confirms with it the candidates Xapian finds through Han
 * terms indexed without positions. */
bool cjk_text_has_han_run(cjk_analyzer *a, const char *text, size_t len, const uint32_t *han, size_t n);

/* Called with the byte range [start, end) in the original text of each
 * occurrence, from the first character's first byte to the last
 * character's end (line breaks inside included); return false to stop. */
typedef bool cjk_run_found_fn(void *ud, size_t start, size_t end);

/* Every occurrence of han[0..n) as cjk_text_has_han_run finds them, in
 * order, overlapping ones too (哈哈 twice in 哈哈哈): where the analyzer's
 * bigrams would show the run.  Returns how many were reported. */
size_t cjk_text_find_han_runs(cjk_analyzer *a, const char *text, size_t len, const uint32_t *han, size_t n,
			      cjk_run_found_fn *found, void *ud);

/* Read text[0..len) as cjk_text_find_han_runs reads it and call fn with
 * each character of each Han run, folded, in order, and with 0 after each
 * run's last: the runs in which any han[] of cjk_text_has_han_run would be
 * found, for a caller that looks for many at once (the indexer's glossary
 * forms).  No allocation. */
typedef void cjk_han_char_fn(void *ud, uint32_t c);
void cjk_text_han_chars(cjk_analyzer *a, const char *text, size_t len, cjk_han_char_fn *fn, void *ud);

/* True if code point c is a Han ideograph (the characters that form runs
 * and bigrams). */
bool cjk_is_han(uint32_t c);

/* Each pair of Han characters side by side in text[0..len) (UTF-8, as
 * cjk_normalize gives it), in order: fn(ud, at, n) with the pair's bytes
 * text[at..at+n).  What a title's XT terms are (schema.h), for the
 * indexer that writes them and the searcher that looks them up. */
typedef void cjk_pair_fn(void *ud, size_t at, size_t n);
void cjk_han_pairs(const char *text, size_t len, cjk_pair_fn *fn, void *ud);

/* Call fn for each word of text[0..len) (UTF-8) as ICU's word break
 * iterator with its Chinese dictionary segments it ("怎样|提升|发展中国家"),
 * spaces and punctuation left out; fn returns false to stop.  Returns the
 * number of words, or -1 on an ICU failure or when out of memory. */
typedef bool cjk_word_fn(const char *word, size_t len, void *ud);
int cjk_words(cjk_analyzer *a, const char *text, size_t len, cjk_word_fn *fn, void *ud);

/* Code point c folded as the analyzer folds Han characters (NFKC, and
 * Traditional to Simplified when the options ask for it); other
 * characters as they are. */
uint32_t cjk_fold_char(cjk_analyzer *a, uint32_t c);

/* True if c ends a sentence (。！？．!?.；;…), for cutting text into
 * passages and snippets.  A '.' ends one only before white space: that is
 * the caller's to check. */
bool cjk_is_sentence_end(uint32_t c);

/* True if c closes a quotation or bracket (”’」』》）) and so belongs to
 * the text before it: a line or a cut never starts with one. */
bool cjk_is_closing_mark(uint32_t c);

#ifdef __cplusplus
}
#endif

#endif /* WENSOU_CJK_H */
