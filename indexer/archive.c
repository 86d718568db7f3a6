/* archive.c - runs over a sharded archive (archive.h). */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "extract.h"
#include "meta.h"
#include "roots.h"
#include "strbuf.h"

#define PROG "wensou-index"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The part of the file at path, a new malloc'd name; NULL when out of
 * memory. */
static char *part_of(ws_sidecars *sc, ws_shard_by by, const char *path)
{
	ws_docmeta m = {0};
	if (ws_meta_resolve(sc, path, NULL, NULL, &m) != 0)
		return NULL;
	char *name = ws_layout_part_name(by, m.year, m.source);
	ws_docmeta_free(&m);
	return name;
}

int ws_archive_keep_part(ws_filelist *files, const ws_part *part)
{
	ws_sidecars *sc = ws_sidecars_new(NULL, NULL);
	if (!sc)
		return -1;
	size_t kept = 0;
	int rc = 0;
	for (size_t i = 0; i < files->n; i++) {
		ws_file *f = &files->items[i];
		int sniff;
		bool keep = false;
		if (rc == 0 && ws_format_from_path(f->path, &sniff) != WS_FORMAT_UNSUPPORTED) {
			char *name = part_of(sc, part->by, f->path);
			rc = name ? 0 : -1;
			keep = name && strcmp(name, part->name) == 0;
			free(name);
		}
		if (keep || rc != 0)
			files->items[kept++] = *f;
		else
			free(f->path);
	}
	files->n = kept;
	ws_sidecars_free(sc);
	return rc;
}

bool ws_archive_parts(const char *dir, ws_shard_by *by, char ***parts, unsigned *n)
{
	char *why = NULL;
	*parts = NULL;
	*n = 0;
	if (ws_layout_shard_by_read(dir, by, &why) != 0) {
		fprintf(stderr, PROG ": %s\n", why ? why : "out of memory");
		free(why);
		return false;
	}
	if (*by)
		*parts = ws_layout_part_dirs(dir, *by, n);
	return true;
}

/* Add name to the sorted set *names (n, cap) unless it is there.  False
 * when out of memory (name is freed). */
