/* query.c - the query language parser (syntax only; see query.h). */
#include "query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>

#include "text.h"

/* The operators, written in capitals (lower-case "and", "or", "not" are
 * words, as in Xapian's query parser). */
typedef enum op { OP_NONE, OP_OR, OP_AND, OP_NOT } op;

/* A token being read: a unit, or an operator. */
typedef struct token {
	op op;
	size_t at; /* 1-based character position, for messages */
	ws_unit unit;
} token;

typedef struct parser {
	const char *s;
	size_t len;
	size_t i;      /* byte offset */
	size_t chars;  /* characters before i, for messages */
	char **err;
} parser;

static bool is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || u_isUWhiteSpace((UChar32)c);
}

static bool is_open_quote(uint32_t c)
{
	return c == '"' || c == 0x201c || c == 0xff02;
}

static bool is_close_quote(uint32_t c)
{
	return c == '"' || c == 0x201d || c == 0xff02;
}

static bool is_minus(uint32_t c)
{
	return c == '-' || c == 0xff0d;
}

static uint32_t peek(const parser *p, size_t *next)
{
	size_t j = p->i;
	uint32_t c = ws_utf8_next(p->s, p->len, &j);
	if (next)
		*next = j;
	return c;
}

static void advance(parser *p)
{
	ws_utf8_next(p->s, p->len, &p->i);
	p->chars++;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void unit_clear(ws_unit *u)
{
	free(u->text);
	for (size_t i = 0; i < u->nterms; i++)
		free(u->terms[i].text);
	free(u->terms);
	free(u->stem);
	for (size_t i = 0; i < u->nweights; i++)
		free(u->weights[i]);
	free(u->weights);
	free(u->han);
	free(u->form);
	memset(u, 0, sizeof *u);
}

/* Read a quoted phrase starting at the opening quote under p->i; store its
 * inner text in *out. */
static bool read_phrase(parser *p, char **out)
{
	size_t open_at = p->chars + 1;
	uint32_t open = peek(p, NULL);
	char qbuf[4];
	size_t qlen = ws_utf8_encode(open, qbuf);

	advance(p);
	size_t start = p->i;
	while (p->i < p->len) {
		uint32_t c = peek(p, NULL);
		if (is_close_quote(c)) {
			size_t end = p->i;
			advance(p);
			/* Empty or blank phrases find nothing: say so. */
			bool blank = true;
			for (size_t j = start; j < end && blank;)
				blank = is_space(ws_utf8_next(p->s, end, &j));
			if (blank)
				return ws_fail(p->err, "the quotes at character %zu enclose nothing", open_at);
			*out = dup_range(p->s + start, end - start);
			return *out ? true : ws_fail(p->err, "out of memory");
		}
		advance(p);
	}
	return ws_fail(p->err, "unbalanced quote: the %.*s at character %zu is never closed",
	               (int)qlen, qbuf, open_at);
}

/* A four-digit year, in ASCII or full-width digits (year:２０２３, as
 * the text's ＡＩ is folded to ai). */
static bool parse_year_bound(const char *s, size_t n, int *out)
{
	return ws_parse_year(s, n, out);
}

/* year:Y, year:A..B, year:A.., year:..B */
static bool parse_year(parser *p, ws_unit *u)
{
	const char *v = u->text;
	size_t n = strlen(v);
	const char *dots = strstr(v, "..");
	bool ok;

	if (!dots) {
		ok = parse_year_bound(v, n, &u->year_lo);
		u->year_hi = u->year_lo;
	} else {
		size_t a = (size_t)(dots - v), b = n - a - 2;
		ok = (a || b) && (!a || parse_year_bound(v, a, &u->year_lo)) &&
		     (!b || parse_year_bound(dots + 2, b, &u->year_hi));
	}
	if (!ok)
		return ws_fail(p->err,
		               "year: expects a year such as year:2023 or a range such as year:2022..2024, not \"year:%s\"",
		               v);
	if (u->year_lo && u->year_hi && u->year_lo > u->year_hi)
		return ws_fail(p->err, "the range year:%s is backwards (%d is after %d)", v, u->year_lo,
		               u->year_hi);
	return true;
}

static ws_unit_kind field_kind(const char *s, size_t n)
{
	if (n == 4 && !strncasecmp(s, "year", 4))
		return WS_UNIT_YEAR;
	if (n == 6 && !strncasecmp(s, "source", 6))
		return WS_UNIT_SOURCE;
	if (n == 5 && !strncasecmp(s, "title", 5))
		return WS_UNIT_TITLE;
	return WS_UNIT_TEXT;
}

static const char *field_name(ws_unit_kind k)
{
	return k == WS_UNIT_YEAR ? "year" : k == WS_UNIT_SOURCE ? "source" : "title";
}

/* Read a bare run (up to white space or a quote) starting under p->i, and
 * classify it as OR, a field or a word. */
static bool read_bare(parser *p, token *t)
{
	size_t start = p->i;
	size_t colon = 0, colon_len = 0;

	while (p->i < p->len) {
		size_t next;
		uint32_t c = peek(p, &next);
		if (is_space(c) || is_open_quote(c))
			break;
		if (is_close_quote(c))
			return ws_fail(p->err, "unbalanced quote: the closing quote at character %zu has no opening quote",
			               p->chars + 1);
		if (!colon_len && (c == ':' || c == 0xff1a)) {
			colon = p->i;
			colon_len = next - p->i;
		}
		advance(p);
	}
	size_t end = p->i;

	if (!t->unit.excluded) {
		static const struct { const char *name; op op; } ops[] = {{"OR", OP_OR}, {"AND", OP_AND}, {"NOT", OP_NOT}};
		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
			if (end - start == strlen(ops[k].name) && !memcmp(p->s + start, ops[k].name, end - start)) {
				t->op = ops[k].op;
				return true;
			}
		}
	}

	ws_unit_kind k = colon_len ? field_kind(p->s + start, colon - start) : WS_UNIT_TEXT;
	t->unit.kind = k;
	if (k == WS_UNIT_TEXT) {
		t->unit.text = dup_range(p->s + start, end - start);
		return t->unit.text ? true : ws_fail(p->err, "out of memory");
	}

	size_t vstart = colon + colon_len;
	if (vstart == end && p->i < p->len && is_open_quote(peek(p, NULL))) {
		if (!read_phrase(p, &t->unit.text))
			return false;
		t->unit.quoted = true;
	} else if (vstart == end) {
		return ws_fail(p->err, "%s: at character %zu needs a value, as in %s",
		               field_name(k), t->at,
		               k == WS_UNIT_YEAR ? "year:2023" : k == WS_UNIT_SOURCE ? "source:联合国" : "title:白皮书");
	} else {
		t->unit.text = dup_range(p->s + vstart, end - vstart);
		if (!t->unit.text)
			return ws_fail(p->err, "out of memory");
	}
	if (k == WS_UNIT_YEAR)
		return parse_year(p, &t->unit);
	return true;
}

