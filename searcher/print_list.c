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

bool ws_print_files(FILE *out, const ws_result *r)
{
	for (size_t i = 0; i < r->nhits; i++) {
		/* The engine collapses to one passage per file; guard anyway. */
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(r->hits[j].path, r->hits[i].path);
		if (seen)
			continue;
		if (!put_clean(out, r->hits[i].path) || fputc('\n', out) == EOF)
			return false;
	}
	return true;
}

bool ws_print_count(FILE *out, const ws_result *r)
{
	return fprintf(out, "%u\n", r->count) >= 0;
}
