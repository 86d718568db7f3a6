/* engine.c - parse, run, relax, and assemble hits (see engine.h). */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "match.h"
#include "qbuild.h"
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
	char **err;
} run;

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
	} else {
		h->line = h->first_line;
		h->column = 1 + (unsigned)get_int(o, WS_DATA_LINE_OFFSET);
		h->column_char = 1 + (unsigned)get_int(o, WS_DATA_LINE_OFFSET_CHARS);
	}
	if (!ws_snippet_make(text, tlen, r->matches.v, r->matches.n, &h->snippet)) {
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
	if (st != XQ_OK)
		return ws_fail(r->err, "search failed: %s (%s)", xq_db_error(r->ix->db),
		               xq_status_to_string(st));
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
		const char *data = xq_hits_data(hits, i, &len);
		if (!data)
			return ws_fail(r->err, "cannot read a passage: %s", xq_last_error());
		if (!make_hit(r, data, len, xq_hits_score(hits, i), &res->hits[res->nhits]))
			return false;
		res->hits[res->nhits].rank = rank0 + (unsigned)i;
		res->nhits++;
	}
	return true;
}

static int cmp_relaxed(const void *a, const void *b)
{
	const ws_hit *x = a, *y = b;
	if (x->groups != y->groups)
		return x->groups > y->groups ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* A test on hit i of res; the hits kept so far are res->hits[0..kept). */
typedef bool keep_fn(const run *r, const ws_result *res, size_t i, size_t kept, const void *ud);

/* Keep the hits that pass keep, in order; free the others. */
static void filter_hits(const run *r, ws_result *res, keep_fn *keep, const void *ud)
{
	size_t w = 0;
	for (size_t i = 0; i < res->nhits; i++) {
		if (keep(r, res, i, w, ud))
			res->hits[w++] = res->hits[i];
		else
			hit_clear(&res->hits[i]);
	}
	res->nhits = w;
}

/* A checked candidate: no excluded unit, and (unless relaxed) every
 * positive group. */
static bool keep_checked(const run *r, const ws_result *res, size_t i, size_t kept, const void *ud)
{
	const ws_hit *h = &res->hits[i];
	bool relaxed = *(const bool *)ud;
	(void)kept;
	/* Relaxed, a passage must still really hold one unit: its bigrams
	 * scattered about are no match. */
	return !h->vetoed && h->groups >= (relaxed ? 1 : r->npositive);
}

/* At most max hits per file (Xapian's collapsing, done here when the
 * candidates had to be checked first). */
static bool keep_per_file(const run *r, const ws_result *res, size_t i, size_t kept, const void *ud)
{
	unsigned max = *(const unsigned *)ud, seen = 0;
	(void)r;
	for (size_t j = 0; j < kept; j++)
		if (!strcmp(res->hits[j].path, res->hits[i].path))
			seen++;
	return seen < max;
}

/* Hits [offset, offset + limit) of the whole list. */
static bool keep_page(const run *r, const ws_result *res, size_t i, size_t kept, const void *ud)
{
	(void)res, (void)kept, (void)ud;
	return i >= r->req->offset && i - r->req->offset < r->limit;
}

/* Run xq for candidates [0, max) with no Xapian collapsing, and reduce
 * them here: check, rank by units matched, collapse, page.  Only relaxed
 * runs come here: their passages hold some units, not all, which the
 * verifier would refuse. */
static bool candidates(run *r, const xq_query *xq, unsigned max, bool relaxed, ws_result *res)
{
	xq_hits *hits = NULL;
	bool ok = false;

	if (!run_query(r, xq, 0, max, &hits) || !collect(r, hits, 1, res))
		goto out;
	unsigned fetched = (unsigned)xq_hits_count(hits), est = xq_hits_estimated(hits);
	if (r->check)
		filter_hits(r, res, keep_checked, &relaxed);
	if (relaxed) {
		qsort(res->hits, res->nhits, sizeof *res->hits, cmp_relaxed);
		res->relaxed = res->nhits > 0;
	}
	unsigned collapse = r->req->mode == WS_MODE_FILES ? 1 : r->req->per_doc;
	if (r->check && collapse)
		filter_hits(r, res, keep_per_file, &collapse);
	/* Past the candidates fetched, matches are unchecked estimates. */
	res->count = (unsigned)res->nhits;
	res->estimated = (unsigned)res->nhits + (est > fetched ? est - fetched : 0);
	if (!r->check || relaxed)
		res->estimated = est;
	if (r->req->mode != WS_MODE_COUNT)
		filter_hits(r, res, keep_page, NULL);
	for (size_t i = 0; i < res->nhits; i++)
		res->hits[i].rank = r->req->offset + (unsigned)i + 1;
	ok = true;
out:
	xq_hits_free(hits);
	return ok;
}

/* Nothing had every unit: fetch passages with any, rank by units matched. */
static bool relax(run *r, const ws_filters *f, ws_result *res)
{
	xq_query *xq = NULL;
	bool none = false;
	unsigned want = r->req->offset + r->limit;
	unsigned max = want > WS_RELAX_CANDIDATES ? want : WS_RELAX_CANDIDATES;

	if (!ws_query_build(r->q, f, r->ix, true, &xq, &none, r->err))
		return false;
	if (r->check && xq_enquire_set_decider(r->enq, NULL, NULL) != XQ_OK) {
		xq_query_free(xq);
		return ws_fail(r->err, "cannot search: %s", xq_last_error());
	}
	unsigned collapse = r->req->mode == WS_MODE_FILES ? 1 : r->req->per_doc;
	if (r->check && collapse && xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, 0) != XQ_OK) {
		xq_query_free(xq);
		return ws_fail(r->err, "cannot search: %s", xq_last_error());
	}
	bool ok = none || candidates(r, xq, max, true, res);
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

/* Hits [offset, offset + limit) of the candidates that pass the verifier,
 * at most collapse per file (0: no limit), into res. */
static bool collect_checked(run *r, xq_hits *hits, const size_t *kept, size_t nkept, ws_result *res)
{
	size_t first = r->req->offset < nkept ? r->req->offset : nkept;
	size_t n = nkept - first < r->limit ? nkept - first : r->limit;
	res->hits = calloc(n ? n : 1, sizeof *res->hits);
	if (!res->hits)
		return ws_fail(r->err, "out of memory");
	for (size_t k = 0; k < n; k++) {
		size_t i = kept[first + k], len = 0;
		const char *data = xq_hits_data(hits, i, &len);
		if (!data)
			return ws_fail(r->err, "cannot read a passage: %s", xq_last_error());
		if (!make_hit(r, data, len, xq_hits_score(hits, i), &res->hits[res->nhits]))
			return false;
		res->hits[res->nhits].rank = r->req->offset + (unsigned)k + 1;
		res->nhits++;
	}
	return true;
}

/* Does candidate i of hits exceed collapse passages of its file among
 * the kept ones? */
static bool over_collapse(xq_hits *hits, const size_t *kept, size_t nkept, size_t i, unsigned collapse)
{
	size_t len = 0, l2 = 0;
	const char *file = xq_hits_value(hits, i, WS_SLOT_FILE, &len);
	unsigned seen = 0;
	for (size_t k = 0; file && k < nkept && seen < collapse; k++) {
		const char *f2 = xq_hits_value(hits, kept[k], WS_SLOT_FILE, &l2);
		seen += f2 && l2 == len && !memcmp(f2, file, len);
	}
	return seen >= collapse;
}

/* A query with approximate units (verify.h): take Xapian's candidates in
 * rank order and keep those the verifier passes, fetching more only when
 * too few pass.  Nearly every candidate of a Han run does pass, so this
 * reads little more than the hits themselves: inside the match (an xq
 * decider) the check would run on every candidate that ties with the
 * last hit, hundreds where a report is indexed more than once. */
static bool checked(run *r, const xq_query *xq, ws_result *res, bool *empty)
{
	const ws_request *req = r->req;
	unsigned collapse = req->mode == WS_MODE_FILES ? 1 : req->per_doc;
	size_t want = (size_t)req->offset + r->limit;
	size_t max = want * 2 + 16, nkept = 0, seen = 0;
	size_t *kept = NULL;
	xq_hits *hits = NULL;
	bool ok = false, exhausted = false;

	if (max > r->ix->doccount)
		max = r->ix->doccount;
	if (xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, 0) != XQ_OK) {
		ws_fail(r->err, "cannot search: %s", xq_last_error());
		goto out;
	}
	for (;;) {
		if (!run_query(r, xq, 0, (unsigned)max, &hits))
			goto out;
		size_t n = xq_hits_count(hits);
		size_t *k2 = realloc(kept, (n ? n : 1) * sizeof *kept);
		if (!k2) {
			ws_fail(r->err, "out of memory");
			goto out;
		}
		kept = k2;
		nkept = 0;
		for (seen = 0; seen < n && nkept < want; seen++) {
			size_t len = 0;
			const char *data = xq_hits_data(hits, seen, &len);
			if (!data) {
				ws_fail(r->err, "cannot read a passage: %s", xq_last_error());
				goto out;
			}
			if (!ws_verify_data(&r->verifier, data, len)) {
				if (r->verifier.err) {
					ws_fail(r->err, "search failed: %s", r->verifier.err);
					goto out;
				}
				continue;
			}
			if (collapse && over_collapse(hits, kept, nkept, seen, collapse))
				continue;
			kept[nkept++] = seen;
		}
		exhausted = n < max;
		if (nkept >= want || exhausted || max >= r->ix->doccount)
			break;
		xq_hits_free(hits);
		hits = NULL;
		max = max * 4 > r->ix->doccount ? r->ix->doccount : max * 4;
	}
	/* Past the candidates checked, Xapian's estimate scaled by how many
	 * of those passed. */
	unsigned est = xq_hits_estimated(hits);
	if (exhausted && seen == xq_hits_count(hits))
		res->estimated = (unsigned)nkept;
	else if (seen && est > seen)
		res->estimated = (unsigned)nkept + (unsigned)((double)(est - seen) * r->verifier.accepted / r->verifier.checked);
	else
		res->estimated = (unsigned)nkept;
	*empty = nkept == 0;
	ok = collect_checked(r, hits, kept, nkept, res);
out:
	free(kept);
	xq_hits_free(hits);
	return ok;
}

