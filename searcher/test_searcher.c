/* test_searcher.c - unit tests of the searcher's parts that need no index:
 * the query parser, snippet windows and highlight offsets, UTF-8 and width
 * helpers, and option checking.  (Whole searches are tested by
 * tests/integration/test_search.py.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cjk.h"
#include "cli.h"
#include "match.h"
#include "qbuild.h"
#include "query.h"
#include "snippet.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* Query parser                                                         */

static ws_query *parse_ok(const char *s)
{
	ws_query *q = NULL;
	char *err = NULL;
	bool ok = ws_query_parse(s, strlen(s), &q, &err);
	if (!ok)
		fail_msg("\"%s\" failed: %s", s, err);
	free(err);
	return q;
}

static void parse_fails(const char *s, size_t len, const char *needle)
{
	ws_query *q = NULL;
	char *err = NULL;
	assert_false(ws_query_parse(s, len, &q, &err));
	assert_null(q);
	assert_non_null(err);
	if (!strstr(err, needle))
		fail_msg("\"%.40s\": message \"%s\" lacks \"%s\"", s, err, needle);
	free(err);
}

static void test_query_units(void **state)
{
	(void)state;
	ws_query *q = parse_ok("数字鸿沟　人工智能 \"exact phrase\" -排除 “弯引号”");
	assert_int_equal(q->nunits, 5);
	assert_int_equal(q->ngroups, 5);
	assert_string_equal(q->units[0].text, "数字鸿沟");
	assert_string_equal(q->units[1].text, "人工智能");
	assert_string_equal(q->units[2].text, "exact phrase");
	assert_true(q->units[2].quoted);
	assert_true(q->units[3].excluded);
	assert_string_equal(q->units[3].text, "排除");
	assert_true(q->units[4].quoted);
	assert_string_equal(q->units[4].text, "弯引号");
	ws_query_free(q);
}

static void test_query_or_groups(void **state)
{
	(void)state;
	ws_query *q = parse_ok("a OR b OR c d or e");
	assert_int_equal(q->nunits, 6);
	assert_int_equal(q->units[0].group, 0);
	assert_int_equal(q->units[1].group, 0);
	assert_int_equal(q->units[2].group, 0);
	assert_int_equal(q->units[3].group, 1);
	assert_string_equal(q->units[4].text, "or"); /* lower case is a word */
	assert_int_equal(q->units[5].group, 3);
	assert_int_equal(q->ngroups, 4);
	ws_query_free(q);
}

static void test_query_fields(void **state)
{
	(void)state;
	ws_query *q = parse_ok("year:2023 YEAR:2022..2024 year:2022.. year:..2021 source:联合国 "
	                       "title:\"全球 数字\" -source:x http://example.org");
	assert_int_equal(q->nunits, 8);
	assert_int_equal(q->units[0].kind, WS_UNIT_YEAR);
	assert_int_equal(q->units[0].year_lo, 2023);
	assert_int_equal(q->units[0].year_hi, 2023);
	assert_int_equal(q->units[1].year_lo, 2022);
	assert_int_equal(q->units[1].year_hi, 2024);
	assert_int_equal(q->units[2].year_lo, 2022);
	assert_int_equal(q->units[2].year_hi, 0);
	assert_int_equal(q->units[3].year_lo, 0);
	assert_int_equal(q->units[3].year_hi, 2021);
	assert_int_equal(q->units[4].kind, WS_UNIT_SOURCE);
	assert_string_equal(q->units[4].text, "联合国");
	assert_int_equal(q->units[5].kind, WS_UNIT_TITLE);
	assert_string_equal(q->units[5].text, "全球 数字");
	assert_true(q->units[6].excluded);
	assert_int_equal(q->units[6].kind, WS_UNIT_SOURCE);
	assert_int_equal(q->units[7].kind, WS_UNIT_TEXT);
	ws_query_free(q);
}

