/*
 * passage.h - split a document's text into passages, the unit of
 * retrieval: paragraphs, or runs of hard-wrapped lines, of roughly
 * WS_PASSAGE_MIN to WS_PASSAGE_MAX characters, never crossing a heading or
 * a page, each with its line range and the heading trail of its section.
 */
#ifndef WENSOU_PASSAGE_H
#define WENSOU_PASSAGE_H

#include <stdbool.h>
#include <stddef.h>

#define WS_PASSAGE_MIN 100    /* characters: smaller paragraphs are merged */
#define WS_PASSAGE_TARGET 400 /* characters: past this, any sentence end closes a passage */
#define WS_PASSAGE_MAX 800    /* characters: longer paragraphs are split */

/* What a passage is: body text, or one of the kinds that are kept out of
 * the default results (schema.h's WS_KIND_*). */
typedef enum ws_passage_kind {
	WS_PASSAGE_BODY,
	WS_PASSAGE_CONTENTS, /* a table of contents, of figures or of tables */
	WS_PASSAGE_NOTE,     /* footnotes, endnotes, lists of URLs */
	WS_PASSAGE_SOURCE,   /* 来源：… lines under figures and tables */
	WS_PASSAGE_CAPTION,  /* captions of figures, tables and photos */
} ws_passage_kind;

/* A piece of a passage's text: whole lines [start, end) of the text. */
typedef struct ws_passage_part {
	size_t start, end;
	unsigned first_line, last_line;
} ws_passage_part;

typedef struct ws_passage {
	size_t start, end;        /* byte range in the text (whole lines, or part of one long line) */
	unsigned first_line, last_line; /* 1-based, inclusive */
	size_t line_offset;       /* bytes from the start of first_line to start */
	int page;                 /* 1-based page (text with form feeds), 0 if unknown */
	char *section;            /* heading trail "一、… > （二）…", "" if none (owned) */
	ws_passage_kind kind;
	size_t head_len;          /* the first head_len bytes of the text are the section's
	                             heading lines (the heading is in section too): 0 if none */
	/* A sentence that a block of footnotes interrupted goes on after it:
	 * then the passage's text is parts[0], parts[1], … joined by
	 * newlines, [start, end) spans them all (notes included) and
	 * last_line is the last part's.  NULL and 0 otherwise (owned). */
	ws_passage_part *parts;
	size_t nparts;
} ws_passage;

typedef struct ws_passages {
	ws_passage *items;
	size_t n, cap;
	char *first_heading;      /* the first heading line seen (owned, may be NULL) */
	char *first_line;         /* the first line of the body, if it reads as a title (up to
	                             100 characters, no sentence end); "" if it does not;
	                             NULL for no line at all (owned) */
} ws_passages;

/* Split text[body_offset..len) (body_offset is at the start of line
 * body_line) into passages appended to out.  Page furniture (page-number
 * lines, running headers repeated beside them, Markdown image lines,
 * rules) is left out and ends a passage, and so does a line holding only
 * a vertical tab (extracted text marks passages of their own with it,
 * e.g. a PDF's footnotes).  A heading starts the passage after it and is
 * never a passage of its own: headings in a row all start the next one.
 * Tables of contents, footnotes and URL lists, source lines and captions
 * are passages of their own kind; where one interrupts a sentence, the
 * sentence's passage goes on after it (parts).  Returns 0, or -1 when out
 * of memory. */
/* flags: WS_SPLIT_PLAIN for text extracted from a format (PDF) whose
 * lines carry no Markdown syntax: "# …" is a line of text, not a heading.
 * WS_SPLIT_MARKED_ONLY for text from markup that marks its headings
 * (HTML h1-h6, DOCX heading styles, as Markdown "#" lines): only those
 * are headings, and a "一、" or "2.1" line is a table of contents or body
 * text. */
#define WS_SPLIT_PLAIN 1u
#define WS_SPLIT_MARKED_ONLY 2u
int ws_passages_split(const char *text, size_t len, size_t body_offset, unsigned body_line, unsigned flags,
                      ws_passages *out);
void ws_passages_free(ws_passages *p);

#endif
