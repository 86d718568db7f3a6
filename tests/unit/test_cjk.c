/*
 * test_cjk.c - unit tests of the text analysis (cjk/).
 *
 * Each test pins the exact terms, kinds, positions, byte offsets and
 * lines that the indexer and the searcher rely on (see cjk/cjk.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicode/uclean.h>
#include <unicode/utf8.h>

#include "cjk.h"

/* ---- helpers ---- */

typedef struct tterm {
	char *text;
	cjk_term_kind kind;
	uint32_t pos;
	size_t start, end;
	uint32_t line;
} tterm;

typedef struct tterms {
	tterm *v;
	size_t n, cap;
	unsigned dropped; /* cjk_analyzer_dropped_words at the end */
} tterms;

static void tterms_free(tterms *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		free(ts->v[i].text);
	free(ts->v);
	memset(ts, 0, sizeof *ts);
}

static void tterms_push(tterms *ts, const cjk_term *t)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->v = realloc(ts->v, ts->cap * sizeof *ts->v);
		assert_non_null(ts->v);
	}
	ts->v[ts->n++] = (tterm){ strdup(t->text), t->kind, t->pos, t->start, t->end, t->line };
}

/* All terms of text[0..len) with the given options. */
static tterms analyze_opts(const cjk_options *o, const char *text, size_t len, uint32_t first_line)
{
	char *err = NULL;
	cjk_analyzer *a = cjk_analyzer_new(o, &err);
	if (!a)
		fail_msg("cjk_analyzer_new: %s", err ? err : "?");
	tterms ts = { 0 };
	cjk_analyzer_reset(a, text, len, first_line);
	cjk_term t;
	int r;
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		assert_int_equal(strlen(t.text), t.len);
		assert_true(t.len > 0 && t.len <= CJK_MAX_TERM_BYTES);
		assert_true(t.start < t.end && t.end <= len);
		tterms_push(&ts, &t);
	}
	assert_int_equal(r, 0);
	assert_int_equal(cjk_analyzer_next(a, &t), 0);  /* stays at the end */
	ts.dropped = cjk_analyzer_dropped_words(a);
	cjk_analyzer_free(a);
	return ts;
}

static tterms analyze(const char *text)
{
	cjk_options o;
	cjk_options_default(&o);
	return analyze_opts(&o, text, strlen(text), 1);
}

/* Index of the first term with this text and kind, or -1. */
static long find(const tterms *ts, const char *text, cjk_term_kind kind)
{
	for (size_t i = 0; i < ts->n; i++)
		if (ts->v[i].kind == kind && strcmp(ts->v[i].text, text) == 0)
			return (long)i;
	return -1;
}

static const tterm *must(const tterms *ts, const char *text, cjk_term_kind kind)
{
	long i = find(ts, text, kind);
	if (i < 0)
		fail_msg("no term \"%s\" of kind %d", text, (int)kind);
	return &ts->v[i];
}

/* The positional terms (no STEM, no CJK_WORD) as one space-separated
 * string "text@pos ...". */
static char *positional(const tterms *ts)
{
	size_t cap = 64;
	for (size_t i = 0; i < ts->n; i++)
		cap += strlen(ts->v[i].text) + 16;
	char *s = malloc(cap);
	assert_non_null(s);
	size_t o = 0;
	s[0] = '\0';
	for (size_t i = 0; i < ts->n; i++) {
		const tterm *t = &ts->v[i];
		if (t->kind == CJK_TERM_STEM || t->kind == CJK_TERM_CJK_WORD)
			continue;
		o += (size_t)snprintf(s + o, cap - o, "%s%s@%u", o ? " " : "", t->text, t->pos);
	}
	return s;
}

static void assert_positional(const char *text, const char *expected)
{
	tterms ts = analyze(text);
	char *got = positional(&ts);
	assert_string_equal(got, expected);
	free(got);
	tterms_free(&ts);
}

/* The original bytes of term t equal its text (no repair, no folding). */
static void assert_original(const char *text, const tterm *t)
{
	assert_int_equal(t->end - t->start, strlen(t->text));
	assert_memory_equal(text + t->start, t->text, t->end - t->start);
}

/* Terms come in order of start offset; a STEM right after its WORD. */
static void assert_order(const tterms *ts)
{
	for (size_t i = 1; i < ts->n; i++) {
		assert_true(ts->v[i].start >= ts->v[i - 1].start);
		if (ts->v[i].kind == CJK_TERM_STEM) {
			assert_int_equal(ts->v[i - 1].kind, CJK_TERM_WORD);
			assert_int_equal(ts->v[i - 1].pos, ts->v[i].pos);
		}
	}
}

/* ---- Han runs and bigrams ---- */

static void test_bigram_two_chars(void **state)
{
	(void)state;
	const char *text = "鸿沟";
	tterms ts = analyze(text);
	assert_int_equal(ts.n, 1);          /* ICU splits 鸿|沟; one bigram anyway */
	assert_string_equal(ts.v[0].text, "鸿沟");
	assert_int_equal(ts.v[0].kind, CJK_TERM_BIGRAM);
	assert_int_equal(ts.v[0].pos, 1);
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 6);
	assert_int_equal(ts.v[0].line, 1);
	tterms_free(&ts);
}

static void test_bigram_runs(void **state)
{
	(void)state;
	assert_positional("跨境数据", "跨境@1 境数@2 数据@3");
	assert_positional("联合国", "联合@1 合国@2");
	assert_positional("普遍而有意义", "普遍@1 遍而@2 而有@3 有意@4 意义@5");
	/* Spaces and punctuation end a run; positions go on counting chars. */
	assert_positional("数字 治理，安全", "数字@1 治理@3 安全@5");
	/* A one-character run is a CHAR term; Latin words take a position. */
	assert_positional("A国B", "a@1 国@2 b@3");
	assert_positional("AI治理数据", "ai@1 治理@2 理数@3 数据@4");
	/* 〇 is Han: 二〇二二年 is one run. */
	assert_positional("二〇二二年", "二〇@1 〇二@2 二二@3 二年@4");

	const char *text = "跨境数据";
	tterms ts = analyze(text);
	for (size_t i = 0; i < ts.n; i++)
		assert_original(text, &ts.v[i]);
	tterms_free(&ts);
}

