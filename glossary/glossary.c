/* glossary.c - load a glossary and look its forms up (see glossary.h;
 * the file format is doc/glossary.md's). */
#include "glossary.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "array.h"
#include "glossary_private.h"
#include "selfpath.h"
#include "strbuf.h"
#include "text.h"

#ifndef WENSOU_DATADIR
#define WENSOU_DATADIR "/usr/local/share/wensou"
#endif

static uint64_t hash_key(const char *s)
{
	return XXH3_64bits(s, strlen(s));
}

static bool is_ascii_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return n > 0;
}

/* The key of text[0..len): normalised as the index normalises text, white
 * space collapsed, English words stemmed. */
static char *make_key(ws_glossary *g, cjk_analyzer *a, const char *text, size_t len)
{
	char *norm = cjk_normalize(a, text, len);
	if (!norm)
		return NULL;
	strbuf sb = STRBUF_INIT;
	bool ok = true;
	for (char *p = norm; *p && ok;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		char *e = p;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
		size_t n = (size_t)(e - p);
		if (sb.len)
			ok = strbuf_appendc(&sb, ' ');
		/* a word of a form has its stem kept (stems.c); the stemmer
		 * only for another English word: most searches make none */
		bool english = ok && is_ascii_word(p, n);
		size_t slen = 0;
		const char *st = english ? ws_glossary_stem(g, p, n, &slen) : NULL;
		if (english && !st && !g->stemmer && !g->no_stemmer) {
			const char *why = NULL;
			g->no_stemmer = !(g->stemmer = cjk_stemmer_new(&why));
		}
		if (english && !st && g->stemmer)
			st = cjk_stemmer_stem(g->stemmer, p, n, &slen);
		if (english) {
			ok = st ? strbuf_append(&sb, st, slen) : strbuf_append(&sb, p, n);
		} else if (ok) {
			ok = strbuf_append(&sb, p, n);
		}
		p = e;
	}
	free(norm);
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	return sb.data ? strbuf_detach(&sb) : strdup("");
}

/* The form written plain (lower case, white space collapsed), if any. */
static const form *lookup_plain(const ws_glossary *g, const char *plain)
{
	if (!g->nslots)
		return NULL;
	for (size_t h = hash_key(plain) & (g->nslots - 1);; h = (h + 1) & (g->nslots - 1)) {
		size_t k = g->slots[h];
		if (!k)
			return NULL;
		if (!strcmp(g->forms[k - 1].plain, plain))
			return &g->forms[k - 1];
	}
}

/* ws_utf8_next, with the code points of ASCII and of three bytes (Han)
 * decoded inline: the weak keys of every form are made at each load. */
static inline uint32_t next_cp(const char *t, size_t len, size_t *i)
{
	const unsigned char *u = (const unsigned char *)t + *i;
	if (u[0] < 0x80) {
		(*i)++;
		return u[0];
	}
	if ((u[0] & 0xF0) == 0xE0 && *i + 2 < len && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		uint32_t c = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
		if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
			*i += 3;
			return c;
		}
	}
	return ws_utf8_next(t, len, i);
}

static bool is_blank(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0;
}

/* t[0..len) lower case, white space collapsed, into out (len + 1 bytes
 * at most): how two lines name the same form.  Returns the bytes written
 * before the NUL. */
static size_t plain_text(const char *t, size_t len, char *out)
{
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < len; i++) {
		char c = t[i];
		if (c == ' ' || c == '\t') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	out[o] = '\0';
	return o;
}

/* What every spelling of a text that normalises alike shares: its first
 * character as normalised (full-width Latin as ASCII, lower case, Han
 * folded), its number of words and, when it has no Latin letter (which
 * stemming shortens), its number of characters. */
static uint64_t weak_key(cjk_analyzer *a, const char *t, size_t len, uint32_t *raw)
{
	uint64_t first = 0, words = 0, chars = 0;
	*raw = 0;
	bool latin = false, in_word = false;
	for (size_t i = 0; i < len;) {
		uint32_t c = next_cp(t, len, &i);
		if (is_blank(c)) {
			in_word = false;
			continue;
		}
		if (c >= 0xFF01 && c <= 0xFF5E)
			c -= 0xFEE0;
		if (c >= 'A' && c <= 'Z')
			c += 32;
		latin |= c >= 'a' && c <= 'z';
		if (!first) {
			*raw = c;
			first = cjk_is_han(c) ? cjk_fold_char(a, c) : c;
		}
		words += !in_word;
		in_word = true;
		chars++;
	}
	return first | (words & 0xFF) << 24 | (latin ? 0 : chars & 0xFFFFFF) << 32;
}

