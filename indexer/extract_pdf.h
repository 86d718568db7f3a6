/*
 * extract_pdf.h - the text of a PDF, page by page, through poppler-glib.
 *
 * Poppler runs in a child process with a time limit, so that a PDF that
 * crashes or hangs it costs that one file, never the run.
 */
#ifndef WENSOU_EXTRACT_PDF_H
#define WENSOU_EXTRACT_PDF_H

#include <stddef.h>

#include "extract.h"

/* Extract PDF data[0..len) into out (memset first, as ws_extract does).
 *
 * out->text (owned, in out->owned) is UTF-8: the pages in file order,
 * each page after the first starting with a line holding one form feed,
 * so that the passage splitter numbers pages by their place in the file.
 * On a page: the body lines in poppler's reading order (columns one after
 * the other), a blank line where the layout leaves a gap; running headers
 * and footers (the same line, or the same line with another number, at
 * the same height on several pages) left out; then the footnotes (small
 * text at the foot of the page starting with a marker), each after a line
 * holding one vertical tab, which ends a passage (passage.h).  A sentence
 * cut by the page break is completed on the page it starts on, before its
 * page's footnotes.  out->page_labels gets the printed page labels that
 * differ from the page's place; out->doc_title, doc_source (author),
 * doc_year (creation date) the document information.
 *
 * The parse runs in a child process killed after timeout_s seconds
 * (0: the default, 60 s plus 1 s per MB, or $WENSOU_PDF_TIMEOUT).
 * Returns WS_EXTRACT_OK, or WS_EXTRACT_ENCRYPTED, WS_EXTRACT_NO_TEXT,
 * WS_EXTRACT_EMPTY or WS_EXTRACT_UNREADABLE with *why (malloc'd) saying
 * what happened. */
ws_extract_result ws_extract_pdf(const char *data, size_t len, unsigned timeout_s, ws_doctext *out, char **why);

#endif
