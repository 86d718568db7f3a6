/*
 * extract_html.h - the text of an HTML (or XHTML) document: libxml2's
 * HTML parser over the bytes decoded from their charset.
 */
#ifndef WENSOU_EXTRACT_HTML_H
#define WENSOU_EXTRACT_HTML_H

#include <stddef.h>

#include "extract.h"

/* Fill out (zeroed by the caller) from data[0..len): the body's text as
 * ws_markup builds it, with line_map pointing back to the lines of the
 * file; doc_title from <title>, doc_source from <meta name=publisher>
 * (else author, DC.creator), doc_year from a date <meta>; replaced
 * counts the characters the chosen charset could not decode.
 *
 * The charset: a byte order mark, else bytes that are valid UTF-8 with
 * non-ASCII in them (whatever the document says: a page declared as
 * iso-8859-1 or gb2312 but saved as UTF-8 is read as UTF-8), else the
 * <meta charset> or http-equiv declaration (gb2312/gbk read as GB18030,
 * iso-8859-1 as windows-1252, as browsers do) when it decodes the bytes
 * with at most 1% errors, else ICU's charset detection.  script, style,
 * nav, footer, noscript, template (and the like) are dropped; h1-h6 are
 * headings. */
ws_extract_result ws_extract_html(const char *data, size_t len, ws_doctext *out, const char **why);

#endif
