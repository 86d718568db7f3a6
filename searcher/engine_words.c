/* engine_words.c - a question, or a long run that occurs nowhere as
 * written, read as its words (question.h; see engine_run.h). */
#include "engine_run.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

#include "question.h"

/* The query as written found nothing, or only some of its units: read
 * it as a question (question.h) and rank passages by how many of its
 * words they hold.  Keeps res as it is when the reading finds nothing
 * or changes nothing. */
bool engine_words(run *r, const ws_filters *f, ws_result *res)
{
	ws_query *wq = NULL;
	if (!ws_query_words(r->q, r->ix->analyzer, &wq, r->err))
		return false;
	wq->synonym_headings = true;
	wq->asides = r->q->asides;
	if (!ws_query_analyse(wq, r->ix->analyzer, true, r->err) || !ws_query_positive_groups(wq)) {
		ws_query_free(wq);
		free(*r->err);
		*r->err = NULL;
		return true;
	}
	if (!ws_query_find_words(wq, r->ix->db, &r->xst, r->err) || !ws_query_find_forms(wq, r->ix, &r->xst, r->err) ||
	    !ws_query_find_stems(wq, r->ix, &r->xst, r->err)) {
		ws_query_free(wq);
		return false;
	}
	run w = *r;
	w.q = wq;
	w.text_only = true;
	w.check = ws_query_needs_check(wq);
	w.npositive = ws_query_positive_groups(wq);
	memset(&w.verifier, 0, sizeof w.verifier);
	memset(&w.matches, 0, sizeof w.matches);
	if (w.check)
		ws_verifier_init(&w.verifier, wq, r->ix->analyzer);
	ws_result *wr = calloc(1, sizeof *wr);
	xq_query *xq = NULL;
	bool none = false, empty = false, ok = wr != NULL;
	if (!ok)
		ws_fail(r->err, "out of memory");
	else if (w.npositive >= 2)
		ok = engine_relax(&w, f, wr);
	else if ((ok = ws_query_build(wq, f, r->ix, false, &xq, &none, r->err)) && !none)
		ok = w.check ? engine_checked(&w, xq, wr, &empty) : engine_exact(&w, xq, wr, &empty);
	xq_query_free(xq);
	r->xst = w.xst;
	if (ok && wr->nhits) {
		engine_result_clear(res);
		*res = *wr;
		res->relaxed = false;
		res->matched = WS_MATCHED_WORDS;
		free(wr);
	} else {
		ws_result_free(wr);
	}
	ws_query_free(wq);
	ws_matches_free(&w.matches);
	ws_verifier_free(&w.verifier);
	return ok;
}
