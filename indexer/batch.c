/* batch.c - the run's batches across shards (batch.h). */
#include "batch.h"

int ws_batch_init(ws_batch *b, ws_store *st, unsigned writers)
{
	*b = (ws_batch){.st = st, .writers = writers};
	if (pthread_mutex_init(&b->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&b->cv, NULL) != 0) {
		pthread_mutex_destroy(&b->mu);
		return -1;
	}
	return 0;
}

void ws_batch_destroy(ws_batch *b)
{
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

/* With b->mu held and every writer at a boundary: commit and wake them. */
static ws_batch_result commit_locked(ws_batch *b, char **err)
{
	int rc = ws_store_commit_batch(b->st, err);
	b->wanted = false;
	b->waiting = 0;
	b->round++;
	if (rc != 0)
		b->stopped = true;
	pthread_cond_broadcast(&b->cv);
	return rc == 0 ? WS_BATCH_COMMITTED : WS_BATCH_FAILED;
}

ws_batch_result ws_batch_boundary(ws_batch *b, bool full, ws_slots *limit, char **err)
{
	pthread_mutex_lock(&b->mu);
	if (full)
		b->wanted = true;
	ws_batch_result res = WS_BATCH_GO_ON;
	if (b->stopped) {
		res = WS_BATCH_STOPPED;
	} else if (b->wanted && ++b->waiting == b->writers) {
		res = commit_locked(b, err);
	} else if (b->wanted) {
		unsigned long round = b->round;
		/* no slot held while waiting (slots.h) */
		ws_slots_give(limit);
		while (b->round == round && !b->stopped)
			pthread_cond_wait(&b->cv, &b->mu);
		res = b->round != round ? WS_BATCH_COMMITTED : WS_BATCH_STOPPED;
		pthread_mutex_unlock(&b->mu);
		ws_slots_take(limit);
		return res;
	}
	pthread_mutex_unlock(&b->mu);
	return res;
}

ws_batch_result ws_batch_leave(ws_batch *b, bool ok, char **err)
{
	pthread_mutex_lock(&b->mu);
	ws_batch_result res = WS_BATCH_GO_ON;
	b->writers--;
	if (!ok) {
		/* what the shards hold now may be half a file: never commit it */
		b->stopped = true;
		pthread_cond_broadcast(&b->cv);
	} else if (!b->stopped && b->wanted && b->writers && b->waiting == b->writers) {
		res = commit_locked(b, err);
		if (res == WS_BATCH_COMMITTED)
			res = WS_BATCH_GO_ON;
	}
	pthread_mutex_unlock(&b->mu);
	return res;
}
