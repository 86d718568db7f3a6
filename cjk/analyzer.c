/*
 * analyzer.c - the analyzer's life cycle and its term iterator.
 *
 * The input is worked through in chunks (chunk.c) so that memory stays
 * bounded: each chunk is repaired and decoded to UTF-16 (linefix.c),
 * segmented into an array of terms (segment.c), and the terms are handed
 * out one by one; then the next chunk.  Positions and byte offsets run on
 * across chunks; line numbers are counted from the original bytes as the
 * terms go by (they come in order of start offset), so each byte is
 * looked at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utypes.h>

#include "cjk_private.h"

void cjk_options_default(cjk_options *opts)
{
	opts->fold_traditional = true;
	opts->stem_english = true;
	opts->lexicon_path = NULL;
	opts->fold_table = NULL;
	opts->fold_table_len = 0;
}

/* Record a failure: what failed and, if icu_status is not U_ZERO_ERROR,
 * ICU's name for the error. */
void cjk_analyzer_fail(cjk_analyzer *a, const char *what, int icu_status)
{
	if (icu_status != U_ZERO_ERROR)
		snprintf(a->err, sizeof a->err, "%s: %s", what,
			 u_errorName((UErrorCode)icu_status));
	else
		snprintf(a->err, sizeof a->err, "%s", what);
	a->failed = true;
}

static void cjk_set_err(char **err, const char *msg)
{
	if (err)
		*err = strdup(msg);
}

cjk_analyzer *cjk_analyzer_new(const cjk_options *opts, char **err)
{
	if (err)
		*err = NULL;
	cjk_analyzer *a = calloc(1, sizeof *a);
	if (!a) {
		cjk_set_err(err, "out of memory");
		return NULL;
	}
	if (opts)
		a->opts = *opts;
	else
		cjk_options_default(&a->opts);
	a->opts.lexicon_path = NULL;

	if (!cjk_fold_init(&a->fold)) {
		cjk_analyzer_fail(a, "out of memory", 0);
		goto fail;
	}
	if (opts && opts->fold_table && !cjk_fold_load(&a->fold, opts->fold_table, opts->fold_table_len)) {
		cjk_analyzer_fail(a, "the folding table is damaged (rebuild the index)", 0);
		goto fail;
	}
	a->opts.fold_table = NULL; /* loaded: the caller's copy is not kept */
	a->opts.fold_table_len = 0;
	if (opts && opts->lexicon_path) {
		a->lexicon = cjk_lexicon_load(a, opts->lexicon_path);
		if (!a->lexicon)
			goto fail;
	}
	cjk_analyzer_reset(a, NULL, 0, 1);
	return a;
fail:
	cjk_set_err(err, a->err);
	cjk_analyzer_free(a);
	return NULL;
}

/* Opened on first need: a Chinese query read through the index's folding
 * table needs neither ICU's word break iterator nor its normaliser, which
 * cost a one-shot search a tenth of a millisecond. */
UBreakIterator *cjk_brk(cjk_analyzer *a)
{
	if (a->brk)
		return a->brk;
	UErrorCode st = U_ZERO_ERROR;
	a->brk = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
	if (U_FAILURE(st)) {
		a->brk = NULL;
		cjk_analyzer_fail(a, "ubrk_open(UBRK_WORD, zh)", st);
	}
	return a->brk;
}

const UNormalizer2 *cjk_nfkc(cjk_analyzer *a)
{
	if (a->nfkc_cf)
		return a->nfkc_cf;
	UErrorCode st = U_ZERO_ERROR;
	a->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st)) {
		a->nfkc_cf = NULL;
		cjk_analyzer_fail(a, "unorm2_getNFKCCasefoldInstance", st);
	}
	return a->nfkc_cf;
}

bool cjk_analyzer_set_stemming(cjk_analyzer *a, bool on)
{
	bool was = !a->no_stems;
	a->no_stems = !on;
	return was;
}

void cjk_analyzer_set_stem_memo(cjk_analyzer *a, cjk_stem_memo_fn *fn, const void *ud)
{
	a->stem_memo = fn;
	a->stem_memo_ud = fn ? ud : NULL;
}

