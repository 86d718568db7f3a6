/*
 * test_xq.c - unit tests of the C API over Xapian (xq.h).
 *
 * The group setup builds a small fixture index in a fresh temporary
 * directory; tests that write get their own database beside it.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "schema.h"
#include "tmpdir.h"
#include "xq.h"

static char fixture[PATH_MAX + 16];

enum { SLOT_YEAR = 0, SLOT_FILE = 1 };

/* ------------------------------------------------------------------ */
/* Helpers                                                              */


/* A document whose words (separated by single spaces) get positions 1, 2,
 * ...; plus an id term "Q<id>", a year filter term "Y<year>", the year as
 * a sortable value and file as the collapse value. */
static xq_doc *make_doc(const char *id, const char *words, int year, const char *file)
{
	xq_doc *doc = xq_doc_new();
	assert_non_null(doc);
	unsigned pos = 1;
	const char *p = words;
	while (*p) {
		size_t n = strcspn(p, " ");
		assert_int_equal(xq_doc_add_posting(doc, p, n, pos++, 1), XQ_OK);
		p += n;
		p += strspn(p, " ");
	}
	char term[64];
	snprintf(term, sizeof term, "Q%s", id);
	assert_int_equal(xq_doc_add_boolean_term(doc, term, strlen(term)), XQ_OK);
	if (year) {
		snprintf(term, sizeof term, "Y%d", year);
		assert_int_equal(xq_doc_add_boolean_term(doc, term, strlen(term)), XQ_OK);
		char buf[18];
		size_t len = xq_sortable_serialise(year, buf);
		assert_int_equal(xq_doc_set_value(doc, SLOT_YEAR, buf, len), XQ_OK);
	}
	if (file)
		assert_int_equal(xq_doc_set_value(doc, SLOT_FILE, file, strlen(file)), XQ_OK);
	assert_int_equal(xq_doc_set_data(doc, id, strlen(id)), XQ_OK);
	return doc;
}

static void add_doc(xq_db *db, const char *id, const char *words, int year, const char *file)
{
	xq_doc *doc = make_doc(id, words, year, file);
	assert_int_equal(xq_db_add_document(db, doc, NULL), XQ_OK);
	xq_doc_free(doc);
}

static xq_db *open_ro(const char *path)
{
	xq_db *db = NULL;
	xq_status st = xq_db_open(path, &db);
	if (st != XQ_OK)
		fail_msg("open %s: %s", path, xq_last_error());
	return db;
}

static xq_db *open_rw(const char *path, xq_open_mode mode)
{
	xq_db *db = NULL;
	xq_status st = xq_db_open_writable(path, mode, &db);
	if (st != XQ_OK)
		fail_msg("open_writable %s: %s", path, xq_last_error());
	return db;
}

static unsigned doccount(xq_db *db)
{
	unsigned n = 0;
	assert_int_equal(xq_db_doccount(db, &n), XQ_OK);
	return n;
}

static unsigned doccount_at(const char *path)
{
	xq_db *db = open_ro(path);
	unsigned n = doccount(db);
	xq_db_close(db);
	return n;
}

static xq_query *term(const char *t)
{
	xq_query *q = NULL;
	assert_int_equal(xq_query_term(t, strlen(t), 1, 0, &q), XQ_OK);
	return q;
}

static xq_query *combine2(xq_op op, xq_query *a, xq_query *b, unsigned window)
{
	xq_query *subs[2] = {a, b};
	xq_query *q = NULL;
	assert_int_equal(xq_query_combine(op, subs, 2, window, &q), XQ_OK);
	xq_query_free(a);
	xq_query_free(b);
	return q;
}

/* How many documents of db are indexed by t (a search for it). */
static unsigned term_count(xq_db *db, const char *t, size_t len)
{
	xq_query *q = NULL;
	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	assert_int_equal(xq_query_term(t, len, 1, 0, &q), XQ_OK);
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	xq_status st = xq_enquire_run(enq, 0, 100000, &hits);
	if (st != XQ_OK)
		fail_msg("run: %s", xq_last_error());
	unsigned n = (unsigned)xq_hits_count(hits);
	xq_hits_free(hits);
	xq_enquire_free(enq);
	xq_query_free(q);
	return n;
}

static unsigned term_count_s(xq_db *db, const char *t)
{
	return term_count(db, t, strlen(t));
}

/* Run q (freed here) on db and write the hits' data, sorted, space-separated,
 * into out, e.g. "d1 d3". */
static void run_ids(xq_db *db, xq_query *q, unsigned collapse_max, char *out, size_t size)
{
	xq_enquire *enq = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	if (collapse_max)
		assert_int_equal(xq_enquire_set_collapse(enq, SLOT_FILE, collapse_max), XQ_OK);
	xq_hits *hits = NULL;
	xq_status st = xq_enquire_run(enq, 0, 100, &hits);
	if (st != XQ_OK)
		fail_msg("run: %s", xq_last_error());
	size_t n = xq_hits_count(hits);
	const char *ids[100];
	assert_true(n <= 100);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(xq_hits_data(hits, i, &ids[i], NULL), XQ_OK);
		assert_non_null(ids[i]);
	}
	/* Insertion sort: a stable order independent of ranking. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, ids[i], size - strlen(out) - 1);
	}
	xq_hits_free(hits);
	xq_enquire_free(enq);
	xq_query_free(q);
}


/* ------------------------------------------------------------------ */
/* Fixture                                                              */

