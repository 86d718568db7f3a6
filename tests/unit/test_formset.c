/* test_formset.c - the glossary forms the index gives terms of their own
 * (glossary/formset.h), and the glossary cache (glossary/cache.c): a
 * form's term must be where a search for the form would find it, no more
 * and no less, and a cached glossary must be the glossary its files say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <unicode/uclean.h>
#include <xxhash.h>

#include "cjk.h"
#include "formset.h"
#include "glossary.h"
#include "text.h"
#include "tmpdir.h"

static cjk_analyzer *analyzer(bool fold)
{
	cjk_options o;
	cjk_options_default(&o);
	o.fold_traditional = fold;
	char *err = NULL;
	cjk_analyzer *a = cjk_analyzer_new(&o, &err);
	if (!a)
		fail_msg("cjk_analyzer_new: %s", err ? err : "?");
	return a;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A glossary of text, loaded through a file in tmpdir named name. */
static ws_glossary *glossary_of(cjk_analyzer *a, const char *name, const char *text)
{
	char path[PATH_MAX];
	path_in_tmp(path, sizeof path, name);
	write_file(path, text);
	const char *paths[1] = {path};
	ws_glossary *g = NULL;
	char *err = NULL;
	if (!ws_glossary_load(paths, 1, a, &g, &err))
		fail_msg("ws_glossary_load: %s", err ? err : "?");
	return g;
}

static ws_formset *formset_of(cjk_analyzer *a, const char *text)
{
	ws_glossary *g = glossary_of(a, "forms.txt", text);
	ws_formset *fs = NULL;
	assert_true(ws_formset_new(g, a, &fs));
	ws_glossary_free(g);
	return fs;
}

/* Index of form (its folded text) in fs, or -1. */
static long form_index(const ws_formset *fs, const char *form)
{
	for (size_t k = 0; k < ws_formset_size(fs); k++) {
		size_t len;
		const char *t = ws_formset_form(fs, k, &len);
		if (len == strlen(form) && !memcmp(t, form, len))
			return (long)k;
	}
	return -1;
}

typedef struct counts {
	unsigned n[64];
} counts;

static void count_found(void *ud, size_t k)
{
	counts *c = ud;
	assert_true(k < 64);
	c->n[k]++;
}

static unsigned found_in(const ws_formset *fs, cjk_analyzer *a, const char *text, const char *form)
{
	counts c = {{0}};
	long k = form_index(fs, form);
	assert_true(k >= 0);
	ws_formset_scan(fs, a, text, strlen(text), count_found, &c);
	return c.n[k];
}

static void test_which_forms_get_terms(void **state)
{
	(void)state;
	cjk_analyzer *a = analyzer(true);
	ws_formset *fs = formset_of(a, "全球数字契约 | 数字契约 | Global Digital Compact | GDC\n"
	                               "数字经济 | digital economy\n"
	                               "联合国 | UN | 联合国（UN）\n"
	                               "云计算 | cloud computing | 云 计算\n");
	/* Han runs of three characters or more, and phrases of words */
	assert_true(form_index(fs, "全球数字契约") >= 0);
	assert_true(form_index(fs, "数字契约") >= 0);
	assert_true(form_index(fs, "联合国") >= 0);
	assert_true(form_index(fs, "数字经济") >= 0);
	assert_true(form_index(fs, "云计算") >= 0);
	assert_true(form_index(fs, "global digital compact") >= 0);
	assert_true(form_index(fs, "digital economy") >= 0);
	assert_true(form_index(fs, "cloud computing") >= 0);
	/* a single word is one term already; a run and more, or two runs,
	 * is no phrase the search finds as one term */
	assert_int_equal(form_index(fs, "gdc"), -1);
	assert_int_equal(form_index(fs, "un"), -1);
	assert_int_equal(form_index(fs, "联合国（UN）"), -1);
	assert_int_equal(form_index(fs, "云计算 "), -1);
	assert_int_equal(ws_formset_size(fs), 8);
	ws_formset_free(fs);
	cjk_analyzer_free(a);
}

