/* print_json.c - JSON Lines output, version 1 (doc/json.md). */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema.h"
#include "stats.h"
#include "tally.h"
#include "text.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* A JSON string for s, or null for NULL.  Strings that are not valid UTF-8
 * (which the index should never hold) get U+FFFD for their bad bytes. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *clean = ws_sanitize(s, strlen(s));
	j = clean ? json_string(clean) : NULL;
	free(clean);
	return j ? j : json_string("");
}

static json_t *jint_or_null(int v)
{
	return v ? json_integer(v) : json_null();
}

static bool emit(FILE *out, json_t *o)
{
	if (!o)
		return false;
	int r = json_dumpf(o, out, DUMP_FLAGS);
	json_decref(o);
	return r == 0 && fputc('\n', out) != EOF;
}

/* The request's id, after "type", in --serve answers. */
static void set_id(json_t *o, json_t *id)
{
	if (id)
		json_object_set(o, "id", id);
}

bool ws_print_json_hit(FILE *out, const ws_hit *h, json_t *id)
{
	json_t *o = json_object();
	json_t *lines = json_array();
	json_t *hl = json_array();

	if (!o || !lines || !hl) {
		json_decref(o);
		json_decref(lines);
		json_decref(hl);
		return false;
	}
	json_array_append_new(lines, json_integer(h->first_line));
	json_array_append_new(lines, json_integer(h->last_line));
	for (size_t i = 0; i < h->snippet.nhl; i++) {
		json_t *pair = json_array();
		json_array_append_new(pair, json_integer((json_int_t)h->snippet.hl[i].start));
		json_array_append_new(pair, json_integer((json_int_t)h->snippet.hl[i].end));
		json_array_append_new(hl, pair);
	}
	json_object_set_new(o, "type", json_string("hit"));
	set_id(o, id);
	json_object_set_new(o, "rank", json_integer(h->rank));
	json_object_set_new(o, "score", json_real(h->score));
	json_object_set_new(o, "path", jstr(h->path));
	json_object_set_new(o, "title", jstr(h->title));
	json_object_set_new(o, "year", jint_or_null(h->year));
	json_object_set_new(o, "source", jstr(h->source));
	json_object_set_new(o, "page", jint_or_null(h->page));
	json_object_set_new(o, "page_label", jstr(h->page_label));
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "line", json_integer(h->line));
	json_object_set_new(o, "column", json_integer(h->column));
	json_object_set_new(o, "column_char", json_integer(h->column_char));
	json_object_set_new(o, "section", jstr(h->section ? h->section : ""));
	json_object_set_new(o, "kind", json_string(ws_kind_name(h->kind)));
	json_t *via = json_array();
	for (size_t i = 0; i < h->nvia; i++)
		json_array_append_new(via, json_string(h->via[i]));
	json_object_set_new(o, "via", via);
	json_object_set_new(o, "snippet", jstr(h->snippet.text ? h->snippet.text : ""));
	json_object_set_new(o, "highlights", hl);
	return emit(out, o);
}

bool ws_print_json_summary(FILE *out, const ws_result *r, json_t *id)
{
	json_t *o = json_object();
	if (!o)
		return false;
	json_object_set_new(o, "type", json_string("summary"));
	set_id(o, id);
	json_object_set_new(o, "hits", json_integer((json_int_t)r->nhits));
	json_object_set_new(o, "estimated_total", json_integer(r->estimated));
	json_object_set_new(o, "elapsed_ms", json_real((double)(long long)(r->elapsed_ms * 1000 + 0.5) / 1000));
	json_object_set_new(o, "relaxed", json_boolean(r->relaxed));
	json_object_set_new(o, "matched", json_string(ws_matched_name(r->matched)));
	if (id)
		json_object_set_new(o, "version", json_integer(WS_JSON_VERSION));
	return emit(out, o);
}

bool ws_print_json_cancelled(FILE *out, json_t *id)
{
	json_t *o = json_object();
	if (!o)
		return false;
	json_object_set_new(o, "type", json_string("cancelled"));
	set_id(o, id);
	return emit(out, o);
}

bool ws_print_json_error(FILE *out, const char *message, json_t *id)
{
	json_t *o = json_object();
	if (!o)
		return false;
	json_object_set_new(o, "type", json_string("error"));
	set_id(o, id);
	json_object_set_new(o, "message", jstr(message));
	return emit(out, o);
}

bool ws_print_json_tally(FILE *out, const ws_tally *t)
{
	const char *by = t->key == WS_TALLY_YEAR ? "year" : "source";
	for (size_t i = 0; i < t->n; i++) {
		const ws_bucket *b = &t->v[i];
		json_t *o = json_object();
		if (!o)
			return false;
		json_object_set_new(o, "type", json_string(by));
		if (t->key == WS_TALLY_YEAR)
			json_object_set_new(o, "year", jint_or_null(b->year));
		else
			json_object_set_new(o, "source", jstr(b->source));
		json_object_set_new(o, "passages", json_integer(b->passages));
		json_object_set_new(o, "documents", json_integer(b->documents));
		if (!emit(out, o))
			return false;
	}
	json_t *o = json_object();
	if (!o)
		return false;
	json_object_set_new(o, "type", json_string("total"));
	json_object_set_new(o, "by", json_string(by));
	json_object_set_new(o, "passages", json_integer(t->passages));
	json_object_set_new(o, "documents", json_integer(t->documents));
	return emit(out, o);
}

static json_t *stat_rows(const ws_stat_table *t, const char *key)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < t->n; i++) {
		const ws_stat_row *r = &t->v[i];
		json_t *o = json_object();
		if (!o)
			break;
		if (!strcmp(key, "year"))
			json_object_set_new(o, key, jint_or_null(r->year));
		else
			json_object_set_new(o, key, jstr(r->key));
		json_object_set_new(o, "documents", json_integer(r->documents));
		json_object_set_new(o, "passages", json_integer((json_int_t)r->passages));
		json_array_append_new(a, o);
	}
	return a;
}

/* ISO 8601 in UTC, or null for an unknown time. */
static json_t *jtime(time_t t)
{
	struct tm tm;
	char buf[32];
	if (!t || !gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

bool ws_print_json_stats(FILE *out, const ws_stats *s)
{
	json_t *o = json_object();
	json_t *dbs = json_array();
	if (!o || !dbs) {
		json_decref(o);
		json_decref(dbs);
		return false;
	}
	for (size_t i = 0; i < s->ndbs; i++) {
		json_t *d = json_object();
		if (!d)
			break;
		json_object_set_new(d, "path", jstr(s->dbs[i].path));
		json_object_set_new(d, "disk_bytes", json_integer((json_int_t)s->dbs[i].disk_bytes));
		json_object_set_new(d, "last_indexed", jtime(s->dbs[i].last_write));
		json_array_append_new(dbs, d);
	}
	json_object_set_new(o, "type", json_string("stats"));
	json_object_set_new(o, "documents", json_integer(s->documents));
	json_object_set_new(o, "passages", json_integer(s->passages));
	json_object_set_new(o, "text_bytes", json_integer((json_int_t)s->text_bytes));
	json_object_set_new(o, "indexes", dbs);
	json_object_set_new(o, "formats", stat_rows(&s->formats, "format"));
	json_object_set_new(o, "years", stat_rows(&s->years, "year"));
	json_object_set_new(o, "sources", stat_rows(&s->sources, "source"));
	json_object_set_new(o, "version", json_integer(WS_JSON_VERSION));
	return emit(out, o);
}
