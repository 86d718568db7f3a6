/* engine.c - parse the query, choose the strategies, retry when the index
 * moves under a search (see engine.h; the strategies: engine_run.h). */
#include "engine_run.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "text.h"

#include <time.h>

#include "expand.h"
#include "question.h"

/* How many times ws_search runs a search in all while it finds the index
 * modified under it (XQ_ERR_MODIFIED: a writer committed twice while the
 * search read an older revision). */
#define WS_SEARCH_ATTEMPTS 3

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool search(run *r, ws_result *res)
{
	const ws_request *req = r->req;
	ws_filters f = {req->year, req->since, req->until, req->sources, req->nsources, req->glossary};
	bool has_filters = req->year || req->since || req->until || req->nsources;
	xq_query *xq = NULL;
	bool none = false, ok = false, empty = false;

	if (!ws_query_parse(req->query, req->query_len, &r->q, r->err) ||
	    (req->glossary && !ws_glossary_expand(req->glossary, r->ix->analyzer, r->q, r->err)) ||
	    !ws_query_analyse(r->q, r->ix->analyzer, has_filters, r->err))
		return false;
	r->q->asides = req->all_kinds;
	if (!ws_query_find_words(r->q, r->ix->db, &r->xst, r->err) ||
	    !ws_query_find_forms(r->q, r->ix, &r->xst, r->err))
		return false;
	if (req->partial)
		ws_query_mark_partial(r->q);
	if (!ws_query_find_stems(r->q, r->ix, &r->xst, r->err))
		return false;
	if (!ws_query_build(r->q, &f, r->ix, false, &xq, &none, r->err))
		return false;
	if (none || !r->ix->doccount) {
		xq_query_free(xq);
		return true;
	}
	r->check = ws_query_needs_check(r->q);
	r->npositive = ws_query_positive_groups(r->q);
	r->limit = req->limit ? req->limit : r->ix->doccount;

	xq_status st = xq_enquire_new(r->ix->db, &r->enq);
	unsigned collapse = req->mode == WS_MODE_FILES ? 1 : req->per_doc;
	if (st == XQ_OK && collapse)
		st = xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, collapse);
	/* BM25 whose length normalisation the indexer put in the wdf
	 * (schema.h: WS_RANK_*) */
	if (st == XQ_OK)
		st = xq_enquire_set_bm25(r->enq, WS_RANK_K1 * WS_RANK_WDF_SCALE, 0, 1, 0, 0);
	if (st != XQ_OK) {
		engine_failed(r, st, "cannot search");
		goto out;
	}
	if (r->check)
		ws_verifier_init(&r->verifier, r->q, r->ix->analyzer);
	if (req->mode == WS_MODE_COUNT || req->mode == WS_MODE_FILE_COUNTS) {
		ok = engine_count(r, xq, res); /* counts are never relaxed */
		goto out;
	}
	if (!(r->check ? engine_checked(r, xq, res, &empty) : engine_exact(r, xq, res, &empty)))
		goto out;
	if (empty && r->npositive >= 2 && !engine_relax(r, &f, res))
		goto out;
	if ((empty || res->relaxed) && !req->partial && ws_query_is_question(r->q)) {
		ok = engine_words(r, &f, res);
		goto out;
	}
	ok = true;
out:
	xq_query_free(xq);
	return ok;
}

/* One attempt at req: true with the result in res, or false with a
 * message in *err and, if an xq call failed, its status in *xst. */
static bool attempt(ws_index *ix, const ws_request *req, ws_result *res, char **err, xq_status *xst)
{
	run r = {.ix = ix, .req = req, .err = err};
	/* the glossary knows the stems of its English forms: a query
	 * expanded to them need not load libstemmer */
	if (req->glossary)
		cjk_analyzer_set_stem_memo(ix->analyzer, ws_glossary_stem, req->glossary);
	bool ok = search(&r, res);
	cjk_analyzer_set_stem_memo(ix->analyzer, NULL, NULL);
	ws_query_free(r.q);
	xq_enquire_free(r.enq);
	ws_matches_free(&r.matches);
	ws_verifier_free(&r.verifier);
	*xst = r.xst;
	return ok;
}

bool ws_search(ws_index *ix, const ws_request *req, ws_result **out, char **err)
{
	double t0 = now_ms();

	*out = NULL;
	for (unsigned n = 1;; n++) {
		ws_result *res = calloc(1, sizeof *res);
		char *msg = NULL;
		xq_status xst = XQ_OK;
		if (!res)
			return ws_fail(err, "out of memory");
		res->pass_rate = 1.0;
		if (attempt(ix, req, res, &msg, &xst)) {
			res->elapsed_ms = now_ms() - t0;
			*out = res;
			return true;
		}
		ws_result_free(res);
		if (xst != XQ_ERR_MODIFIED || n == WS_SEARCH_ATTEMPTS) {
			if (xst == XQ_ERR_MODIFIED)
				ws_fail(err, "%s (the index kept changing over %d attempts)", msg ? msg : "search failed",
				        WS_SEARCH_ATTEMPTS);
			else
				ws_fail(err, "%s", msg ? msg : "out of memory");
			free(msg);
			return false;
		}
		free(msg);
		/* A writer's commits overwrote the revision this attempt read:
		 * move to the latest and run the whole search again, so that
		 * no result mixes two revisions. */
		xq_status st = xq_db_reopen(ix->db, NULL);
		if (st == XQ_OK)
			st = xq_db_doccount(ix->db, &ix->doccount);
		if (st != XQ_OK)
			return ws_fail(err, "cannot reopen the index: %s", xq_db_error(ix->db));
	}
}
