/* qbuild.c - analyse query units with cjk and build the Xapian query. */
#include "qbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cjk.h"
#include "filerec.h"
#include "formset.h"
#include "glossary.h"
#include "schema.h"
#include "text.h"

/* A growable list of owned subqueries. */
typedef struct qlist {
	xq_query **v;
	size_t n, cap;
} qlist;

static void qlist_free(qlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		xq_query_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Take ownership of q (which may be NULL after a failed constructor). */
static bool qlist_push(qlist *l, xq_query *q, char **err)
{
	if (!q)
		return ws_fail(err, "cannot build the query: %s", xq_last_error());
	xq_query **v = ws_array_grow(l->v, l->n, &l->cap, sizeof *v, 8);
	if (!v) {
		xq_query_free(q);
		return ws_fail(err, "out of memory");
	}
	l->v = v;
	l->v[l->n++] = q;
	return true;
}

/* Combine l's queries with op (a single one is returned as is) into *out,
 * emptying l. */
static bool qlist_combine(qlist *l, xq_op op, unsigned window, xq_query **out, char **err)
{
	*out = NULL;
	if (l->n == 1) {
		*out = l->v[0];
		l->n = 0;
		qlist_free(l);
		return true;
	}
	xq_status st = xq_query_combine(op, l->v, l->n, window, out);
	qlist_free(l);
	if (st != XQ_OK)
		return ws_fail(err, "cannot build the query: %s", xq_last_error());
	return true;
}

/* Replace *top with op(*top, rest...), emptying rest. */
static bool combine_with(xq_op op, xq_query **top, qlist *rest, char **err)
{
	size_t n = rest->n + 1;
	xq_query **subs = malloc(n * sizeof *subs);
	xq_query *q = NULL;

	if (!subs) {
		qlist_free(rest);
		return ws_fail(err, "out of memory");
	}
	subs[0] = *top;
	memcpy(subs + 1, rest->v, rest->n * sizeof *subs);
	xq_status st = xq_query_combine(op, subs, n, 0, &q);
	free(subs);
	qlist_free(rest);
	if (st != XQ_OK)
		return ws_fail(err, "cannot build the query: %s", xq_last_error());
	xq_query_free(*top);
	*top = q;
	return true;
}

static xq_query *term_query(const char *t, size_t len)
{
	xq_query *q = NULL;
	xq_query_term(t, len, 1, 0, &q);
	return q;
}

static xq_query *term_or_wildcard(const char *t, size_t len, bool wildcard)
{
	xq_query *q = NULL;
	if (wildcard)
		xq_query_wildcard(t, len, WS_PREFIX_EXPANSION, &q);
	else
		xq_query_term(t, len, 1, 0, &q);
	return q;
}

/* The aside twin of term t (schema.h) into buf; 0 if it would be too
 * long for the index to have it. */
static size_t aside_twin(const char *t, size_t len, char buf[WS_TERM_MAX_BYTES + 1])
{
	return ws_term_prefixed(WS_PREFIX_ASIDE, t, len, buf);
}

/* How a text term is looked for: in body text alone, or in passages of
 * every kind too, through its aside twin (schema.h).  With the twin as
 * one term (OP_SYNONYM) for a unit that ranks: their wdf is the passage's
 * count, as before the asides had lists of their own, and their
 * frequency Xapian's estimate of the union's, a little under the sum of
 * the two.  Or either of the two (OP_OR) for an excluded unit, whose
 * weight counts for nothing: Xapian skips through an OR of two lists
 * faster than through a synonym, which adds up the wdf ("数字 -经济"
 * with every kind: 48 -> 34 ms in Xapian's match at 1 GB). */
typedef enum { TWIN_NONE, TWIN_AS_ONE, TWIN_EITHER } twin_mode;

/* A text term of the query (a wildcard: every term it starts), with its
 * twin as twin says. */
static xq_query *text_term(const char *t, size_t len, bool wildcard, twin_mode twin)
{
	char buf[WS_TERM_MAX_BYTES + 1];
	size_t tl = twin != TWIN_NONE ? aside_twin(t, len, buf) : 0;
	xq_query *q = term_or_wildcard(t, len, wildcard);
	if (!q || !tl)
		return q;
	xq_query *aside = term_or_wildcard(buf, tl, wildcard), *both = NULL;
	if (aside) {
		xq_query *pair[2] = {q, aside};
		xq_query_combine(twin == TWIN_AS_ONE ? XQ_OP_SYNONYM : XQ_OP_OR, pair, 2, 0, &both);
	}
	xq_query_free(q);
	xq_query_free(aside);
	return both;
}

/* ------------------------------------------------------------------ */
/* Analysis                                                             */

static bool push_term(ws_unit *u, const cjk_term *t, uint32_t first_pos, char **err)
{
	ws_qterm *v = realloc(u->terms, (u->nterms + 1) * sizeof *v);
	if (!v)
		return ws_fail(err, "out of memory");
	u->terms = v;
	ws_qterm *q = &v[u->nterms];
	q->text = strndup(t->text, t->len);
	if (!q->text)
		return ws_fail(err, "out of memory");
	q->len = t->len;
	q->rel = t->pos - first_pos;
	q->prefix = t->kind == CJK_TERM_CHAR;
	q->han = t->kind == CJK_TERM_BIGRAM || t->kind == CJK_TERM_CHAR;
	u->nterms++;
	return true;
}

static bool push_weight(ws_unit *u, const char *t, size_t len, char **err)
{
	char **v = realloc(u->weights, (u->nweights + 1) * sizeof *v);
	if (!v)
		return ws_fail(err, "out of memory");
	u->weights = v;
	if (!(v[u->nweights] = strndup(t, len)))
		return ws_fail(err, "out of memory");
	u->nweights++;
	return true;
}

/* The two Han characters of a bigram term, or false if t is none. */
static bool bigram_chars(const ws_qterm *t, uint32_t *a, uint32_t *b)
{
	if (t->prefix)
		return false;
	size_t i = 0;
	*a = ws_utf8_next(t->text, t->len, &i);
	*b = i < t->len ? ws_utf8_next(t->text, t->len, &i) : 0;
	return i == t->len && cjk_is_han(*a) && cjk_is_han(*b);
}

/* If u's terms are the overlapping bigrams of one Han run (c1c2 c2c3 …
 * at consecutive positions), set u->han to the run's characters, which
 * the engine checks for, and finds, with a plain scan of the passage.
 * False only when out of memory. */
static bool han_run(ws_unit *u)
{
	uint32_t a, b, prev = 0;
	for (size_t i = 0; i < u->nterms; i++) {
		if (u->terms[i].rel != i || !bigram_chars(&u->terms[i], &a, &b) || (i && a != prev))
			return true;
		prev = b;
	}
	u->han = malloc((u->nterms + 1) * sizeof *u->han);
	if (!u->han)
		return false;
	for (size_t i = 0; i < u->nterms; i++) {
		bigram_chars(&u->terms[i], &a, &b);
		u->han[i] = a;
		u->han[i + 1] = b;
	}
	u->nhan = u->nterms + 1;
	return true;
}

static bool analyse_unit(ws_unit *u, cjk_analyzer *a, char **err)
{
	cjk_term t;
	int r;
	uint32_t first_pos = 0;
	bool first_is_word = false;
	char *stem = NULL;

	/* without ICU's dictionary, which costs a one-shot search a
	 * millisecond to load: the words that weigh come from the index
	 * (ws_query_find_words) */
	cjk_analyzer_reset_without_words(a, u->text, strlen(u->text), 1);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		switch (t.kind) {
		case CJK_TERM_WORD:
		case CJK_TERM_NUMBER:
		case CJK_TERM_BIGRAM:
		case CJK_TERM_CHAR:
			if (!u->nterms) {
				first_pos = t.pos;
				first_is_word = t.kind == CJK_TERM_WORD;
			}
			if (t.pos < first_pos)
				break; /* cannot happen by the cjk contract */
			if (!push_term(u, &t, first_pos, err))
				goto fail;
			break;
		case CJK_TERM_STEM:
			if (!stem && !(stem = strndup(t.text, t.len))) {
				ws_fail(err, "out of memory");
				goto fail;
			}
			break;
		case CJK_TERM_CJK_WORD:
			break; /* not in an analysis without words */
		}
	}
	if (r < 0) {
		ws_fail(err, "text analysis of \"%s\" failed: %s", u->text, cjk_analyzer_error(a));
		goto fail;
	}
	if (cjk_analyzer_dropped_words(a)) {
		/* no index holds such a word (the indexer drops it too): left
		 * out, the rest of the query would match without it */
		char *shown = ws_shown(u->text, strlen(u->text), WS_SHOWN_CHARS);
		ws_fail(err, "\"%s\" holds a word longer than the %d bytes a word of the index can have: "
		        "no passage can be found by it", shown ? shown : "", CJK_MAX_TERM_BYTES);
		free(shown);
		goto fail;
	}
	if (!u->quoted && u->nterms == 1 && first_is_word && stem)
		u->stem = stem;
	else
		free(stem);
	if (u->nterms > 1) {
		bool han = false;
		for (size_t i = 0; i < u->nterms; i++)
			han |= u->terms[i].han;
		u->approx = han || u->terms[u->nterms - 1].rel + 1 > u->nterms;
	}
	if (!han_run(u)) {
		ws_fail(err, "out of memory");
		return false;
	}
	return true;
fail:
	free(stem);
	return false;
}

