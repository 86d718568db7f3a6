/*
 * extract.h - turn a file's bytes into UTF-8 text whose lines are the
 * file's lines, plus whatever metadata the format carries.
 *
 * Every format goes through this one interface (PDF, HTML and other
 * encodings will add cases here, not new paths through the indexer).
 */
#ifndef WENSOU_EXTRACT_H
#define WENSOU_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ws_format {
	WS_FORMAT_UNSUPPORTED = 0,
	WS_FORMAT_TEXT,
	WS_FORMAT_MARKDOWN,
	WS_FORMAT_PDF,          /* extract_pdf.h */
	WS_FORMAT_HTML,  /* .html .htm .xhtml: extract_html.h */
	WS_FORMAT_DOCX,  /* .docx: extract_docx.h */
} ws_format;

/* The format a path's extension promises, or WS_FORMAT_UNSUPPORTED for
 * any extension of a format wensou does not read.  A name without an
 * extension gives WS_FORMAT_TEXT with *sniff set: the content decides. */
ws_format ws_format_from_path(const char *path, int *sniff);

/* The extension of path's file name ("csv"), or "" when it has none;
 * points into path. */
const char *ws_path_extension(const char *path);

typedef enum ws_extract_result {
	WS_EXTRACT_OK,
	WS_EXTRACT_EMPTY,       /* nothing but white space */
	WS_EXTRACT_BINARY,      /* NUL bytes or mostly control characters */
	WS_EXTRACT_BAD_ENCODING,/* no encoding told surely, or mostly undecodable (charset.h) */
	WS_EXTRACT_ENCRYPTED,   /* a PDF that needs a password */
	WS_EXTRACT_NO_TEXT,     /* a PDF of images without a text layer (scanned) */
	WS_EXTRACT_UNREADABLE,  /* a truncated or corrupt PDF (or one its parser died on), a
	                           container that cannot be read (a DOCX that is no zip) */
} ws_extract_result;

typedef struct ws_doctext {
	/* The text, in UTF-8, whose lines are the file's lines: for a valid
	 * UTF-8 file the file's bytes themselves (not owned), and offsets in
	 * the text are offsets in the file; for another encoding, or UTF-8
	 * with invalid bytes, the text converted to UTF-8 (owned), each
	 * undecodable sequence one U+FFFD, and offsets are in that text.  For
	 * PDF, HTML and DOCX, the extracted text (owned), its lines mapped to
	 * the file's by line_map (HTML, DOCX). */
	const char *text;
	size_t len;
	/* Where the body starts (after a BOM and front matter). */
	size_t body_offset;
	unsigned body_line;
	char *owned;
	/* The encoding the file was read in ("UTF-8", "GB18030", "Big5",
	 * "UTF-16LE", ... or the name pinned in the sidecar) and how that was
	 * decided ("pinned", "byte-order mark", "detected", or for UTF-8
	 * "valid" / "mostly valid"), static; set also when the encoding is
	 * the reason extraction failed. */
	char encoding[48];
	const char *encoding_how;
	/* Front matter (malloc'd, NULL when absent); year 0 when absent. */
	char *fm_title;
	char *fm_source;
	int fm_year;
	/* Metadata the format itself carries (a PDF's info dictionary, an
	 * HTML <title>, a DOCX's docProps): malloc'd, NULL / 0 when absent.
	 * It ranks below the sidecar and front matter, above the file name
	 * (DESIGN.md). */
	char *doc_title;
	char *doc_source;
	int doc_year;
	/* For text that is not the file's own lines (HTML, DOCX): line k+1 of
	 * text is line line_map[k] of the file; NULL when they are the same.
	 * malloc'd, nlines entries. */
	unsigned *line_map;
	size_t nlines;
	/* For paged text (PDF): page_labels[k] is the label printed on page
	 * k+1 (poppler's page label) where it differs from "k+1", else NULL;
	 * the array and the labels malloc'd, npages entries; NULL when the
	 * format has no labels. */
	char **page_labels;
	size_t npages;
	/* The text marks its headings as Markdown "# " lines (HTML h1-h6,
	 * DOCX heading styles): no other line is taken for a heading. */
	bool marked_headings;
	/* Sequences that could not be decoded, each replaced by one U+FFFD,
	 * for the run's summary. */
	size_t replaced;
} ws_doctext;

/* Extract data[0..len) (which must outlive out) as fmt.  On a result other
 * than WS_EXTRACT_OK, *why (if not NULL) points to a static explanation. */
ws_extract_result ws_extract(const char *data, size_t len, ws_format fmt, ws_doctext *out, const char **why);
/* The same, the text read in encoding (a name ws_charset_known accepts:
 * the sidecar's pin) instead of the one detected; NULL detects. */
ws_extract_result ws_extract_as(const char *data, size_t len, ws_format fmt, const char *encoding, ws_doctext *out,
                                const char **why);
void ws_doctext_free(ws_doctext *dt);

/* A year 1900..2099 read from s (4 digits not part of a longer number), or 0. */
int ws_year_in(const char *s, size_t len);

#endif
