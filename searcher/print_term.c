/* print_term.c - human-readable output (print.h).  In rank order:
 *
 *   1–10 of 23 passages in 4 documents
 *    1  caict-…-whitepaper-2022.txt:124:19  全球数字治理白皮书（2022年） · 2022 · 中国信息通信研究院
 *       二、全球数字治理 > （一）数字鸿沟
 *       …在弥合数字鸿沟方面…
 *
 * The location is whole on one line, so that a terminal (or a person)
 * can open it; its column counts bytes, as --vimgrep's and ripgrep's do.
 * With --group=doc a document's hits come together under one heading of
 * its title and path, documents in the order of their best hit.
 * Everything that comes from a document is stripped of control
 * characters; lines never exceed the width.
 */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "strbuf.h"
#include "text.h"
#include "wrap.h"

#define RESET "\033[0m"
#define ELLIPSIS "\xe2\x80\xa6" /* … */
#define SEP " \xc2\xb7 "        /* " · " */
/* Snippet lines tried, most first, when fitting a screen. */
#define MAX_SNIPPET_LINES 3

typedef struct term {
	FILE *out;
	const ws_term_style *style;
	ws_wrapper *wrapper;
	unsigned snippet_lines; /* 0: as many as it takes */
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

static void color(term *t, ws_color_slot slot)
{
	if (t->style->color && t->style->colors)
		puts_(t, t->style->colors->seq[slot]);
}

static void reset(term *t, ws_color_slot slot)
{
	if (t->style->color && t->style->colors && t->style->colors->seq[slot][0])
		puts_(t, RESET);
}

static void spaces(term *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(t, " ", 1);
}

/* path shown relative to the working folder when it is under it. */
static const char *shown_path(const char *path, const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

/* The start and end of an OSC 8 link to the file at path (absolute). */
static void link_open(term *t, const char *path)
{
	if (!t->style->hyperlinks || path[0] != '/')
		return;
	strbuf sb = STRBUF_INIT;
	bool ok = strbuf_appends(&sb, "\033]8;;file://");
	/* RFC 8089: percent-encode what is not unreserved or "/" */
	for (const unsigned char *p = (const unsigned char *)path; ok && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p))
			ok = strbuf_appendc(&sb, (char)*p);
		else
			ok = strbuf_appendf(&sb, "%%%02X", *p);
	}
	ok = ok && strbuf_appends(&sb, "\033\\");
	if (ok)
		puts_(t, sb.data);
	else
		t->ok = false;
	strbuf_free(&sb);
}

static void link_close(term *t, const char *path)
{
	if (t->style->hyperlinks && path[0] == '/')
		puts_(t, "\033]8;;\033\\");
}

char *ws_term_location(const ws_hit *h, const char *cwd)
{
	char *p = ws_sanitize(h->path, strlen(h->path));
	if (!p)
		return NULL;
	const char *shown = shown_path(p, cwd);
	char *loc;
	if (h->page && h->page_label)
		loc = ws_strdupf("%s p.%d (printed %s)", shown, h->page, h->page_label);
	else if (h->page)
		loc = ws_strdupf("%s p.%d", shown, h->page);
	else
		loc = ws_strdupf("%s:%u:%u", shown, h->line, h->column);
	free(p);
	/* a page label comes from the document too */
	if (loc && h->page_label) {
		char *clean = ws_sanitize(loc, strlen(loc));
		free(loc);
		loc = clean;
	}
	return loc;
}

/* s (display-ready) cut to width columns with "…" where cut; width 0
 * means no limit. */
static void put_fitted(term *t, const char *s, unsigned width)
{
	size_t len = strlen(s), fit;
	if (!width || ws_str_width(s, len) <= width) {
		put(t, s, len);
		return;
	}
	if (width < 2)
		return;
	ws_wrap_fit(s, len, width - 1, &fit);
	put(t, s, fit);
	puts_(t, ELLIPSIS);
}

/* "title · 2023 · source" of a hit's document, sanitised; malloc'd. */
static char *doc_meta(const ws_hit *h)
{
	const char *base = strrchr(h->path, '/');
	strbuf sb = STRBUF_INIT;
	bool ok = strbuf_appends(&sb, h->title ? h->title : base ? base + 1 : h->path);
	if (ok && h->year)
		ok = strbuf_appendf(&sb, SEP "%d", h->year);
	if (ok && h->source)
		ok = strbuf_appends(&sb, SEP) && strbuf_appends(&sb, h->source);
	char *clean = ok ? ws_sanitize(sb.data, sb.len) : NULL;
	strbuf_free(&sb);
	return clean;
}