static int group_setup(void **state)
{
	(void)state;
	if (tmpdir_make("test_xq") != 0)
		return -1;
	snprintf(fixture, sizeof fixture, "%s/fixture", tmpdir);

	xq_db *db = NULL;
	if (xq_db_open_writable(fixture, XQ_CREATE_OR_OVERWRITE, &db) != XQ_OK)
		return -1;
	add_doc(db, "d1", "digital divide bridge", 2021, "fileA");
	add_doc(db, "d2", "bridge the digital divide", 2022, "fileA");
	add_doc(db, "d3", "divide digital", 2023, "fileB");
	add_doc(db, "d4", "data flows across borders", 2024, "fileC");
	xq_status st = xq_db_commit(db);
	xq_db_close(db);
	return st == XQ_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return tmpdir_remove();
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */

static void test_status_strings(void **state)
{
	(void)state;
	for (int s = XQ_OK; s <= XQ_ERR_INTERNAL; s++) {
		const char *str = xq_status_to_string((xq_status)s);
		assert_non_null(str);
		assert_true(strlen(str) > 0);
	}
	assert_string_equal(xq_status_to_string(XQ_ERR_LOCKED), "database is locked");
}

static void test_term_query(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	assert_int_equal(doccount(db), 4);
	assert_int_equal(term_count_s(db, "digital"), 3);
	assert_int_equal(term_count_s(db, "absent"), 0);
	unsigned tf = 99;
	assert_int_equal(xq_db_termfreq(db, "digital", 7, &tf), XQ_OK);
	assert_int_equal(tf, 3);
	assert_int_equal(xq_db_termfreq(db, "Qd2", 3, &tf), XQ_OK);
	assert_int_equal(tf, 1);
	tf = 99;
	assert_int_equal(xq_db_termfreq(db, "absent", 6, &tf), XQ_OK);
	assert_int_equal(tf, 0);
	/* Terms no document can have: none, not every document. */
	tf = 99;
	assert_int_equal(xq_db_termfreq(db, "", 0, &tf), XQ_OK);
	assert_int_equal(tf, 0);
	char big[XQ_MAX_TERM_BYTES + 1];
	memset(big, 'x', sizeof big);
	assert_int_equal(xq_db_termfreq(db, big, sizeof big, &tf), XQ_OK);
	assert_int_equal(tf, 0);
	assert_int_equal(xq_db_termfreq(db, "digital", 7, NULL), XQ_ERR_INVALID);

	char ids[64];
	run_ids(db, term("digital"), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3");

	/* Ranked hits with scores, an estimate, data and values. */
	xq_enquire *enq = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *q = term("flows");
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	xq_query_free(q);
	xq_hits *hits = NULL;
	assert_int_equal(xq_enquire_run(enq, 0, 10, &hits), XQ_OK);
	assert_int_equal(xq_hits_count(hits), 1);
	assert_int_equal(xq_hits_estimated(hits), 1);
	assert_int_equal(xq_hits_docid(hits, 0), 4);
	assert_true(xq_hits_score(hits, 0) > 0);
	size_t len = 0;
	const char *data = NULL, *again = NULL, *value = NULL;
	assert_int_equal(xq_hits_data(hits, 0, &data, &len), XQ_OK);
	assert_string_equal(data, "d4");
	assert_int_equal(len, 2);
	/* Same pointer on the second call: it is owned by hits. */
	assert_int_equal(xq_hits_data(hits, 0, &again, NULL), XQ_OK);
	assert_ptr_equal(again, data);
	assert_int_equal(xq_hits_value(hits, 0, SLOT_FILE, &value, &len), XQ_OK);
	assert_string_equal(value, "fileC");
	assert_int_equal(len, 5);
	assert_int_equal(xq_hits_value(hits, 0, SLOT_FILE, &again, NULL), XQ_OK);
	assert_ptr_equal(again, value);
	/* No value in the slot: an empty string. */
	len = 99;
	assert_int_equal(xq_hits_value(hits, 0, 7, &value, &len), XQ_OK);
	assert_string_equal(value, "");
	assert_int_equal(len, 0);
	/* Past the last hit: refused, the out parameters cleared. */
	len = 99;
	assert_int_equal(xq_hits_data(hits, 1, &data, &len), XQ_ERR_INVALID);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_non_null(strstr(xq_last_error(), "out of range"));
	assert_int_equal(xq_hits_value(hits, 1, SLOT_FILE, &value, NULL), XQ_ERR_INVALID);
	assert_null(value);
	assert_int_equal(xq_hits_data(hits, 0, NULL, NULL), XQ_ERR_INVALID);
	assert_int_equal(xq_hits_docid(hits, 1), 0);
	xq_hits_free(hits);

	/* Paging past the end gives no hits, not an error. */
	assert_int_equal(xq_enquire_run(enq, 5, 10, &hits), XQ_OK);
	assert_int_equal(xq_hits_count(hits), 0);
	xq_hits_free(hits);
	xq_enquire_free(enq);

	/* Marking: d1..d3 have "digital", d4 "flows"; marks only add up. */
	unsigned ids4[] = {1, 2, 4};
	bool present[3] = {false, false, false};
	assert_int_equal(xq_db_mark_term(db, "flows", 5, ids4, 3, present), XQ_OK);
	assert_true(!present[0] && !present[1] && present[2]);
	assert_int_equal(xq_db_mark_term(db, "digital", 7, ids4, 3, present), XQ_OK);
	assert_true(present[0] && present[1] && present[2]);
	assert_int_equal(xq_db_mark_term(db, "absent", 6, ids4, 3, present), XQ_OK);
	unsigned unsorted[] = {4, 1};
	assert_int_equal(xq_db_mark_term(db, "digital", 7, unsorted, 2, present), XQ_ERR_INVALID);
	assert_non_null(strstr(xq_db_error(db), "increasing"));
	xq_db_close(db);
}

struct terms {
	char list[128];
	int calls;
	int stop_after;
};

static int terms_fn(const char *term, size_t len, unsigned freq, void *ud)
{
	struct terms *t = ud;
	char item[64];
	snprintf(item, sizeof item, "%s%.*s:%u", t->calls ? " " : "", (int)len, term, freq);
	strncat(t->list, item, sizeof t->list - strlen(t->list) - 1);
	return ++t->calls == t->stop_after;
}

static void test_terms_foreach(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	struct terms t = {.list = ""};
	assert_int_equal(xq_db_terms_foreach(db, "Q", terms_fn, &t), XQ_OK);
	assert_string_equal(t.list, "Qd1:1 Qd2:1 Qd3:1 Qd4:1");
	struct terms d = {.list = ""};
	assert_int_equal(xq_db_terms_foreach(db, "d", terms_fn, &d), XQ_OK);
	assert_string_equal(d.list, "data:1 digital:3 divide:3");
	/* A non-zero return stops the walk. */
	struct terms one = {.list = "", .stop_after = 1};
	assert_int_equal(xq_db_terms_foreach(db, NULL, terms_fn, &one), XQ_OK);
	assert_string_equal(one.list, "Qd1:1");
	struct terms none = {.list = ""};
	assert_int_equal(xq_db_terms_foreach(db, "zzz", terms_fn, &none), XQ_OK);
	assert_int_equal(none.calls, 0);
	assert_int_equal(xq_db_terms_foreach(db, "Q", NULL, NULL), XQ_ERR_INVALID);
	xq_db_close(db);
}

/* Rejects the document whose data is ud's string; counts its calls. */
typedef struct reject_one {
	const char *data;
	unsigned calls;
} reject_one;

static bool reject_decider(void *ud, const char *data, size_t len)
{
	reject_one *r = ud;
	r->calls++;
	return !(len == strlen(r->data) && !memcmp(data, r->data, len));
}

static void test_decider(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	reject_one r = {"d2", 0};
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *q = term("digital");
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	xq_query_free(q);
	assert_int_equal(xq_enquire_set_decider(enq, reject_decider, &r), XQ_OK);
	assert_int_equal(xq_enquire_run(enq, 0, 10, &hits), XQ_OK);
	/* d1 d2 d3 match; the decider takes d2 out, and the count with it. */
	assert_int_equal(xq_hits_count(hits), 2);
	assert_int_equal(xq_hits_estimated(hits), 2);
	assert_int_equal(r.calls, 3);
	for (size_t i = 0; i < xq_hits_count(hits); i++)
		assert_int_not_equal(xq_hits_docid(hits, i), 2);
	xq_hits_free(hits);

	/* Removed, every match is back. */
	assert_int_equal(xq_enquire_set_decider(enq, NULL, NULL), XQ_OK);
	r.calls = 0;
	assert_int_equal(xq_enquire_run(enq, 0, 10, &hits), XQ_OK);
	assert_int_equal(xq_hits_count(hits), 3);
	assert_int_equal(r.calls, 0);
	xq_hits_free(hits);
	xq_enquire_free(enq);
	assert_int_equal(xq_enquire_set_decider(NULL, reject_decider, &r), XQ_ERR_INVALID);
	xq_db_close(db);
}

static void test_phrase_and_near(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	char ids[64];
	/* d3 has both words but in the other order. */
	run_ids(db, combine2(XQ_OP_PHRASE, term("digital"), term("divide"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2");
	run_ids(db, combine2(XQ_OP_NEAR, term("digital"), term("divide"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3");
	/* "bridge ... divide" is 4 positions apart in d2 only when the window
	 * allows it. */
	run_ids(db, combine2(XQ_OP_PHRASE, term("bridge"), term("divide"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "");
	run_ids(db, combine2(XQ_OP_PHRASE, term("bridge"), term("divide"), 4), 0, ids, sizeof ids);
	assert_string_equal(ids, "d2");
	xq_db_close(db);
}

static void test_boolean_ops(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	char ids[64];
	run_ids(db, combine2(XQ_OP_AND_NOT, term("digital"), term("bridge"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d3");
	run_ids(db, combine2(XQ_OP_OR, term("bridge"), term("data"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d4");
	run_ids(db, combine2(XQ_OP_AND, term("bridge"), term("the"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d2");
	run_ids(db, combine2(XQ_OP_FILTER, term("digital"), term("Y2022"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d2");
	run_ids(db, combine2(XQ_OP_AND_MAYBE, term("divide"), term("data"), 0), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3");

	/* A filter adds no weight: d2 scores as for its term alone. */
	double alone = 0, filtered = 0;
	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *qs[2];
	qs[0] = term("bridge");
	qs[1] = combine2(XQ_OP_FILTER, term("bridge"), term("Y2022"), 0);
	double *scores[2] = {&alone, &filtered};
	for (int k = 0; k < 2; k++) {
		assert_int_equal(xq_enquire_set_query(enq, qs[k]), XQ_OK);
		xq_query_free(qs[k]);
		assert_int_equal(xq_enquire_run(enq, 0, 10, &hits), XQ_OK);
		for (size_t i = 0; i < xq_hits_count(hits); i++)
			if (xq_hits_docid(hits, i) == 2)
				*scores[k] = xq_hits_score(hits, i);
		xq_hits_free(hits);
	}
	assert_true(alone > 0);
	assert_true(filtered - alone < 1e-9 && alone - filtered < 1e-9);
	xq_enquire_free(enq);

	/* n == 0 and NULL subqueries are refused. */
	xq_query *out = (xq_query *)1;
	assert_int_equal(xq_query_combine(XQ_OP_AND, NULL, 0, 0, &out), XQ_ERR_INVALID);
	assert_null(out);
	xq_query *subs[2] = {NULL, NULL};
	assert_int_equal(xq_query_combine(XQ_OP_OR, subs, 2, 0, &out), XQ_ERR_INVALID);
	xq_db_close(db);
}

static xq_query *year_range(const int *lo, const int *hi)
{
	char lb[18], hb[18];
	size_t ll = lo ? xq_sortable_serialise(*lo, lb) : 0;
	size_t hl = hi ? xq_sortable_serialise(*hi, hb) : 0;
	xq_query *r = NULL;
	assert_int_equal(xq_query_value_range(SLOT_YEAR, lo ? lb : NULL, ll, hi ? hb : NULL, hl, &r), XQ_OK);
	xq_query *all = NULL;
	assert_int_equal(xq_query_match_all(&all), XQ_OK);
	return combine2(XQ_OP_FILTER, all, r, 0);
}

static void test_value_range(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	char ids[64];
	int y2022 = 2022, y2023 = 2023;
	run_ids(db, year_range(&y2022, &y2023), 0, ids, sizeof ids);
	assert_string_equal(ids, "d2 d3");
	run_ids(db, year_range(&y2023, NULL), 0, ids, sizeof ids);
	assert_string_equal(ids, "d3 d4");
	run_ids(db, year_range(NULL, &y2022), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2");
	run_ids(db, year_range(NULL, NULL), 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3 d4");

	/* The encoding sorts as the numbers do. */
	char a[18], b[18];
	size_t la = xq_sortable_serialise(999, a), lb = xq_sortable_serialise(2024.5, b);
	assert_true(la > 0 && la <= 18 && lb > 0 && lb <= 18);
	int c = memcmp(a, b, la < lb ? la : lb);
	assert_true(c < 0 || (c == 0 && la < lb));
	xq_db_close(db);
}

static void test_collapse(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	char ids[64];
	/* d1 and d2 share fileA: only one of them survives. */
	run_ids(db, term("digital"), 1, ids, sizeof ids);
	assert_true(strcmp(ids, "d1 d3") == 0 || strcmp(ids, "d2 d3") == 0);
	run_ids(db, term("digital"), 2, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3");
	xq_db_close(db);
}

static void test_wildcard(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	char ids[64];
	xq_query *q = NULL;
	assert_int_equal(xq_query_wildcard("bri", 3, 0, &q), XQ_OK);
	run_ids(db, q, 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2");
	/* "d" expands to data, digital, divide; limited to one term, the most
	 * frequent one (3 documents) is kept rather than failing. */
	assert_int_equal(xq_query_wildcard("d", 1, 1, &q), XQ_OK);
	run_ids(db, q, 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3");
	assert_int_equal(xq_query_wildcard("d", 1, 0, &q), XQ_OK);
	run_ids(db, q, 0, ids, sizeof ids);
	assert_string_equal(ids, "d1 d2 d3 d4");
	assert_int_equal(xq_query_wildcard("", 0, 0, &q), XQ_ERR_INVALID);
	assert_null(q);
	xq_db_close(db);
}

struct walk {
	char keys[128];
	int calls;
	int stop_after;
};

static int walk_fn(const char *key, const char *value, size_t len, void *ud)
{
	struct walk *w = ud;
	assert_int_equal(strlen(value), len);
	char item[64];
	snprintf(item, sizeof item, "%s%s=%s", w->calls ? " " : "", key, value);
	strncat(w->keys, item, sizeof w->keys - strlen(w->keys) - 1);
	return ++w->calls == w->stop_after;
}

static void test_metadata(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "meta");
	xq_db *db = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	assert_int_equal(xq_db_set_metadata(db, "cfg.b", "2", 1), XQ_OK);
	assert_int_equal(xq_db_set_metadata(db, "cfg.a", "1", 1), XQ_OK);
	assert_int_equal(xq_db_set_metadata(db, "other", "x", 1), XQ_OK);
	assert_int_equal(xq_db_set_metadata(db, "gone", "y", 1), XQ_OK);
	assert_int_equal(xq_db_commit(db), XQ_OK);
	assert_int_equal(xq_db_set_metadata(db, "gone", "", 0), XQ_OK);
	assert_int_equal(xq_db_commit(db), XQ_OK);
	xq_db_close(db);

	db = open_ro(path);
	char *v = NULL;
	size_t len = 99;
	assert_int_equal(xq_db_get_metadata(db, "cfg.a", &v, &len), XQ_OK);
	assert_string_equal(v, "1");
	assert_int_equal(len, 1);
	free(v);
	assert_int_equal(xq_db_get_metadata(db, "missing", &v, &len), XQ_OK);
	assert_string_equal(v, "");
	assert_int_equal(len, 0);
	free(v);
	assert_int_equal(xq_db_get_metadata(db, "gone", &v, NULL), XQ_OK);
	assert_string_equal(v, "");
	free(v);

	struct walk w = {.keys = "", .calls = 0, .stop_after = 0};
	assert_int_equal(xq_db_metadata_foreach(db, "cfg.", walk_fn, &w), XQ_OK);
	assert_string_equal(w.keys, "cfg.a=1 cfg.b=2");
	struct walk w1 = {.keys = "", .calls = 0, .stop_after = 1};
	assert_int_equal(xq_db_metadata_foreach(db, "", walk_fn, &w1), XQ_OK);
	assert_string_equal(w1.keys, "cfg.a=1");
	/* Read-only handles refuse writes. */
	assert_int_equal(xq_db_set_metadata(db, "k", "v", 1), XQ_ERR_INVALID);
	xq_db_close(db);
}

static void test_delete(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "delete");
	xq_db *db = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	add_doc(db, "a", "alpha one", 2020, NULL);
	add_doc(db, "b", "beta two", 2020, NULL);
	add_doc(db, "c", "gamma three", 2020, NULL);
	assert_int_equal(xq_db_commit(db), XQ_OK);

	/* Deleting by a term removes the documents it indexes; a term no
	 * document has is no error. */
	assert_int_equal(xq_db_delete_documents(db, "Qb", 2), XQ_OK);
	assert_int_equal(xq_db_delete_documents(db, "Qnone", 5), XQ_OK);
	/* A new version of a document: delete, then add (as the indexer
	 * does). */
	assert_int_equal(xq_db_delete_documents(db, "Qa", 2), XQ_OK);
	add_doc(db, "a", "alpha newterm", 2021, NULL);
	unsigned docid = 0;
	xq_doc *doc = make_doc("d", "delta", 0, NULL);
	assert_int_equal(xq_db_add_document(db, doc, &docid), XQ_OK);
	xq_doc_free(doc);
	assert_int_equal(docid, 5);
	/* Every document indexed by the term goes. */
	add_doc(db, "d", "delta again", 0, NULL);
	assert_int_equal(xq_db_delete_documents(db, "Qd", 2), XQ_OK);
	assert_int_equal(xq_db_commit(db), XQ_OK);
	xq_db_close(db);

	db = open_ro(path);
	assert_int_equal(doccount(db), 2);
	assert_int_equal(term_count_s(db, "newterm"), 1);
	assert_int_equal(term_count_s(db, "one"), 0);
	assert_int_equal(term_count_s(db, "beta"), 0);
	assert_int_equal(term_count_s(db, "delta"), 0);
	assert_int_equal(term_count_s(db, "gamma"), 1);
	assert_int_equal(term_count_s(db, "alpha"), 1);
	assert_int_equal(term_count_s(db, "Y2021"), 1);
	/* Read-only handles refuse deletions. */
	assert_int_equal(xq_db_delete_documents(db, "Qc", 2), XQ_ERR_INVALID);
	xq_db_close(db);
}

static void test_lock(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "lock");
	xq_db *w1 = open_rw(path, XQ_CREATE_OR_OPEN);
	xq_db *w2 = (xq_db *)1;
	assert_int_equal(xq_db_open_writable(path, XQ_CREATE_OR_OPEN, &w2), XQ_ERR_LOCKED);
	assert_null(w2);
	assert_non_null(strstr(xq_last_error(), "locked"));
	/* Readers are not blocked by the writer. */
	xq_db *r = open_ro(path);
	xq_db_close(r);
	xq_db_close(w1);
	/* The lock goes with the handle. */
	w2 = open_rw(path, XQ_OPEN);
	xq_db_close(w2);
}

static void test_open_errors(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "does-not-exist");
	xq_db *db = (xq_db *)1;
	xq_status st = xq_db_open(path, &db);
	assert_int_not_equal(st, XQ_OK);
	assert_null(db);
	assert_true(strlen(xq_last_error()) > 0);

	db = (xq_db *)1;
	st = xq_db_open_writable(path, XQ_OPEN, &db);
	assert_int_not_equal(st, XQ_OK);
	assert_null(db);
	assert_true(strlen(xq_last_error()) > 0);

	/* A plain file is not a database. */
	char file[PATH_MAX];
	path_in_tmp(file, sizeof file, "not-a-db.txt");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	st = xq_db_open(file, &db);
	assert_int_not_equal(st, XQ_OK);
	assert_true(strlen(xq_last_error()) > 0);
}

static void test_term_length(void **state)
{
	(void)state;
	char big[XQ_MAX_TERM_BYTES + 2];
	memset(big, 'x', sizeof big);
	xq_doc *doc = xq_doc_new();
	assert_non_null(doc);
	assert_int_equal(xq_doc_add_posting(doc, big, XQ_MAX_TERM_BYTES + 1, 1, 1), XQ_ERR_INVALID);
	assert_non_null(strstr(xq_last_error(), "240"));
	assert_int_equal(xq_doc_add_term(doc, big, XQ_MAX_TERM_BYTES + 1, 1), XQ_ERR_INVALID);
	assert_int_equal(xq_doc_add_boolean_term(doc, big, XQ_MAX_TERM_BYTES + 1), XQ_ERR_INVALID);
	assert_int_equal(xq_doc_add_term(doc, "", 0, 1), XQ_ERR_INVALID);
	assert_non_null(strstr(xq_last_error(), "empty"));
	assert_int_equal(xq_doc_add_term(doc, big, XQ_MAX_TERM_BYTES, 1), XQ_OK);
	xq_query *q = (xq_query *)1;
	assert_int_equal(xq_query_term(big, XQ_MAX_TERM_BYTES + 1, 1, 0, &q), XQ_ERR_INVALID);
	assert_null(q);
	assert_int_equal(xq_query_term("", 0, 1, 0, &q), XQ_ERR_INVALID);

	/* The longest accepted term really is stored and found. */
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "termlen");
	xq_db *db = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	assert_int_equal(xq_db_add_document(db, doc, NULL), XQ_OK);
	assert_int_equal(xq_db_delete_documents(db, big, XQ_MAX_TERM_BYTES + 1), XQ_ERR_INVALID);
	assert_int_equal(xq_db_commit(db), XQ_OK);
	xq_db_close(db);
	xq_doc_free(doc);
	db = open_ro(path);
	assert_int_equal(term_count(db, big, XQ_MAX_TERM_BYTES), 1);
	unsigned tf = 0;
	assert_int_equal(xq_db_termfreq(db, big, XQ_MAX_TERM_BYTES, &tf), XQ_OK);
	assert_int_equal(tf, 1);
	xq_db_close(db);
}

static void test_close_discards(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "discard");
	xq_db *db = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	add_doc(db, "x", "uncommitted words", 0, NULL);
	/* The writer sees its own pending change... */
	assert_int_equal(doccount(db), 1);
	xq_db_close(db);
	/* ...but closing without a commit throws it away. */
	assert_int_equal(doccount_at(path), 0);

	db = open_rw(path, XQ_OPEN);
	add_doc(db, "a", "kept", 0, NULL);
	assert_int_equal(xq_db_commit(db), XQ_OK);
	add_doc(db, "b", "dropped", 0, NULL);
	assert_int_equal(xq_db_set_metadata(db, "k", "v", 1), XQ_OK);
	xq_db_close(db);
	assert_int_equal(doccount_at(path), 1);
	db = open_ro(path);
	char *v = NULL;
	assert_int_equal(xq_db_get_metadata(db, "k", &v, NULL), XQ_OK);
	assert_string_equal(v, "");
	free(v);
	xq_db_close(db);

	/* Commit after commit keeps working (the implicit transaction is
	 * renewed each time). */
	db = open_rw(path, XQ_OPEN);
	for (int i = 0; i < 3; i++) {
		add_doc(db, "c", "more", 0, NULL);
		assert_int_equal(xq_db_commit(db), XQ_OK);
	}
	xq_db_close(db);
	assert_int_equal(doccount_at(path), 4);
}

static void test_modified(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "modified");
	xq_db *w = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	char id[16], words[256];
	/* Big enough that the tables span many blocks (a one-block table
	 * is read at open and never goes stale). */
	enum { NDOCS = 2000 };
	for (int i = 0; i < NDOCS; i++) {
		snprintf(id, sizeof id, "m%d", i);
		snprintf(words, sizeof words, "common word%d other%d", i, i % 7);
		add_doc(w, id, words, 2000 + i % 20, NULL);
	}
	assert_int_equal(xq_db_commit(w), XQ_OK);

	xq_db *r = open_ro(path), *r2 = open_ro(path), *r3 = open_ro(path);
	xq_enquire *enq = NULL, *enq3 = NULL;
	xq_hits *hits = NULL, *hits3 = NULL;
	xq_query *q = term("common");
	assert_int_equal(xq_enquire_new(r, &enq), XQ_OK);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	/* Every hit of the first revision, the data of docid 1 read already. */
	assert_int_equal(xq_enquire_new(r3, &enq3), XQ_OK);
	assert_int_equal(xq_enquire_set_query(enq3, q), XQ_OK);
	assert_int_equal(xq_enquire_run(enq3, 0, NDOCS, &hits3), XQ_OK);
	xq_enquire_free(enq3);
	xq_query_free(q);
	assert_int_equal(xq_hits_count(hits3), NDOCS);
	size_t first = NDOCS, last = NDOCS;
	for (size_t i = 0; i < NDOCS; i++) {
		if (xq_hits_docid(hits3, i) == 1)
			first = i;
		if (xq_hits_docid(hits3, i) == NDOCS)
			last = i;
	}
	assert_true(first < NDOCS && last < NDOCS);
	const char *read0 = NULL, *data = NULL;
	assert_int_equal(xq_hits_data(hits3, first, &read0, NULL), XQ_OK);

	/* Two or more commits let the writer reuse blocks of the revision
	 * the readers have open. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NDOCS; i++) {
			snprintf(id, sizeof id, "m%d", i);
			snprintf(words, sizeof words, "common word%d round%d filler%d", i, round, i * round);
			char qt[20];
			snprintf(qt, sizeof qt, "Q%s", id);
			assert_int_equal(xq_db_delete_documents(w, qt, strlen(qt)), XQ_OK);
			add_doc(w, id, words, 2000, NULL);
		}
		assert_int_equal(xq_db_commit(w), XQ_OK);
	}

	/* A plain read on a stale handle reports MODIFIED (when Xapian
	 * notices; that depends on which blocks were reused)... */
	unsigned ids[] = {1, NDOCS / 2, NDOCS};
	bool present[3] = {false, false, false};
	xq_status st = xq_db_mark_term(r2, "common", 6, ids, 3, present);
	assert_true(st == XQ_OK || st == XQ_ERR_MODIFIED);
	if (st == XQ_ERR_MODIFIED)
		assert_non_null(strstr(xq_db_error(r2), "reopen"));
	else
		assert_true(present[0] && present[1] && present[2]);
	xq_db_close(r2);

	/* ...and so do the hit getters, which never reopen: what was read
	 * stays, ... */
	assert_int_equal(xq_hits_data(hits3, first, &data, NULL), XQ_OK);
	assert_ptr_equal(data, read0);
	size_t len = 99;
	st = xq_hits_data(hits3, last, &data, &len);
	assert_true(st == XQ_OK || st == XQ_ERR_MODIFIED);
	if (st == XQ_ERR_MODIFIED) {
		assert_null(data);
		assert_int_equal(len, 0);
		assert_non_null(strstr(xq_db_error(r3), "reopen"));
		/* ... the handle is still at the old revision, ... */
		assert_int_equal(xq_hits_data(hits3, last, &data, NULL), XQ_ERR_MODIFIED);
		const char *value = NULL;
		assert_int_equal(xq_hits_value(hits3, last, SLOT_YEAR, &value, NULL), XQ_ERR_MODIFIED);
		assert_null(value);
	} else {
		assert_int_equal(strncmp(data, "m", 1), 0);
	}
	/* ... and reopened by the caller, the old hits name documents the
	 * new revision no longer has (they were deleted and added again). */
	assert_int_equal(xq_db_reopen(r3, NULL), XQ_OK);
	assert_int_equal(xq_hits_data(hits3, last, &data, NULL), XQ_ERR_NOT_FOUND);
	assert_int_equal(xq_hits_data(hits3, first, &data, NULL), XQ_OK);
	assert_ptr_equal(data, read0);
	xq_hits_free(hits3);
	xq_db_close(r3);

	/* xq_enquire_run, though, reopens and retries by itself. */
	st = xq_enquire_run(enq, 0, 10, &hits);
	if (st != XQ_OK)
		fail_msg("run after concurrent commits: %s", xq_last_error());
	assert_int_equal(xq_hits_count(hits), 10);
	assert_int_equal(xq_hits_data(hits, 0, &data, NULL), XQ_OK);
	assert_non_null(data);
	xq_hits_free(hits);

	/* An explicit reopen moves to the latest revision (the run above has
	 * moved to it already), and says whether there was one to move to. */
	bool changed = true;
	assert_int_equal(xq_db_reopen(r, &changed), XQ_OK);
	assert_int_equal(term_count_s(r, "round2"), NDOCS);
	assert_int_equal(xq_db_reopen(r, &changed), XQ_OK);
	assert_false(changed);
	assert_int_equal(xq_db_set_metadata(w, "k", "v", 1), XQ_OK);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	assert_int_equal(xq_db_reopen(r, &changed), XQ_OK);
	assert_true(changed);
	xq_enquire_free(enq);
	xq_db_close(r);
	xq_db_close(w);
}

static void test_multi_and_stub(void **state)
{
	(void)state;
	char p1[PATH_MAX], p2[PATH_MAX], stub[PATH_MAX];
	path_in_tmp(p1, sizeof p1, "shard1");
	path_in_tmp(p2, sizeof p2, "shard2");
	path_in_tmp(stub, sizeof stub, "shards.stub");
	xq_db *w = open_rw(p1, XQ_CREATE_OR_OVERWRITE);
	add_doc(w, "s1", "shared alpha", 0, NULL);
	assert_int_equal(xq_db_set_metadata(w, "file:a", "1", 1), XQ_OK);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);
	w = open_rw(p2, XQ_CREATE_OR_OVERWRITE);
	add_doc(w, "s2", "shared beta", 0, NULL);
	assert_int_equal(xq_db_set_metadata(w, "file:b", "2", 1), XQ_OK);
	assert_int_equal(xq_db_set_metadata(w, "only-in-2", "yes", 3), XQ_OK);
	add_doc(w, "s3", "other", 0, NULL);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	/* A writable handle takes no extra databases. */
	assert_int_equal(xq_db_add_database(w, p1), XQ_ERR_INVALID);
	xq_db_close(w);

	char ids[32];
	xq_db *db = open_ro(p1);
	assert_int_equal(xq_db_add_database(db, p2), XQ_OK);
	assert_int_equal(doccount(db), 3);
	run_ids(db, term("shared"), 0, ids, sizeof ids);
	assert_string_equal(ids, "s1 s2");
	xq_db_close(db);

	FILE *f = fopen(stub, "w");
	assert_non_null(f);
	/* a comment, and a path relative to the stub's folder */
	fprintf(f, "# shards\nauto %s\nglass shard2\n", p1);
	fclose(f);
	db = open_ro(stub);
	assert_int_equal(doccount(db), 3);
	run_ids(db, term("shared"), 0, ids, sizeof ids);
	assert_string_equal(ids, "s1 s2");
	/* metadata is read from every shard, not only the first (Xapian's
	 * own multi-database answer) */
	struct walk wk = {.stop_after = 0};
	assert_int_equal(xq_db_metadata_foreach(db, "file:", walk_fn, &wk), XQ_OK);
	assert_string_equal(wk.keys, "file:a=1 file:b=2");
	char *v = NULL;
	assert_int_equal(xq_db_get_metadata(db, "only-in-2", &v, NULL), XQ_OK);
	assert_string_equal(v, "yes");
	free(v);
	/* and each shard alone */
	size_t len = 9;
	unsigned n = 0;
	assert_int_equal(xq_db_shard_get_metadata(db, 0, "only-in-2", &v, &len), XQ_OK);
	assert_string_equal(v, "");
	assert_int_equal(len, 0);
	free(v);
	assert_int_equal(xq_db_shard_get_metadata(db, 1, "only-in-2", &v, &len), XQ_OK);
	assert_string_equal(v, "yes");
	assert_int_equal(len, 3);
	free(v);
	assert_int_equal(xq_db_shard_doccount(db, 0, &n), XQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(xq_db_shard_doccount(db, 1, &n), XQ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(xq_db_shard_doccount(db, 2, &n), XQ_ERR_INVALID);
	assert_int_equal(xq_db_shard_get_metadata(db, 2, "x", &v, NULL), XQ_ERR_INVALID);
	assert_null(v);
	xq_db_close(db);
	w = open_rw(p1, XQ_OPEN);
	assert_int_equal(xq_db_shard_doccount(w, 0, &n), XQ_ERR_INVALID);
	xq_db_close(w);
}

/* Write text to path (a test failure if it cannot). */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A reopen check that asks to wait until shard 1 of the handle reaches
 * a revision (a batch whose second commit is late), and counts its runs. */
struct wait_for_rev {
	unsigned long long want;
	unsigned calls, last_attempt;
	xq_db *writer;       /* commits once, at the check's third run */
};

static unsigned wait_for_rev_fn(void *ud, xq_db *db, unsigned attempt)
{
	struct wait_for_rev *w = ud;
	unsigned long long rev = 0;
	w->calls++;
	w->last_attempt = attempt;
	assert_int_equal(xq_db_revision(db, 1, &rev), XQ_OK);
	if (rev >= w->want)
		return 0;
	if (attempt == 2) {
		assert_int_equal(xq_db_set_metadata(w->writer, "late", "1", 1), XQ_OK);
		assert_int_equal(xq_db_commit(w->writer), XQ_OK);
	}
	return 1;
}

static void test_revisions_and_reopen_check(void **state)
{
	(void)state;
	char p1[PATH_MAX], p2[PATH_MAX], stub[PATH_MAX], text[2 * PATH_MAX + 32];
	path_in_tmp(p1, sizeof p1, "rev1");
	path_in_tmp(p2, sizeof p2, "rev2");
	path_in_tmp(stub, sizeof stub, "rev.stub");
	xq_db *w1 = open_rw(p1, XQ_CREATE_OR_OVERWRITE), *w2 = open_rw(p2, XQ_CREATE_OR_OVERWRITE);
	unsigned long long r1 = 0, r2 = 0, r;
	add_doc(w1, "a", "alpha", 0, NULL);
	assert_int_equal(xq_db_commit(w1), XQ_OK);
	assert_int_equal(xq_db_commit(w2), XQ_OK);
	assert_int_equal(xq_db_revision(w1, 0, &r1), XQ_OK);
	assert_int_equal(xq_db_revision(w2, 0, &r2), XQ_OK);
	/* a commit that changes nothing makes no revision */
	assert_int_equal(xq_db_commit(w1), XQ_OK);
	assert_int_equal(xq_db_revision(w1, 0, &r), XQ_OK);
	assert_int_equal(r, r1);
	assert_int_equal(xq_db_revision(w1, 1, &r), XQ_ERR_INVALID);
	snprintf(text, sizeof text, "auto %s\nauto %s\n", p1, p2);
	write_file(stub, text);
	xq_db *db = open_ro(stub);
	assert_int_equal(xq_db_revision(db, 0, &r), XQ_OK);
	assert_int_equal(r, r1);
	assert_int_equal(xq_db_revision(db, 1, &r), XQ_OK);
	assert_int_equal(r, r2);
	assert_int_equal(xq_db_revision(db, 2, &r), XQ_ERR_INVALID);
	/* the revision open stays until a reopen */
	add_doc(w1, "b", "beta", 0, NULL);
	assert_int_equal(xq_db_commit(w1), XQ_OK);
	assert_int_equal(xq_db_revision(db, 0, &r), XQ_OK);
	assert_int_equal(r, r1);

	/* Setting a check runs it at once; a wait reopens, runs it again
	 * with the next attempt, until it is satisfied (shard 2's late
	 * commit); every later reopen runs it again from attempt 0. */
	struct wait_for_rev wr = {.want = r2 + 1, .writer = w2};
	assert_int_equal(xq_db_set_reopen_check(db, wait_for_rev_fn, &wr), XQ_OK);
	assert_int_equal(wr.calls, 4);
	assert_int_equal(wr.last_attempt, 3);
	assert_int_equal(xq_db_revision(db, 0, &r), XQ_OK);
	assert_true(r > r1); /* reopened: shard 1's commit too */
	assert_int_equal(doccount(db), 2);
	assert_int_equal(xq_db_reopen(db, NULL), XQ_OK);
	assert_int_equal(wr.calls, 5);
	assert_int_equal(wr.last_attempt, 0);
	assert_int_equal(xq_db_set_reopen_check(db, NULL, NULL), XQ_OK);
	assert_int_equal(xq_db_reopen(db, NULL), XQ_OK);
	assert_int_equal(wr.calls, 5);
	assert_int_equal(xq_db_set_reopen_check(w1, wait_for_rev_fn, &wr), XQ_ERR_INVALID);
	xq_db_close(db);
	xq_db_close(w1);
	xq_db_close(w2);
}

static void test_stub_lines(void **state)
{
	(void)state;
	char stub[PATH_MAX], inner[PATH_MAX], self[PATH_MAX], text[3 * PATH_MAX];
	path_in_tmp(stub, sizeof stub, "lines.stub");
	path_in_tmp(inner, sizeof inner, "inner.stub");
	path_in_tmp(self, sizeof self, "self.stub");
	xq_db *db = NULL;

	/* a line Xapian would not read names the stub and the line */
	snprintf(text, sizeof text, "auto %s\nbogus line\n", fixture);
	write_file(stub, text);
	assert_int_equal(xq_db_open(stub, &db), XQ_ERR_OPENING);
	assert_null(db);
	assert_non_null(strstr(xq_last_error(), "line 2 (\"bogus line\")"));
	assert_non_null(strstr(xq_last_error(), stub));
	write_file(stub, "remote nothing-to-connect-to\n");
	assert_int_equal(xq_db_open(stub, &db), XQ_ERR_OPENING);
	assert_non_null(strstr(xq_last_error(), "line 1"));

	/* a stub naming a stub: every database on its own, so metadata of
	 * each is read; names and remoteness per shard */
	snprintf(text, sizeof text, "auto %s\n", fixture);
	write_file(inner, text);
	snprintf(text, sizeof text, "# outer\n\nauto inner.stub\n  glass %s  \n", fixture);
	write_file(stub, text);
	db = open_ro(stub);
	assert_int_equal(xq_db_shard_count(db), 2);
	assert_string_equal(xq_db_shard_name(db, 0), fixture);
	assert_false(xq_db_shard_is_remote(db, 1));
	assert_null(xq_db_shard_name(db, 2));
	assert_int_equal(doccount(db), 8);
	xq_db_close(db);

	/* a stub that names itself ends */
	write_file(self, "auto self.stub\n");
	assert_int_equal(xq_db_open(self, &db), XQ_ERR_OPENING);
	assert_non_null(strstr(xq_last_error(), "more than 8 deep"));

	/* a remote database nobody serves: XQ_ERR_NETWORK, named as the stub
	 * names it (port 1 on the loopback refuses at once) */
	snprintf(text, sizeof text, "auto %s\nremote 127.0.0.1:1\n", fixture);
	write_file(stub, text);
	assert_int_equal(xq_db_open_timeout(stub, 2000, &db), XQ_ERR_NETWORK);
	assert_null(db);
	assert_non_null(strstr(xq_last_error(), "remote shard 127.0.0.1:1 failed"));
	/* "remote :HOST:PORT" is the program form by mistake: said so */
	write_file(stub, "remote :127.0.0.1:33333\n");
	assert_int_equal(xq_db_open_timeout(stub, 2000, &db), XQ_ERR_OPENING);
	assert_non_null(strstr(xq_last_error(), "is \"remote 127.0.0.1:33333\", without the colon"));
	/* a program that does not speak the protocol */
	write_file(stub, "remote :true\n");
	assert_int_equal(xq_db_open_timeout(stub, 2000, &db), XQ_ERR_NETWORK);
	assert_non_null(strstr(xq_last_error(), "remote shard :true"));
}

/* The data of every hit of a run of "digital" OR "data" over db, in rank
 * order with their scores, with the decider and collapse given; and the
 * estimate. */
static void decided_run(xq_db *db, reject_one *r, unsigned collapse, char *out, size_t size, unsigned *estimated)
{
	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *q = combine2(XQ_OP_OR, term("digital"), term("data"), 0);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	xq_query_free(q);
	assert_int_equal(xq_enquire_set_decider(enq, reject_decider, r), XQ_OK);
	assert_int_equal(xq_enquire_set_collapse(enq, SLOT_FILE, collapse), XQ_OK);
	xq_status st = xq_enquire_run(enq, 0, 10, &hits);
	if (st != XQ_OK)
		fail_msg("run: %s", xq_last_error());
	out[0] = '\0';
	for (size_t i = 0; i < xq_hits_count(hits); i++) {
		const char *d;
		size_t len;
		assert_int_equal(xq_hits_data(hits, i, &d, &len), XQ_OK);
		size_t at = strlen(out);
		snprintf(out + at, size - at, "%s%.*s:%.4f", i ? " " : "", (int)len, d, xq_hits_score(hits, i));
	}
	*estimated = xq_hits_estimated(hits);
	xq_hits_free(hits);
	xq_enquire_free(enq);
}

/* A shard served by xapian-progsrv (a child speaking Xapian's remote
 * protocol on a pipe, no network needed): searched beside a local one as
 * one, metadata read from each, and a decider, which Xapian 1.4 refuses
 * over a remote database, asked by xq itself with the same hits. */
static void test_remote_shard(void **state)
{
	(void)state;
	if (system("command -v xapian-progsrv >/dev/null 2>&1") != 0)
		skip(); /* xapian-tools, which scripts/install-deps installs */
	char first[PATH_MAX], other[PATH_MAX], stub[PATH_MAX], local[PATH_MAX], text[3 * PATH_MAX];
	path_in_tmp(first, sizeof first, "remote-first");
	path_in_tmp(other, sizeof other, "remote-other");
	path_in_tmp(stub, sizeof stub, "remote.stub");
	path_in_tmp(local, sizeof local, "local.stub");
	xq_db *w = open_rw(other, XQ_CREATE_OR_OVERWRITE);
	add_doc(w, "e1", "digital data everywhere", 2020, "fileD");
	add_doc(w, "e2", "more digital data", 2020, "fileD");
	add_doc(w, "e3", "digital", 2021, "fileA");
	assert_int_equal(xq_db_set_metadata(w, "file:e", "3", 1), XQ_OK);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);
	w = open_rw(first, XQ_CREATE_OR_OVERWRITE);
	add_doc(w, "d1", "digital divide bridge", 2021, "fileA");
	add_doc(w, "d2", "bridge the digital divide", 2022, "fileA");
	add_doc(w, "d3", "divide digital", 2023, "fileB");
	add_doc(w, "d4", "data flows across borders", 2024, "fileC");
	assert_int_equal(xq_db_set_metadata(w, "file:d", "4", 1), XQ_OK);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);

	snprintf(text, sizeof text, "auto %s\nauto %s\n", first, other);
	write_file(local, text);
	snprintf(text, sizeof text, "auto %s\nremote :xapian-progsrv %s\n", first, other);
	write_file(stub, text);
	xq_db *l = open_ro(local), *r = NULL;
	assert_int_equal(xq_db_open_timeout(stub, 5000, &r), XQ_OK);
	assert_int_equal(xq_db_shard_count(r), 2);
	assert_false(xq_db_shard_is_remote(r, 0));
	assert_true(xq_db_shard_is_remote(r, 1));
	unsigned long long rev;
	assert_int_equal(xq_db_revision(r, 0, &rev), XQ_OK);
	assert_int_equal(xq_db_revision(r, 1, &rev), XQ_ERR_INVALID);
	char name[PATH_MAX + 32];
	snprintf(name, sizeof name, "remote :xapian-progsrv %s", other);
	assert_string_equal(xq_db_shard_name(r, 1), name);
	assert_int_equal(doccount(r), 7);
	struct walk wk = {.stop_after = 0};
	assert_int_equal(xq_db_metadata_foreach(r, "file:", walk_fn, &wk), XQ_OK);
	assert_string_equal(wk.keys, "file:d=4 file:e=3");

	char want[512], got[512];
	unsigned est_l, est_r;
	for (unsigned collapse = 0; collapse <= 1; collapse++) {
		reject_one rl = {"d2", 0}, rr = {"d2", 0};
		decided_run(l, &rl, collapse, want, sizeof want, &est_l);
		decided_run(r, &rr, collapse, got, sizeof got, &est_r);
		assert_string_equal(got, want);
		assert_int_equal(est_r, est_l);
		assert_true(strlen(want) > 0);
		assert_null(strstr(want, "d2:"));
	}
	xq_db_close(l);
	xq_db_close(r);
}

static void test_compact(void **state)
{
	(void)state;
	char src[PATH_MAX], dst[PATH_MAX];
	path_in_tmp(src, sizeof src, "to-compact");
	path_in_tmp(dst, sizeof dst, "compacted");
	xq_db *w = open_rw(src, XQ_CREATE_OR_OVERWRITE);
	for (int i = 0; i < 50; i++) {
		char id[16];
		snprintf(id, sizeof id, "c%d", i);
		add_doc(w, id, i % 2 ? "odd words here" : "even words here", 2000 + i, NULL);
		assert_int_equal(xq_db_commit(w), XQ_OK);
	}
	assert_int_equal(xq_db_set_metadata(w, "kept", "yes", 3), XQ_OK);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);
	assert_int_equal(xq_db_compact(src, dst), XQ_OK);
	xq_db *db = open_ro(dst);
	assert_int_equal(doccount(db), 50);
	char ids[512];
	run_ids(db, term("odd"), 0, ids, sizeof ids);
	assert_int_equal(strlen(ids) > 0, 1);
	char *v = NULL;
	assert_int_equal(xq_db_get_metadata(db, "kept", &v, NULL), XQ_OK);
	assert_string_equal(v, "yes");
	free(v);
	xq_db_close(db);
	/* a missing source is an error with a message, not a crash */
	char missing[PATH_MAX];
	path_in_tmp(missing, sizeof missing, "no-such-db");
	assert_int_not_equal(xq_db_compact(missing, dst), XQ_OK);
	assert_true(strlen(xq_last_error()) > 0);
}

/* A document of len words: "apple" apples times, "pear" pears times,
 * the rest fillers; with its wdf scaled as the indexer scales it when
 * scaled (schema.h: WS_RANK_*). */
static xq_doc *sized_doc(const char *id, unsigned len, unsigned apples, unsigned pears, bool scaled)
{
	xq_doc *doc = xq_doc_new();
	assert_non_null(doc);
	for (unsigned pos = 1; pos <= len; pos++) {
		char w[32];
		if (pos <= apples)
			snprintf(w, sizeof w, "apple");
		else if (pos <= apples + pears)
			snprintf(w, sizeof w, "pear");
		else
			snprintf(w, sizeof w, "filler%u", pos % 37);
		assert_int_equal(xq_doc_add_posting(doc, w, strlen(w), pos, 1), XQ_OK);
	}
	unsigned long n = 0;
	assert_int_equal(xq_doc_length(doc, &n), XQ_OK);
	assert_int_equal(n, len);
	if (scaled)
		assert_int_equal(xq_doc_scale_wdf(doc, ws_rank_wdf_factor(n)), XQ_OK);
	assert_int_equal(xq_doc_set_data(doc, id, strlen(id)), XQ_OK);
	return doc;
}

/* Scaling raises every wdf, rounded, and keeps positions and boolean
 * terms as they were. */
/* A scaled query: the same matches, every score times the factor; the
 * collection frequency is the wdf summed over the documents. */
static void test_scale_and_collfreq(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	unsigned long long cf = 99;
	assert_int_equal(xq_db_collfreq(db, "digital", 7, &cf), XQ_OK);
	assert_int_equal(cf, 3);
	assert_int_equal(xq_db_collfreq(db, "absent", 6, &cf), XQ_OK);
	assert_int_equal(cf, 0);
	assert_int_equal(xq_db_collfreq(db, "digital", 7, NULL), XQ_ERR_INVALID);

	xq_query *q = term("divide"), *twice = NULL, *bad = NULL;
	assert_int_equal(xq_query_scale(q, 2.0, &twice), XQ_OK);
	assert_int_equal(xq_query_scale(q, 0.0, &bad), XQ_ERR_INVALID);
	assert_null(bad);
	assert_int_equal(xq_query_scale(q, NAN, &bad), XQ_ERR_INVALID);
	assert_int_equal(xq_query_scale(NULL, 2.0, &bad), XQ_ERR_INVALID);
	double plain[3], doubled[3];
	xq_query *both[2] = {q, twice};
	for (int k = 0; k < 2; k++) {
		xq_enquire *enq = NULL;
		xq_hits *hits = NULL;
		assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
		assert_int_equal(xq_enquire_set_query(enq, both[k]), XQ_OK);
		assert_int_equal(xq_enquire_run(enq, 0, 10, &hits), XQ_OK);
		assert_int_equal(xq_hits_count(hits), 3);
		for (size_t i = 0; i < 3; i++)
			(k ? doubled : plain)[i] = xq_hits_score(hits, i);
		xq_hits_free(hits);
		xq_enquire_free(enq);
	}
	for (size_t i = 0; i < 3; i++)
		assert_true(plain[i] > 0 && doubled[i] == 2.0 * plain[i]);
	xq_query_free(q);
	xq_query_free(twice);
	xq_db_close(db);
}

/* A new database at path holding doc alone (freed), opened to read. */
static xq_db *store_one(const char *path, xq_doc *doc)
{
	xq_db *w = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	assert_int_equal(xq_db_add_document(w, doc, NULL), XQ_OK);
	xq_doc_free(doc);
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);
	return open_ro(path);
}

static void test_scale_wdf(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "scaled-wdf");
	xq_doc *doc = make_doc("s1", "digital divide digital", 2024, NULL);
	unsigned long n = 0;
	assert_int_equal(xq_doc_scale_wdf(doc, 3.4), XQ_OK);
	/* digital 2 -> 6.8 -> 7, divide 1 -> 3.4 -> 3; Q and Y terms stay 0 */
	assert_int_equal(xq_doc_length(doc, &n), XQ_OK);
	assert_int_equal(n, 10);
	assert_int_equal(xq_doc_scale_wdf(doc, 0.5), XQ_ERR_INVALID);
	assert_int_equal(xq_doc_scale_wdf(NULL, 2), XQ_ERR_INVALID);
	assert_int_equal(xq_doc_length(NULL, &n), XQ_ERR_INVALID);
	xq_db *db = store_one(path, doc);
	char ids[64];
	/* positions kept: the phrase still matches, in its order only */
	run_ids(db, combine2(XQ_OP_PHRASE, term("digital"), term("divide"), 2), 0, ids, sizeof ids);
	assert_string_equal(ids, "s1");
	run_ids(db, combine2(XQ_OP_PHRASE, term("divide"), term("divide"), 2), 0, ids, sizeof ids);
	assert_string_equal(ids, "");
	run_ids(db, term("Y2024"), 0, ids, sizeof ids);
	assert_string_equal(ids, "s1");
	xq_db_close(db);
}

/* Every term so far renamed with the prefix, wdf and positions kept;
 * terms added after, and a term the prefix makes too long, as they were. */
static void test_prefix_terms(void **state)
{
	(void)state;
	char path[PATH_MAX], longest[XQ_MAX_TERM_BYTES];
	path_in_tmp(path, sizeof path, "prefixed");
	memset(longest, 'x', sizeof longest);
	xq_doc *doc = xq_doc_new();
	assert_non_null(doc);
	assert_int_equal(xq_doc_add_posting(doc, "digital", 7, 1, 1), XQ_OK);
	assert_int_equal(xq_doc_add_posting(doc, "divide", 6, 2, 1), XQ_OK);
	assert_int_equal(xq_doc_add_posting(doc, "digital", 7, 3, 1), XQ_OK);
	assert_int_equal(xq_doc_add_term(doc, "数字", strlen("数字"), 1), XQ_OK);
	assert_int_equal(xq_doc_add_term(doc, longest, sizeof longest, 1), XQ_OK);
	assert_int_equal(xq_doc_scale_wdf(doc, 3.4), XQ_OK);
	assert_int_equal(xq_doc_prefix_terms(doc, "A", 1), XQ_OK);
	assert_int_equal(xq_doc_add_boolean_term(doc, "Qp1", 3), XQ_OK);
	assert_int_equal(xq_doc_set_data(doc, "p1", 2), XQ_OK);
	unsigned long n = 0;
	assert_int_equal(xq_doc_length(doc, &n), XQ_OK);
	assert_int_equal(n, 7 + 3 + 3); /* the longest term is gone */
	assert_int_equal(xq_doc_prefix_terms(NULL, "A", 1), XQ_ERR_INVALID);
	assert_int_equal(xq_doc_prefix_terms(doc, NULL, 1), XQ_ERR_INVALID);
	xq_db *db = store_one(path, doc);
	char ids[64];
	unsigned tf = 9;
	unsigned long long cf = 0;
	assert_int_equal(xq_db_termfreq(db, "digital", 7, &tf), XQ_OK);
	assert_int_equal(tf, 0);
	assert_int_equal(xq_db_collfreq(db, "Adigital", 8, &cf), XQ_OK);
	assert_int_equal(cf, 7);
	assert_int_equal(xq_db_collfreq(db, "A数字", strlen("A数字"), &cf), XQ_OK);
	assert_int_equal(cf, 3);
	run_ids(db, combine2(XQ_OP_PHRASE, term("Adigital"), term("Adivide"), 2), 0, ids, sizeof ids);
	assert_string_equal(ids, "p1");
	run_ids(db, combine2(XQ_OP_PHRASE, term("Adivide"), term("Adivide"), 2), 0, ids, sizeof ids);
	assert_string_equal(ids, "");
	run_ids(db, term("Qp1"), 0, ids, sizeof ids);
	assert_string_equal(ids, "p1");
	xq_db_close(db);
}

/* The scores of doc ids of q on the database at path, by id. */
static void scores_of(const char *path, double k1, double b, double min_normlen, const char *const *ids,
                      size_t nids, double *out, char *order, size_t size)
{
	xq_db *db = open_ro(path);
	xq_enquire *enq = NULL;
	xq_query *q = combine2(XQ_OP_OR, term("apple"), term("pear"), 0);
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	assert_int_equal(xq_enquire_set_bm25(enq, k1, 0, 1, b, min_normlen), XQ_OK);
	xq_hits *hits = NULL;
	assert_int_equal(xq_enquire_run(enq, 0, 100, &hits), XQ_OK);
	assert_int_equal(xq_hits_count(hits), nids);
	order[0] = '\0';
	for (size_t i = 0; i < xq_hits_count(hits); i++) {
		const char *id;
		size_t len;
		assert_int_equal(xq_hits_data(hits, i, &id, &len), XQ_OK);
		strncat(order, id, size - strlen(order) - 1);
		strncat(order, " ", size - strlen(order) - 1);
		for (size_t k = 0; k < nids; k++)
			if (strlen(ids[k]) == len && !memcmp(ids[k], id, len))
				out[k] = xq_hits_score(hits, i);
	}
	xq_hits_free(hits);
	xq_enquire_free(enq);
	xq_query_free(q);
	xq_db_close(db);
}

/* The wdf scaling of schema.h ranks as BM25 with b and min_normlen over
 * plain counts, when the mean length is the pivot: the same order, each
 * score the same multiple (k1 scale + 1) / (k1 + 1) of BM25's. */
static void test_scaled_wdf_ranks_as_bm25(void **state)
{
	(void)state;
	/* lengths whose mean is the pivot, 200; some shorter than
	 * min_normlen of it (clamped), one past the scale's reach */
	static const struct {
		const char *id;
		unsigned len, apples, pears;
	} docs[] = {
	    {"a", 40, 1, 0}, {"b", 120, 2, 1}, {"c", 150, 1, 1}, {"d", 200, 3, 0},
	    {"e", 210, 2, 2}, {"f", 280, 1, 3}, {"g", 400, 4, 0},
	};
	const size_t nd = sizeof docs / sizeof docs[0];
	const char *ids[sizeof docs / sizeof docs[0]];
	unsigned long total = 0;
	for (size_t i = 0; i < nd; i++)
		total += docs[i].len, ids[i] = docs[i].id;
	assert_true(total == (unsigned long)(WS_RANK_PIVOT * (double)nd));
	char plain[PATH_MAX], scaled[PATH_MAX];
	path_in_tmp(plain, sizeof plain, "bm25-plain");
	path_in_tmp(scaled, sizeof scaled, "bm25-scaled");
	for (int s = 0; s < 2; s++) {
		xq_db *w = open_rw(s ? scaled : plain, XQ_CREATE_OR_OVERWRITE);
		for (size_t i = 0; i < nd; i++) {
			xq_doc *doc = sized_doc(docs[i].id, docs[i].len, docs[i].apples, docs[i].pears, s);
			assert_int_equal(xq_db_add_document(w, doc, NULL), XQ_OK);
			xq_doc_free(doc);
		}
		/* documents without either term, as long as the mean */
		for (int i = 0; i < 3; i++) {
			xq_doc *doc = sized_doc("x", 200, 0, 0, s);
			assert_int_equal(xq_db_add_document(w, doc, NULL), XQ_OK);
			xq_doc_free(doc);
		}
		assert_int_equal(xq_db_commit(w), XQ_OK);
		xq_db_close(w);
	}
	double want[sizeof docs / sizeof docs[0]], got[sizeof docs / sizeof docs[0]];
	char want_order[64], got_order[64];
	scores_of(plain, WS_RANK_K1, WS_RANK_B, WS_RANK_MIN_NORMLEN, ids, nd, want, want_order, sizeof want_order);
	scores_of(scaled, WS_RANK_K1 * WS_RANK_WDF_SCALE, 0, 0, ids, nd, got, got_order, sizeof got_order);
	double ratio = (WS_RANK_K1 * WS_RANK_WDF_SCALE + 1) / (WS_RANK_K1 + 1);
	for (size_t i = 0; i < nd; i++) {
		double r = got[i] / want[i] / ratio;
		if (r < 0.98 || r > 1.02)
			fail_msg("%s: scaled score %g, BM25 %g (x%g): off by %.1f%%", ids[i], got[i], want[i], ratio,
			         (r - 1) * 100);
	}
	assert_string_equal(got_order, want_order);
}

/* Two words that always come together, as a Han run's bigrams do: their
 * AND is exact only when the count goes through it, and Xapian's
 * estimate (by independence) is far too low. */
static void test_count(void **state)
{
	(void)state;
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, "count");
	xq_db *w = open_rw(path, XQ_CREATE_OR_OVERWRITE);
	for (unsigned i = 0; i < 1000; i++) {
		xq_doc *doc = xq_doc_new();
		assert_non_null(doc);
		const char *data = i == 2 ? "rejected" : "kept";
		assert_int_equal(xq_doc_set_data(doc, data, strlen(data)), XQ_OK);
		assert_int_equal(xq_doc_add_term(doc, "filler", 6, 1), XQ_OK);
		if (i % 10 < 3) {
			assert_int_equal(xq_doc_add_term(doc, "north", 5, 1), XQ_OK);
			assert_int_equal(xq_doc_add_term(doc, "south", 5, 1), XQ_OK);
		}
		assert_int_equal(xq_db_add_document(w, doc, NULL), XQ_OK);
		xq_doc_free(doc);
	}
	assert_int_equal(xq_db_commit(w), XQ_OK);
	xq_db_close(w);

	xq_db *db = open_ro(path);
	xq_enquire *enq = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *q = combine2(XQ_OP_AND, term("north"), term("south"), 0);
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	unsigned n = 0;
	bool exact = false;
	/* within the bound (300: either word's list), or no bound: exact */
	assert_int_equal(xq_enquire_count(enq, 0, &n, &exact), XQ_OK);
	assert_true(exact);
	assert_int_equal(n, 300);
	assert_int_equal(xq_enquire_count(enq, 300, &n, &exact), XQ_OK);
	assert_true(exact);
	assert_int_equal(n, 300);
	/* past it, the estimate, said to be one */
	assert_int_equal(xq_enquire_count(enq, 299, &n, &exact), XQ_OK);
	assert_false(exact);
	assert_true(n < 300);
	/* the decider decides */
	reject_one r = {"rejected", 0};
	assert_int_equal(xq_enquire_set_decider(enq, reject_decider, &r), XQ_OK);
	assert_int_equal(xq_enquire_count(enq, 0, &n, &exact), XQ_OK);
	assert_true(exact);
	assert_int_equal(n, 299);
	assert_int_equal(r.calls, 300);
	assert_int_equal(xq_enquire_set_decider(enq, NULL, NULL), XQ_OK);
	/* one word's bounds meet: exact without going through it */
	xq_query_free(q);
	q = term("north");
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	assert_int_equal(xq_enquire_count(enq, 1, &n, &exact), XQ_OK);
	assert_true(exact);
	assert_int_equal(n, 300);
	assert_int_equal(xq_enquire_count(NULL, 0, &n, &exact), XQ_ERR_INVALID);
	assert_int_equal(n, 0);
	assert_int_equal(xq_enquire_count(enq, 0, NULL, &exact), XQ_ERR_INVALID);
	assert_int_equal(xq_enquire_count(enq, 0, &n, NULL), XQ_ERR_INVALID);
	xq_query_free(q);
	xq_enquire_free(enq);
	xq_db_close(db);
}

typedef struct value_tally {
	char values[8][8];
	unsigned counts[8];
	unsigned n, stop_after;
} value_tally;

static int value_fn(const char *value, size_t len, unsigned count, void *ud)
{
	value_tally *t = ud;
	assert_true(t->n < 8 && len < 8);
	memcpy(t->values[t->n], value, len);
	t->values[t->n][len] = '\0';
	t->counts[t->n++] = count;
	return t->stop_after && t->n == t->stop_after;
}

/* Counts per value of a slot: every match counted, as many as a count per
 * value finds, on two shards searched as one, the decider deciding. */
static void test_value_counts(void **state)
{
	(void)state;
	char a[PATH_MAX], b[PATH_MAX];
	path_in_tmp(a, sizeof a, "values-a");
	path_in_tmp(b, sizeof b, "values-b");
	const char *files[] = {"f1", "f2", "f3"};
	for (int k = 0; k < 2; k++) {
		xq_db *w = open_rw(k ? b : a, XQ_CREATE_OR_OVERWRITE);
		for (unsigned i = 0; i < 300; i++) {
			char id[16];
			snprintf(id, sizeof id, "%c%u", k ? 'b' : 'a', i);
			/* every third has the word; f1 twice as often as f2; none in f3's */
			const char *file = i % 3 == 2 ? files[2] : i % 9 < 6 ? files[0] : files[1];
			add_doc(w, i == 4 && k ? "rejected" : id, i % 3 != 2 ? "digital policy" : "other text", 0,
			        i % 100 == 99 ? NULL : file);
		}
		assert_int_equal(xq_db_commit(w), XQ_OK);
		xq_db_close(w);
	}
	xq_db *db = open_ro(a);
	assert_int_equal(xq_db_add_database(db, b), XQ_OK);
	xq_enquire *enq = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	xq_query *q = term("digital");
	assert_int_equal(xq_enquire_set_query(enq, q), XQ_OK);
	/* the expected: a count per file, another way */
	unsigned want[2] = {0, 0};
	for (int f = 0; f < 2; f++) {
		xq_query *one = NULL, *pair[2] = {term("digital"), NULL};
		char v[4];
		snprintf(v, sizeof v, "%s", files[f]);
		assert_int_equal(xq_query_value_range(SLOT_FILE, v, strlen(v), v, strlen(v), &pair[1]), XQ_OK);
		assert_int_equal(xq_query_combine(XQ_OP_FILTER, pair, 2, 0, &one), XQ_OK);
		xq_enquire *e2 = NULL;
		assert_int_equal(xq_enquire_new(db, &e2), XQ_OK);
		assert_int_equal(xq_enquire_set_query(e2, one), XQ_OK);
		bool exact;
		assert_int_equal(xq_enquire_count(e2, 0, &want[f], &exact), XQ_OK);
		assert_true(exact);
		xq_enquire_free(e2);
		xq_query_free(one);
		xq_query_free(pair[0]);
		xq_query_free(pair[1]);
	}
	assert_true(want[0] > want[1] && want[1] > 0);
	value_tally t = {0};
	assert_int_equal(xq_enquire_value_counts(enq, SLOT_FILE, value_fn, &t), XQ_OK);
	assert_int_equal(t.n, 2); /* f3's documents do not match; those without a value are not counted */
	assert_string_equal(t.values[0], "f1");
	assert_string_equal(t.values[1], "f2");
	assert_int_equal(t.counts[0], want[0]);
	assert_int_equal(t.counts[1], want[1]);
	/* the decider decides: b4 (an f1 document with the word) is rejected */
	reject_one r = {"rejected", 0};
	assert_int_equal(xq_enquire_set_decider(enq, reject_decider, &r), XQ_OK);
	memset(&t, 0, sizeof t);
	assert_int_equal(xq_enquire_value_counts(enq, SLOT_FILE, value_fn, &t), XQ_OK);
	assert_int_equal(t.counts[0], want[0] - 1);
	assert_int_equal(t.counts[1], want[1]);
	assert_int_equal(r.calls, 400); /* every match, once */
	/* a non-zero return stops the calls; the enquiry runs as before */
	memset(&t, 0, sizeof t);
	t.stop_after = 1;
	assert_int_equal(xq_enquire_value_counts(enq, SLOT_FILE, value_fn, &t), XQ_OK);
	assert_int_equal(t.n, 1);
	xq_hits *hits = NULL;
	assert_int_equal(xq_enquire_run(enq, 0, 1000, &hits), XQ_OK);
	assert_int_equal(xq_hits_count(hits), 399);
	xq_hits_free(hits);
	assert_int_equal(xq_enquire_value_counts(enq, SLOT_FILE, NULL, &t), XQ_ERR_INVALID);
	assert_int_equal(xq_enquire_value_counts(NULL, SLOT_FILE, value_fn, &t), XQ_ERR_INVALID);
	xq_query_free(q);
	xq_enquire_free(enq);
	xq_db_close(db);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	xq_db *db = open_ro(fixture);
	xq_enquire *enq = NULL;
	assert_int_equal(xq_enquire_new(db, &enq), XQ_OK);
	assert_int_equal(xq_enquire_set_bm25(enq, 1.2, 0, 1, 0.75, 0.5), XQ_OK);
	/* Xapian refuses empty metadata keys; the message stays on db. */
	char *v = (char *)1;
	assert_int_equal(xq_db_get_metadata(db, "", &v, NULL), XQ_ERR_INVALID);
	assert_null(v);
	assert_true(strlen(xq_db_error(db)) > 0);
	assert_string_equal(xq_db_error(db), xq_last_error());
	/* Out-of-range BM25 parameters are clamped, as Xapian does. */
	assert_int_equal(xq_enquire_set_bm25(enq, -1, 0, 1, 2, 0.5), XQ_OK);
	xq_query *q = term("digital"), *bad = (xq_query *)1;
	assert_int_equal(xq_query_combine((xq_op)99, &q, 1, 0, &bad), XQ_ERR_INVALID);
	assert_null(bad);
	assert_non_null(strstr(xq_last_error(), "operator"));
	xq_query_free(q);
	/* Writes on a read-only handle are refused, not crashes. */
	xq_doc *doc = xq_doc_new();
	assert_int_equal(xq_db_add_document(db, doc, NULL), XQ_ERR_INVALID);
	assert_int_equal(xq_db_commit(db), XQ_ERR_INVALID);
	xq_doc_free(doc);
	xq_enquire_free(enq);
	xq_db_close(db);
}

static void test_null_frees(void **state)
{
	(void)state;
	xq_db_close(NULL);
	xq_doc_free(NULL);
	xq_query_free(NULL);
	xq_enquire_free(NULL);
	xq_hits_free(NULL);
	assert_int_equal(xq_hits_count(NULL), 0);
	assert_string_equal(xq_db_error(NULL), "");
	const char *data = (const char *)1;
	assert_int_equal(xq_hits_data(NULL, 0, &data, NULL), XQ_ERR_INVALID);
	assert_null(data);
	assert_int_equal(xq_db_doccount(NULL, NULL), XQ_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_strings),
		cmocka_unit_test(test_term_query),
		cmocka_unit_test(test_terms_foreach),
		cmocka_unit_test(test_decider),
		cmocka_unit_test(test_value_counts),
		cmocka_unit_test(test_phrase_and_near),
		cmocka_unit_test(test_boolean_ops),
		cmocka_unit_test(test_value_range),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_term_length),
		cmocka_unit_test(test_close_discards),
		cmocka_unit_test(test_modified),
		cmocka_unit_test(test_multi_and_stub),
		cmocka_unit_test(test_revisions_and_reopen_check),
		cmocka_unit_test(test_stub_lines),
		cmocka_unit_test(test_remote_shard),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_scale_and_collfreq),
		cmocka_unit_test(test_scale_wdf),
		cmocka_unit_test(test_prefix_terms),
		cmocka_unit_test(test_scaled_wdf_ranks_as_bm25),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_null_frees),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
