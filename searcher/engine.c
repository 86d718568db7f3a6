/* engine.c - parse, run, relax, and assemble hits (see engine.h). */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "match.h"
#include "qbuild.h"
#include "question.h"
#include "query.h"
#include "schema.h"
#include "text.h"
#include "verify.h"

/* What one search carries around. */
typedef struct run {
	ws_index *ix;
	const ws_request *req;
	ws_query *q;
	xq_enquire *enq;
	ws_matches matches; /* scratch, reused per passage */
	bool check;         /* candidates must be checked (ws_query_needs_check) */
	ws_verifier verifier; /* the check, inside Xapian's match (verify.h) */
	unsigned npositive; /* groups of positive text units */
	unsigned limit;     /* hits wanted (the request's, or all) */
	bool text_only;     /* a relaxed ranking counts units in the text only,
	                       not in the section's heading (questions) */
	char **err;
	xq_status xst;      /* the failed xq call's status, if one ended the run */
} run;

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

static void hit_clear(ws_hit *h)
{
	free(h->path);
	free(h->title);
	free(h->source);
	free(h->section);
	free(h->page_label);
	ws_snippet_free(&h->snippet);
	memset(h, 0, sizeof *h);
}

void ws_result_free(ws_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nhits; i++)
		hit_clear(&r->hits[i]);
	free(r->hits);
	free(r);
}

static char *get_str(json_t *o, const char *key, bool null_if_empty)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s || (null_if_empty && !*s))
		return null_if_empty ? NULL : strdup("");
	return strdup(s);
}

static int get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return 0;
	json_int_t i = json_integer_value(v);
	return i > 0 && i < 1000000000 ? (int)i : 0;
}

/* Line and columns of byte offset at in text, whose first line is first
 * and which starts line_offset bytes (line_offset_chars characters) into
 * that line of the file: a very long line is split into several passages. */
static void locate(const char *text, size_t at, unsigned first, size_t line_offset, size_t line_offset_chars,
                   ws_hit *h)
{
	size_t line_start = 0;
	unsigned line = first;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	h->line = line;
	h->column = (unsigned)(at - line_start + 1);
	h->column_char = (unsigned)(ws_utf8_count(text + line_start, at - line_start) + 1);
	if (line == first) {
		h->column += (unsigned)line_offset;
		h->column_char += (unsigned)line_offset_chars;
	}
}

/* Record a failed xq call: its status, for ws_search's retry, and its
 * message under what.  Returns false. */
static bool xq_failed(run *r, xq_status st, const char *what)
{
	r->xst = st;
	return ws_fail(r->err, "%s: %s", what, xq_last_error());
}

/* The data of hit i of hits, or false (see xq_failed). */
static bool hit_data(run *r, xq_hits *hits, size_t i, const char **data, size_t *len)
{
	xq_status st = xq_hits_data(hits, i, data, len);
	return st == XQ_OK || xq_failed(r, st, "cannot read a passage");
}