static void test_query_errors(void **state)
{
	(void)state;
	parse_fails("\"数字鸿沟", strlen("\"数字鸿沟"), "unbalanced quote");
	parse_fails("数字鸿沟”", strlen("数字鸿沟”"), "no opening quote");
	parse_fails("OR a", 4, "OR");
	parse_fails("a OR", 4, "OR");
	parse_fails("a OR OR b", 9, "OR");
	parse_fails("-", 1, "lone");
	parse_fails("a - b", 5, "lone");
	parse_fails("-a OR b", 7, "excluded");
	parse_fails("a OR year:2023", 14, "field filter");
	parse_fails("year:abc", 8, "year:");
	parse_fails("year:20234", 10, "year:");
	parse_fails("year:..", 7, "year:");
	parse_fails("year:2024..2020", 15, "backwards");
	parse_fails("source:", 7, "needs a value");
	parse_fails("\"\"", 2, "enclose nothing");
	parse_fails("\"  \"", 4, "enclose nothing");
	parse_fails("", 0, "empty");
	parse_fails(" \t\xe3\x80\x80", 5, "empty");
	parse_fails("ab\xff", 3, "UTF-8");
	parse_fails("\xe6\x95", 2, "UTF-8");
	parse_fails("\xc0\x80", 2, "UTF-8"); /* overlong NUL */
	parse_fails("\xed\xa0\x80", 3, "UTF-8"); /* a surrogate */

	size_t big = WS_QUERY_MAX_BYTES + 1;
	char *s = malloc(big);
	memset(s, 'a', big);
	parse_fails(s, big, "too long");
	free(s);
}

/* ------------------------------------------------------------------ */
/* Snippets                                                             */

static ws_match m(size_t start, size_t end, unsigned group)
{
	return (ws_match){start, end, 1, group, false, NULL};
}

static char *hl_text(const ws_snippet *s, size_t i)
{
	return strndup(s->text + s->hl[i].start, s->hl[i].end - s->hl[i].start);
}

static void assert_hl(const ws_snippet *s, size_t i, const char *want)
{
	assert_true(i < s->nhl);
	char *got = hl_text(s, i);
	assert_string_equal(got, want);
	free(got);
}

/* ------------------------------------------------------------------ */
/* Matching                                                             */

static ws_query *analysed(const char *s, cjk_analyzer *a)
{
	ws_query *q = parse_ok(s);
	char *err = NULL;
	if (!ws_query_analyse(q, a, false, &err))
		fail_msg("analysing \"%s\": %s", s, err);
	return q;
}

/* A query of Han runs only is matched by scanning the text; the same unit
 * beside a Latin word goes through the analysis.  Both must find the same
 * occurrences, with the same byte ranges and lines. */