void ws_query_mark_partial(ws_query *q)
{
	ws_unit *last = NULL;
	for (size_t i = 0; i < q->nunits; i++)
		if (q->units[i].kind == WS_UNIT_TEXT)
			last = &q->units[i];
	/* a Chinese run being typed already matches as a run; a Latin word
	 * (or a number) being typed matches its completions */
	if (!last || last->quoted || last->excluded || last->nterms != 1 || last->terms[0].han)
		return;
	last->terms[0].prefix = true;
	free(last->stem);
	last->stem = NULL;
}

bool ws_query_analyse(ws_query *q, cjk_analyzer *a, bool has_filters, char **err)
{
	bool positive = false, excluded = false, fields = false;
	const ws_unit *empty = NULL;

	for (size_t i = 0; i < q->nunits; i++) {
		ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT) {
			fields = true;
			continue;
		}
		if (!analyse_unit(u, a, err))
			return false;
		if (!u->nterms && !empty)
			empty = u;
		if (u->nterms && u->excluded)
			excluded = true;
		else if (u->nterms)
			positive = true;
	}
	if (positive || fields || has_filters)
		return true;
	if (excluded)
		return ws_fail(err, "the query only excludes: give a word or a filter (year:, source:, title:) to search for");
	return ws_fail(err, "the query has nothing to search for: \"%s\" has no words or numbers, only punctuation or symbols",
	               empty ? empty->text : "");
}

