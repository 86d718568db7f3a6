/*
 * writer.c - the shard writers of a run.  Each writes its files' passages
 * and records and commits at file boundaries once a batch is full, so a
 * commit never holds half a file: a search sees a file as it was or as it
 * is now, and a killed run loses at most the batch since the last commit.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "extract.h"
#include "filerec.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"

#define PROG "wensou-index"

void ws_protect_add(protect_list *pl, const char *path)
{
	char **p = ws_array_grow(pl->paths, pl->n, &pl->cap, sizeof *p, 16);
	if (!p)
		return;
	pl->paths = p;
	char *copy = strdup(path);
	if (copy)
		pl->paths[pl->n++] = copy;
}

void ws_run_report(const char *path, const char *msg, bool error, void *ud)
{
	run *r = ud;
	pthread_mutex_lock(&r->mu);
	bool said = r->walking && r->opt.part; /* the archive's walk said it */
	if (error && r->walking) {
		ws_protect_add(&r->protect, path);
		r->c.failed += !said;
	}
	if (!said && (!r->opt.quiet || error)) {
		/* a file's name may hold a newline or a terminal's escape
		 * sequence: shown made safe, as the searcher shows it */
		char *shown = ws_sanitize(path, strlen(path));
		ws_progress_clear(r->progress);
		fprintf(stderr, PROG ": %s: %s\n", shown ? shown : path, msg);
		free(shown);
	}
	pthread_mutex_unlock(&r->mu);
}

void ws_run_count_skip(run *r, const char *path)
{
	const char *ext = ws_path_extension(path);
	char low[16];
	size_t n = strlen(ext);
	r->c.skipped++;
	if (n >= sizeof low) {
		r->c.skip_other++;
		return;
	}
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(ext[i] >= 'A' && ext[i] <= 'Z' ? ext[i] - 'A' + 'a' : ext[i]);
	for (size_t i = 0; i < WS_SKIP_EXTS; i++) {
		if (r->c.skip_ext[i].n && strcmp(r->c.skip_ext[i].ext, low) == 0) {
			r->c.skip_ext[i].n++;
			return;
		}
		if (!r->c.skip_ext[i].n) {
			memcpy(r->c.skip_ext[i].ext, low, n + 1);
			r->c.skip_ext[i].n = 1;
			return;
		}
	}
	r->c.skip_other++;
}

/* Delete what the index has of fileid in db: its passages and, with
 * record, its record.  Returns the status. */
xq_status ws_drop_file(xq_db *db, const char *fileid, bool record)
{
	char term[WS_TERM_FILE_SIZE], key[WS_META_FILE_KEY_SIZE];
	size_t tl = ws_term_file(fileid, term);
	ws_meta_file_key(fileid, key);
	xq_status xs = xq_db_delete_documents(db, term, tl);
	if (xs == XQ_OK && record)
		xs = xq_db_set_metadata(db, key, "", 0); /* empty: the key goes */
	return xs;
}

/* Counts, messages and the file record for a job whose pieces are all
 * written.  Returns 0, or -1 on a database error (fatal, *err set). */