static void test_han_forms_where_the_run_check_finds_them(void **state)
{
	(void)state;
	cjk_analyzer *a = analyzer(true);
	ws_formset *fs = formset_of(a, "全球数字契约 | 数字契约 | Global Digital Compact\n哈哈哈 | haha\n");
	assert_int_equal(found_in(fs, a, "落实《全球数字契约》的行动", "全球数字契约"), 1);
	/* a form inside a longer one is there too */
	assert_int_equal(found_in(fs, a, "落实《全球数字契约》的行动", "数字契约"), 1);
	/* a line broken inside the run: still one run */
	assert_int_equal(found_in(fs, a, "落实全球数字\n契约的行动", "全球数字契约"), 1);
	assert_int_equal(found_in(fs, a, "落实全球数字\r\n  契约的行动", "全球数字契约"), 1);
	/* punctuation or a space on one line ends a run */
	assert_int_equal(found_in(fs, a, "全球数字，契约", "全球数字契约"), 0);
	assert_int_equal(found_in(fs, a, "全球数字 契约", "全球数字契约"), 0);
	/* Traditional text folds as the index folds it */
	assert_int_equal(found_in(fs, a, "落實《全球數字契約》", "全球数字契约"), 1);
	/* each occurrence, overlapping ones too */
	assert_int_equal(found_in(fs, a, "数字契约和数字契约", "数字契约"), 2);
	assert_int_equal(found_in(fs, a, "哈哈哈哈", "哈哈哈"), 2);
	ws_formset_free(fs);
	cjk_analyzer_free(a);
}

/* The scan must count what the searcher's check counts, form by form,
 * on texts of a small alphabet where forms, near misses, line breaks and
 * punctuation meet often. */
static void test_han_forms_agree_with_the_run_check(void **state)
{
	(void)state;
	cjk_analyzer *a = analyzer(true);
	const char *forms[] = {"数字契约", "契约数字", "数数数", "字契约数字", "约数字"};
	ws_formset *fs = formset_of(a, "数字契约 | x1\n契约数字 | x2\n数数数 | x3\n字契约数字 | x4\n约数字 | x5\n");
	static const char *const alphabet[] = {"数", "字", "契", "约", "數", "，", " ", "\n", "a"};
	srand(16);
	for (int round = 0; round < 3000; round++) {
		char text[512];
		size_t len = 0;
		int n = rand() % 40;
		for (int i = 0; i < n; i++) {
			const char *c = alphabet[rand() % 9];
			memcpy(text + len, c, strlen(c));
			len += strlen(c);
		}
		text[len] = '\0';
		counts c = {{0}};
		ws_formset_scan(fs, a, text, len, count_found, &c);
		for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
			uint32_t han[8];
			size_t nh = 0, fl = strlen(forms[f]);
			for (size_t i = 0; i < fl;)
				han[nh++] = ws_utf8_next(forms[f], fl, &i);
			size_t want = cjk_text_find_han_runs(a, text, len, han, nh, NULL, NULL);
			long k = form_index(fs, forms[f]);
			assert_true(k >= 0);
			if (c.n[k] != want)
				fail_msg("\"%s\" in \"%s\": the scan found %u, the run check %zu", forms[f], text, c.n[k], want);
		}
	}
	ws_formset_free(fs);
	cjk_analyzer_free(a);
}

/* Feed text's WORD and NUMBER terms to ws_formset_word, as the indexer
 * does; the count of form. */
static unsigned words_found(const ws_formset *fs, cjk_analyzer *a, const char *text, const char *form)
{
	counts c = {{0}};
	long k = form_index(fs, form);
	assert_true(k >= 0);
	ws_form_words *w = malloc(sizeof *w);
	assert_non_null(w);
	ws_form_words_reset(w);
	cjk_analyzer_reset(a, text, strlen(text), 1);
	cjk_term t;
	while (cjk_analyzer_next(a, &t) == 1)
		if (t.kind == CJK_TERM_WORD || t.kind == CJK_TERM_NUMBER)
			ws_formset_word(fs, w, t.text, t.len, t.pos, count_found, &c);
	free(w);
	return c.n[k];
}

static void test_phrase_forms_where_the_phrase_matches(void **state)
{
	(void)state;
	cjk_analyzer *a = analyzer(true);
	ws_formset *fs = formset_of(a, "全球数字契约 | Global Digital Compact\n数字经济 | digital economy\n"
	                               "多利益攸关方 | multi-stakeholder\n五代 | the 5G network\n");
	assert_int_equal(words_found(fs, a, "The Global Digital Compact was adopted.", "global digital compact"), 1);
	assert_int_equal(words_found(fs, a, "the digital economy, and the digital economy again", "digital economy"), 2);
	assert_int_equal(words_found(fs, a, "a multi-stakeholder approach", "multi stakeholder"), 1);
	assert_int_equal(words_found(fs, a, "on the 5G network", "the 5g network"), 1);
	/* other words, punctuation that is a term, or Han in between: no phrase */
	assert_int_equal(words_found(fs, a, "digital and economy", "digital economy"), 0);
	assert_int_equal(words_found(fs, a, "economy digital", "digital economy"), 0);
	assert_int_equal(words_found(fs, a, "digital 数字 economy", "digital economy"), 0);
	assert_int_equal(words_found(fs, a, "Global Digital", "global digital compact"), 0);
	/* across a line break it is one phrase, as the positions say */
	assert_int_equal(words_found(fs, a, "the digital\neconomy", "digital economy"), 1);
	ws_formset_free(fs);
	cjk_analyzer_free(a);
}

