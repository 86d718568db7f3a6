/*
 * batch.h - the run's batches across shards.  Each shard has a writer
 * thread of its own, and a searcher must see a batch in every shard or
 * in none (store.h, ws_store_commit_batch), so a batch is committed with
 * every writer at a file boundary at once: the writer whose batch is
 * full asks for a commit and waits; each other one waits at its next
 * file boundary; the last to arrive (or to finish its files) commits
 * every shard, and all go on.  The wait is the rest of one file per
 * writer, while their preparers keep working ahead.
 */
#ifndef WENSOU_BATCH_H
#define WENSOU_BATCH_H

#include <pthread.h>
#include <stdbool.h>

#include "slots.h"
#include "store.h"

typedef struct ws_batch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ws_store *st;
	unsigned writers;      /* writers still writing */
	unsigned waiting;      /* of them, those at a file boundary waiting */
	bool wanted;           /* a writer's batch is full */
	bool stopped;          /* a writer failed: nothing more is committed */
	unsigned long round;   /* batches committed */
} ws_batch;

typedef enum ws_batch_result {
	WS_BATCH_GO_ON = 0,     /* no commit: go on with the batch */
	WS_BATCH_COMMITTED = 1, /* every shard committed: a new batch starts */
	WS_BATCH_FAILED = -1,   /* this writer's commit failed (*err set) */
	WS_BATCH_STOPPED = -2,  /* another writer failed */
} ws_batch_result;

/* For writers threads writing into st's shards.  Returns 0, or -1 when
 * the mutex or condition cannot be made. */
int ws_batch_init(ws_batch *b, ws_store *st, unsigned writers);
void ws_batch_destroy(ws_batch *b);

/* A writer at a file boundary, full when its batch is: commits or waits
 * for the commit when one is wanted.  limit is the run's slots (NULL:
 * none), the caller holding one: given back while waiting, taken again
 * after. */
ws_batch_result ws_batch_boundary(ws_batch *b, bool full, ws_slots *limit, char **err);

/* A writer done with its files (ok) or stopping (!ok, after a failure of
 * its own or another's); when others wait for it, the last one done
 * commits.  Returns WS_BATCH_GO_ON, or WS_BATCH_FAILED with *err. */
ws_batch_result ws_batch_leave(ws_batch *b, bool ok, char **err);

#endif
