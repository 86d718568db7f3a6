/*
 * wensou-index - index folders of reports into a wensou (Xapian) index.
 *
 * One run: walk the roots, decide per file (unchanged on size+mtime,
 * unchanged on content hash, new, changed, skipped by type), drop and
 * commit first what is gone (vanished, moved elsewhere), then one writer
 * thread per shard prepares its files and writes them, committing in
 * batches at file boundaries, every shard's at once (batch.h); finally
 * commit every shard with the roots,
 * and for a new generation swap it in.  Deletions go first so that a file
 * moved from one shard to another is never seen twice.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "check.h"
#include "cli.h"
#include "cjk.h"
#include "dbpath.h"
#include "discover.h"
#include "extract.h"
#include "fileid.h"
#include "filerec.h"
#include "layout.h"
#include "moves.h"
#include "output.h"
#include "watch.h"
#include "records.h"
#include "roots.h"
#include "run.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"
#include "formset.h"
#include "glossary.h"
#include "xq.h"

#define PROG "wensou-index"
/* Commit a shard after this much text, so memory stays bounded and a
 * killed run keeps most of its work. */
#define BATCH_BYTES (1u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The analyzer's folding table.  A new generation gets it (computed with
 * ICU), so that searchers need not open ICU's transliterator (~25 ms a
 * process); an existing one has it.  The writers' analyzers load it too.
 * Returns a malloc'd table (possibly "" for an index from before tables)
 * or NULL with *err. */
