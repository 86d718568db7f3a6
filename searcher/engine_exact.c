/* engine_exact.c - Xapian's matches as they are, or, for a query with
 * approximate units, checked candidate by candidate (see engine_run.h). */
#include "engine_run.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

typedef struct file_counts {
	ws_result *res;
	bool oom;
} file_counts;

static int take_file_count(const char *value, size_t len, unsigned count, void *ud)
{
	file_counts *fc = ud;
	ws_result *res = fc->res;
	if (len != WS_FILEID_LEN)
		return 0; /* no file id: no document to count it in */
	ws_file_count *v = realloc(res->files, (res->nfiles + 1) * sizeof *v);
	if (!v) {
		fc->oom = true;
		return 1;
	}
	res->files = v;
	memcpy(v[res->nfiles].fileid, value, len);
	v[res->nfiles].fileid[len] = '\0';
	v[res->nfiles++].passages = count;
	res->count += count;
	return 0;
}

/* A check that failed inside Xapian's match (the decider then refused
 * its candidate): the count would be short, so the search fails. */
static bool check_failed(run *r)
{
	return r->verifier.err && !ws_fail(r->err, "search failed: %s", r->verifier.err);
}

/* WS_MODE_FILE_COUNTS: one pass through every match, the check deciding
 * each, counting the passages of each file by its WS_SLOT_FILE value. */
static bool engine_file_counts(run *r, ws_result *res)
{
	file_counts fc = {res, false};
	xq_status st = xq_enquire_value_counts(r->enq, WS_SLOT_FILE, take_file_count, &fc);
	if (st != XQ_OK)
		return engine_failed(r, st, "cannot search");
	if (check_failed(r))
		return false;
	if (fc.oom)
		return ws_fail(r->err, "out of memory");
	res->documents = (unsigned)res->nfiles;
	res->estimated = res->count;
	return true;
}

/* WS_MODE_COUNT: every match, each candidate checked inside Xapian's
 * match where the query has approximate units.  With count_max, first
 * how many candidates there are (a scan of at most WS_COUNT_SCAN, with no
 * ranking and no check: a few ms where checking them all would take a
 * second); past count_max that number is the answer, and only within it
 * are the passages checked and their files counted. */
bool engine_count(run *r, const xq_query *xq, ws_result *res)
{
	const ws_request *req = r->req;
	xq_status st = xq_enquire_set_query(r->enq, xq);
	if (st == XQ_OK && req->count_max) {
		unsigned cand = 0;
		bool exact = false;
		st = xq_enquire_count(r->enq, WS_COUNT_SCAN, &cand, &exact);
		if (st == XQ_OK && (!exact || cand > req->count_max)) {
			res->count = res->estimated = cand;
			res->count_approx = r->check || !exact;
			return true;
		}
	}
	if (st == XQ_OK && r->check)
		st = xq_enquire_set_decider(r->enq, ws_verify_data, &r->verifier);
	if (st != XQ_OK)
		return engine_failed(r, st, "cannot search");
	if (req->mode == WS_MODE_FILE_COUNTS)
		return engine_file_counts(r, res);
	if (!req->count_max && !req->per_doc && !(r->check && r->ix->remote)) {
		/* the number alone: Xapian counts its matches (the decider
		 * checking each) without keeping them, a quarter of the time
		 * of listing every one (数据 at 1 GB, 392,184 of them: 30
		 * against 120 ms) */
		unsigned n = 0;
		bool exact = false;
		if ((st = xq_enquire_count(r->enq, 0, &n, &exact)) != XQ_OK)
			return engine_failed(r, st, "cannot search");
		if (check_failed(r))
			return false;
		if (exact) {
			res->count = res->estimated = n;
			return true;
		}
	}
	xq_hits *hits = NULL;
	if (!engine_run_query(r, xq, 0, r->ix->doccount, &hits))
		return false;
	size_t n = xq_hits_count(hits);
	res->count = res->estimated = (unsigned)n;
	bool ok = true;
	if (req->count_max) {
		engine_tally files = {0};
		for (size_t i = 0; ok && i < n; i++) {
			bool over;
			ok = engine_tally_take(r, hits, i, UINT_MAX, &files, &over);
		}
		res->documents = (unsigned)files.n;
		engine_tally_clear(&files);
	}
	xq_hits_free(hits);
	return ok;
}

/* Xapian's matches are the query's (an exact query's: no candidate
 * needs a check). */
bool engine_exact(run *r, const xq_query *xq, ws_result *res, bool *empty)
{
	const ws_request *req = r->req;
	xq_hits *hits = NULL;
	bool ok = false;

	if (!engine_run_query(r, xq, req->offset, r->limit, &hits))
		goto out;
	*empty = xq_hits_count(hits) == 0;
	res->estimated = xq_hits_estimated(hits);
	if (*empty && req->offset) {
		/* Past the end of the hits, or no hits at all? */
		xq_hits_free(hits);
		hits = NULL;
		if (!engine_run_query(r, xq, 0, 1, &hits))
			goto out;
		*empty = xq_hits_count(hits) == 0;
		res->estimated = xq_hits_estimated(hits);
		if (!*empty) {
			ok = true;
			goto out;
		}
	}
	ok = *empty || engine_collect(r, hits, req->offset + 1, res);
out:
	xq_hits_free(hits);
	return ok;
}

/* Does candidate i of hits pass the verifier?  False on a read or
 * verifier failure (message in r->err). */
