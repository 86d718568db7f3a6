/* test_terminal.c - unit tests of the terminal side of the searcher that
 * need no index: ICU line wrapping, the option table's suggestions and
 * completions, $WENSOU_COLORS, the config file, the prompt's commands,
 * and the terminal printer on hand-made hits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <unicode/uchar.h>

#include "cli.h"
#include "colors.h"
#include "config.h"
#include "opttab.h"
#include "print.h"
#include "prompt_cmd.h"
#include "text.h"
#include "wrap.h"

/* ------------------------------------------------------------------ */
/* Wrapping                                                             */

static bool starts_with_closer(const char *s, size_t len)
{
	size_t i = 0;
	if (!len)
		return false;
	uint32_t c = ws_utf8_next(s, len, &i);
	int lb = u_getIntPropertyValue((UChar32)c, UCHAR_LINE_BREAK);
	return lb == U_LB_CLOSE_PUNCTUATION || lb == U_LB_CLOSE_PARENTHESIS || lb == U_LB_EXCLAMATION ||
	       lb == U_LB_INFIX_NUMERIC || lb == U_LB_NONSTARTER;
}

/* Wrap text at every width from 6 to 40: lines fit, no line starts with
 * a closing mark, nothing but spaces is lost, and no line has a space at
 * either end. */
static void check_wrap(const char *text)
{
	char *err = NULL;
	ws_wrapper *w = ws_wrapper_new(&err);
	assert_non_null(w);
	size_t len = strlen(text);
	for (unsigned width = 6; width <= 40; width++) {
		ws_wline *lines;
		size_t n;
		assert_true(ws_wrap(w, text, len, width, &lines, &n));
		assert_true(n >= 1);
		size_t at = 0;
		for (size_t i = 0; i < n; i++) {
			const char *l = text + lines[i].start;
			size_t ll = lines[i].end - lines[i].start;
			if (lines[i].width > width)
				fail_msg("width %u: line %zu is %u wide: %.*s", width, i, lines[i].width, (int)ll, l);
			assert_int_equal(lines[i].width, ws_str_width(l, ll));
			if (i > 0 && starts_with_closer(l, ll))
				fail_msg("width %u: line %zu starts with a closing mark: %.*s", width, i, (int)ll, l);
			assert_true(ll == 0 || (l[0] != ' ' && l[ll - 1] != ' '));
			assert_true(lines[i].start >= at);
			/* what lies between lines is white space: nothing else is lost */
			for (size_t k = at; k < lines[i].start;)
				assert_true(ws_is_space(ws_utf8_next(text, lines[i].start, &k)));
			at = lines[i].end;
		}
		for (size_t k = at; k < len;)
			assert_true(ws_is_space(ws_utf8_next(text, len, &k)));
		free(lines);
	}
	ws_wrapper_free(w);
}

static void test_wrap_chinese_punctuation(void **state)
{
	(void)state;
	check_wrap("在联合国评估的22种在线公共服务中，排名前54的国家几乎实现完全覆盖。在弥合“最后一公里”难度增大的背景下，"
	           "倡导韧性、包容；（一）加强数字连接」。数据要素全球流动保持高位……");
	check_wrap("Cross-border data flows (CBDF) are governed by APEC's CBPR system; see https://example.org/a/very/long/path/name.");
	check_wrap("数字鸿沟 digital divide 在 OECD 国家。”（注１）他说：“好！”……");
}

