#include "passage.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <unicode/utf8.h>

#include "cjk.h"
#include "array.h"
#include "passage_line.h"
#include "strbuf.h"

/* Byte offsets below are into the caller's text; character counts are
 * Unicode code points. */

typedef struct line_info {
	size_t start, end;  /* without the newline (and a trailing \r) */
	ws_line_kind kind;
	int level;          /* heading level */
	bool ends_sentence;
	bool page_break;    /* a form feed in the line: a new page starts here */
	bool hard_break;    /* the line is one vertical tab: the passage ends here */
	bool rule;          /* a PDF footnote rule: a long run of spaces */
	bool context_heading; /* a heading only by standing alone (mark_in_context) */
	size_t chars;
	uint32_t hash;      /* of the trimmed line, for running headers */
} line_info;

/* A passage being built. */
typedef struct building {
	bool open;
	ws_passage_kind kind;
	size_t start, end;
	unsigned first_line, last_line;
	size_t line_offset;
	size_t chars;       /* all of its characters */
	size_t body_chars;  /* those not in its heading lines */
	size_t head_len;
	int page;
	ws_passage_part *parts; /* once it has more than one (see ws_passage) */
	size_t nparts, cap;
	bool new_part;      /* the next line starts a part (it was resumed) */
} building;

typedef struct split {
	const char *t;
	ws_passages *out;
	building cur;
	building held;      /* a body passage a note block interrupted mid-sentence */
	/* heading trail */
	char *heads[8];
	int levels[8];
	int depth;
	bool oom;
} split;

#define next_char ws_line_next_char
#define prev_char ws_line_prev_char
#define trim ws_line_trim

static size_t count_chars(const char *t, size_t s, size_t e)
{
	size_t n = 0;
	for (size_t i = s; i < e; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h ? h : 1;
}

static char *dup_range(const char *t, size_t s, size_t e)
{
	char *p = malloc(e - s + 1);
	if (p) {
		memcpy(p, t + s, e - s);
		p[e - s] = '\0';
	}
	return p;
}

/* Heading text without Markdown emphasis markers (nor a stray NUL, which
 * would end the trail where the searcher stores it). */
static char *heading_text(const char *t, size_t s, size_t e)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = s; i < e; i++)
		if (t[i] != '*' && t[i] != '#' && t[i] != '\0')
			strbuf_appendc(&sb, t[i]);
	char *r = strbuf_detach(&sb);
	return r;
}

static char *section_string(split *sp)
{
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < sp->depth; i++) {
		if (i)
			strbuf_appends(&sb, " > ");
		strbuf_appends(&sb, sp->heads[i]);
	}
	return strbuf_detach(&sb);
}

static void flush(split *sp, building *b)
{
	if (!b->open)
		return;
	b->open = false;
	ws_passages *o = sp->out;
	ws_passage *items = ws_array_grow(o->items, o->n, &o->cap, sizeof *items, 64);
	if (!items) {
		sp->oom = true;
		free(b->parts);
		b->parts = NULL;
		return;
	}
	o->items = items;
	ws_passage *p = &o->items[o->n];
	memset(p, 0, sizeof *p);
	p->start = b->start;
	p->end = b->end;
	p->first_line = b->first_line;
	p->last_line = b->last_line;
	p->line_offset = b->line_offset;
	p->page = b->page;
	p->kind = b->kind;
	p->head_len = b->head_len;
	p->parts = b->parts;
	p->nparts = b->nparts;
	b->parts = NULL;
	b->nparts = b->cap = 0;
	p->section = section_string(sp);
	if (!p->section) {
		free(p->parts);
		sp->oom = true;
		return;
	}
	o->n++;
}

static void open_at(building *b, ws_passage_kind kind, size_t start, size_t line_start, unsigned line, int page)
{
	free(b->parts);
	memset(b, 0, sizeof *b);
	b->open = true;
	b->kind = kind;
	b->start = b->end = start;
	b->first_line = b->last_line = line;
	b->line_offset = start - line_start;
	b->page = page;
}

/* The passage's text now runs to e on line lineno: the last part grows,
 * or a new part starts at s after a resume. */