static void test_cjk_word(void **state)
{
	(void)state;
	/* ICU's dictionary has 国家安全: a CJK_WORD right after the bigram
	 * at its first character, same position and start. */
	const char *text = "维护国家安全";
	tterms ts = analyze(text);
	assert_order(&ts);
	long b = find(&ts, "国家", CJK_TERM_BIGRAM);
	long w = find(&ts, "国家安全", CJK_TERM_CJK_WORD);
	assert_true(b >= 0 && w == b + 1);
	assert_int_equal(ts.v[w].pos, ts.v[b].pos);
	assert_int_equal(ts.v[w].pos, 3);
	assert_int_equal(ts.v[w].start, 6);
	assert_int_equal(ts.v[w].end, 18);
	assert_original(text, &ts.v[w]);
	/* 2-character dictionary words are not repeated as CJK_WORDs. */
	assert_int_equal(find(&ts, "维护", CJK_TERM_CJK_WORD), -1);
	tterms_free(&ts);

	/* 中华人民共和国: ICU gives 中华|人民|共和国. */
	ts = analyze("中华人民共和国");
	const tterm *t = must(&ts, "共和国", CJK_TERM_CJK_WORD);
	assert_int_equal(t->pos, 5);
	char *p = positional(&ts);
	assert_string_equal(p, "中华@1 华人@2 人民@3 民共@4 共和@5 和国@6");
	free(p);
	tterms_free(&ts);
}

/* ---- line-break repair ---- */

static void test_newline_between_han(void **state)
{
	(void)state;
	const char *text = "「未来\n峰会」";
	tterms ts = analyze(text);
	char *p = positional(&ts);
	assert_string_equal(p, "未来@1 来峰@2 峰会@3");
	free(p);
	const tterm *wl = must(&ts, "未来", CJK_TERM_BIGRAM);
	const tterm *lf = must(&ts, "来峰", CJK_TERM_BIGRAM);
	const tterm *fh = must(&ts, "峰会", CJK_TERM_BIGRAM);
	size_t feng = (size_t)(strstr(text, "峰") - text);   /* after the newline */
	assert_int_equal(wl->start, 3);
	assert_int_equal(wl->end, 9);
	assert_int_equal(wl->line, 1);
	assert_int_equal(lf->start, 6);
	assert_int_equal(lf->end, feng + 3);                 /* covers the newline */
	assert_int_equal(lf->line, 1);
	assert_int_equal(fh->start, feng);
	assert_int_equal(fh->line, 2);
	assert_original(text, fh);
	tterms_free(&ts);

	/* Trailing spaces, CRLF and blank lines in between: still no boundary. */
	assert_positional("未来 \r\n 峰会", "未来@1 来峰@2 峰会@3");
	assert_positional("数\n\n字\n \n治理", "数字@1 字治@2 治理@3");
	/* A space without a newline is a real boundary. */
	assert_positional("未来 峰会", "未来@1 峰会@3");
	/* A newline between Han and Latin is a space. */
	assert_positional("数据\ndata\n治理", "数据@1 data@3 治理@4");

	/* first_line is honoured and lines count across blank lines. */
	cjk_options o;
	cjk_options_default(&o);
	const char *t2 = "数据\n\nOECD\n\n\n治理";
	ts = analyze_opts(&o, t2, strlen(t2), 10);
	assert_int_equal(must(&ts, "数据", CJK_TERM_BIGRAM)->line, 10);
	assert_int_equal(must(&ts, "oecd", CJK_TERM_WORD)->line, 12);
	assert_int_equal(must(&ts, "治理", CJK_TERM_BIGRAM)->line, 15);
	tterms_free(&ts);
}

static void test_hyphenated_newline(void **state)
{
	(void)state;
	const char *text = "inter-\nnational cooperation";
	tterms ts = analyze(text);
	assert_order(&ts);
	assert_int_equal(ts.n, 4);
	assert_string_equal(ts.v[0].text, "international");
	assert_int_equal(ts.v[0].kind, CJK_TERM_WORD);
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 15);          /* through the "l" of "national" */
	assert_int_equal(ts.v[0].line, 1);
	assert_string_equal(ts.v[1].text, "Zintern");
	assert_int_equal(ts.v[1].kind, CJK_TERM_STEM);
	assert_string_equal(ts.v[2].text, "cooperation");
	assert_int_equal(ts.v[2].pos, 2);
	assert_int_equal(ts.v[2].line, 2);
	assert_original(text, &ts.v[2]);
	assert_string_equal(ts.v[3].text, "Zcooper");
	assert_int_equal(ts.v[3].pos, 2);
	tterms_free(&ts);

	/* Trailing spaces around the newline are allowed; U+2010 HYPHEN and
	 * U+00AD SOFT HYPHEN work as '-'. */
	assert_positional("inter- \n national", "international@1");
	assert_positional("inter\u2010\nnational", "international@1");
	assert_positional("inter\u00AD\r\nnational", "international@1");
	/* An upper-case or digit continuation keeps the hyphen: two words. */
	assert_positional("data-\nDriven", "data@1 driven@2");
	assert_positional("COVID-\n19", "covid@1 19@2");
	/* A hyphen without a newline is ICU's business: two words. */
	assert_positional("e-mail", "e@1 mail@2");
	/* A newline between Latin words is a space. */
	assert_positional("data\ngovernance", "data@1 governance@2");
}

/* ---- Latin words, numbers, full-width forms ---- */

static void test_mixed_latin_han(void **state)
{
	(void)state;
	const char *text = "OECD《关于政府调取私营部门实体持有的个人数据的宣言》";
	tterms ts = analyze(text);
	assert_order(&ts);
	assert_string_equal(ts.v[0].text, "oecd");
	assert_int_equal(ts.v[0].kind, CJK_TERM_WORD);
	assert_int_equal(ts.v[0].pos, 1);
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 4);
	assert_string_equal(ts.v[1].text, "Zoecd");
	assert_int_equal(ts.v[1].kind, CJK_TERM_STEM);
	assert_int_equal(ts.v[1].pos, 1);
	/* Bigrams of the run 关于…宣言 (22 chars -> 21 bigrams), positions
	 * 2..22, each over its own original bytes. */
	size_t bigrams = 0;
	uint32_t next_pos = 2;
	for (size_t i = 2; i < ts.n; i++) {
		if (ts.v[i].kind != CJK_TERM_BIGRAM)
			continue;
		assert_int_equal(ts.v[i].pos, next_pos++);
		assert_original(text, &ts.v[i]);
		bigrams++;
	}
	assert_int_equal(bigrams, 21);
	assert_string_equal(must(&ts, "关于", CJK_TERM_BIGRAM)->text, "关于");
	assert_int_equal(must(&ts, "关于", CJK_TERM_BIGRAM)->start, strlen("OECD《"));
	assert_int_equal(must(&ts, "个人", CJK_TERM_BIGRAM)->pos, 17);
	assert_int_equal(must(&ts, "宣言", CJK_TERM_BIGRAM)->pos, 22);
	tterms_free(&ts);
}