static int finish_job(run *r, xq_db *db, ws_job *j, char **err)
{
	counts c = {0};
	ws_prepared *pr = &j->pr;
	const char *path = j->file->path;
	char key[WS_META_FILE_KEY_SIZE];
	ws_meta_file_key(pr->fileid, key);
	xq_status xs = XQ_OK;
	bool skipped = false;

	switch (pr->result) {
	case WS_PREP_UNSUPPORTED:
	case WS_PREP_EMPTY:
		skipped = true;
		if (pr->result == WS_PREP_EMPTY || r->opt.verbose)
			ws_run_report(path, pr->message, false, r);
		/* a file that became empty or unreadable as text no longer
		 * has passages */
		if (!j->is_new)
			xs = ws_drop_file(db, pr->fileid, true);
		break;
	case WS_PREP_FAILED:
		c.failed++;
		ws_run_report(path, pr->message ? pr->message : "out of memory", true, r);
		/* a file that could not be read keeps its entries (a passing
		 * trouble); one whose content is now broken does not */
		if (pr->drop_old && !j->is_new)
			xs = ws_drop_file(db, pr->fileid, true);
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
		c.replaced += pr->replaced;
		/* --verbose names the encoding of every file; a file with
		 * characters replaced is said without it too (the summary only
		 * counts them) */
		if (r->opt.verbose || pr->replaced) {
			char msg[256], rep[96] = "";
			if (pr->replaced)
				snprintf(rep, sizeof rep, "; %zu character%s could not be decoded (read as U+FFFD)",
				         pr->replaced, pr->replaced == 1 ? "" : "s");
			/* HTML, DOCX and PDF read their own encodings: none to name */
			char enc[96] = "";
			if (*pr->encoding)
				snprintf(enc, sizeof enc, ", %s (%s)", pr->encoding, pr->encoding_how ? pr->encoding_how : "");
			snprintf(msg, sizeof msg, "%s, %zu passages%s%s", j->is_new ? "added" : "changed", pr->npassages, enc,
			         rep);
			ws_run_report(path, msg, false, r);
		}
		break;
	}
	if (xs != XQ_OK) {
		*err = ws_strdupf("%s: writing failed: %s", path, xq_last_error());
		return -1;
	}
	pthread_mutex_lock(&r->mu);
	if (skipped)
		ws_run_count_skip(r, path);
	r->c.added += c.added;
	r->c.changed += c.changed;
	r->c.unchanged += c.unchanged;
	r->c.failed += c.failed;
	r->c.passages += c.passages;
	r->c.replaced += c.replaced;
	r->c.bytes += pr->bytes;
	r->jobs_done++;
	ws_progress_update(r->progress, r->jobs_done, r->c.bytes, path);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/* Write one piece: a job's first piece replaces what the index had of the
 * file.  Returns 0, or -1 on a database error (fatal, *err set). */
static int write_piece(xq_db *db, ws_piece *pc, char **err)
{
	ws_job *j = pc->job;
	xq_status xs = XQ_OK;
	if (pc->failed) {
		*err = ws_strdupf("%s: %s", j->file->path, j->pr.message ? j->pr.message : "out of memory");
		return -1;
	}
	if (pc->first && j->pr.result == WS_PREP_INDEX && !j->is_new)
		xs = ws_drop_file(db, j->pr.fileid, false);
	for (size_t i = 0; i < pc->ndocs; i++) {
		if (xs == XQ_OK)
			xs = xq_db_add_document(db, pc->docs[i], NULL);
		xq_doc_free(pc->docs[i]);
	}
	pc->ndocs = 0;
	if (xs != XQ_OK) {
		*err = ws_strdupf("%s: writing failed: %s", j->file->path, xq_last_error());
		return -1;
	}
	return 0;
}

void *ws_shard_main(void *arg)
{
	shard_run *sr = arg;
	run *r = sr->r;
	xq_db *db = ws_store_shard(sr->st, sr->k);
	ws_preparer *preparer = ws_preparer_new(sr->copts, sr->forms, ws_run_report, r, &sr->err);
	ws_pipeline *pl = preparer ? ws_pipeline_start(preparer, sr->jobs, sr->njobs, r->limit, &sr->err) : NULL;
	uint64_t since_commit = 0;
	bool building = ws_store_building(sr->st);
	ws_piece *pc;
	while (pl && (pc = ws_pipeline_next(pl))) {
		/* a slot while writing, none while waiting for the preparer */
		ws_slots_take(r->limit);
		ws_job *j = pc->job;
		int rc = write_piece(db, pc, &sr->err);
		since_commit += pc->text_bytes;
		bool last = pc->last;
		ws_pipeline_done(pl, pc);
		if (rc == 0 && last) {
			rc = finish_job(r, db, j, &sr->err);
			ws_prepared_free(&j->pr);
		}
		/* Commit at file boundaries only, so that a file's passages and
		 * its record always go in one commit, and in the live generation
		 * with every shard at one, so that a search sees a batch whole
		 * or not at all. */
		bool stop = false;
		if (rc == 0 && last && building) {
			/* nobody searches a generation being built: no meeting */
			if (since_commit >= sr->batch_bytes) {
				rc = ws_store_commit_shard(sr->st, sr->k, &sr->err);
				since_commit = 0;
			}
		} else if (rc == 0 && last) {
			switch (ws_batch_boundary(&r->batch, since_commit >= sr->batch_bytes, r->limit, &sr->err)) {
			case WS_BATCH_COMMITTED: since_commit = 0; break;
			case WS_BATCH_GO_ON: break;
			case WS_BATCH_FAILED: rc = -1; break;
			case WS_BATCH_STOPPED: stop = true; break;
			}
		}
		ws_slots_give(r->limit);
		pthread_mutex_lock(&r->mu);
		if (rc != 0)
			r->abort = true;
		stop = stop || r->abort;
		pthread_mutex_unlock(&r->mu);
		if (stop) {
			sr->stopped = rc == 0;
			break;
		}
	}
	/* Before the pipeline is stopped (its preparer may be in the middle
	 * of a long file): writers waiting for this one go on at once. */
	bool done = pl && !sr->err && !sr->stopped;
	char *err = NULL;
	if (ws_batch_leave(&r->batch, done, &err) == WS_BATCH_FAILED) {
		sr->err = err;
		pthread_mutex_lock(&r->mu);
		r->abort = true;
		pthread_mutex_unlock(&r->mu);
	}
	ws_pipeline_free(pl);
	ws_preparer_free(preparer);
	return NULL;
}
