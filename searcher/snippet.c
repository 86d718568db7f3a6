/* snippet.c - choose and render the excerpt of a passage (see snippet.h). */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

/* Matches considered when looking for the densest cluster. */
#define MAX_CLUSTER_MATCHES 256
/* How far (in characters) a cut may move to reach a good boundary. */
#define CUT_BACK 12
#define CUT_FORWARD 20
/* A line of at most this many characters before a blank line is taken as
 * a heading (see ends_short_line). */
#define SHORT_LINE 20

/* The passage decoded: code points, their byte offsets (off[n] == len) and
 * a prefix count of visible characters (vis[i]: visible among [0, i)). */
typedef struct decoded {
	uint32_t *cp;
	size_t *off;
	size_t *vis;
	size_t n;
} decoded;

/* Any white space, so that a U+2005 or U+3000 before a line break does
 * not become a second space beside the break's. */
static bool is_blank(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || ws_is_space(c);
}

static bool is_break(uint32_t c)
{
	return c == '\n' || c == '\r';
}

static bool decode(const char *text, size_t len, decoded *d)
{
	d->cp = malloc((len + 1) * sizeof *d->cp);
	d->off = malloc((len + 1) * sizeof *d->off);
	d->vis = malloc((len + 1) * sizeof *d->vis);
	if (!d->cp || !d->off || !d->vis)
		return false;
	size_t i = 0, n = 0;
	d->vis[0] = 0;
	while (i < len) {
		d->off[n] = i;
		uint32_t c = ws_utf8_next(text, len, &i);
		d->cp[n] = c;
		d->vis[n + 1] = d->vis[n] + (is_break(c) || ws_is_unsafe(c) ? 0 : 1);
		n++;
	}
	d->off[n] = len;
	d->cp[n] = 0;
	d->n = n;
	return true;
}

static void decoded_free(decoded *d)
{
	free(d->cp);
	free(d->off);
	free(d->vis);
}

/* The index of the first character whose offset is >= byte. */
static size_t char_at(const decoded *d, size_t byte)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->off[mid] < byte)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does a sentence end just before character p? */
static bool sentence_end_before(const decoded *d, size_t p)
{
	if (p == 0 || p > d->n)
		return false;
	uint32_t c = d->cp[p - 1];
	if (c == '.')
		return p == d->n || is_blank(d->cp[p]);
	if (cjk_is_sentence_end(c))
		return true;
	return cjk_is_closing_mark(c) && p >= 2 && (cjk_is_sentence_end(d->cp[p - 2]) || d->cp[p - 2] == '.');
}

/* Is cutting just before character p a reasonable (if not ideal) place? */
static bool soft_break_before(const decoded *d, size_t p)
{
	if (p == 0 || p >= d->n)
		return true;
	uint32_t b = d->cp[p - 1], c = d->cp[p];
	return is_blank(b) || is_blank(c) || b == 0xff0c || b == 0x3001 || b == ',' || b == 0xff1a || b == ':';
}

/* The best cut in [lo, hi] nearest to want: a sentence end if there is
 * one, else a soft break, else want itself. */
static size_t best_cut(const decoded *d, size_t want, size_t lo, size_t hi)
{
	size_t best = want, bestdist = (size_t)-1;
	for (int pass = 0; pass < 2 && bestdist == (size_t)-1; pass++) {
		for (size_t p = lo; p <= hi; p++) {
			bool ok = pass == 0 ? sentence_end_before(d, p) : soft_break_before(d, p);
			size_t dist = p > want ? p - want : want - p;
			if (ok && dist < bestdist) {
				best = p;
				bestdist = dist;
			}
		}
	}
	return best;
}

