/* match.c - find a query's units in a passage (see match.h). */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strbuf.h"
#include "text.h"

/* A term of the passage; its text lives in the arena. */
typedef struct dterm {
	size_t off, len; /* text in the arena */
	cjk_term_kind kind;
	uint32_t pos;
	size_t start, end;
	uint32_t line;
	size_t seq; /* emission order, to keep sorting stable */
} dterm;

typedef struct dterms {
	dterm *v;
	size_t n, cap;
	strbuf arena;
} dterms;

static void dterms_free(dterms *d)
{
	free(d->v);
	strbuf_free(&d->arena);
}

static bool dterms_push(dterms *d, const cjk_term *t)
{
	dterm *v = ws_array_grow(d->v, d->n, &d->cap, sizeof *v, 256);
	if (!v)
		return false;
	d->v = v;
	dterm *e = &d->v[d->n];
	e->off = d->arena.len;
	e->len = t->len;
	e->kind = t->kind;
	e->pos = t->pos;
	e->start = t->start;
	e->end = t->end;
	e->line = t->line;
	e->seq = d->n;
	if (!strbuf_append(&d->arena, t->text, t->len) || !strbuf_appendc(&d->arena, '\0'))
		return false;
	d->n++;
	return true;
}

static int cmp_dterm(const void *a, const void *b)
{
	const dterm *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_match(const void *a, const void *b)
{
	const ws_match *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->group < y->group ? -1 : x->group > y->group;
}

/* In (pos, seq) order already?  The analyzer mostly emits its terms so,
 * and the sort of a passage's few hundred terms was a tenth of a hit's
 * cost. */
static bool dterms_sorted(const dterms *d)
{
	for (size_t i = 1; i < d->n; i++)
		if (d->v[i].pos < d->v[i - 1].pos)
			return false;
	return true;
}

/* First index whose pos is >= pos. */
static size_t lower_bound(const dterms *d, uint32_t pos)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->v[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool is_positional(cjk_term_kind k)
{
	return k != CJK_TERM_STEM;
}

/* Does passage term e match query term t?  Sets *end to the end of the
 * part of e that matched. */
static bool slot_match(const dterms *d, const dterm *e, const ws_qterm *t, const char *text, size_t len,
                       size_t *end)
{
	const char *s = d->arena.data + e->off;
	if (!is_positional(e->kind))
		return false;
	if (e->len == t->len && !memcmp(s, t->text, t->len)) {
		*end = e->end;
		return true;
	}
	if (t->prefix && !t->han && e->len > t->len && !memcmp(s, t->text, t->len) &&
	    (e->kind == CJK_TERM_WORD || e->kind == CJK_TERM_NUMBER)) {
		/* a word being typed: the whole word it starts matched */
		*end = e->end;
		return true;
	}
	if (t->prefix && e->len > t->len && !memcmp(s, t->text, t->len) &&
	    (e->kind == CJK_TERM_BIGRAM || e->kind == CJK_TERM_CJK_WORD)) {
		/* Only the first character of the bigram or word matched. */
		size_t i = e->start;
		if (i < len)
			ws_utf8_next(text, len, &i);
		*end = i < e->end ? i : e->end;
		return true;
	}
	return false;
}

static bool push_match(ws_matches *m, size_t start, size_t end, uint32_t line, const ws_unit *u)
{
	ws_match *v = ws_array_grow(m->v, m->n, &m->cap, sizeof *v, 16);
	if (!v)
		return false;
	m->v = v;
	m->v[m->n++] = (ws_match){start, end, line, u->group, u->excluded, u};
	return true;
}

static bool match_stem(const dterms *d, const ws_unit *u, ws_matches *m)
{
	uint32_t last = 0;
	bool have_last = false;
	size_t slen = strlen(u->stem);

	for (size_t i = 0; i < d->n; i++) {
		const dterm *e = &d->v[i];
		const char *s = d->arena.data + e->off;
		bool hit = (e->kind == CJK_TERM_STEM && e->len == slen && !memcmp(s, u->stem, slen)) ||
		           (e->kind == CJK_TERM_WORD && e->len == u->terms[0].len &&
		            !memcmp(s, u->terms[0].text, e->len));
		if (!hit || (have_last && e->pos == last))
			continue;
		size_t start = e->start, end = e->end;
		uint32_t line = e->line;
		if (start == end) {
			/* A stem without a range of its own: use its word's. */
			for (size_t j = lower_bound(d, e->pos); j < d->n && d->v[j].pos == e->pos; j++)
				if (d->v[j].kind == CJK_TERM_WORD) {
					start = d->v[j].start;
					end = d->v[j].end;
					line = d->v[j].line;
				}
		}
		if (!push_match(m, start, end, line, u))
			return false;
		have_last = true;
		last = e->pos;
	}
	return true;
}

static bool match_terms(const dterms *d, const ws_unit *u, const char *text, size_t len, ws_matches *m)
{
	uint32_t last = 0;
	bool have_last = false;

	for (size_t i = 0; i < d->n; i++) {
		const dterm *e = &d->v[i];
		size_t end;
		if (!slot_match(d, e, &u->terms[0], text, len, &end))
			continue;
		if (have_last && e->pos == last)
			continue;
		size_t start = e->start;
		uint32_t line = e->line;
		bool ok = true;
		for (size_t k = 1; k < u->nterms && ok; k++) {
			uint32_t p = e->pos + u->terms[k].rel;
			ok = false;
			for (size_t j = lower_bound(d, p); j < d->n && d->v[j].pos == p; j++) {
				size_t e2;
				if (slot_match(d, &d->v[j], &u->terms[k], text, len, &e2)) {
					if (d->v[j].start < start) {
						start = d->v[j].start;
						line = d->v[j].line;
					}
					if (e2 > end)
						end = e2;
					ok = true;
					break;
				}
			}
		}
		if (!ok)
			continue;
		if (!push_match(m, start, end, line, u))
			return false;
		have_last = true;
		last = e->pos;
	}
	return true;
}

/* Does every unit to look for have a Han run (query.h: han)? */
static bool all_runs(const ws_query *q, bool with_excluded)
{
	for (size_t i = 0; i < q->nunits; i++) {
		const ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT || (u->excluded && !with_excluded) || !u->nterms)
			continue;
		if (!u->han)
			return false;
	}
	return true;
}

/* Does a unit to match have a stem (match_stem)? */
static bool any_stem(const ws_query *q, bool with_excluded)
{
	for (size_t i = 0; i < q->nunits; i++) {
		const ws_unit *u = &q->units[i];
		if (u->kind == WS_UNIT_TEXT && (!u->excluded || with_excluded) && u->nterms && u->stem)
			return true;
	}
	return false;
}

/* Occurrences of one unit's run, as cjk_text_find_han_runs reports them. */
typedef struct run_found {
	ws_matches *m;
	const ws_unit *u;
	const char *text;
	size_t counted;   /* newlines are counted up to this byte */
	uint32_t line;    /* the line at counted */
	bool oom;
} run_found;

static bool on_run(void *ud, size_t start, size_t end)
{
	run_found *f = ud;
	for (; f->counted < start; f->counted++)
		f->line += f->text[f->counted] == '\n';
	if (!push_match(f->m, start, end, f->line, f->u)) {
		f->oom = true;
		return false;
	}
	return true;
}

/* When every unit is a Han run a scan finds exactly what the analysis
 * would (cjk.h), at a fraction of the cost: most searches are Chinese. */
static bool match_runs(const ws_query *q, cjk_analyzer *a, const char *text, size_t len, uint32_t first_line,
                       bool with_excluded, ws_matches *out)
{
	for (size_t i = 0; i < q->nunits; i++) {
		const ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT || (u->excluded && !with_excluded) || !u->nterms)
			continue;
		run_found f = {out, u, text, 0, first_line, false};
		cjk_text_find_han_runs(a, text, len, u->han, u->nhan, on_run, &f);
		if (f.oom)
			return false;
	}
	return true;
}

