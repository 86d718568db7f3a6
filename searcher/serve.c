/*
 * serve.c - wensou-search --serve: one JSON request per line on standard
 * input, its answer (the hit objects of --json, then a summary, each
 * tagged with the request's id) on standard output, flushed after each
 * answer.  The protocol is doc/serve.md's.
 *
 * A reader thread takes lines off standard input as they come, so that a
 * cancel can overtake the requests still waiting behind a running one;
 * the main thread answers them in order.  Before each request the index
 * is brought to its latest commit (and reopened whole when the indexer has
 * swapped in a new generation), so that a reindex is seen without a
 * restart.
 */
#include "serve.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <xxhash.h>

#include "cli.h"
#include "glossary.h"
#include "layout.h"
#include "print.h"
#include "strbuf.h"

#define MAX_LINE (1u << 20)

/* A parsed request. */
typedef struct request {
	json_t *id;          /* owned reference; json null when absent */
	json_t *cancel;      /* a cancel request: the id to cancel */
	ws_request req;
	char **sources;      /* owned copies */
	char *query;
	bool synonyms;       /* expand through the glossary (default) */
} request;

/* One line read, waiting to be answered.  Parsed once, when first looked
 * at for cancels or answered. */
typedef struct line {
	char *text;          /* NULL: the line was longer than MAX_LINE */
	size_t len;
	struct line *next;
	int parsed;          /* 0: not yet; 1: req is the request; -1: malformed, perr says why */
	request req;
	char *perr;
	bool dropped;        /* cancelled while waiting */
} line;

typedef struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	line *head, *tail;
	bool eof;
	char *read_error;    /* set when standard input failed */
} queue;

typedef struct reader_arg {
	queue *q;
	FILE *in;
} reader_arg;

static void push_line(queue *q, line *l)
{
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void *reader(void *arg)
{
	reader_arg *ra = arg;
	strbuf sb = STRBUF_INIT;
	bool overlong = false;
	int c;
	for (;;) {
		c = getc(ra->in);
		if (c != EOF && c != '\n') {
			if (!overlong && sb.len >= MAX_LINE) {
				overlong = true;
				strbuf_free(&sb);
			}
			if (!overlong && !strbuf_appendc(&sb, (char)c)) {
				overlong = true; /* out of memory: answered as too long */
				strbuf_free(&sb);
			}
			continue;
		}
		if (c == EOF && !sb.len && !overlong)
			break;
		line *l = calloc(1, sizeof *l);
		if (l) {
			l->len = sb.len;
			l->text = overlong ? NULL : strbuf_detach(&sb);
			if (!overlong && !l->text)
				l->text = strdup("");
			push_line(ra->q, l);
		}
		strbuf_free(&sb);
		overlong = false;
		if (c == EOF)
			break;
	}
	pthread_mutex_lock(&ra->q->mu);
	if (ferror(ra->in))
		ra->q->read_error = strdup(strerror(errno));
	ra->q->eof = true;
	pthread_cond_signal(&ra->q->cv);
	pthread_mutex_unlock(&ra->q->mu);
	strbuf_free(&sb);
	return NULL;
}

static void request_free(request *r)
{
	json_decref(r->id);
	json_decref(r->cancel);
	for (size_t i = 0; i < r->req.nsources; i++)
		free(r->sources[i]);
	free(r->sources);
	free(r->query);
	memset(r, 0, sizeof *r);
}

static bool fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*err = ws_vstrdupf(fmt, ap);
	va_end(ap);
	return false;
}

static bool get_uint(json_t *v, const char *key, long long lo, long long hi, unsigned *out, char **err)
{
	if (!json_is_integer(v))
		return fail(err, "\"%s\" must be a whole number", key);
	long long n = json_integer_value(v);
	if (n < lo || n > hi)
		return fail(err, "\"%s\" must be from %lld to %lld, not %lld", key, lo, hi, n);
	*out = (unsigned)n;
	return true;
}

static bool get_year(json_t *v, const char *key, int *out, char **err)
{
	unsigned y = 0;
	if (json_is_null(v))
		return true;
	if (!get_uint(v, key, 1000, 9999, &y, err))
		return false;
	*out = (int)y;
	return true;
}

