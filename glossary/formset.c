/* formset.c - the glossary's forms as index terms (formset.h). */
#include "formset.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "schema.h"
#include "strbuf.h"
#include "text.h"

typedef struct fs_form {
	char *text;          /* folded, UTF-8; owned; a Latin form's words
	                        are separated by one space */
	size_t len;
	uint32_t chars[WS_FORM_MAX_CHARS]; /* a Han form's characters */
	size_t nchars;       /* 0 for a Latin form */
	uint16_t word[WS_FORM_MAX_WORDS + 1]; /* a Latin form's words: word i
	                        is text[word[i] .. word[i + 1] - 1) */
	size_t nwords;
	size_t next;         /* the next form of the same key in its table, + 1 */
} fs_form;

struct ws_formset {
	fs_form *forms;      /* in byte order of text */
	size_t n;
	/* open addressing by a Han form's last two characters, and by a
	 * Latin form's last word: the first form of the key, + 1 */
	size_t *slots, *wslots;
	size_t nslots;
};

static uint64_t pair_key(uint32_t a, uint32_t b)
{
	return (uint64_t)a << 32 | b;
}

static size_t pair_hash(uint64_t k, size_t nslots)
{
	return (size_t)((k * 0x9E3779B97F4A7C15u) >> 20) & (nslots - 1);
}

/* Reading a form's text as a passage's is read. */
typedef struct fs_reading {
	uint32_t chars[WS_FORM_MAX_CHARS];
	size_t n, runs;
	bool too_long;
} fs_reading;

static void read_char(void *ud, uint32_t c)
{
	fs_reading *r = ud;
	if (!c) {
		r->runs++;
		return;
	}
	if (r->n == WS_FORM_MAX_CHARS)
		r->too_long = true;
	else
		r->chars[r->n++] = c;
}

static int cmp_form(const void *x, const void *y)
{
	const fs_form *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->text, b->text, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* form text as one run of Han characters, folded, or false (*f untouched)
 * when it is anything else: Latin, several runs, a run and more. */
static bool han_form(cjk_analyzer *a, const char *text, fs_form *f)
{
	size_t len = strlen(text), visible = 0;
	for (size_t i = 0; i < len;) {
		uint32_t c = ws_utf8_next(text, len, &i);
		visible += !ws_is_space(c);
	}
	fs_reading r = {0};
	cjk_text_han_chars(a, text, len, read_char, &r);
	if (r.runs != 1 || r.too_long || r.n < WS_FORM_MIN_CHARS || r.n != visible)
		return false;
	memcpy(f->chars, r.chars, r.n * sizeof *r.chars);
	f->nchars = r.n;
	return true;
}

static const char *form_word(const fs_form *f, size_t i, size_t *n)
{
	*n = (size_t)(f->word[i + 1] - f->word[i] - 1);
	return f->text + f->word[i];
}

/* The slot of fs->slots whose chain is the Han forms ending in the two
 * characters of key, or the empty slot it would take. */
static size_t han_slot(const ws_formset *fs, uint64_t key)
{
	size_t h = pair_hash(key, fs->nslots);
	for (;; h = (h + 1) & (fs->nslots - 1)) {
		size_t k = fs->slots[h];
		if (!k)
			return h;
		const fs_form *f = &fs->forms[k - 1];
		if (pair_key(f->chars[f->nchars - 2], f->chars[f->nchars - 1]) == key)
			return h;
	}
}

/* The slot of fs->wslots whose chain is the Latin forms ending in the
 * word w[0..n), or the empty slot it would take. */
static size_t word_slot(const ws_formset *fs, const char *w, size_t n)
{
	size_t h = pair_hash(XXH3_64bits(w, n), fs->nslots);
	for (;; h = (h + 1) & (fs->nslots - 1)) {
		size_t k = fs->wslots[h], on;
		if (!k)
			return h;
		const fs_form *f = &fs->forms[k - 1];
		const char *ow = form_word(f, f->nwords - 1, &on);
		if (on == n && !memcmp(ow, w, n))
			return h;
	}
}

/* Form k into the chain of slot *slot (its head stays in the slot). */
static void chain(ws_formset *fs, size_t *slot, size_t k)
{
	if (!*slot) {
		*slot = k + 1;
		return;
	}
	fs->forms[k].next = fs->forms[*slot - 1].next;
	fs->forms[*slot - 1].next = k + 1;
}

/* form text as words a search finds as a phrase (WORD and NUMBER terms at
 * consecutive positions, two or more, no Han), joined by spaces into
 * *sb; false (*sb empty) when it is anything else. */
static bool latin_form(cjk_analyzer *a, const char *text, fs_form *f, strbuf *sb)
{
	cjk_term t;
	int r;
	uint32_t next_pos = 0;
	f->nwords = 0;
	sb->len = 0;
	cjk_analyzer_reset_without_words(a, text, strlen(text), 1);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (t.kind == CJK_TERM_STEM)
			continue;
		if ((t.kind != CJK_TERM_WORD && t.kind != CJK_TERM_NUMBER) || f->nwords == WS_FORM_MAX_WORDS ||
		    (f->nwords && t.pos != next_pos) || t.len > WS_TERM_MAX_BYTES)
			goto no;
		if (f->nwords && !strbuf_appendc(sb, ' '))
			goto no;
		f->word[f->nwords++] = (uint16_t)sb->len;
		if (!strbuf_append(sb, t.text, t.len))
			goto no;
		next_pos = t.pos + 1;
	}
	if (r < 0 || f->nwords < 2 || sb->len + 2 + strlen(WS_PREFIX_FORM) > WS_TERM_MAX_BYTES)
		goto no;
	f->word[f->nwords] = (uint16_t)(sb->len + 1);
	return true;
no:
	sb->len = 0;
	f->nwords = 0;
	return false;
}