static void test_wrap_known_breaks(void **state)
{
	(void)state;
	char *err = NULL;
	ws_wrapper *w = ws_wrapper_new(&err);
	ws_wline *lines;
	size_t n;
	/* eight columns: 数字鸿沟 fits, the comma may not start the next line */
	const char *t = "数字鸿沟，弥合";
	assert_true(ws_wrap(w, t, strlen(t), 8, &lines, &n));
	assert_int_equal(n, 2);
	assert_int_equal(lines[0].width, 6); /* 数字鸿 */
	assert_memory_equal(t + lines[1].start, "沟，", 6);
	free(lines);
	/* English breaks at spaces, which belong to no line */
	t = "open data  policy";
	assert_true(ws_wrap(w, t, strlen(t), 10, &lines, &n));
	assert_int_equal(n, 2);
	assert_int_equal(lines[0].end - lines[0].start, 9);
	assert_memory_equal(t + lines[1].start, "policy", 6);
	free(lines);
	/* a word wider than a line is cut */
	t = "abcdefghijklmnop";
	assert_true(ws_wrap(w, t, strlen(t), 6, &lines, &n));
	assert_int_equal(n, 3);
	free(lines);
	/* empty text: one empty line */
	assert_true(ws_wrap(w, "", 0, 10, &lines, &n));
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].end, 0);
	free(lines);
	ws_wrapper_free(w);
}

/* ------------------------------------------------------------------ */
/* Option tables                                                        */

static const ws_optdef defs[] = {
	{"json", 0, 1, WS_OPTVAL_NONE, NULL, NULL, "json"},
	{"year", 0, 2, WS_OPTVAL_ANY, "Y", NULL, "year"},
	{"version", 'V', 3, WS_OPTVAL_NONE, NULL, NULL, "version"},
	{"color", 0, 4, WS_OPTVAL_CHOICE, "WHEN", "auto always never", "colour [x]: y"},
	{"db", 0, 5, WS_OPTVAL_DIR, "DIR", NULL, "db"},
};
static const ws_opttab tab = {"prog-x", defs, 5, WS_OPTVAL_FILE};

static void test_opttab_suggest(void **state)
{
	(void)state;
	struct {
		const char *arg, *want;
	} cases[] = {
		{"--jsn", "json"},   {"--yaer", "year"}, {"--yaer=2023", "year"}, {"-v", "version"},
		{"--colour", "color"}, {"--versoin", "version"}, {"--frobnicate", NULL}, {"--x", NULL},
		{"-q", NULL},        {"--d", "db"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const ws_optdef *d = ws_opttab_suggest(&tab, cases[i].arg);
		if (cases[i].want && (!d || strcmp(d->name, cases[i].want)))
			fail_msg("%s: wanted --%s, got %s", cases[i].arg, cases[i].want, d ? d->name : "nothing");
		if (!cases[i].want && d)
			fail_msg("%s: wanted nothing, got --%s", cases[i].arg, d->name);
	}
	assert_ptr_equal(ws_opttab_find(&tab, "year=2", 0), &defs[1]);
	assert_ptr_equal(ws_opttab_find(&tab, NULL, 'V'), &defs[2]);
	assert_null(ws_opttab_find(&tab, "yea", 0));
}

static char *capture(bool (*fn)(const ws_opttab *, const char *, FILE *), const char *shell, bool *ok)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	*ok = fn(&tab, shell, f);
	fclose(f);
	return buf;
}

static void test_opttab_completions(void **state)
{
	(void)state;
	bool ok;
	char *bash = capture(ws_opttab_completion, "bash", &ok);
	assert_true(ok);
	assert_non_null(strstr(bash, "complete -F _prog_x prog-x\n"));
	assert_non_null(strstr(bash, "--color)\n\t\t\tCOMPREPLY=($(compgen -W 'auto always never'"));
	assert_non_null(strstr(bash, "--db)\n\t\t\tcompopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d"));
	assert_non_null(strstr(bash, "'--json --year -V --version --color --db'"));
	free(bash);
	char *zsh = capture(ws_opttab_completion, "zsh", &ok);
	assert_true(ok);
	assert_non_null(strstr(zsh, "#compdef prog-x\n"));
	assert_non_null(strstr(zsh, "'--color=[colour \\[x\\]\\: y]:WHEN:(auto always never)'"));
	assert_non_null(strstr(zsh, "'(-V --version)'{-V,--version}'[version]'"));
	assert_non_null(strstr(zsh, "'*:path:_files'"));
	free(zsh);
	char *none = capture(ws_opttab_completion, "fish", &ok);
	assert_false(ok);
	free(none);
}