void cjk_analyzer_free(cjk_analyzer *a)
{
	if (!a)
		return;
	if (a->brk)
		ubrk_close(a->brk);
	if (a->t2s)
		a->t2s_api.close(a->t2s);
	cjk_stemmer_free(a->stemmer);
	cjk_fold_free(&a->fold);
	cjk_lexicon_free(a->lexicon);
	cjk_termbuf_free(&a->tb);
	free(a->u16);
	free(a->map);
	free(a->run_unit);
	free(a->run_piece);
	free(a->scratch16);
	free(a->scratch8);
	free(a);
}

void cjk_analyzer_reset(cjk_analyzer *a, const char *text, size_t len, uint32_t first_line)
{
	a->text = text ? text : "";
	a->len = text ? len : 0;
	a->chunk_base = 0;
	a->next_chunk = 0;
	a->pos = 1;
	a->dropped_words = 0;
	a->line_off = 0;
	a->line = first_line;
	a->n16 = 0;
	a->run_n = 0;
	a->failed = false;
	a->words = true;
	a->err[0] = '\0';
	cjk_termbuf_clear(&a->tb);
}

unsigned cjk_analyzer_dropped_words(const cjk_analyzer *a)
{
	return a->dropped_words;
}

void cjk_analyzer_reset_without_words(cjk_analyzer *a, const char *text, size_t len, uint32_t first_line)
{
	cjk_analyzer_reset(a, text, len, first_line);
	a->words = false;
}

/* Line numbers of the chunk's terms, counting '\n' in the original bytes
 * from the last term on (a lone '\r' does not end a line, as for grep and
 * ripgrep). */
static void cjk_analyzer_lines(cjk_analyzer *a)
{
	for (size_t i = 0; i < a->tb.n; i++) {
		cjk_term_rec *r = &a->tb.terms[i];
		if (r->start > a->line_off) {
			const char *p = a->text + a->line_off;
			const char *e = a->text + r->start;
			while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
				a->line++;
				p++;
			}
			a->line_off = r->start;
		}
		r->line = a->line;
	}
}

/* Analyse the next chunk into a->tb.  False on failure. */
static bool cjk_analyzer_chunk(cjk_analyzer *a)
{
	size_t start = a->next_chunk;
	size_t end = cjk_chunk_end(a->text, a->len, start);
	a->chunk_base = start;
	a->next_chunk = end;
	cjk_termbuf_clear(&a->tb);
	if (!cjk_linefix_run(a, a->text + start, end - start)) {
		cjk_analyzer_fail(a, "out of memory", 0);
		return false;
	}
	if (a->failed || !cjk_segment_run(a))
		return false;
	cjk_analyzer_lines(a);
	return true;
}

int cjk_analyzer_next(cjk_analyzer *a, cjk_term *t)
{
	for (;;) {
		if (a->failed)
			return -1;
		if (a->tb.next < a->tb.n) {
			const cjk_term_rec *r = &a->tb.terms[a->tb.next++];
			t->text = a->tb.arena + r->text_off;
			t->len = r->len;
			t->kind = (cjk_term_kind)r->kind;
			t->pos = r->pos;
			t->start = r->start;
			t->end = r->end;
			t->line = r->line;
			return 1;
		}
		if (a->next_chunk >= a->len)
			return 0;
		if (!cjk_analyzer_chunk(a))
			return -1;
	}
}

const char *cjk_analyzer_error(const cjk_analyzer *a)
{
	return a ? a->err : "";
}

/* Bytes held by the analyzer's own buffers (not ICU's caches). */
size_t cjk_analyzer_memory(const cjk_analyzer *a)
{
	if (!a)
		return 0;
	return sizeof *a +
	       a->cap16 * (sizeof *a->u16 + sizeof *a->map) +
	       a->run_cap * (sizeof *a->run_unit + sizeof *a->run_piece) +
	       a->scratch16_cap * sizeof *a->scratch16 + a->scratch8_cap +
	       a->tb.cap * sizeof *a->tb.terms + a->tb.arena_cap +
	       (CJK_FOLD_BMP_HI - CJK_FOLD_BMP_LO + 1u) * sizeof *a->fold.bmp +
	       a->fold.hash_cap * 2 * sizeof *a->fold.hash_keys;
}
