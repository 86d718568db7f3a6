/*
 * prepare.h - everything done to one file before it touches the index:
 * read, hash, extract, split into passages, resolve metadata, analyse
 * and build the Xapian documents.  It needs no database, so it can run
 * on a worker thread while the main thread writes.
 */
#ifndef WENSOU_PREPARE_H
#define WENSOU_PREPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cjk.h"
#include "formset.h"
#include "discover.h"
#include "fileid.h"
#include "meta.h"
#include "xq.h"

#define WS_MAX_FILE_BYTES (512u * 1024 * 1024)

typedef enum ws_prep_result {
	WS_PREP_INDEX,       /* docs ready to replace the file's passages */
	WS_PREP_SAME,        /* content unchanged (hash equal): only the record is refreshed */
	WS_PREP_UNSUPPORTED, /* not a format wensou reads: skipped, not an error */
	WS_PREP_EMPTY,       /* nothing to index: skipped with a notice, not an error */
	WS_PREP_FAILED,      /* could not be read or is not text: an error */
} ws_prep_result;

typedef struct ws_prepared {
	ws_prep_result result;
	char *message;        /* why, for UNSUPPORTED/EMPTY/FAILED (malloc'd) */
	char fileid[WS_HASH_HEX_LEN + 1];
	char hash[WS_HASH_HEX_LEN + 1];
	char *record;         /* JSON for the file record (malloc'd) */
	size_t npassages;
	uint64_t bytes;       /* bytes read */
	bool drop_old;        /* FAILED on its content (not on reading it): the
	                         index drops what it had of the file */
	size_t replaced;      /* characters that could not be decoded (U+FFFD) */
	char encoding[48];    /* what the file was read as ("" when not read) */
	const char *encoding_how; /* how it was decided (ws_doctext.encoding_how) */
	struct ws_prepared_state *state; /* what ws_prepare_docs works from */
} ws_prepared;

typedef struct ws_preparer ws_preparer;

/* One preparer per thread: it owns an analyzer and the sidecar cache.
 * forms (borrowed, may be NULL) are the glossary forms passages get XF
 * terms for (formset.h). */
ws_preparer *ws_preparer_new(const cjk_options *opts, const ws_formset *forms, ws_report_fn report, void *ud,
                             char **err);
void ws_preparer_free(ws_preparer *p);

/* Read f and split it into passages.  old_hash is the content hash on
 * record (NULL for a new file): equal content gives WS_PREP_SAME. */
void ws_prepare_file(ws_preparer *p, const ws_file *f, const char *old_hash, ws_prepared *out);

/* For a WS_PREP_INDEX file: analyse the next passages into at most max new
 * documents stored in docs (the caller owns and frees them); *text_bytes
 * gets the bytes of text they hold.  Returns how
 * many, 0 when all are done, or -1 when a document could not be built
 * (pr->message says why; none of the piece's documents is returned).  Documents come in
 * pieces so that memory stays bounded whatever the size of the file. */
int ws_prepare_docs(ws_preparer *p, ws_prepared *pr, xq_doc **docs, size_t max, size_t *text_bytes);

void ws_prepared_free(ws_prepared *pr);

#endif
