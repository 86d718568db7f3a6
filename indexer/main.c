/*
 * wensou-index - index folders of reports into a wensou (Xapian) index.
 *
 * One run: walk the paths, decide per file (unchanged on size+mtime,
 * unchanged on content hash, new, changed), prepare the changed files on a
 * worker thread (read, split, analyse) while this thread writes them,
 * commit in batches, drop files that vanished, and commit once more.
 * Each commit leaves a consistent index: a file's passages and its record
 * always go in the same commit.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cjk.h"
#include "dbpath.h"
#include "discover.h"
#include "fileid.h"
#include "prepare.h"
#include "progress.h"
#include "records.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"
#include "xq.h"

#define PROG "wensou-index"
/* Commit after this much text, so memory stays bounded and a killed run
 * keeps most of its work. */
#define BATCH_BYTES (64u << 20)
/* At most this many prepared files, or bytes of them, wait for the writer. */
#define QUEUE_FILES 32
#define QUEUE_BYTES (32u << 20)

typedef struct options {
	const char *db;
	bool rebuild, quiet, verbose;
	int progress; /* -1 auto, 0 never, 1 always */
	bool fold_traditional;
} options;

typedef struct counts {
	size_t added, changed, removed, unchanged, skipped, failed, passages;
	uint64_t bytes;
} counts;

/* Paths where something could not be read: index entries under them are
 * kept, never removed as vanished. */
typedef struct protect_list {
	char **paths;
	size_t n, cap;
} protect_list;

typedef struct run {
	options opt;
	counts c;
	protect_list protect;
	bool walking;
	ws_progress *progress;
} run;

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [--db DIR] [--rebuild] [--quiet|--verbose] [--progress=auto|always|never] PATH...\n"
	      "Index text and Markdown reports under PATH (files or folders) into a wensou index.\n"
	      "\n"
	      "  --db DIR            the index (default: $WENSOU_DB, else $XDG_DATA_HOME/wensou/index)\n"
	      "  --rebuild           build a fresh index beside the old one and swap it in\n"
	      "  -q, --quiet         print only errors\n"
	      "  -v, --verbose       print every file and what was done with it\n"
	      "  --progress=WHEN     progress bar on stderr: auto (on a terminal), always, never\n"
	      "  --no-fold-traditional  keep Traditional Chinese apart from Simplified (with --rebuild\n"
	      "                      or a new index)\n"
	      "  -h, --help          this help\n"
	      "  --version           the version\n"
	      "\n"
	      "Exit status: 0 all indexed, 1 some files failed (the rest committed), 2 fatal error.\n",
	      f);
}

static void protect_add(protect_list *pl, const char *path)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 16;
		char **p = realloc(pl->paths, cap * sizeof *p);
		if (!p)
			return;
		pl->paths = p;
		pl->cap = cap;
	}
	char *copy = strdup(path);
	if (copy)
		pl->paths[pl->n++] = copy;
}

static bool protected_path(const protect_list *pl, const char *path)
{
	for (size_t i = 0; i < pl->n; i++)
		if (ws_path_under(path, pl->paths[i]))
			return true;
	return false;
}

/* One line per problem, on stderr, without breaking the progress bar.
 * Errors met while walking also protect their path: what could not be
 * read is not "gone", so its index entries stay. */
