/*
 * normalize.c - NFKC case folding and Traditional -> Simplified folding.
 *
 * Han characters are folded one code point at a time through a cache
 * (cjk_fold_cp): ICU's transliterator costs about half a microsecond a
 * call, so each distinct code point is transliterated once per analyzer.
 * Latin and other words go through ICU's NFKC_Casefold normaliser, with
 * an ASCII fast path that lower-cases directly.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "cjk_private.h"
#include "dynlib.h"
#include "sonames.h"

#define CJK_FOLD_BMP_SIZE (CJK_FOLD_BMP_HI - CJK_FOLD_BMP_LO + 1u)

bool cjk_fold_init(cjk_fold_cache *fc)
{
	memset(fc, 0, sizeof *fc);
	fc->bmp = calloc(CJK_FOLD_BMP_SIZE, sizeof *fc->bmp);
	return fc->bmp != NULL;
}

void cjk_fold_free(cjk_fold_cache *fc)
{
	free(fc->bmp);
	free(fc->hash_keys);
	free(fc->hash_vals);
	memset(fc, 0, sizeof *fc);
}

/* The transliterator is libicui18n's, which a searcher needs only for an
 * index without a folding table (cjk_options.fold_table): it is loaded on
 * first need (dynlib.h), by ICU's versioned names (utrans_openU_72), which
 * its headers' renaming macros spell. */
#define CJK_STR(x) #x
#define CJK_NAME(x) CJK_STR(x)
enum { T2S_OPEN, T2S_TRANS, T2S_CLOSE };
static const char *const i18n_names[] = {CJK_NAME(utrans_openU), CJK_NAME(utrans_transUChars), CJK_NAME(utrans_close),
                                         NULL};
static ws_dynlib i18n_lib = WS_DYNLIB_INIT(WS_SONAME_ICU_I18N, i18n_names);

typedef __typeof__(utrans_openU) t2s_open_fn;

/* Open the Traditional -> Simplified transliterator on first need (it
 * costs ~25 ms, which a searcher with a Latin-only query never pays). */
static bool cjk_t2s_open(cjk_analyzer *a)
{
	if (a->t2s)
		return true;
	const char *why = NULL;
	void *const *syms = ws_dynlib_syms(&i18n_lib, &why);
	if (!syms) {
		cjk_analyzer_fail(a, why, 0);
		return false;
	}
	t2s_open_fn *open_fn;
	/* dlsym gives object pointers: memcpy is ISO C's way to functions */
	memcpy(&open_fn, &syms[T2S_OPEN], sizeof open_fn);
	memcpy(&a->t2s_api.trans_uchars, &syms[T2S_TRANS], sizeof a->t2s_api.trans_uchars);
	memcpy(&a->t2s_api.close, &syms[T2S_CLOSE], sizeof a->t2s_api.close);
	UErrorCode st = U_ZERO_ERROR;
	a->t2s = open_fn(u"Traditional-Simplified", -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st)) {
		a->t2s = NULL;
		cjk_analyzer_fail(a, "utrans_openU(Traditional-Simplified)", st);
		return false;
	}
	return true;
}

/* The single code point in u[0..n), or -1 if it holds zero or several. */
static int32_t cjk_single_cp(const UChar *u, int32_t n)
{
	if (n == 1 && !U16_IS_SURROGATE(u[0]))
		return u[0];
	if (n == 2 && U16_IS_LEAD(u[0]) && U16_IS_TRAIL(u[1]))
		return (int32_t)U16_GET_SUPPLEMENTARY(u[0], u[1]);
	return -1;
}

/* Compute the folding of c without the cache into *res.  False on an
 * ICU failure (analyzer marked failed, *res = c). */
