/*
 * extract_docx.h - the text of a DOCX (Office Open XML) document: the zip
 * read with libzip, its XML parts with libxml2.
 */
#ifndef WENSOU_EXTRACT_DOCX_H
#define WENSOU_EXTRACT_DOCX_H

#include <stddef.h>

#include "extract.h"

/* Parts larger than this uncompressed (together) are refused: a zip bomb. */
#define WS_DOCX_MAX_XML_BYTES (64u << 20)

/* Fill out (zeroed by the caller) from the zip in data[0..len): the
 * paragraphs (w:p) of word/document.xml in order, each a block of text
 * (tables' cells too); a paragraph whose style is a heading ("heading N"
 * in word/styles.xml, or an outline level) is a heading of level N.
 * Line k of the text maps to paragraph number N (line_map): the Nth w:p
 * of the document, empty ones counted, which is what "line" means for a
 * DOCX.  doc_title, doc_source and doc_year come from docProps/core.xml
 * (dc:title, dc:creator, dcterms:created or else dcterms:modified).
 * A file that is not a zip, has no word/document.xml, or whose XML is
 * not well-formed gives WS_EXTRACT_UNREADABLE with *why saying which. */
ws_extract_result ws_extract_docx(const char *data, size_t len, ws_doctext *out, const char **why);

#endif