static bool search(run *r, ws_result *res)
{
	const ws_request *req = r->req;
	ws_filters f = {req->year, req->since, req->until, req->sources, req->nsources};
	bool has_filters = req->year || req->since || req->until || req->nsources;
	xq_query *xq = NULL;
	bool none = false, ok = false, empty = false;

	if (!ws_query_parse(req->query, req->query_len, &r->q, r->err) ||
	    !ws_query_analyse(r->q, r->ix->analyzer, has_filters, r->err) ||
	    !ws_query_build(r->q, &f, r->ix, false, &xq, &none, r->err))
		return false;
	if (none || !r->ix->doccount) {
		xq_query_free(xq);
		return true;
	}
	r->check = ws_query_needs_check(r->q);
	r->npositive = ws_query_positive_groups(r->q);
	r->limit = req->limit ? req->limit : r->ix->doccount;

	if (xq_enquire_new(r->ix->db, &r->enq) != XQ_OK) {
		ws_fail(r->err, "cannot search: %s", xq_last_error());
		goto out;
	}
	unsigned collapse = req->mode == WS_MODE_FILES ? 1 : req->per_doc;
	if (collapse && xq_enquire_set_collapse(r->enq, WS_SLOT_FILE, collapse) != XQ_OK) {
		ws_fail(r->err, "cannot search: %s", xq_last_error());
		goto out;
	}
	if (r->check)
		ws_verifier_init(&r->verifier, r->q, r->ix->analyzer);
	if (r->check && req->mode != WS_MODE_COUNT) {
		if (!checked(r, xq, res, &empty))
			goto out;
	} else {
		/* A count checks every candidate, inside Xapian's match. */
		if (r->check && xq_enquire_set_decider(r->enq, ws_verify_data, &r->verifier) != XQ_OK) {
			ws_fail(r->err, "cannot search: %s", xq_last_error());
			goto out;
		}
		if (!exact(r, xq, res, &empty))
			goto out;
	}
	if (empty && req->mode != WS_MODE_COUNT && r->npositive >= 2) {
		ok = relax(r, &f, res);
		goto out;
	}
	ok = true;
out:
	xq_query_free(xq);
	return ok;
}

bool ws_search(ws_index *ix, const ws_request *req, ws_result **out, char **err)
{
	double t0 = now_ms();
	run r = {.ix = ix, .req = req, .err = err};
	ws_result *res = calloc(1, sizeof *res);

	*out = NULL;
	if (!res)
		return ws_fail(err, "out of memory");
	bool ok = search(&r, res);
	ws_query_free(r.q);
	xq_enquire_free(r.enq);
	ws_matches_free(&r.matches);
	ws_verifier_free(&r.verifier);
	if (!ok) {
		if (err && !*err)
			ws_fail(err, "out of memory");
		ws_result_free(res);
		return false;
	}
	res->elapsed_ms = now_ms() - t0;
	*out = res;
	return true;
}
