/*
 * store.h - the indexer's writer of an index folder: its lock, the
 * generation it writes, its shards, and the swap that makes a new
 * generation live.  The layout itself is common/layout.h's.
 *
 * A file's passages and its record live in shard (file id mod shards), so
 * each shard is consistent on its own.  An incremental run writes into the
 * live generation; a first build, --rebuild or a schema upgrade writes a
 * new generation (layout.h) that the stub names only once it is complete,
 * so readers see the old index or the new one, never half of one.  Within
 * the live generation, every commit is a batch across all shards
 * (ws_store_commit_batch), seen whole or not at all.  A build that is
 * killed is resumed by the next run from what it had committed.
 */
#ifndef WENSOU_STORE_H
#define WENSOU_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cjk.h"
#include "xq.h"

typedef struct ws_store ws_store;

typedef enum ws_store_status {
	WS_STORE_OK = 0,
	WS_STORE_LOCKED,     /* another indexer runs */
	WS_STORE_MISMATCH,   /* built with other analysis options */
	WS_STORE_NO_INDEX,   /* WS_STORE_LIVE, and there is no live index */
	WS_STORE_ERROR,
} ws_store_status;

typedef enum ws_store_mode {
	WS_STORE_UPDATE,     /* update the live generation (or build the first one) */
	WS_STORE_REBUILD,    /* write a new generation */
	WS_STORE_LIVE,       /* the live generation only: no build is started or
	                        resumed (an unfinished one is discarded) */
} ws_store_mode;

/* Open (creating if needed) the index at dir for writing, taking the lock.
 * opts are the analysis options: an index built with others gives
 * WS_STORE_MISMATCH unless the mode is WS_STORE_REBUILD (an index of
 * another schema version is no mismatch: it is rebuilt, see
 * ws_store_upgraded_from).  An unreadable stub or one wensou did not write
 * is an error naming it, never a reason to start a new index.  A new
 * generation gets nshards shards (0: WS_STORE_SHARDS); one resumed or
 * updated keeps its own.  On failure *err gets a malloc'd message. */
ws_store_status ws_store_open(const char *dir, ws_store_mode mode, const cjk_options *opts, unsigned nshards,
                              ws_store **out, char **err);

/* Shards a new index gets: two writers at once.  An archive's part gets
 * one (WS_PART_SHARDS): a search opens every part's shards, tens of them,
 * at about a quarter of a millisecond each. */
#define WS_STORE_SHARDS 2
#define WS_PART_SHARDS 1

/* The number of shards, and shard k's writable database (owned by the store). */
unsigned ws_store_nshards(const ws_store *st);
xq_db *ws_store_shard(ws_store *st, unsigned k);

/* The shard a file id belongs to. */
unsigned ws_store_shard_of(const ws_store *st, const char *fileid);

/* True when this run writes a generation that is not live yet. */
bool ws_store_building(const ws_store *st);
/* True when that generation was created by this run (it needs the index
 * metadata written once: folding table, roots). */
bool ws_store_fresh(const ws_store *st);
/* True when this run resumes a build a killed run left. */
bool ws_store_resumed(const ws_store *st);
/* True when this run updates a live generation that held no passage (a
 * first run found nothing, its root missing, or every root was
 * forgotten): what it adds is then worth compacting (ws_store_compact),
 * as a first build's would be. */
bool ws_store_was_empty(const ws_store *st);

/* When the live index was written with another schema version, the store
 * builds anew on its own and this is that version (-1 if unreadable); 0
 * otherwise. */
int ws_store_upgraded_from(const ws_store *st);

/* Record metadata (key, value) in every shard. */
int ws_store_set_metadata(ws_store *st, const char *key, const char *value, size_t len, char **err);

/* The absolute path of the index directory (owned by the store). */
const char *ws_store_dir(const ws_store *st);

/* Commit every shard, as one batch: searchers see all of it or none.
 * Xapian commits each shard on its own, so for the live generation the
 * commits are bracketed by its batch record (layout.h): "committing",
 * with each shard's revision before the batch, then "done" with the
 * revisions after it; a searcher that opened the shards at any other
 * mix of revisions while the writer runs opens them again.  The caller
 * must hold every shard at a file boundary, no thread writing to one.
 * Returns 0, or -1 with *err set. */
int ws_store_commit_batch(ws_store *st, char **err);

/* Commit shard k alone: only while building a generation no searcher
 * reads (ws_store_building), where the shards need not meet; the caller
 * is shard k's only writer, at a file boundary.  Returns 0, or -1 with
 * *err set. */
int ws_store_commit_shard(ws_store *st, unsigned k, char **err);

/* Commit every shard (a batch); for a build, then compact it (jobs shards at a
 * time, each on a thread) and make it the live generation.  A shard that
 * fails to compact goes live as written, with a malloc'd *warning saying
 * so.  With changed false the caller wrote nothing since the last commit,
 * and a live generation is left as it is: no commit moves its shards'
 * revisions, so that a nightly run over unchanged files writes nothing
 * (servers and copies of a finished index see no change).  Returns 0, or
 * -1 with *err set (a build then stays as committed, for the next run to
 * finish). */
int ws_store_commit(ws_store *st, unsigned jobs, bool changed, char **err, char **warning);

/* Compact the live generation into a new one and make that live (the
 * swap of a rebuild): updates leave the B-trees part empty, a shard a
 * third larger after one small nightly run and some 1.6 times its
 * compacted size after many, and the copy takes the size of a fresh
 * build again.  The previous generation stays one run longer for
 * searchers still reading it.  Needs about the index's size in free
 * space, and is asked for before anything is written.  For a build
 * (which goes live compacted), and for a generation no update has
 * written since it went live, it does nothing (*before 0).  *before and *after get the
 * live shards' bytes on disk before and after.  Returns 0 (with a
 * malloc'd *warning when the servers' shard-K stubs could not follow), or
 * -1 with *err set and the index as it was.  The store writes nothing more after
 * it: ws_store_close comes next. */
int ws_store_compact(ws_store *st, unsigned jobs, uint64_t *before, uint64_t *after, char **err, char **warning);

/* Release the lock and free.  Uncommitted changes are dropped; what a
 * build committed stays for the next run to resume. */
void ws_store_close(ws_store *st);

#endif