static void extend(split *sp, building *b, size_t s, size_t e, unsigned lineno)
{
	if (b->new_part) {
		b->new_part = false;
		ws_passage_part *v = ws_array_grow(b->parts, b->nparts, &b->cap, sizeof *v, 4);
		if (!v) {
			sp->oom = true;
			return;
		}
		b->parts = v;
		if (!b->nparts)
			b->parts[b->nparts++] = (ws_passage_part){b->start, b->end, b->first_line, b->last_line};
		v = ws_array_grow(b->parts, b->nparts, &b->cap, sizeof *v, 4);
		if (!v) {
			sp->oom = true;
			return;
		}
		b->parts = v;
		b->parts[b->nparts++] = (ws_passage_part){s, e, lineno, lineno};
	} else if (b->nparts) {
		b->parts[b->nparts - 1].end = e;
		b->parts[b->nparts - 1].last_line = lineno;
	}
	b->end = e;
	b->last_line = lineno;
}

static void push_heading(split *sp, int level, char *text)
{
	while (sp->depth > 0 && sp->levels[sp->depth - 1] >= level)
		free(sp->heads[--sp->depth]);
	if (sp->depth == 8) {
		free(sp->heads[7]);
		sp->depth = 7;
	}
	sp->heads[sp->depth] = text;
	sp->levels[sp->depth] = level;
	sp->depth++;
}

/* A cut point in [s, e) after at most max characters: the last sentence
 * end past min characters, else the last comma or space, else max. */
static size_t cut_point(const char *t, size_t s, size_t e, size_t min, size_t max)
{
	size_t i = s, n = 0, sentence = 0, soft = 0;
	while (i < e && n < max) {
		UChar32 c = next_char(t, &i, e);
		n++;
		if (n < min)
			continue;
		if (cjk_is_sentence_end((uint32_t)c)) {
			/* English "." ends a sentence only before a space */
			if (c == '.' && i < e && t[i] != ' ')
				continue;
			sentence = i;
		} else if (c == 0xFF0C /* ， */ || c == 0x3001 || c == ' ' || c == ',') {
			soft = i;
		}
	}
	if (i >= e)
		return e;
	if (sentence)
		return sentence;
	if (soft)
		return soft;
	return i;
}

static void add_text_line(split *sp, building *b, ws_passage_kind kind, const line_info *l, unsigned lineno,
                          int page)
{
	size_t s = l->start, e = l->end;
	/* a line too long for one passage: split it at sentence ends */
	if (l->chars > WS_PASSAGE_MAX) {
		if (b->open && b->body_chars >= WS_PASSAGE_MIN)
			flush(sp, b);
		size_t remaining = count_chars(sp->t, s, e);
		while (remaining > WS_PASSAGE_MAX) {
			size_t room = b->open ? WS_PASSAGE_MAX - (b->chars < WS_PASSAGE_MAX ? b->chars : WS_PASSAGE_MAX) : WS_PASSAGE_MAX;
			if (room < WS_PASSAGE_MIN) {
				flush(sp, b);
				room = WS_PASSAGE_MAX;
			}
			size_t cut = cut_point(sp->t, s, e, WS_PASSAGE_MIN < room ? WS_PASSAGE_MIN : room, room);
			if (!b->open)
				open_at(b, kind, s, l->start, lineno, page);
			extend(sp, b, s, cut, lineno);
			flush(sp, b);
			/* the next piece starts at the next non-space character */
			while (cut < e && (sp->t[cut] == ' ' || sp->t[cut] == '\t'))
				cut++;
			size_t done = count_chars(sp->t, s, cut);
			remaining = done < remaining ? remaining - done : 0;
			s = cut;
		}
		if (s < e) {
			bool fresh = !b->open;
			if (fresh)
				open_at(b, kind, s, l->start, lineno, page);
			extend(sp, b, s, e, lineno);
			size_t n = count_chars(sp->t, s, e);
			b->chars = fresh ? n : b->chars + n;
			b->body_chars = fresh ? n : b->body_chars + n;
		}
		return;
	}
	if (!b->open)
		open_at(b, kind, s, l->start, lineno, page);
	extend(sp, b, s, e, lineno);
	b->chars += l->chars;
	b->body_chars += l->chars;
}