/* The passages that hold text term t[0..len) into *tf, or (cf not NULL)
 * its occurrences into *cf instead: in body text, or (asides) in passages
 * of every kind. */
static xq_status text_freqs(xq_db *db, const char *t, size_t len, bool asides, unsigned *tf, unsigned long long *cf)
{
	char buf[WS_TERM_MAX_BYTES + 1];
	size_t tl = asides ? aside_twin(t, len, buf) : 0;
	unsigned tf2 = 0;
	unsigned long long cf2 = 0;
	xq_status st = cf ? xq_db_collfreq(db, t, len, cf) : xq_db_termfreq(db, t, len, tf);
	if (st == XQ_OK && tl)
		st = cf ? xq_db_collfreq(db, buf, tl, &cf2) : xq_db_termfreq(db, buf, tl, &tf2);
	if (cf)
		*cf += cf2;
	else
		*tf += tf2;
	return st;
}

/* Words are looked up from the longest down and none inside a word
 * already found: a unit's words rarely overlap, as the analyzer's never
 * do.  The index's words are of three to five characters (ICU's
 * dictionary seldom gives longer ones); a unit's look-ups are bounded,
 * so that a long question run costs a fraction of a millisecond. */
#define WS_WORD_MAX_CHARS 6
#define WS_WORD_MAX_LOOKUPS 64

bool ws_query_find_words(ws_query *q, xq_db *db, xq_status *xst, char **err)
{
	*xst = XQ_OK;
	for (size_t i = 0; i < q->nunits; i++) {
		ws_unit *u = &q->units[i];
		/* not for a glossary's forms: their look-ups cost a search
		 * with the glossary a fifth of a millisecond at the median
		 * and changed no score of the relevance set */
		if (u->kind != WS_UNIT_TEXT || u->excluded || u->synonym || !u->han || u->nhan < 3 || u->nweights)
			continue;
		size_t n = u->nhan, maxl = n < WS_WORD_MAX_CHARS ? n : WS_WORD_MAX_CHARS;
		size_t found[WS_WORD_MAX_LOOKUPS][2], nfound = 0;
		unsigned lookups = 0;
		for (size_t l = maxl; l >= 3 && lookups < WS_WORD_MAX_LOOKUPS; l--) {
			for (size_t at = 0; at + l <= n && lookups < WS_WORD_MAX_LOOKUPS; at++) {
				bool inside = false;
				for (size_t k = 0; k < nfound && !inside; k++)
					inside = at >= found[k][0] && at + l <= found[k][0] + found[k][1];
				if (inside)
					continue;
				lookups++;
				char w[WS_WORD_MAX_CHARS * 4 + 1];
				size_t wl = 0;
				for (size_t c = at; c < at + l; c++)
					wl += ws_utf8_encode(u->han[c], w + wl);
				unsigned tf = 0;
				if ((*xst = text_freqs(db, w, wl, q->asides, &tf, NULL)) != XQ_OK)
					return ws_fail(err, "cannot read the index: %s", xq_db_error(db));
				if (!tf)
					continue;
				if (!push_weight(u, w, wl, err))
					return false;
				found[nfound][0] = at;
				found[nfound][1] = l;
				nfound++;
			}
		}
	}
	return true;
}

/* The words of a unit that is a phrase of 2 to WS_FORM_MAX_WORDS words at
 * consecutive positions, joined by spaces as formset.h's forms are, into
 * buf; 0 if it is none. */
static size_t phrase_form(const ws_unit *u, char buf[WS_TERM_MAX_BYTES + 1])
{
	size_t n = 0;
	if (u->han || u->nterms < 2 || u->nterms > WS_FORM_MAX_WORDS)
		return 0;
	for (size_t i = 0; i < u->nterms; i++) {
		const ws_qterm *t = &u->terms[i];
		if (t->han || t->prefix || t->rel != i || n + t->len + 1 > WS_TERM_MAX_BYTES)
			return 0;
		if (i)
			buf[n++] = ' ';
		memcpy(buf + n, t->text, t->len);
		n += t->len;
	}
	return n;
}

bool ws_query_find_forms(ws_query *q, ws_index *ix, xq_status *xst, char **err)
{
	*xst = XQ_OK;
	for (size_t i = 0; i < q->nunits; i++) {
		ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT || u->excluded || u->form)
			continue;
		char form[WS_TERM_MAX_BYTES + 1], term[WS_TERM_MAX_BYTES + 1];
		size_t n = 0;
		if (u->han && u->nhan >= WS_FORM_MIN_CHARS && u->nhan <= WS_FORM_MAX_CHARS) {
			for (size_t c = 0; c < u->nhan; c++)
				n += ws_utf8_encode(u->han[c], form + n);
		} else if (u->synonym) {
			/* a concept's English form, for its phrase's positions:
			 * the words as written are a phrase still (they are
			 * ranked by their words, and found in headings too) */
			n = phrase_form(u, form);
		}
		if (!n)
			continue;
		bool has;
		if (!ws_index_has_form(ix, form, n, &has, xst, err))
			return false;
		size_t tn = has ? ws_term_form(form, n, term) : 0;
		if (!tn)
			continue;
		if (!(u->form = strndup(term, tn)))
			return ws_fail(err, "out of memory");
		/* a Han run: in the text and in the section's heading (HXF)
		 * alike */
		if (u->han)
			u->approx = false;
	}
	return true;
}

