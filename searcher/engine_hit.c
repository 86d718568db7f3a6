/* engine_hit.c - from Xapian's hits to ws_hits: each passage's location,
 * section, kind and snippet (see engine_run.h). */
#include "engine_run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema.h"
#include "text.h"

void engine_hit_clear(ws_hit *h)
{
	free(h->path);
	free(h->title);
	free(h->source);
	free(h->section);
	free(h->page_label);
	for (size_t i = 0; i < h->nvia; i++)
		free(h->via[i]);
	free(h->via);
	ws_snippet_free(&h->snippet);
	memset(h, 0, sizeof *h);
}

void ws_result_free(ws_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nhits; i++)
		engine_hit_clear(&r->hits[i]);
	free(r->hits);
	free(r->files);
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
bool engine_failed(run *r, xq_status st, const char *what)
{
	r->xst = st;
	return ws_fail(r->err, "%s: %s", what, xq_last_error());
}

/* The data of hit i of hits, or false (see xq_failed). */
bool engine_hit_data(run *r, xq_hits *hits, size_t i, const char **data, size_t *len)
{
	xq_status st = xq_hits_data(hits, i, data, len);
	return st == XQ_OK || engine_failed(r, st, "cannot read a passage");
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
	/* which forms of a glossary concept it was found by */
	for (size_t i = 0; i < r->matches.n; i++) {
		const ws_unit *u = r->matches.v[i].unit;
		bool seen = false;
		for (size_t k = 0; u && u->synonym && k < h->nvia && !seen; k++)
			seen = !strcmp(h->via[k], u->text);
		if (!u || !u->synonym || seen)
			continue;
		char **v = realloc(h->via, (h->nvia + 1) * sizeof *v);
		if (!v || !(v[h->nvia] = strdup(u->text))) {
			if (v)
				h->via = v;
			ws_fail(r->err, "out of memory");
			goto out;
		}
		h->via = v;
		h->nvia++;
	}
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
	/* a file's path, not its passage, is what --files shows */
	if (r->req->mode != WS_MODE_FILES &&
	    !ws_snippet_make_passage(text, tlen, head, r->matches.v, r->matches.n, &h->snippet)) {
		ws_fail(r->err, "out of memory");
		goto out;
	}
	ok = true;
out:
	json_decref(o);
	return ok;
}

bool engine_run_query(run *r, const xq_query *xq, unsigned first, unsigned max, xq_hits **hits)
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

/* Replace res's hits with hits[pick[k]] (hits[first + k] without pick),
 * k < n, ranked from rank0: a relaxed run replaces what a first run
 * found. */
static bool take(run *r, xq_hits *hits, const size_t *pick, size_t first, size_t n, unsigned rank0, ws_result *res)
{
	for (size_t i = 0; i < res->nhits; i++)
		engine_hit_clear(&res->hits[i]);
	free(res->hits);
	res->nhits = 0;
	res->hits = calloc(n ? n : 1, sizeof *res->hits);
	if (!res->hits)
		return ws_fail(r->err, "out of memory");
	for (size_t k = 0; k < n; k++) {
		size_t i = pick ? pick[first + k] : first + k, len = 0;
		const char *data;
		if (!engine_hit_data(r, hits, i, &data, &len))
			return false;
		if (!make_hit(r, data, len, xq_hits_score(hits, i), &res->hits[res->nhits]))
			return false;
		res->hits[res->nhits].rank = rank0 + (unsigned)k;
		res->nhits++;
	}
	return true;
}

/* Turn hits[0..n) into res->hits, ranks starting at rank0. */
bool engine_collect(run *r, xq_hits *hits, unsigned rank0, ws_result *res)
{
	return take(r, hits, NULL, 0, xq_hits_count(hits), rank0, res);
}

/* Hits [offset, offset + limit) of the candidates that pass the verifier,
 * at most collapse per file (0: no limit), into res. */
bool engine_collect_checked(run *r, xq_hits *hits, const size_t *kept, size_t nkept, ws_result *res)
{
	size_t first = r->req->offset < nkept ? r->req->offset : nkept;
	size_t n = nkept - first < r->limit ? nkept - first : r->limit;
	return take(r, hits, kept, first, n, r->req->offset + 1, res);
}

static uint64_t hash_id(const char *id, size_t len)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211u;
	return h;
}

bool engine_tally_take(run *r, xq_hits *hits, size_t i, unsigned collapse, engine_tally *t, bool *over)
{
	size_t len = 0;
	const char *file;
	xq_status st = xq_hits_value(hits, i, WS_SLOT_FILE, &file, &len);
	if (st != XQ_OK)
		return engine_failed(r, st, "cannot read a passage");
	if (len > sizeof t->slots[0].id)
		len = sizeof t->slots[0].id;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct engine_tally_slot *s = calloc(cap, sizeof *s);
		if (!s)
			return ws_fail(r->err, "out of memory");
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->slots[k].count)
				continue;
			size_t h = hash_id(t->slots[k].id, t->slots[k].len) & (cap - 1);
			while (s[h].count)
				h = (h + 1) & (cap - 1);
			s[h] = t->slots[k];
		}
		free(t->slots);
		t->slots = s;
		t->cap = cap;
	}
	size_t h = hash_id(file, len) & (t->cap - 1);
	while (t->slots[h].count && !(t->slots[h].len == len && !memcmp(t->slots[h].id, file, len)))
		h = (h + 1) & (t->cap - 1);
	struct engine_tally_slot *s = &t->slots[h];
	*over = s->count >= collapse;
	if (*over)
		return true;
	if (!s->count) {
		memcpy(s->id, file, len);
		s->len = len;
		t->n++;
	}
	s->count++;
	return true;
}

void engine_tally_clear(engine_tally *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* Drop what earlier strategies found. */
void engine_result_clear(ws_result *res)
{
	for (size_t i = 0; i < res->nhits; i++)
		engine_hit_clear(&res->hits[i]);
	free(res->hits);
	res->hits = NULL;
	res->nhits = 0;
	res->estimated = 0;
	res->checked = res->passed = 0;
	res->pass_rate = 1.0;
	res->relaxed = false;
	res->matched = WS_MATCHED_ALL;
}
