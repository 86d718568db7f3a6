/* passage_line.c - classify one line of a document (see passage_line.h).
 * The forms are those of the reports wensou is for: Chinese numbered
 * headings (一、 （一） 1. 1.1 第一章), lettered ones (A.), Markdown "#"
 * and bold-only lines; tables of contents with dot leaders; footnotes
 * marked with superscripts, URL lists, 来源： lines and 图/表 captions. */
#include "passage_line.h"

#include <string.h>
#include <uchar.h>

#include <unicode/utf8.h>

#include "cjk.h"

UChar32 ws_line_next_char(const char *t, size_t *i, size_t end)
{
	UChar32 c;
	int32_t ii = 0, n = (int32_t)((end - *i) > 8 ? 8 : (end - *i));
	U8_NEXT((const uint8_t *)t + *i, ii, n, c);
	*i += (size_t)ii;
	return c;
}

UChar32 ws_line_prev_char(const char *t, size_t start, size_t *i)
{
	UChar32 c;
	int32_t ii = (int32_t)(*i - start);
	U8_PREV((const uint8_t *)t + start, 0, ii, c);
	*i = start + (size_t)ii;
	return c;
}

static bool is_space(UChar32 c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0x3000 || c == 0xA0 ||
	       c == 0xFEFF;
}

void ws_line_trim(const char *t, size_t *s, size_t *e)
{
	while (*s < *e) {
		size_t i = *s;
		if (!is_space(ws_line_next_char(t, &i, *e)))
			break;
		*s = i;
	}
	while (*e > *s) {
		size_t i = *e;
		if (!is_space(ws_line_prev_char(t, *s, &i)))
			break;
		*e = i;
	}
}

bool ws_line_ends_sentence(const char *t, size_t s, size_t e)
{
	size_t i = e;
	while (i > s) {
		UChar32 c = ws_line_prev_char(t, s, &i);
		/* '*' closes Markdown emphasis: "**…。**" */
		if (is_space(c) || cjk_is_closing_mark((uint32_t)c) || c == '*')
			continue;
		return cjk_is_sentence_end((uint32_t)c) || c == ':' || c == 0xFF1A;
	}
	return false;
}

static bool starts_with(const char *t, size_t s, size_t e, const char *lit)
{
	size_t n = strlen(lit);
	return e - s >= n && memcmp(t + s, lit, n) == 0;
}

static bool equals(const char *t, size_t s, size_t e, const char *lit)
{
	return e - s == strlen(lit) && memcmp(t + s, lit, e - s) == 0;
}

static bool is_cn_numeral(UChar32 c)
{
	static const char32_t digits[] = U"〇零一二三四五六七八九十百";
	for (size_t i = 0; digits[i]; i++)
		if ((UChar32)digits[i] == c)
			return true;
	return false;
}

static bool is_digit(UChar32 c)
{
	return c >= '0' && c <= '9';
}

