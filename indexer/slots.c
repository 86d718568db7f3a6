/* slots.c - the run's work slots (see slots.h).  sched_getaffinity and
 * CPU_COUNT come with _GNU_SOURCE, which the build defines. */
#include "slots.h"

#include <sched.h>
#include <unistd.h>

int ws_slots_init(ws_slots *s, unsigned n)
{
	s->free = n ? n : 1;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&s->cv, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		return -1;
	}
	return 0;
}

void ws_slots_destroy(ws_slots *s)
{
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}

void ws_slots_take(ws_slots *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	while (s->free == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	s->free--;
	pthread_mutex_unlock(&s->mu);
}

void ws_slots_give(ws_slots *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->free++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

unsigned ws_jobs_default(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