bool ws_formset_new(const ws_glossary *g, cjk_analyzer *a, ws_formset **out)
{
	ws_formset *fs = calloc(1, sizeof *fs);
	size_t total = ws_glossary_nforms(g);
	*out = NULL;
	if (!fs || !(fs->forms = calloc(total ? total : 1, sizeof *fs->forms)))
		goto oom;
	for (size_t k = 0; k < total; k++) {
		fs_form *f = &fs->forms[fs->n];
		strbuf sb = STRBUF_INIT;
		if (han_form(a, ws_glossary_form(g, k), f)) {
			for (size_t i = 0; i < f->nchars; i++) {
				char u[4];
				if (!strbuf_append(&sb, u, ws_utf8_encode(f->chars[i], u))) {
					strbuf_free(&sb);
					goto oom;
				}
			}
		} else if (!latin_form(a, ws_glossary_form(g, k), f, &sb)) {
			strbuf_free(&sb);
			continue;
		}
		f->len = sb.len;
		f->text = strbuf_detach(&sb);
		if (!f->text)
			goto oom;
		fs->n++;
	}
	qsort(fs->forms, fs->n, sizeof *fs->forms, cmp_form);
	/* a form two lines spell alike (繁體 and simplified) once */
	size_t w = 0;
	for (size_t k = 0; k < fs->n; k++) {
		if (w && !cmp_form(&fs->forms[w - 1], &fs->forms[k])) {
			free(fs->forms[k].text);
			continue;
		}
		fs->forms[w++] = fs->forms[k];
	}
	fs->n = w;
	fs->nslots = 64;
	while (fs->nslots < fs->n * 2 + 2)
		fs->nslots *= 2;
	if (!(fs->slots = calloc(fs->nslots, sizeof *fs->slots)) || !(fs->wslots = calloc(fs->nslots, sizeof *fs->wslots)))
		goto oom;
	for (size_t k = 0; k < fs->n; k++) {
		const fs_form *f = &fs->forms[k];
		size_t wn;
		const char *last = f->nwords ? form_word(f, f->nwords - 1, &wn) : NULL;
		if (last)
			chain(fs, &fs->wslots[word_slot(fs, last, wn)], k);
		else
			chain(fs, &fs->slots[han_slot(fs, pair_key(f->chars[f->nchars - 2], f->chars[f->nchars - 1]))], k);
	}
	*out = fs;
	return true;
oom:
	ws_formset_free(fs);
	return false;
}

void ws_formset_free(ws_formset *fs)
{
	if (!fs)
		return;
	for (size_t k = 0; fs->forms && k < fs->n; k++)
		free(fs->forms[k].text);
	free(fs->forms);
	free(fs->slots);
	free(fs->wslots);
	free(fs);
}

size_t ws_formset_size(const ws_formset *fs)
{
	return fs ? fs->n : 0;
}

const char *ws_formset_form(const ws_formset *fs, size_t k, size_t *len)
{
	*len = fs->forms[k].len;
	return fs->forms[k].text;
}

