/* engine_relax.c - when no passage has every unit: the passages with the
 * most, ranked by units held, then score (see engine_run.h). */
#include "engine_run.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

#include "filerec.h"
#include "schema.h"

/* A relaxed candidate: hit index i of the fetched hits. */
typedef struct cand {
	size_t i;
	unsigned groups;
	double score;
} cand;

static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->groups != y->groups)
		return x->groups > y->groups ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_docid(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* What units of candidate i of hits are looked for in: its text and its
 * section's heading, or (text_only) its text alone.  False if it cannot
 * be read (see engine_failed). */
static bool candidate_text(run *r, xq_hits *hits, size_t i, const char **text, size_t *len)
{
	size_t dlen = 0, json_len;
	const char *data;
	if (!engine_hit_data(r, hits, i, &data, &dlen))
		return false;
	*text = r->text_only ? ws_passage_text(data, dlen, &json_len, len) : ws_verify_view(&r->verifier, data, dlen, len);
	return true;
}

/* Where a unit's term is looked for, as the prefix it has there
 * (schema.h): the text, the section's heading, and (asides) the same in
 * passages that are not body text. */
static const struct term_place {
	const char *prefix;
	bool heading, aside;
} term_places[] = {
	{"", false, false},
	{WS_PREFIX_SECTION, true, false},
	{WS_PREFIX_ASIDE, false, true},
	{WS_PREFIX_ASIDE WS_PREFIX_SECTION, true, true},
};
#define WS_TERM_PLACES (sizeof term_places / sizeof term_places[0])

/* present[u * n + i]: does candidate i of hits hold unit u of the query?
 * Terms through their posting lists, Han runs by scanning the text; with
 * any unit only the matcher can tell, *matcher is set and nothing done. */
static bool presence(run *r, xq_hits *hits, size_t n, bool *present, bool *matcher)
{
	const ws_query *q = r->q;
	unsigned *ids = NULL, *sorted = NULL;
	bool *marks = NULL, ok = false;

	*matcher = false;
	for (size_t u = 0; u < q->nunits; u++)
		*matcher |= ws_unit_presence(&q->units[u]) == WS_PRESENCE_MATCHER;
	if (*matcher || !n)
		return true;
	ids = malloc(n * sizeof *ids);
	sorted = malloc(n * sizeof *sorted);
	marks = malloc(n * sizeof *marks);
	if (!ids || !sorted || !marks) {
		ws_fail(r->err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = ids[i] = xq_hits_docid(hits, i);
	qsort(sorted, n, sizeof *sorted, cmp_docid);
	for (size_t u = 0; u < q->nunits; u++) {
		const ws_unit *unit = &q->units[u];
		bool *row = present + u * n;
		if (ws_unit_presence(unit) == WS_PRESENCE_RUN) {
			for (size_t i = 0; i < n; i++) {
				size_t tlen;
				const char *text;
				if (!candidate_text(r, hits, i, &text, &tlen))
					goto out;
				row[i] = ws_verify_unit(&r->verifier, unit, text, tlen);
			}
		} else if (ws_unit_presence(unit) == WS_PRESENCE_TERMS) {
			const char *t[2];
			size_t tl[2], nt = ws_unit_terms(unit, t, tl);
			memset(marks, 0, n * sizeof *marks);
			for (size_t k = 0; k < nt * WS_TERM_PLACES; k++) {
				const struct term_place *at = &term_places[k / nt];
				if ((r->text_only && at->heading) || (!q->asides && at->aside))
					continue;
				char pt[WS_TERM_MAX_BYTES + 1];
				size_t ptl = ws_term_prefixed(at->prefix, t[k % nt], tl[k % nt], pt);
				if (!ptl)
					continue;
				xq_status st = xq_db_mark_term(r->ix->db, pt, ptl, sorted, n, marks);
				if (st != XQ_OK) {
					engine_failed(r, st, "search failed");
					goto out;
				}
			}
			/* back from docid order to rank order */
			for (size_t i = 0; i < n; i++) {
				unsigned *at = bsearch(&ids[i], sorted, n, sizeof *sorted, cmp_docid);
				row[i] = at && marks[at - sorted];
			}
		}
	}
	ok = true;
out:
	free(ids);
	free(sorted);
	free(marks);
	return ok;
}

/* Nothing had every unit: fetch passages with any, keep those that really
 * hold one (a Han unit's bigrams scattered about are no match) and none
 * excluded, rank by units matched then score, at most collapse per file,
 * and make hits of the page only. */
bool engine_relax(run *r, const ws_filters *f, ws_result *res)
{
	engine_tally tally = {0};
	const ws_request *req = r->req;
	unsigned collapse = req->mode == WS_MODE_FILES ? 1 : req->per_doc;
	size_t want = (size_t)req->offset + r->limit;
	unsigned max = want > WS_RELAX_CANDIDATES ? (unsigned)want : WS_RELAX_CANDIDATES;
	xq_query *xq = NULL;
	xq_hits *hits = NULL;
	cand *c = NULL;
	size_t *kept = NULL;
	bool *present = NULL, *unit_row = NULL;
	bool none = false, ok = false;

	if (!ws_query_build(r->q, f, r->ix, true, &xq, &none, r->err))
		return false;
	if (none) {
		ok = true;
		goto out;
	}
	if (!r->check)
		ws_verifier_init(&r->verifier, r->q, r->ix->analyzer);
	xq_status st = xq_enquire_set_decider(r->enq, NULL, NULL);
	if (st == XQ_OK)
		st = xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, 0);
	if (st != XQ_OK) {
		engine_failed(r, st, "cannot search");
		goto out;
	}
	if (!engine_run_query(r, xq, 0, max, &hits))
		goto out;
	size_t n = xq_hits_count(hits), nc = 0, nkept = 0, nu = r->q->nunits;
	bool matcher = false;
	c = calloc(n ? n : 1, sizeof *c);
	kept = calloc(n ? n : 1, sizeof *kept);
	present = calloc(n && nu ? n * nu : 1, sizeof *present);
	unit_row = calloc(nu ? nu : 1, sizeof *unit_row);
	if (!c || !kept || !present || !unit_row) {
		ws_fail(r->err, "out of memory");
		goto out;
	}
	if (!presence(r, hits, n, present, &matcher))
		goto out;
	for (size_t i = 0; i < n; i++) {
		unsigned groups;
		bool vetoed;
		if (matcher) {
			size_t tlen;
			const char *text;
			if (!candidate_text(r, hits, i, &text, &tlen))
				goto out;
			if (!ws_verify_groups(&r->verifier, text, tlen, &groups, &vetoed)) {
				ws_fail(r->err, "search failed: %s", r->verifier.err);
				goto out;
			}
		} else {
			for (size_t u = 0; u < nu; u++)
				unit_row[u] = present[u * n + i];
			ws_verify_tally(&r->verifier, unit_row, &groups, &vetoed);
		}
		if (!vetoed && groups)
			c[nc++] = (cand){i, groups, xq_hits_score(hits, i)};
	}
	qsort(c, nc, sizeof *c, cmp_cand);
	for (size_t k = 0; k < nc; k++) {
		bool over = false;
		if (collapse && !engine_tally_take(r, hits, c[k].i, collapse, &tally, &over))
			goto out;
		if (!over)
			kept[nkept++] = c[k].i;
	}
	res->relaxed = nkept > 0;
	res->matched = nkept ? WS_MATCHED_SOME : WS_MATCHED_ALL;
	res->estimated = xq_hits_estimated(hits);
	if (res->estimated < nkept || n < max)
		res->estimated = (unsigned)nkept;
	ok = engine_collect_checked(r, hits, kept, nkept, res);
out:
	engine_tally_clear(&tally);
	free(c);
	free(kept);
	free(present);
	free(unit_row);
	xq_hits_free(hits);
	xq_query_free(xq);
	return ok;
}