/* One wrapped line of text[ln->start, ln->end), the highlights lit. */
static void put_lit_line(term *t, const char *text, const ws_wline *ln, const ws_range *hl, size_t nhl, bool lead,
                         bool trail)
{
	bool lit = false;
	size_t k = 0;
	if (lead)
		puts_(t, ELLIPSIS);
	for (size_t i = ln->start; i < ln->end;) {
		while (k < nhl && hl[k].end <= i)
			k++;
		bool in = k < nhl && i >= hl[k].start;
		size_t next = ln->end;
		if (in && hl[k].end < next)
			next = hl[k].end;
		else if (!in && k < nhl && hl[k].start < next)
			next = hl[k].start;
		if (in != lit) {
			if (in)
				color(t, WS_C_MATCH);
			else
				reset(t, WS_C_MATCH);
			lit = in;
		}
		put(t, text + i, next - i);
		i = next;
	}
	if (lit)
		reset(t, WS_C_MATCH);
	if (trail)
		puts_(t, ELLIPSIS);
	put(t, "\n", 1);
}

/* text wrapped under an indent of indent columns, at most max lines (0:
 * all), the lines shown chosen around the first highlight. */
static void put_wrapped(term *t, const char *text, size_t len, const ws_range *hl, size_t nhl, unsigned indent,
                        unsigned max)
{
	unsigned width = t->style->width;
	if (!width || width < indent + 8) {
		spaces(t, indent);
		ws_wline whole = {0, len, 0};
		put_lit_line(t, text, &whole, hl, nhl, false, false);
		return;
	}
	ws_wline *lines = NULL;
	size_t n = 0;
	/* a column spare for a "…" where lines are left out */
	if (!ws_wrap(t->wrapper, text, len, width - indent - (max ? 1 : 0), &lines, &n)) {
		t->ok = false;
		return;
	}
	size_t first = 0, count = n;
	if (max && n > max) {
		size_t at = 0;
		if (nhl)
			while (at + 1 < n && lines[at].end <= hl[0].start)
				at++;
		first = at > (max - 1) / 2 ? at - (max - 1) / 2 : 0;
		if (first + max > n)
			first = n - max;
		count = max;
	}
	for (size_t i = first; i < first + count && t->ok; i++) {
		spaces(t, indent);
		bool lead = i == first && first > 0 && strncmp(text + lines[i].start, ELLIPSIS, 3);
		bool trail = i + 1 == first + count && first + count < n;
		put_lit_line(t, text, &lines[i], hl, nhl, lead, trail);
	}
	free(lines);
}

/* The location of a hit, linked to its file, in the path colour. */
static void put_location(term *t, const ws_hit *h, const char *loc)
{
	link_open(t, h->path);
	color(t, WS_C_PATH);
	puts_(t, loc);
	reset(t, WS_C_PATH);
	link_close(t, h->path);
}

/* The section line of a hit: its heading trail, then what it is when it
 * is no body text (with --all-kinds) and the glossary forms it was found
 * by: "一、… > （二）…  ·  note  ·  via 数字经济".  "" for none; malloc'd. */
static char *section_of(const ws_hit *h)
{
	strbuf sb = STRBUF_INIT;
	bool ok = strbuf_appends(&sb, h->section ? h->section : "");
	if (ok && h->kind)
		ok = (!sb.len || strbuf_appends(&sb, "  \xc2\xb7  ")) && strbuf_appends(&sb, ws_kind_name(h->kind));
	for (size_t i = 0; ok && i < h->nvia; i++)
		ok = (!sb.len || strbuf_appends(&sb, i ? ", " : "  \xc2\xb7  ")) && (i || strbuf_appends(&sb, "via ")) &&
		     strbuf_appends(&sb, h->via[i]);
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	return sb.data ? strbuf_detach(&sb) : strdup("");
}

static void put_section(term *t, const char *section, unsigned indent, unsigned width)
{
	char *c = ws_sanitize(section, strlen(section));
	if (!c) {
		t->ok = false;
		return;
	}
	spaces(t, indent);
	color(t, WS_C_SECTION);
	put_fitted(t, c, width ? width - indent : 0);
	reset(t, WS_C_SECTION);
	put(t, "\n", 1);
	free(c);
}

static void put_rank(term *t, unsigned rank, int rank_width)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%*u", rank_width, rank);
	color(t, WS_C_RANK);
	puts_(t, buf);
	reset(t, WS_C_RANK);
	puts_(t, "  ");
}

/* A hit in rank order: rank, location and (when it fits) its document on
 * the first line, the section on the next, then the snippet. */