/* Parse one request line into *r; false with *err (malloc'd). */
static bool parse_request(const char *text, size_t len, request *r, char **err)
{
	json_error_t je;
	memset(r, 0, sizeof *r);
	r->id = json_null();
	r->synonyms = true;
	size_t blank = 0;
	while (blank < len && strchr(" \t\r", text[blank]))
		blank++;
	if (blank == len) /* jansson would say "'[' or '{' expected near end of file" */
		return fail(err, "an empty line: a request is one JSON object on a line");
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return fail(err, "not JSON: %s (character %d)", je.text, je.position);
	if (!json_is_object(o)) {
		json_decref(o);
		return fail(err, "a request is a JSON object");
	}
	json_t *id = json_object_get(o, "id");
	if (id) {
		if (!json_is_string(id) && !json_is_integer(id)) {
			json_decref(o);
			return fail(err, "\"id\" must be a string or a whole number");
		}
		json_decref(r->id);
		r->id = json_incref(id);
	}
	r->req.limit = WS_DEFAULT_LIMIT;
	r->req.mode = WS_MODE_HITS;
	bool ok = true;
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		if (!ok)
			break;
		if (!strcmp(key, "id"))
			continue;
		if (!strcmp(key, "cancel")) {
			if (!json_is_string(v) && !json_is_integer(v))
				ok = fail(err, "\"cancel\" must be the id of an earlier request");
			else
				r->cancel = json_incref(v);
		} else if (!strcmp(key, "query")) {
			if (!json_is_string(v))
				ok = fail(err, "\"query\" must be a string");
			else if (!(r->query = strndup(json_string_value(v), json_string_length(v))))
				ok = fail(err, "out of memory");
			else {
				r->req.query = r->query;
				r->req.query_len = strlen(r->query);
			}
		} else if (!strcmp(key, "limit")) {
			ok = get_uint(v, key, 1, WS_MAX_LIMIT, &r->req.limit, err);
		} else if (!strcmp(key, "offset")) {
			ok = get_uint(v, key, 0, WS_MAX_OFFSET, &r->req.offset, err);
		} else if (!strcmp(key, "per_doc")) {
			ok = json_is_null(v) || get_uint(v, key, 1, WS_MAX_LIMIT, &r->req.per_doc, err);
		} else if (!strcmp(key, "year")) {
			ok = get_year(v, key, &r->req.year, err);
		} else if (!strcmp(key, "since")) {
			ok = get_year(v, key, &r->req.since, err);
		} else if (!strcmp(key, "until")) {
			ok = get_year(v, key, &r->req.until, err);
		} else if (!strcmp(key, "synonyms")) {
			if (!json_is_boolean(v))
				ok = fail(err, "\"synonyms\" must be true or false");
			r->synonyms = json_is_true(v);
		} else if (!strcmp(key, "all_kinds")) {
			if (!json_is_boolean(v))
				ok = fail(err, "\"all_kinds\" must be true or false");
			r->req.all_kinds = json_is_true(v);
		} else if (!strcmp(key, "partial")) {
			if (!json_is_boolean(v))
				ok = fail(err, "\"partial\" must be true or false");
			r->req.partial = json_is_true(v);
		} else if (!strcmp(key, "source")) {
			size_t n = json_is_array(v) ? json_array_size(v) : 1;
			r->sources = calloc(n ? n : 1, sizeof *r->sources);
			if (!r->sources) {
				ok = fail(err, "out of memory");
				break;
			}
			for (size_t i = 0; ok && i < n; i++) {
				json_t *s = json_is_array(v) ? json_array_get(v, i) : v;
				if (!json_is_string(s) || !*json_string_value(s))
					ok = fail(err, "\"source\" must be a string or a list of strings");
				else if (!(r->sources[r->req.nsources] = strdup(json_string_value(s))))
					ok = fail(err, "out of memory");
				else
					r->req.nsources++;
			}
			r->req.sources = (const char *const *)r->sources;
		} else {
			ok = fail(err, "unknown field \"%s\" (known: id, query, limit, offset, year, since, until, source, "
			          "per_doc, partial, all_kinds, synonyms, cancel)", key);
		}
	}
	if (ok && r->cancel && r->query)
		ok = fail(err, "a request either searches (\"query\") or cancels (\"cancel\"), not both");
	if (ok && !r->cancel && !r->query)
		ok = fail(err, "a request needs a \"query\"");
	if (ok && r->req.year && (r->req.since || r->req.until))
		ok = fail(err, "\"year\" cannot be combined with \"since\" or \"until\"");
	if (ok && r->req.since && r->req.until && r->req.since > r->req.until)
		ok = fail(err, "\"since\" %d is after \"until\" %d", r->req.since, r->req.until);
	json_decref(o);
	return ok;
}

/* The identity of the index's stub file, to see a new generation swapped
 * in (the indexer renames a new stub over the old one); of an archive, its
 * stub's and every part's, each part swapping generations on its own. */
typedef struct stub_id {
	unsigned long long sum;  /* XXH3 of each stub's device, inode and mtime */
	bool present;
} stub_id;

