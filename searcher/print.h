/*
 * print.h - output formats.  Printers only format what the engine found;
 * they never search.  Each returns false if writing failed (see ferror and
 * errno: EPIPE means the reader went away).
 *
 * Text that comes from documents (paths, titles, sections, snippets) is
 * stripped of control characters before it reaches a terminal; JSON output
 * leaves strings exact and lets the JSON escaping make them safe.
 */
#ifndef WS_SEARCH_PRINT_H
#define WS_SEARCH_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cli.h"
#include "colors.h"
#include "engine.h"

/* JSON Lines (doc/json.md, version WS_JSON_VERSION).  id, when not NULL,
 * is the --serve request's id, written after "type" (doc/serve.md); a
 * summary with an id also carries "version". */
#define WS_JSON_VERSION 1
bool ws_print_json_hit(FILE *out, const ws_hit *h, json_t *id);
bool ws_print_json_summary(FILE *out, const ws_result *r, json_t *id);
bool ws_print_json_error(FILE *out, const char *message, json_t *id);
/* --serve: the request id was cancelled before it ran. */
bool ws_print_json_cancelled(FILE *out, json_t *id);

/* path:line:column:snippet, one line per hit (ripgrep's --vimgrep). */
bool ws_print_vimgrep(FILE *out, const ws_result *r);

/* Each hit's path on its own line (the engine already gave one per file). */
bool ws_print_files(FILE *out, const ws_result *r);

/* The number of matching passages. */
bool ws_print_count(FILE *out, const ws_result *r);

typedef struct ws_term_style {
	bool color;              /* ANSI colours and bold (colors) */
	bool hyperlinks;         /* OSC 8 links from locations to their files */
	unsigned width;          /* columns to fit; 0: not a terminal, no wrapping */
	unsigned height;         /* rows to fit if it can; 0: no fitting */
	ws_group group;          /* rank order, or gathered by document */
	const ws_colors *colors; /* the escape sequences when color */
	const char *cwd;         /* paths under it are shown relative to it; NULL: none */
} ws_term_style;

/* What the header line says about all the hits, not only those shown. */
typedef struct ws_term_totals {
	bool known;         /* passages is an exact count */
	unsigned passages;  /* else the engine's estimate */
	unsigned documents; /* exact, or 0 when not counted */
	unsigned per_doc;   /* the --per-doc limit the hits were shown under */
} ws_term_totals;

/* Human-readable results: a header line ("1–10 of 23 passages in 4
 * documents"), then each hit with its location as path:line:column on
 * one line, its document and section, and its snippet wrapped by ICU's
 * line breaking.  With a height, snippets get as many lines (3, 2 or 1)
 * as let everything fit in it.  r must have hits (see below). */
bool ws_print_term(FILE *out, const ws_result *r, const ws_term_totals *t, const ws_term_style *style);

/* The line for a search that showed nothing: what names the search
 * (the query and its filters); r->estimated tells "nothing past the
 * offset" from "nothing at all". */
bool ws_print_term_nothing(FILE *out, const ws_result *r, unsigned offset, const char *what,
                           const ws_term_style *style);

/* A passage's whole text (a hit's, for the prompt's "show"), under its
 * location line, wrapped, with the ranges hl[0..nhl) highlighted.  The
 * text is display-ready (ws_display_text). */
bool ws_print_term_passage(FILE *out, const ws_hit *h, const char *text, size_t len, const ws_range *hl,
                           size_t nhl, const ws_term_style *style);

/* One line's worth of a location for the prompt: "path:line:column", or
 * "path p.12" for a page of a PDF. New malloc'd string, NULL when out of
 * memory. */
char *ws_term_location(const ws_hit *h, const char *cwd);

/* --by-year / --by-source and --stats (tally.h, stats.h). */
typedef struct ws_tally ws_tally;
typedef struct ws_stats ws_stats;

/* A table of counts per year or source with a bar for each, under a line
 * saying what was counted (what: the query and its filters). */
bool ws_print_term_tally(FILE *out, const ws_tally *t, const char *what, const ws_term_style *style);

/* The index's statistics as a few aligned tables. */
bool ws_print_term_stats(FILE *out, const ws_stats *s, const ws_term_style *style);

/* The same as JSON Lines (doc/json.md): one object per year or source,
 * then a "total"; --stats as one "stats" object. */
bool ws_print_json_tally(FILE *out, const ws_tally *t);
bool ws_print_json_stats(FILE *out, const ws_stats *s);

#endif