static ws_passage_kind passage_kind(ws_line_kind k)
{
	switch (k) {
	case WS_LINE_CONTENTS:
		return WS_PASSAGE_CONTENTS;
	case WS_LINE_NOTE:
		return WS_PASSAGE_NOTE;
	case WS_LINE_SOURCE:
		return WS_PASSAGE_SOURCE;
	case WS_LINE_CAPTION:
		return WS_PASSAGE_CAPTION;
	default:
		return WS_PASSAGE_BODY;
	}
}

static int scan_lines(const char *t, size_t len, size_t off, line_info **out, size_t *n_out)
{
	size_t n = 0, cap = 256;
	line_info *lines = malloc(cap * sizeof *lines);
	if (!lines)
		return -1;
	size_t pos = off;
	while (pos < len || (pos == len && n == 0 && len > off)) {
		const char *nl = memchr(t + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - t) : len;
		if (n == cap) {
			cap *= 2;
			line_info *p = realloc(lines, cap * sizeof *p);
			if (!p) {
				free(lines);
				return -1;
			}
			lines = p;
		}
		line_info *l = &lines[n++];
		memset(l, 0, sizeof *l);
		l->start = pos;
		l->end = end;
		l->page_break = memchr(t + pos, '\f', end - pos) != NULL;
		l->hard_break = end - pos == 1 && t[pos] == '\v';
		if (!nl)
			break;
		pos = end + 1;
	}
	*out = lines;
	*n_out = n;
	return 0;
}

/* Running headers and footers: a short line that appears at least
 * twice, each time within three lines of a page-number line. */
static void mark_running_headers(const char *t, line_info *lines, size_t n)
{
	size_t cap = 64;
	while (cap < n * 2)
		cap *= 2;
	struct slot { uint32_t hash; unsigned count; } *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return;
	bool *near = calloc(n, sizeof *near);
	if (!near) {
		free(tab);
		return;
	}
	/* "within three lines" counts non-blank lines: PDF extraction often
	 * puts a blank line after every line */
	for (size_t i = 0; i < n; i++) {
		if (lines[i].kind != WS_LINE_FURNITURE)
			continue;
		for (int dir = -1; dir <= 1; dir += 2) {
			size_t j = i;
			for (int seen = 0; seen < 3;) {
				if ((dir < 0 && j == 0) || (dir > 0 && j + 1 >= n))
					break;
				j = dir < 0 ? j - 1 : j + 1;
				if (lines[j].kind == WS_LINE_BLANK)
					continue;
				near[j] = true;
				seen++;
			}
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			line_info *l = &lines[i];
			if (!near[i] || l->kind == WS_LINE_BLANK || l->kind == WS_LINE_FURNITURE || l->chars > 40)
				continue;
			size_t h = l->hash & (cap - 1);
			while (tab[h].hash && tab[h].hash != l->hash)
				h = (h + 1) & (cap - 1);
			tab[h].hash = l->hash;
			if (pass == 0)
				tab[h].count++;
			else if (tab[h].count >= 2)
				l->kind = WS_LINE_FURNITURE;
		}
	}
	(void)t;
	free(near);
	free(tab);
}

/* Lines whose kind depends on their neighbours: the footnotes below a
 * PDF's footnote rule ("12Gartner：…"), the entries of a table of
 * contents after its title, and (where lines are not spaced out) a short
 * line standing alone as an unnumbered heading. */
