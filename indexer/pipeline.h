/*
 * pipeline.h - prepare files on a worker thread while the caller writes.
 *
 * The worker prepares the jobs in order and hands out their documents in
 * pieces of at most WS_PIECE_DOCS through a small ring, so that at most
 * WS_PIPELINE_PIECES pieces wait: memory stays bounded whatever the size
 * of the files, and analysis (one core) overlaps Xapian's writing (the
 * other).
 */
#ifndef WENSOU_PIPELINE_H
#define WENSOU_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "discover.h"
#include "prepare.h"
#include "slots.h"
#include "xq.h"

#define WS_PIECE_DOCS 64
#define WS_PIPELINE_PIECES 8

typedef struct ws_job {
	const ws_file *file;
	const char *old_hash; /* NULL: index whatever the content */
	bool is_new;          /* nothing of it in the index yet */
	ws_prepared pr;       /* filled by the worker before the job's first piece */
} ws_job;

typedef struct ws_piece {
	ws_job *job;
	xq_doc *docs[WS_PIECE_DOCS]; /* the caller takes them (and frees them) */
	size_t ndocs;
	size_t text_bytes;
	bool first, last;     /* the job's first / last piece (both for a job without documents) */
	bool failed;          /* documents could not be built (job->pr.message says why): fatal */
} ws_piece;

typedef struct ws_pipeline ws_pipeline;

/* Start the worker over jobs[0..n) (which must outlive the pipeline).  It
 * holds one of slots (NULL: no limit) while it prepares, never while it
 * waits for room in the ring. */
ws_pipeline *ws_pipeline_start(ws_preparer *p, ws_job *jobs, size_t n, ws_slots *slots, char **err);
/* The next piece, in job order; NULL when every job has been handed out.
 * Valid until ws_pipeline_done. */
ws_piece *ws_pipeline_next(ws_pipeline *pl);
/* The caller is finished with the piece from ws_pipeline_next. */
void ws_pipeline_done(ws_pipeline *pl, ws_piece *pc);
/* Stop the worker (at once if jobs remain), join it and free what is left,
 * including the prepared state of unfinished jobs. */
void ws_pipeline_free(ws_pipeline *pl);

#endif
