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

/*
 * A sharded archive (wensou-index --shard-by year|source): one index per
 * year or per publisher, so that a night touches only the parts whose
 * files changed, and a part no longer written (a past year) can be
 * compacted, copied and served read-only on its own.
 *
 *   DIR/wensou.shard-by one line: what chooses a file's part, "year" or
 *                       "source".  Its presence makes DIR an archive.
 *   DIR/PART/           an index folder in the layout above, one per
 *                       part: year-2023, year-unknown, source-NAME (the
 *                       source with every byte but letters, digits, '-',
 *                       '_', '.' and UTF-8 percent-encoded),
 *                       source-unknown.
 *   DIR/XAPIANDB        a stub naming each part that holds an index,
 *                       "auto PART": Xapian opens a folder's own stub, so
 *                       Xapian's tools (and a server given DIR) see the
 *                       archive as one database.  wensou's searcher opens
 *                       each part's shards itself, as for --db PART.
 *   DIR/wensou.lock     flock()ed by the running indexer of the archive
 *                       (each part has its own besides).
 */
typedef enum ws_shard_by {
	WS_SHARD_BY_NONE = 0,  /* DIR is no archive */
	WS_SHARD_BY_YEAR,
	WS_SHARD_BY_SOURCE,
} ws_shard_by;

#define WS_LAYOUT_SHARD_BY "wensou.shard-by"

/* "year", "source" (NULL for none); and back (false for anything else). */
const char *ws_shard_by_name(ws_shard_by by);
bool ws_shard_by_parse(const char *s, ws_shard_by *by);

/* DIR's key: WS_SHARD_BY_NONE when DIR holds no wensou.shard-by.  -1 with
 * a malloc'd *why when it cannot be read or names no key wensou knows. */
int ws_layout_shard_by_read(const char *dir, ws_shard_by *by, char **why);
/* Make DIR an archive by by (atomically).  Returns 0, or -1 with *err. */
int ws_layout_shard_by_write(const char *dir, ws_shard_by by, char **err);

/* The part a file of that year (0: unknown) or source (NULL or "":
 * unknown) belongs to, as a new malloc'd folder name (NULL when out of
 * memory).  The same key always gives the same name; a source too long
 * for a folder name is cut and given a hash of the whole. */
char *ws_layout_part_name(ws_shard_by by, int year, const char *source);
/* Whether name could be a part of an archive by by. */
bool ws_layout_is_part_name(ws_shard_by by, const char *name);

/* The part folders present in DIR, sorted by name: a new malloc'd array
 * of *n malloc'd names (NULL with *n 0 when none or out of memory). */
char **ws_layout_parts(const char *dir, ws_shard_by by, unsigned *n);
/* Those of them that hold an index (a stub in the layout above), as
 * absolute folder paths, sorted: what the archive is made of. */
char **ws_layout_part_dirs(const char *dir, ws_shard_by by, unsigned *n);
/* The parts DIR's stub names, as absolute folder paths, in its order: a
 * new malloc'd array of *n malloc'd paths.  NULL with *n 0 and *why NULL
 * when DIR has no stub; NULL with a malloc'd *why when it cannot be read
 * or names anything but a part of DIR. */
char **ws_layout_parts_read(const char *dir, ws_shard_by by, unsigned *n, char **why);
/* Point DIR's stub at its parts that hold an index (ws_layout_part_dirs)
 * atomically, as ws_layout_write does, unless it names them already (then
 * it is left untouched); with none, nothing is written.  *n gets how many
 * it names.  Returns 0, or -1 with *err. */
int ws_layout_parts_write(const char *dir, ws_shard_by by, unsigned *n, char **err);
void ws_layout_parts_free(char **names, unsigned n);

#endif
