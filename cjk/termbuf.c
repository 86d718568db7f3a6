/*
 * termbuf.c - the terms of one chunk: an array of records plus an arena
 * holding their NUL-terminated texts.  Both are reused from chunk to
 * chunk, so after the first chunk no allocation happens per term.
 */
#include <stdlib.h>
#include <string.h>

#include "cjk_private.h"

/* Forget the terms, keep the memory. */
void cjk_termbuf_clear(cjk_termbuf *tb)
{
	tb->n = 0;
	tb->next = 0;
	tb->arena_len = 0;
}

void cjk_termbuf_free(cjk_termbuf *tb)
{
	free(tb->terms);
	free(tb->arena);
	memset(tb, 0, sizeof *tb);
}

/* Room for max_len bytes of text plus its NUL at the end of the arena. */
char *cjk_termbuf_text(cjk_termbuf *tb, size_t max_len)
{
	size_t need = tb->arena_len + max_len + 1;
	if (need > tb->arena_cap) {
		size_t cap = tb->arena_cap ? tb->arena_cap : 4096;
		while (cap < need)
			cap *= 2;
		if (cap > UINT32_MAX)
			return NULL;
		char *p = realloc(tb->arena, cap);
		if (!p)
			return NULL;
		tb->arena = p;
		tb->arena_cap = cap;
	}
	return tb->arena + tb->arena_len;
}

/* Record the term whose text was written by the caller at the place
 * cjk_termbuf_text returned.  start/end are bytes in the original input;
 * the line is filled in later by the analyzer. */
bool cjk_termbuf_push(cjk_termbuf *tb, size_t len, cjk_term_kind kind,
		      uint32_t pos, size_t start, size_t end)
{
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 1024;
		cjk_term_rec *p = realloc(tb->terms, cap * sizeof *p);
		if (!p)
			return false;
		tb->terms = p;
		tb->cap = cap;
	}
	cjk_term_rec *r = &tb->terms[tb->n++];
	r->start = start;
	r->end = end;
	r->text_off = (uint32_t)tb->arena_len;
	r->pos = pos;
	r->line = 0;
	r->len = (uint16_t)len;
	r->kind = (uint8_t)kind;
	tb->arena[tb->arena_len + len] = '\0';
	tb->arena_len += len + 1;
	return true;
}
