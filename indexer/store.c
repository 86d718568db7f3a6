#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <jansson.h>

#include "fileid.h"
#include "layout.h"
#include "schema.h"
#include "strbuf.h"

struct ws_store {
	char *dir;
	int lock_fd;
	ws_layout live;   /* the live generation (live.gen 0: none yet) */
	int gen;          /* generation being written */
	bool building;    /* gen is not live yet: its shards are build-K */
	bool fresh;       /* gen was created by this run */
	bool resumed;
	bool was_empty;   /* the live generation this update opened held no passage */
	bool compacted;   /* this run made a generation live, compacted (a build or --compact) */
	int upgraded_from;
	unsigned nshards;
	xq_db *shards[WS_LAYOUT_MAX_SHARDS];
	char *stub_warning;   /* the shard-K stubs could not be written (for the commit's warning) */
	unsigned long long seq; /* the live generation's batches so far (its batch record) */
};

static int mkdir_p(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static int rm_rf(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat sb;
	return path && stat(path, &sb) == 0;
}

/* Remove generation g, unless it is the live one: whatever goes wrong
 * elsewhere, the live generation is never removed. */
static void remove_gen(ws_store *st, int g)
{
	if (g <= 0 || g == st->live.gen)
		return;
	char *p = ws_layout_gen_dir(st->dir, g);
	if (p)
		rm_rf(p);
	free(p);
}

static char *schema_json(const cjk_options *o)
{
	json_t *j = json_pack("{s:i,s:b,s:b}", "version", WS_SCHEMA_VERSION, "fold_traditional",
	                      o->fold_traditional, "stem_english", o->stem_english);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

/* The "version" of a schema record; 0 if it has none. */
static int schema_version(const char *json)
{
	json_t *j = json_loads(json, 0, NULL);
	json_t *v = json_object_get(j, "version");
	int version = json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 1000000
		? (int)json_integer_value(v) : 0;
	json_decref(j);
	return version;
}

static void close_shards(ws_store *st)
{
	for (unsigned k = 0; k < st->nshards; k++) {
		xq_db_close(st->shards[k]);
		st->shards[k] = NULL;
	}
	st->nshards = 0;
}

/* The number of build-K shards in generation g (0..K-1 all present), 0
 * if it has none or a gap. */
static unsigned build_shards(const ws_store *st, int g)
{
	unsigned n = 0;
	while (n < WS_LAYOUT_MAX_SHARDS) {
		char *p = ws_layout_shard(st->dir, g, n, true);
		bool there = exists(p);
		free(p);
		if (!there)
			break;
		n++;
	}
	return n;
}

/* Open generation g's build shards for writing if they hold a build of
 * schema want; false (nothing open) otherwise. */
static bool open_build(ws_store *st, int g, const char *want)
{
	unsigned n = build_shards(st, g);
	if (!n)
		return false;
	for (unsigned k = 0; k < n; k++) {
		char *p = ws_layout_shard(st->dir, g, k, true);
		xq_db *db = NULL;
		char *have = NULL;
		bool good = p && xq_db_open_writable(p, XQ_OPEN, &db) == XQ_OK &&
		            xq_db_get_metadata(db, WS_META_SCHEMA, &have, NULL) == XQ_OK && strcmp(have, want) == 0;
		free(have);
		free(p);
		st->shards[k] = db;
		st->nshards = k + 1;
		if (!good) {
			close_shards(st);
			return false;
		}
	}
	return true;
}

/* Start generation g with empty build shards carrying the schema. */
static ws_store_status create_build(ws_store *st, int g, const char *want, unsigned nshards, char **err)
{
	for (unsigned k = 0; k < nshards; k++) {
		char *p = ws_layout_shard(st->dir, g, k, true);
		if (!p || mkdir_p(p) != 0) {
			*err = ws_strdupf("cannot create %s: %s", p ? p : st->dir, p ? strerror(errno) : "out of memory");
			free(p);
			return WS_STORE_ERROR;
		}
		xq_status xs = xq_db_open_writable(p, XQ_CREATE_OR_OVERWRITE, &st->shards[k]);
		free(p);
		if (xs == XQ_OK) {
			st->nshards = k + 1;
			xs = xq_db_set_metadata(st->shards[k], WS_META_SCHEMA, want, strlen(want));
		}
		if (xs != XQ_OK) {
			*err = ws_strdupf("cannot create the index in %s: %s", st->dir, xq_last_error());
			return WS_STORE_ERROR;
		}
	}
	return WS_STORE_OK;
}

/* Find a build a killed run left (a generation newer than the live one)
 * and resume it when it holds the schema wanted; remove every other
 * generation newer than the live one.  Returns true if resumed. */
static bool resume_or_clear(ws_store *st, const char *want, bool allow_resume)
{
	unsigned n;
	int *gens = ws_layout_generations(st->dir, &n);
	bool resumed = false;
	for (unsigned i = n; i-- > 0;) {
		int g = gens[i];
		if (g <= st->live.gen)
			break;
		if (!resumed && allow_resume && open_build(st, g, want)) {
			/* what a killed compaction left of its copies goes */
			for (unsigned k = 0; k < st->nshards; k++) {
				char *c = ws_layout_shard(st->dir, g, k, false);
				if (c)
					rm_rf(c);
				free(c);
			}
			st->gen = g;
			resumed = true;
			continue;
		}
		remove_gen(st, g);
	}
	free(gens);
	return resumed;
}

static uint64_t tree_bytes;

static int add_size(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (flag == FTW_F)
		tree_bytes += (uint64_t)sb->st_blocks * 512;
	return 0;
}

/* Bytes the files under path take on disk. */
static uint64_t disk_bytes(const char *path)
{
	tree_bytes = 0;
	nftw(path, add_size, 16, FTW_PHYS);
	return tree_bytes;
}

static uint64_t live_bytes(const ws_store *st)
{
	uint64_t n = 0;
	for (unsigned k = 0; k < st->live.nshards; k++)
		n += disk_bytes(st->live.shard[k]);
	return n;
}

/* Is there room for need bytes beside the live generation?  Said before a
 * job starts ("for a rebuild in", "to compact"; how much: why) rather
 * than the disk filled. */
static bool room_for(const ws_store *st, uint64_t need, const char *job, const char *why, char **err)
{
	struct statvfs vf;
	if (statvfs(st->dir, &vf) != 0)
		return true; /* cannot tell: try */
	uint64_t free_bytes = (uint64_t)vf.f_bavail * vf.f_frsize;
	if (free_bytes >= need)
		return true;
	*err = ws_strdupf("not enough room %s %s: %.1f MB free, about %.1f MB needed (%s); the index is as it was", job,
	                  st->dir, (double)free_bytes / 1e6, (double)need / 1e6, why);
	return false;
}

/* A rebuild needs room for its build shards (written in small commits,
 * about twice the compacted size) and their compacted copies beside the
 * live generation: measured at 2.6 times the live shards' size on the
 * 100 MB data set, so three times is asked. */
static bool room_for_rebuild(const ws_store *st, char **err)
{
	return room_for(st, 3 * live_bytes(st), "for a rebuild in", "three times the index", err);
}

/* The next generation number: above every gen-N present, so that a new
 * generation is always a new folder. */
static int next_gen(const ws_store *st)
{
	unsigned n;
	int *gens = ws_layout_generations(st->dir, &n);
	int g = n ? gens[n - 1] : 0;
	free(gens);
	return (g > st->live.gen ? g : st->live.gen) + 1;
}

/* Build shards of the live generation that the stub does not name: a run
 * killed between the swap and its clean-up leaves them. */
static void clear_live_builds(ws_store *st)
{
	for (unsigned k = 0; k < st->live.nshards; k++) {
		char *b = ws_layout_shard(st->dir, st->live.gen, k, true);
		if (b && strcmp(b, st->live.shard[k]) != 0)
			rm_rf(b);
		free(b);
	}
}

/* The generations before the live one: a rebuild or a compaction left
 * the previous one for searchers that had it open at the swap, until
 * this next run. */
static void clear_old_gens(ws_store *st)
{
	unsigned n;
	int *gens = ws_layout_generations(st->dir, &n);
	for (unsigned i = 0; i < n && gens[i] < st->live.gen; i++)
		remove_gen(st, gens[i]);
	free(gens);
}

static ws_store_status take_lock(ws_store *st, char **err)
{
	char *lock = ws_strdupf("%s/" WS_LAYOUT_LOCK, st->dir);
	st->lock_fd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	free(lock);
	if (st->lock_fd < 0) {
		*err = ws_strdupf("cannot open the lock file in %s: %s", st->dir, strerror(errno));
		return WS_STORE_ERROR;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(st->lock_fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		*err = ws_strdupf("index %s is locked: another wensou-index is running%s%s%s", st->dir,
		                  *pid ? " (pid " : "", pid, *pid ? ")" : "");
		return WS_STORE_LOCKED;
	}
	/* for searchers, which wait for a batch being committed only while
	 * its writer runs; without the mark (a file system without POSIX
	 * locks) they just never wait */
	ws_layout_writer_mark(st->lock_fd);
	char pidline[32];
	int pn = snprintf(pidline, sizeof pidline, "%ld\n", (long)getpid());
	if (ftruncate(st->lock_fd, 0) == 0 && pwrite(st->lock_fd, pidline, (size_t)pn, 0) < 0) {
		/* the pid is only a hint for the "locked" message */
	}
	return WS_STORE_OK;
}

/* Each shard's revision (its last commit) into b. */
static int shard_revisions(ws_store *st, ws_layout_batch *b, char **err)
{
	b->nshards = st->nshards;
	for (unsigned k = 0; k < st->nshards; k++) {
		if (xq_db_revision(st->shards[k], 0, &b->rev[k]) != XQ_OK) {
			*err = ws_strdupf("cannot read the index: %s", xq_last_error());
			return -1;
		}
	}
	return 0;
}

/* A run killed during a batch (or stopped by a failed commit) leaves the
 * live generation's record "committing", or revisions it never recorded:
 * searchers do not wait for a writer that is gone, but they would for
 * this one, so the record is made to say what the shards hold, first
 * thing.  Also reads the record's batch count.  Best effort: a shard
 * that does not open fails the run further on, with a better message. */
static void repair_batch_record(ws_store *st)
{
	char *gendir = ws_layout_gen_dir(st->dir, st->live.gen);
	ws_layout_batch b, now = {.nshards = st->live.nshards};
	if (!gendir || !ws_layout_batch_read(gendir, &b)) {
		free(gendir);
		return;
	}
	st->seq = b.seq;
	for (unsigned k = 0; k < st->live.nshards; k++) {
		xq_db *db = NULL;
		bool ok = xq_db_open(st->live.shard[k], &db) == XQ_OK && xq_db_revision(db, 0, &now.rev[k]) == XQ_OK;
		xq_db_close(db);
		if (!ok) {
			free(gendir);
			return;
		}
	}
	char *err = NULL;
	now.seq = b.seq;
	if (b.committing || !ws_layout_batch_names(&b, now.rev, now.nshards))
		ws_layout_batch_write(gendir, &now, &err);
	free(err);
	free(gendir);
}

/* Open the live generation's shards for writing and check their schema
 * against want.  *upgrade is set when they hold another schema version. */
/* Whether every open shard holds no document, in *empty; -1 with *err
 * if one cannot be read. */
static int shards_empty(ws_store *st, bool *empty, char **err)
{
	*empty = st->nshards > 0;
	for (unsigned k = 0; k < st->nshards; k++) {
		unsigned n;
		if (xq_db_doccount(st->shards[k], &n) != XQ_OK) {
			*err = ws_strdupf("cannot read the index %s: %s", st->live.shard[k], xq_last_error());
			return -1;
		}
		*empty = *empty && n == 0;
	}
	return 0;
}

static ws_store_status open_live(ws_store *st, const char *want, bool *upgrade, char **err)
{
	*upgrade = false;
	for (unsigned k = 0; k < st->live.nshards; k++) {
		xq_status xs = xq_db_open_writable(st->live.shard[k], XQ_OPEN, &st->shards[k]);
		if (xs != XQ_OK) {
			*err = ws_strdupf("cannot open the index %s: %s%s", st->live.shard[k], xq_last_error(),
			                  xs == XQ_ERR_CORRUPT ? " (rebuild it with wensou-index --rebuild)" : "");
			return xs == XQ_ERR_LOCKED ? WS_STORE_LOCKED : WS_STORE_ERROR;
		}
		st->nshards = k + 1;
		char *have = NULL;
		if (xq_db_get_metadata(st->shards[k], WS_META_SCHEMA, &have, NULL) != XQ_OK) {
			*err = ws_strdupf("cannot read the index %s: %s", st->live.shard[k], xq_last_error());
			return WS_STORE_ERROR;
		}
		int version = schema_version(have);
		if (version != WS_SCHEMA_VERSION) {
			st->upgraded_from = version > 0 ? version : -1;
			*upgrade = true;
		} else if (strcmp(have, want) != 0) {
			*err = ws_strdupf("the index %s was built with other settings (%s, now %s): "
			                  "run wensou-index --rebuild",
			                  st->dir, have, want);
			free(have);
			return WS_STORE_MISMATCH;
		}
		free(have);
	}
	return WS_STORE_OK;
}

ws_store_status ws_store_open(const char *dir, ws_store_mode mode, const cjk_options *opts, unsigned nshards,
                              ws_store **out, char **err)
{
	if (!nshards || nshards > WS_LAYOUT_MAX_SHARDS)
		nshards = WS_STORE_SHARDS;
	*out = NULL;
	ws_store *st = calloc(1, sizeof *st);
	char *want = NULL, *why = NULL;
	if (!st) {
		*err = strdup("out of memory");
		return WS_STORE_ERROR;
	}
	st->lock_fd = -1;
	ws_store_status status = WS_STORE_ERROR;
	st->dir = strdup(dir);
	want = schema_json(opts);
	if (!st->dir || !want) {
		*err = strdup("out of memory");
		goto fail;
	}
	if (mode == WS_STORE_LIVE && !exists(dir)) {
		/* nothing to act on: no folder made, no lock taken */
		*err = ws_strdupf("no index at %s yet", dir);
		status = WS_STORE_NO_INDEX;
		goto fail;
	}
	if (mkdir_p(dir) != 0) {
		*err = ws_strdupf("cannot create the index folder %s: %s", dir, strerror(errno));
		goto fail;
	}
	char *glass = ws_strdupf("%s/iamglass", dir);
	bool plain = exists(glass);
	free(glass);
	if (plain) {
		*err = ws_strdupf("%s holds a Xapian database that wensou did not create; give another --db", dir);
		goto fail;
	}
	if ((status = take_lock(st, err)) != WS_STORE_OK)
		goto fail;
	status = WS_STORE_ERROR;

	switch (ws_layout_read(dir, &st->live, &why)) {
	case WS_LAYOUT_NONE:
		break;
	case WS_LAYOUT_OURS:
		break;
	case WS_LAYOUT_FOREIGN:
		*err = ws_strdupf("%s; wensou-index writes only indexes it created: give another --db", why);
		goto fail;
	case WS_LAYOUT_ERROR:
		*err = why;
		why = NULL;
		goto fail;
	}

	if (st->live.gen)
		repair_batch_record(st);
	if (mode == WS_STORE_LIVE) {
		if (!st->live.gen) {
			*err = ws_strdupf("no index at %s yet", dir);
			status = WS_STORE_NO_INDEX;
			goto fail;
		}
		resume_or_clear(st, want, false);
	} else if (resume_or_clear(st, want, true)) {
		st->building = st->resumed = true;
		*out = st;
		free(want);
		return WS_STORE_OK;
	}

	bool upgrade = false;
	if (st->live.gen && mode != WS_STORE_REBUILD) {
		if ((status = open_live(st, want, &upgrade, err)) != WS_STORE_OK)
			goto fail;
		status = WS_STORE_ERROR;
		if (!upgrade) {
			st->gen = st->live.gen;
			if (shards_empty(st, &st->was_empty, err) != 0)
				goto fail;
			clear_live_builds(st);
			/* an index from before the shard-K stubs gets them now; a
			 * generation before the live one goes only once the
			 * servers' stubs name the live one */
			if (ws_layout_write_shard_stubs(dir, &st->live, &st->stub_warning) != 0 && !st->stub_warning)
				st->stub_warning = strdup("out of memory");
			if (!st->stub_warning)
				clear_old_gens(st);
			*out = st;
			free(want);
			return WS_STORE_OK;
		}
		if (mode == WS_STORE_LIVE) {
			*err = ws_strdupf("the index %s is of another schema version: run wensou-index to rebuild it", dir);
			goto fail;
		}
		close_shards(st);
	}
	/* A first build, a rebuild, an upgrade: a new generation. */
	if (st->live.gen && !room_for_rebuild(st, err))
		goto fail;
	st->gen = next_gen(st);
	st->building = st->fresh = true;
	if ((status = create_build(st, st->gen, want, nshards, err)) != WS_STORE_OK)
		goto fail;
	free(want);
	*out = st;
	return WS_STORE_OK;
fail:
	free(want);
	free(why);
	ws_store_close(st);
	return status;
}

unsigned ws_store_nshards(const ws_store *st)
{
	return st->nshards;
}

xq_db *ws_store_shard(ws_store *st, unsigned k)
{
	return st->shards[k];
}

unsigned ws_store_shard_of(const ws_store *st, const char *fileid)
{
	return ws_fileid_shard(fileid, st->nshards);
}

bool ws_store_was_empty(const ws_store *st)
{
	return st->was_empty;
}

bool ws_store_building(const ws_store *st)
{
	return st->building;
}

bool ws_store_fresh(const ws_store *st)
{
	return st->fresh;
}

bool ws_store_resumed(const ws_store *st)
{
	return st->resumed;
}

int ws_store_upgraded_from(const ws_store *st)
{
	return st->upgraded_from;
}

int ws_store_set_metadata(ws_store *st, const char *key, const char *value, size_t len, char **err)
{
	for (unsigned k = 0; k < st->nshards; k++) {
		if (xq_db_set_metadata(st->shards[k], key, value, len) != XQ_OK) {
			*err = ws_strdupf("cannot write to the index: %s", xq_last_error());
			return -1;
		}
	}
	return 0;
}

const char *ws_store_dir(const ws_store *st)
{
	return st->dir;
}

int ws_store_commit_batch(ws_store *st, char **err)
{
	/* A generation being built is not searched: its commits need no
	 * record. */
	char *gendir = st->building ? NULL : ws_layout_gen_dir(st->dir, st->gen);
	ws_layout_batch b = {0};
	int rc = -1;
	if (!st->building) {
		if (!gendir) {
			*err = strdup("out of memory");
			return -1;
		}
		if (shard_revisions(st, &b, err) != 0)
			goto out;
		b.seq = ++st->seq;
		b.committing = true;
		if (ws_layout_batch_write(gendir, &b, err) != 0)
			goto out;
	}
	/* A commit that fails leaves the record "committing", the shards
	 * before it committed: the run stops, searchers stop waiting with
	 * its writer gone, and the next run records what the shards hold. */
	for (unsigned k = 0; k < st->nshards; k++) {
		if (xq_db_commit(st->shards[k]) != XQ_OK) {
			*err = ws_strdupf("commit failed: %s", xq_last_error());
			goto out;
		}
	}
	if (gendir) {
		if (shard_revisions(st, &b, err) != 0)
			goto out;
		b.committing = false;
		if (ws_layout_batch_write(gendir, &b, err) != 0)
			goto out;
	}
	rc = 0;
out:
	free(gendir);
	return rc;
}

int ws_store_commit_shard(ws_store *st, unsigned k, char **err)
{
	if (!st->building || k >= st->nshards) {
		*err = strdup("internal error: a shard committed alone outside a build");
		return -1;
	}
	if (xq_db_commit(st->shards[k]) != XQ_OK) {
		*err = ws_strdupf("commit failed: %s", xq_last_error());
		return -1;
	}
	return 0;
}

/* True if the database at path opens for reading and answers. */
static bool opens(const char *path)
{
	xq_db *db = NULL;
	unsigned n;
	bool ok = xq_db_open(path, &db) == XQ_OK && xq_db_doccount(db, &n) == XQ_OK;
	xq_db_close(db);
	return ok;
}

/* One shard's compaction, on a thread of its own: src into dst, which
 * must open afterwards. */
typedef struct compaction {
	char *src, *dst;      /* malloc'd */
	bool compacted;
	char *why;            /* why not (malloc'd), when not compacted */
	pthread_t thread;
	bool started;
} compaction;

static void *compact_one(void *arg)
{
	compaction *c = arg;
	if (c->src && c->dst) {
		rm_rf(c->dst);
		if (xq_db_compact(c->src, c->dst) == XQ_OK && opens(c->dst))
			c->compacted = true;
		else {
			/* xq_last_error is this thread's */
			c->why = ws_strdupf("could not compact %s (%s)", c->src, xq_last_error());
			rm_rf(c->dst);
		}
	} else {
		c->why = strdup("out of memory");
	}
	return NULL;
}

/* Compact cs[0..n), jobs at a time (the shards are separate databases),
 * each on a thread of its own but the last of a round, which runs here
 * (as does any whose thread does not start). */
static void run_compactions(compaction *cs, unsigned n, unsigned jobs)
{
	unsigned step = jobs ? jobs : 1;
	for (unsigned first = 0; first < n; first += step) {
		unsigned end = first + step < n ? first + step : n;
		for (unsigned k = first; k < end; k++) {
			cs[k].started = k + 1 < end && pthread_create(&cs[k].thread, NULL, compact_one, &cs[k]) == 0;
			if (!cs[k].started)
				compact_one(&cs[k]);
		}
		for (unsigned k = first; k < end; k++)
			if (cs[k].started)
				pthread_join(cs[k].thread, NULL);
	}
}

static void free_compactions(compaction *cs, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		free(cs[k].src);
		free(cs[k].dst);
		free(cs[k].why);
	}
}

/* A build is written in many small commits, which leaves its B-trees
 * half full; a compact copy is about half the size and costs a second or
 * two per 100 MB of text.  rel[k] gets the shard the stub should name:
 * the compacted copy, or the build shard as written when it could not be
 * compacted (said in warn). */
static int compact_build(ws_store *st, unsigned jobs, char **rel, char **err, strbuf *warn)
{
	unsigned n = st->nshards;
	compaction cs[WS_LAYOUT_MAX_SHARDS] = {{0}};
	close_shards(st);
	for (unsigned k = 0; k < n; k++) {
		cs[k].src = ws_layout_shard(st->dir, st->gen, k, true);
		cs[k].dst = ws_layout_shard(st->dir, st->gen, k, false);
	}
	run_compactions(cs, n, jobs);
	int rc = 0;
	for (unsigned k = 0; k < n; k++) {
		if (cs[k].why)
			strbuf_appendf(warn, "%s%s: it is used as written", warn->len ? "; " : "", cs[k].why);
		if (rc != 0)
			continue;
		rel[k] = ws_layout_shard_rel(st->gen, k, !cs[k].compacted);
		if (!rel[k]) {
			*err = strdup("out of memory");
			rc = -1;
			continue;
		}
		char *chosen = ws_strdupf("%s/%s", st->dir, rel[k]);
		bool good = chosen && opens(chosen);
		free(chosen);
		if (!good) {
			*err = ws_strdupf("the new index shard %s/%s does not open: %s", st->dir, rel[k], xq_last_error());
			rc = -1;
		}
	}
	free_compactions(cs, n);
	return rc;
}

/* Generation st->gen, whose shards are rel[0..n), is the live one now:
 * the stub was written.  The servers' stubs follow (a failure there costs
 * the servers the new generation, not the index: said in warn), and every
 * generation goes but this one and old_live, the one before, which
 * searchers that opened it just before the swap may still be reading.
 * Its build shards that were compacted go too. */
static void went_live(ws_store *st, char **rel, unsigned n, int old_live, strbuf *warn)
{
	ws_layout now;
	char *why = NULL, *serr = NULL;
	if (ws_layout_read(st->dir, &now, &why) != WS_LAYOUT_OURS || ws_layout_write_shard_stubs(st->dir, &now, &serr) != 0)
		strbuf_appendf(warn, "%sthe shard-K stubs for servers were not updated: %s", warn->len ? "; " : "",
		               why ? why : serr ? serr : "out of memory");
	ws_layout_free(&now);
	free(why);
	free(serr);
	st->live.gen = st->gen;
	st->building = false;
	for (unsigned k = 0; k < n; k++) {
		if (strstr(rel[k], "/build-"))
			continue;
		char *b = ws_layout_shard(st->dir, st->gen, k, true);
		if (b)
			rm_rf(b);
		free(b);
	}
	unsigned ng;
	int *gens = ws_layout_generations(st->dir, &ng);
	for (unsigned i = 0; i < ng; i++)
		if (gens[i] != st->gen && gens[i] != old_live)
			remove_gen(st, gens[i]);
	free(gens);
}

int ws_store_commit(ws_store *st, unsigned jobs, bool changed, char **err, char **warning)
{
	*warning = NULL;
	if ((changed || st->building) && ws_store_commit_batch(st, err) != 0)
		return -1;
	if (!st->building) {
		if (st->stub_warning)
			*warning = ws_strdupf("the shard-K stubs for servers were not updated: %s", st->stub_warning);
		return 0;
	}
	unsigned n = st->nshards;
	char *rel[WS_LAYOUT_MAX_SHARDS] = {NULL};
	strbuf warn = STRBUF_INIT;
	int rc = compact_build(st, jobs, rel, err, &warn);
	if (rc == 0)
		rc = ws_layout_write(st->dir, rel, n, err);
	if (rc == 0) {
		went_live(st, rel, n, st->live.gen, &warn);
		st->compacted = true;
	}
	for (unsigned k = 0; k < n; k++)
		free(rel[k]);
	if (warn.len)
		*warning = strbuf_detach(&warn);
	strbuf_free(&warn);
	return rc;
}

int ws_store_compact(ws_store *st, unsigned jobs, uint64_t *before, uint64_t *after, char **err, char **warning)
{
	*before = *after = 0;
	*warning = NULL;
	if (st->building || st->compacted)
		return 0; /* a build goes live compacted */
	/* A generation gets its batch record at its first update: without
	 * one it is as it went live, compacted, and is left alone (a finished
	 * part of an archive, served read-only, is not copied every week),
	 * unless a shard went live as written, its compaction having failed */
	char *livedir = ws_layout_gen_dir(st->dir, st->live.gen);
	ws_layout_batch b;
	bool updated = livedir && ws_layout_batch_read(livedir, &b);
	free(livedir);
	for (unsigned k = 0; k < st->live.nshards; k++)
		updated = updated || strstr(st->live.shard[k], "/build-");
	if (!updated)
		return 0;
	unsigned n = st->live.nshards;
	*before = live_bytes(st);
	/* the copies go beside the live shards, and are no larger */
	if (!room_for(st, *before, "to compact", "the index's size", err))
		return -1;
	close_shards(st);
	int g = next_gen(st);
	compaction cs[WS_LAYOUT_MAX_SHARDS] = {{0}};
	char *rel[WS_LAYOUT_MAX_SHARDS] = {NULL};
	char *gendir = ws_layout_gen_dir(st->dir, g);
	int rc = gendir && mkdir_p(gendir) == 0 ? 0 : -1;
	if (rc != 0)
		*err = ws_strdupf("cannot create %s: %s", gendir ? gendir : st->dir, gendir ? strerror(errno) : "out of memory");
	for (unsigned k = 0; rc == 0 && k < n; k++) {
		cs[k].src = strdup(st->live.shard[k]);
		cs[k].dst = ws_layout_shard(st->dir, g, k, false);
	}
	if (rc == 0)
		run_compactions(cs, n, jobs);
	for (unsigned k = 0; rc == 0 && k < n; k++) {
		if (cs[k].why) {
			*err = ws_strdupf("%s; the index is as it was", cs[k].why);
			rc = -1;
		} else if (!(rel[k] = ws_layout_shard_rel(g, k, false))) {
			*err = strdup("out of memory");
			rc = -1;
		} else {
			*after += disk_bytes(cs[k].dst);
		}
	}
	int old_live = st->live.gen;
	if (rc == 0 && (rc = ws_layout_write(st->dir, rel, n, err)) == 0) {
		strbuf warn = STRBUF_INIT;
		st->gen = g;
		went_live(st, rel, n, old_live, &warn);
		/* st->live still lists the shards before the swap: nothing
		 * more is done with them */
		st->compacted = true;
		if (warn.len)
			*warning = strbuf_detach(&warn);
		strbuf_free(&warn);
	} else if (gendir) {
		rm_rf(gendir); /* the live generation is untouched */
	}
	for (unsigned k = 0; k < n; k++)
		free(rel[k]);
	free_compactions(cs, n);
	free(gendir);
	return rc;
}

void ws_store_close(ws_store *st)
{
	if (!st)
		return;
	close_shards(st);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	ws_layout_free(&st->live);
	free(st->stub_warning);
	free(st->dir);
	free(st);
}