/* The scan's state: the last characters of the current run, in a ring. */
typedef struct fs_scan {
	const ws_formset *fs;
	uint32_t ring[WS_FORM_MAX_CHARS];
	size_t m; /* characters of the run read so far */
	ws_form_found_fn *fn;
	void *ud;
} fs_scan;

static void scan_char(void *ud, uint32_t c)
{
	fs_scan *s = ud;
	if (!c) {
		s->m = 0;
		return;
	}
	s->ring[s->m % WS_FORM_MAX_CHARS] = c;
	s->m++;
	if (s->m < WS_FORM_MIN_CHARS)
		return;
	const ws_formset *fs = s->fs;
	uint32_t prev = s->ring[(s->m - 2) % WS_FORM_MAX_CHARS];
	for (size_t k = fs->slots[han_slot(fs, pair_key(prev, c))]; k; k = fs->forms[k - 1].next) {
		const fs_form *f = &fs->forms[k - 1];
		if (f->nchars > s->m)
			continue;
		size_t i = 0;
		while (i + 2 < f->nchars &&
		       f->chars[f->nchars - 3 - i] == s->ring[(s->m - 3 - i) % WS_FORM_MAX_CHARS])
			i++;
		if (i + 2 == f->nchars)
			s->fn(s->ud, k - 1);
	}
}

void ws_formset_scan(const ws_formset *fs, cjk_analyzer *a, const char *text, size_t len, ws_form_found_fn *fn,
                     void *ud)
{
	if (!fs || !fs->n)
		return;
	fs_scan s = {.fs = fs, .fn = fn, .ud = ud};
	cjk_text_han_chars(a, text, len, scan_char, &s);
}

void ws_form_words_reset(ws_form_words *w)
{
	w->n = 0;
}

void ws_formset_word(const ws_formset *fs, ws_form_words *w, const char *word, size_t len, uint32_t pos,
                     ws_form_found_fn *fn, void *ud)
{
	if (!fs || !fs->n || len > WS_TERM_MAX_BYTES)
		return;
	size_t at = w->n % WS_FORM_MAX_WORDS;
	memcpy(w->word[at], word, len);
	w->len[at] = len;
	w->pos[at] = pos;
	w->n++;
	if (w->n < 2)
		return;
	for (size_t k = fs->wslots[word_slot(fs, word, len)]; k; k = fs->forms[k - 1].next) {
		const fs_form *f = &fs->forms[k - 1];
		if (f->nwords > w->n)
			continue;
		size_t i = 1;
		for (; i < f->nwords; i++) {
			size_t r = (w->n - 1 - i) % WS_FORM_MAX_WORDS, n;
			const char *fw = form_word(f, f->nwords - 1 - i, &n);
			if (w->pos[r] != pos - i || w->len[r] != n || memcmp(w->word[r], fw, n))
				break;
		}
		if (i == f->nwords)
			fn(ud, k - 1);
	}
}

static bool has_form(const ws_formset *fs, const char *t, size_t n)
{
	size_t lo = 0, hi = fs->n;
	fs_form key = {.text = (char *)t, .len = n};
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_form(&fs->forms[mid], &key);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Line t[0..n) onto a list (a newline before the first, after each). */
static bool list_line(strbuf *sb, const char *t, size_t n)
{
	return (sb->len || strbuf_appendc(sb, '\n')) && strbuf_append(sb, t, n) && strbuf_appendc(sb, '\n');
}

char *ws_formset_list(const ws_formset *fs, const char *list)
{
	strbuf sb = STRBUF_INIT;
	bool ok = true;
	if (!list) {
		for (size_t k = 0; ok && k < ws_formset_size(fs); k++)
			ok = list_line(&sb, fs->forms[k].text, fs->forms[k].len);
	} else {
		/* the list's order is byte order already */
		for (const char *s = list; ok && *s;) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n && fs && has_form(fs, s, n))
				ok = list_line(&sb, s, n);
			s += n + (e ? 1 : 0);
		}
	}
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	return sb.data ? strbuf_detach(&sb) : strdup("");
}

bool ws_forms_list_has(const char *list, size_t len, const char *form, size_t n)
{
	if (!list || !n || len < n + 2)
		return false;
	for (const char *p = list; (p = memmem(p, len - (size_t)(p - list), form, n)); p++) {
		size_t at = (size_t)(p - list);
		if (at > 0 && list[at - 1] == '\n' && at + n < len && list[at + n] == '\n')
			return true;
		if (at + n >= len)
			break;
	}
	return false;
}