/* Fill h from a passage's data (the JSON of schema.h). */
static bool make_hit(run *r, const char *data, size_t len, double score, ws_hit *h)
{
	size_t json_len, tlen;
	const char *text = ws_passage_text(data, data ? len : 0, &json_len, &tlen);
	json_t *o = json_loadb(data ? data : "", json_len, 0, NULL);
	bool ok = false;

	memset(h, 0, sizeof *h);
	h->score = score;
	h->path = get_str(o, WS_DATA_PATH, false);
	h->title = get_str(o, WS_DATA_TITLE, true);
	h->source = get_str(o, WS_DATA_SOURCE, true);
	h->section = get_str(o, WS_DATA_SECTION, false);
	h->year = get_int(o, WS_DATA_YEAR);
	h->page = get_int(o, WS_DATA_PAGE);
	h->page_label = h->page ? get_str(o, WS_DATA_PAGE_LABEL, true) : NULL;
	json_t *lines = json_object_get(o, WS_DATA_LINES);
	if (json_is_array(lines) && json_array_size(lines) == 2) {
		json_int_t a = json_integer_value(json_array_get(lines, 0));
		json_int_t b = json_integer_value(json_array_get(lines, 1));
		h->first_line = a > 0 && a < 2000000000 ? (unsigned)a : 1;
		h->last_line = b >= a && b < 2000000000 ? (unsigned)b : h->first_line;
	} else {
		h->first_line = h->last_line = 1;
	}
	if (!h->path || !h->section) {
		ws_fail(r->err, "out of memory");
		goto out;
	}

	if (!ws_match_passage(r->q, r->ix->analyzer, text, tlen, h->first_line, r->check, &r->matches, r->err))
		goto out;
	h->vetoed = ws_matches_drop_excluded(&r->matches) > 0;
	h->groups = ws_matches_groups(&r->matches, r->q->ngroups);
	if (r->matches.n) {
		locate(text, r->matches.v[0].start, h->first_line, (size_t)get_int(o, WS_DATA_LINE_OFFSET),
		       (size_t)get_int(o, WS_DATA_LINE_OFFSET_CHARS), h);
		/* text extracted from markup: its lines are not the file's */
		json_t *map = json_object_get(o, WS_DATA_LINE_MAP);
		json_t *at = json_is_array(map) ? json_array_get(map, h->line - h->first_line) : NULL;
		if (json_is_integer(at) && json_integer_value(at) > 0 && json_integer_value(at) < 2000000000)
			h->line = (unsigned)json_integer_value(at);
	} else {
		h->line = h->first_line;
		h->column = 1 + (unsigned)get_int(o, WS_DATA_LINE_OFFSET);
		h->column_char = 1 + (unsigned)get_int(o, WS_DATA_LINE_OFFSET_CHARS);
	}
	const char *kind = json_string_value(json_object_get(o, WS_DATA_KIND));
	for (unsigned k = 1; kind && k < WS_KINDS; k++)
		if (!strcmp(kind, ws_kind_name(k)))
			h->kind = k;
	size_t head = (size_t)get_int(o, WS_DATA_HEAD);
	if (!ws_snippet_make_passage(text, tlen, head, r->matches.v, r->matches.n, &h->snippet)) {
		ws_fail(r->err, "out of memory");
		goto out;
	}
	ok = true;
out:
	json_decref(o);
	return ok;
}

static bool run_query(run *r, const xq_query *xq, unsigned first, unsigned max, xq_hits **hits)
{
	xq_status st = xq_enquire_set_query(r->enq, xq);
	if (st == XQ_OK)
		st = xq_enquire_run(r->enq, first, max, hits);
	if (st != XQ_OK) {
		r->xst = st;
		return ws_fail(r->err, "search failed: %s (%s)", xq_db_error(r->ix->db),
		               xq_status_to_string(st));
	}
	if (r->verifier.err) {
		xq_hits_free(*hits);
		*hits = NULL;
		return ws_fail(r->err, "search failed: %s", r->verifier.err);
	}
	return true;
}

/* Turn hits[0..n) into res->hits, ranks starting at rank0. */
static bool collect(run *r, xq_hits *hits, unsigned rank0, ws_result *res)
{
	size_t n = xq_hits_count(hits);
	/* A relaxed run replaces what a first run found. */
	for (size_t i = 0; i < res->nhits; i++)
		hit_clear(&res->hits[i]);
	free(res->hits);
	res->nhits = 0;
	res->hits = calloc(n ? n : 1, sizeof *res->hits);
	if (!res->hits)
		return ws_fail(r->err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		const char *data;
		if (!hit_data(r, hits, i, &data, &len))
			return false;
		if (!make_hit(r, data, len, xq_hits_score(hits, i), &res->hits[res->nhits]))
			return false;
		res->hits[res->nhits].rank = rank0 + (unsigned)i;
		res->nhits++;
	}
	return true;
}

/* Hits [offset, offset + limit) of the candidates that pass the verifier,
 * at most collapse per file (0: no limit), into res. */
static bool collect_checked(run *r, xq_hits *hits, const size_t *kept, size_t nkept, ws_result *res)
{
	size_t first = r->req->offset < nkept ? r->req->offset : nkept;
	size_t n = nkept - first < r->limit ? nkept - first : r->limit;
	/* A relaxed run replaces what a first run found. */
	for (size_t i = 0; i < res->nhits; i++)
		hit_clear(&res->hits[i]);
	free(res->hits);
	res->nhits = 0;
	res->hits = calloc(n ? n : 1, sizeof *res->hits);
	if (!res->hits)
		return ws_fail(r->err, "out of memory");
	for (size_t k = 0; k < n; k++) {
		size_t i = kept[first + k], len = 0;
		const char *data;
		if (!hit_data(r, hits, i, &data, &len))
			return false;
		if (!make_hit(r, data, len, xq_hits_score(hits, i), &res->hits[res->nhits]))
			return false;
		res->hits[res->nhits].rank = r->req->offset + (unsigned)k + 1;
		res->nhits++;
	}
	return true;
}

/* Would candidate i of hits exceed collapse passages of its file among
 * the kept ones?  The answer in *over; false if a value cannot be read
 * (see xq_failed). */