/* Slots for at least want forms, the forms there are moved in. */
static bool rehash(ws_glossary *g, size_t want)
{
	size_t n = 64;
	while (n < want * 2 + 2)
		n *= 2;
	size_t *s = calloc(n, sizeof *s);
	if (!s)
		return false;
	free(g->slots);
	g->slots = s;
	g->nslots = n;
	for (size_t i = 0; i < g->n; i++) {
		size_t h = hash_key(g->forms[i].plain) & (n - 1);
		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = i + 1;
	}
	return true;
}

/* The slot of by_weak holding weak's chain, or the empty one it would take. */
static size_t weak_slot(const ws_glossary *g, uint64_t weak)
{
	size_t h = (size_t)((weak * 0x9E3779B97F4A7C15u) >> 17) & (g->nweak - 1);
	while (g->by_weak[h] && g->forms[g->by_weak[h] - 1].weak != weak)
		h = (h + 1) & (g->nweak - 1);
	return h;
}

static bool add_form(ws_glossary *g, char *text, char *plain, uint64_t weak, uint32_t first, unsigned concept)
{
	form *f = ws_array_grow(g->forms, g->n, &g->cap, sizeof *f, 256);
	if (!f)
		return false;
	g->forms = f;
	g->forms[g->n++] = (form){text, plain, NULL, weak, first, concept, 0};
	if (g->n * 2 + 2 > g->nslots)
		return rehash(g, g->n);
	size_t h = hash_key(plain) & (g->nslots - 1);
	while (g->slots[h])
		h = (h + 1) & (g->nslots - 1);
	g->slots[h] = g->n;
	return true;
}

/* One line of a glossary file: "form | form | ...".  A line naming a form
 * another line already has adds its forms to that concept.  The forms'
 * texts and plain texts are written at *arena, which has room for twice
 * the line and a NUL per form and text. */
static bool load_line(ws_glossary *g, cjk_analyzer *a, const char *line, size_t len, const char *path,
                      unsigned lineno, char **arena, char **err)
{
	char *texts[64], *keys[64]; /* keys: the plain texts */
	uint64_t weak[64];
	uint32_t first[64];
	size_t n = 0;
	const char *s = line, *end = line + len;
	char *w = *arena;
	while (s <= end) {
		const char *bar = memchr(s, '|', (size_t)(end - s));
		const char *e = bar ? bar : end;
		if (n == 64)
			return ws_fail(err, "%s:%u: more than 64 forms in one concept", path, lineno);
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		size_t tl = (size_t)(e - s);
		if (!tl)
			return ws_fail(err, "%s:%u: an empty form (forms are separated by \" | \")", path, lineno);
		texts[n] = w;
		memcpy(w, s, tl);
		w[tl] = '\0';
		w += tl + 1;
		keys[n] = w;
		w += plain_text(s, tl, w) + 1;
		weak[n] = weak_key(a, s, tl, &first[n]);
		n++;
		if (!bar)
			break;
		s = bar + 1;
	}
	if (n < 2)
		return ws_fail(err, "%s:%u: a concept needs two forms or more, separated by \" | \" (as in: 数字经济 | digital economy)",
		               path, lineno);
	unsigned concept = g->nconcepts;
	bool known[64];
	for (size_t i = 0; i < n; i++) {
		const form *f = lookup_plain(g, keys[i]);
		known[i] = f != NULL;
		if (f && concept == g->nconcepts)
			concept = f->concept;
	}
	if (concept == g->nconcepts)
		g->nconcepts++;
	for (size_t i = 0; i < n; i++) {
		bool repeat = known[i];
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = !strcmp(keys[j], keys[i]);
		if (repeat)
			continue; /* a form the concept has (or one line's repeat) */
		if (!add_form(g, texts[i], keys[i], weak[i], first[i], concept))
			return ws_fail(err, "out of memory");
	}
	*arena = w;
	return true;
}

/* The whole of the file at path into *buf (NUL-terminated), its length in
 * *len; *buf NULL if there is no such file. */
static bool read_whole(const char *path, char **buf, size_t *len, char **err)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return true;
		return ws_fail(err, "cannot read the glossary %s: %s", path, strerror(errno));
	}
	strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t got;
	bool ok = true;
	while (ok && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		ok = strbuf_append(&sb, chunk, got);
	if (!ok) {
		fclose(f);
		strbuf_free(&sb);
		return ws_fail(err, "out of memory");
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		strbuf_free(&sb);
		return ws_fail(err, "cannot read the glossary %s: %s", path, strerror(e));
	}
	fclose(f);
	*len = sb.len;
	*buf = sb.data ? strbuf_detach(&sb) : strdup("");
	return *buf || ws_fail(err, "out of memory");
}

