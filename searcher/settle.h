/*
 * settle.h - a searcher's side of the batches across shards (layout.h,
 * the batch record): after opening or reopening an index, while the
 * shards of a wensou index are open at a mix of revisions its batch
 * record does not name and its writer runs, a batch is being committed
 * shard after shard; the searcher waits a little and opens them again,
 * for up to WS_SETTLE_MS in all.  With the writer gone (killed: nothing
 * more will come), or the bound passed (a commit stalled), it goes on
 * with what the shards hold, whole files still.  Remote shards and
 * databases that are no shard of a wensou index are not checked.
 */
#ifndef WS_SEARCH_SETTLE_H
#define WS_SEARCH_SETTLE_H

#include "xq.h"

#define WS_SETTLE_MS 2000

typedef struct ws_settle ws_settle;

/* What to check of db's shards, or NULL when there is nothing to check
 * (or no memory: then nothing is checked either). */
ws_settle *ws_settle_new(xq_db *db);
void ws_settle_free(ws_settle *s);

/* The reopen check (xq_db_set_reopen_check) of a handle, ud its
 * ws_settle. */
unsigned ws_settle_check(void *ud, xq_db *db, unsigned attempt);

#endif