static bool over_collapse(run *r, xq_hits *hits, const size_t *kept, size_t nkept, size_t i, unsigned collapse,
                          bool *over)
{
	size_t len = 0, l2 = 0;
	const char *file, *f2;
	xq_status st = xq_hits_value(hits, i, WS_SLOT_FILE, &file, &len);
	unsigned seen = 0;
	for (size_t k = 0; st == XQ_OK && k < nkept && seen < collapse; k++) {
		st = xq_hits_value(hits, kept[k], WS_SLOT_FILE, &f2, &l2);
		seen += st == XQ_OK && l2 == len && !memcmp(f2, file, len);
	}
	if (st != XQ_OK)
		return xq_failed(r, st, "cannot read a passage");
	*over = seen >= collapse;
	return true;
}

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
				size_t len = 0, tlen;
				const char *data;
				if (!hit_data(r, hits, i, &data, &len))
					goto out;
				size_t json_len;
				const char *text = r->text_only ? ws_passage_text(data, len, &json_len, &tlen)
				                                : ws_verify_view(&r->verifier, data, len, &tlen);
				row[i] = ws_verify_unit(&r->verifier, unit, text, tlen);
			}
		} else if (ws_unit_presence(unit) == WS_PRESENCE_TERMS) {
			const char *t[2];
			size_t tl[2], nt = ws_unit_terms(unit, t, tl);
			memset(marks, 0, n * sizeof *marks);
			for (size_t k = 0; k < (r->text_only ? nt : nt * 2); k++) {
				/* the term in the text, then in the section's heading */
				char ht[WS_TERM_MAX_BYTES + 8];
				size_t hl = strlen(WS_PREFIX_SECTION), tk = tl[k % nt];
				if (k >= nt && tk + hl > WS_TERM_MAX_BYTES)
					continue;
				if (k >= nt) {
					memcpy(ht, WS_PREFIX_SECTION, hl);
					memcpy(ht + hl, t[k % nt], tk);
				}
				xq_status st = k < nt ? xq_db_mark_term(r->ix->db, t[k], tl[k], sorted, n, marks)
				                      : xq_db_mark_term(r->ix->db, ht, tk + hl, sorted, n, marks);
				if (st != XQ_OK) {
					xq_failed(r, st, "search failed");
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
static bool relax(run *r, const ws_filters *f, ws_result *res)
{
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
		xq_failed(r, st, "cannot search");
		goto out;
	}
	if (!run_query(r, xq, 0, max, &hits))
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
			size_t len = 0, tlen;
			const char *data;
			if (!hit_data(r, hits, i, &data, &len))
				goto out;
			size_t json_len;
			const char *text = r->text_only ? ws_passage_text(data, len, &json_len, &tlen)
			                                : ws_verify_view(&r->verifier, data, len, &tlen);
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
		if (collapse && !over_collapse(r, hits, kept, nkept, c[k].i, collapse, &over))
			goto out;
		if (!over)
			kept[nkept++] = c[k].i;
	}
	res->relaxed = nkept > 0;
	res->matched = nkept ? WS_MATCHED_SOME : WS_MATCHED_ALL;
	res->estimated = xq_hits_estimated(hits);
	if (res->estimated < nkept || n < max)
		res->estimated = (unsigned)nkept;
	ok = collect_checked(r, hits, kept, nkept, res);
out:
	free(c);
	free(kept);
	free(present);
	free(unit_row);
	xq_hits_free(hits);
	xq_query_free(xq);
	return ok;
}

/* Xapian's matches are the query's (with the verifier deciding, when the
 * query has approximate units). */
static bool exact(run *r, const xq_query *xq, ws_result *res, bool *empty)
{
	const ws_request *req = r->req;
	xq_hits *hits = NULL;
	bool ok = false;

	if (req->mode == WS_MODE_COUNT) {
		if (!run_query(r, xq, 0, r->ix->doccount, &hits))
			goto out;
		res->count = (unsigned)xq_hits_count(hits);
		res->estimated = res->count;
		*empty = false; /* counts are never relaxed */
		ok = true;
		goto out;
	}
	if (!run_query(r, xq, req->offset, r->limit, &hits))
		goto out;
	*empty = xq_hits_count(hits) == 0;
	res->estimated = xq_hits_estimated(hits);
	if (*empty && req->offset) {
		/* Past the end of the hits, or no hits at all? */
		xq_hits_free(hits);
		hits = NULL;
		if (!run_query(r, xq, 0, 1, &hits))
			goto out;
		*empty = xq_hits_count(hits) == 0;
		res->estimated = xq_hits_estimated(hits);
		if (!*empty) {
			ok = true;
			goto out;
		}
	}
	ok = *empty || collect(r, hits, req->offset + 1, res);
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
	if (!hit_data(r, hits, i, &data, &len))
		return false;
	*pass = ws_verify_data(&r->verifier, data, len);
	if (r->verifier.err)
		return ws_fail(r->err, "search failed: %s", r->verifier.err);
	return true;
}

/* How many candidates the next round of checked() should fetch: enough,
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
static bool checked(run *r, const xq_query *xq, ws_result *res, bool *empty)
{
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
		xq_failed(r, st, "cannot search");
		goto out;
	}
	for (;;) {
		if (!run_query(r, xq, 0, (unsigned)max, &hits))
			goto out;
		size_t n = xq_hits_count(hits);
		if (prev && !same_prefix(prev, hits, seen)) {
			nkept = seen = 0;
			r->verifier.checked = r->verifier.accepted = 0;
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
			if (collapse && !over_collapse(r, hits, kept, nkept, seen, collapse, &over))
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
	if (exhausted && seen == xq_hits_count(hits))
		res->estimated = (unsigned)nkept;
	else if (seen && est > seen) {
		double rate;
		if (!tail_rate(r, hits, seen, &rate))
			goto out;
		res->estimated = (unsigned)nkept + (unsigned)((double)(est - seen) * rate);
	} else
		res->estimated = (unsigned)nkept;
	*empty = nkept == 0;
	ok = collect_checked(r, hits, kept, nkept, res);
out:
	free(kept);
	xq_hits_free(prev);
	xq_hits_free(hits);
	return ok;
}

/* Drop what earlier strategies found. */
static void result_clear(ws_result *res)
{
	for (size_t i = 0; i < res->nhits; i++)
		hit_clear(&res->hits[i]);
	free(res->hits);
	res->hits = NULL;
	res->nhits = 0;
	res->estimated = 0;
	res->relaxed = false;
	res->matched = WS_MATCHED_ALL;
}

/* The query as written found nothing, or only some of its units: read
 * it as a question (question.h) and rank passages by how many of its
 * words they hold.  Keeps res as it is when the reading finds nothing
 * or changes nothing. */
static bool words(run *r, const ws_filters *f, ws_result *res)
{
	ws_query *wq = NULL;
	if (!ws_query_words(r->q, r->ix->analyzer, &wq, r->err))
		return false;
	if (!ws_query_analyse(wq, r->ix->analyzer, true, r->err) || !ws_query_positive_groups(wq)) {
		ws_query_free(wq);
		free(*r->err);
		*r->err = NULL;
		return true;
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
		ok = relax(&w, f, wr);
	else if ((ok = ws_query_build(wq, f, r->ix, false, &xq, &none, r->err)) && !none)
		ok = w.check ? checked(&w, xq, wr, &empty) : exact(&w, xq, wr, &empty);
	xq_query_free(xq);
	r->xst = w.xst;
	if (ok && wr->nhits) {
		result_clear(res);
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

static bool search(run *r, ws_result *res)
{
	const ws_request *req = r->req;
	ws_filters f = {req->year, req->since, req->until, req->sources, req->nsources, req->all_kinds};
	bool has_filters = req->year || req->since || req->until || req->nsources;
	xq_query *xq = NULL;
	bool none = false, ok = false, empty = false;

	if (!ws_query_parse(req->query, req->query_len, &r->q, r->err) ||
	    !ws_query_analyse(r->q, r->ix->analyzer, has_filters, r->err))
		return false;
	if (req->partial)
		ws_query_mark_partial(r->q);
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
	if (st != XQ_OK) {
		xq_failed(r, st, "cannot search");
		goto out;
	}
	if (r->check)
		ws_verifier_init(&r->verifier, r->q, r->ix->analyzer);
	if (r->check && req->mode != WS_MODE_COUNT) {
		if (!checked(r, xq, res, &empty))
			goto out;
	} else {
		/* A count checks every candidate, inside Xapian's match. */
		if (r->check && (st = xq_enquire_set_decider(r->enq, ws_verify_data, &r->verifier)) != XQ_OK) {
			xq_failed(r, st, "cannot search");
			goto out;
		}
		if (!exact(r, xq, res, &empty))
			goto out;
	}
	if (empty && req->mode != WS_MODE_COUNT && r->npositive >= 2 && !relax(r, &f, res))
		goto out;
	if ((empty || res->relaxed) && req->mode != WS_MODE_COUNT && !req->partial && ws_query_is_question(r->q)) {
		ok = words(r, &f, res);
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
	bool ok = search(&r, res);
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