static char *fold_table(ws_store *st, const cjk_options *copts, size_t *len, char **err)
{
	char *table = NULL;
	*len = 0;
	if (!ws_store_fresh(st)) {
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

/* The glossary forms passages get terms for (formset.h), and each
 * shard's list of them (WS_META_FORMS), written with the shard's next
 * commit: a new generation lists every form; a shard that has passages
 * keeps only the forms its list had, which its older passages have terms
 * for (--rebuild lists the glossary's again).  A glossary that cannot be
 * read is reported and indexes no forms: searches then read the bigrams,
 * as they do for any form a shard does not list.  *wrote says whether a
 * shard's list changed.  NULL with *err only when out of memory or the
 * index cannot be read or written. */
static ws_formset *index_forms(ws_store *st, const cjk_options *copts, const char *dbdir, const ws_part *part,
                               bool *wrote, char **err)
{
	cjk_analyzer *a = cjk_analyzer_new(copts, err);
	ws_glossary *g = NULL;
	ws_formset *fs = NULL;
	char *gerr = NULL;
	if (!a)
		return NULL;
	/* an archive's part reads the archive's glossary.txt, as a search of
	 * the archive does, and its own, as a search of the part alone does */
	const char *dirs[2] = {dbdir, part ? part->archive : NULL};
	if (!ws_glossary_open(dirs, part ? 2 : 1, a, &g, &gerr)) {
		fprintf(stderr, PROG ": %s: glossary forms are not indexed in this run\n", gerr ? gerr : "out of memory");
		free(gerr);
	}
	if (!ws_formset_new(g, a, &fs)) {
		*err = strdup("out of memory");
		goto out;
	}
	for (unsigned k = 0; k < ws_store_nshards(st); k++) {
		xq_db *db = ws_store_shard(st, k);
		char *old = NULL, *list = NULL;
		if (!ws_store_fresh(st) && xq_db_get_metadata(db, WS_META_FORMS, &old, NULL) != XQ_OK) {
			*err = ws_strdupf("cannot read the index: %s", xq_last_error());
			break;
		}
		if (ws_store_fresh(st) || *old) {
			list = ws_formset_list(fs, ws_store_fresh(st) ? NULL : old);
			bool differs = list && (ws_store_fresh(st) || strcmp(list, old) != 0);
			if (!list)
				*err = strdup("out of memory");
			else if (differs && xq_db_set_metadata(db, WS_META_FORMS, list, strlen(list)) != XQ_OK)
				*err = ws_strdupf("cannot write to the index: %s", xq_last_error());
			*wrote = *wrote || differs;
		}
		free(old);
		free(list);
		if (*err)
			break;
	}
out:
	if (*err) {
		ws_formset_free(fs);
		fs = NULL;
	}
	ws_glossary_free(g);
	cjk_analyzer_free(a);
	return fs;
}

static bool record_is_under(const ws_record *rec, const ws_roots *walked)
{
	if (rec->r.root && ws_roots_has(walked, rec->r.root))
		return true;
	return ws_roots_covering(walked, rec->r.path) != NULL;
}

static bool protected_path(const protect_list *pl, const char *path)
{
	for (size_t i = 0; i < pl->n; i++)
		if (ws_path_under(path, pl->paths[i]))
			return true;
	return false;
}

/* Drop the records marked gone from their shards and commit, before
 * anything is added: a file moved to another shard is then never in
 * both.  Returns 0, or -1 with *err. */
static int drop_gone(run *r, ws_store *st, ws_records *recs, char **err)
{
	bool touched = false;
	for (size_t i = 0; i < recs->cap; i++) {
		ws_record *rec = &recs->slots[i];
		if (!rec->r.path || !rec->gone)
			continue;
		char fileid[WS_HASH_HEX_LEN + 1];
		ws_fileid(rec->r.path, fileid);
		unsigned k = ws_store_shard_of(st, fileid);
		if (ws_drop_file(ws_store_shard(st, k), fileid, true) != XQ_OK) {
			*err = ws_strdupf("%s: removing it failed: %s", rec->r.path, xq_last_error());
			return -1;
		}
		touched = true;
		r->c.removed++;
	}
	return touched ? ws_store_commit_batch(st, err) : 0;
}

void ws_run_print_summary(const run *r, double seconds)
{
	strbuf skip = STRBUF_INIT;
	for (size_t i = 0; i < WS_SKIP_EXTS && r->c.skip_ext[i].n; i++)
		strbuf_appendf(&skip, "%s%zu %s%s", skip.len ? ", " : " (", r->c.skip_ext[i].n,
		               *r->c.skip_ext[i].ext ? "." : "", *r->c.skip_ext[i].ext ? r->c.skip_ext[i].ext : "without extension");
	if (r->c.skip_other)
		strbuf_appendf(&skip, "%s%zu other", skip.len ? ", " : " (", r->c.skip_other);
	if (skip.len)
		strbuf_appendc(&skip, ')');
	/* characters replaced only when there are any */
	char rep[64] = "";
	if (r->c.replaced)
		snprintf(rep, sizeof rep, "%zu character%s replaced; ", r->c.replaced, r->c.replaced == 1 ? "" : "s");
	fprintf(stderr,
	        PROG ": %zu added, %zu changed, %zu removed, %zu unchanged, %zu skipped%s, %zu failed; "
	        "%s%zu passages, %.1f MB in %.2f s\n",
	        r->c.added, r->c.changed, r->c.removed, r->c.unchanged, r->c.skipped, strbuf_str(&skip), r->c.failed,
	        rep, r->c.passages, (double)r->c.bytes / 1e6, seconds);
	strbuf_free(&skip);
}

/* Add the roots and the file records of the index at dir to roots and
 * recs.  Returns 0, or 2 said on stderr. */
static int load_listing(const char *dir, ws_roots *roots, ws_records *recs)
{
	ws_layout l;
	char *why = NULL;
	ws_layout_result lr = ws_layout_read(dir, &l, &why);
	if (lr != WS_LAYOUT_OURS) {
		fprintf(stderr, PROG ": %s\n", lr == WS_LAYOUT_NONE ? "no index here yet" : why);
		if (lr == WS_LAYOUT_NONE)
			fprintf(stderr, PROG ": (index %s) build one with: " PROG " --db %s FOLDER\n", dir, dir);
		free(why);
		return 2;
	}
	xq_status xs = XQ_OK;
	for (unsigned k = 0; k < l.nshards && xs == XQ_OK; k++) {
		xq_db *db = NULL;
		xs = xq_db_open(l.shard[k], &db);
		if (xs == XQ_OK && k == 0)
			xs = ws_roots_load(db, roots);
		if (xs == XQ_OK)
			xs = ws_records_load(recs, db);
		xq_db_close(db);
	}
	ws_layout_free(&l);
	if (xs != XQ_OK) {
		fprintf(stderr, PROG ": cannot read the index %s: %s\n", dir, xq_last_error());
		return 2;
	}
	return 0;
}

/* --list: the remembered roots with their files and passages, read-only;
 * an archive's of all its parts. */
static int list_roots(const char *dir)
{
	ws_roots roots = {0};
	ws_records recs = {0};
	ws_shard_by by;
	char **parts;
	unsigned nparts;
	if (!ws_archive_parts(dir, &by, &parts, &nparts))
		return 2;
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < nparts; i++)
		rc = load_listing(parts[i], &roots, &recs);
	ws_layout_parts_free(parts, nparts);
	if (rc == 0 && !by)
		rc = load_listing(dir, &roots, &recs);
	if (rc != 0) {
		ws_roots_free(&roots);
		ws_records_free(&recs);
		return rc;
	}
	size_t other_files = 0, other_passages = 0;
	size_t *files = calloc(roots.n + 1, sizeof *files), *passages = calloc(roots.n + 1, sizeof *passages);
	for (size_t i = 0; files && passages && i < recs.cap; i++) {
		const ws_filerec *fr = &recs.slots[i].r;
		if (!fr->path)
			continue;
		size_t k = 0;
		while (k < roots.n && !(fr->root ? !strcmp(fr->root, roots.items[k]) : ws_path_under(fr->path, roots.items[k])))
			k++;
		if (k < roots.n) {
			files[k]++;
			passages[k] += fr->passages;
		} else {
			other_files++;
			other_passages += fr->passages;
		}
	}
	for (size_t k = 0; files && passages && k < roots.n; k++) {
		struct stat sb;
		printf("%s\t%zu files\t%zu passages%s\n", roots.items[k], files[k], passages[k],
		       stat(roots.items[k], &sb) == 0 ? "" : "\t(missing)");
	}
	if (other_files)
		printf("(under no remembered root)\t%zu files\t%zu passages\n", other_files, other_passages);
	free(files);
	free(passages);
	ws_roots_free(&roots);
	ws_records_free(&recs);
	return 0;
}

/* --forget PATH...: drop roots and their files from the live index. */
static int forget_roots(const options *opt, const char *dir, const cjk_options *copts)
{
	run rr = {.mu = PTHREAD_MUTEX_INITIALIZER, .opt = *opt}, *r = &rr;
	ws_store *st = NULL;
	char *err = NULL;
	ws_roots roots = {0};
	ws_records recs = {0};
	char **paths = calloc(r->opt.nforget, sizeof *paths);
	int rc = 2;
	if (!paths || ws_store_open(dir, WS_STORE_LIVE, copts, 0, &st, &err) != WS_STORE_OK)
		goto out;
	xq_status xs = ws_roots_load(ws_store_shard(st, 0), &roots);
	for (unsigned k = 0; xs == XQ_OK && k < ws_store_nshards(st); k++)
		xs = ws_records_load(&recs, ws_store_shard(st, k));
	if (xs != XQ_OK) {
		err = ws_strdupf("cannot read the index %s: %s", dir, xq_last_error());
		goto out;
	}
	for (size_t i = 0; i < r->opt.nforget; i++) {
		bool there;
		paths[i] = ws_canonical_path(r->opt.forget[i], &there);
		if (!paths[i] || !ws_roots_has(&roots, paths[i])) {
			strbuf sb = STRBUF_INIT;
			for (size_t k = 0; k < roots.n; k++)
				strbuf_appendf(&sb, "\n  %s", roots.items[k]);
			err = ws_strdupf("%s is not a root of the index; its roots are:%s", r->opt.forget[i],
			                 roots.n ? strbuf_str(&sb) : " (none)");
			strbuf_free(&sb);
			goto out;
		}
	}
	size_t *nfiles = calloc(r->opt.nforget, sizeof *nfiles);
	if (!nfiles) {
		err = strdup("out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->opt.nforget; i++)
		ws_roots_remove(&roots, paths[i]);
	for (size_t s = 0; s < recs.cap; s++) {
		ws_record *rec = &recs.slots[s];
		if (!rec->r.path)
			continue;
		for (size_t i = 0; i < r->opt.nforget && !rec->gone; i++) {
			bool of_root = rec->r.root ? strcmp(rec->r.root, paths[i]) == 0
			                           : ws_path_under(rec->r.path, paths[i]) && !ws_roots_covering(&roots, rec->r.path);
			if (of_root) {
				rec->gone = true;
				nfiles[i]++;
			}
		}
	}
	char *json = ws_roots_json(&roots);
	if (!json || drop_gone(r, st, &recs, &err) != 0 ||
	    ws_store_set_metadata(st, WS_META_ROOTS, json, strlen(json), &err) != 0 ||
	    ws_store_commit_batch(st, &err) != 0) {
		if (!err)
			err = strdup("out of memory");
		free(json);
		free(nfiles);
		goto out;
	}
	free(json);
	if (!r->opt.quiet)
		for (size_t i = 0; i < r->opt.nforget; i++)
			fprintf(stderr, PROG ": forgot %s: %zu file%s removed\n", paths[i], nfiles[i], nfiles[i] == 1 ? "" : "s");
	free(nfiles);
	rc = 0;
out:
	if (err)
		fprintf(stderr, PROG ": %s\n", err);
	free(err);
	for (size_t i = 0; paths && i < r->opt.nforget; i++)
		free(paths[i]);
	free(paths);
	ws_roots_free(&roots);
	ws_records_free(&recs);
	ws_store_close(st);
	return rc;
}

/* The roots this run walks, canonical: the PATHs given, plus (with none
 * given, for a resumed build, or for an upgrade) the index's own. */
static int run_roots(run *r, ws_store *st, const char *dir, char **argv, int npaths, ws_roots *walk, ws_roots *keep,
                     ws_roots *have, char **err)
{
	int rc = 0;
	bool fresh_rebuild = ws_store_fresh(st) && r->opt.rebuild;
	if (ws_store_fresh(st))
		rc = fresh_rebuild && npaths ? 0 : ws_roots_of_index(dir, have, err);
	else if (ws_roots_load(ws_store_shard(st, 0), have) != XQ_OK) {
		*err = ws_strdupf("cannot read the index %s: %s", dir, xq_last_error());
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < have->n; i++)
		if (!ws_roots_add(keep, have->items[i]))
			rc = -1;
	/* with PATHs, only they are walked, unless a build must finish */
	bool walk_all = npaths == 0 || ws_store_resumed(st) || (ws_store_fresh(st) && !r->opt.rebuild);
	for (size_t i = 0; rc == 0 && walk_all && i < have->n; i++)
		if (!ws_roots_add(walk, have->items[i]))
			rc = -1;
	for (int i = 0; rc == 0 && i < npaths; i++) {
		/* a PATH that does not exist is walked (and fails), but only
		 * one that does becomes a root */
		bool there;
		char *p = ws_canonical_path(argv[i], &there);
		if (!p || !ws_roots_add(walk, p) || (there && !ws_roots_add(keep, p)))
			rc = -1;
		free(p);
	}
	if (rc != 0 && !*err)
		*err = strdup("out of memory");
	if (rc == 0 && walk->n == 0) {
		*err = ws_strdupf("no PATH to index, and the index at %s remembers none: give the folders to index", dir);
		rc = -1;
	}
	return rc;
}

int ws_index_run(const options *opt, const char *dbdir, char **paths, int npaths, counts *out)
{
	run r = {.mu = PTHREAD_MUTEX_INITIALIZER, .opt = *opt};
	double t0 = now();
	int exit_code = 2;
	char *err = NULL, *warning = NULL;
	ws_store *st = NULL;
	ws_records recs = {0};
	ws_filelist files = {0};
	ws_roots walk = {0}, keep = {0}, remembered = {0};
	ws_job *jobs = NULL;
	shard_run shards[WS_LAYOUT_MAX_SHARDS] = {{0}};
	char *fold = NULL;
	ws_formset *forms = NULL;
	unsigned nshards = 0;
	bool committed_any = false, batch_ready = false, forms_written = false;
	bool *missing = NULL;
	ws_job *pending = NULL;
	unsigned *pending_shard = NULL;
	char *skip_dir = NULL;
	cjk_options copts;
	cjk_options_default(&copts);
	copts.fold_traditional = r.opt.fold_traditional;
	if (ws_slots_init(&r.slots, r.opt.jobs) != 0) {
		fprintf(stderr, PROG ": cannot set up the threads' slots\n");
		return 2;
	}

	ws_store_status ss =
		ws_store_open(dbdir, r.opt.rebuild ? WS_STORE_REBUILD : WS_STORE_UPDATE, &copts,
		              r.opt.part ? WS_PART_SHARDS : 0, &st, &err);
	if (ss != WS_STORE_OK)
		goto fatal;
	nshards = ws_store_nshards(st);
	/* Slots only where they limit something: with as many jobs as cores,
	 * or as threads, no more can work at once anyway, and a slot handed
	 * from thread to thread costs a wake-up each time (a tenth of a core
	 * on two cores, measured against no slots). */
	r.limit = r.opt.jobs < ws_jobs_default() && r.opt.jobs < 2 * nshards ? &r.slots : NULL;
	if (ws_store_upgraded_from(st) && !r.opt.quiet)
		fprintf(stderr, PROG ": %s holds an index of another format (schema %d, now %d): rebuilding it\n", dbdir,
		        ws_store_upgraded_from(st), WS_SCHEMA_VERSION);
	if (ws_store_resumed(st) && !r.opt.quiet)
		fprintf(stderr, PROG ": resuming the unfinished build of %s\n", dbdir);
	if (run_roots(&r, st, dbdir, paths, npaths, &walk, &keep, &remembered, &err) != 0)
		goto fatal;
	size_t fold_len;
	fold = fold_table(st, &copts, &fold_len, &err);
	if (!fold)
		goto fatal;
	if (fold_len) {
		copts.fold_table = fold;
		copts.fold_table_len = fold_len;
	}
	if (!(forms = index_forms(st, &copts, dbdir, r.opt.part, &forms_written, &err)))
		goto fatal;
	if (ws_store_fresh(st)) {
		/* a new generation holds its metadata from its first commit, so
		 * that a killed build can be resumed */
		char *json = ws_roots_json(&keep);
		bool ok = json && ws_store_set_metadata(st, WS_META_ROOTS, json, strlen(json), &err) == 0 &&
		          ws_store_commit_batch(st, &err) == 0;
		free(json);
		if (!ok)
			goto fatal;
	}
	for (unsigned k = 0; k < nshards; k++) {
		if (ws_records_load(&recs, ws_store_shard(st, k)) != XQ_OK) {
			err = ws_strdupf("cannot read the index: %s", xq_last_error());
			goto fatal;
		}
	}

	bool show = r.opt.progress == 1 || (r.opt.progress == -1 && !r.opt.quiet && isatty(STDERR_FILENO));
	r.progress = ws_progress_new(show);

	/* Walk.  A root that cannot be read is an error for that root only:
	 * its files stay in the index. */
	/* the walk sees canonical paths: so must the index folder it skips */
	bool index_there;
	skip_dir = ws_canonical_path(ws_store_dir(st), &index_there);
	ws_discover_opts dopts = {.skip_dir = skip_dir ? skip_dir : ws_store_dir(st), .verbose = r.opt.verbose,
	                          .report = ws_run_report,
	                          .ud = &r};
	missing = calloc(walk.n, sizeof *missing);
	if (!missing) {
		err = strdup("out of memory");
		goto fatal;
	}
	r.walking = true;
	for (size_t i = 0; i < walk.n; i++) {
		struct stat sb;
		if (ws_roots_has(&remembered, walk.items[i]) && stat(walk.items[i], &sb) != 0 && errno == ENOENT) {
			/* said below, once it is known what is left of it */
			missing[i] = true;
			ws_protect_add(&r.protect, walk.items[i]);
			continue;
		}
		ws_discover(walk.items[i], &dopts, &files);
	}
	r.walking = false;
	ws_filelist_sort_unique(&files);
	if (r.opt.part && ws_archive_keep_part(&files, r.opt.part) != 0) {
		err = strdup("out of memory");
		goto fatal;
	}

	/* Decide per file; unchanged ones (size and mtime) are not even read,
	 * and neither are types wensou does not read. */
	pending = calloc(files.n ? files.n : 1, sizeof *pending);
	pending_shard = calloc(files.n ? files.n : 1, sizeof *pending_shard);
	jobs = calloc(files.n ? files.n : 1, sizeof *jobs);
	ws_sidecars *sc = ws_sidecars_new(NULL, NULL);
	if (!pending || !pending_shard || !jobs || !sc) {
		ws_sidecars_free(sc);
		err = strdup("out of memory");
		goto fatal;
	}
	size_t njobs = 0, per_shard[WS_LAYOUT_MAX_SHARDS] = {0};
	uint64_t total_bytes = 0;
	for (size_t i = 0; i < files.n; i++) {
		ws_file *f = &files.items[i];
		int sniff;
		if (ws_format_from_path(f->path, &sniff) == WS_FORMAT_UNSUPPORTED) {
			/* not seen: what an older wensou indexed of it goes */
			ws_run_count_skip(&r, f->path);
			if (r.opt.verbose)
				ws_run_report(f->path, "skipped: not a format wensou reads", false, &r);
			continue;
		}
		ws_record *rec = ws_records_find(&recs, f->path);
		int64_t side = ws_sidecar_mtime(sc, f->path);
		if (rec) {
			rec->seen = true;
			if (rec->r.size == f->size && rec->r.mtime_ns == f->mtime_ns && rec->r.sidecar_mtime_ns == side &&
			    rec->r.root && strcmp(rec->r.root, f->root) == 0) {
				r.c.unchanged++;
				continue;
			}
		}
		ws_job *j = &pending[njobs];
		j->file = f;
		j->is_new = !rec;
		/* a changed sidecar changes the passages' metadata: no shortcut */
		j->old_hash = rec && rec->r.sidecar_mtime_ns == side ? rec->r.hash : NULL;
		char fileid[WS_HASH_HEX_LEN + 1];
		ws_fileid(f->path, fileid);
		pending_shard[njobs] = ws_store_shard_of(st, fileid);
		per_shard[pending_shard[njobs]]++;
		total_bytes += f->size;
		njobs++;
	}
	ws_sidecars_free(sc);

	/* Files gone from the walked roots, and files moved here from
	 * anywhere else, leave the index first. */
	for (size_t i = 0; i < recs.cap; i++) {
		ws_record *rec = &recs.slots[i];
		if (!rec->r.path || rec->seen || !record_is_under(rec, &walk) || protected_path(&r.protect, rec->r.path))
			continue;
		rec->gone = true;
		if (r.opt.verbose)
			ws_run_report(rec->r.path, "removed (no longer there)", false, &r);
	}
	ws_moves_mark(&recs, pending, njobs, r.opt.verbose ? ws_run_report : NULL, &r);
	if (drop_gone(&r, st, &recs, &err) != 0)
		goto fatal;
	committed_any = r.c.removed > 0;

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
	pending = NULL;
	pending_shard = NULL;

	/* The batch is per shard: each holds its uncommitted changes in
	 * memory, about 25 times the text. */
	uint64_t batch_bytes = BATCH_BYTES;
	const char *batch_env = getenv("WENSOU_INDEX_BATCH_MB");
	if (batch_env && atof(batch_env) > 0)
		batch_bytes = (uint64_t)(atof(batch_env) * (1 << 20));
	ws_progress_start(r.progress, njobs, total_bytes);
	pthread_t threads[WS_LAYOUT_MAX_SHARDS];
	bool started[WS_LAYOUT_MAX_SHARDS] = {false};
	unsigned writers = 0;
	for (unsigned k = 0; k < nshards; k++)
		writers += shards[k].njobs > 0;
	if (ws_batch_init(&r.batch, st, writers) != 0) {
		err = strdup("cannot set up the writers' batches");
		goto fatal;
	}
	batch_ready = true;
	for (unsigned k = 0; k < nshards; k++) {
		shard_run *sr = &shards[k];
		sr->r = &r;
		sr->st = st;
		sr->k = k;
		sr->copts = &copts;
		sr->forms = forms;
		sr->batch_bytes = batch_bytes;
		if (!sr->njobs)
			continue;
		if (pthread_create(&threads[k], NULL, ws_shard_main, sr) != 0) {
			sr->err = strdup("cannot start a writer thread");
			pthread_mutex_lock(&r.mu);
			r.abort = true;
			pthread_mutex_unlock(&r.mu);
			/* nobody waits for the writers that do not start */
			for (unsigned j = k; j < nshards; j++)
				if (shards[j].njobs)
					ws_batch_leave(&r.batch, false, NULL);
			break;
		}
		started[k] = true;
	}
	for (unsigned k = 0; k < nshards; k++)
		if (started[k])
			pthread_join(threads[k], NULL);
	/* the shard that failed says why; the others only stopped */
	for (unsigned k = 0; k < nshards; k++) {
		if (shards[k].err && !shards[k].stopped) {
			err = shards[k].err;
			shards[k].err = NULL;
			committed_any = true;
			goto fatal;
		}
	}
	if (r.abort) {
		err = strdup("a shard writer stopped");
		goto fatal;
	}

	/* A root gone entirely (an unmounted disk, a folder moved away) is
	 * said once: its files stay until they are found elsewhere (moved)
	 * or it is forgotten, and a gone root with nothing left on record is
	 * forgotten. */
	for (size_t i = 0; i < walk.n; i++) {
		if (!missing[i])
			continue;
		ws_roots one = {.items = &walk.items[i], .n = 1, .cap = 1};
		size_t left = 0;
		for (size_t s = 0; s < recs.cap; s++)
			left += recs.slots[s].r.path && !recs.slots[s].gone && record_is_under(&recs.slots[s], &one);
		if (left) {
			r.c.failed++;
			fprintf(stderr, PROG ": %s: root no longer exists: its %zu files stay in the index "
			        "(" PROG " --forget %s drops them)\n", walk.items[i], left, walk.items[i]);
		} else if (ws_roots_remove(&keep, walk.items[i]) && !r.opt.quiet) {
			fprintf(stderr, PROG ": %s: root no longer exists, and nothing of it is left: forgotten\n",
			        walk.items[i]);
		}
	}
	/* The roots are in every shard, so that one damaged shard does not
	 * lose them (an index from before has them in shard 0 alone, and
	 * gets them in the others now). */
	char *json = ws_roots_json(&keep);
	bool roots_same = json && !ws_store_fresh(st);
	for (unsigned k = 0; roots_same && k < ws_store_nshards(st); k++) {
		char *old_json = NULL;
		if (xq_db_get_metadata(ws_store_shard(st, k), WS_META_ROOTS, &old_json, NULL) != XQ_OK)
			err = ws_strdupf("cannot read the index: %s", xq_last_error());
		roots_same = old_json && strcmp(json, old_json) == 0;
		free(old_json);
	}
	if (!json || err || (!roots_same && ws_store_set_metadata(st, WS_META_ROOTS, json, strlen(json), &err) != 0)) {
		free(json);
		if (!err)
			err = strdup("out of memory");
		goto fatal;
	}
	free(json);
	/* nothing to add, change or remove, and the same roots and forms:
	 * the index is left as it is */
	bool changed = njobs || r.c.removed || forms_written || !roots_same;
	if (ws_store_commit(st, r.opt.jobs, changed, &err, &warning) != 0) {
		committed_any = true;
		goto fatal;
	}
	/* after the commit: what the run wrote is in, whatever the compaction does */
	uint64_t before = 0, after = 0;
	char *compact_warning = NULL;
	/* An index that held nothing, grown by this update, is some 1.6
	 * times the size of a first build of the same files: it is compacted
	 * as that build would have been, and left as written if that fails. */
	bool compact_new = !r.opt.compact && ws_store_was_empty(st) && r.c.added;
	int compacted = r.opt.compact || compact_new
	                ? ws_store_compact(st, r.opt.jobs, &before, &after, &err, &compact_warning) : 0;
	if (compacted != 0 && compact_new) {
		ws_progress_clear(r.progress);
		fprintf(stderr, PROG ": warning: not compacted: %s\n", err ? err : "out of memory");
		free(err);
		err = NULL;
		compacted = 0;
		before = 0;
	}
	ws_progress_finish(r.progress);
	if (warning)
		fprintf(stderr, PROG ": warning: %s\n", warning);
	if (compact_warning)
		fprintf(stderr, PROG ": warning: %s\n", compact_warning);
	free(compact_warning);
	/* a watcher's runs that found nothing to do say nothing */
	bool idle = !r.c.added && !r.c.changed && !r.c.removed && !r.c.failed;
	if (r.opt.part && !r.opt.quiet && !idle)
		fprintf(stderr, PROG ": %s: %zu added, %zu changed, %zu removed, %zu failed; %zu passages\n",
		        r.opt.part->name, r.c.added, r.c.changed, r.c.removed, r.c.failed, r.c.passages);
	else if (!r.opt.part && !r.opt.quiet && !(r.opt.watch && idle))
		ws_run_print_summary(&r, now() - t0);
	exit_code = r.c.failed ? 1 : 0;
	if (compacted != 0) {
		fprintf(stderr, PROG ": %s%s%s (what the run indexed is committed)\n", r.opt.part ? r.opt.part->name : "",
		        r.opt.part ? ": " : "", err ? err : "out of memory");
		exit_code = 2;
	} else if (before && !r.opt.quiet) {
		fprintf(stderr, PROG ": %s%scompacted: %.1f MB -> %.1f MB\n", r.opt.part ? r.opt.part->name : "",
		        r.opt.part ? ": " : "", (double)before / 1e6, (double)after / 1e6);
	}
	goto out;

fatal:
	ws_progress_clear(r.progress);
	fprintf(stderr, PROG ": %s%s%s\n", r.opt.part ? r.opt.part->name : "", r.opt.part ? ": " : "",
	        err ? err : "out of memory");
	if (st && ws_store_building(st))
		fprintf(stderr, PROG ": stopped: the index searched is as it was; the next run resumes this build\n");
	else if (st && committed_any)
		fprintf(stderr, PROG ": stopped: the index keeps what this run had committed, whole files only "
		        "(%zu removed; added and changed files up to the last batch); the next run does the rest\n",
		        r.c.removed);
	else if (st)
		fprintf(stderr, PROG ": stopped: the index is as it was\n");
	exit_code = 2;
out:
	if (out)
		*out = r.c;
	for (unsigned k = 0; k < WS_LAYOUT_MAX_SHARDS; k++)
		free(shards[k].err);
	ws_progress_free(r.progress);
	free(jobs);
	free(pending);
	free(pending_shard);
	free(skip_dir);
	free(missing);
	ws_roots_free(&walk);
	ws_roots_free(&keep);
	ws_roots_free(&remembered);
	for (size_t i = 0; i < r.protect.n; i++)
		free(r.protect.paths[i]);
	free(r.protect.paths);
	ws_filelist_free(&files);
	ws_records_free(&recs);
	ws_store_close(st);
	ws_formset_free(forms);
	free(fold);
	free(err);
	free(warning);
	ws_slots_destroy(&r.slots);
	if (batch_ready)
		ws_batch_destroy(&r.batch);
	pthread_mutex_destroy(&r.mu);
	return exit_code;
}

static int check_one(const options *opt, const char *dir, const cjk_options *copts)
{
	(void)copts;
	return ws_check_index(dir, opt->quiet);
}

/* --check or --forget of the index at dir, or of each part of the
 * archive there: the worst status.  A root to forget must be a root of
 * some part; a part without it is left as it is. */
static int per_part(const options *opt, const char *dir, const cjk_options *copts,
                    int (*one)(const options *, const char *, const cjk_options *))
{
	ws_shard_by by;
	char **parts;
	unsigned nparts;
	if (!ws_archive_parts(dir, &by, &parts, &nparts))
		return 2;
	if (!by)
		return one(opt, dir, copts);
	int worst = 0;
	options popt = *opt;
	char **forget = calloc(opt->nforget + 1, sizeof *forget);
	bool *found = calloc(opt->nforget + 1, sizeof *found);
	for (unsigned i = 0; forget && found && i < nparts; i++) {
		popt.nforget = 0;
		if (opt->nforget) {
			ws_roots mine = {0};
			char *err = NULL;
			if (ws_roots_of_index(parts[i], &mine, &err) != 0) {
				fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
				free(err);
				worst = 2;
				continue;
			}
			for (size_t k = 0; k < opt->nforget; k++) {
				bool there;
				char *p = ws_canonical_path(opt->forget[k], &there);
				if (p && ws_roots_has(&mine, p)) {
					forget[popt.nforget++] = opt->forget[k];
					found[k] = true;
				}
				free(p);
			}
			ws_roots_free(&mine);
			popt.forget = forget;
			if (!popt.nforget)
				continue;
		}
		int rc = one(&popt, parts[i], copts);
		worst = rc > worst ? rc : worst;
	}
	for (size_t k = 0; found && k < opt->nforget; k++)
		if (!found[k]) {
			fprintf(stderr, PROG ": %s is a root of no part of the archive %s\n", opt->forget[k], dir);
			worst = 2;
		}
	if (!forget || !found) {
		fprintf(stderr, PROG ": out of memory\n");
		worst = 2;
	}
	free(forget);
	free(found);
	ws_layout_parts_free(parts, nparts);
	return worst;
}

/* One run of what --db names: an index, or an archive's parts. */
static int index_run(const options *opt, const char *dbdir, char **paths, int npaths)
{
	ws_shard_by by;
	char *why = NULL;
	if (ws_layout_shard_by_read(dbdir, &by, &why) != 0) {
		fprintf(stderr, PROG ": %s\n", why ? why : "out of memory");
		free(why);
		return 2;
	}
	if (by || opt->shard_by)
		return ws_archive_run(opt, dbdir, by, paths, npaths);
	return ws_index_run(opt, dbdir, paths, npaths, NULL);
}

/* Xapian ended the run from inside a call (xq_set_fatal_handler; a write
 * error inside a commit).  The shards are as a kill leaves them, each at
 * its last commit, which the next run takes up as after a failed commit.
 * Straight to the descriptor: another thread may hold stderr's lock. */
static void xapian_fatal(const char *msg)
{
	dprintf(STDERR_FILENO, "%s" PROG ": %s\n" PROG ": stopped: the index holds whole files only, as of the last "
	        "commit; the next run does the rest\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", msg);
	_exit(2);
}

/* What --help, --list or --check wrote is lost if stdout cannot take it:
 * that is exit 2, not 0. */
static int finish(int rc)
{
	return ws_stdout_flushed(PROG) || rc == 2 ? rc : 2;
}

int main(int argc, char **argv)
{
	options opt;
	int rc = ws_index_parse_options(argc, argv, &opt);
	if (rc >= 0)
		return finish(rc);
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (ulimit -f) is a write error to report, not a
	 * signal that kills the run mid-commit */
	signal(SIGXFSZ, SIG_IGN);
	xq_set_fatal_handler(xapian_fatal);
	char *err = NULL;
	char *dbdir = ws_db_path_resolve(opt.db, &err);
	if (!dbdir) {
		fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
		free(err);
		return 2;
	}
	cjk_options copts;
	cjk_options_default(&copts);
	copts.fold_traditional = opt.fold_traditional;
	if (opt.list)
		rc = list_roots(dbdir);
	else if (opt.check)
		rc = per_part(&opt, dbdir, &copts, check_one);
	else if (opt.forget)
		rc = per_part(&opt, dbdir, &copts, forget_roots);
	else if (opt.watch)
		rc = ws_watch(&opt, dbdir, argv + optind, argc - optind, index_run);
	else
		rc = index_run(&opt, dbdir, argv + optind, argc - optind);
	free(dbdir);
	return finish(rc);
}
