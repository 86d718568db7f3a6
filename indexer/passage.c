#include "passage.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <unicode/utf8.h>

#include "cjk.h"
#include "array.h"
#include "strbuf.h"

/* Byte offsets below are into the caller's text; character counts are
 * Unicode code points. */

typedef enum line_kind { LINE_BLANK, LINE_TEXT, LINE_HEADING, LINE_FURNITURE } line_kind;

typedef struct line_info {
	size_t start, end;  /* without the newline (and a trailing \r) */
	line_kind kind;
	int level;          /* heading level */
	bool ends_sentence;
	bool page_break;    /* a form feed in the line: a new page starts here */
	bool hard_break;    /* the line is one vertical tab: the passage ends here */
	size_t chars;
	uint32_t hash;      /* of the trimmed line, for running headers */
} line_info;

typedef struct split {
	const char *t;
	ws_passages *out;
	/* the passage being built */
	bool open;
	size_t start, end;
	unsigned first_line, last_line;
	size_t line_offset;
	size_t chars;
	int page;
	/* heading trail */
	char *heads[8];
	int levels[8];
	int depth;
	bool oom;
} split;

static UChar32 next_char(const char *t, size_t *i, size_t end)
{
	UChar32 c;
	int32_t ii = 0, n = (int32_t)((end - *i) > 8 ? 8 : (end - *i));
	U8_NEXT((const uint8_t *)t + *i, ii, n, c);
	*i += (size_t)ii;
	return c;
}

static UChar32 prev_char(const char *t, size_t start, size_t *i)
{
	UChar32 c;
	int32_t ii = (int32_t)(*i - start);
	U8_PREV((const uint8_t *)t + start, 0, ii, c);
	*i = start + (size_t)ii;
	return c;
}

static bool is_space(UChar32 c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0x3000 || c == 0xA0 ||
	       c == 0xFEFF;
}

static void trim(const char *t, size_t *s, size_t *e)
{
	while (*s < *e) {
		size_t i = *s;
		if (!is_space(next_char(t, &i, *e)))
			break;
		*s = i;
	}
	while (*e > *s) {
		size_t i = *e;
		if (!is_space(prev_char(t, *s, &i)))
			break;
		*e = i;
	}
}

