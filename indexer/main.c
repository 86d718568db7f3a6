/*
 * wensou-index - index folders of reports into a wensou (Xapian) index.
 *
 * One run: walk the paths, decide per file (unchanged on size+mtime,
 * unchanged on content hash, new, changed), then one writer thread per
 * shard prepares its files (read, split, analyse, on a worker of its own)
 * and writes them, committing in batches; finally drop the files that
 * vanished and commit every shard.  Each commit leaves a consistent
 * index: a file's passages and its record live in one shard and go in the
 * same commit.
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
#include "pipeline.h"
#include "progress.h"
#include "records.h"
#include "schema.h"
#include "store.h"
#include "array.h"
#include "strbuf.h"
#include "xq.h"

#define PROG "wensou-index"
/* Commit a shard after this much text, so memory stays bounded and a
 * killed run keeps most of its work. */
#define BATCH_BYTES (1u << 20)

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
	size_t jobs_done;
	/* The shard writers share the counts, stderr and the progress bar. */
	pthread_mutex_t mu;
	bool abort;          /* a shard writer met a fatal error */
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
	char **p = ws_array_grow(pl->paths, pl->n, &pl->cap, sizeof *p, 16);
	if (!p)
		return;
	pl->paths = p;
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
	pthread_mutex_lock(&r->mu);
	if (error && r->walking) {
		protect_add(&r->protect, path);
		r->c.failed++;
	}
	if (!r->opt.quiet || error) {
		ws_progress_clear(r->progress);
		fprintf(stderr, PROG ": %s: %s\n", path, msg);
	}
	pthread_mutex_unlock(&r->mu);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts, messages and the file record for a job whose pieces are all
 * written.  Returns 0, or -1 on a database error (fatal).  Called by the
 * shard writers: r's counts are updated under its lock. */
static int finish_job(run *r, xq_db *db, ws_job *j, bool oom)
{
	counts c = {0};
	ws_prepared *pr = &j->pr;
	const char *path = j->file->path;
	char key[sizeof WS_META_FILE_PREFIX + WS_HASH_HEX_LEN];
	snprintf(key, sizeof key, WS_META_FILE_PREFIX "%s", pr->fileid);
	char term[WS_HASH_HEX_LEN + 8];
	int tl = snprintf(term, sizeof term, WS_PREFIX_FILE "%s", pr->fileid);
	xq_status xs = XQ_OK;

	if (oom && pr->result == WS_PREP_INDEX) {
		/* what was added of it goes; the old record stays, so the next
		 * run tries again */
		xs = xq_db_delete_documents(db, term, (size_t)tl);
		pr->result = WS_PREP_FAILED;
		free(pr->message);
		pr->message = strdup("out of memory building passages");
	}
	switch (pr->result) {
	case WS_PREP_UNSUPPORTED:
		c.skipped++;
		if (r->opt.verbose)
			report(path, pr->message, false, r);
		break;
	case WS_PREP_EMPTY:
		c.skipped++;
		report(path, pr->message, false, r);
		/* an emptied file no longer has passages */
		if (!j->is_new) {
			xs = xq_db_delete_documents(db, term, (size_t)tl);
			if (xs == XQ_OK)
				xs = xq_db_set_metadata(db, key, "", 0);
		}
		break;
	case WS_PREP_FAILED:
		c.failed++;
		report(path, pr->message ? pr->message : "out of memory", true, r);
		break;
	case WS_PREP_SAME:
		c.unchanged++;
		xs = xq_db_set_metadata(db, key, pr->record, strlen(pr->record));
		break;
	case WS_PREP_INDEX:
		xs = xq_db_set_metadata(db, key, pr->record, strlen(pr->record));
		if (j->is_new)
			c.added++;
		else
			c.changed++;
		c.passages += pr->npassages;
		if (r->opt.verbose) {
			char msg[64];
			snprintf(msg, sizeof msg, "%s, %zu passages", j->is_new ? "added" : "changed", pr->npassages);
			report(path, msg, false, r);
		}
		break;
	}
	if (xs != XQ_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "writing failed: %s", xq_last_error());
		report(path, msg, true, r);
		return -1;
	}
	pthread_mutex_lock(&r->mu);
	r->c.added += c.added;
	r->c.changed += c.changed;
	r->c.unchanged += c.unchanged;
	r->c.skipped += c.skipped;
	r->c.failed += c.failed;
	r->c.passages += c.passages;
	r->c.bytes += pr->bytes;
	r->jobs_done++;
	ws_progress_update(r->progress, r->jobs_done, r->c.bytes, path);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/* Write one piece: a job's first piece replaces what the index had of the
 * file.  Returns 0, or -1 on a database error (fatal). */
