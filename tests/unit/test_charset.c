/*
 * test_charset.c - unit tests of encoding detection and conversion
 * (indexer/charset.h).  The fixtures are one known text in each encoding;
 * what comes back must be that text in UTF-8, with the same lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "charset.h"

/* The texts in UTF-8. */
static const char ZH[] = "数字鸿沟正在从接入差距转向使用差距。\n各国应当加强数字基础设施建设，提升公众的数字素养。\n推动数据安全与跨境数据流动规则的互操作性。\n";
static const char TW[] = "數位落差正在從接入差距轉向使用差距。\n各國應當加強數位基礎設施建設，提升公眾的數位素養。\n";
/* ZH in GB18030, TW in Big5 (made with Python's codecs). */
static const char GB[] =
	"\xCA\xFD\xD7\xD6\xBA\xE8\xB9\xB5\xD5\xFD\xD4\xDA\xB4\xD3\xBD\xD3\xC8\xEB\xB2\xEE\xBE\xE0\xD7\xAA\xCF\xF2\xCA\xB9\xD3\xC3\xB2\xEE\xBE\xE0\xA1\xA3\x0A\xB8\xF7\xB9\xFA\xD3\xA6\xB5\xB1\xBC\xD3\xC7\xBF\xCA\xFD\xD7\xD6\xBB\xF9\xB4\xA1\xC9\xE8\xCA\xA9\xBD\xA8\xC9"
	"\xE8\xA3\xAC\xCC\xE1\xC9\xFD\xB9\xAB\xD6\xDA\xB5\xC4\xCA\xFD\xD7\xD6\xCB\xD8\xD1\xF8\xA1\xA3\x0A\xCD\xC6\xB6\xAF\xCA\xFD\xBE\xDD\xB0\xB2\xC8\xAB\xD3\xEB\xBF\xE7\xBE\xB3\xCA\xFD\xBE\xDD\xC1\xF7\xB6\xAF\xB9\xE6\xD4\xF2\xB5\xC4\xBB\xA5\xB2\xD9\xD7\xF7\xD0\xD4"
	"\xA1\xA3\x0A";
static const char BIG5[] =
	"\xBC\xC6\xA6\xEC\xB8\xA8\xAE\x74\xA5\xBF\xA6\x62\xB1\x71\xB1\xB5\xA4\x4A\xAE\x74\xB6\x5A\xC2\xE0\xA6\x56\xA8\xCF\xA5\xCE\xAE\x74\xB6\x5A\xA1\x43\x0A\xA6\x55\xB0\xEA\xC0\xB3\xB7\xED\xA5\x5B\xB1\x6A\xBC\xC6\xA6\xEC\xB0\xF2\xC2\xA6\xB3\x5D\xAC\x49\xAB\xD8\xB3"
	"\x5D\xA1\x41\xB4\xA3\xA4\xC9\xA4\xBD\xB2\xB3\xAA\xBA\xBC\xC6\xA6\xEC\xAF\xC0\xBE\x69\xA1\x43\x0A";

/* s in UTF-16 (ASCII and BMP only), malloc'd, 2 * strlen(s) bytes or
 * fewer in *len. */
static char *utf16(const char *s, int be, int bom, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(2 * n + 2), *o = out;
	if (bom) {
		*o++ = be ? 0xFE : 0xFF;
		*o++ = be ? 0xFF : 0xFE;
	}
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned u;
		if (c < 0x80) {
			u = c;
			i += 1;
		} else if (c < 0xE0) {
			u = (c & 0x1Fu) << 6 | ((unsigned char)s[i + 1] & 0x3Fu);
			i += 2;
		} else {
			u = (c & 0x0Fu) << 12 | ((unsigned char)s[i + 1] & 0x3Fu) << 6 | ((unsigned char)s[i + 2] & 0x3Fu);
			i += 3;
		}
		*o++ = (unsigned char)(be ? u >> 8 : u & 0xFF);
		*o++ = (unsigned char)(be ? u & 0xFF : u >> 8);
	}
	*len = (size_t)(o - out);
	return (char *)out;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

