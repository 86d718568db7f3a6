/*
 * store.h - the index directory: its lock, its generations and the
 * per-file records used for incremental indexing.
 *
 * Layout of an index DIR:
 *   DIR/XAPIANDB      a Xapian stub file naming the shards of the live generation
 *                     ("glass gen-3/s0", "glass gen-3/s1")
 *   DIR/gen-N/sK/     Xapian glass databases, one per shard.  A file's passages
 *                     and its record live in shard (file id mod shards), so each
 *                     shard is consistent on its own and the shards are written
 *                     in parallel.  --rebuild writes gen-(N+1) beside the live
 *                     one and swaps the stub atomically (rename), so readers see
 *                     the old index or the new one, never half of one
 *   DIR/wensou.lock   flock()ed by the running indexer (released by the kernel
 *                     if it dies), so a second indexer fails at once
 */
#ifndef WENSOU_STORE_H
#define WENSOU_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "cjk.h"
#include "xq.h"

typedef struct ws_store ws_store;

typedef enum ws_store_status {
	WS_STORE_OK = 0,
	WS_STORE_LOCKED,     /* another indexer runs */
	WS_STORE_MISMATCH,   /* built with other analysis options */
	WS_STORE_ERROR,
} ws_store_status;

/* Open (creating if needed) the index at dir for writing, taking the lock.
 * With rebuild, a fresh generation is started beside the live one.
 * opts are the analysis options; an index built with others gives
 * WS_STORE_MISMATCH unless rebuild (another schema version is no mismatch:
 * see ws_store_upgraded_from).  On failure *err gets a malloc'd
 * message. */
ws_store_status ws_store_open(const char *dir, bool rebuild, const cjk_options *opts, ws_store **out,
                              char **err);

/* Shards a new index gets. */
#define WS_STORE_SHARDS 2

/* The number of shards, and shard k's writable database (owned by the store). */
unsigned ws_store_nshards(const ws_store *st);
xq_db *ws_store_shard(ws_store *st, unsigned k);

/* The shard a file id belongs to. */
unsigned ws_store_shard_of(const ws_store *st, const char *fileid);

/* True when this run writes a new generation (a rebuild, or a first build). */
bool ws_store_is_new(const ws_store *st);

/* When the live index was written with another schema version, the store
 * rebuilds on its own (ws_store_is_new) and this is that version (-1 if
 * unreadable); 0 otherwise. */
int ws_store_upgraded_from(const ws_store *st);

/* Record metadata (key, value) in every shard. */
int ws_store_set_metadata(ws_store *st, const char *key, const char *value, size_t len, char **err);

/* The absolute path of the index directory (owned by the store). */
const char *ws_store_dir(ws_store *st);

/* Commit shard k alone (a batch).  Returns 0, or -1 with *err set. */
int ws_store_commit_shard(ws_store *st, unsigned k, char **err);

/* Commit every shard; for a rebuild, then make the new generation the
 * live one.  Returns 0, or -1 with *err set. */
int ws_store_commit(ws_store *st, char **err);

/* Release the lock and free.  Uncommitted changes are dropped; an
 * unfinished rebuild generation is removed. */
void ws_store_close(ws_store *st);

#endif