static void test_match_runs_equal_analysis(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"弥合数字鸿沟是全球数字治理的重要议题。数字鸿沟仍在扩大。",
		"弥合数字\n鸿沟，要靠基础设\n\n施建设；数字 鸿沟不算。",
		"數字鴻溝與數位治理：繁體文本。",
		"笑声哈哈哈哈传来，哈哈。",
		"数字,鸿沟 数字-鸿沟 数字a鸿沟 数字\n\n鸿沟\r\n数字鸿沟",
		"开头数字鸿沟\n第二行人工智能治理体系\n第三行人工\n智能",
	};
	static const char *const queries[] = {
		"数字鸿沟", "鸿沟", "数字", "哈哈", "哈哈哈", "人工智能", "治理体系", "基础设施", "数字鸿沟 哈哈",
	};
	cjk_options o;
	cjk_options_default(&o);
	char *err = NULL;
	cjk_analyzer *a = cjk_analyzer_new(&o, &err);
	assert_non_null(a);
	ws_matches fast = {0}, slow = {0};
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
		for (size_t k = 0; k < sizeof queries / sizeof *queries; k++) {
			char with_latin[128];
			snprintf(with_latin, sizeof with_latin, "%s zzqq", queries[k]);
			ws_query *qf = analysed(queries[k], a), *qs = analysed(with_latin, a);
			const char *text = texts[t];
			assert_true(ws_match_passage(qf, a, text, strlen(text), 7, false, &fast, &err));
			assert_true(ws_match_passage(qs, a, text, strlen(text), 7, false, &slow, &err));
			size_t n = 0;
			for (size_t i = 0; i < slow.n; i++) {
				if (slow.v[i].group == qs->units[qs->nunits - 1].group)
					continue; /* zzqq's, never there anyway */
				if (n >= fast.n)
					fail_msg("\"%s\" in \"%s\": the scan missed %zu..%zu", queries[k], text,
					         slow.v[i].start, slow.v[i].end);
				if (slow.v[i].start != fast.v[n].start || slow.v[i].end != fast.v[n].end ||
				    slow.v[i].line != fast.v[n].line || slow.v[i].group != fast.v[n].group)
					fail_msg("\"%s\" in \"%s\": scan %zu..%zu line %u, analysis %zu..%zu line %u",
					         queries[k], text, fast.v[n].start, fast.v[n].end, fast.v[n].line,
					         slow.v[i].start, slow.v[i].end, slow.v[i].line);
				n++;
			}
			if (n != fast.n)
				fail_msg("\"%s\" in \"%s\": the scan found %zu, the analysis %zu", queries[k], text,
				         fast.n, n);
			ws_query_free(qf);
			ws_query_free(qs);
		}
	}
	/* Sanity of the cases themselves: line breaks, Traditional text and
	 * overlaps were met. */
	ws_query *q = analysed("数字鸿沟", a);
	assert_true(ws_match_passage(q, a, texts[1], strlen(texts[1]), 1, false, &fast, &err));
	assert_int_equal(fast.n, 1);
	assert_int_equal(fast.v[0].line, 1);
	assert_true(ws_match_passage(q, a, texts[2], strlen(texts[2]), 1, false, &fast, &err));
	assert_int_equal(fast.n, 1);
	assert_true(ws_match_passage(q, a, texts[4], strlen(texts[4]), 1, false, &fast, &err));
	assert_int_equal(fast.n, 2);
	assert_int_equal(fast.v[1].line, 4);
	ws_query_free(q);
	q = analysed("哈哈", a);
	assert_true(ws_match_passage(q, a, texts[3], strlen(texts[3]), 1, false, &fast, &err));
	assert_int_equal(fast.n, 4);
	ws_query_free(q);
	ws_matches_free(&fast);
	ws_matches_free(&slow);
	cjk_analyzer_free(a);
}

static void test_snippet_short_passage(void **state)
{
	(void)state;
	const char *t = "数字鸿沟是挑战。";
	ws_match v[] = {m(0, 12, 0)};
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), v, 1, &s));
	assert_string_equal(s.text, t);
	assert_int_equal(s.nhl, 1);
	assert_hl(&s, 0, "数字鸿沟");
	ws_snippet_free(&s);
}

static void test_snippet_line_breaks_and_controls(void **state)
{
	(void)state;
	/* A word broken across a blank line (PDF text), Latin words across a
	 * line break, and controls that must never reach a terminal. */
	const char *t = "全球数字鸿\n\n沟问题 digital\ndivide \x1b[31mred\x07 \xe2\x80\xae!";
	size_t start = strlen("全球"), end = strlen("全球数字鸿\n\n沟");
	ws_match v[] = {m(start, end, 0)};
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), v, 1, &s));
	assert_string_equal(s.text, "全球数字鸿沟问题 digital divide [31mred !");
	assert_int_equal(s.nhl, 1);
	assert_hl(&s, 0, "数字鸿沟");
	for (const char *p = s.text; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	ws_snippet_free(&s);

	/* Without a match across it, a short line before a blank line reads
	 * as a heading. */
	assert_true(ws_snippet_make(t, strlen(t), NULL, 0, &s));
	assert_string_equal(s.text, "全球数字鸿 沟问题 digital divide [31mred !");
	ws_snippet_free(&s);
}