/* Pick [*ws, *we) in characters. */
static void choose_window(const decoded *d, const size_t *cs, const size_t *ce, size_t nm, size_t *ws,
                          size_t *we, const ws_match *m)
{
	const size_t W = WS_SNIPPET_CHARS, MAXW = WS_SNIPPET_CHARS + WS_SNIPPET_CHARS / 5;
	size_t n = d->n;

	if (d->vis[n] <= MAXW) {
		*ws = 0;
		*we = n;
		return;
	}
	size_t a = 0, b = 0; /* the cluster, in characters */
	if (nm) {
		size_t best = 0, bj = 0, bscore = 0;
		if (nm > MAX_CLUSTER_MATCHES)
			nm = MAX_CLUSTER_MATCHES;
		for (size_t i = 0; i < nm; i++) {
			size_t j = i, groups = 0, score;
			while (j < nm && d->vis[ce[j]] - d->vis[cs[i]] <= W) {
				bool seen = false;
				for (size_t k = i; k < j && !seen; k++)
					seen = m[k].group == m[j].group;
				groups += !seen;
				j++;
			}
			if (j == i)
				j = i + 1; /* a single match longer than the window */
			score = groups * 1000 + (j - i);
			if (score > bscore) {
				bscore = score;
				best = i;
				bj = j;
			}
		}
		a = cs[best];
		b = ce[best];
		for (size_t k = best; k < bj; k++)
			if (ce[k] > b)
				b = ce[k];
	}
	size_t span = d->vis[b] - d->vis[a];
	size_t before = span < W ? (W - span) / 3 : 0;
	size_t s = a, e;
	while (s > 0 && d->vis[a] - d->vis[s - 1] <= before)
		s--;
	e = s;
	while (e < n && d->vis[e + 1] - d->vis[s] <= W)
		e++;
	if (e < b)
		e = b;
	if (e == n)
		while (s > 0 && d->vis[n] - d->vis[s - 1] <= W)
			s--;

	if (s > 0) {
		size_t lo = s > CUT_BACK ? s - CUT_BACK : 0;
		size_t hi = s + CUT_FORWARD < a ? s + CUT_FORWARD : a;
		s = best_cut(d, s, lo, hi > lo ? hi : lo);
		if (s > a)
			s = a;
	}
	if (e < n) {
		size_t lo = e > CUT_FORWARD ? e - CUT_FORWARD : 0;
		size_t hi = e + CUT_BACK < n ? e + CUT_BACK : n;
		if (lo < b)
			lo = b;
		if (hi < lo)
			hi = lo;
		e = best_cut(d, e, lo, hi);
	}
	while (s < a && s < n && is_blank(d->cp[s]))
		s++;
	while (e > b && e > s && is_blank(d->cp[e - 1]))
		e--;
	*ws = s;
	*we = e;
}

/* Hard-wrapped CJK text joins across line breaks, but a short line before
 * a blank line is a heading or a caption: keep a space after it.  i is
 * the first blank character after the line. */
static bool ends_short_line(const decoded *d, size_t i)
{
	size_t k = i, breaks = 0, len = 0;
	while (k < d->n && is_blank(d->cp[k]))
		breaks += d->cp[k++] == '\n';
	if (breaks < 2 || cjk_is_sentence_end(d->cp[i - 1]) || d->cp[i - 1] == 0xff0c || d->cp[i - 1] == 0x3001)
		return false;
	for (k = i; k > 0 && d->cp[k - 1] != '\n'; k--)
		len++;
	return len <= SHORT_LINE;
}

/* Does a match span the characters [i, k)?  Then they break a word. */
static bool inside_match(const size_t *cs, const size_t *ce, size_t nm, size_t i, size_t k)
{
	for (size_t j = 0; j < nm; j++)
		if (cs[j] < i && ce[j] > k)
			return true;
	return false;
}

static int cmp_range(const void *a, const void *b)
{
	const ws_range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

void ws_snippet_free(ws_snippet *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->hl);
	memset(s, 0, sizeof *s);
}

