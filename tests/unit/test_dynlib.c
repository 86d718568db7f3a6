/*
 * test_dynlib.c - unit tests of libraries loaded on first need
 * (common/dynlib.h), and of the stemmer the analyzer loads that way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cjk.h"
#include "dynlib.h"
#include "sonames.h"

static const char *const no_names[] = {NULL};
static const char *const stemmer_names[] = {"sb_stemmer_list", NULL};
static const char *const wrong_names[] = {"sb_stemmer_list", "no_such_function_in_libstemmer", NULL};

static void test_missing_library_says_which(void **state)
{
	(void)state;
	static ws_dynlib lib = WS_DYNLIB_INIT("libwensou-absent.so.9", no_names);
	const char *err = NULL;
	assert_null(ws_dynlib_syms(&lib, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "cannot load libwensou-absent.so.9"));
	assert_false(ws_dynlib_loaded(&lib));
	/* tried again, and refused again with its message */
	const char *again = NULL;
	assert_null(ws_dynlib_syms(&lib, &again));
	assert_non_null(strstr(again, "cannot load libwensou-absent.so.9"));
}

static void test_missing_symbol_says_which(void **state)
{
	(void)state;
	static ws_dynlib lib = WS_DYNLIB_INIT(WS_SONAME_STEMMER, wrong_names);
	const char *err = NULL;
	assert_null(ws_dynlib_syms(&lib, &err));
	assert_non_null(strstr(err, "no_such_function_in_libstemmer"));
	assert_non_null(strstr(err, WS_SONAME_STEMMER));
	assert_false(ws_dynlib_loaded(&lib));
}

typedef const char **list_fn(void);

static void test_symbols_are_the_library_s(void **state)
{
	(void)state;
	static ws_dynlib lib = WS_DYNLIB_INIT(WS_SONAME_STEMMER, stemmer_names);
	assert_false(ws_dynlib_loaded(&lib));
	const char *err = NULL;
	void *const *syms = ws_dynlib_syms(&lib, &err);
	assert_non_null(syms);
	assert_true(ws_dynlib_loaded(&lib));
	list_fn *list;
	memcpy(&list, &syms[0], sizeof list);
	bool english = false;
	for (const char **p = list(); *p; p++)
		english = english || !strcmp(*p, "english");
	assert_true(english);
}

static void test_stemmer_stems(void **state)
{
	(void)state;
	const char *err = NULL;
	cjk_stemmer *st = cjk_stemmer_new(&err);
	assert_non_null(st);
	size_t n = 0;
	const char *s = cjk_stemmer_stem(st, "governance", 10, &n);
	assert_non_null(s);
	assert_int_equal(n, 6);
	assert_memory_equal(s, "govern", 6);
	s = cjk_stemmer_stem(st, "flows", 5, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "flow", 4);
	cjk_stemmer_free(st);
	cjk_stemmer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library_says_which),
		cmocka_unit_test(test_missing_symbol_says_which),
		cmocka_unit_test(test_symbols_are_the_library_s),
		cmocka_unit_test(test_stemmer_stems),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