static void test_fullwidth_and_numbers(void **state)
{
	(void)state;
	const char *text = "ＯＥＣＤ２０２４ OECD2024 ＯＥＣＤ 1835Tbps 5G 99.7 A/75/982 COVID-19";
	tterms ts = analyze(text);
	assert_order(&ts);
	char *p = positional(&ts);
	assert_string_equal(p, "oecd2024@1 oecd2024@2 oecd@3 1835tbps@4 5g@5 99.7@6 "
			       "a@7 75@8 982@9 covid@10 19@11");
	free(p);
	assert_int_equal(ts.v[0].kind, CJK_TERM_NUMBER);
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, strlen("ＯＥＣＤ２０２４"));
	assert_int_equal(ts.v[1].kind, CJK_TERM_NUMBER);
	const tterm *w = must(&ts, "oecd", CJK_TERM_WORD);
	assert_int_equal(w->start, strlen("ＯＥＣＤ２０２４ OECD2024 "));
	assert_int_equal(w->end, w->start + strlen("ＯＥＣＤ"));
	assert_int_equal(must(&ts, "1835tbps", CJK_TERM_NUMBER)->pos, 4);
	assert_int_equal(must(&ts, "5g", CJK_TERM_NUMBER)->pos, 5);
	assert_int_equal(must(&ts, "99.7", CJK_TERM_NUMBER)->pos, 6);
	assert_int_equal(find(&ts, "Z5g", CJK_TERM_STEM), -1);   /* numbers are not stemmed */
	assert_non_null(must(&ts, "Za", CJK_TERM_STEM));
	assert_non_null(must(&ts, "Zcovid", CJK_TERM_STEM));
	tterms_free(&ts);

	/* Curly apostrophes fold to ASCII; the stem drops the possessive. */
	ts = analyze("People’s governments");
	assert_string_equal(ts.v[0].text, "people's");
	assert_string_equal(ts.v[1].text, "Zpeopl");
	assert_string_equal(ts.v[2].text, "governments");
	assert_string_equal(ts.v[3].text, "Zgovern");
	tterms_free(&ts);
}

static void test_stem_off(void **state)
{
	(void)state;
	cjk_options o;
	cjk_options_default(&o);
	o.stem_english = false;
	const char *text = "data governance 数据";
	tterms ts = analyze_opts(&o, text, strlen(text), 1);
	assert_int_equal(ts.n, 3);
	for (size_t i = 0; i < ts.n; i++)
		assert_int_not_equal(ts.v[i].kind, CJK_TERM_STEM);
	tterms_free(&ts);
}

static void test_long_term_dropped(void **state)
{
	(void)state;
	char text[600];
	memset(text, 'x', 300);
	strcpy(text + 300, " data");
	tterms ts = analyze(text);
	assert_int_equal(ts.n, 2);
	assert_string_equal(ts.v[0].text, "data");
	assert_int_equal(ts.v[0].pos, 2);           /* the dropped word took pos 1 */
	assert_int_equal(ts.dropped, 1);            /* and is counted, for the query to refuse it */
	tterms_free(&ts);
	/* a Han run as long keeps its bigrams: nothing of it is lost */
	char han[400] = "";
	for (int i = 0; i < 100; i++)
		strcat(han, i % 2 ? "据" : "数");
	ts = analyze(han);
	assert_true(ts.n > 0);
	assert_int_equal(ts.dropped, 0);
	tterms_free(&ts);
}

/* ---- Traditional -> Simplified, NFKC of Han ---- */

static void test_traditional(void **state)
{
	(void)state;
	tterms t = analyze("數字鴻溝");
	tterms s = analyze("数字鸿沟");
	assert_int_equal(t.n, s.n);
	for (size_t i = 0; i < t.n; i++) {
		assert_string_equal(t.v[i].text, s.v[i].text);
		assert_int_equal(t.v[i].kind, s.v[i].kind);
		assert_int_equal(t.v[i].pos, s.v[i].pos);
	}
	char *p = positional(&t);
	assert_string_equal(p, "数字@1 字鸿@2 鸿沟@3");
	free(p);
	/* Offsets are still those of the original (traditional) bytes. */
	assert_int_equal(t.v[2].start, 6);
	assert_int_equal(t.v[2].end, 12);
	tterms_free(&t);
	tterms_free(&s);

	cjk_options o;
	cjk_options_default(&o);
	o.fold_traditional = false;
	const char *text = "數字鴻溝";
	t = analyze_opts(&o, text, strlen(text), 1);
	p = positional(&t);
	assert_string_equal(p, "數字@1 字鴻@2 鴻溝@3");
	free(p);
	tterms_free(&t);

	/* Kangxi radicals (as some PDF extractors produce) and compatibility
	 * ideographs fold by NFKC, whatever fold_traditional says. */
	assert_positional("⼈⼯智能", "人工@1 工智@2 智能@3");
	t = analyze_opts(&o, "\xEF\xA4\x80", 3, 1);      /* U+F900 -> U+8C48 豈 */
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].text, "豈");
	assert_int_equal(t.v[0].kind, CJK_TERM_CHAR);
	tterms_free(&t);
}

/* The exported folding table, loaded into another analyzer, gives the
 * same terms as ICU's transliterator, without it. */
static void test_fold_table(void **state)
{
	(void)state;
	cjk_options o;
	cjk_options_default(&o);
	char *err = NULL;
	cjk_analyzer *a = cjk_analyzer_new(&o, &err);
	assert_non_null(a);
	size_t len = 0;
	char *table = cjk_fold_table_export(a, &len);
	assert_non_null(table);
	assert_int_equal(strlen(table), len);
	/* 數 -> 数 and 鴻 -> 鸿 are in it; 数 (already simplified) is not a key */
	assert_non_null(strstr(table, "數数"));
	assert_non_null(strstr(table, "鴻鸿"));
	assert_true(len > 2000 * 6 && len < 200000);
	cjk_analyzer_free(a);

	o.fold_table = table;
	o.fold_table_len = len;
	const char *texts[] = {"數字鴻溝與資料治理", "⼈⼯智能", "全球數位經濟的發展", "\xEF\xA4\x80"};
	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
		tterms with = analyze_opts(&o, texts[k], strlen(texts[k]), 1);
		tterms without = analyze(texts[k]);
		char *p = positional(&with), *q = positional(&without);
		assert_string_equal(p, q);
		free(p);
		free(q);
		tterms_free(&with);
		tterms_free(&without);
	}
	/* normalising with the table (without ICU's normaliser, for Han and
	 * ASCII) gives what normalising without it gives */
	cjk_analyzer *with = cjk_analyzer_new(&o, &err), *without = cjk_analyzer_new(NULL, &err);
	assert_non_null(with);
	assert_non_null(without);
	const char *strings[] = {"數字鴻溝與資料治理", "⼈⼯智能 AI", "GDPR 與 數據", "\xEF\xA4\x80x", "㍿ 株式",
	                         "ＯＥＣＤ 數字", "People’s 數字", "\xff數"};
	for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++) {
		char *p = cjk_normalize(with, strings[k], strlen(strings[k]));
		char *q = cjk_normalize(without, strings[k], strlen(strings[k]));
		assert_non_null(p);
		assert_non_null(q);
		assert_string_equal(p, q);
		free(p);
		free(q);
	}
	cjk_analyzer_free(with);
	cjk_analyzer_free(without);
	/* a damaged table is refused with a message */
	o.fold_table = "\xE6\x95";
	o.fold_table_len = 2;
	assert_null(cjk_analyzer_new(&o, &err));
	assert_non_null(strstr(err, "folding table"));
	free(err);
	free(table);
}

