/*
 * stems.c - the stems of the glossary's English words, which a search
 * lends its analyzer (glossary.h: ws_glossary_stem).
 *
 * A Chinese query for a concept with English forms ("联合国" with "UN"
 * and "United Nations") analyses those forms too, and stemming them would
 * load libstemmer, half a millisecond of a one-shot search (common/
 * dynlib.h).  The stems are made once, when the glossary is read from
 * its files, by the analyzer itself, and kept in the glossary's cache.
 */
#include <stdlib.h>
#include <string.h>

#include "glossary_private.h"
#include "strbuf.h"

typedef struct stem_pair {
	char *word, *stem;
} stem_pair;

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const stem_pair *)a)->word, ((const stem_pair *)b)->word);
}

/* The pairs of form text's WORD terms and their stems onto *v. */
static bool add_pairs(cjk_analyzer *a, const char *text, stem_pair **v, size_t *n, size_t *cap, bool *failed)
{
	cjk_term t;
	char *word = NULL;
	int r;
	cjk_analyzer_reset(a, text, strlen(text), 1);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (t.kind == CJK_TERM_WORD) {
			free(word);
			if (!(word = strdup(t.text)))
				return false;
		} else if (t.kind == CJK_TERM_STEM && word && t.len > 1) {
			if (*n == *cap) {
				size_t c = *cap ? *cap * 2 : 256;
				stem_pair *nv = realloc(*v, c * sizeof *nv);
				if (!nv)
					break;
				*v = nv;
				*cap = c;
			}
			char *stem = strdup(t.text + 1); /* without the "Z" */
			if (!stem)
				break;
			(*v)[(*n)++] = (stem_pair){word, stem};
			word = NULL;
		}
	}
	bool oom = r == 1;
	free(word);
	if (r < 0)
		*failed = true;
	return !oom;
}

bool ws_glossary_make_stems(ws_glossary *g, cjk_analyzer *a)
{
	stem_pair *v = NULL;
	size_t n = 0, cap = 0;
	bool failed = false, ok = true;
	for (size_t i = 0; ok && !failed && i < g->n; i++)
		ok = add_pairs(a, g->forms[i].text, &v, &n, &cap, &failed);
	strbuf sb = STRBUF_INIT;
	uint32_t *at = NULL;
	size_t kept = 0;
	if (ok && !failed && n) {
		qsort(v, n, sizeof *v, cmp_pair);
		ok = (at = malloc(n * sizeof *at)) != NULL;
		for (size_t i = 0; ok && i < n; i++) {
			if (kept && !strcmp(v[i].word, sb.data + at[kept - 1]))
				continue;
			at[kept++] = (uint32_t)sb.len;
			ok = strbuf_append(&sb, v[i].word, strlen(v[i].word) + 1) &&
			     strbuf_append(&sb, v[i].stem, strlen(v[i].stem) + 1) && sb.len < UINT32_MAX;
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].word);
		free(v[i].stem);
	}
	free(v);
	if (!ok || !kept) {
		free(at);
		strbuf_free(&sb);
		return ok;
	}
	g->stem_at = at;
	g->nstems = kept;
	g->stem_bytes = sb.len;
	g->stems = g->stems_own = strbuf_detach(&sb);
	return true;
}

const char *ws_glossary_stem(const void *gv, const char *word, size_t len, size_t *stem_len)
{
	const ws_glossary *g = gv;
	size_t lo = 0, hi = g ? g->nstems : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *w = g->stems + g->stem_at[mid];
		int c = strncmp(w, word, len);
		if (c == 0 && w[len])
			c = 1; /* w is longer: after word */
		if (c == 0) {
			const char *stem = w + len + 1;
			*stem_len = strlen(stem);
			return stem;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