static void hit_ranked(term *t, const ws_hit *h, int rank_width)
{
	unsigned width = t->style->width, indent = (unsigned)rank_width + 2;
	char *loc = ws_term_location(h, t->style->cwd);
	char *meta = doc_meta(h);
	if (!loc || !meta) {
		t->ok = false;
		goto out;
	}
	put_rank(t, h->rank, rank_width);
	put_location(t, h, loc);
	unsigned used = indent + (unsigned)ws_str_width(loc, strlen(loc));
	bool meta_first = !width || used + 2 + 12 <= width;
	if (meta_first) {
		puts_(t, "  ");
		color(t, WS_C_TITLE);
		put_fitted(t, meta, width ? width - used - 2 : 0);
		reset(t, WS_C_TITLE);
	}
	put(t, "\n", 1);
	if (!meta_first) {
		spaces(t, indent);
		color(t, WS_C_TITLE);
		put_fitted(t, meta, width - indent);
		reset(t, WS_C_TITLE);
		put(t, "\n", 1);
	}
	char *sec = section_of(h);
	if (!sec)
		t->ok = false;
	else if (*sec)
		put_section(t, sec, indent, width);
	free(sec);
	put_wrapped(t, h->snippet.text ? h->snippet.text : "", h->snippet.len, h->snippet.hl, h->snippet.nhl, indent,
	            t->snippet_lines);
out:
	free(loc);
	free(meta);
}

/* A document's heading in --group=doc: its title, year and source, then
 * its path. */
static void doc_heading(term *t, const ws_hit *h)
{
	unsigned width = t->style->width;
	char *meta = doc_meta(h);
	char *path = ws_sanitize(h->path, strlen(h->path));
	if (!meta || !path) {
		t->ok = false;
		goto out;
	}
	color(t, WS_C_TITLE);
	put_fitted(t, meta, width);
	reset(t, WS_C_TITLE);
	put(t, "\n", 1);
	link_open(t, h->path);
	color(t, WS_C_PATH);
	puts_(t, shown_path(path, t->style->cwd));
	reset(t, WS_C_PATH);
	link_close(t, h->path);
	put(t, "\n", 1);
out:
	free(meta);
	free(path);
}

/* A hit under its document's heading: rank, line:column (or page) and
 * section, then the snippet. */
static void hit_grouped(term *t, const ws_hit *h, int rank_width)
{
	unsigned width = t->style->width, indent = (unsigned)rank_width + 2;
	char where[64];
	if (h->page)
		snprintf(where, sizeof where, "p.%d", h->page);
	else
		snprintf(where, sizeof where, "%u:%u", h->line, h->column);
	put_rank(t, h->rank, rank_width);
	color(t, WS_C_LINE);
	puts_(t, where);
	reset(t, WS_C_LINE);
	char *sec = section_of(h);
	if (!sec) {
		t->ok = false;
		return;
	}
	if (*sec) {
		unsigned used = indent + (unsigned)strlen(where) + 2;
		char *c = ws_sanitize(sec, strlen(sec));
		if (!c) {
			free(sec);
			t->ok = false;
			return;
		}
		puts_(t, "  ");
		color(t, WS_C_SECTION);
		put_fitted(t, c, width > used ? width - used : width ? 1 : 0);
		reset(t, WS_C_SECTION);
		free(c);
	}
	free(sec);
	put(t, "\n", 1);
	put_wrapped(t, h->snippet.text ? h->snippet.text : "", h->snippet.len, h->snippet.hl, h->snippet.nhl, indent,
	            t->snippet_lines);
}

static void header(term *t, const ws_result *r, const ws_term_totals *tot)
{
	char buf[256];
	unsigned first = r->hits[0].rank, last = r->hits[r->nhits - 1].rank;
	int n = snprintf(buf, sizeof buf, "%u\xe2\x80\x93%u of %s%u passage%s", first, last, tot->known ? "" : "about ",
	                 tot->passages, tot->passages == 1 ? "" : "s");
	if (tot->known && tot->documents && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " in %u document%s", tot->documents,
		              tot->documents == 1 ? "" : "s");
	if (r->relaxed && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " with some of the words (none has them all)");
	if (tot->per_doc && n > 0)
		snprintf(buf + n, sizeof buf - (size_t)n, ", at most %u from each", tot->per_doc);
	color(t, WS_C_HEADER);
	put_fitted(t, buf, t->style->width);
	reset(t, WS_C_HEADER);
	puts_(t, "\n");
}

/* Everything, with snippets of at most t->snippet_lines lines and a blank
 * line between hits (or documents) if gaps. */
static void render(term *t, const ws_result *r, const ws_term_totals *tot, bool gaps)
{
	int rank_width = snprintf(NULL, 0, "%u", r->hits[r->nhits - 1].rank);
	header(t, r, tot);
	if (t->style->group == WS_GROUP_RANK) {
		for (size_t i = 0; i < r->nhits && t->ok; i++) {
			if (gaps)
				put(t, "\n", 1);
			hit_ranked(t, &r->hits[i], rank_width);
		}
		return;
	}
	/* documents in the order of their best hit, each once */
	bool *done = calloc(r->nhits, sizeof *done);
	if (!done) {
		t->ok = false;
		return;
	}
	for (size_t i = 0; i < r->nhits && t->ok; i++) {
		if (done[i])
			continue;
		put(t, "\n", 1);
		doc_heading(t, &r->hits[i]);
		for (size_t j = i; j < r->nhits && t->ok; j++) {
			if (done[j] || strcmp(r->hits[j].path, r->hits[i].path))
				continue;
			done[j] = true;
			hit_grouped(t, &r->hits[j], rank_width);
		}
	}
	free(done);
}