static void test_normalize(void **state)
{
	(void)state;
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);
	char *s = cjk_normalize(a, "ＯＥＣＤ 數字鴻溝 People’s", strlen("ＯＥＣＤ 數字鴻溝 People’s"));
	assert_string_equal(s, "oecd 数字鸿沟 people's");
	free(s);
	s = cjk_normalize(a, "", 0);
	assert_string_equal(s, "");
	free(s);
	s = cjk_normalize(a, "中国信息安全", strlen("中国信息安全"));
	assert_string_equal(s, "中国信息安全");
	free(s);
	cjk_analyzer_free(a);

	cjk_options o;
	cjk_options_default(&o);
	o.fold_traditional = false;
	a = cjk_analyzer_new(&o, NULL);
	s = cjk_normalize(a, "數字 ABC", strlen("數字 ABC"));
	assert_string_equal(s, "數字 abc");
	free(s);
	cjk_analyzer_free(a);
}

/* ---- robustness ---- */

static void test_invalid_utf8(void **state)
{
	(void)state;
	const char text[] = "\xff\xfe数据\xc3";
	tterms ts = analyze(text);
	assert_int_equal(ts.n, 1);
	assert_string_equal(ts.v[0].text, "数据");
	assert_int_equal(ts.v[0].start, 2);
	assert_int_equal(ts.v[0].end, 8);
	tterms_free(&ts);

	/* Broken sequences inside words and NUL bytes: no term holds them. */
	const char t2[] = "da\xe6\x95ta \xed\xa0\x80x \xf4\x90\x80\x80 a\0b \xe6\x95\xb0\xc0\xaf\xe6\x8d\xae";
	cjk_options o;
	cjk_options_default(&o);
	ts = analyze_opts(&o, t2, sizeof t2 - 1, 1);
	char *p = positional(&ts);
	assert_string_equal(p, "da@1 ta@2 x@3 a@4 b@5 数@6 据@7");
	free(p);
	for (size_t i = 0; i < ts.n; i++) {
		const char *s = ts.v[i].text;
		assert_null(strstr(s, "\xef\xbf\xbd"));
		for (; *s; s++)
			assert_true((unsigned char)*s != 0xff && (unsigned char)*s != 0xc0);
	}
	tterms_free(&ts);
}

static void test_empty(void **state)
{
	(void)state;
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);
	cjk_term t;
	assert_int_equal(cjk_analyzer_next(a, &t), 0);      /* never reset */
	cjk_analyzer_reset(a, "", 0, 1);
	assert_int_equal(cjk_analyzer_next(a, &t), 0);
	cjk_analyzer_reset(a, NULL, 0, 1);
	assert_int_equal(cjk_analyzer_next(a, &t), 0);
	cjk_analyzer_reset(a, " \n，。 \t", strlen(" \n，。 \t"), 1);
	assert_int_equal(cjk_analyzer_next(a, &t), 0);
	assert_string_equal(cjk_analyzer_error(a), "");
	/* reset restarts positions at 1 */
	cjk_analyzer_reset(a, "数据 data", 11, 5);
	assert_int_equal(cjk_analyzer_next(a, &t), 1);
	assert_int_equal(cjk_analyzer_next(a, &t), 1);
	cjk_analyzer_reset(a, "治理", 6, 5);
	assert_int_equal(cjk_analyzer_next(a, &t), 1);
	assert_string_equal(t.text, "治理");
	assert_int_equal(t.pos, 1);
	assert_int_equal(t.line, 5);
	assert_int_equal(cjk_analyzer_next(a, &t), 0);
	cjk_analyzer_free(a);
	cjk_analyzer_free(NULL);
}

static void test_lexicon(void **state)
{
	(void)state;
	char path[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/test_cjk_lexicon_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *words = "# domain terms\n數字鴻溝\n人工智能\n\n  跨境数据流动  \n网络\n";
	assert_int_equal(write(fd, words, strlen(words)), (ssize_t)strlen(words));
	close(fd);
	cjk_options o;
	cjk_options_default(&o);
	o.lexicon_path = path;
	const char *text = "弥合数字鸿沟，促进跨境数据流动";
	tterms ts = analyze_opts(&o, text, strlen(text), 1);
	assert_order(&ts);
	/* 数字|鸿|沟 in ICU; the (traditional) lexicon entry joins them. */
	const tterm *w = must(&ts, "数字鸿沟", CJK_TERM_CJK_WORD);
	assert_int_equal(w->pos, 3);
	assert_original(text, w);
	long b = find(&ts, "数字", CJK_TERM_BIGRAM);
	assert_int_equal(find(&ts, "数字鸿沟", CJK_TERM_CJK_WORD), b + 1);
	w = must(&ts, "跨境数据流动", CJK_TERM_CJK_WORD);
	assert_int_equal(w->pos, 9);
	tterms_free(&ts);

	/* Without the lexicon, no such words. */
	ts = analyze(text);
	assert_int_equal(find(&ts, "数字鸿沟", CJK_TERM_CJK_WORD), -1);
	tterms_free(&ts);

	unlink(path);
	o.lexicon_path = path;          /* now missing: a clear error */
	char *err = NULL;
	assert_null(cjk_analyzer_new(&o, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, path));
	free(err);
}

/* A text made of k copies of a unit analyses as k copies of the unit's
 * terms, shifted: chunking (64 KiB) changes nothing, and line numbers stay
 * right across chunks. */
static void test_chunks_are_invisible(void **state)
{
	(void)state;
	const char *unit =
		"本简报建议制定一项《全球数字契约》，为\n推进开放、自由、安全、以人为本的数字未\n"
		"来制定原则 \n\n目标和行动。The Global Digital Compact (GDC) would be inter-\n"
		"national in scope; ＯＥＣＤ２０２４ 1835Tbps 數字鴻溝 99.7%\n"
		"可持续发展目标。\n\n";    /* ends a run: copies do not join */
	size_t ulen = strlen(unit);
	size_t k = 700;                                 /* ~230 KB: several chunks */
	char *text = malloc(ulen * k + 1);
	assert_non_null(text);
	for (size_t i = 0; i < k; i++)
		memcpy(text + i * ulen, unit, ulen);
	text[ulen * k] = '\0';
	uint32_t unit_lines = 0;
	for (size_t i = 0; i < ulen; i++)
		unit_lines += unit[i] == '\n';

	tterms one = analyze(unit);
	tterms all = analyze(text);
	assert_int_equal(all.n, one.n * k);
	/* Positions one unit takes (its last Han char starts no term). */
	uint32_t unit_pos = all.v[one.n].pos - one.v[0].pos;
	assert_int_equal(unit_pos, one.v[one.n - 1].pos + 1);
	assert_order(&all);
	for (size_t i = 0; i < all.n; i++) {
		size_t rep = i / one.n;
		const tterm *u = &one.v[i % one.n];
		const tterm *t = &all.v[i];
		assert_string_equal(t->text, u->text);
		assert_int_equal(t->kind, u->kind);
		assert_int_equal(t->pos, u->pos + rep * unit_pos);
		assert_int_equal(t->start, u->start + rep * ulen);
		assert_int_equal(t->end, u->end + rep * ulen);
		assert_int_equal(t->line, u->line + rep * unit_lines);
	}
	tterms_free(&one);
	tterms_free(&all);
	free(text);
}

/* 50 MB in one line: finishes, gives the expected terms, and the
 * analyzer's memory does not grow with the input. */
static void test_huge_line(void **state)
{
	(void)state;
	const char *unit = "数字治理 data governance ";   /* 3 bigrams, 2 words, 2 stems */
	size_t ulen = strlen(unit);
	size_t k = 50u * 1000u * 1000u / ulen;
	char *text = malloc(ulen * k);
	assert_non_null(text);
	for (size_t i = 0; i < k; i++)
		memcpy(text + i * ulen, unit, ulen);
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);
	cjk_analyzer_reset(a, text, ulen * k, 1);
	cjk_term t;
	size_t n = 0, bigrams = 0, max_mem = 0;
	uint32_t last_pos = 0;
	int r;
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		n++;
		bigrams += t.kind == CJK_TERM_BIGRAM;
		last_pos = t.pos;
		if ((n & 0xFFFFu) == 0) {
			size_t m = cjk_analyzer_memory(a);
			if (m > max_mem)
				max_mem = m;
		}
		assert_true(t.line == 1);
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 7 * k);
	assert_int_equal(bigrams, 3 * k);
	assert_int_equal(last_pos, 6 * k);
	assert_true(max_mem < 8u * 1024u * 1024u);
	cjk_analyzer_free(a);
	free(text);
}

