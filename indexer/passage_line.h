/*
 * passage_line.h - what one line of a document is, for the passage
 * splitter (passage.c): a heading and its level, a line of a table of
 * contents, a footnote or URL, a source line, a caption, or body text.
 * Private to the indexer.
 */
#ifndef WENSOU_PASSAGE_LINE_H
#define WENSOU_PASSAGE_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/umachine.h>

typedef enum ws_line_kind {
	WS_LINE_BLANK,
	WS_LINE_TEXT,
	WS_LINE_HEADING,
	WS_LINE_FURNITURE, /* page numbers, running headers, images, rules: left out */
	WS_LINE_CONTENTS,  /* a table-of-contents entry, or its heading (目录) */
	WS_LINE_NOTE,      /* a footnote, endnote or URL line */
	WS_LINE_SOURCE,    /* 来源：… under a figure or table */
	WS_LINE_CAPTION,   /* 图 1 …, 表 2 …, a bold photo caption */
} ws_line_kind;

/* How the text marks its structure (passage.h's WS_SPLIT_* flags). */
typedef struct ws_line_rules {
	bool plain;        /* no Markdown syntax (text from a PDF) */
	bool marked_only;  /* only marked headings are headings (HTML, DOCX) */
	bool spaced;       /* a blank line follows most text lines (PDF
	                      extraction): a line standing alone proves nothing */
} ws_line_rules;

UChar32 ws_line_next_char(const char *t, size_t *i, size_t end);
UChar32 ws_line_prev_char(const char *t, size_t start, size_t *i);

/* Trim white space (ASCII, U+3000, NBSP, BOM, form feed, vertical tab)
 * from both ends of t[*s..*e). */
void ws_line_trim(const char *t, size_t *s, size_t *e);

/* Does the trimmed line t[s..e) end a sentence (or a clause that
 * introduces what follows, "…如下："), closing quotes aside? */
bool ws_line_ends_sentence(const char *t, size_t s, size_t e);

/* The kind of the trimmed, non-blank line t[s..e) of chars characters on
 * its own (without its neighbours), and for a heading its level (1-6) in
 * *level and in *ts the start of its text past a Markdown marker. */
ws_line_kind ws_line_classify(const char *t, size_t *ts, size_t e, size_t chars, const ws_line_rules *r,
                              int *level);

/* Is the trimmed line the title of a document's endnotes (尾注, 注释)? */
bool ws_line_is_notes_title(const char *t, size_t s, size_t e);

/* Is the trimmed line the name of a table of contents (目录, 图目录)? */
bool ws_line_is_contents_title(const char *t, size_t s, size_t e);

/* The length of a table-of-contents entry's text without its dot leader
 * and page number ("一、背景 ..... 3" -> "一、背景"). */
size_t ws_line_entry_len(const char *t, size_t s, size_t e);

/* Does the trimmed line start with a footnote number glued to its text
 * ("12Gartner：…", "2由于…"), as PDF text writes footnotes below the
 * rule that separates them from the page?  Only meaningful there. */
bool ws_line_is_glued_footnote(const char *t, size_t s, size_t e);

/* Is the (untrimmed) line a footnote rule as PDF text writes it: nothing
 * but a long run of spaces? */
bool ws_line_is_footnote_rule(const char *t, size_t s, size_t e);

#endif