static bool check_candidate(run *r, xq_hits *hits, size_t i, bool *pass)
{
	size_t len = 0;
	const char *data;
	if (!engine_hit_data(r, hits, i, &data, &len))
		return false;
	*pass = ws_verify_data(&r->verifier, data, len);
	if (r->verifier.err)
		return ws_fail(r->err, "search failed: %s", r->verifier.err);
	return true;
}

/* How many candidates the next round of engine_checked() should fetch: enough,
 * at the pass rate seen so far, for want hits with a margin; at least
 * twice, at most sixteen times the last round. */
static size_t next_round(size_t max, size_t seen, size_t nkept, size_t want)
{
	size_t lo = max * 2, hi = max * 16;
	if (!nkept)
		return hi;
	double need = (double)seen * (double)want / (double)nkept * 1.25 + 16;
	return need < (double)lo ? lo : need > (double)hi ? hi : (size_t)need;
}

/* The pass rate to expect past the first seen candidates of hits.  Where
 * some of those failed, the best-ranked are no fair sample (decoys that
 * hold every bigram many times rank first), so up to 16 of the fetched
 * candidates after them are checked too: a fraction of a millisecond. */
static bool tail_rate(run *r, xq_hits *hits, size_t seen, double *rate)
{
	ws_verifier *v = &r->verifier;
	size_t n = xq_hits_count(hits);
	*rate = v->checked ? (double)v->accepted / v->checked : 1.0;
	if (v->accepted == v->checked || seen >= n)
		return true;
	size_t step = (n - seen + 15) / 16, tried = 0, passed = 0;
	for (size_t i = seen; i < n; i += step) {
		bool pass;
		if (!check_candidate(r, hits, i, &pass))
			return false;
		tried++;
		passed += pass;
	}
	*rate = (double)passed / (double)tried;
	return true;
}

/* Do the first n candidates of b hold the same documents as a's? */
static bool same_prefix(const xq_hits *a, const xq_hits *b, size_t n)
{
	if (n > xq_hits_count(a) || n > xq_hits_count(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (xq_hits_docid(a, i) != xq_hits_docid(b, i))
			return false;
	return true;
}

/* A query with approximate units (verify.h): take Xapian's candidates in
 * rank order and keep those the verifier passes, fetching more only when
 * too few pass.  Nearly every candidate of a Han run does pass, so this
 * reads little more than the hits themselves: inside the match (an xq
 * decider) the check would run on every candidate that ties with the
 * last hit, hundreds where a report is indexed more than once.  A larger
 * round ranks the same candidates first, so the check resumes where the
 * last round stopped (and starts over should the order ever differ). */
bool engine_checked(run *r, const xq_query *xq, ws_result *res, bool *empty)
{
	engine_tally tally = {0};
	const ws_request *req = r->req;
	unsigned collapse = req->mode == WS_MODE_FILES ? 1 : req->per_doc;
	size_t want = (size_t)req->offset + r->limit;
	size_t max = want * 2 + 16, nkept = 0, seen = 0;
	size_t *kept = NULL;
	xq_hits *hits = NULL, *prev = NULL;
	bool ok = false, exhausted = false;

	if (max > r->ix->doccount)
		max = r->ix->doccount;
	xq_status st = xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, 0);
	if (st != XQ_OK) {
		engine_failed(r, st, "cannot search");
		goto out;
	}
	for (;;) {
		if (!engine_run_query(r, xq, 0, (unsigned)max, &hits))
			goto out;
		size_t n = xq_hits_count(hits);
		if (prev && !same_prefix(prev, hits, seen)) {
			nkept = seen = 0;
			r->verifier.checked = r->verifier.accepted = 0;
			engine_tally_clear(&tally);
		}
		xq_hits_free(prev);
		prev = NULL;
		size_t *k2 = realloc(kept, (n ? n : 1) * sizeof *kept);
		if (!k2) {
			ws_fail(r->err, "out of memory");
			goto out;
		}
		kept = k2;
		for (; seen < n && nkept < want; seen++) {
			bool pass;
			if (!check_candidate(r, hits, seen, &pass))
				goto out;
			bool over = false;
			if (!pass)
				continue;
			if (collapse && !engine_tally_take(r, hits, seen, collapse, &tally, &over))
				goto out;
			if (!over)
				kept[nkept++] = seen;
		}
		exhausted = n < max;
		if (nkept >= want || exhausted || max >= r->ix->doccount)
			break;
		prev = hits;
		hits = NULL;
		max = next_round(max, seen, nkept, want);
		if (max > r->ix->doccount)
			max = r->ix->doccount;
	}
	/* Past the candidates checked, Xapian's estimate scaled by the pass
	 * rate (see tail_rate). */
	unsigned est = xq_hits_estimated(hits);
	/* what the totals (tally.c) extrapolate from */
	res->checked = (unsigned)seen;
	res->passed = (unsigned)r->verifier.accepted;
	if (exhausted && seen == xq_hits_count(hits))
		res->estimated = (unsigned)nkept;
	else if (seen && est > seen) {
		double rate;
		if (!tail_rate(r, hits, seen, &rate))
			goto out;
		res->pass_rate = rate;
		res->estimated = (unsigned)nkept + (unsigned)((double)(est - seen) * rate);
	} else
		res->estimated = (unsigned)nkept;
	*empty = nkept == 0;
	ok = engine_collect_checked(r, hits, kept, nkept, res);
out:
	engine_tally_clear(&tally);
	free(kept);
	xq_hits_free(prev);
	xq_hits_free(hits);
	return ok;
}