bool ws_query_find_stems(ws_query *q, ws_index *ix, xq_status *xst, char **err)
{
	*xst = XQ_OK;
	if (ix->remote)
		return true;
	for (size_t i = 0; i < q->nunits; i++) {
		ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT || !u->stem || u->synonym || u->excluded || u->nterms != 1)
			continue;
		/* every passage with the word has its stem, at least as often
		 * (the same scaled count or more): equal totals mean equal
		 * postings */
		const ws_qterm *w = &u->terms[0];
		unsigned tf_word = 0, tf_stem = 0;
		unsigned long long cf_word = 0, cf_stem = 0;
		if ((*xst = text_freqs(ix->db, w->text, w->len, q->asides, &tf_word, NULL)) != XQ_OK ||
		    (*xst = text_freqs(ix->db, u->stem, strlen(u->stem), q->asides, &tf_stem, NULL)) != XQ_OK)
			return ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		/* (body and asides each hold the stem wherever the word:
		 * equal sums mean equal parts) */
		if (!tf_word || tf_word != tf_stem)
			continue;
		if ((*xst = text_freqs(ix->db, w->text, w->len, q->asides, NULL, &cf_word)) != XQ_OK ||
		    (*xst = text_freqs(ix->db, u->stem, strlen(u->stem), q->asides, NULL, &cf_stem)) != XQ_OK)
			return ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		u->stem_is_word = cf_word == cf_stem;
	}
	return true;
}

bool ws_query_needs_check(const ws_query *q)
{
	for (size_t i = 0; i < q->nunits; i++)
		if (q->units[i].kind == WS_UNIT_TEXT && q->units[i].nterms && q->units[i].approx)
			return true;
	return false;
}