static void test_snippet_heading_keeps_a_space(void **state)
{
	(void)state;
	const char *t = "（一）加强数字连接\n\n在数字鸿沟表现日益多元化";
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), NULL, 0, &s));
	assert_string_equal(s.text, "（一）加强数字连接 在数字鸿沟表现日益多元化");
	ws_snippet_free(&s);
}

static void test_snippet_window_around_cluster(void **state)
{
	(void)state;
	/* 300 characters of filler with the matches near the end. */
	char t[2048] = "";
	for (int i = 0; i < 25; i++)
		strcat(t, "这是一个没有关系的句子。");
	size_t a = strlen(t);
	strcat(t, "数字鸿沟和智能鸿沟都在扩大。");
	size_t b = a + strlen("数字鸿沟和");
	for (int i = 0; i < 5; i++)
		strcat(t, "后面还有别的句子。");
	ws_match v[] = {m(a, a + 12, 0), m(b, b + 12, 1)};
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), v, 2, &s));
	size_t chars = ws_utf8_count(s.text, s.len);
	assert_true(chars <= WS_SNIPPET_CHARS + WS_SNIPPET_CHARS / 5 + 2);
	assert_true(chars >= WS_SNIPPET_CHARS / 2);
	assert_int_equal(s.nhl, 2);
	assert_hl(&s, 0, "数字鸿沟");
	assert_hl(&s, 1, "智能鸿沟");
	/* Cut after a sentence end: no leading ellipsis needed. */
	assert_true(strncmp(s.text, "\xe2\x80\xa6", 3) != 0);
	ws_snippet_free(&s);
}

static void test_snippet_overlapping_highlights_merge(void **state)
{
	(void)state;
	const char *t = "人工智能治理";
	ws_match v[] = {m(0, 12, 0), m(6, 18, 1)};
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), v, 2, &s));
	assert_int_equal(s.nhl, 1);
	assert_hl(&s, 0, "人工智能治理");
	ws_snippet_free(&s);
}

static void test_snippet_invalid_utf8(void **state)
{
	(void)state;
	const char t[] = "ab\xff\xfe数字";
	ws_match v[] = {m(4, 10, 0)};
	ws_snippet s;
	assert_true(ws_snippet_make(t, sizeof t - 1, v, 1, &s));
	assert_true(ws_utf8_valid(s.text, s.len, NULL));
	assert_hl(&s, 0, "数字");
	ws_snippet_free(&s);
}

/* A Unicode space before a line break (U+2005 in the UN brief's PDF
 * text) joins as the break does: no doubled space, no space between Han
 * characters. */
