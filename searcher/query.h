/*
 * query.h - wensou's query language.
 *
 *   query   := unit ((ws | "AND") unit)*   units are AND'ed
 *   unit    := ["-" | "NOT"] (phrase | field | word) | unit "OR" unit
 *   phrase  := '"' text '"'  (also “…” and ＂…＂): one exact unit, no stemming
 *   field   := ("year" | "source" | "title") ":" value   (value may be quoted)
 *   year    := Y | Y..Y | Y.. | ..Y      (four-digit years)
 *
 * Whitespace is any Unicode white space (ASCII space, U+3000, ...).  A "-"
 * before a unit excludes it; "OR" (upper case) joins the units on each side
 * into one group that matches if any of them does (a OR b OR c); OR binds
 * tighter than AND: a OR b AND c is (a OR b) AND c.  "AND" (upper case)
 * is the same as a space, "NOT unit" the same as "-unit".  Lower-case
 * and, or, not are words.
 *
 * Parsing is purely syntactic; ws_query_analyse (qbuild.c) then runs each
 * text unit through cjk and ws_query_build turns the whole into an xq_query.
 */
#ifndef WS_SEARCH_QUERY_H
#define WS_SEARCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Queries longer than this (bytes of UTF-8) are refused. */
#define WS_QUERY_MAX_BYTES 10240

typedef enum ws_unit_kind {
	WS_UNIT_TEXT,   /* words or a phrase to find */
	WS_UNIT_YEAR,   /* year:Y or year:A..B */
	WS_UNIT_SOURCE, /* source:S (substring of the normalised publisher) */
	WS_UNIT_TITLE,  /* title:T (substring of the normalised title) */
} ws_unit_kind;

/* One term of an analysed text unit, for phrase building and matching. */
typedef struct ws_qterm {
	char *text;    /* normalised term (owned) */
	size_t len;
	uint32_t rel;  /* position relative to the unit's first term */
	bool prefix;   /* a single Han character: also matches terms starting
	                  with it (bigrams, dictionary words) */
	bool han;      /* a BIGRAM or CHAR: indexed without positions */
} ws_qterm;

typedef struct ws_unit {
	ws_unit_kind kind;
	bool quoted;     /* written as "…": exact, no stemming */
	bool excluded;   /* written as -unit */
	bool synonym;    /* a form of a glossary concept the query named
	                    (glossary.h), not written by the user */
	bool preferred;  /* that concept's first form */
	unsigned group;  /* units joined by OR share a group number */
	char *text;      /* the unit as written (the value, for fields); owned */
	int year_lo, year_hi; /* WS_UNIT_YEAR: inclusive bounds, 0 = open */

	/* Filled in by ws_query_analyse for WS_UNIT_TEXT. */
	ws_qterm *terms;  /* positional exact terms in order */
	size_t nterms;    /* 0: the unit has nothing searchable (punctuation) */
	char *stem;       /* "Z…" for a single unquoted Latin word, else NULL */
	bool stem_is_word; /* the stem's postings are the word's, wdf and all
	                      (ws_query_find_stems): the stem alone, weighted
	                      twice, ranks as the two do */
	char **weights;   /* CJK_WORD terms: ranking weight only */
	size_t nweights;
	bool approx;      /* Xapian cannot express the unit exactly (Han
	                     terms, which have no positions, in a unit of
	                     several terms; or a gap in positions): Xapian
	                     finds candidates, the engine checks them */
	uint32_t *han;    /* a unit that is one run of two or more Han
	                     characters: its folded characters, found with
	                     cjk_text_find_han_runs; NULL otherwise; owned */
	size_t nhan;
	char *form;       /* the run's XF term, where every shard has one
	                     (ws_query_find_forms): searched in the text
	                     instead of its bigrams; NULL otherwise; owned */
} ws_unit;

typedef struct ws_query {
	ws_unit *units;
	size_t nunits;
	unsigned ngroups;
	bool synonym_headings; /* glossary forms of Han characters also match
	                          section headings (a question's words) */
	bool asides;           /* passages of every kind are searched, not body
	                          text alone: each text term with its aside
	                          twin (schema.h's WS_PREFIX_ASIDE) */
} ws_query;

/* Parse text[0..len) (UTF-8).  On success stores a new query in *out (free
 * with ws_query_free) and returns true; on a malformed query returns false
 * with a malloc'd message in *err saying what is wrong and where. */
bool ws_query_parse(const char *text, size_t len, ws_query **out, char **err);

void ws_query_free(ws_query *q);

#endif
