/* print_term.c - human-readable output, grouped by document:
 *
 *   全球数字治理白皮书（2022年） · 2022 · 中国信息通信研究院
 *   /path/to/caict-global-digital-governance-whitepaper-2022.txt
 *    1  124:7  p.12  二、全球数字治理 > （一）数字鸿沟
 *       …在弥合数字鸿沟方面…
 *
 * Hits stay in rank order; a heading is printed whenever the document
 * changes.  Snippets wrap to the terminal's width, counting East Asian wide
 * characters as two columns.
 */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

#define SGR_RESET "\033[0m"
#define SGR_TITLE "\033[1m"
#define SGR_PATH "\033[35m"
#define SGR_RANK "\033[1m"
#define SGR_LINE "\033[32m"
#define SGR_SECTION "\033[36m"
#define SGR_MATCH "\033[1;31m"
#define SNIPPET_INDENT 4

typedef struct term {
	FILE *out;
	const ws_term_style *style;
	bool ok;
} term;

static void put(term *t, const char *s, size_t n)
{
	if (t->ok && n && fwrite(s, 1, n, t->out) != n)
		t->ok = false;
}

static void puts_(term *t, const char *s)
{
	put(t, s, strlen(s));
}

static void sgr(term *t, const char *code)
{
	if (t->style->color)
		puts_(t, code);
}

/* Document text, stripped of control characters. */
static void put_clean(term *t, const char *s)
{
	char *c = ws_sanitize(s, strlen(s));
	if (!c) {
		t->ok = false;
		return;
	}
	puts_(t, c);
	free(c);
}

static void indent(term *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(t, " ", 1);
}

/* Break a snippet line, keeping a highlight that spans the break lit on
 * both sides without colouring the indentation. */
static void wrap(term *t, bool lit)
{
	if (lit)
		sgr(t, SGR_RESET);
	put(t, "\n", 1);
	indent(t, SNIPPET_INDENT);
	if (lit)
		sgr(t, SGR_MATCH);
}

static void heading(term *t, const ws_hit *h, bool first)
{
	const char *base = strrchr(h->path, '/');
	if (!first)
		put(t, "\n", 1);
	sgr(t, SGR_TITLE);
	put_clean(t, h->title ? h->title : base ? base + 1 : h->path);
	sgr(t, SGR_RESET);
	if (h->year) {
		char y[24];
		snprintf(y, sizeof y, " · %d", h->year);
		puts_(t, y);
	}
	if (h->source) {
		puts_(t, " · ");
		put_clean(t, h->source);
	}
	put(t, "\n", 1);
	sgr(t, SGR_PATH);
	put_clean(t, h->path);
	sgr(t, SGR_RESET);
	put(t, "\n", 1);
}

static void hit_line(term *t, const ws_hit *h, int rank_width)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%*u", rank_width, h->rank);
	sgr(t, SGR_RANK);
	puts_(t, buf);
	sgr(t, SGR_RESET);
	puts_(t, "  ");
	if (h->page) {
		/* a page is where a viewer opens a PDF; the lines of its
		 * extracted text are no place in the file */
		sgr(t, SGR_LINE);
		put_clean(t, h->path);
		snprintf(buf, sizeof buf, " p.%d", h->page);
		puts_(t, buf);
		sgr(t, SGR_RESET);
		if (h->page_label) {
			puts_(t, " (printed ");
			put_clean(t, h->page_label);
			puts_(t, ")");
		}
	} else {
		snprintf(buf, sizeof buf, "%u:%u", h->line, h->column_char);
		sgr(t, SGR_LINE);
		puts_(t, buf);
		sgr(t, SGR_RESET);
	}
	if (h->section && *h->section) {
		puts_(t, "  ");
		sgr(t, SGR_SECTION);
		put_clean(t, h->section);
		sgr(t, SGR_RESET);
	}
	put(t, "\n", 1);
}

/* The snippet, highlighted and wrapped.  It is already free of control
 * characters (snippet.h). */
static void snippet(term *t, const ws_snippet *sn)
{
	const char *s = sn->text ? sn->text : "";
	size_t len = sn->len, k = 0, i = 0;
	unsigned width = t->style->width;
	unsigned avail = width > SNIPPET_INDENT + 10 ? width - SNIPPET_INDENT : 0;
	unsigned col = 0;
	bool lit = false;

	indent(t, SNIPPET_INDENT);
	while (i < len) {
		/* The next token: a space, one wide character, or a run of
		 * narrow non-space characters (a Latin word). */
		size_t j = i, tw = 0;
		uint32_t c = ws_utf8_next(s, len, &j);
		tw = (size_t)ws_char_width(c);
		if (c != ' ' && !ws_is_wide(c)) {
			size_t p = j;
			while (p < len) {
				size_t q = p;
				uint32_t d = ws_utf8_next(s, len, &q);
				if (d == ' ' || ws_is_wide(d))
					break;
				tw += (size_t)ws_char_width(d);
				p = q;
			}
			j = p;
		}
		if (avail && col > 0 && col + tw > avail && tw <= avail) {
			wrap(t, lit);
			col = 0;
			if (c == ' ') {
				i = j;
				continue;
			}
		}
		/* Emit the token character by character for highlight edges. */
		while (i < j) {
			while (k < sn->nhl && sn->hl[k].end <= i)
				k++;
			bool in = k < sn->nhl && i >= sn->hl[k].start && i < sn->hl[k].end;
			if (in != lit) {
				sgr(t, in ? SGR_MATCH : SGR_RESET);
				lit = in;
			}
			size_t q = i;
			uint32_t d = ws_utf8_next(s, len, &q);
			unsigned cw = (unsigned)ws_char_width(d);
			if (avail && col + cw > avail) {
				wrap(t, lit);
				col = 0;
			}
			put(t, s + i, q - i);
			col += cw;
			i = q;
		}
	}
	if (lit)
		sgr(t, SGR_RESET);
	put(t, "\n", 1);
}

bool ws_print_term(FILE *out, const ws_result *r, const ws_term_style *style)
{
	term t = {out, style, true};
	const char *doc = NULL;
	int rank_width = 1;

	if (r->nhits)
		rank_width = snprintf(NULL, 0, "%u", r->hits[r->nhits - 1].rank);
	for (size_t i = 0; i < r->nhits && t.ok; i++) {
		const ws_hit *h = &r->hits[i];
		if (!doc || strcmp(doc, h->path)) {
			heading(&t, h, doc == NULL);
			doc = h->path;
		}
		hit_line(&t, h, rank_width);
		snippet(&t, &h->snippet);
	}
	return t.ok;
}
