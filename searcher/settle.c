/* settle.c - wait out a batch being committed across shards (settle.h). */
#include "settle.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"

/* A wensou index's generation among the handle's shards. */
typedef struct gen_group {
	char *gendir;    /* DIR/gen-N: its batch record */
	char *dir;       /* DIR: its lock */
} gen_group;

typedef struct checked_shard {
	unsigned k;      /* in the handle */
	unsigned group;
	unsigned shard;  /* K of DIR/gen-N/sK */
} checked_shard;

struct ws_settle {
	checked_shard *shards;
	unsigned nshards;
	gen_group *groups;
	unsigned ngroups;
	double deadline; /* of this round of reopens (s, monotonic) */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

ws_settle *ws_settle_new(xq_db *db)
{
	unsigned n = xq_db_shard_count(db);
	ws_settle *s = calloc(1, sizeof *s);
	if (!s || !n || !(s->shards = calloc(n, sizeof *s->shards)) || !(s->groups = calloc(n, sizeof *s->groups))) {
		ws_settle_free(s);
		return NULL;
	}
	for (unsigned k = 0; k < n; k++) {
		char *gendir, *dir;
		unsigned shard;
		if (xq_db_shard_is_remote(db, k) || !ws_layout_shard_path(xq_db_shard_name(db, k), &gendir, &dir, &shard))
			continue;
		unsigned g = 0;
		while (g < s->ngroups && strcmp(s->groups[g].gendir, gendir) != 0)
			g++;
		if (g == s->ngroups) {
			s->groups[g] = (gen_group){gendir, dir};
			s->ngroups++;
		} else {
			free(gendir);
			free(dir);
		}
		s->shards[s->nshards++] = (checked_shard){k, g, shard};
	}
	if (!s->nshards) {
		ws_settle_free(s);
		return NULL;
	}
	return s;
}

void ws_settle_free(ws_settle *s)
{
	if (!s)
		return;
	for (unsigned g = 0; g < s->ngroups; g++) {
		free(s->groups[g].gendir);
		free(s->groups[g].dir);
	}
	free(s->groups);
	free(s->shards);
	free(s);
}

/* True when generation g's shards, as db has them open, are at the
 * revisions of its last whole batch, or cannot be told (no record, an
 * unreadable revision), or its writer is gone. */
static bool settled(const ws_settle *s, xq_db *db, unsigned g)
{
	ws_layout_batch b;
	if (!ws_layout_batch_read(s->groups[g].gendir, &b))
		return true;
	bool whole = true;
	for (unsigned i = 0; i < s->nshards && whole; i++) {
		const checked_shard *cs = &s->shards[i];
		unsigned long long rev;
		if (cs->group != g || cs->shard >= b.nshards || xq_db_revision(db, cs->k, &rev) != XQ_OK)
			continue;
		whole = rev == b.rev[cs->shard];
	}
	return whole || !ws_layout_writer_running(s->groups[g].dir);
}

unsigned ws_settle_check(void *ud, xq_db *db, unsigned attempt)
{
	ws_settle *s = ud;
	if (attempt == 0)
		s->deadline = now_s() + WS_SETTLE_MS / 1000.0;
	bool all = true;
	for (unsigned g = 0; g < s->ngroups && all; g++)
		all = settled(s, db, g);
	if (all || now_s() >= s->deadline)
		return 0;
	/* a batch's commits take milliseconds: look again soon, then less
	 * often */
	return attempt < 5 ? 5u << attempt : 100;
}