static void test_the_list_a_shard_keeps(void **state)
{
	(void)state;
	cjk_analyzer *a = analyzer(true);
	ws_formset *fs = formset_of(a, "数字经济 | digital economy\n全球数字契约 | 数字契约\n");
	char *all = ws_formset_list(fs, NULL);
	assert_non_null(all);
	assert_true(ws_forms_list_has(all, strlen(all), "数字契约", strlen("数字契约")));
	assert_true(ws_forms_list_has(all, strlen(all), "digital economy", strlen("digital economy")));
	/* a form only inside another's line is not listed */
	assert_false(ws_forms_list_has(all, strlen(all), "数字", strlen("数字")));
	assert_false(ws_forms_list_has(all, strlen(all), "契约", strlen("契约")));
	/* a shard keeps the forms both its list and the glossary have */
	char *kept = ws_formset_list(fs, "\n人工智能\n数字契约\n");
	assert_string_equal(kept, "\n数字契约\n");
	char *none = ws_formset_list(fs, "\n人工智能\n");
	assert_string_equal(none, "");
	free(all);
	free(kept);
	free(none);
	ws_formset_free(fs);
	cjk_analyzer_free(a);
}

/* The expansion a glossary gives text: its forms, joined by " | ". */
static char *forms_of(const ws_glossary *g, cjk_analyzer *a, const char *text)
{
	char **forms = NULL;
	size_t n = 0;
	assert_true(ws_glossary_forms(g, a, text, &forms, &n));
	char buf[1024] = "";
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, " | ");
		strcat(buf, forms[i]);
		free(forms[i]);
	}
	free(forms);
	return strdup(buf);
}

/* The cache folder is made with the folders that lead to it, but for a
 * $HOME that does not exist, which is never made. */
static void test_the_cache_folder_is_made_with_its_parents(void **state)
{
	(void)state;
	char cache[PATH_MAX], path[PATH_MAX], home[PATH_MAX];
	path_in_tmp(cache, sizeof cache, "deep/er/cache");
	setenv("XDG_CACHE_HOME", cache, 1);
	cjk_analyzer *a = analyzer(true);
	ws_glossary *g = glossary_of(a, "deep.txt", "数字经济 | digital economy\n");
	ws_glossary_free(g);
	path_in_tmp(path, sizeof path, "deep/er/cache/wensou");
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	unsetenv("XDG_CACHE_HOME");
	path_in_tmp(home, sizeof home, "no-such-home");
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", home, 1);
	g = glossary_of(a, "deep2.txt", "开源 | open source\n");
	char *s = forms_of(g, a, "open source");
	assert_string_equal(s, "开源 | open source"); /* no cache, the glossary all the same */
	free(s);
	ws_glossary_free(g);
	assert_int_not_equal(stat(home, &sb), 0);
	if (old_home)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	free(old_home);
	cjk_analyzer_free(a);
}

static void test_a_cached_glossary_is_its_files(void **state)
{
	(void)state;
	char cache[PATH_MAX], path[PATH_MAX];
	path_in_tmp(cache, sizeof cache, "cache");
	setenv("XDG_CACHE_HOME", cache, 1);
	cjk_analyzer *a = analyzer(true);
	ws_glossary *g = glossary_of(a, "cached.txt", "數字經濟 | digital economy\n");
	char *s = forms_of(g, a, "数字经济");
	assert_string_equal(s, "數字經濟 | digital economy");
	free(s);
	ws_glossary_free(g);
	path_in_tmp(path, sizeof path, "cache/wensou");
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0); /* a cache was written */

	/* read again (from the cache): the same */
	const char *paths[1] = {NULL};
	char file[PATH_MAX];
	path_in_tmp(file, sizeof file, "cached.txt");
	paths[0] = file;
	char *err = NULL;
	assert_true(ws_glossary_load(paths, 1, a, &g, &err));
	s = forms_of(g, a, "digital economy");
	assert_string_equal(s, "數字經濟 | digital economy");
	free(s);
	ws_glossary_free(g);

	/* an analyzer that folds otherwise: not the cached weak keys */
	cjk_analyzer *b = analyzer(false);
	assert_true(ws_glossary_load(paths, 1, b, &g, &err));
	s = forms_of(g, b, "數字經濟");
	assert_string_equal(s, "數字經濟 | digital economy");
	free(s);
	ws_glossary_free(g);
	cjk_analyzer_free(b);

	/* the file changed: read it again */
	write_file(file, "數字經濟 | digital economy\n开源 | open source\n");
	struct timespec ts[2] = {{0, UTIME_NOW}, {time(NULL) + 5, 0}};
	assert_int_equal(utimensat(AT_FDCWD, file, ts, 0), 0);
	assert_true(ws_glossary_load(paths, 1, a, &g, &err));
	s = forms_of(g, a, "open source");
	assert_string_equal(s, "开源 | open source");
	free(s);
	ws_glossary_free(g);

	/* a damaged cache is read no further */
	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof cmd, "for f in '%s'/glossary-*.bin; do head -c 100 \"$f\" > \"$f.x\" && mv \"$f.x\" \"$f\"; done",
	         path);
	assert_int_equal(system(cmd), 0);
	assert_true(ws_glossary_load(paths, 1, a, &g, &err));
	s = forms_of(g, a, "open source");
	assert_string_equal(s, "开源 | open source");
	free(s);
	ws_glossary_free(g);
	cjk_analyzer_free(a);
	unsetenv("XDG_CACHE_HOME");
}