static bool add_name(char ***names, unsigned *n, size_t *cap, char *name)
{
	if (!name)
		return false;
	unsigned lo = 0, hi = *n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = strcmp((*names)[mid], name);
		if (c == 0) {
			free(name);
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	char **p = ws_array_grow(*names, *n, cap, sizeof **names, 16);
	if (!p) {
		free(name);
		return false;
	}
	*names = p;
	memmove(*names + lo + 1, *names + lo, (*n - lo) * sizeof **names);
	(*names)[lo] = name;
	(*n)++;
	return true;
}

/* Whether dir can be an archive by want (*by its key, WS_SHARD_BY_NONE
 * when it is none yet): a folder that holds an index of its own (or a
 * build of one) is not made one.  Returns 0, or -1 with *err. */
static int may_claim(const char *dir, ws_shard_by by, ws_shard_by want, char **err)
{
	if (by) {
		if (want && want != by) {
			*err = ws_strdupf("%s is an archive sharded by %s, not by %s: give --shard-by %s another folder", dir,
			                  ws_shard_by_name(by), ws_shard_by_name(want), ws_shard_by_name(want));
			return -1;
		}
		return 0;
	}
	ws_layout l;
	char *why = NULL;
	unsigned ngens = 0;
	ws_layout_result lr = ws_layout_read(dir, &l, &why);
	free(ws_layout_generations(dir, &ngens));
	if (lr == WS_LAYOUT_OURS)
		ws_layout_free(&l);
	free(why);
	if (lr != WS_LAYOUT_NONE || ngens) {
		*err = ws_strdupf("%s holds an index that is not sharded: give --shard-by a new folder "
		                  "(without --shard-by, the index there is updated as it is)", dir);
		return -1;
	}
	return 0;
}

/* Make dir an archive by want, unless it is one (*by); under its lock,
 * after may_claim.  Returns 0, or -1 with *err. */
static int claim(const char *dir, ws_shard_by *by, ws_shard_by want, char **err)
{
	if (*by)
		return 0;
	if (may_claim(dir, *by, want, err) != 0 || ws_layout_shard_by_write(dir, want, err) != 0)
		return -1;
	*by = want;
	return 0;
}

/* Take dir's lock (a descriptor to close), creating dir; -1 with *err. */
static int lock_dir(const char *dir, char **err)
{
	strbuf p = STRBUF_INIT;
	bool ok = strbuf_appends(&p, dir);
	for (size_t i = 1; ok && i <= p.len; i++) {
		if (p.data[i] != '/' && p.data[i] != '\0')
			continue;
		char c = p.data[i];
		p.data[i] = '\0';
		if (mkdir(p.data, 0755) != 0 && errno != EEXIST) {
			*err = ws_strdupf("cannot create %s: %s", p.data, strerror(errno));
			strbuf_free(&p);
			return -1;
		}
		p.data[i] = c;
	}
	strbuf_free(&p);
	char *path = ok ? ws_strdupf("%s/" WS_LAYOUT_LOCK, dir) : NULL;
	int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	if (!path)
		*err = strdup("out of memory");
	else if (fd < 0)
		*err = ws_strdupf("cannot open %s: %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		*err = errno == EWOULDBLOCK ? ws_strdupf("another wensou-index is writing the archive %s", dir)
		                            : ws_strdupf("cannot lock %s: %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* The archive's own walk of roots: which parts its files belong to (into
 * the set *names), what it meets said and counted in tr, the files of
 * formats wensou does not read counted as skipped. */
static int walk_parts(run *tr, const char *dir, ws_shard_by by, const ws_roots *roots, char ***names, unsigned *n,
                      size_t *cap)
{
	bool there;
	char *skip = ws_canonical_path(dir, &there);
	ws_discover_opts dopts = {.skip_dir = skip, .verbose = tr->opt.verbose, .report = ws_run_report, .ud = tr};
	ws_filelist files = {0};
	ws_sidecars *sc = ws_sidecars_new(NULL, NULL);
	int rc = skip && sc ? 0 : -1;
	tr->walking = true;
	for (size_t i = 0; rc == 0 && i < roots->n; i++) {
		struct stat sb;
		/* a root gone is said by the parts that remember its files */
		if (stat(roots->items[i], &sb) != 0 && errno == ENOENT)
			continue;
		ws_discover(roots->items[i], &dopts, &files);
	}
	tr->walking = false;
	ws_filelist_sort_unique(&files);
	for (size_t i = 0; rc == 0 && i < files.n; i++) {
		int sniff;
		if (ws_format_from_path(files.items[i].path, &sniff) == WS_FORMAT_UNSUPPORTED) {
			ws_run_count_skip(tr, files.items[i].path);
			if (tr->opt.verbose)
				ws_run_report(files.items[i].path, "skipped: not a format wensou reads", false, tr);
		} else if (!add_name(names, n, cap, part_of(sc, by, files.items[i].path))) {
			rc = -1;
		}
	}
	ws_filelist_free(&files);
	ws_sidecars_free(sc);
	free(skip);
	return rc;
}

static void add_counts(counts *t, const counts *c)
{
	t->added += c->added;
	t->changed += c->changed;
	t->removed += c->removed;
	t->unchanged += c->unchanged;
	t->failed += c->failed;
	t->passages += c->passages;
	t->replaced += c->replaced;
	t->bytes += c->bytes;
}

/* The roots a part's run is given: all of the archive's, but a root gone
 * only where the part remembers it (there it is said, and forgotten once
 * nothing of it is left). */
static int part_roots(const char *part_dir, const ws_roots *all, bool given, char ***out, int *nout, char **err)
{
	ws_roots mine = {0};
	if (!given && ws_roots_of_index(part_dir, &mine, err) != 0)
		return -1;
	*out = calloc(all->n + 1, sizeof **out);
	*nout = 0;
	if (!*out) {
		ws_roots_free(&mine);
		*err = strdup("out of memory");
		return -1;
	}
	for (size_t i = 0; i < all->n; i++) {
		struct stat sb;
		if (given || stat(all->items[i], &sb) == 0 || errno != ENOENT || ws_roots_has(&mine, all->items[i]))
			(*out)[(*nout)++] = all->items[i];
	}
	ws_roots_free(&mine);
	return 0;
}

int ws_archive_run(const options *opt, const char *dir, ws_shard_by by, char **paths, int npaths)
{
	double t0 = now();
	run tr = {.mu = PTHREAD_MUTEX_INITIALIZER, .opt = *opt};
	char *err = NULL;
	ws_roots roots = {0};
	char **names = NULL, **present = NULL;
	unsigned nnames = 0, npresent = 0;
	size_t cap = 0;
	int worst = 0, lock = -1;
	/* checked before the lock is taken: a folder holding an index has a
	 * lock file of that index's */
	if (may_claim(dir, by, opt->shard_by, &err) != 0 || (lock = lock_dir(dir, &err)) < 0 ||
	    claim(dir, &by, opt->shard_by, &err) != 0)
		goto fatal;

	/* the roots: those given, else every part's */
	for (int i = 0; i < npaths; i++) {
		bool there;
		char *p = ws_canonical_path(paths[i], &there);
		bool ok = p && ws_roots_add(&roots, p);
		free(p);
		if (!ok) {
			err = strdup("out of memory");
			goto fatal;
		}
	}
	if (!npaths && ws_roots_of_index(dir, &roots, &err) != 0)
		goto fatal;
	if (!roots.n) {
		err = ws_strdupf("no PATH to index, and the archive at %s remembers none: give the folders to index", dir);
		goto fatal;
	}

	present = ws_layout_parts(dir, by, &npresent);
	for (; npresent; npresent--) {
		char *name = present[npresent - 1];
		present[npresent - 1] = NULL;
		if (!add_name(&names, &nnames, &cap, name)) {
			err = strdup("out of memory");
			goto fatal;
		}
	}
	if (walk_parts(&tr, dir, by, &roots, &names, &nnames, &cap) != 0) {
		err = strdup("out of memory");
		goto fatal;
	}

	for (unsigned i = 0; i < nnames; i++) {
		ws_part part = {.by = by, .name = names[i], .archive = dir};
		options popt = *opt;
		popt.part = &part;
		popt.shard_by = WS_SHARD_BY_NONE;
		char *pdir = ws_strdupf("%s/%s", dir, names[i]), **pp = NULL;
		int np = 0, rc = 2;
		counts c = {0};
		if (!pdir || part_roots(pdir, &roots, npaths > 0, &pp, &np, &err) != 0) {
			fprintf(stderr, PROG ": %s: %s\n", names[i], err ? err : "out of memory");
			free(err);
			err = NULL;
		} else {
			rc = ws_index_run(&popt, pdir, pp, np, &c);
			add_counts(&tr.c, &c);
		}
		worst = rc > worst ? rc : worst;
		free(pp);
		free(pdir);
	}
	/* the parts that hold an index, a part whose first build failed not */
	unsigned nlive;
	if (ws_layout_parts_write(dir, by, &nlive, &err) != 0)
		goto fatal;
	bool idle = !tr.c.added && !tr.c.changed && !tr.c.removed && !tr.c.failed;
	if (!opt->quiet && !(opt->watch && idle)) {
		ws_run_print_summary(&tr, now() - t0);
		fprintf(stderr, PROG ": %s: %u part%s, by %s\n", dir, nlive, nlive == 1 ? "" : "s", ws_shard_by_name(by));
	}
	if (tr.c.failed && worst < 1)
		worst = 1;
	goto out;

fatal:
	fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
	worst = 2;
out:
	free(err);
	ws_layout_parts_free(names, nnames);
	ws_layout_parts_free(present, npresent);
	ws_roots_free(&roots);
	for (size_t i = 0; i < tr.protect.n; i++)
		free(tr.protect.paths[i]);
	free(tr.protect.paths);
	if (lock >= 0)
		close(lock);
	pthread_mutex_destroy(&tr.mu);
	return worst;
}
