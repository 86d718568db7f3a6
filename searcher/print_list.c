/* print_list.c - the line-per-hit formats: --vimgrep, --files, --count. */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static bool put_clean(FILE *out, const char *s)
{
	char *c = ws_sanitize(s, strlen(s));
	if (!c)
		return false;
	bool ok = fputs(c, out) != EOF;
	free(c);
	return ok;
}

bool ws_print_vimgrep(FILE *out, const ws_result *r)
{
	for (size_t i = 0; i < r->nhits; i++) {
		const ws_hit *h = &r->hits[i];
		if (!put_clean(out, h->path) || fprintf(out, ":%u:%u:", h->line, h->column) < 0 ||
		    !put_clean(out, h->snippet.text ? h->snippet.text : "") || fputc('\n', out) == EOF)
			return false;
	}
	return true;
}

static int cmp_path_then_rank(const void *a, const void *b, void *hits)
{
	const ws_hit *h = hits;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(h[x].path, h[y].path);
	return c ? c : (x > y) - (x < y);
}

bool ws_print_files(FILE *out, const ws_result *r)
{
	/* The engine collapses to one passage per file; guard anyway, by a
	 * sort: each path against every one before it cost --files at 1 GB
	 * (3,000 files) a seventh of its time, and grew as their square. */
	size_t n = r->nhits, *order = malloc((n ? n : 1) * sizeof *order);
	bool *again = calloc(n ? n : 1, sizeof *again), ok = order && again;
	for (size_t i = 0; ok && i < n; i++)
		order[i] = i;
	if (ok)
		qsort_r(order, n, sizeof *order, cmp_path_then_rank, r->hits);
	for (size_t k = 1; ok && k < n; k++)
		again[order[k]] = !strcmp(r->hits[order[k]].path, r->hits[order[k - 1]].path);
	for (size_t i = 0; ok && i < n; i++)
		ok = again[i] || (put_clean(out, r->hits[i].path) && fputc('\n', out) != EOF);
	free(order);
	free(again);
	return ok;
}

bool ws_print_count(FILE *out, const ws_result *r)
{
	return fprintf(out, "%u\n", r->count) >= 0;
}
