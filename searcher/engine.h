/*
 * engine.h - run one search: parse and analyse the query, build the Xapian
 * query, run it (relaxing to "most units" when nothing has them all), and
 * turn each passage into a hit with its location and snippet.  The engine
 * never formats output and never prints: printers (print.h) do, so that a
 * one-shot run, --serve and the prompt share it.
 */
#ifndef WS_SEARCH_ENGINE_H
#define WS_SEARCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "index.h"
#include "snippet.h"

/* When nothing matches every unit, this many passages matching some unit
 * are fetched and re-ranked by how many units they match. */
#define WS_RELAX_CANDIDATES 200

/* A count with count_max goes through the candidates only where Xapian's
 * bound says there are at most this many (some 10 ms); past it, Xapian's
 * estimate, which is close for one word's or form's posting list (their
 * bounds are those lists' lengths) but may be far too low for the AND of
 * a Han run's bigrams, whose bound is the rarest bigram's. */
#define WS_COUNT_SCAN 50000

typedef enum ws_mode {
	WS_MODE_HITS,  /* ranked passages with snippets */
	WS_MODE_FILES, /* one hit per file (its best passage) */
	WS_MODE_COUNT, /* only the exact number of matching passages */
	WS_MODE_FILE_COUNTS, /* the matching passages of each file (ws_result.files),
	                        every match counted as WS_MODE_COUNT counts; not for
	                        an index with remote shards */
} ws_mode;

typedef struct ws_request {
	const char *query; /* UTF-8 query text (the query language of query.h) */
	size_t query_len;
	ws_mode mode;
	unsigned limit;    /* hits to return; 0: all (WS_MODE_FILES only) */
	unsigned offset;   /* hits to skip first */
	unsigned per_doc;  /* at most this many passages per file; 0: no limit */
	int year;          /* 0: not given */
	int since, until;  /* 0: open */
	const char *const *sources; /* OR'ed substrings of the source */
	size_t nsources;
	bool partial;      /* as-you-type: the last word is a prefix (ws_query_mark_partial) */
	bool all_kinds;    /* also contents, notes, sources and captions (schema.h's K terms) */
	const struct ws_glossary *glossary; /* expand the query through it (glossary.h); NULL: not */
	unsigned count_max; /* WS_MODE_COUNT: past this many candidates, count them
	                       instead of checking each, and no documents
	                       (ws_result.count_approx); 0: always exact */
} ws_request;

typedef struct ws_hit {
	unsigned rank;     /* 1-based, counting the offset */
	double score;      /* BM25 */
	char *path;        /* as stored by the indexer; owned */
	char *title;       /* owned; NULL if unknown */
	char *source;      /* owned; NULL if unknown */
	char *section;     /* heading trail, "" if none; owned */
	unsigned kind;     /* what the passage is: schema.h's ws_kind_name, 0 for body text */
	int year;          /* 0: unknown */
	int page;          /* 0: none */
	char *page_label;  /* the printed label where it differs from page; owned; NULL if none */
	unsigned first_line, last_line; /* the passage, 1-based inclusive */
	unsigned line;     /* the first match (or the passage's first line) */
	unsigned column;   /* 1-based, in bytes from the start of line */
	unsigned column_char; /* 1-based, in characters */
	unsigned groups;   /* how many of the query's units it matches */
	bool vetoed;       /* it holds an excluded unit (checked queries only) */
	char **via;        /* the glossary forms it matched, not written in the query; owned */
	size_t nvia;
	ws_snippet snippet;
} ws_hit;

/* How a query's hits match it: every unit as written; some of its units
 * (relaxed, when no passage has them all); or the words of a question or
 * a long run that occurs nowhere as written. */
typedef enum ws_matched {
	WS_MATCHED_ALL,
	WS_MATCHED_SOME,
	WS_MATCHED_WORDS,
} ws_matched;

static inline const char *ws_matched_name(ws_matched m)
{
	return m == WS_MATCHED_WORDS ? "words" : m == WS_MATCHED_SOME ? "some" : "all";
}

/* WS_MODE_FILE_COUNTS: a file and its matching passages. */
typedef struct ws_file_count {
	char fileid[WS_FILEID_LEN + 1];
	unsigned passages;
} ws_file_count;

typedef struct ws_result {
	ws_hit *hits;
	size_t nhits;
	ws_file_count *files; /* WS_MODE_FILE_COUNTS: in file id order; owned */
	size_t nfiles;
	unsigned estimated; /* Xapian's estimate of all matching passages */
	unsigned count;     /* WS_MODE_COUNT: the exact number, unless count_approx;
	                       WS_MODE_FILE_COUNTS: the files' passages */
	unsigned documents; /* WS_MODE_COUNT: the files of those passages; 0 when
	                       not counted (count_max passed); WS_MODE_FILE_COUNTS: nfiles */
	bool count_approx;  /* count is of candidates none of which was checked
	                       (the checked share of a page: pass_rate), or
	                       Xapian's estimate of them past WS_COUNT_SCAN */
	/* WS_MODE_HITS and FILES, where candidates needed a check: how many
	 * were checked in rank order and passed, and the share expected to
	 * pass among the rest (from a sample of them); 0, 0 and 1 where
	 * none was checked */
	unsigned checked, passed;
	double pass_rate;
	bool relaxed;       /* no passage had every unit: ranked by units matched */
	ws_matched matched; /* which way the query was matched */
	double elapsed_ms;
} ws_result;

/* Run req against ix.  On success stores a new result in *out (free with
 * ws_result_free; no hits is a success) and returns true.  On a malformed
 * query or a failure returns false with a malloc'd message in *err. */
bool ws_search(ws_index *ix, const ws_request *req, ws_result **out, char **err);

void ws_result_free(ws_result *r);

#endif
