/*
 * markup.h - build the text of a marked-up document (HTML, DOCX) for the
 * passage splitter: blocks separated by blank lines, headings as Markdown
 * "# " lines (the splitter takes them as the section trail and the
 * searcher's snippets drop the marker), white space collapsed, and for
 * every line of the text the source line it starts on (ws_doctext's
 * line_map).
 */
#ifndef WENSOU_MARKUP_H
#define WENSOU_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "extract.h"
#include "strbuf.h"

typedef struct ws_markup {
	strbuf text;
	unsigned *map;       /* map[k]: the source line of text line k+1 */
	size_t nlines, cap;  /* lines begun (the last may be empty) */
	bool line_has_text;
	int pending;         /* 0, or newlines owed before the next text: 1 a line break, 2 a blank line */
	bool space;          /* a space owed before the next text on this line */
	int heading;         /* level of the heading being written, or 0 */
	bool heading_open;   /* its "#" marker is written */
	bool any_heading;    /* a "#" marker was written */
	bool oom;
} ws_markup;

#define WS_MARKUP_INIT {STRBUF_INIT, NULL, 0, 0, false, 0, false, 0, false, false, false}

/* Append UTF-8 text s[0..n) that starts on source line line.  White
 * space (U+00A0 included) collapses to one space; a newline in s is a line break (a space
 * inside a heading) and counts a source line. */
void ws_markup_text(ws_markup *m, const char *s, size_t n, unsigned line);
/* Text as it stands (<pre>): spaces kept, every newline a line break. */
void ws_markup_pre(ws_markup *m, const char *s, size_t n, unsigned line);
/* A line break (<br>), a space between cells, the end of a block. */
void ws_markup_break(ws_markup *m);
void ws_markup_space(ws_markup *m);
void ws_markup_block(ws_markup *m);
/* Start and end a heading of level (1-6, larger ones are 6). */
void ws_markup_heading_begin(ws_markup *m, int level);
void ws_markup_heading_end(ws_markup *m);
/* Hand the text and the line map to dt (text, len, owned, line_map,
 * nlines, marked_headings when any heading had text).  Returns false when memory ran out at any point. */
bool ws_markup_finish(ws_markup *m, ws_doctext *dt);
void ws_markup_free(ws_markup *m);

#endif