static size_t count_chars(const char *t, size_t s, size_t e)
{
	size_t n = 0;
	for (size_t i = s; i < e; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool is_sentence_end(UChar32 c)
{
	switch (c) {
	case 0x3002: /* 。 */
	case 0xFF01: /* ！ */
	case 0xFF1F: /* ？ */
	case 0xFF1B: /* ； */
	case 0xFF1A: /* ： */
	case 0x2026: /* … */
	case 0xFF0E: /* ． */
	case '.': case '!': case '?': case ';': case ':':
		return true;
	default:
		return false;
	}
}

static bool is_closing_quote(UChar32 c)
{
	return c == 0x201D || c == 0x2019 || c == 0x300D || c == 0x300F || c == '"' || c == '\'' || c == ')' ||
	       c == 0xFF09 || c == 0x300B || c == '*';
}

static bool line_ends_sentence(const char *t, size_t s, size_t e)
{
	size_t i = e;
	while (i > s) {
		UChar32 c = prev_char(t, s, &i);
		if (is_space(c) || is_closing_quote(c))
			continue;
		return is_sentence_end(c);
	}
	return false;
}

static bool starts_with(const char *t, size_t s, size_t e, const char *lit)
{
	size_t n = strlen(lit);
	return e - s >= n && memcmp(t + s, lit, n) == 0;
}

static bool is_cn_numeral(UChar32 c)
{
	static const char32_t digits[] = U"〇零一二三四五六七八九十百";
	for (size_t i = 0; digits[i]; i++)
		if ((UChar32)digits[i] == c)
			return true;
	return false;
}

/* Table-of-contents lines ("一、背景 ........ 3") look like headings but
 * are not: dot leaders followed by a page number. */
static bool is_toc_line(const char *t, size_t s, size_t e)
{
	size_t i = e;
	bool digits = false;
	while (i > s && t[i - 1] >= '0' && t[i - 1] <= '9')
		i--, digits = true;
	while (i > s && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	if (!digits)
		return false;
	int dots = 0;
	while (i > s) {
		size_t j = i;
		UChar32 c = prev_char(t, s, &j);
		if (c != '.' && c != 0x2026 && c != 0x00B7 && c != 0x22EF && c != 0xFF0E)
			break;
		dots++;
		i = j;
	}
	return dots >= 3;
}

/* Heading level (1-6) of a trimmed line, or 0.  *ts is moved past a
 * Markdown "#" marker. */
static int heading_level(const char *t, size_t *ts, size_t e, size_t chars, bool plain, bool marked_only)
{
	size_t s = *ts;
	if (t[s] == '#') {
		if (plain)
			return 0;
		int n = 0;
		while (s < e && t[s] == '#')
			s++, n++;
		if (n <= 6 && s < e && (t[s] == ' ' || t[s] == '\t')) {
			while (s < e && (t[s] == ' ' || t[s] == '\t'))
				s++;
			*ts = s;
			return s < e ? n : 0;
		}
		return 0;
	}
	if (marked_only || chars > 50 || is_toc_line(t, s, e) || line_ends_sentence(t, s, e))
		return 0;
	size_t i = s;
	UChar32 c = next_char(t, &i, e);
	if (is_cn_numeral(c)) {
		while (i < e) {
			size_t j = i;
			c = next_char(t, &j, e);
			if (!is_cn_numeral(c))
				break;
			i = j;
		}
		size_t j = i;
		c = next_char(t, &j, e);
		return c == 0x3001 /* 、 */ && j < e ? 1 : 0;
	}
	if (c == 0x7B2C /* 第 */) {
		size_t j = i;
		while (j < e) {
			size_t k = j;
			UChar32 d = next_char(t, &k, e);
			if (!is_cn_numeral(d) && !(d >= '0' && d <= '9'))
				break;
			j = k;
		}
		if (j == i)
			return 0;
		UChar32 d = next_char(t, &j, e);
		if (d == 0x7AE0 /* 章 */ || d == 0x7BC7 /* 篇 */ || d == 0x90E8 /* 部 */)
			return 1;
		if (d == 0x8282 /* 节 */)
			return 2;
		return 0;
	}
	if (c == 0xFF08 /* （ */ || c == '(') {
		size_t j = i;
		UChar32 d = next_char(t, &j, e);
		bool cn = is_cn_numeral(d), ar = d >= '0' && d <= '9';
		if (!cn && !ar)
			return 0;
		while (j < e) {
			size_t k = j;
			d = next_char(t, &k, e);
			if (!(cn ? is_cn_numeral(d) : (d >= '0' && d <= '9')))
				break;
			j = k;
		}
		d = next_char(t, &j, e);
		if ((d == 0xFF09 || d == ')') && j < e && chars <= 40)
			return cn ? 2 : 4;
		return 0;
	}
	if (c >= '0' && c <= '9' && chars <= 40) {
		size_t j = s;
		while (j < e && t[j] >= '0' && t[j] <= '9')
			j++;
		/* at most two digits: "2019 G20 …" in a table is no heading */
		if (j - s > 2)
			return 0;
		/* "1." or "1、" or "1．" then text; "1.2 text" is a level-3 number too */
		bool dotted = false;
		if (j < e && t[j] == '.' && j + 1 < e && t[j + 1] >= '0' && t[j + 1] <= '9') {
			j++;
			while (j < e && t[j] >= '0' && t[j] <= '9')
				j++;
			dotted = true;
		}
		size_t k = j;
		UChar32 d = next_char(t, &k, e);
		if ((d == '.' || d == 0x3001 || d == 0xFF0E || (d == ' ' && dotted)) && k < e) {
			size_t m = k;
			UChar32 f = next_char(t, &m, e);
			/* the heading text must start with a letter or Han, not a number ("1. 2024") */
			if (cjk_is_han((uint32_t)f) || (f >= 'A' && f <= 'Z') || (f >= 'a' && f <= 'z') || f == ' ')
				return 3;
		}
		return 0;
	}
	/* Stand-alone section names of reports. */
	static const char *const names[] = {"前言", "前 言", "前  言", "目录", "目 录", "目  录", "结语", "结 语",
	                                     "附录", "摘要", "序言", "引言", "导言", "结论", "致谢", NULL};
	for (size_t n = 0; names[n]; n++)
		if (e - s == strlen(names[n]) && memcmp(t + s, names[n], e - s) == 0)
			return 1;
	return 0;
}

static bool is_markdown_image(const char *t, size_t s, size_t e)
{
	return starts_with(t, s, e, "![") && t[e - 1] == ')';
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

/* Heading text without Markdown emphasis markers. */
static char *heading_text(const char *t, size_t s, size_t e)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = s; i < e; i++)
		if (t[i] != '*' && t[i] != '#')
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

static void flush(split *sp)
{
	if (!sp->open)
		return;
	sp->open = false;
	ws_passages *o = sp->out;
	ws_passage *items = ws_array_grow(o->items, o->n, &o->cap, sizeof *items, 64);
	if (!items) {
		sp->oom = true;
		return;
	}
	o->items = items;
	ws_passage *p = &o->items[o->n];
	p->start = sp->start;
	p->end = sp->end;
	p->first_line = sp->first_line;
	p->last_line = sp->last_line;
	p->line_offset = sp->line_offset;
	p->page = sp->page;
	p->section = section_string(sp);
	if (!p->section) {
		sp->oom = true;
		return;
	}
	o->n++;
}

static void open_at(split *sp, size_t start, size_t line_start, unsigned line)
{
	sp->open = true;
	sp->start = start;
	sp->end = start;
	sp->first_line = sp->last_line = line;
	sp->line_offset = start - line_start;
	sp->chars = 0;
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
		if (is_sentence_end(c) && c != ':' && c != 0xFF1A) {
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

static void add_text_line(split *sp, const line_info *l, unsigned lineno)
{
	size_t s = l->start, e = l->end;
	/* a line too long for one passage: split it at sentence ends */
	if (l->chars > WS_PASSAGE_MAX) {
		if (sp->open && sp->chars >= WS_PASSAGE_MIN)
			flush(sp);
		size_t remaining = count_chars(sp->t, s, e);
		while (remaining > WS_PASSAGE_MAX) {
			size_t room = sp->open ? WS_PASSAGE_MAX - (sp->chars < WS_PASSAGE_MAX ? sp->chars : WS_PASSAGE_MAX) : WS_PASSAGE_MAX;
			if (room < WS_PASSAGE_MIN) {
				flush(sp);
				room = WS_PASSAGE_MAX;
			}
			size_t cut = cut_point(sp->t, s, e, WS_PASSAGE_MIN < room ? WS_PASSAGE_MIN : room, room);
			if (!sp->open)
				open_at(sp, s, l->start, lineno);
			sp->end = cut;
			sp->last_line = lineno;
			flush(sp);
			/* the next piece starts at the next non-space character */
			while (cut < e && (sp->t[cut] == ' ' || sp->t[cut] == '\t'))
				cut++;
			size_t done = count_chars(sp->t, s, cut);
			remaining = done < remaining ? remaining - done : 0;
			s = cut;
		}
		if (s < e) {
			open_at(sp, s, l->start, lineno);
			sp->end = e;
			sp->chars = count_chars(sp->t, s, e);
		}
		return;
	}
	if (!sp->open)
		open_at(sp, s, l->start, lineno);
	sp->end = e;
	sp->last_line = lineno;
	sp->chars += l->chars;
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
		if (lines[i].kind != LINE_FURNITURE)
			continue;
		for (int dir = -1; dir <= 1; dir += 2) {
			size_t j = i;
			for (int seen = 0; seen < 3;) {
				if ((dir < 0 && j == 0) || (dir > 0 && j + 1 >= n))
					break;
				j = dir < 0 ? j - 1 : j + 1;
				if (lines[j].kind == LINE_BLANK)
					continue;
				near[j] = true;
				seen++;
			}
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			line_info *l = &lines[i];
			if (!near[i] || l->kind == LINE_BLANK || l->kind == LINE_FURNITURE || l->chars > 40)
				continue;
			size_t h = l->hash & (cap - 1);
			while (tab[h].hash && tab[h].hash != l->hash)
				h = (h + 1) & (cap - 1);
			tab[h].hash = l->hash;
			if (pass == 0)
				tab[h].count++;
			else if (tab[h].count >= 2)
				l->kind = LINE_FURNITURE;
		}
	}
	(void)t;
	free(near);
	free(tab);
}

int ws_passages_split(const char *t, size_t len, size_t body_offset, unsigned body_line, unsigned flags,
                      ws_passages *out)
{
	bool plain = flags & WS_SPLIT_PLAIN, marked_only = flags & WS_SPLIT_MARKED_ONLY;
	line_info *lines;
	size_t n;
	if (scan_lines(t, len, body_offset, &lines, &n) != 0)
		return -1;
	bool any_ff = false;
	for (size_t i = 0; i < n; i++) {
		line_info *l = &lines[i];
		size_t s = l->start, e = l->end;
		trim(t, &s, &e);
		any_ff |= l->page_break;
		if (s == e) {
			l->kind = LINE_BLANK;
			continue;
		}
		l->chars = count_chars(t, s, e);
		l->hash = hash_bytes(t + s, e - s);
		if (cjk_line_is_page_number(t + s, e - s) || (!plain && is_markdown_image(t, s, e))) {
			l->kind = LINE_FURNITURE;
			continue;
		}
		size_t hs = s;
		int level = heading_level(t, &hs, e, l->chars, plain, marked_only);
		if (level) {
			l->kind = LINE_HEADING;
			l->level = level;
		} else {
			l->kind = LINE_TEXT;
			l->ends_sentence = line_ends_sentence(t, s, e);
		}
	}
	mark_running_headers(t, lines, n);

	split sp = {.t = t, .out = out};
	int page = any_ff ? 1 : 0;
	bool saw_blank = false, prev_ends = false;
	for (size_t i = 0; i < n && !sp.oom; i++) {
		line_info *l = &lines[i];
		unsigned lineno = body_line + (unsigned)i;
		if (l->page_break && i > 0) {
			flush(&sp);
			page++;
		}
		sp.page = page;
		switch (l->kind) {
		case LINE_BLANK:
			if (l->hard_break)
				flush(&sp);
			saw_blank = true;
			continue;
		case LINE_FURNITURE:
			flush(&sp);
			continue;
		case LINE_HEADING: {
			flush(&sp);
			size_t s = l->start, e = l->end;
			trim(t, &s, &e);
			size_t hs = s;
			heading_level(t, &hs, e, l->chars, plain, marked_only);
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
			add_text_line(&sp, l, lineno);
			/* a heading is a passage's first line, never a whole passage
			 * unless the next heading follows at once */
			prev_ends = false;
			saw_blank = false;
			continue;
		}
		case LINE_TEXT:
			break;
		}
		if (!out->first_line) {
			size_t s = l->start, e = l->end;
			trim(t, &s, &e);
			out->first_line = l->chars <= 100 && !l->ends_sentence ? dup_range(t, s, e) : strdup("");
		}
		if (sp.open) {
			bool strong = prev_ends && saw_blank;
			bool weak = prev_ends;
			if ((strong && sp.chars >= WS_PASSAGE_MIN) || (weak && sp.chars >= WS_PASSAGE_TARGET) ||
			    (sp.chars >= WS_PASSAGE_MIN && sp.chars + l->chars > WS_PASSAGE_MAX))
				flush(&sp);
		}
		add_text_line(&sp, l, lineno);
		prev_ends = l->ends_sentence;
		saw_blank = false;
	}
	flush(&sp);
	while (sp.depth > 0)
		free(sp.heads[--sp.depth]);
	free(lines);
	return sp.oom ? -1 : 0;
}

void ws_passages_free(ws_passages *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].section);
	free(p->items);
	free(p->first_heading);
	free(p->first_line);
	memset(p, 0, sizeof *p);
}