static bool cjk_fold_compute(cjk_analyzer *a, uint32_t c, uint32_t *res)
{
	UChar src[2], dst[16];
	int32_t n = 0;
	*res = c;
	UErrorCode st = U_ZERO_ERROR;
	U16_APPEND_UNSAFE(src, n, c);
	if (!cjk_nfkc(a))
		return false;
	int32_t m = unorm2_normalize(a->nfkc_cf, src, n, dst, 16, &st);
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "unorm2_normalize", st);
		return false;
	}
	int32_t r = cjk_single_cp(dst, m);
	uint32_t out = r >= 0 ? (uint32_t)r : c;
	*res = out;
	if (!a->opts.fold_traditional || !cjk_is_han(out))
		return true;
	if (!cjk_t2s_open(a))
		return false;
	n = 0;
	U16_APPEND_UNSAFE(dst, n, out);
	int32_t limit = n;
	st = U_ZERO_ERROR;
	a->t2s_api.trans_uchars(a->t2s, dst, &n, 16, 0, &limit, &st);
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "utrans_transUChars", st);
		return false;
	}
	r = cjk_single_cp(dst, n);
	if (r >= 0)
		*res = (uint32_t)r;
	return true;
}

static uint32_t cjk_fold_hash(uint32_t c)
{
	return c * 2654435761u;
}

/* Insert into the open-addressing table of supplementary code points. */
static bool cjk_fold_hash_put(cjk_fold_cache *fc, uint32_t c, uint32_t v)
{
	if ((fc->hash_used + 1) * 2 > fc->hash_cap) {
		size_t cap = fc->hash_cap ? fc->hash_cap * 2 : 256;
		uint32_t *keys = calloc(cap, sizeof *keys);
		uint32_t *vals = calloc(cap, sizeof *vals);
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return false;
		}
		for (size_t i = 0; i < fc->hash_cap; i++) {
			if (!fc->hash_keys[i])
				continue;
			size_t j = cjk_fold_hash(fc->hash_keys[i]) & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = fc->hash_keys[i];
			vals[j] = fc->hash_vals[i];
		}
		free(fc->hash_keys);
		free(fc->hash_vals);
		fc->hash_keys = keys;
		fc->hash_vals = vals;
		fc->hash_cap = cap;
	}
	size_t j = cjk_fold_hash(c) & (fc->hash_cap - 1);
	while (fc->hash_keys[j] && fc->hash_keys[j] != c)
		j = (j + 1) & (fc->hash_cap - 1);
	if (!fc->hash_keys[j])
		fc->hash_used++;
	fc->hash_keys[j] = c;
	fc->hash_vals[j] = v;
	return true;
}

/* Folded code point of c (see cjk_private.h). */
uint32_t cjk_fold_cp(cjk_analyzer *a, uint32_t c)
{
	cjk_fold_cache *fc = &a->fold;
	if (c >= CJK_FOLD_BMP_LO && c <= CJK_FOLD_BMP_HI) {
		uint32_t v = fc->bmp[c - CJK_FOLD_BMP_LO];
		if (v)
			return v - 1;
		if (fc->complete)
			return c;
		if (cjk_fold_compute(a, c, &v))
			fc->bmp[c - CJK_FOLD_BMP_LO] = v + 1;
		return v;
	}
	if (fc->hash_cap) {
		size_t j = cjk_fold_hash(c) & (fc->hash_cap - 1);
		while (fc->hash_keys[j]) {
			if (fc->hash_keys[j] == c)
				return fc->hash_vals[j];
			j = (j + 1) & (fc->hash_cap - 1);
		}
	}
	if (fc->complete)
		return c;
	uint32_t v;
	if (cjk_fold_compute(a, c, &v))
		(void)cjk_fold_hash_put(fc, c, v); /* no room: just not cached */
	return v;
}

/* Append code point c to sb as UTF-8. */
static bool cjk_put_utf8(char **buf, size_t *len, size_t *cap, uint32_t c)
{
	if (*len + 4 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 16384;
		char *p = realloc(*buf, ncap);
		if (!p)
			return false;
		*buf = p;
		*cap = ncap;
	}
	U8_APPEND_UNSAFE(*buf, *len, c);
	return true;
}