/* The stem ws_glossary_stem gives word, "" for none. */
static const char *stem_of(const ws_glossary *g, const char *word)
{
	static char buf[64];
	size_t n = 0;
	const char *st = ws_glossary_stem(g, word, strlen(word), &n);
	snprintf(buf, sizeof buf, "%.*s", st ? (int)n : 0, st ? st : "");
	return buf;
}

/* The glossary keeps its forms' stems, from its files and from its cache;
 * a cache whose stems are forged, its checksum made right, is not read. */
static void test_the_stems_a_glossary_keeps(void **state)
{
	(void)state;
	char cache[PATH_MAX], dir[PATH_MAX], file[PATH_MAX];
	path_in_tmp(cache, sizeof cache, "stems-cache");
	setenv("XDG_CACHE_HOME", cache, 1);
	cjk_analyzer *a = analyzer(true);
	const char *text = "数据流动 | data flows | dataflow\n";
	for (int from_cache = 0; from_cache < 2; from_cache++) {
		ws_glossary *g = glossary_of(a, "stems.txt", text);
		assert_string_equal(stem_of(g, "flows"), "flow");
		assert_string_equal(stem_of(g, "data"), "data");
		assert_string_equal(stem_of(g, "dataflow"), "dataflow");
		assert_string_equal(stem_of(g, "flow"), ""); /* no form has it */
		assert_string_equal(stem_of(g, "flowsx"), "");
		ws_glossary_free(g);
	}

	/* the last entry, "flows\0flow\0", made one string "flowsXflow\0" */
	path_in_tmp(dir, sizeof dir, "stems-cache/wensou");
	char cmd[PATH_MAX * 2 + 64];
	snprintf(cmd, sizeof cmd, "ls '%s'/glossary-*.bin", dir);
	FILE *ls = popen(cmd, "r");
	assert_non_null(ls);
	assert_non_null(fgets(file, sizeof file, ls));
	pclose(ls);
	file[strcspn(file, "\n")] = '\0';
	FILE *f = fopen(file, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_true(len > 8 && len < sizeof buf);
	static const char entry[] = "flows\0flow\0";
	char *at = memmem(buf, len - 8, entry, sizeof entry - 1);
	assert_non_null(at);
	assert_ptr_equal(at + sizeof entry - 1, buf + len - 8); /* the last one */
	at[5] = 'X';
	uint64_t check = XXH3_64bits(buf, len - 8);
	memcpy(buf + len - 8, &check, sizeof check);
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	/* read from the files again: the stems are right */
	ws_glossary *g = glossary_of(a, "stems.txt", text);
	assert_string_equal(stem_of(g, "flows"), "flow");
	assert_string_equal(stem_of(g, "flowsXflow"), "");
	ws_glossary_free(g);
	cjk_analyzer_free(a);
	unsetenv("XDG_CACHE_HOME");
}

static int group_setup(void **state)
{
	(void)state;
	return tmpdir_make("test_formset");
}

static int group_teardown(void **state)
{
	(void)state;
	return tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_forms_get_terms),
		cmocka_unit_test(test_han_forms_where_the_run_check_finds_them),
		cmocka_unit_test(test_han_forms_agree_with_the_run_check),
		cmocka_unit_test(test_phrase_forms_where_the_phrase_matches),
		cmocka_unit_test(test_the_list_a_shard_keeps),
		cmocka_unit_test(test_the_cache_folder_is_made_with_its_parents),
		cmocka_unit_test(test_a_cached_glossary_is_its_files),
		cmocka_unit_test(test_the_stems_a_glossary_keeps),
	};
	int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
	u_cleanup();
	return failed;
}
