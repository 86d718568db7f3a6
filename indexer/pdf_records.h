/*
 * pdf_records.h - what wensou-pdf-text (pdf_text.c) sends the indexer
 * (extract_pdf.c) on its standard output: records of a tag byte, a 4-byte
 * length (little-endian), the bytes.
 */
#ifndef WENSOU_PDF_RECORDS_H
#define WENSOU_PDF_RECORDS_H

/* Records from child to parent. */
enum {
	REC_ERROR = 'E',  /* a kind byte (below), then a message */
	REC_TITLE = 'T',
	REC_AUTHOR = 'A',
	REC_YEAR = 'Y',   /* decimal */
	REC_PAGES = 'P',  /* decimal page count */
	REC_LABEL = 'L',  /* decimal page (1-based), a space, the label */
	REC_TEXT = 'X',
};
enum { ERR_ENCRYPTED = 'e', ERR_NO_TEXT = 'n', ERR_EMPTY = 'm', ERR_UNREADABLE = 'u' };

#define MAX_TEXT_BYTES (512u * 1024 * 1024)

#endif