/* 2 MB of Han text without a single safe cut point: a hard cut at a
 * character boundary after 1 MiB loses one bigram per cut, nothing else. */
static void test_hard_cut(void **state)
{
	(void)state;
	size_t chars = 700000;
	char *text = malloc(chars * 3);
	assert_non_null(text);
	for (size_t i = 0; i < chars; i++)
		memcpy(text + i * 3, i % 2 ? "据" : "数", 3);
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);
	cjk_analyzer_reset(a, text, chars * 3, 1);
	cjk_term t;
	size_t bigrams = 0;
	uint32_t last_pos = 0;
	int r;
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (t.kind != CJK_TERM_BIGRAM)
			continue;
		bigrams++;
		assert_true(t.pos > last_pos);
		last_pos = t.pos;
		assert_int_equal(t.end - t.start, 6);
		assert_int_equal(t.start, (t.pos - 1) * 3);
	}
	assert_int_equal(r, 0);
	size_t cuts = (chars * 3 - 1) / (1024 * 1024);
	assert_int_equal(bigrams, chars - 1 - cuts);
	cjk_analyzer_free(a);
	free(text);
}

/* ---- the Han run scan (cjk_text_has_han_run) ---- */

/* Code points of the valid UTF-8 string s into out[]; returns how many. */
static size_t utf8_decode(const char *s, uint32_t *out, size_t max)
{
	int32_t i = 0, len = (int32_t)strlen(s);
	size_t n = 0;
	while (i < len && n < max) {
		UChar32 c;
		U8_NEXT_UNSAFE(s, i, c);
		out[n++] = (uint32_t)c;
	}
	return n;
}

/* c as UTF-8 at out (room for 4 bytes); returns its length. */
static size_t utf8_encode(uint32_t c, char *out)
{
	size_t n = 0;
	U8_APPEND_UNSAFE(out, n, c);
	return n;
}

/* The BIGRAM terms of one text, as (text, position). */
typedef struct tbigram {
	char text[9];
	uint32_t pos;
} tbigram;

typedef struct tbigrams {
	tbigram *v;
	size_t n, cap;
} tbigrams;

static void bigrams_of(cjk_analyzer *a, const char *text, size_t len, tbigrams *bs)
{
	bs->n = 0;
	cjk_analyzer_reset(a, text, len, 1);
	cjk_term t;
	int r;
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (t.kind != CJK_TERM_BIGRAM)
			continue;
		assert_true(t.len < sizeof bs->v[0].text);
		if (bs->n == bs->cap) {
			bs->cap = bs->cap ? bs->cap * 2 : 64;
			bs->v = realloc(bs->v, bs->cap * sizeof *bs->v);
			assert_non_null(bs->v);
		}
		memcpy(bs->v[bs->n].text, t.text, t.len + 1);
		bs->v[bs->n++].pos = t.pos;
	}
	assert_int_equal(r, 0);
}

static void bigram_text(uint32_t c1, uint32_t c2, char out[9])
{
	size_t l = utf8_encode(c1, out);
	l += utf8_encode(c2, out + l);
	out[l] = '\0';
}

static bool bigrams_have(const tbigrams *bs, uint32_t c1, uint32_t c2, uint32_t pos)
{
	char want[9];
	bigram_text(c1, c2, want);
	for (size_t i = 0; i < bs->n; i++)
		if (bs->v[i].pos == pos && strcmp(bs->v[i].text, want) == 0)
			return true;
	return false;
}

/* The reference answer, from the analyzer's own terms: BIGRAMs
 * han[k]han[k+1] at positions p, p+1, ..., p+n-2 for some p.  The first
 * bigram is matched by text first, which keeps a long text linear. */
static bool bigrams_hold_run(const tbigrams *bs, const uint32_t *han, size_t n)
{
	if (n < 2)
		return false;
	char first[9];
	bigram_text(han[0], han[1], first);
	for (size_t i = 0; i < bs->n; i++) {
		if (strcmp(bs->v[i].text, first) != 0)
			continue;
		uint32_t p = bs->v[i].pos;
		size_t k = 1;
		while (k + 1 < n && bigrams_have(bs, han[k], han[k + 1], p + (uint32_t)k))
			k++;
		if (k + 1 == n)
			return true;
	}
	return false;
}

/* text[0..len) as C string literal pieces, for failure messages. */
static void print_escaped(const char *what, const char *text, size_t len)
{
	fprintf(stderr, "%s \"", what);
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)text[i];
		if (b == '\n')
			fprintf(stderr, "\\n");
		else if (b == '\r')
			fprintf(stderr, "\\r");
		else if (b == '\t')
			fprintf(stderr, "\\t");
		else if (b < 0x20u || b >= 0x80u)
			fprintf(stderr, "\\x%02X", b);
		else
			fputc(b, stderr);
	}
	fprintf(stderr, "\"\n");
}

/* cjk_text_has_han_run on text[0..len) for the run q (UTF-8) must give
 * expect, and so must the analyzer's bigrams. */