/* Rows that render would take, or (unsigned)-1 if it cannot tell. */
static unsigned rows_of(term *t, const ws_result *r, const ws_term_totals *tot, bool gaps)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	if (!mem)
		return (unsigned)-1;
	term probe = *t;
	probe.out = mem;
	probe.ok = true;
	render(&probe, r, tot, gaps);
	bool ok = fclose(mem) == 0 && probe.ok;
	unsigned rows = 0;
	for (size_t i = 0; ok && i < size; i++)
		rows += buf[i] == '\n';
	free(buf);
	return ok ? rows : (unsigned)-1;
}

bool ws_print_term(FILE *out, const ws_result *r, const ws_term_totals *tot, const ws_term_style *style)
{
	term t = {out, style, NULL, 0, true};
	char *err = NULL;
	bool gaps = style->group == WS_GROUP_RANK;

	if (!r->nhits)
		return true;
	if (style->width) {
		t.wrapper = ws_wrapper_new(&err);
		free(err);
		if (!t.wrapper)
			return false;
		t.snippet_lines = MAX_SNIPPET_LINES - 1;
	}
	if (style->width && style->height) {
		/* the most that fits the screen, keeping a row for the prompt:
		 * blank lines between hits go first, then snippet lines */
		unsigned room = style->height - 1;
		bool fitted = false;
		for (unsigned lines = MAX_SNIPPET_LINES; lines >= 1 && !fitted; lines--) {
			for (int g = gaps; g >= 0 && !fitted; g--) {
				t.snippet_lines = lines;
				if (rows_of(&t, r, tot, g) <= room) {
					fitted = true;
					gaps = g;
				}
			}
		}
		if (!fitted)
			t.snippet_lines = MAX_SNIPPET_LINES - 1; /* the pager shows it */
	}
	render(&t, r, tot, gaps);
	ws_wrapper_free(t.wrapper);
	return t.ok;
}

bool ws_print_term_nothing(FILE *out, const ws_result *r, unsigned offset, const char *what,
                           const ws_term_style *style)
{
	term t = {out, style, NULL, 0, true};
	char *clean = ws_sanitize(what, strlen(what));
	if (!clean)
		return false;
	color(&t, WS_C_HEADER);
	char buf[128];
	if (offset && r->estimated)
		snprintf(buf, sizeof buf, "Nothing past passage %u (about %u match): ", offset, r->estimated);
	else
		snprintf(buf, sizeof buf, "No passage matches: ");
	strbuf sb = STRBUF_INIT;
	if (strbuf_appends(&sb, buf) && strbuf_appends(&sb, clean))
		put_fitted(&t, sb.data, style->width);
	else
		t.ok = false;
	reset(&t, WS_C_HEADER);
	put(&t, "\n", 1);
	strbuf_free(&sb);
	free(clean);
	return t.ok;
}

bool ws_print_term_passage(FILE *out, const ws_hit *h, const char *text, size_t len, const ws_range *hl,
                           size_t nhl, const ws_term_style *style)
{
	term t = {out, style, NULL, 0, true};
	char *err = NULL;
	if (style->width) {
		t.wrapper = ws_wrapper_new(&err);
		free(err);
		if (!t.wrapper)
			return false;
	}
	char *loc = ws_term_location(h, style->cwd);
	char *meta = doc_meta(h);
	if (loc && meta) {
		put_location(&t, h, loc);
		put(&t, "\n", 1);
		color(&t, WS_C_TITLE);
		put_fitted(&t, meta, style->width);
		reset(&t, WS_C_TITLE);
		put(&t, "\n", 1);
		char *sec = section_of(h);
		if (!sec)
			t.ok = false;
		else if (*sec)
			put_section(&t, sec, 0, style->width);
		free(sec);
		char lines[64];
		snprintf(lines, sizeof lines, "lines %u\xe2\x80\x93%u", h->first_line, h->last_line);
		color(&t, WS_C_HEADER);
		puts_(&t, lines);
		reset(&t, WS_C_HEADER);
		put(&t, "\n\n", 2);
		put_wrapped(&t, text, len, hl, nhl, 2, 0);
	} else {
		t.ok = false;
	}
	free(loc);
	free(meta);
	ws_wrapper_free(t.wrapper);
	return t.ok;
}
