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
	bool color;   /* ANSI colours and bold */
	unsigned width; /* wrap snippets to this many columns; 0: no wrapping */
} ws_term_style;

/* Human-readable results, grouped under a heading per document. */
bool ws_print_term(FILE *out, const ws_result *r, const ws_term_style *style);

#endif
