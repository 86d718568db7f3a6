#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "schema.h"
#include "strbuf.h"

struct ws_store {
	char *dir;
	int lock_fd;
	int live_gen;     /* generation the stub names (0: none yet) */
	int gen;          /* generation being written */
	bool rebuild;
	int upgraded_from; /* schema version of the live index this run replaces, or 0 */
	bool swapped;
	unsigned nshards;
	xq_db *shards[16];
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

/* The generation number and shard count in DIR/XAPIANDB ("glass
 * gen-N/sK" lines), 0 if there is none. */
static int read_stub(const char *dir, unsigned *nshards)
{
	char *path = ws_strdupf("%s/XAPIANDB", dir);
	FILE *f = path ? fopen(path, "r") : NULL;
	free(path);
	*nshards = 0;
	if (!f)
		return 0;
	char line[256];
	int gen = 0;
	while (fgets(line, sizeof line, f)) {
		int g;
		unsigned k;
		if (sscanf(line, "glass gen-%d/s%u", &g, &k) != 2 || (gen && g != gen) || k != *nshards) {
			gen = 0;
			break;
		}
		gen = g;
		(*nshards)++;
	}
	fclose(f);
	if (!gen || *nshards == 0 || *nshards > 16)
		return *nshards = 0, 0;
	return gen;
}

/* Point the stub at generation gen atomically: write a temporary file,
 * fsync it, rename it over the stub, fsync the folder. */
static int write_stub(const char *dir, int gen, unsigned nshards)
{
	char *tmp = ws_strdupf("%s/XAPIANDB.tmp", dir), *path = ws_strdupf("%s/XAPIANDB", dir);
	strbuf body = STRBUF_INIT;
	int rc = -1;
	for (unsigned k = 0; k < nshards; k++)
		strbuf_appendf(&body, "glass gen-%d/s%u\n", gen, k);
	if (!tmp || !path || !body.len)
		goto out;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto out;
	if (write(fd, body.data, body.len) != (ssize_t)body.len || fsync(fd) != 0) {
		close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0)
		goto out;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	strbuf_free(&body);
	free(tmp);
	free(path);
	return rc;
}

/* Remove generations other than keep1 and keep2: the previous live one is
 * kept until the next run so that searchers that opened it just before a
 * swap can finish. */
static void remove_old_gens(const char *dir, int keep1, int keep2)
{
	for (int g = 1; g < (keep1 > keep2 ? keep1 : keep2); g++) {
		if (g == keep1 || g == keep2)
			continue;
		char *p = ws_strdupf("%s/gen-%d", dir, g);
		struct stat st;
		if (p && stat(p, &st) == 0)
			rm_rf(p);
		free(p);
	}
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

static bool dir_is_empty_or_ours(const char *dir)
{
	char *stub = ws_strdupf("%s/XAPIANDB", dir);
	bool ours = stub && access(stub, F_OK) == 0;
	free(stub);
	if (ours)
		return true;
	char *glass = ws_strdupf("%s/iamglass", dir);
	bool plain = glass && access(glass, F_OK) == 0;
	free(glass);
	if (plain)
		return false;
	return true; /* an empty folder, or one we can create gen-1 in */
}

ws_store_status ws_store_open(const char *dir, bool rebuild, const cjk_options *opts, ws_store **out, char **err)
{
	*out = NULL;
	ws_store *st = calloc(1, sizeof *st);
	if (!st) {
		*err = strdup("out of memory");
		return WS_STORE_ERROR;
	}
	st->lock_fd = -1;
	ws_store_status status = WS_STORE_ERROR;
	st->dir = strdup(dir);
	if (!st->dir || mkdir_p(dir) != 0) {
		*err = ws_strdupf("cannot create the index folder %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (!dir_is_empty_or_ours(dir)) {
		*err = ws_strdupf("%s holds a Xapian database that wensou did not create; give another --db", dir);
		goto fail;
	}
	char *lock = ws_strdupf("%s/wensou.lock", dir);
	st->lock_fd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	free(lock);
	if (st->lock_fd < 0) {
		*err = ws_strdupf("cannot open the lock file in %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(st->lock_fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		*err = ws_strdupf("index %s is locked: another wensou-index is running%s%s%s", dir, *pid ? " (pid " : "",
		           pid, *pid ? ")" : "");
		status = WS_STORE_LOCKED;
		goto fail;
	}
	char pidline[32];
	int pn = snprintf(pidline, sizeof pidline, "%ld\n", (long)getpid());
	if (ftruncate(st->lock_fd, 0) == 0 && pwrite(st->lock_fd, pidline, (size_t)pn, 0) < 0) {
		/* the pid is only a hint for the "locked" message */
	}

	unsigned live_shards;
	st->live_gen = read_stub(dir, &live_shards);
	st->rebuild = rebuild || st->live_gen == 0;
open_shards:
	st->gen = st->rebuild ? st->live_gen + 1 : st->live_gen;
	st->nshards = st->rebuild ? WS_STORE_SHARDS : live_shards;
	char *want = schema_json(opts);
	if (!want) {
		*err = strdup("out of memory");
		goto fail;
	}
	for (unsigned k = 0; k < st->nshards; k++) {
		char *gpath = ws_strdupf("%s/gen-%d/s%u", dir, st->gen, k);
		if (!gpath || (st->rebuild && mkdir_p(gpath) != 0)) {
			*err = ws_strdupf("cannot create %s: %s", gpath ? gpath : dir, strerror(errno));
			free(gpath);
			free(want);
			goto fail;
		}
		xq_status xs =
			xq_db_open_writable(gpath, st->rebuild ? XQ_CREATE_OR_OVERWRITE : XQ_OPEN, &st->shards[k]);
		free(gpath);
		if (xs != XQ_OK) {
			*err = ws_strdupf("cannot open the index %s: %s%s", dir, xq_last_error(),
			           xs == XQ_ERR_CORRUPT ? " (rebuild it with wensou-index --rebuild)" : "");
			status = xs == XQ_ERR_LOCKED ? WS_STORE_LOCKED : WS_STORE_ERROR;
			free(want);
			goto fail;
		}
		if (st->rebuild) {
			xs = xq_db_set_metadata(st->shards[k], WS_META_SCHEMA, want, strlen(want));
		} else {
			char *have = NULL;
			xs = xq_db_get_metadata(st->shards[k], WS_META_SCHEMA, &have, NULL);
			int version = xs == XQ_OK ? schema_version(have) : 0;
			if (xs == XQ_OK && version != WS_SCHEMA_VERSION) {
				/* Written by another wensou: the files are all
				 * still there, so build this version's index
				 * beside it rather than stop a nightly run. */
				free(have);
				free(want);
				for (unsigned j = 0; j <= k; j++) {
					xq_db_close(st->shards[j]);
					st->shards[j] = NULL;
				}
				st->upgraded_from = version > 0 ? version : -1;
				st->rebuild = true;
				goto open_shards;
			}
			if (xs == XQ_OK && strcmp(have, want) != 0) {
				*err = ws_strdupf("the index %s was built with other settings (%s, now %s): "
				           "run wensou-index --rebuild",
				           dir, have, want);
				free(have);
				free(want);
				status = WS_STORE_MISMATCH;
				goto fail;
			}
			free(have);
		}
		if (xs != XQ_OK) {
			*err = ws_strdupf("cannot read the index %s: %s", dir, xq_last_error());
			free(want);
			goto fail;
		}
	}
	free(want);
	*out = st;
	return WS_STORE_OK;
fail:
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
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = fileid[i];
		v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
	}
	return v % st->nshards;
}

bool ws_store_is_new(const ws_store *st)
{
	return st->rebuild;
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

const char *ws_store_dir(ws_store *st)
{
	return st->dir;
}

int ws_store_commit_shard(ws_store *st, unsigned k, char **err)
{
	if (xq_db_commit(st->shards[k]) != XQ_OK) {
		*err = ws_strdupf("commit failed: %s", xq_last_error());
		return -1;
	}
	return 0;
}

/* A fresh generation is written in many small commits, which leaves its
 * B-trees half full; compacting it before it goes live halves its size
 * and costs a second or two per 100 MB of text.  A shard that fails to
 * compact is used as written. */
static void compact_generation(ws_store *st)
{
	for (unsigned k = 0; k < st->nshards; k++) {
		xq_db_close(st->shards[k]);
		st->shards[k] = NULL;
		char *path = ws_strdupf("%s/gen-%d/s%u", st->dir, st->gen, k);
		char *tmp = ws_strdupf("%s/gen-%d/s%u.compact", st->dir, st->gen, k);
		char *old = ws_strdupf("%s/gen-%d/s%u.old", st->dir, st->gen, k);
		if (path && tmp && old) {
			rm_rf(tmp);
			if (xq_db_compact(path, tmp) == XQ_OK && rename(path, old) == 0) {
				if (rename(tmp, path) == 0)
					rm_rf(old);
				else
					rename(old, path);
			}
			rm_rf(tmp);
		}
		free(path);
		free(tmp);
		free(old);
	}
}

int ws_store_commit(ws_store *st, char **err)
{
	for (unsigned k = 0; k < st->nshards; k++)
		if (ws_store_commit_shard(st, k, err) != 0)
			return -1;
	if (st->rebuild && !st->swapped) {
		compact_generation(st);
		if (write_stub(st->dir, st->gen, st->nshards) != 0) {
			*err = ws_strdupf("cannot switch %s to the new index: %s", st->dir, strerror(errno));
			return -1;
		}
		st->swapped = true;
		remove_old_gens(st->dir, st->gen, st->live_gen);
	}
	return 0;
}

void ws_store_close(ws_store *st)
{
	if (!st)
		return;
	for (unsigned k = 0; k < st->nshards; k++)
		xq_db_close(st->shards[k]);
	if (st->rebuild && !st->swapped && st->gen > 0 && st->dir) {
		/* an unfinished rebuild: its generation is of no use */
		char *p = ws_strdupf("%s/gen-%d", st->dir, st->gen);
		if (p)
			rm_rf(p);
		free(p);
	}
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	free(st->dir);
	free(st);
}
