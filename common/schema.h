/*
 * schema.h - how wensou lays out its Xapian index.  The indexer writes it,
 * the searcher reads it; this header is the one place both agree on.
 *
 * One Xapian document per passage.  Its terms:
 *   (no prefix)  cjk/ terms: WORD, NUMBER (with positions, for English
 *                phrases); BIGRAM, CHAR, CJK_WORD (without: a run of Han
 *                characters is found as the AND of its bigrams, then
 *                checked in the passage text with cjk_text_has_han_run)
 *   Z...         cjk/ STEM terms (no positions)
 *   Q<fileid>    boolean: the file the passage comes from
 *   Y<year>      boolean: the document's year, when known ("Y2023")
 *   XS<source>   boolean: the document's normalised source (publisher)
 *   XT<pair>     boolean: each pair of Han characters side by side in the
 *                document's title, normalised as the searcher reads it
 *                (cjk_normalize, cjk_han_pairs): title: finds the files
 *                of a common title word as the AND of a few lists, not
 *                the OR of a Q term per file
 *   K<kind>      boolean: a passage that is not body text (ws_kind_name:
 *                Kcontents, Knote, Ksource, Kcaption)
 *   A...         the terms of such a passage (an aside): every term
 *                listed here but the boolean ones gets this prefix
 *                ("A数字", "AZgovern", "AH数字", "AXF..."), so that the
 *                posting lists a search for words reads hold body text
 *                alone and nothing need be left out; a search of all
 *                kinds looks for each term with its aside twin too
 *                (qbuild.c).  A search of filters alone leaves the K
 *                terms out.
 *   H...         the cjk/ terms of the heading of the passage's own
 *                section (no positions): a unit matches there too, so a
 *                section's body is found by what its heading names
 *   XF<form>     a glossary form of three Han characters or more, folded,
 *                once per occurrence in the text (where the run check
 *                finds it): one posting list instead of its bigrams' AND
 *                (formset.h; the forms a shard has them for are in
 *                WS_META_FORMS); HXF<form> the same in the heading of the
 *                passage's own section
 * Its values: WS_SLOT_YEAR (sortable_serialise'd year, when known) and
 * WS_SLOT_FILE (the file id, for --per-doc collapsing).
 * Its data: a JSON object (WS_DATA_* below), a NUL byte, the heading of
 * the passage's own section unless the text begins with it (else
 * nothing), a NUL byte, then the passage's original bytes.  Heading and
 * text stay out of the JSON so that the searcher can check a candidate
 * passage without parsing anything (ws_passage_text, ws_passage_heading):
 * a unit matches in the text or in that heading.  JSON never holds a raw
 * NUL, nor does a heading, so the first two NULs end them.
 *
 * The terms and the file record are built by filerec.h, the folder
 * layout (stub, generations, shards) is layout.h's.
 *
 * Per file, a metadata entry WS_META_FILE_PREFIX + fileid holds a JSON
 * object (WS_FILE_*) used for incremental indexing and for title:/source:
 * look-ups.  WS_META_SCHEMA holds the schema version and analysis options,
 * so that the searcher analyses queries exactly as the text was analysed.
 */
#ifndef WENSOU_SCHEMA_H
#define WENSOU_SCHEMA_H

#include <stddef.h>
#include <string.h>

/* 2: Han terms without positions; the passage text after the JSON.
 * 3: passage kinds (K terms, "kind"), headings at the start of the text ("head"), section terms (H).
 * 4: the length normalisation in the wdf (WS_RANK_* below).
 * 5: the asides' terms under their own prefix (WS_PREFIX_ASIDE), no K*aside.
 * 6: the titles' Han pairs (XT).
 * An indexer meeting an index of another version rebuilds it; a searcher asks for that. */
#define WS_SCHEMA_VERSION 6

/*
 * Ranking is BM25 with k1 = WS_RANK_K1 and length normalisation
 * n(L) = 1 - b + b * max(L / pivot, min_normlen), L a passage's length
 * (the sum of its wdf).  BM25's term part, tf (k1 + 1) / (tf + k1 n(L)),
 * equals (tf / n(L)) (k1 + 1) / (tf / n(L) + k1): so the indexer stores
 * each term's wdf as tf * WS_RANK_WDF_SCALE / n(L), rounded
 * (ws_rank_wdf_factor), and the searcher ranks with BM25 without length
 * normalisation (b = 0) and k1 * WS_RANK_WDF_SCALE, which gives the same
 * order up to the rounding.  Xapian then never reads a candidate's
 * length, a B-tree look-up that was most of a search's time in the
 * matcher.  The pivot is a constant, not the index's mean length, so
 * that every shard, part and generation weighs a passage alike: the
 * passages the indexer cuts average about 200 terms (195 to 220 in the
 * data sets of bench/ and ../shared/corpus).  A passage shorter than
 * min_normlen of the pivot gains nothing more by being short: fragments
 * rank less above passages of substance (relevance set: topic nDCG@10
 * 0.603 -> 0.611, P@5 0.844 -> 0.867, measured with the mean).
 */
#define WS_RANK_K1 1.0
#define WS_RANK_B 0.5
#define WS_RANK_MIN_NORMLEN 0.8
#define WS_RANK_PIVOT 200.0
#define WS_RANK_WDF_SCALE 32.0

/* The factor for the wdf of a passage of length len (>= 1: a passage so
 * long that its n(L) passes the scale keeps its plain counts). */