static void check_run_len(cjk_analyzer *a, const char *text, size_t len, const char *q, bool expect)
{
	uint32_t han[16];
	size_t n = utf8_decode(q, han, 16);
	tbigrams bs = { 0 };
	bigrams_of(a, text, len, &bs);
	bool ref = bigrams_hold_run(&bs, han, n);
	bool got = cjk_text_has_han_run(a, text, len, han, n);
	free(bs.v);
	if (ref == expect && got == expect)
		return;
	print_escaped("text", text, len);
	fail_msg("run \"%s\": expected %d, analyzer %d, scan %d", q, expect, ref, got);
}

static void check_run(cjk_analyzer *a, const char *text, const char *q, bool expect)
{
	check_run_len(a, text, strlen(text), q, expect);
}

typedef struct tfound {
	size_t start[8], end[8];
	size_t n;
} tfound;

static bool on_found(void *ud, size_t start, size_t end)
{
	tfound *f = ud;
	if (f->n < 8) {
		f->start[f->n] = start;
		f->end[f->n] = end;
	}
	f->n++;
	return true;
}

static void test_han_run_examples(void **state)
{
	(void)state;
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);

	/* Broken lines join; any other whitespace or non-Han ends the run. */
	check_run(a, "数字鸿沟", "数字鸿沟", true);
	check_run(a, "数字\n鸿沟", "数字鸿沟", true);
	check_run(a, "数字 \n\n 鸿沟", "数字鸿沟", true);
	check_run(a, "数字\t\r\n鸿沟", "数字鸿沟", true);
	check_run(a, "数字\r鸿沟", "数字鸿沟", true);
	check_run(a, "数字 鸿沟", "数字鸿沟", false);
	check_run(a, "数字 鸿沟", "数字", true);
	check_run(a, "数字 鸿沟", "鸿沟", true);
	check_run(a, "数字\t鸿沟", "数字鸿沟", false);
	check_run(a, "数字，鸿沟", "数字鸿沟", false);
	check_run(a, "数字，\n鸿沟", "数字鸿沟", false);
	check_run(a, "数字a鸿沟", "数字鸿沟", false);
	check_run(a, "数字\na\n鸿沟", "数字鸿沟", false);
	check_run(a, "数字-\n鸿沟", "数字鸿沟", false);
	check_run(a, "数字7鸿沟", "数字鸿沟", false);
	check_run(a, "数字カ鸿沟", "数字鸿沟", false);

	/* Folding: Traditional text, Kangxi radicals, compatibility
	 * ideographs (U+F900 -> U+8C48), also across a broken line. */
	check_run(a, "數字鴻溝", "数字鸿沟", true);
	check_run(a, "数字\n鴻溝", "数字鸿沟", true);
	check_run(a, "數字鴻溝", "數字", false);   /* han[] are folded */
	check_run(a, "⼈⼯智能", "人工智能", true);
	check_run(a, "\xEF\xA4\x80字", "岂字", true);      /* 豈 folds on to 岂 */
	check_run(a, "数\n\xEF\xA4\x80", "数岂", true);
	cjk_options o;
	cjk_options_default(&o);
	o.fold_traditional = false;
	cjk_analyzer *raw = cjk_analyzer_new(&o, NULL);
	assert_non_null(raw);
	check_run(raw, "數字鴻溝", "数字鸿沟", false);
	check_run(raw, "數字鴻溝", "數字鴻溝", true);
	check_run(raw, "數字\n鴻溝", "數字鴻溝", true);
	check_run(raw, "\xEF\xA4\x80字", "豈字", true);  /* NFKC all the same */
	cjk_analyzer_free(raw);

	/* Invalid UTF-8 (one U+FFFD per bad byte) breaks the run. */
	check_run(a, "数字\xFF鸿沟", "数字鸿沟", false);
	check_run(a, "数字\xFF鸿沟", "鸿沟", true);
	check_run(a, "数字\xE9\xB8鸿沟", "数字鸿沟", false);   /* truncated 鸿 */
	check_run(a, "数字\xE9\xB8鸿沟", "字鸿", false);
	check_run(a, "数字\n\xFF\n鸿沟", "数字鸿沟", false);
	check_run_len(a, "数字\xE9\xB8", 8, "数字", true);
	check_run_len(a, "数字\xE9\xB8", 8, "字鸿", false);
	check_run_len(a, "数字\0鸿沟", 13, "数字鸿沟", false);

	/* Repeated characters: a partial match falls back, not to zero. */
	check_run(a, "数数数据", "数数据", true);
	check_run(a, "数数 数据", "数数据", false);
	check_run(a, "数据数数据数据", "数据数据", true);
	check_run(a, "数据数数据", "数据数据", false);
	check_run(a, "哈哈哈", "哈哈", true);
	check_run(a, "哈哈哈", "哈哈哈哈", false);
	check_run(a, "数据数据据", "数据据", true);
	check_run(a, "数数数数据", "数数数据", true);

	/* At the very start and end of the text; n < 2; empty text. */
	check_run(a, "数字", "数字", true);
	check_run(a, "数字\n", "数字", true);
	check_run(a, "\n\n数字", "数字", true);
	check_run(a, "A数字", "数字", true);
	check_run(a, "数字鸿沟 x", "鸿沟", true);
	check_run(a, "数\n", "数字", false);
	check_run(a, "数", "数字", false);
	check_run(a, "", "数字", false);
	const uint32_t shu[2] = {0x6570, 0x5B57};    /* 数字 */
	assert_false(cjk_text_has_han_run(a, "数字", 6, shu, 1));
	assert_false(cjk_text_has_han_run(a, "数字", 6, shu, 0));
	assert_false(cjk_text_has_han_run(a, NULL, 0, shu, 2));
	assert_false(cjk_text_has_han_run(a, "数字", 5, shu, 2)); /* 字 cut short */

	/* cjk_text_find_han_runs: every occurrence, overlapping ones too,
	 * with its original byte range (broken lines included). */
	tfound f = { .n = 0 };
	const uint32_t haha[2] = {0x54C8, 0x54C8};  /* 哈哈 */
	assert_int_equal(cjk_text_find_han_runs(a, "哈哈哈 哈\n哈", 17, haha, 2, on_found, &f), 3);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.start[0], 0);
	assert_int_equal(f.end[0], 6);
	assert_int_equal(f.start[1], 3);
	assert_int_equal(f.end[1], 9);
	assert_int_equal(f.start[2], 10);
	assert_int_equal(f.end[2], 17);
	cjk_analyzer_free(a);
}

/* A hard chunk cut (a megabyte with no safe cut point) ends a run in the
 * analyzer; the scan cuts the text at the same places. */