static void mark_in_context(const char *t, line_info *lines, size_t n, const ws_line_rules *r)
{
	for (size_t i = 0; i < n; i++) {
		if (lines[i].rule) {
			for (size_t j = i + 1; j < n; j++) {
				line_info *l = &lines[j];
				if (l->kind == WS_LINE_BLANK)
					continue;
				size_t s = l->start, e = l->end;
				trim(t, &s, &e);
				if (l->kind == WS_LINE_NOTE)
					continue;
				if (l->kind != WS_LINE_TEXT || !ws_line_is_glued_footnote(t, s, e))
					break;
				l->kind = WS_LINE_NOTE;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		line_info *l = &lines[i];
		if (r->spaced || r->marked_only || l->kind != WS_LINE_TEXT || l->ends_sentence || l->chars > 20 || l->chars < 4 ||
		    (i > 0 && lines[i - 1].kind != WS_LINE_BLANK) || i + 1 >= n || lines[i + 1].kind != WS_LINE_BLANK)
			continue;
		size_t s = l->start, e = l->end;
		trim(t, &s, &e);
		size_t k = s;
		UChar32 c = next_char(t, &k, e);
		size_t z = e;
		UChar32 last = prev_char(t, s, &z);
		if ((cjk_is_han((uint32_t)c) || c == 0x300A /* 《 */) && last != 0xFF0C && last != 0x3001 && last != ',' &&
		    !cjk_is_closing_mark((uint32_t)last)) {
			l->kind = WS_LINE_HEADING;
			l->level = 1;
			l->context_heading = true;
		} else if (last == 0x300B /* 》 */ && c == 0x300A) {
			l->kind = WS_LINE_HEADING;
			l->level = 1;
			l->context_heading = true;
		}
	}
}

/* Does a blank line follow most text lines (PDF extraction)? */
static bool spaced_out(const line_info *lines, size_t n)
{
	size_t text = 0, spaced = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (lines[i].kind != WS_LINE_TEXT)
			continue;
		text++;
		spaced += lines[i + 1].kind == WS_LINE_BLANK;
	}
	return text >= 10 && spaced * 2 > text;
}

int ws_passages_split(const char *t, size_t len, size_t body_offset, unsigned body_line, unsigned flags,
                      ws_passages *out)
{
	ws_line_rules rules = {.plain = flags & WS_SPLIT_PLAIN, .marked_only = flags & WS_SPLIT_MARKED_ONLY};
	line_info *lines;
	size_t n;
	if (scan_lines(t, len, body_offset, &lines, &n) != 0)
		return -1;
	bool any_ff = false;
	for (size_t i = 0; i < n; i++) {
		line_info *l = &lines[i];
		size_t s = l->start, e = l->end;
		l->rule = ws_line_is_footnote_rule(t, s, e);
		trim(t, &s, &e);
		any_ff |= l->page_break;
		if (s == e) {
			l->kind = WS_LINE_BLANK;
			continue;
		}
		l->chars = count_chars(t, s, e);
		l->hash = hash_bytes(t + s, e - s);
		size_t hs = s;
		l->kind = ws_line_classify(t, &hs, e, l->chars, &rules, &l->level);
		l->ends_sentence = l->kind == WS_LINE_TEXT && ws_line_ends_sentence(t, s, e);
	}
	rules.spaced = spaced_out(lines, n);
	mark_in_context(t, lines, n, &rules);
	mark_running_headers(t, lines, n);

	split sp = {.t = t, .out = out};
	building *cur = &sp.cur, *held = &sp.held;
	int page = any_ff ? 1 : 0;
	bool saw_blank = false, prev_ends = false, in_contents = false, in_notes = false;
	const char *first_entry = NULL; /* the first entry of a table of contents, without its page */
	size_t first_entry_len = 0;
	for (size_t i = 0; i < n && !sp.oom; i++) {
		line_info *l = &lines[i];
		unsigned lineno = body_line + (unsigned)i;
		if (l->page_break && i > 0) {
			flush(&sp, held);
			flush(&sp, cur);
			page++;
		}
		ws_line_kind kind = l->kind;
		size_t s = l->start, e = l->end;
		trim(t, &s, &e);
		/* a table of contents runs from its title to the first line that
		 * is no entry: its headings are entries, not the trail */
		/* endnotes run from their title (尾注, 注释) to the end or the next
		 * chapter: every line of them is a note */
		if (kind != WS_LINE_BLANK && kind != WS_LINE_FURNITURE && ws_line_is_notes_title(t, s, e)) {
			in_notes = true;
			kind = WS_LINE_NOTE;
		} else if (in_notes && kind == WS_LINE_HEADING && l->level <= 1 && !l->context_heading) {
			in_notes = false;
		} else if (in_notes && kind != WS_LINE_BLANK && kind != WS_LINE_FURNITURE) {
			kind = WS_LINE_NOTE;
		}
		if (kind == WS_LINE_CONTENTS && ws_line_is_contents_title(t, s, e)) {
			in_contents = true;
		} else if (kind == WS_LINE_CONTENTS && !first_entry_len) {
			first_entry = t + s;
			first_entry_len = ws_line_entry_len(t, s, e);
		} else if (in_contents && kind == WS_LINE_HEADING) {
			/* the body begins again with the first entry's heading */
			if (e - s == first_entry_len && !memcmp(t + s, first_entry, first_entry_len))
				in_contents = false;
			else
				kind = WS_LINE_CONTENTS;
		} else if (kind != WS_LINE_BLANK && kind != WS_LINE_FURNITURE && kind != WS_LINE_CONTENTS) {
			in_contents = false;
		}
		switch (kind) {
		case WS_LINE_BLANK:
			if (l->hard_break) {
				flush(&sp, held);
				flush(&sp, cur);
			}
			saw_blank = true;
			continue;
		case WS_LINE_FURNITURE:
			/* a page's number and running header between two halves of
			 * a sentence: the sentence goes on after them */
			if (cur->open && cur->kind == WS_PASSAGE_BODY && !prev_ends && cur->body_chars > 0 &&
			    !held->open) {
				*held = *cur;
				memset(cur, 0, sizeof *cur);
			} else {
				flush(&sp, cur);
			}
			continue;
		case WS_LINE_HEADING: {
			/* headings gather at the start of the next passage */
			if (cur->open && (cur->kind != WS_PASSAGE_BODY || cur->body_chars > 0))
				flush(&sp, cur);
			flush(&sp, held);
			size_t hs = s;
			int level = 0;
			ws_line_classify(t, &hs, e, l->chars, &rules, &level);
			char *text = heading_text(t, hs, e);
			if (!text) {
				sp.oom = true;
				break;
			}
			if (!out->first_heading)
				out->first_heading = strdup(text);
			if (!out->first_line)
				out->first_line = strdup(text);
			push_heading(&sp, l->level, text);
			if (!cur->open)
				open_at(cur, WS_PASSAGE_BODY, s, l->start, lineno, page);
			extend(&sp, cur, s, e, lineno);
			cur->chars += l->chars;
			cur->head_len = cur->end - cur->start;
			prev_ends = false;
			saw_blank = false;
			continue;
		}
		case WS_LINE_CONTENTS:
		case WS_LINE_NOTE:
		case WS_LINE_SOURCE:
		case WS_LINE_CAPTION: {
			ws_passage_kind pk = passage_kind(kind);
			if (cur->open && cur->kind == WS_PASSAGE_BODY) {
				/* a body passage cut off mid-sentence waits for the rest */
				if (!prev_ends && cur->body_chars > 0 && !held->open) {
					*held = *cur;
					memset(cur, 0, sizeof *cur);
				} else {
					flush(&sp, cur);
				}
			} else if (cur->open && (cur->kind != pk || cur->chars + l->chars > WS_PASSAGE_MAX)) {
				flush(&sp, cur);
			}
			add_text_line(&sp, cur, pk, l, lineno, page);
			saw_blank = false;
			continue;
		}
		case WS_LINE_TEXT:
			break;
		}
		if (!out->first_line)
			out->first_line = l->chars <= 100 && !l->ends_sentence ? dup_range(t, s, e) : strdup("");
		if (cur->open && cur->kind != WS_PASSAGE_BODY) {
			flush(&sp, cur);
			if (held->open) {
				/* the interrupted sentence goes on here */
				*cur = *held;
				memset(held, 0, sizeof *held);
				cur->new_part = true;
				prev_ends = false;
				saw_blank = false;
			}
		}
		if (cur->open && !cur->new_part) {
			bool strong = prev_ends && saw_blank;
			bool weak = prev_ends;
			if ((strong && cur->body_chars >= WS_PASSAGE_MIN) || (weak && cur->body_chars >= WS_PASSAGE_TARGET) ||
			    (cur->body_chars >= WS_PASSAGE_MIN && cur->chars + l->chars > WS_PASSAGE_MAX))
				flush(&sp, cur);
		}
		add_text_line(&sp, cur, WS_PASSAGE_BODY, l, lineno, page);
		prev_ends = l->ends_sentence;
		saw_blank = false;
	}
	flush(&sp, held);
	flush(&sp, cur);
	free(sp.cur.parts);
	free(sp.held.parts);
	while (sp.depth > 0)
		free(sp.heads[--sp.depth]);
	free(lines);
	return sp.oom ? -1 : 0;
}

void ws_passages_free(ws_passages *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].section);
		free(p->items[i].parts);
	}
	free(p->items);
	free(p->first_heading);
	free(p->first_line);
	memset(p, 0, sizeof *p);
}
