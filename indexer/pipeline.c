#include "pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ws_pipeline {
	ws_preparer *preparer;
	ws_job *jobs;
	size_t njobs;
	ws_slots *slots;
	ws_piece ring[WS_PIPELINE_PIECES];
	size_t head, count;  /* the oldest piece, and how many wait */
	bool finished;       /* the worker has handed out every job */
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

/* Wait for a free slot; NULL if told to stop. */
static ws_piece *slot(ws_pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && pl->count == WS_PIPELINE_PIECES)
		pthread_cond_wait(&pl->cv, &pl->mu);
	ws_piece *pc = pl->stop ? NULL : &pl->ring[(pl->head + pl->count) % WS_PIPELINE_PIECES];
	pthread_mutex_unlock(&pl->mu);
	return pc;
}

/* Take a work slot (slots.h), unless told to stop meanwhile: a run that
 * is being stopped does not prepare one more file once a slot is free. */
static bool take_slot(ws_pipeline *pl)
{
	ws_slots_take(pl->slots);
	pthread_mutex_lock(&pl->mu);
	bool stop = pl->stop;
	pthread_mutex_unlock(&pl->mu);
	if (stop)
		ws_slots_give(pl->slots);
	return !stop;
}

static void publish(ws_pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->count++;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

static void *worker(void *arg)
{
	ws_pipeline *pl = arg;
	for (size_t i = 0; i < pl->njobs; i++) {
		ws_job *j = &pl->jobs[i];
		ws_piece *pc = slot(pl);
		if (!pc)
			break;
		if (!take_slot(pl))
			break;
		ws_prepare_file(pl->preparer, j->file, j->old_hash, &j->pr);
		ws_slots_give(pl->slots);
		bool first = true, last = false;
		while (!last) {
			if (!pc && !(pc = slot(pl)))
				goto out;
			memset(pc, 0, sizeof *pc);
			pc->job = j;
			pc->first = first;
			if (j->pr.result == WS_PREP_INDEX) {
				if (!take_slot(pl))
					goto out;
				int n = ws_prepare_docs(pl->preparer, &j->pr, pc->docs, WS_PIECE_DOCS, &pc->text_bytes);
				ws_slots_give(pl->slots);
				if (n < 0)
					pc->failed = true;
				else
					pc->ndocs = (size_t)n;
				last = n < WS_PIECE_DOCS;
			} else {
				last = true;
			}
			pc->last = last;
			first = false;
			publish(pl);
			pc = NULL;
		}
	}
out:
	pthread_mutex_lock(&pl->mu);
	pl->finished = true;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

ws_pipeline *ws_pipeline_start(ws_preparer *p, ws_job *jobs, size_t n, ws_slots *slots, char **err)
{
	ws_pipeline *pl = calloc(1, sizeof *pl);
	if (!pl) {
		*err = strdup("out of memory");
		return NULL;
	}
	pl->preparer = p;
	pl->jobs = jobs;
	pl->njobs = n;
	pl->slots = slots;
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	if (pthread_create(&pl->thread, NULL, worker, pl) != 0) {
		pthread_mutex_destroy(&pl->mu);
		pthread_cond_destroy(&pl->cv);
		free(pl);
		*err = strdup("cannot start the worker thread");
		return NULL;
	}
	return pl;
}

ws_piece *ws_pipeline_next(ws_pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	while (pl->count == 0 && !pl->finished)
		pthread_cond_wait(&pl->cv, &pl->mu);
	ws_piece *pc = pl->count ? &pl->ring[pl->head] : NULL;
	pthread_mutex_unlock(&pl->mu);
	return pc;
}

void ws_pipeline_done(ws_pipeline *pl, ws_piece *pc)
{
	(void)pc;
	pthread_mutex_lock(&pl->mu);
	pl->head = (pl->head + 1) % WS_PIPELINE_PIECES;
	pl->count--;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

void ws_pipeline_free(ws_pipeline *pl)
{
	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->stop = true;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	pthread_join(pl->thread, NULL);
	/* pieces nobody took, and jobs left half done */
	for (size_t k = 0; k < pl->count; k++) {
		ws_piece *pc = &pl->ring[(pl->head + k) % WS_PIPELINE_PIECES];
		for (size_t d = 0; d < pc->ndocs; d++)
			xq_doc_free(pc->docs[d]);
	}
	for (size_t i = 0; i < pl->njobs; i++)
		ws_prepared_free(&pl->jobs[i].pr);
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->cv);
	free(pl);
}
