/* fetch.c - a hit's whole passage from the index (fetch.h). */
#include "fetch.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fileid.h"
#include "filerec.h"
#include "match.h"
#include "qbuild.h"
#include "query.h"
#include "schema.h"
#include "text.h"

static json_int_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Is data (a passage of h's file) h's passage?  *offset gets its
 * line_offset: a very long line is split into several passages, told
 * apart by where they start in the line. */
static bool is_hit_passage(const char *data, size_t len, const ws_hit *h, json_int_t *offset)
{
	size_t json_len, tlen;
	ws_passage_text(data, len, &json_len, &tlen);
	json_t *o = json_loadb(data, json_len, 0, NULL);
	json_t *lines = json_object_get(o, WS_DATA_LINES);
	bool same = json_is_array(lines) && json_array_size(lines) == 2 &&
	            json_integer_value(json_array_get(lines, 0)) == h->first_line &&
	            json_integer_value(json_array_get(lines, 1)) == h->last_line && get_int(o, WS_DATA_PAGE) == h->page;
	*offset = get_int(o, WS_DATA_LINE_OFFSET);
	json_decref(o);
	return same;
}

bool ws_fetch_passage(ws_index *ix, const ws_hit *h, const char *query, size_t qlen, ws_snippet *out, char **err)
{
	char fileid[WS_FILEID_LEN + 1], term[WS_TERM_FILE_SIZE];
	xq_query *q = NULL;
	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	ws_query *wq = NULL;
	ws_matches m = {0};
	bool ok = false;

	memset(out, 0, sizeof *out);
	ws_fileid(h->path, fileid);
	size_t tl = ws_term_file(fileid, term);
	xq_status st = xq_query_term(term, tl, 1, 0, &q);
	if (st == XQ_OK)
		st = xq_enquire_new(ix->db, &enq);
	if (st == XQ_OK)
		st = xq_enquire_set_query(enq, q);
	if (st == XQ_OK)
		st = xq_enquire_run(enq, 0, ix->doccount ? ix->doccount : 1, &hits);
	if (st != XQ_OK) {
		ws_fail(err, "cannot read the passage: %s", xq_last_error());
		goto out;
	}
	/* the passage of the hit's lines that starts last before its column */
	const char *best = NULL;
	size_t best_len = 0;
	json_int_t best_off = -1;
	for (size_t i = 0; i < xq_hits_count(hits); i++) {
		const char *data;
		size_t len;
		json_int_t off;
		if ((st = xq_hits_data(hits, i, &data, &len)) != XQ_OK) {
			ws_fail(err, "cannot read the passage: %s", xq_last_error());
			goto out;
		}
		if (is_hit_passage(data, len, h, &off) && off < (json_int_t)h->column && off > best_off) {
			best = data;
			best_len = len;
			best_off = off;
		}
	}
	if (!best) {
		ws_fail(err, "that passage is no longer in the index (it was reindexed): search again");
		goto out;
	}
	size_t json_len, tlen;
	const char *text = ws_passage_text(best, best_len, &json_len, &tlen);
	if (!ws_query_parse(query, qlen, &wq, err) || !ws_query_analyse(wq, ix->analyzer, true, err) ||
	    !ws_match_passage(wq, ix->analyzer, text, tlen, h->first_line, false, &m, err))
		goto out;
	if (!ws_snippet_make_whole(text, tlen, m.v, m.n, out)) {
		ws_fail(err, "out of memory");
		goto out;
	}
	ok = true;
out:
	ws_matches_free(&m);
	ws_query_free(wq);
	xq_hits_free(hits);
	xq_enquire_free(enq);
	xq_query_free(q);
	return ok;
}