char *cjk_fold_table_export(cjk_analyzer *a, size_t *len)
{
	static const uint32_t ranges[][2] = {
		{CJK_FOLD_BMP_LO, CJK_FOLD_BMP_HI},
		{0x20000u, 0x323AFu},
	};
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
		for (uint32_t c = ranges[r][0]; c <= ranges[r][1]; c++) {
			if (!cjk_fold_applies(a, c))
				continue;
			uint32_t v = cjk_fold_cp(a, c);
			if (a->failed) {
				free(buf);
				return NULL;
			}
			if (v != c && (!cjk_put_utf8(&buf, &n, &cap, c) || !cjk_put_utf8(&buf, &n, &cap, v))) {
				free(buf);
				cjk_analyzer_fail(a, "out of memory", 0);
				return NULL;
			}
		}
	}
	if (!cjk_put_utf8(&buf, &n, &cap, 0)) {
		free(buf);
		cjk_analyzer_fail(a, "out of memory", 0);
		return NULL;
	}
	*len = n - 1;
	return buf;
}

bool cjk_fold_load(cjk_fold_cache *fc, const char *table, size_t len)
{
	const unsigned char *s = (const unsigned char *)table;
	size_t i = 0;
	while (i < len) {
		size_t used;
		uint32_t from = cjk_utf8_get(s + i, len - i, &used);
		i += used;
		if (i >= len)
			return false;
		uint32_t to = cjk_utf8_get(s + i, len - i, &used);
		i += used;
		if (from == 0xFFFDu || to == 0xFFFDu)
			return false;
		if (from >= CJK_FOLD_BMP_LO && from <= CJK_FOLD_BMP_HI)
			fc->bmp[from - CJK_FOLD_BMP_LO] = to + 1;
		else if (!cjk_fold_hash_put(fc, from, to))
			return false;
	}
	fc->complete = true;
	return true;
}

/* Make sure a->scratch16 holds at least n units. */
static bool cjk_scratch16_reserve(cjk_analyzer *a, size_t n)
{
	if (n <= a->scratch16_cap)
		return true;
	size_t cap = a->scratch16_cap ? a->scratch16_cap : 256;
	while (cap < n)
		cap *= 2;
	UChar *p = realloc(a->scratch16, cap * sizeof *p);
	if (!p)
		return false;
	a->scratch16 = p;
	a->scratch16_cap = cap;
	return true;
}

static bool cjk_scratch8_reserve(cjk_analyzer *a, size_t n)
{
	if (n <= a->scratch8_cap)
		return true;
	size_t cap = a->scratch8_cap ? a->scratch8_cap : 256;
	while (cap < n)
		cap *= 2;
	char *p = realloc(a->scratch8, cap);
	if (!p)
		return false;
	a->scratch8 = p;
	a->scratch8_cap = cap;
	return true;
}

/* NFKC-casefold u16[0..n) into a->scratch8 as UTF-8, NUL-terminated.
 * U+2019 RIGHT SINGLE QUOTATION MARK becomes an ASCII apostrophe, as
 * Xapian's term generator does, so "people’s" and "people's" agree.
 * Returns the length in bytes, or -1 on failure (message set). */
long cjk_fold_word(cjk_analyzer *a, const UChar *u16, size_t n)
{
	size_t i;
	for (i = 0; i < n && u16[i] < 0x80u; i++)
		;
	if (i == n) {                   /* ASCII fast path */
		if (!cjk_scratch8_reserve(a, n + 1)) {
			cjk_analyzer_fail(a, "out of memory", 0);
			return -1;
		}
		for (i = 0; i < n; i++) {
			UChar c = u16[i];
			a->scratch8[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		a->scratch8[n] = '\0';
		return (long)n;
	}
	/* NFKC casefold can expand; retry once with the size ICU asks for. */
	UErrorCode st = U_ZERO_ERROR;
	int32_t m = 0;
	if (!cjk_nfkc(a))
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t want = attempt == 0 ? n * 3 + 16 : (size_t)m + 1;
		if (want > INT32_MAX || !cjk_scratch16_reserve(a, want)) {
			cjk_analyzer_fail(a, "out of memory", 0);
			return -1;
		}
		st = U_ZERO_ERROR;
		m = unorm2_normalize(a->nfkc_cf, u16, (int32_t)n, a->scratch16,
				     (int32_t)a->scratch16_cap, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
	}
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "unorm2_normalize", st);
		return -1;
	}
	for (int32_t k = 0; k < m; k++)
		if (a->scratch16[k] == 0x2019u)
			a->scratch16[k] = '\'';
	if (!cjk_scratch8_reserve(a, (size_t)m * 3 + 1)) {
		cjk_analyzer_fail(a, "out of memory", 0);
		return -1;
	}
	int32_t len = 0;
	st = U_ZERO_ERROR;
	u_strToUTF8WithSub(a->scratch8, (int32_t)a->scratch8_cap, &len,
			   a->scratch16, m, 0xFFFD, NULL, &st);
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "u_strToUTF8WithSub", st);
		return -1;
	}
	return len;
}

