#!/usr/bin/env python3
"""HTML and DOCX: fixtures built at test time from known text, indexed by
the real wensou-index, searched by the real wensou-search; each hit's line,
section, title, year and source checked against the text it was built from.
Real HTML nobody here wrote: Debian's Chinese maintainer's guide
(maint-guide-zh-cn, installed by scripts/install-deps)."""

import os
import re
import zipfile
from xml.sax.saxutils import escape

from harness import TempDirTest, main, needs_search, run_index, search_json, summary

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAINT_GUIDE = "/usr/share/doc/maint-guide-zh-cn/html"


def line_of(text, needle):
    """The 1-based line of text where needle (all on one line) is."""
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} is not on one line of the fixture")


class MarkupTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)

    def write(self, name, data):
        path = os.path.join(self.docs, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def index(self, expect_rc=0):
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, expect_rc, p.stderr)
        return p

    def hit(self, query, name):
        """The best hit for query in file name."""
        p, hits = search_json(self.db, query, args=["-n", "50"])
        hits = [h for h in hits if os.path.basename(h["path"]) == name]
        self.assertTrue(hits, f"{query!r} not found in {name}: {p.stdout} {p.stderr}")
        return hits[0]

    def absent(self, query):
        p, hits = search_json(self.db, query)
        self.assertEqual(hits, [], f"{query!r} should not be indexed")


HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<title>数字治理年度观察 2023</title>
<meta name="author" content="示例研究院">
<meta name="date" content="2023-06-30">
<style>.nostyleword {{ color: red }}</style>
<script>var noscriptword = "跨境脚本内容";</script>
</head>
<body>
<nav><a href="/">首页导航词</a> navigationword</nav>
<h1>第一部分 总体态势</h1>
<p>全球数字治理进入规则竞争的新阶段，各国围绕数据、平台与算法
加快制定规则。Digital governance entered a phase of rule-making
competition among major economies.</p>
<h2>一、数据跨境流动</h2>
<p>数据跨境流动规则呈现区域化特征。<img src="x.png" alt="altwordhidden">
Cross-border data flows are governed by regional arrangements.</p>
<h3>（一）主要经济体</h3>
<p>欧盟以充分性认定为核心，美国推动双边安排，
亚太经济体依托区域贸易协定推进规则衔接。</p>
<noscript>noscriptcontentword</noscript>
<template>templatecontentword</template>
<footer>版权所有 footerword</footer>
</body>
</html>
"""


class TestHtml(MarkupTest):
    def test_verbose_names_no_encoding_for_a_page(self):
        """It printed "added, 1 passages,  ()": HTML reads its own."""
        self.write("page.html", HTML_PAGE.format(charset="utf-8").encode("utf-8"))
        p = run_index(self.db, self.docs, args=["--verbose"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"page\.html: added, \d+ passages\n")

    @needs_search
    def test_utf8_page_lines_sections_title_year(self):
        page = HTML_PAGE.format(charset="utf-8")
        self.write("watch.html", page.encode("utf-8"))
        self.index()
        for query, needle, section in [
            ("规则竞争", "规则竞争", "第一部分 总体态势"),
            ("加快制定规则", "加快制定规则", "第一部分 总体态势"),
            ("competition", "competition", "第一部分 总体态势"),
            ("区域化特征", "区域化特征", "第一部分 总体态势 > 一、数据跨境流动"),
            ("regional", "regional", "第一部分 总体态势 > 一、数据跨境流动"),
            ("区域贸易协定", "区域贸易协定", "第一部分 总体态势 > 一、数据跨境流动 > （一）主要经济体"),
        ]:
            h = self.hit(query, "watch.html")
            self.assertEqual(h["line"], line_of(page, needle), query)
            self.assertEqual(h["section"], section, query)
            self.assertEqual(h["title"], "数字治理年度观察 2023")
            self.assertEqual(h["year"], 2023)
            self.assertEqual(h["source"], "示例研究院")
            self.assertLessEqual(h["lines"][0], h["line"])
            self.assertLessEqual(h["line"], h["lines"][1])
        # the heading's "#" marker never shows
        h = self.hit("区域贸易协定", "watch.html")
        self.assertNotIn("#", h["snippet"])

    @needs_search
    def test_dropped_elements_are_not_indexed(self):
        self.write("watch.html", HTML_PAGE.format(charset="utf-8").encode("utf-8"))
        self.index()
        for word in ["nostyleword", "noscriptword", "跨境脚本内容", "navigationword", "首页导航词",
                     "altwordhidden", "noscriptcontentword", "templatecontentword", "footerword", "版权所有"]:
            self.absent(word)
        self.hit("充分性认定", "watch.html")

    @needs_search
    def test_gb2312_declared_by_meta(self):
        page = HTML_PAGE.format(charset="gb2312")
        self.write("gb.html", page.encode("gb2312"))
        self.index()
        h = self.hit("双边安排", "gb.html")
        self.assertEqual(h["line"], line_of(page, "双边安排"))
        self.assertEqual(h["title"], "数字治理年度观察 2023")
        self.assertEqual(h["section"], "第一部分 总体态势 > 一、数据跨境流动 > （一）主要经济体")

    @needs_search
    def test_http_equiv_big5(self):
        page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
                "<title>繁體頁面</title></head>\n<body>\n<h1>數位治理</h1>\n<p>數位落差仍是全球挑戰。</p>\n"
                "</body></html>\n")
        self.write("big5.htm", page.encode("big5"))
        self.index()
        # Traditional folds to Simplified
        h = self.hit("全球挑战", "big5.htm")
        self.assertEqual(h["line"], line_of(page, "全球挑戰"))
        self.assertEqual(h["title"], "繁體頁面")

    @needs_search
    def test_wrong_declarations_are_read_as_what_the_bytes_are(self):
        page = HTML_PAGE.format(charset="iso-8859-1")
        self.write("latin1-but-utf8.html", page.encode("utf-8"))
        page2 = HTML_PAGE.format(charset="gb2312")
        self.write("gb-but-utf8.html", page2.encode("utf-8"))
        page3 = HTML_PAGE.format(charset="utf-8") + "<p>" + "政策文件全文以国标编码保存。" * 20 + "</p>\n"
        self.write("utf8-but-gbk.html", page3.encode("gbk"))
        self.index()
        for name, text in [("latin1-but-utf8.html", page), ("gb-but-utf8.html", page2),
                           ("utf8-but-gbk.html", page3)]:
            h = self.hit("充分性认定", name)
            self.assertEqual(h["line"], line_of(text, "充分性认定"), name)
            self.assertEqual(h["title"], "数字治理年度观察 2023", name)
        self.hit("国标编码", "utf8-but-gbk.html")

    @needs_search
    def test_entities_are_decoded(self):
        page = ("<html><head><title>R&amp;D &mdash; 实体</title></head><body>\n"
                "<p>&#25968;&#23383;&#27835;&#29702; and &lt;markup&gt; stay &quot;text&quot;,\n"
                "caf&eacute; &#x4E2D;&#x56FD;方案。</p>\n</body></html>\n")
        self.write("ent.html", page.encode("utf-8"))
        self.index()
        h = self.hit("数字治理", "ent.html")
        self.assertEqual(h["line"], 2)
        self.assertIn("<markup>", h["snippet"])
        self.assertEqual(h["title"], "R&D — 实体")
        h = self.hit("中国方案", "ent.html")
        self.assertEqual(h["line"], 3)

    @needs_search
    def test_a_broken_html_is_reported_and_the_rest_indexed(self):
        self.write("good.html", HTML_PAGE.format(charset="utf-8").encode("utf-8"))
        self.write("binary.html", bytes(range(256)) * 64)
        # cut off in the middle of a tag: what is there is indexed
        self.write("truncated.html", "<html><body><h1>截断的页面</h1>\n<p>只写了一半的段落内容<b".encode("utf-8"))
        p = self.index(expect_rc=1)
        self.assertIn("binary.html", p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["failed"]), (2, 1), p.stderr)
        self.hit("充分性认定", "good.html")
        h = self.hit("一半的段落", "truncated.html")
        self.assertEqual((h["line"], h["section"]), (2, "截断的页面"))


def docx(path, paragraphs, styles=True, core=True, title="数字政府建设报告", created="2021-03-04T08:00:00Z"):
    """A DOCX at path: paragraphs are (style id or None, text, ...) where
    text may hold "\\n" (a w:br) and "\\t" (a w:tab)."""
    body = []
    for style, text in paragraphs:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        runs = []
        for i, piece in enumerate(text.split("\n")):
            if i:
                runs.append("<w:r><w:br/></w:r>")
            for j, part in enumerate(piece.split("\t")):
                if j:
                    runs.append("<w:r><w:tab/></w:r>")
                # two runs per piece, as word processors split them
                half = len(part) // 2
                for chunk in (part[:half], part[half:]):
                    if chunk:
                        runs.append(f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(chunk)}</w:t></w:r>')
        body.append(f"<w:p>{ppr}{''.join(runs)}</w:p>")
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
           + "".join(body) + "<w:sectPr/></w:body></w:document>")
    sty = (f'<?xml version="1.0" encoding="UTF-8"?>\n<w:styles xmlns:w="{W_NS}">'
           '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="MyHeading"><w:name w:val="My Heading"/>'
           '<w:basedOn w:val="Heading2"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="标题 3"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="Outline"><w:name w:val="Outline"/>'
           '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
           "</w:styles>")
    props = ('<?xml version="1.0" encoding="UTF-8"?>\n<cp:coreProperties '
             'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
             'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
             f"<dc:title>{escape(title)}</dc:title><dc:creator>示例办公厅</dc:creator>"
             f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
             '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
             "</cp:coreProperties>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", doc)
        if styles:
            z.writestr("word/styles.xml", sty)
        if core:
            z.writestr("docProps/core.xml", props)


DOCX_PARAS = [
    (None, "数字政府建设报告"),
    ("1", "一、总体进展"),
    (None, "全国一体化政务服务平台基本建成，政务服务事项网上可办率持续提升。"),
    (None, ""),
    ("Heading2", "（一）数据共享"),
    (None, "跨部门数据共享交换机制\t逐步完善，\n公共数据开放稳步推进。"),
    ("MyHeading", "（二）基础设施"),
    (None, "政务云平台集约化建设成效明显。"),
    ("a3", "1. 算力布局"),
    (None, "算力基础设施布局持续优化。"),
    ("Outline", "二、下一步工作"),
    (None, "Interoperability standards for government data will be published next year."),
]


class TestDocx(MarkupTest):
    @needs_search
    def test_headings_title_year_and_paragraph_lines(self):
        docx(os.path.join(self.docs, "report.docx"), DOCX_PARAS)
        self.index()
        par = {text: i for i, (_, text) in enumerate(DOCX_PARAS, 1)}
        for query, text, section in [
            ("网上可办率", DOCX_PARAS[2][1], "一、总体进展"),
            ("数据共享交换机制", DOCX_PARAS[5][1], "一、总体进展 > （一）数据共享"),
            ("公共数据开放", DOCX_PARAS[5][1], "一、总体进展 > （一）数据共享"),
            ("集约化建设", DOCX_PARAS[7][1], "一、总体进展 > （二）基础设施"),
            ("布局持续优化", DOCX_PARAS[9][1], "一、总体进展 > （二）基础设施 > 1. 算力布局"),
            ("interoperability", DOCX_PARAS[11][1], "二、下一步工作"),
        ]:
            h = self.hit(query, "report.docx")
            self.assertEqual(h["line"], par[text], query)
            self.assertEqual(h["section"], section, query)
            self.assertEqual(h["title"], "数字政府建设报告")
            self.assertEqual(h["year"], 2021)
            self.assertEqual(h["source"], "示例办公厅")
            self.assertNotIn("#", h["snippet"])

    @needs_search
    def test_without_styles_or_properties(self):
        """No styles.xml: headings by style id; no core.xml: the title is
        the first line, the year the file name's."""
        docx(os.path.join(self.docs, "plain-2019.docx"),
             [(None, "无样式文件的报告"), ("Heading1", "第一章 概述"), (None, "概述部分介绍背景与目标。")],
             styles=False, core=False)
        docx(os.path.join(self.docs, "modified.docx"), [(None, "只有修改日期的文档内容。")], created="")
        self.index()
        h = self.hit("背景与目标", "plain-2019.docx")
        self.assertEqual((h["section"], h["title"], h["year"], h["line"]), ("第一章 概述", "无样式文件的报告", 2019, 3))
        h = self.hit("修改日期", "modified.docx")
        self.assertEqual(h["year"], 2024)

    @needs_search
    def test_broken_docx_are_reported_and_the_rest_indexed(self):
        docx(os.path.join(self.docs, "good.docx"), DOCX_PARAS)
        self.write("notzip.docx", b"PK\x03\x04 this is no zip archive at all" * 10)
        with zipfile.ZipFile(os.path.join(self.docs, "nodoc.docx"), "w") as z:
            z.writestr("word/other.xml", "<x/>")
        with zipfile.ZipFile(os.path.join(self.docs, "badxml.docx"), "w") as z:
            z.writestr("word/document.xml", "<w:document><w:body><w:p>unclosed")
        with zipfile.ZipFile(os.path.join(self.docs, "bomb.docx"), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", b"<" + b" " * (65 << 20) + b"/>")
        with open(os.path.join(self.docs, "good.docx"), "rb") as f:
            self.write("truncated.docx", f.read()[:300])
        p = self.index(expect_rc=1)
        for name, why in [("notzip.docx", "not a zip archive"), ("nodoc.docx", "no word/document.xml"),
                          ("badxml.docx", "not a WordprocessingML document"), ("bomb.docx", "64 MB"),
                          ("truncated.docx", "not a zip archive")]:
            self.assertRegex(p.stderr, re.escape(name) + r": not a readable DOCX: .*" + re.escape(why))
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["failed"]), (1, 5), p.stderr)
        self.hit("网上可办率", "good.docx")


