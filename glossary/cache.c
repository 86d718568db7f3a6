/*
 * cache.c - a loaded glossary kept between processes.
 *
 * Reading the shipped glossary's 1,700 forms costs a one-shot search
 * about 0.9 ms in a fresh process, a tenth of a whole search, for work
 * that gives the same result every time: so the result is kept in
 * $XDG_CACHE_HOME/wensou (else ~/.cache/wensou), one file per list of
 * glossary paths, and used while every file holds the bytes it held then
 * and the analyzer folds the forms' first characters as it did.  It is written to a
 * temporary file and renamed, so a reader sees a whole one or none;
 * anything wrong with it (short, damaged, another version) and it is
 * read from the files again and rewritten.  Nothing fails for want of
 * a cache.
 *
 * The file, in this machine's byte order:
 *   header   magic, identity of the files, form and concept counts, slots
 *   forms    per form: weak key, text offset, concept, next of the same
 *            weak key, first character as read
 *   by_weak  the weak-key slots
 *   stem_at  the offsets of the stems' entries (stems.c)
 *   texts    the forms' texts, each NUL-terminated
 *   stems    the stems' entries, "word\0stem\0" each
 *   check    XXH3 of everything before it
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "glossary_private.h"
#include "strbuf.h"

#define CACHE_MAGIC 0x32534f4c47535700ull /* "\0WSGLOS2" */
#define CACHE_MAX_BYTES (64u << 20)

typedef struct cache_header {
	uint64_t magic;
	uint64_t ident;
	uint32_t n, nconcepts, nweak, text_bytes;
	uint32_t nstems, stem_bytes;
} cache_header;

typedef struct cache_form {
	uint64_t weak;
	uint32_t text, concept, next_weak, first;
} cache_form;

/* The cache file of paths[0..n): a new malloc'd path, NULL if there are
 * no paths, no cache folder (no $XDG_CACHE_HOME or $HOME) or no memory. */
static char *cache_path(const char *const *paths, size_t n, bool make_dir)
{
	if (!n)
		return NULL; /* no glossary: nothing to keep */
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? ws_strdupf("%s/wensou", xdg) : home && *home ? ws_strdupf("%s/.cache/wensou", home) : NULL;
	if (!dir)
		return NULL;
	if (make_dir) {
		/* $XDG_CACHE_HOME and what leads to it are made as the XDG spec
		 * asks (0700); $HOME is never made, only its .cache.  Without
		 * the folder every search read the glossary's files again, a
		 * one-shot search at 100 MB twice as slow. */
		size_t keep = xdg && *xdg ? 1 : strlen(home) + 1;
		for (char *s = dir + keep; *s; s++) {
			if (*s != '/')
				continue;
			*s = '\0';
			mkdir(dir, 0700);
			*s = '/';
		}
		mkdir(dir, 0700);
	}
	XXH3_state_t *st = XXH3_createState();
	char *p = NULL;
	if (st && XXH3_64bits_reset(st) == XXH_OK) {
		for (size_t i = 0; i < n; i++)
			XXH3_64bits_update(st, paths[i], strlen(paths[i]) + 1);
		p = ws_strdupf("%s/glossary-%016llx.bin", dir, (unsigned long long)XXH3_64bits_digest(st));
	}
	XXH3_freeState(st);
	free(dir);
	return p;
}

/* What the files paths[0..n) hold now: their names and bytes, hashed (a
 * read and a hash of the shipped glossary cost a few microseconds; a
 * file's times could not tell two writes in one clock tick apart). */
