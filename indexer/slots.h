/*
 * slots.h - how many of a run's threads may work at once (--jobs).
 *
 * A run has two threads per shard: a preparer (read, extract, analyse,
 * build documents) and a writer (Xapian's add_document and commits), the
 * only thread that touches the shard's database, as Xapian requires.
 * Each holds a slot while it works and gives it back before it waits on
 * the other, so at most N of them use a core at once, and none ever
 * waits for a slot while holding one.  Which thread works when changes
 * nothing in the index: each shard's files are still prepared and written
 * in one fixed order, so --jobs 1 and --jobs 2 write the same documents
 * under the same document ids.  A run takes slots only when N is below
 * both the cores and the threads: otherwise no more than N can run at
 * once anyway, and each hand-over of a slot costs a thread's wake-up.
 */
#ifndef WENSOU_SLOTS_H
#define WENSOU_SLOTS_H

#include <pthread.h>

#define WS_JOBS_MAX 1024

typedef struct ws_slots {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned free;
} ws_slots;

/* n slots (n >= 1).  Returns 0, or -1 when the mutex or condition
 * cannot be made. */
int ws_slots_init(ws_slots *s, unsigned n);
void ws_slots_destroy(ws_slots *s);

/* Wait for a slot and take it; give it back.  A NULL s never waits. */
void ws_slots_take(ws_slots *s);
void ws_slots_give(ws_slots *s);

/* The default of --jobs: the cores this process may run on (its CPU
 * affinity, so taskset and cgroup cpusets count), at least 1. */
unsigned ws_jobs_default(void);

#endif