static void test_han_run_hard_cut(void **state)
{
	(void)state;
	size_t chars = 400000;                  /* 1.2 MB: one hard cut */
	char *text = malloc(chars * 3);
	assert_non_null(text);
	for (size_t i = 0; i < chars; i++)
		memcpy(text + i * 3, "一", 3);
	size_t cut = 1024 * 1024 / 3;           /* first char after the cut */
	memcpy(text + (cut - 2) * 3, "数字鸿沟", 12);  /* 字 | 鸿 */
	cjk_analyzer *a = cjk_analyzer_new(NULL, NULL);
	assert_non_null(a);
	check_run_len(a, text, chars * 3, "数字鸿沟", false);
	check_run_len(a, text, chars * 3, "字鸿", false);
	check_run_len(a, text, chars * 3, "一数字", true);
	check_run_len(a, text, chars * 3, "鸿沟一", true);
	cjk_analyzer_free(a);
	free(text);
}

/* Random texts over a small alphabet (Han with Traditional forms, Latin,
 * digits, whitespace with and without newlines, punctuation, a bad byte):
 * the scan agrees with the analyzer's bigrams on runs taken from those
 * bigrams and on random runs. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

/* Up to pieces strings of alpha[0..na) end to end into text (room for
 * pieces times the longest); returns the bytes written. */
static size_t random_text(char *text, const char *const *alpha, size_t na, uint32_t pieces)
{
	size_t len = 0, k = 1 + rnd(pieces);
	for (size_t i = 0; i < k; i++) {
		const char *p = alpha[rnd((uint32_t)na)];
		memcpy(text + len, p, strlen(p));
		len += strlen(p);
	}
	return len;
}

static void test_han_run_random(void **state)
{
	(void)state;
	static const char *const alpha[] = {
		"数", "數", "据", "據", "字", "鸿", "鴻", "沟", "溝", "国", "國", "一",
		"人", "⼈", "\xEF\xA4\x80",
		"a", "Z", "7", " ", "\n", "\n", "\r\n", "\t", "-", "，", "\xFF",
	};
	static const char *const qalpha[] = {
		"数", "据", "字", "鸿", "沟", "国", "一", "人", "豈", "數", "鴻", "國", "a",
	};
	size_t na = sizeof alpha / sizeof *alpha, nq = sizeof qalpha / sizeof *qalpha;
	size_t cases = 0, positive = 0;
	tbigrams bs = { 0 };
	for (int fold = 0; fold < 2; fold++) {
		cjk_options o;
		cjk_options_default(&o);
		o.fold_traditional = fold;
		cjk_analyzer *a = cjk_analyzer_new(&o, NULL);
		assert_non_null(a);
		for (int it = 0; it < 1500; it++) {
			char text[256];
			size_t len = random_text(text, alpha, na, 30);
			bigrams_of(a, text, len, &bs);
			for (int q = 0; q < 6; q++) {
				uint32_t han[5];
				size_t n = 2 + rnd(4);
				if (q < 3 && bs.n) {
					/* a run the analyzer saw: a chain of bigrams */
					const tbigram *b = &bs.v[rnd((uint32_t)bs.n)];
					utf8_decode(b->text, han, 2);
					size_t m = 2;
					while (m < n) {
						size_t j = 0;
						while (j < bs.n && bs.v[j].pos != b->pos + m - 1)
							j++;
						if (j == bs.n)
							break;
						uint32_t two[2];
						utf8_decode(bs.v[j].text, two, 2);
						han[m++] = two[1];
					}
					n = m;
				} else {
					for (size_t m = 0; m < n; m++)
						utf8_decode(qalpha[rnd((uint32_t)nq)], han + m, 1);
				}
				bool ref = bigrams_hold_run(&bs, han, n);
				bool got = cjk_text_has_han_run(a, text, len, han, n);
				cases++;
				positive += ref;
				if (q < 3 && bs.n && !ref)
					fail_msg("a run made of the analyzer's bigrams is not found in them");
				if (ref == got)
					continue;
				print_escaped("text", text, len);
				fprintf(stderr, "fold_traditional %d, run", fold);
				for (size_t m = 0; m < n; m++) {
					char u[5];
					u[utf8_encode(han[m], u)] = '\0';
					fprintf(stderr, " U+%04X %s", han[m], u);
				}
				fprintf(stderr, "\n");
				fail_msg("analyzer %d, scan %d", ref, got);
			}
		}
		cjk_analyzer_free(a);
	}
	free(bs.v);
	/* not vacuous: plenty of both answers */
	assert_true(positive > cases / 5 && positive < cases * 4 / 5);
}


/* ---- without dictionary words ---- */

/* text read without words gives exactly the terms of a full analysis but
 * its CJK_WORDs, in the same order. */
static bool same_without_words(cjk_analyzer *a, const char *text, size_t len)
{
	tterms full = { 0 };
	cjk_term t;
	int r;
	cjk_analyzer_reset(a, text, len, 3);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		if (t.kind == CJK_TERM_CJK_WORD)
			continue;
		tterms_push(&full, &t);
	}
	assert_int_equal(r, 0);
	size_t i = 0;
	bool same = true;
	cjk_analyzer_reset_without_words(a, text, len, 3);
	while (same && (r = cjk_analyzer_next(a, &t)) == 1) {
		const tterm *f = i < full.n ? &full.v[i] : NULL;
		same = f && t.kind != CJK_TERM_CJK_WORD && strcmp(f->text, t.text) == 0 && f->kind == t.kind &&
		       f->pos == t.pos && f->start == t.start && f->end == t.end && f->line == t.line;
		if (!same)
			fprintf(stderr, "term %zu: full \"%s\" kind %d pos %u [%zu,%zu) line %u; without words "
			        "\"%s\" kind %d pos %u [%zu,%zu) line %u\n", i, f ? f->text : "(none)",
			        f ? (int)f->kind : -1, f ? f->pos : 0, f ? f->start : 0, f ? f->end : 0,
			        f ? f->line : 0, t.text, (int)t.kind, t.pos, t.start, t.end, t.line);
		i++;
	}
	if (same && i != full.n) {
		fprintf(stderr, "without words: %zu terms, full: %zu\n", i, full.n);
		same = false;
	}
	tterms_free(&full);
	return same;
}

static void test_without_words_examples(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"维护国家安全，中华人民共和国",
		"全球数字契约与人工智能治理",
		"OECD的数字经济展望2023年报告",
		"G20峰会上，各国讨论了AI和5G网络。",
		"inter-\nnational 数据\n治理 data-driven",
		"数字鸿沟（digital divide）是发展中国家面临的问题",
		"日本語の文章とカタカナ、한국어 텍스트",
		"國際電信聯盟 ITU-T 標準",
		"漢\xEF\xB8\x8F字 e\xCC\x81t\xC3\xA9 don't U.S. 3.14 1,000",
		/* Han, ZWJ and a pictograph: one segment ICU gives no word status */
		"中文\xE2\x80\x8D\xE2\x9D\xA4 abc",
		"国\xE2\x80\x8D\xE2\x9D\xA4",
		"数据\xEF\xB8\x8F\xE2\x80\x8D\xE2\x9C\x85 数据\xE2\x80\x8D\xC2\xA9 2023",
		"",
	};
	cjk_options o;
	cjk_options_default(&o);
	cjk_analyzer *a = cjk_analyzer_new(&o, NULL);
	assert_non_null(a);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		if (!same_without_words(a, texts[i], strlen(texts[i])))
			fail_msg("differs on \"%s\"", texts[i]);
	/* not vacuous: the full analysis has dictionary words here */
	tterms ts = analyze(texts[0]);
	size_t words = 0;
	for (size_t i = 0; i < ts.n; i++)
		words += ts.v[i].kind == CJK_TERM_CJK_WORD;
	assert_true(words > 0);
	tterms_free(&ts);
	cjk_analyzer_free(a);
}

