/*
 * layout.h - the on-disk layout of a wensou index folder.  This module is
 * the one place that knows it; the indexer writes through it and the
 * searcher reads through it.
 *
 *   DIR/XAPIANDB        a Xapian stub database file naming the shards of
 *                       the live generation, one "glass gen-N/sK" line per
 *                       shard K (blank lines and '#' comments allowed, as
 *                       Xapian allows them).  No stub: no index yet.
 *   DIR/gen-N/          a generation.  The indexer writes a new one (a
 *                       first build, --rebuild, a schema upgrade) into
 *                       gen-N/build-K, compacts each into gen-N/sK, and
 *                       only then points the stub at it.  A generation the
 *                       stub does not name is never searched; a killed
 *                       build leaves its build-K shards for the next run to
 *                       resume.  The live generation is updated in place
 *                       by incremental runs (Xapian commits), never
 *                       recreated or removed.
 *   DIR/gen-N/wensou.batch
 *                       the batch record of generation N (layout_batch.c):
 *                       each shard's revision at the last batch committed
 *                       across all of them, and whether the next one is
 *                       being committed.  The indexer commits a batch
 *                       shard after shard, Xapian having no commit across
 *                       databases, so a searcher that opened the shards
 *                       at revisions other than the recorded ones, while
 *                       the indexer runs, has caught a batch half
 *                       committed and opens them again.  Written to the
 *                       live generation only (a new one is not searched
 *                       before it is whole); none at all, as in an index
 *                       from before the records, means whole.
 *   DIR/wensou.lock     flock()ed by the running indexer, which also holds
 *                       a POSIX lock on it that searchers can test without
 *                       taking anything (ws_layout_writer_running).
 *   DIR/shard-K/        a stub directory for shard K alone: its XAPIANDB
 *                       names the live gen-N/sK ("glass ../gen-N/sK").
 *                       It is what a server serves (xapian-tcpsrv
 *                       DIR/shard-K): a path that stays while generations
 *                       come and go, and one database per server, since
 *                       Xapian passes on only the first database's
 *                       metadata (the file records) of several served as
 *                       one.  Written after the stub, derived from it,
 *                       never read by wensou itself.
 *
 * A stub that names anything else (other databases, remote shards) is not
 * one wensou wrote: the indexer refuses it, the searcher hands it to
 * Xapian as it stands.
 */
#ifndef WENSOU_LAYOUT_H
#define WENSOU_LAYOUT_H

#include <stdbool.h>

#define WS_LAYOUT_STUB "XAPIANDB"
#define WS_LAYOUT_LOCK "wensou.lock"
#define WS_LAYOUT_MAX_SHARDS 16

typedef enum ws_layout_result {
	WS_LAYOUT_NONE = 0,   /* no stub: no index yet (or dir is no folder) */
	WS_LAYOUT_OURS = 1,   /* a stub in wensou's layout: *out filled */
	WS_LAYOUT_FOREIGN = 2,/* a readable stub that wensou did not write */
	WS_LAYOUT_ERROR = -1, /* the stub cannot be read */
} ws_layout_result;

typedef struct ws_layout {
	int gen;                                  /* the live generation */
	unsigned nshards;
	char *shard[WS_LAYOUT_MAX_SHARDS];        /* absolute paths (owned) */
} ws_layout;

/* Read DIR's stub.  With WS_LAYOUT_FOREIGN or WS_LAYOUT_ERROR, *why gets a
 * malloc'd message naming the stub file and what is wrong with it. */
ws_layout_result ws_layout_read(const char *dir, ws_layout *out, char **why);
void ws_layout_free(ws_layout *l);

/* Point DIR's stub at the shards rel[0..n) (paths relative to DIR)
 * atomically: a temporary file, fsync, rename over the stub, fsync of
 * the folder.  Returns 0, or -1 with *err. */
int ws_layout_write(const char *dir, char *const *rel, unsigned n, char **err);

/* Make DIR/shard-K/XAPIANDB name l's shard K for each of its shards
 * (each written atomically, only where it differs), and remove the
 * shard-K folders beyond them.  Returns 0, or -1 with *err: the stub
 * itself is the index, so a caller reports that as a warning. */
int ws_layout_write_shard_stubs(const char *dir, const ws_layout *l, char **err);
/* The first K whose DIR/shard-K/XAPIANDB does not name l's shard K as
 * ws_layout_write_shard_stubs writes it, or -1 when all do. */
int ws_layout_shard_stub_stale(const char *dir, const ws_layout *l);

#define WS_LAYOUT_BATCH "wensou.batch"

typedef struct ws_layout_batch {
	unsigned long long seq;   /* batches begun in this generation */
	bool committing;          /* batch seq is being committed: the shards
	                             may be at any mix of it and the one before */
	unsigned nshards;
	/* shard K's revision at the last batch committed whole */
	unsigned long long rev[WS_LAYOUT_MAX_SHARDS];
} ws_layout_batch;

/* Read the batch record of the generation folder gendir.  True with *b
 * filled; false when there is none, or none readable (a record is
 * written whole or not at all, so that means an index from before the
 * records, which counts as whole). */
bool ws_layout_batch_read(const char *gendir, ws_layout_batch *b);
/* Write it atomically (a temporary file, fsync, rename).  Returns 0, or
 * -1 with *err. */
int ws_layout_batch_write(const char *gendir, const ws_layout_batch *b, char **err);
/* Does record b name exactly the n revisions rev[0..n), one a shard? */
bool ws_layout_batch_names(const ws_layout_batch *b, const unsigned long long *rev, unsigned n);

/* Whether a writer holds DIR's lock now, tested without taking it: a
 * searcher waits for a batch being committed only while its writer runs
 * (a killed one will commit nothing more).  False when there is no lock
 * file or it cannot be read. */
bool ws_layout_writer_running(const char *dir);
/* The writer's side: mark fd, DIR/wensou.lock open for writing and
 * flock()ed, as held by a running writer.  flock() locks cannot be
 * tested without taking them (which would make an indexer starting then
 * fail with "locked"), POSIX ones can (F_GETLK).  The mark goes when the
 * process closes any descriptor of the file.  Returns 0, or -1 (errno). */
int ws_layout_writer_mark(int fd);

/* For a path DIR/gen-N/sK or DIR/gen-N/build-K, however DIR is spelt
 * (DIR/shard-0/../gen-N/sK as the shard stubs name it): true, with its
 * generation folder DIR/gen-N and DIR in new malloc'd strings and K;
 * false for any other path (or out of memory). */
bool ws_layout_shard_path(const char *path, char **gendir, char **dir, unsigned *k);

/* New malloc'd paths (NULL when out of memory). */
char *ws_layout_gen_dir(const char *dir, int gen);
/* A generation's shard as built (build) or compacted (live), absolute,
 * and relative to DIR (for the stub). */
char *ws_layout_shard(const char *dir, int gen, unsigned k, bool build);
char *ws_layout_shard_rel(int gen, unsigned k, bool build);

/* The generations present in DIR (gen-N folders), ascending, in a new
 * malloc'd array (*n of them); NULL with *n 0 when none or out of memory. */
int *ws_layout_generations(const char *dir, unsigned *n);

#endif
