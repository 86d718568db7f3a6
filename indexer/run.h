/*
 * run.h - the state of one indexing run that its parts share: options,
 * counts, the problems met, and the shard writers.
 */
#ifndef WENSOU_RUN_H
#define WENSOU_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "cjk.h"
#include "formset.h"
#include "layout.h"
#include "pipeline.h"
#include "progress.h"
#include "slots.h"
#include "store.h"

/* The part of an archive a run indexes (layout.h): it leaves out the
 * files of other parts, as if they were not there.  What its walk meets
 * was said and counted by the archive's own walk (archive.h): the part's
 * run protects it, but neither says nor counts it again. */
typedef struct ws_part {
	ws_shard_by by;
	const char *name;    /* the part's folder name */
	const char *archive; /* the archive's folder */
} ws_part;

typedef struct options {
	const char *db;
	ws_shard_by shard_by; /* --shard-by (WS_SHARD_BY_NONE: not given) */
	const ws_part *part;  /* set by the archive's run only */
	bool rebuild, compact, quiet, verbose, list, check, watch;
	int progress; /* -1 auto, 0 never, 1 always */
	unsigned jobs; /* threads that may work at once (--jobs; slots.h) */
	bool fold_traditional;
	char **forget;
	size_t nforget;
} options;

#define WS_SKIP_EXTS 12

typedef struct counts {
	size_t added, changed, removed, unchanged, skipped, failed, passages;
	size_t replaced; /* characters that could not be decoded, in the files indexed */
	uint64_t bytes;
	/* skipped files by extension ("" for none); the rest in skip_other */
	struct { char ext[16]; size_t n; } skip_ext[WS_SKIP_EXTS];
	size_t skip_other;
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
	ws_slots slots;      /* --jobs: the preparers and writers share them */
	ws_slots *limit;     /* &slots, or NULL where --jobs limits nothing */
	ws_batch batch;      /* the shard writers commit their batches together */
} run;

/* One line about path on stderr (errors always, notices unless --quiet),
 * without breaking the progress bar.  An error met while walking also
 * protects path and counts as failed. */
void ws_run_report(const char *path, const char *msg, bool error, void *ud);

/* Keep index entries under path: something there could not be read. */
void ws_protect_add(protect_list *pl, const char *path);

/* Count a skipped file under its extension (the caller holds r->mu or is
 * the only thread). */
void ws_run_count_skip(run *r, const char *path);

/* One shard's writer: prepares its files on a worker of its own and
 * writes them, committing in batches at file boundaries, every shard's
 * at once (batch.h). */
typedef struct shard_run {
	run *r;
	ws_store *st;
	unsigned k;
	ws_job *jobs;
	size_t njobs;
	const cjk_options *copts;
	const ws_formset *forms; /* the glossary forms passages get terms for */
	uint64_t batch_bytes;
	char *err;           /* set when the shard failed (fatal) */
	bool stopped;        /* it stopped because another shard failed */
} shard_run;

void *ws_shard_main(void *arg);

/* One indexing run of the index at dbdir over paths[0..npaths) (none:
 * the remembered roots); with out, its counts are left there.  Returns
 * the exit status. */
int ws_index_run(const options *opt, const char *dbdir, char **paths, int npaths, counts *out);

/* The closing line of a run, with its counts. */
void ws_run_print_summary(const run *r, double seconds);

/* Delete what the index has of fileid in db: its passages and, with
 * record, its record (uncommitted).  Returns the status. */
xq_status ws_drop_file(xq_db *db, const char *fileid, bool record);

#endif
