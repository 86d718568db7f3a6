/* stem.c - English stems through libstemmer, loaded on first need
 * (cjk.h: cjk_stemmer; dynlib.h). */
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "cjk.h"
#include "dynlib.h"
#include "sonames.h"

typedef __typeof__(sb_stemmer_new) stemmer_new_fn;
typedef __typeof__(sb_stemmer_stem) stemmer_stem_fn;
typedef __typeof__(sb_stemmer_length) stemmer_length_fn;
typedef __typeof__(sb_stemmer_delete) stemmer_delete_fn;

enum { SYM_NEW, SYM_STEM, SYM_LENGTH, SYM_DELETE };
static const char *const stemmer_names[] = {"sb_stemmer_new", "sb_stemmer_stem", "sb_stemmer_length",
                                            "sb_stemmer_delete", NULL};
static ws_dynlib stemmer_lib = WS_DYNLIB_INIT(WS_SONAME_STEMMER, stemmer_names);

struct cjk_stemmer {
	struct sb_stemmer *sb;
	stemmer_stem_fn *stem;
	stemmer_length_fn *length;
	stemmer_delete_fn *destroy;
};

cjk_stemmer *cjk_stemmer_new(const char **err)
{
	void *const *syms = ws_dynlib_syms(&stemmer_lib, err);
	if (!syms)
		return NULL;
	cjk_stemmer *st = calloc(1, sizeof *st);
	stemmer_new_fn *make;
	if (!st) {
		*err = "out of memory";
		return NULL;
	}
	/* dlsym gives an object pointer; memcpy is ISO C's way to a
	 * function pointer */
	memcpy(&make, &syms[SYM_NEW], sizeof make);
	memcpy(&st->stem, &syms[SYM_STEM], sizeof st->stem);
	memcpy(&st->length, &syms[SYM_LENGTH], sizeof st->length);
	memcpy(&st->destroy, &syms[SYM_DELETE], sizeof st->destroy);
	st->sb = make("english", NULL);
	if (!st->sb) {
		/* libstemmer's only failure for a known algorithm */
		*err = "out of memory";
		free(st);
		return NULL;
	}
	return st;
}

void cjk_stemmer_free(cjk_stemmer *st)
{
	if (!st)
		return;
	st->destroy(st->sb);
	free(st);
}

const char *cjk_stemmer_stem(cjk_stemmer *st, const char *word, size_t len, size_t *stem_len)
{
	const sb_symbol *s = st->stem(st->sb, (const sb_symbol *)word, (int)len);
	*stem_len = s ? (size_t)st->length(st->sb) : 0;
	return (const char *)s;
}