static bool is_latin_letter(UChar32 c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Table-of-contents lines ("一、背景 ........ 3") look like headings but
 * are not: dot leaders followed by a page number. */
static bool is_toc_line(const char *t, size_t s, size_t e)
{
	size_t i = e;
	bool digits = false;
	while (i > s && is_digit((unsigned char)t[i - 1]))
		i--, digits = true;
	while (i > s && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	if (!digits)
		return false;
	int dots = 0;
	while (i > s) {
		size_t j = i;
		UChar32 c = ws_line_prev_char(t, s, &j);
		if (c != '.' && c != 0x2026 && c != 0x00B7 && c != 0x22EF && c != 0xFF0E)
			break;
		dots++;
		i = j;
	}
	return dots >= 3;
}

size_t ws_line_entry_len(const char *t, size_t s, size_t e)
{
	size_t i = e;
	while (i > s && (is_digit((unsigned char)t[i - 1]) || t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	while (i > s) {
		size_t j = i;
		UChar32 c = ws_line_prev_char(t, s, &j);
		if (c != '.' && c != 0x2026 && c != 0x00B7 && c != 0x22EF && c != 0xFF0E && c != ' ')
			break;
		i = j;
	}
	return i - s;
}

/* Is the trimmed line one of names, Markdown emphasis or heading marks
 * aside ("**目录**", "## 尾注")? */
static bool is_named(const char *t, size_t s, size_t e, const char *const *names)
{
	while (s < e && (t[s] == '*' || t[s] == '#' || t[s] == ' '))
		s++;
	while (e > s && t[e - 1] == '*')
		e--;
	for (size_t n = 0; names[n]; n++)
		if (equals(t, s, e, names[n]))
			return true;
	return false;
}

bool ws_line_is_notes_title(const char *t, size_t s, size_t e)
{
	static const char *const names[] = {"尾注", "注释", "注 释", "Notes", "Endnotes", "NOTES", NULL};
	return is_named(t, s, e, names);
}

bool ws_line_is_contents_title(const char *t, size_t s, size_t e)
{
	static const char *const names[] = {"目录", "目 录", "目  录", "目次", "图目录", "表目录",
	                                    "图表目录", "Contents", "CONTENTS", "Table of Contents", NULL};
	return is_named(t, s, e, names);
}

/* A Markdown line that is all bold: "**编者按**".  The inner text in
 * [*is, *ie). */
static bool is_bold_line(const char *t, size_t s, size_t e, size_t *is, size_t *ie)
{
	if (e - s < 5 || !starts_with(t, s, e, "**") || memcmp(t + e - 2, "**", 2) != 0)
		return false;
	*is = s + 2;
	*ie = e - 2;
	for (size_t i = *is; i + 1 < *ie; i++)
		if (t[i] == '*' && t[i + 1] == '*')
			return false;
	return *is < *ie;
}

static bool contains(const char *t, size_t s, size_t e, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = s; i + n <= e; i++)
		if (memcmp(t + i, lit, n) == 0)
			return true;
	return false;
}

/* 图 1 …, 表2 …, 图三, Figure 3 …, Table 1 …: a caption, short and with
 * no sentence end (a sentence that starts "表1显示…" is text). */
static bool is_caption(const char *t, size_t s, size_t e, size_t chars)
{
	if (chars > 60)
		return false;
	size_t i = s;
	if (starts_with(t, s, e, "Figure ") || starts_with(t, s, e, "Table "))
		i = s + (t[s] == 'F' ? 7 : 6);
	else {
		UChar32 c = ws_line_next_char(t, &i, e);
		if (c != 0x56FE /* 图 */ && c != 0x8868 /* 表 */)
			return false;
		while (i < e && t[i] == ' ')
			i++;
	}
	size_t j = i;
	UChar32 d = i < e ? ws_line_next_char(t, &j, e) : 0;
	return (is_digit(d) || is_cn_numeral(d)) && !ws_line_ends_sentence(t, s, e);
}

static bool is_source_line(const char *t, size_t s, size_t e, size_t chars)
{
	static const char *const heads[] = {"来源：", "来源:", "资料来源", "数据来源", "图片来源", "Source:",
	                                    "Sources:", "来源 ：", NULL};
	if (chars > 200)
		return false;
	for (size_t n = 0; heads[n]; n++)
		if (starts_with(t, s, e, heads[n]))
			return true;
	return false;
}

static bool is_superscript_digit(UChar32 c)
{
	return c == 0x00B9 || c == 0x00B2 || c == 0x00B3 || c == 0x2070 || (c >= 0x2074 && c <= 0x2079);
}

/* A line of footnotes or references: a URL on its own, a line that starts
 * with a superscript number (¹ …) or "[12]", or a note (注：…). */
static bool is_note_line(const char *t, size_t s, size_t e)
{
	if (starts_with(t, s, e, "http://") || starts_with(t, s, e, "https://") || starts_with(t, s, e, "www.")) {
		for (size_t i = s; i < e; i++)
			if (t[i] == ' ')
				return false;
		return true;
	}
	size_t i = s;
	UChar32 c = ws_line_next_char(t, &i, e);
	if (is_superscript_digit(c))
		return true;
	if (c == '[') {
		size_t j = i;
		while (j < e && is_digit((unsigned char)t[j]))
			j++;
		return j > i && j - i <= 3 && j < e && t[j] == ']';
	}
	return starts_with(t, s, e, "注：") || starts_with(t, s, e, "注:") || starts_with(t, s, e, "注释：");
}

bool ws_line_is_glued_footnote(const char *t, size_t s, size_t e)
{
	size_t j = s;
	while (j < e && is_digit((unsigned char)t[j]))
		j++;
	if (j == s || j - s > 3 || j >= e)
		return false;
	size_t k = j;
	UChar32 c = ws_line_next_char(t, &k, e);
	/* "12Gartner", "2由于": a year or a count ("2022 年", "5G") reads
	 * otherwise, with a space or a unit after it */
	if (c == 'G' || c == 'g') {
		size_t m = k;
		if (k >= e || !is_latin_letter(ws_line_next_char(t, &m, e)))
			return false;
	}
	return is_latin_letter(c) || (cjk_is_han((uint32_t)c) && c != 0x5E74 /* 年 */ &&
	                                                           c != 0x6708 /* 月 */ && c != 0x65E5 /* 日 */ &&
	                                                           c != 0x4E07 /* 万 */ && c != 0x4EBF /* 亿 */ &&
	                                                           c != 0x4E2A /* 个 */ && c != 0x5BB6 /* 家 */);
}

bool ws_line_is_footnote_rule(const char *t, size_t s, size_t e)
{
	size_t spaces = 0;
	for (size_t i = s; i < e; i++) {
		if (t[i] == ' ')
			spaces++;
		else if (t[i] != '\r' && t[i] != '\t')
			return false;
	}
	return spaces >= 20;
}

/* "---", "====", "| --- | --- |": a rule or a table's frame */
static bool is_rule(const char *t, size_t s, size_t e)
{
	size_t marks = 0;
	for (size_t i = s; i < e; i++) {
		if (t[i] == '-' || t[i] == '=' || t[i] == '_' || t[i] == '~' || t[i] == '|' || t[i] == ':')
			marks++;
		else if (t[i] != ' ' && t[i] != '\t' && t[i] != '*')
			return false;
	}
	return marks >= 3;
}

static bool is_markdown_image(const char *t, size_t s, size_t e)
{
	return starts_with(t, s, e, "![") && t[e - 1] == ')';
}

/* Heading level (1-6) of a trimmed line by its numbering, or 0. */
static int numbered_level(const char *t, size_t s, size_t e, size_t chars)
{
	size_t i = s;
	UChar32 c = ws_line_next_char(t, &i, e);
	if (is_cn_numeral(c)) {
		while (i < e) {
			size_t j = i;
			c = ws_line_next_char(t, &j, e);
			if (!is_cn_numeral(c))
				break;
			i = j;
		}
		size_t j = i;
		c = ws_line_next_char(t, &j, e);
		return c == 0x3001 /* 、 */ && j < e ? 1 : 0;
	}
	if (c == 0x7B2C /* 第 */) {
		size_t j = i;
		while (j < e) {
			size_t k = j;
			UChar32 d = ws_line_next_char(t, &k, e);
			if (!is_cn_numeral(d) && !is_digit(d))
				break;
			j = k;
		}
		if (j == i)
			return 0;
		UChar32 d = ws_line_next_char(t, &j, e);
		if (d == 0x7AE0 /* 章 */ || d == 0x7BC7 /* 篇 */ || d == 0x90E8 /* 部 */)
			return 1;
		if (d == 0x8282 /* 节 */)
			return 2;
		return 0;
	}
	if (c == 0xFF08 /* （ */ || c == '(') {
		size_t j = i;
		UChar32 d = ws_line_next_char(t, &j, e);
		bool cn = is_cn_numeral(d), ar = is_digit(d);
		if (!cn && !ar)
			return 0;
		while (j < e) {
			size_t k = j;
			d = ws_line_next_char(t, &k, e);
			if (!(cn ? is_cn_numeral(d) : is_digit(d)))
				break;
			j = k;
		}
		d = ws_line_next_char(t, &j, e);
		if ((d == 0xFF09 || d == ')') && j < e && chars <= 40)
			return cn ? 2 : 4;
		return 0;
	}
	/* "A. 数字连通性和能力建设": the lettered sections of UN documents */
	if (c >= 'A' && c <= 'Z' && chars <= 40 && i + 1 < e && t[i] == '.' && t[i + 1] == ' ') {
		size_t j = i + 2;
		UChar32 f = j < e ? ws_line_next_char(t, &j, e) : 0;
		return cjk_is_han((uint32_t)f) || f == 0x300A /* 《 */ || (f >= 'A' && f <= 'Z') ? 2 : 0;
	}
	if (is_digit(c) && chars <= 40) {
		size_t j = s;
		while (j < e && is_digit((unsigned char)t[j]))
			j++;
		/* at most two digits: "2019 G20 …" in a table is no heading */
		if (j - s > 2)
			return 0;
		/* "1." or "1、" or "1．" then text; "1.2 text" is a level-3 number too */
		bool dotted = false;
		if (j < e && t[j] == '.' && j + 1 < e && is_digit((unsigned char)t[j + 1])) {
			j++;
			while (j < e && is_digit((unsigned char)t[j]))
				j++;
			dotted = true;
		}
		size_t k = j;
		UChar32 d = ws_line_next_char(t, &k, e);
		if ((d == '.' || d == 0x3001 || d == 0xFF0E || (d == ' ' && dotted)) && k < e) {
			size_t m = k;
			UChar32 f = ws_line_next_char(t, &m, e);
			/* the heading text must start with a letter or Han, not a number ("1. 2024") */
			if (cjk_is_han((uint32_t)f) || is_latin_letter(f) || f == ' ')
				return 3;
		}
		return 0;
	}
	/* 附件, 附件1, 附件一：… */
	if (c == 0x9644 /* 附 */ && starts_with(t, s, e, "附件") && chars <= 40)
		return 1;
	/* Stand-alone section names of reports. */
	static const char *const names[] = {"前言", "前 言", "前  言", "结语", "结 语", "附录", "摘要", "序言",
	                                    "引言", "导言", "结论", "致谢", "编者按", NULL};
	for (size_t n = 0; names[n]; n++)
		if (equals(t, s, e, names[n]))
			return 1;
	return 0;
}

ws_line_kind ws_line_classify(const char *t, size_t *ts, size_t e, size_t chars, const ws_line_rules *r,
                              int *level)
{
	size_t s = *ts;
	*level = 0;
	if (cjk_line_is_page_number(t + s, e - s) || is_rule(t, s, e) || (!r->plain && is_markdown_image(t, s, e)))
		return WS_LINE_FURNITURE;
	if (is_toc_line(t, s, e) || ws_line_is_contents_title(t, s, e))
		return WS_LINE_CONTENTS;
	if (t[s] == '#') {
		if (r->plain)
			return WS_LINE_TEXT;
		int n = 0;
		while (s < e && t[s] == '#')
			s++, n++;
		if (n <= 6 && s < e && (t[s] == ' ' || t[s] == '\t')) {
			while (s < e && (t[s] == ' ' || t[s] == '\t'))
				s++;
			if (s < e) {
				*ts = s;
				*level = n;
				return WS_LINE_HEADING;
			}
		}
		return WS_LINE_TEXT;
	}
	if (is_note_line(t, s, e))
		return WS_LINE_NOTE;
	if (is_source_line(t, s, e, chars))
		return WS_LINE_SOURCE;
	size_t is = s, ie = e;
	bool bold = !r->plain && is_bold_line(t, s, e, &is, &ie);
	if (bold && (contains(t, is, ie, "摄）") || contains(t, is, ie, "图为") || contains(t, is, ie, "图片由") ||
	             contains(t, is, ie, "摄)")))
		return WS_LINE_CAPTION;
	if (is_caption(t, bold ? is : s, bold ? ie : e, chars))
		return WS_LINE_CAPTION;
	if (r->marked_only || chars > 50 || ws_line_ends_sentence(t, s, e))
		return WS_LINE_TEXT;
	if (bold) {
		int n = numbered_level(t, is, ie, chars);
		*level = n ? n : 5;
		return chars <= 40 ? WS_LINE_HEADING : WS_LINE_TEXT;
	}
	*level = numbered_level(t, s, e, chars);
	return *level ? WS_LINE_HEADING : WS_LINE_TEXT;
}