/* Read the next token; p->i is at a non-space character. */
static bool read_token(parser *p, token *t)
{
	memset(t, 0, sizeof *t);
	t->at = p->chars + 1;
	size_t next;
	uint32_t c = peek(p, &next);

	if (is_minus(c)) {
		size_t after = next;
		if (next >= p->len || is_space(ws_utf8_next(p->s, p->len, &after)))
			return ws_fail(p->err, "a lone \"-\" at character %zu excludes nothing: write -word to exclude a word",
			               t->at);
		t->unit.excluded = true;
		advance(p);
		c = peek(p, NULL);
	}
	if (is_open_quote(c)) {
		t->unit.kind = WS_UNIT_TEXT;
		t->unit.quoted = true;
		return read_phrase(p, &t->unit.text);
	}
	return read_bare(p, t);
}

void ws_query_free(ws_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nunits; i++)
		unit_clear(&q->units[i]);
	free(q->units);
	free(q);
}

/* Append t's unit to q, working out its OR group. */
static bool add_unit(parser *p, ws_query *q, token *t, bool after_or, size_t or_at)
{
	ws_unit *u = &t->unit;
	if (after_or) {
		ws_unit *prev = &q->units[q->nunits - 1];
		if (prev->excluded || u->excluded)
			return ws_fail(p->err, "OR at character %zu cannot join an excluded (-) unit", or_at);
		if ((prev->kind == WS_UNIT_TEXT) != (u->kind == WS_UNIT_TEXT))
			return ws_fail(p->err,
			               "OR at character %zu joins a search word and a field filter: OR joins words with words, or filters with filters",
			               or_at);
		u->group = prev->group;
	} else {
		u->group = q->ngroups++;
	}
	ws_unit *units = realloc(q->units, (q->nunits + 1) * sizeof *units);
	if (!units)
		return ws_fail(p->err, "out of memory");
	q->units = units;
	q->units[q->nunits++] = *u;
	memset(u, 0, sizeof *u);
	return true;
}

