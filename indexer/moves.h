/*
 * moves.h - files moved or renamed since the last run, found wherever
 * their old path was (another root, a folder moved away): a new file
 * whose content hash equals that of a record whose file no longer exists
 * replaces that record, so that a moved folder is not indexed twice.
 */
#ifndef WENSOU_MOVES_H
#define WENSOU_MOVES_H

#include <stddef.h>

#include "discover.h"
#include "pipeline.h"
#include "records.h"

/* Mark gone every record not seen this run whose file no longer exists
 * and whose content is that of one of the new files among jobs[0..n).
 * Only new files of the same size as such a record are read.  report
 * (may be NULL) is told of each move, as a notice. */
void ws_moves_mark(ws_records *recs, const ws_job *jobs, size_t n, ws_report_fn report, void *ud);

#endif