bool ws_match_passage(const ws_query *q, cjk_analyzer *a, const char *text, size_t len, uint32_t first_line,
                      bool with_excluded, ws_matches *out, char **err)
{
	dterms d = {0};
	cjk_term t;
	int r;
	bool ok = false;

	out->n = 0;
	if (all_runs(q, with_excluded)) {
		if (!match_runs(q, a, text, len, first_line, with_excluded, out)) {
			ws_fail(err, "out of memory");
			return false;
		}
		goto sorted;
	}
	/* dictionary words are redundant with bigrams for matching, and
	 * ICU's dictionary is most of the cost of analysing Chinese text;
	 * stems are read only for a unit searched by its stem (a phrase,
	 * "data security", is by its words), and making them loads
	 * libstemmer */
	bool stemming = cjk_analyzer_set_stemming(a, any_stem(q, with_excluded));
	cjk_analyzer_reset_without_words(a, text, len, first_line);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (!dterms_push(&d, &t)) {
			ws_fail(err, "out of memory");
			break;
		}
	}
	cjk_analyzer_set_stemming(a, stemming);
	if (r == 1)
		goto out;
	if (r < 0) {
		ws_fail(err, "text analysis of a passage failed: %s", cjk_analyzer_error(a));
		goto out;
	}
	if (!dterms_sorted(&d))
		qsort(d.v, d.n, sizeof *d.v, cmp_dterm);

	for (size_t i = 0; i < q->nunits; i++) {
		const ws_unit *u = &q->units[i];
		if (u->kind != WS_UNIT_TEXT || (u->excluded && !with_excluded) || !u->nterms)
			continue;
		bool pushed = u->stem ? match_stem(&d, u, out) : match_terms(&d, u, text, len, out);
		if (!pushed) {
			ws_fail(err, "out of memory");
			goto out;
		}
	}
sorted:
	if (out->n > 1) {
		qsort(out->v, out->n, sizeof *out->v, cmp_match);
		size_t w = 1;
		for (size_t i = 1; i < out->n; i++) {
			const ws_match *p = &out->v[w - 1], *c = &out->v[i];
			if (c->start == p->start && c->end == p->end && c->group == p->group &&
			    c->excluded == p->excluded)
				continue;
			out->v[w++] = *c;
		}
		out->n = w;
	}
	ok = true;
out:
	dterms_free(&d);
	return ok;
}

size_t ws_matches_drop_excluded(ws_matches *m)
{
	size_t w = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!m->v[i].excluded)
			m->v[w++] = m->v[i];
	size_t dropped = m->n - w;
	m->n = w;
	return dropped;
}

unsigned ws_matches_groups(const ws_matches *m, unsigned ngroups)
{
	unsigned n = 0;
	for (unsigned g = 0; g < ngroups; g++) {
		for (size_t i = 0; i < m->n; i++) {
			if (m->v[i].group == g) {
				n++;
				break;
			}
		}
	}
	return n;
}

void ws_matches_free(ws_matches *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}