static inline double ws_rank_wdf_factor(unsigned long len)
{
	double r = (double)len / WS_RANK_PIVOT;
	if (r < WS_RANK_MIN_NORMLEN)
		r = WS_RANK_MIN_NORMLEN;
	double f = WS_RANK_WDF_SCALE / (1.0 - WS_RANK_B + WS_RANK_B * r);
	return f < 1.0 ? 1.0 : f;
}

#define WS_PREFIX_FILE "Q"
#define WS_PREFIX_YEAR "Y"
#define WS_PREFIX_SOURCE "XS"
#define WS_PREFIX_KIND "K"
#define WS_PREFIX_SECTION "H"
#define WS_PREFIX_FORM "XF"
#define WS_PREFIX_ASIDE "A"
#define WS_PREFIX_TITLE "XT"

/* Passage kinds, as indexed (K terms) and in JSON ("kind"): 0 is body
 * text, the others are kept out of default results. */
#define WS_KINDS 5
static inline const char *ws_kind_name(unsigned kind)
{
	static const char *const names[WS_KINDS] = {"body", "contents", "note", "source", "caption"};
	return kind < WS_KINDS ? names[kind] : "body";
}


#define WS_SLOT_YEAR 0
#define WS_SLOT_FILE 1

/* Passage data (JSON object keys). */
#define WS_DATA_PATH "path"       /* string: absolute path of the file */
#define WS_DATA_TITLE "title"     /* string */
#define WS_DATA_YEAR "year"       /* integer or null */
#define WS_DATA_SOURCE "source"   /* string or null */
#define WS_DATA_PAGE "page"       /* integer or null: the page's place in the file, 1-based */
#define WS_DATA_PAGE_LABEL "page_label" /* string, only where the page's printed label
                                           (a PDF page label) differs from page */
#define WS_DATA_LINES "lines"     /* [first, last], 1-based inclusive */
#define WS_DATA_SECTION "section" /* string: heading trail "一、… > （二）…" or "" */
#define WS_DATA_KIND "kind"       /* string, only for passages that are not body text */
#define WS_DATA_HEAD "head"       /* integer, only where the text starts with its section's
                                     heading lines: their length in bytes */
#define WS_DATA_OFFSET "offset"   /* integer: byte offset of text in the file */
#define WS_DATA_LINE_OFFSET "line_offset" /* integer: bytes from the start of line
                                             lines[0] to the start of text (0 unless a
                                             very long line was split) */
#define WS_DATA_LINE_OFFSET_CHARS "line_offset_chars" /* the same in characters */
#define WS_DATA_LINE_MAP "line_map" /* array, only where the text's lines are not the
                                       file's consecutive lines (HTML, DOCX): the file
                                       line of each line of text, lines[0] first */

/* The text part of a passage's data[0..len) (see above); *json_len gets
 * the length of the JSON part.  A datum without a NUL has no text. */
static inline const char *ws_passage_text(const char *data, size_t len, size_t *json_len, size_t *text_len)
{
	const char *nul = data ? (const char *)memchr(data, '\0', len) : NULL;
	*json_len = nul ? (size_t)(nul - data) : len;
	const char *head = nul ? (const char *)memchr(nul + 1, '\0', len - *json_len - 1) : NULL;
	*text_len = head ? len - (size_t)(head - data) - 1 : 0;
	return head ? head + 1 : "";
}

/* The heading part of a passage's data: its own section's heading where
 * the text does not begin with it, else "" (*n gets its length). */
static inline const char *ws_passage_heading(const char *data, size_t len, size_t *n)
{
	const char *nul = data ? (const char *)memchr(data, '\0', len) : NULL;
	const char *end = nul ? (const char *)memchr(nul + 1, '\0', len - (size_t)(nul - data) - 1) : NULL;
	*n = end ? (size_t)(end - nul - 1) : 0;
	return end ? nul + 1 : "";
}

/* Metadata keys. */
#define WS_META_SCHEMA "wensou:schema"     /* JSON: {"version":1,"fold_traditional":true,...} */
#define WS_META_FILE_PREFIX "wensou:file:" /* + fileid -> JSON below */
#define WS_META_FOLD "wensou:fold"         /* cjk_fold_table_export() of the analysis
                                              options: searchers load it instead of
                                              opening ICU's slow transliterator */
#define WS_META_FORMS "wensou:forms"     /* per shard: the forms every passage of the
                                              shard has its XF terms for, one per line
                                              (ws_formset_list); absent: none */
#define WS_META_ROOTS "wensou:roots"       /* JSON array of the canonical paths the index
                                              was built from (shard 0 only) */

#define WS_FILE_PATH "path"       /* canonical absolute path */
#define WS_FILE_ROOT "root"       /* the root it was found under (absent in older records) */
#define WS_FILE_SIDECAR_MTIME "sidecar_mtime" /* integer ns; 0 without a sidecar */
#define WS_FILE_SIZE "size"
#define WS_FILE_MTIME "mtime"     /* integer nanoseconds since the epoch */
#define WS_FILE_HASH "hash"       /* hex XXH3-128 of the content */
#define WS_FILE_TITLE "title"
#define WS_FILE_YEAR "year"
#define WS_FILE_SOURCE "source"
#define WS_FILE_PASSAGES "passages"

/* Xapian's limit on a term's length (xq.h's XQ_MAX_TERM_BYTES). */
#define WS_TERM_MAX_BYTES 240

/* A file id is the 32 lowercase hex digits of XXH3-128 of its absolute path. */
#define WS_FILEID_LEN 32

#endif /* WENSOU_SCHEMA_H */
