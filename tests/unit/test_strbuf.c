/*
 * test_strbuf.c - unit tests of the growable string buffer (common/strbuf.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "array.h"
#include "strbuf.h"

static void test_empty(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	/* Nothing appended yet: still a valid empty C string. */
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	char *p = strbuf_detach(&sb);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	strbuf_free(&sb);
}

static void test_append(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_true(strbuf_append(&sb, "abc", 3));
	assert_true(strbuf_appends(&sb, "de"));
	assert_true(strbuf_appendc(&sb, 'f'));
	assert_true(strbuf_append(&sb, "ignored", 0));
	assert_string_equal(strbuf_str(&sb), "abcdef");
	assert_int_equal(sb.len, 6);
	/* Embedded NUL bytes are kept and counted. */
	assert_true(strbuf_append(&sb, "g\0h", 3));
	assert_int_equal(sb.len, 9);
	assert_memory_equal(sb.data, "abcdefg\0h", 10);
	strbuf_free(&sb);
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
}

static void test_appendf(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_true(strbuf_appendf(&sb, "%s=%d", "year", 2024));
	assert_true(strbuf_appendf(&sb, "; %s", "数字鸿沟"));
	assert_string_equal(strbuf_str(&sb), "year=2024; 数字鸿沟");
	assert_int_equal(sb.len, strlen("year=2024; 数字鸿沟"));
	strbuf_free(&sb);
}

static void test_growth(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		assert_true(strbuf_appendf(&sb, "%03d,", i));
	assert_int_equal(sb.len, 4000);
	assert_true(sb.cap > sb.len);
	assert_memory_equal(sb.data, "000,001,", 8);
	assert_memory_equal(sb.data + 3996, "999,", 5); /* with the NUL */
	strbuf_free(&sb);
}

static void test_reset_keeps_memory(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_true(strbuf_appends(&sb, "some text"));
	char *before = sb.data;
	size_t cap = sb.cap;
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	assert_ptr_equal(sb.data, before);
	assert_int_equal(sb.cap, cap);
	assert_true(strbuf_appends(&sb, "new"));
	assert_string_equal(strbuf_str(&sb), "new");
	strbuf_free(&sb);
}

static void test_detach(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_true(strbuf_appends(&sb, "owned by caller"));
	char *p = strbuf_detach(&sb);
	assert_string_equal(p, "owned by caller");
	/* sb is back to empty and independent of p. */
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_string_equal(strbuf_str(&sb), "");
	assert_true(strbuf_appends(&sb, "x"));
	assert_string_equal(p, "owned by caller");
	free(p);
	strbuf_free(&sb);
}

/* common/array.h: room for one more, doubling, items kept across growth. */
static void test_array_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 1000; i++) {
		int *p = ws_array_grow(v, n, &cap, sizeof *v, 4);
		assert_non_null(p);
		v = p;
		assert_true(n < cap);
		v[n++] = i;
	}
	assert_int_equal(cap, 1024);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	/* with room left, the same array comes back */
	size_t before = cap;
	assert_ptr_equal(ws_array_grow(v, 10, &cap, sizeof *v, 4), v);
	assert_int_equal(cap, before);
	/* a size that cannot be allocated fails and changes nothing */
	size_t huge = (size_t)-1 / 2;
	assert_null(ws_array_grow(v, huge, &huge, 16, 4));
	assert_int_equal(huge, (size_t)-1 / 2);
	free(v);
}

static void test_strdupf(void **state)
{
	(void)state;
	char *s = ws_strdupf("%s-%d", "gen", 3);
	assert_string_equal(s, "gen-3");
	free(s);
	s = ws_strdupf("%s", "");
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_appendf),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_reset_keeps_memory),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_array_grow),
		cmocka_unit_test(test_strdupf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
