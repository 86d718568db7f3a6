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
 *   DIR/wensou.lock     flock()ed by the running indexer.
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
