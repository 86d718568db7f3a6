/* verify.c - check candidate passages for approximate units (verify.h). */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include "qbuild.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"

/* A unit the verifier must look at: Xapian matched it only roughly. */
static bool needs_check(const ws_unit *u)
{
	return u->kind == WS_UNIT_TEXT && u->nterms && u->approx;
}

void ws_verifier_init(ws_verifier *v, const ws_query *q, cjk_analyzer *a)
{
	memset(v, 0, sizeof *v);
	v->q = q;
	v->a = a;
	v->npositive = ws_query_positive_groups(q);
}

/* The plain scan of every Han run unit.  False if a group surely fails
 * (or an excluded run is there); *undecided when the answer depends on a
 * unit only the matcher can see: a group whose Han runs are absent but
 * which Xapian may have matched through another unit (a glossary
 * concept's English form, a unit of Han and Latin), or an excluded unit
 * that is no plain run. */
static bool scan(ws_verifier *v, const char *text, size_t len, bool *undecided)
{
	const ws_query *q = v->q;
	*undecided = false;
	for (unsigned g = 0; g < q->ngroups; g++) {
		bool found = false, runs = false, exact = false, other = false;
		for (size_t i = 0; i < q->nunits; i++) {
			const ws_unit *u = &q->units[i];
			if (u->group != g || u->kind != WS_UNIT_TEXT || !u->nterms)
				continue;
			if (!needs_check(u)) {
				exact |= !u->excluded; /* Xapian's own answer */
				continue;
			}
			if (!u->han) {
				other = true;
				continue;
			}
			bool has = cjk_text_has_han_run(v->a, text, len, u->han, u->nhan);
			if (u->excluded) {
				if (has)
					return false;
				continue;
			}
			runs = true;
			found |= has;
		}
		if (found || (!runs && !other))
			continue; /* a run is there, or Xapian matched it exactly */
		if (other || exact)
			*undecided = true;
		else
			return false;
	}
	return true;
}

bool ws_verify_text(ws_verifier *v, const char *text, size_t len)
{
	bool ok, undecided = true;
	v->checked++;
	/* the scan first: the matcher (which re-analyses the passage) only
	 * where the scan cannot tell */
	ok = scan(v, text, len, &undecided);
	if (ok && undecided) {
		char *err = NULL;
		if (!ws_match_passage(v->q, v->a, text, len, 1, true, &v->matches, &err)) {
			if (!v->err)
				v->err = err;
			else
				free(err);
			return false;
		}
		bool vetoed = ws_matches_drop_excluded(&v->matches) > 0;
		ok = !vetoed && ws_matches_groups(&v->matches, v->q->ngroups) >= v->npositive;
	}
	v->accepted += ok;
	return ok;
}

const char *ws_verify_view(ws_verifier *v, const char *data, size_t len, size_t *n)
{
	size_t json_len, tlen, hlen;
	const char *text = ws_passage_text(data, len, &json_len, &tlen);
	const char *head = ws_passage_heading(data, len, &hlen);
	*n = tlen;
	if (!hlen)
		return text;
	/* "。" keeps a run from reaching across from the heading */
	v->view.len = 0;
	if (!strbuf_append(&v->view, head, hlen) || !strbuf_appends(&v->view, "\n。\n") ||
	    !strbuf_append(&v->view, text, tlen)) {
		if (!v->err)
			v->err = strdup("out of memory");
		return text;
	}
	*n = v->view.len;
	return v->view.data;
}

bool ws_verify_data(void *ud, const char *data, size_t len)
{
	size_t n;
	const char *text = ws_verify_view(ud, data, len, &n);
	return ws_verify_text(ud, text, n);
}

ws_presence ws_unit_presence(const ws_unit *u)
{
	if (u->kind != WS_UNIT_TEXT || !u->nterms)
		return WS_PRESENCE_NONE;
	if (u->nterms == 1 && !u->terms[0].prefix)
		return WS_PRESENCE_TERMS;
	if (u->han)
		return WS_PRESENCE_RUN;
	return WS_PRESENCE_MATCHER;
}

size_t ws_unit_terms(const ws_unit *u, const char *t[2], size_t len[2])
{
	size_t n = 0;
	t[n] = u->terms[0].text;
	len[n++] = u->terms[0].len;
	if (u->stem) {
		t[n] = u->stem;
		len[n++] = strlen(u->stem);
	}
	return n;
}

bool ws_verify_unit(ws_verifier *v, const ws_unit *u, const char *text, size_t len)
{
	return cjk_text_has_han_run(v->a, text, len, u->han, u->nhan);
}

void ws_verify_tally(const ws_verifier *v, const bool *present, unsigned *groups, bool *vetoed)
{
	const ws_query *q = v->q;
	*groups = 0;
	*vetoed = false;
	for (unsigned g = 0; g < q->ngroups; g++) {
		bool found = false;
		for (size_t i = 0; i < q->nunits; i++) {
			const ws_unit *u = &q->units[i];
			if (u->group != g || !present[i] || ws_unit_presence(u) == WS_PRESENCE_NONE)
				continue;
			if (u->excluded)
				*vetoed = true;
			else
				found = true;
		}
		*groups += found;
	}
}

bool ws_verify_groups(ws_verifier *v, const char *text, size_t len, unsigned *groups, bool *vetoed)
{
	char *err = NULL;
	if (!ws_match_passage(v->q, v->a, text, len, 1, true, &v->matches, &err)) {
		if (!v->err)
			v->err = err;
		else
			free(err);
		return false;
	}
	*vetoed = ws_matches_drop_excluded(&v->matches) > 0;
	*groups = ws_matches_groups(&v->matches, v->q->ngroups);
	return true;
}

void ws_verifier_free(ws_verifier *v)
{
	ws_matches_free(&v->matches);
	strbuf_free(&v->view);
	free(v->err);
	v->err = NULL;
}