class TestDebianHtml(MarkupTest):
    """Debian's maint-guide in Chinese: XHTML written by DocBook, UTF-8
    declared by http-equiv, navigation in div.navheader/navfooter, the
    table of contents in div.toc."""

    def setUp(self):
        super().setUp()
        if not os.path.isdir(MAINT_GUIDE):
            self.skipTest("maint-guide-zh-cn is not installed (scripts/install-deps installs it): skipped")

    @needs_search
    def test_maint_guide(self):
        p = run_index(self.db, MAINT_GUIDE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreaterEqual(summary(p.stderr)["added"], 10)
        first = os.path.join(MAINT_GUIDE, "first.zh-cn.html")
        with open(first, encoding="utf-8") as f:
            src = f.read()
        for query, needle, section in [
            ("检查它是否已经被别人打包", "检查它是否已经被别人打包", "第 2 章 第一步 > 2.2. 挑一个你喜欢的程序"),
            ("软件包追踪系统", "Debian 软件包追踪系统", "第 2 章 第一步 > 2.2. 挑一个你喜欢的程序"),
        ]:
            _, hits = search_json(self.db, query, args=["-n", "50"])
            hits = [h for h in hits if h["path"] == first]
            self.assertTrue(hits, query)
            h = hits[0]
            self.assertEqual(h["line"], line_of(src, needle), query)
            self.assertEqual(h["section"], section, query)
            self.assertEqual(h["title"], "第 2 章 第一步")
        # the table of contents and the navigation bars are not passages
        _, hits = search_json(self.db, "挑一个你喜欢的程序", args=["-n", "50"])
        self.assertTrue(hits)
        for h in hits:
            self.assertNotIn("目录", h["section"])
        _, hits = search_json(self.db, "上一页", args=["-n", "50"])
        self.assertEqual([h for h in hits if h["path"] == first], [])


if __name__ == "__main__":
    main()