uint64_t ws_glossary_cache_ident(const char *const *paths, size_t n)
{
	XXH3_state_t *st = XXH3_createState();
	uint64_t h = 0;
	if (!st || XXH3_64bits_reset(st) != XXH_OK) {
		XXH3_freeState(st);
		return 0;
	}
	char buf[16384];
	for (size_t i = 0; i < n; i++) {
		XXH3_64bits_update(st, paths[i], strlen(paths[i]) + 1);
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		int64_t mark[2] = {fd < 0 ? errno : 0, 0};
		for (ssize_t r; fd >= 0 && (r = read(fd, buf, sizeof buf)) != 0;) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				mark[1] = errno;
				break;
			}
			XXH3_64bits_update(st, buf, (size_t)r);
			mark[1] += r;
		}
		if (fd >= 0)
			close(fd);
		XXH3_64bits_update(st, mark, sizeof mark);
	}
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h ? h : 1;
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat sb;
	char *buf = NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 && sb.st_size <= CACHE_MAX_BYTES &&
	    (buf = malloc((size_t)sb.st_size))) {
		size_t got = 0;
		while (got < (size_t)sb.st_size) {
			ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != (size_t)sb.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = got;
	}
	close(fd);
	return buf;
}

/* Is e[0..size) one entry of the stems, "word\0stem\0", neither empty? */
static bool stem_entry_ok(const char *e, size_t size)
{
	const char *nul = size ? memchr(e, '\0', size) : NULL;
	if (!nul || nul == e)
		return false;
	size_t rest = size - (size_t)(nul - e) - 1; /* the stem and its NUL */
	return rest >= 2 && memchr(nul + 1, '\0', rest) == e + size - 1;
}

bool ws_glossary_cache_load(const char *const *paths, size_t n, uint64_t ident, cjk_analyzer *a, ws_glossary **out)
{
	*out = NULL;
	char *path = cache_path(paths, n, false);
	size_t len = 0;
	char *buf = path ? read_file(path, &len) : NULL;
	free(path);
	if (!buf)
		return false;
	cache_header h;
	ws_glossary *g = NULL;
	if (len < sizeof h + sizeof(uint64_t))
		goto bad;
	memcpy(&h, buf, sizeof h);
	size_t forms_at = sizeof h, weak_at = forms_at + (size_t)h.n * sizeof(cache_form);
	size_t stem_at = weak_at + (size_t)h.nweak * sizeof(uint32_t);
	size_t text_at = stem_at + (size_t)h.nstems * sizeof(uint32_t), stems_at = text_at + h.text_bytes;
	size_t check_at = stems_at + h.stem_bytes;
	uint64_t check;
	if (h.magic != CACHE_MAGIC || h.ident != ident || h.nweak < 64 || (h.nweak & (h.nweak - 1)) ||
	    h.nweak < (size_t)h.n * 2 + 2 || check_at + sizeof check != len || (h.text_bytes && buf[text_at + h.text_bytes - 1]) ||
	    (h.stem_bytes && buf[check_at - 1]) || !h.nstems != !h.stem_bytes)
		goto bad;
	memcpy(&check, buf + check_at, sizeof check);
	if (check != XXH3_64bits(buf, check_at))
		goto bad;
	g = calloc(1, sizeof *g);
	if (!g || !(g->forms = calloc(h.n ? h.n : 1, sizeof *g->forms)) || !(g->by_weak = malloc(h.nweak * sizeof *g->by_weak)) ||
	    !(g->arenas = malloc(sizeof *g->arenas)) || (h.nstems && !(g->stem_at = malloc(h.nstems * sizeof *g->stem_at))))
		goto bad;
	for (size_t i = 0; i < h.nstems; i++) {
		uint32_t at;
		memcpy(&at, buf + stem_at + i * sizeof at, sizeof at);
		if (at >= h.stem_bytes || (i && at <= g->stem_at[i - 1]))
			goto bad;
		g->stem_at[i] = at;
	}
	/* the words in byte order, as ws_glossary_stem's search reads them */
	for (size_t i = 0; i < h.nstems; i++) {
		size_t end = i + 1 < h.nstems ? g->stem_at[i + 1] : h.stem_bytes;
		const char *e = buf + stems_at + g->stem_at[i];
		if (!stem_entry_ok(e, end - g->stem_at[i]) || (i && strcmp(buf + stems_at + g->stem_at[i - 1], e) >= 0))
			goto bad;
	}
	g->nstems = h.nstems;
	g->stem_bytes = h.stem_bytes;
	g->stems = buf + stems_at;
	g->n = g->cap = h.n;
	g->nconcepts = h.nconcepts;
	g->nweak = h.nweak;
	for (size_t i = 0; i < h.n; i++) {
		cache_form cf;
		memcpy(&cf, buf + forms_at + i * sizeof cf, sizeof cf);
		if (cf.text >= h.text_bytes || cf.concept >= h.nconcepts || cf.next_weak > h.n)
			goto bad;
		/* the weak key holds the first character folded: as the
		 * analyzer of this search folds it? */
		if (cjk_is_han(cf.first) && (cf.weak & 0xFFFFFFu) != cjk_fold_char(a, cf.first))
			goto bad;
		g->forms[i] = (form){buf + text_at + cf.text, NULL, NULL, cf.weak, cf.first, cf.concept, cf.next_weak};
	}
	for (size_t i = 0; i < h.nweak; i++) {
		uint32_t k;
		memcpy(&k, buf + weak_at + i * sizeof k, sizeof k);
		if (k > h.n)
			goto bad;
		g->by_weak[i] = k;
	}
	g->arenas[0] = buf;
	g->narenas = 1;
	*out = g;
	return true;
bad:
	ws_glossary_free(g); /* buf is not yet its arena */
	free(buf);
	return false;
}

