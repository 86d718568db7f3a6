#include "moves.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileid.h"

typedef struct newfile {
	const ws_file *f;
	char hash[WS_HASH_HEX_LEN + 1];
	int hashed; /* 0 not yet, 1 done, -1 unreadable */
} newfile;

static int cmp_size(const void *a, const void *b)
{
	uint64_t x = ((const newfile *)a)->f->size, y = ((const newfile *)b)->f->size;
	return (x > y) - (x < y);
}

static void hash_file(newfile *nf)
{
	nf->hashed = ws_hash_file(nf->f->path, nf->hash) == 0 ? 1 : -1;
}

void ws_moves_mark(ws_records *recs, const ws_job *jobs, size_t n, ws_report_fn report, void *ud)
{
	size_t nn = 0;
	newfile *nf = calloc(n ? n : 1, sizeof *nf);
	if (!nf)
		return; /* no move found: the old records stay, nothing is lost */
	for (size_t i = 0; i < n; i++)
		if (jobs[i].is_new)
			nf[nn++].f = jobs[i].file;
	qsort(nf, nn, sizeof *nf, cmp_size);
	for (size_t s = 0; nn && s < recs->cap; s++) {
		ws_record *rec = &recs->slots[s];
		if (!rec->r.path || rec->seen || rec->gone)
			continue;
		/* the first new file of the record's size */
		size_t lo = 0, hi = nn;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (nf[mid].f->size < rec->r.size)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == nn || nf[lo].f->size != rec->r.size)
			continue;
		struct stat sb;
		if (stat(rec->r.path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR))
			continue; /* still there (or unknown): not moved */
		for (size_t i = lo; i < nn && nf[i].f->size == rec->r.size; i++) {
			if (!nf[i].hashed)
				hash_file(&nf[i]);
			if (nf[i].hashed == 1 && strcmp(nf[i].hash, rec->r.hash) == 0) {
				rec->gone = true;
				if (report) {
					char *msg = malloc(strlen(nf[i].f->path) + 16);
					if (msg) {
						sprintf(msg, "moved to %s", nf[i].f->path);
						report(rec->r.path, msg, false, ud);
						free(msg);
					}
				}
				break;
			}
		}
	}
	free(nf);
}