/* The excerpt of text around its matches, or (whole) all of it. */
static bool make(const char *text, size_t len, const ws_match *m, size_t nm, bool whole, ws_snippet *out)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* … */
	decoded d = {0};
	size_t *cs = NULL, *ce = NULL, *map = NULL;
	strbuf sb = STRBUF_INIT;
	bool ok = false;

	memset(out, 0, sizeof *out);
	if (!decode(text, len, &d))
		goto out;
	cs = malloc((nm + 1) * sizeof *cs);
	ce = malloc((nm + 1) * sizeof *ce);
	if (!cs || !ce)
		goto out;
	for (size_t i = 0; i < nm; i++) {
		cs[i] = char_at(&d, m[i].start);
		ce[i] = char_at(&d, m[i].end);
	}

	size_t ws = 0, we = d.n;
	if (!whole)
		choose_window(&d, cs, ce, nm, &ws, &we, m);
	map = malloc((we - ws + 1) * sizeof *map);
	if (!map || !strbuf_reserve(&sb, d.off[we] - d.off[ws] + 8))
		goto out;

	bool lead = ws > 0 && !sentence_end_before(&d, ws);
	bool trail = we < d.n && !sentence_end_before(&d, we);
	if (lead && !strbuf_appends(&sb, ellipsis))
		goto out;
	size_t body = sb.len;
	for (size_t i = ws; i < we;) {
		uint32_t c = d.cp[i];
		map[i - ws] = sb.len;
		if (is_blank(c)) {
			size_t k = i;
			bool nl = false;
			while (k < we && is_blank(d.cp[k])) {
				nl |= is_break(d.cp[k]);
				map[k - ws] = sb.len;
				k++;
			}
			bool join = nl && i > 0 && k < d.n && ws_is_wide(d.cp[i - 1]) && ws_is_wide(d.cp[k]) &&
			            (inside_match(cs, ce, nm, i, k) || !ends_short_line(&d, i));
			if (!join && sb.len > body && k < we && !strbuf_appendc(&sb, ' '))
				goto out;
			i = k;
			continue;
		}
		/* Markdown heading markers ("## ") at a line start are markup,
		 * not text. */
		if (c == '#' && (i == 0 || is_break(d.cp[i - 1]))) {
			size_t k = i;
			while (k < we && d.cp[k] == '#')
				k++;
			if (k - i <= 6 && k < we && d.cp[k] == ' ') {
				while (k < we && d.cp[k] == ' ')
					k++;
				for (size_t x = i; x < k; x++)
					map[x - ws] = sb.len;
				i = k;
				continue;
			}
		}
		if (!ws_is_unsafe(c)) {
			char buf[4];
			if (!strbuf_append(&sb, buf, ws_utf8_encode(c, buf)))
				goto out;
		}
		i++;
	}
	map[we - ws] = sb.len;
	if (trail && !strbuf_appends(&sb, ellipsis))
		goto out;

	out->hl = malloc((nm + 1) * sizeof *out->hl);
	if (!out->hl)
		goto out;
	for (size_t i = 0; i < nm; i++) {
		if (ce[i] <= ws || cs[i] >= we)
			continue;
		size_t s = map[(cs[i] > ws ? cs[i] : ws) - ws];
		size_t e = map[(ce[i] < we ? ce[i] : we) - ws];
		while (s < e && sb.data[s] == ' ')
			s++;
		while (e > s && sb.data[e - 1] == ' ')
			e--;
		if (s < e)
			out->hl[out->nhl++] = (ws_range){s, e};
	}
	if (out->nhl > 1) {
		qsort(out->hl, out->nhl, sizeof *out->hl, cmp_range);
		size_t w = 1;
		for (size_t i = 1; i < out->nhl; i++) {
			if (out->hl[i].start <= out->hl[w - 1].end) {
				if (out->hl[i].end > out->hl[w - 1].end)
					out->hl[w - 1].end = out->hl[i].end;
			} else {
				out->hl[w++] = out->hl[i];
			}
		}
		out->nhl = w;
	}
	out->len = sb.len;
	out->text = sb.data ? strbuf_detach(&sb) : strdup("");
	ok = out->text != NULL;
out:
	if (!ok) {
		strbuf_free(&sb);
		ws_snippet_free(out);
	}
	decoded_free(&d);
	free(cs);
	free(ce);
	free(map);
	return ok;
}

bool ws_snippet_make(const char *text, size_t len, const ws_match *m, size_t nm, ws_snippet *out)
{
	return make(text, len, m, nm, false, out);
}

bool ws_snippet_make_whole(const char *text, size_t len, const ws_match *m, size_t nm, ws_snippet *out)
{
	return make(text, len, m, nm, true, out);
}

bool ws_snippet_make_passage(const char *text, size_t len, size_t head, const ws_match *m, size_t nm,
                             ws_snippet *out)
{
	if (!head || head >= len)
		return ws_snippet_make(text, len, m, nm, out);
	size_t body = head;
	while (body < len && (text[body] == '\n' || text[body] == '\r' || text[body] == ' ' || text[body] == '\t'))
		body++;
	size_t in_body = 0;
	for (size_t i = 0; i < nm; i++)
		in_body += m[i].start >= body;
	if (in_body || !nm) {
		/* the heading is the hit's section already: the text after it */
		ws_match *v = malloc((in_body ? in_body : 1) * sizeof *v);
		if (!v)
			return false;
		size_t k = 0;
		for (size_t i = 0; i < nm; i++) {
			if (m[i].start < body)
				continue;
			v[k] = m[i];
			v[k].start -= body;
			v[k].end -= body;
			k++;
		}
		bool ok = ws_snippet_make(text + body, len - body, v, k, out);
		free(v);
		return ok;
	}
	/* only the heading matches: it leads, set apart from the text after
	 * it by a space where a line break between Chinese characters would
	 * join them */
	char *copy = malloc(len);
	if (!copy)
		return false;
	memcpy(copy, text, len);
	for (size_t i = head; i < body; i++)
		if (copy[i] == '\n' || copy[i] == '\r')
			copy[i] = ' ';
	bool ok = ws_snippet_make(copy, len, m, nm, out);
	free(copy);
	return ok;
}