static void assert_decoded(const char *data, size_t len, const char *pin, const char *want, const char *enc,
                           const char *how)
{
	ws_decoded d;
	const char *why = NULL;
	assert_int_equal(ws_charset_decode(data, len, pin, &d, &why), WS_CHARSET_OK);
	assert_string_equal(d.encoding, enc);
	assert_string_equal(d.how, how);
	assert_non_null(d.text);
	assert_int_equal(d.len, strlen(want));
	assert_memory_equal(d.text, want, d.len);
	assert_int_equal(d.replaced, 0);
	ws_decoded_free(&d);
}

static void test_valid_utf8_is_used_as_is(void **state)
{
	(void)state;
	ws_decoded d;
	assert_int_equal(ws_charset_decode(ZH, strlen(ZH), NULL, &d, NULL), WS_CHARSET_OK);
	assert_null(d.text);
	assert_int_equal(d.skip, 0);
	assert_string_equal(d.encoding, "UTF-8");
	char bom[512] = "\xEF\xBB\xBF";
	strcat(bom, ZH);
	assert_int_equal(ws_charset_decode(bom, strlen(bom), NULL, &d, NULL), WS_CHARSET_OK);
	assert_null(d.text);
	assert_int_equal(d.skip, 3);
	assert_string_equal(d.how, "byte-order mark");
	/* empty input is (empty) UTF-8 */
	assert_int_equal(ws_charset_decode("", 0, NULL, &d, NULL), WS_CHARSET_OK);
	assert_null(d.text);
}

static void test_gb18030_and_big5_are_detected(void **state)
{
	(void)state;
	assert_decoded(GB, sizeof GB - 1, NULL, ZH, "GB18030", "detected");
	assert_decoded(BIG5, sizeof BIG5 - 1, NULL, TW, "Big5", "detected");
}

static void test_utf16_with_and_without_bom(void **state)
{
	(void)state;
	for (int be = 0; be <= 1; be++) {
		for (int bom = 0; bom <= 1; bom++) {
			size_t n;
			char *u = utf16(ZH, be, bom, &n);
			assert_decoded(u, n, NULL, ZH, be ? "UTF-16BE" : "UTF-16LE", bom ? "byte-order mark" : "detected");
			free(u);
		}
	}
	/* UTF-32 with a BOM */
	static const char u32[] = "\xFF\xFE\0\0\x70\x65\0\0\x57\x5B\0\0\x0A\0\0\0";
	assert_decoded(u32, sizeof u32 - 1, NULL, "数字\n", "UTF-32LE", "byte-order mark");
}

static void test_utf16_without_bom_and_without_nul_is_not_guessed(void **state)
{
	(void)state;
	/* CJK alone in UTF-16 (no ASCII, no newline) has no NUL byte: too
	 * much like Shift_JIS to be sure */
	size_t n;
	char *u = utf16("数字鸿沟正在从接入差距转向使用差距各国应当加强数字基础设施建设", 0, 0, &n);
	ws_decoded d;
	const char *why = NULL;
	ws_charset_result r = ws_charset_decode(u, n, NULL, &d, &why);
	assert_int_equal(r, WS_CHARSET_UNSURE);
	assert_non_null(strstr(why, "encoding"));
	free(u);
	/* an odd length: UTF-16 by its look, but not surely */
	u = utf16(ZH, 0, 0, &n);
	r = ws_charset_decode(u, n - 1, NULL, &d, &why);
	assert_int_equal(r, WS_CHARSET_UNSURE);
	assert_non_null(strstr(why, "UTF-16"));
	free(u);
}