/* ------------------------------------------------------------------ */
/* Colours and the config file                                          */

static void test_colors(void **state)
{
	(void)state;
	ws_colors c;
	char *err = NULL;
	ws_colors_default(&c);
	assert_string_equal(c.seq[WS_C_MATCH], "\033[1;31m");
	assert_true(ws_colors_parse(&c, "match=4;35:path=:bar=1", &err));
	assert_string_equal(c.seq[WS_C_MATCH], "\033[4;35m");
	assert_string_equal(c.seq[WS_C_PATH], "");
	assert_string_equal(c.seq[WS_C_BAR], "\033[1m");
	assert_false(ws_colors_parse(&c, "title=7:matsh=1:line=32", &err));
	assert_non_null(strstr(err, "unknown name \"matsh\""));
	assert_string_equal(c.seq[WS_C_TITLE], "\033[7m"); /* the good ones apply */
	assert_string_equal(c.seq[WS_C_LINE], "\033[32m");
	free(err);
	err = NULL;
	assert_false(ws_colors_parse(&c, "rank=red", &err));
	assert_non_null(strstr(err, "rank=red"));
	free(err);
	err = NULL;
	assert_false(ws_colors_parse(&c, "rank=1;2\033", &err)); /* no escape gets through */
	free(err);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wensou-unit-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void test_config_file(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/config", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("# my defaults\n\n  --limit=3  \n--group\ndoc\n--color=never\r\n", f);
	fclose(f);
	setenv("WENSOU_CONFIG_PATH", path, 1);
	ws_config cfg;
	char *err = NULL;
	assert_true(ws_config_read(&cfg, &err));
	assert_int_equal(cfg.n, 4);
	assert_string_equal(cfg.args[0], "--limit=3");
	assert_int_equal(cfg.lines[0], 3);
	assert_string_equal(cfg.args[2], "doc");
	assert_string_equal(cfg.args[3], "--color=never");

	/* the command line overrides; a default that does not apply is dropped */
	ws_cli cli;
	const char *a1[] = {"s", "-n", "5", "数字", NULL};
	assert_true(ws_cli_parse(4, (char **)a1, &cfg, &cli));
	assert_int_equal(cli.limit, 5);
	assert_int_equal(cli.group, WS_GROUP_DOC);
	assert_int_equal(cli.color, WS_COLOR_NEVER);
	assert_string_equal(cli.query, "数字");
	ws_cli_free(&cli);
	const char *a2[] = {"s", "--json", "--count", NULL};
	assert_false(ws_cli_parse(3, (char **)a2, &cfg, &cli)); /* a real conflict stays one */
	ws_cli_free(&cli);
	const char *a3[] = {"s", "--count", "数字", NULL};
	assert_true(ws_cli_parse(3, (char **)a3, &cfg, &cli)); /* the default limit does not apply */
	assert_int_equal(cli.group, WS_GROUP_RANK);
	ws_cli_free(&cli);
	ws_config_free(&cfg);

	/* what a config file may not hold */
	const char *bad[][2] = {{"--json\n", "cannot be a default"},
	                        {"数字\n", "is not an option"},
	                        {"--limt=3\n", "did you mean -n, --limit?"},
	                        {"--db\n", "needs a value"},
	                        {"--year=2023\n", "cannot be a default"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = fopen(path, "w");
		fputs(bad[i][0], f);
		fclose(f);
		assert_true(ws_config_read(&cfg, &err));
		assert_false(ws_cli_parse(1, (char **)a1, &cfg, &cli));
		if (!strstr(cli.error, bad[i][1]) || !strstr(cli.error, "line 1"))
			fail_msg("%s: %s", bad[i][0], cli.error);
		ws_cli_free(&cli);
		ws_config_free(&cfg);
	}
	/* a missing named file is an error, a missing default one is not */
	setenv("WENSOU_CONFIG_PATH", "/nonexistent/wensou", 1);
	assert_false(ws_config_read(&cfg, &err));
	assert_non_null(strstr(err, "/nonexistent/wensou"));
	free(err);
	err = NULL;
	unsetenv("WENSOU_CONFIG_PATH");
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	assert_true(ws_config_read(&cfg, &err));
	assert_int_equal(cfg.n, 0);
	setenv("WENSOU_CONFIG_PATH", "", 1);
	assert_true(ws_config_read(&cfg, &err));
	assert_null(cfg.path);
	unlink(path);
	rmdir(tmpdir);
}

/* ------------------------------------------------------------------ */
/* The prompt's commands                                                */

static void test_prompt_commands(void **state)
{
	(void)state;
	ws_cmd c;
	char *err = NULL;
	assert_true(ws_cmd_parse("  数字鸿沟  ", &c, &err));
	assert_int_equal(c.kind, WS_CMD_SEARCH);
	assert_string_equal(c.arg, "数字鸿沟");
	assert_true(ws_cmd_parse("\xe3\x80\x80", &c, &err)); /* an ideographic space */
	assert_int_equal(c.kind, WS_CMD_NONE);
	assert_true(ws_cmd_parse(":year 2022..2024", &c, &err));
	assert_int_equal(c.kind, WS_CMD_YEAR);
	assert_int_equal(c.lo, 2022);
	assert_int_equal(c.hi, 2024);
	assert_true(ws_cmd_parse("：year ２０２３", &c, &err)); /* full-width colon and digits */
	assert_int_equal(c.lo, 2023);
	assert_int_equal(c.hi, 2023);
	assert_true(ws_cmd_parse(":year ..2020", &c, &err));
	assert_int_equal(c.lo, 0);
	assert_int_equal(c.hi, 2020);
	assert_true(ws_cmd_parse(":since 2021", &c, &err));
	assert_int_equal(c.kind, WS_CMD_SINCE);
	assert_int_equal(c.lo, 2021);
	assert_true(ws_cmd_parse(":n", &c, &err));
	assert_int_equal(c.kind, WS_CMD_NEXT);
	assert_true(ws_cmd_parse(":open 12", &c, &err));
	assert_int_equal(c.kind, WS_CMD_OPEN);
	assert_int_equal(c.n, 12);
	assert_true(ws_cmd_parse(":source 联合国 秘书处", &c, &err));
	assert_string_equal(c.arg, "联合国 秘书处");
	assert_true(ws_cmd_parse(":clear year", &c, &err));
	assert_string_equal(c.arg, "year");

	const char *bad[][2] = {
		{":yaer 2023", "did you mean :year?"}, {":year 2024..2020", ":year needs"}, {":year abc", ":year needs"},
		{":open", ":open needs a number"},      {":open 0", ":open needs"},         {":next 3", "takes nothing"},
		{":clear all", ":clear takes"},          {":group time", ":group takes"},   {":frob", "unknown command :frob"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		assert_false(ws_cmd_parse(bad[i][0], &c, &err));
		if (!strstr(err, bad[i][1]))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i][0], err, bad[i][1]);
		free(err);
	}
}

/* ------------------------------------------------------------------ */
/* The terminal printer on hand-made hits                               */

static ws_hit make_hit(unsigned rank, const char *path, unsigned line, unsigned col, const char *snippet)
{
	ws_hit h = {0};
	h.rank = rank;
	h.path = strdup(path);
	h.title = strdup("全球数字治理白皮书（2022年）");
	h.source = strdup("中国信息通信研究院");
	h.section = strdup("二、全球数字治理 > （一）数字鸿沟");
	h.year = 2022;
	h.line = line;
	h.column = col;
	h.snippet.text = strdup(snippet);
	h.snippet.len = strlen(snippet);
	h.snippet.hl = calloc(1, sizeof *h.snippet.hl);
	h.snippet.hl[0] = (ws_range){0, 12};
	h.snippet.nhl = 1;
	return h;
}

static void test_print_term_layout(void **state)
{
	(void)state;
	ws_result r = {0};
	ws_hit hits[3];
	const char *text = "数字鸿沟从“接入鸿沟”向“服务鸿沟”“使用鸿沟”等多维度拓展。在联合国评估的22种在线公共服务中，"
	                   "排名前54的国家几乎实现完全覆盖，而排名靠后的国家，覆盖率不足一半；差距依然明显。";
	hits[0] = make_hit(1, "/r/a.txt", 12, 31, text);
	hits[1] = make_hit(2, "/r/b.txt", 3, 1, text);
	hits[2] = make_hit(3, "/r/a.txt", 40, 7, text);
	r.hits = hits;
	r.nhits = 3;
	ws_term_totals tot = {.known = true, .passages = 23, .documents = 4};
	ws_colors colors;
	ws_colors_default(&colors);
	for (unsigned width = 40; width <= 120; width += 40) {
		ws_term_style st = {.width = width, .height = 40, .colors = &colors, .cwd = "/r"};
		char *buf = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&buf, &size);
		assert_true(ws_print_term(f, &r, &tot, &st));
		fclose(f);
		assert_true(!strncmp(buf, "1\xe2\x80\x93" "3 of 23 passages in 4 documents\n", 36));
		assert_non_null(strstr(buf, "\n1  a.txt:12:31  "));
		assert_non_null(strstr(buf, "\n3  a.txt:40:7"));
		for (char *l = buf, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			assert_non_null(e);
			if (ws_str_width(l, (size_t)(e - l)) > width)
				fail_msg("width %u: %.*s", width, (int)(e - l), l);
			const char *body = l + strspn(l, " ");
			if (body < e && starts_with_closer(body, (size_t)(e - body)))
				fail_msg("width %u: a closing mark starts: %.*s", width, (int)(e - l), l);
		}
		free(buf);
		/* by document: a.txt's two hits under one heading */
		st.group = WS_GROUP_DOC;
		f = open_memstream(&buf, &size);
		assert_true(ws_print_term(f, &r, &tot, &st));
		fclose(f);
		char *a = strstr(buf, "\na.txt\n");
		assert_non_null(a);
		assert_null(strstr(a + 1, "\na.txt\n"));
		assert_true(strstr(buf, "12:31") < strstr(buf, "40:7"));
		assert_true(strstr(buf, "40:7") < strstr(buf, "\nb.txt\n"));
		free(buf);
	}
	/* colours and links only when asked */
	ws_term_style st = {.width = 80, .color = true, .hyperlinks = true, .colors = &colors};
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_true(ws_print_term(f, &r, &tot, &st));
	fclose(f);
	assert_non_null(strstr(buf, "\033]8;;file:///r/a.txt\033\\\033[35m/r/a.txt:12:31\033[0m\033]8;;\033\\"));
	assert_non_null(strstr(buf, "\033[1;31m数字鸿沟\033[0m"));
	free(buf);
	for (size_t i = 0; i < 3; i++) {
		free(hits[i].path);
		free(hits[i].title);
		free(hits[i].source);
		free(hits[i].section);
		ws_snippet_free(&hits[i].snippet);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_chinese_punctuation),
		cmocka_unit_test(test_wrap_known_breaks),
		cmocka_unit_test(test_opttab_suggest),
		cmocka_unit_test(test_opttab_completions),
		cmocka_unit_test(test_colors),
		cmocka_unit_test_setup(test_config_file, make_tmpdir),
		cmocka_unit_test(test_prompt_commands),
		cmocka_unit_test(test_print_term_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