static void test_snippet_unicode_spaces(void **state)
{
	(void)state;
	const char *t = "与互联网\xe2\x80\x85\n连接 \xe3\x80\x80 open\xc2\xa0 data";
	ws_snippet s;
	assert_true(ws_snippet_make(t, strlen(t), NULL, 0, &s));
	assert_string_equal(s.text, "与互联网连接 open data");
	ws_snippet_free(&s);
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                         */

static void test_text_width_and_sanitize(void **state)
{
	(void)state;
	assert_int_equal(ws_str_width("abc", 3), 3);
	assert_int_equal(ws_str_width("数字", 6), 4);
	assert_int_equal(ws_str_width("ＯＥＣＤ", strlen("ＯＥＣＤ")), 8);
	assert_int_equal(ws_str_width("e\xcc\x81", 3), 1); /* combining acute */
	const char *dirty = "a\x1b[2Jb\nc\x7f\xc2\x85" "d";
	char *c = ws_sanitize(dirty, strlen(dirty));
	assert_string_equal(c, "a[2Jb cd");
	free(c);
	size_t bad = 0;
	assert_false(ws_utf8_valid("ok\xe6\x95", 4, &bad));
	assert_int_equal(bad, 2);
	assert_true(ws_utf8_valid("\xef\xbf\xbd", 3, NULL)); /* a real U+FFFD */
	unsigned long long v;
	assert_true(ws_parse_decimal("２０２３", 4, &v));
	assert_int_equal(v, 2023);
	assert_false(ws_parse_decimal("20235", 4, &v));
	assert_false(ws_parse_decimal("20a3", 4, &v));
	assert_false(ws_parse_decimal("", 4, &v));
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

static bool cli(ws_cli *c, int argc, const char **argv)
{
	return ws_cli_parse(argc, (char **)argv, NULL, c);
}

static void test_cli_query_and_options(void **state)
{
	(void)state;
	ws_cli c;
	const char *argv[] = {"wensou-search", "数字", "--year", "2022", "-n", "5", "-鸿沟", "--json",
	                      "--db", "/a", "--db", "/b", "--", "-OECD", NULL};
	assert_true(cli(&c, 14, argv));
	assert_string_equal(c.query, "数字 -鸿沟 -OECD");
	assert_int_equal(c.year, 2022);
	assert_int_equal(c.limit, 5);
	assert_int_equal(c.output, WS_OUT_JSON);
	assert_int_equal(c.ndbs, 2);
	ws_cli_free(&c);
}

static void test_cli_errors(void **state)
{
	(void)state;
	struct {
		int argc;
		const char *argv[6];
		const char *needle;
	} cases[] = {
		{3, {"s", "-n", "abc"}, "-n/--limit"},
		{3, {"s", "-n", "0"}, "-n/--limit"},
		{3, {"s", "--year", "99999"}, "--year"},
		{2, {"s", "--color=purple"}, "--color"},
		{3, {"s", "--json", "--vimgrep"}, "cannot be used together"},
		{5, {"s", "--year", "2022", "--until", "2023"}, "--year"},
		{5, {"s", "--since", "2024", "--until", "2022"}, "after"},
		{2, {"s", "--frobnicate"}, "unknown option --frobnicate"},
		{2, {"s", "-oecd"}, "to exclude a word"},
		{2, {"s", "-v"}, "did you mean -V, --version?"},
		{2, {"s", "--jsn"}, "did you mean --json?"},
		{2, {"s", "--yaer=2023"}, "did you mean --year?"},
		{2, {"s", "--s"}, "ambiguous"},
		{2, {"s", "--json=1"}, "takes no value"},
		{3, {"s", "--stats", "数字"}, "--stats"},
		{3, {"s", "--by-year", "--files"}, "--by-year"},
		{3, {"s", "--group=doc", "--json"}, "--group"},
		{2, {"s", "--year"}, "needs a value"},
		{4, {"s", "--count", "--offset", "2"}, "--count"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ws_cli c;
		assert_false(cli(&c, cases[i].argc, cases[i].argv));
		if (!strstr(c.error, cases[i].needle))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, c.error, cases[i].needle);
		ws_cli_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_units),
		cmocka_unit_test(test_query_or_groups),
		cmocka_unit_test(test_query_fields),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_match_runs_equal_analysis),
		cmocka_unit_test(test_snippet_short_passage),
		cmocka_unit_test(test_snippet_line_breaks_and_controls),
		cmocka_unit_test(test_snippet_heading_keeps_a_space),
		cmocka_unit_test(test_snippet_window_around_cluster),
		cmocka_unit_test(test_snippet_overlapping_highlights_merge),
		cmocka_unit_test(test_snippet_invalid_utf8),
		cmocka_unit_test(test_snippet_unicode_spaces),
		cmocka_unit_test(test_text_width_and_sanitize),
		cmocka_unit_test(test_cli_query_and_options),
		cmocka_unit_test(test_cli_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