static void test_without_words_random(void **state)
{
	(void)state;
	static const char *const alpha[] = {
		"数", "據", "字", "国", "际", "规", "则", "人", "工", "智", "能", "的", "年",
		"a", "Z", "ab", "7", "2023", " ", "\n", "\r\n", "-", "'", ".", ",", "，", "。", "（", "）",
		"の", "カ", "ー", "한", "\xCC\x81", "\xEF\xB8\x8F", "\xE2\x80\x8B", "\xEF\xBC\xA1", "\xFF",
		"\xE2\x80\x8D", "\xE2\x9D\xA4", "\xC2\xA9",
	};
	size_t na = sizeof alpha / sizeof *alpha;
	cjk_options o;
	cjk_options_default(&o);
	cjk_analyzer *a = cjk_analyzer_new(&o, NULL);
	assert_non_null(a);
	for (int it = 0; it < 3000; it++) {
		char text[512];
		size_t len = random_text(text, alpha, na, 60);
		if (!same_without_words(a, text, len)) {
			print_escaped("text", text, len);
			fail_msg("case %d differs", it);
		}
	}
	cjk_analyzer_free(a);
}

/* Every report of ../shared/corpus, whole: what the searcher's matcher
 * reads is what the indexer indexed. */
static void test_without_words_corpus(void **state)
{
	(void)state;
	const char *dir = getenv("WENSOU_SHARED_CORPUS");
	if (!dir || access(dir, R_OK) != 0) {
		fprintf(stderr, "skipped: ../shared/corpus is absent (WENSOU_SHARED_CORPUS)\n");
		skip();
	}
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "ls '%s'", dir);
	FILE *ls = popen(cmd, "r");
	assert_non_null(ls);
	cjk_options o;
	cjk_options_default(&o);
	cjk_analyzer *a = cjk_analyzer_new(&o, NULL);
	assert_non_null(a);
	char name[1024];
	unsigned files = 0;
	while (fgets(name, sizeof name, ls)) {
		name[strcspn(name, "\n")] = '\0';
		size_t nl = strlen(name);
		if (nl < 4 || (strcmp(name + nl - 3, ".md") && strcmp(name + nl - 4, ".txt")))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		char *buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		if (!same_without_words(a, buf, (size_t)n))
			fail_msg("differs on %s", name);
		free(buf);
		files++;
	}
	pclose(ls);
	cjk_analyzer_free(a);
	assert_true(files >= 3);
}

/* ---- page numbers ---- */

static void test_page_numbers(void **state)
{
	(void)state;
	static const char *const yes[] = {
		" 8 ", "31", "- 3 -", "第 3 页", "第3页", "iv", "XII", "Page 12",
		"page 3 of 40", "— 17 —", "\t 120 \r", "２３", "2021 ",
	};
	static const char *const no[] = {
		"数字经济 8", "2021年", "", "   ", "12345", "Chapter 3", "iiii", "mix",
		"- 3", "3.5", "8%", "第三页", "ivX", "I have",
	};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!cjk_line_is_page_number(yes[i], strlen(yes[i])))
			fail_msg("\"%s\" should be a page number", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (cjk_line_is_page_number(no[i], strlen(no[i])))
			fail_msg("\"%s\" is not a page number", no[i]);
	assert_false(cjk_line_is_page_number(NULL, 0));
}

/* The pairs cjk_han_pairs gives, as "ab|cd|", into buf. */
static void collect_pair(void *ud, size_t at, size_t n)
{
	char **out = ud, *end = out[1] + strlen(out[1]);
	memcpy(end, out[0] + at, n);
	end[n] = '|';
	end[n + 1] = '\0';
}

static const char *pairs_of(const char *text, char *buf)
{
	char *state[2] = {(char *)text, buf};
	buf[0] = '\0';
	cjk_han_pairs(text, strlen(text), collect_pair, state);
	return buf;
}

static void test_han_pairs(void **state)
{
	(void)state;
	char buf[256];
	assert_string_equal(pairs_of("数字治理", buf), "数字|字治|治理|");
	/* a pair is two Han characters side by side, nothing between */
	assert_string_equal(pairs_of("数字 治理", buf), "数字|治理|");
	assert_string_equal(pairs_of("AI数字b治", buf), "数字|");
	assert_string_equal(pairs_of("数据据", buf), "数据|据据|");
	assert_string_equal(pairs_of("二〇二二年", buf), "二〇|〇二|二二|二年|");
	assert_string_equal(pairs_of("数\xff字", buf), "");
	assert_string_equal(pairs_of("数", buf), "");
	assert_string_equal(pairs_of("", buf), "");
}

static void test_is_han(void **state)
{
	(void)state;
	assert_true(cjk_is_han(0x6570));        /* 数 */
	assert_true(cjk_is_han(0x3400));
	assert_true(cjk_is_han(0x20000));
	assert_true(cjk_is_han(0x3007));        /* 〇 */
	assert_false(cjk_is_han(0x3002));       /* 。 */
	assert_false(cjk_is_han(0x30AB));       /* カ */
	assert_false(cjk_is_han('A'));
	assert_false(cjk_is_han(0xFF10));       /* ０ */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bigram_two_chars),
		cmocka_unit_test(test_bigram_runs),
		cmocka_unit_test(test_cjk_word),
		cmocka_unit_test(test_newline_between_han),
		cmocka_unit_test(test_hyphenated_newline),
		cmocka_unit_test(test_mixed_latin_han),
		cmocka_unit_test(test_fullwidth_and_numbers),
		cmocka_unit_test(test_stem_off),
		cmocka_unit_test(test_long_term_dropped),
		cmocka_unit_test(test_traditional),
		cmocka_unit_test(test_fold_table),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_chunks_are_invisible),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_hard_cut),
		cmocka_unit_test(test_han_run_examples),
		cmocka_unit_test(test_han_run_hard_cut),
		cmocka_unit_test(test_han_run_random),
		cmocka_unit_test(test_without_words_examples),
		cmocka_unit_test(test_without_words_random),
		cmocka_unit_test(test_without_words_corpus),
		cmocka_unit_test(test_page_numbers),
		cmocka_unit_test(test_is_han),
		cmocka_unit_test(test_han_pairs),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	u_cleanup();    /* free ICU's caches: valgrind then reports no leak */
	return failed;
}