void ws_glossary_cache_store(const ws_glossary *g, const char *const *paths, size_t n, uint64_t ident)
{
	if (g->n > UINT32_MAX / 4 || g->nweak > UINT32_MAX)
		return;
	char *path = cache_path(paths, n, true);
	if (!path)
		return;
	strbuf sb = STRBUF_INIT, texts = STRBUF_INIT;
	cache_header h = {CACHE_MAGIC, ident, (uint32_t)g->n, g->nconcepts, (uint32_t)g->nweak, 0, (uint32_t)g->nstems,
	                  (uint32_t)g->stem_bytes};
	bool ok = strbuf_append(&sb, (const char *)&h, sizeof h);
	for (size_t i = 0; ok && i < g->n; i++) {
		const form *f = &g->forms[i];
		cache_form cf = {f->weak, (uint32_t)texts.len, f->concept, (uint32_t)f->next_weak, f->first};
		ok = strbuf_append(&sb, (const char *)&cf, sizeof cf) && strbuf_append(&texts, f->text, strlen(f->text) + 1) &&
		     texts.len < UINT32_MAX;
	}
	for (size_t i = 0; ok && i < g->nweak; i++) {
		uint32_t k = (uint32_t)g->by_weak[i];
		ok = strbuf_append(&sb, (const char *)&k, sizeof k);
	}
	for (size_t i = 0; ok && i < g->nstems; i++)
		ok = strbuf_append(&sb, (const char *)&g->stem_at[i], sizeof g->stem_at[i]);
	if (ok) {
		h.text_bytes = (uint32_t)texts.len;
		memcpy(sb.data, &h, sizeof h);
		ok = strbuf_append(&sb, texts.data ? texts.data : "", texts.len) &&
		     (!g->nstems || strbuf_append(&sb, g->stems, g->stem_bytes));
	}
	uint64_t check = ok ? XXH3_64bits(sb.data, sb.len) : 0;
	ok = ok && strbuf_append(&sb, (const char *)&check, sizeof check);
	char *tmp = ok ? ws_strdupf("%s.%ld.tmp", path, (long)getpid()) : NULL;
	int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (fd >= 0) {
		size_t put = 0;
		while (put < sb.len) {
			ssize_t w = write(fd, sb.data + put, sb.len - put);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			put += (size_t)w;
		}
		if (close(fd) != 0 || put != sb.len || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(tmp);
	free(path);
	strbuf_free(&sb);
	strbuf_free(&texts);
}