static void test_invalid_bytes_become_one_fffd_each_and_lines_stay(void **state)
{
	(void)state;
	/* GB18030 with a lone lead byte just before a newline */
	char gb[512];
	size_t n = sizeof GB - 1, cut = 36; /* after 。 of line 1, before its newline */
	assert_int_equal(GB[cut], '\n');
	memcpy(gb, GB, cut);
	gb[cut] = '\x81';
	memcpy(gb + cut + 1, GB + cut, n - cut);
	ws_decoded d;
	assert_int_equal(ws_charset_decode(gb, n + 1, NULL, &d, NULL), WS_CHARSET_OK);
	assert_string_equal(d.encoding, "GB18030");
	assert_int_equal(d.replaced, 1);
	assert_int_equal(count_lines(d.text, d.len), count_lines(ZH, strlen(ZH)));
	assert_non_null(strstr(d.text, "差距。\xEF\xBF\xBD\n各国"));
	ws_decoded_free(&d);

	/* UTF-8 with two bad bytes among many good characters */
	char u8[1024];
	snprintf(u8, sizeof u8, "%s\xFF%s\xC0%s", ZH, ZH, ZH);
	assert_int_equal(ws_charset_decode(u8, strlen(u8), NULL, &d, NULL), WS_CHARSET_OK);
	assert_string_equal(d.encoding, "UTF-8");
	assert_string_equal(d.how, "mostly valid");
	assert_int_equal(d.replaced, 2);
	assert_int_equal(count_lines(d.text, d.len), 3 * count_lines(ZH, strlen(ZH)));
	ws_decoded_free(&d);
}

static void test_pinned_encoding_wins(void **state)
{
	(void)state;
	/* Big5 bytes read as GB18030 because the sidecar says so: no
	 * detection, whatever comes out */
	ws_decoded d;
	assert_int_equal(ws_charset_decode(BIG5, sizeof BIG5 - 1, "gb18030", &d, NULL), WS_CHARSET_OK);
	assert_string_equal(d.encoding, "gb18030");
	assert_string_equal(d.how, "pinned");
	assert_true(d.len != strlen(TW) || memcmp(d.text, TW, d.len) != 0);
	ws_decoded_free(&d);
	assert_decoded(GB, sizeof GB - 1, "GBK", ZH, "GBK", "pinned");
	/* a pinned UTF-16 with its BOM loses the BOM */
	size_t n;
	char *u = utf16(ZH, 1, 1, &n);
	assert_decoded(u, n, "utf-16be", ZH, "utf-16be", "pinned");
	free(u);
	/* a wrong pin that leaves most of the text undecodable is refused */
	const char *why = NULL;
	assert_int_equal(ws_charset_decode(GB, sizeof GB - 1, "utf-8", &d, &why), WS_CHARSET_DAMAGED);
	assert_non_null(strstr(why, "undecodable"));
}

static void test_binary_and_garbage(void **state)
{
	(void)state;
	char bin[2048];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)(i % 256);
	ws_decoded d;
	const char *why = NULL;
	assert_int_equal(ws_charset_decode(bin, sizeof bin, NULL, &d, &why), WS_CHARSET_BINARY);
	/* bytes 0x80..0xFF without NULs: no encoding told */
	char hi[2048];
	for (size_t i = 0; i < sizeof hi; i++)
		hi[i] = (char)(0x80 + (i * 37) % 128);
	assert_int_equal(ws_charset_decode(hi, sizeof hi, NULL, &d, &why), WS_CHARSET_UNSURE);
}

static void test_known_names(void **state)
{
	(void)state;
	assert_true(ws_charset_known("gb18030"));
	assert_true(ws_charset_known("GBK"));
	assert_true(ws_charset_known("big5"));
	assert_true(ws_charset_known("UTF-16LE"));
	assert_false(ws_charset_known("no-such-encoding"));
	assert_false(ws_charset_known(""));
	assert_false(ws_charset_known(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8_is_used_as_is),
		cmocka_unit_test(test_gb18030_and_big5_are_detected),
		cmocka_unit_test(test_utf16_with_and_without_bom),
		cmocka_unit_test(test_utf16_without_bom_and_without_nul_is_not_guessed),
		cmocka_unit_test(test_invalid_bytes_become_one_fffd_each_and_lines_stay),
		cmocka_unit_test(test_pinned_encoding_wins),
		cmocka_unit_test(test_binary_and_garbage),
		cmocka_unit_test(test_known_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