static void report(const char *path, const char *msg, bool error, void *ud)
{
	run *r = ud;
	if (error && r->walking) {
		protect_add(&r->protect, path);
		r->c.failed++;
	}
	if (r->opt.quiet && !error)
		return;
	ws_progress_clear(r->progress);
	fprintf(stderr, PROG ": %s: %s\n", path, msg);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the worker thread: prepares files in order ---- */

typedef struct job {
	const ws_file *file;
	const char *old_hash; /* NULL: index whatever the content */
	bool is_new;
	ws_prepared pr;
} job;

typedef struct pipeline {
	job *jobs;
	size_t n;
	size_t prepared;     /* jobs[0..prepared) are ready */
	size_t written;      /* jobs[0..written) are written and freed */
	uint64_t queued_bytes;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ws_preparer *preparer;
} pipeline;

static void *worker(void *arg)
{
	pipeline *pl = arg;
	for (size_t i = 0; i < pl->n; i++) {
		pthread_mutex_lock(&pl->mu);
		while (!pl->stop && i > pl->written &&
		       (i - pl->written >= QUEUE_FILES || pl->queued_bytes >= QUEUE_BYTES))
			pthread_cond_wait(&pl->cv, &pl->mu);
		bool stop = pl->stop;
		pthread_mutex_unlock(&pl->mu);
		if (stop)
			break;
		job *j = &pl->jobs[i];
		ws_prepare_file(pl->preparer, j->file, j->old_hash, &j->pr);
		pthread_mutex_lock(&pl->mu);
		pl->prepared = i + 1;
		pl->queued_bytes += j->pr.bytes;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
	return NULL;
}

/* Write one prepared file.  Returns 0, or -1 on a database error (fatal). */
static int write_job(run *r, xq_db *db, job *j)
{
	ws_prepared *pr = &j->pr;
	const char *path = j->file->path;
	char key[sizeof WS_META_FILE_PREFIX + WS_HASH_HEX_LEN];
	snprintf(key, sizeof key, WS_META_FILE_PREFIX "%s", pr->fileid);
	char term[WS_HASH_HEX_LEN + 8];
	int tl = snprintf(term, sizeof term, WS_PREFIX_FILE "%s", pr->fileid);
	xq_status xs = XQ_OK;

	switch (pr->result) {
	case WS_PREP_UNSUPPORTED:
		r->c.skipped++;
		if (r->opt.verbose)
			report(path, pr->message, false, r);
		return 0;
	case WS_PREP_EMPTY:
		r->c.skipped++;
		report(path, pr->message, false, r);
		/* an emptied file no longer has passages */
		if (!j->is_new) {
			xs = xq_db_delete_documents(db, term, (size_t)tl);
			if (xs == XQ_OK)
				xs = xq_db_set_metadata(db, key, "", 0);
		}
		break;
	case WS_PREP_FAILED:
		r->c.failed++;
		report(path, pr->message, true, r);
		return 0;
	case WS_PREP_SAME:
		r->c.unchanged++;
		xs = xq_db_set_metadata(db, key, pr->record, strlen(pr->record));
		break;
	case WS_PREP_INDEX:
		if (!j->is_new)
			xs = xq_db_delete_documents(db, term, (size_t)tl);
		for (size_t i = 0; xs == XQ_OK && i < pr->ndocs; i++)
			xs = xq_db_add_document(db, pr->docs[i], NULL);
		if (xs == XQ_OK)
			xs = xq_db_set_metadata(db, key, pr->record, strlen(pr->record));
		if (j->is_new)
			r->c.added++;
		else
			r->c.changed++;
		r->c.passages += pr->ndocs;
		if (r->opt.verbose) {
			ws_progress_clear(r->progress);
			fprintf(stderr, PROG ": %s: %s, %zu passages\n", path, j->is_new ? "added" : "changed", pr->ndocs);
		}
		break;
	}
	if (xs != XQ_OK) {
		ws_progress_clear(r->progress);
		fprintf(stderr, PROG ": writing %s failed: %s\n", path, xq_last_error());
		return -1;
	}
	return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
	enum { OPT_PROGRESS = 256, OPT_REBUILD, OPT_VERSION, OPT_NO_FOLD };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"rebuild", no_argument, NULL, OPT_REBUILD},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"progress", required_argument, NULL, OPT_PROGRESS},
		{"no-fold-traditional", no_argument, NULL, OPT_NO_FOLD},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	*o = (options){.progress = -1, .fold_traditional = true};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg) {
				fprintf(stderr, PROG ": --db needs a folder\n");
				return 2;
			}
			o->db = optarg;
			break;
		case OPT_REBUILD: o->rebuild = true; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case OPT_NO_FOLD: o->fold_traditional = false; break;
		case OPT_PROGRESS:
			if (strcmp(optarg, "auto") == 0)
				o->progress = -1;
			else if (strcmp(optarg, "always") == 0)
				o->progress = 1;
			else if (strcmp(optarg, "never") == 0)
				o->progress = 0;
			else {
				fprintf(stderr, PROG ": --progress takes auto, always or never, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case OPT_VERSION: printf(PROG " %s\n", WENSOU_VERSION); return 0;
		case ':':
			fprintf(stderr, PROG ": %s needs a value\n", argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, PROG ": unknown option -%c\n", optopt);
			else
				fprintf(stderr, PROG ": unknown option %s\n", argv[optind - 1]);
			fprintf(stderr, "Try '" PROG " --help'.\n");
			return 2;
		}
	}
	if (o->quiet && o->verbose) {
		fprintf(stderr, PROG ": --quiet and --verbose contradict each other\n");
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no PATH to index\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	run r = {0};
	int rc = parse_options(argc, argv, &r.opt);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	double t0 = now();
	int exit_code = 2;
	char *err = NULL, *dbdir = NULL;
	ws_store *st = NULL;
	ws_records recs = {0};
	ws_filelist files = {0};
	char **roots = NULL;
	size_t nroots = 0;
	job *jobs = NULL;
	pipeline pl = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	bool thread_started = false;
	pthread_t th;

	dbdir = ws_db_path_resolve(r.opt.db, &err);
	if (!dbdir)
		goto fatal;
	cjk_options copts;
	cjk_options_default(&copts);
	copts.fold_traditional = r.opt.fold_traditional;

	ws_store_status ss = ws_store_open(dbdir, r.opt.rebuild, &copts, &st, &err);
	if (ss != WS_STORE_OK)
		goto fatal;
	xq_db *db = ws_store_db(st);
	if (ws_records_load(&recs, db) != XQ_OK) {
		err = strdup(xq_last_error());
		goto fatal;
	}

	bool show = r.opt.progress == 1 || (r.opt.progress == -1 && !r.opt.quiet && isatty(STDERR_FILENO));
	r.progress = ws_progress_new(show);

	/* Walk.  A root that cannot be read is an error for that root only. */
	roots = calloc((size_t)(argc - optind), sizeof *roots);
	if (!roots) {
		err = strdup("out of memory");
		goto fatal;
	}
	ws_discover_opts dopts = {.skip_dir = ws_store_dir(st), .verbose = r.opt.verbose, .report = report, .ud = &r};
	r.walking = true;
	for (int i = optind; i < argc; i++) {
		char *abs = NULL;
		/* failures are counted by report(); a root that cannot be read
		 * at all removes nothing */
		if (ws_discover(argv[i], &dopts, &files, &abs) >= 0)
			roots[nroots++] = abs;
	}
	r.walking = false;
	ws_filelist_sort_unique(&files);

	/* Decide per file; unchanged ones (size and mtime) are not even read. */
	jobs = calloc(files.n ? files.n : 1, sizeof *jobs);
	if (!jobs) {
		err = strdup("out of memory");
		goto fatal;
	}
	size_t njobs = 0;
	uint64_t total_bytes = 0;
	ws_sidecars *sc = ws_sidecars_new(NULL, NULL);
	for (size_t i = 0; i < files.n; i++) {
		ws_file *f = &files.items[i];
		ws_record *rec = ws_records_find(&recs, f->path);
		int64_t side = sc ? ws_sidecar_mtime(sc, f->path) : 0;
		if (rec) {
			rec->seen = true;
			if (!r.opt.rebuild && rec->size == f->size && rec->mtime_ns == f->mtime_ns &&
			    rec->sidecar_mtime_ns == side) {
				r.c.unchanged++;
				continue;
			}
		}
		job *j = &jobs[njobs++];
		j->file = f;
		j->is_new = !rec || r.opt.rebuild;
		/* a changed sidecar changes the passages' metadata: no shortcut */
		j->old_hash = rec && !r.opt.rebuild && rec->sidecar_mtime_ns == side ? rec->hash : NULL;
		total_bytes += f->size;
	}
	ws_sidecars_free(sc);

	pl.jobs = jobs;
	pl.n = njobs;
	pl.preparer = ws_preparer_new(&copts, report, &r, &err);
	if (!pl.preparer)
		goto fatal;
	if (njobs) {
		if (pthread_create(&th, NULL, worker, &pl) != 0) {
			err = strdup("cannot start the worker thread");
			goto fatal;
		}
		thread_started = true;
	}
	ws_progress_start(r.progress, njobs, total_bytes);

	uint64_t batch_bytes = BATCH_BYTES, since_commit = 0;
	const char *batch_env = getenv("WENSOU_INDEX_BATCH_MB");
	if (batch_env && atoi(batch_env) > 0)
		batch_bytes = (uint64_t)atoi(batch_env) << 20;
	for (size_t i = 0; i < njobs; i++) {
		pthread_mutex_lock(&pl.mu);
		while (pl.prepared <= i)
			pthread_cond_wait(&pl.cv, &pl.mu);
		pthread_mutex_unlock(&pl.mu);
		job *j = &jobs[i];
		if (write_job(&r, db, j) != 0)
			goto fatal_db;
		r.c.bytes += j->pr.bytes;
		since_commit += j->pr.bytes;
		pthread_mutex_lock(&pl.mu);
		pl.queued_bytes -= j->pr.bytes;
		ws_prepared_free(&j->pr);
		pl.written = i + 1;
		pthread_cond_broadcast(&pl.cv);
		pthread_mutex_unlock(&pl.mu);
		ws_progress_update(r.progress, i + 1, r.c.bytes, j->file->path);
		if (since_commit >= batch_bytes) {
			if (ws_store_commit(st, false, &err) != 0)
				goto fatal;
			since_commit = 0;
		}
	}

	/* Files that vanished from the walked roots. */
	for (size_t i = 0; i < recs.cap; i++) {
		ws_record *rec = &recs.slots[i];
		if (!rec->path || rec->seen || r.opt.rebuild)
			continue;
		bool under = false;
		for (size_t k = 0; k < nroots && !under; k++)
			under = ws_path_under(rec->path, roots[k]);
		if (!under || protected_path(&r.protect, rec->path))
			continue;
		char fileid[WS_HASH_HEX_LEN + 1];
		ws_fileid(rec->path, fileid);
		char key[sizeof WS_META_FILE_PREFIX + WS_HASH_HEX_LEN], term[WS_HASH_HEX_LEN + 8];
		snprintf(key, sizeof key, WS_META_FILE_PREFIX "%s", fileid);
		int tl = snprintf(term, sizeof term, WS_PREFIX_FILE "%s", fileid);
		if (xq_db_delete_documents(db, term, (size_t)tl) != XQ_OK || xq_db_set_metadata(db, key, "", 0) != XQ_OK)
			goto fatal_db;
		r.c.removed++;
		if (r.opt.verbose)
			fprintf(stderr, PROG ": %s: removed (no longer there)\n", rec->path);
	}
	if (ws_store_commit(st, true, &err) != 0)
		goto fatal;
	ws_progress_finish(r.progress);
	if (!r.opt.quiet)
		fprintf(stderr,
		        PROG ": %zu added, %zu changed, %zu removed, %zu unchanged, %zu skipped, %zu failed; "
		        "%zu passages, %.1f MB in %.2f s\n",
		        r.c.added, r.c.changed, r.c.removed, r.c.unchanged, r.c.skipped, r.c.failed, r.c.passages,
		        (double)r.c.bytes / 1e6, now() - t0);
	exit_code = r.c.failed ? 1 : 0;
	goto out;

fatal_db:
	err = strdup("the index was left as of its last commit");
fatal:
	ws_progress_clear(r.progress);
	fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
	exit_code = 2;
out:
	if (thread_started) {
		pthread_mutex_lock(&pl.mu);
		pl.stop = true;
		pthread_cond_broadcast(&pl.cv);
		pthread_mutex_unlock(&pl.mu);
		pthread_join(th, NULL);
		for (size_t i = pl.written; i < pl.prepared; i++)
			ws_prepared_free(&jobs[i].pr);
	}
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
	ws_preparer_free(pl.preparer);
	ws_progress_free(r.progress);
	free(jobs);
	for (size_t i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	for (size_t i = 0; i < r.protect.n; i++)
		free(r.protect.paths[i]);
	free(r.protect.paths);
	ws_filelist_free(&files);
	ws_records_free(&recs);
	ws_store_close(st);
	free(dbdir);
	free(err);
	return exit_code;
}