bool ws_query_parse(const char *text, size_t len, ws_query **out, char **err)
{
	parser p = {.s = text, .len = len, .err = err};
	ws_query *q = NULL;
	token t = {0};
	bool after_or = false;
	size_t or_at = 0, bad;

	*out = NULL;
	if (len > WS_QUERY_MAX_BYTES)
		return ws_fail(err, "the query is too long: %zu bytes, at most %d are allowed", len,
		               WS_QUERY_MAX_BYTES);
	if (!ws_utf8_valid(text, len, &bad))
		return ws_fail(err, "the query is not valid UTF-8 (bad byte 0x%02x at byte %zu)",
		               (unsigned)(unsigned char)text[bad], bad + 1);
	q = calloc(1, sizeof *q);
	if (!q)
		return ws_fail(err, "out of memory");

	bool after_and = false, not_next = false;
	size_t and_at = 0, not_at = 0;
	for (;;) {
		while (p.i < p.len && is_space(peek(&p, NULL)))
			advance(&p);
		if (p.i >= p.len)
			break;
		if (!read_token(&p, &t))
			goto fail;
		if (t.op != OP_NONE && (after_or || after_and || not_next)) {
			ws_fail(err, "%s at character %zu follows %s at character %zu: put a word between them",
			        t.op == OP_OR ? "OR" : t.op == OP_AND ? "AND" : "NOT", t.at,
			        after_or ? "OR" : after_and ? "AND" : "NOT", after_or ? or_at : after_and ? and_at : not_at);
			goto fail;
		}
		if (t.op == OP_OR || t.op == OP_AND) {
			if (!q->nunits) {
				ws_fail(err, "%s at character %zu needs a word on each side, as in: %s", t.op == OP_OR ? "OR" : "AND",
				        t.at, t.op == OP_OR ? "数字鸿沟 OR 智能鸿沟" : "人工智能 AND 治理");
				goto fail;
			}
			if (t.op == OP_OR)
				after_or = true, or_at = t.at;
			else
				after_and = true, and_at = t.at;
			continue;
		}
		if (t.op == OP_NOT) {
			not_next = true;
			not_at = t.at;
			continue;
		}
		if (not_next)
			t.unit.excluded = true;
		if (!add_unit(&p, q, &t, after_or, or_at))
			goto fail;
		after_or = after_and = not_next = false;
	}
	if (after_or || after_and) {
		ws_fail(err, "%s at character %zu needs a word on each side, as in: %s", after_or ? "OR" : "AND",
		        after_or ? or_at : and_at, after_or ? "数字鸿沟 OR 智能鸿沟" : "人工智能 AND 治理");
		goto fail;
	}
	if (not_next) {
		ws_fail(err, "NOT at character %zu needs a word after it, as in: 数字鸿沟 NOT 联合国", not_at);
		goto fail;
	}
	if (!q->nunits) {
		ws_fail(err, "the query is empty");
		goto fail;
	}
	*out = q;
	return true;
fail:
	unit_clear(&t.unit);
	ws_query_free(q);
	return false;
}