static void add_stub(XXH3_state_t *h, stub_id *id, const char *dir)
{
	char *p = ws_strdupf("%s/" WS_LAYOUT_STUB, dir);
	struct stat sb;
	struct { unsigned long long dev, ino, sec, nsec; } seen = {0};
	if (p && stat(p, &sb) == 0) {
		id->present = true;
		seen.dev = sb.st_dev;
		seen.ino = sb.st_ino;
		seen.sec = (unsigned long long)sb.st_mtim.tv_sec;
		seen.nsec = (unsigned long long)sb.st_mtim.tv_nsec;
	}
	XXH3_64bits_update(h, &seen, sizeof seen);
	free(p);
}

static stub_id stub_of(const char *const *paths, size_t n)
{
	stub_id id = {0};
	/* several indexes: each reopens its own shards (out of memory: an
	 * identity of no stub, so the next request opens the index whole) */
	XXH3_state_t *h = n == 1 ? XXH3_createState() : NULL;
	if (!h || XXH3_64bits_reset(h) != XXH_OK) {
		XXH3_freeState(h);
		return id;
	}
	add_stub(h, &id, paths[0]);
	ws_shard_by by;
	char *why = NULL;
	unsigned nparts = 0;
	char **parts = ws_layout_shard_by_read(paths[0], &by, &why) == 0 && by
	                       ? ws_layout_parts_read(paths[0], by, &nparts, &why)
	                       : NULL;
	for (unsigned i = 0; i < nparts; i++)
		add_stub(h, &id, parts[i]);
	ws_layout_parts_free(parts, nparts);
	free(why);
	id.sum = XXH3_64bits_digest(h);
	XXH3_freeState(h);
	return id;
}

