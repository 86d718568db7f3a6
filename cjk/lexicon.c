/*
 * lexicon.c - the optional domain lexicon: a plain-text list of words,
 * one per line (blank lines and lines starting with '#' ignored).  Only
 * words of 3 to CJK_LEXICON_MAX_CHARS Han characters are kept (shorter
 * ones are bigrams anyway), normalised exactly as terms are, in a hash
 * set: the analyzer asks whether adjacent ICU pieces of a Han run
 * concatenate to one of them (segment.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjk_private.h"

struct cjk_lexicon {
	char *text;           /* NUL-separated words */
	size_t text_len, text_cap;
	uint32_t *slots;      /* offset + 1 into text; 0 = empty */
	size_t cap, used;     /* slots */
};

static uint32_t cjk_lexicon_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;          /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool cjk_lexicon_slot_is(const cjk_lexicon *lex, uint32_t slot, const char *w, size_t len)
{
	const char *s = lex->text + slot - 1;
	return strncmp(s, w, len) == 0 && s[len] == '\0';
}

bool cjk_lexicon_has(const cjk_lexicon *lex, const char *word, size_t len)
{
	if (!lex || lex->cap == 0)
		return false;
	size_t j = cjk_lexicon_hash(word, len) & (lex->cap - 1);
	while (lex->slots[j]) {
		if (cjk_lexicon_slot_is(lex, lex->slots[j], word, len))
			return true;
		j = (j + 1) & (lex->cap - 1);
	}
	return false;
}

static bool cjk_lexicon_grow(cjk_lexicon *lex)
{
	size_t cap = lex->cap ? lex->cap * 2 : 1024;
	uint32_t *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < lex->cap; i++) {
		uint32_t s = lex->slots[i];
		if (!s)
			continue;
		const char *w = lex->text + s - 1;
		size_t j = cjk_lexicon_hash(w, strlen(w)) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = s;
	}
	free(lex->slots);
	lex->slots = slots;
	lex->cap = cap;
	return true;
}

static bool cjk_lexicon_add(cjk_lexicon *lex, const char *w, size_t len)
{
	if (cjk_lexicon_has(lex, w, len))
		return true;
	if ((lex->used + 1) * 2 > lex->cap && !cjk_lexicon_grow(lex))
		return false;
	if (lex->text_len + len + 1 > lex->text_cap) {
		size_t cap = lex->text_cap ? lex->text_cap * 2 : 4096;
		while (cap < lex->text_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return false;
		char *t = realloc(lex->text, cap);
		if (!t)
			return false;
		lex->text = t;
		lex->text_cap = cap;
	}
	memcpy(lex->text + lex->text_len, w, len);
	lex->text[lex->text_len + len] = '\0';
	size_t j = cjk_lexicon_hash(w, len) & (lex->cap - 1);
	while (lex->slots[j])
		j = (j + 1) & (lex->cap - 1);
	lex->slots[j] = (uint32_t)lex->text_len + 1;
	lex->text_len += len + 1;
	lex->used++;
	return true;
}

/* Number of Han characters of w, or 0 if it holds anything else. */
static size_t cjk_lexicon_han_chars(const char *w, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t used;
		uint32_t c = cjk_utf8_get((const unsigned char *)w + i, len - i, &used);
		if (!cjk_is_han(c))
			return 0;
		n++;
		i += used;
	}
	return n;
}

void cjk_lexicon_free(cjk_lexicon *lex)
{
	if (!lex)
		return;
	free(lex->text);
	free(lex->slots);
	free(lex);
}

/* Load the word list at path, normalising with the analyzer's own
 * settings.  NULL on failure (message set on a). */
cjk_lexicon *cjk_lexicon_load(cjk_analyzer *a, const char *path)
{
	cjk_lexicon *lex = calloc(1, sizeof *lex);
	char *line = NULL;
	size_t cap = 0;
	FILE *f = NULL;
	if (!lex)
		goto oom;
	f = fopen(path, "r");
	if (!f) {
		snprintf(a->err, sizeof a->err, "lexicon %s: %s", path, strerror(errno));
		a->failed = true;
		goto fail;
	}
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		size_t s = 0;
		while (s < len && (line[s] == ' ' || line[s] == '\t'))
			s++;
		if (s == len || line[s] == '#')
			continue;
		char *w = cjk_normalize(a, line + s, len - s);
		if (!w)
			goto oom;
		size_t wl = strlen(w);
		size_t chars = cjk_lexicon_han_chars(w, wl);
		bool ok = chars < 3 || chars > CJK_LEXICON_MAX_CHARS || cjk_lexicon_add(lex, w, wl);
		free(w);
		if (!ok)
			goto oom;
	}
	if (ferror(f)) {
		snprintf(a->err, sizeof a->err, "lexicon %s: read error", path);
		a->failed = true;
		goto fail;
	}
	free(line);
	fclose(f);
	return lex;
oom:
	cjk_analyzer_fail(a, "out of memory", 0);
fail:
	free(line);
	if (f)
		fclose(f);
	cjk_lexicon_free(lex);
	return NULL;
}
