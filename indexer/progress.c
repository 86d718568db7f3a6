#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct ws_progress {
	bool enabled, drawn;
	size_t files;
	uint64_t bytes;
	double start, last;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

ws_progress *ws_progress_new(bool enabled)
{
	ws_progress *p = calloc(1, sizeof *p);
	if (p)
		p->enabled = enabled;
	return p;
}

void ws_progress_start(ws_progress *p, size_t files, uint64_t bytes)
{
	if (!p)
		return;
	p->files = files;
	p->bytes = bytes;
	p->start = p->last = now();
}

void ws_progress_update(ws_progress *p, size_t files_done, uint64_t bytes_done, const char *current)
{
	(void)current;
	if (!p || !p->enabled)
		return;
	double t = now();
	if (files_done < p->files && t - p->last < 0.1)
		return;
	p->last = t;
	double el = t - p->start;
	double rate = el > 0 ? (double)bytes_done / el : 0;
	double frac = p->bytes ? (double)bytes_done / (double)p->bytes : (p->files ? (double)files_done / (double)p->files : 1);
	if (frac > 1)
		frac = 1;
	char bar[31];
	int fill = (int)(frac * 30);
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[30] = '\0';
	char eta[32] = "--:--";
	if (rate > 0 && p->bytes >= bytes_done) {
		long s = (long)((double)(p->bytes - bytes_done) / rate);
		snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
	}
	fprintf(stderr, "\r\033[K[%s] %zu/%zu files  %.1f/%.1f MB  %.1f MB/s  ETA %s", bar, files_done, p->files,
	        (double)bytes_done / 1e6, (double)p->bytes / 1e6, rate / 1e6, eta);
	fflush(stderr);
	p->drawn = true;
}

void ws_progress_clear(ws_progress *p)
{
	if (p && p->drawn) {
		fputs("\r\033[K", stderr);
		p->drawn = false;
	}
}

void ws_progress_finish(ws_progress *p)
{
	ws_progress_clear(p);
}

void ws_progress_free(ws_progress *p)
{
	free(p);
}