static bool same_stub(const stub_id *a, const stub_id *b)
{
	return a->present == b->present && a->sum == b->sum;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the requests are answered over. */
typedef struct target {
	const char *const *paths;
	size_t n;
	unsigned timeout_ms;
	stub_id stub;
	/* A request failed over an index with remote shards: its connection
	 * to a shard that failed or timed out is dead (Xapian does not
	 * reconnect), so the next request opens the index whole, reaching
	 * a server that has come back, instead of asking the dead
	 * connection to reopen (which would wait out the timeout again). */
	bool reconnect;
	/* The glossary, read once: on the first request that wants it (the
	 * analyzer normalises its forms the same in every index). */
	ws_glossary *glossary;
} target;

static ws_glossary *serve_glossary(ws_index *ix, target *t, char **err)
{
	if (!t->glossary && !ws_glossary_open(t->paths, t->n, ix->analyzer, &t->glossary, err))
		return NULL;
	return t->glossary;
}

/* Bring *ix to the latest commit: reopen it whole when the stub changed
 * (a new generation) or its remote connections may be dead, else move its
 * databases to their latest revision.  False with *err when the index can
 * no longer be opened (the old handle is kept, so a later request may
 * succeed, unless a remote shard failed: then there is no handle until
 * one opens again). */
static bool refresh(ws_index **ix, target *t, char **err)
{
	stub_id now = stub_of(t->paths, t->n);
	if (*ix && !t->reconnect && same_stub(&t->stub, &now)) {
		double t0 = now_s();
		if (ws_index_refresh(*ix, err))
			return true;
		if (!(*ix)->remote)
			return false;
		/* A connection the server closed (xapian-tcpsrv drops one idle
		 * for a minute) fails at once: open again now.  One that timed
		 * out has cost the request its time already: the next request
		 * opens again. */
		double limit = ((*ix)->timeout_ms ? (*ix)->timeout_ms : XQ_DEFAULT_TIMEOUT_MS) / 1000.0;
		ws_index_close(*ix);
		*ix = NULL;
		if (now_s() - t0 >= limit / 2)
			return false;
		free(*err);
		*err = NULL;
	}
	if (*ix && (*ix)->remote) {
		ws_index_close(*ix);
		*ix = NULL;
	}
	ws_index *fresh = NULL;
	if (!ws_index_open(t->paths, t->n, t->timeout_ms, &fresh, err))
		return false;
	ws_index_close(*ix);
	*ix = fresh;
	t->stub = now;
	t->reconnect = false;
	return true;
}

/* Take the next line off q, waiting; NULL at end of input. */
static line *next_line(queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (!q->head && !q->eof)
		pthread_cond_wait(&q->cv, &q->mu);
	line *l = q->head;
	if (l) {
		q->head = l->next;
		if (!q->head)
			q->tail = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	return l;
}

static bool same_id(json_t *a, json_t *b)
{
	return a && b && !json_is_null(a) && json_equal(a, b);
}

static void line_parse(line *l)
{
	if (l->parsed || !l->text)
		return;
	l->parsed = parse_request(l->text, l->len, &l->req, &l->perr) ? 1 : -1;
}

static void line_free(line *l)
{
	if (l->parsed)
		request_free(&l->req);
	free(l->perr);
	free(l->text);
	free(l);
}

static bool is_cancel(const line *l)
{
	return l->parsed > 0 && l->req.cancel;
}

/* Cancels waiting in q drop the requests waiting before them with their
 * ids: each dropped request is answered "cancelled".  A cancel of a
 * request that is not waiting (answered already, running, unknown) is
 * dropped quietly.  Only waiting lines are looked at, each parsed once
 * however often it is looked at. */
static bool apply_cancels(queue *q, FILE *out)
{
	bool ok = true, any = false;
	int werr = 0;
	pthread_mutex_lock(&q->mu);
	for (line *l = q->head; l; l = l->next) {
		line_parse(l);
		if (!is_cancel(l))
			continue;
		any = l->dropped = true;
		for (line *k = q->head; k != l; k = k->next) {
			if (!k->dropped && k->parsed > 0 && !k->req.cancel && same_id(k->req.id, l->req.cancel)) {
				k->dropped = true;
				if (ok && !(ws_print_json_cancelled(out, k->req.id) && fflush(out) == 0)) {
					ok = false;
					werr = errno; /* parsing the lines after it (a number) resets errno */
				}
			}
		}
	}
	if (any) {
		line *l = q->head;
		q->head = q->tail = NULL;
		while (l) {
			line *next = l->next;
			l->next = NULL;
			if (l->dropped)
				line_free(l);
			else if (q->tail)
				q->tail = q->tail->next = l;
			else
				q->head = q->tail = l;
			l = next;
		}
	}
	pthread_mutex_unlock(&q->mu);
	if (!ok)
		errno = werr; /* EPIPE: the reader went away, which is no error */
	return ok;
}

/* Answer one request line.  False when writing failed. */
static bool answer(ws_index **ix, target *t, line *l, FILE *out)
{
	char *err = NULL;
	bool written;
	if (!l->text) {
		/* the line was not kept, so no id can be read: null, as for a
		 * line that is not JSON (every answer carries an id) */
		json_t *none = json_null();
		written = ws_print_json_error(out, "the request is longer than 1 MB", none);
		json_decref(none);
		return written && fflush(out) == 0;
	}
	line_parse(l);
	request *rp = &l->req;
	if (l->parsed < 0) {
		written = ws_print_json_error(out, l->perr ? l->perr : "out of memory", rp->id);
		return written && fflush(out) == 0;
	}
	if (rp->cancel)
		return true; /* too late: answered already, or running */
	ws_result *res = NULL;
	bool ok = refresh(ix, t, &err);
	if (ok && rp->synonyms)
		ok = (rp->req.glossary = serve_glossary(*ix, t, &err)) != NULL;
	if (!ok || !ws_search(*ix, &rp->req, &res, &err)) {
		written = ws_print_json_error(out, err ? err : "out of memory", rp->id);
		t->reconnect = !*ix || (*ix)->remote;
	} else {
		written = true;
		for (size_t i = 0; written && i < res->nhits; i++)
			written = ws_print_json_hit(out, &res->hits[i], rp->id);
		written = written && ws_print_json_summary(out, res, rp->id);
	}
	ws_result_free(res);
	free(err);
	return written && fflush(out) == 0;
}

int ws_serve(const char *const *paths, size_t n, unsigned timeout_ms, FILE *in, FILE *out)
{
	queue q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	reader_arg ra = {&q, in};
	pthread_t th;
	if (pthread_create(&th, NULL, reader, &ra) != 0) {
		fprintf(stderr, "wensou-search: cannot start the reader thread\n");
		return 2;
	}
	ws_index *ix = NULL;
	target t = {.paths = paths, .n = n, .timeout_ms = timeout_ms};
	char *err = NULL;
	/* open now, so that a missing index is said at once; a failure is
	 * said and every request retries */
	if (!refresh(&ix, &t, &err)) {
		fprintf(stderr, "wensou-search: %s\n", err);
		free(err);
		err = NULL;
	}
	bool ok = true;
	line *l;
	while (ok && (ok = apply_cancels(&q, out)) && (l = next_line(&q))) {
		ok = answer(&ix, &t, l, out);
		line_free(l);
	}
	int rc = 0;
	if (!ok && errno != EPIPE) {
		fprintf(stderr, "wensou-search: cannot write the answers: %s\n", strerror(errno));
		rc = 2;
	}
	/* a reader still blocked on input is left to the exit */
	if (ok)
		pthread_join(th, NULL);
	else
		pthread_detach(th);
	if (q.read_error) {
		fprintf(stderr, "wensou-search: reading requests failed: %s\n", q.read_error);
		rc = 2;
	}
	pthread_mutex_lock(&q.mu);
	for (line *x = q.head; x;) {
		line *next = x->next;
		line_free(x);
		x = next;
	}
	q.head = q.tail = NULL;
	free(q.read_error);
	q.read_error = NULL;
	pthread_mutex_unlock(&q.mu);
	ws_index_close(ix);
	ws_glossary_free(t.glossary);
	return rc;
}
