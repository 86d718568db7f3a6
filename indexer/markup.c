#include "markup.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"

/* Begin a new text line that maps to source line line. */
static void new_line(ws_markup *m, unsigned line)
{
	unsigned *map = ws_array_grow(m->map, m->nlines, &m->cap, sizeof *map, 256);
	if (!map) {
		m->oom = true;
		return;
	}
	m->map = map;
	m->map[m->nlines++] = line;
	m->line_has_text = false;
}

/* Before visible text from source line line: the owed newlines, the
 * heading marker, the owed space. */
static void before_text(ws_markup *m, unsigned line)
{
	if (m->nlines == 0)
		new_line(m, line);
	if (m->line_has_text && m->pending) {
		for (int i = 0; i < m->pending; i++) {
			m->oom |= !strbuf_appendc(&m->text, '\n');
			new_line(m, line);
		}
	} else if (!m->line_has_text) {
		/* the line is still empty: it starts here */
		m->map[m->nlines - 1] = line;
	}
	m->pending = 0;
	if (m->heading && !m->heading_open) {
		static const char hashes[] = "###### ";
		m->oom |= !strbuf_append(&m->text, hashes + 6 - m->heading, (size_t)m->heading + 1);
		m->heading_open = true;
		m->any_heading = true;
		m->space = false;
	}
	if (m->space && m->line_has_text)
		m->oom |= !strbuf_appendc(&m->text, ' ');
	m->space = false;
	m->line_has_text = true;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* U+00A0 NO-BREAK SPACE (&nbsp;) at s[i]: a space like any other here. */
static bool is_nbsp(const char *s, size_t i, size_t n)
{
	return i + 1 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0;
}

void ws_markup_text(ws_markup *m, const char *s, size_t n, unsigned line)
{
	size_t i = 0;
	while (i < n) {
		if (is_nbsp(s, i, n)) {
			m->space = true;
			i += 2;
			continue;
		}
		if (is_ws(s[i])) {
			if (s[i] == '\n') {
				line++;
				if (m->heading || !m->line_has_text)
					m->space = true;
				else if (m->pending < 1)
					m->pending = 1;
			} else {
				m->space = true;
			}
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_ws(s[j]) && !is_nbsp(s, j, n))
			j++;
		before_text(m, line);
		m->oom |= !strbuf_append(&m->text, s + i, j - i);
		i = j;
	}
}

void ws_markup_pre(ws_markup *m, const char *s, size_t n, unsigned line)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '\n') {
			line++;
			if (m->line_has_text && m->pending < 1)
				m->pending = 1;
			i++;
			continue;
		}
		const char *nl = memchr(s + i, '\n', n - i);
		size_t j = nl ? (size_t)(nl - s) : n;
		size_t k = i;
		while (k < j && is_ws(s[k]))
			k++;
		if (k < j) {
			before_text(m, line);
			m->oom |= !strbuf_append(&m->text, s + i, j - i);
		}
		i = j;
	}
}

void ws_markup_break(ws_markup *m)
{
	if (m->heading)
		m->space = true;
	else if (m->line_has_text && m->pending < 1)
		m->pending = 1;
}

void ws_markup_space(ws_markup *m)
{
	m->space = true;
}

void ws_markup_block(ws_markup *m)
{
	if (m->line_has_text)
		m->pending = 2;
	m->space = false;
}

void ws_markup_heading_begin(ws_markup *m, int level)
{
	ws_markup_block(m);
	m->heading = level < 1 ? 1 : level > 6 ? 6 : level;
	m->heading_open = false;
}

void ws_markup_heading_end(ws_markup *m)
{
	m->heading = 0;
	m->heading_open = false;
	ws_markup_block(m);
}

bool ws_markup_finish(ws_markup *m, ws_doctext *dt)
{
	if (m->line_has_text)
		m->oom |= !strbuf_appendc(&m->text, '\n');
	if (m->oom)
		return false;
	size_t len = m->text.len;
	dt->owned = strbuf_detach(&m->text);
	if (!dt->owned)
		return false;
	dt->text = dt->owned;
	dt->len = len;
	dt->line_map = m->map;
	dt->nlines = m->nlines;
	dt->marked_headings = m->any_heading;
	m->map = NULL;
	m->nlines = m->cap = 0;
	return true;
}

void ws_markup_free(ws_markup *m)
{
	strbuf_free(&m->text);
	free(m->map);
	m->map = NULL;
	m->nlines = m->cap = 0;
}