/* text[0..len) folded without ICU's normaliser, when it holds only ASCII
 * and Han characters and the index's folding table is complete: the
 * table folds a Han character as NFKC and Traditional -> Simplified do,
 * ASCII only lower-cases, and neither composes with its neighbours.  So a
 * Chinese query's glossary look-up never opens the normaliser.  NULL
 * when the text needs it (or memory ran out: the full path says which). */
static char *cjk_normalize_simple(cjk_analyzer *a, const char *text, size_t len)
{
	if (!a->fold.complete)
		return NULL;
	const unsigned char *s = (const unsigned char *)text;
	char *out = malloc(len * 2 + 1);
	size_t o = 0;
	for (size_t i = 0; out && i < len;) {
		size_t used;
		uint32_t c = cjk_utf8_get(s + i, len - i, &used);
		if (c < 0x80u) {
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		} else if (cjk_is_han(c) && cjk_fold_applies(a, c)) {
			o += cjk_utf8_put(out + o, cjk_fold_cp(a, c));
		} else {
			free(out);
			return NULL;
		}
		i += used;
	}
	if (out)
		out[o] = '\0';
	return out;
}

/* cjk_normalize: NFKC casefold of the whole string, then the Han folding
 * of cjk_fold_cp on each code point, exactly what terms get. */
char *cjk_normalize(cjk_analyzer *a, const char *text, size_t len)
{
	if (!a || (!text && len))
		return NULL;
	if (len > INT32_MAX / 4)
		return NULL;
	char *simple = len ? cjk_normalize_simple(a, text, len) : NULL;
	if (simple)
		return simple;
	UChar *u = malloc((len + 1) * sizeof *u);
	if (!u)
		return NULL;
	char *out = NULL;
	/* A failure here must not poison the analyzer's own state. */
	bool failed_before = a->failed;
	a->failed = false;
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8WithSub(u, (int32_t)len + 1, &n, text ? text : "", (int32_t)len,
			     0xFFFD, NULL, &st);
	if (U_FAILURE(st)) {
		cjk_analyzer_fail(a, "u_strFromUTF8WithSub", st);
		goto out;
	}
	long m = cjk_fold_word(a, u, (size_t)n);
	if (m < 0)
		goto out;
	/* Fold Han code points in the UTF-8 result (same length or not:
	 * rebuild into a new buffer). */
	out = malloc((size_t)m * 2 + 1);
	if (!out)
		goto out;
	const unsigned char *s = (const unsigned char *)a->scratch8;
	size_t o = 0;
	for (size_t i = 0; i < (size_t)m;) {
		size_t used;
		uint32_t c = cjk_utf8_get(s + i, (size_t)m - i, &used);
		if (cjk_fold_applies(a, c))
			c = cjk_fold_cp(a, c);
		o += cjk_utf8_put(out + o, c);
		i += used;
	}
	out[o] = '\0';
	if (a->failed) {
		free(out);
		out = NULL;
	}
out:
	free(u);
	a->failed = failed_before;
	return out;
}

uint32_t cjk_fold_char(cjk_analyzer *a, uint32_t c)
{
	return cjk_fold_applies(a, c) ? cjk_fold_cp(a, c) : c;
}