static int write_piece(run *r, xq_db *db, ws_piece *pc)
{
	ws_job *j = pc->job;
	xq_status xs = XQ_OK;
	if (pc->first && j->pr.result == WS_PREP_INDEX && !j->is_new) {
		char term[WS_HASH_HEX_LEN + 8];
		int tl = snprintf(term, sizeof term, WS_PREFIX_FILE "%s", j->pr.fileid);
		xs = xq_db_delete_documents(db, term, (size_t)tl);
	}
	for (size_t i = 0; i < pc->ndocs; i++) {
		if (xs == XQ_OK)
			xs = xq_db_add_document(db, pc->docs[i], NULL);
		xq_doc_free(pc->docs[i]);
	}
	pc->ndocs = 0;
	if (xs != XQ_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "writing failed: %s", xq_last_error());
		report(j->file->path, msg, true, r);
		return -1;
	}
	return 0;
}

/* One shard's writer: prepares its files on a worker of its own and
 * writes them, committing in batches. */
typedef struct shard_run {
	run *r;
	ws_store *st;
	unsigned k;
	ws_job *jobs;
	size_t njobs;
	const cjk_options *copts;
	uint64_t batch_bytes;
	char *err;           /* set when the shard failed (fatal) */
} shard_run;

static void *shard_main(void *arg)
{
	shard_run *sr = arg;
	run *r = sr->r;
	xq_db *db = ws_store_shard(sr->st, sr->k);
	ws_preparer *preparer = ws_preparer_new(sr->copts, report, r, &sr->err);
	ws_pipeline *pl = preparer ? ws_pipeline_start(preparer, sr->jobs, sr->njobs, &sr->err) : NULL;
	uint64_t since_commit = 0;
	bool oom = false;
	ws_piece *pc;
	while (pl && (pc = ws_pipeline_next(pl))) {
		ws_job *j = pc->job;
		int rc = write_piece(r, db, pc);
		oom |= pc->oom;
		since_commit += pc->text_bytes;
		bool last = pc->last;
		ws_pipeline_done(pl, pc);
		if (rc == 0 && last) {
			rc = finish_job(r, db, j, oom);
			oom = false;
			ws_prepared_free(&j->pr);
		}
		/* Commit at file boundaries once a batch is full, so that a
		 * file's passages and its record go in one commit; a file
		 * larger than two batches is committed in the middle too, to
		 * bound memory (a crash then leaves it half indexed under its
		 * old record, and the next run indexes it again). */
		if (rc == 0 && ((last && since_commit >= sr->batch_bytes) || since_commit >= 2 * sr->batch_bytes)) {
			rc = ws_store_commit_shard(sr->st, sr->k, &sr->err);
			since_commit = 0;
		}
		pthread_mutex_lock(&r->mu);
		if (rc != 0)
			r->abort = true;
		bool stop = r->abort;
		pthread_mutex_unlock(&r->mu);
		if (stop) {
			if (!sr->err)
				sr->err = strdup(rc ? "the index was left as of its last commit" : "stopped");
			break;
		}
	}
	ws_pipeline_free(pl);
	ws_preparer_free(preparer);
	return NULL;
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

/* The analyzer's folding table.  A new index gets it (computed with ICU),
 * so that searchers need not open ICU's transliterator (~25 ms a
 * process); an existing one has it.  The writers' analyzers load it too.
 * Returns a malloc'd table (possibly "" for an index from before tables)
 * or NULL with *err. */
static char *fold_table(ws_store *st, const cjk_options *copts, size_t *len, char **err)
{
	char *table = NULL;
	*len = 0;
	if (!ws_store_is_new(st)) {
		if (xq_db_get_metadata(ws_store_shard(st, 0), WS_META_FOLD, &table, len) != XQ_OK)
			*err = ws_strdupf("cannot read the index: %s", xq_last_error());
		return table;
	}
	cjk_analyzer *a = cjk_analyzer_new(copts, err);
	if (!a)
		return NULL;
	table = cjk_fold_table_export(a, len);
	if (!table)
		*err = strdup(cjk_analyzer_error(a));
	else if (ws_store_set_metadata(st, WS_META_FOLD, table, *len, err) != 0) {
		free(table);
		table = NULL;
	}
	cjk_analyzer_free(a);
	return table;
}

int main(int argc, char **argv)
{
	run r = {.mu = PTHREAD_MUTEX_INITIALIZER};
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
	ws_job *jobs = NULL;
	shard_run shards[16] = {{0}};
	char *fold = NULL;
	unsigned nshards = 0;

	dbdir = ws_db_path_resolve(r.opt.db, &err);
	if (!dbdir)
		goto fatal;
	cjk_options copts;
	cjk_options_default(&copts);
	copts.fold_traditional = r.opt.fold_traditional;

	ws_store_status ss = ws_store_open(dbdir, r.opt.rebuild, &copts, &st, &err);
	if (ss != WS_STORE_OK)
		goto fatal;
	nshards = ws_store_nshards(st);
	if (ws_store_upgraded_from(st)) {
		/* Every file is read again into the new generation. */
		r.opt.rebuild = true;
		if (!r.opt.quiet)
			fprintf(stderr, PROG ": %s holds an index of another format (schema %d, now %d): rebuilding it\n",
			        dbdir, ws_store_upgraded_from(st), WS_SCHEMA_VERSION);
	}
	size_t fold_len;
	fold = fold_table(st, &copts, &fold_len, &err);
	if (!fold)
		goto fatal;
	if (fold_len) {
		copts.fold_table = fold;
		copts.fold_table_len = fold_len;
	}
	for (unsigned k = 0; k < nshards; k++) {
		if (ws_records_load(&recs, ws_store_shard(st, k)) != XQ_OK) {
			err = strdup(xq_last_error());
			goto fatal;
		}
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

	/* Decide per file; unchanged ones (size and mtime) are not even read.
	 * The jobs, made in file order, are then grouped by shard. */
	ws_job *pending = calloc(files.n ? files.n : 1, sizeof *pending);
	unsigned *pending_shard = calloc(files.n ? files.n : 1, sizeof *pending_shard);
	jobs = calloc(files.n ? files.n : 1, sizeof *jobs);
	ws_sidecars *sc = ws_sidecars_new(NULL, NULL);
	if (!pending || !pending_shard || !jobs || !sc) {
		free(pending);
		free(pending_shard);
		ws_sidecars_free(sc);
		err = strdup("out of memory");
		goto fatal;
	}
	size_t njobs = 0, per_shard[16] = {0};
	uint64_t total_bytes = 0;
	for (size_t i = 0; i < files.n; i++) {
		ws_file *f = &files.items[i];
		ws_record *rec = ws_records_find(&recs, f->path);
		int64_t side = ws_sidecar_mtime(sc, f->path);
		if (rec) {
			rec->seen = true;
			if (!r.opt.rebuild && rec->size == f->size && rec->mtime_ns == f->mtime_ns &&
			    rec->sidecar_mtime_ns == side) {
				r.c.unchanged++;
				continue;
			}
		}
		ws_job *j = &pending[njobs];
		j->file = f;
		j->is_new = !rec || r.opt.rebuild;
		/* a changed sidecar changes the passages' metadata: no shortcut */
		j->old_hash = rec && !r.opt.rebuild && rec->sidecar_mtime_ns == side ? rec->hash : NULL;
		char fileid[WS_HASH_HEX_LEN + 1];
		ws_fileid(f->path, fileid);
		pending_shard[njobs] = ws_store_shard_of(st, fileid);
		per_shard[pending_shard[njobs]]++;
		total_bytes += f->size;
		njobs++;
	}
	ws_sidecars_free(sc);
	size_t start = 0;
	for (unsigned k = 0; k < nshards; k++) {
		shards[k].jobs = jobs + start;
		start += per_shard[k];
	}
	for (size_t i = 0; i < njobs; i++) {
		shard_run *sr = &shards[pending_shard[i]];
		sr->jobs[sr->njobs++] = pending[i];
	}
	free(pending);
	free(pending_shard);

	/* The batch is per shard: each holds its uncommitted changes in
	 * memory, about 25 times the text. */
	uint64_t batch_bytes = BATCH_BYTES;
	const char *batch_env = getenv("WENSOU_INDEX_BATCH_MB");
	if (batch_env && atof(batch_env) > 0)
		batch_bytes = (uint64_t)(atof(batch_env) * (1 << 20));
	ws_progress_start(r.progress, njobs, total_bytes);
	pthread_t threads[16];
	bool started[16] = {false};
	for (unsigned k = 0; k < nshards; k++) {
		shard_run *sr = &shards[k];
		sr->r = &r;
		sr->st = st;
		sr->k = k;
		sr->copts = &copts;
		sr->batch_bytes = batch_bytes;
		if (!sr->njobs)
			continue;
		if (pthread_create(&threads[k], NULL, shard_main, sr) != 0) {
			sr->err = strdup("cannot start a writer thread");
			break;
		}
		started[k] = true;
	}
	for (unsigned k = 0; k < nshards; k++)
		if (started[k])
			pthread_join(threads[k], NULL);
	for (unsigned k = 0; k < nshards; k++) {
		if (shards[k].err) {
			err = shards[k].err;
			shards[k].err = NULL;
			goto fatal;
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
		xq_db *db = ws_store_shard(st, ws_store_shard_of(st, fileid));
		char key[sizeof WS_META_FILE_PREFIX + WS_HASH_HEX_LEN], term[WS_HASH_HEX_LEN + 8];
		snprintf(key, sizeof key, WS_META_FILE_PREFIX "%s", fileid);
		int tl = snprintf(term, sizeof term, WS_PREFIX_FILE "%s", fileid);
		if (xq_db_delete_documents(db, term, (size_t)tl) != XQ_OK || xq_db_set_metadata(db, key, "", 0) != XQ_OK) {
			err = strdup(xq_last_error());
			goto fatal;
		}
		r.c.removed++;
		if (r.opt.verbose)
			report(rec->path, "removed (no longer there)", false, &r);
	}
	if (ws_store_commit(st, &err) != 0)
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

fatal:
	ws_progress_clear(r.progress);
	fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
	exit_code = 2;
out:
	for (unsigned k = 0; k < nshards; k++)
		free(shards[k].err);
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
	free(fold);
	free(dbdir);
	free(err);
	pthread_mutex_destroy(&r.mu);
	return exit_code;
}