/* The offset of the first byte at or after from of text[0..len) that is
 * a NUL or not valid UTF-8, len if none. */
static size_t first_bad(const char *text, size_t len, size_t from)
{
	if (from >= len)
		return len;
	size_t bad = len - from;
	const char *nul = memchr(text + from, '\0', len - from);
	if (!ws_utf8_valid(text + from, len - from, &bad))
		bad = bad < len - from ? bad : len - from;
	if (nul && (size_t)(nul - text - from) < bad)
		bad = (size_t)(nul - text - from);
	return from + bad;
}

static bool load_file(ws_glossary *g, cjk_analyzer *a, const char *path, char **err)
{
	char *text;
	size_t len;
	if (!read_whole(path, &text, &len, err))
		return false;
	if (!text)
		return true;
	/* Room for every form: each line's forms once as written, once plain,
	 * with their NULs, never more than twice the file and a NUL a byte. */
	char **v = realloc(g->arenas, (g->narenas + 1) * sizeof *v);
	char *arena = v ? malloc(len * 4 + 16) : NULL;
	if (v)
		g->arenas = v;
	if (!arena) {
		free(text);
		return ws_fail(err, "out of memory");
	}
	g->arenas[g->narenas++] = arena;
	size_t forms = 1;
	for (const char *p = text; (p = memchr(p, '|', len - (size_t)(p - text))); p++)
		forms++;
	bool ok = g->n + forms <= g->nslots / 2 || rehash(g, g->n + forms);
	if (!ok)
		ws_fail(err, "out of memory");
	/* The file's bytes are checked in one pass, not form by form: the
	 * line of the first bad one fails when its turn comes (a comment may
	 * hold anything). */
	size_t bad = first_bad(text, len, 0);
	unsigned lineno = 0;
	for (size_t at = 0; ok && at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t next = nl ? (size_t)(nl - text) + 1 : len;
		const char *line = text + at;
		size_t n = (nl ? (size_t)(nl - text) : len) - at;
		lineno++;
		bool bad_here = bad >= at && bad < next;
		at = next;
		while (n && line[n - 1] == '\r')
			n--;
		size_t s = 0;
		while (s < n && (line[s] == ' ' || line[s] == '\t'))
			s++;
		if (lineno == 1 && n - s >= 3 && !memcmp(line + s, "\xEF\xBB\xBF", 3))
			s += 3;
		if (s == n || line[s] == '#') {
			if (bad_here)
				bad = first_bad(text, len, next);
			continue;
		}
		if (bad_here) {
			ok = ws_fail(err, "%s:%u: not valid UTF-8", path, lineno);
			break;
		}
		ok = load_line(g, a, line + s, n - s, path, lineno, &arena, err);
	}
	free(text);
	return ok;
}

bool ws_glossary_load(const char *const *paths, size_t n, cjk_analyzer *a, ws_glossary **out, char **err)
{
	/* the files are read once for their identity, and again only when
	 * the cache is not theirs */
	uint64_t ident = ws_glossary_cache_ident(paths, n);
	if (ws_glossary_cache_load(paths, n, ident, a, out))
		return true;
	ws_glossary *g = calloc(1, sizeof *g);
	*out = NULL;
	if (!g)
		return ws_fail(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!load_file(g, a, paths[i], err)) {
			ws_glossary_free(g);
			return false;
		}
	}
	g->nweak = 64;
	while (g->nweak < g->n * 2 + 2)
		g->nweak *= 2;
	g->by_weak = calloc(g->nweak, sizeof *g->by_weak);
	if (!g->by_weak) {
		ws_glossary_free(g);
		return ws_fail(err, "out of memory");
	}
	size_t *last = calloc(g->nweak, sizeof *last); /* each chain's end, by slot */
	if (!last) {
		ws_glossary_free(g);
		return ws_fail(err, "out of memory");
	}
	for (size_t i = 0; i < g->n; i++) {
		size_t h = weak_slot(g, g->forms[i].weak);
		if (!g->by_weak[h])
			g->by_weak[h] = i + 1;
		else
			g->forms[last[h] - 1].next_weak = i + 1;
		last[h] = i + 1;
	}
	free(last);
	if (!ws_glossary_make_stems(g, a)) {
		ws_glossary_free(g);
		return ws_fail(err, "out of memory");
	}
	ws_glossary_cache_store(g, paths, n, ident);
	*out = g;
	return true;
}