unsigned ws_query_positive_groups(const ws_query *q)
{
	unsigned n = 0;
	for (unsigned g = 0; g < q->ngroups; g++) {
		for (size_t i = 0; i < q->nunits; i++) {
			const ws_unit *u = &q->units[i];
			if (u->group == g && u->kind == WS_UNIT_TEXT && !u->excluded && u->nterms) {
				n++;
				break;
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Text units                                                           */

static xq_query *slot_query(const ws_qterm *t, twin_mode twin)
{
	return text_term(t->text, t->len, t->prefix, twin);
}

/* The phrase of u's terms (each a plain term: a phrase has no slot) in
 * passages whose terms have the prefix (aside: WS_PREFIX_ASIDE), window
 * as for XQ_OP_PHRASE.  NULL in *out when a term with the prefix would
 * be too long to be indexed. */
static bool plain_phrase(const ws_unit *u, bool aside, unsigned window, xq_query **out, char **err)
{
	qlist l = {0};
	*out = NULL;
	for (size_t i = 0; i < u->nterms; i++) {
		char buf[WS_TERM_MAX_BYTES + 1];
		const ws_qterm *t = &u->terms[i];
		size_t tl = aside ? aside_twin(t->text, t->len, buf) : t->len;
		if (!tl) {
			qlist_free(&l);
			return true;
		}
		if (!qlist_push(&l, term_query(aside ? buf : t->text, tl), err)) {
			qlist_free(&l);
			return false;
		}
	}
	return qlist_combine(&l, XQ_OP_PHRASE, window, out, err);
}

/* A phrase in passages of every kind.  Xapian 1.4's phrases take terms
 * only, not a term with its twin: the passages are those of the phrase
 * or its twin, the weight is that of its words each with its twin (a
 * phrase weighs as its words do). */
static bool phrase_with_asides(const ws_unit *u, qlist *words, unsigned window, xq_query **out, char **err)
{
	xq_query *weight = NULL, *body = NULL, *aside = NULL, *match = NULL;
	bool ok = false;
	*out = NULL;
	if (!qlist_combine(words, XQ_OP_AND, 0, &weight, err) || !plain_phrase(u, false, window, &body, err) ||
	    !plain_phrase(u, true, window, &aside, err))
		goto out;
	xq_query *pair[2] = {body, aside};
	xq_status st = aside ? xq_query_combine(XQ_OP_OR, pair, 2, 0, &match) : XQ_OK;
	if (st == XQ_OK) {
		pair[0] = weight;
		pair[1] = aside ? match : body;
		st = xq_query_combine(XQ_OP_FILTER, pair, 2, 0, out);
	}
	ok = st == XQ_OK || ws_fail(err, "cannot build the query: %s", xq_last_error());
out:
	xq_query_free(weight);
	xq_query_free(body);
	xq_query_free(aside);
	xq_query_free(match);
	return ok;
}

/* The query of a unit of several terms.  Latin words and numbers have
 * positions: their unit is a phrase.  Han terms have none (schema.h), so a
 * unit with any is the AND of its terms (a single Han character slot as
 * its expansion), and the engine checks each candidate (approx). */
static bool phrase_query(const ws_unit *u, twin_mode twin, xq_query **out, char **err)
{
	qlist l = {0};
	bool han = false;

	*out = NULL;
	if (u->nterms == 1) {
		*out = slot_query(&u->terms[0], twin);
		return *out ? true : ws_fail(err, "cannot build the query: %s", xq_last_error());
	}
	for (size_t i = 0; i < u->nterms; i++)
		han |= u->terms[i].han;
	for (size_t i = 0; i < u->nterms; i++) {
		const ws_qterm *t = &u->terms[i];
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = u->terms[j].len == t->len && !memcmp(u->terms[j].text, t->text, t->len);
		if (dup && han)
			continue; /* 数据据 needs 数据 once in an AND */
		if (!qlist_push(&l, slot_query(t, twin), err)) {
			qlist_free(&l);
			return false;
		}
	}
	/* Latin terms are at consecutive positions unless one was dropped
	 * (too long): the window is the span they cover. */
	unsigned span = u->terms[u->nterms - 1].rel + 1;
	unsigned window = span > l.n ? span : 0;
	if (!han && twin != TWIN_NONE)
		return phrase_with_asides(u, &l, window, out, err);
	return qlist_combine(&l, han ? XQ_OP_AND : XQ_OP_PHRASE, window, out, err);
}

/* The unit's terms as the heading of a passage's section holds them (H,
 * schema.h): all of them, or the word or its stem.  NULL in *out when the unit has none
 * (a single Han character, whose expansion is not worth it). */
static bool section_query(const ws_unit *u, twin_mode twin, xq_query **out, char **err)
{
	qlist l = {0};
	char buf[WS_TERM_MAX_BYTES + 8];
	size_t hl = strlen(WS_PREFIX_SECTION);

	*out = NULL;
	memcpy(buf, WS_PREFIX_SECTION, hl);
	/* one term stands for the unit: a Han run's form (the heading has
	 * its HXF term), or a word's stem */
	const char *one = u->form && u->han ? u->form : u->stem;
	if (one) {
		size_t n = strlen(one);
		if (n + hl > WS_TERM_MAX_BYTES)
			return true;
		memcpy(buf + hl, one, n);
		*out = text_term(buf, n + hl, false, twin);
		return *out ? true : ws_fail(err, "cannot build the query: %s", xq_last_error());
	}
	for (size_t i = 0; i < u->nterms; i++) {
		const ws_qterm *t = &u->terms[i];
		if (t->prefix || t->len + hl > WS_TERM_MAX_BYTES) {
			qlist_free(&l);
			return true;
		}
		memcpy(buf + hl, t->text, t->len);
		if (!qlist_push(&l, text_term(buf, t->len + hl, false, twin), err)) {
			qlist_free(&l);
			return false;
		}
	}
	if (!l.n)
		return true;
	return qlist_combine(&l, XQ_OP_AND, 0, out, err);
}

/* The unit's query: where it occurs in the text, and (for a unit to find,
 * with_section) where the heading of the passage's section holds it. */
static bool unit_query(const ws_unit *u, bool with_section, twin_mode twin, xq_query **out, char **err)
{
	qlist l = {0};
	xq_query *core = NULL;

	*out = NULL;
	if (with_section) {
		xq_query *text = NULL, *sec = NULL;
		if (!unit_query(u, false, twin, &text, err))
			return false;
		if (!section_query(u, twin, &sec, err)) {
			xq_query_free(text);
			return false;
		}
		if (!sec) {
			*out = text;
			return true;
		}
		xq_query *pair[2] = {text, sec};
		xq_status st = xq_query_combine(XQ_OP_OR, pair, 2, 0, out);
		xq_query_free(text);
		xq_query_free(sec);
		return st == XQ_OK || ws_fail(err, "cannot build the query: %s", xq_last_error());
	}
	if (u->stem && (u->synonym || u->stem_is_word)) {
		/* The stem alone.  A concept's other forms weigh as one term
		 * (OP_SYNONYM), their wdf added up: the word as written beside
		 * its stem would count each of its occurrences twice, an
		 * English form over a Chinese one, and cost a second long
		 * posting list ("AI" in 8,000 files).  A word whose postings
		 * are its stem's is the stem weighted twice: the scores of the
		 * OR below, from one posting list instead of two. */
		if (!qlist_push(&l, text_term(u->stem, strlen(u->stem), false, twin), err) ||
		    !qlist_combine(&l, XQ_OP_OR, 0, &core, err))
			goto fail;
		if (!u->synonym) {
			xq_query *twice = NULL;
			xq_status st = xq_query_scale(core, 2.0, &twice);
			xq_query_free(core);
			core = twice;
			if (st != XQ_OK) {
				ws_fail(err, "cannot build the query: %s", xq_last_error());
				goto fail;
			}
		}
	} else if (u->stem) {
		/* The stem finds every form; the word as written ranks higher. */
		if (!qlist_push(&l, text_term(u->stem, strlen(u->stem), false, twin), err) ||
		    !qlist_push(&l, text_term(u->terms[0].text, u->terms[0].len, false, twin), err) ||
		    !qlist_combine(&l, XQ_OP_OR, 0, &core, err))
			goto fail;
	} else if (u->form) {
		if (!qlist_push(&l, text_term(u->form, strlen(u->form), false, twin), err) ||
		    !qlist_combine(&l, XQ_OP_OR, 0, &core, err))
			goto fail;
	} else if (!phrase_query(u, twin, &core, err)) {
		goto fail;
	}
	if (!u->nweights) {
		*out = core;
		return true;
	}
	/* Dictionary words of the unit add weight where they occur. */
	xq_query *w = NULL;
	for (size_t i = 0; i < u->nweights; i++)
		if (!qlist_push(&l, text_term(u->weights[i], strlen(u->weights[i]), false, twin), err))
			goto fail;
	if (!qlist_combine(&l, XQ_OP_OR, 0, &w, err))
		goto fail;
	xq_query *pair[2] = {core, w};
	xq_status st = xq_query_combine(XQ_OP_AND_MAYBE, pair, 2, 0, out);
	xq_query_free(core);
	xq_query_free(w);
	if (st != XQ_OK)
		return ws_fail(err, "cannot build the query: %s", xq_last_error());
	return true;
fail:
	qlist_free(&l);
	xq_query_free(core);
	return false;
}

/* ------------------------------------------------------------------ */
/* Filters                                                              */

static xq_query *year_term(int year)
{
	char t[WS_TERM_YEAR_SIZE];
	size_t n = ws_term_year(year, t);
	return term_query(t, n);
}

static xq_query *year_range(int lo, int hi)
{
	char a[18], b[18];
	size_t alen = lo ? xq_sortable_serialise(lo, a) : 0;
	size_t blen = hi ? xq_sortable_serialise(hi, b) : 0;
	xq_query *q = NULL;
	xq_query_value_range(WS_SLOT_YEAR, lo ? a : NULL, alen, hi ? b : NULL, blen, &q);
	return q;
}

static xq_query *year_query(int lo, int hi)
{
	return lo && lo == hi ? year_term(lo) : year_range(lo, hi);
}

static bool contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle);
}

/* Does hay contain one of needles[0..n)? */
static bool contains_any(const char *hay, char *const *needles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (contains(hay, needles[i]))
			return true;
	return false;
}

/* A title filter matching more files than this is searched through the
 * XT terms of its Han pairs (schema.h) where it can be: the OR of a Q term
 * per file costs Xapian a look-up of each in every shard ("title:数字",
 * 1,215 of 3,000 files at 1 GB: 416 -> 125 ms). */
#define WS_TITLE_PAIRS_FROM 16

/* The pairs of a needle, as cjk_han_pairs gives them: each as a string
 * of its own, for strstr and for its XT term. */
typedef struct needle_pairs {
	const char *needle;
	char (*pair)[WS_TERM_TITLE_SIZE];
	size_t n;
} needle_pairs;

static void take_pair(void *ud, size_t at, size_t n)
{
	needle_pairs *np = ud;
	memcpy(np->pair[np->n], np->needle + at, n);
	np->pair[np->n++][n] = '\0';
}

/* The title filter for needle (normalised), if it is a run of two Han
 * characters or more that more than WS_TITLE_PAIRS_FROM files' titles
 * hold: the AND of its pairs' XT terms, but for the files whose titles
 * hold each pair and not the run (which the file table tells), pushed
 * onto l with *done set.  Else nothing is pushed. */
static bool title_by_pairs(ws_index *ix, const char *needle, qlist *l, bool *done, char **err)
{
	size_t len = strlen(needle), nchars = 0, matching = 0;
	*done = false;
	for (size_t i = 0; i < len; nchars++)
		if (!cjk_is_han(ws_utf8_next(needle, len, &i)))
			return true;
	for (size_t k = 0; k < ix->nfiles && matching <= WS_TITLE_PAIRS_FROM; k++)
		matching += contains(ix->files[k].title, needle);
	if (nchars < 2 || matching <= WS_TITLE_PAIRS_FROM)
		return true;

	/* (the indexer's terms are the pairs of the normalised title, which
	 * the file table holds: a file has the term of a pair exactly where
	 * its title holds the pair; a pair of Han characters is at most 8
	 * bytes) */
	needle_pairs np = {needle, malloc(nchars * sizeof *np.pair), 0};
	qlist pairs = {0}, apart = {0};
	bool ok = np.pair ? true : ws_fail(err, "out of memory");
	if (ok)
		cjk_han_pairs(needle, len, take_pair, &np);
	for (size_t c = 0; ok && c < np.n; c++) {
		char t[WS_TERM_TITLE_SIZE];
		size_t n = ws_term_title_pair(np.pair[c], strlen(np.pair[c]), t);
		ok = n ? qlist_push(&pairs, term_query(t, n), err) : ws_fail(err, "cannot build the query: a title pair too long");
	}
	/* the titles that hold each pair but not the run, and those the
	 * file table could not read (which the run never matches) */
	for (size_t k = 0; ok && k < ix->nfiles; k++) {
		const ws_file *f = &ix->files[k];
		if (f->title && contains(f->title, needle))
			continue;
		bool every = true;
		for (size_t c = 0; every && f->title && c < np.n; c++)
			every = strstr(f->title, np.pair[c]) != NULL;
		char t[WS_TERM_FILE_SIZE];
		if (every)
			ok = qlist_push(&apart, term_query(t, ws_term_file(f->fileid, t)), err);
	}
	xq_query *q = NULL;
	if (ok)
		ok = qlist_combine(&pairs, XQ_OP_AND, 0, &q, err);
	if (ok && apart.n)
		ok = combine_with(XQ_OP_AND_NOT, &q, &apart, err);
	if (ok)
		ok = *done = qlist_push(l, q, err);
	else
		xq_query_free(q);
	free(np.pair);
	qlist_free(&pairs);
	qlist_free(&apart);
	return ok;
}

/* Push onto l a boolean term for each distinct file field (source or
 * title) containing value, normalised; a source may also contain another
 * form of the glossary concept value names (信通院, CAICT: 中国信息通信研究院).
 * For sources the term is XS + the normalised source; for titles Q + the
 * file id. */
static bool push_file_terms(ws_index *ix, const ws_glossary *gl, ws_unit_kind kind, const char *value, qlist *l,
                            char **err)
{
	bool by_terms = false;
	if (kind == WS_UNIT_SOURCE) {
		if (!ws_index_load_sources(ix, err))
			return false;
		by_terms = !ix->sources_cut;
	}
	if (!by_terms && !ws_index_load_files(ix, err))
		return false;
	char **forms = NULL, **needles = NULL;
	size_t nforms = 0, n = 0;
	bool ok = kind != WS_UNIT_SOURCE || ws_glossary_forms(gl, ix->analyzer, value, &forms, &nforms);
	if (ok)
		ok = (needles = calloc(nforms + 1, sizeof *needles)) != NULL;
	if (ok && (needles[n] = cjk_normalize(ix->analyzer, value, strlen(value))))
		n++;
	else
		ok = false;
	for (size_t i = 0; ok && i < nforms; i++, n++)
		ok = (needles[n] = cjk_normalize(ix->analyzer, forms[i], strlen(forms[i]))) != NULL;
	for (size_t i = 0; i < nforms; i++)
		free(forms[i]);
	free(forms);
	if (!ok) {
		for (size_t i = 0; i < n; i++)
			free(needles[i]);
		free(needles);
		return ws_fail(err, "cannot normalise \"%s\"", value);
	}
	char *needle = needles[0];
	bool by_pairs = false;
	if (kind == WS_UNIT_TITLE)
		ok = title_by_pairs(ix, needle, l, &by_pairs, err);
	/* the source terms, when none was cut: each is the indexer's own term */
	for (size_t i = 0; by_terms && i < ix->nsources && ok; i++) {
		if (!contains_any(ix->sources[i], needles, n))
			continue;
		size_t tn = 0;
		char *t = ws_term_source(ix->sources[i], &tn);
		ok = t ? qlist_push(l, term_query(t, tn), err) : ws_fail(err, "out of memory");
		free(t);
	}
	for (size_t i = 0; !by_terms && !by_pairs && i < ix->nfiles && ok; i++) {
		const ws_file *f = &ix->files[i];
		if (kind == WS_UNIT_TITLE) {
			if (!contains(f->title, needle))
				continue;
			char t[WS_TERM_FILE_SIZE];
			size_t tn = ws_term_file(f->fileid, t);
			ok = qlist_push(l, term_query(t, tn), err);
			continue;
		}
		if (!contains_any(f->source, needles, n))
			continue;
		/* a source of several files is one term */
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = ix->files[j].source && !strcmp(ix->files[j].source, f->source);
		if (seen)
			continue;
		/* the indexer's own term for the source (cut as it was cut) */
		size_t tn = 0;
		char *t = ws_term_source(f->source, &tn);
		if (!t) {
			ok = ws_fail(err, "out of memory");
			break;
		}
		ok = qlist_push(l, term_query(t, tn), err);
		free(t);
	}
	for (size_t i = 0; i < n; i++)
		free(needles[i]);
	free(needles);
	return ok;
}

/* The filter of one field unit, pushed onto l; nothing is pushed if no
 * indexed file can match it. */
static bool field_query(ws_index *ix, const ws_glossary *gl, const ws_unit *u, qlist *l, char **err)
{
	if (u->kind == WS_UNIT_YEAR)
		return qlist_push(l, year_query(u->year_lo, u->year_hi), err);
	qlist terms = {0};
	if (!push_file_terms(ix, gl, u->kind, u->text, &terms, err)) {
		qlist_free(&terms);
		return false;
	}
	if (!terms.n)
		return true;
	xq_query *q;
	return qlist_combine(&terms, XQ_OP_OR, 0, &q, err) && qlist_push(l, q, err);
}

/* Push onto l the terms of the passages that are not body text (their
 * kinds', schema.h). */
static bool exclude_asides(qlist *l, char **err)
{
	for (unsigned k = 1; k < WS_KINDS; k++) {
		char kt[32];
		int n = snprintf(kt, sizeof kt, "%s%s", WS_PREFIX_KIND, ws_kind_name(k));
		if (!qlist_push(l, term_query(kt, (size_t)n), err))
			return false;
	}
	return true;
}

/* Option filters onto filters; *none if one of them matches nothing. */
static bool option_filters(ws_index *ix, const ws_filters *f, qlist *filters, bool *none, char **err)
{
	if (f->year && !qlist_push(filters, year_term(f->year), err))
		return false;
	if ((f->since || f->until) && !qlist_push(filters, year_range(f->since, f->until), err))
		return false;
	if (!f->nsources)
		return true;
	qlist src = {0};
	for (size_t i = 0; i < f->nsources; i++) {
		if (!push_file_terms(ix, f->glossary, WS_UNIT_SOURCE, f->sources[i], &src, err)) {
			qlist_free(&src);
			return false;
		}
	}
	if (!src.n) {
		*none = true;
		return true;
	}
	xq_query *q;
	return qlist_combine(&src, XQ_OP_OR, 0, &q, err) && qlist_push(filters, q, err);
}

bool ws_query_build(const ws_query *q, const ws_filters *f, ws_index *ix, bool relaxed, xq_query **out,
                    bool *none, char **err)
{
	qlist positives = {0}, excluded = {0}, filters = {0}, group = {0}, forms = {0};
	xq_query *top = NULL, *tmp = NULL;
	bool ok = false;

	*out = NULL;
	*none = false;
	for (unsigned g = 0; g < q->ngroups; g++) {
		bool is_field = false;
		for (size_t i = 0; i < q->nunits; i++) {
			const ws_unit *u = &q->units[i];
			if (u->group != g)
				continue;
			is_field = u->kind != WS_UNIT_TEXT;
			if (u->kind == WS_UNIT_TEXT && !u->nterms)
				continue;
			/* Xapian would exclude too much: the engine checks these. */
			if (u->kind == WS_UNIT_TEXT && u->excluded && u->approx)
				continue;
			xq_query *uq = NULL;
			if (u->kind == WS_UNIT_TEXT) {
				/* a concept's other forms are looked for in the text
				 * only (in headings too they cost more than they find,
				 * except for a question's Chinese forms) */
				twin_mode twin = !q->asides ? TWIN_NONE : u->excluded ? TWIN_EITHER : TWIN_AS_ONE;
				if (!unit_query(u, !u->excluded && (!u->synonym || (q->synonym_headings && u->han)), twin, &uq,
				                err))
					goto out;
				if (!qlist_push(u->excluded ? &excluded : u->synonym ? &forms : &group, uq, err))
					goto out;
			} else if (!field_query(ix, f->glossary, u, u->excluded ? &excluded : &group, err)) {
				goto out;
			}
		}
		if (!group.n && forms.n) {
			/* the text as written has nothing to search, its forms do */
			if (!qlist_combine(&forms, XQ_OP_SYNONYM, 0, &tmp, err) || !qlist_push(&positives, tmp, err))
				goto out;
			tmp = NULL;
			continue;
		}
		if (!group.n) {
			/* A field group no file can match filters everything out. */
			bool positive_field = false;
			for (size_t i = 0; i < q->nunits; i++)
				if (q->units[i].group == g && q->units[i].kind != WS_UNIT_TEXT && !q->units[i].excluded)
					positive_field = true;
			if (positive_field)
				*none = true;
			continue;
		}
		if (!qlist_combine(&group, XQ_OP_OR, 0, &tmp, err))
			goto out;
		if (forms.n) {
			/* the concept's other forms weigh as one term (OP_SYNONYM)
			 * beside the words as written */
			xq_query *syn = NULL, *pair[2];
			if (!qlist_combine(&forms, XQ_OP_SYNONYM, 0, &syn, err))
				goto out;
			pair[0] = tmp;
			pair[1] = syn;
			xq_query *both = NULL;
			xq_status st = xq_query_combine(XQ_OP_OR, pair, 2, 0, &both);
			xq_query_free(syn);
			xq_query_free(tmp);
			tmp = both;
			if (st != XQ_OK) {
				ws_fail(err, "cannot build the query: %s", xq_last_error());
				goto out;
			}
		}
		if (!qlist_push(is_field ? &filters : &positives, tmp, err))
			goto out;
		tmp = NULL;
	}
	if (!option_filters(ix, f, &filters, none, err))
		goto out;
	if (*none) {
		ok = true;
		goto out;
	}

	if (positives.n) {
		if (!qlist_combine(&positives, relaxed ? XQ_OP_OR : XQ_OP_AND, 0, &top, err))
			goto out;
	} else {
		/* Filters alone (the query's and the options'): the passages
		 * they let through, in the index's order, rather than every
		 * passage filtered by them, which had Xapian weigh each
		 * passage of the index ("title:数字" at 1 GB: 125 -> 104 ms).
		 * Without any, every passage. */
		if (filters.n && !qlist_combine(&filters, XQ_OP_AND, 0, &top, err))
			goto out;
		if (!top && xq_query_match_all(&top) != XQ_OK) {
			ws_fail(err, "cannot build the query: %s", xq_last_error());
			goto out;
		}
		/* every passage but the asides, which only their terms'
		 * prefix keeps out of a search for words */
		if (!q->asides && !exclude_asides(&excluded, err))
			goto out;
	}
	if (excluded.n && !combine_with(XQ_OP_AND_NOT, &top, &excluded, err))
		goto out;
	if (filters.n && !combine_with(XQ_OP_FILTER, &top, &filters, err))
		goto out;
	*out = top;
	top = NULL;
	ok = true;
out:
	xq_query_free(top);
	qlist_free(&positives);
	qlist_free(&excluded);
	qlist_free(&filters);
	qlist_free(&group);
	qlist_free(&forms);
	return ok;
}