void ws_glossary_free(ws_glossary *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->forms[i].key);
	for (size_t i = 0; i < g->narenas; i++)
		free(g->arenas[i]);
	free(g->arenas);
	free(g->forms);
	free(g->slots);
	free(g->by_weak);
	cjk_stemmer_free(g->stemmer);
	free(g->stem_at);
	free(g->stems_own);
	free(g);
}

size_t ws_glossary_size(const ws_glossary *g)
{
	return g ? g->nconcepts : 0;
}

static bool push_path(char ***v, size_t *n, char *p)
{
	if (!p)
		return false;
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv) {
		free(p);
		return false;
	}
	*v = nv;
	nv[(*n)++] = p;
	return true;
}

/* The shipped glossary: in a build tree beside the program
 * (BUILD/glossary, copied there by meson), else where it is installed. */
static char *shipped(void)
{
	static const char *const beside[] = {"/../glossary/digital-governance.txt"};
	char *p = ws_beside_program(beside, 1, R_OK);
	return p ? p : strdup(WENSOU_DATADIR "/glossary/digital-governance.txt");
}

bool ws_glossary_paths(const char *const *dbs, size_t ndbs, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *env = getenv("WENSOU_GLOSSARY");
	if (env) {
		for (const char *s = env; *s;) {
			const char *e = strchr(s, ':');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (len && !push_path(out, n, strndup(s, len)))
				return false;
			s += len + (e ? 1 : 0);
		}
		return true;
	}
	if (!push_path(out, n, shipped()))
		return false;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user = xdg && *xdg ? ws_strdupf("%s/wensou/glossary.txt", xdg)
	           : home && *home ? ws_strdupf("%s/.config/wensou/glossary.txt", home) : NULL;
	if (user && !push_path(out, n, user))
		return false;
	for (size_t i = 0; i < ndbs; i++)
		if (!push_path(out, n, ws_strdupf("%s/glossary.txt", dbs[i])))
			return false;
	return true;
}

/* The form that text[0..len) spells, in *f (NULL if none): among the
 * forms of its weak key, the one whose key is text's.  False when out of
 * memory.  Keys are made (and kept) on the way: g is const to callers. */
static bool find(ws_glossary *g, cjk_analyzer *a, const char *text, size_t len, const form **f)
{
	*f = NULL;
	if (!g || !g->n)
		return true;
	uint32_t raw;
	uint64_t w = weak_key(a, text, len, &raw);
	size_t first = g->by_weak[weak_slot(g, w)];
	if (!first)
		return true;
	char *key = make_key(g, a, text, len);
	if (!key)
		return false;
	for (size_t k = first; k && !*f; k = g->forms[k - 1].next_weak) {
		form *c = &g->forms[k - 1];
		if (!c->key && !(c->key = make_key(g, a, c->text, strlen(c->text)))) {
			free(key);
			return false;
		}
		if (*key && !strcmp(c->key, key))
			*f = c;
	}
	free(key);
	return true;
}

bool ws_glossary_find(const ws_glossary *g, cjk_analyzer *a, const char *text, size_t len, size_t *form_index,
                      bool *found)
{
	const form *f = NULL;
	*found = false;
	if (!find((ws_glossary *)g, a, text, len, &f))
		return false;
	if (f) {
		*form_index = (size_t)(f - g->forms);
		*found = true;
	}
	return true;
}

size_t ws_glossary_nforms(const ws_glossary *g)
{
	return g ? g->n : 0;
}

const char *ws_glossary_form(const ws_glossary *g, size_t k)
{
	return g->forms[k].text;
}

unsigned ws_glossary_concept(const ws_glossary *g, size_t k)
{
	return g->forms[k].concept;
}

bool ws_glossary_open(const char *const *dbs, size_t ndbs, cjk_analyzer *a, ws_glossary **out, char **err)
{
	char **paths = NULL;
	size_t n = 0;
	bool ok = ws_glossary_paths(dbs, ndbs, &paths, &n) ? ws_glossary_load((const char *const *)paths, n, a, out, err)
	                                                   : ws_fail(err, "out of memory");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return ok;
}

bool ws_glossary_forms(const ws_glossary *g, cjk_analyzer *a, const char *text, char ***forms, size_t *n)
{
	*forms = NULL;
	*n = 0;
	const form *f = NULL;
	if (!g || !g->n)
		return true;
	if (!find((ws_glossary *)g, a, text, strlen(text), &f))
		return false;
	for (size_t k = 0; f && k < g->n; k++) {
		if (g->forms[k].concept != f->concept)
			continue;
		char **v = realloc(*forms, (*n + 1) * sizeof *v);
		if (!v || !(v[*n] = strdup(g->forms[k].text))) {
			if (v)
				*forms = v;
			return false;
		}
		*forms = v;
		(*n)++;
	}
	return true;
}
